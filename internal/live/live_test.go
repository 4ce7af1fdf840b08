package live

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ifacefix/ifacefix/fixer"
	"github.com/ifacefix/ifacefix/internal/plan"
	"github.com/ifacefix/ifacefix/internal/routecmd"
	"github.com/ifacefix/ifacefix/parser"
)

// fakeKernel is a kernel made of routecmd's model (checked against the real kernel by its live
// test): every change goes through the ip command that Command prints, so the tests also check
// that those commands do what the repair means.
type fakeKernel struct {
	t      *testing.T
	k      *routecmd.Kernel
	addrs  []Addr
	failAt int // the failAt-th change fails (0: none)
	n      int
	log    []string
	// noDefault records a change after which a family and table that had a default route had none.
	noDefault []string
}

func newFake(t *testing.T, routes []routecmd.Route, addrs []Addr) *fakeKernel {
	f := &fakeKernel{t: t, k: &routecmd.Kernel{AnyLink: true}, addrs: addrs}
	f.k.SetRoutes(routes)
	for _, a := range addrs {
		f.k.AddAddr(routecmd.Addr{Dev: a.Dev, Label: a.Label, Prefix: a.Prefix})
	}
	return f
}

func (f *fakeKernel) Snapshot() (*Snapshot, error) {
	return &Snapshot{Routes: f.k.Routes(), Addrs: slices.Clone(f.addrs)}, nil
}

func (f *fakeKernel) run(argv []string) error {
	f.n++
	f.log = append(f.log, strings.Join(argv, " "))
	if f.n == f.failAt {
		return errors.New("injected failure")
	}
	op, ok := routecmd.Command(argv)
	if !ok {
		f.t.Fatalf("%q is not a route command", argv)
	}
	had := map[slot]bool{}
	for _, r := range f.k.Routes() {
		had[slotOf(r)] = true
	}
	err := f.k.Apply(op)
	for s := range had {
		if len(inSlot(f.k.Routes(), s)) == 0 {
			f.noDefault = append(f.noDefault, strings.Join(argv, " "))
		}
	}
	return err
}

func (f *fakeKernel) Append(r routecmd.Route) error { return f.run(Command("append", r)) }
func (f *fakeKernel) Delete(r routecmd.Route) error { return f.run(Command("del", r)) }

// Lookup takes the first route of the lowest metric and the kernel's source address rule:
// the route's src, else the device's first primary address on the gateway's subnet.
func (f *fakeKernel) Lookup(dst netip.Addr) (Lookup, error) {
	fam := "inet"
	if dst.Is6() {
		fam = "inet6"
	}
	var best *routecmd.Route
	routes := f.k.Routes()
	for i, r := range routes {
		if r.Family == fam && r.Table == mainTable && (best == nil || r.Metric < best.Metric) {
			best = &routes[i]
		}
	}
	if best == nil {
		return Lookup{}, errors.New("network unreachable")
	}
	l := Lookup{Gateway: best.Gateway, Dev: best.Dev, Src: best.Src}
	if l.Src == "" {
		gw := netip.MustParseAddr(best.Gateway)
		for _, a := range f.addrs {
			if a.Dev == best.Dev && !a.Secondary && a.Prefix.Masked().Contains(gw) {
				l.Src = a.Prefix.Addr().String()
				break
			}
		}
	}
	return l, nil
}

// v4 is an IPv4 default route in the main table as ifupdown's tools make it.
func v4(gw, src string, metric uint32, onlink bool) routecmd.Route {
	return routecmd.Route{Family: "inet", Table: mainTable, Type: "unicast", Metric: metric, Gateway: gw, Dev: "eth0",
		Src: src, Onlink: onlink, Proto: "boot", Scope: "universe"}
}

// addrs are eth0's addresses: the primary first, the others secondary with their alias labels.
func addrs(list ...string) []Addr {
	var out []Addr
	for i, a := range list {
		label := "eth0"
		if i > 0 {
			label = fmt.Sprintf("eth0:%d", i-1)
		}
		out = append(out, Addr{Dev: "eth0", Label: label, Prefix: netip.MustParsePrefix(a), Secondary: i > 0})
	}
	return out
}

// configs returns a configuration as read and as ifacefix fixes it.
func configs(t *testing.T, text string, opt fixer.Options) (old, fixed *parser.Config) {
	t.Helper()
	old, err := parser.ParseBytes("/etc/network/interfaces", []byte(text), parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.FromBytes("/etc/network/interfaces", []byte(text), opt)
	if err != nil {
		t.Fatal(err)
	}
	fixed, err = parser.ParseBytes("/etc/network/interfaces", p.Files[0].New, parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return old, fixed
}

func rules(a *Audit) []string {
	var out []string
	for _, f := range a.Findings {
		out = append(out, fmt.Sprintf("%d %s fixed=%v", f.Line, f.Rule, f.Fixed))
	}
	slices.Sort(out)
	return out
}

func commands(a *Audit) []string {
	var out []string
	for _, c := range a.Changes {
		out = append(out, c.Text("STATE"))
	}
	return out
}

func expectList(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

const legacy = `auto eth0 eth0:0 eth0:1
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

// legacyKernel is what the real ifup leaves for legacy, in the kernel's order (route add
// prepends: the newest alias route comes first).
func legacyKernel() ([]routecmd.Route, []Addr) {
	return []routecmd.Route{v4("192.0.2.1", "192.0.2.12", 0, false), v4("192.0.2.1", "192.0.2.11", 0, false), v4("192.0.2.1", "", 0, true)},
		addrs("192.0.2.10/24", "192.0.2.11/24", "192.0.2.12/24")
}

var legacyState = []Entry{{"lo", "lo"}, {"eth0", "eth0"}, {"eth0:0", "eth0:0"}, {"eth0:1", "eth0:1"}}

func TestDuplicatesFromAliasRouteCommands(t *testing.T) {
	old, fixed := configs(t, legacy, fixer.Options{StripRouteCommands: true})
	routes, ads := legacyKernel()
	k := newFake(t, routes, ads)
	snap, _ := k.Snapshot()
	a := Check(Input{Old: old, Fixed: fixed, Snap: snap, State: legacyState, StatePath: "STATE"})
	expectList(t, "findings", rules(a), []string{"12 live-duplicate-default fixed=true", "8 live-duplicate-default fixed=true"})
	for _, f := range a.Findings {
		if !strings.Contains(f.Message, "3 default routes via 192.0.2.1 dev eth0 of metric 0 that differ only in src") {
			t.Errorf("message does not describe the duplicates: %s", f.Message)
		}
	}
	expectList(t, "changes", commands(a), []string{
		"ip route del default via 192.0.2.1 dev eth0 proto boot metric 0 src 192.0.2.12",
		"ip route del default via 192.0.2.1 dev eth0 proto boot metric 0 src 192.0.2.11",
	})
	if a.Refused != "" {
		t.Fatalf("refused: %s", a.Refused)
	}
	var from []string
	for _, r := range a.Routes {
		from = append(from, fmt.Sprintf("%s wanted=%v", r.From, r.Wanted))
	}
	expectList(t, "routes' lines", from, []string{"/etc/network/interfaces:12 wanted=false", "/etc/network/interfaces:8 wanted=false", "/etc/network/interfaces:4 wanted=true"})

	if err := a.Repair(context.Background(), k, nil, nil); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(k.k.Routes(), []routecmd.Route{v4("192.0.2.1", "", 0, true)}) {
		t.Errorf("routes after the repair: %v", k.k.Routes())
	}
	if len(k.noDefault) > 0 {
		t.Errorf("no default route after %q", k.noDefault)
	}
	// Without the fix the file still asks for the alias routes: nothing to change, but the
	// duplicates are still reported, as not fixed.
	a = Check(Input{Old: old, Fixed: old, Snap: snap, State: legacyState, StatePath: "STATE"})
	expectList(t, "findings without the fix", rules(a), []string{"12 live-duplicate-default fixed=false", "8 live-duplicate-default fixed=false"})
	if len(a.Changes) != 0 {
		t.Errorf("changes without the fix: %q", commands(a))
	}
}

const seed = `auto eth0 eth0:0 eth0:1 eth0:2
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

// writeState writes an ifupdown 0.8 state directory as ifup leaves it.
func writeState(t *testing.T, entries ...Entry) string {
	t.Helper()
	dir := t.TempDir()
	var agg strings.Builder
	for _, e := range entries {
		agg.WriteString(e.Phys + "=" + e.Logical + "\n")
		if err := os.WriteFile(filepath.Join(dir, "ifstate."+e.Phys), []byte(e.Logical+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "ifstate"), []byte(agg.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestHalfUpHost(t *testing.T) {
	old, fixed := configs(t, seed, fixer.Options{})
	k := newFake(t, []routecmd.Route{v4("192.0.2.1", "", 0, true), v4("192.0.2.254", "", 100, true)},
		addrs("192.0.2.10/24", "192.0.2.11/24", "192.0.2.12/24", "192.0.2.13/24"))
	dir := writeState(t, Entry{"lo", "lo"}, Entry{"eth0", "eth0"}, Entry{"eth0:2", "eth0:2"})
	// ifup leaves an empty line in the state file of an interface that failed.
	os.WriteFile(filepath.Join(dir, "ifstate.eth0:0"), []byte("\n"), 0o644)
	st := &Ifstate{Dir: dir}
	entries, err := st.Read()
	if err != nil {
		t.Fatal(err)
	}
	snap, _ := k.Snapshot()
	a := Check(Input{Old: old, Fixed: fixed, Snap: snap, State: entries, StatePath: dir})
	expectList(t, "findings", rules(a), []string{"10 live-state fixed=true", "16 live-stale-route fixed=true", "6 live-state fixed=true"})
	expectList(t, "changes", commands(a), []string{
		"ip route del default via 192.0.2.254 dev eth0 proto boot metric 100",
		"# record eth0:0 as up in STATE (eth0:0=eth0:0)",
		"# record eth0:1 as up in STATE (eth0:1=eth0:1)",
	})
	if err := a.Repair(context.Background(), k, st, nil); err != nil {
		t.Fatal(err)
	}
	agg, _ := os.ReadFile(filepath.Join(dir, "ifstate"))
	if string(agg) != "lo=lo\neth0=eth0\neth0:0=eth0:0\neth0:1=eth0:1\neth0:2=eth0:2\n" {
		t.Errorf("ifstate after the repair (want a clean boot's order):\n%s", agg)
	}
	for _, n := range []string{"eth0:0", "eth0:1"} {
		if b, _ := os.ReadFile(filepath.Join(dir, "ifstate."+n)); string(b) != n+"\n" {
			t.Errorf("ifstate.%s = %q", n, b)
		}
	}
	if !slices.Equal(k.k.Routes(), []routecmd.Route{v4("192.0.2.1", "", 0, true)}) {
		t.Errorf("routes after the repair: %v", k.k.Routes())
	}
}

// The kernel lacks the primary's default route (deleted by hand, say) and keeps the alias's
// metric-100 one: the repair adds the one before it deletes the other.
func TestMissingRouteAddedBeforeStaleDeleted(t *testing.T) {
	old, fixed := configs(t, seed, fixer.Options{})
	k := newFake(t, []routecmd.Route{v4("192.0.2.254", "", 100, true)}, addrs("192.0.2.10/24", "192.0.2.11/24", "192.0.2.12/24", "192.0.2.13/24"))
	st := []Entry{{"lo", "lo"}, {"eth0", "eth0"}, {"eth0:0", "eth0:0"}, {"eth0:1", "eth0:1"}, {"eth0:2", "eth0:2"}}
	snap, _ := k.Snapshot()
	a := Check(Input{Old: old, Fixed: fixed, Snap: snap, State: st, StatePath: "STATE"})
	expectList(t, "changes", commands(a), []string{
		"ip route append default via 192.0.2.1 dev eth0 metric 0 onlink",
		"ip route del default via 192.0.2.254 dev eth0 proto boot metric 100",
	})
	expectList(t, "findings", rules(a), []string{"16 live-stale-route fixed=true", "4 live-missing-route fixed=true"})
	if err := a.Repair(context.Background(), k, nil, nil); err != nil {
		t.Fatal(err)
	}
	if len(k.noDefault) > 0 {
		t.Errorf("no default route after %q", k.noDefault)
	}
	if !slices.Equal(k.k.Routes(), []routecmd.Route{v4("192.0.2.1", "", 0, true)}) {
		t.Errorf("routes after the repair: %v", k.k.Routes())
	}
}

// An alias that came up first took the default route and the primary's gateway failed: the fix
// leaves the alias's gateway (removing it would change the route), so the primary still fails
// and its missing state is left for a person.
func TestStateLeftWhenTheFixStillFails(t *testing.T) {
	old, fixed := configs(t, "auto eth0:0 eth0\niface eth0 inet static\n    address 192.0.2.10/24\n    gateway 192.0.2.1\n\n"+
		"iface eth0:0 inet static\n    address 192.0.2.11/24\n    gateway 192.0.2.254\n", fixer.Options{})
	k := newFake(t, []routecmd.Route{v4("192.0.2.254", "", 0, true)}, addrs("192.0.2.10/24", "192.0.2.11/24"))
	snap, _ := k.Snapshot()
	a := Check(Input{Old: old, Fixed: fixed, Snap: snap, State: []Entry{{"eth0:0", "eth0:0"}}, StatePath: "STATE"})
	expectList(t, "findings", rules(a), []string{"2 live-state fixed=false"})
	if len(a.Changes) != 0 || !strings.Contains(a.Findings[0].Message, "File exists") {
		t.Errorf("changes %q, finding %q", commands(a), a.Findings[0].Message)
	}
}

func TestFailureRestoresTheRoutesInOrder(t *testing.T) {
	for _, tc := range []struct {
		name   string
		failAt int
		verify func(Kernel) error
	}{
		{"verification", 0, func(Kernel) error { return errors.New("simulated") }},
		{"second delete", 2, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			old, fixed := configs(t, legacy, fixer.Options{StripRouteCommands: true})
			routes, ads := legacyKernel()
			k := newFake(t, routes, ads)
			k.failAt = tc.failAt
			snap, _ := k.Snapshot()
			a := Check(Input{Old: old, Fixed: fixed, Snap: snap, State: legacyState, StatePath: "STATE"})
			err := a.Repair(context.Background(), k, nil, tc.verify)
			var re *RepairError
			if !errors.As(err, &re) || !re.Restored {
				t.Fatalf("want a restored *RepairError, got %v", err)
			}
			if !slices.Equal(k.k.Routes(), routes) {
				t.Errorf("routes after the restore:\n got %v\nwant %v", k.k.Routes(), routes)
			}
			if len(k.noDefault) > 0 {
				t.Errorf("no default route after %q", k.noDefault)
			}
			for _, c := range a.Changes {
				if c.Done {
					t.Errorf("change marked done after a failed repair: %s", c.Text(""))
				}
			}
		})
	}
}

func TestVerifyChecksTheSourceAddress(t *testing.T) {
	old, fixed := configs(t, legacy, fixer.Options{StripRouteCommands: true})
	routes, ads := legacyKernel()
	k := newFake(t, routes, ads)
	snap, _ := k.Snapshot()
	a := Check(Input{Old: old, Fixed: fixed, Snap: snap, State: legacyState, StatePath: "STATE"})
	if len(a.checks) != 1 || a.checks[0].src != "192.0.2.10" {
		t.Fatalf("checks: %+v", a.checks)
	}
	// The check fails on a kernel that still leaves from an alias address.
	if err := a.verify(k); err == nil || !strings.Contains(err.Error(), "leaves from 192.0.2.12, not from the primary address 192.0.2.10") {
		t.Errorf("verify before the repair: %v", err)
	}
}

func TestLeavesWhatTheConfigurationDoesNotExplain(t *testing.T) {
	old, fixed := configs(t, seed, fixer.Options{})
	hand := routecmd.Route{Family: "inet", Table: mainTable, Type: "unicast", Metric: 50, Gateway: "192.0.2.99", Dev: "eth0", Proto: "static", Scope: "universe"}
	dhcp := routecmd.Route{Family: "inet", Table: mainTable, Type: "unicast", Metric: 1024, Gateway: "198.51.100.1", Dev: "eth1", Proto: "dhcp", Scope: "universe"}
	k := newFake(t, []routecmd.Route{v4("192.0.2.1", "", 0, true), hand, dhcp},
		append(addrs("192.0.2.10/24", "192.0.2.11/24", "192.0.2.12/24", "192.0.2.13/24"), Addr{Dev: "eth1", Label: "eth1", Prefix: netip.MustParsePrefix("198.51.100.5/24")}))
	st := []Entry{{"eth0", "eth0"}, {"eth0:0", "eth0:0"}, {"eth0:1", "eth0:1"}, {"eth0:2", "eth0:2"}}
	snap, _ := k.Snapshot()
	a := Check(Input{Old: old, Fixed: fixed, Snap: snap, State: st, StatePath: "STATE"})
	expectList(t, "findings", rules(a), []string{"0 live-unexplained-route fixed=false", "0 live-unexplained-route fixed=false"})
	if a.Findings[0].Note || !a.Findings[1].Note {
		t.Errorf("a route added by hand needs a person, one a DHCP client learnt is a note: %+v", a.Findings)
	}
	if len(a.Changes) != 0 {
		t.Errorf("changes: %q", commands(a))
	}
	// A DHCP stanza explains its interface's route.
	old2, fixed2 := configs(t, seed+"\nauto eth1\niface eth1 inet dhcp\n", fixer.Options{})
	a = Check(Input{Old: old2, Fixed: fixed2, Snap: snap, State: append(st, Entry{"eth1", "eth1"}), StatePath: "STATE"})
	expectList(t, "findings with eth1 dhcp", rules(a), []string{"0 live-unexplained-route fixed=false"})
}

func TestMetricSquash(t *testing.T) {
	old, fixed := configs(t, "auto eth0\niface eth0 inet static\n    address 192.0.2.10/24\n    gateway 192.0.2.1\n", fixer.Options{})
	squashed := v4("192.0.2.1", "", 100, true)
	squashed.Proto = "kernel"
	k := newFake(t, []routecmd.Route{squashed}, addrs("192.0.2.10/24"))
	snap, _ := k.Snapshot()
	a := Check(Input{Old: old, Fixed: fixed, Snap: snap, State: []Entry{{"eth0", "eth0"}}, StatePath: "STATE"})
	expectList(t, "findings", rules(a), []string{"4 live-metric fixed=true"})
	expectList(t, "changes", commands(a), []string{
		"ip route append default via 192.0.2.1 dev eth0 metric 0 onlink",
		"ip route del default via 192.0.2.1 dev eth0 proto kernel metric 100",
	})
	if err := a.Repair(context.Background(), k, nil, nil); err != nil {
		t.Fatal(err)
	}
	if len(k.noDefault) > 0 {
		t.Errorf("no default route after %q", k.noDefault)
	}
	if !slices.Equal(k.k.Routes(), []routecmd.Route{v4("192.0.2.1", "", 0, true)}) {
		t.Errorf("routes after the repair: %v", k.k.Routes())
	}
}

func TestRefusesADeleteThatWouldTakeAnotherRoute(t *testing.T) {
	old, fixed := configs(t, seed, fixer.Options{})
	// A route added by hand with src comes before the stale one: `ip route del` without src
	// would take it first.
	hand := v4("192.0.2.254", "192.0.2.13", 100, false)
	k := newFake(t, []routecmd.Route{v4("192.0.2.1", "", 0, true), hand, v4("192.0.2.254", "", 100, true)},
		addrs("192.0.2.10/24", "192.0.2.11/24", "192.0.2.12/24", "192.0.2.13/24"))
	snap, _ := k.Snapshot()
	st := []Entry{{"eth0", "eth0"}, {"eth0:0", "eth0:0"}, {"eth0:1", "eth0:1"}, {"eth0:2", "eth0:2"}}
	a := Check(Input{Old: old, Fixed: fixed, Snap: snap, State: st, StatePath: "STATE"})
	if !strings.Contains(a.Refused, "would delete another route") {
		t.Fatalf("refused = %q", a.Refused)
	}
	if err := a.Repair(context.Background(), k, nil, nil); err != nil || len(k.log) > 0 {
		t.Errorf("repair ran %q (err %v)", k.log, err)
	}
	for _, f := range a.Findings {
		if f.Rule == RuleStale && f.Fixed {
			t.Errorf("a refused change counts as a fix: %+v", f)
		}
	}
}

func TestCommandIsTheRoute(t *testing.T) {
	for _, r := range []routecmd.Route{
		v4("192.0.2.1", "192.0.2.11", 0, false),
		v4("192.0.2.254", "", 100, true),
		{Family: "inet6", Table: 100, Type: "unicast", Metric: 1024, Gateway: "2001:db8::1", Dev: "eth0", Proto: "ra"},
	} {
		for _, action := range []string{"append", "del"} {
			op, ok := routecmd.Command(Command(action, r))
			if !ok || op.Err != "" || op.Family != r.Family || op.Gateway != r.Gateway || op.Dev != r.Dev || op.Src != r.Src ||
				op.Metric != r.Metric || op.Proto != r.Proto || op.Table != r.Table || action == "append" && op.Onlink != r.Onlink {
				t.Errorf("%s %v: the command %q reads as %v", action, r, Command(action, r), op)
			}
		}
	}
}

func TestMerge(t *testing.T) {
	rank := map[string]int{"eth0": 0, "eth0:0": 1, "eth0:1": 2, "eth0:2": 3}
	got := merge([]Entry{{"lo", "lo"}, {"eth0", "eth0"}, {"eth0:2", "eth0:2"}}, []Entry{{"eth0:1", "eth0:1"}, {"eth0:0", "eth0:0"}, {"eth0", "eth0"}}, rank)
	want := []Entry{{"lo", "lo"}, {"eth0", "eth0"}, {"eth0:0", "eth0:0"}, {"eth0:1", "eth0:1"}, {"eth0:2", "eth0:2"}}
	if !slices.Equal(got, want) {
		t.Errorf("merge = %v, want %v", got, want)
	}
	if got := merge([]Entry{{"eth0:2", "eth0:2"}}, []Entry{{"eth0", "eth0"}}, rank); !slices.Equal(got, []Entry{{"eth0", "eth0"}, {"eth0:2", "eth0:2"}}) {
		t.Errorf("merge before = %v", got)
	}
}

func TestIfstateReadGoesByTheInterfaceFiles(t *testing.T) {
	dir := writeState(t, Entry{"lo", "lo"}, Entry{"eth0", "eth0"})
	// Listed in ifstate but its own file is empty: ifup treats it as down.
	os.WriteFile(filepath.Join(dir, "ifstate"), []byte("lo=lo\neth0=eth0\neth0:0=eth0:0\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "ifstate.eth0:0"), []byte("\n"), 0o644)
	// Up in its own file only: ifup skips it.
	os.WriteFile(filepath.Join(dir, "ifstate.eth0:1"), []byte("eth0:1\n"), 0o644)
	got, err := (&Ifstate{Dir: dir}).Read()
	if err != nil {
		t.Fatal(err)
	}
	if want := []Entry{{"lo", "lo"}, {"eth0", "eth0"}, {"eth0:1", "eth0:1"}}; !slices.Equal(got, want) {
		t.Errorf("Read = %v, want %v", got, want)
	}
	if got, err := (&Ifstate{Dir: filepath.Join(dir, "none")}).Read(); err != nil || len(got) != 0 {
		t.Errorf("a missing state directory: %v, %v", got, err)
	}
}

func TestStateForDialects(t *testing.T) {
	for _, d := range []string{"ifupdown-ng", "ifupdown2", "busybox"} {
		if _, err := StateFor(d, ""); !errors.Is(err, ErrNoState) {
			t.Errorf("%s: %v", d, err)
		}
	}
	if s, err := StateFor("", ""); err != nil || s.Path() != DefaultStateDir {
		t.Errorf("default: %v %v", s, err)
	}
}

// TestRunDialect: Run goes by the dialect it is given: its state is that dialect's (not read yet
// for ifupdown2, and said so), ifupdown 0.8's by default.
func TestRunDialect(t *testing.T) {
	p, err := plan.FromBytes("/etc/network/interfaces", []byte("auto lo\niface lo inet loopback\n"), fixer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for d, want := range map[string]string{"ifupdown2": "ifupdown2: " + ErrNoState.Error(), "": ""} {
		res, err := Run(context.Background(), p, "/etc/network/interfaces", false, Options{Kernel: newFake(t, nil, nil), Dialect: d, StateDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(res.StateErr); want != "" && got != want || want == "" && res.StateErr != nil {
			t.Errorf("dialect %q: state error %v, want %q", d, res.StateErr, want)
		}
	}
}

// TestREADMELiveTable: the README's --live table lists exactly the live rules.
func TestREADMELiveTable(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(data), "### The running host: `--live`\n")
	if !ok {
		t.Fatal("README.md has no --live section")
	}
	var listed []string
	for _, l := range strings.Split(sec, "\n") {
		if id, ok := strings.CutPrefix(l, "| `live-"); ok {
			listed = append(listed, "live-"+id[:strings.IndexByte(id, '`')])
		}
	}
	expectList(t, "README's live rules", listed, Rules)
}
