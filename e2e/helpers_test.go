// Package e2e proves ifacefix against the real Debian ifupdown 0.8.41: its parser as a read-only
// oracle (ifquery, ifup -n) on every golden input and corpus file, and real ifup runs inside
// network namespaces that the tests create and delete themselves.
package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ifacefix/ifacefix/internal/testcases"
)

// repoRoot is the module root, seen from this package's directory.
const repoRoot = ".."

// cleanPATH is the only environment the ifupdown commands get (besides LC_ALL=C): VERBOSE,
// CONFIGURE_INTERFACES and EXCLUDE_INTERFACES would change ifupdown's behaviour.
const cleanPATH = "PATH=/usr/sbin:/usr/bin:/sbin:/bin"

// procs bounds the ifupdown processes running at once (the machine has 2 cores).
var procs = make(chan struct{}, 2)

// syslogEnv points the binary's audit trail at a socket of the tests (never the machine's).
var syslogEnv string

type result struct {
	stdout, stderr string
	code           int
}

// run runs name with args in dir under `env -i PATH=... LC_ALL=C`, holding one of the process
// slots. A failure to start at all is fatal; a non-zero exit is returned in code.
func run(t testing.TB, dir string, name string, args ...string) result {
	t.Helper()
	procs <- struct{}{}
	defer func() { <-procs }()
	cmd := exec.CommandContext(context.Background(), name, args...)
	cmd.Dir = dir
	cmd.Env = []string{cleanPATH, "LC_ALL=C", syslogEnv}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
		}
		code = ee.ExitCode()
	}
	return result{out.String(), errb.String(), code}
}

// needTool skips the test when a program is not installed.
func needTool(t testing.TB, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			// ifupdown lives in /sbin, which a non-root PATH may lack.
			found := false
			for _, d := range []string{"/usr/sbin", "/sbin"} {
				if fi, err := os.Stat(filepath.Join(d, n)); err == nil && !fi.IsDir() {
					found = true
				}
			}
			if !found {
				t.Skipf("%s is not installed (apt-get install -y ifupdown iproute2 net-tools)", n)
			}
		}
	}
}

// loadGolden reads every golden case of ifupdown 0.8 that has in/ files (the cases of another
// dialect are checked against their own program: loadGoldenDialect).
func loadGolden(t testing.TB) []*testcases.Case { return loadGoldenDialect(t, "") }

// loadGoldenDialect reads every golden case of the dialect ("" for ifupdown 0.8) that has in/ files.
func loadGoldenDialect(t testing.TB, dialect string) []*testcases.Case {
	t.Helper()
	all, err := testcases.Golden(filepath.Join(repoRoot, "testdata", "golden"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []*testcases.Case
	for _, c := range all {
		if len(c.In) > 0 && c.Dialect == dialect {
			cases = append(cases, c)
		}
	}
	return cases
}

// materialize writes files (in-root paths) under root.
func materialize(t testing.TB, root string, files map[string][]byte) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

var (
	buildOnce sync.Once
	buildDir  string
	buildBin  string
	buildErr  error
)

// ifacefixBinary builds ./cmd/ifacefix once per test binary and returns its path.
func ifacefixBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "ifacefix-e2e-bin-")
		if buildErr != nil {
			return
		}
		buildBin = filepath.Join(buildDir, "ifacefix")
		buildErr = testcases.Build(buildBin, "./cmd/ifacefix", nil)
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildBin
}

func TestMain(m *testing.M) {
	// The binary's audit trail goes to a socket of the tests, never the machine's /dev/log.
	env, stop, err := testcases.DiscardSyslog()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	syslogEnv = env
	code := m.Run()
	stop()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}
