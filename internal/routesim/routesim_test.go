package routesim

import (
	"slices"
	"strings"
	"testing"
)

// step is one command and the exit status the real tool gave, recorded in a network namespace
// on Linux 6.18 with iproute2 6.1.0, net-tools 2.10 and dash.
type step struct {
	cmd    string
	status int
}

// run runs the steps on a host with links eth0 and eth1 and checks each status.
func run(t *testing.T, steps []step) *Host {
	t.Helper()
	h := NewHost("eth0", "eth1")
	for _, s := range steps {
		if got := h.Run(s.cmd); got != s.status {
			t.Errorf("%s: exit %d, the kernel gave %d\nlog:\n%s", s.cmd, got, s.status, strings.Join(h.Log, "\n"))
		}
	}
	return h
}

func keys(h *Host) []string {
	var out []string
	for _, r := range h.Defaults() {
		out = append(out, r.Key())
	}
	return out
}

func expect(t *testing.T, h *Host, want ...string) {
	t.Helper()
	if got := keys(h); !slices.Equal(got, want) {
		t.Errorf("default routes:\n got %q\nwant %q\nlog:\n%s", got, want, strings.Join(h.Log, "\n"))
	}
}

func TestIPv4Rules(t *testing.T) {
	h := run(t, []step{
		{"ip route add default via 192.0.2.1 dev eth0 onlink", 2}, // Nexthop device is not up
		{"ip addr add 192.0.2.10/255.255.255.0 broadcast 192.0.2.255 dev eth0:0 label eth0:0", 0},
		{"ip addr add 192.0.2.10/24 dev eth0 label eth0", 2}, // Address already assigned
		{"ip addr add 192.0.2.10/25 dev eth0 label eth0:1", 0},
		{"ip route add default via 192.0.2.1", 2}, // link down: no subnet route
		{"ip link set dev eth0:0 up", 0},
		{"ip route add default via 192.0.2.1", 0},
		{"ip route add default via 192.0.2.1 dev eth0 onlink", 2}, // File exists
		{"ip route add default via 192.0.2.2 dev eth0 metric 5 onlink", 0},
		{"route add default gw 192.0.2.1 dev eth0:7", 7}, // No such device
		{"route add default gw 192.0.2.1 dev eth0:0", 0},
		{"route add default gw 192.0.2.1 eth0:0", 7},  // File exists
		{"route add default gw 192.0.2.1", 7},         // File exists
		{"route add default gw 198.51.100.1 eth0", 7}, // Network is unreachable
		{"ip route append default via 192.0.2.3 dev eth0", 0},
		{"ip route prepend default via 192.0.2.4 dev eth0", 0},
		{"ip r a 0/0 via 192.0.2.5 dev eth0 metric 7", 0},
		{"ip route replace default via 192.0.2.6 dev eth0 metric 5", 0},
		{"ip route replace default via 192.0.2.3 dev eth0", 2}, // File exists: identical, not first
		{"ip route replace default via 192.0.2.4 dev eth0", 0}, // identical and first: no change
	})
	expect(t, h,
		"inet default via 192.0.2.4 dev eth0 metric 0 table 254",
		"inet default via 192.0.2.1 dev eth0 metric 0 table 254 src 192.0.2.10",
		"inet default via 192.0.2.1 dev eth0 metric 0 table 254",
		"inet default via 192.0.2.3 dev eth0 metric 0 table 254",
		"inet default via 192.0.2.6 dev eth0 metric 5 table 254",
		"inet default via 192.0.2.5 dev eth0 metric 7 table 254",
	)
	for _, s := range []step{
		{"ip route del default via 192.0.2.9", 2}, // No such process
		{"ip route del default metric 5", 0},
		{"ip route del default", 0},
		{"ip route add default via 192.0.2.1 dev eth1 onlink", 2},
		{"ip route add default via 192.0.2.1 dev eth0 src 192.0.2.99", 2}, // Invalid prefsrc
		{"ip route add default via 192.0.2.1 dev eth0 src 192.0.2.10 metric 9", 0},
		{"ip route add default via 192.0.2.1 dev eth0 onlink garbage", 255},
	} {
		if got := h.Run(s.cmd); got != s.status {
			t.Errorf("%s: exit %d, want %d", s.cmd, got, s.status)
		}
	}
	expect(t, h,
		"inet default via 192.0.2.1 dev eth0 metric 0 table 254 src 192.0.2.10",
		"inet default via 192.0.2.1 dev eth0 metric 0 table 254",
		"inet default via 192.0.2.3 dev eth0 metric 0 table 254",
		"inet default via 192.0.2.5 dev eth0 metric 7 table 254",
		"inet default via 192.0.2.1 dev eth0 metric 9 table 254 src 192.0.2.10",
	)
}

// TestGatewayAddressType: a local or broadcast address as the gateway (statuses recorded by
// internal/routecmd's live test, which runs the same lines).
func TestGatewayAddressType(t *testing.T) {
	h := run(t, []step{
		{"ip link set eth0 up", 0},
		{"ip addr add 192.0.2.10/24 dev eth0", 0},
		{"ip -6 addr add 2001:db8::10/64 dev eth0 nodad", 0},
		{"ip route add default via 192.0.2.10 dev eth0 onlink", 2},  // Nexthop has invalid gateway
		{"ip route add default via 192.0.2.255 dev eth0 onlink", 2}, // Nexthop has invalid gateway
		{"ip route add default via 192.0.2.255", 2},                 // Nexthop has invalid gateway
		{"route add default gw 192.0.2.255", 7},                     // Network is unreachable
		{"ip -6 route add default via 2001:db8::10", 2},             // Gateway can not be a local address
		{"ip -6 route add default via 2001:db8::10 dev eth0 onlink", 2},
		{"route add default gw 192.0.2.10 dev eth1", 7}, // Network is unreachable
		{"ip route add default via 192.0.2.10", 0},
	})
	expect(t, h, "inet default via 192.0.2.10 dev eth0 metric 0 table 254")
}

// TestGatewayNotUnicast: what the kernel does with a gateway that is no unicast address (as
// routecmd's TestLive checks against a real namespace).
func TestGatewayNotUnicast(t *testing.T) {
	h := run(t, []step{
		{"ip link set eth0 up", 0},
		{"ip addr add 192.0.2.10/24 dev eth0", 0},
		{"ip -6 addr add 2001:db8::10/64 dev eth0 nodad", 0},
		{"ip route add default via 0.0.0.0 dev eth0 onlink", 2}, // Invalid flags for nexthop
		{"route add default gw 0.0.0.0 dev eth0", 7},            // Invalid argument
		{"ip route add default via 224.0.0.1 dev eth0 onlink", 2},
		{"ip route add default via 255.255.255.255 dev eth0 onlink", 2},
		{"ip route add default via 127.0.0.9 dev eth0 onlink", 2},
		{"ip route add default via 224.0.0.1", 2}, // no link-scope route holds it
		{"route add default gw 224.0.0.1 dev eth0", 7},
		{"ip -6 route add default via :: dev eth0", 2}, // Invalid gateway address
		{"ip -6 route add default via ff02::1 dev eth0 onlink", 2},
		{"ip -6 route add default via ::1 dev eth0 onlink", 2}, // Gateway can not be a local address
		{"route -A inet6 add default gw ff02::1 dev eth0", 7},
		{"ip route add default via 0.1.2.3 dev eth0 onlink metric 3", 0},
		{"ip route add default via 240.0.0.1 dev eth0 onlink metric 4", 0},
		{"ip route add default via 0.0.0.0 dev eth0 metric 5", 0}, // a device route
	})
	expect(t, h, "inet default via 0.1.2.3 dev eth0 metric 3 table 254 onlink", "inet default via 240.0.0.1 dev eth0 metric 4 table 254 onlink",
		"inet default dev eth0 metric 5 table 254")
}

func TestIPv4Abbreviations(t *testing.T) {
	h := run(t, []step{
		{"ip l s eth0 up", 0},
		{"ip a a 192.0.2.10/24 dev eth0", 0},
		{"ip r a default via 192.0.2.1", 0},
		{"ip ro add 0/0 via 192.0.2.2 metric 3", 0},
		{"ip route append 0.0.0.0/0 via 192.0.2.3 dev eth0:0", 0},
		{"ip r r default via 192.0.2.4 metric 3", 0},
		{"ip r d default metric 3", 0},
		{"ip r app default via 192.0.2.9", 0},
		{"ip r ch default via 192.0.2.7 dev eth0", 0},
		{"ip r c default via 192.0.2.8 metric 99", 2}, // change: No such file or directory
		{"ip r p default via 192.0.2.5", 0},
		{"ip route add default via 192.0.2.1 dev eth0 onlink table 100", 0},
		{"ip route add default via 192.0.2.1 dev eth0 onlink proto static metric 50", 0},
		{"ip route add default via 192.0.2.1 dev eth0 onlink priority 51", 0},
		{"ip route add default via inet 192.0.2.1 dev eth0 onlink metric 53", 0},
		{"ip route add to default via 192.0.2.1 dev eth0 onlink metric 54", 0},
		{"ip route add unicast default via 192.0.2.1 dev eth0 onlink metric 55", 0},
		{"route add -net 0.0.0.0 netmask 0.0.0.0 gw 192.0.2.1 metric 77 dev eth0", 0},
		{"route del default gw 192.0.2.77", 7},
		{"ip link show eth0:0", 1},
	})
	expect(t, h,
		"inet default via 192.0.2.1 dev eth0 metric 0 table 100 onlink",
		"inet default via 192.0.2.5 dev eth0 metric 0 table 254",
		"inet default via 192.0.2.7 dev eth0 metric 0 table 254",
		"inet default via 192.0.2.3 dev eth0 metric 0 table 254",
		"inet default via 192.0.2.9 dev eth0 metric 0 table 254",
		"inet default via 192.0.2.1 dev eth0 metric 50 table 254 proto static onlink",
		"inet default via 192.0.2.1 dev eth0 metric 51 table 254 onlink",
		"inet default via 192.0.2.1 dev eth0 metric 53 table 254 onlink",
		"inet default via 192.0.2.1 dev eth0 metric 54 table 254 onlink",
		"inet default via 192.0.2.1 dev eth0 metric 55 table 254 onlink",
		"inet default via 192.0.2.1 dev eth0 metric 77 table 254",
	)
}

func TestIPv6Rules(t *testing.T) {
	h := run(t, []step{
		{"ip link set eth0 up", 0},
		{"ip -6 addr add 2001:db8::10/64 dev eth0", 0},
		{"ip -6 addr add 2001:db8::10/64 dev eth0", 2},
		{"ip -6 addr add 2001:db8::10/48 dev eth0:0 preferred_lft 0", 2},
		{"ip -6 route add default via 2001:db8::1", 0},
		{"ip -6 route add default via 2001:db8::1 dev eth0", 2},
		{"ip -6 route add default via 2001:db8::2 dev eth0 onlink", 2},
		{"ip -6 route append default via 2001:db8::3 dev eth0", 0},
		{"ip -6 route prepend default via 2001:db8::4 dev eth0", 0},
	})
	expect(t, h,
		"inet6 default via 2001:db8::1 dev eth0 metric 1024 table 254",
		"inet6 default via 2001:db8::3 dev eth0 metric 1024 table 254",
		"inet6 default via 2001:db8::4 dev eth0 metric 1024 table 254",
	)
	for _, s := range []step{
		{"ip -6 route replace default via 2001:db8::5 dev eth0 metric 1024 onlink", 0},
		{"ip route add default via 2001:db8::6 metric 7", 0},
		{"ip route add default via 2001:db8::7 dev eth0 metric 0", 2},
		{"ip -6 route add default via 2001:db9::1 dev eth0", 2}, // No route to host
		{"ip -6 route add ::/0 via 2001:db8::8 dev eth0 metric 100", 0},
		{"route -A inet6 add default gw 2001:db8::9 dev eth0", 0},
		{"route -A inet6 add ::/0 gw 2001:db8::a eth0", 0},
		{"route -6 add default gw 2001:db8::b dev eth0", 0},
	} {
		if got := h.Run(s.cmd); got != s.status {
			t.Errorf("%s: exit %d, want %d", s.cmd, got, s.status)
		}
	}
	expect(t, h,
		"inet6 default via 2001:db8::9 dev eth0 metric 1 table 254",
		"inet6 default via 2001:db8::a dev eth0 metric 1 table 254",
		"inet6 default via 2001:db8::b dev eth0 metric 1 table 254",
		"inet6 default via 2001:db8::6 dev eth0 metric 7 table 254",
		"inet6 default via 2001:db8::8 dev eth0 metric 100 table 254",
		"inet6 default via 2001:db8::5 dev eth0 metric 1024 table 254 onlink",
	)
	for _, s := range []step{
		{"ip -6 route del default via 2001:db8::9", 0},
		{"ip -6 route del default", 0}, // the rest of the multipath route
		{"ip -6 route del default via 2001:db8::ff", 2},
		{"ip -6 route add default via fe80::1 dev eth0 metric 50", 0},
		{"ip -6 route add default via fe80::1 metric 51", 2}, // Egress device not specified
	} {
		if got := h.Run(s.cmd); got != s.status {
			t.Errorf("%s: exit %d, want %d", s.cmd, got, s.status)
		}
	}
	expect(t, h,
		"inet6 default via 2001:db8::6 dev eth0 metric 7 table 254",
		"inet6 default via fe80::1 dev eth0 metric 50 table 254",
		"inet6 default via 2001:db8::8 dev eth0 metric 100 table 254",
		"inet6 default via 2001:db8::5 dev eth0 metric 1024 table 254 onlink",
	)
}

func TestShell(t *testing.T) {
	h := run(t, []step{
		{"ip link set dev eth0 up && ip addr add 192.0.2.10/24 dev eth0 label eth0", 0},
		// mid-line #: the shell drops "dev eth0 onlink"; the gateway is found through the subnet
		{"ip route add default via 192.0.2.1 # upstream router  dev eth0 onlink", 0},
		{"ip route add default via 192.0.2.2 dev eth0 metric 1 onlink || true", 0},
		{"ip route add default via 192.0.2.2 dev eth0 metric 1 onlink 2>&1 1>/dev/null || true", 0},
		{"false; ip route add default via 192.0.2.3 dev eth0 metric 2 onlink >/dev/null", 0},
		{"ip route add default via 192.0.2.3 dev eth0 metric 2 onlink | cat", 0}, // a pipeline's status is the last command's
		{"ip route add default via 192.0.2.4 dev eth0 metric 3 onlink &", 0},
		{"ip route add default via $(echo 192.0.2.5) dev eth0 metric 4 onlink", 0},
		{"ip route add default via `echo 192.0.2.6` dev eth0 metric 5 onlink; echo done >&2", 0},
		{`GW=192.0.2.7; ip route add default via "$GW" dev ${IFACE:-eth0} metric 6 onlink`, 2}, // ${X:-y} is not modelled
		{`GW=192.0.2.7; ip route add default via "$GW" dev eth0 metric 6 onlink`, 0},
		{"ip route add default via 192.0.2.8 dev eth0 metric 7 onlink && false", 1},
		{"! ip route add default via 192.0.2.9 dev eth0 metric 8 onlink", 1},
		{"{ ip route add default via 192.0.2.20 dev eth0 metric 9 onlink; } > /dev/null", 0}, // not .10, the host's own address: the kernel refuses it onlink
		{"(exit 3)", 3},
		{"192.0.2.11 dev eth0 onlink", 127}, // the second line of a repeated gateway
		{"if test -d /sys/class/net/bond0 &&         ! ip link show bond0.100 >/dev/null 2>&1;     then         if test `cat /sys/class/net/bond0/type` -eq 32; then             echo 0x100 > /sys/class/net/bond0/create_child;         else             ip link set up dev bond0;             ip link add link bond0 name bond0.100 type vlan id 100; \tfi;     fi", 0},
		{"if test -d /sys/class/net/eth1 && ! ip link show eth1.7 >/dev/null 2>&1; then if test `cat /sys/class/net/eth1/type` -eq 32; then echo 0x7 > /sys/class/net/eth1/create_child; else ip link set up dev eth1; ip link add link eth1 name eth1.7 type vlan id 7; fi; fi", 0},
		{"ip link show eth1.7", 0},
		{"[ -x /sbin/ip ] && ip route add default via 192.0.2.12 dev eth0 metric 11 onlink", 0},
		{"[ -x /sbin/nosuch ] && ip route add default via 192.0.2.13 dev eth0 metric 12 onlink", 1},
		{"while true; do :; done", 2},
		{"ip route replace default via 192.0.2.14 dev eth0 metric 13 onlink \\", 255}, // the backslash is a word: garbage to ip
	})
	expect(t, h,
		"inet default via 192.0.2.1 dev eth0 metric 0 table 254",
		"inet default via 192.0.2.2 dev eth0 metric 1 table 254 onlink",
		"inet default via 192.0.2.3 dev eth0 metric 2 table 254 onlink",
		"inet default via 192.0.2.4 dev eth0 metric 3 table 254 onlink",
		"inet default via 192.0.2.5 dev eth0 metric 4 table 254 onlink",
		"inet default via 192.0.2.6 dev eth0 metric 5 table 254 onlink",
		"inet default via 192.0.2.7 dev eth0 metric 6 table 254 onlink",
		"inet default via 192.0.2.8 dev eth0 metric 7 table 254 onlink",
		"inet default via 192.0.2.9 dev eth0 metric 8 table 254 onlink",
		"inet default via 192.0.2.20 dev eth0 metric 9 table 254 onlink",
		"inet default via 192.0.2.12 dev eth0 metric 11 table 254 onlink",
	)
}

// The ifup -n -v output of interfaces-format.md 4.1 (alias gateways in the 0.8.41 form).
const seedIfup = `ifup: configuring interface eth0=eth0 (inet)
ip addr add 192.0.2.10/255.255.255.0 broadcast 192.0.2.255 	  dev eth0 label eth0
ip link set dev eth0   up
 ip route add default via 192.0.2.1  dev eth0 onlink 
`

func alias(n, addr, gw, metric string) string {
	m := ""
	if metric != "" {
		m = "metric " + metric
	}
	return "ifup: configuring interface eth0:" + n + "=eth0:" + n + " (inet)\n" +
		"ip addr add " + addr + "/255.255.255.0 broadcast 192.0.2.255 	  dev eth0:" + n + " label eth0:" + n + "\n" +
		"ip link set dev eth0:" + n + "   up\n\n" +
		" ip route add default via " + gw + " " + m + " dev eth0:" + n + " onlink \n"
}

func TestBootSeed(t *testing.T) {
	h := NewHost("eth0")
	auto := []Ifup{
		ParseIfup("eth0", seedIfup),
		ParseIfup("eth0:0", alias("0", "192.0.2.11", "192.0.2.1", "")),
		ParseIfup("eth0:1", alias("1", "192.0.2.12", "192.0.2.1", "")),
		ParseIfup("eth0:2", alias("2", "192.0.2.13", "192.0.2.254", "100")),
	}
	h.Boot(auto, nil)
	expect(t, h,
		"inet default via 192.0.2.1 dev eth0 metric 0 table 254 onlink",
		"inet default via 192.0.2.254 dev eth0 metric 100 table 254 onlink",
	)
	var up []string
	for _, n := range []string{"eth0", "eth0:0", "eth0:1", "eth0:2"} {
		if h.IsUp(n) {
			up = append(up, n)
		}
	}
	if !slices.Equal(up, []string{"eth0", "eth0:2"}) {
		t.Errorf("up: %q, want eth0 and eth0:2", up)
	}
	// The alias first (auto eth0:0 eth0): the alias's route wins and the primary fails.
	h = NewHost("eth0")
	h.Boot([]Ifup{ParseIfup("eth0:0", alias("0", "192.0.2.11", "192.0.2.9", "")), ParseIfup("eth0", seedIfup)}, nil)
	expect(t, h, "inet default via 192.0.2.9 dev eth0 metric 0 table 254 onlink")
	if h.IsUp("eth0") || !h.IsUp("eth0:0") {
		t.Errorf("want eth0:0 up and eth0 failed")
	}
	// A failed name is tried again by the hotplug pass, and fails at its address.
	h.Boot(nil, []Ifup{ParseIfup("eth0", seedIfup)})
	if h.IsUp("eth0") {
		t.Errorf("eth0 came up on the second try")
	}
}

// Later stanzas of a name are not applied once one fails (interfaces-format.md 4.4).
func TestBootStopsAtFailedStanza(t *testing.T) {
	out := seedIfup + seedIfup + `ifup: configuring interface eth0=eth0 (inet)
ip addr add 192.0.2.20/255.255.255.0 broadcast 192.0.2.255 	  dev eth0 label eth0
`
	h := NewHost("eth0")
	h.Boot([]Ifup{ParseIfup("eth0", out)}, nil)
	for _, a := range h.addrs {
		if a.p.Addr().String() == "192.0.2.20" {
			t.Errorf("the third stanza's address was added")
		}
	}
	if h.IsUp("eth0") {
		t.Errorf("eth0 is up")
	}
	// A static stanza without an address fails before running anything.
	u := ParseIfup("eth1", "ifup: configuring interface eth1=eth1 (inet)\nifup: missing required variable: address\nifup: missing required configuration variables for interface eth1/inet\nifup: failed to bring up eth1\n")
	if len(u.Stanzas) != 1 || !u.Stanzas[0].Missing || NewHost("eth1").Up(u) {
		t.Errorf("a stanza lacking its address must fail: %+v", u)
	}
}

// The legacy form of interfaces-format.md 4.2: net-tools routes with an alias's address as src,
// each inserted before the others.
func TestBootLegacyRouteCommands(t *testing.T) {
	h := NewHost("eth0")
	a := func(n, addr string) Ifup {
		return ParseIfup("eth0:"+n, "ifup: configuring interface eth0:"+n+"=eth0:"+n+" (inet)\n"+
			"ip addr add "+addr+"/255.255.255.0 broadcast 192.0.2.255 	  dev eth0:"+n+" label eth0:"+n+"\n"+
			"ip link set dev eth0:"+n+"   up\n\nroute add default gw 192.0.2.1 dev eth0:"+n+"\n")
	}
	h.Boot([]Ifup{ParseIfup("eth0", seedIfup), a("0", "192.0.2.11"), a("1", "192.0.2.12")}, nil)
	expect(t, h,
		"inet default via 192.0.2.1 dev eth0 metric 0 table 254 src 192.0.2.12",
		"inet default via 192.0.2.1 dev eth0 metric 0 table 254 src 192.0.2.11",
		"inet default via 192.0.2.1 dev eth0 metric 0 table 254 onlink",
	)
}

// inet6: ip -6 route replace lets the stanza brought up last take the default route over.
func TestBootInet6Replace(t *testing.T) {
	s := func(name, addr, gw, lft string) Ifup {
		return ParseIfup(name, "ifup: configuring interface "+name+"="+name+" (inet6)\n"+
			"modprobe -q net-pf-10 > /dev/null 2>&1 || true # ignore failure.\n"+
			"sysctl -q -e -w net.ipv6.conf."+name+".accept_ra=0\n"+
			"ip addr flush dev "+name+" mngtmpaddr\n"+
			"ip link set dev "+name+"  up\n"+
			"ip -6 addr add "+addr+"/64  dev "+name+" "+lft+"\n"+
			" ip -6 route replace default via "+gw+"  dev "+name+" onlink \n")
	}
	h := NewHost("eth0")
	h.Boot([]Ifup{s("eth0", "2001:db8::10", "2001:db8::1", ""), s("eth0:0", "2001:db8::11", "2001:db8::2", "preferred_lft 0")}, nil)
	expect(t, h, "inet6 default via 2001:db8::2 dev eth0 metric 1024 table 254 onlink")
	if !h.IsUp("eth0") || !h.IsUp("eth0:0") {
		t.Errorf("both must be up")
	}
}

func TestDynamic(t *testing.T) {
	h := NewHost("eth1", "eth2")
	h.Boot([]Ifup{
		ParseIfup("eth1", "ifup: configuring interface eth1=eth1 (inet)\n"+`CLIENT="-i";  dhclient -4 -v $CLIENT -pf /run/dhclient.eth1.pid -lf /var/lib/dhcp/dhclient.eth1.leases -I -df /var/lib/dhcp/dhclient6.eth1.leases eth1 	-e IF_METRIC=5`+"\n"),
		ParseIfup("eth2", "ifup: configuring interface eth2=eth2 (inet6)\nsysctl -q -e -w net.ipv6.conf.eth2.accept_ra=2\nsysctl -q -e -w net.ipv6.conf.eth2.autoconf=1\nip link set dev eth2 up\n"),
		ParseIfup("eth9", "ifup: unknown interface eth9\n"),
	}, nil)
	expect(t, h, "inet default dynamic dhcp dev eth1", "inet6 default dynamic ra dev eth2")
	if len(h.Unmodelled) != 1 || !strings.Contains(h.Unmodelled[0], "dhclient") {
		t.Errorf("unmodelled: %q", h.Unmodelled)
	}
}

func TestParseIfupLinkStep(t *testing.T) {
	out := "if test -d /sys/class/net/bond0 && ! ip link show bond0.100 >/dev/null 2>&1; then ip link add link bond0 name bond0.100 type vlan id 100; fi\n\n" +
		"ifup: configuring interface bond0.100:1=bond0.100:1 (inet)\nip addr add 198.51.100.2/255.255.255.0 broadcast 198.51.100.255 	  dev bond0.100:1 label bond0.100:1\n" +
		"ifup: configuring interface bond0.100:1=bond0.100:1 (inet6)\n ip -6 route replace default via 2001:db8::1 metric 5\n7 dev bond0.100 onlink \n"
	u := ParseIfup("bond0.100:1", out)
	if len(u.Link) != 1 || len(u.Stanzas) != 2 || u.Stanzas[1].Family != "inet6" || len(u.Stanzas[1].Commands) != 2 {
		t.Fatalf("%+v", u)
	}
	h := NewHost("bond0.100")
	if h.Up(u) {
		t.Errorf("the repeated metric makes the inet6 stanza fail")
	}
}

func TestParseIPRoute(t *testing.T) {
	v4 := "default via 192.0.2.1 dev eth0 table 100 onlink \ndefault via 192.0.2.5 dev eth0 \ndefault via 192.0.2.1 dev eth0 proto static metric 50 onlink \ndefault dev eth0 scope link metric 3 \n"
	got, err := ParseIPRoute(4, v4)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"inet default via 192.0.2.1 dev eth0 metric 0 table 100 onlink",
		"inet default via 192.0.2.5 dev eth0 metric 0 table 254",
		"inet default via 192.0.2.1 dev eth0 metric 50 table 254 proto static onlink",
		"inet default dev eth0 metric 3 table 254",
	}
	if !slices.Equal(got, want) {
		t.Errorf("v4:\n got %q\nwant %q", got, want)
	}
	v6 := "default metric 1 pref medium\n\tnexthop via 2001:db8::9 dev eth0 weight 1 \n\tnexthop via 2001:db8::a dev eth0 weight 1 \ndefault via 2001:db8::5 dev eth0 metric 1024 onlink pref medium\n"
	got, err = ParseIPRoute(6, v6)
	if err != nil {
		t.Fatal(err)
	}
	want = []string{
		"inet6 default via 2001:db8::9 dev eth0 metric 1 table 254",
		"inet6 default via 2001:db8::a dev eth0 metric 1 table 254",
		"inet6 default via 2001:db8::5 dev eth0 metric 1024 table 254 onlink",
	}
	if !slices.Equal(got, want) {
		t.Errorf("v6:\n got %q\nwant %q", got, want)
	}
}

// ifup -n --force NAME for a VLAN name prints its parent's stanzas first (recorded with
// ifupdown 0.8.41): the parent is brought up first when it is not up yet.
const vlanIfup = `
ifup: configuring interface bond0=bond0 (inet)
ip addr add 10.20.30.13/255.255.255.0 broadcast 10.20.30.255 	  dev bond0 label bond0
ip link set dev bond0   up
 ip route add default via 10.20.30.1  dev bond0 onlink 
if test -d /sys/class/net/bond0 &&         ! ip link show bond0.100 >/dev/null 2>&1;     then         if test ` + "`cat /sys/class/net/bond0/type`" + ` -eq 32; then             echo 0x100 > /sys/class/net/bond0/create_child;         else             ip link set up dev bond0;             ip link add link bond0 name bond0.100 type vlan id 100; 	fi;     fi

ifup: configuring interface bond0.100:vip=bond0.100:vip (inet)
ip addr add 198.51.100.2/255.255.255.0 broadcast 198.51.100.255 	  dev bond0.100:vip label bond0.100:vip
ip link set dev bond0.100:vip   up
 ip route add default via 198.51.100.1 metric 5 dev bond0.100:vip onlink 
`

func TestVLANParent(t *testing.T) {
	u := ParseIfup("bond0.100:vip", vlanIfup)
	if u.Parent == nil || u.Parent.Name != "bond0" || len(u.Parent.Stanzas) != 1 || len(u.Parent.Stanzas[0].Commands) != 3 ||
		len(u.Link) != 1 || len(u.Stanzas) != 1 {
		t.Fatalf("%+v / parent %+v", u, u.Parent)
	}
	// The parent already up (ifup -a brought bond0 up first): it is not configured again.
	h := NewHost("bond0")
	h.Boot([]Ifup{{Name: "bond0", Known: true, Stanzas: u.Parent.Stanzas}, u}, nil)
	expect(t, h,
		"inet default via 10.20.30.1 dev bond0 metric 0 table 254 onlink",
		"inet default via 198.51.100.1 dev bond0.100 metric 5 table 254 onlink")
	if !h.IsUp("bond0") || !h.IsUp("bond0.100:vip") {
		t.Errorf("both must be up")
	}
	// The parent not up: it comes up first; if it fails, the VLAN name is not configured.
	h = NewHost("bond0")
	if !h.Up(u) || !h.IsUp("bond0") {
		t.Errorf("the parent was not brought up first")
	}
	bad := ParseIfup("bond0.100:vip", strings.Replace(vlanIfup, "ip link set dev bond0   up\n", "ip link set dev bond0   up\nfalse\n", 1))
	h = NewHost("bond0")
	if h.Up(bad) || h.IsUp("bond0.100:vip") {
		t.Errorf("a VLAN name came up although its parent failed")
	}
}

// A background job races with ifup's next command; the kernel showed it finishing after it
// (here: the route needs the alias address that the next command adds).
func TestBackgroundJob(t *testing.T) {
	u := ParseIfup("eth0:0", "ifup: configuring interface eth0:0=eth0:0 (inet)\n"+
		"route add default gw 192.0.2.1 metric 5 dev eth0:0 &\n"+
		"ip addr add 192.0.2.18/255.255.255.0 broadcast 192.0.2.255 	  dev eth0:0 label eth0:0\n"+
		"ip link set dev eth0:0   up\n")
	h := NewHost("eth0")
	h.Run("ip link set dev eth0 up")
	if !h.Up(u) {
		t.Fatalf("eth0:0 failed:\n%s", strings.Join(h.Log, "\n"))
	}
	expect(t, h, "inet default via 192.0.2.1 dev eth0 metric 5 table 254 src 192.0.2.18")
	if !slices.Contains(h.Unmodelled, "background job") {
		t.Errorf("a background job must be reported as unmodelled (the live check skips it)")
	}
}

// TestAddrPrefixLength: ip addr add reads the text after the slash with get_unsigned (strtoul,
// base 0, the whole string) or as a contiguous dotted mask of one to four parts; each form was
// checked live (ip addr add in a namespace).
func TestAddrPrefixLength(t *testing.T) {
	for s, want := range map[string]string{
		"192.0.2.10/0x10":         "192.0.2.10/16",
		"192.0.2.11/020":          "192.0.2.11/16",
		"192.0.2.12/ 16":          "192.0.2.12/16",
		"192.0.2.13/+16":          "192.0.2.13/16",
		"192.0.2.14/255.255":      "192.0.2.14/16",
		"192.0.2.15/0xff.0.0.0":   "192.0.2.15/8",
		"192.0.2.16/-0":           "192.0.2.16/0",
		"192.0.2.17/255.0.255.0":  "",
		"192.0.2.18/0.0.0.0":      "192.0.2.18/0",
		"192.0.2.19/33":           "",
		"192.0.2.19/255":          "", // a number above 32, not a one-part mask
		"2001:db8::1/0x40":        "2001:db8::1/64",
		"2001:db8::2/255.255.0.0": "2001:db8::2/16",
	} {
		p, _, ok := parseAddr(s)
		got := ""
		if ok {
			got = p.String()
		}
		if got != want {
			t.Errorf("parseAddr(%q) = %q, want %q", s, got, want)
		}
	}
}
