package live

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// DefaultStateDir is ifupdown 0.8's state directory (ifup --state-dir).
const DefaultStateDir = "/run/network"

// Ifstate is ifupdown 0.8.41's state directory. What ifup and ifdown go by is one file per
// physical interface, ifstate.PHYS, holding the logical name while it is up (an empty line
// when not); ifstate lists PHYS=LOGICAL lines in the order they came up and is what ifdown -a
// walks; both are written under fcntl locks (ifstate.PHYS while ifup works on that interface,
// .ifstate.lock around each update), ifstate through .ifstate.tmp and a rename. Checked with
// the real ifup: an interface recorded only in ifstate is brought up again (and fails on its
// present address), one recorded only in ifstate.PHYS is skipped by ifdown -a and then by
// ifup -a, which leaves it without its address. So both are written.
type Ifstate struct{ Dir string }

func (s *Ifstate) Path() string { return s.Dir }

// Read returns the interfaces recorded as up (their ifstate.PHYS files), in ifstate's order,
// then those ifstate does not list. A missing directory is an empty state.
func (s *Ifstate) Read() ([]Entry, error) {
	up, err := s.perInterface()
	if err != nil {
		return nil, err
	}
	agg, err := s.aggregate()
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, e := range agg {
		if up[e.Phys] == e.Logical {
			out = append(out, e)
			delete(up, e.Phys)
		}
	}
	var rest []string
	for p := range up {
		rest = append(rest, p)
	}
	slices.Sort(rest)
	for _, p := range rest {
		out = append(out, Entry{p, up[p]})
	}
	return out, nil
}

// perInterface maps each PHYS with a non-empty ifstate.PHYS to its logical name.
func (s *Ifstate) perInterface() (map[string]string, error) {
	des, err := os.ReadDir(s.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	up := map[string]string{}
	for _, de := range des {
		phys, ok := strings.CutPrefix(de.Name(), "ifstate.")
		if !ok || phys == "" || !de.Type().IsRegular() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(s.Dir, de.Name()))
		if err != nil {
			return nil, err
		}
		if l := strings.TrimSpace(string(data)); l != "" {
			up[phys] = l
		}
	}
	return up, nil
}

func (s *Ifstate) aggregate() ([]Entry, error) {
	data, err := os.ReadFile(filepath.Join(s.Dir, "ifstate"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, l := range strings.Split(string(data), "\n") {
		if p, lg, ok := strings.Cut(strings.TrimSpace(l), "="); ok {
			out = append(out, Entry{p, lg})
		}
	}
	return out, nil
}

// Add records the entries as up: each ifstate.PHYS (locked as ifup locks it: busy means an
// ifup or ifdown is working on it, an error), then ifstate under .ifstate.lock, with every
// entry placed by rank (see merge).
func (s *Ifstate) Add(ctx context.Context, add []Entry, rank map[string]int) error {
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return err
	}
	for _, e := range add {
		if strings.ContainsAny(e.Phys, "/\n") || strings.Contains(e.Logical, "\n") {
			return fmt.Errorf("bad interface name %q", e.Phys)
		}
		f, err := os.OpenFile(filepath.Join(s.Dir, "ifstate."+e.Phys), os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return err
		}
		defer f.Close() // the lock lasts until ifstate is written too
		if err := lock(f, false, ctx); err != nil {
			return fmt.Errorf("%s: %w (is ifup or ifdown running on %s?)", f.Name(), err, e.Phys)
		}
		if err := f.Truncate(0); err != nil {
			return err
		}
		if _, err := f.WriteAt([]byte(e.Logical+"\n"), 0); err != nil {
			return err
		}
		if err := f.Sync(); err != nil {
			return err
		}
	}
	lf, err := os.OpenFile(filepath.Join(s.Dir, ".ifstate.lock"), os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer lf.Close()
	if err := lock(lf, true, ctx); err != nil {
		return fmt.Errorf("%s: %w", lf.Name(), err)
	}
	agg, err := s.aggregate()
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, e := range merge(agg, add, rank) {
		b.WriteString(e.Phys + "=" + e.Logical + "\n")
	}
	tmp := filepath.Join(s.Dir, ".ifstate.tmp")
	if err := os.WriteFile(tmp, []byte(b.String()), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(s.Dir, "ifstate"))
}

// merge places each added entry among the existing ones (which keep their order): after the
// last existing entry of lower rank, else before the first of higher rank, else at the end.
// Names without a rank (lo, which ifupdown adds itself) stay where they are.
func merge(existing, add []Entry, rank map[string]int) []Entry {
	out := slices.Clone(existing)
	for _, e := range add {
		if slices.Contains(out, e) {
			continue
		}
		r, ok := rank[e.Logical]
		at := -1
		if ok {
			for i, x := range out {
				if xr, known := rank[x.Logical]; known && xr < r {
					at = i + 1
				}
			}
			if at < 0 {
				for i, x := range out {
					if xr, known := rank[x.Logical]; known && xr > r {
						at = i
						break
					}
				}
			}
		}
		if at < 0 {
			at = len(out)
		}
		out = slices.Insert(out, at, e)
	}
	return out
}

// lock takes an fcntl write lock on f (ifupdown's kind of lock). With wait, it retries until ctx
// is done; without, it fails at once when another process holds it.
func lock(f *os.File, wait bool, ctx context.Context) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	fl := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0}
	for {
		// Through Control, not f.Fd(), which would put f in blocking mode.
		if cerr := rc.Control(func(fd uintptr) { err = syscall.FcntlFlock(fd, syscall.F_SETLK, &fl) }); cerr != nil {
			return cerr
		}
		if err == nil {
			return nil
		}
		if !wait || !(errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EACCES)) {
			if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EACCES) {
				return errors.New("locked by another process")
			}
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("still locked: %w", ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}
