package fixer

import (
	"fmt"
	"strings"

	"github.com/ifacefix/ifacefix/parser"
)

// stopsThere says what a failing stanza of interface name does to its interface's later stanzas
// on cfg's program: ifupdown 0.8 stops there; busybox goes on with them (docs/dialects.md 3.3).
func stopsThere(cfg *parser.Config, name string) string {
	if cfg.Dialect == parser.Busybox {
		return "so ifup fails for " + name + " (busybox still configures its other stanzas but does not record " + name + " as up)"
	}
	return "so ifup stops there and configures no later stanza of " + name
}

// loneMetricsBusybox removes the metric an inet6 static alias kept without a gateway (from an
// older fix, or copied alone) where busybox reads the file: its template
// `[[ip route add ::/0 via %gateway% dev %iface%]][[ metric %metric%]]` then runs " metric N" as
// a command, which fails, so the alias never comes up (docs/dialects.md section 5). The metric
// applies to no route there, so removing it changes no route; an alias with up commands, which
// would then run for the first time, is left for a person.
func loneMetricsBusybox(p *pass) {
	if p.cfg.Dialect != parser.Busybox {
		return
	}
	m := p.model()
	for _, s := range p.cfg.Stanzas {
		if !s.IsAlias() || s.Family != "inet6" || s.Method != "static" {
			continue
		}
		o := m.before.Of(s).At
		if o == nil || o.Name != "metric" || o.Stanza != s || p.removed[o] != nil {
			continue
		}
		what := fmt.Sprintf("alias %s has metric %s but no gateway: busybox runs its metric alone, as the command `metric %s`, which fails, so %s never comes up",
			s.Name, strings.TrimSpace(o.Value), strings.TrimSpace(o.Value), s.Name)
		var ups []string
		for _, c := range s.Options {
			if c.Name == "up" || c.Name == "post-up" {
				ups = append(ups, c.Name+" "+c.Value)
			}
		}
		if len(ups) > 0 {
			p.report(s, o.L().Pos(), nil, "%s; left as is: once it comes up its up commands run for the first time (%s): a person must decide", what, strings.Join(ups, "; "))
			continue
		}
		f := p.remove(o, "%s: removed", what)
		f.Action = "removed"
	}
}
