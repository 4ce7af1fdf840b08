// Package fixer finds gateway misconfigurations in a parsed ifupdown configuration. Each rule is
// a [Rule] value in [Rules]; [Fix] runs them in that order and returns [Finding]s, each carrying
// the whole-line edits that fix it (made with the parser's edit helpers). It never reads or
// writes a file.
package fixer

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ifacefix/ifacefix/parser"
)

// Options select optional fixes.
type Options struct {
	// StripRouteCommands removes default-route up/down commands from alias stanzas (rule
	// alias-route-command); without it they are only reported.
	StripRouteCommands bool
}

// Finding is one problem found, with the edits that fix it, if any.
type Finding struct {
	Rule    string // the id of a rule in Rules
	File    *parser.File
	Line    int // 1-based physical line; 0 when the finding is about no line
	Iface   string
	Family  string
	Message string
	// Action is the end of Message that says what the edits do ("removed", "moved gateway
	// 192.0.2.1 into it"), so that a caller that does not write them can say so instead.
	Action string
	// Edits fix the finding; they are all in File. None when the finding is left for a person.
	Edits []parser.Edit
	// Joint lists the other findings whose edits only make sense together with this one's (a
	// gateway removed from an alias and moved into its primary): all are written or none.
	Joint []*Finding
	// Note: the finding only says what happens (its rule is a note); it never needs attention.
	Note bool
}

// Fixed reports whether the finding comes with edits that fix it.
func (f *Finding) Fixed() bool { return len(f.Edits) > 0 }

// Removed returns the exact bytes the finding's edits remove.
func (f *Finding) Removed() string {
	var b strings.Builder
	for _, e := range f.Edits {
		for _, p := range f.File.Phys[e.Start:e.End] {
			b.WriteString(p)
		}
	}
	return b.String()
}

// Result is what Fix proposes: the findings in file order (the configuration's reading order,
// then line).
type Result struct {
	Findings []*Finding
}

// Edits returns every finding's edits, by file.
func (r *Result) Edits() map[*parser.File][]parser.Edit {
	m := map[*parser.File][]parser.Edit{}
	for _, f := range r.Findings {
		if len(f.Edits) > 0 {
			m[f.File] = append(m[f.File], f.Edits...)
		}
	}
	return m
}

// pass is the state shared by the rules of one Fix: the configuration, the options, and what
// earlier rules decided.
type pass struct {
	cfg      *parser.Config
	opt      Options
	rule     *Rule // the rule running
	findings []*Finding
	removed  map[*parser.Opt]*Finding       // options removed, by the finding that removes them
	moved    map[*parser.Stanza]*parser.Opt // primary -> the gateway moved into it
	m        *model
}

// model returns the route model of the configuration, computed once.
func (p *pass) model() *model {
	if p.m == nil {
		p.m = newModel(p.cfg, p.opt)
	}
	return p.m
}

// Fix runs every rule of Rules, in order, on cfg.
func Fix(cfg *parser.Config, opt Options) *Result {
	p := &pass{cfg: cfg, opt: opt, removed: map[*parser.Opt]*Finding{}, moved: map[*parser.Stanza]*parser.Opt{}}
	for _, r := range Rules {
		p.rule = r
		r.run(p)
	}
	switch {
	case slices.ContainsFunc(cfg.Warnings, func(w parser.Warning) bool { return w.Code == IncludeTwice }):
		// The program reads a file twice and the model once: the second reading's stanzas run
		// again (a repeated address fails and stops its interface before a later stanza, one a
		// gateway may be moved into; a stanza may inherit what the first reading defined), so
		// what the program builds is not what was checked, and nothing is changed.
		p.leaveAll("a file is read twice (include-twice), so what the program builds is not what was checked; include each file once, then run again")
	case slices.ContainsFunc(p.findings, func(f *Finding) bool { return f.Rule == MappingScript }):
		// The model brings each stanza up on its own name; a mapping's script may configure an
		// interface with any stanza (a gateway of eth0:1 on eth1).
		p.leaveAll("that is what happens where each stanza configures the interface of its own name, but a mapping's script chooses at run time which stanza configures which interface (mapping-script), so what the program builds is not what was checked")
	}
	order := map[*parser.File]int{}
	for i, f := range cfg.Files {
		order[f] = i
	}
	slices.SortStableFunc(p.findings, func(a, b *Finding) int {
		if a.File != b.File {
			return order[a.File] - order[b.File]
		}
		return a.Line - b.Line
	})
	return &Result{Findings: p.findings}
}

// leaveAll turns every fix into a finding for a person, saying why.
func (p *pass) leaveAll(why string) {
	for _, f := range p.findings {
		if f.Fixed() {
			f.Message = strings.TrimSuffix(strings.TrimSuffix(f.Message, f.Action), ": ") + "; left as is: " + why
			f.Edits, f.Joint, f.Action = nil, nil, ""
		}
	}
}

// report adds a finding of the running rule about stanza s.
func (p *pass) report(s *parser.Stanza, line int, edits []parser.Edit, format string, args ...any) *Finding {
	f := &Finding{Rule: p.rule.ID, File: s.File, Line: line, Iface: s.Name, Family: s.Family,
		Message: fmt.Sprintf(format, args...), Edits: edits, Note: p.rule.Note}
	p.findings = append(p.findings, f)
	return f
}

// remove reports the removal of option o (every physical line of its logical line). An option
// already removed by an earlier finding is not removed twice; that finding is returned.
func (p *pass) remove(o *parser.Opt, format string, args ...any) *Finding {
	if f := p.removed[o]; f != nil {
		return f
	}
	e, err := o.Stanza.File.RemoveOption(o)
	if err != nil {
		panic("fixer: a removal the model planned is unsafe: " + err.Error()) // model.remove checks it
	}
	f := p.report(o.Stanza, o.L().Pos(), []parser.Edit{e}, format, args...)
	p.removed[o] = f
	return f
}

// joint marks findings as written together or not at all.
func joint(fs ...*Finding) {
	for _, f := range fs {
		for _, g := range fs {
			if f != g && !slices.Contains(f.Joint, g) {
				f.Joint = append(f.Joint, g)
			}
		}
	}
}

func ipFamily(s *parser.Stanza) bool { return s.Family == "inet" || s.Family == "inet6" }

func gateways(opts []*parser.Opt) []*parser.Opt {
	var g []*parser.Opt
	for _, o := range opts {
		if o.Name == "gateway" { // only the exact lowercase keyword: ifupdown is case-sensitive
			g = append(g, o)
		}
	}
	return g
}

func where(o *parser.Opt) string {
	return fmt.Sprintf("%s:%d", o.Stanza.File.Path, o.L().Pos())
}

// key is an interface name and address family.
type key struct{ name, family string }
