// Package safefile replaces existing files safely inside a [rootfs.FS]. It knows nothing of the
// files' syntax.
//
// Guarantees of [Replace]:
//
//   - Atomic: the new bytes are written to a temporary file in the target's own directory (same
//     file system, so rename(2) is possible), then renamed over the target. Readers see the old
//     file or the new one, never a mix. rename(2) is not atomic on NFS with several clients
//     (renameio's doc says so too).
//   - Durable once Replace returns nil: the file is fsynced before the rename and the directory
//     after it. Without the directory fsync a crash could bring the old name back.
//   - Same owner, group and mode, including setuid, setgid and sticky bits (renameio alone keeps
//     only the permission bits and never the owner), and the same extended attributes: the ACL,
//     user.*, trusted.*, the SELinux or Smack label in security.* (see keepXattrs). One
//     that cannot be set is an error: nothing is written.
//   - Symlinks are written through: a symlinked name stays a link and its target (resolved
//     chroot-style inside the FS) gets the new bytes.
//   - Only a regular file is replaced, and only if it still has the size, mtime and content the
//     caller read ([Expect]); otherwise nothing is written.
//   - Any failure before the rename leaves no trace: no temporary file, no backup.
//
// Not kept: other hard links of the old file, which keep the old bytes (rename(2) replaces one
// name; the backup is such a link), and security.ima and security.evm, which the kernel computes
// for the new file itself. The check of [Expect] and the rename are not one transaction: a
// writer that ignores [Lock] can still slip in between.
package safefile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/google/renameio/v2"
	"golang.org/x/sys/unix"

	"github.com/ifacefix/ifacefix/internal/rootfs"
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

// Expect is what the caller read of a file: its bytes, and the size, modification time and
// identity (device and inode; zero when unknown) of the very file they came from.
type Expect struct {
	Data     []byte
	Size     int64
	ModTime  time.Time
	Dev, Ino uint64
}

// ExpectFrom returns the Expect for bytes and FileInfo from rootfs.FS.ReadFileInfo.
func ExpectFrom(data []byte, fi fs.FileInfo) Expect {
	e := Expect{Data: data, Size: fi.Size(), ModTime: fi.ModTime()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		e.Dev, e.Ino = uint64(st.Dev), st.Ino
	}
	return e
}

// Check reports whether the regular file name (inside fsys, symlinks resolved chroot-style) is
// still what want describes: an error wrapping ErrChanged says what differs (the file itself,
// its size, its modification time or its content). It reads the file once, comparing as it reads;
// it never blocks on a FIFO and refuses anything but a regular file.
func Check(fsys *rootfs.FS, name string, want Expect) error {
	f, fi, err := fsys.OpenRegular(name)
	if errors.Is(err, fs.ErrNotExist) {
		return errDisappeared
	}
	if err != nil {
		return err
	}
	defer f.Close()
	return check(f, fi, want)
}

// errDisappeared is ErrChanged for a file that no longer exists; it is fs.ErrNotExist too.
var errDisappeared = disappeared{}

type disappeared struct{}

func (disappeared) Error() string { return ErrChanged.Error() + ": it disappeared after it was read" }
func (disappeared) Is(target error) bool {
	return target == ErrChanged || target == fs.ErrNotExist
}

// check compares the open file f (fi its fstat) with want.
func check(f *os.File, fi fs.FileInfo, want Expect) error {
	changed := func(what string) error {
		return fmt.Errorf("%w: %s after it was read", ErrChanged, what)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && want.Ino != 0 && (uint64(st.Dev) != want.Dev || st.Ino != want.Ino) {
		return changed("it was replaced by another file")
	}
	switch {
	case fi.Size() != want.Size || int64(len(want.Data)) != want.Size:
		return changed("its size changed")
	case !fi.ModTime().Equal(want.ModTime):
		return changed("its modification time changed")
	}
	buf := make([]byte, min(len(want.Data)+1, 64<<10))
	rest := want.Data
	for {
		n, err := f.Read(buf)
		if n > len(rest) || !bytes.Equal(buf[:n], rest[:n]) {
			return changed("its content changed")
		}
		rest = rest[n:]
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	if len(rest) > 0 {
		return changed("its content changed")
	}
	return nil
}

// Options tune Replace and Prepare.
type Options struct {
	Backup bool             // keep the old file under BackupName, as a hard link
	Now    func() time.Time // clock for backup names (nil: time.Now)
	// BackupDir, when set, names a subdirectory of the file's directory to keep the backup in
	// (made, mode 0700, if missing): for a program that reads every regular file of a
	// directory, dotfiles too, but no directory in it (ifupdown-ng's source-directory).
	BackupDir string
}

// BackupDir is the directory Options.BackupDir names for ifupdown-ng configurations.
const BackupDir = ".ifacefix-backup"

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
// ifupdown-ng's source-directory reads dotfiles too: Options.BackupDir is for it.
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

// Pending is a replacement prepared by Prepare: the new bytes are in a temporary file next to the
// target, fsynced, and the backup (if any) is linked; nothing a reader of the target sees has
// changed yet. Commit makes it visible; Abort removes every trace of it.
type Pending struct {
	host    string // the target's host path, for messages
	fsys    *rootfs.FS
	target  string // resolved name inside fsys
	droot   *os.Root
	base    string
	old     fs.FileInfo // the target when it was prepared
	want    Expect
	pf      *renameio.PendingFile
	backup  string // name in droot, or ""
	renamed bool
	closed  bool
}

// Replace atomically replaces the regular file name (absolute or unrooted, inside fsys; symlinks
// are resolved with fsys.Resolve and written through) with data, if it still matches want: it is
// the Commit of one Prepare. See the package documentation for the guarantees. Errors name the
// host path and the step that failed.
func Replace(fsys *rootfs.FS, name string, data []byte, want Expect, opts Options) (Result, error) {
	p, err := Prepare(fsys, name, data, want, opts)
	if err != nil {
		return Result{}, err
	}
	_, err = Commit([]*Pending{p})
	if !p.renamed {
		return Result{}, err
	}
	return p.Result(), err
}

// Prepare does every step of replacing name with data that can fail, without changing anything a
// reader of name sees: it writes and fsyncs a temporary file in name's own directory with the
// target's owner, group and mode, and links the backup. The target must be a regular file; the
// check against want is made by Commit, just before the rename.
func Prepare(fsys *rootfs.FS, name string, data []byte, want Expect, opts Options) (_ *Pending, err error) {
	host := fsys.HostPath(name)
	fail := func(step string, err error) (*Pending, error) {
		return nil, &Error{Path: host, Step: step, Err: unwrapPath(err)}
	}
	target, err := fsys.Resolve(name)
	if err != nil {
		return fail("resolve", err)
	}
	if target != strings.TrimPrefix(path.Clean("/"+name), "/") {
		host += " (-> " + fsys.HostPath(target) + ")"
	}
	old, err := fsys.Root().Lstat(target)
	if errors.Is(err, fs.ErrNotExist) {
		err = errDisappeared // the caller read it: it is gone since
	} else if err == nil {
		err = rootfs.CheckRegular(old)
	}
	if err != nil {
		return fail("stat", err)
	}

	// renameio with WithRoot creates its temp file at the top of that root, named after the base
	// name only (and ignores WithTempDir), so give it a Root on the target's own directory: the
	// temp file must be in the same directory to be on the same file system as the target.
	// The "/." opens only a directory: were it swapped for a FIFO, a plain open would wait for a
	// writer.
	dir, base := path.Split(target)
	droot, err := fsys.Root().OpenRoot(path.Clean("./"+dir) + "/.")
	if err != nil {
		return fail("open directory", err)
	}
	p := &Pending{host: host, fsys: fsys, target: target, droot: droot, base: base, old: old, want: want}
	defer func() {
		if err != nil {
			p.Abort()
		}
	}()
	// Default creation mode 0600: nobody else can read the bytes before the chmod below.
	if p.pf, err = renameio.NewPendingFile(base, renameio.WithRoot(droot)); err != nil {
		return fail("create temp file", err)
	}
	if _, err := p.pf.Write(data); err != nil {
		return fail("write temp file", err)
	}
	st, ok := old.Sys().(*syscall.Stat_t)
	if !ok {
		return fail("check", errors.New("no owner information"))
	}
	// Owner first: chown(2) clears setuid/setgid, so the full mode is set after it.
	if err := chownIfNeeded(p.pf.File, int(st.Uid), int(st.Gid)); err != nil {
		return fail("keep owner", err)
	}
	// Then the extended attributes (the ACL among them), before the chmod: a chmod sets an ACL's
	// mask from the group bits, which are the old mask, so the mode stays exactly the old one.
	if err := p.keepXattrs(); err != nil {
		return fail("keep extended attributes", err)
	}
	mode := old.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
	if err := p.pf.Chmod(mode); err != nil {
		return fail("keep mode", err)
	}
	// fsync before any visible change, so an I/O error (or a late ENOSPC) aborts cleanly. It is
	// the only fsync of the data: Commit renames without another.
	if err := p.pf.Sync(); err != nil {
		return fail("fsync temp file", err)
	}
	fault("synced")
	if opts.Backup {
		clock := opts.Now
		if clock == nil {
			clock = time.Now
		}
		if p.backup, err = link(droot, opts.BackupDir, base, old, clock()); err != nil {
			return fail("backup", err)
		}
	}
	fault("linked")
	return p, nil
}

// Result says where the pending replacement writes (and wrote its backup).
func (p *Pending) Result() Result {
	r := Result{Path: p.target}
	if p.backup != "" {
		r.Backup = path.Join(path.Dir(p.target), p.backup)
	}
	return r
}

// Abort removes the temporary file and the backup of a replacement not yet renamed, and releases
// it. After a rename it only releases it.
func (p *Pending) Abort() {
	if !p.renamed {
		if p.pf != nil {
			p.pf.Cleanup()
		}
		if p.backup != "" {
			p.droot.Remove(p.backup)
			p.backup = ""
		}
	}
	p.close()
}

func (p *Pending) close() {
	if !p.closed {
		p.closed = true
		p.droot.Close()
	}
}

// Commit makes prepared replacements visible, all or none as far as a running system can: it
// checks every target against what its caller read (the same inode that was linked as backup,
// with the same size, modification time and bytes) before the first rename, then renames each
// temporary file over its target in order, then fsyncs each directory once. A failed check, or a
// failure of the first rename, aborts every replacement: nothing is changed. Only a rename that
// fails after others succeeded (or a crash between renames) leaves some replaced: n says how many
// (the first n). A failed directory fsync is reported after all renames: the files are in place,
// only their durability across a crash is in doubt. Errors are *Error, with the Index of the
// replacement that failed.
func Commit(ps []*Pending) (n int, err error) {
	defer func() {
		for _, p := range ps {
			p.Abort() // releases the renamed ones, removes what is left of the others
		}
	}()
	for _, p := range ps {
		p.pf.File.Close() // fsynced already; closed here, so the close is not in the window below
	}
	for i, p := range ps {
		// After the backup link, so the backup is known to hold exactly the bytes checked.
		if err := p.check(); err != nil {
			return 0, &Error{Path: p.host, Step: "check", Err: err, Index: i}
		}
	}
	fault("checked")
	for i, p := range ps {
		// The window in which another writer's change can be lost is from its check to this
		// rename: the checks and renames of the files before it, no fsync.
		if err := p.droot.Rename(filepath.Base(p.pf.Name()), p.base); err != nil {
			return n, &Error{Path: p.host, Step: "rename", Err: unwrapPath(err), Index: i}
		}
		p.renamed = true
		n++
		fault("renamed")
	}
	synced := map[string]bool{}
	for i, p := range ps {
		dir := p.fsys.HostPath(path.Dir(p.target))
		if synced[dir] {
			continue
		}
		synced[dir] = true
		if err := syncDir(p.droot); err != nil {
			return n, &Error{Path: p.host, Step: "replaced, but fsync of the directory failed", Err: unwrapPath(err), Index: i}
		}
	}
	return n, nil
}

// Error is a step of a replacement that failed: "replace PATH: STEP: cause".
type Error struct {
	Path  string // host path of the file (with its target, for a symlink)
	Step  string
	Err   error
	Index int // Commit's: the replacement that failed
}

func (e *Error) Error() string { return "replace " + e.Path + ": " + e.Step + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// check is Check of the pending target, which must also still be the inode Prepare saw.
func (p *Pending) check() error {
	f, fi, err := p.fsys.OpenRegular(p.target)
	if errors.Is(err, fs.ErrNotExist) {
		return errDisappeared
	}
	if err != nil {
		return unwrapPath(err)
	}
	defer f.Close()
	if !os.SameFile(fi, p.old) {
		return fmt.Errorf("%w: it was replaced by another file during the write", ErrChanged)
	}
	return check(f, fi, p.want)
}

// keepXattrs gives the temporary file the extended attributes of the target, which must still
// be the inode Prepare saw: user.*, trusted.*, security.* (an SELinux or Smack label) and
// system.* (system.posix_acl_access is the ACL), with the same values; it removes those the
// temporary file got that the target has not (an ACL inherited from the directory's default
// ACL), except security.* ones, which the kernel's security modules set on every new file.
// Not copied: security.ima and security.evm, the kernel's hash and signature of the old bytes
// and metadata, which it keeps itself for a new file. An attribute that cannot be set (EPERM:
// trusted.* and most security.* need privileges) is an error naming it.
func (p *Pending) keepXattrs() error {
	f, fi, err := p.fsys.OpenRegular(p.target)
	if err != nil {
		return err
	}
	defer f.Close()
	if !os.SameFile(fi, p.old) {
		return fmt.Errorf("%w: it was replaced by another file during the write", ErrChanged)
	}
	want, err := xattrs(f)
	if err != nil {
		return err
	}
	have, err := xattrs(p.pf.File)
	if err != nil {
		return err
	}
	for _, name := range sortedKeys(want) {
		if v, ok := have[name]; name == "security.ima" || name == "security.evm" || ok && bytes.Equal(v, want[name]) {
			continue
		}
		if err := fdDo(p.pf.File, func(fd int) error { return unix.Fsetxattr(fd, name, want[name], 0) }); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	for _, name := range sortedKeys(have) {
		if _, ok := want[name]; ok || strings.HasPrefix(name, "security.") {
			continue
		}
		if err := fdDo(p.pf.File, func(fd int) error { return unix.Fremovexattr(fd, name) }); err != nil {
			return fmt.Errorf("remove %s: %w", name, err)
		}
	}
	return nil
}

// xattrs returns the extended attributes of the open file f: none where its file system has
// none (ENOTSUP).
func xattrs(f *os.File) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := fdDo(f, func(fd int) error {
		names, err := sized(func(b []byte) (int, error) { return unix.Flistxattr(fd, b) })
		if err != nil {
			if err == unix.ENOTSUP {
				return nil
			}
			return err
		}
		for name := range strings.SplitSeq(string(names), "\x00") {
			if name == "" {
				continue
			}
			v, err := sized(func(b []byte) (int, error) { return unix.Fgetxattr(fd, name, b) })
			if err == unix.ENODATA {
				continue // removed meanwhile
			}
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			out[name] = v
		}
		return nil
	})
	return out, err
}

// sized calls get (a list or get of extended attributes) with a buffer of the size it asks for,
// again if the value grew in between (ERANGE).
func sized(get func([]byte) (int, error)) ([]byte, error) {
	for {
		n, err := get(nil)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return []byte{}, nil
		}
		b := make([]byte, n)
		n, err = get(b)
		if err == unix.ERANGE {
			continue
		}
		if err != nil {
			return nil, err
		}
		return b[:n], nil
	}
}

// fdDo runs fn on f's descriptor without f.Fd(), which would put f in blocking mode.
func fdDo(f *os.File, fn func(fd int) error) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = fn(int(fd)) }); err != nil {
		return err
	}
	return ferr
}

func sortedKeys(m map[string][]byte) []string {
	return slices.Sorted(maps.Keys(m))
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

// link hard-links base to a free backup name in droot (in its subdirectory dir, if not "") and
// returns that name. A hard link keeps exactly the old bytes, owner, mode and xattrs, with no
// copy. If base is no longer the inode old (a race), the link is removed and ErrChanged returned.
func link(droot *os.Root, dir, base string, old fs.FileInfo, t time.Time) (string, error) {
	if dir != "" {
		if err := droot.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return "", err
		}
		if fi, err := droot.Lstat(dir); err != nil || !fi.IsDir() {
			return "", fmt.Errorf("%s is not a directory", dir)
		}
	}
	for n := 0; n < maxBackupTries; n++ {
		name := backupName(base, t, n)
		if dir != "" {
			name = dir + "/" + name
		}
		err := droot.Link(base, name)
		if errors.Is(err, fs.ErrExist) {
			continue // two runs in the same second: try the next suffix
		}
		if errors.Is(err, fs.ErrNotExist) {
			// base was removed, or replaced by a rename: linkat(2) refuses an inode whose last
			// name is gone (ENOENT) rather than linking the new one.
			return "", fmt.Errorf("%w (replaced during the backup)", ErrChanged)
		}
		if err != nil {
			return "", err
		}
		if fi, err := droot.Lstat(name); err != nil || !os.SameFile(fi, old) {
			droot.Remove(name)
			return "", fmt.Errorf("%w (replaced during the backup)", ErrChanged)
		}
		if dir != "" {
			// The fsync of the file's directory after the rename does not cover this one.
			if err := syncSub(droot, dir); err != nil {
				droot.Remove(name)
				return "", err
			}
		}
		return name, nil
	}
	return "", fmt.Errorf("no free backup name after %s", backupName(base, t, maxBackupTries-1))
}

// syncSub fsyncs the subdirectory dir of droot.
func syncSub(droot *os.Root, dir string) error {
	d, err := droot.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
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
	// O_DIRECTORY: anything else (a FIFO above all, whose open would wait for a writer while the
	// caller waits for the lock) fails at once.
	d, err := fsys.Root().OpenFile(r, os.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NONBLOCK, 0)
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

// flock calls flock(2) on f, again after EINTR.
func flock(f *os.File, how int) error {
	return fdDo(f, func(fd int) error {
		for {
			if err := syscall.Flock(fd, how); err != syscall.EINTR {
				return err
			}
		}
	})
}
