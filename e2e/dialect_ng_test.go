package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"github.com/rogpeppe/go-internal/txtar"

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
