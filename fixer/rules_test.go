package fixer_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ifacefix/ifacefix/fixer"
	"github.com/ifacefix/ifacefix/internal/testcases"
	"github.com/ifacefix/ifacefix/parser"
)

// TestRegistry: every rule has an id, a one-line summary and an explanation; ids are unique; a
// rule's Requires name rules that run before it.
func TestRegistry(t *testing.T) {
	pos := map[string]int{}
	for i, r := range fixer.Rules {
		if _, dup := pos[r.ID]; dup {
			t.Errorf("rule %s registered twice", r.ID)
		}
		pos[r.ID] = i
		if r.Summary == "" || strings.Contains(r.Summary, "\n") || r.Doc == "" {
			t.Errorf("rule %s: summary %q, doc %d bytes: want one summary line and a doc", r.ID, r.Summary, len(r.Doc))
		}
		for _, q := range r.Requires {
			if j, ok := pos[q]; !ok || j >= i {
				t.Errorf("rule %s requires %s, which does not run before it", r.ID, q)
			}
		}
		if got, ok := fixer.Lookup(r.ID); !ok || got != r {
			t.Errorf("Lookup(%q) = %v, %v", r.ID, got, ok)
		}
	}
	if _, ok := fixer.Lookup("no-such-rule"); ok {
		t.Error("Lookup found an unregistered rule")
	}
}

// TestEmittedRulesRegistered runs every golden case and corpus file and checks that each finding
// names a registered rule, and that every registered rule is emitted by some golden case.
func TestEmittedRulesRegistered(t *testing.T) {
	emitted := map[string]bool{}
	check := func(name string, cfg *parser.Config) {
		for _, strip := range []bool{false, true} {
			for _, f := range fixer.Fix(cfg, fixer.Options{StripRouteCommands: strip}).Findings {
				if _, ok := fixer.Lookup(f.Rule); !ok {
					t.Errorf("%s: finding of unregistered rule %q: %s", name, f.Rule, f.Message)
				}
				emitted[f.Rule] = true
			}
		}
	}
	for _, c := range loadGolden(t) {
		if cfg, err := parser.Load(c.fsys(nil), "/etc/network/interfaces", c.parseOptions()); err == nil {
			check(c.Name, cfg)
		}
	}
	for _, r := range fixer.Rules {
		if !emitted[r.ID] {
			t.Errorf("rule %s is emitted by no golden case: add one", r.ID)
		}
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
			if cfg, err := parser.ParseBytes("/etc/network/interfaces", data, parser.Options{}); err == nil {
				check(r, cfg)
			}
		}
	}
}

// TestREADMERuleTable: the README's rule table lists exactly the registered rules, in order.
func TestREADMERuleTable(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(data), "### Rules\n")
	if !ok {
		t.Fatal("README.md has no ### Rules section")
	}
	var listed []string
	id := regexp.MustCompile("`([a-z0-9-]+)`")
	for _, l := range strings.Split(table, "\n") {
		if !strings.HasPrefix(l, "| `") {
			if len(listed) > 0 && !strings.HasPrefix(l, "|") {
				break // end of the table
			}
			continue
		}
		first, _, _ := strings.Cut(strings.TrimPrefix(l, "| "), " |")
		for _, m := range id.FindAllStringSubmatch(first, -1) {
			listed = append(listed, m[1])
		}
	}
	var want []string
	for _, r := range fixer.Rules {
		want = append(want, r.ID)
	}
	if !slices.Equal(listed, want) {
		t.Errorf("README rule table lists\n%q\nregistered rules are\n%q", listed, want)
	}
}
