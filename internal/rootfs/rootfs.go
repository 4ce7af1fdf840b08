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
	"syscall"
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
}

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
	return &FS{dir: abs, root: root}, nil
}

// Close releases the root directory.
func (f *FS) Close() error { return f.root.Close() }

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
	var done []string   // resolved components: real directories, no symlinks
	todo := split(name) // components still to walk
	links := 0
	for len(todo) > 0 {
		c := todo[0]
		todo = todo[1:]
		if c == ".." {
			// done holds real directories only, so popping one is the kernel's "..";
			// at the root it stays at the root, as in a chroot.
			if len(done) > 0 {
				done = done[:len(done)-1]
			}
			continue
		}
		cand := strings.Join(append(done, c), "/")
		fi, err := f.root.Lstat(cand)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && len(todo) == 0 {
				done = append(done, c)
				break
			}
			return "", f.pathError("resolve", name, err)
		}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			if links++; links > maxLinks {
				return "", f.pathError("resolve", name, syscall.ELOOP)
			}
			target, err := f.root.Readlink(cand)
			if err != nil {
				return "", f.pathError("resolve", name, err)
			}
			if strings.HasPrefix(target, "/") {
				done = done[:0] // chroot: absolute targets restart at the root
			}
			todo = append(split(target), todo...)
		case !fi.IsDir() && len(todo) > 0:
			return "", f.pathError("resolve", name, syscall.ENOTDIR)
		default:
			done = append(done, c)
		}
	}
	if len(done) == 0 {
		return ".", nil
	}
	return strings.Join(done, "/"), nil
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
	if n, ok := direct(name); ok && fs.ValidPath(name) {
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
	if err != nil {
		return nil, nil, f.pathError("read", name, err)
	}
	if fi, err = fstatRegular(file); err != nil {
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
