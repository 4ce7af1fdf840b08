package routesim

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// ParseIPRoute reads the output of `ip -4|-6 route show table all default` from a real kernel
// and returns each route (each nexthop of a multipath route) as Route.Key renders it, so that
// the model can be compared with the kernel. fam is 4 or 6.
func ParseIPRoute(fam int, out string) ([]string, error) {
	var keys []string
	var group *Route // the multipath route whose nexthop lines follow
	for _, line := range strings.Split(out, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Fields(line)
		if f[0] == "nexthop" {
			if group == nil {
				return nil, errorf("nexthop line without a route: %q", line)
			}
			r := *group
			if err := routeFields(&r, f[1:]); err != nil {
				return nil, err
			}
			keys = append(keys, r.Key())
			continue
		}
		group = nil
		if f[0] != "default" {
			return nil, errorf("not a default route: %q", line)
		}
		r := Route{Family: fam, Table: 254}
		if fam == 6 {
			r.Dst = netip.PrefixFrom(netip.IPv6Unspecified(), 0)
		} else {
			r.Dst = netip.PrefixFrom(netip.IPv4Unspecified(), 0)
		}
		if err := routeFields(&r, f[1:]); err != nil {
			return nil, err
		}
		if r.Dev == "" && !r.Via.IsValid() {
			group = &r
			continue
		}
		keys = append(keys, r.Key())
	}
	return keys, nil
}

func routeFields(r *Route, f []string) error {
	for i := 0; i < len(f); i++ {
		next := func() string {
			if i+1 < len(f) {
				i++
				return f[i]
			}
			return ""
		}
		switch f[i] {
		case "via":
			v := next()
			if v == "inet" || v == "inet6" {
				v = next()
			}
			ip, err := netip.ParseAddr(v)
			if err != nil {
				return err
			}
			r.Via = ip
		case "dev":
			r.Dev = next()
		case "src":
			ip, err := netip.ParseAddr(next())
			if err != nil {
				return err
			}
			r.Src = ip
		case "metric":
			n, err := strconv.Atoi(next())
			if err != nil {
				return err
			}
			r.Metric = n
		case "table":
			v := next()
			if n, ok := tableNames[v]; ok {
				r.Table = n
			} else if n, err := strconv.Atoi(v); err == nil {
				r.Table = n
			} else {
				return errorf("table %q", v)
			}
		case "proto":
			r.Proto = next()
			if r.Proto == "boot" {
				r.Proto = ""
			}
		case "onlink":
			r.Onlink = true
		case "scope", "pref", "weight", "expires", "hoplimit", "mtu", "realm", "realms":
			next()
		}
	}
	return nil
}

func errorf(format string, a ...any) error {
	return fmt.Errorf("routesim: "+format, a...)
}
