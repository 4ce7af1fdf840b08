package fixer_test

import (
	"testing"

	"github.com/ifacefix/ifacefix/fixer"
	"github.com/ifacefix/ifacefix/parser"
)

// FuzzFix checks the fixer invariants (see checkInvariants) on whatever parses.
func FuzzFix(f *testing.F) {
	for _, c := range loadGolden(f) {
		for _, d := range c.In {
			f.Add(d, c.Flags["strip-route-commands"])
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, strip bool) {
		const name = "/etc/network/interfaces"
		cfg, err := parser.ParseBytes(name, data, parser.Options{})
		if err != nil {
			return
		}
		opt := fixer.Options{StripRouteCommands: strip}
		res := fixer.Fix(cfg, opt)
		checkInvariants(t, cfg, res, opt, func(changed map[string][]byte) (*parser.Config, error) {
			return parser.ParseBytes(name, changed[name], parser.Options{})
		})
	})
}

// FuzzFixIfupdown2 is FuzzFix with the files read as ifupdown2 reads them.
func FuzzFixIfupdown2(f *testing.F) {
	for _, c := range loadGolden(f) {
		for _, d := range c.In {
			f.Add(d, c.Flags["strip-route-commands"])
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, strip bool) {
		const name = "/etc/network/interfaces"
		po := parser.Options{Dialect: parser.Ifupdown2}
		cfg, err := parser.ParseBytes(name, data, po)
		if err != nil {
			return
		}
		opt := fixer.Options{StripRouteCommands: strip}
		res := fixer.Fix(cfg, opt)
		checkInvariants(t, cfg, res, opt, func(changed map[string][]byte) (*parser.Config, error) {
			return parser.ParseBytes(name, changed[name], po)
		})
	})
}
