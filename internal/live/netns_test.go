package live

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"

	"github.com/ifacefix/ifacefix/fixer"
	"github.com/ifacefix/ifacefix/internal/routecmd"
)

// The real kernel: a namespace brought up with the real ifup (private state directory, no hook
// scripts), read and changed through a netlink handle bound to it.

func sh(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

var nsCount atomic.Int64

// legacyNS brings legacy up in a new namespace and returns its name, a kernel on it and the
// state directory.
func legacyNS(t *testing.T) (string, *Netlink, string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (network namespaces)")
	}
	for _, tool := range []string{"ip", "ifup", "route", "timeout"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s", tool)
		}
	}
	ns := fmt.Sprintf("ifacefix-live-%d-%d", os.Getpid(), nsCount.Add(1))
	sh(t, "ip", "netns", "add", ns)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	sh(t, "ip", "-n", ns, "link", "set", "lo", "up")
	sh(t, "ip", "-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0p")
	sh(t, "ip", "-n", ns, "link", "set", "eth0p", "up")
	dir := t.TempDir()
	file := filepath.Join(dir, "interfaces")
	os.WriteFile(file, []byte(legacy), 0o644)
	state := filepath.Join(dir, "state")
	sh(t, "timeout", "-s", "KILL", "20", "ip", "netns", "exec", ns, "ifup", "--no-scripts", "-i", file, "--state-dir="+state, "-a")
	h, err := netns.GetFromName(ns)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	nh, err := netlink.NewHandleAt(h)
	if err != nil {
		t.Fatal(err)
	}
	k := &Netlink{H: nh}
	t.Cleanup(k.Close)
	return ns, k, state
}

func TestNetlinkReadsWhatIfupLeaves(t *testing.T) {
	_, k, _ := legacyNS(t)
	snap, err := k.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	routes, ads := legacyKernel()
	if !slices.EqualFunc(snap.Routes, routes, exact) {
		t.Errorf("routes:\n got %v\nwant %v", snap.Routes, routes)
	}
	var got []Addr
	for _, a := range snap.Addrs {
		if a.Dev == "eth0" && a.Prefix.Addr().Is4() {
			got = append(got, a)
		}
	}
	if !slices.Equal(got, ads) {
		t.Errorf("addresses:\n got %v\nwant %v", got, ads)
	}
}

func TestRealKernelRepairAndRestore(t *testing.T) {
	ns, k, state := legacyNS(t)
	show := func() string { return sh(t, "ip", "-n", ns, "route", "show", "table", "all") }
	old, fixed := configs(t, legacy, fixer.Options{StripRouteCommands: true})
	st := &Ifstate{Dir: state}
	entries, err := st.Read()
	if err != nil {
		t.Fatal(err)
	}
	check := func() *Audit {
		snap, err := k.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		return Check(Input{Old: old, Fixed: fixed, Snap: snap, State: entries, StatePath: state})
	}

	// A verification that fails (simulated) puts the routes back exactly, in their order.
	before := show()
	if !strings.HasPrefix(before, "default via 192.0.2.1 dev eth0 src 192.0.2.12") {
		t.Fatalf("the alias routes come first (route add prepends), so the restore must reorder:\n%s", before)
	}
	a := check()
	if len(a.Changes) != 2 {
		t.Fatalf("changes: %q", commands(a))
	}
	err = a.Repair(context.Background(), k, st, func(Kernel) error { return errors.New("simulated") })
	var re *RepairError
	if !errors.As(err, &re) || !re.Restored || !errors.Is(err, ErrVerify) {
		t.Fatalf("want a restored verification failure, got %v", err)
	}
	if now := show(); now != before {
		t.Errorf("routes after the restore:\n%s\nwant\n%s", now, before)
	}

	// The real verification passes on the repaired kernel: one default route, and an outside
	// destination leaves from the primary address.
	a = check()
	if err := a.Repair(context.Background(), k, st, nil); err != nil {
		t.Fatal(err)
	}
	snap, _ := k.Snapshot()
	if want := []routecmd.Route{v4("192.0.2.1", "", 0, true)}; !slices.EqualFunc(snap.Routes, want, exact) {
		t.Errorf("routes after the repair: %v", snap.Routes)
	}
	if l, err := k.Lookup(a.checks[0].dst); err != nil || l.Src != "192.0.2.10" {
		t.Errorf("lookup after the repair: %+v, %v", l, err)
	}
}
