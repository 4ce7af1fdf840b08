package e2e

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vishvananda/netns"

	"github.com/ifacefix/ifacefix/internal/testcases"
)

// The --live proofs: a host brought up with the real ifup in a namespace, audited and repaired
// by the real ifacefix binary running inside it (ip netns exec) with a private state directory,
// and compared with a fresh namespace brought up from the fixed file.

// inNS runs f on a thread in the named network namespace; sockets f opens stay there.
func inNS(t *testing.T, name string, f func()) {
	t.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	orig, err := netns.Get()
	if err != nil {
		t.Fatal(err)
	}
	defer orig.Close()
	target, err := netns.GetFromName(name)
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	if err := netns.Set(target); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := netns.Set(orig); err != nil {
			panic(err) // this thread must not go back to the pool in the wrong namespace
		}
	}()
	f()
}

// peerAddr is an outside address the peer answers on; the peer is also the gateway 192.0.2.1.
const peerAddr = "203.0.113.5"

// addPeer moves the host's eth0p into a new namespace, the gateway 192.0.2.1, which also holds
// peerAddr; it returns that namespace.
func addPeer(t *testing.T, h host) string {
	t.Helper()
	peer := h.ns + "-peer"
	sh(t, "ip", "netns", "add", peer)
	t.Cleanup(func() {
		if r := run(t, "/", "ip", "netns", "del", peer); r.code != 0 {
			t.Errorf("ip netns del %s: %s", peer, r.stderr)
		}
	})
	sh(t, "ip", "-n", h.ns, "link", "set", "eth0p", "netns", peer)
	sh(t, "ip", "-n", peer, "addr", "add", "192.0.2.1/24", "dev", "eth0p")
	sh(t, "ip", "-n", peer, "link", "set", "eth0p", "up")
	sh(t, "ip", "-n", peer, "link", "set", "lo", "up")
	sh(t, "ip", "-n", peer, "addr", "add", peerAddr+"/32", "dev", "lo")
	return peer
}

// sources sends n UDP datagrams, each from a new socket (a new connection), from the host to
// the peer and returns how many arrived from each source address.
func sources(t *testing.T, h host, peer string, n int) map[string]int {
	t.Helper()
	var conn *net.UDPConn
	inNS(t, peer, func() {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP(peerAddr), Port: 4000})
		if err != nil {
			t.Fatal(err)
		}
		conn = c
	})
	defer conn.Close()
	var wg sync.WaitGroup
	got := map[string]int{}
	wg.Go(func() {
		buf := make([]byte, 64)
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		for range n {
			_, from, err := conn.ReadFromUDP(buf)
			if err != nil {
				return
			}
			got[from.IP.String()]++
		}
	})
	inNS(t, h.ns, func() {
		for i := range n {
			c, err := net.DialUDP("udp4", nil, &net.UDPAddr{IP: net.ParseIP(peerAddr), Port: 4000})
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(c, "datagram %d", i)
			c.Close()
			time.Sleep(5 * time.Millisecond)
		}
	})
	wg.Wait()
	return got
}

// hostState is what a clean boot is compared on: eth0's addresses with their labels, every
// IPv4 route of every table, and ifupdown's state files.
type hostState struct {
	addrs, routes []string
	state         map[string]string
}

func (h host) snapshot(t *testing.T) hostState {
	t.Helper()
	var s hostState
	for _, l := range lines(sh(t, "ip", "-n", h.ns, "-o", "-4", "addr", "show", "dev", "eth0")) {
		// "3: eth0    inet 192.0.2.11/24 brd ... scope global secondary eth0:0\       valid_lft ..."
		l, _, _ = strings.Cut(l, "valid_lft")
		_, scope, _ := strings.Cut(strings.TrimSuffix(strings.TrimSpace(l), `\`), " scope ")
		s.addrs = append(s.addrs, strings.Fields(l)[3]+" scope "+scope)
	}
	sort.Strings(s.addrs)
	for _, l := range lines(sh(t, "ip", "-n", h.ns, "-4", "route", "show", "table", "all")) {
		s.routes = append(s.routes, strings.Join(strings.Fields(strings.ReplaceAll(l, "linkdown", "")), " "))
	}
	sort.Strings(s.routes)
	s.state = map[string]string{}
	des, _ := os.ReadDir(h.state)
	for _, de := range des {
		if strings.HasPrefix(de.Name(), "ifstate") {
			b, _ := os.ReadFile(filepath.Join(h.state, de.Name()))
			s.state[de.Name()] = string(b)
		}
	}
	return s
}

func sameHost(t *testing.T, what string, got, want hostState) {
	t.Helper()
	expect(t, what+": addresses", got.addrs, want.addrs)
	expect(t, what+": routes", got.routes, want.routes)
	if fmt.Sprint(got.state) != fmt.Sprint(want.state) {
		t.Errorf("%s: state files:\n got %q\nwant %q", what, got.state, want.state)
	}
}

// ifacefixIn runs the ifacefix binary inside the host's namespace with --state-dir.
func (h host) ifacefix(t *testing.T, args ...string) result {
	t.Helper()
	a := append([]string{"netns", "exec", h.ns, ifacefixBinary(t)}, args...)
	a = append(a, "--state-dir", h.state, h.file)
	return run(t, "/", "ip", a...)
}

func (h host) ifupdown(t *testing.T, cmd string, args ...string) result {
	t.Helper()
	a := append([]string{"-s", "KILL", "20", "ip", "netns", "exec", h.ns, cmd, "-v", "--no-scripts", "-i", h.file, "--state-dir=" + h.state}, args...)
	return run(t, "/", "timeout", a...)
}

const legacyAuto = `auto eth0 eth0:0 eth0:1
iface eth0 inet static
    address 192.0.2.10/24
    gateway 192.0.2.1

iface eth0:0 inet static
    address 192.0.2.11/24
    up route add default gw 192.0.2.1 dev eth0:0

iface eth0:1 inet static
    address 192.0.2.12/24
    up route add default gw 192.0.2.1 dev eth0:1
`

func TestLiveRepairDuplicateDefaults(t *testing.T) {
	needLive(t)
	needTool(t, "route", "timeout")
	_, file := writeConfig(t, legacyAuto)
	b := newHost(t, file)
	peer := addPeer(t, b)
	if r := b.ifupdown(t, "ifup", "-a"); r.code != 0 {
		t.Fatalf("ifup -a: exit %d\n%s", r.code, r.stderr)
	}
	before := b.defaults(t, "-4")
	if len(before) != 3 {
		t.Fatalf("the symptom needs three default routes, got %q", before)
	}
	src := sources(t, b, peer, 30)
	t.Logf("before the repair, 30 datagrams left from %v", src)
	if src["192.0.2.10"] == 30 {
		t.Errorf("before the repair every datagram left from the primary: the symptom is not reproduced")
	}

	// The dry run reports each duplicate at its line and prints the commands, changing nothing.
	r := b.ifacefix(t, "--live", "--strip-route-commands")
	if r.code != 1 {
		t.Fatalf("ifacefix --live: exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, line := range []string{"8", "12"} {
		if !strings.Contains(r.stderr, file+":"+line+": live-duplicate-default: the kernel has 3 default routes via 192.0.2.1 dev eth0 of metric 0 that differ only in src") {
			t.Errorf("no duplicate reported at line %s:\n%s", line, r.stderr)
		}
	}
	var cmds []string
	for _, l := range lines(r.stdout) {
		if strings.HasPrefix(l, "ip ") {
			cmds = append(cmds, l)
		}
	}
	expect(t, "commands", cmds, []string{
		"ip route del default via 192.0.2.1 dev eth0 proto boot metric 0 src 192.0.2.12",
		"ip route del default via 192.0.2.1 dev eth0 proto boot metric 0 src 192.0.2.11",
	})
	expect(t, "routes after the dry run", b.defaults(t, "-4"), before)

	// The printed commands, run by hand on a twin of the host, do what the repair does.
	twin := newHost(t, file)
	if r := twin.ifupdown(t, "ifup", "-a"); r.code != 0 {
		t.Fatalf("twin: ifup -a: exit %d\n%s", r.code, r.stderr)
	}
	for _, c := range cmds {
		sh(t, "ip", append([]string{"netns", "exec", twin.ns}, strings.Fields(c)...)...)
	}

	r = b.ifacefix(t, "--apply", "--live", "--strip-route-commands")
	if r.code != 4 || !strings.Contains(r.stderr, "ifacefix: live: 3 default routes in the kernel; 2 changes made and verified") {
		t.Fatalf("ifacefix --apply --live: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	expect(t, "default routes after the repair", b.defaults(t, "-4"), []string{"default via 192.0.2.1 dev eth0 onlink"})
	if src := sources(t, b, peer, 30); src["192.0.2.10"] != 30 {
		t.Errorf("after the repair, 30 datagrams left from %v, want all from 192.0.2.10", src)
	}

	// The repaired host is the host a clean boot with the fixed file gives.
	fresh := newHost(t, file)
	if r := fresh.ifupdown(t, "ifup", "-a"); r.code != 0 {
		t.Fatalf("fresh: ifup -a: exit %d\n%s", r.code, r.stderr)
	}
	want := fresh.snapshot(t)
	sameHost(t, "repaired vs fresh", b.snapshot(t), want)
	tw := twin.snapshot(t)
	expect(t, "twin's routes (the printed commands run by hand) vs fresh", tw.routes, want.routes)

	// Nothing is left to do.
	r = b.ifacefix(t, "--live")
	if r.code != 0 || !strings.Contains(r.stderr, "nothing to change") {
		t.Errorf("ifacefix --live after the repair: exit %d\n%s", r.code, r.stderr)
	}
}

// TestLiveRepairFailsAfterWrite: when the repair fails after --apply wrote the file (here the
// process lacks CAP_NET_ADMIN, so the kernel refuses the first change), the exit status says
// both: 6, an error with the 4 of "written" set, and the kernel's routes are as they were.
func TestLiveRepairFailsAfterWrite(t *testing.T) {
	needLive(t)
	needTool(t, "route", "timeout", "setpriv")
	_, file := writeConfig(t, legacyAuto)
	b := newHost(t, file)
	if r := b.ifupdown(t, "ifup", "-a"); r.code != 0 {
		t.Fatalf("ifup -a: exit %d\n%s", r.code, r.stderr)
	}
	before := b.defaults(t, "-4")
	r := run(t, "/", "ip", "netns", "exec", b.ns, "setpriv", "--inh-caps=-net_admin", "--bounding-set=-net_admin",
		ifacefixBinary(t), "--apply", "--live", "--strip-route-commands", "--state-dir", b.state, file)
	if r.code != 6 || !strings.Contains(r.stderr, "the repair failed") {
		t.Fatalf("ifacefix --apply --live without CAP_NET_ADMIN: exit %d, want 6 and the repair failed\n%s%s", r.code, r.stdout, r.stderr)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "up route add") {
		t.Errorf("exit 6 says the file was written, but it still has its route commands:\n%s", data)
	}
	expect(t, "default routes after the failed repair", b.defaults(t, "-4"), before)
}

func TestLiveRepairHalfUpHost(t *testing.T) {
	needLive(t)
	needTool(t, "timeout")
	_, file := writeConfig(t, seedConfig)
	b := newHost(t, file)
	if r := b.ifupdown(t, "ifup", "-a"); r.code != 1 {
		t.Fatalf("ifup -a before the fix: exit %d, want 1\n%s", r.code, r.stderr)
	}
	// A twin with the same half-up state: fixing the file alone does not repair it.
	twinFile := filepath.Join(t.TempDir(), "interfaces")
	os.WriteFile(twinFile, []byte(seedConfig), 0o644)
	twin := newHost(t, twinFile)
	twin.ifupdown(t, "ifup", "-a")

	r := b.ifacefix(t, "--json", "--live")
	var doc struct {
		Routes []struct {
			Text   string `json:"text"`
			From   string `json:"from"`
			Wanted bool   `json:"wanted"`
		} `json:"routes"`
		Changes []struct {
			Command string `json:"command"`
			Done    bool   `json:"done"`
		} `json:"changes"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != 1 {
		t.Fatalf("ifacefix --json --live: exit %d, %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	got := fmt.Sprintf("%+v", doc.Routes)
	if want := fmt.Sprintf("[{Text:default via 192.0.2.1 dev eth0 onlink From:%[1]s:4 Wanted:true} {Text:default via 192.0.2.254 dev eth0 metric 100 onlink From:%[1]s:16 Wanted:false}]", file); got != want {
		t.Errorf("routes:\n got %s\nwant %s", got, want)
	}
	if len(doc.Changes) != 3 || doc.Changes[0].Command != "ip route del default via 192.0.2.254 dev eth0 proto boot metric 100" || doc.Changes[0].Done {
		t.Errorf("changes: %+v", doc.Changes)
	}

	r = b.ifacefix(t, "--apply", "--live")
	if r.code != 4 {
		t.Fatalf("ifacefix --apply --live: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, n := range []string{"6", "10"} {
		if !strings.Contains(r.stderr, file+":"+n+": live-state: ") {
			t.Errorf("no live-state finding at line %s:\n%s", n, r.stderr)
		}
	}
	fixed, _ := os.ReadFile(file)
	os.WriteFile(twinFile, fixed, 0o644)
	if r := twin.ifupdown(t, "ifup", "-a"); r.code == 0 || !strings.Contains(r.stderr, "failed to bring up eth0:0") {
		t.Errorf("the twin with only the file fixed: ifup -a exit %d, want a failure on eth0:0\n%s", r.code, r.stderr)
	}

	fresh := newHost(t, file)
	if r := fresh.ifupdown(t, "ifup", "-a"); r.code != 0 {
		t.Fatalf("fresh: ifup -a: exit %d\n%s", r.code, r.stderr)
	}
	want := fresh.snapshot(t)
	sameHost(t, "repaired vs fresh", b.snapshot(t), want)

	// ifupdown can take the repaired host down and up again, to the same host.
	if r := b.ifupdown(t, "ifup", "-a"); r.code != 0 {
		t.Errorf("ifup -a on the repaired host: exit %d\n%s", r.code, r.stderr)
	}
	if r := b.ifupdown(t, "ifdown", "-a"); r.code != 0 {
		t.Errorf("ifdown -a: exit %d\n%s", r.code, r.stderr)
	}
	if a := b.addrs(t, "-4"); len(a) != 0 {
		t.Errorf("addresses left after ifdown -a: %q", a)
	}
	if r := b.ifupdown(t, "ifup", "-a"); r.code != 0 {
		t.Errorf("ifup -a after ifdown -a: exit %d\n%s", r.code, r.stderr)
	}
	sameHost(t, "down and up again vs fresh", b.snapshot(t), want)
}

func TestLiveAnsibleCheckMode(t *testing.T) {
	needLive(t)
	needTool(t, "route", "timeout")
	_, file := writeConfig(t, legacyAuto)
	b := newHost(t, file)
	if r := b.ifupdown(t, "ifup", "-a"); r.code != 0 {
		t.Fatalf("ifup -a: exit %d\n%s", r.code, r.stderr)
	}
	mod := filepath.Join(t.TempDir(), "ifacefix-ansible")
	if err := testcases.Build(mod, "./cmd/ifacefix-ansible", nil); err != nil {
		t.Fatal(err)
	}
	invoke := func(check bool) (map[string]any, []any) {
		args := filepath.Join(t.TempDir(), "args")
		data, _ := json.Marshal(map[string]any{"path": file, "live": true, "state_dir": b.state, "strip_route_commands": true,
			"backup": false, "_ansible_check_mode": check})
		os.WriteFile(args, data, 0o600)
		r := run(t, "/", "ip", "netns", "exec", b.ns, mod, args)
		var res map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || r.code != 0 {
			t.Fatalf("module: exit %d, %v\n%s%s", r.code, err, r.stdout, r.stderr)
		}
		kc, _ := res["kernel_changes"].([]any)
		return res, kc
	}
	old, _ := os.ReadFile(file)
	before := b.defaults(t, "-4")
	res, kc := invoke(true)
	want := `[ip route del default via 192.0.2.1 dev eth0 proto boot metric 0 src 192.0.2.12 ip route del default via 192.0.2.1 dev eth0 proto boot metric 0 src 192.0.2.11]`
	if res["changed"] != true || fmt.Sprint(kc) != want {
		t.Errorf("check mode: changed=%v kernel_changes=%v, want %s", res["changed"], kc, want)
	}
	if now, _ := os.ReadFile(file); string(now) != string(old) {
		t.Errorf("check mode wrote the file")
	}
	expect(t, "routes after check mode", b.defaults(t, "-4"), before)

	res, kc = invoke(false)
	if res["changed"] != true || fmt.Sprint(kc) != want {
		t.Errorf("apply: changed=%v kernel_changes=%v", res["changed"], kc)
	}
	expect(t, "routes after the module", b.defaults(t, "-4"), []string{"default via 192.0.2.1 dev eth0 onlink"})
	res, kc = invoke(false)
	if res["changed"] != false || len(kc) != 0 || res["outcome"] != "clean" {
		t.Errorf("second run: %v", res)
	}
}

// IPv6: ifupdown 0.8's `ip -6 route replace` let the alias take the default route. The repair
// appends the primary's (the kernel joins it to the alias's as one multipath route) and then
// deletes the alias's nexthop, so a default route is there throughout.
func TestLiveRepairInet6(t *testing.T) {
	needLive(t)
	needTool(t, "timeout")
	if _, err := os.Stat("/proc/sys/net/ipv6"); err != nil {
		t.Skip("this kernel has no IPv6")
	}
	const config = `auto eth0 eth0:0
iface eth0 inet6 static
    address 2001:db8::10/64
    gateway 2001:db8::1

iface eth0:0 inet6 static
    address 2001:db8::11/64
    gateway 2001:db8::2
`
	_, file := writeConfig(t, config)
	b := newHost(t, file)
	if r := b.ifupdown(t, "ifup", "-a"); r.code != 0 {
		t.Fatalf("ifup -a: exit %d\n%s", r.code, r.stderr)
	}
	expect(t, "IPv6 default routes before", b.defaults(t, "-6"), []string{"default via 2001:db8::2 dev eth0 metric 1024 onlink"})
	r := b.ifacefix(t, "--apply", "--live")
	if r.code != 4 || !strings.Contains(r.stderr, "2 changes made and verified") {
		t.Fatalf("ifacefix --apply --live: exit %d\n%s", r.code, r.stderr)
	}
	fresh := newHost(t, file)
	if r := fresh.ifupdown(t, "ifup", "-a"); r.code != 0 {
		t.Fatalf("fresh: ifup -a: exit %d\n%s", r.code, r.stderr)
	}
	expect(t, "IPv6 default routes, repaired vs fresh", b.defaults(t, "-6"), fresh.defaults(t, "-6"))
	global := func(h host) []string { // link-local addresses come from each veth's random MAC
		var out []string
		for _, a := range h.addrs(t, "-6") {
			if !strings.HasPrefix(a, "fe80:") {
				out = append(out, a)
			}
		}
		return out
	}
	expect(t, "IPv6 addresses, repaired vs fresh", global(b), global(fresh))
	sameHost(t, "repaired vs fresh", b.snapshot(t), fresh.snapshot(t))
}
