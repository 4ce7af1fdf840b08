// Package bringup simulates what bringing an ifupdown 0.8.41 configuration up does to the
// kernel's default routes: the order in which interfaces come up, which stanzas come up and which
// fail, which lines ask for a default route, and which routes the kernel ends up with. It runs no
// program: each method's commands are built from ifupdown's inet.defn and inet6.defn, and every
// command goes through routecmd's model of the shell, the route tools and the kernel.
//
// The order is the boot's: `ifup -a` (lo first, then the auto interfaces in the order of the
// auto lines, a VLAN's parent before the VLAN), then the allow-hotplug interfaces in the order of
// their lines, as sysvinit's /etc/init.d/networking does (`ifup -a && ifup_hotplug`: only where
// ifup -a succeeded); Result.Systemd is the boot under systemd, where networking.service runs
// ifup -a alone and udev's ifup@.service brings up the allow-hotplug devices (never an alias label
// by its own name; a device's `ifup --allow=hotplug DEV` adds the hotplug names that start with
// "DEV.") whether or not ifup -a failed (the model takes them after the auto ones; the two
// services race), and then, as a person would bring them up by hand, every other interface: each
// on its own, since the order a person would pick cannot be known (see sim.later). Within an
// interface, ifup configures its stanzas in file order and stops at the first that fails (main.c
// do_interface); a stanza fails when a variable its method needs is missing or one of its
// commands fails (execute.c iface_up: pre-up commands, the method, up commands). ifupdown records
// only interfaces that came up, so udev's ifup@ tries a failed auto device again (under sysvinit
// the hotplug pass does not run once a name failed).
//
// Every network device is assumed to exist (the configuration does not say which do). What a method learns at
// run time (DHCP, router advertisements) is marked, not modelled.
//
// That is ifupdown 0.8's bring-up (simulate08); Simulate runs the one of the configuration's
// dialect, and ifupdown2's, ifupdown-ng's and busybox's differ from it as their files say.
package bringup

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/ifacefix/ifacefix/internal/routecmd"
	"github.com/ifacefix/ifacefix/parser"
)

// Phase says when a stanza was brought up.
type Phase uint8

const (
	NotReached Phase = iota // ifup never got to it: an earlier stanza of its interface failed
	Boot                    // at boot: ifup -a, then the allow-hotplug interfaces
	Later                   // afterwards, by hand
)

// Edits are option lines taken out of stanzas and added at their end, to simulate a fix
// without writing and parsing it again.
type Edits struct {
	Removed map[*parser.Opt]bool
	Added   map[*parser.Stanza][]Option
	// Auto are the interfaces an auto line of their own makes auto (ifupdown-ng: an auto line
	// with several names split into one per name).
	Auto map[string]bool
}

// Option is an option line added by Edits.
type Option struct{ Name, Value string }

// EitherFamily is the UnknownFamily of a default-route command whose family ip takes from a
// word known only at run time (ip route add default via $GW): its routes may be of either.
const EitherFamily = "inet or inet6"

// UnknownIn reports whether the stanza's default-route command known only at run time may act
// on family's routes.
func (st *Stanza) UnknownIn(family string) bool {
	return st.UnknownFamily != "" && (st.UnknownFamily == family || st.UnknownFamily == EitherFamily)
}

// UnknownFamilies lists the families UnknownIn is true of.
func (st *Stanza) UnknownFamilies() []string {
	switch st.UnknownFamily {
	case "":
		return nil
	case EitherFamily:
		return []string{"inet", "inet6"}
	}
	return []string{st.UnknownFamily}
}

// Remover is a line whose effect is known only at run time and that may delete (or replace)
// default routes other stanzas added, which the model does not apply: a delete with a word known
// only then (ip route del default via $(...), ip route del $(...)), one run in the background or
// after && or ||, a command the model does not follow (a flush, a link set down, an address
// flush, ifdown), or a method whose program may (bootp, ppp, one not modelled; not ipv4ll, a
// check or a 6to4 tunnel).
type Remover struct {
	Stanza *parser.Stanza
	What   string // what runs, as a message names it: "`up ip route flush ...`", "its ppp method"
	Family string // inet, inet6 or EitherFamily
	Phase  Phase
	// Seq is how many requests had run before it: it ran after Result.Requests[:Seq].
	Seq int
}

// Stanza is what bringing one stanza up did.
type Stanza struct {
	Phase Phase
	Up    bool
	Why   string      // why it did not come up
	At    *parser.Opt // the option whose command failed, when one did
	// Dynamic: its method gets a default route at run time (DHCP, router advertisements).
	Dynamic bool
	// Unknown says what the model cannot know that may decide its routes ("" when nothing), and
	// UnknownFamily the family of such a default-route command ("" when none, EitherFamily when
	// a word known only at run time decides it).
	Unknown       string
	UnknownFamily string
	UnknownMetric int // the metric of that command, -1 when it too is unknown
	// Rules is the first of its lines that changes the policy rules (routecmd.Result.Rules), ""
	// when none.
	Rules string
	// Link is the line of its method whose success only the host decides: the device's mtu or
	// hardware address (hostLink), or an address option the model does not check (addrOptions);
	// "" when none.
	Link     string
	Requests []*Request
	// MethodAfter is what ifup gets past on faith before the method runs (Request.After of a
	// gateway there): a pre-up command, or one of an earlier stanza of the name; "" when none.
	MethodAfter string
	guess       string // the first command taken as succeeding (see Request.After)
	ordinary    string // the first other command taken as succeeding (see Request.AfterOther)
	// The kernel model and its mark when the stanza began (k is nil if it never began).
	k     *routecmd.Kernel
	mark  int
	saw   []routecmd.Route
	sawOK bool
}

// OnFaith returns the first line ifup got past only on faith before or in this stanza (a command
// whose status the host decides, a check, a link setting), "" when none.
func (r *Stanza) OnFaith() string { return r.guess }

// onHost records l, a line whose success only the host decides (Link), as what the stanza's
// later lines run on faith of; "" does nothing.
func (r *Stanza) onHost(l string) {
	if l == "" {
		return
	}
	r.Link = l
	if r.guess == "" {
		r.guess = l
	}
}

// markUnknown records u as what the model cannot know of the stanza, unless it has one already
// or u is "".
func (r *Stanza) markUnknown(u string) {
	if r.Unknown == "" {
		r.Unknown = u
	}
}

// seen marks the stanza as begun on kernel k.
func (r *Stanza) seen(k *routecmd.Kernel) { r.k, r.mark = k, len(k.Changes) }

// Seen returns the default routes the kernel had when the stanza began (what a command known
// only at run time found); nil if it never began. It is computed when first asked for: most
// callers never need it, and a copy per stanza made configurations with many routes quadratic.
func (r *Stanza) Seen() []routecmd.Route {
	if r.k != nil && !r.sawOK {
		r.saw, r.sawOK = r.k.RoutesAt(r.mark), true
	}
	return r.saw
}

// BeganBefore reports whether r began before o did, or may have: in an earlier phase, or in
// the same one before o changed the kernel (stanzas between which nothing changed cannot be told
// apart, and count as before). False if either never began.
func (r *Stanza) BeganBefore(o *Stanza) bool {
	if r.k == nil || o.k == nil {
		return false
	}
	return r.Phase < o.Phase || r.Phase == o.Phase && r.mark <= o.mark
}

// Request is one line that asked the kernel for default routes: the method's gateway route, or a
// pre-up or up command.
type Request struct {
	Stanza  *parser.Stanza
	Opts    []*parser.Opt // gateway: the lines its value came from (several when joined or inherited); command: the option
	Command bool
	Family  string        // inet or inet6, of its first operation
	Ops     []routecmd.Op // the default-route operations it ran
	Err     error         // the first operation's error (routecmd.ErrExist, ...); nil when all succeeded
	Silent  bool          // the program drops Err without a word and goes on (ifupdown2's EEXIST)
	Warned  bool          // a command that fails, which the program only warns about (ifupdown2)
	// Blocker is the route that made an add fail with routecmd.ErrExist, and Holder the request
	// that made that route (nil when the model does not know).
	Blocker *routecmd.Route
	Holder  *Request
	// Through are the labels (interface names) of the addresses whose subnet made a gateway
	// reachable, for the first route it added that an address's subnet reached
	// (routecmd.Kernel.ReachedThrough); nil when none did.
	Through []string
	// LinkedBy is the interface whose stanza set the device of the first route it added up,
	// where that is another than its own and the stanza's method has not set it up yet (""
	// otherwise): a pre-up command finds the link up only because of it (seed 6804247955).
	LinkedBy string
	Added    []routecmd.Route
	Removed  []routecmd.Route
	Phase    Phase
	// After is an earlier command of its stanza whose exit status the model cannot know (taken
	// as success): the request runs only if that one succeeds. "" when there is none.
	After string
	// AfterOther is an earlier command of its stanza that runs something else than route
	// commands (logger, ethtool, ...), taken as succeeding; the host decides whether it does (a
	// missing program fails). Only what is said of the request depends on it.
	AfterOther string
	// Rules: its line also changes the policy rules (routecmd.Result.Rules), maybe only as the
	// status of its route operations decides (after && or ||).
	Rules bool
	// RunTime are its main-table default-route operations whose effect is known only at run
	// time: a word known then, a background job, or what the kernel model does not apply
	// (multipath, other attributes). The model applies none of them.
	RunTime []routecmd.Op
}

// Result is what bringing the configuration up did.
type Result struct {
	Stanzas  map[*parser.Stanza]*Stanza
	Requests []*Request // in the order they ran
	// Boot and All are the kernel's default routes after boot and after every interface (see
	// later for All); Holder maps each route of All (and of Boot) to the request that made it,
	// except a boot route later brings back (it has no entry).
	Boot, All []routecmd.Route
	Holder    map[routecmd.Route]*Request
	// BootHolder is Holder as it was after boot.
	BootHolder map[routecmd.Route]*Request
	// Systemd is the same configuration brought up as systemd boots (see the package doc), for
	// ifupdown 0.8: the Result itself where that brings up the same names; nil for the other
	// dialects.
	Systemd *Result
	// NoHotplug is the sysvinit boot without its hotplug pass, where ifup -a succeeds only if a
	// command known only at run time does (Guess): then the pass may not run. The Result itself
	// where that cannot be.
	NoHotplug *Result
	Guess     string

	// BootUnknown says why what the boot brings up, or in which order, is known only when it runs
	// (ifupdown 0.8: an auto or allow-hotplug pattern, a rename of a name the configuration uses;
	// ifupdown-ng: an executor that fails its depend phase, a bridge of every port), "" when it is
	// not. The fixer then changes nothing.
	BootUnknown string

	// Removers are the lines that may delete other stanzas' default routes at run time, in the
	// order they ran.
	Removers []Remover

	autoFailed bool // a name of ifup -a failed, so that ifup -a exits 1
}

// Simulate brings cfg, changed by ed, up, as its dialect's program does.
func Simulate(cfg *parser.Config, ed Edits) *Result {
	switch cfg.Dialect {
	case parser.Ifupdown2:
		return simulateIfupdown2(cfg, ed)
	case parser.IfupdownNG:
		return simulateNG(cfg, ed)
	case parser.Busybox:
		return simulateBusybox(cfg, ed)
	}
	return simulate08(cfg, ed)
}

// initSystem is how boot brings up the allow-hotplug interfaces (see the package doc).
type initSystem uint8

const (
	sysvinit initSystem = iota
	systemd
	sysvinitFailed // sysvinit where ifup -a failed: no hotplug pass
)

// simulate08 is Simulate for ifupdown 0.8.41.
func simulate08(cfg *parser.Config, ed Edits) *Result {
	r := simulate08Under(cfg, ed, sysvinit)
	r.Systemd, r.NoHotplug = r, r
	r.BootUnknown = runTimeNames(cfg)
	hot := hotplugNames(cfg)
	if r.Guess != "" && len(hot) > 0 {
		r.NoHotplug = simulate08Under(cfg, ed, sysvinitFailed)
		r.NoHotplug.Systemd, r.NoHotplug.NoHotplug = r.NoHotplug, r.NoHotplug
	}
	// The boots differ where sysvinit skips the hotplug pass (ifup -a failed) or systemd skips
	// some of its names.
	if len(hot) > 0 && (r.autoFailed || slices.ContainsFunc(hot, func(n string) bool { return !udevBrings(n) })) {
		r.Systemd = simulate08Under(cfg, ed, systemd)
		r.Systemd.Systemd, r.Systemd.NoHotplug = r.Systemd, r.Systemd
	}
	return r
}

// runTimeNames is Result.BootUnknown for ifupdown 0.8, which expands a name with a '/' in an auto
// or allow- line against the kernel's devices (interfaces(5), PATTERN MATCHING; one that matches
// nothing is no name at all), and maps a target through the rename lines before it brings it up
// (`rename eth1=wan` and `auto eth1` configure wan on the renamed device): red-team pass 5, live.
func runTimeNames(cfg *parser.Config) string {
	for _, sel := range cfg.Selections {
		if sel.Keyword != "auto" && sel.Keyword != "allow-auto" && sel.Keyword != "allow-hotplug" {
			continue
		}
		for _, n := range sel.Names {
			if strings.Contains(n, "/") {
				return fmt.Sprintf("`%s %s` (%s:%d) is a pattern, which ifup matches against the kernel's devices when it runs",
					sel.Keyword, n, sel.File.Path, sel.File.Lines[sel.Line].Pos())
			}
		}
	}
	var renames []*parser.Line
	var in []*parser.File
	for _, f := range cfg.Files {
		for i := range f.Lines {
			if f.Lines[i].Kind == parser.Rename {
				renames, in = append(renames, &f.Lines[i]), append(in, f)
			}
		}
	}
	if len(renames) == 0 {
		return "" // the names in use are listed only where a rename line may change one
	}
	used := map[string]bool{}
	for _, st := range cfg.Stanzas {
		used[st.Name], used[st.Base()] = true, true
	}
	for _, sel := range cfg.Selections {
		for _, n := range sel.Names {
			phys, _, _ := strings.Cut(n, "=")
			used[phys], used[base(phys)] = true, true
		}
	}
	for i, l := range renames {
		for _, pair := range strings.Fields(l.Rest) {
			cur, _, _ := strings.Cut(pair, "=")
			if used[cur] || strings.Contains(cur, "/") {
				return fmt.Sprintf("`rename %s` (%s:%d) renames a device when ifup runs, and the names it brings up with it",
					pair, in[i].Path, l.Pos())
			}
		}
	}
	return ""
}

// hotplugNames lists the names of the allow-hotplug lines.
func hotplugNames(cfg *parser.Config) []string {
	var out []string
	for _, sel := range cfg.Selections {
		if sel.Keyword == "allow-hotplug" {
			out = append(out, sel.Names...)
		}
	}
	return out
}

// udevBrings reports whether udev's ifup@.service brings target up under systemd by its own name:
// a device that exists at boot, never an alias label (eth0:1) or a VLAN (eth0.100, created by its
// own ifup; the ifup@ of its parent device brings it up, see simulate08Under).
func udevBrings(target string) bool {
	phys, _, _ := strings.Cut(target, "=")
	return !strings.ContainsAny(phys, ":.")
}

// simulate08Under is simulate08 with the allow-hotplug interfaces brought up as init does.
func simulate08Under(cfg *parser.Config, ed Edits, init initSystem) *Result {
	s := newSim(cfg, ed)
	// The kernel gives lo 127.0.0.1/8 and ::1 when it comes up, which ifup does first (lo heads
	// ifup -a, and its link step sets it up): an lo stanza adding one of them fails with 'File
	// exists' (red-team pass 5, live).
	s.addrs[addrKey{"lo", netip.AddrFrom4([4]byte{127, 0, 0, 1}), 8}] = true
	s.addrs[addrKey{"lo", netip.IPv6Loopback(), 0}] = true
	// The kernel takes a local IPv4 gateway: `ip route add default via 127.0.0.1` (a gateway
	// whose `# comment` cut the rest of ifup's command) adds a default route through lo (live;
	// seed 6804126281).
	s.k.Up["lo"] = true
	s.k.AddAddr(routecmd.Addr{Dev: "lo", Label: "lo", Prefix: netip.MustParsePrefix("127.0.0.1/8")})
	s.k.AddAddr(routecmd.Addr{Dev: "lo", Label: "lo", Prefix: netip.MustParsePrefix("::1/128")})
	var names []string
	// Devices with a stanza that is not inert are simulated whole: an inert stanza of the
	// device (a manual primary) may still set the link up that an alias's route needs.
	relevant := map[string]bool{}
	// ifupdown 0.8 gives lo an `inet loopback` stanza of its own unless some stanza uses the
	// loopback method (checked with the real ifquery: `iface eth1 inet loopback` alone makes
	// ifup -a fail with "unknown interface lo").
	s.declared["lo"] = !slices.ContainsFunc(cfg.Stanzas, func(st *parser.Stanza) bool { return st.Method == "loopback" })
	// Where the hotplug pass depends on ifup -a's exit status, an inert stanza that fails
	// (a method's required option missing: `inet6 6to4` without local) matters too.
	hot := hotplugNames(cfg)
	everyStanza := len(hot) > 0
	for _, st := range cfg.Stanzas {
		s.declared[st.Name] = true
		if everyStanza || !s.inert(st) {
			relevant[st.Base()] = true
		}
	}
	for _, st := range cfg.Stanzas {
		if !relevant[st.Base()] {
			continue
		}
		if s.byName[st.Name] == nil {
			names = append(names, st.Name)
		}
		s.byName[st.Name] = append(s.byName[st.Name], st)
		s.res.Stanzas[st] = &Stanza{}
	}
	// ifup -a brings up the auto class (auto and allow-auto lines share it), then the hotplug pass.
	for i, class := range [][]string{{"auto", "allow-auto"}, {"allow-hotplug"}} {
		var first map[*parser.Stanza]*Stanza
		if i > 0 {
			if init == sysvinitFailed {
				break
			}
			if init == sysvinit {
				if s.res.autoFailed {
					break // /etc/init.d/networking: ifup -a && ifup_hotplug
				}
				// Where ifup -a succeeds only if a command known only at run time does, so
				// does the hotplug pass run.
				s.passGuess = s.autoGuess()
				s.res.Guess = s.passGuess
			}
			first = s.retryFailed()
		}
		bring := func(n string) {
			s.ifup(n, Boot)
			if i == 0 && s.failed(n) {
				s.res.autoFailed = true
			}
		}
		if i == 0 {
			bring("lo") // ifupdown 0.8's auto class starts with lo, named or not
		}
		for _, sel := range cfg.Selections {
			if slices.Contains(class, sel.Keyword) {
				for _, n := range sel.Names {
					if i > 0 {
						// ifquery --list prints the physical part of PHYS=LOGICAL, and both the
						// init script's pass and udev bring up PHYS by its own name (red-team
						// pass 5: checked with the real ifquery).
						n, _, _ = strings.Cut(n, "=")
					}
					if i > 0 && init == systemd && !udevBrings(n) {
						continue
					}
					bring(n)
					if i > 0 && init == systemd {
						// udev's ifup --allow=hotplug DEV brings up, after DEV, the names of
						// the class that start with "DEV." (checked with the real ifup -n).
						for _, m := range hot {
							if m, _, _ = strings.Cut(m, "="); strings.HasPrefix(m, n+".") {
								bring(m)
							}
						}
					}
				}
			}
		}
		s.keepFirst(first)
	}
	s.snapBoot()
	s.later(names)
	return s.res
}

func newSim(cfg *parser.Config, ed Edits) *sim {
	s := &sim{cfg: cfg, ed: ed, k: &routecmd.Kernel{AnyLink: true, Up: map[string]bool{}}, up: map[string]bool{}, tried: map[string]bool{}, addrs: map[addrKey]bool{}, byName: map[string][]*parser.Stanza{}, declared: map[string]bool{},
		vars: map[*parser.Stanza]*vars{},
		res:  &Result{Stanzas: map[*parser.Stanza]*Stanza{}, Holder: map[routecmd.Route]*Request{}}}
	s.bring = s.ifup
	return s
}

// failed reports whether ifup failed for target: it has no stanza ("unknown interface": ifup -a
// exits 1, checked with the real ifup) or a stanza of it failed.
func (s *sim) failed(target string) bool {
	phys, logical, ok := strings.Cut(target, "=")
	if !ok {
		logical = phys
	}
	return !s.declared[logical] || s.tried[phys] && !s.up[phys]
}

// autoGuess is the first command of the boot so far taken as succeeding ("" when none).
func (s *sim) autoGuess() string {
	for _, st := range s.cfg.Stanzas {
		if r := s.res.Stanzas[st]; r != nil && r.Phase == Boot && r.guess != "" {
			return r.guess
		}
	}
	return ""
}

// retryFailed lets ifup run again for the interfaces that failed: ifupdown records only those
// that came up, so udev's ifup@ (systemd) tries a failed one again, on what the host has by then
// (another interface's address may have made its gateway reachable). It returns the first
// attempt's results of their stanzas, which keepFirst merges back.
func (s *sim) retryFailed() map[*parser.Stanza]*Stanza {
	first := map[*parser.Stanza]*Stanza{}
	for phys := range s.tried {
		if !s.up[phys] {
			s.retry(phys, first)
		}
	}
	return first
}

// retry lets ifup run again for phys, which failed, keeping its stanzas' first results in first
// for keepFirst.
func (s *sim) retry(phys string, first map[*parser.Stanza]*Stanza) {
	delete(s.tried, phys)
	for _, st := range s.byName[phys] {
		first[st] = s.res.Stanzas[st]
		s.res.Stanzas[st] = &Stanza{}
	}
}

// keepFirst merges the first attempt's results back after a retry: a stanza the retry got no
// further in keeps its first result (its failure is the one ifup reported first; a retry that
// fails again, often because the first attempt left its address behind, says less), with what
// the retry asked the kernel for added. An interface the retry did not reach is as it was.
func (s *sim) keepFirst(first map[*parser.Stanza]*Stanza) {
	for st, f := range first {
		r := s.res.Stanzas[st]
		switch {
		case r.Phase == NotReached && !s.tried[st.Name]:
			s.res.Stanzas[st], s.tried[st.Name] = f, true
		case r.Up && !f.Up, f.Phase == NotReached && r.Phase != NotReached:
			// the retry got further: its result stands
		default:
			f.Requests = append(f.Requests, r.Requests...)
			s.res.Stanzas[st] = f
		}
	}
}

// snapBoot records the routes after boot.
func (s *sim) snapBoot() {
	s.res.Boot = s.k.Routes()
	s.res.BootHolder = make(map[routecmd.Route]*Request, len(s.res.Holder))
	for r, q := range s.res.Holder {
		s.res.BootHolder[r] = q
	}
}

// later brings up the interfaces boot left down, as a person would by hand: in an order nobody
// can know, so each interface (with its aliases, primary first) comes up on its own from the
// state after boot, and All joins what each added. A collision between two of them is then not
// modelled: which one would fail depends on that order. A route of boot that one interface
// replaced or deleted is left out of All, unless a later interface, in this order, leaves it in
// place: then it is back (listed twice, and without a Holder entry). So for such
// routes All is one order's answer, not every order's.
func (s *sim) later(names []string) {
	bootRoutes := s.k.Routes()
	nAddrs, nUp, devRoutes, others := len(s.k.Addrs), len(s.upLinks), s.k.DevRoutes, s.k.OthersMark()
	var added []routecmd.Route // routes some interface added, in order; inAll says which remain
	inAll := map[routecmd.Route]bool{}
	for _, r := range bootRoutes {
		inAll[r] = true
	}
	gone := 0 // routes of boot that inAll leaves out
	groups := map[string][]string{}
	var order []string
	for _, alias := range []bool{false, true} {
		for _, n := range names {
			if strings.Contains(n, ":") == alias {
				b := base(n)
				if groups[b] == nil {
					order = append(order, b)
				}
				groups[b] = append(groups[b], n)
			}
		}
	}
	for _, b := range order {
		s.upNow = nil
		mark := len(s.k.Changes)
		for _, n := range groups[b] {
			if s.bring != nil {
				s.bring(n, Later)
			} else {
				s.ifup(n, Later)
			}
		}
		// An interface that changed no route leaves boot's: nothing to join unless a route of
		// boot was left out before.
		if changed := len(s.k.Changes) > mark; changed || gone > 0 {
			now := bootRoutes
			if changed {
				now = s.k.Routes()
			}
			nowSet := make(map[routecmd.Route]bool, len(now))
			for _, r := range now {
				nowSet[r] = true
				if !inAll[r] {
					inAll[r] = true
					added = append(added, r)
				}
			}
			gone = 0
			for _, r := range bootRoutes {
				if !nowSet[r] { // replaced or deleted by this interface
					inAll[r] = false
					gone++
				}
			}
		}
		// Back to the state after boot for the next one.
		s.k.Restore(mark)
		for _, a := range s.k.Addrs[nAddrs:] {
			ak := addrKey{a.Dev, a.Prefix.Addr(), 0}
			if ak.addr.Is4() {
				ak.bits = a.Prefix.Bits()
			}
			delete(s.addrs, ak)
		}
		s.k.TrimAddrs(nAddrs)
		s.k.DevRoutes = devRoutes
		s.k.RestoreOthers(others)
		for _, d := range s.upLinks[nUp:] {
			delete(s.k.Up, d)
			delete(s.linkedBy, d)
		}
		s.upLinks = s.upLinks[:nUp]
		for _, n := range s.upNow {
			delete(s.up, n)
			delete(s.tried, n)
		}
	}
	for _, r := range append(bootRoutes, added...) {
		if inAll[r] {
			s.res.All = append(s.res.All, r)
		}
	}
}

// inert reports whether bringing the stanza up can do nothing to the default routes or to what
// others' routes depend on: no gateway, no command, nothing inherited or added, and a method that
// adds no address, route or device and learns nothing at run time. Such stanzas are not
// simulated (a configuration of a million of them stays cheap).
func (s *sim) inert(st *parser.Stanza) bool {
	if st.Parent != nil || len(s.ed.Added[st]) > 0 {
		return false
	}
	m, ok := methods[st.Family+" "+st.Method]
	if !ok || m.address || m.route != nil || m.dynamic || m.unknown != "" {
		return false
	}
	for _, o := range st.Options {
		switch o.Name {
		case "gateway", "gateway?", "pre-up", "up", "post-up":
			return false
		}
	}
	return true
}

// notSimulated is the result of a stanza that was not simulated: one that cannot matter.
var notSimulated = &Stanza{Up: true}

// Of returns what bringing stanza st up did.
func (r *Result) Of(st *parser.Stanza) *Stanza {
	if x := r.Stanzas[st]; x != nil {
		return x
	}
	return notSimulated
}

// base is the device an interface name acts on: the name before its alias label.
func base(name string) string {
	if i := strings.IndexByte(name, ':'); i >= 0 {
		return name[:i]
	}
	return name
}

// addrKey is an address on a device.
type addrKey struct {
	dev  string
	addr netip.Addr
	bits int
}

type sim struct {
	cfg     *parser.Config
	ed      Edits
	k       *routecmd.Kernel
	up      map[string]bool // physical interfaces configured (ifupdown's state)
	tried   map[string]bool // physical interfaces ifup was run for
	upLinks []string        // devices set up, in order
	// linkedBy names, for each device set up, the interface whose stanza (current) set it up.
	linkedBy map[string]string
	current  *parser.Stanza // the stanza being brought up
	ownLink  bool           // its method has set its device up (whoever did first)
	upNow    []string       // the names up or tried set since later began the current interface
	addrs    map[addrKey]bool
	byName   map[string][]*parser.Stanza
	// declared holds every name with a stanza, simulated or not.
	declared map[string]bool
	vars     map[*parser.Stanza]*vars
	res      *Result
	bring    func(name string, phase Phase) // the dialect's ifup for one name (nil: ifup)
	bb       bool                           // busybox: targets come up as ifupBusybox brings them
	// passGuess is a command taken as succeeding that the current pass runs only after (the
	// hotplug pass runs only if ifup -a succeeds).
	passGuess string
}

// ifup is do_interface for one target ("PHYS" or "PHYS=LOGICAL").
func (s *sim) ifup(target string, phase Phase) {
	if s.bb {
		s.ifupBusybox(target, phase)
		return
	}
	phys, logical, ok := strings.Cut(target, "=")
	if !ok {
		logical = phys
	}
	if s.up[phys] || s.tried[phys] {
		return // already configured, or failed in this pass (retryFailed lets the next one try again)
	}
	if !s.declared[logical] {
		return // ifup: "unknown interface", and a VLAN's parent is not brought up for it
	}
	parentFailed, parentGuess, parentOrdinary := "", "", ""
	if i := strings.IndexByte(phys, '.'); i > 0 {
		parent := phys[:i]
		// A VLAN's parent first; one that failed is tried again (ifupdown records only names
		// that came up, and ifup -n prints the parent's commands again for each VLAN).
		first := map[*parser.Stanza]*Stanza{}
		if s.tried[parent] && !s.up[parent] {
			s.retry(parent, first)
		}
		s.ifup(parent, phase)
		s.keepFirst(first)
		if s.tried[parent] && !s.up[parent] {
			parentFailed = parent
		}
		// The VLAN's stanzas run only if every stanza of its parent came up: what the parent
		// took as succeeding is taken for them too (seed 6804119816: a check in the parent's
		// inet6 stanza).
		for _, st := range s.byName[parent] {
			if r := s.res.Stanzas[st]; r != nil {
				parentGuess, parentOrdinary = cmp.Or(parentGuess, r.guess), cmp.Or(parentOrdinary, r.ordinary)
			}
		}
	}
	stanzas := s.byName[logical]
	if len(stanzas) == 0 || s.up[phys] {
		return
	}
	ok = true
	if parentFailed != "" {
		// ifup: "could not bring up parent interface"; none of the stanzas runs.
		r := s.res.Stanzas[stanzas[0]]
		r.Phase, r.Why = phase, "its parent interface "+parentFailed+" does not come up"
		ok = false
	}
	guess, ordinary := cmp.Or(s.passGuess, parentGuess), parentOrdinary // what an earlier stanza of the name (or the parent) took as succeeding
	for _, st := range stanzas {
		r := s.res.Stanzas[st]
		if r.Phase != NotReached {
			continue // brought up before under another physical name: the model keeps the first
		}
		if !ok {
			continue
		}
		r.Phase = phase
		// Reached only if those succeed: its requests say so (Request.After, AfterOther).
		r.guess, r.ordinary = guess, ordinary
		s.stanza(st, r, phys)
		ok = r.Up
		guess, ordinary = r.guess, r.ordinary
	}
	s.tried[phys] = true
	s.upNow = append(s.upNow, phys)
	if ok {
		s.up[phys] = true
	}
}

// stanza runs one stanza's pre-up commands, method and up commands (iface_up).
func (s *sim) stanza(st *parser.Stanza, r *Stanza, phys string) {
	s.current, s.ownLink = st, false
	defer func() { s.current = nil }()
	r.seen(s.k)
	v := s.variables(st)
	m, known := methods[st.Family+" "+st.Method]
	for _, need := range m.required {
		if v.get(need) == nil {
			r.Why = "missing required variable: " + need
			return
		}
	}
	r.Dynamic = m.dynamic
	r.Unknown = m.unknown
	if !known {
		r.Unknown = "method " + st.Method + " is not modelled"
	}
	if m.mayRemove || !known {
		s.remover(st, r, "its "+st.Method+" method", EitherFamily)
	}
	if r.Unknown != "" && r.guess == "" {
		// Whether its program (or tunnel) succeeds is the host's: what runs after it, and
		// ifup -a's exit status, are taken on faith (seed 6803804703: a 6to4 stanza).
		r.guess = st.Name + "'s " + st.Method + " method"
	}
	for _, c := range v.cmds {
		if c.phase == "pre-up" && !s.command(st, r, phys, v, c) {
			return
		}
	}
	r.MethodAfter = r.guess
	if !s.method(st, r, phys, v, m) {
		return
	}
	for _, c := range v.cmds {
		if c.phase == "up" && !s.command(st, r, phys, v, c) {
			return
		}
	}
	r.Up = true
}

// command runs one pre-up or up option; it returns false when the stanza fails there.
func (s *sim) command(st *parser.Stanza, r *Stanza, phys string, v *vars, c cmd) bool {
	return s.runCommand(st, r, v.env(phys, st, c.phase), c)
}

// runCommand runs command c of stanza st with the environment env; it returns false when the
// stanza fails there.
func (s *sim) runCommand(st *parser.Stanza, r *Stanza, env routecmd.Env, c cmd) bool {
	mark := len(s.k.Changes)
	res, ok, errs := s.k.Run(c.value, env)
	q := s.record(st, r, []*parser.Opt{c.opt}, true, res.Ops, errs, mark)
	if f := removes(res); f != "" {
		s.remover(st, r, "`"+c.opt.Name+" "+c.value+"`", f)
	}
	if res.Rules != "" && r.Rules == "" {
		r.Rules = c.opt.Name + " " + c.value
	}
	if q != nil {
		q.Rules = res.Rules != ""
	}
	for _, d := range res.LinksUp {
		s.linkUp(d) // `ip link set dev eth1 up` in pre-up: what follows finds the link up
	}
	unknown := ""
	switch {
	case res.Verdict == routecmd.Unparsed:
		unknown = "a command the shell parser rejects: " + c.opt.Name + " " + c.value
	case len(res.DefaultRoutes()) > 0:
		for i, op := range res.Ops {
			if op.Unknown != "" || op.Background || i < len(errs) && errors.Is(errs[i], routecmd.ErrUnmodeled) {
				unknown = "a default-route command whose effect is known only at run time: " + c.opt.Name + " " + c.value
				if q != nil && recorded(op) {
					q.RunTime = append(q.RunTime, op)
				}
				if op.Background && op.Unknown == "" {
					// It races with what ifup runs next (the address it may need, the link).
					unknown = "a default-route command run in the background, whose effect depends on when it runs: " + c.opt.Name + " " + c.value
				}
				if r.UnknownFamily == "" {
					r.UnknownFamily, r.UnknownMetric = op.Family, -1
					if op.EitherFamily {
						r.UnknownFamily = EitherFamily
					} else if !op.HasUnknownWord() {
						r.UnknownMetric = int(routecmd.StoredMetric(op.Family, op.Metric)) // only the gateway (or another word) is unknown
					}
				}
			}
		}
	}
	if unknown == "" && slices.ContainsFunc(res.Ops, func(op routecmd.Op) bool { return op.Default && op.Unknown != "" }) {
		// A default route of another table with a word known only at run time: what it adds
		// depends on what the host has then, even where the line's status is ignored (|| true).
		unknown = "a default-route command whose effect is known only at run time: " + c.opt.Name + " " + c.value
	}
	if unknown == "" && res.Unfollowed != "" {
		// It removes routes, or brings an interface up or down, in ways the model does not follow:
		// any default route of either family may be its (a wrapped `ip route add default`
		// takes a slot another stanza's gateway then finds full: seed 6802900098).
		unknown = "a command that changes routes in a way the model does not follow (" + res.Unfollowed + "): " + c.opt.Name + " " + c.value
		if r.UnknownFamily == "" {
			r.UnknownFamily, r.UnknownMetric = EitherFamily, -1
		}
	}
	if unknown == "" && res.Guard != "" && !res.IgnoreStatus {
		// A check (test -e FILE): whether the line succeeds is the host's.
		unknown = "a check whose status is known only at run time (" + res.Guard + "): " + c.opt.Name + " " + c.value
	}
	if unknown == "" && !ok && slices.ContainsFunc(errs, func(err error) bool { return errors.Is(err, routecmd.ErrUnmodeled) }) {
		// Another route with a word known only at run time.
		unknown = "a route command whose effect is known only at run time: " + c.opt.Name + " " + c.value
	}
	if unknown != "" {
		if r.Unknown == "" {
			r.Unknown = unknown
		}
		if r.guess == "" {
			r.guess = c.opt.Name + " " + c.value
		}
		return true // its exit status is not known: taken as success
	}
	if !ok && !res.IgnoreStatus {
		r.Why, r.At = "the command "+c.opt.Name+" "+c.value+" fails", c.opt
		return false
	}
	if res.Verdict == routecmd.Other && !res.IgnoreStatus && r.ordinary == "" {
		r.ordinary = c.opt.Name + " " + c.value
	}
	if res.StatusOnFaith && r.guess == "" {
		// Its status is the host's (a missing rules file, a device that refuses a setting):
		// what runs after it is reached on faith (red-team pass 7, live).
		r.guess = c.opt.Name + " " + c.value
	}
	return true
}

// remover records a Remover of st (what, family) at this point of the bring-up.
func (s *sim) remover(st *parser.Stanza, r *Stanza, what, family string) {
	s.res.Removers = append(s.res.Removers, Remover{Stanza: st, What: what, Family: family, Phase: r.Phase, Seq: len(s.res.Requests)})
}

// removes returns the family of the default routes a command line may delete at run time
// (EitherFamily for both; see Remover), or "" when it deletes none the model does not apply.
func removes(res routecmd.Result) string {
	if res.Unfollowed != "" {
		return EitherFamily
	}
	fam := ""
	for _, op := range res.Ops {
		if op.Action != "delete" || !op.Default && op.Dst != "" {
			continue // no delete, or one of another destination
		}
		if op.Unknown == "" && !op.HasUnknownWord() && !op.Background && !op.Conditional {
			continue // the model applies it
		}
		f := op.Family
		if op.EitherFamily || op.Dst == "" || fam != "" && fam != f { // ip takes the family from a destination known at run time
			f = EitherFamily
		}
		fam = f
	}
	return fam
}

// recorded reports whether a request keeps op: a main-table default-route operation that parsed.
func recorded(op routecmd.Op) bool { return op.Default && op.Main() && op.Err == "" }

// record keeps a request for the default-route operations ops of one line.
func (s *sim) record(st *parser.Stanza, r *Stanza, opts []*parser.Opt, command bool, ops []routecmd.Op, errs []error, mark int) *Request {
	q := &Request{Stanza: st, Opts: opts, Command: command, Phase: r.Phase, After: r.guess, AfterOther: r.ordinary}
	for i, op := range ops {
		if !recorded(op) {
			continue
		}
		q.Ops = append(q.Ops, op)
		if q.Family == "" {
			q.Family = op.Family
		}
		if i < len(errs) && errs[i] != nil && q.Err == nil {
			q.Err = errs[i]
			if errors.Is(q.Err, routecmd.ErrExist) {
				if l := s.k.SlotAt(mark, op.Family, op.KernelTable(), routecmd.StoredMetric(op.Family, op.Metric)); len(l) > 0 {
					rt := l[0]
					q.Blocker, q.Holder = &rt, s.res.Holder[rt]
				}
			}
		}
	}
	if len(q.Ops) == 0 {
		return nil
	}
	for _, c := range s.k.Changes[mark:] {
		for _, rt := range c.Removed {
			if i := slices.Index(q.Added, rt); i >= 0 {
				q.Added = slices.Delete(q.Added, i, i+1)
			} else {
				q.Removed = append(q.Removed, rt)
			}
			delete(s.res.Holder, rt)
		}
		for _, rt := range c.Added {
			q.Added = append(q.Added, rt)
			s.res.Holder[rt] = q
			if gw, err := netip.ParseAddr(rt.Gateway); err == nil && !rt.Onlink && q.Through == nil {
				q.Through = s.k.ReachedThrough(gw, rt.Dev)
			}
			if by := s.linkedBy[rt.Dev]; by != "" && by != st.Name && q.LinkedBy == "" && !s.ownLink {
				q.LinkedBy = by
			}
		}
	}
	r.Requests = append(r.Requests, q)
	s.res.Requests = append(s.res.Requests, q)
	return q
}

// method runs the method's up commands that matter to routes: its addresses and its gateway
// route. It returns false when the stanza fails there.
func (s *sim) method(st *parser.Stanza, r *Stanza, phys string, v *vars, m method) bool {
	if len(phys) > routecmd.MaxNameLen && (m.address || m.up || m.route != nil) {
		r.Why = "its name is longer than 15 bytes, so ip finds no device " + strconv.Quote(phys)
		return false
	}
	if m.address && (!m.optAddress || v.get("address") != nil && v.get("netmask") != nil) {
		a := v.get("address")
		if first, _, more := strings.Cut(a.value, "\n"); st.Family == "inet6" && more &&
			(v.get("netmask") == nil || !strings.Contains(first, "/")) {
			// ifupdown cuts the joined value at its '/' (strtok): inet reads the mask with atoi,
			// which stops at the newline, but inet6 prints both parts into ip -6 addr add, and
			// the newline is left in one of them unless a netmask line replaces the second.
			r.Why = "its repeated address lines are joined with a newline, which splits its ip -6 addr add into two failing commands"
			return false
		}
		p, ok, unknown := prefix(st.Family, a.value, v.get("netmask"))
		r.markUnknown(unknown)
		if !ok {
			if nm := v.get("netmask"); nm != nil {
				r.Why = "its address " + strconv.Quote(a.value) + " with netmask " + strconv.Quote(nm.value) +
					" is no valid " + st.Family + " address to ip addr add (ifup puts the netmask in place of any /LEN)"
			} else {
				r.Why = "its address " + strconv.Quote(a.value) + " is not a valid " + st.Family + " address"
			}
			return false
		}
		ak := addrKey{base(phys), p.Addr(), 0}
		if p.Addr().Is4() {
			ak.bits = p.Bits() // IPv4 keeps one address with two masks; IPv6 does not
		}
		if s.addrs[ak] {
			exists := "File exists"
			if p.Addr().Is6() {
				exists = "address already assigned"
			}
			r.Why = "its address " + p.String() + " is already on " + base(phys) + " (ip addr add: " + exists + ")"
			return false
		}
		s.addrs[ak] = true
		r.markUnknown(prefixRouteDefault(p))
		ad := routecmd.Addr{Dev: base(phys), Label: phys, Prefix: p}
		r.onHost(addrOptions(st.Family, phys, v, &ad))
		s.k.AddAddr(ad)
	}
	if mt := v.get("mtu"); mt != nil && slices.Contains(m.link, "mtu") {
		r.markUnknown(ipv6Off(mt.value, base(phys)))
	}
	r.onHost(hostLink(phys, v, m))
	if m.up {
		s.linkUp(base(phys))
		s.ownLink = true
	}
	gw := v.get("gateway")
	if m.route == nil || gw == nil {
		return true
	}
	if m.hostRoute {
		host := "ip route add " + gw.value + " dev " + phys
		if _, ok, _ := s.k.Run(host, v.env(phys, st, "up")); !ok {
			r.Why = "its route to the gateway fails: " + host
			return false
		}
	}
	cmd := m.route(v, phys)
	first, rest, multi := strings.Cut(cmd, "\n")
	mark := len(s.k.Changes)
	var res routecmd.Result
	var ok bool
	var errs []error
	if argv, plain := words(first); plain {
		op, isRoute := routecmd.Command(argv)
		res.Ops = []routecmd.Op{op}
		if isRoute {
			err := s.k.Apply(op)
			errs, ok = []error{err}, err == nil
		}
	} else {
		res, ok, errs = s.k.Run(first, v.env(phys, st, "up"))
	}
	q := s.record(st, r, gw.from, false, res.Ops, errs, mark)
	switch {
	case multi:
		// A value given on several lines is joined with newlines: the rest of the command runs
		// as more shell lines, starting with the value's next line, which is no command.
		r.Why = "its " + strings.SplitN(rest, " ", 2)[0] + " line is run as a command (a repeated option is joined with a newline)"
		return false
	case !ok:
		switch {
		case q != nil && errors.Is(q.Err, routecmd.ErrExist):
			r.Why = "its `ip route add default` fails with 'File exists'"
		case q != nil && q.Err != nil:
			r.Why = "its gateway route fails: " + q.Err.Error()
		default:
			r.Why = "its gateway route command fails: " + cmd
		}
		return false
	}
	return true
}

// linkUp sets a device's link up, to be undone by later's reset.
func (s *sim) linkUp(dev string) {
	if !s.k.Up[dev] {
		s.k.Up[dev] = true
		s.upLinks = append(s.upLinks, dev)
		if s.current != nil {
			if s.linkedBy == nil {
				s.linkedBy = map[string]string{}
			}
			s.linkedBy[dev] = s.current.Name
		}
	}
}

// words splits a command into words when it has nothing the shell would treat specially.
func words(cmd string) ([]string, bool) {
	if strings.ContainsAny(cmd, "#$`\\\"';&|<>(){}*?[]~=\t\r\v\f") {
		return nil, false
	}
	return strings.Fields(cmd), true
}

// prefix is the address an address option gives, as ip addr add receives it after ifupdown's
// conversions (archlinux.c): for inet, compute_v4_addr and compute_v4_mask (the address's /LEN,
// else the classful mask); for inet6, get_token (the first two '/' tokens); a netmask line in
// place of any /LEN. unknown is set where ifupdown hands ip a mask from memory it never wrote.
func prefix(family, value string, netmask *variable) (p netip.Prefix, ok bool, unknown string) {
	addr, mask := value, ""
	if family == "inet" {
		if t := strtok(cString(value, 33), "/"); len(t) > 0 {
			addr = t[0]
		}
		if netmask != nil {
			mask = netmask.value
		} else if mask, ok = v4Mask(value); !ok {
			a, err := netip.ParseAddr(addr)
			return netip.PrefixFrom(a, 32), err == nil, "an address whose netmask ifupdown takes from memory it never set (a /LEN that reads as -1)"
		}
		// ip addr add, without -4: the address says the family.
		p, ok = routecmd.AddrPrefix(addr+"/"+mask, "")
		return p, ok, ""
	}
	if t := strtok(value, "/"); len(t) > 0 {
		addr = t[0]
		if len(t) > 1 {
			mask = t[1]
		}
	}
	if netmask != nil {
		mask = netmask.value
	}
	if mask != "" {
		addr += "/" + mask
	}
	p, ok = routecmd.AddrPrefix(addr, "inet6")
	return p, ok, ""
}

// v4Mask is compute_v4_mask: the dotted mask ifupdown puts after an inet address without a
// netmask line, or the value itself where it leaves it so (checked with the real ifup -n:
// /33 to /64 become 0.0.0.0, /80 255.255.0.0, /24x 255.255.255.0). It is false where the mask
// is stack garbage: a width that reads as -1.
func v4Mask(value string) (string, bool) {
	t := strtok(cString(value, 33), "/")
	if len(t) == 0 {
		return value, true
	}
	a, err := netip.ParseAddr(t[0])
	if err != nil || !a.Is4() {
		return value, true // inet_pton fails: the netmask stays a copy of the address
	}
	var width int32
	switch {
	case len(t) == 1:
		switch b := a.As4()[0]; {
		case b <= 127:
			width = 8
		case b <= 191:
			width = 16
		case b <= 223:
			width = 24
		default:
			width = 32
		}
	default:
		if m, err := netip.ParseAddr(t[1]); err == nil && m.Is4() {
			return t[1], true // inet_pton takes it as the mask itself
		}
		n, ok := scanInt(t[1])
		if !ok {
			return value, true
		}
		width = n
	}
	if width == -1 {
		return "", false
	}
	// htonl(~((1L << (32 - maskwidth)) - 1)): a 64-bit shift, whose count x86-64 takes mod 64.
	k := uint32(32-width) & 63
	m := uint32(^((uint64(1) << k) - 1))
	return netip.AddrFrom4([4]byte{byte(m >> 24), byte(m >> 16), byte(m >> 8), byte(m)}).String(), true
}

// scanInt is sscanf("%d") into an int: blanks, a sign and decimal digits, the rest ignored;
// glibc reads a long (clamped at its limits) and stores its low 32 bits.
func scanInt(s string) (int32, bool) {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg, s = s[0] == '-', s[1:]
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if neg {
		n = -n
		if err != nil {
			n = math.MinInt64
		}
	} else if err != nil {
		n = math.MaxInt64
	}
	return int32(n), true
}

// strtok splits s at runs of the bytes of sep, dropping empty tokens, as strtok(3) does.
func strtok(s, sep string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(sep, r) })
}

// cString is s as a C buffer of n+1 bytes holds it (strncpy, then the last byte set to NUL): its
// first n bytes.
func cString(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
