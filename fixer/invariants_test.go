package fixer_test

import (
	"fmt"
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
//   - every edit is a whole-line removal of exactly one option logical line of an iface stanza, or
//     an insertion at a logical line boundary; every removal is reported by exactly one fixed
//     finding whose Removed is the exact bytes removed;
//   - the fixed files parse again without error into the same stanzas (name, family, method, in
//     order), each with the same options minus the removed ones, plus a moved gateway appended to
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
	type rm struct {
		f     *parser.File
		start int
	}
	removals := map[rm]*parser.Opt{}
	changed := map[string][]byte{}
	for f, edits := range res.Edits {
		if len(edits) == 0 {
			continue
		}
		lineAt := map[int]int{} // physical start -> logical index
		for i := range f.Lines {
			lineAt[f.Lines[i].Start] = i
		}
		for _, e := range edits {
			li, ok := lineAt[e.Start]
			if !ok && e.Start != len(f.Phys) {
				t.Errorf("%s: edit %+v does not start at a logical line", f.Name, e)
				continue
			}
			if e.End == e.Start {
				if e.Text == "" || !strings.HasSuffix(e.Text, "\n") && !strings.HasPrefix(e.Text, "\n") && !strings.HasPrefix(e.Text, "\r\n") {
					t.Errorf("%s: insertion %+v is not whole lines", f.Name, e)
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
			removals[rm{f, e.Start}] = o
			removedOpts[o] = true
		}
		out, err := f.Apply(edits)
		if err != nil {
			t.Fatalf("apply: %v", err)
		}
		changed[f.Name] = out
	}

	// Every removal is reported exactly once, with the exact bytes.
	reported := map[rm]bool{}
	movedInto := map[*parser.Stanza]bool{}
	for _, fd := range res.Findings {
		if fd.Fixed && fd.Rule == fixer.KeepDefaultRoute {
			for _, s := range cfg.Stanzas {
				if s.File == fd.File && s.Name == fd.Iface && s.Family == fd.Family {
					movedInto[s] = true
					break
				}
			}
			continue
		}
		if fd.Removed == "" {
			if fd.Fixed {
				t.Errorf("fixed finding without removal: %s", formatFinding(fd))
			}
			continue
		}
		if !fd.Fixed {
			t.Errorf("unfixed finding with a removal: %s", formatFinding(fd))
		}
		k := rm{fd.File, fd.Line - 1}
		o, ok := removals[k]
		switch {
		case !ok:
			t.Errorf("finding reports a removal that no edit makes: %s", formatFinding(fd))
		case reported[k]:
			t.Errorf("removal reported twice: %s", formatFinding(fd))
		case fd.File.Text(o.L()) != fd.Removed:
			t.Errorf("finding's Removed %q is not the removed text %q", fd.Removed, fd.File.Text(o.L()))
		case o.Stanza.Name != fd.Iface || o.Stanza.Family != fd.Family:
			t.Errorf("finding names %s/%s, option is in %s/%s", fd.Iface, fd.Family, o.Stanza.Name, o.Stanza.Family)
		}
		reported[k] = true
	}
	for k, o := range removals {
		if !reported[k] {
			t.Errorf("%s:%d: removal of %s %q is not reported", k.f.Name, k.start+1, o.Name, o.Value)
		}
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
	if len(cfg2.Stanzas) != len(cfg.Stanzas) {
		t.Fatalf("fixed configuration has %d stanzas, want %d", len(cfg2.Stanzas), len(cfg.Stanzas))
	}
	for i, s := range cfg.Stanzas {
		s2 := cfg2.Stanzas[i]
		if s.Name != s2.Name || s.Family != s2.Family || s.Method != s2.Method || s.File.Name != s2.File.Name {
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
			if len(got) != len(want)+1 || got[len(got)-1].name != "gateway" {
				t.Errorf("stanza %d (%s %s): gateway moved into it is not its new last option: %v", i, s.Name, s.Family, got)
				continue
			}
			mv := got[len(got)-1].value
			okv := false
			for o := range removedOpts {
				if o.Name == "gateway" && o.Stanza.IsAlias() && o.Stanza.Base() == s.Name && o.Stanza.Family == s.Family && o.Value == mv {
					okv = true
				}
			}
			if !okv {
				t.Errorf("stanza %d (%s %s): moved gateway %q is none of its aliases' removed gateways", i, s.Name, s.Family, mv)
			}
			got = got[:len(got)-1]
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("stanza %d (%s %s) options after the fix:\n got %v\nwant %v", i, s.Name, s.Family, got, want)
		}
	}
	res2 := fixer.Fix(cfg2, opt)
	for f, e := range res2.Edits {
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
