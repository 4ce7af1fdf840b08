package bringup

import (
	"errors"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/ifacefix/ifacefix/internal/routecmd"
	"github.com/ifacefix/ifacefix/parser"
)

// busybox 1.35's ifup (networking/ifupdown.c, Debian's busybox-static: FEATURE_IFUPDOWN_IP,
// udhcpc; docs/dialects.md section 3.3) differs from ifupdown 0.8.41 where routes are decided:
//   - ifup -a brings up the auto names in order (there is no allow-hotplug class); each target
//     configures every stanza of its exact name in file order, and a stanza that fails does not
//     stop the next one; a target is recorded as up only when all its stanzas succeeded;
//   - a stanza is refused before anything runs when its method's commands name a variable it
//     lacks outside [[ ]] ("don't have all variables"): inet static needs address and netmask
//     (dotted; busybox knows no CIDR), inet6 static address and netmask;
//   - the method's commands all run even after one failed (the stanza then fails, and its up
//     commands are not run);
//   - the gateway routes are `ip route add default via GW dev IF[ metric M]` and `ip route add
//     ::/0 via GW dev IF[ metric M]`: no onlink, so the gateway must be on a connected network,
//     and a second same-metric default fails with File exists in both families; an inet6 metric
//     without a gateway is run as the command " metric M", which fails;
//   - inet dhcp runs udhcpc and ignores gateway.

// bbMethods are the method templates of busybox's ifupdown.c, in the order it runs them.
var bbMethods = map[string][]string{
	"inet static": {
		"ip addr add %address%/%bnmask%[[ broadcast %broadcast%]] dev %iface%[[ peer %pointopoint%]][[ label %label%]]",
		"ip link set[[ mtu %mtu%]][[ addr %hwaddress%]] %iface% up",
		"[[ip route add default via %gateway% dev %iface%[[ metric %metric%]]]]"},
	"inet loopback": {"ip addr add 127.0.0.1/8 dev %iface%", "ip link set %iface% up"},
	"inet manual":   nil,
	"inet dhcp": {"ip link set[[ addr %hwaddress%]] %iface% up",
		"udhcpc -R -n -p /var/run/udhcpc.%iface%.pid -i %iface%[[ -x hostname:%hostname%]][[ -c %client%]][[ -s %script%]][[ %udhcpc_opts%]]"},
	"inet bootp":  {"bootpc[[ --bootfile %bootfile%]] --dev %iface%[[ --server %server%]][[ --hwaddr %hwaddr%]] --returniffail --serverbcast"},
	"inet ppp":    {"pon[[ %provider%]]"},
	"inet wvdial": {"start-stop-daemon --start -x wvdial -p /var/run/wvdial.%iface% -b -m --[[ %provider%]]"},
	"inet6 static": {
		"ip addr add %address%/%netmask% dev %iface%[[ label %label%]]",
		"ip link set[[ mtu %mtu%]][[ addr %hwaddress%]] %iface% up",
		"[[ip route add ::/0 via %gateway% dev %iface%]][[ metric %metric%]]"},
	"inet6 manual":   nil,
	"inet6 loopback": {"ip addr add ::1 dev %iface%", "ip link set %iface% up"},
	"inet6 v4tunnel": {
		"ip tunnel add %iface% mode sit remote %endpoint%[[ local %local%]][[ ttl %ttl%]]",
		"ip link set %iface% up",
		"ip addr add %address%/%netmask% dev %iface%",
		"[[ip route add ::/0 via %gateway% dev %iface%]]"},
	"link none": nil,
}

// bbUnknown are the methods whose programs may add a default route the model cannot know.
var bbUnknown = map[string]string{
	"inet bootp":  "bootpc, which may set a default route",
	"inet ppp":    "pppd, which may add a default route",
	"inet wvdial": "pppd, which may add a default route",
}

const bbMaxDepth = 10 // MAX_OPT_DEPTH

// bbParse is busybox's parse(): it fills a template's %var% from get, drops a [[ ]] group with
// an unknown variable, and takes "\" as an escape. missing is the first unknown variable outside
// every group ("" when the command can run). A %bnmask% busybox takes from a netmask option, as
// its bit count: whatever inet_aton cannot read or is no mask gives 4294967295 (count_netmask_bits
// returns -1 into an unsigned), and only 0.0.0.0 counts as missing.
func bbParse(tmpl string, get func(string) (string, bool)) (out, missing string) {
	var b strings.Builder
	oldPos := [bbMaxDepth]int{}
	okay := [bbMaxDepth]bool{true}
	first := [bbMaxDepth]string{}
	depth := 1
	for i := 0; i < len(tmpl); {
		c := tmpl[i]
		switch {
		case c == '\\':
			if i+1 < len(tmpl) {
				i++
			}
			b.WriteByte(tmpl[i])
			i++
		case c == '[' && i+1 < len(tmpl) && tmpl[i+1] == '[' && depth < bbMaxDepth:
			oldPos[depth], okay[depth], first[depth] = b.Len(), true, ""
			depth++
			i += 2
		case c == ']' && i+1 < len(tmpl) && tmpl[i+1] == ']' && depth > 1:
			depth--
			if !okay[depth] {
				s := b.String()[:oldPos[depth]]
				b.Reset()
				b.WriteString(s)
			}
			i += 2
		case c == '%':
			j := strings.IndexByte(tmpl[i+1:], '%')
			if j < 0 {
				return "", tmpl[i:]
			}
			name := tmpl[i+1 : i+1+j]
			i += j + 2
			if v, ok := get(name); ok {
				if strings.HasPrefix(name, "hwaddress") {
					v = trimLeftBB(skipNonSpace(v)) // ip wants no class word
				}
				b.WriteString(v)
				continue
			}
			if name == "bnmask" {
				if nm, ok := get("netmask"); ok {
					if n := netmaskBits(nm); n != 0 {
						b.WriteString(strconv.FormatUint(uint64(n), 10))
						continue
					}
				}
			}
			okay[depth-1] = false
			if first[depth-1] == "" {
				first[depth-1] = name
			}
		default:
			b.WriteByte(c)
			i++
		}
	}
	if depth > 1 {
		return "", "[["
	}
	if !okay[0] {
		return "", first[0]
	}
	return b.String(), ""
}

func skipNonSpace(s string) string {
	i := 0
	for i < len(s) && !isCSpace(s[i]) {
		i++
	}
	return s[i:]
}

func trimLeftBB(s string) string {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	return s[i:]
}

func isCSpace(c byte) bool { return c == ' ' || c >= '\t' && c <= '\r' }

// netmaskBits is busybox's count_netmask_bits as its caller sees it (an unsigned): the prefix
// length of a dotted mask, 4294967295 for anything else; 0 for 0.0.0.0.
func netmaskBits(s string) uint32 {
	ip, ok := inetAton(s)
	if !ok {
		return 1<<32 - 1
	}
	d := ^ip
	if d&(d+1) != 0 {
		return 1<<32 - 1
	}
	n := uint32(32)
	for ; d != 0; d >>= 1 {
		n--
	}
	return n
}

// inetAton is glibc's inet_aton: one to four numbers (decimal, 0octal, 0xhex), the last filling
// the remaining bytes, ended by the string's end or a blank.
func inetAton(s string) (uint32, bool) {
	var parts []uint64
	i := 0
	for {
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		base, j := uint64(10), i
		if s[j] == '0' {
			base = 8
			j++
			if j < len(s) && (s[j] == 'x' || s[j] == 'X') {
				base, j = 16, j+1
			}
		}
		var v uint64
		for ; j < len(s); j++ {
			d := uint64(255)
			switch c := s[j]; {
			case c >= '0' && c <= '9':
				d = uint64(c - '0')
			case c >= 'a' && c <= 'f':
				d = uint64(c-'a') + 10
			case c >= 'A' && c <= 'F':
				d = uint64(c-'A') + 10
			}
			if d >= base {
				break
			}
			v = v*base + d
			if v > 1<<32 {
				return 0, false
			}
		}
		parts = append(parts, v)
		i = j
		if i < len(s) && s[i] == '.' {
			if len(parts) == 4 {
				return 0, false
			}
			i++
			continue
		}
		break
	}
	if i < len(s) && !isCSpace(s[i]) {
		return 0, false
	}
	n := len(parts)
	var ip uint64
	for k, p := range parts[:n-1] {
		if p > 255 {
			return 0, false
		}
		ip |= p << (24 - 8*k)
	}
	if last := parts[n-1]; last >= 1<<(8*(5-n)) {
		return 0, false
	} else {
		ip |= last
	}
	return uint32(ip), true
}

// variablesBusybox returns the stanza's variables as busybox stores them: its own options in
// order under their exact names (gateway? is a variable "gateway?"; busybox has no inherits), a
// name's first value the one get_var finds, and the up/down commands apart (post-up as up,
// pre-down as down).
func (s *sim) variablesBusybox(st *parser.Stanza) *vars {
	if v := s.vars[st]; v != nil {
		return v
	}
	v := &vars{}
	add := func(name, value string, o *parser.Opt) {
		if v.command(name, value, o) || v.get(name) != nil {
			return
		}
		var from []*parser.Opt
		if o != nil {
			from = []*parser.Opt{o}
		}
		v.list = append(v.list, variable{name, value, from})
	}
	for _, o := range st.Options {
		if !s.ed.Removed[o] {
			add(o.Name, o.Value, o)
		}
	}
	for _, a := range s.ed.Added[st] {
		add(a.Name, a.Value, nil)
	}
	s.vars[st] = v
	return v
}

// bbGetter is busybox's get_var for stanza st brought up as iface: iface and label are that
// name, every other variable the first option of its name (busybox refuses repeated ones).
func bbGetter(v *vars, iface string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		if name == "iface" || name == "label" {
			return iface, true
		}
		if x := v.get(name); x != nil {
			return x.value, true
		}
		return "", false
	}
}

// bbMethodCommands returns the commands busybox's method runs for a stanza brought up as iface,
// or the first variable it lacks (then it runs nothing: "don't have all variables").
func bbMethodCommands(st *parser.Stanza, v *vars, iface string) (cmds []string, missing string) {
	get := bbGetter(v, iface)
	for _, t := range bbMethods[st.Family+" "+st.Method] {
		c, m := bbParse(t, get)
		if m != "" {
			return nil, m
		}
		if c != "" {
			cmds = append(cmds, c)
		}
	}
	return cmds, ""
}

// BusyboxDryRun is what `busybox ifup -n -v -a` prints on standard output for cfg (read with the
// busybox dialect), as blocks of lines, one block per auto name: for each stanza of that name
// that has all its variables, its pre-up commands, run-parts of if-pre-up.d, the method's
// commands and its up commands, then run-parts of if-up.d. Mappings are not run.
func BusyboxDryRun(cfg *parser.Config) [][]string {
	s := &sim{cfg: cfg, vars: map[*parser.Stanza]*vars{}}
	var blocks [][]string
	for _, sel := range cfg.Selections {
		if sel.Keyword != "auto" {
			continue
		}
		for _, n := range sel.Names {
			var block []string
			for _, st := range cfg.Stanzas {
				if st.Name != n {
					continue
				}
				v := s.variablesBusybox(st)
				cmds, missing := bbMethodCommands(st, v, n)
				if missing != "" {
					continue
				}
				for _, c := range v.cmds {
					if c.phase == "pre-up" {
						block = append(block, c.value)
					}
				}
				block = append(block, "run-parts /etc/network/if-pre-up.d")
				block = append(block, cmds...)
				for _, c := range v.cmds {
					if c.phase == "up" {
						block = append(block, c.value)
					}
				}
				block = append(block, "run-parts /etc/network/if-up.d")
			}
			blocks = append(blocks, block)
		}
	}
	return blocks
}

// simulateBusybox is Simulate for busybox 1.35's ifup.
func simulateBusybox(cfg *parser.Config, ed Edits) *Result {
	s := &sim{cfg: cfg, ed: ed, k: &routecmd.Kernel{AnyLink: true, Up: map[string]bool{}}, up: map[string]bool{}, tried: map[string]bool{}, addrs: map[addrKey]bool{}, byName: map[string][]*parser.Stanza{},
		vars: map[*parser.Stanza]*vars{}, bb: true,
		res: &Result{Stanzas: map[*parser.Stanza]*Stanza{}, Holder: map[routecmd.Route]*Request{}}}
	var names []string
	for _, st := range cfg.Stanzas {
		if s.byName[st.Name] == nil {
			names = append(names, st.Name)
		}
		s.byName[st.Name] = append(s.byName[st.Name], st)
		s.res.Stanzas[st] = &Stanza{}
	}
	for _, sel := range cfg.Selections {
		if sel.Keyword == "auto" {
			for _, n := range sel.Names {
				s.ifup(n, Boot)
			}
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

// ifupBusybox brings one target up as busybox does: every stanza of the name, each failure
// recorded, none stopping the next; the name counts as up only when all succeeded.
func (s *sim) ifupBusybox(name string, phase Phase) {
	if s.up[name] || s.tried[name] {
		return
	}
	ok := true
	for _, st := range s.byName[name] {
		r := s.res.Stanzas[st]
		if r.Phase != NotReached {
			continue
		}
		r.Phase = phase
		s.stanzaBusybox(st, r, name)
		ok = ok && r.Up
	}
	s.tried[name] = true
	s.upNow = append(s.upNow, name)
	if ok && len(s.byName[name]) > 0 {
		s.up[name] = true
	}
}

// stanzaBusybox is busybox's iface_up for one stanza.
func (s *sim) stanzaBusybox(st *parser.Stanza, r *Stanza, iface string) {
	r.seen(s.k)
	v := s.variablesBusybox(st)
	key := st.Family + " " + st.Method
	cmds, missing := bbMethodCommands(st, v, iface)
	if missing != "" {
		r.Why = "busybox lacks its " + missing + ": don't have all variables for " + iface + "/" + st.Family
		if missing == "bnmask" || missing == "netmask" {
			r.Why = "busybox needs a netmask line and reads no CIDR length in address: don't have all variables for " + iface + "/" + st.Family
		}
		return
	}
	if r.Unknown = bbUnknown[key]; r.Unknown != "" {
		s.remover(st, r, "its "+st.Method+" method", EitherFamily)
	}
	for _, c := range v.cmds {
		if c.phase == "pre-up" && !s.command(st, r, iface, v, c) {
			return
		}
	}
	failed := false
	for _, c := range cmds {
		if !s.bbRun(st, r, iface, v, c) {
			failed = true // busybox runs the method's other commands all the same
		}
	}
	if failed {
		return
	}
	for _, c := range v.cmds {
		if c.phase == "up" && !s.command(st, r, iface, v, c) {
			return
		}
	}
	r.Up = true
}

// bbRun runs one method command; it returns false when it fails. The first failure names r.Why.
func (s *sim) bbRun(st *parser.Stanza, r *Stanza, iface string, v *vars, c string) bool {
	fail := func(why string, at *parser.Opt) bool {
		if r.Why == "" {
			r.Why, r.At = why, at
		}
		return false
	}
	// busybox runs each command with /bin/sh -c: a word that starts with '#' (a mid-line comment
	// copied into a value: `gateway 192.0.2.1 # upstream router`) ends it, dropping what the
	// template put after the value (`dev eth0`, the metric).
	if i := shellComment(c); i >= 0 {
		c = c[:i]
	}
	argv := strings.Fields(c)
	dev := base(iface) // the kernel takes eth0:0 as eth0 (SIOCGIFINDEX drops the label)
	switch {
	case strings.HasPrefix(c, " metric "):
		var at *parser.Opt
		if m := v.get("metric"); m != nil && len(m.from) > 0 {
			at = m.from[0]
		}
		return fail("its metric without a gateway is run as the command `"+strings.TrimSpace(c)+"`, which fails", at)
	case strings.HasPrefix(c, "udhcpc "):
		r.Dynamic = true
	case len(argv) >= 2 && argv[0] == "ip" && len(iface) > routecmd.MaxNameLen && slices.Contains(argv, iface):
		return fail("its name is longer than 15 bytes, so ip finds no device "+strconv.Quote(iface), nil)
	case len(argv) >= 4 && argv[0] == "ip" && argv[1] == "addr" && argv[2] == "add":
		p, err := netip.ParsePrefix(argv[3])
		if err != nil || p.Addr().Is4() != (st.Family == "inet") {
			return fail("ip addr add "+argv[3]+" fails: not an address with a prefix length", nil)
		}
		if p.Addr().IsLoopback() {
			return true
		}
		ak := addrKey{dev, p.Addr(), 0}
		if p.Addr().Is4() {
			ak.bits = p.Bits()
		}
		if s.addrs[ak] {
			return fail("its address "+p.String()+" is already on "+dev+" (ip addr add: File exists)", nil)
		}
		s.addrs[ak] = true
		ad := routecmd.Addr{Dev: dev, Label: iface, Prefix: p}
		r.onHost(addrOptions(st.Family, iface, v, &ad)) // as 0.8's: broadcast, peer, scope
		r.markUnknown(prefixRouteDefault(p))
		s.k.AddAddr(ad)
	case len(argv) >= 3 && argv[0] == "ip" && argv[1] == "link" && argv[len(argv)-1] == "up":
		var m method // the settings its template filled in
		if i := slices.Index(argv, "mtu"); i >= 0 && i+1 < len(argv) {
			m.link = append(m.link, "mtu")
			r.markUnknown(ipv6Off(argv[i+1], dev))
		}
		if slices.Contains(argv, "addr") {
			m.link = append(m.link, "hwaddress")
		}
		if hostLink(iface, v, m) != "" {
			r.onHost(strings.Join(argv, " ")) // busybox's own command line
		}
		s.linkUp(dev)
	case len(argv) >= 3 && argv[0] == "ip" && argv[1] == "route" && argv[2] == "add":
		for i := range argv {
			if i > 0 && argv[i-1] == "dev" {
				argv[i] = dev
			}
		}
		gw := v.get("gateway")
		mark := len(s.k.Changes)
		op, isRoute := routecmd.Command(argv)
		var errs []error
		var err error
		if isRoute {
			err = s.k.Apply(op)
			errs = []error{err}
		}
		var from []*parser.Opt
		if gw != nil {
			from = gw.from
		}
		s.record(st, r, from, false, []routecmd.Op{op}, errs, mark)
		if err != nil {
			if errors.Is(err, routecmd.ErrExist) {
				return fail("its `ip route add` of the default route fails with 'File exists'", nil)
			}
			return fail("its gateway route fails: "+err.Error(), nil)
		}
	}
	return true
}

// shellComment returns the index of the '#' that starts a shell comment in c (a '#' at the start
// of a word), or -1.
func shellComment(c string) int {
	for i := 0; i < len(c); i++ {
		if c[i] == '#' && (i == 0 || c[i-1] == ' ' || c[i-1] == '\t' || c[i-1] == '\n') {
			return i
		}
	}
	return -1
}
