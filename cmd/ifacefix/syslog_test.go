package main

import (
	"bytes"
	"errors"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ifacefix/ifacefix/internal/testcases"
)

// syslogSink is a unixgram socket standing for the syslog daemon: tests never reach the
// machine's own /dev/log (IFACEFIX_TEST_SYSLOG_SOCKET points the command here).
type syslogSink struct {
	conn *net.UnixConn
	path string
	all  []string // every message drained so far
}

func listenSyslog(path string) (*syslogSink, error) {
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return nil, err
	}
	return &syslogSink{conn: conn, path: path}, nil
}

// drain returns the datagrams sent since the last drain (the command has exited: they are all
// queued).
func (s *syslogSink) drain() []string {
	var lines []string
	buf := make([]byte, 64<<10)
	for {
		s.conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		n, err := s.conn.Read(buf)
		if err != nil {
			break
		}
		lines = append(lines, string(buf[:n]))
	}
	s.all = append(s.all, lines...)
	return lines
}

func (s *syslogSink) Close() { s.conn.Close(); os.Remove(s.path) }

// setupSyslog gives each script a syslog socket of its own (in a directory of its own: the
// script's directory is compared with ls in places).
func setupSyslog(env *testscript.Env) error {
	dir, err := os.MkdirTemp("", "ifx-syslog")
	if err != nil {
		return err
	}
	s, err := listenSyslog(filepath.Join(dir, "log"))
	if err != nil {
		os.RemoveAll(dir)
		return err
	}
	env.Setenv(syslogSocketEnv, s.path)
	env.Values["syslog"] = s
	env.Defer(func() { s.Close(); os.RemoveAll(dir) })
	return nil
}

// cmdSyslog: syslog [-count=N] REGEXP: N (default: at least one) of the messages logged to the
// script's syslog socket so far match REGEXP, which is matched against the message after the
// "<PRI>TIMESTAMP ifacefix[PID]: " header; ! syslog REGEXP: none does.
func cmdSyslog(ts *testscript.TestScript, neg bool, args []string) {
	count := -1
	if len(args) == 2 && strings.HasPrefix(args[0], "-count=") {
		n, err := strconv.Atoi(strings.TrimPrefix(args[0], "-count="))
		if err != nil {
			ts.Fatalf("usage: syslog [-count=N] REGEXP")
		}
		count, args = n, args[1:]
	}
	if len(args) != 1 {
		ts.Fatalf("usage: syslog [-count=N] REGEXP")
	}
	re := regexp.MustCompile(args[0])
	s := ts.Value("syslog").(*syslogSink)
	n := 0
	s.drain()
	for _, l := range s.all {
		msg, ok := syslogMessage(l)
		if !ok {
			ts.Fatalf("not a syslog message from ifacefix: %q", l)
		}
		if re.MatchString(msg) {
			n++
		}
		ts.Logf("syslog: %s", l)
	}
	switch {
	case neg && n > 0:
		ts.Fatalf("%d syslog messages match %s", n, re)
	case !neg && count >= 0 && n != count:
		ts.Fatalf("%d syslog messages match %s, want %d", n, re, count)
	case !neg && count < 0 && n == 0:
		ts.Fatalf("no syslog message matches %s", re)
	}
}

// syslogHeader is log/syslog's local format: facility user (1), priority notice (5) = <13>.
var syslogHeader = regexp.MustCompile(`^<13>[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d ifacefix\[\d+\]: `)

func syslogMessage(l string) (string, bool) {
	m := syslogHeader.FindString(l)
	if m == "" {
		return "", false
	}
	return strings.TrimSuffix(l[len(m):], "\n"), true
}

// TestAuditTrail: --apply logs one line per written file to the syslog socket (here the test's
// own), with the path, the backup and the findings by rule; a dry run and an --apply that writes
// nothing log nothing; --undo logs what it restored. A socket that fails is warned about and
// changes no exit status.
func TestAuditTrail(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "log")
	s, err := listenSyslog(sock)
	if err != nil {
		t.Skipf("unixgram socket: %v", err)
	}
	defer s.Close()
	t.Setenv(syslogSocketEnv, sock)
	root := t.TempDir()
	testcases.WriteTree(t, root, map[string]string{
		"etc/network/interfaces": "source interfaces.d/*\niface eth0 inet static\n    address 192.0.2.10/24\n    gateway 192.0.2.1\n" +
			"iface eth0:0 inet static\n    address 192.0.2.11/24\n    gateway 192.0.2.1\n" +
			"iface eth1 inet manual\niface eth1:0 inet static\n    address 198.51.100.11/24\n    gateway 198.51.100.1\n",
		"etc/network/interfaces.d/x": "iface eth0:1 inet static\n    address 192.0.2.12/24\n    gateway 192.0.2.1\n",
	})
	var stderr bytes.Buffer
	if code := run([]string{"ifacefix", "--root", root}, nil, &bytes.Buffer{}, &stderr); code != exitAttention {
		t.Fatalf("dry run: exit %d\n%s", code, &stderr)
	}
	if l := s.drain(); len(l) != 0 {
		t.Fatalf("a dry run logged %q", l)
	}
	if code := run([]string{"ifacefix", "--apply", "--root", root}, nil, &bytes.Buffer{}, &stderr); code != exitWrittenAttention {
		t.Fatalf("apply: exit %d\n%s", code, &stderr)
	}
	lines := s.drain()
	if len(lines) != 2 {
		t.Fatalf("logged %q, want one line per written file", lines)
	}
	backups := func(sub string) string {
		dir := filepath.Join(root, "etc/network", filepath.Dir(sub))
		b := testcases.Backups(dir, filepath.Base(sub))
		if len(b) == 0 {
			t.Fatalf("no backup of %s", sub)
		}
		return filepath.Join(dir, b[len(b)-1])
	}
	want := []string{
		"wrote " + filepath.Join(root, "etc/network/interfaces") + " (backup " + backups("interfaces") + "): fixed alias-gateway=1; left for a person: keep-default-route=1 competing-defaults=1",
		"wrote " + filepath.Join(root, "etc/network/interfaces.d/x") + " (backup " + backups("interfaces.d/x") + "): fixed alias-gateway=1; left for a person: none",
	}
	for i, l := range lines {
		msg, ok := syslogMessage(l)
		if !ok || msg != want[i] {
			t.Errorf("line %d: %q, want the message %q", i, l, want[i])
		}
	}
	// Nothing left to write: nothing logged.
	run([]string{"ifacefix", "--apply", "--root", root}, nil, &bytes.Buffer{}, &stderr)
	if l := s.drain(); len(l) != 0 {
		t.Fatalf("an --apply that wrote nothing logged %q", l)
	}
	// --undo, with a relative root: the paths are logged absolute.
	t.Chdir(root)
	if code := run([]string{"ifacefix", "--undo", "--apply", "--no-backup", "--root", "."}, nil, &bytes.Buffer{}, &stderr); code != exitWritten {
		t.Fatalf("undo: exit %d\n%s", code, &stderr)
	}
	lines = s.drain()
	if len(lines) != 1 {
		t.Fatalf("undo logged %q", lines)
	}
	if msg, _ := syslogMessage(lines[0]); msg != "restored "+filepath.Join(root, "etc/network/interfaces")+" from "+backups("interfaces")+" (no backup)" {
		t.Errorf("undo logged %q", lines[0])
	}
	// A socket nobody listens on: a warning, the same exit status.
	t.Setenv(syslogSocketEnv, filepath.Join(t.TempDir(), "nobody"))
	stderr.Reset()
	if code := run([]string{"ifacefix", "--apply", "--no-backup", "--root", "."}, nil, &bytes.Buffer{}, &stderr); code != exitWrittenAttention ||
		!strings.Contains(stderr.String(), "ifacefix: warning: the audit trail was not logged to syslog: ") {
		t.Errorf("dead socket: exit %d, stderr %s", code, &stderr)
	}
}

// TestSyslogEnvShared: the tests of other packages point the binary at their socket with
// testcases.SyslogSocketEnv: it must be the variable the command reads.
func TestSyslogEnvShared(t *testing.T) {
	if syslogSocketEnv != testcases.SyslogSocketEnv {
		t.Errorf("the command reads %s, testcases sets %s", syslogSocketEnv, testcases.SyslogSocketEnv)
	}
}

// TestNoSyslogSocket: without any syslog socket (a container), --apply says nothing about it.
func TestNoSyslogSocket(t *testing.T) {
	saved := syslogSockets
	t.Cleanup(func() { syslogSockets = saved })
	syslogSockets = []string{filepath.Join(t.TempDir(), "none")}
	t.Setenv(syslogSocketEnv, "")
	if _, err := dialSyslog(); !errors.Is(err, errNoSyslog) {
		t.Fatalf("dial: %v", err)
	}
	root := t.TempDir()
	testcases.WriteTree(t, root, map[string]string{"etc/network/interfaces": "iface eth0 inet dhcp\niface eth0:0 inet static\n    gateway 192.0.2.1\n"})
	var stderr bytes.Buffer
	if code := run([]string{"ifacefix", "--apply", "--root", root}, nil, &bytes.Buffer{}, &stderr); code != exitWritten || strings.Contains(stderr.String(), "syslog") {
		t.Errorf("exit %d, stderr %s", code, &stderr)
	}
}
