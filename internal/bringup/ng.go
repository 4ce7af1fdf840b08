package bringup

import "github.com/ifacefix/ifacefix/parser"

// simulateNG is Simulate for ifupdown-ng 0.11.3.
//
// TODO(dialects): a placeholder that brings the configuration up as ifupdown 0.8.41 does, until
// the dialect's own model lands.
func simulateNG(cfg *parser.Config, ed Edits) *Result { return simulate08(cfg, ed) }
