package gen_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ifacefix/ifacefix/bench/gen"
	"github.com/ifacefix/ifacefix/fixer"
	"github.com/ifacefix/ifacefix/internal/plan"
	"github.com/ifacefix/ifacefix/parser"
)

// dropAliasGateways is what Augeas' `rm /files/F/iface[. =~ regexp('.*:.*')]/*[label() =
// 'gateway' or label() = 'metric']` does to a generated file, written independently of the parser:
// every gateway and metric line of an alias stanza goes, with its continuation line.
func dropAliasGateways(data string) string {
	var out []string
	alias, cont := false, false
	for _, l := range strings.SplitAfter(data, "\n") {
		t := strings.TrimSpace(l)
		switch {
		case cont:
			cont = strings.HasSuffix(t, `\`)
			continue
		case strings.HasPrefix(t, "iface "):
			alias = strings.Contains(strings.Fields(t)[1], ":")
		case alias && (strings.HasPrefix(t, "gateway") || strings.HasPrefix(t, "metric")):
			cont = strings.HasSuffix(t, `\`)
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "")
}

// TestInterfaces: the generated file parses, the fixer finds exactly the planned findings, and
// without moves its fix is the very bytes Augeas produces, which bench/compare.sh relies on.
func TestInterfaces(t *testing.T) {
	for _, o := range []gen.Options{{Stanzas: 10}, {Stanzas: 6250}, {Stanzas: 1003, MoveEvery: 5}, {Stanzas: 7, AliasesPer: 2, MoveEvery: 1}} {
		data := gen.Interfaces(o)
		if !bytes.Equal(data, gen.Interfaces(o)) {
			t.Fatalf("%+v: not deterministic", o)
		}
		cfg, err := parser.ParseBytes("/etc/network/interfaces", data, parser.Options{})
		if err != nil {
			t.Fatalf("%+v: %v", o, err)
		}
		if got := len(cfg.Stanzas); got != o.Stanzas+1 { // + lo
			t.Errorf("%+v: %d stanzas, want %d", o, got, o.Stanzas+1)
		}
		c := gen.Count(o)
		res := fixer.Fix(cfg, fixer.Options{})
		rules := map[string]int{}
		for _, f := range res.Findings {
			if !f.Fixed() {
				t.Errorf("%+v: unfixed finding %s: %s", o, f.Rule, f.Message)
			}
			rules[f.Rule]++
		}
		// Every alias copies its primary's metric with the gateway: it goes too (alias-metric).
		if rules[fixer.AliasGateway] != c.AliasGateways || rules[fixer.AliasMetric] != c.AliasGateways || rules[fixer.KeepDefaultRoute] != c.Moves || len(res.Findings) != 2*c.AliasGateways+c.Moves {
			t.Errorf("%+v: findings %v, want %d alias-gateway and alias-metric and %d keep-default-route", o, rules, c.AliasGateways, c.Moves)
		}
		out, err := cfg.Files[0].Apply(res.Edits()[cfg.Files[0]])
		if err != nil {
			t.Fatal(err)
		}
		if o.MoveEvery == 0 && string(out) != dropAliasGateways(string(data)) {
			t.Errorf("%+v: fix differs from removing the alias gateway and metric lines", o)
		}
		// Afterwards every primary has exactly one gateway (its own or the moved one), aliases none.
		per := o.AliasesPer
		if per == 0 {
			per = 4
		}
		primaries := (o.Stanzas + per) / (per + 1)
		if got := len(regexp.MustCompile(`(?m)^ *gateway`).FindAll(out, -1)); got != primaries {
			t.Errorf("%+v: %d gateway lines left, want %d (one per primary)", o, got, primaries)
		}
	}
}

// TestTreeAndHosts: a tree spreads its stanzas over the sourced files; every host of a fleet has
// the same five findings; and a run over many roots (loaded in parallel) keeps the order of the
// roots and, when one root is broken, returns its error with every other root planned.
func TestTreeAndHosts(t *testing.T) {
	dir := t.TempDir()
	o := gen.Options{Stanzas: 1000, MoveEvery: 5}
	if err := gen.Tree(dir, o, 4); err != nil {
		t.Fatal(err)
	}
	p, err := plan.Run(plan.Options{Roots: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	c := gen.Count(o)
	if len(p.Files) != 5 || len(p.Findings) != 2*c.AliasGateways+c.Moves || len(p.Changed()) != 5 {
		t.Fatalf("tree: %d files (%d changed), %d findings; want 5, 5, %d", len(p.Files), len(p.Changed()), len(p.Findings), 2*c.AliasGateways+c.Moves)
	}

	roots, err := gen.Hosts(t.TempDir(), 64)
	if err != nil {
		t.Fatal(err)
	}
	p, err = plan.Run(plan.Options{Roots: roots})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Files) != 128 || len(p.Findings) != 5*64 {
		t.Fatalf("hosts: %d files, %d findings", len(p.Files), len(p.Findings))
	}
	for i, f := range p.Files {
		want := filepath.Join(roots[i/2], "etc/network/interfaces")
		if i%2 == 1 {
			want = filepath.Join(roots[i/2], "etc/network/interfaces.d/eth1")
		}
		if f.Path != want {
			t.Fatalf("file %d is %s, want %s", i, f.Path, want)
		}
	}
	for i, f := range p.Findings {
		if !strings.HasPrefix(f.Path, roots[i/5]+"/") {
			t.Fatalf("finding %d is in %s, want root %s", i, f.Path, roots[i/5])
		}
	}

	// Break hosts 40 and 50: the first one in root order is the error, whatever finishes first.
	for _, h := range []int{50, 40} {
		bad := filepath.Join(roots[h], "etc/network/interfaces")
		if err := os.WriteFile(bad, []byte("iface eth0 inet static\nbogus\n  address 1\nfoo bar\nmapping\nx y\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(roots[40], "etc/network/interfaces"), []byte("gateway 10.0.0.1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err = plan.Run(plan.Options{Roots: roots})
	want := filepath.Join(roots[40], "etc/network/interfaces") + ":1: misplaced option"
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %s", err, want)
	}
	// Every other root is still planned (and reported); the broken ones have their error.
	if n := len(roots) - 2; len(p.Files) != 2*n || len(p.Findings) != 5*n {
		t.Fatalf("after the error: %d files, %d findings; want those of the %d other roots", len(p.Files), len(p.Findings), n)
	}
	for i, r := range p.Roots {
		if (r.Err != nil) != (i == 40 || i == 50) {
			t.Errorf("root %d: error %v", i, r.Err)
		}
	}
}
