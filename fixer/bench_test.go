package fixer_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ifacefix/ifacefix/fixer"
	"github.com/ifacefix/ifacefix/parser"
)

// benchConfig generates n stanzas: per interface a static primary (with a gateway on every other
// one) and three aliases with gateways, continuation lines and comments.
func benchConfig(n int) []byte {
	var b strings.Builder
	b.WriteString("# generated\nauto lo\niface lo inet loopback\n\n")
	for i, s := 0, 0; s < n; i++ {
		fmt.Fprintf(&b, "# interface %d\nauto eth%d\niface eth%d inet static\n    address 10.%d.%d.1/24\n", i, i, i, i/256%256, i%256)
		if i%2 == 0 {
			fmt.Fprintf(&b, "    gateway 10.%d.%d.254\n", i/256%256, i%256)
		}
		s++
		for a := 0; a < 3 && s < n; a++ {
			fmt.Fprintf(&b, "\niface eth%d:%d inet static\n    address 10.%d.%d.%d/24\n    # alias %d\n", i, a, i/256%256, i%256, a+2, a)
			fmt.Fprintf(&b, "    up echo alias %d \\\n        is up\n    gateway 10.%d.%d.\\\n254\n", a, i/256%256, i%256)
			s++
		}
		b.WriteString("\n")
	}
	return []byte(b.String())
}

func BenchmarkParseFix(b *testing.B) {
	for _, n := range []int{10, 1000, 10000, 100000} {
		data := benchConfig(n)
		b.Run(fmt.Sprintf("stanzas=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				cfg, err := parser.ParseBytes("/etc/network/interfaces", data, parser.Options{})
				if err != nil {
					b.Fatal(err)
				}
				res := fixer.Fix(cfg, fixer.Options{})
				if len(res.Findings) == 0 {
					b.Fatal("no findings")
				}
			}
		})
	}
}

// TestBenchConfig keeps the generator honest: it parses into n+1 stanzas (with lo) and the fix
// holds the invariants.
func TestBenchConfig(t *testing.T) {
	const name = "/etc/network/interfaces"
	for _, n := range []int{10, 101} {
		cfg, err := parser.ParseBytes(name, benchConfig(n), parser.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(cfg.Stanzas) != n+1 {
			t.Fatalf("%d stanzas, want %d", len(cfg.Stanzas), n+1)
		}
		res := fixer.Fix(cfg, fixer.Options{})
		checkInvariants(t, cfg, res, fixer.Options{}, func(changed map[string][]byte) (*parser.Config, error) {
			return parser.ParseBytes(name, changed[name], parser.Options{})
		})
	}
}
