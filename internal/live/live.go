// Package live compares the running host with its configuration and repairs it without a
// network restart.
//
// The audit ([Audit]) reads a [Snapshot] of the kernel (its default routes, in every table, and
// its addresses) and the dialect's record of the interfaces it brought up ([State]), brings the
// configuration as read and as fixed up in the route model (package bringup), and reports, each
// tied to the configuration line behind it: equal-metric default routes that differ only in
// src (the alias-gateway symptom), default routes the configuration does not ask for and
// configured ones the kernel lacks, a metric other than the configured one, and interfaces whose
// addresses are present but which the state does not record as up. It plans the changes that
// bring the host to what a clean boot with the fixed configuration gives: each a route to add or
// delete, printed as the ip command that makes it, or an interface to record as up.
//
// The repair ([Audit.Repair]) makes them: adds first and deletes after, so that a family that
// has a default route keeps one at every moment; then it checks the result with a route lookup
// (the source address of an outside destination must be the primary address) and puts the
// previous routes back, in their order, if anything fails. It touches only the routes the
// configuration explains: a route added by hand or by a DHCP client is reported, never changed.
package live

import (
	"context"
	"errors"
	"net/netip"
	"strconv"
	"strings"

	"github.com/ifacefix/ifacefix/internal/routecmd"
)

// Addr is an address the kernel has on a device.
type Addr struct {
	Dev       string // the device (eth0)
	Label     string // the IPv4 label (eth0:0), "" for IPv6
	Prefix    netip.Prefix
	Secondary bool // IPv4: not the first address of its subnet on the device
}

// Snapshot is what the kernel has: its default routes (every table, in the kernel's order
// within each family, table and metric) and its addresses.
type Snapshot struct {
	Routes []routecmd.Route
	Addrs  []Addr
}

// Lookup is the kernel's answer to a route lookup (ip route get).
type Lookup struct {
	Gateway, Dev, Src string
}

// Kernel reads and changes the routes of one network namespace.
type Kernel interface {
	Snapshot() (*Snapshot, error)
	// Append adds a route after the routes of its metric (ip route append).
	Append(r routecmd.Route) error
	// Delete deletes the first route matching r's type, table, metric, gateway, device, src
	// and protocol (ip route del).
	Delete(r routecmd.Route) error
	Lookup(dst netip.Addr) (Lookup, error)
}

// slot is where routes compete: one family and table.
type slot struct {
	family string
	table  uint32
}

func slotOf(r routecmd.Route) slot { return slot{r.Family, r.Table} }

// id is a route's identity for the comparison with the model: family, type, table, metric,
// gateway, device and src (fixer's routeID).
type id struct {
	family, typ, gateway, dev, src string
	table, metric                  uint32
}

func idOf(r routecmd.Route) id {
	return id{r.Family, r.Type, r.Gateway, r.Dev, r.Src, r.Table, r.Metric}
}

// exact reports whether two routes are the same kernel route (everything the kernel keeps).
func exact(a, b routecmd.Route) bool {
	return idOf(a) == idOf(b) && a.Onlink == b.Onlink && a.Proto == b.Proto
}

// Text is a route as ip route show prints it (the default table's routes are shown with table).
func Text(r routecmd.Route) string {
	var b strings.Builder
	if r.Type != "" && r.Type != "unicast" {
		b.WriteString(r.Type + " ")
	}
	b.WriteString("default")
	add := func(k, v string) {
		if v != "" {
			b.WriteString(" " + k + " " + v)
		}
	}
	add("via", r.Gateway)
	add("dev", r.Dev)
	if r.Table != mainTable {
		add("table", strconv.FormatUint(uint64(r.Table), 10))
	}
	if r.Proto != "" && r.Proto != "boot" {
		add("proto", r.Proto)
	}
	if r.Metric != 0 {
		add("metric", strconv.FormatUint(uint64(r.Metric), 10))
	}
	add("src", r.Src)
	if r.Onlink {
		b.WriteString(" onlink")
	}
	return b.String()
}

const mainTable = 254

// Command is the ip command that adds (append) or deletes route r exactly: every attribute a
// delete matches on is given, so it cannot take another route of the same metric.
func Command(action string, r routecmd.Route) []string {
	argv := []string{"ip"}
	if r.Family == "inet6" {
		argv = append(argv, "-6")
	}
	argv = append(argv, "route", action)
	if r.Type != "" && r.Type != "unicast" {
		argv = append(argv, r.Type)
	}
	argv = append(argv, "default")
	if r.Gateway != "" {
		argv = append(argv, "via", r.Gateway)
	}
	if r.Dev != "" {
		argv = append(argv, "dev", r.Dev)
	}
	if r.Table != mainTable {
		argv = append(argv, "table", strconv.FormatUint(uint64(r.Table), 10))
	}
	if r.Proto != "" && (r.Proto != "boot" || action == "del") {
		argv = append(argv, "proto", r.Proto)
	}
	argv = append(argv, "metric", strconv.FormatUint(uint64(r.Metric), 10))
	if r.Src != "" {
		argv = append(argv, "src", r.Src)
	}
	if r.Onlink && action != "del" {
		argv = append(argv, "onlink")
	}
	return argv
}

// ErrNoState says the dialect's state cannot be read yet (ifupdown2, ifupdown-ng).
var ErrNoState = errors.New("reading this dialect's state is not supported yet")

// Entry is one interface the dialect records as up: its physical and logical names.
type Entry struct{ Phys, Logical string }

// State is a dialect's record of the interfaces it brought up.
type State interface {
	// Path names the state for messages (a file or directory).
	Path() string
	Read() ([]Entry, error)
	// Add records the entries as up; rank orders interfaces as a clean boot brings them up,
	// for the dialect's list.
	Add(ctx context.Context, add []Entry, rank map[string]int) error
}

// StateFor returns the state of a dialect ("" or "ifupdown": ifupdown 0.8's state directory
// dir, default /run/network). ifupdown-ng (/run/ifstate), ifupdown2 (its own query) and busybox
// return ErrNoState until their readers land.
func StateFor(dialect, dir string) (State, error) {
	switch dialect {
	case "", "ifupdown":
		if dir == "" {
			dir = DefaultStateDir
		}
		return &Ifstate{Dir: dir}, nil
	case "ifupdown-ng", "ifupdown2", "busybox":
		return nil, ErrNoState
	}
	return nil, errors.New("unknown dialect " + strconv.Quote(dialect))
}
