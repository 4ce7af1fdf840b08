package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// openPty returns the two ends of a new pseudo-terminal, or skips the test.
func openPty(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		t.Skipf("unlockpt: %v", e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		t.Skipf("ptsname: %v", e)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("open pty slave: %v", err)
	}
	return m, s
}

// TestColorAuto runs the command with its standard output on a terminal (which testscript cannot
// do): --color=auto colours the diff there, unless NO_COLOR is set to a non-empty value or TERM
// is dumb.
func TestColorAuto(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "etc/network")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	data := "iface eth0 inet dhcp\niface eth0:0 inet static\n    gateway 192.0.2.1\n"
	if err := os.WriteFile(filepath.Join(dir, "interfaces"), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		noColor, term string
		color         bool
	}{{"", "xterm", true}, {"1", "xterm", false}, {"", "dumb", false}, {"", "", true}} {
		t.Run("NO_COLOR="+c.noColor+",TERM="+c.term, func(t *testing.T) {
			t.Setenv("NO_COLOR", c.noColor)
			t.Setenv("TERM", c.term)
			t.Setenv("FORCE_COLOR", "")
			master, slave := openPty(t)
			var stderr bytes.Buffer
			code := run([]string{"ifacefix", "--root", root}, strings.NewReader(""), slave, &stderr)
			slave.Close()
			out, _ := io.ReadAll(master) // ends with EIO once the slave is closed and drained
			if code != exitAttention {
				t.Fatalf("exit %d, stderr %s", code, stderr.String())
			}
			if !bytes.Contains(out, []byte("gateway 192.0.2.1")) {
				t.Fatalf("no diff on the terminal: %q", out)
			}
			if got := bytes.Contains(out, []byte("\x1b[")); got != c.color {
				t.Errorf("escapes on the terminal: %v, want %v: %q", got, c.color, out)
			}
			if bytes.Contains(stderr.Bytes(), []byte("\x1b")) {
				t.Errorf("escapes on stderr: %q", stderr.String())
			}
		})
	}
}

// TestDevNullIsNoTerminal: /dev/null is a character device but no terminal: --color=auto does not
// colour output sent there, and -i does not take it for a terminal that echoes.
func TestDevNullIsNoTerminal(t *testing.T) {
	f, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Skipf("%s is not a character device here", os.DevNull)
	}
	t.Setenv("NO_COLOR", "")
	t.Setenv("FORCE_COLOR", "")
	t.Setenv("TERM", "xterm")
	if isTerminal(f) {
		t.Error("/dev/null taken for a terminal")
	}
	if color, err := colorMode("auto", f); err != nil || color {
		t.Errorf("--color=auto on /dev/null: %v, %v", color, err)
	}
	_, slave := openPty(t)
	defer slave.Close()
	if !isTerminal(slave) {
		t.Error("a pseudo-terminal is not taken for a terminal")
	}
}
