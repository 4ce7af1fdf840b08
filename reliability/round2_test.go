package reliability

// Issue 12, "never lose a byte, round two": hard-linked roots, ACLs and extended attributes,
// FIFOs, a failing second prepare, pathological globs, the Ansible module's arguments, a
// configuration not fully read, and the window left to a writer that ignores the lock.

import (
	"github.com/ifacefix/ifacefix/internal/testcases"

	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestHardLinkedRoots: trees cloned with `cp -al` (or `rsync --link-dest`) share every inode.
// Each name is a file of its own configuration and a rename replaces one name, so each root's
// file is fixed and backed up on its own. A third clone that is not named keeps the old bytes:
// an atomic replace never changes another hard link, as a backup relies on.
func TestHardLinkedRoots(t *testing.T) {
	want := fixedTree(t)
	base := t.TempDir()
	a, b, c := filepath.Join(base, "rA"), filepath.Join(base, "rB"), filepath.Join(base, "snapshot")
	testcases.WriteTree(t, a, crashTree)
	for _, d := range []string{b, c} {
		if out, err := exec.Command("cp", "-al", a, d).CombinedOutput(); err != nil {
			t.Skipf("cp -al: %v %s", err, out)
		}
	}
	r := run(t, cmdOpts{}, "--apply", "--root", a, "--root", b)
	if r.code != exitWritten || !strings.Contains(r.stderr, "4 files checked, 4 findings (4 fixed, 0 need a person); 4 files written") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, root := range []string{a, b} {
		for _, f := range crashFiles {
			if got := readFile(t, filepath.Join(root, f)); got != want[f] {
				t.Errorf("%s/%s not fixed:\n%s", root, f, got)
			}
			d := filepath.Join(root, filepath.Dir(f))
			bk := testcases.Backups(d, filepath.Base(f))
			if len(bk) != 1 || readFile(t, filepath.Join(d, bk[0])) != crashTree[f] {
				t.Errorf("%s/%s: backups %q, want one holding the old bytes", root, f, bk)
			}
		}
	}
	for _, f := range crashFiles {
		if got := readFile(t, filepath.Join(c, f)); got != crashTree[f] {
			t.Errorf("the unnamed clone's %s changed", f)
		}
	}
	if r := run(t, cmdOpts{}, "--apply", "--root", a, "--root", b); r.code != 0 || !strings.Contains(r.stderr, "0 files written") {
		t.Errorf("second run: exit %d\n%s", r.code, r.stderr)
	}
}

// xattrs lists the extended attributes of p (with the ACL: system.posix_acl_access), without
// security.selinux, which the kernel sets on SELinux systems.
func xattrs(t *testing.T, p string) map[string]string {
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

// getfacl returns getfacl's listing of p, without the "# file:" line.
func getfacl(t *testing.T, p string) string {
	t.Helper()
	out, err := exec.Command("getfacl", "-p", p).Output()
	if err != nil {
		t.Fatalf("getfacl %s: %v", p, err)
	}
	_, rest, _ := strings.Cut(string(out), "\n")
	return rest
}

func setfacl(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("setfacl", args...).CombinedOutput(); err != nil {
		t.Skipf("setfacl %s: %v %s (no ACLs on this file system?)", strings.Join(args, " "), err, out)
	}
}

func needACLTools(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"setfacl", "getfacl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (Debian package acl)", tool)
		}
	}
}

// TestACLAndXattrsKept: a 0640 file given `setfacl -m u:nobody:rw` (mode then 0660, the group
// bits showing the mask) and user.*, trusted.* and security.* attributes: the new file and the
// backup have the same ACL, attributes and mode. A directory's default ACL does not give the new
// file an ACL the old one did not have.
func TestACLAndXattrsKept(t *testing.T) {
	needACLTools(t)
	dir := t.TempDir()
	testcases.WriteTree(t, dir, faultTree)
	p := filepath.Join(dir, "etc/network/interfaces")
	os.Chmod(p, 0o640)
	setfacl(t, "-m", "u:nobody:rw", p)
	attrs := []string{"user.origin"}
	if os.Geteuid() == 0 {
		attrs = append(attrs, "trusted.origin", "security.origin")
	}
	for _, a := range attrs {
		if err := unix.Lsetxattr(p, a, []byte(a+" value"), 0); err != nil {
			t.Skipf("setxattr %s: %v", a, err)
		}
	}
	wantACL, wantAttrs := getfacl(t, p), xattrs(t, p)
	if !strings.Contains(wantACL, "user:nobody:rw-") || len(wantAttrs) != len(attrs)+1 {
		t.Fatalf("setup: ACL\n%s\nattributes %q", wantACL, wantAttrs)
	}
	// The sourced file has no ACL; its directory gets a default one, which new files inherit.
	sub := filepath.Join(dir, "etc/network/interfaces.d")
	testcases.WriteTree(t, dir, map[string]string{"etc/network/interfaces.d/eth1": faultTree["etc/network/interfaces"]})
	subFile := filepath.Join(sub, "eth1")
	setfacl(t, "-d", "-m", "u:nobody:rwx", sub)
	wantSubACL, wantSubAttrs := getfacl(t, subFile), xattrs(t, subFile)

	if r := run(t, cmdOpts{}, "--apply", "--root", dir); r.code != exitWritten {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	bk := testcases.Backups(filepath.Dir(p), "interfaces")
	if len(bk) != 1 {
		t.Fatalf("backups %q", bk)
	}
	for _, q := range []string{p, filepath.Join(filepath.Dir(p), bk[0])} {
		if got := getfacl(t, q); got != wantACL {
			t.Errorf("%s: ACL\n%s\nwant\n%s", q, got, wantACL)
		}
		if got := xattrs(t, q); !maps.Equal(got, wantAttrs) {
			t.Errorf("%s: attributes %q, want %q", q, got, wantAttrs)
		}
		if fi, err := os.Lstat(q); err != nil || fi.Mode() != 0o660 {
			t.Errorf("%s: mode %v, want 0660 (the mask)", q, fi.Mode())
		}
	}
	if readFile(t, p) == faultTree["etc/network/interfaces"] || readFile(t, subFile) == faultTree["etc/network/interfaces"] {
		t.Fatal("not fixed")
	}
	if got := getfacl(t, subFile); got != wantSubACL {
		t.Errorf("%s: ACL\n%s\nwant\n%s", subFile, got, wantSubACL)
	}
	if got := xattrs(t, subFile); !maps.Equal(got, wantSubAttrs) {
		t.Errorf("%s: attributes %q, want %q", subFile, got, wantSubAttrs)
	}
}

// TestFaultXattrCannotBeKept: an attribute the user may not set (security.*, for anyone without
// CAP_SYS_ADMIN) cannot be kept: exit 2 with a message naming it, nothing written.
func TestFaultXattrCannotBeKept(t *testing.T) {
	needRoot(t)
	dir := worldDir(t)
	testcases.WriteTree(t, dir, faultTree)
	p := filepath.Join(dir, "etc/network/interfaces")
	uid := asUser(t, dir)
	if err := unix.Lsetxattr(p, "security.origin", []byte("label"), 0); err != nil {
		t.Skipf("setxattr: %v", err)
	}
	before, attrs := snapshot(t, dir), xattrs(t, p)
	r := run(t, cmdOpts{uid: uid}, "--root", dir, "--apply")
	wantError(t, r, p, "keep extended attributes: security.origin: operation not permitted", "nothing was written")
	sameSnapshot(t, dir, before)
	if got := xattrs(t, p); !maps.Equal(got, attrs) {
		t.Errorf("attributes %q, want %q", got, attrs)
	}
}

// TestFIFOsNeverBlock: a FIFO where a directory is expected (source-directory, a glob's directory
// part, --root, the directory of the file to lock) is refused or skipped at once, by --check and
// by --apply (whose lock a blocked run would hold). ifupdown returns at once too, and reads the
// same.
func TestFIFOsNeverBlock(t *testing.T) {
	for _, c := range []struct{ name, source, fifo string }{
		{"source-directory", "source-directory fifo", "etc/network/fifo"},
		{"glob", "source d/p/*", "etc/network/d/p"},
		{"glob-middle", "source d/*/x", "etc/network/d/p"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			top := filepath.Join(dir, "etc/network/interfaces")
			testcases.WriteTree(t, dir, map[string]string{"etc/network/interfaces": aliasFix + c.source + "\n"})
			os.MkdirAll(filepath.Dir(filepath.Join(dir, c.fifo)), 0o755)
			if err := syscall.Mkfifo(filepath.Join(dir, c.fifo), 0o644); err != nil {
				t.Skip("mkfifo:", err)
			}
			if r := run(t, cmdOpts{}, "--check", "--root", dir); r.code != 1 {
				t.Fatalf("--check: exit %d\n%s", r.code, r.stderr)
			}
			if r := run(t, cmdOpts{}, "--apply", "--lock-timeout", "1s", "--root", dir); r.code != exitWritten || !strings.Contains(r.stderr, "1 file written") {
				t.Fatalf("--apply: exit %d\n%s", r.code, r.stderr)
			}
			if code, out := ifqueryVerdict(t, top, "-l"); code > 0 {
				t.Errorf("ifquery: exit %d\n%s", code, out)
			}
		})
	}
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
		t.Skip("mkfifo:", err)
	}
	refuse(t, dir, "root {D}/fifo: not a directory\n", "--root", filepath.Join(dir, "fifo"))
	refuse(t, dir, "lock {D}/fifo: not a directory\n", filepath.Join(dir, "fifo/interfaces"))
}

// TestFaultSecondPrepareFails: every changed file is prepared before any is renamed, so a failure
// while preparing the second file leaves both untouched, with no temporary file or backup: a
// name of 228 bytes, whose backup name would exceed 255; a full file system under the second
// file only (root: tmpfs). What remains possible is a crash between the two renames
// (TestCrashAtEachStep).
func TestFaultSecondPrepareFails(t *testing.T) {
	long := strings.Repeat("n", 228)
	tree := map[string]string{
		"etc/network/interfaces":           crashTree["etc/network/interfaces"],
		"etc/network/interfaces.d/" + long: crashTree["etc/network/interfaces.d/eth0-extra"],
	}
	t.Run("name-too-long", func(t *testing.T) {
		dir := t.TempDir()
		testcases.WriteTree(t, dir, tree)
		before := snapshot(t, dir)
		r := run(t, cmdOpts{}, "--root", dir, "--apply")
		wantError(t, r, filepath.Join(dir, "etc/network/interfaces.d", long)+": backup: file name too long (nothing was written)")
		sameSnapshot(t, dir, before)
		if r := run(t, cmdOpts{}, "--root", dir, "--apply", "--no-backup"); r.code != exitWritten {
			t.Errorf("without a backup the name fits: exit %d\n%s", r.code, r.stderr)
		}
	})
	t.Run("no-space", func(t *testing.T) {
		needRoot(t)
		dir := worldDir(t)
		testcases.WriteTree(t, dir, map[string]string{"etc/network/interfaces": crashTree["etc/network/interfaces"]})
		sub := filepath.Join(dir, "etc/network/interfaces.d")
		testcases.MountTmpfs(t, sub, "size=64k,mode=0755")
		testcases.WriteTree(t, sub, map[string]string{"eth0-extra": crashTree["etc/network/interfaces.d/eth0-extra"]})
		fill, err := os.Create(filepath.Join(sub, ".filler"))
		if err != nil {
			t.Fatal(err)
		}
		for chunk := make([]byte, 4096); err == nil; _, err = fill.Write(chunk) {
		}
		fill.Close()
		if !errors.Is(err, syscall.ENOSPC) {
			t.Fatal(err)
		}
		before := snapshot(t, dir)
		r := run(t, cmdOpts{}, "--root", dir, "--apply")
		wantError(t, r, filepath.Join(sub, "eth0-extra")+": write temp file: no space left on device (nothing was written)")
		sameSnapshot(t, dir, before)
	})
}

// globTree is aliasFix sourcing "d/*/.../*/nomatch" (depth stars) where d/x -> . and d/y -> .:
// glibc's glob reads 2^depth directories for it.
func globTree(t testing.TB, depth int) (dir, top string) {
	dir = worldDir(t)
	top = filepath.Join(dir, "etc/network/interfaces")
	testcases.WriteTree(t, dir, map[string]string{"etc/network/interfaces": aliasFix + "source d/" + strings.Repeat("*/", depth) + "nomatch\n"})
	if err := os.MkdirAll(filepath.Join(dir, "etc/network/d"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"x", "y"} {
		if err := os.Symlink(".", filepath.Join(dir, "etc/network/d", l)); err != nil {
			t.Fatal(err)
		}
	}
	return dir, top
}

// TestHostilePathologicalGlob: through the command, the glob's work bound lets depth 16 through
// (the configuration is fixed, and ifupdown reads the same) and refuses depth 17 at the source
// line, exit 2, nothing written. Timings are in BenchmarkPathologicalGlob.
func TestHostilePathologicalGlob(t *testing.T) {
	for _, depth := range []int{10, 16} {
		dir, top := globTree(t, depth)
		if r := run(t, cmdOpts{}, "--apply", "--root", dir); r.code != exitWritten {
			t.Fatalf("depth %d: exit %d\n%s", depth, r.code, r.stderr)
		}
		if readFile(t, top) == aliasFix+"source d/"+strings.Repeat("*/", depth)+"nomatch\n" {
			t.Errorf("depth %d: not fixed", depth)
		}
	}
	dir, _ := globTree(t, 17)
	pattern := "d/" + strings.Repeat("*/", 17) + "nomatch"
	r := refuse(t, dir, "{D}/etc/network/interfaces:9: source "+pattern+`: glob "/etc/network/`+pattern+`": more than 1000000 directory entries and file lookups`, "--root", dir)
	if r.maxRSS > memBound(1<<20) {
		t.Errorf("max RSS %d MB", r.maxRSS>>20)
	}
}

// BenchmarkPathologicalGlob runs `ifacefix --check` on the configuration of
// TestHostilePathologicalGlob, whole process included.
func BenchmarkPathologicalGlob(b *testing.B) {
	for _, depth := range []int{10, 16, 17} {
		dir, _ := globTree(b, depth)
		b.Run(fmt.Sprintf("depth=%d", depth), func(b *testing.B) {
			for b.Loop() {
				out, _ := command(cmdOpts{}, "--check", "--root", dir).CombinedOutput()
				if depth == 17 && !bytes.Contains(out, []byte("more than 1000000")) {
					b.Fatalf("not refused:\n%s", out)
				}
			}
		})
	}
}

var (
	moduleOnce sync.Once
	moduleBin  string
	moduleErr  error
)

// ansibleModule builds the Ansible module binary once.
func ansibleModule(t *testing.T) string {
	t.Helper()
	moduleOnce.Do(func() {
		moduleBin = filepath.Join(binDir, "ifacefix-ansible")
		moduleErr = testcases.Build(moduleBin, "./cmd/ifacefix-ansible", nil)
	})
	if moduleErr != nil {
		t.Fatal(moduleErr)
	}
	return moduleBin
}

// moduleResult runs the Ansible module on an arguments file holding args and decodes its one
// JSON object.
func moduleResult(t *testing.T, cmd *exec.Cmd) map[string]any {
	t.Helper()
	out, err := cmd.Output()
	if err != nil && cmd.ProcessState == nil {
		t.Fatal(err)
	}
	line, _, _ := bytes.Cut(out, []byte("\n"))
	var res map[string]any
	if err := json.Unmarshal(line, &res); err != nil {
		t.Fatalf("module output %q: %v", out, err)
	}
	return res
}

// TestAnsibleArgumentsNotAnObject: an arguments file holding null, an array or a scalar is an
// error, never "no parameters", which would mean apply mode on the real
// /etc/network/interfaces. Run in a private mount namespace with a tmpfs over /etc/network that
// holds a configuration to fix, which must come out untouched.
func TestAnsibleArgumentsNotAnObject(t *testing.T) {
	needRoot(t)
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("unshare not installed")
	}
	mod := ansibleModule(t)
	for _, doc := range []string{"null", "[]", `[{"path": "/etc/network/interfaces"}]`, `"/etc/network/interfaces"`, "1", "true"} {
		args := filepath.Join(t.TempDir(), "args")
		os.WriteFile(args, []byte(doc), 0o600)
		// The module's output first, then a marker and what /etc/network holds afterwards.
		script := `mount -t tmpfs -o size=1m tmpfs /etc/network && printf '%s' "$CONFIG" > /etc/network/interfaces &&
"$MODULE" "$ARGS"; echo; echo ===; ls -A /etc/network; cat /etc/network/interfaces`
		c := exec.Command(unshare, "-m", "--propagation", "private", "sh", "-c", script)
		c.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "CONFIG=" + aliasFix, "MODULE=" + mod, "ARGS=" + args}
		out, err := c.CombinedOutput()
		if err != nil {
			t.Skipf("unshare: %v\n%s", err, out)
		}
		res, after, _ := strings.Cut(string(out), "\n===\n")
		if !strings.Contains(res, `"failed":true`) || !strings.Contains(res, "not a JSON object of parameters") {
			t.Errorf("arguments %s: %s", doc, res)
		}
		if after != "interfaces\n"+aliasFix {
			t.Errorf("arguments %s: /etc/network afterwards:\n%s", doc, after)
		}
	}
}

// TestApplyRefusesUnknownConfiguration: a source line ifupdown expands with the boot's
// environment ($, ~) names files ifacefix cannot read, which may hold what the fix depends on.
// --apply exits 2 at that line and writes nothing, and so does the Ansible module, with the same
// message; a dry run reports it (exit 1) with the same words. A sourced-file error, which ifupdown
// itself handles by dropping the rest of the file, does not stop --apply.
func TestApplyRefusesUnknownConfiguration(t *testing.T) {
	dir := worldDir(t)
	testcases.WriteTree(t, dir, map[string]string{"etc/network/interfaces": aliasFix + "source $CONF/extra\n"})
	msg := "{D}/etc/network/interfaces:9: source $CONF/extra: uses shell expansion ($ or ~) whose value ifacefix cannot know; not followed" +
		"; --apply writes nothing while ifacefix cannot read all of the configuration"
	refuse(t, dir, msg+" (nothing was written)\n", "--root", dir)
	wantMsg := "ifacefix: " + strings.ReplaceAll(msg, "{D}", dir) + " (nothing was written)"
	dry := run(t, cmdOpts{}, "--root", dir)
	if finding := strings.Replace(strings.ReplaceAll(msg, "{D}", dir), ":9: ", ":9: include-unsupported: ", 1); dry.code != 1 || !strings.Contains(dry.stderr, finding) {
		t.Errorf("dry run: exit %d\n%s\nwant the finding %s", dry.code, dry.stderr, finding)
	}
	args := filepath.Join(t.TempDir(), "args")
	os.WriteFile(args, []byte(`{"root": "`+dir+`"}`), 0o600)
	before := snapshot(t, dir)
	res := moduleResult(t, exec.Command(ansibleModule(t), args))
	if res["failed"] != true || res["msg"] != wantMsg || res["changed"] == true {
		t.Errorf("Ansible module: %v\nwant failed with %q", res, wantMsg)
	}
	sameSnapshot(t, dir, before)

	// A sourced file with an error: known (ifupdown drops the rest of it too), so written.
	dir = t.TempDir()
	testcases.WriteTree(t, dir, map[string]string{"etc/network/interfaces": aliasFix + "source interfaces.d/*\n", "etc/network/interfaces.d/bad": "garbage\n"})
	if r := run(t, cmdOpts{}, "--apply", "--root", dir); r.code != exitWrittenAttention || !strings.Contains(r.stderr, "sourced-file-error") || !strings.Contains(r.stderr, "1 file written") {
		t.Errorf("sourced-file-error: exit %d\n%s", r.code, r.stderr)
	}
}

var versionLine = regexp.MustCompile(`\A# version (\d+)\n`)

// TestRenameWindow measures what a writer that ignores ifacefix's lock (an editor's
// rename-replace) can lose: it renames a new version of the file into place every 5 ms while
// ifacefix --apply runs back to back on it. An update is lost when ifacefix's rename replaces it
// with the fix of an older version: the writer sees that before its next rename. The window is
// from ifacefix's final check of a file to its rename(2). Asserted: every state the writer sees
// is a whole version or its fix, and every run exits 0 or 2 ("changed since it was read").
// IFACEFIX_WINDOW_UPDATES sets the number of updates (default 200; RELIABILITY.md quotes 3,000),
// IFACEFIX_WINDOW_BIN another ifacefix binary to measure.
func TestRenameWindow(t *testing.T) {
	updates := 200
	if s := os.Getenv("IFACEFIX_WINDOW_UPDATES"); s != "" {
		var err error
		if updates, err = strconv.Atoi(s); err != nil {
			t.Fatal(err)
		}
	}
	exe := bin
	if b := os.Getenv("IFACEFIX_WINDOW_BIN"); b != "" {
		exe = b
	}
	dir := t.TempDir()
	nd := filepath.Join(dir, "etc/network")
	p := filepath.Join(nd, "interfaces")
	version := func(i int) string { return fmt.Sprintf("# version %d\n", i) + aliasFix }
	testcases.WriteTree(t, dir, map[string]string{"etc/network/interfaces": version(0)})
	fixed := func(i int) string { // what ifacefix makes of version(i)
		return fmt.Sprintf("# version %d\n", i) + strings.Replace(aliasFix, "    address 192.0.2.11/24\n    gateway 192.0.2.1\n", "    address 192.0.2.11/24\n", 1)
	}

	stop := make(chan struct{})
	var runs, wrote, changed int
	var runErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			c := exec.Command(exe, "--apply", "--root", dir)
			c.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", "NO_COLOR=1"}
			out, _ := c.CombinedOutput()
			runs++
			switch code := c.ProcessState.ExitCode(); {
			case (code == exitWritten || code == 0 && exe != bin) && bytes.Contains(out, []byte("ifacefix: wrote ")):
				wrote++
			case code == 0:
			case code == 2 && bytes.Contains(out, []byte("file changed since it was read")):
				changed++
			case code == 2 && exe != bin && bytes.Contains(out, []byte("(nothing was written)")):
				changed++ // older binaries word some races otherwise
			default:
				runErr = fmt.Errorf("exit %d:\n%s", code, out)
				return
			}
		}
	}()

	lost := 0
	var bad []string
	tick := time.NewTicker(5 * time.Millisecond)
	for i := 1; i <= updates; i++ {
		<-tick.C
		tmp := filepath.Join(nd, ".editor-tmp")
		if err := os.WriteFile(tmp, []byte(version(i)), 0o644); err != nil {
			t.Fatal(err)
		}
		cur := readFile(t, p) // just before the rename: the fate of update i-1
		m := versionLine.FindStringSubmatch(cur)
		if m == nil {
			bad = append(bad, cur)
		} else if k, _ := strconv.Atoi(m[1]); cur != version(k) && cur != fixed(k) {
			bad = append(bad, cur)
		} else if k < i-1 {
			lost++
		}
		if err := os.Rename(tmp, p); err != nil {
			t.Fatal(err)
		}
	}
	tick.Stop()
	close(stop)
	<-done
	if runErr != nil {
		t.Fatal(runErr)
	}
	if len(bad) > 0 {
		t.Errorf("%d states neither a version nor its fix, e.g.:\n%s", len(bad), bad[0])
	}
	t.Logf("%d updates every 5 ms against %d back-to-back runs (%d wrote, %d stopped: changed since read): %d updates lost (%.2f%%)",
		updates, runs, wrote, changed, lost, 100*float64(lost)/float64(updates))
}
