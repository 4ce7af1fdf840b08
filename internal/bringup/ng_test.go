package bringup

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/ifacefix/ifacefix/parser"
)

// TestNGParsedProbes compares NGParsed (the parser's ifupdown-ng reading and ngRead's vars) with
// what the real ifparse -A printed for each probe tree (the "ifupdown-ng" sections of
// testdata/dialects/probes, recorded by e2e's TestDialectProbes): the parse fails exactly where
// ifparse's did, and every interface prints the same.
func TestNGParsedProbes(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("..", "..", "testdata", "dialects", "probes", "*.txtar"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no probes: %v", err)
	}
	for _, p := range paths {
		ar, err := txtar.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		fsys := fstest.MapFS{}
		want := ""
		for _, f := range ar.Files {
			switch {
			case f.Name == "ifupdown-ng":
				want = string(f.Data)
			case strings.HasPrefix(f.Name, "etc/"):
				fsys[f.Name] = &fstest.MapFile{Data: f.Data}
			}
		}
		name := strings.TrimSuffix(filepath.Base(p), ".txtar")
		t.Run(name, func(t *testing.T) {
			if want == "" {
				t.Skip("no ifupdown-ng section")
			}
			exit, rest, _ := strings.Cut(want, "\n")
			cfg, err := parser.Load(fsys, "/etc/network/interfaces", parser.Options{Dialect: parser.IfupdownNG, WorkDir: "/etc/network"})
			if exit == "exit 1" {
				if err == nil {
					t.Fatalf("ifparse could not parse it; the parser read it")
				}
				return
			}
			if err != nil && strings.Contains(err.Error(), "ifacefix cannot") {
				t.Skipf("refused on purpose: %v", err)
			}
			if err != nil {
				t.Fatalf("ifparse read it; the parser: %v", err)
			}
			var b strings.Builder
			for _, ni := range NGParsed(cfg) {
				b.WriteString(ni.Header + "\n")
				for _, l := range ni.Lines {
					fmt.Fprintf(&b, "  %q\n", l)
				}
			}
			var keep []string
			for _, l := range strings.SplitAfter(rest, "\n") {
				if !strings.HasPrefix(l, "! ") && l != "" {
					keep = append(keep, l)
				}
			}
			got, exp := b.String(), strings.Join(keep, "")
			if strings.Contains(string(ar.Comment), "directory order") {
				got, exp = sortedBlocks(got), sortedBlocks(exp)
			}
			if got != exp {
				t.Errorf("got:\n%s\nifparse -A printed:\n%s", got, exp)
			}
		})
	}
}

// sortedBlocks sorts the interface blocks of a rendering (for trees read in directory order).
func sortedBlocks(s string) string {
	var blocks []string
	for _, l := range strings.SplitAfter(s, "\n") {
		if !strings.HasPrefix(l, " ") || len(blocks) == 0 {
			blocks = append(blocks, l)
			continue
		}
		blocks[len(blocks)-1] += l
	}
	sort.Strings(blocks)
	return strings.Join(slices.Compact(blocks), "")
}
