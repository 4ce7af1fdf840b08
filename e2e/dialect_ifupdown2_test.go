package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ifacefix/ifacefix/fixer"
	"github.com/ifacefix/ifacefix/internal/testcases"
	"github.com/ifacefix/ifacefix/parser"
	"github.com/rogpeppe/go-internal/txtar"
)

// The ifupdown2 dialect against the real ifupdown2 3.0.0 (docs/dialects.md section 1): the parser
// reads every tree as its ifquery does, and the fixer's fixes, brought up by the real ifup, leave
// one default route per family with the primary's gateway and metric.

// i2View is how ifacefix reads tree as ifupdown2 (from /etc/network, the harness's working
// directory), in the shape queryIfupdown2 decodes: one object per stanza, or per interface with
// squash; err is the parser's refusal.
func i2View(t *testing.T, tree map[string][]byte, squash bool) ([]i2Iface, error) {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, data := range tree {
		fsys[name] = &fstest.MapFile{Data: data}
	}
	cfg, err := parser.Load(fsys, "/"+topFile, parser.Options{Dialect: parser.Ifupdown2, WorkDir: "/etc/network"})
	if err != nil {
		return nil, err
	}
	type object struct {
		i2Iface
		vlan   bool // a vlan stanza: an object of another type, squashed only with its kind
		keys   []string
		values map[string][]string
	}
	var objs []*object
	byName := map[string][]*object{}
	for _, s := range cfg.Stanzas {
		o := &object{i2Iface: i2Iface{Name: s.Base(), Method: s.Method, Auto: slices.Contains(s.Classes, "auto")}, vlan: s.HeaderLine().Keyword == "vlan", values: map[string][]string{}}
		if s.Family != "" && !s.FamilyInferred { // ifupdown2 stores no family it was not given
			o.Families = []string{s.Family}
		}
		for _, opt := range s.Options {
			k := strings.ReplaceAll(opt.Name, "_", "-")
			v := strings.ReplaceAll(opt.Value, "$IFACE", s.Name)
			vals, seen := o.values[k]
			if k == "scope" || k == "netmask" || k == "broadcast" || k == "preferred-lifetime" {
				n := len(o.values["address"])
				if n == 0 {
					continue // before any address: dropped
				}
				for len(vals) < n-1 {
					vals = append(vals, "")
				}
			}
			if !seen {
				o.keys = append(o.keys, k)
			}
			o.values[k] = append(vals, v)
		}
		prev := byName[o.Name]
		if len(prev) > 0 && fmt.Sprint(prev[0].i2Iface, prev[0].keys, prev[0].values) == fmt.Sprint(o.i2Iface, o.keys, o.values) {
			continue // "duplicate interface found"
		}
		if i := slices.IndexFunc(prev, func(p *object) bool { return p.vlan == o.vlan }); squash && i >= 0 {
			p := prev[i]
			p.Families = append(p.Families, o.Families...)
			p.Auto = p.Auto || o.Auto
			for _, k := range o.keys {
				if _, ok := p.values[k]; !ok {
					p.keys = append(p.keys, k)
				}
				p.values[k] = append(p.values[k], o.values[k]...)
			}
			continue
		}
		if len(prev) == 0 {
			objs = append(objs, o) // first appearance decides the order
		}
		byName[o.Name] = append(prev, o)
	}
	var out []i2Iface
	for _, first := range objs {
		for _, o := range byName[first.Name] {
			for _, k := range o.keys {
				for _, v := range o.values[k] {
					o.Options = append(o.Options, k+" "+v)
				}
			}
			out = append(out, o.i2Iface)
		}
	}
	return out, nil
}

// i2Trees returns the trees the differential reads: every golden case's (only its etc/network
// files; not those ifacefix reads as Mako templates, which the harness's ifupdown2 has no Mako
// to render), every probe's, and each interfaces file of ../shared/corpus on its own.
func i2Trees(t *testing.T) map[string]map[string][]byte {
	t.Helper()
	trees := map[string]map[string][]byte{}
	cases, err := testcases.Golden(filepath.Join(repoRoot, "testdata", "golden"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		tr := map[string][]byte{}
		for name, data := range c.In {
			if strings.HasPrefix(name, "etc/network/") {
				tr[name] = data
			}
		}
		if _, ok := c.In["usr/lib/python3/dist-packages/mako/template.py"]; !ok && tr[topFile] != nil {
			trees["golden/"+c.Name] = tr
		}
	}
	probes, _ := filepath.Glob(filepath.Join(repoRoot, "testdata", "dialects", "probes", "*.txtar"))
	for _, p := range probes {
		ar, err := txtar.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		tr := map[string][]byte{}
		for _, f := range ar.Files {
			if strings.HasPrefix(f.Name, "etc/network/") {
				tr[f.Name] = f.Data
			}
		}
		if !strings.Contains(string(ar.Comment), "directory order") {
			trees["probe/"+filepath.Base(p)] = tr
		}
	}
	if dir, ok := testcases.CorpusDir(); ok {
		files, err := testcases.CorpusFiles(dir, testcases.Interfaces)
		if err != nil {
			t.Fatal(err)
		}
		for _, rel := range files {
			data, err := os.ReadFile(filepath.Join(dir, rel))
			if err == nil {
				trees["corpus/"+rel] = map[string][]byte{topFile: data}
			}
		}
	}
	return trees
}

// TestIfupdown2Differential: for every tree, ifacefix refuses exactly what ifupdown2's ifquery
// fails on (or what it cannot edit safely: invalid UTF-8, a lone carriage return), and otherwise
// reads every stanza, unsquashed and squashed, as ifquery prints it.
func TestIfupdown2Differential(t *testing.T) {
	needDialect(t, dialectIfupdown2)
	trees := i2Trees(t)
	names := make([]string, 0, len(trees))
	for n := range trees {
		names = append(names, n)
	}
	slices.Sort(names)
	if testing.Short() && len(names) > 40 {
		names = names[:40]
	}
	// Known differences, kept on purpose (docs/dialects.md 1.11).
	known := map[string]string{
		"golden/include-twice":          "ifupdown2 reads a file reached twice twice; ifacefix reads it once and warns",
		"golden/include-twice-inherits": "ifupdown2 reads a file reached twice twice; ifacefix reads it once and warns",
	}
	for _, n := range names {
		tr := trees[n]
		t.Run(n, func(t *testing.T) {
			if why := known[n]; why != "" {
				t.Skip(why)
			}
			t.Parallel()
			for _, q := range []i2Query{i2All, i2Squashed} {
				real, r := queryIfupdown2(t, tr, q)
				ours, err := i2View(t, tr, q == i2Squashed)
				realFails := r.code != 0 && len(real) == 0
				if realFails && err == nil && len(ours) == 0 && strings.Contains(r.stderr, "no ifaces found") {
					continue // nothing to configure: ifupdown2 calls that a failure
				}
				if err != nil {
					if !realFails && !strings.Contains(err.Error(), "UTF-8") && !strings.Contains(err.Error(), "carriage return") {
						t.Fatalf("ifacefix refuses (%v), ifquery exits %d:\n%s", err, r.code, r.stderr)
					}
					return
				}
				if realFails {
					t.Fatalf("ifquery fails (exit %d) where ifacefix reads the tree:\n%s", r.code, r.stderr)
				}
				got, want := i2Strings(ours, true), i2Strings(real, false)
				if globs(tr) { // Python's glob gives directory order; ifacefix sorts
					got, want = sortedI2(ours, true), sortedI2(real, false)
				}
				if !slices.Equal(got, want) {
					t.Errorf("query %d:\nifquery  %s\nifacefix %s", q, want, got)
				}
			}
		})
	}
}

// i2Aliases are the option names ifupdown2's addons accept for others, and print as the others
// (the addons' "aliases"); none of them is about routes, and ifacefix keeps the name as written.
var i2Aliases = map[string]string{"bond-ports": "bond-slaves", "mode": "tunnel-mode", "local": "tunnel-local",
	"endpoint": "tunnel-endpoint", "ttl": "tunnel-ttl", "tunnel-physdev": "tunnel-dev", "bridge-trunk": "bridge-vids"}

// i2Strings prints objects for comparison, ours with the alias names as ifupdown2 prints them.
func i2Strings(objs []i2Iface, ours bool) []string {
	var out []string
	for _, o := range objs {
		if ours {
			o = i2Renamed(o)
		}
		out = append(out, fmt.Sprintf("%+v", o))
	}
	return out
}

// i2Renamed is o with each option named by an alias renamed as ifupdown2 prints it.
func i2Renamed(o i2Iface) i2Iface {
	o.Options = slices.Clone(o.Options)
	for i, opt := range o.Options {
		k, v, _ := strings.Cut(opt, " ")
		if a, ok := i2Aliases[k]; ok {
			o.Options[i] = a + " " + v
		}
	}
	return o
}

// sortedI2 is i2Strings with each object's options and the objects sorted. Ours are renamed
// first: ifupdown2 sorts the names it prints (endpoint sorts before gateway, tunnel-endpoint after).
func sortedI2(objs []i2Iface, ours bool) []string {
	objs = slices.Clone(objs)
	for i := range objs {
		if ours {
			objs[i] = i2Renamed(objs[i])
		}
		objs[i].Options = slices.Sorted(slices.Values(objs[i].Options))
	}
	out := i2Strings(objs, false)
	slices.Sort(out)
	return out
}

// globs reports whether a file of the tree sources a glob pattern.
func globs(tr map[string][]byte) bool {
	for _, data := range tr {
		for _, l := range strings.Split(string(data), "\n") {
			if w := strings.Fields(l); len(w) > 1 && w[0] == "source" && strings.ContainsAny(w[1], "*?[") {
				return true
			}
		}
	}
	return false
}

// i2LiveCase is a configuration, the gateway and metric its primary eth0 has, and the addresses
// it configures.
type i2LiveCase struct {
	name, cfg  string
	gw, metric string
	v6         bool
	addrs      []string
}

// TestIfupdown2FixerLive runs the fixer (dialect ifupdown2) on each misconfiguration, applies its
// edits, and brings the result up with the real ifupdown2: exit 0, exactly one default route in
// the family, eth0's own gateway with eth0's own metric, every address present.
func TestIfupdown2FixerLive(t *testing.T) {
	needDialect(t, dialectIfupdown2)
	cases := []i2LiveCase{
		{"seed", seedConfig, "192.0.2.1", "", false, seedAddrs},
		{"alias metric left behind", seedFixed[:len(seedFixed)-1] + "\n    metric 100\n", "192.0.2.1", "", false, seedAddrs},
		{"alias gateway and primary metric", "auto eth0\nauto eth0:0\niface eth0 inet static\n    address 192.0.2.10/24\n    gateway 192.0.2.1\n    metric 5\n\niface eth0:0 inet static\n    address 192.0.2.11/24\n    gateway 192.0.2.1\n",
			"192.0.2.1", "5", false, seedAddrs[:2]},
		{"same-name stanzas", "auto eth0\niface eth0 inet static\n    address 192.0.2.10/24\n    gateway 192.0.2.1\n    metric 5\n\niface eth0 inet static\n    address 192.0.2.11/24\n    gateway 192.0.2.254\n    metric 100\n",
			"192.0.2.1", "5", false, seedAddrs[:2]},
		{"inet6 alias metric left behind", "auto eth0\nauto eth0:0\niface eth0 inet6 static\n    address 2001:db8::10/64\n    gateway 2001:db8::1\n\niface eth0:0 inet6 static\n    address 2001:db8::11/64\n    metric 100\n",
			"2001:db8::1", "", true, []string{"eth0 2001:db8::10/64", "eth0 2001:db8::11/64"}},
		{"inet6 alias gateway", "auto eth0\nauto eth0:0\niface eth0 inet6 static\n    address 2001:db8::10/64\n    gateway 2001:db8::1\n    metric 5\n\niface eth0:0 inet6 static\n    address 2001:db8::11/64\n    gateway 2001:db8::2\n    metric 5\n",
			"2001:db8::1", "5", true, []string{"eth0 2001:db8::10/64", "eth0 2001:db8::11/64"}},
		{"comment ending in a backslash", "auto eth0 eth0:0 eth1\niface eth0 inet static\n    address 192.0.2.10/24\n    gateway 192.0.2.1\n\niface eth0:0 inet static\n    address 192.0.2.11/24\n    # gateway kept for ticket \\\n    gateway 192.0.2.1\n\niface eth1 inet static\n    address 198.51.100.10/24\n",
			"192.0.2.1", "", false, []string{"eth0 192.0.2.10/24", "eth0 192.0.2.11/24", "eth1 198.51.100.10/24"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fixed := fixI2(t, c.cfg)
			r := bringUp(t, dialectIfupdown2, tree(fixed), 2, "-a")
			if r.code != 0 {
				t.Errorf("the fixed configuration: exit %d\n%s\n%s", r.code, fixed, r.stderr)
			}
			got, other := r.defaults4, r.defaults6
			if c.v6 {
				got, other = r.defaults6, r.defaults4
			}
			expect(t, "defaults", got, []string{kernelDefault(dialectIfupdown2, c.gw, c.metric, c.v6)})
			expect(t, "defaults of the other family", other, nil)
			addrs := r.addrs4
			if c.v6 {
				addrs = r.addrs6
			}
			expect(t, "addresses", addrs, c.addrs)
		})
	}
}

// fixI2 returns cfg with the fixer's edits (dialect ifupdown2) made.
func fixI2(t *testing.T, cfg string) string {
	t.Helper()
	c, err := parser.ParseBytes("/etc/network/interfaces", []byte(cfg), parser.Options{Dialect: parser.Ifupdown2})
	if err != nil {
		t.Fatal(err)
	}
	res := fixer.Fix(c, fixer.Options{})
	for _, f := range res.Findings {
		t.Logf("%s:%d: %s: %s", f.File.Path, f.Line, f.Rule, f.Message)
	}
	out, err := c.Files[0].Apply(res.Edits()[c.Files[0]])
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestIfupdown2FixerGoldenLive runs the fixer (dialect ifupdown2) on the in/ tree of every golden
// case of ifupdown 0.8 or ifupdown2 and brings the tree up with the real ifupdown2 before and after: the fix never
// leaves a family without the default route it had, never adds a default route, never loses an
// address, and never makes ifup's exit status worse.
func TestIfupdown2FixerGoldenLive(t *testing.T) {
	needDialect(t, dialectIfupdown2)
	cases, err := testcases.Golden(filepath.Join(repoRoot, "testdata", "golden"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if c.Dialect != "ifupdown2" && c.Dialect != "" || len(c.In) != 1 || c.In[topFile] == nil {
			continue // only single-file trees: fixI2 edits the top file
		}
		t.Run(c.Name, func(t *testing.T) {
			before := bringUp(t, dialectIfupdown2, tree(string(c.In[topFile])), 2, "-a")
			if _, err := parser.ParseBytes("/"+topFile, c.In[topFile], parser.Options{Dialect: parser.Ifupdown2}); err != nil {
				// ifacefix refuses the file and writes nothing: ifupdown2 must fail on it too.
				if before.code == 0 {
					t.Errorf("ifacefix refuses the file (%v), ifupdown2 brings it up", err)
				}
				return
			}
			fixed := fixI2(t, string(c.In[topFile]))
			after := bringUp(t, dialectIfupdown2, tree(fixed), 2, "-a")
			if after.code > before.code {
				t.Errorf("exit %d after the fix, %d before\n%s", after.code, before.code, after.stderr)
			}
			for _, fam := range []struct{ b, a []string }{{before.defaults4, after.defaults4}, {before.defaults6, after.defaults6}} {
				if len(fam.b) > 0 && len(fam.a) == 0 {
					t.Errorf("the fix loses the default route: before %q, after none", fam.b)
				}
				if len(fam.a) > len(fam.b) {
					t.Errorf("the fix adds default routes: before %q, after %q", fam.b, fam.a)
				}
			}
			for _, a := range append(slices.Clone(before.addrs4), before.addrs6...) {
				if !slices.Contains(after.addrs4, a) && !slices.Contains(after.addrs6, a) {
					t.Errorf("the fix loses the address %s", a)
				}
			}
		})
	}
}
