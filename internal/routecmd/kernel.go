package routecmd

import (
	"cmp"
	"errors"
	"maps"
	"net/netip"
	"slices"
	"strings"
)

// The kernel's rules for default routes (Linux net/ipv4/fib_trie.c fib_table_insert() and
// fib_table_delete(), net/ipv6/ip6_fib.c fib6_add_rt2node(), net/ipv6/route.c ip6_route_del();
// checked against the running kernel by the live test). The netlink flags per command:
//
//	ip route add      CREATE|EXCL      ip route prepend  CREATE          route add (SIOCADDRT)  CREATE
//	ip route append   CREATE|APPEND    ip route replace  CREATE|REPLACE  ip route change        REPLACE
//	ip route test     EXCL
//
// IPv4 keeps the routes of one prefix sorted by metric. With EXCL any route of the same metric
// is a duplicate (EEXIST), whatever its gateway, device or src. Without EXCL only an identical
// route is (same type, gateway, device, src, protocol, scope, onlink flag and metric: the shared
// fib_info), so `route add default gw G dev eth0:0` next to `default via G dev eth0` is a new
// route (its src differs), and a prepend or SIOCADDRT goes before the routes of its metric, so
// the newest alias route is the one used; append goes after them. REPLACE replaces the first
// route of the metric (if an identical one exists and is not the first: EEXIST); without CREATE
// and no route of that metric: ENOENT. A delete removes the first route that matches every
// attribute given (no metric or metric 0: any; net-tools matches unicast only, and an alias
// label's address as src).
//
// IPv6 (metric 0 means 1024) also refuses any same-metric route with EXCL, and a route with the
// same device and gateway otherwise. A new gateway route of a metric that already has gateway
// routes joins them as one multipath route (ECMP, shown with nexthops), also for SIOCADDRT.
// REPLACE replaces the first same-metric route (the whole multipath group). Without CREATE and
// REPLACE (ip route test) it still adds. A delete matches metric (ip: none means any; net-tools:
// 1 unless given), device and gateway, never src; ip's delete without a gateway removes the
// whole multipath group, route's removes one nexthop.

// Route is a default route as the kernel keeps it.
type Route struct {
	Family  string // inet or inet6
	Table   uint32
	Type    string // unicast, blackhole, unreachable, prohibit, throw
	Metric  uint32
	Gateway string
	Dev     string
	Src     string
	Onlink  bool
	Proto   string // boot unless given
	Scope   string // IPv4: universe or link
	Group   int    // IPv6: the nexthops of one multipath route share a non-zero Group
}

// Main reports whether the route is in the main table, the one lookups use without a rule.
func (r Route) Main() bool { return r.Table == mainTable }

// StoredMetric is the metric the kernel stores for a route of family asked for with metric m:
// IPv6 takes 0 as 1024 (IP6_RT_PRIO_USER).
func StoredMetric(family string, m uint32) uint32 {
	if family == "inet6" && m == 0 {
		return 1024
	}
	return m
}

// MaxNameLen is the longest device name (or alias label) the kernel takes: IFNAMSIZ less its
// NUL. ip looks a device up with if_nametoindex(), which refuses a longer name, and the kernel
// strips an alias's ":label" only from a name that fits (SIOCADDRT cuts a longer one short).
const MaxNameLen = 15

// Addr is an interface address: its device, label (IPv4) and prefix.
type Addr struct {
	Dev, Label string
	Prefix     netip.Prefix
	// Broadcast is an IPv4 broadcast address given with it (ip addr add ... broadcast B), which
	// the kernel adds beside its subnet's; zero when none.
	Broadcast netip.Addr
	// Peer is the other end of a point-to-point address (ip addr add ... peer P): its route is
	// to the peer alone, not to Prefix's subnet. Zero when none.
	Peer netip.Addr
}

// Kernel is a model of one network namespace's default routes.
type Kernel struct {
	// Links are the devices that exist; with AnyLink, every device exists.
	Links   []string
	AnyLink bool
	// Up, when not nil, holds the devices whose link is up: a gateway route then needs its
	// device up (onlink), or a link-scope route (a connected subnet) on an up device.
	Up map[string]bool
	// Addrs are the addresses on the devices: add and drop them with AddAddr and TrimAddrs,
	// which keep the index of local and broadcast addresses (a Kernel built with Addrs set
	// indexes them when first asked).
	Addrs []Addr
	index *addrIndex
	// DevRoutes are the main-table routes without a gateway to other destinations than
	// default (a host route to a gateway, a subnet on a device) that operations added, by
	// prefix and device: the kernel's gateway lookup reaches through them (whether the
	// operation succeeds is applyOther's).
	DevRoutes []Addr
	// slots are the routes by family, table and metric, each in the kernel's order. Within a
	// table the kernel keeps its routes sorted by metric, and every operation but a delete of
	// any metric acts on the routes of one metric, so many default routes cost no more each
	// than a few. A slot's slice is never written in place: a Change keeps the one it replaced.
	slots map[slotKey][]Route
	// others are the routes to other destinations than default that operations added (see
	// applyOther); othersLog undoes them.
	others    map[otherKey][]Route
	othersLog []otherChange
	group     int
	links     map[string]bool // Links as a set, rebuilt when Links grows or shrinks
	nlinks    int
	// Changes lists what each successful Apply (and Restore) did to the routes, in order, for
	// callers that follow them; a mark is a length of it.
	Changes []Change
}

// Change is what one Apply (or Restore) did to the routes of one family, table and metric.
type Change struct {
	Added, Removed []Route
	key            slotKey
	before         []Route // the slot's routes before the change
}

// slotKey names the routes of one family, table and metric.
type slotKey struct {
	family        string
	table, metric uint32
}

func keyOf(r Route) slotKey { return slotKey{r.Family, r.Table, r.Metric} }

func compareKeys(a, b slotKey) int {
	if c := strings.Compare(a.family, b.family); c != 0 {
		return c
	}
	if c := cmp.Compare(a.table, b.table); c != 0 {
		return c
	}
	return cmp.Compare(a.metric, b.metric)
}

// SetRoutes replaces the kernel's routes (within a family and table sorted by metric, as the
// kernel lists them) and forgets the changes.
func (k *Kernel) SetRoutes(rs []Route) {
	k.slots, k.Changes = map[slotKey][]Route{}, nil
	for _, r := range rs {
		k.slots[keyOf(r)] = append(k.slots[keyOf(r)], r)
	}
}

// Routes returns the kernel's routes, in a new slice: by family, table and metric, the routes of
// one metric in the kernel's order.
func (k *Kernel) Routes() []Route { return k.RoutesAt(len(k.Changes)) }

// RoutesAt returns the routes as they were at mark (when k.Changes had mark entries), ordered
// as Routes orders them.
func (k *Kernel) RoutesAt(mark int) []Route {
	then := k.slots
	if mark < len(k.Changes) {
		then = maps.Clone(k.slots)
		for i := len(k.Changes) - 1; i >= mark; i-- {
			then[k.Changes[i].key] = k.Changes[i].before
		}
	}
	var keys []slotKey
	n := 0
	for key, l := range then {
		if len(l) > 0 {
			keys = append(keys, key)
			n += len(l)
		}
	}
	slices.SortFunc(keys, compareKeys)
	out := make([]Route, 0, n)
	for _, key := range keys {
		out = append(out, then[key]...)
	}
	return out
}

// SlotAt returns the routes of one family, table and metric as they were at mark; the caller
// must not modify them.
func (k *Kernel) SlotAt(mark int, family string, table, metric uint32) []Route {
	key := slotKey{family, table, metric}
	for _, c := range k.Changes[mark:] {
		if c.key == key {
			return c.before
		}
	}
	return k.slots[key]
}

// Restore sets the routes back to what they were at mark. The way back is recorded as changes
// too, so RoutesAt still answers for every mark.
func (k *Kernel) Restore(mark int) {
	then := map[slotKey][]Route{}
	var order []slotKey
	for i := len(k.Changes) - 1; i >= mark; i-- {
		c := k.Changes[i]
		if _, ok := then[c.key]; !ok {
			order = append(order, c.key)
		}
		then[c.key] = c.before
	}
	for _, key := range order {
		k.put(key, then[key])
	}
}

// put replaces the routes of a slot and records the change, if there is one.
func (k *Kernel) put(key slotKey, now []Route) {
	if k.slots == nil {
		k.slots = map[slotKey][]Route{}
	}
	old := k.slots[key]
	k.slots[key] = now
	c := Change{key: key, before: old}
	in := func(l []Route) func(Route) bool {
		if len(l) < 16 {
			return func(r Route) bool { return slices.Contains(l, r) }
		}
		set := make(map[Route]bool, len(l))
		for _, r := range l {
			set[r] = true
		}
		return func(r Route) bool { return set[r] }
	}
	inOld, inNow := in(old), in(now)
	for _, r := range now {
		if !inOld(r) {
			c.Added = append(c.Added, r)
		}
	}
	for _, r := range old {
		if !inNow(r) {
			c.Removed = append(c.Removed, r)
		}
	}
	if c.Added != nil || c.Removed != nil {
		k.Changes = append(k.Changes, c)
	}
}

// hasLink reports whether dev is one of k.Links.
func (k *Kernel) hasLink(dev string) bool {
	if k.links == nil || k.nlinks != len(k.Links) {
		k.links, k.nlinks = make(map[string]bool, len(k.Links)), len(k.Links)
		for _, l := range k.Links {
			k.links[l] = true
		}
	}
	return k.links[dev]
}

// Errors of Apply.
var (
	ErrExist     = errors.New("EEXIST: a route of that metric exists")
	ErrNotFound  = errors.New("ESRCH/ENOENT: no such route")
	ErrNoDev     = errors.New("ENODEV: no such device or label")
	ErrInval     = errors.New("EINVAL: invalid route")
	ErrUnreach   = errors.New("ENETUNREACH: gateway not on a connected network")
	ErrUnmodeled = errors.New("not modeled")
	ErrDown      = errors.New("ENETDOWN: Nexthop device is not up")
)

// Apply changes k as the kernel would for op; ErrUnmodeled means the result is not known.
// Operations on other destinations than a default route fail only on their nexthop or as
// duplicates (applyOther).
func (k *Kernel) Apply(op Op) error {
	if op.Err != "" {
		return ErrInval
	}
	if len(op.Dev) > MaxNameLen {
		return ErrNoDev
	}
	if op.Unknown != "" || op.Multipath || len(op.Extra) > 0 || op.TableName != "" {
		return ErrUnmodeled
	}
	if !op.Default && op.Action != "delete" && op.Action != "test" && op.Type == "unicast" && op.Dev == "" && op.Gateway == "" {
		return ErrNoDev // the kernel needs a device for a route without a gateway
	}
	if op.Link != "" && !k.AnyLink && !k.hasLink(op.Link) {
		return ErrNoDev
	}
	r := Route{Family: op.Family, Table: op.KernelTable(), Type: op.Type, Metric: op.Metric, Gateway: op.Gateway,
		Dev: op.Link, Src: op.Src, Onlink: op.Onlink, Proto: op.Proto}
	if op.LabelSrc {
		r.Src = ""
		for _, a := range k.Addrs {
			if a.Label == op.Dev && a.Prefix.Addr().Is4() {
				r.Src = a.Prefix.Addr().String()
				break
			}
		}
		if r.Src == "" {
			return ErrNoDev
		}
	}
	if !op.Default {
		k.noteDevRoute(op)
		return k.applyOther(op, r)
	}
	if op.Action == "delete" {
		return k.del(op, r)
	}
	switch r.Type {
	case "unicast":
	case "blackhole", "unreachable", "prohibit", "throw":
		if r.Family == "inet6" {
			return ErrUnmodeled
		}
	default:
		return ErrUnmodeled
	}
	if op.Tool == "route" && r.Type == "unreachable" {
		r.Dev, r.Scope = "", "host" // rtentry_to_fib_config returns before it reads the device
	} else if err := k.nexthop(&r, op.Tool); err != nil {
		return err
	}
	fl, ok := flagsOf(op)
	if !ok {
		return ErrUnmodeled
	}
	key := keyOf(r)
	var (
		now []Route
		err error
	)
	if r.Family == "inet6" {
		now, err = k.insert6(k.slots[key], r, fl)
	} else {
		now, err = insert4(k.slots[key], r, fl)
	}
	if err == nil {
		k.put(key, now)
	}
	return err
}

type flags struct{ create, excl, replace, appnd bool }

// flagsOf returns the netlink flags of op's action (see the table at the top of this file).
func flagsOf(op Op) (flags, bool) {
	switch op.Action {
	case "add":
		return flags{create: true, excl: op.Tool == "ip"}, true
	case "change":
		return flags{replace: true}, true
	case "replace":
		return flags{create: true, replace: true}, true
	case "prepend":
		return flags{create: true}, true
	case "append":
		return flags{create: true, appnd: true}, true
	case "test":
		return flags{excl: true}, true
	}
	return flags{}, false
}

// otherKey names the routes to one destination other than default of one family, table and
// metric.
type otherKey struct {
	slotKey
	dst netip.Prefix
}

// applyOther applies op, to a destination other than default, to the routes that operations
// added there, with the rules of default routes: the nexthop is checked (a gateway must be
// reachable), and a second `ip route add` of one prefix and metric fails with EEXIST. The routes
// the kernel adds itself (a connected subnet's, the local table's) are not modelled, nor a delete
// that matches any metric: an operation on a connected subnet's prefix at the kernel's metric,
// and a delete of a route no operation added, are ErrUnmodeled (a red-team pass, 2026-12-07:
// both fail on some hosts and stop ifup, `No such process`, `File exists`).
func (k *Kernel) applyOther(op Op, r Route) error {
	dst, err := netip.ParsePrefix(op.Dst)
	if err != nil {
		return nil
	}
	key := otherKey{keyOf(r), dst.Masked()}
	l := k.others[key]
	if op.Action == "delete" {
		i := slices.IndexFunc(l, func(x Route) bool {
			return (r.Type == "" || x.Type == r.Type) && (r.Dev == "" || x.Dev == r.Dev) && (r.Gateway == "" || x.Gateway == r.Gateway)
		})
		if i < 0 {
			return ErrUnmodeled
		}
		k.putOther(key, slices.Delete(slices.Clone(l), i, i+1))
		return nil
	}
	if r.Main() && k.connected(dst) && (r.Family == "inet" && r.Metric == 0 || r.Family == "inet6" && r.Metric == 256) {
		return ErrUnmodeled // the kernel's own route of the subnet may hold the slot
	}
	fl, ok := flagsOf(op)
	if !ok {
		return nil
	}
	if r.Type == "unicast" && (op.Tool == "ip" || r.Gateway != "") {
		// The kernel checks the nexthop as for a default route (a gateway must be reachable).
		if err := k.nexthop(&r, op.Tool); err != nil && !errors.Is(err, ErrUnmodeled) {
			return err
		}
	}
	var now []Route
	if r.Family == "inet6" {
		now, err = k.insert6(l, r, fl)
	} else {
		now, err = insert4(l, r, fl)
	}
	if errors.Is(err, ErrExist) {
		return err
	}
	if err == nil {
		k.putOther(key, now)
	}
	return nil
}

// putOther sets the routes of key, keeping what they were for RestoreOthers.
func (k *Kernel) putOther(key otherKey, now []Route) {
	if k.others == nil {
		k.others = map[otherKey][]Route{}
	}
	k.othersLog = append(k.othersLog, otherChange{key, k.others[key]})
	k.others[key] = now
}

// otherChange is what one operation did to the routes of one other destination.
type otherChange struct {
	key    otherKey
	before []Route
}

// OthersMark returns a mark of the routes to other destinations than default, for
// RestoreOthers.
func (k *Kernel) OthersMark() int { return len(k.othersLog) }

// RestoreOthers undoes what operations did to the routes to other destinations since mark.
func (k *Kernel) RestoreOthers(mark int) {
	for i := len(k.othersLog) - 1; i >= mark; i-- {
		c := k.othersLog[i]
		k.others[c.key] = c.before
	}
	k.othersLog = k.othersLog[:mark]
}

// nexthop checks the device, gateway and src the way fib_check_nh() and ip6_route_info_create()
// do, and fills in the device and scope the kernel derives; tool is the command's (route's
// ioctl derives the scope from the gateway's address type).
func (k *Kernel) nexthop(r *Route, tool string) error {
	v6 := r.Family == "inet6"
	if r.Type != "unicast" {
		if r.Gateway != "" {
			return ErrInval
		}
		r.Scope = "universe"
		return nil
	}
	if r.Gateway != "" {
		gw, err := netip.ParseAddr(r.Gateway)
		if err != nil || gw.Is6() != v6 {
			return ErrInval // RTA_VIA with another family
		}
		switch {
		case !v6 && gw.IsUnspecified() && tool == "ip":
			// RTA_GATEWAY 0.0.0.0 is no gateway (rtm_to_fib_config): with onlink the kernel refuses
			// it, without it the route is a device route, of the universe scope ip asked for
			// (a gateway's lookup never takes it).
			switch {
			case r.Onlink:
				return ErrInval
			case r.Dev == "":
				return ErrNoDev
			case k.Up != nil && !k.Up[r.Dev]:
				return ErrDown
			}
			r.Gateway, r.Scope = "", "universe"
			return nil
		case !v6 && gw.IsUnspecified(): // route(8): RTF_GATEWAY without a gateway
			return ErrInval
		case v6 && (gw.IsUnspecified() || gw.IsMulticast()): // ip6_validate_gw: "Invalid gateway address"
			return ErrInval
		}
		local, bcast := k.addrType(gw)
		// inet_addr_type() of a multicast or the limited broadcast address is not unicast
		// either, but a lookup (ip without onlink) may still find a link-scope route to it.
		other := !v6 && (gw.IsMulticast() || gw == netip.AddrFrom4([4]byte{255, 255, 255, 255}))
		switch {
		case v6 && local: // ip6_validate_gw: "Gateway can not be a local address"
			return ErrInval
		case r.Onlink && (local || bcast || other): // fib_check_nh_v4_gw: only a unicast address onlink
			return ErrInval
		case (bcast || other) && tool == "route": // a link-scope route: its lookup finds host routes only
			return ErrUnreach
		case bcast: // the lookup finds the broadcast route
			return ErrInval
		}
		switch {
		case r.Onlink:
			if r.Dev == "" {
				return ErrInval
			}
			if k.Up != nil && !k.Up[r.Dev] {
				return ErrDown
			}
		case v6 && gw.IsLinkLocalUnicast():
			if r.Dev == "" {
				return ErrInval
			}
			if k.Up != nil && !k.Up[r.Dev] {
				return ErrDown
			}
		default:
			dev := k.linkRouteDev(gw, r.Family, r.Dev)
			if dev == "" {
				return ErrUnreach
			}
			r.Dev = dev
		}
		r.Scope = "universe"
		if local && tool == "route" {
			r.Scope = "link" // rtentry_to_fib_config: universe only for a unicast gateway
		}
	} else {
		if r.Dev == "" {
			return ErrNoDev
		}
		if k.Up != nil && !k.Up[r.Dev] {
			return ErrDown // fib_check_nh_nongw(), fib6_nh_init()
		}
		r.Scope = "link"
	}
	if v6 {
		r.Scope = ""
	}
	if r.Src != "" {
		src, err := netip.ParseAddr(r.Src)
		if err != nil || src.Is6() != v6 {
			return ErrInval
		}
		ok := false
		for _, a := range k.Addrs {
			if a.Prefix.Addr() == src && (!v6 || a.Dev == r.Dev) {
				ok = true
			}
		}
		if !ok {
			return ErrInval
		}
	}
	return nil
}

// addrType reports whether the kernel's local table holds gw as a local address (one of Addrs,
// any address in a loopback device's subnet, or a loopback address: lo is up on every running
// host) or, for IPv4, as a subnet's broadcast address.
func (k *Kernel) addrType(gw netip.Addr) (local, bcast bool) {
	if k.index == nil {
		k.index = &addrIndex{local: map[netip.Addr]int{}, bcast: map[netip.Addr]int{}, lo: map[netip.Prefix]int{},
			subnets: map[netip.Prefix][]string{}, labels: map[netip.Prefix][]string{}}
		for _, a := range k.Addrs {
			k.index.count(a, 1)
		}
	}
	x := k.index
	local = x.local[gw] > 0 || gw.IsLoopback()
	for p := range x.lo {
		local = local || p.Contains(gw)
	}
	return local, x.bcast[gw] > 0
}

// connected reports whether dst is the subnet of one of Addrs (the kernel adds a route for it).
func (k *Kernel) connected(dst netip.Prefix) bool {
	k.addrType(netip.Addr{}) // builds the index
	return len(k.index.subnets[dst.Masked()]) > 0
}

// addrIndex counts, per address, the Addrs that make it local or a broadcast address: one
// gateway route would otherwise look at every address of the host.
type addrIndex struct {
	local, bcast map[netip.Addr]int
	lo           map[netip.Prefix]int // the subnets of loopback addresses: local as a whole
	// subnets lists, by masked prefix, the devices of the addresses in it, in Addrs order: a
	// gateway's link-scope route is found by prefix length, not by looking at every address.
	subnets map[netip.Prefix][]string
	labels  map[netip.Prefix][]string // the same addresses' labels
}

func (x *addrIndex) count(a Addr, n int) {
	p := a.Prefix
	x.local[p.Addr()] += n
	m := p.Masked()
	if a.Peer.IsValid() {
		m = netip.PrefixFrom(a.Peer, a.Peer.BitLen())
	}
	if a.Broadcast.IsValid() && (!b4(p) || a.Broadcast != lastAddr(p)) {
		x.bcast[a.Broadcast] += n
	}
	if m.Addr().Is4() && m.Addr().As4()[0] == 0 {
		// ipv4_is_zeronet: the kernel adds no route for a subnet in 0.0.0.0/8 (an address /0).
	} else if n > 0 {
		x.subnets[m] = append(x.subnets[m], a.Dev)
		x.labels[m] = append(x.labels[m], a.Label)
	} else if l := x.subnets[m]; len(l) > 0 {
		// TrimAddrs drops the newest addresses: the last device listed for the subnet is this one's.
		x.subnets[m] = slices.Delete(slices.Clone(l), len(l)-1, len(l))
		x.labels[m] = slices.Delete(slices.Clone(x.labels[m]), len(l)-1, len(l))
	}
	switch {
	case a.Dev == "lo":
		x.lo[p.Masked()] += n
		if x.lo[p.Masked()] == 0 {
			delete(x.lo, p.Masked())
		}
	case b4(p):
		x.bcast[lastAddr(p)] += n
	}
}

// b4 reports whether the kernel gives p's subnet a broadcast address (IPv4, /30 or wider, and
// not the address itself).
func b4(p netip.Prefix) bool { return p.Addr().Is4() && p.Bits() <= 30 && lastAddr(p) != p.Addr() }

// AddAddr adds an address to Addrs.
func (k *Kernel) AddAddr(a Addr) {
	k.Addrs = append(k.Addrs, a)
	if k.index != nil {
		k.index.count(a, 1)
	}
}

// TrimAddrs drops the addresses after the first n.
func (k *Kernel) TrimAddrs(n int) {
	if k.index != nil {
		for _, a := range k.Addrs[n:] {
			k.index.count(a, -1)
		}
	}
	k.Addrs = k.Addrs[:n]
}

// IPv6MinMTU is IPv6's minimum link mtu (RFC 8200): set below it, the kernel turns IPv6 off on
// the device and drops its IPv6 routes.
const IPv6MinMTU = 1280

// lastAddr is the highest address of p (an IPv4 subnet's broadcast address).
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().As4()
	for i := p.Bits(); i < 32; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	return netip.AddrFrom4(b)
}

// ReachedThrough returns the labels of the addresses whose subnet makes gateway gw reachable on
// device dev (the longest prefix that holds it), or nil when no address's subnet does (a route
// to it, a device default route, onlink).
func (k *Kernel) ReachedThrough(gw netip.Addr, dev string) []string {
	k.addrType(gw) // builds the index
	for bits := gw.BitLen(); bits >= 0; bits-- {
		p, _ := gw.Prefix(bits)
		var labels []string
		for i, d := range k.index.subnets[p] {
			if d == dev {
				labels = append(labels, k.index.labels[p][i])
			}
		}
		if labels != nil {
			return labels
		}
	}
	return nil
}

// linkRouteDev returns the device of the link-scope route the kernel's lookup of gateway gw
// takes (the longest prefix: an address's subnet, a route in DevRoutes, then a main-table default
// route without a gateway, lowest metric first), on device dev when it is set, or "" when none
// holds gw. Only routes whose device is up count.
func (k *Kernel) linkRouteDev(gw netip.Addr, family, dev string) string {
	best, bits := "", -1
	consider := func(d string, p netip.Prefix) {
		if p.Addr().Is6() == gw.Is6() && p.Bits() > bits && (dev == "" || d == dev) &&
			(k.Up == nil || k.Up[d]) && p.Masked().Contains(gw) {
			best, bits = d, p.Bits()
		}
	}
	k.addrType(gw) // builds the index
	for bits := gw.BitLen(); bits >= 0; bits-- {
		p, _ := gw.Prefix(bits)
		for _, d := range k.index.subnets[p] {
			consider(d, p)
		}
		if best != "" {
			break
		}
	}
	for _, a := range k.DevRoutes {
		consider(a.Dev, a.Prefix)
	}
	if bits >= 0 {
		return best
	}
	var keys []slotKey
	for key := range k.slots {
		if key.family == family && key.table == mainTable {
			keys = append(keys, key)
		}
	}
	slices.SortFunc(keys, compareKeys)
	for _, key := range keys {
		for _, x := range k.slots[key] {
			if x.Type == "unicast" && x.Gateway == "" && x.Dev != "" && (dev == "" || x.Dev == dev) &&
				x.Scope != "universe" && (k.Up == nil || k.Up[x.Dev]) {
				return x.Dev
			}
		}
	}
	return ""
}

// noteDevRoute records in DevRoutes the route without a gateway that op adds to another
// destination than default, or removes the one it deletes.
func (k *Kernel) noteDevRoute(op Op) {
	p, err := netip.ParsePrefix(op.Dst)
	if err != nil || op.Type != "unicast" && !(op.Action == "delete" && op.Type == "") || op.Gateway != "" || !op.Main() {
		return
	}
	p = p.Masked()
	i := slices.IndexFunc(k.DevRoutes, func(a Addr) bool { return a.Prefix == p && (op.Link == "" || a.Dev == op.Link) })
	switch {
	case op.Action == "delete":
		if i >= 0 {
			k.DevRoutes = slices.Delete(slices.Clone(k.DevRoutes), i, i+1) // never in place: bringup keeps earlier ones
		}
	case op.Action == "change" || op.Action == "test":
	case i < 0 && op.Link != "" && (k.Up == nil || k.Up[op.Link]):
		k.DevRoutes = append(k.DevRoutes, Addr{Dev: op.Link, Prefix: p})
	}
}

// same is the identity of an IPv4 route (fib_info and type).
func same(a, b Route) bool {
	return a.Type == b.Type && a.Gateway == b.Gateway && a.Dev == b.Dev && a.Src == b.Src &&
		a.Proto == b.Proto && a.Scope == b.Scope && a.Onlink == b.Onlink && a.Metric == b.Metric
}

// insert4 adds r to l, the routes of r's family, table and metric (IPv4), with the flags' rules;
// it returns the new routes (never l changed in place).
func insert4(l []Route, r Route, fl flags) ([]Route, error) {
	if len(l) == 0 {
		if !fl.create {
			return l, ErrNotFound
		}
		return []Route{r}, nil
	}
	match := slices.IndexFunc(l, func(x Route) bool { return same(x, r) })
	switch {
	case fl.excl:
		return l, ErrExist
	case fl.replace:
		if match >= 0 {
			if match == 0 {
				return l, nil
			}
			return l, ErrExist
		}
		l = slices.Clone(l)
		l[0] = r
		return l, nil
	case match >= 0:
		return l, ErrExist
	case fl.appnd:
		return append(slices.Clip(l), r), nil
	}
	return append([]Route{r}, l...), nil
}

// insert6 is insert4 for IPv6.
func (k *Kernel) insert6(l []Route, r Route, fl flags) ([]Route, error) {
	ecmp := r.Gateway != ""
	found, fallback, sibling := -1, -1, -1
	for i, x := range l {
		if fl.excl {
			return l, ErrExist
		}
		if fl.replace {
			if found < 0 && ecmp == (x.Gateway != "") {
				found = i
			} else if fallback < 0 {
				fallback = i
			}
			continue
		}
		if x.Dev == r.Dev && x.Gateway == r.Gateway {
			return l, ErrExist
		}
		if ecmp && x.Gateway != "" && sibling < 0 {
			sibling = i
		}
	}
	if fl.replace {
		if found < 0 {
			found = fallback
		}
		if found >= 0 {
			l = slices.Clone(l)
			g := l[found].Group
			l[found] = r
			if g != 0 {
				l = slices.DeleteFunc(l, func(x Route) bool { return x.Group == g })
			}
			return l, nil
		}
		if !fl.create {
			return l, ErrNotFound
		}
	}
	l = slices.Clone(l)
	if sibling >= 0 {
		if l[sibling].Group == 0 {
			k.group++
			for i := range l {
				if l[i].Gateway != "" {
					l[i].Group = k.group
				}
			}
		}
		r.Group = l[sibling].Group
	}
	return append(l, r), nil
}

// del removes the first route, in the kernel's order, that op's route r matches.
func (k *Kernel) del(op Op, r Route) error {
	var keys []slotKey
	if op.AnyMetric {
		for key, l := range k.slots {
			if key.family == r.Family && key.table == r.Table && len(l) > 0 {
				keys = append(keys, key)
			}
		}
		slices.SortFunc(keys, compareKeys)
	} else {
		keys = []slotKey{keyOf(r)}
	}
	for _, key := range keys {
		list := k.slots[key]
		for i, x := range list {
			if r.Type != "" && x.Type != r.Type ||
				r.Proto != "" && x.Proto != r.Proto ||
				r.Dev != "" && x.Dev != r.Dev ||
				r.Gateway != "" && x.Gateway != r.Gateway ||
				r.Family == "inet" && r.Src != "" && x.Src != r.Src {
				continue
			}
			g := x.Group
			if g != 0 && r.Gateway == "" && op.Tool == "ip" {
				list = slices.DeleteFunc(slices.Clone(list), func(y Route) bool { return y.Group == g })
			} else {
				list = slices.Delete(slices.Clone(list), i, i+1)
			}
			if g != 0 { // a group of one is a plain route again
				n := 0
				for _, y := range list {
					if y.Group == g {
						n++
					}
				}
				for j := range list {
					if n == 1 && list[j].Group == g {
						list[j].Group = 0
					}
				}
			}
			k.put(key, list)
			return nil
		}
	}
	return ErrNotFound
}
