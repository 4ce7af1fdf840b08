package routecmd

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// The live test runs command lines for real with /bin/sh in network namespaces it creates and
// compares the kernel's default routes after each line with what Kernel.Run predicts.

const (
	base4 = "ip route add default via 192.0.2.1 dev eth0 onlink"          // ifupdown's inet gateway for eth0
	base6 = "ip -6 route replace default via 2001:db8::1 dev eth0 onlink" // and its inet6 one
)

// liveScenarios are sequences beyond the single lines of parseCases.
var liveScenarios = [][]string{
	{base4, "route add default gw 192.0.2.1 dev eth0:0", "route del default gw 192.0.2.1 dev eth0:0"},
	{base4, "ip route add default via 192.0.2.1 dev eth0:0 onlink"},
	{base4, "route add default gw 192.0.2.1 dev eth0:0", "route add default gw 192.0.2.1 eth0:0"},
	{base4, "route add default gw 192.0.2.1 metric 0 eth0:0", "route del default gw 192.0.2.1 metric 0"},
	{base4, "route add default gw 192.0.2.1 eth0", "route add default gw 192.0.2.1 eth0:0", "route del default"},
	{base4, "ip route append default via 192.0.2.1 dev eth0 src 192.0.2.11", "ip route del default src 192.0.2.11"},
	{base4, "ip route replace default via 192.0.2.1 dev eth0 onlink", "ip route replace default via 192.0.2.2 dev eth0"},
	{base4, "ip route append default via 192.0.2.2 dev eth0", "ip route replace default via 192.0.2.2 dev eth0"},
	{base4, "ip route prepend default via 192.0.2.2 dev eth0", "ip route append default via 192.0.2.3 dev eth0",
		"ip route del default", "ip route del default"},
	{base4, "ip route change default via 192.0.2.2 dev eth0"},
	{"ip route change default via 192.0.2.2 dev eth0"},
	{base4, "ip route add default via 192.0.2.1 dev eth0 metric 100 table 100", "ip route del default table 100"},
	{base4, "ip route add blackhole default metric 5", "ip route del default metric 5"},
	{base4, "route del default", "route del default"},
	{base4, "ip route del default via 192.0.2.2"},
	{"ip route add default via 192.0.2.1 dev eth1"},
	{"route add default gw 192.0.2.1 dev eth0:7"},
	{"ip route add default via 198.51.100.1"},
	// Routes other than default: one without a gateway needs a device (a v4tunnel's route to
	// its gateway whose value holds a '#' has none).
	{"ip route add 2001:db8:99::1"}, {"ip route add 198.51.100.7"}, {"route add -net 198.51.100.0/24"},
	{"ip route add 2001:db8:99::1 # upstream dev eth0"},
	{"ip route add 198.51.100.0/24 dev eth0", "ip route del 198.51.100.0/24", "ip -6 route add 2001:db8:99::1 dev eth0"},
	{"ip route add default via 192.0.2.1 src 192.0.2.99"},
	{"ip route add default via 192.0.2.1 src 192.0.2.11", "ip route add default via 192.0.2.1 src 192.0.2.10"},
	{"ip route append default via 192.0.2.1 src 192.0.2.11", "ip route append default via 192.0.2.1 src 192.0.2.10"},
	{"ip route test default via 192.0.2.1", "ip -6 route test default via 2001:db8::1"},
	{base6, "ip -6 route append default via 2001:db8::2 dev eth0",
		"route -A inet6 add default gw 2001:db8::3 dev eth0 metric 1024", "ip -6 route del default via 2001:db8::2",
		"ip -6 route del default"},
	{base6, "ip -6 route append default via 2001:db8::2 dev eth0", "ip -6 route replace default via 2001:db8::4 dev eth0"},
	{base6, "ip -6 route append default via 2001:db8::2", "route -A inet6 del default gw 2001:db8::2 metric 1024"},
	{base6, "route -A inet6 del default gw 2001:db8::1"},
	{base6, "route -A inet6 del default gw 2001:db8::1 metric 1024"},
	{base6, "route -A inet6 add default gw 2001:db8::1 dev eth0 metric 0"},
	{base6, "ip -6 route add default dev eth0", "ip -6 route append default dev eth0"},
	{"ip -6 route add default via fe80::1 dev eth0", "ip -6 route add default via fe80::1 metric 5"},
	{"ip -6 route add default via 2001:db8::1 src 2001:db8::10", "ip -6 route add default via 2001:db8::1 src 2001:db8::99 metric 7"},
	{"route -A inet6 add default gw 2001:db8::1", "route -A inet6 add default gw 2001:db8::1"},
	{base4, "ip route add default via 192.0.2.1 dev eth0 || ip route replace default via 192.0.2.1 dev eth0:0"},
	{"ip route add default via 192.0.2.1 dev eth0 && ip route add default via 192.0.2.2 dev eth0 metric 5"},
	{base4, "ip route add default via 192.0.2.1 dev eth0 && ip route add default via 192.0.2.2 dev eth0 metric 5"},
	{base4, "! ip route add default via 192.0.2.1 dev eth0"},
	// A route without a gateway is a link-scope route: a gateway outside every connected subnet
	// is reachable through it (the longest prefix that holds it), on its device only.
	{"ip route add default dev eth0", "route add default gw 198.51.100.1"},
	{"ip route add default dev eth0 metric 9", "ip route add default via 198.51.100.1 metric 5"},
	{"ip route add default dev eth0", "ip route add default via 198.51.100.1 dev eth0p metric 5"},
	{"ip route add default dev eth0 table 100", "ip route add default via 198.51.100.1 metric 5"},
	{"ip -6 route add default dev eth0 metric 9", "ip -6 route add default via 2001:db8:99::1 metric 5"},
	{"ip route add 198.51.100.1 dev eth0", "ip route add default via 198.51.100.1"},
	{"ip route add 198.51.100.0/24 dev eth0p", "route add default gw 198.51.100.1"},
	{"ip route add 198.51.100.0/24 dev eth0p", "ip route add 198.51.100.1 dev eth0", "ip route add default via 198.51.100.1 src 192.0.2.10"},
	{"ip route add 198.51.100.1 dev eth0", "ip route del 198.51.100.1", "ip route add default via 198.51.100.1"},
	{"ip route add 198.51.100.1 dev eth0 table 100", "ip route add default via 198.51.100.1"},
	{"ip route add 198.51.100.0/24 via 192.0.2.1", "ip route add default via 198.51.100.1"},
	{"ip -6 route add 2001:db8:99::1 dev eth0", "ip -6 route add default via 2001:db8:99::1"},
	{"route add -host 198.51.100.1 dev eth0", "route add default gw 198.51.100.1"},
	{"ip route add default via 192.0.2.10"}, {"route add default gw 192.0.2.11"}, {"ip -6 route add default via 2001:db8::10"},
	{"ip -6 route add default via 2001:db8::10 dev eth0 onlink"}, {"ip route add default via 192.0.2.10 dev eth0 onlink"}, {"route add default gw 192.0.2.10 dev eth0"},
	{"ip route add default via 192.0.2.255 dev eth0 onlink"}, {"ip route add default via 192.0.2.255"}, {"ip route add default via 192.0.2.0 dev eth0 onlink"}, {"ip route add default via 127.0.0.1 dev eth0 onlink"}, {"ip -6 route add default via 2001:db8::10 dev eth0p onlink"},
	// Routes to other destinations than default: a second add of one prefix and metric fails
	// (EXCL), whatever its gateway; without EXCL only an identical route does.
	{base4, "ip route add 198.51.100.0/24 via 192.0.2.254", "ip route add 198.51.100.0/24 via 192.0.2.253"},
	{base4, "ip route add 198.51.100.0/24 via 192.0.2.254", "ip route add 198.51.100.0/24 via 192.0.2.254 metric 5",
		"ip route append 198.51.100.0/24 via 192.0.2.253", "ip route append 198.51.100.0/24 via 192.0.2.253",
		"ip route replace 198.51.100.0/24 via 192.0.2.252", "ip route add 198.51.100.0/24 via 192.0.2.254"},
	{base4, "route add -net 198.51.100.0/24 gw 192.0.2.254", "route add -net 198.51.100.0/24 gw 192.0.2.254",
		"route add -net 198.51.100.0/24 gw 192.0.2.253", "ip route add 198.51.100.0/24 via 192.0.2.252"},
	{base4, "route add -net 198.51.100.0/24 gw 192.0.2.254 dev eth0:0", "route add -net 198.51.100.0/24 gw 192.0.2.254 dev eth0"},
	{base4, "ip route add 198.51.100.0/24 via 192.0.2.254", "ip route del 198.51.100.0/24", "ip route add 198.51.100.0/24 via 192.0.2.253"},
	{base4, "ip route add 198.51.100.0/24 via 192.0.2.254 table 100", "ip route add 198.51.100.0/24 via 192.0.2.254"},
	{base4, "ip route add 198.51.100.7 dev eth0", "ip route add 198.51.100.7/32 via 192.0.2.254"},
	// Their gateway must be reachable too.
	{base4, "ip route add 10.99.0.0/16 via 10.20.30.1", "ip route add 10.99.0.0/16 via 10.20.30.1 dev eth0 onlink"},
	{"route add -net 10.99.0.0/16 gw 10.20.30.1", "route add -net 10.99.0.0/16 gw 192.0.2.254", "ip -6 route add 2001:db8:99::/48 via 2001:db8:5::1"},
	{"ip route add 10.99.0.0/16 via 192.0.2.254 dev eth0p", "ip route add 10.99.0.0/16 dev eth0p", "ip route add 10.98.0.0/16 dev eth1"},
	{base6, "ip -6 route add 2001:db8:99::/48 via 2001:db8::fe", "ip -6 route add 2001:db8:99::/48 via 2001:db8::fd",
		"ip -6 route append 2001:db8:99::/48 via 2001:db8::fd", "ip -6 route append 2001:db8:99::/48 via 2001:db8::fd",
		"ip -6 route add 2001:db8:99::/48 via 2001:db8::fe metric 5"},
	{base4, "ip route add 198.51.100.0/24 via 192.0.2.254 && ip route add default via 192.0.2.2 dev eth0 metric 7",
		"ip route add 198.51.100.0/24 via 192.0.2.254 && ip route add default via 192.0.2.3 dev eth0 metric 8"},
	// A device name of 16 bytes or more names no device, also as an alias label.
	{"ip route add default via 192.0.2.1 dev eth0:abcdefghij onlink"}, {"ip route add default via 192.0.2.1 dev eth0:abcdefghijk onlink"},
	{"route add default gw 192.0.2.1 dev eth0:abcdefghijk"}, {"ip route add 198.51.100.0/24 dev eth0:abcdefghijk"},
	// Gateways that are no unicast address: the kernel refuses them (onlink, route(8)), or a
	// lookup finds no link-scope route to them.
	{"ip route add default via 0.0.0.0 dev eth0 onlink"}, {"ip route add default via 0.0.0.0 dev eth0 metric 5", "ip route add default via 198.51.100.1 metric 6"},
	{"ip route add default via 0.0.0.0 dev eth0:0"}, {"ip route add default via 0.0.0.0"}, {"route add default gw 0.0.0.0"}, {"route add default gw 0.0.0.0 dev eth0"},
	{"ip route add default via 0.1.2.3 dev eth0 onlink"}, {"ip route add default via 224.0.0.1 dev eth0 onlink"},
	{"ip route add default via 255.255.255.255 dev eth0 onlink"}, {"ip route add default via 240.0.0.1 dev eth0 onlink"},
	{"ip route add default via 127.0.0.9 dev eth0 onlink"}, {"route add default gw 224.0.0.1 dev eth0"}, {"route add default gw 224.0.0.1"},
	{"ip route add default via 224.0.0.1"}, {"ip route add default dev eth0", "ip route add default via 224.0.0.1 metric 5"},
	{"ip -6 route add default via :: dev eth0 onlink"}, {"ip -6 route add default via :: dev eth0"},
	{"ip -6 route add default via ff02::1 dev eth0 onlink"}, {"ip -6 route add default via ff02::1 dev eth0"},
	{"ip -6 route add default via ::1 dev eth0 onlink"}, {"ip -6 route replace default via ::1 dev eth0 onlink"},
	{"route -A inet6 add default gw :: dev eth0"}, {"route -A inet6 add default gw ff02::1 dev eth0"}, {"route -A inet6 add default gw ::1 dev eth0"},
	{"route add default gw 192.0.2.255"}, {"route add default gw 127.0.0.1"}, {"ip route add default via 127.0.0.5"}, {"route add default gw 192.0.2.11 dev eth0p"},
}

func TestLive(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for network namespaces")
	}
	for _, c := range []string{"ip", "route", "sh", "env"} {
		if _, err := exec.LookPath(c); err != nil {
			t.Skipf("%s is not installed", c)
		}
	}
	var seqs [][]string
	for _, c := range parseCases {
		if c.verdict != OnlyRoutes || strings.Contains(c.cmd, "&") && !strings.Contains(c.cmd, "&&") {
			continue // a background command may finish after the shell
		}
		seqs = append(seqs, []string{c.cmd}, []string{base4, base6, c.cmd})
	}
	seqs = append(seqs, liveScenarios...)
	lines, skipped := 0, 0
	for i, seq := range seqs {
		ns := fmt.Sprintf("rcmd-%d-%d", os.Getpid(), i)
		if err := newNS(ns); err != nil {
			if i == 0 {
				t.Skipf("cannot create a network namespace: %v", err)
			}
			t.Fatal(err)
		}
		k := testKernel()
		for _, line := range seq {
			r, ok, errs := k.Run(line, testEnv)
			if slices.Contains(errs, ErrUnmodeled) {
				skipped++
				break
			}
			lines++
			rc := runIn(t, ns, line)
			got, want := kernelRoutes(t, ns), display(k.Routes())
			if (rc == 0) != ok || !reflect.DeepEqual(got, want) {
				t.Errorf("%v: after %q (ops %v, errors %v):\nkernel exit %d, routes %q\nmodel  ok %v, routes %q",
					seq, line, r.Ops, errs, rc, got, ok, want)
				break
			}
		}
		delNS(ns)
	}
	t.Logf("%d sequences, %d lines compared, %d sequences stopped at an unmodeled operation", len(seqs), lines, skipped)
	if lines < 150 {
		t.Errorf("only %d lines compared", lines)
	}
}

// testKernel is the model of the namespace newNS makes.
func testKernel() *Kernel {
	p := netip.MustParsePrefix
	return &Kernel{Links: []string{"lo", "eth0", "eth0p"}, Addrs: []Addr{
		{Dev: "lo", Label: "lo", Prefix: p("127.0.0.1/8")}, {Dev: "eth0", Label: "eth0", Prefix: p("192.0.2.10/24")}, {Dev: "eth0", Label: "eth0:0", Prefix: p("192.0.2.11/24")},
		{Dev: "eth0", Label: "", Prefix: p("2001:db8::10/64")}, {Dev: "eth0", Label: "", Prefix: p("fe80::/64")}, {Dev: "eth0p", Label: "", Prefix: p("fe80::/64")}}}
}

func newNS(ns string) error {
	steps := [][]string{{"netns", "add", ns}, {"-n", ns, "link", "set", "lo", "up"},
		{"-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0p"},
		{"-n", ns, "link", "set", "eth0p", "up"}, {"-n", ns, "link", "set", "eth0", "up"},
		{"-n", ns, "addr", "add", "192.0.2.10/24", "dev", "eth0"},
		{"-n", ns, "addr", "add", "192.0.2.11/24", "dev", "eth0", "label", "eth0:0"},
		{"-n", ns, "addr", "add", "2001:db8::10/64", "dev", "eth0", "nodad"}}
	for i, s := range steps {
		if out, err := exec.Command("ip", s...).CombinedOutput(); err != nil {
			if i > 0 {
				delNS(ns)
			}
			return fmt.Errorf("ip %v: %v: %s", s, err, out)
		}
	}
	return nil
}

func delNS(ns string) { exec.Command("ip", "netns", "del", ns).Run() }

// runIn runs line as ifupdown would (/bin/sh -c with only the stanza's environment) inside ns
// and returns its exit status.
func runIn(t *testing.T, ns, line string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	args := []string{"netns", "exec", ns, "env", "-i"}
	for k, v := range testEnv {
		args = append(args, k+"="+v)
	}
	args = append(args, "/bin/sh", "-c", strings.TrimPrefix(line, "-")) // doit() strips one '-'

	err := exec.CommandContext(ctx, "ip", args...).Run()
	if e, ok := err.(*exec.ExitError); ok {
		return e.ExitCode()
	}
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	return 0
}

type jsonRoute struct {
	Type, Dst, Gateway, Dev, Table, Protocol, Scope, Prefsrc string
	Metric                                                   *uint32
	Flags                                                    []string
	Nexthops                                                 []struct {
		Gateway, Dev string
		Flags        []string
	}
}

// kernelRoutes reads the default routes of ns in the form display gives.
func kernelRoutes(t *testing.T, ns string) map[string][]string {
	var rs []Route
	group := 0
	for _, fam := range []string{"inet", "inet6"} {
		out, err := exec.Command("ip", "-n", ns, "-j", "-f", fam, "route", "show", "table", "all").Output()
		if err != nil {
			t.Fatalf("ip route show: %v", err)
		}
		var js []jsonRoute
		if err := json.Unmarshal(out, &js); err != nil {
			t.Fatalf("ip -j route show: %v: %s", err, out)
		}
		for _, j := range js {
			if j.Dst != "default" {
				continue
			}
			r := Route{Family: fam, Type: j.Type, Table: mainTable, Proto: j.Protocol, Scope: j.Scope, Src: j.Prefsrc,
				Gateway: j.Gateway, Dev: j.Dev, Onlink: slices.Contains(j.Flags, "onlink")}
			if r.Type == "" {
				r.Type = "unicast"
			}
			if r.Proto == "" {
				r.Proto = "boot"
			}
			if r.Scope == "" && fam == "inet" {
				r.Scope = "universe"
			}
			if j.Metric != nil {
				r.Metric = *j.Metric
			}
			switch j.Table {
			case "", "main":
			case "local":
				r.Table = 255
			case "default":
				r.Table = 253
			default:
				fmt.Sscan(j.Table, &r.Table)
			}
			if len(j.Nexthops) == 0 {
				rs = append(rs, r)
			}
			group++
			for _, nh := range j.Nexthops {
				r.Gateway, r.Dev, r.Onlink, r.Group = nh.Gateway, nh.Dev, slices.Contains(nh.Flags, "onlink"), group
				rs = append(rs, r)
			}
		}
	}
	return display(rs)
}

// display gives each family and table's routes in order, one string per route, the nexthops
// of a multipath route together.
func display(rs []Route) map[string][]string {
	m := map[string][]string{}
	done := map[int]bool{}
	for _, r := range rs {
		if r.Group != 0 && done[r.Group] {
			continue
		}
		nh := func(x Route) string {
			s := fmt.Sprintf("via %q dev %q", x.Gateway, x.Dev)
			if x.Onlink {
				s += " onlink"
			}
			return s
		}
		hops := []string{nh(r)}
		if r.Group != 0 {
			done[r.Group] = true
			hops = nil
			for _, x := range rs {
				if x.Group == r.Group && x.Family == r.Family && x.Table == r.Table {
					hops = append(hops, nh(x))
				}
			}
		}
		key := fmt.Sprintf("%s table %d", r.Family, r.Table)
		m[key] = append(m[key], fmt.Sprintf("%s metric %d proto %s scope %q src %q [%s]",
			r.Type, r.Metric, r.Proto, r.Scope, r.Src, strings.Join(hops, ", ")))
	}
	return m
}
