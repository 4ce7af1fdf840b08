// Package fixer finds gateway misconfigurations in a parsed ifupdown configuration and returns the
// whole-line edits that fix them, with a finding for each. It never reads or writes a file.
package fixer

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ifacefix/ifacefix/parser"
)

// Options select optional fixes.
type Options struct {
	// StripRouteCommands removes default-route up/down commands from alias stanzas (rule
	// alias-route-command); without it they are only reported.
	StripRouteCommands bool
}

// Finding is one problem found, fixed or not.
type Finding struct {
	File    *parser.File
	Line    int // 1-based physical line
	Iface   string
	Family  string
	Rule    string
	Message string
	Fixed   bool
	Removed string // the exact bytes removed, if any
}

// Result is what Fix proposes.
type Result struct {
	Edits    map[*parser.File][]parser.Edit
	Findings []Finding
}

// NeedsAttention reports whether a finding remains that the edits do not fix.
func (r *Result) NeedsAttention() bool {
	for _, f := range r.Findings {
		if !f.Fixed {
			return true
		}
	}
	return false
}

type fixer struct {
	cfg     *parser.Config
	opt     Options
	res     *Result
	removed map[*parser.Opt]bool
	moved   map[*parser.Stanza]*parser.Opt // primary -> gateway moved into it
}

// Fix applies every rule to cfg.
func Fix(cfg *parser.Config, opt Options) *Result {
	x := &fixer{cfg: cfg, opt: opt, res: &Result{Edits: map[*parser.File][]parser.Edit{}},
		removed: map[*parser.Opt]bool{}, moved: map[*parser.Stanza]*parser.Opt{}}
	x.warnings()
	x.duplicateGateways()
	x.aliasGateways()
	x.routeCommands()
	x.inherited()
	x.competing()
	order := map[*parser.File]int{}
	for i, f := range cfg.Files {
		order[f] = i
	}
	sort.SliceStable(x.res.Findings, func(i, j int) bool {
		a, b := x.res.Findings[i], x.res.Findings[j]
		if a.File != b.File {
			return order[a.File] < order[b.File]
		}
		return a.Line < b.Line
	})
	return x.res
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

func (x *fixer) add(s *parser.Stanza, line int, rule string, fixed bool, removed, format string, args ...any) {
	x.res.Findings = append(x.res.Findings, Finding{File: s.File, Line: line, Iface: s.Name, Family: s.Family,
		Rule: rule, Message: fmt.Sprintf(format, args...), Fixed: fixed, Removed: removed})
}

// remove deletes every physical line of o's logical line and reports it.
func (x *fixer) remove(o *parser.Opt, rule, format string, args ...any) {
	if x.removed[o] {
		return
	}
	x.removed[o] = true
	f, l := o.Stanza.File, o.L()
	x.res.Edits[f] = append(x.res.Edits[f], parser.Edit{Start: l.Start, End: l.End})
	x.add(o.Stanza, l.Pos(), rule, true, f.Text(l), format, args...)
}

func (x *fixer) warnings() {
	for _, w := range x.cfg.Warnings {
		switch w.Code {
		case SourcedFileError, IncludeCycle, IncludeTwice, IncludeNotFile, IncludeUnsupported:
		default:
			continue
		}
		x.res.Findings = append(x.res.Findings, Finding{File: w.File, Line: w.Line, Rule: w.Code, Message: w.Msg})
	}
}

type key struct{ name, family string }

// duplicateGateways keeps the first gateway of each non-alias interface and family.
func (x *fixer) duplicateGateways() {
	first := map[key]*parser.Opt{}
	for _, s := range x.cfg.Stanzas {
		if s.IsAlias() || !ipFamily(s) {
			continue
		}
		k := key{s.Name, s.Family}
		for _, g := range gateways(s.Options) {
			if keep, ok := first[k]; ok {
				x.remove(g, DuplicateGateway, "%s (%s) already has gateway %s at %s; %s: removed gateway %s",
					s.Name, s.Family, keep.Value, where(keep), secondDefault(s.Family), g.Value)
				continue
			}
			first[k] = g
		}
	}
}

// aliasGateways removes alias gateways, keeping a default route for the family (rules 1 and 3).
func (x *fixer) aliasGateways() {
	var order []key
	aliases := map[key][]*parser.Opt{}
	for _, s := range x.cfg.Stanzas {
		if !s.IsAlias() || !ipFamily(s) {
			continue
		}
		k := key{s.Base(), s.Family}
		for _, g := range gateways(s.Options) {
			if aliases[k] == nil {
				order = append(order, k)
			}
			aliases[k] = append(aliases[k], g)
		}
	}
	// Index the stanzas once: scanning them all for every alias base was quadratic.
	byKey := map[key][]*parser.Stanza{}
	for _, s := range x.cfg.Stanzas {
		if k := (key{s.Name, s.Family}); aliases[k] != nil {
			byKey[k] = append(byKey[k], s)
		}
	}
	for _, k := range order {
		gws := aliases[k]
		var primary *parser.Stanza
		hasGateway := false
		for _, s := range byKey[k] {
			if primary == nil {
				primary = s
			}
			hasGateway = hasGateway || len(gateways(s.Effective())) > 0
		}
		switch {
		case hasGateway:
			for _, g := range gws {
				x.remove(g, AliasGateway, "alias %s has gateway %s; %s (%s) already has a default route: removed", g.Stanza.Name, g.Value, k.name, k.family)
			}
		case primary != nil && (primary.Method == "dhcp" || k.family == "inet6" && primary.Method == "auto"):
			for _, g := range gws {
				x.remove(g, AliasGateway, "alias %s has gateway %s; %s (%s) gets its default route from %s: removed", g.Stanza.Name, g.Value, k.name, k.family, primary.Method)
			}
		case primary != nil && primary.Method == "static" && x.canInsert(primary) && !strings.HasSuffix(gws[0].Value, `\`):
			for _, g := range gws {
				x.remove(g, AliasGateway, "alias %s has gateway %s: removed", g.Stanza.Name, g.Value)
			}
			x.move(gws[0], primary)
		default:
			why := "there is no " + k.name + " " + k.family + " stanza to move it into"
			if primary != nil {
				why = fmt.Sprintf("%s (%s) is %s, not static, so it cannot take the gateway", k.name, k.family, primary.Method)
				if primary.Method == "static" {
					// canInsert refused, or the value ends in "\": written on a line of its own it
					// would continue into the next line.
					why = fmt.Sprintf("%s (%s) is static but a trailing \\ (on its last line or in the value) leaves no safe place to move it to", k.name, k.family)
				}
			}
			for _, g := range gws {
				x.add(g.Stanza, g.L().Pos(), KeepDefaultRoute, false, "",
					"alias %s has gateway %s, the only %s gateway of %s, and %s; left as is: a person must decide",
					g.Stanza.Name, g.Value, k.family, k.name, why)
			}
		}
	}
}

// anchor is the logical line after which a moved gateway goes: the primary's last option line, or
// its iface line.
func anchor(p *parser.Stanza) *parser.Line {
	if n := len(p.Options); n > 0 {
		return p.Options[n-1].L()
	}
	return p.HeaderLine()
}

// canInsert refuses an anchor whose last physical line still ends in "\": only possible at the
// end of a file, and anything appended there would be swallowed by the continuation.
func (x *fixer) canInsert(p *parser.Stanza) bool {
	last := p.File.Phys[anchor(p).End-1]
	return !strings.HasSuffix(strings.TrimRight(last, "\r\n"), "\\")
}

// move inserts gateway g, as written, after the primary's last option line.
func (x *fixer) move(g *parser.Opt, p *parser.Stanza) {
	f, a := p.File, anchor(p)
	last := a.End - 1
	indent := f.Indent(a.Start)
	if len(p.Options) == 0 {
		indent = g.Stanza.File.Indent(g.L().Start)
	}
	text := "gateway " + g.Value
	eol := f.EOL(last)
	if eol == "" { // the anchor ends the file without a newline: keep it that way
		eol = "\n"
		for i := range f.Phys {
			if e := f.EOL(i); e != "" {
				eol = e
				break
			}
		}
		text = eol + indent + text
	} else {
		text = indent + text + eol
	}
	x.res.Edits[f] = append(x.res.Edits[f], parser.Edit{Start: a.End, End: a.End, Text: text})
	x.moved[p] = g
	x.add(p, a.End, KeepDefaultRoute, true, "",
		"%s (%s) had no gateway of its own, only its aliases did: moved gateway %s from %s (%s) into it", p.Name, p.Family, g.Value, g.Stanza.Name, where(g))
}

// inherited reports aliases that get a gateway through inherits.
func (x *fixer) inherited() {
	for _, s := range x.cfg.Stanzas {
		if !s.IsAlias() || !ipFamily(s) || s.Parent == nil {
			continue
		}
		if g := gateways(s.Parent.Effective()); len(g) > 0 {
			x.add(s, s.HeaderLine().Pos(), InheritedGateway, false, "",
				"alias %s inherits gateway %s from %s (%s); change the inherits relationship or override it by hand",
				s.Name, g[0].Value, s.Parent.Name, where(g[0]))
		}
	}
}

// competing warns when gateways that remain on different interfaces share family and metric.
func (x *fixer) competing() {
	type slot struct{ family, metric string }
	type holder struct {
		stanza *parser.Stanza
		value  string
	}
	seen := map[slot]holder{}
	for _, s := range x.cfg.Stanzas {
		if !ipFamily(s) {
			continue
		}
		var gw *parser.Opt
		for _, g := range gateways(s.Options) {
			if !x.removed[g] {
				gw = g
				break
			}
		}
		if m := x.moved[s]; gw == nil && m != nil {
			gw = m
		}
		if gw == nil {
			continue
		}
		metric := ""
		for _, o := range s.Effective() {
			if o.Name == "metric" {
				metric = o.Value
			}
		}
		k := slot{s.Family, metric}
		prev, ok := seen[k]
		if !ok {
			seen[k] = holder{s, gw.Value}
			continue
		}
		if prev.stanza.Base() == s.Base() {
			continue
		}
		m := "no metric"
		if metric != "" {
			m = "metric " + metric
		}
		x.add(s, s.HeaderLine().Pos(), CompetingDefaults, false, "",
			"%s and %s both have an %s default gateway with %s (%s, %s); %s: give one a different metric",
			prev.stanza.Name, s.Name, s.Family, m, prev.value, gw.Value, secondDefault(s.Family))
	}
}

// secondDefault says what ifupdown 0.8 does with a second default route of the family.
func secondDefault(family string) string {
	if family == "inet6" {
		return "the last one brought up silently replaces the other's default route (ip -6 route replace)"
	}
	return "the second `ip route add default` fails with 'File exists' and ifup stops"
}
