package fixer

import (
	"fmt"

	"github.com/ifacefix/ifacefix/parser"
)

// duplicateGateways keeps the first gateway of each non-alias interface and family.
func duplicateGateways(p *pass) {
	first := map[key]*parser.Opt{}
	for _, s := range p.cfg.Stanzas {
		if s.IsAlias() || !ipFamily(s) {
			continue
		}
		k := key{s.Name, s.Family}
		for _, g := range gateways(s.Options) {
			if keep, ok := first[k]; ok {
				p.remove(g, "%s (%s) already has gateway %s at %s; %s: removed gateway %s",
					s.Name, s.Family, keep.Value, where(keep), secondDefault(s.Family), g.Value)
				continue
			}
			first[k] = g
		}
	}
}

// move is an alias gateway to move into its primary, with the findings that remove the alias
// gateways of that interface and family.
type move struct {
	gateway *parser.Opt
	primary *parser.Stanza
	edit    parser.Edit
	removed []*Finding
}

// aliasGateways removes alias gateways where the interface keeps a default route: it has a
// gateway of its own, gets one from DHCP or router advertisements, or can take one of its aliases'
// gateways (that move is left to keep-default-route). Where none of these holds, the aliases are
// left for keep-default-route to report.
func aliasGateways(p *pass) {
	var order []key
	aliases := map[key][]*parser.Opt{}
	for _, s := range p.cfg.Stanzas {
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
	for _, s := range p.cfg.Stanzas {
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
				p.remove(g, "alias %s has gateway %s; %s (%s) already has a default route: removed", g.Stanza.Name, g.Value, k.name, k.family)
			}
		case primary != nil && (primary.Method == "dhcp" || k.family == "inet6" && primary.Method == "auto"):
			for _, g := range gws {
				p.remove(g, "alias %s has gateway %s; %s (%s) gets its default route from %s: removed", g.Stanza.Name, g.Value, k.name, k.family, primary.Method)
			}
		case primary != nil && primary.Method == "static":
			edit, err := primary.AppendOption("gateway", gws[0].Value, gws[0].Indent())
			if err != nil {
				p.stuck = append(p.stuck, k)
				continue
			}
			m := move{gateway: gws[0], primary: primary, edit: edit}
			for _, g := range gws {
				m.removed = append(m.removed, p.remove(g, "alias %s has gateway %s: removed", g.Stanza.Name, g.Value))
			}
			p.moves = append(p.moves, m)
		default:
			p.stuck = append(p.stuck, k)
		}
	}
}

// keepDefaultRoute moves the gateways aliasGateways decided to move, and reports the aliases
// whose gateway is their interface's only one and cannot move.
func keepDefaultRoute(p *pass) {
	for _, m := range p.moves {
		g, pr := m.gateway, m.primary
		f := p.report(pr, m.edit.Start, []parser.Edit{m.edit},
			"%s (%s) had no gateway of its own, only its aliases did: moved gateway %s from %s (%s) into it", pr.Name, pr.Family, g.Value, g.Stanza.Name, where(g))
		p.moved[pr] = g
		joint(append([]*Finding{f}, m.removed...)...)
	}
	if len(p.stuck) == 0 {
		return
	}
	stuck := map[key]bool{}
	for _, k := range p.stuck {
		stuck[k] = true
	}
	var primaries = map[key]*parser.Stanza{}
	for _, s := range p.cfg.Stanzas {
		if k := (key{s.Name, s.Family}); stuck[k] && primaries[k] == nil {
			primaries[k] = s
		}
	}
	for _, s := range p.cfg.Stanzas {
		if !s.IsAlias() || !ipFamily(s) {
			continue
		}
		k := key{s.Base(), s.Family}
		if !stuck[k] {
			continue
		}
		why := "there is no " + k.name + " " + k.family + " stanza to move it into"
		if pr := primaries[k]; pr != nil {
			why = fmt.Sprintf("%s (%s) is %s, not static, so it cannot take the gateway", k.name, k.family, pr.Method)
			if pr.Method == "static" {
				why = fmt.Sprintf("%s (%s) is static but a trailing \\ (on its last line or in the value) leaves no safe place to move it to", k.name, k.family)
			}
		}
		for _, g := range gateways(s.Options) {
			p.report(s, g.L().Pos(), nil,
				"alias %s has gateway %s, the only %s gateway of %s, and %s; left as is: a person must decide",
				s.Name, g.Value, k.family, k.name, why)
		}
	}
}

// inherited reports aliases that get a gateway through inherits.
func inherited(p *pass) {
	for _, s := range p.cfg.Stanzas {
		if !s.IsAlias() || !ipFamily(s) || s.Parent == nil {
			continue
		}
		if g := gateways(s.Parent.Effective()); len(g) > 0 {
			p.report(s, s.HeaderLine().Pos(), nil,
				"alias %s inherits gateway %s from %s (%s); change the inherits relationship or override it by hand",
				s.Name, g[0].Value, s.Parent.Name, where(g[0]))
		}
	}
}

// competing warns when gateways that remain on different interfaces share family and metric.
func competing(p *pass) {
	type slot struct{ family, metric string }
	type holder struct {
		stanza *parser.Stanza
		value  string
	}
	seen := map[slot]holder{}
	for _, s := range p.cfg.Stanzas {
		if !ipFamily(s) {
			continue
		}
		var gw *parser.Opt
		for _, g := range gateways(s.Options) {
			if p.removed[g] == nil {
				gw = g
				break
			}
		}
		if m := p.moved[s]; gw == nil && m != nil {
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
		p.report(s, s.HeaderLine().Pos(), nil,
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

// structural reports the parser's warnings with the running rule's code: problems of the
// configuration's structure (includes, errors in sourced files).
func structural(p *pass) {
	for _, w := range p.cfg.Warnings {
		if w.Code == p.rule.ID {
			p.findings = append(p.findings, &Finding{Rule: w.Code, File: w.File, Line: w.Line, Message: w.Msg})
		}
	}
}
