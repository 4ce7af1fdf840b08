package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/ifacefix/ifacefix/internal/bringup"
	"github.com/ifacefix/ifacefix/internal/testcases"
	"github.com/ifacefix/ifacefix/parser"
	"golang.org/x/tools/txtar"
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
