package fixer_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ifacefix/ifacefix/fixer"
	"github.com/ifacefix/ifacefix/internal/testcases"
	"github.com/ifacefix/ifacefix/parser"
)

// overlayFS serves the files in over (fs.FS names) and everything else from base.
type overlayFS struct {
	base fs.FS
	over fstest.MapFS
}

func (o overlayFS) Open(name string) (fs.File, error) {
	if _, ok := o.over[name]; ok {
		return o.over.Open(name)
	}
	return o.base.Open(name)
}

func overlay(base fs.FS, changed map[string][]byte) fs.FS {
	m := fstest.MapFS{}
	for n, d := range changed {
		m[strings.TrimPrefix(n, "/")] = &fstest.MapFile{Data: d, Mode: 0o644}
	}
	return overlayFS{base, m}
}

// TestInvariantsCorpus runs the fixer invariants on every corpus file that ifupdown accepts, with
// and without StripRouteCommands. Files are loaded from / like ifquery does.
func TestInvariantsCorpus(t *testing.T) {
	dir, ok := testcases.CorpusDir()
	if !ok {
		t.Skipf("no corpus at %s", dir)
	}
	rel, err := testcases.CorpusFiles(dir, testcases.InSubdirectory)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, r := range rel {
		files = append(files, filepath.Join(dir, r))
	}
	root := os.DirFS("/")
	checked, fixed, findings := 0, 0, 0
	for _, abs := range files {
		name := filepath.ToSlash(abs)
		cfg, err := parser.Load(root, name, parser.Options{})
		if err != nil {
			continue
		}
		checked++
		for _, strip := range []bool{false, true} {
			opt := fixer.Options{StripRouteCommands: strip}
			res := fixer.Fix(cfg, opt)
			if strip {
				findings += len(res.Findings)
				if len(res.Edits()) > 0 {
					fixed++
				}
			}
			t.Run(strings.TrimPrefix(name, dir+"/"), func(t *testing.T) {
				checkInvariants(t, cfg, res, opt, func(changed map[string][]byte) (*parser.Config, error) {
					return parser.Load(overlay(root, changed), name, parser.Options{})
				})
			})
		}
	}
	if checked == 0 {
		t.Fatal("no corpus file parses")
	}
	t.Logf("%d of %d corpus files parse; %d get edits, %d findings (with strip-route-commands)", checked, len(files), fixed, findings)
}
