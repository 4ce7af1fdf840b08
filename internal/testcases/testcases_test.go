package testcases

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestGolden(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("b.txtar", "comment\n-- flags --\nstrip-route-commands\n  no-final-newline  in/etc/x \n-- in/etc/x --\nab\n-- in/y --\nc\n")
	write("a.txtar", "-- out/z --\nz\n")
	cases, err := Golden(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 2 || cases[0].Name != "a" || cases[1].Name != "b" || cases[1].Path != filepath.Join(dir, "b.txtar") {
		t.Fatalf("cases %+v", cases)
	}
	c := cases[1]
	if !reflect.DeepEqual(c.Flags, map[string]bool{"strip-route-commands": true}) || !reflect.DeepEqual(c.NoFinal, map[string]bool{"in/etc/x": true}) {
		t.Errorf("flags %v, no-final %v", c.Flags, c.NoFinal)
	}
	if !reflect.DeepEqual(c.In, map[string][]byte{"etc/x": []byte("ab"), "y": []byte("c\n")}) {
		t.Errorf("in %q", c.In)
	}
	if fs := c.FS(); len(fs) != 2 || string(fs["etc/x"].Data) != "ab" || fs["y"].Mode != 0o644 {
		t.Errorf("FS %v", fs)
	}
	if len(cases[0].In) != 0 {
		t.Errorf("a: in %q", cases[0].In)
	}

	write("c.txtar", "-- flags --\nno-final-newline in/e\n-- in/e --\n")
	if _, err := Golden(dir); err == nil || !strings.Contains(err.Error(), "section in/e flagged no-final-newline is empty") {
		t.Errorf("empty no-final-newline section: %v", err)
	}
}

func TestCorpus(t *testing.T) {
	top := t.TempDir()
	repo := filepath.Join(top, "repo")
	corpus := filepath.Join(top, "shared", "corpus")
	for _, d := range []string{filepath.Join(repo, "pkg"), filepath.Join(corpus, "p", "q")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{filepath.Join(repo, "go.mod"), filepath.Join(corpus, "SUMMARY.md"), filepath.Join(corpus, "MANIFEST.tsv"), filepath.Join(corpus, "top"), filepath.Join(corpus, "p", "q", "b"), filepath.Join(corpus, "p", "a")} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(filepath.Join(repo, "pkg"))
	dir, ok := CorpusDir()
	if !ok || dir != corpus {
		t.Fatalf("CorpusDir() = %q, %v; want %q", dir, ok, corpus)
	}
	for _, tc := range []struct {
		keep func(string) bool
		want []string
	}{
		{nil, []string{"p/a", "p/q/b", "top"}},
		{Interfaces, []string{"p/a", "p/q/b", "top"}},
		{InSubdirectory, []string{"p/a", "p/q/b"}},
	} {
		got, err := CorpusFiles(dir, tc.keep)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("CorpusFiles = %q, %v; want %q", got, err, tc.want)
		}
	}
	if _, err := CorpusFiles(dir, func(string) bool { return false }); err == nil {
		t.Error("an empty selection is no error")
	}
	if err := os.RemoveAll(filepath.Join(top, "shared")); err != nil {
		t.Fatal(err)
	}
	if dir, ok := CorpusDir(); ok || dir != corpus {
		t.Errorf("without the corpus: CorpusDir() = %q, %v", dir, ok)
	}
}
