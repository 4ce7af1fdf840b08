// Package treegen generates random, realistic /etc/network trees for differential testing
// against the real ifupdown 0.8.41: a top-level etc/network/interfaces, often with files it
// includes, describing one to three interfaces with their IP aliases, written in every
// grammar corner of interfaces(5) as ifupdown parses it (continuations, CRLF, comments, case
// variants, mid-line #, missing final newlines, long words, odd bytes), and with the gateway
// mistakes ifacefix exists for: alias gateways copied from the primary or different from it,
// metrics, `gateway?`, gateways under methods that ignore them, several stanzas of one name,
// inherits chains, default-route commands in up/down lines, and bring-up orders that matter.
//
// Generation is deterministic: the same seed and options give the same tree. About one tree in
// six carries a deliberate fatal error in its top-level file (Tree.Broken), which ifupdown
// refuses; errors in included files are tolerated by ifupdown and are not counted as broken.
package treegen

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
)

// Options tune the generator; the zero value gives the defaults.
type Options struct {
	// BrokenRate is the probability of a deliberate fatal error in the top-level file
	// (default 0.17; a negative value disables them).
	BrokenRate float64
	// NoHostPaths leaves out absolute source paths and NUL bytes, the two inputs the
	// differential test cannot compare (ifupdown would read the host's /etc/network; C strings
	// end at NUL).
	NoHostPaths bool
}

// Tree is one generated configuration tree.
type Tree struct {
	Seed int64
	// Files maps slash-separated paths under the root ("etc/network/interfaces",
	// "etc/network/interfaces.d/eth0") to their bytes.
	Files map[string][]byte
	// Names lists the logical names of every iface line written, in order of first appearance.
	Names []string
	// Features lists the grammar corners and misconfigurations the tree uses, sorted.
	Features []string
	// Broken names the deliberate fatal error in the top-level file, or is empty.
	Broken string
}

// Has reports whether the tree uses a feature.
func (t Tree) Has(feature string) bool {
	i := sort.SearchStrings(t.Features, feature)
	return i < len(t.Features) && t.Features[i] == feature
}

// Top is the path of the top-level file in Tree.Files.
const Top = "etc/network/interfaces"

// Generate returns the tree for a seed.
func Generate(seed int64, opts Options) Tree {
	if opts.BrokenRate == 0 {
		opts.BrokenRate = 0.17
	}
	g := &gen{
		r:     rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15)),
		opts:  opts,
		feat:  map[string]bool{},
		files: map[string]*file{},
		names: map[string]bool{},
	}
	g.build()
	t := Tree{Seed: seed, Files: map[string][]byte{}, Names: g.nameList, Broken: g.broken}
	for _, p := range g.order {
		t.Files[p] = g.render(g.files[p])
	}
	for f := range g.feat {
		t.Features = append(t.Features, f)
	}
	sort.Strings(t.Features)
	return t
}

type gen struct {
	r        *rand.Rand
	opts     Options
	feat     map[string]bool
	files    map[string]*file
	order    []string // file paths in creation order
	names    map[string]bool
	nameList []string
	broken   string
	ifaces   []*iface
}

// file is a file being built: a list of blocks and how to render its bytes.
type file struct {
	path    string
	blocks  []block
	crlf    bool // every line ends in \r\n
	mixed   bool // some lines end in \r\n
	noFinal bool // no newline after the last line
	top     bool
}

// block is a stanza or a directive (already formed lines).
type block struct {
	st    *stanza
	lines []string
}

type opt struct{ key, val string }

type stanza struct {
	name, fam, method string
	inherits          string
	bare              bool   // "iface NAME inherits OTHER" without family and method
	extra             string // more words on the iface line
	opts              []opt
	bareSel           string // a bare "auto"/"allow-hotplug" line inside the stanza
}

// iface is one physical interface of the scenario with its addressing plan.
type iface struct {
	name     string
	v4, v6   string // "192.0.2" and "2001:db8:1"
	primary4 *stanza
	primary6 *stanza
	aliases  []*stanza
	gw4      string
	gw6      string
	next     int // the next free host number in v4 and v6
}

func (g *gen) f(p float64) bool { return g.r.Float64() < p }
func (g *gen) n(k int) int      { return g.r.IntN(k) }

func (g *gen) pick(ss ...string) string { return ss[g.n(len(ss))] }

func (g *gen) mark(f string) { g.feat[f] = true }

func (g *gen) addName(n string) {
	if !g.names[n] {
		g.names[n] = true
		g.nameList = append(g.nameList, n)
	}
}

func (g *gen) newFile(p string) *file {
	f := &file{path: p}
	g.files[p] = f
	g.order = append(g.order, p)
	return f
}

var basePool = []string{"eth0", "eth1", "ens3", "enp0s25", "bond0", "bond0.100", "br0", "eth2", "em1"}

var v4Nets = []string{"192.0.2", "198.51.100", "203.0.113", "10.20.30", "172.16.5"}

func (g *gen) build() {
	top := g.newFile(Top)
	top.top = true

	// The physical interfaces.
	nb := 1
	if g.f(0.35) {
		nb = 2
	}
	if g.f(0.1) {
		nb = 3
	}
	used := map[string]bool{}
	for len(g.ifaces) < nb {
		b := basePool[0]
		if len(g.ifaces) > 0 || g.f(0.2) {
			b = basePool[g.n(len(basePool))]
		}
		if used[b] {
			continue
		}
		used[b] = true
		k := len(g.ifaces)
		g.ifaces = append(g.ifaces, &iface{name: b, v4: v4Nets[(k+g.n(2)*3)%len(v4Nets)], v6: fmt.Sprintf("2001:db8:%x", k+1)})
	}
	if strings.Contains(strings.Join(keys(used), " "), ".") {
		g.mark("vlan-name")
	}

	var blocks []block
	var loBlocks []block
	if g.f(0.75) {
		g.addName("lo")
		loBlocks = append(loBlocks, block{lines: []string{"auto lo"}}, block{st: &stanza{name: "lo", fam: "inet", method: "loopback"}})
		if g.f(0.15) {
			loBlocks = append(loBlocks, block{st: &stanza{name: "lo", fam: "inet6", method: "loopback"}})
		}
	}
	for _, ifc := range g.ifaces {
		blocks = append(blocks, g.ifaceBlocks(ifc)...)
	}
	if g.f(0.05) {
		blocks = append(blocks, g.tunnelBlocks()...)
	}
	if g.f(0.06) {
		blocks = append(blocks, g.mappingBlocks(false)...)
		g.addName("eth7-home")
	}
	if g.f(0.04) {
		// A long stanza name (ifupdown keeps 79 bytes of it) and a long option name.
		name := strings.Repeat("x", 70+g.n(40)) + ":0"
		g.addName(name)
		st := &stanza{name: name, fam: "inet", method: "manual", opts: []opt{{strings.Repeat("o", 85), "value"}, {"description", strings.Repeat("long ", 30)}}}
		blocks = append(blocks, block{st: st})
		g.mark("long-word")
	}
	sel := g.selection()

	// Distribute: everything in the top file, or stanzas in included files.
	if g.f(0.45) {
		g.includes(top, loBlocks, blocks, sel)
	} else {
		top.blocks = append(append(append(top.blocks, loBlocks...), sel...), blocks...)
		if g.f(0.3) {
			g.shuffleSelection(top)
		}
	}
	if g.f(g.opts.BrokenRate) {
		g.breakFile(top, true)
	}
	for _, p := range g.order {
		f := g.files[p]
		if !f.top && g.f(0.04) {
			g.breakFile(f, false)
		}
		g.fileStyle(f)
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ifaceBlocks writes the stanzas of one physical interface: its primaries, aliases and the
// mistakes around them.
func (g *gen) ifaceBlocks(ifc *iface) []block {
	var out []block
	add := func(st *stanza) {
		g.addName(st.name)
		out = append(out, block{st: st})
	}
	ifc.gw4 = ifc.v4 + ".1"
	ifc.gw6 = ifc.v6 + "::1"
	if g.f(0.1) {
		ifc.gw6 = "fe80::1"
	}
	// Primary inet.
	if g.f(0.93) {
		st := &stanza{name: ifc.name, fam: "inet"}
		m := g.r.Float64()
		switch {
		case m < 0.68:
			st.method = "static"
			st.opts = append(st.opts, g.v4Address(ifc)...)
			if g.f(0.04) {
				st.opts = nil // static without an address: cannot come up
			}
			if g.f(0.8) {
				st.opts = append(st.opts, opt{"gateway", ifc.gw4})
				if g.f(0.15) {
					st.opts = append(st.opts, opt{"metric", g.pick("0", "10", "100")})
				}
			} else {
				g.mark("primary-without-gateway")
			}
		case m < 0.8:
			st.method = "dhcp"
			if g.f(0.25) {
				st.opts = append(st.opts, opt{"metric", "50"})
			}
		case m < 0.9:
			st.method = "manual"
			if g.f(0.3) {
				st.opts = append(st.opts, opt{"up", g.routeCommand(4, ifc.gw4, ifc.name, "", false)})
			}
		default:
			st.method = g.pick("bootp", "ipv4ll", "loopback", "ppp", "wvdial")
			if st.method == "ppp" {
				st.opts = append(st.opts, opt{"provider", "isp"})
			}
		}
		if st.method != "static" && g.f(0.4) {
			st.opts = append(st.opts, opt{"gateway", ifc.gw4}) // ignored by this method
		}
		g.guard(st)
		g.linkSetting(st, "inet")
		ifc.primary4 = st
		add(st)
	}
	// Primary inet6.
	if g.f(0.3) {
		st := &stanza{name: ifc.name, fam: "inet6"}
		m := g.r.Float64()
		switch {
		case m < 0.6:
			st.method = "static"
			st.opts = append(st.opts, opt{"address", fmt.Sprintf("%s::%d/64", ifc.v6, g.host(ifc))})
			if g.f(0.75) {
				st.opts = append(st.opts, opt{"gateway", ifc.gw6})
			}
			if g.f(0.1) {
				st.opts = append(st.opts, opt{"metric", "20"})
			}
		case m < 0.75:
			st.method = "auto"
		case m < 0.88:
			st.method = "dhcp"
		default:
			st.method = "manual"
		}
		if st.method != "static" && g.f(0.3) {
			st.opts = append(st.opts, opt{"gateway", ifc.gw6})
		}
		g.guard(st)
		g.linkSetting(st, "inet6")
		ifc.primary6 = st
		add(st)
	}
	// Several stanzas of one name: the modern replacement of aliases.
	if g.f(0.1) && ifc.primary4 != nil {
		st := &stanza{name: ifc.name, fam: "inet", method: "static", opts: g.v4Address(ifc)}
		if g.f(0.7) {
			gw := ifc.gw4
			if g.f(0.3) {
				gw = ifc.v4 + ".254"
			}
			st.opts = append(st.opts, opt{"gateway", gw})
			if g.f(0.3) {
				st.opts = append(st.opts, opt{"metric", "200"})
			}
		}
		if g.f(0.3) {
			// manual first, static second: the working one is the second
			ifc.primary4.method = "manual"
			ifc.primary4.opts = nil
		}
		g.mark("same-name-stanzas")
		add(st)
	}
	// Aliases.
	na := []int{0, 1, 1, 2, 2, 3, 4}[g.n(7)]
	suffixes := []string{"0", "1", "2", "web", "vip", "10", "mail"}
	g.r.Shuffle(len(suffixes), func(i, j int) { suffixes[i], suffixes[j] = suffixes[j], suffixes[i] })
	for i := 0; i < na; i++ {
		name := ifc.name + ":" + suffixes[i]
		if _, err := fmt.Sscan(suffixes[i], new(int)); err != nil {
			g.mark("alias-word")
		} else {
			g.mark("alias-number")
		}
		if strings.Contains(ifc.name, ".") {
			g.mark("alias-vlan")
		}
		fam := "inet"
		if ifc.primary6 != nil && (ifc.primary4 == nil || g.f(0.3)) {
			fam = "inet6"
		}
		st := g.alias(ifc, name, fam)
		ifc.aliases = append(ifc.aliases, st)
		add(st)
		if g.f(0.06) {
			// the same alias name once more, e.g. manual then static
			st2 := g.alias(ifc, name, fam)
			g.mark("same-name-stanzas")
			add(st2)
		}
	}
	// inherits: a template or the primary, and chains.
	if g.f(0.1) {
		tmpl := &stanza{name: ifc.name + "-tmpl", fam: "inet", method: "static", opts: []opt{{"netmask", "255.255.255.0"}, {"gateway", ifc.gw4}}}
		parent := tmpl.name
		if g.f(0.4) && ifc.primary4 != nil {
			parent = ifc.name
		} else {
			add(tmpl)
		}
		a := &stanza{name: ifc.name + ":" + g.pick("7", "8", "tpl"), fam: "inet", method: "static", inherits: parent, opts: []opt{{"address", fmt.Sprintf("%s.%d", ifc.v4, g.host(ifc))}}}
		if g.f(0.3) {
			a.opts = append(a.opts, opt{g.pick("gateway?", "gateway"), ifc.v4 + ".254"})
		}
		add(a)
		ifc.aliases = append(ifc.aliases, a)
		if g.f(0.5) {
			g.mark("inherits-chain")
			b := &stanza{name: a.name + "1", inherits: a.name, opts: []opt{{"address", fmt.Sprintf("%s.%d", ifc.v4, g.host(ifc))}}}
			if g.f(0.6) {
				b.bare = true
			} else {
				b.fam, b.method = "inet", "static"
			}
			add(b)
			ifc.aliases = append(ifc.aliases, b)
		}
	}
	return out
}

// host returns a new host number of the interface's subnets.
func (g *gen) host(ifc *iface) int {
	if ifc.next == 0 {
		ifc.next = 10
	}
	ifc.next += 1 + g.n(3)
	return ifc.next
}

func (g *gen) v4Address(ifc *iface) []opt {
	a := fmt.Sprintf("%s.%d", ifc.v4, g.host(ifc))
	switch g.n(6) {
	case 0:
		return []opt{{"address", a}, {"netmask", "255.255.255.0"}}
	case 1:
		return []opt{{"address", a}, {"netmask", "24"}}
	case 2:
		return []opt{{"address", a}}
	case 3:
		if g.n(4) == 0 {
			return g.oddV4Address(a)
		}
	}
	return []opt{{"address", a + "/24"}}
}

// oddV4Address writes an address whose mask only C's conversions read right: ifupdown's
// compute_v4_mask (sscanf, a 64-bit shift past 32 bits: /88 is /24, /96 /32, /33 /0) and ip's
// get_netmask (strtoul base 0, one to four parts); each was checked with the real ifup -n and ip.
func (g *gen) oddV4Address(a string) []opt {
	g.mark("odd-mask")
	forms := [][]opt{
		{{"address", a + "/88"}}, {{"address", a + "/24x"}}, {{"address", a + "/96"}}, {{"address", a + "/33"}},
		{{"address", a + "//24"}}, {{"address", a + "/255.255.255.0"}}, {{"address", a + "/255.0.255.0"}},
		{{"address", a}, {"netmask", "0x18"}}, {{"address", a}, {"netmask", "030"}}, {{"address", a}, {"netmask", "255.255.255"}},
	}
	return forms[g.n(len(forms))]
}

// guard sometimes gives a primary a check before its method, whose status the host decides
// (a red-team class of 2026-12-07): where it fails, the stanza stops there.
func (g *gen) guard(st *stanza) {
	if !g.f(0.04) {
		return
	}
	st.opts = append(st.opts, opt{"pre-up", g.pick("test -e /etc/network/ready", "[ -d /sys/class/net/"+st.name+" ]",
		"test -d /sys/class/net/"+st.name+"/")})
	g.mark("guard")
}

// linkSetting sometimes gives a primary an mtu or a hardware address, which ifup sets on the
// device before its gateway route: some values every Ethernet device takes, some only a few
// (all of them taken by veth, so that the live checks see them succeed, as the judge does).
func (g *gen) linkSetting(st *stanza, fam string) {
	if !g.f(0.08) {
		return
	}
	o := opt{"mtu", g.pick("1500", "1400", "9000", "9216")}
	if fam == "inet6" {
		o.val = g.pick("1500", "1280", "9000")
	}
	if g.f(0.4) {
		o = opt{"hwaddress", g.pick("", "ether ") + fmt.Sprintf("02:00:00:00:%02x:%02x", g.r.IntN(256), g.r.IntN(256))}
	}
	st.opts = append(st.opts, o)
	g.mark("link-setting")
}

// alias writes one alias stanza with a realistic gateway mistake.
func (g *gen) alias(ifc *iface, name, fam string) *stanza {
	st := &stanza{name: name, fam: fam, method: "static"}
	if g.f(0.1) {
		st.method = g.pick("dhcp", "manual")
		if fam == "inet6" {
			st.method = g.pick("auto", "manual", "dhcp")
		}
	}
	gw, sub := ifc.gw4, ifc.v4
	if fam == "inet6" {
		gw = ifc.gw6
		if st.method == "static" {
			st.opts = append(st.opts, opt{"address", fmt.Sprintf("%s::%d/64", ifc.v6, g.host(ifc))})
		}
	} else if st.method == "static" {
		st.opts = append(st.opts, g.v4Address(ifc)...)
	}
	key := "gateway"
	switch x := g.r.Float64(); {
	case x < 0.05:
		key = g.pick("Gateway", "GATEWAY", "gateWay")
	case x < 0.1:
		key = "gateway?"
	}
	switch x := g.r.Float64(); {
	case x < 0.5:
		st.opts = append(st.opts, opt{key, gw}) // copied from the primary
		g.mark("alias-gateway-copied")
	case x < 0.65:
		other := sub + ".254"
		if fam == "inet6" {
			other = ifc.v6 + "::fe"
		}
		st.opts = append(st.opts, opt{key, other})
		g.mark("alias-gateway-different")
	case x < 0.78:
		st.opts = append(st.opts, opt{key, gw}, opt{"metric", g.pick("100", "200", "0", "10")})
		g.mark("alias-gateway-metric")
	case x < 0.82:
		st.opts = append(st.opts, opt{key, gw}, opt{key, sub + ".2"})
	case x < 0.84:
		// No unicast address: the kernel refuses its route (a red-team class of 2026-12-07).
		bad := g.pick("0.0.0.0", "127.0.0.1", "224.0.0.1", "255.255.255.255")
		if fam == "inet6" {
			bad = g.pick("::", "::1", "ff02::1")
		}
		st.opts = append(st.opts, opt{key, bad})
		g.mark("gateway-not-unicast")
	}
	if g.f(0.25) {
		v := 4
		if fam == "inet6" {
			v = 6
		}
		g.routeOptions(st, v, gw, name)
	}
	return st
}

// routeOptions adds up/down default-route commands, with their down twins most of the time.
func (g *gen) routeOptions(st *stanza, v int, gw, dev string) {
	up := g.pick("up", "post-up", "up", "pre-up")
	// A non-default route, which must stay; one prefix for every stanza, as when a stanza is
	// copied with its static routes: a second `ip route add` of it fails with 'File exists' and
	// stops its stanza, before the default-route command when it comes first.
	var static []opt
	if g.f(0.25) {
		static = []opt{{"up", strings.NewReplacer("GW", gw, "DEV", dev).Replace(g.pick(
			"ip route add 10.99.0.0/16 via GW dev DEV onlink", "ip route add 10.99.0.0/16 via GW",
			"route add -net 10.99.0.0/16 gw GW", "ip route append 10.99.0.0/16 via GW dev DEV onlink"))}}
		if v == 6 {
			static[0].val = "ip -6 route add 2001:db8:99::/48 via " + gw + " dev " + dev + " onlink"
		}
	}
	first := g.f(0.5)
	if first {
		st.opts = append(st.opts, static...)
	}
	st.opts = append(st.opts, opt{up, g.routeCommand(v, gw, dev, "", false)})
	if g.f(0.6) {
		st.opts = append(st.opts, opt{g.pick("down", "pre-down", "post-down"), g.routeCommand(v, gw, dev, "", true)})
	}
	if !first {
		st.opts = append(st.opts, static...)
	}
}

// routeCommand spells one default-route command in one of the many ways people write it.
func (g *gen) routeCommand(v int, gw, dev, metric string, del bool) string {
	var c string
	if v == 6 {
		forms := []string{
			"ip -6 route add default via GW dev DEV",
			"ip -6 route add ::/0 via GW dev DEV onlink",
			"ip -6 r a default via GW dev DEV",
			"ip -6 route replace default via GW dev DEV",
			"ip route add default via GW dev DEV",
			"ip -6 route append default via GW dev DEV",
			"route -A inet6 add default gw GW dev DEV",
		}
		if del {
			forms = []string{"ip -6 route del default via GW dev DEV", "ip -6 r d default via GW", "route -A inet6 del default gw GW dev DEV"}
		}
		c = g.pick(forms...)
	} else {
		forms := []string{
			"route add default gw GW", "route add default gw GW dev DEV", "route add default gw GW DEV",
			"route add -net 0.0.0.0 netmask 0.0.0.0 gw GW dev DEV", "route add default gw GW metric 5 dev DEV",
			"ip route add default via GW", "ip route add default via GW dev DEV", "ip route add default via GW dev DEV onlink",
			"ip route append default via GW dev DEV", "ip route replace default via GW dev DEV", "ip route prepend default via GW dev DEV",
			"ip r a default via GW", "ip ro add 0/0 via GW dev DEV", "ip route add 0.0.0.0/0 via GW dev DEV",
			"ip route add default via GW dev DEV table 100", "ip route add default via GW dev DEV metric 300",
			"ip route add default dev DEV", "ip r r 0/0 via GW dev DEV",
		}
		if del {
			forms = []string{"route del default gw GW", "route del default gw GW dev DEV", "ip route del default via GW", "ip r d default", "ip route del 0/0 via GW dev DEV"}
		}
		c = g.pick(forms...)
	}
	if g.f(0.08) {
		gw = "$(echo " + gw + ")"
	}
	if g.f(0.05) {
		dev = "$IFACE"
	}
	c = strings.NewReplacer("GW", gw, "DEV", dev).Replace(c)
	if metric != "" {
		c += " metric " + metric
	}
	// Forms a red-team pass found the model misreading (2026-12-07): a wrapper that runs the
	// command, and a compound command around it, whose condition the host decides.
	switch x := g.r.Float64(); {
	case x < 0.04:
		c = g.pick("timeout 5 ", "nice ", "nice -n 10 ", "env LC_ALL=C ") + c
		g.mark("route-wrapper")
	case x < 0.07:
		c = "if [ -d /sys/class/net/" + dev + " ]; then " + c + "; fi"
		g.mark("route-if-clause")
	}
	switch x := g.r.Float64(); {
	case x < 0.08:
		c += " || true"
	case x < 0.14:
		c += " 2>/dev/null"
	case x < 0.18:
		c += " >/dev/null 2>&1 || true"
	case x < 0.22:
		c += " &"
	case x < 0.26:
		c = "sleep 1; " + c
	case x < 0.3:
		c += " && logger -t ifup default route added"
	case x < 0.33:
		c += " | logger -t ifup"
	case x < 0.35:
		c = "[ -x /sbin/ip ] && " + c
	}
	return c
}

// tunnelBlocks writes a tunnel interface with a gateway (inet tunnel needs a netmask).
func (g *gen) tunnelBlocks() []block {
	if g.f(0.5) {
		st := &stanza{name: "gre1", fam: "inet", method: "tunnel", opts: []opt{
			{"address", "10.9.9.1"}, {"mode", "gre"}, {"endpoint", "203.0.113.9"}, {"gateway", "10.9.9.2"}}}
		if g.f(0.7) {
			st.opts = append(st.opts, opt{"netmask", "255.255.255.252"})
		}
		g.addName(st.name)
		return []block{{lines: []string{"auto gre1"}}, {st: st}}
	}
	m := g.pick("v4tunnel", "6to4", "tunnel")
	st := &stanza{name: "he-ipv6", fam: "inet6", method: m}
	switch m {
	case "v4tunnel":
		st.opts = []opt{{"address", "2001:db8:99::2/64"}, {"endpoint", "203.0.113.9"}, {"gateway", "2001:db8:99::1"}}
	case "6to4":
		st.opts = []opt{{"local", "203.0.113.5"}}
	case "tunnel":
		st.opts = []opt{{"mode", "ip6gre"}, {"endpoint", "2001:db8:9::1"}, {"address", "2001:db8:98::1"}, {"netmask", "64"}, {"gateway", "2001:db8:98::2"}}
	}
	g.addName(st.name)
	return []block{{lines: []string{"auto he-ipv6"}}, {st: st}}
}

// mappingBlocks writes a mapping stanza for a name nothing else uses.
func (g *gen) mappingBlocks(broken bool) []block {
	g.mark("mapping")
	lines := []string{"mapping eth7", "    script /usr/local/sbin/guess-net", "    map home eth7-home", "    map work eth7-work"}
	if broken {
		switch g.n(3) {
		case 0:
			lines = append(lines[:2], append([]string{"    gateway 192.0.2.1"}, lines[2:]...)...)
		case 1:
			lines = append(lines[:2], append([]string{"    " + g.pick("auto", "allow-hotplug", "no-auto-down", "no-scripts")}, lines[2:]...)...)
			g.mark("mapping-bare-selection")
		default:
			lines = append(lines, "    script /bin/true")
		}
	}
	return []block{{lines: lines}, {st: &stanza{name: "eth7-home", fam: "inet", method: "dhcp"}}}
}

// selection writes the auto / allow-hotplug lines in one of the orders that occur.
func (g *gen) selection() []block {
	var primaries, aliases []string
	for _, ifc := range g.ifaces {
		if ifc.primary4 != nil || ifc.primary6 != nil {
			primaries = append(primaries, ifc.name)
		}
		for _, a := range ifc.aliases {
			if !contains(aliases, a.name) {
				aliases = append(aliases, a.name)
			}
		}
	}
	var autoNames, hot []string
	for _, p := range primaries {
		if g.f(0.8) || len(g.ifaces) == 1 {
			autoNames = append(autoNames, p)
		} else {
			hot = append(hot, p)
			g.mark("allow-hotplug")
		}
	}
	for _, a := range aliases {
		switch x := g.r.Float64(); {
		case x < 0.8:
			autoNames = append(autoNames, a)
		case x < 0.88:
			hot = append(hot, a)
			g.mark("allow-hotplug")
		}
	}
	switch x := g.r.Float64(); {
	case x < 0.2:
		// aliases first: their gateway wins and the primary fails
		var first []string
		for _, n := range autoNames {
			if strings.Contains(n, ":") {
				first = append(first, n)
			}
		}
		for _, n := range autoNames {
			if !strings.Contains(n, ":") {
				first = append(first, n)
			}
		}
		autoNames = first
		g.mark("auto-alias-first")
	case x < 0.35:
		g.r.Shuffle(len(autoNames), func(i, j int) { autoNames[i], autoNames[j] = autoNames[j], autoNames[i] })
		g.mark("auto-shuffled")
	}
	if g.f(0.04) {
		autoNames = append(autoNames, "eth9") // no stanza
		g.mark("auto-unknown-name")
	}
	var out []block
	if len(autoNames) > 0 {
		kw := "auto"
		if g.f(0.05) {
			kw = "allow-auto"
			g.mark("allow-auto")
		}
		if len(autoNames) > 2 && g.f(0.4) {
			cut := 1 + g.n(len(autoNames)-1)
			out = append(out, block{lines: []string{kw + " " + strings.Join(autoNames[:cut], " ")}}, block{lines: []string{"auto " + strings.Join(autoNames[cut:], "\t")}})
			g.mark("auto-split")
		} else {
			out = append(out, block{lines: []string{kw + " " + strings.Join(autoNames, " ")}})
		}
	}
	if len(hot) > 0 {
		out = append(out, block{lines: []string{"allow-hotplug " + strings.Join(hot, " ")}})
	}
	if g.f(0.05) && len(primaries) > 0 {
		out = append(out, block{lines: []string{g.pick("no-auto-down ", "no-scripts ") + primaries[0]}})
		g.mark("no-auto-down/no-scripts")
	}
	if g.f(0.03) {
		out = append(out, block{lines: []string{"rename wwx0=wwan9"}})
		g.mark("rename")
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// shuffleSelection moves the selection lines of the top file between stanzas (they may stand
// anywhere between stanzas, and often stand right before the stanza they name).
func (g *gen) shuffleSelection(f *file) {
	var sel, rest []block
	for _, b := range f.blocks {
		if b.st == nil && len(b.lines) == 1 && (strings.HasPrefix(b.lines[0], "auto ") || strings.HasPrefix(b.lines[0], "allow-")) {
			sel = append(sel, b)
		} else {
			rest = append(rest, b)
		}
	}
	for _, s := range sel {
		i := g.n(len(rest) + 1)
		rest = append(rest[:i], append([]block{s}, rest[i:]...)...)
	}
	f.blocks = rest
	g.mark("selection-between-stanzas")
}

// includes spreads the stanzas over included files and writes the source lines that read them.
func (g *gen) includes(top *file, lo, stanzas, sel []block) {
	g.mark("source")
	dir := "etc/network/interfaces.d"
	// How the top file includes them.
	type style struct{ line, feature string }
	styles := []style{
		{"source interfaces.d/*", "source-glob"},
		{"source interfaces.d/*", "source-glob"},
		{"source-directory interfaces.d", "source-directory"},
		{"source-dir interfaces.d", "source-directory"},
		{"source interfaces.d/*.cfg", "source-glob"},
		{"source interfaces.d/[[:alnum:]]*", "source-bracket-class"},
		{"source interfaces.d/[]]*", "source-bracket-rbracket-first"},
		{"source interfaces.d/x[y*", "source-bracket-unclosed"},
		{"source interfaces.d/[!.]*", "source-bracket-negated"},
		{"source interfaces.d/[a-m]*", "source-bracket-range"},
		{"source interfaces.d/?*", "source-glob"},
		{"source ./interfaces.d/*", "source-relative"},
		{"source ../network/interfaces.d/*", "source-relative"},
		{"source interfaces.d/first etc/network/more/second", "source-multiword"},
	}
	if !g.opts.NoHostPaths && g.f(0.06) {
		styles = []style{{"source /etc/network/interfaces.d/*", "source-absolute"}}
	}
	s := styles[g.n(len(styles))]
	g.mark(s.feature)
	// File names that the style reads, and decoys it may or may not read.
	var names []string
	switch s.feature {
	case "source-directory":
		names = []string{"eth0", "aliases", "10-alias", "lan_1"}
	case "source-bracket-class":
		names = []string{"eth0", "aliases", "9-alias"}
	case "source-bracket-rbracket-first":
		names = []string{"]aliases", "]eth0"}
	case "source-bracket-unclosed":
		names = []string{"x[y", "x[yz", "x[y-aliases"}
	case "source-bracket-range":
		names = []string{"aliases", "eth0", "b-more"}
	case "source-multiword":
		names = []string{"first"}
	default:
		names = []string{"eth0", "aliases", "10-alias.cfg", "lan.cfg"}
		if strings.HasSuffix(s.line, ".cfg") {
			names = []string{"10-alias.cfg", "eth0.cfg"}
		}
	}
	decoys := []string{"aliases.bak", "aliases~", ".hidden", "old.cfg", "README", "x[y", "]x", "Z-last", "with.dot"}
	// Where the source line goes: Debian puts it first; people also put it last.
	srcLines := []string{s.line}
	if g.f(0.1) {
		srcLines = append(srcLines, g.pick("source interfaces.d/*", "source-directory interfaces.d", "source interfaces.d/eth0"))
		g.mark("source-twice")
	}
	var srcBlocks []block
	for _, l := range srcLines {
		srcBlocks = append(srcBlocks, block{lines: []string{l}})
	}
	// The top file keeps lo, the selection and the first interface's primaries (often).
	var keep, move []block
	for i, b := range stanzas {
		if b.st != nil && !strings.Contains(b.st.name, ":") && i < 3 && g.f(0.6) {
			keep = append(keep, b)
		} else {
			move = append(move, b)
		}
	}
	var files []*file
	for _, n := range names {
		files = append(files, g.newFile(dir+"/"+n))
	}
	if s.feature == "source-multiword" {
		files = append(files, g.newFile("etc/network/more/second"))
	}
	selInTop := g.f(0.7)
	if g.f(0.5) {
		top.blocks = append(append(append(append(top.blocks, srcBlocks...), lo...), keep...), sel...)
	} else {
		top.blocks = append(append(append(top.blocks, lo...), keep...), srcBlocks...)
		if selInTop {
			top.blocks = append(top.blocks, sel...)
		}
	}
	// Each moved stanza with the directives right before it (its mapping lines, its auto).
	for _, b := range move {
		f := files[g.n(len(files))]
		f.blocks = append(f.blocks, b)
	}
	if !selInTop || len(top.blocks) == 0 {
		f := files[g.n(len(files))]
		f.blocks = append(sel, f.blocks...)
		g.mark("selection-in-included-file")
	}
	// Decoys: backup copies of a real file (read or not, depending on the glob), and a nested
	// include.
	for _, d := range decoys {
		if !g.f(0.15) || g.files[dir+"/"+d] != nil {
			continue
		}
		src := files[g.n(len(files))]
		c := g.newFile(dir + "/" + d)
		c.blocks = append(c.blocks, src.blocks...)
		g.mark("include-decoy")
	}
	if g.f(0.08) {
		f := files[g.n(len(files))]
		f.blocks = append(f.blocks, block{lines: []string{"source sub/*"}})
		sub := g.newFile(dir + "/sub/extra")
		ifc := g.ifaces[0]
		st := &stanza{name: ifc.name + ":99", fam: "inet", method: "static", opts: []opt{{"address", ifc.v4 + ".99/24"}, {"gateway", ifc.gw4}}}
		g.addName(st.name)
		sub.blocks = append(sub.blocks, block{lines: []string{"auto " + st.name}}, block{st: st})
		g.mark("source-nested")
	}
	if g.f(0.02) {
		f := files[g.n(len(files))]
		f.blocks = append(f.blocks, block{lines: []string{"source ../interfaces"}})
		g.mark("source-cycle")
	}
	// Files that ended up empty still exist (an empty interfaces.d file is common).
	for _, f := range files {
		if len(f.blocks) == 0 && g.f(0.5) {
			f.blocks = append(f.blocks, block{lines: []string{"# nothing here"}})
		}
	}
}

// breakFile puts one fatal error into a file (fatal in the top file; in an included file
// ifupdown warns and drops the rest of that file).
func (g *gen) breakFile(f *file, top bool) {
	kinds := []string{"empty-value", "option-outside-stanza", "option-after-auto", "mapping-misplaced", "unknown-method", "no-family", "Iface", "inherits-unknown", "too-few-parameters"}
	k := kinds[g.n(len(kinds))]
	if top {
		g.broken = k
	} else {
		g.mark("included-file-error")
	}
	var lines []string
	switch k {
	case "empty-value":
		lines = []string{"iface eth5 inet static", "    address 192.0.2.50/24", "    gateway"}
	case "option-outside-stanza":
		lines = []string{"gateway 192.0.2.1"}
	case "option-after-auto":
		lines = []string{"iface eth5 inet static", "    address 192.0.2.50/24", "auto eth5", "    gateway 192.0.2.1"}
	case "mapping-misplaced":
		for _, b := range g.mappingBlocks(true) {
			if b.lines != nil {
				lines = b.lines
			}
		}
	case "unknown-method":
		lines = []string{"iface eth5 inet statik", "    address 192.0.2.50/24"}
	case "no-family":
		lines = []string{"iface eth5"}
	case "Iface":
		lines = []string{"Iface eth5 inet static"}
	case "inherits-unknown":
		lines = []string{"iface eth5:0 inet static inherits nosuch", "    address 192.0.2.51/24"}
	case "too-few-parameters":
		lines = []string{"iface"}
	}
	if strings.HasPrefix(lines[0], "iface eth5") || strings.HasPrefix(lines[0], "Iface") {
		g.addName(strings.Fields(lines[0])[1])
	}
	// Anywhere between blocks; an option line must not follow a stanza, which would take it.
	i := g.n(len(f.blocks) + 1)
	if k == "option-outside-stanza" || k == "Iface" {
		var at []int
		for j := 0; j <= len(f.blocks); j++ {
			if j == 0 || f.blocks[j-1].st == nil && !strings.HasPrefix(f.blocks[j-1].lines[0], "mapping") {
				at = append(at, j)
			}
		}
		i = at[g.n(len(at))]
	}
	f.blocks = append(f.blocks[:i], append([]block{{lines: lines}}, f.blocks[i:]...)...)
}

// fileStyle picks a file's line endings and final newline (render records what it wrote).
func (g *gen) fileStyle(f *file) {
	switch x := g.r.Float64(); {
	case x < 0.07:
		f.crlf = true
	case x < 0.09:
		f.mixed = true
	}
	f.noFinal = g.f(0.15)
}
