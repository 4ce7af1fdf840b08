package live

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ifacefix/ifacefix/internal/routecmd"
)

// RepairError is a repair that failed: what failed, and whether the previous routes are back.
type RepairError struct {
	Err      error
	Restored bool   // the routes are as they were before the repair, in their order
	Restore  error  // why they are not (when not Restored)
	Now      string // the routes after the failed restore
}

func (e *RepairError) Error() string {
	if e.Restored {
		return fmt.Sprintf("%v; the previous routes are restored", e.Err)
	}
	return fmt.Sprintf("%v; restoring the previous routes failed too (%v): the kernel now has %s", e.Err, e.Restore, e.Now)
}

func (e *RepairError) Unwrap() error { return e.Err }

// ErrVerify is the error of a repair whose result the route lookup does not confirm.
var ErrVerify = errors.New("verification failed")

// Repair makes the audit's changes: the route changes through k, in their order (adds before
// deletes), then it verifies the routes and the lookups, and only then records the interfaces
// in st. A failure before the state is written puts the previous routes back (a *RepairError
// says whether that worked). Route changes the audit refused (Audit.Refused) are not made, and
// that is no error: their findings stay unfixed. verify, when not nil, replaces the lookups (for
// tests).
func (a *Audit) Repair(ctx context.Context, k Kernel, st State, verify func(Kernel) error) error {
	var routes, states []*Change
	for _, c := range a.Changes {
		if c.Route != nil {
			routes = append(routes, c)
		} else {
			states = append(states, c)
		}
	}
	if len(routes) > 0 && a.Refused == "" {
		now, err := k.Snapshot()
		if err != nil {
			return err
		}
		if !slices.EqualFunc(now.Routes, a.before.Routes, exact) {
			return errors.New("the kernel's default routes changed since they were read: nothing changed, run again")
		}
		if verify == nil {
			verify = a.verify
		}
		fail := func(err error) error {
			re := &RepairError{Err: err}
			re.Restore = restore(k, a.before.Routes)
			re.Restored = re.Restore == nil
			if !re.Restored {
				if s, err := k.Snapshot(); err == nil {
					re.Now = textList(s.Routes)
				}
			}
			for _, c := range routes {
				c.Done = false
			}
			return re
		}
		for _, c := range routes {
			var err error
			if c.Action == "append" {
				err = k.Append(*c.Route)
			} else {
				err = k.Delete(*c.Route)
			}
			if err != nil {
				return fail(fmt.Errorf("%s: %w", strings.Join(c.Command, " "), err))
			}
			c.Done = true
		}
		after, err := k.Snapshot()
		if err != nil {
			return fail(err)
		}
		if !sameRoutes(after.Routes, a.expect) {
			return fail(fmt.Errorf("%w: the kernel has %s, not %s", ErrVerify, textList(after.Routes), textList(a.expect)))
		}
		if err := verify(k); err != nil {
			return fail(fmt.Errorf("%w: %v", ErrVerify, err))
		}
	}
	if len(states) > 0 {
		if st == nil {
			return errors.New("no state to record the interfaces in")
		}
		var add []Entry
		for _, c := range states {
			add = append(add, *c.Entry)
		}
		if err := st.Add(ctx, add, a.rank); err != nil {
			return fmt.Errorf("%s: %w", st.Path(), err)
		}
		for _, c := range states {
			c.Done = true
		}
	}
	return nil
}

// verify runs the audit's route lookups.
func (a *Audit) verify(k Kernel) error {
	for _, c := range a.checks {
		l, err := k.Lookup(c.dst)
		if err != nil {
			return fmt.Errorf("ip route get %s: %v", c.dst, err)
		}
		if !slices.ContainsFunc(c.routes, func(r routecmd.Route) bool { return r.Gateway == l.Gateway && r.Dev == l.Dev }) {
			return fmt.Errorf("ip route get %s goes via %q dev %s, not by %s", c.dst, l.Gateway, l.Dev, textList(c.routes))
		}
		if c.src != "" && l.Src != c.src {
			return fmt.Errorf("ip route get %s leaves from %s, not from the primary address %s", c.dst, l.Src, c.src)
		}
	}
	return nil
}

// restore puts the routes of every family and table back as they were in prev, in their order:
// it re-adds the missing ones after the others (so a default route stays), deletes the ones that
// prev lacks, then moves to the end, in prev's order, every route after the longest start of
// prev that is already in order.
func restore(k Kernel, prev []routecmd.Route) error {
	now, err := k.Snapshot()
	if err != nil {
		return err
	}
	var slots []slot
	for _, r := range append(slices.Clone(prev), now.Routes...) {
		if !slices.Contains(slots, slotOf(r)) {
			slots = append(slots, slotOf(r))
		}
	}
	var errs []error
	for _, s := range slots {
		want := inSlot(prev, s)
		cur := inSlot(now.Routes, s)
		if slices.EqualFunc(cur, want, exact) {
			continue
		}
		for _, r := range want {
			if !slices.ContainsFunc(cur, func(x routecmd.Route) bool { return exact(x, r) }) {
				errs = append(errs, k.Append(r))
			}
		}
		for _, r := range cur {
			if !slices.ContainsFunc(want, func(x routecmd.Route) bool { return exact(x, r) }) {
				errs = append(errs, k.Delete(r))
			}
		}
		snap, err := k.Snapshot()
		if err != nil {
			return err
		}
		cur = inSlot(snap.Routes, s)
		// The longest start of want that is a subsequence of cur stays; the rest moves.
		n, j := 0, 0
		for n < len(want) {
			for j < len(cur) && !exact(cur[j], want[n]) {
				j++
			}
			if j == len(cur) {
				break
			}
			n, j = n+1, j+1
		}
		for _, r := range want[n:] {
			errs = append(errs, k.Delete(r), k.Append(r))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	snap, err := k.Snapshot()
	if err != nil {
		return err
	}
	if !slices.EqualFunc(sortedBySlot(snap.Routes), sortedBySlot(prev), exact) {
		return fmt.Errorf("the kernel has %s, not %s", textList(snap.Routes), textList(prev))
	}
	return nil
}

func inSlot(rs []routecmd.Route, s slot) []routecmd.Route {
	var out []routecmd.Route
	for _, r := range rs {
		if slotOf(r) == s {
			out = append(out, r)
		}
	}
	return out
}

// sortedBySlot orders routes by family and table, keeping the kernel's order within each.
func sortedBySlot(rs []routecmd.Route) []routecmd.Route {
	out := slices.Clone(rs)
	slices.SortStableFunc(out, func(a, b routecmd.Route) int {
		if c := strings.Compare(a.Family, b.Family); c != 0 {
			return c
		}
		return int(a.Table) - int(b.Table)
	})
	return out
}
