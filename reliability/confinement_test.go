package reliability

import (
	"github.com/ifacefix/ifacefix/internal/testcases"

	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// TestConfinementRoot: with --root, nothing outside the root is ever read or written, whatever the
// symlinks and source lines inside say. The outside file holds a configuration that ifacefix
// would fix if it reached it, so following it would show as a finding or a write.
func TestConfinementRoot(t *testing.T) {
	base := t.TempDir()
	out := filepath.Join(base, "outside")
	testcases.WriteTree(t, out, map[string]string{"interfaces": aliasFix, "interfaces.d/x": aliasFix})
	rel := strings.Repeat("../", 12) + strings.TrimPrefix(out, "/") // climbs far above the root
	outBefore := snapshot(t, out)

	t.Run("includes-and-links", func(t *testing.T) {
		root := filepath.Join(base, "root1")
		testcases.WriteTree(t, root, map[string]string{
			"etc/network/interfaces": "source interfaces.d/*\n" +
				"source ../../../etc/shadow\n" +
				"source " + rel + "/interfaces\n" +
				"source " + out + "/interfaces\n" +
				"source-directory " + rel + "/interfaces.d\n" +
				"auto lo\niface lo inet loopback\n",
		})
		d := filepath.Join(root, "etc/network/interfaces.d")
		os.MkdirAll(d, 0o755)
		for name, target := range map[string]string{
			"abs":    out + "/interfaces",            // absolute: restarts at the root
			"rel":    rel + "/interfaces",            // "..": stops at the root
			"shadow": "../../../../../../etc/shadow", // the host's /etc/shadow
			"dir":    out,                            // a directory outside
		} {
			if err := os.Symlink(target, filepath.Join(d, name)); err != nil {
				t.Fatal(err)
			}
		}
		before := snapshot(t, root)
		r := run(t, cmdOpts{}, "--root", root, "--apply")
		if r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		if strings.Contains(r.stderr, out) || strings.Contains(r.stderr, "shadow") || strings.Contains(r.stderr, "finding") && !strings.Contains(r.stderr, "0 findings") {
			t.Errorf("something outside the root was reached:\n%s", r.stderr)
		}
		sameSnapshot(t, root, before)
		sameSnapshot(t, out, outBefore)
		// The loader, asked directly, reads only the top-level file.
		if got := loadedFiles(t, root, "/etc/network/interfaces"); len(got) != 1 {
			t.Errorf("files read: %q", got)
		}
	})
	t.Run("top-level-link", func(t *testing.T) {
		for _, target := range []string{out + "/interfaces", rel + "/interfaces"} {
			root := filepath.Join(base, "root2")
			os.RemoveAll(root)
			os.MkdirAll(filepath.Join(root, "etc/network"), 0o755)
			if err := os.Symlink(target, filepath.Join(root, "etc/network/interfaces")); err != nil {
				t.Fatal(err)
			}
			r := run(t, cmdOpts{}, "--root", root, "--apply")
			if want := "ifacefix: " + filepath.Join(root, "etc/network/interfaces") + ": no such file or directory\n"; r.code != 2 || r.stderr != want {
				t.Errorf("link to %s: exit %d, stderr:\n%s\nwant exit 2 and %q", target, r.code, r.stderr, want)
			}
			sameSnapshot(t, out, outBefore)
		}
	})
	t.Run("inside-link-written-through", func(t *testing.T) {
		// A link that stays inside the root is followed, chroot-style, and written through.
		root := filepath.Join(base, "root3")
		testcases.WriteTree(t, root, map[string]string{"etc/network/real/interfaces": aliasFix})
		if err := os.Symlink("/etc/network/real/interfaces", filepath.Join(root, "etc/network/interfaces")); err != nil {
			t.Fatal(err)
		}
		if r := run(t, cmdOpts{}, "--root", root, "--apply"); r.code != exitWritten {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		if l, _ := os.Readlink(filepath.Join(root, "etc/network/interfaces")); l != "/etc/network/real/interfaces" {
			t.Errorf("the link became %q", l)
		}
		if got := readFile(t, filepath.Join(root, "etc/network/real/interfaces")); got == aliasFix {
			t.Error("the link's target was not fixed")
		}
		if b := testcases.Backups(filepath.Join(root, "etc/network/real"), "interfaces"); len(b) != 1 {
			t.Errorf("backups next to the link's target: %q", b)
		}
		sameSnapshot(t, out, outBefore)
	})
}

// TestConfinementBackupMode: the new file and the backup of a 0600 file (owned by another user
// when the test runs as root) keep mode 0600 and the owner; the backup holds the old bytes.
func TestConfinementBackupMode(t *testing.T) {
	for _, mode := range []os.FileMode{0o600, 0o640, 0o644} {
		dir := t.TempDir()
		top := filepath.Join(dir, "etc/network/interfaces")
		testcases.WriteTree(t, dir, map[string]string{"etc/network/interfaces": aliasFix})
		os.Chmod(top, mode)
		uid, gid := os.Getuid(), os.Getgid()
		if os.Geteuid() == 0 {
			uid, gid = 1234, 5678
			if err := os.Chown(top, uid, gid); err != nil {
				t.Fatal(err)
			}
		}
		if r := run(t, cmdOpts{}, "--root", dir, "--apply"); r.code != exitWritten {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		b := testcases.Backups(filepath.Dir(top), "interfaces")
		if len(b) != 1 {
			t.Fatalf("backups: %q", b)
		}
		bak := filepath.Join(filepath.Dir(top), b[0])
		if readFile(t, bak) != aliasFix {
			t.Errorf("backup does not hold the old bytes")
		}
		for _, p := range []string{top, bak} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			st := fi.Sys().(*syscall.Stat_t)
			if fi.Mode() != mode || int(st.Uid) != uid || int(st.Gid) != gid {
				t.Errorf("%s: mode %v owner %d:%d, want %v %d:%d", filepath.Base(p), fi.Mode(), st.Uid, st.Gid, mode, uid, gid)
			}
		}
	}
}

// TestConfinementTempFile: while the replacement is paused with its temporary file written, the
// only new name anywhere is that file, dot-named, in the target's own directory (for a symlink:
// the directory of its target), with the target's mode, and not in $TMPDIR. With strace
// installed, the open that created it is checked to be O_CREAT|O_EXCL (never an existing name).
func TestConfinementTempFile(t *testing.T) {
	for _, link := range []bool{false, true} {
		dir := t.TempDir()
		tmpdir := t.TempDir()
		real := "etc/network/interfaces"
		if link {
			real = "etc/network/real/interfaces"
			testcases.WriteTree(t, dir, map[string]string{real: aliasFix})
			os.Symlink("real/interfaces", filepath.Join(dir, "etc/network/interfaces"))
		} else {
			testcases.WriteTree(t, dir, map[string]string{real: aliasFix})
		}
		os.Chmod(filepath.Join(dir, real), 0o600)
		before := snapshot(t, dir)
		s := start(t, cmdOpts{env: []string{"IFACEFIX_FAULT_PAUSE=synced", "TMPDIR=" + tmpdir}}, "--root", dir, "--apply")
		s.waitFor("ifacefix-fault: paused at synced", 1)
		during := snapshot(t, dir)
		var added []string
		for name := range during {
			if _, ok := before[name]; !ok {
				added = append(added, name)
			}
		}
		want := regexp.MustCompile(`^` + regexp.QuoteMeta(filepath.Dir(real)+"/.interfaces") + `[0-9]+$`)
		if len(added) != 1 || !want.MatchString(added[0]) {
			t.Fatalf("new names while paused: %q, want one matching %s", added, want)
		}
		if e := during[added[0]]; e.mode != 0o600 {
			t.Errorf("temporary file mode %v, want 0600", e.mode)
		}
		if ents, _ := os.ReadDir(tmpdir); len(ents) != 0 {
			t.Errorf("$TMPDIR used: %v", ents)
		}
		s.send("")
		if r := s.wait(); r.code != exitWritten {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
	}

	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Log("strace not installed: O_EXCL not checked")
		return
	}
	dir := t.TempDir()
	testcases.WriteTree(t, dir, map[string]string{"etc/network/interfaces": aliasFix})
	c := exec.Command(strace, "-f", "-e", "trace=openat,open,creat", bin, "--root", dir, "--apply")
	c.Env = append(os.Environ(), syslogEnv)
	out, err := c.CombinedOutput()
	if c.ProcessState == nil || c.ProcessState.ExitCode() != exitWritten { // strace exits as its tracee
		t.Fatalf("strace: %v\n%s", err, out)
	}
	var creates []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, "O_CREAT") {
			creates = append(creates, l)
		}
	}
	if len(creates) != 1 || !strings.Contains(creates[0], `".interfaces`) || !strings.Contains(creates[0], "O_EXCL") {
		t.Errorf("file creations: %q, want one .interfaces* with O_CREAT|O_EXCL", creates)
	}
}
