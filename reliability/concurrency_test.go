package reliability

import (
	"github.com/ifacefix/ifacefix/internal/testcases"

	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// TestConcurrentApply starts 20 ifacefix --apply on the same tree at once. Design (RELIABILITY.md):
// each takes an flock on the directory of the top-level file before reading anything and waits for
// it up to --lock-timeout; whoever gets it second reads the already-fixed files and has nothing to
// do. So: the files equal a single run's result, exactly one backup of each holds the original
// bytes, exactly one process writes, and every process exits 0 (the writer 4, or 2 with the "locked" message,
// which only a lock timeout shorter than the queue can give).
func TestConcurrentApply(t *testing.T) {
	want := fixedTree(t)
	for _, sleep := range []string{"0ms", "20ms"} {
		t.Run("sleep-"+sleep, func(t *testing.T) {
			dir := t.TempDir()
			testcases.WriteTree(t, dir, crashTree)
			const n = 20
			var ps []*session
			for i := range n {
				args := []string{"--root", dir, "--apply"}
				if i%2 == 1 {
					args = append(args, "/etc/network/interfaces") // the same file, named explicitly
				}
				ps = append(ps, start(t, cmdOpts{env: []string{"IFACEFIX_FAULT_SLEEP=" + sleep}}, args...))
			}
			writers, locked := 0, 0
			for i, p := range ps {
				r := p.wait()
				switch {
				case r.code == 0 || r.code == exitWritten && strings.Contains(r.stderr, "ifacefix: wrote "):
				case r.code == 2 && strings.Contains(r.stderr, "locked by another ifacefix process"):
					locked++
				default:
					t.Errorf("process %d: exit %d\n%s", i, r.code, r.stderr)
				}
				if strings.Contains(r.stderr, "ifacefix: wrote ") {
					writers++
				}
			}
			if writers != 1 {
				t.Errorf("%d processes wrote, want exactly 1", writers)
			}
			for _, f := range crashFiles {
				if got := readFile(t, filepath.Join(dir, f)); got != want[f] {
					t.Errorf("%s differs from a single run's result:\n%s", f, got)
				}
				d := filepath.Join(dir, filepath.Dir(f))
				b := testcases.Backups(d, filepath.Base(f))
				if len(b) != 1 {
					t.Errorf("%s: %d backups %q, want exactly 1", f, len(b), b)
					continue
				}
				if got := readFile(t, filepath.Join(d, b[0])); got != crashTree[f] {
					t.Errorf("backup %s does not hold the original bytes", b[0])
				}
			}
			st := checkAfterKill(t, dir, want)
			if st.temps != 0 {
				t.Errorf("%d temporary files left", st.temps)
			}
			t.Logf("%d processes: %d wrote, %d exited 0, %d locked out", n, writers, n-locked, locked)
		})
	}
}

// TestLockTimeout: while one run holds the lock (paused by the fault hook in the middle of its
// replacement), a second run with --lock-timeout 300ms gives up: exit 2, "locked by another
// ifacefix process", and it read and wrote nothing. The first run then finishes normally.
func TestLockTimeout(t *testing.T) {
	want := fixedTree(t)
	dir := t.TempDir()
	testcases.WriteTree(t, dir, crashTree)
	first := start(t, cmdOpts{env: []string{"IFACEFIX_FAULT_PAUSE=synced"}}, "--root", dir, "--apply")
	first.waitFor("ifacefix-fault: paused at synced", 1)
	before := snapshot(t, dir)
	r := run(t, cmdOpts{}, "--root", dir, "--apply", "--lock-timeout", "300ms")
	wantError(t, r, filepath.Join(dir, "etc/network"), "locked by another ifacefix process", "waited 300ms")
	sameSnapshot(t, dir, before)

	first.send("") // interfaces: go on
	first.waitFor("ifacefix-fault: paused at synced", 2)
	first.send("") // eth0-extra: go on
	if r := first.wait(); r.code != exitWritten {
		t.Fatalf("first run: exit %d\n%s", r.code, r.stderr)
	}
	for _, f := range crashFiles {
		if got := readFile(t, filepath.Join(dir, f)); got != want[f] {
			t.Errorf("%s: not the single-run result", f)
		}
	}
	// A dry run takes no lock: it is never blocked and never writes.
	if r := run(t, cmdOpts{}, "--root", dir); r.code != 0 || !bytes.Contains([]byte(r.stderr), []byte("nothing written")) {
		t.Errorf("dry run after: exit %d\n%s", r.code, r.stderr)
	}
}
