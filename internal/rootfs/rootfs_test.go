package rootfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"
)

// tree creates files (name -> content) and symlinks (name -> "@target") under dir.
func tree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		if target, ok := strings.CutPrefix(content, "@"); ok {
			err = os.Symlink(target, p)
		} else if content == "/" {
			err = os.MkdirAll(p, 0o755)
		} else {
			err = os.WriteFile(p, []byte(content), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// jail returns an FS on outer/root, with a decoy outer/passwd and outer/etc/passwd outside it
// that must never be read.
func jail(t *testing.T, files map[string]string) (*FS, string) {
	t.Helper()
	outer := t.TempDir()
	tree(t, outer, map[string]string{"passwd": "DECOY", "etc/passwd": "DECOY"})
	dir := filepath.Join(outer, "root")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	tree(t, dir, files)
	f, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, outer
}

func TestResolveAndRead(t *testing.T) {
	f, outer := jail(t, map[string]string{
		"etc/passwd":                     "INSIDE",
		"etc/network/interfaces.real":    "REAL",
		"etc/network/interfaces":         "@/etc/network/interfaces.real", // absolute, inside
		"etc/network/rel":                "@interfaces.real",              // relative
		"etc/network/interfaces.d/":      "/",
		"etc/network/interfaces.d/up":    "@../../../../../../etc/passwd", // ".." past the root
		"abs":                            "@/etc/passwd",
		"dirlink":                        "@/etc/network",
		"etc/network/interfaces.d/chain": "@/dirlink/../network/rel",
		"passwd":                         "TOP", // what a lexical "dirlink/.." would wrongly give
	})
	// A link to the decoy's host path means <root><outer>/passwd inside the root.
	if err := os.Symlink(outer+"/passwd", filepath.Join(f.Dir(), "hostabs")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, canon, data string }{
		{"/etc/network/interfaces", "etc/network/interfaces.real", "REAL"},
		{"etc/network/interfaces", "etc/network/interfaces.real", "REAL"},
		{"etc/network/rel", "etc/network/interfaces.real", "REAL"},
		{"/etc/network/interfaces.d/up", "etc/passwd", "INSIDE"},
		{"abs", "etc/passwd", "INSIDE"},
		{"../../../etc/passwd", "etc/passwd", "INSIDE"},
		{"/etc/../../etc/./passwd", "etc/passwd", "INSIDE"},
		{"dirlink/interfaces", "etc/network/interfaces.real", "REAL"},
		// "..": after a symlinked directory it is the parent of the target (etc), not of the link.
		{"dirlink/../passwd", "etc/passwd", "INSIDE"},
		{"etc/network/interfaces.d/chain", "etc/network/interfaces.real", "REAL"},
		{"/", ".", ""},
		{"", ".", ""},
		{"etc/network/new-file", "etc/network/new-file", ""}, // missing final component is fine
	} {
		got, err := f.Resolve(tc.name)
		if err != nil || got != tc.canon {
			t.Errorf("Resolve(%q) = %q, %v; want %q", tc.name, got, err, tc.canon)
			continue
		}
		if tc.data == "" {
			continue
		}
		data, fi, err := f.ReadFileInfo(tc.name)
		if err != nil || string(data) != tc.data || fi.Size() != int64(len(tc.data)) {
			t.Errorf("ReadFileInfo(%q) = %q, %v; want %q", tc.name, data, err, tc.data)
		}
		if !fs.ValidPath(tc.name) {
			continue
		}
		if data, err := fs.ReadFile(f, tc.name); err != nil || string(data) != tc.data {
			t.Errorf("fs.ReadFile(%q) = %q, %v; want %q", tc.name, data, err, tc.data)
		}
		if fi, err := f.Stat(tc.name); err != nil || fi.Size() != int64(len(tc.data)) {
			t.Errorf("Stat(%q) = %v, %v; want %d bytes", tc.name, fi, err, len(tc.data))
		}
	}

	// A symlink to the host path of the decoy means <root>/<outer>/passwd, which does not exist.
	if data, _, err := f.ReadFileInfo("hostabs"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFileInfo(hostabs) = %q, %v; want not-exist", data, err)
	}
	if _, err := f.Resolve("missing/dir/file"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Resolve(missing/dir/file): %v, want not-exist", err)
	}
	if _, err := f.Resolve("etc/passwd/x"); !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("Resolve(etc/passwd/x): %v, want ENOTDIR", err)
	}
	// The decoys outside are untouched and were never the answer above.
	for _, p := range []string{"passwd", "etc/passwd"} {
		if b, _ := os.ReadFile(filepath.Join(outer, p)); string(b) != "DECOY" {
			t.Errorf("decoy %s changed: %q", p, b)
		}
	}
}

func TestErrorsNameHostPath(t *testing.T) {
	f, _ := jail(t, nil)
	_, _, err := f.ReadFileInfo("/etc/nothing")
	want := filepath.Join(f.Dir(), "etc/nothing")
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v does not name %s", err, want)
	}
	if got := f.HostPath("/../../etc/x"); got != filepath.Join(f.Dir(), "etc/x") {
		t.Errorf("HostPath climbed out: %s", got)
	}
}

func TestSymlinkLoops(t *testing.T) {
	files := map[string]string{
		"a":    "@b",
		"b":    "@/a",
		"self": "@self",
		"dir/": "/",
		"dl":   "@dir/../dl/x",
		"end":  "END",
	}
	// l0 -> l1 -> ... -> l40 -> end: from l1 that is exactly 40 links, the Linux limit
	// (MAXSYMLINKS), which resolves; from l0 it is 41, treated as a loop.
	for i := range 40 {
		files[fmt.Sprintf("l%d", i)] = fmt.Sprintf("@l%d", i+1)
	}
	files["l40"] = "@end"
	f, _ := jail(t, files)
	for _, name := range []string{"a", "self", "dl", "l0"} {
		if _, err := f.Resolve(name); !errors.Is(err, syscall.ELOOP) {
			t.Errorf("Resolve(%s): %v, want ELOOP", name, err)
		}
	}
	if got, err := f.Resolve("l1"); err != nil || got != "end" {
		t.Errorf("Resolve(l1) = %q, %v; want end after 40 links", got, err)
	}
}

// noBlock runs fn and fails the test if it does not return within a few seconds.
func noBlock(t *testing.T, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { fn(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("blocked")
	}
}

func TestFIFORefused(t *testing.T) {
	f, _ := jail(t, map[string]string{"etc/": "/", "link": "@/etc/fifo"})
	if err := syscall.Mkfifo(filepath.Join(f.Dir(), "etc/fifo"), 0o644); err != nil {
		t.Skip("mkfifo:", err)
	}
	for _, name := range []string{"etc/fifo", "link"} {
		noBlock(t, func() {
			_, _, err := f.ReadFileInfo(name)
			if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "named pipe") {
				t.Errorf("ReadFileInfo(%s): %v, want named pipe / ErrNotRegular", name, err)
			}
		})
	}
	// The open path itself (used when the name is swapped after the Lstat) must not block either.
	noBlock(t, func() {
		file, err := f.root.OpenFile("etc/fifo", openFlags, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer file.Close()
		if _, err := fstatRegular(file); !errors.Is(err, ErrNotRegular) {
			t.Errorf("fstatRegular(fifo): %v, want ErrNotRegular", err)
		}
	})
}

// TestFIFONeverBlocks: every call that could open a FIFO named where a directory is expected
// (ReadDir, the FS's own root, Open, Stat) returns at once.
func TestFIFONeverBlocks(t *testing.T) {
	f, _ := jail(t, map[string]string{"etc/": "/", "link": "@/etc/fifo"})
	if err := syscall.Mkfifo(filepath.Join(f.Dir(), "etc/fifo"), 0o644); err != nil {
		t.Skip("mkfifo:", err)
	}
	for _, name := range []string{"etc/fifo", "link"} {
		noBlock(t, func() {
			if _, err := f.ReadDir(name); !errors.Is(err, syscall.ENOTDIR) {
				t.Errorf("ReadDir(%s): %v, want ENOTDIR", name, err)
			}
		})
	}
	noBlock(t, func() {
		if _, err := f.Stat("etc/fifo"); err != nil {
			t.Errorf("Stat: %v", err)
		}
		file, err := f.Open("link")
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		file.Close()
	})
	if err := os.Symlink("etc/fifo", filepath.Join(f.Dir(), "rel")); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"etc/fifo", "rel"} {
		noBlock(t, func() {
			g, err := Open(filepath.Join(f.Dir(), dir))
			if err == nil {
				g.Close()
			}
			if !errors.Is(err, syscall.ENOTDIR) || !strings.HasPrefix(err.Error(), "open "+filepath.Join(f.Dir(), dir)+":") {
				t.Errorf("Open(%s) as a root: %v, want ENOTDIR naming it", dir, err)
			}
		})
	}
}

func TestDeviceRefused(t *testing.T) {
	f, _ := jail(t, map[string]string{"dev/": "/"})
	// Like /dev/null (char 1:3). Needs CAP_MKNOD; a container may also deny it.
	err := syscall.Mknod(filepath.Join(f.Dir(), "dev/null"), syscall.S_IFCHR|0o666, int(mkdev(1, 3)))
	if err != nil {
		t.Skip("mknod:", err)
	}
	_, _, err = f.ReadFileInfo("/dev/null")
	if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "device") {
		t.Errorf("ReadFileInfo(/dev/null): %v, want device / ErrNotRegular", err)
	}
}

func mkdev(major, minor uint64) uint64 {
	return (major&0xfff)<<8 | (major&^0xfff)<<32 | (minor & 0xff) | (minor&^0xff)<<12
}

func TestDirectoryRefused(t *testing.T) {
	f, _ := jail(t, map[string]string{"etc/network/": "/"})
	for _, name := range []string{"/etc/network", "/"} {
		_, _, err := f.ReadFileInfo(name)
		if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "directory") {
			t.Errorf("ReadFileInfo(%s): %v, want directory / ErrNotRegular", name, err)
		}
	}
}

func TestTooLarge(t *testing.T) {
	f, _ := jail(t, nil)
	// A sparse file: no disk space used.
	if err := os.WriteFile(filepath.Join(f.Dir(), "big"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(filepath.Join(f.Dir(), "big"), MaxFileSize+1); err != nil {
		t.Skip("truncate:", err)
	}
	if _, _, err := f.ReadFileInfo("big"); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadFileInfo(big): %v, want ErrTooLarge", err)
	}
}

func TestFSInterfaces(t *testing.T) {
	f, _ := jail(t, map[string]string{
		"etc/network/interfaces":       "auto lo\n",
		"etc/network/interfaces.d/eth": "iface eth0 inet dhcp\n",
		"etc/hostname":                 "box\n",
		"empty/":                       "/",
	})
	if err := fstest.TestFS(f, "etc/network/interfaces", "etc/network/interfaces.d/eth", "etc/hostname"); err != nil {
		t.Fatal(err)
	}
	// fs.FS names are validated, but symlinks are still followed chroot-style.
	if err := os.Symlink("/etc/hostname", filepath.Join(f.Dir(), "etc/network/h")); err != nil {
		t.Fatal(err)
	}
	if b, err := fs.ReadFile(f, "etc/network/h"); err != nil || string(b) != "box\n" {
		t.Errorf("fs.ReadFile(etc/network/h) = %q, %v", b, err)
	}
	if _, err := f.Open("/etc/hostname"); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("Open(/etc/hostname): %v, want ErrInvalid", err)
	}
}

// TestOneDescriptor: an open FS holds one file descriptor, no more: a run keeps every root open
// to the end, and a fleet audit of 10,000 roots must fit the open-file limit (cmd/ifacefix
// refuses more roots than the limit allows, counting one each).
func TestOneDescriptor(t *testing.T) {
	fds := func() int {
		ents, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Skip(err)
		}
		return len(ents)
	}
	before := fds()
	var open []*FS
	for range 10 {
		f, err := Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		open = append(open, f)
	}
	if n := fds() - before; n != 10 {
		t.Errorf("10 open FS hold %d descriptors, want 10", n)
	}
	for _, f := range open {
		f.Close()
	}
}
