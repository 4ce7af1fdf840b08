package bringup

import "github.com/ifacefix/ifacefix/parser"

// simulateBusybox is Simulate for busybox 1.35's ifup.
//
// TODO(dialects): a placeholder that brings the configuration up as ifupdown 0.8.41 does, until
// the dialect's own model lands.
func simulateBusybox(cfg *parser.Config, ed Edits) *Result { return simulate08(cfg, ed) }
