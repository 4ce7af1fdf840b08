// Package routesim predicts which default routes a host ends up with when Debian's ifupdown
// 0.8.41 brings its interfaces up at boot. It runs the command lines that `ifup -n -v` prints,
// in bring-up order, through a small shell (shell.go) against a model of what the Linux kernel
// does with them (this file): links that are up or down, IPv4/IPv6 addresses with labels, and
// routing tables with the kernel's insertion rules:
//
//   - `ip route add` sets NLM_F_EXCL: it fails ("File exists") when the table already holds a
//     route to the same prefix with the same metric, whatever its gateway;
//   - `ip route append` / `prepend`, and net-tools `route add` (the SIOCADDRT ioctl), fail only on
//     an identical route and otherwise add one more route with the same metric (after, or before,
//     the existing ones); net-tools maps an alias label (`dev eth0:0`) to that address as `src`;
//   - `ip route replace` / `change` replace the first route with the same prefix and metric,
//     unless an identical route is already there (a no-op when it is that first route, and
//     "File exists" otherwise);
//   - IPv6 routes with a gateway and the same metric form one multipath route (ECMP), the metric
//     0 means 1024, and net-tools' IPv6 routes get metric 1;
//   - a gateway without `onlink` must be inside a link-scope route (an address's subnet on a link
//     that is up, or a device route); with `onlink` the device must be up.
//
// DHCP clients and IPv6 autoconfiguration are modelled as dynamic default routes ("dhcp",
// "ra") that never conflict with the kernel routes. The model is checked against the real
// kernel by the live mode of e2e/differential_test.go and by the cases in routesim_test.go,
// which were recorded on Linux 6.18 with iproute2 6.1 and net-tools 2.10.
package routesim

import (
	"fmt"
	"net/netip"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Route is one kernel route, or a dynamic default route when Dynamic is set.
type Route struct {
	Family  int // 4 or 6
	Table   int
	Dst     netip.Prefix
	Via     netip.Addr // invalid: a device route
	Dev     string
	Src     netip.Addr
	Metric  int
	Onlink  bool
	Proto   string // "" is boot, the protocol ip and route use by default
	Dynamic string // "dhcp" (an IPv4 DHCP client) or "ra" (IPv6 router advertisements)
	Origin  string // the stanza that added it ("eth0:0 (inet)"), for reports; not part of Key
	Cmd     string // the command line (as ifup printed it) that added it; not part of Key
}

// Key is the route in a canonical text form, the same for the model and for the routes the live
// kernel lists (see ParseIPRoute): "inet default via 192.0.2.1 dev eth0 metric 0 table 254 onlink".
func (r Route) Key() string {
	fam := "inet"
	if r.Family == 6 {
		fam = "inet6"
	}
	if r.Dynamic != "" {
		return fmt.Sprintf("%s default dynamic %s dev %s", fam, r.Dynamic, r.Dev)
	}
	var b strings.Builder
	b.WriteString(fam + " ")
	if r.Dst.Bits() == 0 {
		b.WriteString("default")
	} else {
		b.WriteString(r.Dst.String())
	}
	if r.Via.IsValid() {
		b.WriteString(" via " + r.Via.String())
	}
	fmt.Fprintf(&b, " dev %s metric %d table %d", r.Dev, r.Metric, r.Table)
	if r.Src.IsValid() {
		b.WriteString(" src " + r.Src.String())
	}
	if r.Proto != "" {
		b.WriteString(" proto " + r.Proto)
	}
	if r.Onlink {
		b.WriteString(" onlink")
	}
	return b.String()
}

func (r Route) String() string {
	if r.Origin == "" {
		return r.Key()
	}
	return r.Key() + " (from " + r.Origin + ")"
}

type link struct {
	name    string
	up      bool
	created string // "tunnel", "vlan": made by a command, not by the test harness
}

type address struct {
	dev, label string
	p          netip.Prefix // the address with its prefix length
}

// Host is the modelled kernel plus ifupdown's record of which logical interfaces are up.
type Host struct {
	links   map[string]*link
	addrs   []address
	routes  []Route // kernel routes, in insertion order within each (family, table, prefix, metric)
	dynamic []Route
	up      map[string]bool
	origin  string
	cmd     string
	env     map[string]string // the variables ifupdown sets for the commands of a stanza
	lastErr string
	// deferJobs: background jobs wait in pending until ifup's next command has run
	deferJobs bool
	pending   []func()

	// Attempted holds the stanzas (Route.Origin labels) that started running commands.
	Attempted map[string]bool
	// Planned and Ran hold the commands of every stanza brought up, and those that ran, keyed
	// by Step(origin, command).
	Planned, Ran map[string]bool
	// Failed maps a logical name whose bring-up failed to the failing command's error.
	Failed map[string]string
	// ReplacedBy maps the Key of a route that a replace took away to the origin of the route
	// that took its place.
	ReplacedBy map[string]string
	// ReplacedWith maps the same Keys to the Key of the route that took their place.
	ReplacedWith map[string]string
	// FirstFailed is the error of a name's first failed bring-up (a hotplug retry can fail
	// otherwise: its address is already assigned by the first attempt).
	FirstFailed map[string]string

	// Log has one line per external command run: the arguments, the exit status and why.
	Log []string
	// Unmodelled lists commands whose effect the model only guesses (tunnels, PPP, DHCP
	// clients...): a live kernel in a test namespace cannot reproduce them.
	Unmodelled []string
}

// NewHost returns a host whose links (besides lo, which is up with its kernel addresses) exist
// and are down, with no addresses and no routes.
func NewHost(links ...string) *Host {
	h := &Host{links: map[string]*link{"lo": {name: "lo", up: true}}, up: map[string]bool{},
		Attempted: map[string]bool{}, Failed: map[string]string{}, FirstFailed: map[string]string{}, ReplacedBy: map[string]string{}, ReplacedWith: map[string]string{}, Planned: map[string]bool{}, Ran: map[string]bool{}}
	// lo's addresses, which the kernel gives it when it comes up: an lo stanza adding one fails.
	h.addrs = []address{{dev: "lo", label: "lo", p: netip.MustParsePrefix("127.0.0.1/8")}, {dev: "lo", label: "lo", p: netip.MustParsePrefix("::1/128")}}
	for _, l := range links {
		if _, ok := h.links[l]; !ok {
			h.links[l] = &link{name: l}
		}
	}
	return h
}

// Run runs one command line as `/bin/sh -c LINE` would and returns its exit status.
func (h *Host) Run(line string) int {
	l, err := parse(line)
	if err != nil {
		h.logf("%q: %v", line, err)
		h.Unmodelled = append(h.Unmodelled, line)
		return 2
	}
	sh := &shell{h: h, vars: map[string]string{"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}}
	for k, v := range h.env {
		sh.vars[k] = v
	}
	return sh.runList(l, streams{})
}

// Defaults returns the default routes of every table and family: the kernel's, sorted by
// family, table and metric with the kernel's order inside one metric, then the dynamic ones.
func (h *Host) Defaults() []Route {
	var out []Route
	for _, r := range h.routes {
		if r.Dst.Bits() == 0 {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Family != b.Family {
			return a.Family < b.Family
		}
		if a.Table != b.Table {
			return a.Table < b.Table
		}
		return a.Metric < b.Metric
	})
	return append(out, h.dynamic...)
}

// Step is the key of Planned and Ran.
func Step(origin, cmd string) string { return origin + "\x00" + cmd }

// IsUp reports whether ifupdown recorded the logical interface as up.
func (h *Host) IsUp(name string) bool { return h.up[name] }

func (h *Host) logf(format string, a ...any) { h.Log = append(h.Log, fmt.Sprintf(format, a...)) }

// fail logs a failed command and returns its status.
func (h *Host) fail(args []string, status int, why string) int {
	h.lastErr = why
	h.logf("%s => %d (%s)", strings.Join(args, " "), status, why)
	return status
}

func (h *Host) ok(args []string) int {
	h.logf("%s => 0", strings.Join(args, " "))
	return 0
}

// base is the kernel device a name stands for: iproute2 and the ioctls resolve "eth0:0" to eth0.
func base(dev string) string {
	if i := strings.IndexByte(dev, ':'); i >= 0 {
		return dev[:i]
	}
	return dev
}

// link returns the device dev names (an alias label names its device), nil when none: a name
// longer than IFNAMSIZ allows names none (if_nametoindex() refuses it).
func (h *Host) link(dev string) *link {
	if len(dev) > 15 {
		return nil
	}
	return h.links[base(dev)]
}

func (h *Host) unmodelled(args []string) {
	h.Unmodelled = append(h.Unmodelled, strings.Join(args, " "))
}

// exec runs one external command or builtin.
func (h *Host) exec(sh *shell, args []string, io streams) int {
	write := func(w *strings.Builder, s string) {
		if w != nil {
			w.WriteString(s)
		}
	}
	switch name := args[0]; name {
	case "true", ":", "sleep", "logger", "modprobe", "wait", "sync":
		return 0
	case "false":
		return 1
	case "echo":
		write(io.out, strings.Join(args[1:], " ")+"\n")
		return 0
	case "printf":
		if len(args) > 1 {
			write(io.out, strings.ReplaceAll(args[1], `\n`, "\n"))
		}
		return 0
	case "timeout", "nice", "env", "nohup":
		// Wrappers that run the rest as a command (timeout DURATION, nice -n N, env NAME=V).
		rest := args[1:]
		for len(rest) > 0 && (strings.HasPrefix(rest[0], "-") || name == "env" && strings.Contains(rest[0], "=")) {
			if rest[0] == "-n" || rest[0] == "-s" || rest[0] == "-k" {
				rest = rest[1:]
			}
			rest = rest[1:]
		}
		if name == "timeout" && len(rest) > 0 {
			rest = rest[1:] // the duration
		}
		if len(rest) == 0 {
			return 0
		}
		return h.exec(sh, rest, io)
	case "test":
		return h.test(args[1:])
	case "[":
		if args[len(args)-1] != "]" {
			return 2
		}
		return h.test(args[1 : len(args)-1])
	case "cat":
		if len(args) == 1 {
			write(io.out, io.in)
			return 0
		}
		st := 0
		for _, p := range args[1:] {
			text, ok := h.readFile(p)
			if !ok {
				st = 1
				continue
			}
			write(io.out, text)
		}
		return st
	case "sysctl":
		return h.sysctl(args)
	case "ip":
		return h.ip(args)
	case "route":
		return h.netToolsRoute(args)
	case "dhclient", "udhcpc", "dhcpcd":
		return h.dhcpClient(args)
	case "pon", "poff", "bootpc", "avahi-autoipd", "start-stop-daemon", "wvdial", "run-parts":
		h.unmodelled(args)
		return h.ok(args)
	default:
		if strings.HasPrefix(name, "/lib/ifupdown/") {
			return 0
		}
		return h.fail(args, 127, "not found")
	}
}

// readFile is the model's view of the few files the commands read.
func (h *Host) readFile(p string) (string, bool) {
	if p == "/dev/null" {
		return "", true
	}
	if rest, ok := strings.CutPrefix(p, "/sys/class/net/"); ok {
		dev, file, _ := strings.Cut(rest, "/")
		l := h.links[dev]
		if l == nil {
			return "", false
		}
		switch file {
		case "type":
			if dev == "lo" {
				return "772\n", true
			}
			return "1\n", true
		case "mtu":
			return "1500\n", true
		case "operstate":
			if l.up {
				return "up\n", true
			}
			return "down\n", true
		}
	}
	return "", false
}

func (h *Host) exists(p string) (dir, ok bool) {
	if rest, found := strings.CutPrefix(p, "/sys/class/net/"); found {
		dev, file, _ := strings.Cut(strings.TrimSuffix(rest, "/"), "/")
		if h.links[dev] == nil {
			return false, false
		}
		if file == "" {
			return true, true
		}
		_, ok := h.readFile(p)
		return false, ok
	}
	switch p {
	case "/", "/sys", "/sys/class/net", "/proc", "/tmp", "/run", "/etc", "/etc/network", "/bin", "/sbin", "/usr/bin", "/usr/sbin":
		return true, true
	case "/dev/null":
		return false, true
	}
	// the programs the commands test for (Debian has merged /usr: /sbin/ip is /usr/sbin/ip)
	d, prog := path.Split(p)
	switch d {
	case "/sbin/", "/usr/sbin/", "/bin/", "/usr/bin/":
		switch prog {
		case "ip", "route", "sysctl", "ifconfig", "sh", "true", "false", "logger", "sleep", "cat":
			return false, true
		}
	}
	return false, false
}

// test evaluates the test(1) expressions the commands use.
func (h *Host) test(a []string) int {
	b := func(v bool) int {
		if v {
			return 0
		}
		return 1
	}
	switch len(a) {
	case 0:
		return 1
	case 1:
		return b(a[0] != "")
	case 2:
		if a[0] == "!" {
			return 1 - h.test(a[1:])
		}
		dir, ok := h.exists(a[1])
		switch a[0] {
		case "-n":
			return b(a[1] != "")
		case "-z":
			return b(a[1] == "")
		case "-d":
			return b(ok && dir)
		case "-e", "-r", "-x":
			return b(ok)
		case "-f":
			return b(ok && !dir)
		}
		return 2
	case 3:
		x, y := a[0], a[2]
		switch a[1] {
		case "=":
			return b(x == y)
		case "!=":
			return b(x != y)
		}
		i, err1 := strconv.Atoi(x)
		j, err2 := strconv.Atoi(y)
		if err1 != nil || err2 != nil {
			return 2
		}
		switch a[1] {
		case "-eq":
			return b(i == j)
		case "-ne":
			return b(i != j)
		case "-lt":
			return b(i < j)
		case "-le":
			return b(i <= j)
		case "-gt":
			return b(i > j)
		case "-ge":
			return b(i >= j)
		}
		return 2
	}
	if a[0] == "!" {
		return 1 - h.test(a[1:])
	}
	return 2
}

// sysctl models `sysctl [-q] [-e] [-w] KEY=VALUE...`: keys of a missing device fail unless
// -e; net.ipv6.conf.DEV.autoconf=1 (ifupdown's inet6 auto method) stands for router
// advertisements giving DEV a dynamic IPv6 default route.
func (h *Host) sysctl(args []string) int {
	ignore := false
	st := 0
	for _, a := range args[1:] {
		if strings.HasPrefix(a, "-") {
			ignore = ignore || strings.Contains(a, "e")
			continue
		}
		key, val, ok := strings.Cut(a, "=")
		if !ok {
			continue
		}
		rest, ok := strings.CutPrefix(key, "net.ipv6.conf.")
		if !ok {
			continue
		}
		i := strings.LastIndexByte(rest, '.')
		if i < 0 {
			continue
		}
		dev, opt := strings.ReplaceAll(rest[:i], "/", "."), rest[i+1:]
		if dev == "all" || dev == "default" {
			continue
		}
		l := h.links[dev]
		if l == nil {
			if !ignore {
				st = 255
			}
			continue
		}
		if opt == "autoconf" && val == "1" {
			h.addDynamic(Route{Family: 6, Dynamic: "ra", Dev: dev})
		}
	}
	if st != 0 {
		return h.fail(args, st, "unknown key")
	}
	return h.ok(args)
}

// dhcpClient models dhclient (and udhcpc, dhcpcd) as succeeding with a dynamic default route
// on the interface named by its last non-option argument, whose link it brings up (dhclient-script's
// PREINIT runs `ip link set dev IF up` before the first packet; the others do the same).
func (h *Host) dhcpClient(args []string) int {
	h.unmodelled(args)
	fam := 4
	var iface string
	withValue := map[string]bool{"-p": true, "-pf": true, "-lf": true, "-cf": true, "-sf": true, "-s": true, "-g": true, "-e": true, "-df": true, "-h": true, "-x": true, "-l": true, "-m": true}
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-6":
			fam = 6
		case a == "-i" && args[0] != "dhclient":
			if i+1 < len(args) {
				iface = args[i+1]
				i++
			}
		case withValue[a]:
			i++
		case strings.HasPrefix(a, "-"):
		default:
			iface = a
		}
	}
	l := h.link(iface)
	if iface == "" || l == nil {
		return h.fail(args, 1, "no such interface")
	}
	l.up = true
	kind := "dhcp"
	if fam == 6 {
		kind = "ra"
	}
	h.addDynamic(Route{Family: fam, Dynamic: kind, Dev: base(iface)})
	return h.ok(args)
}

func (h *Host) addDynamic(r Route) {
	r.Origin, r.Cmd = h.origin, h.cmd
	for _, d := range h.dynamic {
		if d.Key() == r.Key() {
			return
		}
	}
	h.dynamic = append(h.dynamic, r)
}

// matches is iproute2's matches(): word is a prefix of full.
func matches(word, full string) bool { return word != "" && strings.HasPrefix(full, word) }

// pick returns the first candidate that word abbreviates, as iproute2 tries them in order.
func pick(word string, candidates ...string) string {
	for _, c := range candidates {
		if matches(word, c) {
			return c
		}
	}
	return ""
}

// ip models the iproute2 commands: ip [-4|-6|-f FAMILY|other options] OBJECT COMMAND ARGS.
func (h *Host) ip(args []string) int {
	fam := 0
	a := args[1:]
	for len(a) > 0 && strings.HasPrefix(a[0], "-") {
		opt := a[0]
		a = a[1:]
		switch {
		case opt == "-4":
			fam = 4
		case opt == "-6":
			fam = 6
		case opt == "-f" || opt == "-family" || opt == "--family":
			if len(a) == 0 {
				return h.fail(args, 255, "option requires an argument")
			}
			switch a[0] {
			case "inet":
				fam = 4
			case "inet6":
				fam = 6
			}
			a = a[1:]
		}
	}
	if len(a) == 0 {
		return h.fail(args, 255, "usage")
	}
	obj := pick(a[0], "address", "addrlabel", "maddress", "route", "rule", "neighbor", "neighbour",
		"ntable", "ntbl", "link", "l2tp", "fou", "ila", "macsec", "tunnel", "tunl", "tuntap", "tap")
	switch obj {
	case "address":
		return h.ipAddr(args, fam, a[1:])
	case "route":
		return h.ipRoute(args, fam, a[1:])
	case "link":
		return h.ipLink(args, a[1:])
	case "tunnel", "tunl":
		return h.ipTunnel(args, a[1:])
	case "":
		return h.fail(args, 1, "unknown object")
	}
	h.unmodelled(args)
	return h.ok(args)
}

// parseAddr parses an address with an optional /LEN or /DOTTED-MASK; without one it is a host
// address. ok is false for anything iproute2 would refuse.
func parseAddr(s string) (p netip.Prefix, explicit, ok bool) {
	a, l, hasLen := strings.Cut(s, "/")
	ip, err := netip.ParseAddr(a)
	if err != nil {
		// iproute2 reads IPv4 addresses with inet_aton-like rules only for 0: "0/0".
		if a != "0" {
			return netip.Prefix{}, false, false
		}
		ip = netip.IPv4Unspecified()
	}
	if ip.Zone() != "" {
		return netip.Prefix{}, false, false
	}
	bits := ip.BitLen()
	if hasLen {
		if n, ok := cUnsigned(l); ok {
			if n > uint64(ip.BitLen()) {
				return netip.Prefix{}, false, false
			}
			bits = int(n)
		} else if v, ok := ipv4Parts(l); ok { // both families, as ip (get_netmask)
			x := uint32(v[0])<<24 | uint32(v[1])<<16 | uint32(v[2])<<8 | uint32(v[3])
			n := 0
			for n < 32 && x&(1<<(31-n)) != 0 {
				n++
			}
			if x<<n != 0 {
				return netip.Prefix{}, false, false // not a contiguous mask
			}
			bits = n
		} else {
			return netip.Prefix{}, false, false
		}
	}
	return netip.PrefixFrom(ip, bits), hasLen, true
}

// cUnsigned reads s as iproute2's get_unsigned does: strtoul with base 0 (blanks, a sign, 0x for
// hex, a leading 0 for octal) over the whole string, at most 32 bits (ip addr add 192.0.2.10/0x10
// is a /16, live).
func cUnsigned(s string) (uint64, bool) {
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg, t = t[0] == '-', t[1:]
	}
	base := 10
	if len(t) > 2 && strings.EqualFold(t[:2], "0x") {
		base, t = 16, t[2:]
	} else if len(t) > 1 && t[0] == '0' {
		base, t = 8, t[1:]
	}
	if t == "" || t[0] == '+' || t[0] == '-' {
		return 0, false
	}
	n, err := strconv.ParseUint(t, base, 32)
	if err != nil || neg && n != 0 { // a negative number wraps past 32 bits
		return 0, false
	}
	return n, true
}

// ipv4Parts is iproute2's get_addr_ipv4: one to four dot-separated parts, each a number in C
// notation up to 255 (ip addr add 192.0.2.14/255.255 is a /16, live).
func ipv4Parts(s string) ([4]byte, bool) {
	var b [4]byte
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return b, false
	}
	for i, p := range parts {
		n, ok := cUnsigned(p)
		if !ok || n > 255 {
			return b, false
		}
		b[i] = byte(n)
	}
	return b, true
}

func famOf(a netip.Addr) int {
	if a.Is4() {
		return 4
	}
	return 6
}

func (h *Host) localAddr(ip netip.Addr) bool {
	for _, a := range h.addrs {
		if a.p.Addr() == ip {
			return true
		}
	}
	return false
}

// localDev returns the device of the IPv4 local address ip (restricted to dev when it is set).
func (h *Host) localDev(ip netip.Addr, dev string) (string, bool) {
	for _, a := range h.addrs {
		if ip.Is4() && a.p.Addr() == ip && (dev == "" || a.dev == dev) {
			return a.dev, true
		}
	}
	return "", false
}

// broadcastAddr reports whether ip is the broadcast address of an IPv4 subnet of the host's
// addresses (a /30 or shorter): the kernel keeps a broadcast route for it.
func (h *Host) broadcastAddr(ip netip.Addr) bool {
	for _, a := range h.addrs {
		if !ip.Is4() || !a.p.Addr().Is4() || a.p.Bits() > 30 || !a.p.Masked().Contains(ip) {
			continue
		}
		b := a.p.Masked().Addr().As4()
		for i := a.p.Bits(); i < 32; i++ {
			b[i/8] |= 0x80 >> (i % 8)
		}
		if netip.AddrFrom4(b) == ip {
			return true
		}
	}
	return false
}

// ipAddr models ip address add|replace|delete|flush|show.
func (h *Host) ipAddr(args []string, fam int, a []string) int {
	if len(a) == 0 {
		return 0 // ip addr: a listing
	}
	cmd := a[0]
	if cmd == "chg" {
		cmd = "change"
	}
	switch pick(cmd, "add", "change", "replace", "delete", "list", "show", "lst", "flush", "save", "restore", "showdump") {
	case "add", "replace", "change":
		return h.addrAdd(args, fam, a[1:], pick(cmd, "add") == "")
	case "delete":
		return h.addrDel(args, fam, a[1:])
	case "flush":
		return h.addrFlush(args, fam, a[1:])
	case "list", "show", "lst", "save", "showdump":
		return 0
	}
	return h.fail(args, 255, "unknown command")
}

func (h *Host) addrAdd(args []string, fam int, a []string, replace bool) int {
	var p netip.Prefix
	var dev, label string
	have := false
	for i := 0; i < len(a); i++ {
		w := a[i]
		val := func() (string, bool) {
			if i+1 >= len(a) {
				return "", false
			}
			i++
			return a[i], true
		}
		var ok bool
		switch w {
		case "dev":
			if dev, ok = val(); !ok {
				return h.fail(args, 255, "dev without a value")
			}
		case "label":
			if label, ok = val(); !ok {
				return h.fail(args, 255, "label without a value")
			}
		case "peer", "remote", "broadcast", "brd", "anycast", "scope", "valid_lft", "preferred_lft", "metric", "priority", "proto":
			if _, ok = val(); !ok {
				return h.fail(args, 255, w+" without a value")
			}
		case "nodad", "noprefixroute", "home", "mngtmpaddr", "optimistic", "autojoin", "nodad=":
		default:
			if w == "local" {
				if w, ok = val(); !ok {
					return h.fail(args, 255, "local without a value")
				}
			}
			if have {
				return h.fail(args, 255, "duplicate address "+w)
			}
			if p, _, ok = parseAddr(w); !ok {
				return h.fail(args, 1, "invalid address "+w)
			}
			have = true
		}
	}
	if !have || dev == "" {
		return h.fail(args, 1, "not enough information")
	}
	if fam != 0 && famOf(p.Addr()) != fam {
		return h.fail(args, 1, "address family mismatch")
	}
	if label != "" && !strings.HasPrefix(label, dev) {
		return h.fail(args, 1, "dev must match label")
	}
	l := h.link(dev)
	if l == nil {
		return h.fail(args, 1, "Cannot find device "+dev)
	}
	if label == "" {
		label = l.name
	}
	for i, x := range h.addrs {
		if x.dev != l.name || x.p.Addr() != p.Addr() {
			continue
		}
		if p.Addr().Is4() && x.p.Bits() != p.Bits() {
			continue
		}
		if replace {
			h.addrs[i] = address{dev: l.name, label: label, p: p}
			return h.ok(args)
		}
		return h.fail(args, 2, "address already assigned")
	}
	h.addrs = append(h.addrs, address{dev: l.name, label: label, p: p})
	return h.ok(args)
}

func (h *Host) addrDel(args []string, fam int, a []string) int {
	var p netip.Prefix
	explicit, have := false, false
	dev := ""
	for i := 0; i < len(a); i++ {
		switch a[i] {
		case "dev":
			if i+1 < len(a) {
				dev = a[i+1]
				i++
			}
		case "label", "peer", "broadcast", "brd", "scope", "local":
			if a[i] == "local" && i+1 < len(a) {
				p, explicit, have = parseAddr(a[i+1])
			}
			i++
		default:
			if !have {
				p, explicit, have = parseAddr(a[i])
			}
		}
	}
	if !have || dev == "" {
		return h.fail(args, 1, "not enough information")
	}
	l := h.link(dev)
	if l == nil {
		return h.fail(args, 1, "Cannot find device "+dev)
	}
	for i, x := range h.addrs {
		if x.dev == l.name && x.p.Addr() == p.Addr() && (!explicit || x.p.Bits() == p.Bits()) {
			h.removeAddr(i)
			return h.ok(args)
		}
	}
	return h.fail(args, 2, "address not found")
}

// removeAddr deletes an address and, as the kernel does, the routes that use it as src.
func (h *Host) removeAddr(i int) {
	gone := h.addrs[i].p.Addr()
	h.addrs = append(h.addrs[:i], h.addrs[i+1:]...)
	if h.localAddr(gone) {
		return
	}
	kept := h.routes[:0]
	for _, r := range h.routes {
		if r.Src != gone {
			kept = append(kept, r)
		}
	}
	h.routes = kept
}

func (h *Host) addrFlush(args []string, fam int, a []string) int {
	dev, scope, label := "", "", ""
	none := false
	for i := 0; i < len(a); i++ {
		switch a[i] {
		case "dev":
			if i+1 < len(a) {
				dev = a[i+1]
				i++
			}
		case "scope":
			if i+1 < len(a) {
				scope = a[i+1]
				i++
			}
		case "label":
			if i+1 < len(a) {
				label = a[i+1]
				i++
			}
		case "mngtmpaddr", "temporary", "secondary", "deprecated", "dadfailed", "tentative":
			none = true // the model never has such addresses
		}
	}
	if dev == "" {
		return h.fail(args, 1, "flush requires arguments")
	}
	l := h.link(dev)
	if l == nil {
		return h.fail(args, 1, "Cannot find device "+dev)
	}
	if none {
		return h.ok(args)
	}
	for i := len(h.addrs) - 1; i >= 0; i-- {
		x := h.addrs[i]
		if x.dev != l.name || fam != 0 && famOf(x.p.Addr()) != fam || label != "" && x.label != label {
			continue
		}
		if scope == "global" && x.p.Addr().IsLinkLocalUnicast() || scope == "link" && !x.p.Addr().IsLinkLocalUnicast() {
			continue
		}
		h.removeAddr(i)
	}
	return h.ok(args)
}

// ipLink models ip link set|show|add (VLANs)|delete.
func (h *Host) ipLink(args []string, a []string) int {
	if len(a) == 0 {
		return 0
	}
	switch pick(a[0], "add", "set", "show", "list", "lst", "delete", "change") {
	case "set", "change":
		var name string
		state := ""
		for i := 1; i < len(a); i++ {
			switch a[i] {
			case "dev":
				if i+1 < len(a) {
					name = a[i+1]
					i++
				}
			case "up", "down":
				state = a[i]
			case "mtu", "address", "txqueuelen", "txqlen", "alias", "arp", "multicast", "promisc", "master", "netns", "qlen", "broadcast":
				i++
			case "name":
				h.unmodelled(args)
				i++
			default:
				if name == "" {
					name = a[i]
				}
			}
		}
		l := h.link(name)
		if l == nil {
			return h.fail(args, 1, "Cannot find device "+name)
		}
		switch state {
		case "up":
			l.up = true
		case "down":
			h.linkDown(l)
		}
		return h.ok(args)
	case "show", "list", "lst":
		name := ""
		for i := 1; i < len(a); i++ {
			if a[i] == "dev" {
				continue
			}
			name = a[i]
			break
		}
		if name != "" && (strings.Contains(name, ":") || h.links[name] == nil) {
			return h.fail(args, 1, "Device does not exist")
		}
		return 0
	case "add":
		var parent, name, kind string
		for i := 1; i < len(a); i++ {
			switch a[i] {
			case "link":
				if i+1 < len(a) {
					parent = a[i+1]
					i++
				}
			case "name", "dev":
				if i+1 < len(a) {
					name = a[i+1]
					i++
				}
			case "type":
				if i+1 < len(a) {
					kind = a[i+1]
					i++
				}
			case "id":
				i++
			default:
				if name == "" {
					name = a[i]
				}
			}
		}
		if kind != "vlan" {
			h.unmodelled(args)
			return h.fail(args, 2, "link type "+kind+" not modelled")
		}
		if h.links[parent] == nil {
			return h.fail(args, 1, "Cannot find device "+parent)
		}
		if h.links[name] != nil {
			return h.fail(args, 2, "File exists")
		}
		h.links[name] = &link{name: name, created: "vlan"}
		return h.ok(args)
	case "delete":
		name := ""
		for i := 1; i < len(a); i++ {
			if a[i] != "dev" {
				name = a[i]
				break
			}
		}
		l := h.links[name]
		if l == nil {
			return h.fail(args, 1, "Cannot find device "+name)
		}
		h.removeLink(l)
		return h.ok(args)
	}
	return h.fail(args, 255, "unknown command")
}

// linkDown sets a link down; the kernel drops the routes through it.
func (h *Host) linkDown(l *link) {
	l.up = false
	kept := h.routes[:0]
	for _, r := range h.routes {
		if r.Dev != l.name {
			kept = append(kept, r)
		}
	}
	h.routes = kept
}

func (h *Host) removeLink(l *link) {
	h.linkDown(l)
	for i := len(h.addrs) - 1; i >= 0; i-- {
		if h.addrs[i].dev == l.name {
			h.addrs = append(h.addrs[:i], h.addrs[i+1:]...)
		}
	}
	delete(h.links, l.name)
}

// ipTunnel models ip [-6] tunnel add|del NAME: the tunnel is a new link, down.
func (h *Host) ipTunnel(args []string, a []string) int {
	h.unmodelled(args)
	if len(a) < 2 {
		return h.fail(args, 1, "usage")
	}
	name := a[1]
	if a[1] == "name" && len(a) > 2 {
		name = a[2]
	}
	switch pick(a[0], "add", "change", "delete") {
	case "add":
		if h.links[name] != nil {
			return h.fail(args, 1, "add tunnel failed: File exists")
		}
		h.links[name] = &link{name: name, created: "tunnel"}
		return h.ok(args)
	case "delete":
		if l := h.links[name]; l != nil {
			h.removeLink(l)
			return h.ok(args)
		}
		return h.fail(args, 1, "No such device")
	}
	return h.ok(args)
}

// routeSpec is a parsed route command.
type routeSpec struct {
	fam            int
	dst            netip.Prefix
	haveDst, isDef bool
	via, src       netip.Addr
	dev            string
	metric         int // -1: not given
	table          int
	onlink         bool
	proto          string
	rtype          string
}

var tableNames = map[string]int{"main": 254, "local": 255, "default": 253, "unspec": 0}

var routeTypes = map[string]bool{"unicast": true, "local": true, "broadcast": true, "multicast": true,
	"throw": true, "unreachable": true, "prohibit": true, "blackhole": true, "nat": true, "anycast": true}

// parseIPRoute reads the arguments of ip route add|del|... after the command word.
func parseIPRoute(fam int, a []string) (routeSpec, string) {
	s := routeSpec{fam: fam, metric: -1, table: 254}
	for i := 0; i < len(a); i++ {
		w := a[i]
		val := func() (string, bool) {
			if i+1 >= len(a) {
				return "", false
			}
			i++
			return a[i], true
		}
		var v string
		var ok bool
		switch {
		case w == "via":
			if v, ok = val(); ok && (v == "inet" || v == "inet6") {
				v, ok = val()
			}
			if !ok {
				return s, "via without an address"
			}
			ip, err := netip.ParseAddr(v)
			if err != nil {
				return s, "invalid gateway " + v
			}
			s.via = ip
		case w == "src":
			if v, ok = val(); !ok {
				return s, "src without an address"
			}
			ip, err := netip.ParseAddr(v)
			if err != nil {
				return s, "invalid src " + v
			}
			s.src = ip
		case w == "dev" || w == "oif":
			if s.dev, ok = val(); !ok {
				return s, "dev without a name"
			}
		case w == "tos" || matches(w, "dsfield"):
			if _, ok = val(); !ok {
				return s, "tos without a value"
			}
		case matches(w, "metric") || matches(w, "priority") || w == "preference":
			if v, ok = val(); !ok {
				return s, "metric without a value"
			}
			n, err := strconv.ParseUint(v, 0, 32)
			if err != nil {
				return s, "invalid metric " + v
			}
			s.metric = int(n)
		case w == "scope" || w == "mtu" || w == "advmss" || w == "realm" || w == "realms" || w == "initcwnd" || w == "expires" || w == "from" || w == "as":
			if _, ok = val(); !ok {
				return s, w + " without a value"
			}
		case matches(w, "table"):
			if v, ok = val(); !ok {
				return s, "table without a value"
			}
			if n, known := tableNames[v]; known {
				s.table = n
			} else if n, err := strconv.Atoi(v); err == nil && n >= 0 {
				s.table = n
			} else {
				return s, "invalid table " + v
			}
		case w == "onlink":
			s.onlink = true
		case matches(w, "protocol"):
			if s.proto, ok = val(); !ok {
				return s, "proto without a value"
			}
			if s.proto == "boot" || s.proto == "3" {
				s.proto = ""
			}
		default:
			if w == "to" {
				if w, ok = val(); !ok {
					return s, "to without a prefix"
				}
			}
			if (w[0] < '0' || w[0] > '9') && routeTypes[w] {
				s.rtype = w
				if w, ok = val(); !ok {
					return s, "type without a prefix"
				}
			}
			if s.haveDst {
				return s, `either "to" is duplicate, or "` + w + `" is a garbage`
			}
			s.haveDst = true
			if w == "default" || w == "all" || w == "any" {
				s.isDef = true
				continue
			}
			p, _, ok := parseAddr(w)
			if !ok {
				return s, "invalid prefix " + w
			}
			s.dst = p.Masked()
		}
	}
	// The family: -4/-6, else the prefix's, else the gateway's, else IPv4.
	if s.fam == 0 {
		switch {
		case s.haveDst && !s.isDef:
			s.fam = famOf(s.dst.Addr())
		case s.via.IsValid():
			s.fam = famOf(s.via)
		default:
			s.fam = 4
		}
	}
	if s.isDef {
		if s.fam == 6 {
			s.dst = netip.PrefixFrom(netip.IPv6Unspecified(), 0)
		} else {
			s.dst = netip.PrefixFrom(netip.IPv4Unspecified(), 0)
		}
	}
	if s.haveDst && famOf(s.dst.Addr()) != s.fam || s.via.IsValid() && famOf(s.via) != s.fam {
		return s, "address family mismatch"
	}
	if s.rtype != "" && s.rtype != "unicast" {
		return s, "route type " + s.rtype + " not modelled"
	}
	return s, ""
}

// ipRoute models ip route add|change|replace|prepend|append|delete (and ignores listings).
func (h *Host) ipRoute(args []string, fam int, a []string) int {
	if len(a) == 0 {
		return 0
	}
	cmd := a[0]
	if cmd == "chg" {
		cmd = "change"
	}
	op := pick(cmd, "add", "change", "replace", "prepend", "append", "test", "delete", "list", "show", "lst", "get", "flush", "save", "restore", "showdump")
	switch op {
	case "list", "show", "lst", "get", "save", "showdump", "test":
		return 0
	case "flush", "restore":
		h.unmodelled(args)
		return h.ok(args)
	case "":
		return h.fail(args, 255, "unknown command "+cmd)
	}
	s, bad := parseIPRoute(fam, a[1:])
	if bad != "" {
		if strings.HasSuffix(bad, "not modelled") {
			h.unmodelled(args)
		}
		return h.fail(args, 255, bad)
	}
	if !s.haveDst {
		return h.fail(args, 1, "no destination")
	}
	if op == "delete" {
		return h.delRoute(args, s, 2)
	}
	return h.addRoute(args, s, op, 2)
}

// resolve completes a route to add: its device, checks of gateway, device and src, and the
// metric the kernel stores. It returns a reason when the kernel would refuse the route.
func (h *Host) resolve(s routeSpec) (Route, string) {
	r := Route{Family: s.fam, Table: s.table, Dst: s.dst, Via: s.via, Src: s.src, Onlink: s.onlink, Proto: s.proto, Origin: h.origin, Cmd: h.cmd}
	r.Metric = s.metric
	if r.Metric < 0 {
		r.Metric = 0
	}
	if s.fam == 6 && r.Metric == 0 {
		r.Metric = 1024
	}
	var l *link
	if s.dev != "" {
		if l = h.link(s.dev); l == nil {
			return r, "Cannot find device " + s.dev
		}
		r.Dev = l.name
	}
	if s.fam == 4 && s.via.IsUnspecified() {
		// RTA_GATEWAY 0.0.0.0 is no gateway: a device route, which onlink cannot be.
		if s.onlink {
			return r, "Invalid flags for nexthop - PERVASIVE and ONLINK can not be set"
		}
		s.via, r.Via = netip.Addr{}, netip.Addr{}
	}
	switch {
	case s.fam == 6 && (s.via.IsUnspecified() || s.via.IsMulticast()):
		return r, "Invalid gateway address"
	case !s.via.IsValid():
		if l == nil {
			return r, "no device for a device route"
		}
		if !l.up {
			return r, "Device for nexthop is not up"
		}
	case s.fam == 6 && (h.localAddr(s.via) || s.via.IsLoopback()): // lo is up on every host
		return r, "Gateway can not be a local address"
	case s.onlink:
		if l == nil {
			return r, "Nexthop device required for onlink"
		}
		if !l.up {
			return r, "Nexthop device is not up"
		}
		if h.localAddr(s.via) || s.via.IsLoopback() || h.broadcastAddr(s.via) || s.via.IsMulticast() ||
			s.via == netip.AddrFrom4([4]byte{255, 255, 255, 255}) { // IPv4: onlink takes a unicast address only
			return r, "Nexthop has invalid gateway"
		}
	case s.fam == 6 && s.via.IsLinkLocalUnicast():
		if l == nil {
			return r, "Egress device not specified"
		}
		if !l.up {
			return r, "Nexthop device is not up"
		}
	case h.broadcastAddr(s.via): // the lookup finds the subnet's broadcast route
		return r, "Nexthop has invalid gateway"
	default:
		// IPv4 takes a local gateway (its local route) as it takes a connected one.
		dev, ok := h.localDev(s.via, r.Dev)
		if !ok {
			dev, ok = h.onLink(s.fam, s.via, r.Dev)
		}
		if !ok {
			if s.fam == 6 {
				return r, "No route to host"
			}
			return r, "Nexthop has invalid gateway"
		}
		r.Dev = dev
	}
	if s.src.IsValid() && !h.localAddr(s.src) {
		return r, "Invalid prefsrc address"
	}
	return r, ""
}

// onLink finds the up link whose link-scope route (an address's subnet or a device route) holds
// ip, restricted to dev when it is set.
func (h *Host) onLink(fam int, ip netip.Addr, dev string) (string, bool) {
	best, bestBits := "", -1
	for _, a := range h.addrs {
		if famOf(a.p.Addr()) != fam || a.p.Bits() == a.p.Addr().BitLen() || dev != "" && a.dev != dev {
			continue
		}
		if l := h.links[a.dev]; l == nil || !l.up {
			continue
		}
		if a.p.Addr().Is4() && a.p.Masked().Addr().As4()[0] == 0 {
			continue // ipv4_is_zeronet: the kernel adds no subnet route (a /0 address; live)
		}
		if a.p.Masked().Contains(ip) && a.p.Bits() > bestBits {
			best, bestBits = a.dev, a.p.Bits()
		}
	}
	for _, r := range h.routes {
		if r.Family != fam || r.Via.IsValid() || r.Table != 254 || dev != "" && r.Dev != dev {
			continue
		}
		if r.Dst.Contains(ip) && r.Dst.Bits() > bestBits {
			best, bestBits = r.Dev, r.Dst.Bits()
		}
	}
	return best, bestBits >= 0
}

func sameSlot(a, b Route) bool {
	return a.Family == b.Family && a.Table == b.Table && a.Dst == b.Dst && a.Metric == b.Metric
}

// identical is the kernel's "same fib_info": a second route would be a duplicate.
func identical(a, b Route) bool {
	if a.Family == 6 {
		return sameSlot(a, b) && a.Via == b.Via && a.Dev == b.Dev
	}
	return sameSlot(a, b) && a.Via == b.Via && a.Dev == b.Dev && a.Src == b.Src && a.Onlink == b.Onlink && a.Proto == b.Proto
}

// addRoute applies add/append/prepend/replace/change with the kernel's rules (see the package
// comment); errStatus is the exit status the tool uses for a kernel error (ip 2, route 7).
func (h *Host) addRoute(args []string, s routeSpec, op string, errStatus int) int {
	r, bad := h.resolve(s)
	if bad != "" {
		return h.fail(args, errStatus, bad)
	}
	first, last := -1, -1
	for i, x := range h.routes {
		if sameSlot(x, r) {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	insert := func(at int) {
		h.routes = append(h.routes, Route{})
		copy(h.routes[at+1:], h.routes[at:])
		h.routes[at] = r
	}
	if first < 0 {
		if op == "change" {
			return h.fail(args, errStatus, "No such file or directory")
		}
		// A new metric goes before the prefix's routes with a higher one, as the kernel keeps
		// them sorted: a delete then finds the lowest metric first.
		at := len(h.routes)
		for i, x := range h.routes {
			if x.Family == r.Family && x.Table == r.Table && x.Dst == r.Dst && x.Metric > r.Metric {
				at = i
				break
			}
		}
		insert(at)
		return h.ok(args)
	}
	switch op {
	case "add":
		return h.fail(args, errStatus, "File exists")
	case "replace", "change":
		if r.Family == 6 {
			// The whole multipath route at that metric is replaced.
			kept := append([]Route{}, h.routes[:first]...)
			kept = append(kept, r)
			for _, x := range h.routes[first:] {
				if !sameSlot(x, r) {
					kept = append(kept, x)
				} else {
					h.replaced(x, r)
				}
			}
			h.routes = kept
		} else {
			// fib_table_insert: a route identical to the new one leaves the table as it is,
			// and fails with EEXIST unless it is the first of the slot.
			for i := first; i <= last; i++ {
				if identical(h.routes[i], r) {
					if i == first {
						return h.ok(args)
					}
					return h.fail(args, errStatus, "File exists")
				}
			}
			h.replaced(h.routes[first], r)
			h.routes[first] = r
		}
		return h.ok(args)
	}
	for _, x := range h.routes[first : last+1] {
		if identical(x, r) {
			return h.fail(args, errStatus, "File exists")
		}
	}
	if op == "append" || r.Family == 6 {
		insert(last + 1) // an IPv6 nexthop joins the end of the multipath route
	} else {
		insert(first) // prepend, and the SIOCADDRT ioctl
	}
	return h.ok(args)
}

// delRoute deletes the first route matching everything the command gave; IPv6 without a gateway
// deletes the whole multipath route.
func (h *Host) delRoute(args []string, s routeSpec, errStatus int) int {
	var dev string
	if s.dev != "" {
		l := h.link(s.dev)
		if l == nil {
			return h.fail(args, 1, "Cannot find device "+s.dev)
		}
		dev = l.name
	}
	metric := s.metric
	if s.fam == 6 && metric == 0 {
		metric = 1024
	}
	for i, x := range h.routes {
		if x.Family != s.fam || x.Table != s.table || x.Dst != s.dst ||
			s.via.IsValid() && x.Via != s.via || dev != "" && x.Dev != dev ||
			metric > 0 && x.Metric != metric || s.src.IsValid() && x.Src != s.src {
			continue
		}
		if s.fam == 6 && !s.via.IsValid() {
			kept := append([]Route{}, h.routes[:i]...)
			for _, y := range h.routes[i:] {
				if !sameSlot(y, x) {
					kept = append(kept, y)
				}
			}
			h.routes = kept
		} else {
			h.routes = append(h.routes[:i], h.routes[i+1:]...)
		}
		return h.ok(args)
	}
	return h.fail(args, errStatus, "No such process")
}

// netToolsRoute models net-tools route [-A inet6|-4|-6] add|del [-net|-host] TARGET [netmask M]
// [gw GW] [metric N] [[dev] IF]: the SIOCADDRT/SIOCDELRT ioctls, exit status 7 on a kernel error.
func (h *Host) netToolsRoute(args []string) int {
	fam := 4
	a := args[1:]
	for len(a) > 0 && strings.HasPrefix(a[0], "-") && a[0] != "-net" && a[0] != "-host" {
		switch a[0] {
		case "-A":
			if len(a) < 2 {
				return h.fail(args, 4, "usage")
			}
			if a[1] == "inet6" {
				fam = 6
			}
			a = a[1:]
		case "-6", "--inet6":
			fam = 6
		}
		a = a[1:]
	}
	if len(a) == 0 {
		return 0 // a listing
	}
	op := a[0]
	if op != "add" && op != "del" {
		return h.fail(args, 4, "usage")
	}
	s := routeSpec{fam: fam, metric: -1, table: 254}
	var target, netmask string
	for i := 1; i < len(a); i++ {
		w := a[i]
		val := func() (string, bool) {
			if i+1 >= len(a) {
				return "", false
			}
			i++
			return a[i], true
		}
		var ok bool
		switch w {
		case "-net", "-host":
		case "gw", "gateway":
			v, ok := val()
			if !ok {
				return h.fail(args, 4, "gw without an address")
			}
			ip, err := netip.ParseAddr(v)
			if err != nil || famOf(ip) != fam {
				return h.fail(args, 4, "invalid gateway "+v)
			}
			s.via = ip
		case "netmask", "genmask":
			if netmask, ok = val(); !ok {
				return h.fail(args, 4, "netmask without a value")
			}
		case "metric":
			v, ok := val()
			n, err := strconv.Atoi(v)
			if !ok || err != nil || n < 0 {
				return h.fail(args, 4, "invalid metric")
			}
			s.metric = n
		case "mss", "window", "irtt":
			if _, ok = val(); !ok {
				return h.fail(args, 4, w+" without a value")
			}
		case "reject", "mod", "dyn", "reinstate":
			h.unmodelled(args)
		case "dev":
			if s.dev, ok = val(); !ok {
				return h.fail(args, 4, "dev without a name")
			}
		default:
			if target == "" {
				target = w
			} else if s.dev == "" {
				s.dev = w
			} else {
				return h.fail(args, 4, "usage")
			}
		}
	}
	switch {
	case target == "default" && fam == 4 || target == "0.0.0.0" && (netmask == "0.0.0.0" || netmask == ""):
		s.dst = netip.PrefixFrom(netip.IPv4Unspecified(), 0)
	case target == "default" && fam == 6:
		s.dst = netip.PrefixFrom(netip.IPv6Unspecified(), 0)
	default:
		p, _, ok := parseAddr(target)
		if !ok || famOf(p.Addr()) != fam {
			return h.fail(args, 4, "invalid target "+target)
		}
		if netmask != "" {
			if p, _, ok = parseAddr(p.Addr().String() + "/" + netmask); !ok {
				return h.fail(args, 4, "invalid netmask "+netmask)
			}
		}
		s.dst = p.Masked()
	}
	s.haveDst = true
	if fam == 6 && s.metric < 0 {
		s.metric = 1 // net-tools' IPv6 default
	}
	if op == "del" {
		if s.metric < 0 {
			s.metric = 0
		}
		return h.delRoute(args, s, 7)
	}
	// SIOCADDRT with an alias device: the kernel looks the label up and uses its address as src.
	if fam == 4 && strings.Contains(s.dev, ":") {
		found := false
		for _, x := range h.addrs {
			if x.label == s.dev && x.p.Addr().Is4() {
				s.src, found = x.p.Addr(), true
				break
			}
		}
		if !found {
			return h.fail(args, 7, "SIOCADDRT: No such device")
		}
	}
	if !s.via.IsValid() && s.dev == "" {
		return h.fail(args, 7, "SIOCADDRT: No such device")
	}
	if fam == 4 && s.via.IsUnspecified() { // RTF_GATEWAY without a gateway
		return h.fail(args, 7, "SIOCADDRT: Invalid argument")
	}
	if _, bad := h.resolve(s); bad != "" {
		if bad == "Nexthop has invalid gateway" || bad == "No route to host" {
			bad = "Network is unreachable"
		}
		return h.fail(args, 7, "SIOCADDRT: "+bad)
	}
	return h.addRoute(args, s, "prepend", 7)
}

// replaced records that route old was taken over by route r.
func (h *Host) replaced(old, r Route) {
	if old.Key() != r.Key() {
		h.ReplacedBy[old.Key()] = h.origin
		h.ReplacedWith[old.Key()] = r.Key()
	}
}
