package fixer_test

import (
	"testing"

	"github.com/ifacefix/ifacefix/fixer"
	"github.com/ifacefix/ifacefix/parser"
)

// FuzzFixBusybox is FuzzFix with busybox's reading: the invariants hold on whatever busybox
// reads, and the fixed file reads again the same way.
func FuzzFixBusybox(f *testing.F) {
	for _, c := range loadGolden(f) {
		for _, d := range c.In {
			f.Add(d, c.Flags["strip-route-commands"])
		}
	}
	opts := parser.Options{Dialect: parser.Busybox}
	f.Fuzz(func(t *testing.T, data []byte, strip bool) {
		const name = "/etc/network/interfaces"
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
