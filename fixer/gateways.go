package fixer

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ifacefix/ifacefix/internal/bringup"
	"github.com/ifacefix/ifacefix/internal/routecmd"
	"github.com/ifacefix/ifacefix/parser"
)

// removeAndLeave reports the model's removals and leftovers of rule: removals with their edits,
// leftovers for a person.
func removeAndLeave(p *pass, rule string) {
	for _, kp := range p.model().plans {
		for _, rm := range kp.removals {
			if rm.rule == rule {
				f := p.remove(rm.opt, "%s", rm.message())
				if f.Action == "" {
					f.Action = rm.action
				}
				if g := p.removed[rm.with]; g != nil {
					joint(f, g)
				}
			}
		}
		for _, l := range kp.left {
			if l.rule != rule {
				continue
			}
			line := l.s.HeaderLine().Pos()
			if l.opt != nil {
				line = l.opt.L().Pos()
			}
			p.report(l.s, line, nil, "%s", l.msg)
		}
	}
}

// aliasGateways removes alias gateways where the interface keeps its default route.
func aliasGateways(p *pass) { removeAndLeave(p, AliasGateway) }

// aliasMetrics removes the metric of an alias whose gateway goes (and, read as ifupdown2, an
// alias's metric left without a gateway; on busybox, an inet6 alias's metric left without one).
func aliasMetrics(p *pass) { removeAndLeave(p, AliasMetric); loneMetricsBusybox(p) }

// duplicateGateways removes the later gateways of an interface that fail at bring-up.
func duplicateGateways(p *pass) { removeAndLeave(p, DuplicateGateway) }

// routeCommands reports (and with StripRouteCommands removes) default-route commands in aliases.
func routeCommands(p *pass) { removeAndLeave(p, AliasRouteCommand) }

// keepDefaultRoute moves an alias's gateway into its primary where only an alias had one, and
// reports the aliases whose gateway gives their interface its default route and cannot move.
func keepDefaultRoute(p *pass) {
	for _, kp := range p.model().plans {
		if mv := kp.move; mv != nil {
			g := mv.joined[0]
			what := "gateway " + g.Value
			if len(mv.opts) > 1 {
				what += " with metric " + mv.opts[1].Value
			}
			f := p.report(mv.into, mv.edits[0].Start, mv.edits,
				"%s (%s) had no gateway of its own: its default route (%s) came from alias %s (%s); moved %s into it",
				mv.into.Name, mv.into.Family, routesText(mv.from.Added), g.Stanza.Name, where(g), what)
			f.Action = "moved " + what + " into it"
			p.moved[mv.into] = g
			joint(f, p.removed[g])
		}
	}
	removeAndLeave(p, KeepDefaultRoute)
}

// inherited reports aliases that get a gateway through inherits (gateway, or gateway?, which
// the parent's variables pass on as a gateway). Where the alias's method ignores gateway, the
// finding is a note: it adds no route.
func inherited(p *pass) {
	m := p.model()
	for _, s := range p.cfg.Stanzas {
		if !s.IsAlias() || !ipFamily(s) || s.Parent == nil {
			continue
		}
		g := gatewayLines(s.Parent.Effective())
		if len(g) == 0 {
			continue
		}
		// What the inherited gateway does once the fix is made.
		st, from, note := m.after.Of(s), g[0], false
		var what string
		for _, o := range g {
			if q := requestOf(m.after, s, o); q != nil {
				what, from = outcome(q), o
				break
			}
		}
		switch {
		case what != "":
		case (st.Up || st.Why == "") && st.Phase != bringup.NotReached && !takesGateway(s):
			what, note = fmt.Sprintf("%s %s ignores gateway, so it adds no route", s.Family, s.Method), true
		default:
			what = neverInstalled(s.Name, st)
		}
		advice := "; change the inherits relationship or override it by hand"
		if note {
			advice = ""
		}
		f := p.report(s, s.HeaderLine().Pos(), nil, "alias %s inherits gateway %s from %s (%s): %s%s",
			s.Name, from.Value, s.Parent.Name, where(from), what, advice)
		f.Note = note
	}
}

// competing reports the gateways of different interfaces, or two default routes one interface's
// stanzas add side by side, that still collide once the fix is made: at boot, an add that fails
// because another interface holds a default route of that metric, or a replace that takes another
// interface's default route over; among the interfaces brought up by hand (each on its own, see
// bringup), two default routes of one metric.
func competing(p *pass) {
	m := p.model()
	r := m.after
	reported := map[*bringup.Request]bool{}
	say := func(q, other *bringup.Request, what string) {
		if reported[q] {
			return
		}
		reported[q] = true
		if rest, ok := strings.CutPrefix(what, "its "); ok {
			what = q.Stanza.Name + "'s " + rest
		}
		if other.Stanza.Name == q.Stanza.Name {
			p.report(q.Stanza, q.Stanza.HeaderLine().Pos(), nil,
				"%s gets two %s default routes with the same metric, one from %s, one from %s: %s; give one a different metric, or remove one",
				q.Stanza.Name, q.Family, requestText(other), requestText(q), what)
			return
		}
		p.report(q.Stanza, q.Stanza.HeaderLine().Pos(), nil,
			"%s and %s both ask for an %s default route with the same metric: %s; give one a different metric",
			other.Stanza.Name, q.Stanza.Name, q.Family, what)
	}
	for _, q := range r.Requests {
		own := requestKey(q)
		switch {
		case errors.Is(q.Err, routecmd.ErrExist) && q.Holder != nil && requestKey(q.Holder) != own:
			what := outcome(q)
			if m.faith(r, q.Holder.Stanza) == "" && m.throughFaith(r, q.Holder) != nil { // (outcome says the rest)
				what += ", if " + q.Holder.Stanza.Name + " gets its route: " + m.holderFaith(r, q.Holder)
			}
			say(q, q.Holder, what)
		case len(q.Removed) > 0 && len(q.Added) > 0 && q.Removed[0].Dev != own.name && r.Holder[q.Added[0]] == q: // a replace (a delete adds nothing)
			if other := m.before.Holder[q.Removed[0]]; other != nil {
				say(q, other, outcome(q))
			}
		}
	}
	type slot struct {
		family, typ   string
		table, metric uint32
	}
	first := map[slot]routecmd.Route{}
	for _, rt := range r.All {
		sl := slot{rt.Family, rt.Type, rt.Table, rt.Metric}
		f, ok := first[sl]
		if !ok {
			first[sl] = rt
			continue
		}
		q, other := r.Holder[rt], r.Holder[f]
		switch {
		case q == nil || other == nil:
		case q.Phase == bringup.Later && f.Dev != rt.Dev:
			what := "both are brought up by hand (not at boot), and whichever comes up second fails with 'File exists'"
			switch {
			case merged(p.cfg):
				what = "both are brought up by hand (not at boot), and the kernel refuses the route of whichever comes up second as a duplicate, an error " + dialectName(p.cfg) + " drops silently: that one gets no default route"
			case rt.Family == "inet6":
				what = "both are brought up by hand (not at boot), and whichever comes up second replaces the other's route"
			}
			say(q, other, what)
		case requestKey(q) != requestKey(other):
			// Both added (route(8)'s ioctl, or ip route append, adds beside a route of the
			// same metric): the kernel keeps both.
			say(q, other, fmt.Sprintf("the kernel keeps both (%s), and which one a connection uses is not chosen by the configuration",
				routesText([]routecmd.Route{f, rt})))
		case f.Gateway != rt.Gateway || f.Dev != rt.Dev:
			// One interface's stanzas (no alias's: the plan removed those) add both, as above.
			say(q, other, fmt.Sprintf("the kernel keeps both (%s), and which one a connection uses is not chosen by the configuration",
				routesText([]routecmd.Route{f, rt})))
		}
	}
}

// requestText names where q comes from: its line, as written.
func requestText(q *bringup.Request) string {
	o := q.Opts[0]
	return fmt.Sprintf("`%s %s` (%s)", o.Name, o.Value, where(o))
}

// failovers notes the primary gateways that add a second default route of their own metric.
func failovers(p *pass) {
	for _, kp := range p.model().plans {
		for _, q := range kp.failovers {
			p.report(q.Stanza, q.Opts[0].L().Pos(), nil,
				"%s (%s) has a second gateway, %s: it adds the default route %s beside %s, a failover path; kept",
				q.Stanza.Name, q.Family, q.Opts[0].Value, routesText(q.Added), routesText(kp.keeper.Added))
		}
	}
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

// mappings reports each mapping stanza of the configuration (Fix then leaves every fix undone).
func mappings(p *pass) {
	for _, f := range p.cfg.Files {
		for _, l := range f.Lines {
			if l.Kind == parser.Mapping {
				p.findings = append(p.findings, &Finding{Rule: MappingScript, File: f, Line: l.Pos(), Message: fmt.Sprintf(
					"mapping %s: ifup runs its script for each interface it matches and configures the interface with the stanza the script names, which cannot be known from the file; nothing in this configuration is changed",
					l.Rest)})
			}
		}
	}
}

// dhcpGateways reports the gateway lines of stanzas that get their address at run time whose
// route the program installs as well (on ifupdown 0.8 such a gateway makes no request at all).
func dhcpGateways(p *pass) {
	m := p.model()
	seen := map[*parser.Opt]bool{}
	for _, q := range m.before.Requests {
		if q.Command || len(q.Opts) == 0 || q.Opts[0] == nil || !m.before.Of(q.Stanza).Dynamic || len(q.Added) == 0 {
			continue
		}
		g := q.Opts[0]
		if seen[g] || p.removed[g] != nil {
			continue
		}
		seen[g] = true
		p.report(q.Stanza, g.L().Pos(), nil,
			"%s (%s) gets its address by DHCP and has gateway %s: %s installs it as a static default route too (%s), beside whatever DHCP gives; remove the line by hand if DHCP supplies the router",
			q.Stanza.Name, q.Family, g.Value, dialectName(p.cfg), routesText(q.Added))
	}
}
