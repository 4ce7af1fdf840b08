package fixer

import "github.com/ifacefix/ifacefix/parser"

// stopsThere says what a failing stanza of interface name does to its interface's later stanzas
// on cfg's program: ifupdown 0.8 stops there; busybox goes on with them (docs/dialects.md 3.3).
func stopsThere(cfg *parser.Config, name string) string {
	if cfg.Dialect == parser.Busybox {
		return "so ifup fails for " + name + " (busybox still configures its other stanzas but does not record " + name + " as up)"
	}
	return "so ifup stops there and configures no later stanza of " + name
}
