package bringup

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/ifacefix/ifacefix/internal/routecmd"
)

// method is what the model knows of an ifupdown 0.8.41 method (inet.defn, inet6.defn, Linux).
type method struct {
	required []string // variables its up commands use outside [[ ]]: without one, ifup fails
	address  bool     // it adds its address to the device
	// optAddress: the address command is in a [[ ]] block with netmask, run only when both are set.
	optAddress bool
	up         bool // it sets the device's link up (ip link set dev IF up)
	// route returns its default-route command with the gateway (nil: gateway means nothing to it).
	route func(v *vars, iface string) string
	// hostRoute: before that, it adds a route to the gateway itself (ip route add %gateway% dev
	// %iface%); where that fails (a gateway value with a '#' leaves no dev), the stanza fails.
	hostRoute bool
	dynamic   bool   // it gets a default route at run time
	unknown   string // what it may do to the routes that the model cannot know
	mayRemove bool   // that program may remove or replace default routes (Result.Removers)
	// link are the variables its link commands set on the device before its gateway route
	// (mtu, hwaddress): whether the device takes them is the host's (see hostLink).
	link []string
}

// gatewayRoute returns a method's route template: the command with %gateway% and the optional
// [[metric %metric%]] filled in as ifupdown's parse() does.
func gatewayRoute(head, dst string) func(v *vars, iface string) string {
	return func(v *vars, iface string) string {
		var b strings.Builder
		b.WriteString(head + " " + dst + " via " + v.get("gateway").value + " ")
		if m := v.get("metric"); m != nil {
			b.WriteString("metric " + m.value)
		}
		b.WriteString(" dev " + iface + " onlink")
		return b.String()
	}
}

var mtuAndAddress = []string{"mtu", "hwaddress"}

var methods = map[string]method{
	"inet loopback": {up: true},
	"inet static":   {up: true, required: []string{"address"}, address: true, route: gatewayRoute("ip route add", "default"), link: mtuAndAddress},
	"inet manual":   {up: true, link: mtuAndAddress},
	"inet dhcp":     {up: true, dynamic: true, link: []string{"hwaddress"}},
	// bootp and ipv4ll run only their program (no ip link set up): whether it sets the link up,
	// and when, is the program's.
	"inet bootp": {unknown: "bootpc, which may set a default route and the link up", mayRemove: true},
	"inet tunnel": {up: true, required: []string{"address", "mode", "endpoint", "netmask"}, address: true,
		route: gatewayRoute("ip route add", "default"), link: []string{"mtu"}},
	"inet ppp":    {unknown: "pppd, which may add a default route", mayRemove: true},
	"inet wvdial": {unknown: "pppd, which may add a default route", mayRemove: true},
	// avahi-autoipd's action script adds a default route of its own, `default dev IF metric
	// 1000+ifindex scope link`, and deletes only that one: it removes no other stanza's route.
	"inet ipv4ll": {unknown: "avahi-autoipd, which may set the link up and add a link-local default route"},

	"inet6 auto":     {up: true, dynamic: true},
	"inet6 loopback": {up: true},
	"inet6 static":   {up: true, required: []string{"address"}, address: true, route: gatewayRoute("ip -6 route replace", "default"), link: mtuAndAddress},
	"inet6 manual":   {up: true, link: mtuAndAddress},
	"inet6 dhcp":     {up: true, dynamic: true, link: []string{"hwaddress"}},
	"inet6 v4tunnel": {up: true, required: []string{"address", "endpoint"}, address: true, hostRoute: true, route: gatewayRoute("ip route add", "::/0"), link: []string{"mtu"}},
	// The sit tunnel's route (ip route add 2000::/3 via ::192.88.99.1) works only through the
	// routes the kernel gives a sit device, which neither the model nor this machine (no sit
	// module) can check: its success is the host's.
	"inet6 6to4": {up: true, required: []string{"local"}, unknown: "a sit tunnel whose route to the 6to4 relay the model does not follow"},
	"inet6 tunnel": {up: true, required: []string{"mode", "endpoint"}, address: true, optAddress: true, route: func(v *vars, iface string) string {
		if strings.EqualFold(v.get("mode").value, "ipip6") {
			return gatewayRoute("ip -4 route add", "0.0.0.0/0")(v, iface)
		}
		return gatewayRoute("ip -6 route add", "::/0")(v, iface)
	}},

	"ipx static":  {},
	"ipx dynamic": {},
	"can static":  {},
	"meta none":   {},
}

// hostLink returns the first of the method's link settings (m.link) that the stanza sets and whose
// success only the host decides, as the line ifup runs for it; "" when there is none. An mtu of
// 1280 to 1500 is taken by every Ethernet device; a larger one only by some, a malformed one by
// none, and one below 1280 turns IPv6 off on the device (ipv6Off). A hardware address may be
// refused by the driver (some change it only while the link is down, and an earlier stanza may
// have set it up). Such a line fails the stanza before its gateway route where the device refuses
// it: the model takes it as succeeding, and the fixer as known only at run time.
func hostLink(iface string, v *vars, m method) string {
	for _, name := range m.link {
		x := v.get(name)
		if x == nil {
			continue
		}
		if name == "mtu" {
			if n, err := strconv.ParseUint(x.value, 10, 32); err == nil && n >= routecmd.IPv6MinMTU && n <= 1500 {
				continue
			}
		}
		word, value := "mtu", x.value
		if name == "hwaddress" {
			word = "address"
			value = strings.TrimPrefix(value, "ether ") // ifup drops the class word
		}
		return "ip link set dev " + iface + " " + word + " " + value
	}
	return ""
}

// addrOptions reads the options ifupdown 0.8.41 passes to its `ip addr add` besides the address
// (inet: broadcast, pointopoint as peer, scope; inet6: scope, preferred-lifetime as preferred_lft):
// a broadcast address and a peer go into ad (a peer's route is to the peer alone, so ad's prefix
// becomes the address alone, as ip sends it). It returns the command for the first value the model
// cannot vouch for (ip may reject it, and the stanza then fails there), or "".
func addrOptions(family, iface string, v *vars, ad *routecmd.Addr) string {
	bad := func(word, value string) string {
		ip := "ip addr add "
		if family == "inet6" {
			ip = "ip -6 addr add "
		}
		return ip + ad.Prefix.String() + " " + word + " " + value + " dev " + iface
	}
	scope := func() bool {
		x := v.get("scope")
		if x == nil {
			return true
		}
		switch x.value {
		case "host", "link", "global", "site", "nowhere", "universe":
			return true
		}
		n, err := strconv.ParseUint(x.value, 10, 8)
		return err == nil && n <= 255
	}
	if !scope() {
		return bad("scope", v.get("scope").value)
	}
	if family == "inet6" {
		// settle-dad.sh waits dad-attempts x dad-interval (6 s by default) for duplicate address
		// detection and fails the stanza when it times out: under 2 s it may on a healthy link.
		if a, i := v.get("dad-attempts"), v.get("dad-interval"); a != nil || i != nil {
			n, interval := 60.0, 0.1
			var err error
			if a != nil {
				n, err = strconv.ParseFloat(a.value, 64)
			}
			if i != nil && err == nil {
				interval, err = strconv.ParseFloat(i.value, 64)
			}
			if err != nil || n != 0 && n*interval < 2 {
				return "/lib/ifupdown/settle-dad.sh (waiting for duplicate address detection, dad-attempts " + strconv.FormatFloat(n, 'g', -1, 64) + ")"
			}
		}
		if x := v.get("preferred-lifetime"); x != nil && x.value != "forever" {
			if _, err := strconv.ParseUint(x.value, 10, 32); err != nil {
				return bad("preferred_lft", x.value)
			}
		}
		return ""
	}
	if x := v.get("broadcast"); x != nil && x.value != "+" && x.value != "-" {
		b, err := netip.ParseAddr(x.value)
		if err != nil || !b.Is4() {
			return bad("broadcast", x.value)
		}
		ad.Broadcast = b
	}
	if x := v.get("pointopoint"); x != nil {
		p, err := netip.ParseAddr(x.value)
		if err != nil || !p.Is4() {
			return bad("peer", x.value)
		}
		ad.Peer, ad.Prefix = p, netip.PrefixFrom(ad.Prefix.Addr(), 32)
	}
	return ""
}

// ipv6Off returns what the model cannot know of an mtu below routecmd.IPv6MinMTU set on device
// dev: the kernel turns IPv6 off there, and every IPv6 route through it goes. "" for any other
// value.
func ipv6Off(mtu, dev string) string {
	if n, err := strconv.ParseUint(mtu, 10, 32); err != nil || n >= routecmd.IPv6MinMTU {
		return ""
	}
	return "mtu " + mtu + ", below 1280, which turns IPv6 off on " + dev + " and drops its IPv6 routes (not modelled)"
}

// prefixRouteDefault returns what the model cannot know of an IPv6 address with prefix length 0:
// the kernel adds its prefix route, ::/0, a default route through the device. "" for any other.
func prefixRouteDefault(p netip.Prefix) string {
	if !p.Addr().Is6() || p.Bits() != 0 {
		return ""
	}
	return "an IPv6 address with prefix length 0, whose prefix route is a default route (not modelled)"
}
