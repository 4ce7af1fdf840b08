package main

import (
	"github.com/ifacefix/ifacefix/internal/testcases"

	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/sys/unix"

	"github.com/ifacefix/ifacefix/fixer"
)

var update = flag.Bool("update", false, "rewrite the cmp files of testdata/script from the actual output")

func TestMain(m *testing.M) {
	// The tests that call run never reach the machine's syslog: a socket nobody listens on,
	// unless a test sets its own (the scripts' command gets its script's socket from Setup).
	if os.Getenv(syslogSocketEnv) == "" {
		os.Setenv(syslogSocketEnv, filepath.Join(os.TempDir(), fmt.Sprintf("ifacefix-test-no-syslog-%d", os.Getpid())))
	}
	testscript.Main(m, map[string]func(){"ifacefix": commandForScripts})
}

// TestScript runs the end-to-end scripts in testdata/script: the real command, in a scratch
// directory, with its exit status, standard output and standard error checked.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Setup: func(env *testscript.Env) error {
			abs, err := filepath.Abs(schemaFile)
			if err != nil {
				return err
			}
			env.Setenv(schemaEnv, abs)
			return setupSyslog(env)
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "root":
				return os.Geteuid() == 0, nil
			case "proclocks":
				_, err := os.Stat("/proc/locks")
				return err == nil, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"trimnl":     cmdTrimNL,
			"setmode":    cmdSetMode,
			"stat-mode":  cmdStatMode,
			"stat-owner": cmdStatOwner,
			"chown":      cmdChown,
			"link":       cmdLink,
			"same-inode": cmdSameInode,
			"mkfifo":     cmdMkfifo,
			"backup-of":  cmdBackupOf,
			"is-symlink": cmdIsSymlink,
			"exits":      cmdExits,
			"syslog":     cmdSyslog,
			"hold-lock":  cmdHoldLock,
		},
	})
}

func noNeg(ts *testscript.TestScript, neg bool, name string) {
	if neg {
		ts.Fatalf("unsupported: ! %s", name)
	}
}

// trimnl FILE: removes the final newline of FILE (a txtar section always ends with one).
func cmdTrimNL(ts *testscript.TestScript, neg bool, args []string) {
	noNeg(ts, neg, "trimnl")
	if len(args) != 1 {
		ts.Fatalf("usage: trimnl FILE")
	}
	name := ts.MkAbs(args[0])
	data, err := os.ReadFile(name)
	ts.Check(err)
	if !bytes.HasSuffix(data, []byte("\n")) {
		ts.Fatalf("%s does not end in a newline", args[0])
	}
	ts.Check(os.WriteFile(name, data[:len(data)-1], 0o666))
}

func parseMode(ts *testscript.TestScript, s string) uint32 {
	m, err := strconv.ParseUint(s, 8, 32)
	if err != nil || m&^0o7777 != 0 {
		ts.Fatalf("invalid mode %q", s)
	}
	return uint32(m)
}

func lstat(ts *testscript.TestScript, name string) *syscall.Stat_t {
	var st syscall.Stat_t
	ts.Check(syscall.Lstat(ts.MkAbs(name), &st))
	return &st
}

// setmode MODE PATH: chmod with the full octal mode, setuid/setgid/sticky included (the built-in
// chmod only takes permission bits).
func cmdSetMode(ts *testscript.TestScript, neg bool, args []string) {
	noNeg(ts, neg, "setmode")
	if len(args) != 2 {
		ts.Fatalf("usage: setmode MODE PATH")
	}
	ts.Check(syscall.Chmod(ts.MkAbs(args[1]), parseMode(ts, args[0])))
}

// stat-mode FILE MODE: FILE's mode bits (07777) are exactly MODE (octal).
func cmdStatMode(ts *testscript.TestScript, neg bool, args []string) {
	noNeg(ts, neg, "stat-mode")
	if len(args) != 2 {
		ts.Fatalf("usage: stat-mode FILE MODE")
	}
	want := parseMode(ts, args[1])
	if got := lstat(ts, args[0]).Mode & 0o7777; got != want {
		ts.Fatalf("%s: mode %04o, want %04o", args[0], got, want)
	}
}

// stat-owner FILE UID GID
func cmdStatOwner(ts *testscript.TestScript, neg bool, args []string) {
	noNeg(ts, neg, "stat-owner")
	if len(args) != 3 {
		ts.Fatalf("usage: stat-owner FILE UID GID")
	}
	st := lstat(ts, args[0])
	if got, want := fmt.Sprintf("%d:%d", st.Uid, st.Gid), args[1]+":"+args[2]; got != want {
		ts.Fatalf("%s: owner %s, want %s", args[0], got, want)
	}
}

// chown UID GID FILE (needs root: guard with [root]).
func cmdChown(ts *testscript.TestScript, neg bool, args []string) {
	noNeg(ts, neg, "chown")
	if len(args) != 3 {
		ts.Fatalf("usage: chown UID GID FILE")
	}
	uid, err1 := strconv.Atoi(args[0])
	gid, err2 := strconv.Atoi(args[1])
	if err1 != nil || err2 != nil {
		ts.Fatalf("usage: chown UID GID FILE")
	}
	ts.Check(os.Lchown(ts.MkAbs(args[2]), uid, gid))
}

// link OLD NEW: a hard link, to keep hold of an inode across a run.
func cmdLink(ts *testscript.TestScript, neg bool, args []string) {
	noNeg(ts, neg, "link")
	if len(args) != 2 {
		ts.Fatalf("usage: link OLD NEW")
	}
	ts.Check(os.Link(ts.MkAbs(args[0]), ts.MkAbs(args[1])))
}

// [!] same-inode A B: A and B are (are not) the same inode, without following symlinks.
func cmdSameInode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: same-inode A B")
	}
	a, b := lstat(ts, args[0]), lstat(ts, args[1])
	same := a.Dev == b.Dev && a.Ino == b.Ino
	switch {
	case same && neg:
		ts.Fatalf("%s and %s are the same inode %d", args[0], args[1], a.Ino)
	case !same && !neg:
		ts.Fatalf("%s (inode %d) and %s (inode %d) differ", args[0], a.Ino, args[1], b.Ino)
	}
}

// mkfifo NAME
func cmdMkfifo(ts *testscript.TestScript, neg bool, args []string) {
	noNeg(ts, neg, "mkfifo")
	if len(args) != 1 {
		ts.Fatalf("usage: mkfifo NAME")
	}
	ts.Check(syscall.Mkfifo(ts.MkAbs(args[0]), 0o644))
}

// backups returns the ifacefix backups of FILE: the names in its directory that start with
// "." + base + ".ifacefix-" and end in ".bak".
func backups(ts *testscript.TestScript, file string) []string {
	dir, base := filepath.Split(ts.MkAbs(file))
	var out []string
	for _, n := range testcases.Backups(dir, base) {
		out = append(out, filepath.Join(dir, n))
	}
	return out
}

// backup-of FILE WANT: FILE has exactly one backup in its directory (a dot-prefixed
// .FILE.ifacefix-*.bak, a regular file) and its bytes are WANT's.
// ! backup-of FILE: FILE has no backup at all.
func cmdBackupOf(ts *testscript.TestScript, neg bool, args []string) {
	b := backups(ts, args[0])
	if neg {
		if len(args) != 1 {
			ts.Fatalf("usage: ! backup-of FILE")
		}
		if len(b) != 0 {
			ts.Fatalf("%s has backups: %q", args[0], b)
		}
		return
	}
	if len(args) != 2 {
		ts.Fatalf("usage: backup-of FILE WANT")
	}
	if len(b) != 1 {
		ts.Fatalf("%s: %d backups, want exactly one: %q", args[0], len(b), b)
	}
	ts.Logf("backup: %s", b[0])
	fi, err := os.Lstat(b[0])
	ts.Check(err)
	if !fi.Mode().IsRegular() {
		ts.Fatalf("backup %s is not a regular file (%v)", b[0], fi.Mode())
	}
	got, err := os.ReadFile(b[0])
	ts.Check(err)
	want, err := os.ReadFile(ts.MkAbs(args[1]))
	ts.Check(err)
	if !bytes.Equal(got, want) {
		ts.Fatalf("backup %s is %q, want %q", b[0], got, want)
	}
}

// hold-lock DIR: takes an exclusive flock on DIR, as another process would, until the script ends.
func cmdHoldLock(ts *testscript.TestScript, neg bool, args []string) {
	noNeg(ts, neg, "hold-lock")
	if len(args) != 1 {
		ts.Fatalf("usage: hold-lock DIR")
	}
	d, err := os.Open(ts.MkAbs(args[0]))
	ts.Check(err)
	ts.Check(syscall.Flock(int(d.Fd()), syscall.LOCK_EX|syscall.LOCK_NB))
	ts.Defer(func() { d.Close() })
}

// [!] is-symlink NAME
func cmdIsSymlink(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: is-symlink NAME")
	}
	fi, err := os.Lstat(ts.MkAbs(args[0]))
	ts.Check(err)
	if is := fi.Mode()&os.ModeSymlink != 0; is == neg {
		ts.Fatalf("%s: symlink is %v", args[0], is)
	}
}

// TestExplainEveryRule: --explain knows every registered rule and prints its id, summary and
// explanation wrapped at 78 columns.
func TestExplainEveryRule(t *testing.T) {
	for _, r := range fixer.Rules {
		var out, errb bytes.Buffer
		if code := run([]string{"ifacefix", "--explain", r.ID}, strings.NewReader(""), &out, &errb); code != 0 || errb.Len() > 0 {
			t.Errorf("--explain %s: exit %d, stderr %q", r.ID, code, errb.String())
		}
		head := r.ID + ": " + r.Summary + "\n\n"
		if !strings.HasPrefix(out.String(), head) {
			t.Errorf("--explain %s: output starts %q, want %q", r.ID, out.String()[:min(out.Len(), len(head))], head)
		}
		if got := strings.Join(strings.Fields(strings.TrimPrefix(out.String(), head)), " "); got != strings.Join(strings.Fields(r.Doc), " ") {
			t.Errorf("--explain %s: explanation %q, want %q", r.ID, got, r.Doc)
		}
		for _, l := range strings.Split(out.String(), "\n") {
			if len(l) > 78 {
				t.Errorf("--explain %s: line longer than 78 columns: %q", r.ID, l)
			}
		}
	}
}

// TestTooManyRoots: more roots than the open-file limit allows (each holds its directory open)
// exit 2 at once with what to do, instead of failing part way.
func TestTooManyRoots(t *testing.T) {
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
		t.Skip(err)
	}
	low := rl
	low.Cur = fdReserve + 10
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &low); err != nil {
		t.Skip(err)
	}
	defer unix.Setrlimit(unix.RLIMIT_NOFILE, &rl)
	dir := t.TempDir()
	args := []string{"ifacefix", "--check"}
	for range 11 {
		args = append(args, "--root", dir)
	}
	var stdout, stderr bytes.Buffer
	code := run(args, strings.NewReader(""), &stdout, &stderr)
	want := "ifacefix: 11 roots: each holds 1 open for the whole run, and the open-file limit is 266: give at most 10 --root per run (or raise the limit: ulimit -n)\n"
	if code != exitError || stderr.String() != want {
		t.Errorf("exit %d, stderr %q; want 2, %q", code, stderr.String(), want)
	}
	stderr.Reset()
	if code := run(args[:len(args)-2], strings.NewReader(""), &stdout, &stderr); code == exitError {
		t.Errorf("10 roots under a limit of 266: exit 2\n%s", stderr.String())
	}
	stderr.Reset()
	apply := append([]string{"ifacefix", "--apply"}, args[2:12]...) // 5 roots, 2 files each
	want = "ifacefix: 6 roots: each holds 2 open for the whole run, and the open-file limit is 266: give at most 5 --root per run (or raise the limit: ulimit -n)\n"
	if code := run(append(apply, "--root", dir), strings.NewReader(""), &stdout, &stderr); code != exitError || stderr.String() != want {
		t.Errorf("--apply, 6 roots: exit %d, stderr %q; want 2, %q", code, stderr.String(), want)
	}
}
