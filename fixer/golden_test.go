package fixer_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/ifacefix/ifacefix/fixer"
	"github.com/ifacefix/ifacefix/internal/testcases"
	"github.com/ifacefix/ifacefix/parser"
)

var update = flag.Bool("update", false, "rewrite the out/, findings, warnings and error sections of testdata/golden/*.txtar")

// goldenDir holds the golden cases; see testdata/golden/README.md for the format.
var goldenDir = filepath.Join("..", "testdata", "golden")

// goldenCase is one golden case with the fixer's view of it.
type goldenCase struct{ *testcases.Case }

// loadGolden reads the golden cases; every flag must be known and every case must have an
// in/etc/network/interfaces section.
func loadGolden(t testing.TB) []goldenCase {
	t.Helper()
	all, err := testcases.Golden(goldenDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) == 0 {
		t.Fatalf("no golden cases in %s", goldenDir)
	}
	var cases []goldenCase
	for _, c := range all {
		for l := range c.Flags {
			if l != "strip-route-commands" {
				t.Fatalf("%s: unknown flag %q", c.Path, l)
			}
		}
		if c.Dialect != "" && parser.DialectNamed(c.Dialect) == nil {
			t.Fatalf("%s: unknown dialect %q", c.Path, c.Dialect)
		}
		if _, ok := c.In["etc/network/interfaces"]; !ok {
			t.Fatalf("%s: no in/etc/network/interfaces section", c.Path)
		}
		cases = append(cases, goldenCase{c})
	}
	return cases
}

// fsys is the filesystem the case is loaded from: the in/ files plus changed (absolute names).
func (c goldenCase) fsys(changed map[string][]byte) fstest.MapFS {
	m := c.FS()
	for n, d := range changed {
		m[strings.TrimPrefix(n, "/")] = &fstest.MapFile{Data: d, Mode: 0o644}
	}
	return m
}

// parseOptions are the parser options of the case: its dialect.
func (c goldenCase) parseOptions() parser.Options {
	return parser.Options{Dialect: parser.DialectNamed(c.Dialect)}
}

func (c goldenCase) options() fixer.Options {
	return fixer.Options{StripRouteCommands: c.Flags["strip-route-commands"]}
}

func formatFinding(f *fixer.Finding) string {
	name := "?"
	if f.File != nil {
		name = f.File.Name
	}
	state := "unfixed"
	switch {
	case f.Fixed():
		state = "fixed"
	case f.Note:
		state = "note"
	}
	s := fmt.Sprintf("%s:%d: %s: %s: %s", name, f.Line, f.Rule, state, f.Message)
	if r := f.Removed(); r != "" {
		s += fmt.Sprintf(" [removed %q]", r)
	}
	return s + "\n"
}

// result is what a case produces: the sections it must have besides in/ and flags.
func (c goldenCase) result(t testing.TB) (sections map[string][]byte, cfg *parser.Config, res *fixer.Result) {
	sections = map[string][]byte{}
	cfg, err := parser.Load(c.fsys(nil), "/etc/network/interfaces", c.parseOptions())
	if err != nil {
		sections["error"] = []byte(err.Error() + "\n")
		return sections, nil, nil
	}
	var w strings.Builder
	for _, x := range cfg.Warnings {
		fmt.Fprintf(&w, "%s: %s\n", x.Code, x.Error)
	}
	if w.Len() > 0 {
		sections["warnings"] = []byte(w.String())
	}
	res = fixer.Fix(cfg, c.options())
	var fs strings.Builder
	for _, f := range res.Findings {
		fs.WriteString(formatFinding(f))
	}
	if fs.Len() > 0 {
		sections["findings"] = []byte(fs.String())
	}
	for f, edits := range res.Edits() {
		if len(edits) == 0 {
			continue
		}
		out, err := f.Apply(edits)
		if err != nil {
			t.Fatalf("%s: %v", c.Path, err)
		}
		if string(out) == f.Data {
			t.Errorf("%s: edits of %s change nothing", c.Path, f.Name)
		}
		sections["out"+f.Name] = out
	}
	return sections, cfg, res
}

func TestGolden(t *testing.T) {
	cases := loadGolden(t)
	if len(cases) < 40 {
		t.Errorf("only %d golden cases, want at least 40", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			got, cfg, res := c.result(t)
			if *update {
				c.rewrite(t, got)
				return
			}
			want := map[string][]byte{}
			for _, f := range c.Archive.Files {
				if f.Name == "flags" || strings.HasPrefix(f.Name, "in/") {
					continue
				}
				if _, dup := want[f.Name]; dup {
					t.Errorf("duplicate section %s", f.Name)
				}
				d, err := c.Data(f)
				if err != nil {
					t.Fatal(err)
				}
				want[f.Name] = d
			}
			var names []string
			for n := range got {
				names = append(names, n)
			}
			for n := range want {
				if _, ok := got[n]; !ok {
					names = append(names, n)
				}
			}
			sort.Strings(names)
			for _, n := range names {
				g, gok := got[n]
				w, wok := want[n]
				switch {
				case !wok:
					t.Errorf("unexpected section %s:\n%s", n, g)
				case !gok:
					t.Errorf("missing section %s, want:\n%s", n, w)
				case !bytes.Equal(g, w):
					t.Errorf("section %s:\ngot:\n%q\nwant:\n%q", n, g, w)
				}
			}
			if cfg != nil {
				checkInvariants(t, cfg, res, c.options(), func(changed map[string][]byte) (*parser.Config, error) {
					return parser.Load(c.fsys(changed), "/etc/network/interfaces", c.parseOptions())
				})
			}
		})
	}
}

// rewrite replaces every section except the comment, flags and in/ files with got.
func (c goldenCase) rewrite(t *testing.T, got map[string][]byte) {
	ar := &txtar.Archive{Comment: c.Archive.Comment}
	var flags []string
	var ins []txtar.File
	for _, f := range c.Archive.Files {
		switch {
		case f.Name == "flags":
			for _, l := range strings.Split(string(f.Data), "\n") {
				if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "no-final-newline out/") {
					flags = append(flags, l)
				}
			}
		case strings.HasPrefix(f.Name, "in/"):
			ins = append(ins, f) // kept byte for byte
		}
	}
	var outs []string
	for n := range got {
		if strings.HasPrefix(n, "out/") {
			outs = append(outs, n)
		}
	}
	sort.Strings(outs)
	var outFiles []txtar.File
	for _, n := range outs {
		d := got[n]
		if len(d) > 0 && !bytes.HasSuffix(d, []byte("\n")) {
			flags = append(flags, "no-final-newline "+n)
			d = append(append([]byte(nil), d...), '\n')
		}
		outFiles = append(outFiles, txtar.File{Name: n, Data: d})
	}
	if len(flags) > 0 {
		ar.Files = append(ar.Files, txtar.File{Name: "flags", Data: []byte(strings.Join(flags, "\n") + "\n")})
	}
	ar.Files = append(ar.Files, ins...)
	ar.Files = append(ar.Files, outFiles...)
	for _, n := range []string{"error", "warnings", "findings"} {
		if d, ok := got[n]; ok {
			ar.Files = append(ar.Files, txtar.File{Name: n, Data: d})
		}
	}
	if err := os.WriteFile(c.Path, txtar.Format(ar), 0o644); err != nil {
		t.Fatal(err)
	}
}
