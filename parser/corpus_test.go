package parser

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ifacefix/ifacefix/internal/testcases"
)

var recordVerdicts = flag.Bool("record-verdicts", false, "run the real ifquery over the corpus and rewrite ../testdata/corpus-verdicts.txt")

var (
	goldenDir    = filepath.Join("..", "testdata", "golden")
	verdictsFile = filepath.Join("..", "testdata", "corpus-verdicts.txt")
)

// corpusDir returns the absolute path of the shared corpus, or skips the test.
func corpusDir(t testing.TB) string {
	t.Helper()
	dir, ok := testcases.CorpusDir()
	if !ok {
		t.Skipf("no corpus at %s", dir)
	}
	return dir
}

// corpusFiles lists the corpus's interfaces files (relative slash paths, sorted).
func corpusFiles(t testing.TB, dir string) []string {
	t.Helper()
	rel, err := testcases.CorpusFiles(dir, testcases.Interfaces)
	if err != nil {
		t.Fatal(err)
	}
	return rel
}

// goldenInput is one in/ file of a golden case.
type goldenInput struct {
	caseName, name string // name: absolute path inside the case's tree
	data           []byte
}

// goldenInputs reads the in/ files of every golden case, in archive order, with the
// no-final-newline convention applied; trees maps each case to its files.
func goldenInputs(t testing.TB) (inputs []goldenInput, trees map[string]fstest.MapFS) {
	t.Helper()
	cases, err := testcases.Golden(goldenDir)
	if err != nil || len(cases) == 0 {
		t.Fatalf("no golden cases in %s (%v)", goldenDir, err)
	}
	trees = map[string]fstest.MapFS{}
	for _, c := range cases {
		for _, f := range c.Archive.Files {
			if name, ok := strings.CutPrefix(f.Name, "in/"); ok {
				inputs = append(inputs, goldenInput{c.Name, "/" + name, c.In[name]})
			}
		}
		trees[c.Name] = c.FS()
	}
	return inputs, trees
}

// checkLossless checks the lossless model on any bytes, valid or not: the physical lines join back
// to the data, and the logical lines cover every physical line once, in order.
func checkLossless(t testing.TB, name string, data []byte) {
	t.Helper()
	phys := splitLines(string(data))
	if got := strings.Join(phys, ""); got != string(data) {
		t.Fatalf("%s: physical lines do not join back to the data", name)
	}
	for i, p := range phys {
		if j := strings.IndexByte(p, '\n'); j >= 0 && j != len(p)-1 || p == "" || i < len(phys)-1 && !strings.HasSuffix(p, "\n") {
			t.Fatalf("%s: bad physical line %d: %q", name, i, p)
		}
	}
	at := 0
	for _, l := range logicalLines(phys) {
		if l.start != at || l.end <= l.start {
			t.Fatalf("%s: logical line [%d,%d) does not follow line %d", name, l.start, l.end, at)
		}
		at = l.end
	}
	if at != len(phys) {
		t.Fatalf("%s: logical lines end at %d of %d physical lines", name, at, len(phys))
	}
}

// checkRoundTrip checks a parsed configuration prints back byte for byte.
func checkRoundTrip(t testing.TB, cfg *Config, want map[string][]byte) {
	t.Helper()
	for _, f := range cfg.Files {
		if got := strings.Join(f.Phys, ""); got != f.Data {
			t.Errorf("%s: Data != strings.Join(Phys, \"\")", f.Name)
		}
		out, err := f.Apply(nil)
		if err != nil {
			t.Errorf("%s: Apply(nil): %v", f.Name, err)
			continue
		}
		if w, ok := want[f.Name]; ok && !bytes.Equal(out, w) {
			t.Errorf("%s: Apply(nil) is not the input:\n got %q\nwant %q", f.Name, out, w)
		} else if !ok && string(out) != f.Data {
			t.Errorf("%s: Apply(nil) is not the data read", f.Name)
		}
		covered := 0
		for _, l := range f.Lines {
			if l.Start != covered {
				t.Errorf("%s: logical lines do not cover physical line %d", f.Name, covered)
				break
			}
			covered = l.End
		}
		if covered != len(f.Phys) {
			t.Errorf("%s: logical lines cover %d of %d physical lines", f.Name, covered, len(f.Phys))
		}
	}
}

func TestRoundTripGolden(t *testing.T) {
	inputs, trees := goldenInputs(t)
	for _, in := range inputs {
		checkLossless(t, in.caseName+in.name, in.data)
		cfg, err := ParseBytes(in.name, in.data, Options{})
		if err != nil {
			if strings.Contains(err.Error(), "internal error") {
				t.Errorf("%s %s: %v", in.caseName, in.name, err)
			}
			continue
		}
		checkRoundTrip(t, cfg, map[string][]byte{in.name: in.data})
	}
	for c, tree := range trees {
		cfg, err := Load(tree, "/etc/network/interfaces", Options{})
		if err != nil {
			continue // the error cases; their message is checked by the golden test
		}
		want := map[string][]byte{}
		for n, f := range tree {
			want["/"+n] = f.Data
		}
		for _, f := range cfg.Files {
			if _, ok := want[f.Name]; !ok {
				t.Errorf("%s: loaded %s, which is not in the tree", c, f.Name)
			}
		}
		checkRoundTrip(t, cfg, want)
	}
}

func TestRoundTripCorpus(t *testing.T) {
	dir := corpusDir(t)
	files := corpusFiles(t, dir)
	parsed := 0
	for _, rel := range files {
		abs := filepath.ToSlash(filepath.Join(dir, rel))
		data, err := os.ReadFile(abs)
		if err != nil {
			t.Fatal(err)
		}
		checkLossless(t, rel, data)
		cfg, err := ParseBytes(abs, data, Options{})
		if err == nil {
			parsed++
			checkRoundTrip(t, cfg, map[string][]byte{abs: data})
		} else if strings.Contains(err.Error(), "internal error") {
			t.Errorf("%s: %v", rel, err)
		}
		if cfg, err := Load(os.DirFS("/"), abs, Options{}); err == nil {
			checkRoundTrip(t, cfg, map[string][]byte{abs: data})
		}
	}
	t.Logf("%d corpus files, %d parse on their own", len(files), parsed)
}

// ifqueryVerdict runs the real ifupdown over one file: "ok" or "error\tMESSAGE" where MESSAGE is
// ifquery's first error line without its "ifquery: " prefix and with the corpus directory cut
// from paths.
func ifqueryVerdict(t *testing.T, dir, abs string) string {
	st := t.TempDir()
	cmd := exec.Command("ifquery", "-i", abs, "--state-dir="+st, "--no-mappings", "-l")
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"}
	cmd.Dir = "/"
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("ifquery: %v", err)
	}
	// A fatal parse error is the line just before "couldn't read interfaces file"; anything else
	// (warnings, "unknown interface X" for an auto name without a stanza) is not a parse verdict.
	lines := strings.Split(stderr.String(), "\n")
	fatal := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "ifquery: couldn't read interfaces file") {
			fatal = i
			break
		}
	}
	if fatal < 0 {
		return "ok"
	}
	if err == nil {
		t.Fatalf("ifquery exited 0 after a fatal error: %s", stderr.String())
	}
	msg := "couldn't read interfaces file"
	if fatal > 0 {
		msg = strings.TrimPrefix(lines[fatal-1], "ifquery: ")
	}
	return "error\t" + strings.ReplaceAll(msg, dir+"/", "")
}

// ourVerdict is the same verdict from Load, with paths shown relative to the corpus.
func ourVerdict(dir, abs string) string {
	_, err := Load(os.DirFS("/"), abs, Options{WorkDir: "/", Display: func(n string) string {
		return strings.TrimPrefix(n, dir+"/")
	}})
	if err != nil {
		return "error\t" + err.Error()
	}
	return "ok"
}

// TestCorpusVerdicts compares our verdict and error message on every corpus file with ifupdown's,
// recorded in testdata/corpus-verdicts.txt (-record-verdicts reruns ifquery to rewrite it).
func TestCorpusVerdicts(t *testing.T) {
	dir := corpusDir(t)
	files := corpusFiles(t, dir)
	if *recordVerdicts {
		if _, err := exec.LookPath("ifquery"); err != nil {
			t.Fatalf("-record-verdicts needs ifupdown's ifquery: %v", err)
		}
		var b strings.Builder
		for _, rel := range files {
			fmt.Fprintf(&b, "%s\t%s\n", rel, ifqueryVerdict(t, dir, filepath.Join(dir, rel)))
		}
		if err := os.WriteFile(verdictsFile, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(verdictsFile)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	var order []string
	for _, l := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		rel, v, ok := strings.Cut(l, "\t")
		if !ok {
			t.Fatalf("%s: bad line %q", verdictsFile, l)
		}
		want[rel] = v
		order = append(order, rel)
	}
	if !sort.StringsAreSorted(order) {
		t.Errorf("%s is not sorted", verdictsFile)
	}
	if len(want) != len(files) {
		t.Errorf("%s has %d files, the corpus %d: rerun with -record-verdicts", verdictsFile, len(want), len(files))
	}
	errs := 0
	for _, rel := range files {
		w, ok := want[rel]
		if !ok {
			t.Errorf("%s: no recorded verdict", rel)
			continue
		}
		if strings.HasPrefix(w, "error") {
			errs++
		}
		if got := ourVerdict(dir, filepath.Join(dir, rel)); got != w {
			t.Errorf("%s:\n got %q\nwant %q (ifquery)", rel, got, w)
		}
	}
	t.Logf("%d corpus files, %d rejected by ifupdown", len(files), errs)
}
