// Package testcases holds test fixtures shared by the parser, fixer and e2e tests: the golden
// txtar cases and the shared corpus.
package testcases

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing/fstest"

	"github.com/rogpeppe/go-internal/txtar"
)

// Case is one golden case, testdata/golden/NAME.txtar (see testdata/golden/README.md).
type Case struct {
	Name    string // NAME
	Path    string // the .txtar file, as found under the directory given to Golden
	Archive *txtar.Archive
	Flags   map[string]bool   // the flag lines other than no-final-newline and dialect, e.g. strip-route-commands
	Dialect string            // the flag line "dialect NAME" (parser.DialectNamed), "" for ifupdown 0.8
	NoFinal map[string]bool   // section names whose data has no final newline
	In      map[string][]byte // the in/ files, no-final-newline applied, keyed without the in/ prefix
}

// Golden reads every *.txtar case in dir, sorted by file name. A directory without cases gives
// none and no error.
func Golden(dir string) ([]*Case, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.txtar"))
	if err != nil {
		return nil, err
	}
	var cases []*Case
	for _, p := range paths {
		ar, err := txtar.ParseFile(p)
		if err != nil {
			return nil, err
		}
		c := &Case{
			Name:    strings.TrimSuffix(filepath.Base(p), ".txtar"),
			Path:    p,
			Archive: ar,
			Flags:   map[string]bool{},
			NoFinal: map[string]bool{},
			In:      map[string][]byte{},
		}
		for _, f := range ar.Files {
			if f.Name != "flags" {
				continue
			}
			for _, l := range strings.Split(string(f.Data), "\n") {
				l = strings.TrimSpace(l)
				switch {
				case l == "":
				case strings.HasPrefix(l, "dialect "):
					c.Dialect = strings.TrimSpace(strings.TrimPrefix(l, "dialect "))
				case strings.HasPrefix(l, "no-final-newline "):
					c.NoFinal[strings.TrimSpace(strings.TrimPrefix(l, "no-final-newline "))] = true
				default:
					c.Flags[l] = true
				}
			}
		}
		for _, f := range ar.Files {
			if name, ok := strings.CutPrefix(f.Name, "in/"); ok {
				if c.In[name], err = c.Data(f); err != nil {
					return nil, err
				}
			}
		}
		cases = append(cases, c)
	}
	return cases, nil
}

// Data returns a section's bytes, without the final newline if the case's flags say so.
func (c *Case) Data(f txtar.File) ([]byte, error) {
	if !c.NoFinal[f.Name] {
		return f.Data, nil
	}
	if !bytes.HasSuffix(f.Data, []byte("\n")) {
		return nil, fmt.Errorf("%s: section %s flagged no-final-newline is empty or lacks the newline to trim", c.Path, f.Name)
	}
	return f.Data[:len(f.Data)-1], nil
}

// FS returns a new filesystem holding the case's in/ files (mode 0644), named like In.
func (c *Case) FS() fstest.MapFS {
	m := fstest.MapFS{}
	for n, d := range c.In {
		m[n] = &fstest.MapFile{Data: d, Mode: 0o644}
	}
	return m
}

// CorpusDir returns the absolute path of the shared corpus, ../shared/corpus beside the
// repository root (the nearest directory upward from the working directory holding go.mod), and
// whether it exists.
func CorpusDir() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", false
		}
		dir = up
	}
	corpus := filepath.Join(filepath.Dir(dir), "shared", "corpus")
	if fi, err := os.Stat(corpus); err != nil || !fi.IsDir() {
		return corpus, false
	}
	return corpus, true
}

// CorpusFiles lists the regular files under dir for which keep returns true, as sorted
// slash-separated paths relative to dir. A nil keep is Interfaces. An empty list is an error.
func CorpusFiles(dir string, keep func(rel string) bool) ([]string, error) {
	if keep == nil {
		keep = Interfaces
	}
	var rel []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		r, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		if r = filepath.ToSlash(r); keep(r) {
			rel = append(rel, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(rel)
	if len(rel) == 0 {
		return nil, errors.New("empty corpus at " + dir)
	}
	return rel, nil
}

// Interfaces selects the corpus's interfaces files: every file except the corpus's own
// SUMMARY.md and MANIFEST.tsv.
func Interfaces(rel string) bool { return rel != "SUMMARY.md" && rel != "MANIFEST.tsv" }

// InSubdirectory selects the files below a subdirectory of the corpus, leaving out every file at
// its top level.
func InSubdirectory(rel string) bool { return strings.Contains(rel, "/") }
