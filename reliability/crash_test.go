package reliability

import (
	"github.com/ifacefix/ifacefix/internal/testcases"

	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// crashTree is the configuration every crash trial starts from: two files, both to be fixed, the
// second reached through a glob, so that a kill can land between the two replacements too.
var crashTree = map[string]string{
	"etc/network/interfaces": `auto lo
iface lo inet loopback

source interfaces.d/*

auto eth0
iface eth0 inet static
    address 192.0.2.10/24
    gateway 192.0.2.1

auto eth0:0
iface eth0:0 inet static
    address 192.0.2.11/24
    gateway 192.0.2.1
`,
	"etc/network/interfaces.d/eth0-extra": `auto eth0:1
iface eth0:1 inet static
    address 192.0.2.12/24
    gateway 192.0.2.1
`,
}

// crashFiles are the two files, in the order ifacefix writes them.
var crashFiles = []string{"etc/network/interfaces", "etc/network/interfaces.d/eth0-extra"}

// fixedTree runs one uninterrupted ifacefix --apply on a copy of crashTree and returns the new bytes
// of each file: "a single run's result".
func fixedTree(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	testcases.WriteTree(t, dir, crashTree)
	if r := run(t, cmdOpts{}, "--root", dir, "--apply"); r.code != exitWritten {
		t.Fatalf("uninterrupted run: exit %d\n%s", r.code, r.stderr)
	}
	want := map[string]string{}
	for _, f := range crashFiles {
		want[f] = readFile(t, filepath.Join(dir, f))
		if want[f] == crashTree[f] {
			t.Fatalf("%s: the uninterrupted run did not change it; the crash test would prove nothing", f)
		}
	}
	return want
}

// crashState describes a tree after a kill, for the histogram in the log.
type crashState struct {
	written, temps, backups int
}

// checkAfterKill asserts the crash invariants on dir and returns its state:
//   - each file is byte-identical to its old or its new version (never partial, never missing);
//   - every backup holds the old bytes exactly, with the old mode;
//   - every other name the run left behind starts with a dot, and the configuration, loaded the
//     way ifupdown loads it, reads exactly the two files (no leftover is ever sourced).
func checkAfterKill(t *testing.T, dir string, want map[string]string) crashState {
	t.Helper()
	var st crashState
	for _, f := range crashFiles {
		p := filepath.Join(dir, f)
		b, err := os.ReadFile(p)
		switch {
		case err != nil:
			t.Fatalf("%s: %v (the file must never be missing)", f, err)
		case string(b) == want[f]:
			st.written++
		case string(b) != crashTree[f]:
			t.Fatalf("%s: neither the old nor the new bytes (%d bytes):\n%s", f, len(b), b)
		}
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o644 {
			t.Fatalf("%s: mode %v, %v; want 0644", f, fi.Mode(), err)
		}
	}
	for _, d := range []string{"etc/network", "etc/network/interfaces.d"} {
		ents, err := os.ReadDir(filepath.Join(dir, d))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			name := filepath.ToSlash(filepath.Join(d, e.Name()))
			if slices.Contains(crashFiles, name) || name == "etc/network/interfaces.d" {
				continue
			}
			if !strings.HasPrefix(e.Name(), ".") {
				t.Fatalf("%s: left behind with a name that a glob or source-directory would read", name)
			}
			orig := ""
			for _, f := range crashFiles {
				if filepath.Dir(f) == d && strings.HasPrefix(e.Name(), "."+filepath.Base(f)+".ifacefix-") && strings.HasSuffix(e.Name(), ".bak") {
					orig = f
				}
			}
			if orig == "" {
				st.temps++ // renameio's ".NAME<random digits>" temporary file
				continue
			}
			st.backups++
			if got := readFile(t, filepath.Join(dir, name)); got != crashTree[orig] {
				t.Fatalf("backup %s of %s does not hold the old bytes:\n%s", name, orig, got)
			}
		}
	}
	loaded := loadedFiles(t, dir, "/etc/network/interfaces")
	if want := []string{"/etc/network/interfaces", "/etc/network/interfaces.d/eth0-extra"}; !slices.Equal(loaded, want) {
		t.Fatalf("after the kill the configuration reads %q, want %q", loaded, want)
	}
	return st
}

// recoverRun runs ifacefix --apply again on a killed tree: it must finish the job, leaving
// exactly the single-run result, and every backup still holds the old bytes.
func recoverRun(t *testing.T, dir string, want map[string]string) {
	t.Helper()
	// 4 when it wrote what the kill left undone, 0 when the kill came after the last rename.
	if r := run(t, cmdOpts{}, "--root", dir, "--apply"); r.code != exitWritten && r.code != 0 {
		t.Fatalf("run after the kill: exit %d\n%s", r.code, r.stderr)
	}
	st := checkAfterKill(t, dir, want)
	if st.written != len(crashFiles) {
		t.Fatalf("run after the kill left %d of %d files fixed", st.written, len(crashFiles))
	}
	for _, f := range crashFiles {
		if len(testcases.Backups(filepath.Join(dir, filepath.Dir(f)), filepath.Base(f))) == 0 {
			t.Fatalf("%s: replaced, but no backup", f)
		}
	}
}

// TestCrashAtEachStep pauses ifacefix --apply at every step of both replacements (the fault hook
// prints a marker and waits), SIGKILLs it there, and checks the tree. Deterministic: every state
// a kill can leave is reached at least once. Both files are prepared (temporary file written and
// fsynced, backup linked) before either is checked and renamed, so only a kill between the two
// renames leaves one file fixed and the other not.
func TestCrashAtEachStep(t *testing.T) {
	want := fixedTree(t)
	steps := []string{"interfaces synced", "interfaces linked", "eth0-extra synced", "eth0-extra linked",
		"both checked", "interfaces renamed", "eth0-extra renamed"}
	wantStates := []crashState{{0, 1, 0}, {0, 1, 1}, {0, 2, 1}, {0, 2, 2}, {0, 2, 2}, {1, 1, 2}, {2, 0, 2}}
	for i, step := range steps {
		t.Run(strings.ReplaceAll(step, " ", "-"), func(t *testing.T) {
			dir := t.TempDir()
			testcases.WriteTree(t, dir, crashTree)
			c := command(cmdOpts{env: []string{"IFACEFIX_FAULT_PAUSE=synced,linked,checked,renamed"}}, "--root", dir, "--apply")
			c.Stdin = nil
			stdin, err := c.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			stderr, err := c.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(stderr)
			for n := 0; n <= i; {
				if !sc.Scan() {
					t.Fatalf("ifacefix ended before step %q", step)
				}
				if strings.HasPrefix(sc.Text(), "ifacefix-fault: paused at ") {
					if n < i {
						io.WriteString(stdin, "\n") // go on to the next step
					}
					n++
				}
			}
			c.Process.Kill() // SIGKILL
			go io.Copy(io.Discard, stderr)
			c.Wait()
			st := checkAfterKill(t, dir, want)
			if st != wantStates[i] {
				t.Errorf("killed at %s: state %+v, want %+v", step, st, wantStates[i])
			}
			if i == len(steps)-1 {
				ifqueryReads(t, dir)
			}
			recoverRun(t, dir, want)
		})
	}
}

// ifqueryReads checks with the real ifupdown that the leftovers of a killed run (temporary files
// and backups) are not read: `ifquery -v` names every file it parses.
func ifqueryReads(t *testing.T, dir string) {
	t.Helper()
	ifq, err := exec.LookPath("ifquery")
	if err != nil {
		t.Log("ifquery not installed: leftovers checked with the parser only")
		return
	}
	top := filepath.Join(dir, "etc/network/interfaces")
	c := exec.Command(ifq, "-v", "-i", top, "--state-dir", t.TempDir(), "--no-mappings", "-l")
	c.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"}
	c.Dir = "/"
	out, err := c.CombinedOutput()
	if err != nil {
		t.Fatalf("ifquery: %v\n%s", err, out)
	}
	var parsed []string
	for _, l := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(l, "ifquery: parsing file "); ok {
			parsed = append(parsed, rest)
		}
	}
	// ifquery names the sourced files only, not the top-level one.
	wantParsed := []string{filepath.Join(dir, "etc/network/interfaces.d/eth0-extra")}
	if !slices.Equal(parsed, wantParsed) {
		t.Fatalf("ifquery parsed %q, want %q\n%s", parsed, wantParsed, out)
	}
}

// crashTrials is IFACEFIX_CRASH_TRIALS (default 200; make stress sets 1000).
func crashTrials(t *testing.T) int {
	n := 200
	if s := os.Getenv("IFACEFIX_CRASH_TRIALS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			t.Fatalf("IFACEFIX_CRASH_TRIALS=%q: want a positive number", s)
		}
		n = v
	}
	return n
}

// TestCrashRandomKill starts ifacefix --apply, SIGKILLs it after a random delay spread over the
// whole run (process start, lock, reads, both replacements, exit), and checks the invariants of
// checkAfterKill, then that a second run finishes the job. The fault hook sleeps at each step
// (a random 0-10 ms per trial) to widen the windows between the steps.
func TestCrashRandomKill(t *testing.T) {
	want := fixedTree(t)
	trials := crashTrials(t)
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("IFACEFIX_CRASH_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("%d trials, seed %d (IFACEFIX_CRASH_SEED)", trials, seed)
	rng := rand.New(rand.NewPCG(seed, 7))

	// The span of one whole run without sleeps (median of 5); each trial spreads its kill over
	// 0..1.2 times that span plus its four sleeps (two steps in each of two files).
	var spans []time.Duration
	for range 5 {
		dir := t.TempDir()
		testcases.WriteTree(t, dir, crashTree)
		start := time.Now()
		if r := run(t, cmdOpts{}, "--root", dir, "--apply"); r.code != exitWritten {
			t.Fatalf("calibration run: exit %d\n%s", r.code, r.stderr)
		}
		spans = append(spans, time.Since(start))
	}
	slices.Sort(spans)
	span := spans[len(spans)/2]
	t.Logf("one uninterrupted run takes about %v", span)

	hist := map[crashState]int{}
	base := t.TempDir()
	for i := range trials {
		dir := filepath.Join(base, strconv.Itoa(i))
		testcases.WriteTree(t, dir, crashTree)
		sleep := time.Duration(rng.IntN(11)) * time.Millisecond
		delay := time.Duration(rng.Int64N(int64((span + 4*sleep) * 6 / 5)))
		c := command(cmdOpts{env: []string{"IFACEFIX_FAULT_SLEEP=" + sleep.String()}}, "--root", dir, "--apply")
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		c.Process.Kill() // SIGKILL; fails harmlessly if the run already ended
		c.Wait()
		st := checkAfterKill(t, dir, want)
		hist[st]++
		recoverRun(t, dir, want)
		os.RemoveAll(dir)
	}
	var lines []string
	for st, n := range hist {
		lines = append(lines, fmt.Sprintf("  %d/2 files new, %d temporary, %d backup files left: %d trials", st.written, st.temps, st.backups, n))
	}
	sort.Strings(lines)
	t.Logf("states after the kills:\n%s", strings.Join(lines, "\n"))
}
