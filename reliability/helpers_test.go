// Package reliability proves that ifacefix never loses or corrupts the file it rewrites: SIGKILL at
// random moments, I/O faults, concurrent runs, hostile input and confinement. The tests exec the
// real command, built once per run with the test-only fault hook (-tags faultinject, see
// safefile/hook_faultinject.go). RELIABILITY.md summarises what they prove.
package reliability

import (
	"github.com/ifacefix/ifacefix/internal/testcases"

	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ifacefix/ifacefix/internal/rootfs"
	"github.com/ifacefix/ifacefix/parser"
)

// bin is the ifacefix binary built with -tags faultinject; binDir is world-readable so that
// processes run as another user can exec it.
var bin, binDir string

// syslogEnv points the binary's audit trail at a socket of the tests (never the machine's).
var syslogEnv string

// The exit statuses of --apply that wrote files (cmd/ifacefix: 4, plus 1 when findings remain).
const (
	exitWritten          = 4
	exitWrittenAttention = 5
)

func TestMain(m *testing.M) {
	if os.Getenv("RELIABILITY_RSS_FILE") != "" {
		os.Exit(rssHelper())
	}
	os.Exit(testMain(m))
}

// rssHelper runs os.Args[1:] and writes its peak RSS (bytes) to $RELIABILITY_RSS_FILE. The
// measured run goes through this small process because on Linux a child's ru_maxrss includes the
// peak RSS of the process that exec'd it (Go starts children with vfork), and the test process
// holds the large inputs itself.
func rssHelper() int {
	out := os.Getenv("RELIABILITY_RSS_FILE")
	c := exec.Command(os.Args[1], os.Args[2:]...)
	c.Stdin, c.Stdout, c.Stderr = os.Stdin, os.Stdout, os.Stderr
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "RELIABILITY_RSS_FILE=") {
			c.Env = append(c.Env, e)
		}
	}
	c.Run()
	if c.ProcessState == nil {
		return 125
	}
	ru, _ := c.ProcessState.SysUsage().(*syscall.Rusage)
	if ru != nil {
		os.WriteFile(out, []byte(strconv.FormatInt(ru.Maxrss*1024, 10)), 0o644)
	}
	return c.ProcessState.ExitCode()
}

func testMain(m *testing.M) int {
	var err error
	binDir, err = os.MkdirTemp("", "ifacefix-reliability-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(binDir)
	os.Chmod(binDir, 0o755)
	bin = filepath.Join(binDir, "ifacefix")
	if err := testcases.Build(bin, "./cmd/ifacefix", nil, "-tags", "faultinject"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	env, stop, err := testcases.DiscardSyslog()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer stop()
	syslogEnv = env
	return m.Run()
}

// result is one finished ifacefix process.
type result struct {
	code           int
	stdout, stderr string
	maxRSS         int64 // bytes, with cmdOpts.measure only
}

// cmdOpts tune one ifacefix run.
type cmdOpts struct {
	env     []string
	stdin   string
	uid     int  // run as this user (when root and uid > 0)
	measure bool // measure the peak RSS (through rssHelper)
}

// command returns an ifacefix command with a clean environment.
func command(o cmdOpts, args ...string) *exec.Cmd {
	c := exec.Command(bin, args...)
	c.Env = append([]string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", "NO_COLOR=1", syslogEnv}, o.env...)
	c.Stdin = strings.NewReader(o.stdin)
	// A process group of its own, so that a run that hangs is killed with every process it
	// started (rssHelper's child holds the output pipes).
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if o.uid > 0 && os.Geteuid() == 0 {
		c.SysProcAttr.Credential = &syscall.Credential{Uid: uint32(o.uid), Gid: uint32(o.uid)}
	}
	return c
}

// run runs ifacefix to completion. A run that does not finish within a minute is killed and fails
// the test: every input here must be handled in bounded time.
func run(t testing.TB, o cmdOpts, args ...string) result {
	t.Helper()
	c := command(o, args...)
	var rssFile string
	if o.measure {
		rssFile = filepath.Join(binDir, fmt.Sprintf("rss-%d", time.Now().UnixNano()))
		defer os.Remove(rssFile)
		c.Args = append([]string{os.Args[0]}, c.Args...)
		c.Path = os.Args[0]
		c.Env = append(c.Env, "RELIABILITY_RSS_FILE="+rssFile)
	}
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(time.Minute):
		syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
		<-done
		t.Fatalf("ifacefix %s: still running after a minute; killed", strings.Join(args, " "))
	}
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	if c.ProcessState == nil {
		t.Fatalf("ifacefix %s: %v", strings.Join(args, " "), err)
	}
	r.code = c.ProcessState.ExitCode()
	if o.measure {
		b, err := os.ReadFile(rssFile)
		if err != nil {
			t.Fatalf("no RSS measured: %v", err)
		}
		r.maxRSS, _ = strconv.ParseInt(string(b), 10, 64)
	}
	return r
}

// entry is one name of a snapshot.
type entry struct {
	mode fs.FileMode
	uid  uint32
	data string // file bytes or link target
}

// snapshot records every name under dir (mode, owner, bytes), to prove that nothing was written.
func snapshot(t testing.TB, dir string) map[string]entry {
	t.Helper()
	s := map[string]entry{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		e := entry{mode: fi.Mode()}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			e.uid = st.Uid
		}
		switch {
		case fi.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			e.data = string(b)
		case fi.Mode()&fs.ModeSymlink != 0:
			e.data, _ = os.Readlink(p)
		}
		rel, _ := filepath.Rel(dir, p)
		s[rel] = e
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sameSnapshot fails unless dir is exactly as before.
func sameSnapshot(t testing.TB, dir string, before map[string]entry) {
	t.Helper()
	after := snapshot(t, dir)
	for name, b := range before {
		a, ok := after[name]
		switch {
		case !ok:
			t.Errorf("%s: disappeared", name)
		case a != b:
			t.Errorf("%s: changed (mode %v->%v, owner %d->%d, %d->%d bytes)", name, b.mode, a.mode, b.uid, a.uid, len(b.data), len(a.data))
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok {
			t.Errorf("%s: new file", name)
		}
	}
}

// loadedFiles returns the host paths of the files ifupdown would read for top (parsed with our
// ifupdown-faithful loader).
func loadedFiles(t testing.TB, root, top string) []string {
	t.Helper()
	fsys, err := rootfs.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	cfg, err := parser.Load(fsys, top, parser.Options{})
	if err != nil {
		t.Fatalf("loading %s after the run: %v", top, err)
	}
	var names []string
	for _, f := range cfg.Files {
		names = append(names, f.Name)
	}
	return names
}

func readFile(t testing.TB, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func needRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (mount, mknod, chown or running as another user)")
	}
}

// worldDir returns a fresh directory that other users can enter (t.TempDir is 0700).
func worldDir(t testing.TB) string {
	t.Helper()
	d, err := os.MkdirTemp(binDir, "tree-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(d, 0o755)
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// session is a running ifacefix whose standard input the test feeds and whose standard error it
// watches: for the fault hook's pauses and the --interactive prompt.
type session struct {
	t      testing.TB
	c      *exec.Cmd
	stdin  io.WriteCloser
	mu     sync.Mutex
	stderr bytes.Buffer
	stdout bytes.Buffer
	done   chan struct{}
}

func start(t testing.TB, o cmdOpts, args ...string) *session {
	t.Helper()
	s := &session{t: t, c: command(o, args...), done: make(chan struct{})}
	s.c.Stdin = nil
	var err error
	if s.stdin, err = s.c.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	s.c.Stdout = &lockedWriter{&s.mu, &s.stdout}
	s.c.Stderr = &lockedWriter{&s.mu, &s.stderr}
	if err := s.c.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.c.Wait(); close(s.done) }()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			s.c.Process.Kill()
			<-s.done
		}
	})
	return s
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// waitFor waits until standard error has shown text n times in all (a minute at most).
func (s *session) waitFor(text string, n int) {
	s.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		s.mu.Lock()
		got := strings.Count(s.stderr.String(), text)
		s.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-s.done:
			s.t.Fatalf("ifacefix ended before printing %q (%d times):\n%s", text, n, s.errText())
		default:
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("ifacefix did not print %q within a minute:\n%s", text, s.errText())
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (s *session) send(line string) { io.WriteString(s.stdin, line+"\n") }

func (s *session) errText() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stderr.String()
}

// wait closes standard input and waits for the exit (a minute at most).
func (s *session) wait() result {
	s.t.Helper()
	s.stdin.Close()
	select {
	case <-s.done:
	case <-time.After(time.Minute):
		s.c.Process.Kill()
		<-s.done
		s.t.Fatalf("ifacefix still running after a minute; killed:\n%s", s.errText())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return result{code: s.c.ProcessState.ExitCode(), stdout: s.stdout.String(), stderr: s.stderr.String()}
}
