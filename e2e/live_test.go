package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
)

// The live tests bring configurations up with the real ifup (--no-scripts, private state dir)
// inside network namespaces they create and delete by exact name, each with a veth pair eth0/eth0p
// whose both ends live in the namespace. They never touch the host's interfaces, routes,
// /etc/network or /run/network.

var nsCount atomic.Int64

// needLive skips unless root with ip and ifup installed.
func needLive(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("live network-namespace tests need root")
	}
	needTool(t, "ip", "ifup")
}

// sh runs a command that must succeed.
func sh(t *testing.T, name string, args ...string) string {
	t.Helper()
	r := run(t, "/", name, args...)
	if r.code != 0 {
		t.Fatalf("%s %s: exit %d\n%s%s", name, strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// newNS creates a namespace ifacefix-e2e-PID-N with lo up and a veth pair eth0/eth0p inside it
// (this kernel has no dummy module), and deletes it when the test ends.
func newNS(t *testing.T) string {
	t.Helper()
	ns := fmt.Sprintf("ifacefix-e2e-%d-%d", os.Getpid(), nsCount.Add(1))
	sh(t, "ip", "netns", "add", ns)
	t.Cleanup(func() {
		if r := run(t, "/", "ip", "netns", "del", ns); r.code != 0 {
			t.Errorf("ip netns del %s: %s", ns, r.stderr)
		}
	})
	sh(t, "ip", "-n", ns, "link", "set", "lo", "up")
	sh(t, "ip", "-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0p")
	sh(t, "ip", "-n", ns, "link", "set", "eth0p", "up")
	return ns
}

// host is one configuration brought up in its own namespace.
type host struct {
	ns, file, state string
}

// up runs the real ifup in the namespace on file, with a private state dir and no hook scripts.
func (h host) up(t *testing.T, ifaces ...string) result {
	t.Helper()
	args := append([]string{"netns", "exec", h.ns, "ifup", "-v", "--no-scripts", "-i", h.file, "--state-dir=" + h.state}, ifaces...)
	return run(t, "/", "ip", args...)
}

func newHost(t *testing.T, file string) host {
	t.Helper()
	state := filepath.Join(t.TempDir(), "state")
	if err := os.Mkdir(state, 0o755); err != nil {
		t.Fatal(err)
	}
	return host{ns: newNS(t), file: file, state: state}
}

// defaults lists the namespace's default routes of a family ("-4" or "-6"), sorted.
func (h host) defaults(t *testing.T, family string) []string {
	t.Helper()
	ls := lines(sh(t, "ip", "-n", h.ns, family, "route", "list", "default"))
	for i := range ls {
		// (newer iproute2 prints the IPv6 router preference, "pref medium", after the flags)
		ls[i] = strings.TrimSuffix(strings.Join(strings.Fields(ls[i]), " "), " pref medium")
	}
	sort.Strings(ls)
	return ls
}

var inetAddr = regexp.MustCompile(`(?m)^\s*inet6? (\S+)`)

// addrs lists the addresses of eth0 for a family ("-4" or "-6").
func (h host) addrs(t *testing.T, family string) []string {
	t.Helper()
	var out []string
	for _, m := range inetAddr.FindAllStringSubmatch(sh(t, "ip", "-n", h.ns, family, "addr", "show", "dev", "eth0"), -1) {
		out = append(out, m[1])
	}
	sort.Strings(out)
	return out
}

// upIfaces lists the logical interfaces the state dir records as up.
func (h host) upIfaces(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(h.state, "ifstate"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, l := range lines(string(data)) {
		if name, _, ok := strings.Cut(l, "="); ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// writeConfig writes config as ROOT/etc/network/interfaces in a new temp root.
func writeConfig(t *testing.T, config string) (root, file string) {
	t.Helper()
	root = t.TempDir()
	materialize(t, root, map[string][]byte{topFile: []byte(config)})
	return root, filepath.Join(root, topFile)
}

// ifacefixApply runs the real ifacefix binary with --apply --root root and extra flags; it must
// exit 4 (written, nothing left) and change the file.
func ifacefixApply(t *testing.T, root string, flags ...string) {
	t.Helper()
	file := filepath.Join(root, topFile)
	old, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, "/", ifacefixBinary(t), append(append([]string{"--apply"}, flags...), "--root", root)...)
	if r.code != 4 {
		t.Fatalf("ifacefix --apply %s: exit %d\n%s%s", strings.Join(flags, " "), r.code, r.stdout, r.stderr)
	}
	now, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if string(now) == string(old) {
		t.Fatalf("ifacefix --apply did not change %s:\n%s", file, r.stderr)
	}
	t.Logf("fixed configuration:\n%s", now)
}

func expect(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

// seedConfig is the 0.8.41 form of the bug (interfaces-format.md 4.1).
const seedConfig = `auto eth0 eth0:0 eth0:1 eth0:2
iface eth0 inet static
    address 192.0.2.10/24
    gateway 192.0.2.1

iface eth0:0 inet static
    address 192.0.2.11/24
    gateway 192.0.2.1

iface eth0:1 inet static
    address 192.0.2.12/24
    gateway 192.0.2.1

iface eth0:2 inet static
    address 192.0.2.13/24
    gateway 192.0.2.254
    metric 100
`

func TestLiveSeed(t *testing.T) {
	needLive(t)
	ifaces := []string{"eth0", "eth0:0", "eth0:1", "eth0:2"}
	allAddrs := []string{"192.0.2.10/24", "192.0.2.11/24", "192.0.2.12/24", "192.0.2.13/24"}
	root, file := writeConfig(t, seedConfig)

	// Before: the same-metric alias gateways fail with EEXIST and those aliases are not up; the
	// different-metric one adds a second default route.
	b := newHost(t, file)
	r := b.up(t, ifaces...)
	if r.code != 1 || strings.Count(r.stderr, "RTNETLINK answers: File exists") != 2 {
		t.Fatalf("before the fix: want exit 1 with two 'File exists', got exit %d:\n%s", r.code, r.stderr)
	}
	for _, a := range []string{"eth0:0", "eth0:1"} {
		if !strings.Contains(r.stderr, "ifup: failed to bring up "+a) {
			t.Errorf("before the fix: %s did not fail:\n%s", a, r.stderr)
		}
	}
	expect(t, "default routes before the fix", b.defaults(t, "-4"),
		[]string{"default via 192.0.2.1 dev eth0 onlink", "default via 192.0.2.254 dev eth0 metric 100 onlink"})
	expect(t, "interfaces up before the fix", b.upIfaces(t), []string{"eth0", "eth0:2"})

	// After: exit 0, one default route, every address, every interface up.
	ifacefixApply(t, root)
	a := newHost(t, file)
	r = a.up(t, ifaces...)
	if r.code != 0 {
		t.Fatalf("after the fix: ifup exit %d:\n%s", r.code, r.stderr)
	}
	expect(t, "default routes after the fix", a.defaults(t, "-4"), []string{"default via 192.0.2.1 dev eth0 onlink"})
	expect(t, "addresses after the fix", a.addrs(t, "-4"), allAddrs)
	expect(t, "interfaces up after the fix", a.upIfaces(t), ifaces)
}

func TestLiveLegacyRouteCommands(t *testing.T) {
	needLive(t)
	needTool(t, "route")
	const config = `iface eth0 inet static
    address 192.0.2.10/24
    gateway 192.0.2.1

iface eth0:0 inet static
    address 192.0.2.11/24
    up route add default gw 192.0.2.1 dev eth0:0

iface eth0:1 inet static
    address 192.0.2.12/24
    up route add default gw 192.0.2.1 dev eth0:1
`
	ifaces := []string{"eth0", "eth0:0", "eth0:1"}
	root, file := writeConfig(t, config)

	// Before: the reported symptom, equal-metric default routes that differ only in src.
	b := newHost(t, file)
	if r := b.up(t, ifaces...); r.code != 0 {
		t.Fatalf("before the fix: ifup exit %d:\n%s", r.code, r.stderr)
	}
	expect(t, "default routes before the fix", b.defaults(t, "-4"), []string{
		"default via 192.0.2.1 dev eth0 onlink",
		"default via 192.0.2.1 dev eth0 src 192.0.2.11",
		"default via 192.0.2.1 dev eth0 src 192.0.2.12",
	})

	ifacefixApply(t, root, "--strip-route-commands")
	a := newHost(t, file)
	if r := a.up(t, ifaces...); r.code != 0 {
		t.Fatalf("after the fix: ifup exit %d:\n%s", r.code, r.stderr)
	}
	expect(t, "default routes after the fix", a.defaults(t, "-4"), []string{"default via 192.0.2.1 dev eth0 onlink"})
	expect(t, "addresses after the fix", a.addrs(t, "-4"), []string{"192.0.2.10/24", "192.0.2.11/24", "192.0.2.12/24"})
	expect(t, "interfaces up after the fix", a.upIfaces(t), ifaces)
}

func TestLiveInet6AliasGateway(t *testing.T) {
	needLive(t)
	if _, err := os.Stat("/proc/sys/net/ipv6"); err != nil {
		t.Skip("this kernel has no IPv6")
	}
	const config = `iface eth0 inet6 static
    address 2001:db8::10/64
    gateway 2001:db8::1

iface eth0:0 inet6 static
    address 2001:db8::11/64
    gateway 2001:db8::2
`
	ifaces := []string{"eth0", "eth0:0"}
	root, file := writeConfig(t, config)

	// Before: ip -6 route replace lets the alias, brought up last, take over the default route.
	b := newHost(t, file)
	if r := b.up(t, ifaces...); r.code != 0 {
		t.Fatalf("before the fix: ifup exit %d:\n%s", r.code, r.stderr)
	}
	expect(t, "IPv6 default routes before the fix", b.defaults(t, "-6"),
		[]string{"default via 2001:db8::2 dev eth0 metric 1024 onlink"})

	ifacefixApply(t, root)
	a := newHost(t, file)
	if r := a.up(t, ifaces...); r.code != 0 {
		t.Fatalf("after the fix: ifup exit %d:\n%s", r.code, r.stderr)
	}
	expect(t, "IPv6 default routes after the fix", a.defaults(t, "-6"),
		[]string{"default via 2001:db8::1 dev eth0 metric 1024 onlink"})
	got := a.addrs(t, "-6")
	for _, want := range []string{"2001:db8::10/64", "2001:db8::11/64"} {
		if !slices.Contains(got, want) {
			t.Errorf("address %s missing after the fix: %q", want, got)
		}
	}
	expect(t, "interfaces up after the fix", a.upIfaces(t), ifaces)
}

func TestLiveMoveGatewayToPrimary(t *testing.T) {
	needLive(t)
	const config = `iface eth0 inet static
    address 192.0.2.10/24

iface eth0:0 inet static
    address 192.0.2.11/24
    gateway 192.0.2.1
`
	root, file := writeConfig(t, config)

	// Before: the default route exists only while the alias is up.
	b := newHost(t, file)
	if r := b.up(t, "eth0"); r.code != 0 {
		t.Fatalf("before the fix: ifup eth0 exit %d:\n%s", r.code, r.stderr)
	}
	expect(t, "default routes before the fix, eth0 alone", b.defaults(t, "-4"), nil)
	if r := b.up(t, "eth0:0"); r.code != 0 {
		t.Fatalf("before the fix: ifup eth0:0 exit %d:\n%s", r.code, r.stderr)
	}
	expect(t, "default routes before the fix, with the alias", b.defaults(t, "-4"), []string{"default via 192.0.2.1 dev eth0 onlink"})

	// After: the primary alone brings the default route up, and the alias adds no second one.
	ifacefixApply(t, root)
	a := newHost(t, file)
	if r := a.up(t, "eth0"); r.code != 0 {
		t.Fatalf("after the fix: ifup eth0 exit %d:\n%s", r.code, r.stderr)
	}
	expect(t, "default routes after the fix, eth0 alone", a.defaults(t, "-4"), []string{"default via 192.0.2.1 dev eth0 onlink"})
	if r := a.up(t, "eth0:0"); r.code != 0 {
		t.Fatalf("after the fix: ifup eth0:0 exit %d:\n%s", r.code, r.stderr)
	}
	expect(t, "default routes after the fix, with the alias", a.defaults(t, "-4"), []string{"default via 192.0.2.1 dev eth0 onlink"})
	expect(t, "addresses after the fix", a.addrs(t, "-4"), []string{"192.0.2.10/24", "192.0.2.11/24"})
	expect(t, "interfaces up after the fix", a.upIfaces(t), []string{"eth0", "eth0:0"})
}
