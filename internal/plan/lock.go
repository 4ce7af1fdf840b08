package plan

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ifacefix/ifacefix/internal/rootfs"
)

// LockedError is a configuration directory that another process kept locked for longer than
// Options.LockTimeout. It names the holder when /proc/locks tells it: any process can take the
// flock, not only ifacefix.
type LockedError struct {
	Dir     string // the directory, as paths are shown
	PID     int    // the holder's process id, 0 when unknown
	Command string // the holder's command name (/proc/PID/comm), "" when unknown
	Waited  time.Duration
	Err     error // from safefile.Lock; wraps safefile.ErrLocked
}

func (e *LockedError) Error() string {
	who := "another process"
	switch {
	case e.PID != 0 && e.Command == "ifacefix":
		who = fmt.Sprintf("another ifacefix process (pid %d)", e.PID)
	case e.PID != 0 && e.Command != "":
		who = fmt.Sprintf("process %d (%s)", e.PID, e.Command)
	case e.PID != 0:
		who = fmt.Sprintf("process %d", e.PID)
	}
	return fmt.Sprintf("lock %s: locked by %s (waited %v)", e.Dir, who, e.Waited)
}

func (e *LockedError) Unwrap() error { return e.Err }

// lockedError is the LockedError for the directory dir (inside fsys).
func lockedError(fsys *rootfs.FS, dir, shown string, waited time.Duration, err error) error {
	e := &LockedError{Dir: shown, Waited: waited, Err: err}
	rel := strings.TrimPrefix(dir, "/")
	if rel == "" {
		rel = "."
	}
	fi, serr := fsys.Stat(rel)
	if serr != nil {
		return e
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return e
	}
	f, oerr := os.Open("/proc/locks")
	if oerr != nil {
		return e
	}
	defer f.Close()
	e.PID = flockHolder(bufio.NewScanner(f), uint64(st.Dev), st.Ino)
	if e.PID != 0 {
		if comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", e.PID)); err == nil {
			e.Command = strings.TrimSpace(string(comm))
		}
	}
	return e
}

// flockHolder returns the pid that holds a FLOCK on the inode (dev, ino) in /proc/locks's text:
// "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF" (waiters' lines have "->" after the number
// and are skipped). 0 when none is listed.
func flockHolder(sc *bufio.Scanner, dev, ino uint64) int {
	want := fmt.Sprintf("%02x:%02x:%d", unix.Major(dev), unix.Minor(dev), ino)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 6 || f[1] != "FLOCK" || f[5] != want {
			continue
		}
		if pid, err := strconv.Atoi(f[4]); err == nil && pid > 0 {
			return pid
		}
	}
	return 0
}
