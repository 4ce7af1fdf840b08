package routecmd

import (
	"fmt"
	"net/netip"
	"strings"
)

// This file follows iproute2 6.1.0 (Debian 12): ip/ip.c main() and do_cmd(), ip/iproute.c
// do_iproute() and iproute_modify(), lib/utils.c get_addr_1()/get_prefix_1(), lib/rt_names.c.
// Keywords are tested in the source's order, since matches() accepts any prefix and the first
// test wins ("ip r a", "m 5" is metric, "p 5" is priority, "pre low" is pref).

// ipObjects is ip.c's cmds[] table, in order: the first whose name starts with the word wins.
var ipObjects = []string{"address", "addrlabel", "maddress", "route", "rule", "neighbor", "neighbour",
	"ntable", "ntbl", "link", "l2tp", "fou", "ila", "macsec", "tunnel", "tunl", "tuntap", "tap", "token",
	"tcpmetrics", "tcp_metrics", "monitor", "xfrm", "mroute", "mrule", "netns", "netconf", "vrf", "sr",
	"nexthop", "mptcp", "ioam", "help", "stats"}

// ipObject returns the object of ipObjects that ip takes word for ("" when none).
func ipObject(word string) string {
	for _, c := range ipObjects {
		if matches(word, c) {
			return c
		}
	}
	return ""
}

// parseIP reads the arguments of ip. ok is false when the command is not a route change (op.Err
// says what it is, and op.Refused is set where ip knows no such command and fails); an op with
// Err set and ok true is a route change that ip rejects.
func parseIP(args []string) (op Op, ok bool) {
	op.Tool = "ip"
	fam := ""
	no := func(format string, a ...any) (Op, bool) {
		op.Err = fmt.Sprintf(format, a...)
		return op, false
	}
	// refused: ip knows no such command and exits 1 or 255, doing nothing.
	refused := func(format string, a ...any) (Op, bool) {
		op.Refused = true
		return no(format, a...)
	}
	for len(args) > 0 {
		opt := args[0]
		if opt == "--" {
			args = args[1:]
			break
		}
		if opt == "" || opt[0] != '-' {
			break
		}
		if len(opt) > 1 && opt[1] == '-' {
			opt = opt[1:]
		}
		needArg := func() bool { return len(args) > 1 }
		switch {
		case matches(opt, "-loops"):
			if !needArg() {
				return no("ip %s without a value", args[0])
			}
			args = args[1:]
		case matches(opt, "-family"):
			if !needArg() {
				return no("ip %s without a value", args[0])
			}
			args = args[1:]
			switch args[0] {
			case "inet", "inet6", "link", "mpls", "bridge":
				fam = args[0]
			default:
				return no("ip: invalid protocol family %q", args[0])
			}
		case opt == "-4":
			fam = "inet"
		case opt == "-6":
			fam = "inet6"
		case opt == "-0":
			fam = "link"
		case opt == "-M":
			fam = "mpls"
		case opt == "-B":
			fam = "bridge"
		case matches(opt, "-human"), matches(opt, "-human-readable"), matches(opt, "-iec"),
			matches(opt, "-stats"), matches(opt, "-statistics"), matches(opt, "-details"),
			matches(opt, "-resolve"), matches(opt, "-oneline"), matches(opt, "-timestamp"),
			matches(opt, "-tshort"):
		case matches(opt, "-Version"):
			return no("ip -Version")
		case matches(opt, "-force"):
		case matches(opt, "-batch"):
			return no("ip -batch reads commands from a file")
		case matches(opt, "-brief"), matches(opt, "-json"), matches(opt, "-pretty"):
		case matches(opt, "-rcvbuf"):
			if !needArg() {
				return no("ip %s without a value", args[0])
			}
			args = args[1:]
			if _, ok := strtoul(args[0], 1<<32-1); !ok {
				return no("ip: invalid rcvbuf %q", args[0])
			}
		case matchesColor(opt):
		case matches(opt, "-help"):
			return no("ip -help")
		case matches(opt, "-netns"):
			return no("ip -netns acts in another network namespace")
		case matches(opt, "-Numeric"), matches(opt, "-all"), opt == "-echo":
		default:
			return no("ip: unknown option %q", args[0])
		}
		args = args[1:]
	}
	if len(args) == 0 {
		return refused("ip without an object")
	}
	obj := ""
	for _, c := range ipObjects {
		if matches(args[0], c) {
			obj = c
			break
		}
	}
	if obj == "" {
		return refused("ip %s: no such object", args[0])
	}
	if obj != "route" {
		return no("ip %s", args[0])
	}
	args = args[1:]
	if len(args) == 0 {
		return no("ip route list")
	}
	sub := args[0]
	switch {
	case matches(sub, "add"):
		op.Action = "add"
	case matches(sub, "change"), sub == "chg":
		op.Action = "change"
	case matches(sub, "replace"):
		op.Action = "replace"
	case matches(sub, "prepend"):
		op.Action = "prepend"
	case matches(sub, "append"):
		op.Action = "append"
	case matches(sub, "test"):
		op.Action = "test"
	case matches(sub, "delete"):
		op.Action = "delete"
	case matches(sub, "list"), matches(sub, "show"), matches(sub, "lst"), matches(sub, "get"),
		matches(sub, "save"), matches(sub, "showdump"):
		return no("ip route %s reads routes", sub)
	case matches(sub, "flush"):
		if len(args) == 2 && matches(args[1], "cache") {
			return no("ip route flush cache") // a no-op since Linux 3.6
		}
		op.Flush = true
		return no("ip route flush (its selectors are not modeled)")
	case matches(sub, "restore"):
		return no("ip route restore reads routes from standard input")
	default:
		return refused("ip route %s is not an ip route command", sub)
	}
	if fam == "link" || fam == "mpls" || fam == "bridge" {
		return no("ip -f %s route", fam)
	}
	ipModify(&op, fam, args[1:])
	return op, true
}

// matchesColor is lib/color.c matches_color().
func matchesColor(opt string) bool {
	name, val, _ := strings.Cut(opt, "=")
	if !matches(name, "-color") {
		return false
	}
	return val == "" || val == "always" || val == "auto" || val == "never"
}

// ipModify is iproute_modify(): it fills op from the arguments after the subcommand, or sets
// op.Err where ip exits with a usage error.
func ipModify(op *Op, fam string, args []string) {
	del := op.Action == "delete"
	if !del { // a delete matches any type and protocol unless given
		op.Type, op.Proto = "unicast", "boot"
	}
	table, tableSet := uint32(mainTable), false
	metric, metricSet := uint32(0), false
	gw, dstOK := false, false
	unknownAddr := false // an address word known only at run time, before the family was known
	fail := func(format string, a ...any) { op.Err = fmt.Sprintf(format, a...) }
	for ; len(args) > 0 && op.Err == ""; args = args[1:] {
		a := args[0]
		// next moves to the keyword's value; false (with Err set) when there is none.
		next := func() bool {
			if len(args) < 2 {
				fail("ip route: %q needs a value", a)
				return false
			}
			args = args[1:]
			return true
		}
		addr := func() (netip.Addr, string, bool) {
			ad, f, err := getAddr(args[0], fam)
			if err != "" {
				fail("%s", err)
				return ad, f, false
			}
			if fam == "" {
				fam = f
			}
			return ad, f, true
		}
		switch {
		case a == "src":
			if !next() {
				break
			}
			if args[0] == unknownWord {
				op.Src = unknownWord
				unknownAddr = unknownAddr || fam == ""
			} else if ad, _, ok := addr(); ok {
				op.Src = ad.String()
			}
		case a == "as":
			if !next() {
				break
			}
			if args[0] == "to" && !next() {
				break
			}
			addr()
			op.Extra = append(op.Extra, "as")
		case a == "via":
			if gw {
				fail("ip route: use nexthop syntax to specify multiple via")
				break
			}
			gw = true
			if !next() {
				break
			}
			f := fam
			switch args[0] {
			case "inet", "inet6", "link", "mpls", "bridge":
				f = args[0]
				if !next() {
					break
				}
			}
			if op.Err != "" {
				break
			}
			if args[0] == unknownWord {
				op.Gateway = unknownWord
				unknownAddr = unknownAddr || f == ""
				break
			}
			ad, af, err := getAddr(args[0], f)
			if err != "" {
				fail("%s", err)
				break
			}
			if fam == "" {
				fam = af
			}
			if af == fam {
				op.Gateway = ad.String()
			} else {
				op.Gateway = af + " " + ad.String() // RTA_VIA
			}
		case a == "from":
			if !next() {
				break
			}
			if _, err := getPrefix(args[0], &fam); err != "" {
				fail("%s", err)
			}
			op.Extra = append(op.Extra, "from "+args[0])
		case a == "tos", matches(a, "dsfield"):
			if next() {
				op.Extra = append(op.Extra, "tos "+args[0])
			}
		case a == "expires":
			if next() {
				op.Extra = append(op.Extra, "expires "+args[0])
			}
		case matches(a, "metric"), matches(a, "priority"), a == "preference":
			if !next() {
				break
			}
			n, ok := strtoul(args[0], 1<<32-1)
			if args[0] == unknownWord {
				n, ok = 0, true
			}
			if !ok {
				fail("ip route: \"metric\" value is invalid: %q", args[0])
				break
			}
			metric, metricSet = uint32(n), true
		case a == "scope":
			if next() {
				op.Extra = append(op.Extra, "scope "+args[0])
			}
		case a == "mtu", a == "hoplimit", a == "advmss", matches(a, "reordering"), a == "rtt", a == "rto_min",
			matches(a, "window"), matches(a, "cwnd"), matches(a, "initcwnd"), matches(a, "initrwnd"),
			matches(a, "quickack"), matches(a, "congctl"), matches(a, "rttvar"), matches(a, "ssthresh"),
			matches(a, "realms"), a == "nhid", a == "ttl-propagate", matches(a, "fastopen_no_cookie"),
			matches(a, "features"):
			if !next() {
				break
			}
			x := a + " " + args[0]
			if args[0] == "lock" && a != "rto_min" && a != "realms" && a != "nhid" && next() {
				x += " " + args[0]
			}
			op.Extra = append(op.Extra, x)
			if a == "nhid" {
				op.Multipath = true
			}
		case a == "onlink":
			op.Onlink = true
		case a == "nexthop":
			op.Multipath = true
			args = args[len(args)-1:] // parse_nexthops takes the rest
		case matches(a, "protocol"):
			if next() {
				op.Proto = args[0]
			}
		case matches(a, "table"), matches(a, "vrf"):
			if !next() {
				break
			}
			tableSet = true
			if matches(a, "vrf") {
				op.TableName, table = "vrf "+args[0], 0
				break
			}
			if id, ok := tableNames[args[0]]; ok {
				table = id
			} else if n, ok := strtoul(args[0], 1<<32-1); ok {
				table = uint32(n)
			} else {
				op.TableName, table = args[0], 0
			}
		case a == "dev", a == "oif":
			if next() {
				op.Dev = args[0]
			}
		case matches(a, "pref"):
			if next() {
				op.Extra = append(op.Extra, "pref "+args[0])
			}
		case a == "encap":
			fail("ip route: encap is not modeled")
		default:
			if a == "to" && !next() {
				break
			}
			if c := args[0]; c == "" || c[0] < '0' || c[0] > '9' {
				if t, ok := rtnType(c); ok {
					if !next() {
						break
					}
					op.Type = t
				}
			}
			if matches(args[0], "help") {
				fail("ip route help")
				break
			}
			if dstOK {
				fail("ip route: duplicate destination %q", args[0])
				break
			}
			p, err := getPrefix(args[0], &fam)
			if err != "" {
				fail("%s", err)
				break
			}
			dstOK = true
			op.Dst = p.String()
			op.Default = p.Bits() == 0
			if op.Default && p.Addr().Is4() && !p.Addr().IsUnspecified() {
				fail("kernel: invalid prefix %s (host bits set)", p) // fib_table_insert: EINVAL
			}
		}
	}
	if op.Err == "" && !dstOK {
		fail("ip route: no destination")
	}
	if fam == "" {
		fam = "inet"
		op.EitherFamily = unknownAddr
	}
	op.Family = fam
	if op.Default {
		op.Dst = "0.0.0.0/0"
		if fam == "inet6" {
			op.Dst = "::/0" // the kernel masks IPv6 host bits
		}
	}
	if !tableSet {
		switch op.Type {
		case "local", "broadcast", "nat", "anycast":
			table = 255
		}
	}
	op.Table = table
	if op.TableName == "" && op.Table == 0 {
		op.Table = mainTable
	}
	op.Link = op.Dev
	if i := strings.IndexByte(op.Dev, ':'); i >= 0 {
		op.Link = op.Dev[:i] // if_nametoindex: the kernel's SIOCGIFINDEX drops the label
	}
	switch {
	case metricSet && !(fam == "inet6" && metric == 0 && !del):
		op.Metric = metric
	case del:
		op.AnyMetric = true // a delete without a metric (or metric 0) matches any
	case fam == "inet6":
		op.Metric = 1024 // IP6_RT_PRIO_USER
	}
	if del && metricSet && metric == 0 {
		op.AnyMetric = true
	}
}

// rtnType is ip/rtm_map.c rtnl_rtntype_a2n().
func rtnType(s string) (string, bool) {
	switch {
	case s == "local", s == "nat", s == "throw":
		return s, true
	case matches(s, "broadcast"), s == "brd":
		return "broadcast", true
	case matches(s, "anycast"):
		return "anycast", true
	case matches(s, "multicast"):
		return "multicast", true
	case matches(s, "prohibit"):
		return "prohibit", true
	case matches(s, "unreachable"):
		return "unreachable", true
	case matches(s, "blackhole"):
		return "blackhole", true
	case matches(s, "xresolve"):
		return "xresolve", true
	case matches(s, "unicast"):
		return "unicast", true
	}
	if n, ok := strtoul(s, 255); ok {
		return fmt.Sprintf("type %d", n), true
	}
	return "", false
}

// getAddr is get_addr_1(): fam "" is AF_UNSPEC. "default", "any" and "all" give an invalid Addr.
func getAddr(s, fam string) (netip.Addr, string, string) {
	bad := func() (netip.Addr, string, string) {
		f := fam
		if f == "" {
			f = "inet"
		}
		return netip.Addr{}, "", fmt.Sprintf("ip: %s address is expected rather than %q", f, s)
	}
	switch {
	case s == "default" || s == "all" || s == "any":
		return netip.Addr{}, fam, ""
	case strings.Contains(s, ":"):
		if fam != "" && fam != "inet6" {
			return bad()
		}
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" || !a.Is6() {
			return bad()
		}
		return a, "inet6", ""
	}
	if fam != "" && fam != "inet" {
		return bad()
	}
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return bad()
	}
	var b [4]byte
	for i, p := range parts {
		n, ok := strtoul(p, 255)
		if !ok {
			return bad()
		}
		b[i] = byte(n)
	}
	return netip.AddrFrom4(b), "inet", ""
}

// AddrPrefix is the prefix `ip addr add PREFIX` (family "", or "inet6" for ip -6) takes from its
// argument, or false where ip refuses it (iproute2's get_prefix: a /LEN in C notation, 0x18 or
// 030 too, or a contiguous dotted mask, in both families).
func AddrPrefix(s, family string) (netip.Prefix, bool) {
	if a, _, _ := strings.Cut(s, "/"); a == "default" || a == "any" || a == "all" {
		return netip.Prefix{}, false // no address to add (not modelled further)
	}
	p, err := getPrefix(s, &family)
	return p, err == ""
}

// getPrefix is get_prefix_1(); it sets *fam from the address when it is "".
func getPrefix(s string, fam *string) (netip.Prefix, string) {
	a, rest, slash := strings.Cut(s, "/")
	ad, f, err := getAddr(a, *fam)
	if err != "" {
		return netip.Prefix{}, err
	}
	bad := func() (netip.Prefix, string) { return netip.Prefix{}, fmt.Sprintf("ip: invalid prefix %q", s) }
	if !ad.IsValid() { // default, any, all
		if slash {
			return bad()
		}
		if f == "" {
			// family still unknown: a later via or src decides; an all-zero address stands in
			return netip.PrefixFrom(netip.IPv4Unspecified(), 0), ""
		}
		ad = netip.IPv4Unspecified()
		if f == "inet6" {
			ad = netip.IPv6Unspecified()
		}
		return netip.PrefixFrom(ad, 0), ""
	}
	if *fam == "" {
		*fam = f
	}
	bits := ad.BitLen()
	if slash {
		n, ok := strtoul(rest, 1<<32-1)
		if !ok {
			m, _, err := getAddr(rest, "inet")
			if err != "" || !m.Is4() {
				return bad()
			}
			if n, ok = maskBits(m); !ok {
				return bad()
			}
		}
		if n > uint64(bits) {
			return bad()
		}
		bits = int(n)
	}
	return netip.PrefixFrom(ad, bits), ""
}

// maskBits is mask2bits(): the prefix length of a contiguous dotted-quad mask.
func maskBits(m netip.Addr) (uint64, bool) {
	b := m.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	host := ^v
	if host&(host+1) != 0 {
		return 0, false
	}
	n := uint64(0)
	for ; v != 0; v <<= 1 {
		n++
	}
	return n, true
}
