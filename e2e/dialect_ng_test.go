package e2e

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/ifacefix/ifacefix/fixer"
	"github.com/ifacefix/ifacefix/internal/bringup"
	"github.com/ifacefix/ifacefix/internal/testcases"
	"github.com/ifacefix/ifacefix/parser"
)

// ngTree is one tree for the ifupdown-ng differential: in-root paths to bytes.
type ngTree struct {
	name  string
	files map[string][]byte
}

// ngTrees returns every golden case's in/ tree (all dialects: the parser reads each as
// ifupdown-ng would), every probe tree and every file of ../shared/corpus (when there).
func ngTrees(t *testing.T) []ngTree {
	var out []ngTree
	all, err := testcases.Golden(filepath.Join(repoRoot, "testdata", "golden"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range all {
		outside := false
		for n := range c.In {
			outside = outside || !strings.HasPrefix(n, "etc/network/")
		}
		if len(c.In) > 0 && !outside { // the harness materializes etc/network only
			out = append(out, ngTree{"golden/" + c.Name, c.In})
		}
	}
	paths, _ := filepath.Glob(filepath.Join(repoRoot, "testdata", "dialects", "probes", "*.txtar"))
	for _, p := range paths {
		ar, err := txtar.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		for _, f := range ar.Files {
			if strings.HasPrefix(f.Name, "etc/") {
				files[f.Name] = f.Data
			}
		}
		out = append(out, ngTree{"probe/" + strings.TrimSuffix(filepath.Base(p), ".txtar"), files})
	}
	if dir, ok := testcases.CorpusDir(); ok {
		rel, err := testcases.CorpusFiles(dir, testcases.Interfaces)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rel {
			data, err := os.ReadFile(filepath.Join(dir, r))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, ngTree{"corpus/" + strings.ReplaceAll(r, "/", "__"), map[string][]byte{topFile: data}})
		}
	}
	return out
}

// TestDialectNGParser is the parser differential for ifupdown-ng 0.11.3: over the golden, probe
// and corpus trees, the real `ifparse -A` and `ifquery -L -a` against parser.IfupdownNG (with
// bringup.NGParsed for what ifparse prints): the parse fails exactly where ifparse's does, and
// otherwise every interface, its auto and template marks and every vars line are the same, in
// order, and the auto interfaces are those ifquery lists. A tree the parser refuses on purpose
// (a line ifacefix cannot edit as the program reads it) is counted, not compared.
func TestDialectNGParser(t *testing.T) {
	needDialect(t, dialectNG)
	host, _ := os.Hostname()
	trees := ngTrees(t)
	var compared, invalid, refused atomic.Int64
	t.Run("trees", func(t *testing.T) {
		for _, tr := range trees {
			t.Run(tr.name, func(t *testing.T) {
				t.Parallel()
				fsys := fstest.MapFS{}
				for n, d := range tr.files {
					fsys[n] = &fstest.MapFile{Data: d}
				}
				cfg, err := parser.Load(fsys, "/"+topFile, parser.Options{Dialect: parser.IfupdownNG, WorkDir: "/etc/network"})
				real, r := queryNG(t, tr.files)
				switch {
				case err != nil && strings.Contains(err.Error(), "ifacefix cannot"):
					refused.Add(1)
					return
				case r.code != 0 && err != nil:
					invalid.Add(1)
					return
				case r.code != 0 && strings.Contains(r.stderr, "could not validate dependency tree"):
					// An executor failed in its depend phase: ifup brings nothing up, and the
					// model must say the boot cannot be judged.
					if u := bringup.Simulate(cfg, bringup.Edits{}).BootUnknown; u == "" {
						t.Errorf("ifparse: %s; the model judges the boot", strings.TrimSpace(r.stderr))
					}
					return
				case r.code != 0:
					t.Fatalf("ifparse fails (exit %d: %s); the parser reads it", r.code, r.stderr)
				case err != nil:
					t.Fatalf("ifparse reads it; the parser fails: %v", err)
				}
				ours := bringup.NGParsed(cfg)
				var got, want []string
				for _, ni := range ours {
					got = append(got, ni.Header)
					got = append(got, ni.Lines...)
				}
				for _, i := range real {
					h := "iface " + i.Name
					if i.Template {
						h = "template " + i.Name
					}
					if i.Auto {
						h += " auto"
					}
					want = append(want, h)
					for _, o := range i.Options {
						if host != "" && o == "dhcp-hostname "+host {
							o = "dhcp-hostname HOSTNAME"
						}
						want = append(want, o)
					}
				}
				if strings.Contains(tr.name, "directory order") || dirOrder(tr.files) {
					slices.Sort(got)
					slices.Sort(want)
				}
				if !slices.Equal(got, want) {
					t.Errorf("ifparse -A:\n%s\nours:\n%s", strings.Join(want, "\n"), strings.Join(got, "\n"))
				}
				autos, lr := listNG(t, tr.files, true)
				var ourAuto []string
				for _, ni := range ours {
					if n, ok := strings.CutSuffix(ni.Header, " auto"); ok {
						ourAuto = append(ourAuto, n[strings.IndexByte(n, ' ')+1:])
					}
				}
				if lr.code != 0 || !slices.Equal(autos, ourAuto) {
					t.Errorf("ifquery -L -a (exit %d): %q; ours %q", lr.code, autos, ourAuto)
				}
				compared.Add(1)
			})
		}
	})
	t.Logf("ifupdown-ng parser differential: %d trees, %d compared, %d refused by both, %d refused by ifacefix on purpose",
		len(trees), compared.Load(), invalid.Load(), refused.Load())
	if compared.Load() == 0 {
		t.Errorf("no tree compared")
	}
}

// dirOrder reports whether the tree has a directory of several files that a source-directory
// line may read in readdir order (which ifacefix reads sorted).
func dirOrder(files map[string][]byte) bool {
	dirs := map[string]int{}
	for n := range files {
		dirs[filepath.Dir(n)]++
	}
	for d, c := range dirs {
		if d != "etc/network" && c > 1 {
			return true
		}
	}
	return false
}

// TestDialectNGLive is the bring-up differential and the live proof of the fix on ifupdown-ng
// 0.11.3: for the seed and every golden tree of ifupdown 0.8 and ifupdown-ng, read as
// ifupdown-ng reads it (those on eth0..ethN devices only),
// the real `ifup -a` in a namespace, before and after ifacefix's fix, gives exactly the default
// routes bringup's model says the boot gives and the exit status it implies (1 when an auto
// interface fails); after the fix it exits 0 (unless the model says an interface still fails,
// for a person), keeps one default route per family that had one, and every address of the
// interfaces brought up is on its device.
func TestDialectNGLive(t *testing.T) {
	needDialect(t, dialectNG)
	trees := []ngTree{{"seed", tree(seedConfig)}}
	strip := map[string]bool{}
	all, err := testcases.Golden(filepath.Join(repoRoot, "testdata", "golden"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range all {
		// Every golden tree, read as ifupdown-ng reads it, whatever its own dialect.
		outside := false
		for n := range c.In {
			outside = outside || !strings.HasPrefix(n, "etc/network/")
		}
		if len(c.In) > 0 && !outside && !(c.Dialect != "" && c.Dialect != parser.IfupdownNG.Name && os.Getenv("IFACEFIX_NG_ALL") == "") {
			trees = append(trees, ngTree{c.Name, c.In})
			strip[c.Name] = c.Flags["strip-route-commands"]
		}
	}
	load := func(files map[string][]byte) (*parser.Config, error) {
		fsys := fstest.MapFS{}
		for n, d := range files {
			fsys[n] = &fstest.MapFile{Data: d}
		}
		return parser.Load(fsys, "/"+topFile, parser.Options{Dialect: parser.IfupdownNG, WorkDir: "/etc/network"})
	}
	for _, tr := range trees {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := load(tr.files)
			if err != nil {
				t.Skipf("refused: %v", err)
			}
			veths, ok := ngVeths(cfg)
			if !ok {
				t.Skip("names a device other than eth0..ethN")
			}
			// The model takes a command known only at run time as succeeding and adding no
			// route it can see: its routes and exit status are not the model's to say.
			for _, st := range bringup.Simulate(cfg, bringup.Edits{}).Stanzas {
				if st.Unknown != "" && st.Phase == bringup.Boot {
					t.Skipf("runs what the model cannot know: %s", st.Unknown)
				}
				if st.Link != "" && st.Phase == bringup.Boot {
					t.Skipf("sets what only the host decides: %s", st.Link)
				}
				if st.OnFaith() != "" && st.Phase == bringup.Boot {
					t.Skipf("runs a command whose status only the host decides: %s", st.OnFaith())
				}
			}
			res := fixer.Fix(cfg, fixer.Options{StripRouteCommands: strip[tr.name]})
			fixed := maps.Clone(tr.files)
			for f, eds := range res.Edits() {
				out, err := f.Apply(eds)
				if err != nil {
					t.Fatal(err)
				}
				fixed[strings.TrimPrefix(f.Name, "/")] = out
			}
			cfg2, err := load(fixed)
			if err != nil {
				t.Fatalf("the fixed tree does not parse: %v", err)
			}
			before := ngCompare(t, "before", cfg, tr.files, veths)
			after := ngCompare(t, "after", cfg2, fixed, veths)
			// One default route per family it had, or more only where a finding is left for a
			// person (two routes the configuration asks for side by side, say).
			left := slices.ContainsFunc(res.Findings, func(f *fixer.Finding) bool { return !f.Fixed() && !f.Note })
			for fam, n := range before {
				if n > 0 && (after[fam] == 0 || after[fam] > 1 && !left) {
					t.Errorf("after the fix: %d %s default routes, want 1 (it had %d)", after[fam], fam, n)
				}
			}
			// By hand, every interface with lines of its own named on the command line: a tree
			// the fix leaves nothing in for a person exits 0 (unless the model has an
			// interface fail) and gives each device at most one default route per family, and
			// one in each family it had.
			var names []string
			fails := false
			for _, f := range res.Findings {
				fails = fails || !f.Fixed() && !f.Note
			}
			sim := bringup.Simulate(cfg2, bringup.Edits{})
			for _, it := range cfg2.Interfaces {
				if it.Name != "lo" && len(it.Stanzas) > 0 && !it.Template {
					names = append(names, it.Name)
					for _, st := range it.Stanzas {
						fails = fails || sim.Of(st).Phase != bringup.NotReached && !sim.Of(st).Up
					}
				}
			}
			if len(names) > 0 && !fails {
				r := bringUp(t, dialectNG, fixed, veths, names...)
				perDev := map[string]int{}
				for _, d := range append(slices.Clone(r.defaults4), r.defaults6...) {
					f := strings.Fields(d)
					if i := slices.Index(f, "dev"); i >= 0 && i+1 < len(f) {
						perDev[strconv.FormatBool(strings.Contains(d, ":"))+" "+f[i+1]]++
					}
				}
				many := false
				for _, n := range perDev {
					many = many || n > 1
				}
				if r.code != 0 || many || before["inet"] > 0 && len(r.defaults4) == 0 || before["inet6"] > 0 && len(r.defaults6) == 0 {
					t.Errorf("fixed, ifup %s: exit %d, default routes %q %q; want exit 0 and one per device and family", strings.Join(names, " "), r.code, r.defaults4, r.defaults6)
				}
			}
		})
	}
}

// ngCompare brings the tree up with the real ifup -a and compares the result with the model's;
// it returns the number of default routes per family.
func ngCompare(t *testing.T, label string, cfg *parser.Config, files map[string][]byte, veths int) map[string]int {
	t.Helper()
	sim := bringup.Simulate(cfg, bringup.Edits{})
	live := bringUp(t, dialectNG, files, veths, "-a")
	var want4, want6 []string
	for _, r := range sim.Boot {
		if !r.Main() {
			continue // ip route lists the main table
		}
		s := "default via " + r.Gateway + " dev " + r.Dev
		if r.Gateway == "" {
			s = "default dev " + r.Dev
			if r.Family == "inet" && r.Scope != "universe" {
				s += " scope link"
			}
		}
		if r.Metric != 0 {
			s += " metric " + strconv.FormatUint(uint64(r.Metric), 10)
		}
		if r.Family == "inet6" {
			want6 = append(want6, s)
		} else {
			want4 = append(want4, s)
		}
	}
	slices.Sort(want4)
	slices.Sort(want6)
	if !slices.Equal(live.defaults4, want4) || !slices.Equal(live.defaults6, want6) {
		t.Errorf("%s: ifup -a gives the default routes %q %q; the model %q %q", label, live.defaults4, live.defaults6, want4, want6)
	}
	code := 0
	for _, st := range sim.Stanzas {
		if st.Phase == bringup.Boot && !st.Up {
			code = 1
		}
	}
	if live.code != code {
		t.Errorf("%s: ifup -a exits %d; the model says %d\n%s", label, live.code, code, live.stderr)
	}
	if label == "after" && code != 0 {
		t.Logf("after the fix an interface still fails at boot (left for a person)")
	}
	// Every address of the interfaces up at boot is on its device.
	have := append(slices.Clone(live.addrs4), live.addrs6...)
	for _, ni := range bringup.NGParsed(cfg) {
		name := strings.Fields(ni.Header)[1]
		up := false
		for _, it := range cfg.Interfaces {
			for _, st := range it.Stanzas {
				if it.Name == name && sim.Of(st).Phase == bringup.Boot && sim.Of(st).Up {
					up = true
				}
			}
		}
		if !up {
			continue
		}
		dev, _, _ := strings.Cut(name, ":")
		for _, l := range ni.Lines {
			if a, ok := strings.CutPrefix(l, "address "); ok && strings.Contains(a, "/") && !slices.Contains(have, dev+" "+a) {
				t.Errorf("%s: %s's address %s is not on %s: %q", label, name, a, dev, have)
			}
		}
	}
	return map[string]int{"inet": len(live.defaults4), "inet6": len(live.defaults6)}
}

// ngVeths returns how many veth pairs (eth0..ethN-1) the configuration's interfaces need, and
// false when it names another device (lo aside).
func ngVeths(cfg *parser.Config) (int, bool) {
	n := 1
	for _, it := range cfg.Interfaces {
		dev, _, _ := strings.Cut(it.Name, ":")
		if dev == "lo" {
			continue
		}
		num, ok := strings.CutPrefix(dev, "eth")
		i, err := strconv.Atoi(num)
		if !ok || err != nil || i > 7 {
			return 0, false
		}
		n = max(n, i+1)
	}
	return n, true
}
