package e2e

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/ifacefix/ifacefix/fixer"
	"github.com/ifacefix/ifacefix/internal/bringup"
	"github.com/ifacefix/ifacefix/internal/routecmd"
	"github.com/ifacefix/ifacefix/internal/testcases"
	"github.com/ifacefix/ifacefix/parser"
	"github.com/rogpeppe/go-internal/txtar"
)

// bbTree is one tree for the busybox differential.
type bbTree struct {
	name  string
	files map[string][]byte // in-root paths under etc/network/
}

// bbTrees are the golden in/ trees (as they are and in netmask form), the probe trees (netmask
// form except busybox's own bb* probes) and, when ../shared/corpus exists, each corpus file as
// /etc/network/interfaces (both forms).
func bbTrees(t *testing.T) []bbTree {
	var trees []bbTree
	both := func(name string, files map[string][]byte) {
		trees = append(trees, bbTree{name, files})
		nm := map[string][]byte{}
		changed := false
		for n, d := range files {
			nm[n] = []byte(netmaskForm(string(d)))
			changed = changed || string(nm[n]) != string(d)
		}
		if changed {
			trees = append(trees, bbTree{name + "/netmask", nm})
		}
	}
	cases, err := testcases.Golden(filepath.Join(repoRoot, "testdata", "golden"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		files := map[string][]byte{}
		for n, d := range c.In {
			if rel, ok := strings.CutPrefix(n, "etc/network/"); ok {
				files["etc/network/"+rel] = d
			}
		}
		if len(files) == len(c.In) && len(files) > 0 {
			both("golden/"+c.Name, files)
		}
	}
	probes, _ := filepath.Glob(filepath.Join(repoRoot, "testdata", "dialects", "probes", "*.txtar"))
	for _, p := range probes {
		ar, err := txtar.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		for _, f := range ar.Files {
			if strings.HasPrefix(f.Name, "etc/network/") {
				files[f.Name] = f.Data
			}
		}
		name := "probe/" + strings.TrimSuffix(filepath.Base(p), ".txtar")
		if strings.HasPrefix(filepath.Base(p), "bb") {
			trees = append(trees, bbTree{name, files})
			continue
		}
		for n, d := range files {
			files[n] = []byte(netmaskForm(string(d)))
		}
		trees = append(trees, bbTree{name, files})
	}
	if dir, ok := testcases.CorpusDir(); ok {
		rels, err := testcases.CorpusFiles(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, rel := range rels {
			d, err := os.ReadFile(filepath.Join(dir, rel))
			if err != nil {
				t.Fatal(err)
			}
			both("corpus/"+rel, map[string][]byte{topFile: d})
		}
	}
	return trees
}

// readsDirectory reports whether a tree has a source-dir* line, whose files busybox reads in
// readdir order.
func readsDirectory(files map[string][]byte) bool {
	for _, d := range files {
		for _, l := range strings.Split(string(d), "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), "source-dir") {
				return true
			}
		}
	}
	return false
}

// bbFatal matches busybox's fatal parse messages (ifup: MESSAGE, nothing configured); the part
// before the first quote is what ifacefix's error must contain.
var bbFatal = regexp.MustCompile(`(?m)^ifup: (.*)$`)

// bbNonFatal are ifup's messages about a target, after parsing succeeded.
var bbNonFatal = regexp.MustCompile(`don't have all variables|ignoring unknown interface|already configured`)

// TestDialectBusyboxDifferential: over every tree, busybox ifup -n -v -a and ifacefix's busybox
// reading agree: busybox refuses the file exactly when parser.Load does (with the same message),
// and otherwise prints exactly the commands bringup.BusyboxDryRun renders from the parsed
// stanzas (so every option busybox uses has the value busybox read).
func TestDialectBusyboxDifferential(t *testing.T) {
	needDialect(t, dialectBusybox)
	trees := bbTrees(t)
	var mu sync.Mutex
	agree := 0
	for _, tr := range trees {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			fsys := fstest.MapFS{}
			for n, d := range tr.files {
				fsys[n] = &fstest.MapFile{Data: d, Mode: 0o644}
			}
			cfg, perr := parser.Load(fsys, "/etc/network/interfaces", parser.Options{Dialect: parser.Busybox, WorkDir: "/etc/network"})
			r := dryRunBusybox(t, tr.files, "")
			fatal := ""
			if r.stdout == "" && r.code != 0 {
				for _, m := range bbFatal.FindAllStringSubmatch(r.stderr, -1) {
					if !bbNonFatal.MatchString(m[1]) {
						fatal = m[1]
					}
				}
			}
			switch {
			case fatal != "" && perr == nil:
				t.Fatalf("busybox refuses the file (%s), ifacefix reads it", fatal)
			case fatal == "" && perr != nil:
				t.Fatalf("ifacefix refuses the file (%v), busybox reads it (exit %d):\n%s%s", perr, r.code, r.stdout, r.stderr)
			case fatal != "":
				core, _, _ := strings.Cut(fatal, `"`)
				core, _, _ = strings.Cut(core, `'`)
				if !strings.Contains(perr.Error(), strings.TrimSpace(core)) {
					if readsDirectory(tr.files) {
						// Both refuse; which file's error comes first is busybox's readdir order,
						// which the tree does not record (ifacefix takes name order).
						t.Logf("both refuse, first errors differ (readdir order): busybox: %s; ifacefix: %v", fatal, perr)
						return
					}
					t.Errorf("busybox: %s\nifacefix: %v", fatal, perr)
				}
			default:
				// An empty block (a target with nothing to run) may not show: the harness's line
				// splitting drops a last blank line.
				got := slices.DeleteFunc(bringup.BusyboxDryRun(cfg), func(b []string) bool { return len(b) == 0 })
				var want [][]string
				for _, b := range r.blocks {
					b = slices.DeleteFunc(slices.Clone(b), func(l string) bool { return strings.HasPrefix(l, "Running mapping script ") })
					if len(b) > 0 {
						want = append(want, b)
					}
				}
				if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
					t.Errorf("commands differ:\nifacefix %q\nbusybox  %q\n(stderr %s)", got, want, r.stderr)
				}
			}
			if !t.Failed() {
				mu.Lock()
				agree++
				mu.Unlock()
			}
		})
	}
	t.Cleanup(func() { t.Logf("%d of %d trees agree", agree, len(trees)) })
}

// bbRoute renders a modelled default route as defaultRoutes prints the kernel's.
func bbRoute(r routecmd.Route) string {
	s := "default"
	if r.Type != "" && r.Type != "unicast" {
		s = r.Type + " default"
	}
	if r.Gateway != "" {
		s += " via " + r.Gateway
	}
	if r.Dev != "" {
		s += " dev " + r.Dev
	}
	if r.Proto != "" && r.Proto != "boot" {
		s += " proto " + r.Proto
	}
	if r.Family == "inet" && r.Gateway == "" && r.Dev != "" && r.Scope != "universe" {
		s += " scope link"
	}
	if r.Src != "" {
		s += " src " + r.Src
	}
	if r.Metric != 0 || r.Family == "inet6" {
		s += fmt.Sprintf(" metric %d", r.Metric)
	}
	if r.Onlink {
		s += " onlink"
	}
	return s
}

var bbEthName = regexp.MustCompile(`^(lo|eth([0-9]+))(:.*)?$`)

// TestDialectBusyboxFixerLive runs the fixer with the busybox dialect on the seed (netmask form)
// and on every golden in/ tree busybox reads (the busybox-* cases as they are, the others in
// netmask form), brings the fixed tree up with the real busybox ifup -a in a namespace, and
// checks that the kernel's default routes, before and after the fix, are the ones the busybox
// bring-up model predicts.
// Where the model says every stanza comes up and the fixer fixed every finding, it also checks
// exit status 0, every static address present, and one default route per family: the
// primary's gateway and metric.
func TestDialectBusyboxFixerLive(t *testing.T) {
	needDialect(t, dialectBusybox)
	type tc struct {
		name  string
		files map[string][]byte
		strip bool
	}
	cases := []tc{{"seed", tree(netmaskForm(seedConfig)), false}}
	all, err := testcases.Golden(filepath.Join(repoRoot, "testdata", "golden"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range all {
		if c.Dialect != "" && c.Dialect != "busybox" || len(c.In) == 0 {
			continue
		}
		files := map[string][]byte{}
		for n, d := range c.In {
			if !strings.HasPrefix(n, "etc/network/") {
				files = nil
				break
			}
			if c.Dialect == "" {
				d = []byte(netmaskForm(string(d)))
			}
			files[n] = d
		}
		if files != nil {
			cases = append(cases, tc{c.Name, files, c.Flags["strip-route-commands"]})
		}
	}
	var mu sync.Mutex
	counts := map[string]int{}
	count := func(k string) { mu.Lock(); counts[k]++; mu.Unlock() }
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			load := func(files map[string][]byte) (*parser.Config, error) {
				fsys := fstest.MapFS{}
				for n, d := range files {
					fsys[n] = &fstest.MapFile{Data: d, Mode: 0o644}
				}
				return parser.Load(fsys, "/etc/network/interfaces", parser.Options{Dialect: parser.Busybox, WorkDir: "/etc/network"})
			}
			// The namespace's lo is up with 127.0.0.1 already, where a booting host's is not:
			// busybox's loopback method (ip addr add 127.0.0.1/8 dev lo) would fail here only.
			c.files = maps.Clone(c.files)
			c.files[topFile] = bytes.ReplaceAll(bytes.ReplaceAll(c.files[topFile], []byte("auto lo\n"), nil), []byte("iface lo inet loopback\n"), nil)
			cfg, err := load(c.files)
			if err != nil {
				count("busybox refuses the tree")
				return
			}
			// ifup -a brings up the auto names only (and busybox ifup takes one name): name every
			// stanza auto so that the whole tree comes up.
			autos := map[string]bool{}
			for _, sel := range cfg.Selections {
				for _, n := range sel.Names {
					autos[n] = true
				}
			}
			var more strings.Builder
			for _, s := range cfg.Stanzas {
				if !autos[s.Name] {
					autos[s.Name] = true
					more.WriteString("auto " + s.Name + "\n")
				}
			}
			if more.Len() > 0 {
				// First: nothing before them can continue into them.
				c.files[topFile] = append([]byte(more.String()), c.files[topFile]...)
				if cfg, err = load(c.files); err != nil {
					count("busybox refuses the tree")
					return
				}
			}
			veths := 0
			for _, s := range cfg.Stanzas {
				m := bbEthName.FindStringSubmatch(s.Name)
				if m == nil {
					count("a device the namespace lacks")
					return
				}
				if m[2] != "" {
					n, _ := strconv.Atoi(m[2])
					veths = max(veths, n+1)
				}
			}
			res := fixer.Fix(cfg, fixer.Options{StripRouteCommands: c.strip})
			fixed := maps.Clone(c.files)
			for f, edits := range res.Edits() {
				out, err := f.Apply(edits)
				if err != nil {
					t.Fatal(err)
				}
				fixed[strings.TrimPrefix(f.Name, "/")] = out
			}
			cfg2, err := load(fixed)
			if err != nil {
				t.Fatalf("the fixed tree does not load: %v", err)
			}
			// The model's routes, before the fix (what its decisions rest on) and after it.
			modelled := func(cfg *parser.Config) (want4, want6 []string, allUp, known bool) {
				sim := bringup.Simulate(cfg, bringup.Edits{})
				allUp, known = true, true
				for _, s := range cfg.Stanzas {
					st := sim.Of(s)
					allUp = allUp && st.Up
					known = known && !st.Dynamic && st.Unknown == "" && st.OnFaith() == ""
				}
				for _, r := range sim.Boot {
					if !r.Main() {
						continue // ip route lists the main table
					}
					if r.Family == "inet6" {
						want6 = append(want6, bbRoute(r))
					} else {
						want4 = append(want4, bbRoute(r))
					}
				}
				slices.Sort(want4)
				slices.Sort(want6)
				return want4, want6, allUp, known
			}
			want4, want6, allUp, known := modelled(cfg2)
			b4, b6, _, bknown := modelled(cfg)
			if !known || !bknown {
				count("a route known only at run time")
				return
			}
			b := bringUp(t, dialectBusybox, c.files, veths, "-a")
			expect(t, "inet defaults before the fix (model)", b.defaults4, b4)
			expect(t, "inet6 defaults before the fix (model)", b.defaults6, b6)
			a := bringUp(t, dialectBusybox, fixed, veths, "-a")
			expect(t, "inet defaults (model)", a.defaults4, want4)
			expect(t, "inet6 defaults (model)", a.defaults6, want6)
			fixedAll := len(res.Findings) > 0
			for _, f := range res.Findings {
				fixedAll = fixedAll && f.Fixed()
			}
			if !allUp || !fixedAll {
				count("model agrees")
				return
			}
			if a.code != 0 {
				t.Errorf("fixed tree: exit %d\n%s", a.code, a.stderr)
			}
			have := strings.Join(append(slices.Clone(a.addrs4), a.addrs6...), "\n")
			for _, s := range cfg2.Stanzas {
				if s.Method != "static" {
					continue
				}
				addr, _, _ := strings.Cut(optionValue(s, "address"), "/")
				if addr != "" && !strings.Contains(have, " "+strings.TrimSpace(addr)+"/") {
					t.Errorf("address %s of %s missing: %q", addr, s.Name, have)
				}
			}
			for fam, got := range map[string][]string{"inet": a.defaults4, "inet6": a.defaults6} {
				// Where the primary stanzas have one gateway between them (several are
				// failovers the fixer keeps).
				var primary *parser.Stanza
				n := 0
				for _, s := range cfg2.Stanzas {
					if s.Family == fam && !s.IsAlias() && optionValue(s, "gateway") != "" {
						if primary == nil {
							primary = s
						}
						n++
					}
				}
				if n != 1 {
					continue
				}
				want := "default via " + strings.TrimSpace(optionValue(primary, "gateway")) + " dev " + primary.Base()
				if strings.TrimSpace(optionValue(primary, "gateway")) == "0.0.0.0" {
					want = "default dev " + primary.Base() // no gateway: a device route
				}
				if len(got) != 1 || !strings.HasPrefix(got[0], want) {
					t.Errorf("%s: want one default via %s's gateway, got %q", fam, primary.Name, got)
				} else if m := strings.TrimSpace(optionValue(primary, "metric")); m != "" && !strings.HasSuffix(got[0], " metric "+m) {
					t.Errorf("%s: want %s's metric %s, got %q", fam, primary.Name, m, got)
				}
			}
			count("fixed, all up, one default per family")
		})
	}
	t.Cleanup(func() { t.Logf("%d trees: %v", len(cases), counts) })
}

// optionValue is the value of the stanza's first option of that name ("" when none).
func optionValue(s *parser.Stanza, name string) string {
	for _, o := range s.Options {
		if o.Name == name {
			return o.Value
		}
	}
	return ""
}
