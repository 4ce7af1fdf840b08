package glob

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// The oracle is testdata/glibc.c, compiled with gcc on first use: the real glibc's fnmatch,
// glob and wordexp, in the C locale.

var (
	buildOnce sync.Once
	helperBin string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if helperBin != "" {
		os.RemoveAll(filepath.Dir(helperBin))
	}
	os.Exit(code)
}

func buildHelper() (string, error) {
	buildOnce.Do(func() {
		gcc, err := exec.LookPath("gcc")
		if err != nil {
			buildErr = fmt.Errorf("gcc not found, cannot build the glibc oracle: %v", err)
			return
		}
		dir, err := os.MkdirTemp("", "glob-oracle-")
		if err != nil {
			buildErr = err
			return
		}
		bin := filepath.Join(dir, "glibc")
		out, err := exec.Command(gcc, "-O2", "-o", bin, filepath.Join("testdata", "glibc.c")).CombinedOutput()
		if err != nil {
			os.RemoveAll(dir)
			buildErr = fmt.Errorf("gcc failed: %v\n%s", err, out)
			return
		}
		helperBin = bin
	})
	return helperBin, buildErr
}

type oracle struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

// startOracle starts the helper with args (-chroot DIR, -chdir DIR), or skips the test.
func startOracle(tb testing.TB, args ...string) *oracle {
	tb.Helper()
	bin, err := buildHelper()
	if err != nil {
		tb.Skip(err)
	}
	cmd := exec.Command(bin, args...)
	// No POSIXLY_CORRECT (it changes '^' in brackets), no IFS, no HOME: the boot's environment.
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	o := &oracle{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 1<<20)}
	tb.Cleanup(func() {
		in.Close()
		cmd.Wait()
	})
	return o
}

func enc(s string) string {
	if s == "" {
		return "-"
	}
	return hex.EncodeToString([]byte(s))
}

func dec(tb testing.TB, s string) string {
	if s == "-" {
		return ""
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		tb.Fatalf("oracle sent %q: %v", s, err)
	}
	return string(b)
}

func (o *oracle) ask(tb testing.TB, fields ...string) []string {
	tb.Helper()
	if _, err := io.WriteString(o.in, strings.Join(fields, " ")+"\n"); err != nil {
		tb.Fatalf("oracle: %v", err)
	}
	line, err := o.out.ReadString('\n')
	if err != nil {
		tb.Fatalf("oracle: %v", err)
	}
	return strings.Fields(line)
}

// fnmatch is glibc's fnmatch with flags FNM_NOESCAPE (2) and FNM_PERIOD (4) as f selects.
func (o *oracle) fnmatch(tb testing.TB, pattern, name string, f Flags) bool {
	cf := 0
	if f&Period != 0 {
		cf |= 4
	}
	if f&NoEscape != 0 {
		cf |= 2
	}
	r := o.ask(tb, "m", strconv.Itoa(cf), enc(pattern), enc(name))
	return r[0] == "0"
}

// list decodes "RC N WORD..." into the words, or returns rc when it is not 0.
func (o *oracle) list(tb testing.TB, fields ...string) ([]string, int) {
	tb.Helper()
	r := o.ask(tb, fields...)
	rc, _ := strconv.Atoi(r[0])
	if rc != 0 {
		return nil, rc
	}
	out := []string{}
	for _, w := range r[2:] {
		out = append(out, dec(tb, w))
	}
	return out, 0
}

func (o *oracle) glob(tb testing.TB, pattern string) []string {
	out, rc := o.list(tb, "g", enc(pattern))
	if rc != 0 {
		tb.Fatalf("glibc glob(%q) returned %d", pattern, rc)
	}
	return out
}

// wordexp returns wordexp's words, or its error code.
func (o *oracle) wordexp(tb testing.TB, s string) ([]string, int) {
	return o.list(tb, "w", enc(s))
}

// globTimes runs glob count times in the helper.
func (o *oracle) globTimes(tb testing.TB, pattern string, count int) {
	o.ask(tb, "b", strconv.Itoa(count), enc(pattern))
}
