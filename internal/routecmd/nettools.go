package routecmd

import (
	"fmt"
	"net/netip"
	"strings"
)

// This file follows net-tools 2.10 (Debian 12): route.c main() (GNU getopt_long with argument
// permutation, -net/-host rewritten to #net/#host first), lib/inet_sr.c INET_setroute(),
// lib/inet6_sr.c INET6_setroute(), lib/inet.c INET_resolve(), lib/af.c aftrans_opt().

type longOpt struct {
	name   string
	hasArg bool
	val    string // the short option it stands for; "af" for the address family aliases
}

// routeLong is route.c's longopts[] (AFTRANS_OPTS first), in order.
var routeLong = []longOpt{{"ax25", false, "af"}, {"x25", false, "af"}, {"ip", false, "af"}, {"ipx", false, "af"},
	{"appletalk", false, "af"}, {"netrom", false, "af"}, {"inet", false, "af"}, {"inet6", false, "af"},
	{"ddp", false, "af"}, {"rose", false, "af"}, {"unix", false, "af"}, {"bluetooth", false, "af"},
	{"tcpip", false, "af"}, {"extend", false, "e"}, {"verbose", false, "v"}, {"version", false, "V"},
	{"numeric", false, "n"}, {"symbolic", false, "N"}, {"protocol", true, "A"}, {"cache", false, "C"},
	{"fib", false, "F"}, {"help", false, "h"}}

// afAliases is lib/af.c aftrans[]: alias -> family.
var afAliases = map[string]string{"ax25": "ax25", "ip": "inet", "ip6": "inet6", "ipx": "ipx", "rose": "rose",
	"appletalk": "ddp", "netrom": "netrom", "inet": "inet", "inet6": "inet6", "ddp": "ddp", "unix": "unix",
	"tcpip": "inet", "econet": "ec", "x25": "x25", "ash": "ash", "bluetooth": "bluetooth"}

// parseRoute reads the arguments of net-tools route, like parseIP.
func parseRoute(args []string) (op Op, ok bool) {
	op.Tool = "route"
	no := func(format string, a ...any) (Op, bool) {
		op.Err = fmt.Sprintf(format, a...)
		return op, false
	}
	var fams []string
	addFam := func(list string) bool { // aftrans_opt
		for _, a := range strings.Split(list, ",") {
			f, ok := afAliases[a]
			if !ok {
				return false
			}
			fams = append(fams, f)
		}
		return true
	}
	// route.c rewrites every -net and -host before getopt sees them.
	args = append([]string(nil), args...)
	for i, a := range args {
		if a == "-net" || a == "-host" {
			args[i] = "#" + a[1:]
		}
	}
	var rest []string
	help, cache := false, false
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			rest = append(rest, a)
			continue
		}
		if strings.HasPrefix(a, "--") {
			name, val, hasVal := strings.Cut(a[2:], "=")
			var hit []longOpt
			for _, o := range routeLong {
				if o.name == name {
					hit = []longOpt{o}
					break
				}
				if strings.HasPrefix(o.name, name) {
					hit = append(hit, o)
				}
			}
			if len(hit) == 0 {
				return no("route: unrecognized option %q", a)
			}
			for _, o := range hit[1:] { // glibc: ambiguous only if the candidates differ
				if o.hasArg != hit[0].hasArg || o.val != hit[0].val {
					return no("route: ambiguous option %q", a)
				}
			}
			o := hit[0]
			switch {
			case o.hasArg && !hasVal:
				if i+1 >= len(args) {
					return no("route: %q needs a value", a)
				}
				i++
				val = args[i]
			case !o.hasArg && hasVal:
				return no("route: %q takes no value", a)
			}
			switch o.val {
			case "af":
				if !addFam(o.name) {
					return no("route: unknown address family %q", o.name)
				}
			case "A":
				if !addFam(val) {
					return no("route: unknown address family %q", val)
				}
			case "V":
				return no("route --version")
			case "h":
				help = true
			case "C":
				cache = true
			}
			continue
		}
		for j := 1; j < len(a); j++ { // a cluster of short options
			switch c := a[j]; c {
			case 'A':
				val := a[j+1:]
				if val == "" {
					if i+1 >= len(args) {
						return no("route: -A needs a value")
					}
					i++
					val = args[i]
				}
				if !addFam(val) {
					return no("route: unknown address family %q", val)
				}
				j = len(a)
			case '4':
				fams = append(fams, "inet")
			case '6':
				fams = append(fams, "inet6")
			case 'V':
				return no("route -V")
			case 'C':
				cache = true
			case 'e', 'F', 'n', 'N', 'v':
			default: // 'h', '?' and unknown letters
				help = true
			}
		}
	}
	fam := "inet"
	switch {
	case len(fams) > 1:
		return no("route: more than one address family")
	case len(fams) == 1:
		fam = fams[0]
	}
	if help {
		return no("route help")
	}
	if len(rest) == 0 {
		return no("route: shows the table")
	}
	switch rest[0] {
	case "add":
		op.Action = "add"
	case "del", "delete":
		op.Action = "delete"
	case "flush":
		op.Refused = true // exit 3
		return no("route flush is not supported")
	default:
		op.Refused = true // route.c: usage(), exit 3
		return no("route %s is not add or del", rest[0])
	}
	if fam != "inet" && fam != "inet6" {
		return no("route -A %s", fam)
	}
	op.Family, op.Type, op.Table = fam, "unicast", mainTable
	if op.Action == "add" {
		op.Proto = "boot"
	}
	if fam == "inet6" {
		route6(&op, rest[1:])
	} else if cache {
		op.Err = "route: modifying the inet routing cache is not supported"
	} else {
		route4(&op, rest[1:])
	}
	return op, true
}

// route4 is INET_setroute() plus what the kernel's rtentry_to_fib_config() makes of it.
func route4(op *Op, args []string) {
	fail := func(format string, a ...any) { op.Err = fmt.Sprintf(format, a...) }
	xflag := ""
	if len(args) > 0 && (args[0] == "#net" || args[0] == "#host") {
		xflag, args = args[0], args[1:]
	}
	if len(args) == 0 {
		fail("route: no target")
		return
	}
	target := args[0]
	args = args[1:]
	var mask netip.Addr // rt_genmask; invalid: unset
	if t, p, ok := strings.Cut(target, "/"); ok {
		target = t
		n, ok := strtoul(p, 1<<64-1)
		if !ok {
			fail("route: bad prefix %q", p)
			return
		}
		// htonl(~(0xffffffffU >> prefix)): x86 shifts by prefix mod 32
		v := ^(uint32(0xffffffff) >> (n % 32))
		mask = netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
	}
	dst, isnet, unknown := inetResolve(target)
	if unknown {
		op.Unknown = fmt.Sprintf("target %q is resolved at run time", target)
		return
	}
	if !dst.IsValid() {
		fail("route: bad target %q", target)
		return
	}
	switch xflag {
	case "#net":
		isnet = true
	case "#host":
		isnet = false
	}
	metric := uint32(0)
	for len(args) > 0 && op.Err == "" {
		a := args[0]
		args = args[1:]
		val := func() (string, bool) {
			if len(args) == 0 {
				fail("route: %q needs a value", a)
				return "", false
			}
			v := args[0]
			args = args[1:]
			return v, true
		}
		switch a {
		case "metric":
			v, ok := val()
			if ok && (v == "" || v[0] < '0' || v[0] > '9') {
				fail("route: bad metric %q", v)
			}
			metric = atoi(v)
		case "netmask":
			v, ok := val()
			if !ok {
				break
			}
			if mask.IsValid() && !mask.IsUnspecified() {
				fail("route: netmask after a /prefix")
				break
			}
			m, _, unk := inetResolve(v)
			if unk {
				op.Unknown = fmt.Sprintf("netmask %q is resolved at run time", v)
				return
			}
			if !m.IsValid() {
				fail("route: bad netmask %q", v)
				break
			}
			mask = m
		case "gw", "gateway":
			v, ok := val()
			if !ok {
				break
			}
			if op.Gateway != "" {
				fail("route: two gateways")
				break
			}
			if v == unknownWord {
				op.Gateway = v
				break
			}
			g, net, unk := inetResolve(v)
			switch {
			case unk: // a host name: the route is still a default route
				op.Unknown = fmt.Sprintf("gateway %q is resolved at run time", v)
				op.Gateway = v
			case !g.IsValid() || net:
				fail("route: bad gateway %q", v)
			default:
				op.Gateway = g.String()
			}
		case "mss", "mtu", "window", "irtt":
			if v, ok := val(); ok {
				op.Extra = append(op.Extra, a+" "+v)
			}
		case "reject":
			op.Type = "unreachable"
		case "mod", "dyn", "reinstate":
		case "dev", "device":
			v, ok := val()
			if ok && op.Dev != "" {
				fail("route: two devices")
			}
			op.Dev = v
		default: // a trailing device name
			if op.Dev != "" || len(args) > 0 {
				fail("route: unexpected %q", a)
				break
			}
			op.Dev = a
		}
	}
	if op.Err != "" {
		return
	}
	if op.Type == "unreachable" && op.Dev == "" {
		op.Dev = "lo"
	}
	host := !isnet
	m := uint32(0)
	if mask.IsValid() {
		b := mask.As4()
		m = uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	}
	if m != 0 {
		inv := ^m
		d := dst.As4()
		dv := uint32(d[0])<<24 | uint32(d[1])<<16 | uint32(d[2])<<8 | uint32(d[3])
		switch {
		case host && inv != 0xffffffff:
			fail("route: netmask does not make sense with a host route")
		case inv&(inv+1) != 0:
			fail("route: bogus netmask")
		case dv&^m != 0:
			fail("route: netmask does not match the route address")
		}
		if op.Err != "" {
			return
		}
	}
	bits := 32
	if !host {
		n, _ := maskBits(netip.AddrFrom4([4]byte{byte(m >> 24), byte(m >> 16), byte(m >> 8), byte(m)}))
		bits = int(n)
		if netip.PrefixFrom(dst, bits).Masked().Addr() != dst {
			fail("kernel: invalid prefix %s/%d (host bits set)", dst, bits) // bad_mask: EINVAL
			return
		}
	}
	op.Dst = netip.PrefixFrom(dst, bits).String()
	op.Default = bits == 0
	op.Link = op.Dev
	if i := strings.IndexByte(op.Dev, ':'); i >= 0 {
		op.Link, op.LabelSrc = op.Dev[:i], true
	}
	op.Metric = metric
	if op.Action == "delete" && metric == 0 {
		op.AnyMetric = true // rt_metric 0 (or metric 0 -> 1 -> priority 0): any priority
	}
}

// inetResolve is INET_resolve() for what can be known without the resolver: "default" and
// inet_aton() numbers. Names (hosts, /etc/networks) are unknown.
func inetResolve(s string) (a netip.Addr, isnet, unknown bool) {
	if s == "default" {
		return netip.IPv4Unspecified(), true, false
	}
	if a, ok := inetAton(s); ok {
		return a, false, false
	}
	return netip.Addr{}, false, true
}

// inetAton is glibc inet_aton(): 1 to 4 parts in C notation (0x hex, 0 octal); the last part
// fills the remaining bytes ("10.1" is 10.0.0.1). Trailing white space ends the address.
func inetAton(s string) (netip.Addr, bool) {
	if i := strings.IndexAny(s, " \t\n\v\f\r"); i >= 0 {
		s = s[:i]
	}
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var v [4]uint64
	for i, p := range parts {
		if p == "" || p[0] < '0' || p[0] > '9' {
			return netip.Addr{}, false
		}
		n, ok := strtoul(p, 0xffffffff)
		if !ok {
			return netip.Addr{}, false
		}
		v[i] = n
	}
	n := len(parts)
	for i := 0; i < n-1; i++ {
		if v[i] > 255 {
			return netip.Addr{}, false
		}
	}
	last := v[n-1]
	if last >= 1<<(8*(5-n)) && n > 1 || n == 1 && last > 0xffffffff {
		return netip.Addr{}, false
	}
	var x uint32
	for i := 0; i < n-1; i++ {
		x |= uint32(v[i]) << (24 - 8*i)
	}
	x |= uint32(last)
	return netip.AddrFrom4([4]byte{byte(x >> 24), byte(x >> 16), byte(x >> 8), byte(x)}), true
}

// route6 is INET6_setroute() plus rtmsg_to_fib6_config().
func route6(op *Op, args []string) {
	fail := func(format string, a ...any) { op.Err = fmt.Sprintf(format, a...) }
	if len(args) == 0 {
		fail("route: no target")
		return
	}
	target := args[0]
	args = args[1:]
	bits := 128
	var dst netip.Addr
	if target == "default" {
		bits, dst = 0, netip.IPv6Unspecified()
	} else {
		if t, p, ok := strings.Cut(target, "/"); ok {
			target = t
			n := catol(p)
			if n < 0 || n > 128 {
				fail("route: bad prefix length %q", p)
				return
			}
			bits = int(n)
		}
		a, err := netip.ParseAddr(target)
		if err != nil || !a.Is6() || a.Zone() != "" {
			op.Unknown = fmt.Sprintf("target %q is resolved at run time", target)
			return
		}
		dst = a
	}
	op.Metric = 1 // INET6_setroute's default rtmsg_metric
	for len(args) > 0 && op.Err == "" {
		a := args[0]
		args = args[1:]
		switch a {
		case "metric":
			if len(args) == 0 || args[0] == "" || args[0][0] < '0' || args[0][0] > '9' {
				fail("route: bad metric")
				break
			}
			op.Metric = atoi(args[0])
			args = args[1:]
		case "gw", "gateway":
			if len(args) == 0 || op.Gateway != "" {
				fail("route: bad gateway")
				break
			}
			g, err := netip.ParseAddr(args[0])
			if args[0] == unknownWord {
				op.Gateway = args[0]
			} else if err != nil || !g.Is6() || g.Zone() != "" {
				fail("route: bad gateway %q", args[0])
				break
			} else {
				op.Gateway = g.String()
			}
			args = args[1:]
		case "mod", "dyn":
		case "dev", "device":
			if len(args) == 0 {
				fail("route: %q needs a value", a)
				break
			}
			op.Dev = args[0]
			args = args[1:]
		default:
			if len(args) > 0 {
				fail("route: unexpected %q", a)
				break
			}
			op.Dev = a
		}
	}
	if op.Err != "" {
		return
	}
	op.Dst = netip.PrefixFrom(dst, bits).Masked().String()
	op.Default = bits == 0
	op.Link = op.Dev
	if i := strings.IndexByte(op.Dev, ':'); i >= 0 {
		op.Link = op.Dev[:i] // SIOCGIFINDEX drops the label
	}
	switch {
	case op.Action == "delete" && op.Metric == 0:
		op.AnyMetric = true
	case op.Action == "add" && op.Metric == 0:
		op.Metric = 1024 // ip6_route_info_create: 0 is IP6_RT_PRIO_USER
	}
}

// catol is C atol(): leading white space, a sign, digits; the rest is ignored.
func catol(s string) int64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg, s = s[0] == '-', s[1:]
	}
	var n int64
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9' && n < 1<<40; i++ {
		n = n*10 + int64(s[i]-'0')
	}
	if neg {
		n = -n
	}
	return n
}
