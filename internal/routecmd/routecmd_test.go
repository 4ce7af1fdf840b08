package routecmd

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// testEnv is what ifupdown gives the up commands of
//
//	iface eth0:0 inet static
//	    address 192.0.2.11/24
//	    gateway 192.0.2.1
var testEnv = NewEnv("eth0:0", "eth0:0", "inet", "static", "up", []Option{{"address", "192.0.2.11/24"}, {"gateway", "192.0.2.1"}})

// parseCases are spellings with their verdict and operations (Op.String, then "(cond)" for an
// operation after && or ||, "(bg)" for one run with &). The live test runs the OnlyRoutes ones.
var parseCases = []struct {
	cmd     string
	verdict Verdict
	ops     []string
}{
	{"ip route add default via 192.0.2.1 dev eth0:0", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 dev eth0:0 link eth0 metric 0"}},
	// sh -c runs its script as a shell line of its own.
	{`sh -c "ip route replace default via 192.0.2.254 dev eth0"`, OnlyRoutes, []string{"ip replace inet 0.0.0.0/0 via 192.0.2.254 dev eth0 metric 0"}},
	{`/bin/sh -c 'ip route add default via 192.0.2.1 dev eth0 && ip route add default via 192.0.2.2 dev eth0 metric 5'`, OnlyRoutes,
		[]string{"ip add inet 0.0.0.0/0 via 192.0.2.1 dev eth0 metric 0", "ip add inet 0.0.0.0/0 via 192.0.2.2 dev eth0 metric 5 (cond)"}},
	{`sh -c 'logger up; ip route add default via 192.0.2.1 dev eth0'`, Other, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 dev eth0 metric 0"}},
	{"ip route flush exact 0/0", Other, nil}, {"ip route flush cache", Other, nil}, {"ifup eth1", Other, nil},
	{"ip r a default via 192.0.2.1", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"ip ro add 0/0 via 192.0.2.1", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"ip route a 0.0.0.0/0 via 192.0.2.1 metric 100", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 metric 100"}},
	{"/sbin/ip route append default via 192.0.2.1 dev eth0 m 5", OnlyRoutes, []string{"ip append inet 0.0.0.0/0 via 192.0.2.1 dev eth0 metric 5"}},
	{"/bin/ip -4 route replace default via 192.0.2.1 dev $IFACE p 7", OnlyRoutes, []string{"ip replace inet 0.0.0.0/0 via 192.0.2.1 dev eth0:0 link eth0 metric 7"}},
	{"ip -6 route add default via 2001:db8::1 dev eth0", OnlyRoutes, []string{"ip add inet6 ::/0 via 2001:db8::1 dev eth0 metric 1024"}},
	{"ip -f inet6 r add ::/0 via 2001:db8::1 metric 0", OnlyRoutes, []string{"ip add inet6 ::/0 via 2001:db8::1 metric 1024"}},
	{"ip -family inet6 route del default", OnlyRoutes, []string{"ip delete inet6 ::/0 metric any"}},
	{"ip route add default via 192.0.2.1 table 100", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 table 100 via 192.0.2.1 metric 0"}},
	{"ip route add default via 192.0.2.1 table main", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"ip route add default via 192.0.2.1 tab 0xfe", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"ip route add default via 192.0.2.1 table 0", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"ip route add default via 192.0.2.1 table local", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 table 255 via 192.0.2.1 metric 0"}},
	{"ip route add default via 192.0.2.1 table foo", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 table foo via 192.0.2.1 metric 0"}},
	{"ip route add 0.0.0.0 via 192.0.2.1", OnlyRoutes, []string{"ip add inet 0.0.0.0/32 via 192.0.2.1 metric 0"}},
	{"ip -6 route add :: via 2001:db8::1", OnlyRoutes, []string{"ip add inet6 ::/128 via 2001:db8::1 metric 1024"}},
	{"ip route add default via 192.0.2.1 dev eth0 onlink src 192.0.2.11", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 dev eth0 metric 0 src 192.0.2.11 onlink"}},
	{"ip route del default via 192.0.2.1 dev eth0:0", OnlyRoutes, []string{"ip delete inet 0.0.0.0/0 via 192.0.2.1 dev eth0:0 link eth0 metric any"}},
	{"ip route delete default", OnlyRoutes, []string{"ip delete inet 0.0.0.0/0 metric any"}},
	{"ip route del default metric 0", OnlyRoutes, []string{"ip delete inet 0.0.0.0/0 metric any"}},
	{"ip route flush default", Other, []string{}},
	{"ip route show", Other, []string{}},
	{"ip route add default via 192.0.2.1 dev eth0|logger -t net", Other, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 dev eth0 metric 0"}},
	{"ip route add default via 192.0.2.1 dev eth0 | logger -t net", Other, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 dev eth0 metric 0"}},
	{"ip route add default via 192.0.2.1 || true", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"ip route add default via 192.0.2.1 2>/dev/null || :", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"ip route add default via 192.0.2.1 >/dev/null 2>&1", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"ip route add default via 192.0.2.1 >/tmp/log", Other, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"ip route add default via 192.0.2.1 &", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 metric 0 (bg)"}},
	{"ip route add default via 192.0.2.1; echo done", Other, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"ip route add default via $IF_GATEWAY dev $IFACE", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 dev eth0:0 link eth0 metric 0"}},
	{"ip route add default via ${IF_GATEWAY} dev \"${IFACE}\"", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 dev eth0:0 link eth0 metric 0"}},
	{"ip route add default via $IF_ROUTER", Other, []string{"ip add inet 0.0.0.0/0 via ? metric 0 unknown: $IF_ROUTER known only at run time"}},
	{"ip route add default via $(cat /etc/gw)", Other, []string{"ip add inet 0.0.0.0/0 via ? metric 0 unknown: $(cat /etc/gw) known only at run time"}},
	{"ip route add default via `cat /etc/gw`", Other, []string{"ip add inet 0.0.0.0/0 via ? metric 0 unknown: $(cat /etc/gw) known only at run time"}},
	{"GW=192.0.2.1; ip route add default via $GW", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"if true; then ip route add default via 192.0.2.1; fi", Other, []string{}},
	{"ip route add default via 192.0.2.1 (", Unparsed, []string{}},
	{"-ip route add default via 192.0.2.1", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"route add default gw 192.0.2.1 dev eth0:0", OnlyRoutes, []string{"route add inet 0.0.0.0/0 via 192.0.2.1 dev eth0:0 link eth0 src-from-label metric 0"}},
	{"route add default gw 192.0.2.1 eth0:0", OnlyRoutes, []string{"route add inet 0.0.0.0/0 via 192.0.2.1 dev eth0:0 link eth0 src-from-label metric 0"}},
	{"route add -net 0.0.0.0 netmask 0.0.0.0 gw 192.0.2.1 metric 1", OnlyRoutes, []string{"route add inet 0.0.0.0/0 via 192.0.2.1 metric 1"}},
	{"route add -net 0.0.0.0/0 gw 192.0.2.1", OnlyRoutes, []string{"route add inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"route add 0.0.0.0/0 gw 192.0.2.1", OnlyRoutes, []string{"route add inet 0.0.0.0/32 via 192.0.2.1 metric 0"}},
	{"route add 0.0.0.0 gw 192.0.2.1", OnlyRoutes, []string{"route add inet 0.0.0.0/32 via 192.0.2.1 metric 0"}},
	{"route del default gw 192.0.2.1", OnlyRoutes, []string{"route delete inet 0.0.0.0/0 via 192.0.2.1 metric any"}},
	{"route del default gw 192.0.2.1 metric 3 dev eth0:0", OnlyRoutes, []string{"route delete inet 0.0.0.0/0 via 192.0.2.1 dev eth0:0 link eth0 src-from-label metric 3"}},
	{"/usr/sbin/route -A inet6 add default gw 2001:db8::1 dev eth0", OnlyRoutes, []string{"route add inet6 ::/0 via 2001:db8::1 dev eth0 metric 1"}},
	{"route -A inet6 add ::/0 gw 2001:db8::1 metric 0", OnlyRoutes, []string{"route add inet6 ::/0 via 2001:db8::1 metric 1024"}},
	{"route -6 add default gw 2001:db8::1", OnlyRoutes, []string{"route add inet6 ::/0 via 2001:db8::1 metric 1"}},
	{"route --inet6 del default gw 2001:db8::1", OnlyRoutes, []string{"route delete inet6 ::/0 via 2001:db8::1 metric 1"}},
	{"route add default gw router.example", Other, []string{"route add inet 0.0.0.0/0 via router.example metric 0 unknown: gateway \"router.example\" is resolved at run time"}},
	{"route add default gw 192.0.2.1 dev eth0 extra", OnlyRoutes, []string{"route add inet  via 192.0.2.1 dev eth0 metric 0 err: route: unexpected \"extra\""}},
	{"route", Other, []string{}},
	{"route -n", Other, []string{}},
	{"ip addr add 192.0.2.11/24 dev eth0", Other, []string{}},
	{"true", OnlyRoutes, []string{}},
	{"exec ip route add default via 192.0.2.1", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"command /sbin/ip route add default via 192.0.2.1", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"ip route add default via 192.0.2.1 && ip route add default via 192.0.2.2 dev eth0 metric 5", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 metric 0", "ip add inet 0.0.0.0/0 via 192.0.2.2 dev eth0 metric 5 (cond)"}},
	{"ip route add default via 192.0.2.1 # comment", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"'ip' route add default via \"192.0.2.1\"", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"ip route add default via 192.0.2.1 metric x", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 metric 0 err: ip route: \"metric\" value is invalid: \"x\""}},
	{"ip route add blackhole default", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 type blackhole metric 0"}},
	{"ip route add default via 192.0.2.1 dev eth0 mtu 1400", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 dev eth0 metric 0 [mtu 1400]"}},
	{"ip -n ns1 route add default via 192.0.2.1", Other, []string{}},
	{"ip -b /tmp/file", Other, []string{}},
	{"ip route add default via 2001:db8::1", OnlyRoutes, []string{"ip add inet6 ::/0 via 2001:db8::1 metric 1024"}},
	{"ip route add default via inet6 fe80::1 dev eth0", OnlyRoutes, []string{"ip add inet6 ::/0 via fe80::1 dev eth0 metric 1024"}},
	{"ip route add default via 192.0.2.1 &> /dev/null", Unparsed, []string{}},
	{"sleep 1; ip route add default via 192.0.2.1", Other, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"echo $HOME", Other, []string{}},
	{"ip route add default via 192.0.2.1 dev eth0 proto static", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 dev eth0 metric 0 proto static"}},
	{"ip route chg default via 192.0.2.1", OnlyRoutes, []string{"ip change inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"ip route prepend default via 192.0.2.1", OnlyRoutes, []string{"ip prepend inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"ip route test default via 192.0.2.1", OnlyRoutes, []string{"ip test inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"ip route add 1.2.3.4/0 via 192.0.2.1", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 metric 0 err: kernel: invalid prefix 1.2.3.4/0 (host bits set)"}},
	{"ip -4 route add ::/0 via 2001:db8::1", OnlyRoutes, []string{"ip add inet  metric 0 err: ip: inet address is expected rather than \"::\""}},
	{"route add -host 0.0.0.0 gw 192.0.2.1", OnlyRoutes, []string{"route add inet 0.0.0.0/32 via 192.0.2.1 metric 0"}},
	{"route add -net 192.0.2.0 netmask 255.255.255.0 dev eth0", OnlyRoutes, []string{"route add inet 192.0.2.0/24 dev eth0 metric 0"}},
	{"route add default dev eth0", OnlyRoutes, []string{"route add inet 0.0.0.0/0 dev eth0 metric 0"}},
	{"route add default reject", OnlyRoutes, []string{"route add inet 0.0.0.0/0 type unreachable dev lo metric 0"}},
	{"ip route add default via 192.0.2.1 dev eth0 metric 0x10", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 dev eth0 metric 16"}},
	{"ip route add default via $IF_ADDRESS", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 metric 0 err: ip: inet address is expected rather than \"192.0.2.11/24\""}},
	{"X=$(foo) ip route add default via 192.0.2.1", Other, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"ip route add default via 192.0.2.1 dev eth0 nexthop via 192.0.2.2", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 dev eth0 metric 0 multipath"}},
	{"/usr/local/bin/ip route add default via 192.0.2.1", Other, nil},
	{"/usr/sbin/ip route add default via 192.0.2.1", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"./ip route add default via 192.0.2.1", Other, []string{}},
	{"ip route add to default via 192.0.2.1", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"ip route add unicast default via 192.0.2.1", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"ip -6 route add default dev eth0 metric 2048", OnlyRoutes, []string{"ip add inet6 ::/0 dev eth0 metric 2048"}},
	{"f() { ip route add default via 192.0.2.1; }; f", Other, []string{}},
	{"( ip route add default via 192.0.2.1 )", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"{ ip route add default via 192.0.2.1; }", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"! ip route add default via 192.0.2.1", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"ip route add default via 192.0.2.1 dev eth0 && logger ok || logger failed", Other, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 dev eth0 metric 0"}},
	{"ip route add default via 192.0.2.1 dev $IF_NONEXISTENT_OPT", Other, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 dev ? metric 0 unknown: $IF_NONEXISTENT_OPT known only at run time"}},
	{"PATH=/tmp ip route add default via 192.0.2.1", Other, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"ip route add default via 192.0.2.1 dev eth0 ; ip route del default via 192.0.2.1 dev eth0", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 dev eth0 metric 0", "ip delete inet 0.0.0.0/0 via 192.0.2.1 dev eth0 metric any"}},
	{"ip rou add default via 192.0.2.1", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"ip route replace default via 192.0.2.1 dev eth0 onlink", OnlyRoutes, []string{"ip replace inet 0.0.0.0/0 via 192.0.2.1 dev eth0 metric 0 onlink"}},
	{"ip -6 route replace default via 2001:db8::1 metric 1024 dev eth0 onlink", OnlyRoutes, []string{"ip replace inet6 ::/0 via 2001:db8::1 dev eth0 metric 1024 onlink"}},
	{"ip route add default via 192.0.2.1 dev eth0 metric 100 table 254", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 dev eth0 metric 100"}},
	{"ip route add default scope link dev eth0", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 dev eth0 metric 0 [scope link]"}},
	{"ip --family inet route add default via 192.0.2.1", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"ip -4 -6 route add default via 2001:db8::1", OnlyRoutes, []string{"ip add inet6 ::/0 via 2001:db8::1 metric 1024"}},
	{"ip -c route add default via 192.0.2.1", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"route -A inet6 add default gw 2001:db8::1 dev eth0 metric 0", OnlyRoutes, []string{"route add inet6 ::/0 via 2001:db8::1 dev eth0 metric 1024"}},
	{"route add default gw 192.0.2.1 metric 5x", OnlyRoutes, []string{"route add inet 0.0.0.0/0 via 192.0.2.1 metric 5"}},
	{"route add -net default gw 192.0.2.1", OnlyRoutes, []string{"route add inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"ip route add default via 192.0.2.1 dev eth0 src $IF_ADDRESS", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 dev eth0 metric 0 err: ip: inet address is expected rather than \"192.0.2.11/24\""}},
	{"ip route add default via * ", Other, []string{"ip add inet 0.0.0.0/0 via ? metric 0 unknown: * known only at run time"}},
	{"ip route add default via 192.0.2.1 dev ~", Other, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 dev ? metric 0 unknown: ~ known only at run time"}},
	{"ip route add default via \"$IF_GATEWAY\"x", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 metric 0 err: ip: inet address is expected rather than \"192.0.2.1x\""}},
	{"ip route add default via 192.0.2.1 dev \"eth0\"':0'", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 dev eth0:0 link eth0 metric 0"}},
	// Bytes that are not UTF-8 are literal characters to dash, as to the model.
	{"ip route add default via 192.0.2.1 # caf\xe9", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 metric 0"}},
	{"ip route add default via 192.0.2.1 dev eth0\xff", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 dev eth0\U0010ffff metric 0"}},
	{"ip route add default via 192.0.2.1 dev eth0\\:0", OnlyRoutes, []string{"ip add inet 0.0.0.0/0 via 192.0.2.1 dev eth0:0 link eth0 metric 0"}},
}

func TestParse(t *testing.T) {
	for _, c := range parseCases {
		r := Parse(c.cmd, testEnv)
		var ops []string
		for _, op := range r.Ops {
			s := op.String()
			if op.Conditional {
				s += " (cond)"
			}
			if op.Background {
				s += " (bg)"
			}
			ops = append(ops, s)
		}
		if r.Verdict != c.verdict || !reflect.DeepEqual(ops, c.ops) && (len(ops) > 0 || len(c.ops) > 0) {
			t.Errorf("Parse(%q) = %s %q\n\t%q\nwant %s\n\t%q", c.cmd, r.Verdict, r.Reason, ops, c.verdict, c.ops)
		}
		if (r.Verdict == OnlyRoutes) != (r.Reason == "") {
			t.Errorf("Parse(%q): verdict %s with reason %q", c.cmd, r.Verdict, r.Reason)
		}
	}
}

func TestIgnoreStatus(t *testing.T) {
	r := Parse("-ip route add default via 192.0.2.1", nil)
	if !r.IgnoreStatus || len(r.Ops) != 1 || r.Ops[0].Argv[0] != "ip" {
		t.Errorf("leading '-': %+v", r)
	}
	if r := Parse("ip route add default via 192.0.2.1", nil); r.IgnoreStatus {
		t.Errorf("no '-': IgnoreStatus set")
	}
}

func TestDefaultRoutes(t *testing.T) {
	r := Parse("ip route add default via 192.0.2.1 table 100; ip route add 192.0.2.0/24 dev eth0; "+
		"route add default gw 192.0.2.1 eth0:0; ip route add default via 192.0.2.1 metric x", nil)
	got := r.DefaultRoutes()
	if len(got) != 1 || got[0].Tool != "route" {
		t.Errorf("DefaultRoutes = %v, want only the route add", got)
	}
}

func TestNewEnv(t *testing.T) {
	env := NewEnv("eth0", "home", "inet", "static", "down", []Option{
		{"address", "192.0.2.10/24"}, {"address", "192.0.2.12/24"}, {"dns-nameservers", "192.0.2.53"},
		{"up", "x"}, {"post-up", "y"}, {"my.opt?", "z"}})
	want := Env{"IFACE": "eth0", "LOGICAL": "home", "ADDRFAM": "inet", "METHOD": "static", "MODE": "stop",
		"PHASE": "pre-down", "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"IF_ADDRESS": "192.0.2.10/24\n192.0.2.12/24", "IF_DNS_NAMESERVERS": "192.0.2.53", "IF_MYOPT": "z"}
	if !reflect.DeepEqual(env, want) {
		t.Errorf("NewEnv = %v\nwant %v", env, want)
	}
}

// TestFields checks the word expansion against dash's rules for the default IFS.
func TestFields(t *testing.T) {
	env := Env{"A": "x  y", "E": "", "L": " lead", "T": "trail ", "G": "a*"}
	for _, c := range []struct {
		cmd  string
		want []string // nil: unknown (Op.Unknown set)
	}{
		{`ip route add $A`, []string{"x", "y"}},
		{`ip route add "$A"`, []string{"x  y"}},
		{`ip route add $E z`, []string{"z"}},
		{`ip route add "$E" z`, []string{"", "z"}},
		{`ip route add a$L`, []string{"a", "lead"}},
		{`ip route add ${T}b`, []string{"trail", "b"}},
		{`ip route add 'q $A' \$A`, []string{"q $A", "$A"}},
		{`ip route add "a\"b\$c\d"`, []string{`a"b$c\d`}},
		{`ip route add $'x'`, []string{"$x"}},
		{`ip route add $G`, nil},
		{`ip route add ${A:-d}`, nil},
		{`ip route add $1`, nil},
		{`ip route add $$`, nil},
		{`B=$A; ip route add $B`, []string{"x", "y"}},
		{`B=$(x); ip route add $B`, nil},
	} {
		var got Op
		_, _ = run(c.cmd, env, func(op Op) bool { got = op; return true })
		switch {
		case c.want == nil && got.Unknown == "":
			t.Errorf("%s: fields %q, want unknown", c.cmd, got.Argv)
		case c.want != nil && !reflect.DeepEqual(got.Argv[3:], c.want):
			t.Errorf("%s: fields %q, want %q", c.cmd, got.Argv[3:], c.want)
		}
	}
}

// TestIPAbbreviations checks matches() order for every prefix of the keywords used above.
func TestIPAbbreviations(t *testing.T) {
	for _, c := range []struct{ words, want string }{
		{"r a", "add"}, {"ro ad", "add"}, {"route a", "add"}, {"r ap", "append"}, {"r c", "change"},
		{"r chg", "change"}, {"r r", "replace"}, {"r rep", "replace"}, {"r p", "prepend"}, {"r t", "test"},
		{"r d", "delete"}, {"r del", "delete"},
	} {
		r := Parse("ip "+c.words+" default via 192.0.2.1", nil)
		if len(r.Ops) != 1 || r.Ops[0].Action != c.want {
			t.Errorf("ip %s: %v, want %s", c.words, r.Ops, c.want)
		}
	}
	for _, c := range []struct{ kw, want string }{
		{"m 5", "metric 5"}, {"me 5", "metric 5"}, {"p 5", "metric 5"}, {"pri 5", "metric 5"},
		{"preference 5", "metric 5"}, {"t 100", "table 100"}, {"tab 100", "table 100"},
		{"pre low", "[pref low]"}, {"pro static", "proto static"},
	} {
		r := Parse("ip r a default via 192.0.2.1 "+c.kw, nil)
		if len(r.Ops) != 1 || !strings.Contains(r.Ops[0].String(), c.want) || r.Ops[0].Err != "" {
			t.Errorf("%s: %v, want %s", c.kw, r.Ops, c.want)
		}
	}
}

func TestUnknownWord(t *testing.T) {
	r := Parse(`ip route add default via $(cat /etc/gw) dev "$IF_X"`, testEnv)
	if r.Verdict != Other || len(r.Ops) != 1 {
		t.Fatalf("%+v", r)
	}
	op := r.Ops[0]
	want := []string{"ip", "route", "add", "default", "via", "$(cat /etc/gw)", "dev", `"$IF_X"`}
	if !reflect.DeepEqual(op.Argv, want) || !op.Default || op.Gateway != "?" || op.Dev != "?" || op.Err != "" || op.Unknown == "" {
		t.Errorf("op %q %s", op.Argv, op)
	}
	if len(r.DefaultRoutes()) != 1 {
		t.Errorf("DefaultRoutes leaves out the op with an unknown gateway")
	}
	if err := testKernel().Apply(op); err != ErrUnmodeled {
		t.Errorf("Apply = %v, want ErrUnmodeled", err)
	}
}

// TestEitherFamily: ip takes a route's family from its first address (get_addr with AF_UNSPEC),
// so a gateway or src known only at run time may make it IPv6; a flag or an address known
// before it decides.
func TestEitherFamily(t *testing.T) {
	for _, c := range []struct {
		cmd    string
		either bool
	}{
		{"ip route add default via $(echo 2001:db8::1)", true},
		{"ip route add default src $SRC via $GW", true},
		{"ip -6 route add default via $GW", false},
		{"ip -4 route add default via $GW", false},
		{"ip route add default via $GW src 192.0.2.10", false},
		{"ip route add 0.0.0.0/0 via $GW", false},
		{"ip route add default via 192.0.2.1 src $SRC", false},
		{"ip route add default via inet6 $GW dev eth0", false},
		{"route add default gw $GW", false},
	} {
		r := Parse(c.cmd, testEnv)
		if len(r.Ops) != 1 {
			t.Fatalf("%s: %+v", c.cmd, r)
		}
		if got := r.Ops[0].EitherFamily; got != c.either {
			t.Errorf("%s: EitherFamily %v, want %v", c.cmd, got, c.either)
		}
	}
}

func ExampleParse() {
	env := NewEnv("eth0:0", "eth0:0", "inet", "static", "up", []Option{{"gateway", "192.0.2.1"}})
	r := Parse("route add default gw $IF_GATEWAY dev $IFACE || true", env)
	fmt.Println(r.Verdict)
	for _, op := range r.DefaultRoutes() {
		fmt.Println(op)
	}
	// Output:
	// only-routes
	// route add inet 0.0.0.0/0 via 192.0.2.1 dev eth0:0 link eth0 src-from-label metric 0
}

// TestLoneBackslash: the value `\` (a continuation at the end of the file, or a CRLF line) is a
// command dash cannot find, and `ip route \` one ip refuses: the line fails, so ifup stops there
// (checked with ifup -n, dash and ip).
func TestLoneBackslash(t *testing.T) {
	k := &Kernel{AnyLink: true}
	for _, c := range []struct {
		cmd string
		ok  bool
	}{{`\`, false}, {`\ || true`, true}, {`logger \`, true},
		// ip refuses a command it does not know (exit 255, or 1 for an object), not a listing.
		{`ip route \`, false}, {`ip route help`, false}, {`ip foo`, false}, {`ip`, false},
		{`ip route show`, true}, {`ip link set eth0 up`, true}, {`ip route \ || true`, true},
		{`route \`, false}, {`route -n`, true}} {
		if _, ok, _ := k.Run(c.cmd, testEnv); ok != c.ok {
			t.Errorf("Run(%q): ok %v, want %v", c.cmd, ok, c.ok)
		}
	}
}

// TestUnfollowed: commands that change routes in ways the package does not follow are named.
func TestUnfollowed(t *testing.T) {
	for cmd, want := range map[string]string{
		"ip route flush exact 0/0":           "ip route flush exact 0/0",
		"ip -6 route flush dev eth0":         "ip -6 route flush dev eth0",
		"ip route flush cache":               "",
		"logger x; ifup eth1 || true":        "ifup eth1",
		`sh -c "ifdown eth1; ifup eth1"`:     "ifdown eth1",
		"ip route add default via 192.0.2.1": "",
		// Constructs and wrappers that may run a route command (a red-team pass, 2026-12-07).
		"if ! ip route show | grep -q default; then ip route add default via 192.0.2.1; fi": "an if clause",
		"for g in 192.0.2.1; do ip route add default via $g; done":                          "a loop",
		"f() { /sbin/ip route add default via 192.0.2.1; }; f":                              "a function definition",
		"if true; then logger up; fi":                                                       "",
		"timeout 5 ip route add default via 192.0.2.1":                                      "timeout 5 ip route add default via 192.0.2.1",
		"env LC_ALL=C route add default gw 192.0.2.1":                                       "env LC_ALL=C route add default gw 192.0.2.1",
		`eval "ip route add default via 192.0.2.1"`:                                         "eval ip route add default via 192.0.2.1",
		`su -c "ip route add default via 192.0.2.1" root`:                                   "su -c ip route add default via 192.0.2.1 root",
		"echo route add default | ip -batch -":                                              "ip -batch -",
		"ip -b /etc/routes":                                                                 "ip -b /etc/routes",
		"ip link set dev eth0 down":                                                         "ip link set dev eth0 down",
		"ip addr flush dev eth0":                                                            "ip addr flush dev eth0",
		"ip link set dev eth0 up":                                                           "",
		"ip -br link show":                                                                  "",
		`logger -t ifup "eth0 up, route via $IF_GATEWAY"`:                                   "",
		"ethtool -K eth0 tso off":                                                           "",
	} {
		if got := Parse(cmd, Env{}).Unfollowed; got != want {
			t.Errorf("%s: Unfollowed %q, want %q", cmd, got, want)
		}
	}
}

// TestOnFaith: a route operation that runs only as the status of a command the package does not
// run decides (a check, another program) has an effect known only at run time; one after a
// route operation does not, and a check is named as the line's Guard.
func TestOnFaith(t *testing.T) {
	for cmd, want := range map[string]bool{
		"[ -e /etc/gw ] && ip route add default via 192.0.2.1":                   true,
		"test -e /etc/gw || ip route add default via 192.0.2.1":                  true,
		"ping -c1 192.0.2.1 && ip route add default via 192.0.2.1":               true,
		`sh -c "[ -e /etc/gw ] && ip route add default via 192.0.2.1"`:           true,
		"ip route del default 2>/dev/null || ip route add default via 192.0.2.1": false,
		"ip route add default via 192.0.2.1 || true":                             false,
		"true && ip route add default via 192.0.2.1":                             false,
		"logger x; ip route add default via 192.0.2.1":                           false,
	} {
		r := Parse(cmd, Env{})
		var last Op
		for _, op := range r.Ops {
			if op.Action == "add" {
				last = op
			}
		}
		if got := last.Unknown != ""; got != want {
			t.Errorf("%s: the add's effect known only at run time: %v (Unknown %q), want %v", cmd, got, last.Unknown, want)
		}
	}
	if g := Parse("test -e /etc/network/ready", Env{}).Guard; g != "test -e /etc/network/ready" {
		t.Errorf("Guard %q, want the test command", g)
	}
	// '[' is no glob pattern without a ']' in its word (seed 6803304639: it was a word known
	// only at run time, so the check was taken as an ordinary command that succeeds).
	if g := Parse("[ -d /sys/class/net/eth0 ]", Env{}).Guard; g != "[ -d /sys/class/net/eth0 ]" {
		t.Errorf("Guard %q, want the [ check", g)
	}
	if r := Parse("ls [ab]*", Env{}); !strings.Contains(r.Reason, "known only at run time") {
		t.Errorf("a bracket pattern: reason %q, want a word known only at run time", r.Reason)
	}
	if g := Parse("ip route add default via 192.0.2.1", Env{}).Guard; g != "" {
		t.Errorf("Guard %q of a route command, want none", g)
	}
}

// TestStatusOnFaith: a line's exit status is taken on faith where it is that of a command the
// host decides (red-team pass 7: `iptables-restore < FILE` failing without its file stopped
// ifup), not where it is a route operation's, a command that exits 0, or `|| true`'s.
func TestStatusOnFaith(t *testing.T) {
	for cmd, want := range map[string]bool{
		"iptables-restore < /etc/iptables.rules":           true,
		"ethtool -s eth0 wol g":                            true,
		"echo 1 > /proc/sys/net/ipv4/conf/eth0/arp_ignore": true,
		"/usr/local/bin/net-up":                            true,
		"ip rule del from 192.0.2.11 table 100":            true,
		"ip link set dev eth0 up mtu 9000":                 true,
		"sh -c 'modprobe 8021q'":                           true,
		"logger -t net up":                                 false,
		"echo up >/dev/null 2>&1":                          false,
		"ethtool -s eth0 wol g || true":                    false,
		"iptables-restore < /etc/iptables.rules || :":      false,
		"modprobe 8021q &":                                 false,
		"modprobe 8021q; logger done":                      false,
		"ip route add default via 192.0.2.1":               false,
		"ip link set dev eth0 up":                          false,
		"ip link set eth0 up":                              false,
		"-ethtool -s eth0 wol g":                           false, // ifupdown ignores its status
	} {
		if got := Parse(cmd, Env{}).StatusOnFaith; got != want {
			t.Errorf("%s: StatusOnFaith %v, want %v", cmd, got, want)
		}
	}
}

// TestLinksUp: `ip link set [dev] DEV up` sets DEV up; down, another namespace or a group do not.
func TestLinksUp(t *testing.T) {
	for cmd, want := range map[string]string{
		"ip link set dev eth1 up":               "eth1",
		"ip l s eth1 up":                        "eth1",
		"/sbin/ip -4 link set eth1 mtu 1400 up": "eth1",
		"ip link set dev eth1 down":             "",
		"ip -n ns1 link set eth1 up":            "",
		"ip link set group 1 up":                "",
		"ip link show eth1 up":                  "",
		"ip addr add 10.0.0.1/24 dev eth1":      "",
	} {
		if got := strings.Join(Parse(cmd, Env{}).LinksUp, " "); got != want {
			t.Errorf("%s: LinksUp %q, want %q", cmd, got, want)
		}
	}
}
