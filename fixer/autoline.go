package fixer

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ifacefix/ifacefix/internal/bringup"
	"github.com/ifacefix/ifacefix/parser"
)

// autoSplit is an auto line naming several interfaces, of which ifupdown-ng makes only the
// first auto (docs/dialects.md 2.2): the others, with lines of their own, never come up at boot.
type autoSplit struct {
	sel   parser.Selection
	extra []string     // the names it does not make auto (and nothing else does)
	edit  *parser.Edit // one auto line per name; nil when left for a person
	why   string       // why it is left
}

// planAutos plans to split such lines where the edit cannot change how ifupdown-ng reads the
// rest: the next line switches the interface anyway (so the lines after it keep their
// interface), every name has lines of its own (a name without any would become a new interface
// to bring up), and the order in which ifup -a meets the interfaces stays the same. The split is
// then verified with the other fixes, like them.
func (m *model) planAutos() {
	if m.cfg.Dialect != parser.IfupdownNG {
		return
	}
	idx := map[string]int{}
	byName := map[string]*parser.Interface{}
	for i, it := range m.cfg.Interfaces {
		idx[it.Name], byName[it.Name] = i, it
	}
	for _, sel := range m.cfg.Selections {
		if sel.Keyword != "auto" || len(sel.Names) < 2 {
			continue
		}
		first := sel.Names[0]
		a := &autoSplit{sel: sel}
		var names []string // after the first, once each
		for _, n := range sel.Names[1:] {
			if n == first || slices.Contains(names, n) {
				continue
			}
			names = append(names, n)
			if it := byName[n]; it != nil && !it.Auto && !it.Template && len(it.Stanzas) > 0 {
				a.extra = append(a.extra, n)
			}
		}
		if len(a.extra) == 0 {
			continue
		}
		m.autos = append(m.autos, a)
		e, err := sel.File.SplitAuto(sel)
		k := 0
		for _, n := range names {
			it := byName[n]
			switch {
			case a.why != "":
			case it == nil || len(it.Stanzas) == 0:
				a.why = n + " has no lines of its own, and an auto line of its own would make ifupdown-ng create it and bring it up"
			case idx[n] < idx[first]:
			case idx[n] != idx[first]+k+1:
				a.why = "it would change the order in which ifup -a brings the interfaces up (" + n + " would come earlier)"
			default:
				k++
			}
		}
		switch {
		case a.why != "":
		case err != nil:
			a.why = strings.TrimPrefix(err.Error(), parser.ErrUnsafeEdit.Error()+": ")
		case !switchesNext(m.cfg, sel):
			a.why = fmt.Sprintf("the lines after it would then belong to %s instead of %s", names[len(names)-1], first)
		default:
			a.edit = &e
		}
	}
	var todo []*autoSplit
	for _, a := range m.autos {
		if a.edit != nil {
			todo = append(todo, a)
		}
	}
	try := func(as []*autoSplit) string {
		if u := m.before.BootUnknown; u != "" {
			return "cannot be judged, as " + u
		}
		ed := m.edits(m.plans)
		ed.Auto = map[string]bool{}
		for _, a := range as {
			for _, n := range a.extra {
				ed.Auto[n] = true
			}
		}
		r := bringup.Simulate(m.cfg, ed)
		if v := m.check(r, ed); len(v) > 0 {
			return v[0].why
		}
		m.after, m.auto = r, ed.Auto
		return ""
	}
	if len(todo) == 0 || try(todo) == "" {
		return
	}
	var kept []*autoSplit
	for _, a := range todo {
		if why := try(append(slices.Clone(kept), a)); why != "" {
			a.edit, a.why = nil, "bringing "+strings.Join(a.extra, ", ")+" up at boot "+why
			continue
		}
		kept = append(kept, a)
	}
	if len(kept) > 0 {
		try(kept)
	}
}

// switchesNext reports whether the line after auto line sel that ifupdown-ng reads makes another
// interface current anyway (an iface, interface, template or auto line), or the top-level file ends.
func switchesNext(cfg *parser.Config, sel parser.Selection) bool {
	f := sel.File
	for i := sel.Line + 1; i < len(f.Lines); i++ {
		switch f.Lines[i].Kind {
		case parser.Blank, parser.Comment, parser.Ignored:
			continue
		case parser.Iface, parser.Auto:
			return true
		}
		return false
	}
	return f == cfg.Files[0]
}

// autoLines reports the auto lines ifupdown-ng reads as their first name only.
func autoLines(p *pass) {
	var fixed []*Finding
	for _, a := range p.model().autos {
		sel := a.sel
		l := &sel.File.Lines[sel.Line]
		msg := fmt.Sprintf("`%s %s` names %d interfaces, but %s's auto takes its first name only, so ifup -a never brings up %s",
			sel.Keyword, strings.Join(sel.Names, " "), len(sel.Names), dialectName(p.cfg), strings.Join(a.extra, ", "))
		f := &Finding{Rule: p.rule.ID, File: sel.File, Line: l.Pos(), Iface: sel.Names[0]}
		if a.edit != nil {
			f.Action = "split into one auto line per name"
			f.Message = msg + ": " + f.Action
			f.Edits = []parser.Edit{*a.edit}
		} else {
			f.Message = msg + "; left as is: " + a.why + ": write one auto line per name by hand"
		}
		p.findings = append(p.findings, f)
		if f.Fixed() {
			fixed = append(fixed, f)
		}
	}
	// The fixes planned once the splits were accepted need them (and they need each other).
	if len(fixed) == 0 {
		return
	}
	for _, kp := range p.model().autoPlans {
		for _, rm := range kp.removals {
			if g := p.removed[rm.opt]; g != nil {
				fixed = append(fixed, g)
			}
		}
	}
	joint(fixed...)
}
