package live

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/ifacefix/ifacefix/internal/routecmd"
)

// Netlink is the kernel of a network namespace, through a netlink handle (reading needs no
// privilege; changing needs CAP_NET_ADMIN).
type Netlink struct {
	H *netlink.Handle
}

// NewNetlink opens a handle on the current network namespace.
func NewNetlink() (*Netlink, error) {
	h, err := netlink.NewHandle()
	if err != nil {
		return nil, err
	}
	return &Netlink{H: h}, nil
}

// Close releases the handle.
func (n *Netlink) Close() { n.H.Close() }

// The protocol and type names of iproute2 (/etc/iproute2/rt_protos, rtnl_rtntype_n2a).
var (
	protoNames = map[int]string{1: "redirect", 2: "kernel", 3: "boot", 4: "static", 8: "gated", 9: "ra", 10: "mrt",
		11: "zebra", 12: "bird", 13: "dnrouted", 14: "xorp", 15: "ntk", 16: "dhcp", 17: "mrouted", 18: "keepalived",
		42: "babel", 99: "openr", 186: "bgp", 187: "isis", 188: "ospf", 189: "rip", 192: "eigrp"}
	typeNames = map[int]string{unix.RTN_UNICAST: "unicast", unix.RTN_BLACKHOLE: "blackhole",
		unix.RTN_UNREACHABLE: "unreachable", unix.RTN_PROHIBIT: "prohibit", unix.RTN_THROW: "throw"}
)

func protoName(p int) string {
	if s, ok := protoNames[p]; ok {
		return s
	}
	return strconv.Itoa(p)
}

func protoNumber(s string) int {
	for n, name := range protoNames {
		if name == s {
			return n
		}
	}
	n, _ := strconv.Atoi(s)
	return n
}

// Snapshot reads the default routes of every table and every address.
func (n *Netlink) Snapshot() (*Snapshot, error) {
	links, err := n.H.LinkList()
	if err != nil {
		return nil, fmt.Errorf("reading the links: %w", err)
	}
	names := map[int]string{}
	for _, l := range links {
		names[l.Attrs().Index] = l.Attrs().Name
	}
	snap := &Snapshot{}
	addrs, err := n.H.AddrList(nil, netlink.FAMILY_ALL)
	if err != nil {
		return nil, fmt.Errorf("reading the addresses: %w", err)
	}
	for _, a := range addrs {
		ip, ok := netip.AddrFromSlice(a.IP)
		if !ok {
			continue
		}
		bits, _ := a.Mask.Size()
		ad := Addr{Dev: names[a.LinkIndex], Prefix: netip.PrefixFrom(ip.Unmap(), bits), Secondary: a.Flags&unix.IFA_F_SECONDARY != 0}
		if ip.Unmap().Is4() {
			ad.Label = a.Label
		}
		snap.Addrs = append(snap.Addrs, ad)
	}
	group := 0
	for _, fam := range []int{netlink.FAMILY_V4, netlink.FAMILY_V6} {
		rs, err := n.H.RouteListFiltered(fam, &netlink.Route{Table: unix.RT_TABLE_UNSPEC}, netlink.RT_FILTER_TABLE)
		if err != nil {
			return nil, fmt.Errorf("reading the routes: %w", err)
		}
		for _, r := range rs {
			if r.Dst != nil {
				if ones, _ := r.Dst.Mask.Size(); ones != 0 {
					continue
				}
			}
			typ, ok := typeNames[r.Type]
			if !ok || r.Table == unix.RT_TABLE_LOCAL {
				continue // local, broadcast, ...: never a default route ifupdown adds
			}
			base := routecmd.Route{Family: "inet", Table: uint32(r.Table), Type: typ, Metric: uint32(r.Priority),
				Proto: protoName(int(r.Protocol)), Scope: "universe"}
			if fam == netlink.FAMILY_V6 {
				base.Family, base.Scope = "inet6", ""
			} else if r.Scope == netlink.SCOPE_LINK {
				base.Scope = "link"
			}
			if r.Src != nil {
				base.Src = r.Src.String()
			}
			hops := []*netlink.NexthopInfo{{LinkIndex: r.LinkIndex, Gw: r.Gw, Flags: r.Flags}}
			if len(r.MultiPath) > 0 {
				hops = r.MultiPath
				group++
			}
			for _, h := range hops {
				x := base
				x.Dev = names[h.LinkIndex]
				if h.Gw != nil {
					x.Gateway = h.Gw.String()
				}
				x.Onlink = h.Flags&int(netlink.FLAG_ONLINK) != 0
				if len(hops) > 1 {
					x.Group = group
				}
				snap.Routes = append(snap.Routes, x)
			}
		}
	}
	return snap, nil
}

// route is r as a netlink route.
func (n *Netlink) route(r routecmd.Route) (*netlink.Route, error) {
	nr := &netlink.Route{Table: int(r.Table), Priority: int(r.Metric), Protocol: netlink.RouteProtocol(protoNumber(r.Proto))}
	nr.Family = netlink.FAMILY_V4
	dst := &net.IPNet{IP: net.IPv4zero.To4(), Mask: net.CIDRMask(0, 32)}
	if r.Family == "inet6" {
		nr.Family = netlink.FAMILY_V6
		dst = &net.IPNet{IP: net.IPv6zero, Mask: net.CIDRMask(0, 128)}
	}
	nr.Dst = dst
	for t, name := range typeNames {
		if name == r.Type {
			nr.Type = t
		}
	}
	if r.Dev != "" {
		l, err := n.H.LinkByName(r.Dev)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Dev, err)
		}
		nr.LinkIndex = l.Attrs().Index
	}
	if r.Gateway != "" {
		nr.Gw = net.ParseIP(r.Gateway)
	}
	if r.Src != "" {
		nr.Src = net.ParseIP(r.Src)
	}
	if r.Onlink {
		nr.Flags = int(netlink.FLAG_ONLINK)
	}
	if r.Scope == "link" {
		nr.Scope = netlink.SCOPE_LINK
	}
	return nr, nil
}

// Append adds r after the routes of its metric.
func (n *Netlink) Append(r routecmd.Route) error {
	nr, err := n.route(r)
	if err != nil {
		return err
	}
	return n.H.RouteAppend(nr)
}

// Delete deletes the first route that matches r (see Kernel).
func (n *Netlink) Delete(r routecmd.Route) error {
	nr, err := n.route(r)
	if err != nil {
		return err
	}
	nr.Scope = netlink.SCOPE_NOWHERE // any scope, as ip route del
	return n.H.RouteDel(nr)
}

// Lookup asks the kernel which route and source address it would use for dst.
func (n *Netlink) Lookup(dst netip.Addr) (Lookup, error) {
	rs, err := n.H.RouteGet(net.IP(dst.AsSlice()))
	if err != nil {
		return Lookup{}, err
	}
	if len(rs) == 0 {
		return Lookup{}, fmt.Errorf("no route to %s", dst)
	}
	r := rs[0]
	l := Lookup{}
	if r.Gw != nil {
		l.Gateway = r.Gw.String()
	}
	if r.Src != nil {
		l.Src = r.Src.String()
	}
	if link, err := n.H.LinkByIndex(r.LinkIndex); err == nil {
		l.Dev = link.Attrs().Name
	}
	return l, nil
}
