// Package safefile replaces existing files safely inside a [rootfs.FS]. It knows nothing of the
// files' syntax.
//
// Guarantees of [Replace]:
//
//   - Atomic: the new bytes are written to a temporary file in the target's own directory (same
//     file system, so rename(2) is possible, and the new file inherits that directory's SELinux
//     context), then renamed over the target. Readers see the old file or the new one, never a mix.
//     rename(2) is not atomic on NFS with several clients (renameio's doc says so too).
//   - Durable once Replace returns nil: the file is fsynced before the rename and the directory
//     after it. Without the directory fsync a crash could bring the old name back.
//   - Same owner, group and mode, including setuid, setgid and sticky bits (renameio alone keeps
//     only the permission bits and never the owner).
//   - Symlinks are written through: a symlinked name stays a link and its target (resolved
//     chroot-style inside the FS) gets the new bytes.
//   - Only a regular file is replaced, and only if it still has the size, mtime and content the
//     caller read ([Expect]); otherwise nothing is written.
//   - Any failure before the rename leaves no trace: no temporary file, no backup.
//
// Not kept: extended attributes, ACLs and other hard links of the old file. The new file is a new
// inode, so it gets no xattrs/ACLs (the backup, a hard link to the old inode, keeps them all), and
// other hard links keep pointing at the old content. The check of [Expect] and the rename are not
// one transaction: a writer that ignores [Lock] can still slip in between.
package safefile

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/google/renameio/v2"

	"github.com/ifacefix/ifacefix/rootfs"
)

var (
	// ErrChanged is wrapped by Replace's error when the file is not the one the caller read.
	ErrChanged = errors.New("file changed since it was read")
	// ErrNotRegular is wrapped when the name is not a regular file; it is rootfs.ErrNotRegular, so
	// errors.Is works with either.
	ErrNotRegular = rootfs.ErrNotRegular
	// ErrLocked is wrapped by Lock's error after its timeout.
	ErrLocked = errors.New("locked by another ifacefix process")
)

// Expect is what the caller read; Replace refuses to write if the file changed since.
type Expect struct {
	Data    []byte
	Size    int64
	ModTime time.Time
}

// ExpectFrom returns the Expect for bytes and FileInfo from rootfs.FS.ReadFileInfo.
func ExpectFrom(data []byte, fi fs.FileInfo) Expect {
	return Expect{Data: data, Size: fi.Size(), ModTime: fi.ModTime()}
}

// Options tune Replace.
type Options struct {
	Backup bool             // keep the old file under BackupName, as a hard link
	Now    func() time.Time // clock for backup names (nil: time.Now)
}

// Result says what Replace wrote.
type Result struct {
	Path   string // resolved name written (fs.FS style, inside the FS)
	Backup string // backup name (fs.FS style, inside the FS), or ""
}

// BackupName returns the backup name for base at time t:
// "." + base + ".ifacefix-" + t.UTC().Format("20060102T150405Z") + ".bak".
//
// It starts with a dot because backups sit next to the file, possibly in interfaces.d: Debian's
// `source /etc/network/interfaces.d/*` is a glob that skips dotfiles but would read foo.bak or
// foo~, and `source-directory` reads only names matching ^[a-zA-Z0-9_-]+$ (a dot excludes it).
// If the name exists, Replace appends "-1", "-2", ... before ".bak".
func BackupName(base string, t time.Time) string {
	return backupName(base, t, 0)
}

func backupName(base string, t time.Time, n int) string {
	s := "." + base + ".ifacefix-" + t.UTC().Format("20060102T150405Z")
	if n > 0 {
		s += "-" + strconv.Itoa(n)
	}
	return s + ".bak"
}

// maxBackupTries bounds the "-N" suffixes tried for a backup name.
const maxBackupTries = 1000

// Replace atomically replaces the regular file name (absolute or unrooted, inside fsys; symlinks
// are resolved with fsys.Resolve and written through) with data, if it still matches want. See
// the package documentation for the guarantees. Errors name the host path and the step that failed.
func Replace(fsys *rootfs.FS, name string, data []byte, want Expect, opts Options) (Result, error) {
	host := fsys.HostPath(name)
	fail := func(step string, err error) (Result, error) {
		return Result{}, fmt.Errorf("replace %s: %s: %w", host, step, unwrapPath(err))
	}
	target, err := fsys.Resolve(name)
	if err != nil {
		return fail("resolve", err)
	}
	if target != strings.TrimPrefix(path.Clean("/"+name), "/") {
		host += " (-> " + fsys.HostPath(target) + ")"
	}
	root := fsys.Root()

	// ReadFileInfo lstats first, so a FIFO or device is refused (ErrNotRegular, naming the kind)
	// without being opened; old is the fstat of the file actually read.
	cur, old, err := fsys.ReadFileInfo(target)
	if err != nil {
		return fail("read", err)
	}
	if err := compare(old, cur, want); err != nil {
		return fail("check", err)
	}

	// renameio with WithRoot creates its temp file at the top of that root, named after the base
	// name only (and ignores WithTempDir), so give it a Root on the target's own directory: the
	// temp file must be in the same directory to be on the same file system as the target.
	dir, base := path.Split(target)
	droot, err := root.OpenRoot(path.Clean("./" + dir))
	if err != nil {
		return fail("open directory", err)
	}
	defer droot.Close()
	// Default creation mode 0600: nobody else can read the bytes before the chmod below.
	pf, err := renameio.NewPendingFile(base, renameio.WithRoot(droot))
	if err != nil {
		return fail("create temp file", err)
	}
	defer pf.Cleanup() // no-op after a successful rename; removes the temp file otherwise

	if _, err := pf.Write(data); err != nil {
		return fail("write temp file", err)
	}
	st, ok := old.Sys().(*syscall.Stat_t)
	if !ok {
		return fail("check", errors.New("no owner information"))
	}
	// Owner first: chown(2) clears setuid/setgid, so the full mode is set after it.
	if err := chownIfNeeded(pf.File, int(st.Uid), int(st.Gid)); err != nil {
		return fail("keep owner", err)
	}
	mode := old.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
	if err := pf.Chmod(mode); err != nil {
		return fail("keep mode", err)
	}
	// fsync before any visible change, so an I/O error (or a late ENOSPC) aborts cleanly.
	if err := pf.Sync(); err != nil {
		return fail("fsync temp file", err)
	}

	fault("synced")

	res := Result{Path: target}
	if opts.Backup {
		clock := opts.Now
		if clock == nil {
			clock = time.Now
		}
		b, err := link(droot, base, old, clock())
		if err != nil {
			return fail("backup", err)
		}
		res.Backup = path.Join(path.Dir(target), b)
	}
	fault("linked")
	// When nothing is replaced, no backup is left either.
	dropBackup := func() {
		if res.Backup != "" {
			droot.Remove(path.Base(res.Backup))
		}
	}

	// Narrow the window between the check and the rename to nothing but the rename itself: the
	// target must still be the same inode with the same size, mtime and bytes (re-read: an
	// in-place rewrite of the same size within one timestamp tick keeps size and mtime). This runs
	// after the backup link, so the backup is known to hold exactly the bytes the caller read.
	if now, nowInfo, err := fsys.ReadFileInfo(target); err != nil {
		dropBackup()
		return fail("check", err)
	} else if !os.SameFile(old, nowInfo) || nowInfo.Size() != old.Size() || !nowInfo.ModTime().Equal(old.ModTime()) || !bytes.Equal(now, want.Data) {
		dropBackup()
		return fail("check", fmt.Errorf("%w (replaced or modified during the write)", ErrChanged))
	}

	// Syncs again (a no-op now), closes and renames.
	if err := pf.CloseAtomicallyReplace(); err != nil {
		dropBackup()
		return fail("rename", err)
	}
	if err := syncDir(droot); err != nil {
		// The new file is in place; only its durability across a crash is in doubt.
		return res, fmt.Errorf("replace %s: replaced, but fsync of the directory failed: %w", host, unwrapPath(err))
	}
	return res, nil
}

// compare checks that the file read (info, data) matches want.
func compare(info fs.FileInfo, data []byte, want Expect) error {
	var diff []string
	if info.Size() != want.Size {
		diff = append(diff, "size")
	}
	if !info.ModTime().Equal(want.ModTime) {
		diff = append(diff, "mtime")
	}
	if !bytes.Equal(data, want.Data) {
		diff = append(diff, "content")
	}
	if diff != nil {
		return fmt.Errorf("%w (%s changed)", ErrChanged, strings.Join(diff, ", "))
	}
	return nil
}

// chownIfNeeded sets the owner of f unless it already has it: the common non-root case (own
// file) then needs no chown at all. A chown that fails is an error, never a silent owner change.
func chownIfNeeded(f *os.File, uid, gid int) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) == uid && int(st.Gid) == gid {
		return nil
	}
	return f.Chown(uid, gid)
}

// link hard-links base to a free backup name in droot and returns that name. A hard link keeps
// exactly the old bytes, owner, mode and xattrs, with no copy. If base is no longer the inode old
// (a race), the link is removed and ErrChanged returned.
func link(droot *os.Root, base string, old fs.FileInfo, t time.Time) (string, error) {
	for n := 0; n < maxBackupTries; n++ {
		name := backupName(base, t, n)
		err := droot.Link(base, name)
		if errors.Is(err, fs.ErrExist) {
			continue // two runs in the same second: try the next suffix
		}
		if err != nil {
			return "", err
		}
		if fi, err := droot.Lstat(name); err != nil || !os.SameFile(fi, old) {
			droot.Remove(name)
			return "", fmt.Errorf("%w (replaced during the backup)", ErrChanged)
		}
		return name, nil
	}
	return "", fmt.Errorf("no free backup name after %s", backupName(base, t, maxBackupTries-1))
}

// syncDir fsyncs the directory so that the rename itself survives a crash.
func syncDir(droot *os.Root) error {
	d, err := droot.Open(".")
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// unwrapPath drops the outer *fs.PathError or *os.LinkError: the message names the host path
// already, and *os.Root's errors name paths relative to the root, which mean nothing to a user.
func unwrapPath(err error) error {
	switch e := err.(type) {
	case *fs.PathError:
		return e.Err
	case *os.LinkError:
		return e.Err
	}
	return err
}

// Lock takes an exclusive flock(2) on the directory dir (absolute or unrooted name inside fsys).
// flock on a directory descriptor creates no file and survives renames of the files in it, so it
// serializes ifacefix runs that replace files there. It polls with LOCK_NB until timeout, then
// returns an error wrapping ErrLocked. The returned func releases the lock.
//
// flock locks are advisory: only processes that also take them are excluded.
func Lock(fsys *rootfs.FS, dir string, timeout time.Duration) (unlock func() error, err error) {
	host := fsys.HostPath(dir)
	r, err := fsys.Resolve(dir)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", host, unwrapPath(err))
	}
	d, err := fsys.Root().OpenFile(r, os.O_RDONLY|syscall.O_DIRECTORY, 0)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", host, unwrapPath(err))
	}
	deadline := time.Now().Add(timeout)
	for {
		err = flock(d, syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() error {
				// Closing the only descriptor releases the lock anyway; unlock explicitly to
				// report errors and be independent of descriptor sharing.
				err := flock(d, syscall.LOCK_UN)
				if cerr := d.Close(); err == nil {
					err = cerr
				}
				return err
			}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			d.Close()
			return nil, fmt.Errorf("lock %s: flock: %w", host, err)
		}
		left := time.Until(deadline)
		if left <= 0 {
			d.Close()
			return nil, fmt.Errorf("lock %s: %w (waited %v)", host, ErrLocked, timeout)
		}
		time.Sleep(min(left, 50*time.Millisecond))
	}
}

// flock calls flock(2) on f without f.Fd(), which would put f in blocking mode.
func flock(f *os.File, how int) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) {
		for {
			ferr = syscall.Flock(int(fd), how)
			if ferr != syscall.EINTR {
				return
			}
		}
	}); err != nil {
		return err
	}
	return ferr
}
