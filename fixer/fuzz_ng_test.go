package fixer_test

import (
	"testing"

	"github.com/ifacefix/ifacefix/fixer"
	"github.com/ifacefix/ifacefix/parser"
)

// FuzzFixNG checks the fixer invariants (see checkInvariants) on whatever ifupdown-ng reads:
// its own bring-up model, auto-line splits and all.
func FuzzFixNG(f *testing.F) {
	for _, c := range loadGolden(f) {
		for _, d := range c.In {
			f.Add(d, c.Flags["strip-route-commands"])
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, strip bool) {
		const name = "/etc/network/interfaces"
		opts := parser.Options{Dialect: parser.IfupdownNG}
		cfg, err := parser.ParseBytes(name, data, opts)
		if err != nil {
			return
		}
		opt := fixer.Options{StripRouteCommands: strip}
		res := fixer.Fix(cfg, opt)
		checkInvariants(t, cfg, res, opt, func(changed map[string][]byte) (*parser.Config, error) {
			return parser.ParseBytes(name, changed[name], opts)
		})
	})
}
