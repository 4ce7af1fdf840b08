// Package rootfs is a confined, chroot-style read view of a directory tree.
//
// An [FS] treats a host directory DIR as "/": absolute symlink targets restart at DIR, and ".." at
// DIR stays at DIR, exactly as inside chroot(2). This is what `ifacefix --root DIR` needs for
// images and chroots, where /etc/network/interfaces may well be a symlink to
// /etc/network/interfaces.real.
//
// Why not just *os.Root: it refuses absolute symlinks and any link that climbs out of the root,
// which breaks such image trees. So [FS.Resolve] walks the name itself, one component at a time,
// with Lstat/Readlink through the *os.Root, and the resolved name is then opened through the same
// *os.Root. Our resolution gives the chroot meaning; the *os.Root keeps the guarantee that nothing
// outside DIR is ever opened, even if the tree is changed between resolution and open (a race can
// at worst give an error or another name inside DIR, never one outside).
//
// Where the kernel has openat2(2) (Linux 5.6+), opens and stats skip the walk: RESOLVE_IN_ROOT
// is the same chroot meaning in one system call, where the walk costs a lookup per component.
// The walk stays for [FS.Resolve] (which must name the file it finds) and for kernels without it.
//
// Names: [FS.Resolve], [FS.ReadFileInfo] and [FS.HostPath] take absolute ("/etc/x") or unrooted
// ("etc/x") names. The [fs.FS] methods (Open, Stat, ReadDir, ReadFile) keep the fs.FS contract and
// only accept names valid for [fs.ValidPath]; they still resolve symlinks chroot-style.
//
// The package is for Unix systems (it uses O_NONBLOCK and O_NOCTTY).
package rootfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// MaxFileSize is the largest file [FS.ReadFileInfo] reads. Configuration files are tiny; the
// limit only stops a mistaken name (a disk image, a log) from exhausting memory.
const MaxFileSize = 1 << 30

// maxLinks is the number of symlinks followed in one resolution, as Linux's MAXSYMLINKS (40).
const maxLinks = 40

var (
	// ErrNotRegular is wrapped by errors about a name that is not a regular file.
	ErrNotRegular = errors.New("not a regular file")
	// ErrTooLarge is wrapped by errors about a file larger than MaxFileSize.
	ErrTooLarge = errors.New("file too large")
)

// FS is a read view of a host directory used as "/". Its methods are safe for concurrent use.
type FS struct {
	dir  string
	root *os.Root
	fd   int // the same directory, O_PATH, for openat2; -1 where the kernel lacks openat2
}

// walkOnly makes Open leave openat2 unused, so that tests cover the walk too.
var walkOnly bool

// haveOpenat2 reports whether openat2 works here: Linux 5.6+, and no seccomp filter refusing it
// (some container runtimes answer ENOSYS or EPERM).
var haveOpenat2 = sync.OnceValue(func() bool {
	fd, err := unix.Openat2(unix.AT_FDCWD, "/", &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC, Resolve: unix.RESOLVE_IN_ROOT})
	if err != nil {
		return false
	}
	unix.Close(fd)
	return true
})

// Open opens the host directory dir as the root of an FS. Anything but a directory (a symlink to
// one is followed) is refused at once.
func Open(dir string) (*FS, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	// "/." makes the open fail at once (ENOTDIR) on anything but a directory: a plain open of a
	// FIFO waits for a writer, forever.
	root, err := os.OpenRoot(abs + "/.")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			pe.Path = abs
		}
		return nil, err
	}
	f := &FS{dir: abs, root: root, fd: -1}
	if !walkOnly && haveOpenat2() {
		if err := f.openFd(); err != nil {
			root.Close()
			return nil, err
		}
	}
	return f, nil
}

// openFd opens f.fd on the directory f.root has, which it checks by device and inode: the name
// may have been renamed or replaced since the root was opened.
func (f *FS) openFd() error {
	fd, err := unix.Open(f.dir+"/.", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &fs.PathError{Op: "open", Path: f.dir, Err: err}
	}
	var st unix.Stat_t
	err = unix.Fstat(fd, &st)
	fi, rerr := f.root.Stat(".")
	if err == nil && rerr != nil {
		err = rerr
	}
	if err == nil {
		if rs, ok := fi.Sys().(*syscall.Stat_t); !ok || uint64(rs.Dev) != uint64(st.Dev) || rs.Ino != st.Ino {
			err = errors.New("directory replaced while being opened")
		}
	}
	if err != nil {
		unix.Close(fd)
		return &fs.PathError{Op: "open", Path: f.dir, Err: err}
	}
	f.fd = fd
	return nil
}

// Close releases the root directory.
func (f *FS) Close() error {
	if f.fd >= 0 {
		unix.Close(f.fd)
		f.fd = -1
	}
	return f.root.Close()
}

// openIn opens the clean unrooted name with openat2 and RESOLVE_IN_ROOT: the kernel resolves it
// chroot-style in the root, as Resolve would, in one call. ok is false where f has no openat2, or
// where renames kept racing with the lookup (EAGAIN): the caller then walks, which decides.
func (f *FS) openIn(name string, flags int) (file *os.File, ok bool, err error) {
	if f.fd < 0 {
		return nil, false, nil
	}
	// No magic links: /proc/*/fd/* inside an image would lead anywhere.
	how := unix.OpenHow{Flags: uint64(flags | unix.O_CLOEXEC), Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS}
	for range 3 {
		fd, err := unix.Openat2(f.fd, name, &how)
		switch err {
		case nil:
			return os.NewFile(uintptr(fd), f.HostPath(name)), true, nil
		case unix.EAGAIN, unix.EINTR:
			continue
		}
		return nil, true, err
	}
	return nil, false, nil
}

// statIn is Stat through openIn: an O_PATH descriptor, which opens nothing (no FIFO waits, no
// device acts), and its fstat.
func (f *FS) statIn(name string) (fs.FileInfo, bool, error) {
	file, ok, err := f.openIn(name, unix.O_PATH)
	if !ok || err != nil {
		return nil, ok, err
	}
	defer file.Close()
	fi, err := file.Stat()
	return fi, true, err
}

// Dir returns the host directory (absolute, cleaned).
func (f *FS) Dir() string { return f.dir }

// Root returns the *os.Root all opens go through; use it for writes inside the tree.
func (f *FS) Root() *os.Root { return f.root }

// HostPath returns the host path of name (absolute or unrooted), for messages. It does not
// resolve symlinks, and ".." cannot climb above [FS.Dir].
func (f *FS) HostPath(name string) string {
	return filepath.Join(f.dir, filepath.FromSlash(path.Clean("/"+name)))
}

// Resolve returns the canonical name of name (fs.FS style: unrooted, slash-separated, "." for the
// root) with every symlink in every component resolved chroot-style. At most 40 symlinks are
// followed (else an error wrapping ELOOP). A missing final component is allowed, so a name about to
// be created resolves; a missing directory component gives an error wrapping fs.ErrNotExist.
func (f *FS) Resolve(name string) (string, error) {
	w := walk{f: f}
	defer w.close()
	todo := split(name) // components still to walk
	links := 0
	for len(todo) > 0 {
		c := todo[0]
		todo = todo[1:]
		if c == ".." {
			// done holds real directories only, so popping one is the kernel's "..";
			// at the root it stays at the root, as in a chroot.
			w.up()
			continue
		}
		mode, err := w.lstat(c)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && len(todo) == 0 {
				w.done = append(w.done, c)
				break
			}
			return "", f.pathError("resolve", name, err)
		}
		switch {
		case mode&fs.ModeSymlink != 0:
			if links++; links > maxLinks {
				return "", f.pathError("resolve", name, syscall.ELOOP)
			}
			target, err := w.readlink(c)
			if err != nil {
				return "", f.pathError("resolve", name, err)
			}
			if strings.HasPrefix(target, "/") {
				w.close() // chroot: absolute targets restart at the root
			}
			todo = append(split(target), todo...)
		case !mode.IsDir() && len(todo) > 0:
			return "", f.pathError("resolve", name, syscall.ENOTDIR)
		case len(todo) == 0:
			w.done = append(w.done, c)
		default:
			if err := w.enter(c); err != nil {
				return "", f.pathError("resolve", name, err)
			}
		}
	}
	if len(w.done) == 0 {
		return ".", nil
	}
	return strings.Join(w.done, "/"), nil
}

// walk is Resolve's position: done, the real directories walked into. Where the FS has openat2
// (so f.fd), fds holds an O_PATH descriptor for each, and each lookup is one call relative to
// its parent; else lookups go through f.root, which walks from the top each time.
type walk struct {
	f    *FS
	done []string
	fds  []int
}

// dir is the descriptor of the current directory, in openat2 mode.
func (w *walk) dir() int {
	if len(w.fds) == 0 {
		return w.f.fd
	}
	return w.fds[len(w.fds)-1]
}

func (w *walk) lstat(c string) (fs.FileMode, error) {
	if w.f.fd < 0 {
		fi, err := w.f.root.Lstat(strings.Join(append(w.done, c), "/"))
		if err != nil {
			return 0, err
		}
		return fi.Mode(), nil
	}
	var st unix.Stat_t
	if err := unix.Fstatat(w.dir(), c, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return 0, err
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFLNK:
		return fs.ModeSymlink, nil
	case unix.S_IFDIR:
		return fs.ModeDir, nil
	}
	return 0, nil // the walk only tells links and directories from the rest
}

func (w *walk) readlink(c string) (string, error) {
	if w.f.fd < 0 {
		return w.f.root.Readlink(strings.Join(append(w.done, c), "/"))
	}
	for size := 256; ; size *= 2 {
		buf := make([]byte, size)
		n, err := unix.Readlinkat(w.dir(), c, buf)
		if err != nil {
			return "", err
		}
		if n < size {
			return string(buf[:n]), nil
		}
	}
}

// enter walks into the directory c. O_NOFOLLOW: if c was swapped for a link since lstat, the
// open fails rather than follow it.
func (w *walk) enter(c string) error {
	if w.f.fd >= 0 {
		fd, err := unix.Openat(w.dir(), c, unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return err
		}
		w.fds = append(w.fds, fd)
	}
	w.done = append(w.done, c)
	return nil
}

// up is "..": the parent of the current directory, the root's own at the root.
func (w *walk) up() {
	if len(w.done) == 0 {
		return
	}
	w.done = w.done[:len(w.done)-1]
	if len(w.fds) > 0 {
		unix.Close(w.fds[len(w.fds)-1])
		w.fds = w.fds[:len(w.fds)-1]
	}
}

// close goes back to the root, releasing the descriptors.
func (w *walk) close() {
	for _, fd := range w.fds {
		unix.Close(fd)
	}
	w.fds, w.done = w.fds[:0], w.done[:0]
}

// split returns the components of a slash path, without empty and "." ones.
func split(name string) []string {
	var out []string
	for c := range strings.SplitSeq(name, "/") {
		if c != "" && c != "." {
			out = append(out, c)
		}
	}
	return out
}

// pathError returns an *fs.PathError naming the host path, with the innermost error (the one
// from *os.Root names a path relative to the root, which means nothing to a user).
func (f *FS) pathError(op, name string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &fs.PathError{Op: op, Path: f.HostPath(name), Err: err}
}

// direct returns name cleaned for os.Root when os.Root alone resolves it exactly as Resolve would:
// when it has no ".." and os.Root succeeds, every symlink on the way was relative and stayed
// inside the root, which is the chroot semantics too. It saves Resolve's walk (one lookup per
// component prefix) on the common path; any failure falls back to Resolve, which is authoritative.
// The ".." test is on name as given: cleaning would drop "x/.." lexically, where after a symlinked
// x the kernel's ".." is the parent of x's target.
func direct(name string) (string, bool) {
	c := strings.TrimPrefix(path.Clean("/"+name), "/")
	if c == "" {
		c = "."
	}
	return c, !strings.Contains("/"+name+"/", "/../")
}

// inRoot is name for openIn: RESOLVE_IN_ROOT takes absolute names as relative to the root, and
// the kernel must see any ".." itself (see direct).
func inRoot(name string) string {
	if name == "" {
		return "."
	}
	return name
}

// resolveValid is Resolve for the fs.FS methods, which must refuse names that are not valid
// fs.FS names (fstest.TestFS checks it).
func (f *FS) resolveValid(op, name string) (string, error) {
	if !fs.ValidPath(name) {
		return "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	return f.Resolve(name)
}

// openFlags: O_NONBLOCK so that opening a FIFO never waits for a writer; O_NOCTTY so that opening
// a terminal never makes it our controlling terminal. dirFlags add O_DIRECTORY, so that anything
// but a directory fails at once (ENOTDIR) instead of being opened at all.
const (
	openFlags = os.O_RDONLY | syscall.O_NONBLOCK | syscall.O_NOCTTY
	dirFlags  = openFlags | syscall.O_DIRECTORY
)

// Open implements fs.FS.
func (f *FS) Open(name string) (fs.File, error) {
	if fs.ValidPath(name) {
		if file, ok, err := f.openIn(inRoot(name), openFlags); ok {
			if err != nil {
				return nil, f.pathError("open", name, err)
			}
			return file, nil
		}
	}
	if n, ok := direct(name); ok && fs.ValidPath(name) {
		if file, err := f.root.OpenFile(n, openFlags, 0); err == nil {
			return file, nil
		}
	}
	r, err := f.resolveValid("open", name)
	if err != nil {
		return nil, err
	}
	file, err := f.root.OpenFile(r, openFlags, 0)
	if err != nil {
		return nil, f.pathError("open", name, err)
	}
	return file, nil
}

// Stat implements fs.StatFS.
func (f *FS) Stat(name string) (fs.FileInfo, error) {
	if fs.ValidPath(name) {
		if fi, ok, err := f.statIn(inRoot(name)); ok {
			if err != nil {
				return nil, f.pathError("stat", name, err)
			}
			return fi, nil
		}
	}
	if n, ok := direct(name); ok && fs.ValidPath(name) {
		if fi, err := f.root.Stat(n); err == nil {
			return fi, nil
		}
	}
	r, err := f.resolveValid("stat", name)
	if err != nil {
		return nil, err
	}
	fi, err := f.root.Stat(r)
	if err != nil {
		return nil, f.pathError("stat", name, err)
	}
	return fi, nil
}

// ReadDir implements fs.ReadDirFS; entries are sorted by name. It opens only a directory (a FIFO
// is refused at once, ENOTDIR, never waited on).
func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	var d *os.File
	if fs.ValidPath(name) {
		file, ok, err := f.openIn(inRoot(name), dirFlags)
		if ok && err != nil {
			return nil, f.pathError("readdir", name, err)
		}
		d = file
	}
	if n, ok := direct(name); ok && d == nil && fs.ValidPath(name) {
		d, _ = f.root.OpenFile(n, dirFlags, 0)
	}
	if d == nil {
		r, err := f.resolveValid("readdir", name)
		if err != nil {
			return nil, err
		}
		if d, err = f.root.OpenFile(r, dirFlags, 0); err != nil {
			return nil, f.pathError("readdir", name, err)
		}
	}
	defer d.Close()
	list, err := d.ReadDir(-1)
	if err != nil {
		return nil, f.pathError("readdir", name, err)
	}
	slices.SortFunc(list, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return list, nil
}

// ReadFile implements fs.ReadFileFS with the checks of ReadFileInfo: only regular files.
func (f *FS) ReadFile(name string) ([]byte, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrInvalid}
	}
	data, _, err := f.ReadFileInfo(name)
	return data, err
}

// ReadFileInfo reads the regular file name (absolute or unrooted) and returns its bytes with the
// FileInfo of the very file that was read (fstat of the open descriptor), so that a caller can
// later detect a change (size, mtime, inode). It refuses anything but a regular file (an error
// wrapping ErrNotRegular that names the kind), files larger than MaxFileSize (ErrTooLarge), and a
// file whose size changed while it was read.
func (f *FS) ReadFileInfo(name string) ([]byte, fs.FileInfo, error) {
	file, fi, err := f.OpenRegular(name)
	if err != nil {
		return nil, nil, err
	}
	defer file.Close()
	data, err := readOpen(file, fi)
	if err != nil {
		return nil, nil, f.pathError("read", name, err)
	}
	return data, fi, nil
}

// OpenRegular opens the regular file name (absolute or unrooted) for reading and returns it with
// its fstat. It never blocks (a FIFO is refused, not opened for a writer to come) and refuses
// anything but a regular file (an error wrapping ErrNotRegular that names the kind).
func (f *FS) OpenRegular(name string) (*os.File, fs.FileInfo, error) {
	// Stat first so that a device is normally not even opened: opening some devices has effects
	// (/dev/watchdog arms the watchdog, a tape device rewinds on close). The fstat below is still
	// the check that counts, in case the name is swapped in between.
	if fi, ok, err := f.statIn(inRoot(name)); ok {
		if err == nil {
			err = CheckRegular(fi)
		}
		var file *os.File
		if err == nil {
			file, ok, err = f.openIn(inRoot(name), openFlags)
		}
		if ok {
			return f.checkOpened(name, file, err)
		}
	}
	r, ok := direct(name)
	var fi fs.FileInfo
	var err error
	if ok {
		fi, err = f.root.Stat(r)
		ok = err == nil
	}
	if !ok {
		if r, err = f.Resolve(name); err != nil {
			return nil, nil, err
		}
		if fi, err = f.root.Stat(r); err != nil {
			return nil, nil, f.pathError("read", name, err)
		}
	}
	if err := CheckRegular(fi); err != nil {
		return nil, nil, f.pathError("read", name, err)
	}
	file, err := f.root.OpenFile(r, openFlags, 0)
	return f.checkOpened(name, file, err)
}

// checkOpened is OpenRegular's end: the open's error, or the file if its fstat is a regular file.
func (f *FS) checkOpened(name string, file *os.File, err error) (*os.File, fs.FileInfo, error) {
	if err != nil {
		return nil, nil, f.pathError("read", name, err)
	}
	fi, err := fstatRegular(file)
	if err != nil {
		file.Close()
		return nil, nil, f.pathError("read", name, err)
	}
	return file, fi, nil
}

// fstatRegular returns the fstat of the open file if it is a regular file.
func fstatRegular(file *os.File) (fs.FileInfo, error) {
	fi, err := file.Stat()
	if err == nil {
		err = CheckRegular(fi)
	}
	return fi, err
}

// readOpen reads the open regular file whose fstat is fi, if its size is acceptable.
func readOpen(file *os.File, fi fs.FileInfo) ([]byte, error) {
	if fi.Size() > MaxFileSize {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, fi.Size(), MaxFileSize)
	}
	// Read one byte more than the size, as gofmt does, to notice a file that grows meanwhile.
	data := make([]byte, fi.Size()+1)
	n, err := io.ReadFull(file, data)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, err
	}
	if int64(n) != fi.Size() {
		return nil, fmt.Errorf("file changed while being read (size %d, read %d bytes)", fi.Size(), n)
	}
	return data[:n], nil
}

// notRegular is the error for a file that is not regular; it names the kind for the user.
type notRegular string

func (e notRegular) Error() string        { return "is a " + string(e) + ", not a regular file" }
func (e notRegular) Is(target error) bool { return target == ErrNotRegular }

// CheckRegular returns an error wrapping ErrNotRegular, naming the kind, unless fi is a regular
// file.
func CheckRegular(fi fs.FileInfo) error {
	m := fi.Mode()
	switch {
	case m.IsRegular():
		return nil
	case m&fs.ModeNamedPipe != 0:
		return notRegular("named pipe")
	case m&fs.ModeDevice != 0:
		return notRegular("device")
	case m.IsDir():
		return notRegular("directory")
	case m&fs.ModeSocket != 0:
		return notRegular("socket")
	case m&fs.ModeSymlink != 0:
		return notRegular("symlink")
	default:
		return notRegular("special file")
	}
}
