package reliability

import (
	"github.com/ifacefix/ifacefix/internal/testcases"

	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// faultTree needs one change in the top-level file; the sourced file needs none.
var faultTree = map[string]string{
	"etc/network/interfaces": `auto lo
iface lo inet loopback

source interfaces.d/*

auto eth0
iface eth0 inet static
    address 192.0.2.10/24
    gateway 192.0.2.1

auto eth0:0
iface eth0:0 inet static
    address 192.0.2.11/24
    gateway 192.0.2.1
`,
	"etc/network/interfaces.d/eth1": `auto eth1
iface eth1 inet static
    address 198.51.100.10/24
`,
}

// wantError asserts exit 2, one "ifacefix: ..." message on standard error containing every part,
// and nothing on standard output.
func wantError(t *testing.T, r result, parts ...string) {
	t.Helper()
	if r.code != 2 {
		t.Fatalf("exit %d, want 2\nstderr:\n%s", r.code, r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("standard output not empty:\n%s", r.stdout)
	}
	for _, p := range parts {
		if !strings.Contains(r.stderr, p) {
			t.Errorf("message lacks %q:\n%s", p, r.stderr)
		}
	}
	t.Logf("message: %s", strings.TrimSpace(r.stderr))
}

// mountTmpfs mounts a tmpfs of size bytes on a fresh directory, or skips without root.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	needRoot(t)
	dir := worldDir(t)
	testcases.MountTmpfs(t, dir, "size="+size+",mode=0755")
	return dir
}

// TestFaultNoSpace: a full file system (a 64 KiB tmpfs filled up) makes the temporary file's
// write fail; nothing is written and no temporary file or backup is left.
func TestFaultNoSpace(t *testing.T) {
	dir := mountTmpfs(t, "64k")
	testcases.WriteTree(t, dir, faultTree)
	fill, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 4096)
	for {
		if _, err := fill.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
	}
	fill.Close()
	before := snapshot(t, dir)
	r := run(t, cmdOpts{}, "--root", dir, "--apply")
	wantError(t, r, filepath.Join(dir, "etc/network/interfaces"), "no space left on device", "nothing was written")
	sameSnapshot(t, dir, before)
}

// TestFaultReadOnlyFilesystem: a file system mounted read-only gives EROFS at the temporary file.
func TestFaultReadOnlyFilesystem(t *testing.T) {
	dir := mountTmpfs(t, "1m")
	testcases.WriteTree(t, dir, faultTree)
	if err := syscall.Mount("", dir, "", syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		t.Fatalf("remount read-only: %v", err)
	}
	before := snapshot(t, dir)
	r := run(t, cmdOpts{}, "--root", dir, "--apply")
	wantError(t, r, filepath.Join(dir, "etc/network/interfaces"), "read-only file system", "nothing was written")
	sameSnapshot(t, dir, before)
}

// nobody is the user the permission tests run ifacefix as when the test runs as root (root
// ignores permission bits).
const nobody = 65534

// asUser returns the uid to run as and chowns the tree to it when the test is root.
func asUser(t *testing.T, dir string) int {
	t.Helper()
	if os.Geteuid() != 0 {
		return 0 // run as ourselves
	}
	filepath.Walk(dir, func(p string, _ os.FileInfo, _ error) error { return os.Lchown(p, nobody, nobody) })
	return nobody
}

// TestFaultReadOnlyDirectory: the target's directory is not writable, so no temporary file can be
// created next to it.
func TestFaultReadOnlyDirectory(t *testing.T) {
	dir := worldDir(t)
	testcases.WriteTree(t, dir, faultTree)
	uid := asUser(t, dir)
	nd := filepath.Join(dir, "etc/network")
	if err := os.Chmod(nd, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(nd, 0o755) })
	before := snapshot(t, dir)
	r := run(t, cmdOpts{uid: uid}, "--root", dir, "--apply")
	wantError(t, r, filepath.Join(dir, "etc/network/interfaces"), "create temp file: permission denied", "nothing was written")
	sameSnapshot(t, dir, before)
}

// TestFaultPermissionDenied: a file the user cannot read stops the run before anything is
// written, naming the file and the source line that reached it.
func TestFaultPermissionDenied(t *testing.T) {
	dir := worldDir(t)
	testcases.WriteTree(t, dir, faultTree)
	uid := asUser(t, dir)
	src := filepath.Join(dir, "etc/network/interfaces.d/eth1")
	if uid == 0 {
		os.Chmod(src, 0) // not root: mode 0000 keeps even the owner out
	} else {
		os.Chown(src, 0, 0) // root's 0600 file, ifacefix run as nobody
		os.Chmod(src, 0o600)
	}
	before := snapshot(t, dir)
	r := run(t, cmdOpts{uid: uid}, "--root", dir, "--apply")
	wantError(t, r, filepath.Join(dir, "etc/network/interfaces")+":4: "+src+": permission denied")
	sameSnapshot(t, dir, before)
}

// TestFaultCannotKeepOwner: the user may replace the file (the directory is theirs) but could not
// give the new file the old owner (root): refused, rather than silently changing the owner.
func TestFaultCannotKeepOwner(t *testing.T) {
	needRoot(t)
	dir := worldDir(t)
	testcases.WriteTree(t, dir, faultTree)
	uid := asUser(t, dir)
	top := filepath.Join(dir, "etc/network/interfaces")
	os.Chown(top, 0, 0)
	before := snapshot(t, dir)
	r := run(t, cmdOpts{uid: uid}, "--root", dir, "--apply")
	wantError(t, r, top, "keep owner: operation not permitted", "nothing was written")
	sameSnapshot(t, dir, before)
}

// TestFaultChangedByAnotherWriter: another writer (not ifacefix, so not taking its lock) changes
// the file at each moment between ifacefix's read and its rename. Every time: exit 2, the other
// writer's bytes stay, no temporary file or backup is left.
func TestFaultChangedByAnotherWriter(t *testing.T) {
	top := "etc/network/interfaces"
	edits := map[string]func(t *testing.T, p string){
		// appends a line: size and content change, same inode
		"append": func(t *testing.T, p string) {
			f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.WriteString("# edited by someone else\n")
			f.Close()
		},
		// rewrites in place with the same size: only the bytes (and maybe the mtime) differ
		"same-size": func(t *testing.T, p string) {
			b := []byte(readFile(t, p))
			copy(b[len(b)-10:], "192.0.2.99")
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		},
		// an editor's save: a new file renamed over the name (new inode)
		"rename-over": func(t *testing.T, p string) {
			tmp := filepath.Join(filepath.Dir(p), ".editor-tmp")
			if err := os.WriteFile(tmp, []byte(readFile(t, p)+"# saved by an editor\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(tmp, p); err != nil {
				t.Fatal(err)
			}
		},
	}
	// Moments: at the --interactive prompt (after the read, before the plan's re-check), and at
	// the fault hook's two steps inside the replacement.
	moments := []string{"prompt", "synced", "linked"}
	for _, moment := range moments {
		for name, edit := range edits {
			t.Run(moment+"/"+name, func(t *testing.T) {
				dir := t.TempDir()
				testcases.WriteTree(t, dir, faultTree)
				p := filepath.Join(dir, top)
				var s *session
				if moment == "prompt" {
					s = start(t, cmdOpts{}, "--root", dir, "--interactive")
					s.waitFor("[y/N]", 1)
				} else {
					s = start(t, cmdOpts{env: []string{"IFACEFIX_FAULT_PAUSE=" + moment}}, "--root", dir, "--apply")
					s.waitFor("ifacefix-fault: paused at "+moment, 1)
				}
				edit(t, p)
				// Expected afterwards: the tree as the other writer left it, without the
				// paused run's temporary file and backup.
				before := snapshot(t, dir)
				for name := range before {
					if strings.HasPrefix(filepath.Base(name), ".interfaces") {
						delete(before, name)
					}
				}
				s.send("y")
				r := s.wait()
				r.stdout = "" // the interactive diff
				wantError(t, r, p, "file changed since it was read", "nothing was written")
				sameSnapshot(t, dir, before)
			})
		}
	}
}

// TestFaultSourcedFileDisappears: a sourced file removed after it was read stops the run: the
// fix was computed with it. Exit 2, nothing written.
func TestFaultSourcedFileDisappears(t *testing.T) {
	dir := t.TempDir()
	testcases.WriteTree(t, dir, faultTree)
	s := start(t, cmdOpts{}, "--root", dir, "--interactive")
	s.waitFor("[y/N]", 1)
	src := filepath.Join(dir, "etc/network/interfaces.d/eth1")
	if err := os.Remove(src); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	s.send("y")
	r := s.wait()
	r.stdout = ""
	wantError(t, r, src, "disappeared after it was read", "nothing was written")
	sameSnapshot(t, dir, before)
}

// TestFaultSourcedFileDisappearsWhileWriting: a file removed while an earlier file is being
// prepared for its replacement is noticed before anything is renamed: every file to write is
// prepared and checked before the first rename. Exit 2, nothing written, no backup and no
// temporary file left anywhere; the removed file is not recreated.
func TestFaultSourcedFileDisappearsWhileWriting(t *testing.T) {
	dir := t.TempDir()
	testcases.WriteTree(t, dir, crashTree)
	s := start(t, cmdOpts{env: []string{"IFACEFIX_FAULT_PAUSE=linked"}}, "--root", dir, "--apply")
	s.waitFor("ifacefix-fault: paused at linked", 1)
	src := filepath.Join(dir, "etc/network/interfaces.d/eth0-extra")
	if err := os.Remove(src); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	s.send("")
	r := s.wait()
	wantError(t, r, src, "disappeared after it was read", "nothing was written")
	if _, err := os.Lstat(src); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s: recreated (%v)", src, err)
	}
	top := filepath.Join(dir, "etc/network/interfaces")
	if got := readFile(t, top); got != crashTree["etc/network/interfaces"] {
		t.Errorf("%s written: %q", top, got)
	}
	// The snapshot, taken while paused, holds the first file's temporary file and backup: both
	// must be gone.
	after := snapshot(t, dir)
	for name := range before {
		if _, ok := after[name]; !ok && !strings.HasPrefix(filepath.Base(name), ".") {
			t.Errorf("%s vanished", name)
		}
	}
	for name := range after {
		if name != "." && strings.HasPrefix(filepath.Base(name), ".") {
			t.Errorf("left behind: %s", name)
		}
	}
	ents, _ := os.ReadDir(filepath.Dir(src))
	if len(ents) != 0 {
		t.Errorf("left in %s: %v", filepath.Dir(src), ents)
	}
}

// TestWriteFailsMidway: the second rename fails after the first succeeded (its temporary file
// vanishes while the run is paused between the two): exit 6, the file written is named, in a
// "wrote" line and in the error, and the one not written is as it was.
func TestWriteFailsMidway(t *testing.T) {
	dir := t.TempDir()
	testcases.WriteTree(t, dir, crashTree)
	s := start(t, cmdOpts{env: []string{"IFACEFIX_FAULT_PAUSE=renamed"}}, "--root", dir, "--apply")
	s.waitFor("ifacefix-fault: paused at renamed", 1)
	sub := filepath.Join(dir, "etc/network/interfaces.d")
	ents, err := os.ReadDir(sub)
	if err != nil {
		t.Fatal(err)
	}
	removed := 0
	for _, e := range ents {
		if n := e.Name(); strings.HasPrefix(n, ".") && !strings.HasSuffix(n, ".bak") {
			if err := os.Remove(filepath.Join(sub, n)); err != nil {
				t.Fatal(err)
			}
			removed++
		}
	}
	if removed != 1 {
		t.Fatalf("%d temporary files in %s, want 1: %v", removed, sub, ents)
	}
	s.send("")
	r := s.wait()
	top := filepath.Join(dir, "etc/network/interfaces")
	if r.code != 6 || !strings.Contains(r.stderr, "ifacefix: wrote "+top+" (backup: ") ||
		!strings.Contains(r.stderr, "; already written: "+top+"\n") {
		t.Fatalf("exit %d, want 6 naming %s as written:\n%s", r.code, top, r.stderr)
	}
	if got := readFile(t, filepath.Join(sub, "eth0-extra")); got != crashTree["etc/network/interfaces.d/eth0-extra"] {
		t.Errorf("the file not written changed:\n%s", got)
	}
}
