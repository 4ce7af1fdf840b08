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
// do): --color=auto colours the diff there, unless NO_COLOR is set to a non-empty value.
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
		noColor string
		color   bool
	}{{"", true}, {"1", false}} {
		t.Run("NO_COLOR="+c.noColor, func(t *testing.T) {
			t.Setenv("NO_COLOR", c.noColor)
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
