package safefile

import (
	"github.com/ifacefix/ifacefix/internal/testcases"

	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ifacefix/ifacefix/internal/rootfs"
)

// TestMain doubles as the helper process of TestLockOtherProcess.
func TestMain(m *testing.M) {
	if dir := os.Getenv("SAFEFILE_LOCK_HELPER"); dir != "" {
		os.Exit(lockHelper(dir))
	}
	os.Exit(m.Run())
}

// lockHelper locks dir, says "locked", and holds the lock until stdin is closed.
func lockHelper(dir string) int {
	fsys, err := rootfs.Open(dir)
	if err != nil {
		fmt.Println(err)
		return 1
	}
	unlock, err := Lock(fsys, "/", 0)
	if err != nil {
		fmt.Println(err)
		return 1
	}
	fmt.Println("locked")
	io.Copy(io.Discard, os.Stdin)
	if err := unlock(); err != nil {
		return 1
	}
	return 0
}

const oldData = "auto lo\niface lo inet loopback\n"

// newFS returns an FS on a fresh directory holding etc/network/interfaces (oldData, mode).
func newFS(t testing.TB, mode fs.FileMode) *rootfs.FS {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "etc/network/interfaces"), oldData, mode)
	return openFS(t, dir)
}

func openFS(t testing.TB, dir string) *rootfs.FS {
	t.Helper()
	fsys, err := rootfs.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fsys.Close() })
	return fsys
}

// writeFile writes p with exactly mode (Chmod: the umask and setgid rules do not interfere).
func writeFile(t testing.TB, p, data string, mode fs.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}

func expect(t testing.TB, fsys *rootfs.FS, name string) Expect {
	t.Helper()
	data, fi, err := fsys.ReadFileInfo(name)
	if err != nil {
		t.Fatal(err)
	}
	return ExpectFrom(data, fi)
}

func owner(t *testing.T, p string) (uid, gid uint32) {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return st.Uid, st.Gid
}

// noTemp fails if dir holds a dotfile other than an ifacefix backup: renameio's temp files are
// "." + base + digits.
func noTemp(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") && !strings.Contains(e.Name(), ".ifacefix-") {
			t.Errorf("temp file left behind: %s", filepath.Join(dir, e.Name()))
		}
	}
}

func fileIs(t *testing.T, p, want string) {
	t.Helper()
	got, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("%s = %q, want %q", p, got, want)
	}
}

func TestReplaceKeepsOwnerModeAndBacksUp(t *testing.T) {
	fsys := newFS(t, 0o640|fs.ModeSetgid)
	p := fsys.HostPath("etc/network/interfaces")
	if os.Geteuid() == 0 {
		if err := os.Chown(p, 1234, 5678); err != nil {
			t.Fatal(err)
		}
		// chown cleared setgid; put it back.
		if err := os.Chmod(p, 0o640|fs.ModeSetgid); err != nil {
			t.Fatal(err)
		}
	}
	uid, gid := owner(t, p)
	now := time.Date(2024, 5, 6, 7, 8, 9, 0, time.FixedZone("X", 3600))
	res, err := Replace(fsys, "/etc/network/interfaces", []byte("new\n"), expect(t, fsys, "etc/network/interfaces"),
		Options{Backup: true, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	wantBackup := "etc/network/.interfaces.ifacefix-20240506T060809Z.bak"
	if res.Path != "etc/network/interfaces" || res.Backup != wantBackup {
		t.Errorf("Result = %+v, want backup %s", res, wantBackup)
	}
	fileIs(t, p, "new\n")
	bp := fsys.HostPath(res.Backup)
	fileIs(t, bp, oldData)
	for _, q := range []string{p, bp} {
		fi, err := os.Lstat(q)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != 0o640|fs.ModeSetgid {
			t.Errorf("%s: mode %v, want %v", q, fi.Mode(), 0o640|fs.ModeSetgid)
		}
		if u, g := owner(t, q); u != uid || g != gid {
			t.Errorf("%s: owner %d:%d, want %d:%d", q, u, g, uid, gid)
		}
	}
	noTemp(t, filepath.Dir(p))
}

// aclXattr is the system.posix_acl_access value (the kernel's format: version 2, then tag, perm,
// id per entry) of "u::rw-, u:65534:rw-, g::r--, m::rw-, o::---", what `setfacl -m
// u:nobody:rw` makes of a 0640 file (whose mode then reads 0660: the group bits show the mask).
func aclXattr() []byte {
	b := binary.LittleEndian.AppendUint32(nil, 2)
	for _, e := range []struct {
		tag, perm uint16
		id        uint32
	}{{1, 6, 0xffffffff}, {2, 6, 65534}, {4, 4, 0xffffffff}, {0x10, 6, 0xffffffff}, {0x20, 0, 0xffffffff}} {
		b = binary.LittleEndian.AppendUint16(b, e.tag)
		b = binary.LittleEndian.AppendUint16(b, e.perm)
		b = binary.LittleEndian.AppendUint32(b, e.id)
	}
	return b
}

// xattrsOf lists the extended attributes of p, without security.selinux (set by the kernel on
// SELinux systems).
func xattrsOf(t *testing.T, p string) map[string]string {
	t.Helper()
	buf := make([]byte, 64<<10)
	n, err := unix.Llistxattr(p, buf)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for name := range strings.SplitSeq(string(buf[:n]), "\x00") {
		if name == "" || name == "security.selinux" {
			continue
		}
		v := make([]byte, 64<<10)
		m, err := unix.Lgetxattr(p, name, v)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = string(v[:m])
	}
	return out
}

func setXattr(t *testing.T, p, name string, v []byte) {
	t.Helper()
	if err := unix.Lsetxattr(p, name, v, 0); err != nil {
		t.Skipf("setxattr %s: %v (the file system or the user cannot)", name, err)
	}
}

// TestKeepsXattrsAndACL: the new file has the old one's ACL and extended attributes, and exactly
// its mode; the backup, a hard link, has them too.
func TestKeepsXattrsAndACL(t *testing.T) {
	fsys := newFS(t, 0o640)
	p := fsys.HostPath("etc/network/interfaces")
	setXattr(t, p, "user.ifacefix-test", []byte("user value"))
	setXattr(t, p, "user.empty", nil)
	if os.Geteuid() == 0 {
		setXattr(t, p, "trusted.ifacefix-test", []byte("trusted value"))
		setXattr(t, p, "security.ifacefix-test", []byte("security value"))
	}
	setXattr(t, p, "system.posix_acl_access", aclXattr())
	if err := os.Chmod(p, 0o660|fs.ModeSetgid); err != nil { // the ACL's mask is rw-
		t.Fatal(err)
	}
	want := xattrsOf(t, p)
	if want["system.posix_acl_access"] != string(aclXattr()) {
		t.Fatalf("ACL as set: %q", want["system.posix_acl_access"])
	}
	res, err := Replace(fsys, "etc/network/interfaces", []byte("new\n"), expect(t, fsys, "etc/network/interfaces"), Options{Backup: true})
	if err != nil {
		t.Fatal(err)
	}
	fileIs(t, p, "new\n")
	for _, q := range []string{p, fsys.HostPath(res.Backup)} {
		if got := xattrsOf(t, q); !maps.Equal(got, want) {
			t.Errorf("%s: extended attributes %q, want %q", q, got, want)
		}
		if fi, err := os.Lstat(q); err != nil || fi.Mode() != 0o660|fs.ModeSetgid {
			t.Errorf("%s: mode %v, %v; want %v", q, fi.Mode(), err, 0o660|fs.ModeSetgid)
		}
	}
}

// TestDefaultACLNotInherited: a directory's default ACL, which a new file inherits, does not
// give the new file an ACL the old one did not have.
func TestDefaultACLNotInherited(t *testing.T) {
	fsys := newFS(t, 0o640)
	setXattr(t, fsys.HostPath("etc/network"), "system.posix_acl_default", aclXattr())
	p := fsys.HostPath("etc/network/interfaces")
	want := xattrsOf(t, p)
	if _, err := Replace(fsys, "etc/network/interfaces", []byte("new\n"), expect(t, fsys, "etc/network/interfaces"), Options{}); err != nil {
		t.Fatal(err)
	}
	if got := xattrsOf(t, p); !maps.Equal(got, want) {
		t.Errorf("extended attributes %q, want %q", got, want)
	}
	if fi, err := os.Lstat(p); err != nil || fi.Mode() != 0o640 {
		t.Errorf("mode %v, %v; want 0640", fi.Mode(), err)
	}
}

func TestBackupOfPrivateFileStaysPrivate(t *testing.T) {
	fsys := newFS(t, 0o600) // may hold wpa-psk secrets
	res, err := Replace(fsys, "etc/network/interfaces", []byte("x\n"), expect(t, fsys, "etc/network/interfaces"), Options{Backup: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{res.Path, res.Backup} {
		fi, err := fsys.Stat(name)
		if err != nil || fi.Mode() != 0o600 {
			t.Errorf("%s: %v, %v; want mode 0600", name, fi.Mode(), err)
		}
	}
}

func TestBackupName(t *testing.T) {
	name := BackupName("eth0", time.Date(2024, 1, 2, 3, 4, 5, 999, time.UTC))
	if name != ".eth0.ifacefix-20240102T030405Z.bak" {
		t.Errorf("BackupName = %q", name)
	}
	// source-directory reads only names matching this.
	if regexp.MustCompile(`^[a-zA-Z0-9_-]+$`).MatchString(name) {
		t.Errorf("%s matches the source-directory pattern", name)
	}
	// Go's path.Match("*", name) does match dotfiles; the shell's glob (and glob(3), used for
	// `source interfaces.d/*`) does not. Ask a real shell.
	if !strings.HasPrefix(name, ".") {
		t.Fatalf("%s does not start with a dot", name)
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to check the glob")
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "eth0"), "", 0o644)
	writeFile(t, filepath.Join(dir, name), "", 0o644)
	out, err := exec.Command(sh, "-c", `for f in "$1"/*; do echo "${f##*/}"; done`, "sh", dir).Output()
	if err != nil || string(out) != "eth0\n" {
		t.Errorf("glob %s/* = %q, %v; want only eth0", dir, out, err)
	}
}

func TestBackupsInSameSecondDiffer(t *testing.T) {
	fsys := newFS(t, 0o644)
	now := func() time.Time { return time.Unix(1700000000, 0) }
	var backups []string
	for i := range 3 {
		data := fmt.Sprintf("v%d\n", i)
		res, err := Replace(fsys, "etc/network/interfaces", []byte(data), expect(t, fsys, "etc/network/interfaces"), Options{Backup: true, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		backups = append(backups, res.Backup)
	}
	want := []string{
		"etc/network/.interfaces.ifacefix-20231114T221320Z.bak",
		"etc/network/.interfaces.ifacefix-20231114T221320Z-1.bak",
		"etc/network/.interfaces.ifacefix-20231114T221320Z-2.bak",
	}
	for i, b := range backups {
		if b != want[i] {
			t.Errorf("backup %d = %s, want %s", i, b, want[i])
		}
	}
	fileIs(t, fsys.HostPath(want[0]), oldData)
	fileIs(t, fsys.HostPath(want[2]), "v1\n")
}

func TestSymlinkWrittenThrough(t *testing.T) {
	fsys := newFS(t, 0o644)
	real := fsys.HostPath("etc/network/interfaces.real")
	link := fsys.HostPath("etc/network/interfaces")
	if err := os.Rename(link, real); err != nil {
		t.Fatal(err)
	}
	// Absolute: on the host it would name the host's own file; inside the FS it is the root's.
	if err := os.Symlink("/etc/network/interfaces.real", link); err != nil {
		t.Fatal(err)
	}
	res, err := Replace(fsys, "/etc/network/interfaces", []byte("new\n"), expect(t, fsys, "/etc/network/interfaces"), Options{Backup: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Path != "etc/network/interfaces.real" || !strings.HasPrefix(res.Backup, "etc/network/.interfaces.real.ifacefix-") {
		t.Errorf("Result = %+v", res)
	}
	if target, err := os.Readlink(link); err != nil || target != "/etc/network/interfaces.real" {
		t.Errorf("link is now %q, %v", target, err)
	}
	fileIs(t, real, "new\n")
	fileIs(t, fsys.HostPath(res.Backup), oldData)
}

func TestFIFORefused(t *testing.T) {
	fsys := openFS(t, t.TempDir())
	if err := os.MkdirAll(fsys.HostPath("etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(fsys.HostPath("etc/fifo"), 0o644); err != nil {
		t.Skip("mkfifo:", err)
	}
	done := make(chan error)
	go func() {
		_, err := Replace(fsys, "etc/fifo", []byte("x"), Expect{}, Options{Backup: true})
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), fsys.HostPath("etc/fifo")) {
			t.Errorf("Replace(fifo): %v, want ErrNotRegular naming the path", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Replace blocked on a FIFO")
	}
	if fi, err := os.Lstat(fsys.HostPath("etc/fifo")); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("FIFO not left alone: %v, %v", fi, err)
	}
	noTemp(t, fsys.HostPath("etc"))
}

func TestRefusesChangedFile(t *testing.T) {
	later := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		what, msg string // msg: how the error says what changed
		change    func(t *testing.T, p string)
	}{
		{"size", "its size changed", func(t *testing.T, p string) {
			fi, _ := os.Stat(p)
			writeFile(t, p, oldData+"more\n", 0o644)
			os.Chtimes(p, time.Time{}, fi.ModTime()) // only the size differs
		}},
		{"mtime", "its modification time changed", func(t *testing.T, p string) {
			if err := os.Chtimes(p, time.Time{}, later); err != nil {
				t.Fatal(err)
			}
		}},
		{"content", "its content changed", func(t *testing.T, p string) {
			fi, _ := os.Stat(p)
			writeFile(t, p, strings.ToUpper(oldData), 0o644) // same size
			if err := os.Chtimes(p, time.Time{}, fi.ModTime()); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.what, func(t *testing.T) {
			fsys := newFS(t, 0o644)
			p := fsys.HostPath("etc/network/interfaces")
			want := expect(t, fsys, "etc/network/interfaces")
			tc.change(t, p)
			before, _ := os.ReadFile(p)
			_, err := Replace(fsys, "etc/network/interfaces", []byte("new\n"), want, Options{Backup: true})
			if !errors.Is(err, ErrChanged) || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("Replace: %v; want ErrChanged naming %s and saying %q", err, p, tc.msg)
			}
			fileIs(t, p, string(before))
			ents, _ := os.ReadDir(filepath.Dir(p))
			if len(ents) != 1 {
				t.Errorf("directory holds %d entries, want only the file (no temp, no backup)", len(ents))
			}
		})
	}
}

// TestBackupOfVanishedFile: when the file is removed or renamed over between its stat and the
// backup link (linkat(2) then fails with ENOENT), the error is ErrChanged, not a puzzling "no
// such file".
func TestBackupOfVanishedFile(t *testing.T) {
	fsys := newFS(t, 0o644)
	droot, err := fsys.Root().OpenRoot("etc/network")
	if err != nil {
		t.Fatal(err)
	}
	defer droot.Close()
	old, err := droot.Lstat("interfaces")
	if err != nil {
		t.Fatal(err)
	}
	if err := droot.Remove("interfaces"); err != nil {
		t.Fatal(err)
	}
	if _, err := link(droot, "", "interfaces", old, time.Now()); !errors.Is(err, ErrChanged) {
		t.Errorf("link: %v, want ErrChanged", err)
	}
}

func TestMissingFile(t *testing.T) {
	fsys := openFS(t, t.TempDir())
	_, err := Replace(fsys, "/etc/network/interfaces", []byte("x"), Expect{}, Options{})
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), fsys.HostPath("etc/network/interfaces")) {
		t.Errorf("Replace(missing): %v", err)
	}
}

func TestReadOnlyDirectory(t *testing.T) {
	dir := t.TempDir()
	etc := filepath.Join(dir, "etc")
	if os.Geteuid() == 0 {
		// Root ignores a 0555 mode, so make the directory a read-only mount instead.
		testcases.MountTmpfs(t, etc, "size=64k")
		writeFile(t, filepath.Join(etc, "interfaces"), oldData, 0o644)
		if err := syscall.Mount("", etc, "", syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
			t.Skip("remount read-only:", err)
		}
	} else {
		writeFile(t, filepath.Join(etc, "interfaces"), oldData, 0o644)
		if err := os.Chmod(etc, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(etc, 0o755) })
	}
	fsys := openFS(t, dir)
	_, err := Replace(fsys, "etc/interfaces", []byte("new\n"), expect(t, fsys, "etc/interfaces"), Options{Backup: true})
	if err == nil || !strings.Contains(err.Error(), filepath.Join(etc, "interfaces")) {
		t.Fatalf("Replace in read-only dir: %v, want an error naming the file", err)
	}
	t.Log(err)
	fileIs(t, filepath.Join(etc, "interfaces"), oldData)
	noTemp(t, etc)
}

func TestNoSpace(t *testing.T) {
	dir := t.TempDir()
	etc := filepath.Join(dir, "etc")
	testcases.MountTmpfs(t, etc, "size=16k")
	writeFile(t, filepath.Join(etc, "interfaces"), oldData, 0o644)
	fsys := openFS(t, dir)
	big := bytes.Repeat([]byte("# padding\n"), 100_000) // 1 MB: cannot fit in 16 KiB
	_, err := Replace(fsys, "etc/interfaces", big, expect(t, fsys, "etc/interfaces"), Options{Backup: true})
	if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), filepath.Join(etc, "interfaces")) {
		t.Fatalf("Replace on a full tmpfs: %v, want ENOSPC naming the file", err)
	}
	t.Log(err)
	fileIs(t, filepath.Join(etc, "interfaces"), oldData)
	if ents, _ := os.ReadDir(etc); len(ents) != 1 {
		t.Errorf("%s holds %d entries, want only the file (no temp, no backup)", etc, len(ents))
	}
}

func TestLock(t *testing.T) {
	fsys := newFS(t, 0o644)
	unlock, err := Lock(fsys, "/etc/network", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := Lock(fsys, "etc/network", 200*time.Millisecond); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Lock: %v, want ErrLocked", err)
	} else if !strings.Contains(err.Error(), fsys.HostPath("etc/network")) {
		t.Errorf("error %q does not name the directory", err)
	}
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Errorf("second Lock gave up after %v, before its timeout", d)
	}
	// Replacing files in the locked directory does not disturb the lock.
	if _, err := Replace(fsys, "etc/network/interfaces", []byte("x\n"), expect(t, fsys, "etc/network/interfaces"), Options{Backup: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := Lock(fsys, "etc/network", 0); !errors.Is(err, ErrLocked) {
		t.Fatalf("Lock after Replace: %v, want ErrLocked", err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	unlock2, err := Lock(fsys, "etc/network", 0)
	if err != nil {
		t.Fatalf("Lock after unlock: %v", err)
	}
	unlock2()
}

// TestLockFIFO: a FIFO named as the directory to lock is refused at once, never waited on.
func TestLockFIFO(t *testing.T) {
	fsys := newFS(t, 0o644)
	if err := syscall.Mkfifo(fsys.HostPath("etc/network/fifo"), 0o644); err != nil {
		t.Skip("mkfifo:", err)
	}
	done := make(chan error, 1)
	go func() {
		unlock, err := Lock(fsys, "etc/network/fifo", time.Second)
		if err == nil {
			unlock()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, syscall.ENOTDIR) {
			t.Errorf("Lock(fifo): %v, want ENOTDIR", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Lock blocked on a FIFO")
	}
}

func TestLockOtherProcess(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SAFEFILE_LOCK_HELPER="+dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); line != "locked\n" {
		t.Fatalf("helper said %q", line)
	}
	fsys := openFS(t, dir)
	if _, err := Lock(fsys, ".", 100*time.Millisecond); !errors.Is(err, ErrLocked) {
		t.Fatalf("Lock while another process holds it: %v, want ErrLocked", err)
	}
	stdin.Close() // the helper unlocks and exits
	if err := cmd.Wait(); err != nil {
		t.Fatal("helper:", err)
	}
	unlock, err := Lock(fsys, ".", time.Second)
	if err != nil {
		t.Fatalf("Lock after the other process exited: %v", err)
	}
	unlock()
}

func BenchmarkReplace(b *testing.B) {
	fsys := openFS(b, b.TempDir())
	data := bytes.Repeat([]byte("    gateway 192.0.2.1\n"), (1<<20)/22+1)[:1<<20]
	writeFile(b, fsys.HostPath("interfaces"), string(data), 0o644)
	b.SetBytes(1 << 20)
	for b.Loop() {
		want := expect(b, fsys, "interfaces")
		if _, err := Replace(fsys, "interfaces", data, want, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
