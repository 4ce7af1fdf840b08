package fixer_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ifacefix/ifacefix/fixer"
	"github.com/ifacefix/ifacefix/parser"
)

// reloadFunc parses the configuration again with the given files (absolute names) replaced.
type reloadFunc func(changed map[string][]byte) (*parser.Config, error)

type optKV struct{ name, value string }

func (o optKV) String() string { return fmt.Sprintf("%s=%q", o.name, o.value) }

// checkInvariants checks what must hold for every fix of every configuration:
//   - every edit of a finding is in the finding's file and is a whole-line removal of exactly one
//     option logical line of an iface stanza (the finding's own interface and line), or an
//     insertion at a logical line boundary by a keep-default-route finding; no two edits touch
//     the same lines; a finding that removes lines removes one option;
//   - findings that must be written together say so of each other (Joint is symmetric), and a
//     moved gateway is joint with the removals of its aliases' gateways;
//   - the fixed files parse again without error into the same stanzas (name, family, method, in
//     order), each with the same options minus the removed ones, plus a moved gateway (and metric) appended to
//     the primaries a fixed keep-default-route finding names;
//   - fixing the fixed configuration again proposes no edit.
func checkInvariants(t testing.TB, cfg *parser.Config, res *fixer.Result, opt fixer.Options, reload reloadFunc) {
	t.Helper()
	removedOpts := map[*parser.Opt]bool{}
	optAt := map[*parser.File]map[int]*parser.Opt{} // logical line index -> option
	for _, s := range cfg.Stanzas {
		if optAt[s.File] == nil {
			optAt[s.File] = map[int]*parser.Opt{}
		}
		for _, o := range s.Options {
			optAt[s.File][o.Line] = o
		}
	}
	lineAt := map[*parser.File]map[int]int{} // physical start -> logical index
	for _, f := range cfg.Files {
		lineAt[f] = map[int]int{}
		for i := range f.Lines {
			lineAt[f][f.Lines[i].Start] = i
		}
	}
	type rm struct {
		f     *parser.File
		start int
	}
	removedBy := map[rm]*fixer.Finding{}
	movedInto := map[*parser.Stanza]bool{}
	for _, fd := range res.Findings {
		if fd.Rule == "" {
			t.Errorf("finding without a rule: %s", formatFinding(fd))
		}
		for _, g := range fd.Joint {
			if !slices.Contains(g.Joint, fd) {
				t.Errorf("finding %s is joint with %s, but not the other way round", formatFinding(fd), formatFinding(g))
			}
		}
		removals := 0
		for _, e := range fd.Edits {
			f := fd.File
			li, ok := lineAt[f][e.Start]
			if !ok && e.Start != len(f.Phys) {
				t.Errorf("%s: edit %+v does not start at a logical line", f.Name, e)
				continue
			}
			if e.End == e.Start {
				if e.Text == "" || !strings.HasSuffix(e.Text, "\n") && !strings.HasPrefix(e.Text, "\n") && !strings.HasPrefix(e.Text, "\r\n") {
					t.Errorf("%s: insertion %+v is not whole lines", f.Name, e)
				}
				if fd.Rule != fixer.KeepDefaultRoute {
					t.Errorf("%s: insertion %+v by a %s finding", f.Name, e, fd.Rule)
				}
				for _, s := range cfg.Stanzas {
					if s.File == fd.File && s.Name == fd.Iface && s.Family == fd.Family {
						movedInto[s] = true
						break
					}
				}
				joined := false
				for _, g := range fd.Joint {
					joined = joined || g.Rule == fixer.AliasGateway && g.Removed() != ""
				}
				if !joined {
					t.Errorf("moved gateway %s is not joint with the removal of an alias gateway", formatFinding(fd))
				}
				continue
			}
			if fd.Rule == fixer.AutoOneName {
				// One auto line rewritten as one auto line per name, in order.
				l := &f.Lines[li]
				var names []string
				for _, x := range strings.SplitAfter(e.Text, "\n") {
					if x != "" {
						names = append(names, strings.TrimPrefix(strings.TrimSpace(x), l.Keyword+" "))
					}
				}
				var want []string
				for _, n := range strings.Fields(l.Rest) {
					if !slices.Contains(want, n) {
						want = append(want, n)
					}
				}
				if l.Kind != parser.Auto || l.End != e.End || strings.Join(names, " ") != strings.Join(want, " ") {
					t.Errorf("%s: edit %+v is not line %d (%q) split into one auto line per name", f.Name, e, e.Start+1, f.Text(l))
				}
				continue
			}
			if e.Text != "" {
				t.Errorf("%s: edit %+v rewrites lines instead of removing them", f.Name, e)
			}
			o := optAt[f][li]
			if o == nil || f.Lines[li].Kind != parser.Option {
				t.Errorf("%s: edit %+v removes line %d, which is not an iface option (%q)", f.Name, e, e.Start+1, f.Text(&f.Lines[li]))
				continue
			}
			if l := o.L(); l.End != e.End {
				t.Errorf("%s: edit %+v does not cover exactly the option's physical lines [%d,%d)", f.Name, e, l.Start, l.End)
			}
			if prev := removedBy[rm{f, e.Start}]; prev != nil {
				t.Errorf("removal of %s:%d made twice: %s and %s", f.Name, e.Start+1, formatFinding(prev), formatFinding(fd))
			}
			if fd.Line != e.Start+1 || o.Stanza.Name != fd.Iface || o.Stanza.Family != fd.Family {
				t.Errorf("finding at line %d of %s/%s removes line %d of %s/%s", fd.Line, fd.Iface, fd.Family, e.Start+1, o.Stanza.Name, o.Stanza.Family)
			}
			removedBy[rm{f, e.Start}] = fd
			removedOpts[o] = true
			removals++
		}
		if removals > 1 {
			t.Errorf("finding removes %d options: %s", removals, formatFinding(fd))
		}
	}
	changed := map[string][]byte{}
	for f, edits := range res.Edits() {
		out, err := f.Apply(edits)
		if err != nil {
			t.Fatalf("apply: %v", err)
		}
		changed[f.Name] = out
	}

	if len(changed) == 0 {
		return
	}
	cfg2, err := reload(changed)
	if err != nil {
		for n, d := range changed {
			t.Logf("fixed %s:\n%s", n, d)
		}
		t.Fatalf("the fixed configuration does not parse: %v", err)
	}
	if cfg.Dialect == parser.IfupdownNG {
		// An ifupdown-ng segment that an auto or source line began exists only while it has
		// lines: one whose every line goes is gone after the fix.
		keep := func(s *parser.Stanza, gone func(*parser.Opt) bool) bool {
			if s.HeaderLine().Kind == parser.Iface {
				return true
			}
			for _, o := range s.Options {
				if !gone(o) {
					return true
				}
			}
			return false
		}
		var ss []*parser.Stanza
		for _, s := range cfg.Stanzas {
			if keep(s, func(o *parser.Opt) bool { return removedOpts[o] }) {
				ss = append(ss, s)
			}
		}
		c := *cfg
		c.Stanzas = ss
		cfg = &c
	}
	if len(cfg2.Stanzas) != len(cfg.Stanzas) {
		t.Fatalf("fixed configuration has %d stanzas, want %d", len(cfg2.Stanzas), len(cfg.Stanzas))
	}
	for i, s := range cfg.Stanzas {
		s2 := cfg2.Stanzas[i]
		// The family as written: one inferred from the values (parser.Stanza.FamilyInferred)
		// goes with a removed gateway.
		written := func(s *parser.Stanza) string {
			if s.FamilyInferred {
				return ""
			}
			return s.Family
		}
		if s.Name != s2.Name || written(s) != written(s2) || s.Method != s2.Method || s.File.Name != s2.File.Name {
			t.Errorf("stanza %d: %s %s %s in %s became %s %s %s in %s", i, s.Name, s.Family, s.Method, s.File.Name,
				s2.Name, s2.Family, s2.Method, s2.File.Name)
			continue
		}
		var want []optKV
		for _, o := range s.Options {
			if !removedOpts[o] {
				want = append(want, optKV{o.Name, o.Value})
			}
		}
		var got []optKV
		for _, o := range s2.Options {
			got = append(got, optKV{o.Name, o.Value})
		}
		if movedInto[s] {
			// The moved gateway, then the alias's metric when the primary had none; before the
			// last option where that one ends the file without a newline (whole lines inserted).
			if n := len(s2.Options); n > 0 && len(want) > 0 && len(got) > len(want) {
				if l := s2.Options[n-1].L(); s2.File.EOL(l.End-1) == "" {
					moved := slices.Clone(got[len(want)-1 : len(got)-1])
					got = append(append(got[:len(want)-1:len(want)-1], got[len(got)-1]), moved...)
				}
			}
			extra := len(got) - len(want)
			if extra < 1 || extra > 2 || got[len(want)].name != "gateway" || extra == 2 && got[len(want)+1].name != "metric" {
				t.Errorf("stanza %d (%s %s): gateway (and metric) moved into it are not its new last options: %v", i, s.Name, s.Family, got)
				continue
			}
			mv := got[len(want)].value
			okv := false
			for o := range removedOpts {
				if (o.Name == "gateway" || o.Name == "gateway?") && o.Stanza.IsAlias() && o.Stanza.Base() == s.Name && (o.Stanza.Family == s.Family || cfg.Dialect == parser.IfupdownNG) && o.Value == mv {
					okv = true
				}
			}
			if !okv {
				t.Errorf("stanza %d (%s %s): moved gateway %q is none of its aliases' removed gateways", i, s.Name, s.Family, mv)
			}
			got = got[:len(want)]
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("stanza %d (%s %s) options after the fix:\n got %v\nwant %v", i, s.Name, s.Family, got, want)
		}
	}
	res2 := fixer.Fix(cfg2, opt)
	for f, e := range res2.Edits() {
		if len(e) > 0 {
			t.Errorf("fixing the fixed configuration again edits %s: %+v\nfindings:\n%s", f.Name, e, findingsText(res2))
		}
	}
}

func findingsText(r *fixer.Result) string {
	var b strings.Builder
	for _, f := range r.Findings {
		b.WriteString(formatFinding(f))
	}
	return b.String()
}
