package bringup

import "github.com/ifacefix/ifacefix/parser"

// simulateIfupdown2 is Simulate for ifupdown2 3.0.0.
//
// TODO(dialects): a placeholder that brings the configuration up as ifupdown 0.8.41 does, until
// the dialect's own model lands.
func simulateIfupdown2(cfg *parser.Config, ed Edits) *Result { return simulate08(cfg, ed) }
