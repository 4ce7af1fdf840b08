package live

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/ifacefix/ifacefix/internal/bringup"
	"github.com/ifacefix/ifacefix/internal/plan"
	"github.com/ifacefix/ifacefix/internal/routecmd"
	"github.com/ifacefix/ifacefix/parser"
)

// Rules of the live findings (they are not fixer rules: they are about the running host).
const (
	RuleDuplicate   = "live-duplicate-default" // equal-metric default routes that differ only in src or flags
	RuleStale       = "live-stale-route"       // a route a line added that the fixed configuration no longer asks for
	RuleUnexplained = "live-unexplained-route" // a default route no line asks for: left alone
	RuleMissing     = "live-missing-route"     // a default route the configuration asks for that the kernel lacks
	RuleMetric      = "live-metric"            // the kernel's route has another metric than the configured one
	RuleState       = "live-state"             // addresses up, state not (or the other way round)
)

// Rules lists the live rules, in the README's order.
var Rules = []string{RuleDuplicate, RuleStale, RuleMissing, RuleMetric, RuleUnexplained, RuleState}

// Input is what Check compares.
type Input struct {
	Old   *parser.Config // the configuration as read
	Fixed *parser.Config // as fixed (Old when nothing changes)
	Snap  *Snapshot
	// State is the dialect's record (nil with StateErr: the state checks are skipped).
	State     []Entry
	StateErr  error
	StatePath string
}

// Route is one of the kernel's default routes and what the configuration says of it.
type Route struct {
	routecmd.Route
	From   string // PATH:LINE of the line that asks for it, "" when none does
	Wanted bool   // a clean boot with the fixed configuration gives it
}

// Change is one change to the running host, planned or made.
type Change struct {
	Action  string          // "append" or "del" (a route), "state" (an interface recorded as up)
	Route   *routecmd.Route // append, del
	Entry   *Entry          // state
	Command []string        // append, del: the ip command that makes it
	Done    bool
}

// Text is the change as a shell line: the ip command, or a comment for a state change.
func (c *Change) Text(statePath string) string {
	if c.Action == "state" {
		return fmt.Sprintf("# record %s as up in %s (%s=%s)", c.Entry.Logical, statePath, c.Entry.Phys, c.Entry.Logical)
	}
	return strings.Join(c.Command, " ")
}

// Audit is what Check found and what a repair changes.
type Audit struct {
	Findings  []plan.Finding
	Routes    []Route // the kernel's default routes, before any change
	Changes   []*Change
	StatePath string
	// Refused says why the route changes cannot be made safely ("" when they can).
	Refused string

	before  *Snapshot
	expect  []routecmd.Route // the default routes after the repair
	checks  []check
	rank    map[string]int
	fixedBy map[int][]*Change // finding index -> the changes that fix it
}

// check is one route lookup the repair verifies: the destination, and what the answer must be.
type check struct {
	dst    netip.Addr
	routes []routecmd.Route // the answer's gateway and device are one of these
	src    string           // the source address it must choose ("" when not checked)
}

type auditor struct {
	in         Input
	a          *Audit
	old, fixed *bringup.Result
	up         map[string]bool // logical names the state records as up
	present    map[addrKey]bool
}

type addrKey struct {
	dev  string
	addr netip.Addr
}

// Check compares the kernel and the state with the configuration and plans the repair.
func Check(in Input) *Audit {
	a := &Audit{before: in.Snap, StatePath: in.StatePath, fixedBy: map[int][]*Change{}}
	au := &auditor{in: in, a: a, up: map[string]bool{}, present: map[addrKey]bool{}}
	au.old = bringup.Simulate(in.Old, bringup.Edits{})
	au.fixed = au.old
	if in.Fixed != in.Old {
		au.fixed = bringup.Simulate(in.Fixed, bringup.Edits{})
	}
	for _, e := range in.State {
		au.up[e.Logical] = true
	}
	for _, ad := range in.Snap.Addrs {
		au.present[addrKey{ad.Dev, ad.Prefix.Addr()}] = true
	}
	au.routes()
	au.state()
	for fi, cs := range a.fixedBy {
		a.Findings[fi].Fixed = !slices.ContainsFunc(cs, func(c *Change) bool { return c.Route != nil && a.Refused != "" })
	}
	return a
}

// where is the PATH:LINE of an option.
func where(o *parser.Opt) string { return fmt.Sprintf("%s:%d", o.Stanza.File.Path, o.L().Pos()) }

// finding adds a finding at option o (or, without one, at stanza s's iface line, or the top file)
// and returns its index.
func (au *auditor) finding(rule string, o *parser.Opt, s *parser.Stanza, family, format string, args ...any) int {
	f := plan.Finding{Rule: rule, Family: family, Message: fmt.Sprintf(format, args...)}
	switch {
	case o != nil:
		f.Path, f.Line, f.Iface = o.Stanza.File.Path, o.L().Pos(), o.Stanza.Name
	case s != nil:
		f.Path, f.Line, f.Iface = s.File.Path, s.HeaderLine().Pos(), s.Name
	default:
		f.Path = au.in.Old.Files[0].Path
	}
	au.a.Findings = append(au.a.Findings, f)
	return len(au.a.Findings) - 1
}

// addresses returns the addresses a stanza's address option gives (none for other methods).
func addresses(s *parser.Stanza) []netip.Addr {
	var out []netip.Addr
	for _, o := range s.Effective() {
		if o.Name != "address" {
			continue
		}
		v, _, _ := strings.Cut(o.Value, "\n")
		v, _, _ = strings.Cut(strings.TrimSpace(v), "/")
		if ad, err := netip.ParseAddr(v); err == nil {
			out = append(out, ad)
		}
	}
	return out
}

// addrsUp reports whether the logical interface name has addresses in cfg and all of them are
// on its device; with no addresses, has is false.
func (au *auditor) addrsUp(cfg *parser.Config, name string) (up, has bool) {
	up = true
	for _, s := range cfg.Stanzas {
		if s.Name != name {
			continue
		}
		for _, ad := range addresses(s) {
			has = true
			if !au.present[addrKey{s.Base(), ad}] {
				up = false
			}
		}
	}
	return up && has, has
}

// live reports whether the logical interface name is up on the host: the state records it, or
// its addresses are present, or (no addresses to go by) a route of its is in the kernel.
func (au *auditor) live(name string, hasRoute bool) bool {
	if au.up[name] {
		return true
	}
	up, has := au.addrsUp(au.in.Old, name)
	return up || !has && (hasRoute || au.in.StateErr != nil)
}

// explain maps route identities to the first request of a simulation that added them.
func explain(res *bringup.Result) map[id]*bringup.Request {
	m := map[id]*bringup.Request{}
	for _, q := range res.Requests {
		for _, r := range q.Added {
			if m[idOf(r)] == nil {
				m[idOf(r)] = q
			}
		}
	}
	return m
}

// noMetric is an identity without the metric.
func noMetric(r routecmd.Route) id { x := idOf(r); x.metric = 0; return x }

// oldLine is the option (or stanza) of the configuration as read that a request of the fixed
// configuration stands for: the request's own option when the file did not change there, else
// the iface line of the same stanza in the old configuration.
func (au *auditor) oldLine(q *bringup.Request) (*parser.Opt, *parser.Stanza) {
	if au.in.Fixed == au.in.Old {
		return q.Opts[0], nil
	}
	for _, s := range au.in.Old.Stanzas {
		if s.File.Name == q.Stanza.File.Name && s.Name == q.Stanza.Name && s.Family == q.Stanza.Family {
			return nil, s
		}
	}
	return nil, nil
}

func (au *auditor) routes() {
	a, snap := au.a, au.in.Snap
	byOld, byFixed := explain(au.old), explain(au.fixed)
	oldNoMetric := map[id]*bringup.Request{}
	for _, q := range au.old.Requests {
		for _, r := range q.Added {
			if oldNoMetric[noMetric(r)] == nil {
				oldNoMetric[noMetric(r)] = q
			}
		}
	}
	// A name has a route in the kernel when one of the kernel's routes is explained by it.
	hasRoute := map[string]bool{}
	for _, r := range snap.Routes {
		if q := byOld[idOf(r)]; q != nil {
			hasRoute[q.Stanza.Name] = true
		}
	}
	// What a clean boot with the fixed configuration gives, for the interfaces that are up.
	var wanted []routecmd.Route
	wantedBy := map[int]*bringup.Request{}
	for _, r := range au.fixed.All {
		q := au.fixed.Holder[r]
		if q == nil || !au.live(q.Stanza.Name, hasRoute[q.Stanza.Name]) {
			continue
		}
		wantedBy[len(wanted)] = q
		wanted = append(wanted, r)
	}
	// Match the kernel's routes to the wanted ones: an exact match first, then by identity.
	matched := make([]bool, len(snap.Routes))
	wmatch := make([]int, len(wanted))
	for i, w := range wanted {
		wmatch[i] = -1
		for _, same := range []func(a, b routecmd.Route) bool{exact, func(a, b routecmd.Route) bool { return idOf(a) == idOf(b) }} {
			for j, r := range snap.Routes {
				if wmatch[i] < 0 && !matched[j] && same(w, r) {
					wmatch[i], matched[j] = j, true
				}
			}
		}
	}
	// Equal-metric routes of one table and family via the same gateway and device.
	dupKey := func(r routecmd.Route) id { x := idOf(r); x.src = ""; return x }
	dups := map[id][]routecmd.Route{}
	for _, r := range snap.Routes {
		dups[dupKey(r)] = append(dups[dupKey(r)], r)
	}
	dynamic := au.dynamic()
	metricFinding := map[int]int{} // wanted route -> the metric finding that names it
	var deletes []*Change
	for j, r := range snap.Routes {
		info := Route{Route: r, Wanted: matched[j]}
		q := byOld[idOf(r)]
		if q == nil {
			q = byFixed[idOf(r)]
		}
		if q != nil {
			info.From = where(q.Opts[0])
		}
		a.Routes = append(a.Routes, info)
		group := dups[dupKey(r)]
		if matched[j] {
			// The fixed configuration itself still asks for equal-metric duplicates: report
			// every one but the first it keeps.
			if q != nil && len(group) > 1 && !exact(r, keptFirst(group, snap.Routes, matched)) {
				au.finding(RuleDuplicate, q.Opts[0], nil, r.Family,
					"the kernel has %d default routes via %s dev %s of metric %d that differ only in src or flags (%s): outgoing connections leave from whichever the kernel picks; this line adds `%s`, and the configuration as fixed still asks for it",
					len(group), r.Gateway, r.Dev, r.Metric, textList(group), Text(r))
			}
			continue
		}
		switch {
		case q != nil:
			del := &Change{Action: "del", Route: &snap.Routes[j], Command: Command("del", r)}
			deletes = append(deletes, del)
			var fi int
			if len(group) > 1 {
				fi = au.finding(RuleDuplicate, q.Opts[0], nil, r.Family,
					"the kernel has %d default routes via %s dev %s of metric %d that differ only in src or flags (%s): outgoing connections leave from whichever the kernel picks; this line added `%s`, which the fixed configuration does not ask for",
					len(group), r.Gateway, r.Dev, r.Metric, textList(group), Text(r))
			} else {
				fi = au.finding(RuleStale, q.Opts[0], nil, r.Family,
					"the kernel has `%s`, which this line added and the fixed configuration no longer asks for", Text(r))
			}
			a.fixedBy[fi] = append(a.fixedBy[fi], del)
		case oldNoMetric[noMetric(r)] != nil:
			q := oldNoMetric[noMetric(r)]
			info.From = where(q.Opts[0])
			a.Routes[len(a.Routes)-1] = info
			del := &Change{Action: "del", Route: &snap.Routes[j], Command: Command("del", r)}
			deletes = append(deletes, del)
			want, wi := "", -1
			for i, w := range wanted {
				if wmatch[i] < 0 && noMetric(w) == noMetric(r) && wi < 0 {
					want, wi = fmt.Sprintf(" (the fixed configuration gives metric %d)", w.Metric), i
				}
			}
			fi := au.finding(RuleMetric, q.Opts[0], nil, r.Family,
				"the kernel's `%s` has metric %d, not the metric this line configures%s (ifupdown2 gives every gateway of a squashed interface the first metric)", Text(r), r.Metric, want)
			a.fixedBy[fi] = append(a.fixedBy[fi], del)
			if wi >= 0 {
				metricFinding[wi] = fi
			}
		case dynamic[key{r.Family, r.Dev}] != nil:
			// learnt at run time by a method of the configuration (DHCP, router advertisements)
		default:
			extra := ""
			if len(group) > 1 {
				extra = fmt.Sprintf("; it competes with %s", textList(slices.DeleteFunc(slices.Clone(group), func(x routecmd.Route) bool { return exact(x, r) })))
			}
			fi := au.finding(RuleUnexplained, nil, nil, r.Family,
				"the kernel has `%s`, which no configuration line asks for (added by hand or by a DHCP client?): left alone%s", Text(r), extra)
			// Learnt from the network (a DHCP client, router advertisements the kernel accepts
			// on a static interface): worth knowing, not a misconfiguration of the file.
			a.Findings[fi].Note = (r.Proto == "dhcp" || r.Proto == "ra") && len(group) == 1
		}
	}
	var adds []*Change
	for i, w := range wanted {
		if wmatch[i] >= 0 {
			continue
		}
		add := &Change{Action: "append", Route: &wanted[i], Command: Command("append", w)}
		adds = append(adds, add)
		if fi, ok := metricFinding[i]; ok {
			a.fixedBy[fi] = append(a.fixedBy[fi], add)
			continue
		}
		q := wantedBy[i]
		var fi int
		if oq := byOld[idOf(w)]; oq != nil {
			fi = au.finding(RuleMissing, oq.Opts[0], nil, w.Family, "the kernel lacks `%s`, which this line asks for", Text(w))
		} else {
			o, s := au.oldLine(q)
			fi = au.finding(RuleMissing, o, s, w.Family, "the kernel lacks `%s`, which the fixed configuration asks for (%s)", Text(w), where(q.Opts[0]))
		}
		a.fixedBy[fi] = append(a.fixedBy[fi], add)
	}
	a.Changes = append(adds, deletes...)
	// What the repair leaves: the kept routes and the added ones.
	for j, r := range snap.Routes {
		if matched[j] || !slices.ContainsFunc(deletes, func(c *Change) bool { return c.Route == &snap.Routes[j] }) {
			a.expect = append(a.expect, r)
		}
	}
	for _, c := range adds {
		a.expect = append(a.expect, *c.Route)
	}
	if len(a.Changes) > 0 {
		a.Refused = simulate(snap, a.Changes, a.expect)
		a.checks = checks(snap, wanted)
	}
}

type key struct{ family, dev string }

// dynamic maps (family, device) to the live stanzas whose method learns a default route at run
// time.
func (au *auditor) dynamic() map[key]*parser.Stanza {
	m := map[key]*parser.Stanza{}
	for s, r := range au.old.Stanzas {
		if r.Dynamic && r.Up && au.live(s.Name, true) {
			m[key{s.Family, s.Base()}] = s
		}
	}
	return m
}

// keptFirst is the route of a duplicate group that the comparison keeps first: the first
// wanted one without src, else the first wanted one.
func keptFirst(group, all []routecmd.Route, matched []bool) routecmd.Route {
	var first *routecmd.Route
	for j, r := range all {
		if matched[j] && slices.ContainsFunc(group, func(x routecmd.Route) bool { return exact(x, r) }) {
			if r.Src == "" {
				return r
			}
			if first == nil {
				first = &all[j]
			}
		}
	}
	return *first
}

func textList(rs []routecmd.Route) string {
	var t []string
	for _, r := range rs {
		t = append(t, "`"+Text(r)+"`")
	}
	return strings.Join(t, ", ")
}

// state reports the interfaces whose addresses are up but which the state does not record
// (ifupdown 0.8 after an alias failed on its gateway route), and plans to record those that
// the fixed configuration brings up; and the interfaces recorded up whose addresses are gone.
func (au *auditor) state() {
	in, a := au.in, au.a
	if in.StateErr != nil {
		return
	}
	a.rank = map[string]int{}
	for i, n := range bootOrder(in.Fixed) {
		a.rank[n] = i
	}
	seen := map[string]bool{}
	for _, s := range in.Old.Stanzas {
		if seen[s.Name] {
			continue
		}
		seen[s.Name] = true
		up, has := au.addrsUp(in.Old, s.Name)
		switch {
		case up && !au.up[s.Name]:
			why := ""
			for _, fs := range in.Fixed.Stanzas {
				if r := au.fixed.Of(fs); fs.Name == s.Name && !r.Up && why == "" {
					why = r.Why
					if why == "" {
						why = "it is not brought up"
					}
				}
			}
			msg := fmt.Sprintf("the addresses of %s are on %s, but %s does not record %s as up: ifdown %s, ifup -a and the next reload fail on it", s.Name, s.Base(), in.StatePath, s.Name, s.Name)
			if why != "" {
				au.finding(RuleState, nil, s, s.Family, "%s; the fixed configuration still does not bring it up (%s), so it is left for a person", msg, why)
				continue
			}
			fi := au.finding(RuleState, nil, s, s.Family, "%s", msg)
			c := &Change{Action: "state", Entry: &Entry{Phys: s.Name, Logical: s.Name}}
			a.Changes = append(a.Changes, c)
			a.fixedBy[fi] = append(a.fixedBy[fi], c)
		case has && !up && au.up[s.Name]:
			au.finding(RuleState, nil, s, s.Family, "%s records %s as up, but its addresses are not all on %s: left alone", in.StatePath, s.Name, s.Base())
		}
	}
}

// bootOrder is the order in which a boot brings interfaces up: the auto lines, the
// allow-hotplug lines, then the other stanzas in file order.
func bootOrder(cfg *parser.Config) []string {
	var out []string
	seen := map[string]bool{}
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, class := range []string{"auto", "allow-hotplug"} {
		for _, sel := range cfg.Selections {
			if sel.Keyword == class {
				for _, n := range sel.Names {
					add(n)
				}
			}
		}
	}
	for _, s := range cfg.Stanzas {
		add(s.Name)
	}
	return out
}

// simulate runs the changes on the route model of the kernel (package routecmd, checked against
// the real kernel) and returns why they are unsafe: an operation that fails, a delete that would
// take another route, a moment without a default route in a family and table that had one, or
// an end other than expect. "" when they are safe.
func simulate(snap *Snapshot, changes []*Change, expect []routecmd.Route) string {
	k := &routecmd.Kernel{AnyLink: true}
	k.SetRoutes(snap.Routes)
	for _, ad := range snap.Addrs {
		k.AddAddr(routecmd.Addr{Dev: ad.Dev, Label: ad.Label, Prefix: ad.Prefix})
	}
	had := map[slot]bool{}
	for _, r := range snap.Routes {
		had[slotOf(r)] = true
	}
	for _, c := range changes {
		if c.Route == nil {
			continue
		}
		op, _ := routecmd.Command(c.Command)
		prev := k.Routes()
		if err := k.Apply(op); err != nil {
			return fmt.Sprintf("`%s` would fail in the kernel: %v", strings.Join(c.Command, " "), err)
		}
		// What changed, by the routes' identity: an IPv6 gateway route that joins others as
		// one multipath route changes their grouping, not them.
		cur := k.Routes()
		added, removed := minus(cur, prev), minus(prev, cur)
		switch c.Action {
		case "append":
			if len(added) != 1 || len(removed) != 0 || !exact(added[0], *c.Route) {
				return fmt.Sprintf("`%s` would not add just that route", strings.Join(c.Command, " "))
			}
		case "del":
			if len(removed) != 1 || !exact(removed[0], *c.Route) {
				return fmt.Sprintf("`%s` would delete another route of the same metric first (the kernel takes the first that matches)", strings.Join(c.Command, " "))
			}
		}
		now := map[slot]bool{}
		for _, r := range cur {
			now[slotOf(r)] = true
		}
		for s := range had {
			if !now[s] {
				return fmt.Sprintf("`%s` would leave the %s family without a default route in table %d", strings.Join(c.Command, " "), s.family, s.table)
			}
		}
	}
	if !sameRoutes(k.Routes(), expect) {
		return "the changes would not give the routes a clean boot gives"
	}
	return ""
}

// minus returns the routes of a that b lacks, counting repeats.
func minus(a, b []routecmd.Route) []routecmd.Route {
	used := make([]bool, len(b))
	var out []routecmd.Route
	for _, x := range a {
		j := slices.IndexFunc(b, func(y routecmd.Route) bool { return exact(x, y) })
		for j >= 0 && used[j] {
			k := slices.IndexFunc(b[j+1:], func(y routecmd.Route) bool { return exact(x, y) })
			if k < 0 {
				j = -1
			} else {
				j += 1 + k
			}
		}
		if j < 0 {
			out = append(out, x)
		} else {
			used[j] = true
		}
	}
	return out
}

// sameRoutes reports whether two lists hold the same routes, in any order.
func sameRoutes(a, b []routecmd.Route) bool {
	return len(a) == len(b) && len(minus(a, b)) == 0
}

// Documentation prefixes and others outside most configurations, for the verification lookup.
var outside = map[string][]string{
	"inet":  {"203.0.113.77", "198.51.100.77", "192.0.2.77", "100.64.0.77"},
	"inet6": {"2001:db8:ffff:ffff::77", "3fff:ffff::77", "2001:db8::77"},
}

// checks are the lookups that verify a repair: per family, an outside destination must go by a
// wanted main-table route of the lowest metric and, for IPv4, leave from the primary address.
func checks(snap *Snapshot, wanted []routecmd.Route) []check {
	var out []check
	for _, fam := range []string{"inet", "inet6"} {
		var best []routecmd.Route
		for _, w := range wanted {
			if w.Family != fam || w.Table != mainTable || w.Type != "unicast" {
				continue
			}
			if len(best) > 0 && w.Metric < best[0].Metric {
				best = nil
			}
			if len(best) == 0 || w.Metric == best[0].Metric {
				best = append(best, w)
			}
		}
		if len(best) == 0 {
			continue
		}
		var dst netip.Addr
		for _, d := range outside[fam] {
			ad := netip.MustParseAddr(d)
			if !slices.ContainsFunc(snap.Addrs, func(x Addr) bool { return x.Prefix.Masked().Contains(ad) }) {
				dst = ad
				break
			}
		}
		if !dst.IsValid() {
			continue
		}
		c := check{dst: dst, routes: best}
		if fam == "inet" && len(best) == 1 {
			c.src = primary(snap, best[0])
		}
		out = append(out, c)
	}
	return out
}

// primary is the source address the kernel must choose for route r: its src, else the primary
// (not secondary, not alias-labelled) IPv4 address of its device, on the gateway's subnet when
// one is.
func primary(snap *Snapshot, r routecmd.Route) string {
	if r.Src != "" {
		return r.Src
	}
	gw, _ := netip.ParseAddr(r.Gateway)
	first := ""
	for _, ad := range snap.Addrs {
		if ad.Dev != r.Dev || !ad.Prefix.Addr().Is4() || ad.Secondary || ad.Label != "" && ad.Label != ad.Dev {
			continue
		}
		if gw.IsValid() && ad.Prefix.Masked().Contains(gw) {
			return ad.Prefix.Addr().String()
		}
		if first == "" {
			first = ad.Prefix.Addr().String()
		}
	}
	return first
}
