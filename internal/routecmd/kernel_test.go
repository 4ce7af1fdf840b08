package routecmd

import (
	"errors"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
)

// TestKernelHistory runs random route lines on the model and checks that RoutesAt answers for
// every earlier mark with the routes seen then, SlotAt with their slot, and Restore goes back.
func TestKernelHistory(t *testing.T) {
	gws := []string{"192.0.2.1", "192.0.2.254", "2001:db8::1", "2001:db8::2"}
	verbs := []string{"add", "append", "prepend", "replace", "change", "del"}
	rng := rand.New(rand.NewPCG(1, 2))
	changed := 0
	for seq := 0; seq < 200; seq++ {
		k := testKernel()
		k.SetRoutes([]Route{{Family: "inet", Table: 254, Type: "unicast", Metric: 7, Gateway: "192.0.2.1", Dev: "eth0", Proto: "boot", Scope: "universe"}})
		var seen [][]Route // seen[mark]: the routes at that mark
		marks := []int{}
		for step := 0; step < 12; step++ {
			marks, seen = append(marks, len(k.Changes)), append(seen, k.Routes())
			gw := gws[rng.IntN(len(gws))]
			fam := "-4"
			if len(gw) > 12 {
				fam = "-6"
			}
			argv := []string{"ip", fam, "route", verbs[rng.IntN(len(verbs))], "default", "via", gw, "dev", "eth0", "metric", []string{"0", "7", "100"}[rng.IntN(3)]}
			op, _ := Command(argv)
			_ = k.Apply(op)
		}
		if len(k.Changes) > 0 {
			changed++
		}
		for i, m := range marks {
			if got := k.RoutesAt(m); !slices.Equal(got, seen[i]) {
				t.Fatalf("sequence %d: RoutesAt(%d) = %v, want %v", seq, m, got, seen[i])
			}
			for _, r := range seen[i] {
				if l := k.SlotAt(m, r.Family, r.Table, r.Metric); !slices.Contains(l, r) {
					t.Fatalf("sequence %d: SlotAt(%d) of %v = %v", seq, m, r, l)
				}
			}
		}
		m := marks[rng.IntN(len(marks))]
		want := k.RoutesAt(m)
		k.Restore(m)
		if got := k.Routes(); !slices.Equal(got, want) {
			t.Fatalf("sequence %d: after Restore(%d): %v, want %v", seq, m, got, want)
		}
	}
	if changed < 150 {
		t.Fatalf("only %d of 200 sequences changed a route", changed)
	}
}

// TestAddrIndex checks that AddAddr and TrimAddrs keep the local and broadcast addresses that
// gateway checks use in step with Addrs.
func TestAddrIndex(t *testing.T) {
	k := testKernel()
	check := func(when, gw string, local, bcast bool) {
		t.Helper()
		if l, b := k.addrType(netip.MustParseAddr(gw)); l != local || b != bcast {
			t.Errorf("%s: %s local %v broadcast %v, want %v %v", when, gw, l, b, local, bcast)
		}
	}
	check("built from Addrs", "192.0.2.11", true, false)
	check("built from Addrs", "127.0.0.9", true, false)
	check("built from Addrs", "192.0.2.255", false, true)
	n := len(k.Addrs)
	k.AddAddr(Addr{Dev: "eth0", Label: "eth0:1", Prefix: netip.MustParsePrefix("198.51.100.5/25")})
	check("added", "198.51.100.5", true, false)
	check("added", "198.51.100.127", false, true)
	k.TrimAddrs(n)
	check("trimmed", "198.51.100.5", false, false)
	check("trimmed", "198.51.100.127", false, false)
	check("trimmed", "192.0.2.10", true, false)
}

// TestRestoreOthers: the routes to other destinations are undone to a mark, so that an add
// refused as a duplicate after the mark succeeds again after RestoreOthers.
func TestRestoreOthers(t *testing.T) {
	k := &Kernel{AnyLink: true}
	k.AddAddr(Addr{Dev: "eth0", Label: "eth0", Prefix: netip.MustParsePrefix("192.0.2.10/24")})
	run := func(line string) bool {
		_, ok, _ := k.Run(line, Env{})
		return ok
	}
	if !run("ip route add 198.51.100.0/24 via 192.0.2.254") {
		t.Fatal("the first add failed")
	}
	mark := k.OthersMark()
	for _, c := range []struct {
		line string
		ok   bool
	}{
		{"ip route add 198.51.100.0/24 via 192.0.2.253", false},
		{"ip route add 198.51.100.0/24 via 192.0.2.253 metric 5", true},
		{"ip route del 198.51.100.0/24 metric 0", true},
		{"ip route add 198.51.100.0/24 via 192.0.2.253", true},
		{"ip route add 203.0.113.0/24 dev eth0", true},
	} {
		if got := run(c.line); got != c.ok {
			t.Errorf("%s: ok %v, want %v", c.line, got, c.ok)
		}
	}
	k.RestoreOthers(mark)
	for _, c := range []struct {
		line string
		ok   bool
	}{
		{"ip route add 198.51.100.0/24 via 192.0.2.253 metric 5", true}, // undone
		{"ip route add 203.0.113.0/24 dev eth0", true},                  // undone
		{"ip route add 198.51.100.0/24 via 192.0.2.253", false},         // kept from before the mark
	} {
		if got := run(c.line); got != c.ok {
			t.Errorf("after RestoreOthers: %s: ok %v, want %v", c.line, got, c.ok)
		}
	}
}

// TestKernelOwnRoutes: the routes the kernel adds itself are not held, so an operation that may
// meet one (a connected subnet's prefix at the kernel's metric) and a delete of a route no
// operation added are ErrUnmodeled (red-team pass 7, live: File exists, No such process).
func TestKernelOwnRoutes(t *testing.T) {
	k := &Kernel{AnyLink: true}
	k.AddAddr(Addr{Dev: "eth0", Label: "eth0", Prefix: netip.MustParsePrefix("192.0.2.10/24")})
	k.AddAddr(Addr{Dev: "eth0", Label: "eth0", Prefix: netip.MustParsePrefix("2001:db8::10/64")})
	for _, c := range []struct {
		line string
		err  error
	}{
		{"ip route add 192.0.2.0/24 dev eth0 src 192.0.2.10", ErrUnmodeled},
		{"ip route add 192.0.2.0/24 dev eth0 metric 10", nil},
		{"ip -6 route add 2001:db8::/64 dev eth0 metric 256", ErrUnmodeled},
		{"ip -6 route add 2001:db8::/64 dev eth0", nil}, // metric 1024: beside the kernel's 256
		{"ip route del 10.0.0.0/8", ErrUnmodeled},
		{"ip route del 192.0.2.0/24 dev eth0", ErrUnmodeled},
		{"ip route add 10.0.0.0/8 via 192.0.2.254", nil},
		{"ip route del 10.0.0.0/8", nil},
		{"ip route del 10.0.0.0/8", ErrUnmodeled}, // gone now
	} {
		_, _, errs := k.Run(c.line, Env{})
		var err error
		if len(errs) > 0 {
			err = errs[0]
		}
		if !errors.Is(err, c.err) || (c.err == nil) != (err == nil) {
			t.Errorf("%s: %v, want %v", c.line, err, c.err)
		}
	}
}
