package bringup

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/ifacefix/ifacefix/internal/routecmd"
	"github.com/ifacefix/ifacefix/parser"
)

// ifupdown-ng 0.11.3 (docs/dialects.md 2.8): `ifup -a` brings up the auto interfaces in the order
// the parser first met them (lo first) and stops at the first that fails. An interface is all
// the lines naming it (parser.Interface); its executors (the `use` entries, link first) run in
// each phase (create, pre-up, up, post-up), then the commands whose key is the phase's name.
// Executor failures are ignored (0.11): the static executor's `ip route add` that fails with
// EEXIST is printed and the interface still comes up; a failing command fails the interface. The
// static executor adds every address (no label: `dev eth0:0` is eth0), then for every gateway
// `ip -4|-6 route add default via GW metric ${IF_METRIC:-1} dev IFACE`, IF_METRIC being the
// interface's last metric, so a gateway in an `inet dhcp` stanza is installed too.

// ngEntry is one entry of an interface's vars as ifupdown-ng keeps them (lif_dict, in order).
type ngEntry struct {
	key, value string
	opt        *parser.Opt    // the line it came from; nil for an entry the program adds
	at         *parser.Stanza // the segment being read when it was added
	addr       netip.Addr     // address entries
	bits       int            // address entries: the prefix length, 0 when not given
}

// ngIface is one interface with its vars.
type ngIface struct {
	it   *parser.Interface
	vars []ngEntry
	// dependFails says why one of its executors fails the depend phase (ngDependFails), "" when
	// none does; ngDepends sets it.
	dependFails string
}

func (x *ngIface) has(key, value string) bool {
	return slices.ContainsFunc(x.vars, func(e ngEntry) bool { return e.key == key && e.value == value })
}

// use is lif_interface_use_executor: a `use` entry once; dhcp also adds dhcp-hostname (the
// machine's name, written HOSTNAME here) every time.
func (x *ngIface) use(exec string, at *parser.Stanza) {
	if !x.has("use", exec) {
		x.vars = append(x.vars, ngEntry{key: "use", value: exec, at: at})
	}
	if exec == "dhcp" {
		x.vars = append(x.vars, ngEntry{key: "dhcp-hostname", value: "HOSTNAME", at: at})
	}
}

// dynamic reports whether the interface learns addresses at run time (dhcp, ipv6-ra).
func (x *ngIface) dynamic() bool { return x.has("use", "dhcp") || x.has("use", "ipv6-ra") }

// last returns the value of the last entry of key, or "".
func (x *ngIface) last(key string) string {
	v := ""
	for _, e := range x.vars {
		if e.key == key {
			v = e.value
		}
	}
	return v
}

// envVar is what an executor finds in IF_KEY: the last entry whose key is KEY in any case, with
// '-' or '_' ("vlan_id" and "vlan-id" are both IF_VLAN_ID), as build_environment names them.
func (x *ngIface) envVar(key string) string {
	name := func(k string) string { return strings.ToUpper(strings.ReplaceAll(k, "-", "_")) }
	v, want := "", name(key)
	for _, e := range x.vars {
		if name(e.key) == want {
			v = e.value
		}
	}
	return v
}

// netmask is determine_interface_netmask: the first netmask entry's bits, else /24 or /64.
func (x *ngIface) netmask(v6 bool) int {
	for _, e := range x.vars {
		if e.key == "netmask" {
			return ngMaskBits(e.value)
		}
	}
	if v6 {
		return 64
	}
	return 24
}

// ngMaskBits is count_set_bits: a prefix length, or the bits of a dotted quad counted from
// the right (0 when it does not parse).
func ngMaskBits(s string) int {
	if !strings.Contains(s, ".") {
		return int(strtol(s))
	}
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		return 0
	}
	b := a.As4()
	bits := ^(uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]))
	r := 32
	for ; bits != 0; bits >>= 1 {
		r--
	}
	return r
}

// strtol is C's strtol(s, NULL, 10) clipped to an int's range.
func strtol(s string) int64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var n int64
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if n < 1<<40 {
			n = n*10 + int64(s[i]-'0')
		}
	}
	if neg {
		n = -n
	}
	return n
}

// cidr is lif_address_format_cidr: the address with its prefix, or the interface's netmask.
func (x *ngIface) cidr(e ngEntry) netip.Prefix {
	bits := e.bits
	if bits == 0 {
		bits = x.netmask(e.addr.Is6())
	}
	if bits < 0 || bits > e.addr.BitLen() {
		bits = e.addr.BitLen() // the kernel refuses it; the model keeps the address
	}
	return netip.PrefixFrom(e.addr, bits)
}

func firstToken(s string) string {
	f := strings.FieldsFunc(s, func(r rune) bool { return r < 0x80 && isCSpace(byte(r)) })
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// ngRead builds every interface's vars as ifupdown-ng's parser does (interface-file.c), from the
// configuration changed by ed, in the order of cfg.Interfaces.
func ngRead(cfg *parser.Config, ed Edits) []*ngIface {
	byName := map[string]*ngIface{}
	var out []*ngIface
	get := func(it *parser.Interface, name string) *ngIface {
		if x := byName[name]; x != nil {
			return x
		}
		x := &ngIface{it: it}
		x.vars = append(x.vars, ngEntry{key: "use", value: "link"})
		if strings.Contains(name, ".") {
			x.vars = append(x.vars, ngEntry{key: "use", value: "vlan"})
		}
		if name == "lo" {
			x.vars = append(x.vars, ngEntry{key: "use", value: "loopback"})
		}
		byName[name] = x
		return x
	}
	for _, it := range cfg.Interfaces {
		out = append(out, get(it, it.Name))
	}
	lookup := func(name string) *ngIface {
		if x := byName[name]; x != nil {
			return x
		}
		x := get(&parser.Interface{Name: name}, name)
		out = append(out, x)
		return x
	}
	inherit := func(x *ngIface, name string, at *parser.Stanza) {
		if name == "" {
			return
		}
		p := lookup(name)
		x.vars = append(x.vars, ngEntry{key: "inherit", value: name, at: at})
		for _, e := range slices.Clone(p.vars) {
			if e.key == "address" || !x.has(e.key, e.value) {
				e.at = at
				x.vars = append(x.vars, e)
			}
		}
	}
	apply := func(x *ngIface, name, value string, o *parser.Opt, at *parser.Stanza) {
		w := firstToken(value)
		switch name {
		case "address":
			a, bits, ok := ngAddress(w)
			if !ok {
				return // lif_address_parse failed: dropped silently
			}
			x.use("static", at)
			x.vars = append(x.vars, ngEntry{key: "address", value: w, opt: o, at: at, addr: a, bits: bits})
		case "gateway":
			x.use("static", at)
			x.vars = append(x.vars, ngEntry{key: "gateway", value: w, opt: o, at: at})
		case "use":
			x.use(w, at)
		case "inherit":
			inherit(x, w, at)
		case "hostname", "dhcp-hostname":
			if i := slices.IndexFunc(x.vars, func(e ngEntry) bool { return e.key == "dhcp-hostname" }); i >= 0 {
				x.vars = slices.Delete(x.vars, i, i+1)
			}
			x.vars = append(x.vars, ngEntry{key: "dhcp-hostname", value: w, opt: o, at: at})
		default:
			key := parser.NGKey(name)
			x.vars = append(x.vars, ngEntry{key: key, value: strings.TrimLeft(value, " \t\n\v\f\r"), opt: o, at: at})
			if i := strings.IndexByte(key, '-'); i >= 0 {
				x.use(key[:i], at)
			}
		}
	}
	// finalize is lif_interface_finalize: prefixes for the addresses without one, and the first
	// netmask entry goes.
	finalize := func(x *ngIface) {
		for i, e := range x.vars {
			if e.key == "address" && e.bits == 0 {
				x.vars[i].bits = x.netmask(e.addr.Is6())
			}
		}
		if i := slices.IndexFunc(x.vars, func(e ngEntry) bool { return e.key == "netmask" }); i >= 0 {
			x.vars = slices.Delete(x.vars, i, i+1)
		}
	}
	own := map[*ngIface]int{} // own option lines read
	fin := map[*ngIface]int{} // finalizations made
	finalizeDue := func(x *ngIface) {
		for ; fin[x] < len(x.it.Finals) && x.it.Finals[fin[x]] <= own[x]; fin[x]++ {
			finalize(x)
		}
	}
	for _, s := range cfg.Stanzas {
		x := lookup(s.Name)
		finalizeDue(x)
		if h := s.HeaderLine(); h.Kind == parser.Iface {
			words := strings.Fields(h.Rest)
			for i := 1; i < len(words); i++ {
				switch words[i] {
				case "dhcp", "ppp":
					x.use(words[i], s)
				case "inherits":
					if i+1 < len(words) {
						inherit(x, words[i+1], s)
					}
				}
			}
		}
		for _, o := range s.Options {
			if !ed.Removed[o] {
				apply(x, o.Name, o.Value, o, s)
			}
			own[x]++
		}
		for _, a := range ed.Added[s] {
			apply(x, a.Name, a.Value, nil, s)
		}
	}
	for _, x := range out {
		finalizeDue(x)
	}
	ngDepends(&out, lookup)
	ngBridgeVLANs(&out, lookup)
	return out
}

// ngDepends is lif_lifecycle_count_rdepends (lifecycle.c): each interface's requires entry is
// rewritten with its words once each (a word inside one already there counts, strstr), the
// interfaces it names are created if missing, and the collection is reordered by dependency
// depth, depth 0 first, stable.
// lookup returns the interface of a name, created and appended to *out if missing.
func ngDepends(out *[]*ngIface, lookup func(string) *ngIface) {
	depth := map[*ngIface]int{}
	pending := map[*ngIface]bool{}
	var visit func(x *ngIface, d int)
	visit = func(x *ngIface, d int) {
		if pending[x] {
			return
		}
		// lif_lifecycle_query_dependents: the executors' depend output joins the requires entry
		// (red-team pass 6, live: a VLAN's raw device, a bridge's ports come up after the
		// interfaces nothing depends on).
		i := slices.IndexFunc(x.vars, func(e ngEntry) bool { return e.key == "requires" })
		deps, fails := ngExecutorDeps(x)
		x.dependFails = fails
		if deps != "" {
			if i < 0 {
				x.vars = append(x.vars, ngEntry{key: "requires"})
				i = len(x.vars) - 1
			}
			x.vars[i].value += " " + deps
		}
		var words []string
		if i >= 0 {
			final := ""
			for _, w := range strings.Fields(x.vars[i].value) {
				if strings.Contains(final, w) {
					continue
				}
				final += w + " "
				words = append(words, w)
			}
			x.vars[i].value = final
		}
		pending[x], depth[x] = true, d
		for _, w := range words {
			visit(lookup(w), d+1)
		}
		pending[x] = false
	}
	for i := 0; i < len(*out); i++ { // lookup appends while this runs, as the program's list grows
		x := (*out)[i]
		visit(x, depth[x])
	}
	slices.SortStableFunc(*out, func(a, b *ngIface) int { return depth[a] - depth[b] })
}

// ngExecutorDeps is what the interface's executors print in their depend phase
// (/usr/libexec/ifupdown-ng of 0.11.3): link a VLAN's raw device or a veth's peer, bridge its
// ports (a bridge of `bridge-ports all`: every port the host has, which fails reports), bond its
// members, and the lower devices of vrf, gre, tunnel, ppp, batman and vxlan; fails is
// ngDependFails's of the first executor that exits non-zero (or whose output the host decides).
func ngExecutorDeps(x *ngIface) (deps, fails string) {
	v := x.envVar
	var out []string
	for _, e := range x.vars {
		if e.key != "use" {
			continue
		}
		if f := ngDependFails(x, e.value); f != "" && fails == "" {
			fails = f
		}
		switch e.value {
		case "link":
			if raw, ok := ngVLANRaw(x.it.Name, v("vlan-raw-device"), v("vlan-id")); ok {
				out = append(out, raw)
			} else if v("link-type") == "veth" && v("veth-peer-name") != "" {
				out = append(out, v("veth-peer-name"))
			}
		case "bridge":
			if p := v("bridge-ports"); p != "" && p != "none" && p != "all" {
				out = append(out, p)
			}
		default:
			for _, k := range ngLowerKeys[e.value] {
				out = append(out, v(k))
			}
		}
	}
	return strings.TrimSpace(strings.Join(out, " ")), fails
}

// ngLowerKeys are the options whose values the other executors print in their depend phase.
var ngLowerKeys = map[string][]string{
	"bond": {"bond-members"}, "vrf": {"vrf-member"}, "gre": {"gre-dev"}, "tunnel": {"tunnel-dev", "tunnel-local-dev"},
	"ppp": {"ppp-physdev"}, "batman": {"batman-ifaces"}, "vxlan": {"vxlan-physdev"},
}

// ngDependFails says why executor exec of x exits non-zero in its depend phase (its checks before
// it looks at the phase), or that the host decides it, "" when it exits 0. ifupdown-ng then finds
// its dependency graph broken and brings nothing up ("could not validate dependency tree", checked
// with the real ifquery: an `inet6 6to4` stanza with only `local` does it).
func ngDependFails(x *ngIface, exec string) string {
	v := x.envVar
	switch {
	case exec == "tunnel" && (v("tunnel-local") == "" && v("tunnel-local-dev") == "" || v("tunnel-remote") == "" || v("tunnel-mode") == ""):
		return "its tunnel executor exits 1 without tunnel-local (or -local-dev), tunnel-remote and tunnel-mode"
	case exec == "gre" && (v("gre-local") == "" || v("gre-remote") == ""):
		return "its gre executor exits 1 without gre-local and gre-remote"
	case exec == "batman":
		return "its batman executor exits 1 where the host has no batctl"
	case exec == "wifi" && v("wifi-config-path") != "" && v("wifi-ssid") != "":
		return "its wifi executor exits 1 with both wifi-config-path and wifi-ssid"
	case exec == "bridge" && v("bridge-ports") == "all":
		return "its bridge's ports are every port the host has (bridge-ports all)"
	}
	return ""
}

// ngVLANRaw is the link executor's is_vlan: the raw device of a VLAN interface.
func ngVLANRaw(name, rawDevice, id string) (string, bool) {
	switch {
	case strings.ContainsAny(name, "#:"):
		return "", false
	case strings.HasPrefix(name, "vlan") && strings.Contains(name, "."):
		return "", false
	case strings.HasPrefix(name, "vlan"):
		return rawDevice, rawDevice != ""
	case strings.Contains(name, "."):
		return name[:strings.LastIndexByte(name, '.')], true
	}
	return rawDevice, id != "" && rawDevice != ""
}

// ngBridgeVLANs is compat_ifupdown2_bridge_ports_inherit_vlans (compat.c, on by default): every
// bridge's first bridge-pvid and bridge-vids go to each of its first bridge-ports' interfaces
// (created if missing) that has none of its own.
func ngBridgeVLANs(out *[]*ngIface, lookup func(string) *ngIface) {
	first := func(x *ngIface, key string) *ngEntry {
		if i := slices.IndexFunc(x.vars, func(e ngEntry) bool { return e.key == key }); i >= 0 {
			return &x.vars[i]
		}
		return nil
	}
	for i := 0; i < len(*out); i++ {
		br := (*out)[i]
		if !br.has("use", "bridge") && first(br, "bridge-ports") == nil {
			continue
		}
		pvid, vids, ports := first(br, "bridge-pvid"), first(br, "bridge-vids"), first(br, "bridge-ports")
		if pvid == nil && vids == nil || ports == nil || ports.value == "none" {
			continue
		}
		pv, vv := pvid, vids
		for _, w := range strings.Fields(ports.value) {
			port := lookup(w)
			if pv != nil && first(port, "bridge-pvid") == nil {
				port.vars = append(port.vars, ngEntry{key: "bridge-pvid", value: pv.value})
			}
			if vv != nil && first(port, "bridge-vids") == nil {
				port.vars = append(port.vars, ngEntry{key: "bridge-vids", value: vv.value})
			}
		}
	}
}

// ngAddress is lif_address_parse: IPv6 when it contains ':', a prefix after the last '/'
// (strtol), the rest through inet_pton.
func ngAddress(w string) (netip.Addr, int, bool) {
	v6 := strings.Contains(w, ":")
	bits := 0
	if i := strings.LastIndexByte(w, '/'); i >= 0 {
		bits = int(strtol(w[i+1:]))
		w = w[:i]
	}
	if strings.Contains(w, "%") {
		return netip.Addr{}, 0, false // inet_pton takes no zone
	}
	a, err := netip.ParseAddr(w)
	if err != nil || a.Is6() != v6 {
		return netip.Addr{}, 0, false
	}
	return a, bits, true
}

// NGInterface is one interface as `ifparse -A` prints it: a header ("iface NAME" or "template
// NAME", then " auto" when auto) and its vars as "KEY VALUE" lines (addresses in CIDR form).
type NGInterface struct {
	Header string
	Lines  []string
}

// NGParsed returns what ifupdown-ng 0.11.3's `ifparse -A` prints for cfg (read with
// parser.IfupdownNG), dhcp-hostname's value written HOSTNAME.
func NGParsed(cfg *parser.Config) []NGInterface {
	var out []NGInterface
	for _, x := range ngRead(cfg, Edits{}) {
		h := "iface " + x.it.Name
		if x.it.Template {
			h = "template " + x.it.Name
		}
		if x.it.Auto {
			h += " auto"
		}
		ni := NGInterface{Header: h}
		for _, e := range x.vars {
			v := e.value
			if e.key == "address" {
				v = e.addr.String() // lif_address_unparse: the prefix only when set (finalized)
				if e.bits != 0 {
					v += "/" + strconv.Itoa(e.bits)
				}
			}
			ni.Lines = append(ni.Lines, e.key+" "+v)
		}
		out = append(out, ni)
	}
	return out
}

// ngSim is the bring-up state of ifupdown-ng.
type ngSim struct {
	*sim
	ifs     []*ngIface
	byName  map[string]*ngIface
	pending map[string]bool // interfaces whose dependencies are being brought up
}

// simulateNG is Simulate for ifupdown-ng 0.11.3.
func simulateNG(cfg *parser.Config, ed Edits) *Result {
	s := &ngSim{sim: &sim{cfg: cfg, ed: ed, k: &routecmd.Kernel{AnyLink: true, Up: map[string]bool{}}, up: map[string]bool{}, tried: map[string]bool{}, addrs: map[addrKey]bool{},
		res: &Result{Stanzas: map[*parser.Stanza]*Stanza{}, Holder: map[routecmd.Route]*Request{}}}, byName: map[string]*ngIface{}, pending: map[string]bool{}}
	s.bring = func(n string, ph Phase) { s.ifup(n, ph) }
	s.ifs = ngRead(cfg, ed)
	for _, x := range s.ifs {
		if x.dependFails != "" {
			s.res.BootUnknown = "ifupdown-ng asks each interface's executors what it depends on before it brings anything up, and for " + x.it.Name + " " + x.dependFails
			break
		}
	}
	var names []string
	for _, x := range s.ifs {
		s.byName[x.it.Name] = x
		for _, st := range x.it.Stanzas {
			s.res.Stanzas[st] = &Stanza{}
		}
		if len(x.it.Stanzas) > 0 && !x.it.Template {
			names = append(names, x.it.Name)
		}
	}
	if s.res.BootUnknown != "" {
		// "could not validate dependency tree": ifup brings nothing up, at boot or by hand.
		for _, r := range s.res.Stanzas {
			r.Why = "ifupdown-ng finds its dependency graph broken and brings nothing up"
		}
		s.res.BootHolder = map[routecmd.Route]*Request{}
		return s.res
	}
	for _, x := range s.ifs {
		auto := x.it.Auto || ed.Auto[x.it.Name] && !x.it.Template
		if auto && !s.ifup(x.it.Name, Boot) {
			break // ifup -a stops at the first interface that fails
		}
	}
	s.res.Boot = s.k.Routes()
	s.res.BootHolder = make(map[routecmd.Route]*Request, len(s.res.Holder))
	for r, q := range s.res.Holder {
		s.res.BootHolder[r] = q
	}
	s.later(names)
	return s.res
}

// ifup brings one interface up (lif_lifecycle_run); it returns false when it fails.
func (s *ngSim) ifup(name string, phase Phase) bool {
	x := s.byName[name]
	if s.pending[name] {
		return true // a dependency loop: lif_lifecycle_run returns at once for a pending interface
	}
	if x == nil || s.tried[name] {
		return x == nil || s.up[name]
	}
	s.tried[name] = true
	s.upNow = append(s.upNow, name)
	segs := x.it.Stanzas
	res := func(st *parser.Stanza) *Stanza {
		if st == nil {
			if len(segs) == 0 {
				return &Stanza{}
			}
			st = segs[0]
		}
		if r := s.res.Stanzas[st]; r != nil {
			return r
		}
		return s.res.Stanzas[segs[0]]
	}
	fail := func(why string, at *parser.Opt) bool {
		for _, st := range segs {
			r := s.res.Stanzas[st]
			r.Why, r.At = why, at
		}
		return false
	}
	for _, st := range segs {
		r := s.res.Stanzas[st]
		r.Phase = phase
		r.seen(s.k)
	}
	if x.it.Template {
		return fail("it is a template (ifupdown-ng: cannot change state on a template interface)", nil)
	}
	// Its requires go up first (handle_dependents); one that fails fails it.
	s.pending[name] = true
	defer delete(s.pending, name)
	for _, e := range x.vars {
		if e.key != "requires" {
			continue
		}
		for _, w := range strings.Fields(e.value) {
			if d := s.byName[w]; d != nil && d != x && !s.ifup(w, phase) {
				return fail("the interface it requires, "+w+", does not come up", nil)
			}
		}
		break
	}
	dev := base(name)
	var execs []string
	for _, e := range x.vars {
		if e.key == "use" {
			execs = append(execs, e.value)
		}
	}
	for _, st := range segs {
		r := s.res.Stanzas[st]
		r.Dynamic = x.dynamic()
		if slices.Contains(execs, "ppp") {
			r.Unknown = "pppd, which may add a default route"
			s.remover(st, r, "its ppp executor", EitherFamily)
		}
		if x.last("point-to-point") != "" && r.Unknown == "" { // pointopoint, as ifupdown-ng renames it
			r.Unknown = "a pointopoint address (its route is to the peer alone), not modelled for ifupdown-ng"
		}
	}
	env := s.env(x, name)
	for _, ph := range []string{"create", "pre-up", "up", "post-up"} {
		env["PHASE"] = ph
		if ph == "up" {
			for _, ex := range execs {
				switch ex {
				case "link":
					s.linkUp(dev)
					s.ngLink(x, segs, dev)
				case "static":
					s.static(x, dev, res)
				}
			}
		}
		for _, e := range x.vars {
			if e.key != ph || e.opt == nil {
				continue // a command always comes from a line
			}
			st := e.at
			if e.opt != nil && e.opt.Stanza.Name == name {
				st = e.opt.Stanza
			}
			if st == nil || s.res.Stanzas[st] == nil {
				continue
			}
			if !s.runCommand(st, s.res.Stanzas[st], env, cmd{phase: ph, value: e.value, opt: e.opt}) {
				r := s.res.Stanzas[st]
				return fail(r.Why, r.At)
			}
		}
	}
	for _, st := range segs {
		s.res.Stanzas[st].Up = true
	}
	s.up[name] = true
	return true
}

// env is build_environment's: IFACE, PHASE, MODE, METHOD, IF_<KEY> for every entry (the last of
// a key wins in the shell), IF_ADDRESSES and IF_GATEWAYS.
func (s *ngSim) env(x *ngIface, name string) routecmd.Env {
	env := routecmd.Env{"IFACE": name, "MODE": "start", "METHOD": "none",
		"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	var addrs, gws []string
	for _, e := range x.vars {
		v := e.value
		switch e.key {
		case "address":
			v = x.cidr(e).String()
			addrs = append(addrs, v)
		case "gateway":
			gws = append(gws, v)
		}
		env["IF_"+strings.ReplaceAll(strings.ToUpper(e.key), "-", "_")] = v
	}
	if len(addrs) > 0 {
		env["IF_ADDRESSES"] = strings.Join(addrs, " ") + " "
	}
	if len(gws) > 0 {
		env["IF_GATEWAYS"] = strings.Join(gws, " ") + " "
	}
	return env
}

// static is the static executor's up phase (executor-scripts/linux/static): every address, then
// every gateway; its failures are ignored (0.11.3).
func (s *ngSim) static(x *ngIface, dev string, res func(*parser.Stanza) *Stanza) {
	for _, e := range x.vars {
		if e.key != "address" {
			continue
		}
		p := x.cidr(e)
		ak := addrKey{dev, p.Addr(), 0}
		if p.Addr().Is4() {
			ak.bits = p.Bits()
		}
		if s.addrs[ak] {
			continue // ip addr add: File exists, ignored
		}
		s.addrs[ak] = true
		s.k.AddAddr(routecmd.Addr{Dev: dev, Prefix: p})
	}
	metric := x.last("metric")
	if metric == "" {
		metric = "1"
	}
	var extra []string
	if t := x.last("vrf-table"); t != "" {
		extra = append(extra, "table", t)
	}
	if v := x.last("vrf-member"); v != "" {
		extra = []string{"vrf", v}
	}
	for _, e := range x.vars {
		if e.key != "gateway" {
			continue
		}
		fam := ngFamily(e.value)
		if fam == "" {
			continue // addr_family exits 1: `ip "" route add ...` fails, ignored
		}
		argv := append([]string{"ip", fam, "route", "add", "default", "via", e.value}, extra...)
		argv = append(argv, "metric")
		argv = append(argv, strings.Fields(metric)...)
		argv = append(argv, "dev", dev)
		op, isRoute := routecmd.Command(argv)
		mark := len(s.k.Changes)
		var errs []error
		if isRoute {
			n := len(s.k.Addrs)
			if gw, err := netip.ParseAddr(e.value); err == nil && x.dynamic() {
				// DHCP (run before) gives an address known only at run time: the model takes
				// the gateway as on its network.
				s.k.AddAddr(routecmd.Addr{Dev: dev, Prefix: netip.PrefixFrom(gw, gw.BitLen())})
			}
			errs = []error{s.k.Apply(op)}
			s.k.TrimAddrs(n)
		}
		st := e.at
		if e.opt != nil && e.opt.Stanza.Name == x.it.Name {
			st = e.opt.Stanza
		}
		if st == nil || s.res.Stanzas[st] == nil {
			continue
		}
		s.record(st, res(st), []*parser.Opt{e.opt}, false, []routecmd.Op{op}, errs, mark)
	}
}

// ngFamily is the static executor's addr_family: "-4" when the value has a digit, a dot and a
// digit, "-6" when it has a colon and a hex digit, else "" (the executor's ip command fails).
func ngFamily(v string) string {
	for i := 0; i+2 < len(v); i++ {
		if isDigit(v[i]) && v[i+1] == '.' && isDigit(v[i+2]) {
			return "-4"
		}
	}
	for i := 0; i+1 < len(v); i++ {
		if v[i] == ':' && strings.IndexByte("0123456789abcdefABCDEF", v[i+1]) >= 0 {
			return "-6"
		}
	}
	return ""
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// ngLink marks the interface's stanzas when its link executor sets an mtu or hardware address
// whose success only the host decides (hostLink): where the device refuses it, ifupdown-ng leaves
// the link down and its routes fail (checked live: `mtu 99999` on veth), so the requests after it
// run on faith (Request.After).
func (s *sim) ngLink(x *ngIface, segs []*parser.Stanza, dev string) {
	v := &vars{}
	for _, key := range []string{"mtu", "hwaddress"} {
		if val := x.last(key); val != "" {
			v.list = append(v.list, variable{name: key, value: val})
		}
	}
	l := hostLink(dev, v, method{link: mtuAndAddress})
	for _, st := range segs {
		if r := s.res.Stanzas[st]; r != nil {
			r.onHost(l)
		}
	}
}
