package bringup

import (
	"errors"
	"net/netip"
	"slices"
	"strings"

	"github.com/ifacefix/ifacefix/internal/routecmd"
	"github.com/ifacefix/ifacefix/parser"
)

// simulateIfupdown2 is Simulate for ifupdown2 3.0.0 (docs/dialects.md sections 1.5, 1.9):
//   - the stanzas of a name and of its aliases (eth0:N) are one interface, eth0, whose method is
//     its first stanza's; it is auto when any of them was auto when read (parser.Stanza.Classes);
//   - the boot is start-networking's: ifup --allow=mgmt, ifup -a, then the allow-hotplug ones;
//     the others come up later, by hand, each on its own;
//   - per interface: the pre-up commands, then (up phase) dhclient for a dhcp method, the
//     addresses (not for dhcp or ppp), one `ip route add default via GW proto kernel [metric M]
//     dev IF onlink` per gateway line in file order, every method included, with M the first
//     metric line of any of its stanzas, whatever their family; then the up and post-up commands;
//   - the kernel's EEXIST for a gateway is dropped silently; any other error stops the remaining
//     gateways and fails the interface; a failing command is only a warning.
func simulateIfupdown2(cfg *parser.Config, ed Edits) *Result {
	s := newSim(cfg, ed)
	s.bring = s.ifupI2
	relevant := map[string]bool{}
	for _, st := range cfg.Stanzas {
		if !inertI2(st, ed) {
			relevant[st.Base()] = true
		}
	}
	var names []string
	for _, st := range cfg.Stanzas {
		b := st.Base()
		if !relevant[b] || st.HeaderLine().Keyword == "vlan" {
			continue
		}
		if s.byName[b] == nil {
			names = append(names, b)
		}
		s.byName[b] = append(s.byName[b], st)
		s.res.Stanzas[st] = &Stanza{}
	}
	// Every interface counts for the order, those the model leaves out (inert) too.
	var all []string
	classes := map[string][]string{}
	for _, st := range cfg.Stanzas {
		b := st.Base()
		if st.HeaderLine().Keyword == "vlan" {
			continue
		}
		if _, seen := classes[b]; !seen {
			all = append(all, b)
		}
		classes[b] = append(classes[b], st.Classes...)
	}
	lowers := lowersI2(cfg, classes)
	for _, class := range []string{"allow-mgmt", "auto", "allow-hotplug"} {
		var set []string
		for _, n := range all {
			if slices.Contains(classes[n], class) {
				set = append(set, n)
			}
		}
		// The scheduler runs the roots of the class's dependency graph in order, each in
		// postorder: a VLAN's raw device, a bridge's ports, a bond's slaves and a vrf's members
		// come up before the interface built on them (red-team pass 6, live).
		lower := map[string]bool{}
		for _, n := range set {
			for _, l := range lowers[n] {
				lower[l] = true
			}
		}
		done := map[string]bool{}
		var visit func(n string)
		visit = func(n string) {
			if done[n] {
				return
			}
			done[n] = true
			for _, l := range lowers[n] {
				visit(l)
			}
			s.ifupI2(n, Boot)
		}
		for _, n := range set {
			if !lower[n] {
				visit(n)
			}
		}
		for _, n := range set {
			visit(n) // a dependency loop has no root
		}
	}
	s.snapBoot()
	s.later(names)
	return s.res
}

// lowersI2 is each interface's lower devices as ifupdown2's modules name them (only those with a
// stanza: known holds their names): a VLAN's raw device (eth0 of eth0.100, or vlan-raw-device),
// a bridge's ports, a bond's slaves, a vrf's members (the interfaces whose vrf option names it).
func lowersI2(cfg *parser.Config, known map[string][]string) map[string][]string {
	out := map[string][]string{}
	add := func(n, l string) {
		if _, ok := known[l]; ok && l != n && !slices.Contains(out[n], l) {
			out[n] = append(out[n], l)
		}
	}
	for _, st := range cfg.Stanzas {
		n := st.Base()
		if i := strings.LastIndexByte(n, '.'); i > 0 {
			add(n, n[:i])
		}
		for _, o := range st.Options {
			switch keyI2(o.Name) {
			case "vlan-raw-device":
				add(n, strings.TrimSpace(o.Value))
			case "bridge-ports", "bond-slaves":
				for _, w := range strings.Fields(o.Value) {
					add(n, w)
				}
			case "vrf":
				add(strings.TrimSpace(o.Value), n)
			}
		}
	}
	return out
}

// inertI2 reports whether a stanza can do nothing to the default routes: no gateway, command,
// added option or method that learns routes at run time (see sim.inert).
func inertI2(st *parser.Stanza, ed Edits) bool {
	if st.HeaderLine().Keyword == "vlan" {
		return true // a bridge-vlan object (Cumulus), never squashed with the interface: not modelled
	}
	if len(ed.Added[st]) > 0 {
		return false
	}
	switch st.Method {
	case "dhcp", "dhcp6", "ppp", "tunnel":
		return false
	}
	for _, o := range st.Options {
		switch keyI2(o.Name) {
		case "gateway", "pre-up", "up", "post-up":
			return false
		}
	}
	return true
}

// keyI2 is an option's name as ifupdown2 stores it: "_" read as "-".
func keyI2(name string) string { return strings.ReplaceAll(name, "_", "-") }

// optI2 is one option of a merged interface: a line of one of its stanzas, or an added one.
type optI2 struct {
	key, value string
	opt        *parser.Opt // nil for an added option
	st         *parser.Stanza
}

// ifupI2 brings up one interface: all its stanzas, merged.
func (s *sim) ifupI2(name string, phase Phase) {
	if s.up[name] || s.tried[name] {
		return // ifupdown2 would apply it again; the routes it asks for exist already
	}
	sts := s.byName[name]
	if len(sts) == 0 {
		return
	}
	s.tried[name] = true
	s.upNow = append(s.upNow, name)
	var opts []optI2
	for _, st := range sts {
		r := s.res.Stanzas[st]
		r.Phase = phase
		r.seen(s.k)
		for _, o := range st.Options {
			if !s.ed.Removed[o] {
				opts = append(opts, optI2{keyI2(o.Name), strings.ReplaceAll(o.Value, "$IFACE", st.Name), o, st})
			}
		}
		for _, a := range s.ed.Added[st] {
			opts = append(opts, optI2{keyI2(a.Name), a.Value, nil, st})
		}
	}
	first := sts[0]
	method := first.Method
	r0 := s.res.Stanzas[first]
	switch method {
	case "dhcp", "dhcp6":
		r0.Dynamic = true
	case "ppp", "tunnel":
		r0.Unknown = "method " + method + " is not modelled"
		s.remover(first, r0, "its "+method+" method", EitherFamily)
	}
	// The commands' environment: the merged object's options, the first value of each.
	var env []routecmd.Option
	for _, o := range opts {
		if !slices.ContainsFunc(env, func(e routecmd.Option) bool { return e.Name == o.key }) {
			env = append(env, routecmd.Option{Name: o.key, Value: o.value})
		}
	}
	v := &vars{}
	for _, e := range env {
		v.list = append(v.list, variable{name: e.Name, value: e.Value})
	}
	commands := func(phase string) {
		for _, o := range opts {
			if o.key != phase || o.opt == nil {
				continue
			}
			r := s.res.Stanzas[o.st]
			n := len(r.Requests)
			if !s.command(o.st, r, name, v, cmd{phase: phase, value: o.value, opt: o.opt}) {
				// usercmds only warns: the interface goes on.
				r.Why, r.At = "", nil
				if len(r.Requests) > n {
					r.Requests[n].Warned = true
				}
			}
		}
	}
	commands("pre-up")
	why := s.upI2(name, method, opts)
	commands("up")
	commands("post-up")
	for _, st := range sts {
		r := s.res.Stanzas[st]
		r.Up, r.Why = why == "", why
	}
	if why == "" {
		s.up[name] = true
	}
}

// upI2 is the address addon's up: the link, the addresses, the gateways. It returns why the
// interface fails ("" when it does not).
func (s *sim) upI2(name, method string, opts []optI2) string {
	s.linkUp(name)
	if method != "dhcp" && method != "dhcp6" && method != "ppp" {
		for _, o := range opts {
			if o.key != "address" {
				continue
			}
			p, err := netip.ParsePrefix(o.value)
			if err != nil {
				a, aerr := netip.ParseAddr(o.value)
				if aerr != nil {
					continue
				}
				p = netip.PrefixFrom(a, a.BitLen())
			}
			s.k.AddAddr(routecmd.Addr{Dev: name, Label: name, Prefix: p})
		}
	}
	metric, vrf := "", ""
	for _, o := range opts {
		if o.key == "metric" && metric == "" {
			metric = o.value
		}
		if o.key == "vrf" && vrf == "" {
			vrf = strings.TrimSpace(o.value)
		}
	}
	for _, o := range opts {
		if o.key != "gateway" || o.value == "" {
			continue
		}
		cmd := "ip route add default via " + o.value + " proto kernel"
		if metric != "" {
			cmd += " metric " + metric
		}
		if vrf != "" {
			cmd += " table " + vrf // the vrf's table, not main (docs/dialects.md section 1.9)
		}
		cmd += " dev " + name + " onlink"
		op, _ := routecmd.Command(strings.Fields(cmd))
		mark := len(s.k.Changes)
		err := s.k.Apply(op)
		var from []*parser.Opt
		if o.opt != nil {
			from = []*parser.Opt{o.opt}
		}
		r := s.res.Stanzas[o.st]
		q := s.record(o.st, r, from, false, []routecmd.Op{op}, []error{err}, mark)
		switch {
		case err == nil:
		case errors.Is(err, routecmd.ErrExist):
			if q != nil {
				q.Silent = true // ignore_error: the text contains "exists"
			}
		default:
			return "its gateway route fails: " + cmd + ": " + err.Error()
		}
	}
	return ""
}
