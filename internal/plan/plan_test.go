package plan

import (
	"github.com/ifacefix/ifacefix/internal/testcases"

	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ifacefix/ifacefix/internal/rootfs"
	"github.com/ifacefix/ifacefix/internal/safefile"
	"github.com/ifacefix/ifacefix/internal/udiff"
	"github.com/ifacefix/ifacefix/parser"
)

func parse(t *testing.T, data string) *parser.File {
	t.Helper()
	cfg, err := parser.ParseBytes("/etc/network/interfaces", []byte(data), parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Files[0]
}

// checkDiff checks Diff(f, edits) against udiff.Unified, which computes its own line diff of the
// old text and the edited bytes: with distinct lines both must give the same diff.
//
// With identical lines (a gateway moved from an alias into its primary) several shortest diffs
// exist; then only that the diff turns the old text into the new one is checked (unique false),
// and the caller checks the exact diff.
func checkDiff(t *testing.T, f *parser.File, edits []parser.Edit, unique bool) []byte {
	t.Helper()
	out, err := f.Apply(edits)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Diff(f, edits)
	if err != nil {
		t.Fatal(err)
	}
	want := udiff.Unified("a/etc/network/interfaces", "b/etc/network/interfaces", []byte(f.Data), out, 3)
	if unique && string(got) != string(want) {
		t.Fatalf("edits %+v of %q:\nDiff:\n%s\nudiff.Unified:\n%s", edits, f.Data, got, want)
	}
	if (got == nil) != (want == nil) {
		t.Fatalf("edits %+v of %q: Diff %q, udiff.Unified %q", edits, f.Data, got, want)
	}
	if got != nil {
		if applied := applyUnified(t, f.Data, string(got)); applied != string(out) {
			t.Fatalf("Diff %q applied to %q gives %q, want %q", got, f.Data, applied, out)
		}
	}
	return got
}

// applyUnified applies a unified diff made by udiff (one file, hunks in order) to old.
func applyUnified(t *testing.T, old, diff string) string {
	t.Helper()
	lines := strings.SplitAfter(old, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	body := strings.SplitAfter(diff, "\n")
	var out []string
	at := 0
	for i := 2; i < len(body) && body[i] != ""; i++ {
		l := body[i]
		if strings.HasPrefix(l, "@@ -") {
			var start int
			fmt.Sscanf(l, "@@ -%d", &start)
			if !strings.HasPrefix(l, "@@ -"+fmt.Sprint(start)+",0 ") {
				start-- // 1-based, except for an empty range
			}
			out = append(out, lines[at:start]...)
			at = start
			continue
		}
		noEOL := i+1 < len(body) && body[i+1] == "\\ No newline at end of file\n"
		text := l[1:]
		if noEOL {
			text = strings.TrimSuffix(text, "\n")
			i++
		}
		switch l[0] {
		case ' ':
			out = append(out, text)
			at++
		case '-':
			at++
		case '+':
			out = append(out, text)
		}
	}
	return strings.Join(append(out, lines[at:]...), "")
}

func TestOpsCases(t *testing.T) {
	for _, c := range []struct {
		name      string
		data      string
		edits     []parser.Edit
		want      string
		ambiguous bool // the texts have several shortest diffs: Ops must give the one shown
	}{
		{
			name:  "remove one line",
			data:  "iface eth0:0 inet static\n    address 192.0.2.11/24\n    gateway 192.0.2.1\n",
			edits: []parser.Edit{{Start: 2, End: 3}},
			want:  "--- a/etc/network/interfaces\n+++ b/etc/network/interfaces\n@@ -1,3 +1,2 @@\n iface eth0:0 inet static\n     address 192.0.2.11/24\n-    gateway 192.0.2.1\n",
		},
		{
			// The fixer's move into a primary that ends the file without a newline: the text starts
			// with the newline the last line lacks, so the diff shows that line as changed.
			name:  "insertion after a last line without newline",
			data:  "iface eth0:0 inet static\n    gateway 192.0.2.1\niface eth0 inet static\n    address 192.0.2.10/24",
			edits: []parser.Edit{{Start: 1, End: 2}, {Start: 4, End: 4, Text: "\n    gateway 192.0.2.1"}},
			want: "--- a/etc/network/interfaces\n+++ b/etc/network/interfaces\n@@ -1,4 +1,4 @@\n iface eth0:0 inet static\n-    gateway 192.0.2.1\n iface eth0 inet static\n" +
				"-    address 192.0.2.10/24\n\\ No newline at end of file\n+    address 192.0.2.10/24\n+    gateway 192.0.2.1\n\\ No newline at end of file\n",
		},
		{
			name:  "insertion after the only line, without newline",
			data:  "iface eth0 inet static",
			edits: []parser.Edit{{Start: 1, End: 1, Text: "\n    gateway 192.0.2.1"}},
			want:  "--- a/etc/network/interfaces\n+++ b/etc/network/interfaces\n@@ -1 +1,2 @@\n-iface eth0 inet static\n\\ No newline at end of file\n+iface eth0 inet static\n+    gateway 192.0.2.1\n\\ No newline at end of file\n",
		},
		{
			name:  "insertion in the middle, CRLF",
			data:  "iface eth0 inet static\r\n\taddress 192.0.2.10/24\r\niface eth0:0 inet static\r\n\tgateway 192.0.2.1\r\n",
			edits: []parser.Edit{{Start: 2, End: 2, Text: "\tgateway 192.0.2.1\r\n"}, {Start: 3, End: 4}},
			// A diff search could as well show the iface line as moved; Ops shows the gateway moved.
			want:      "--- a/etc/network/interfaces\n+++ b/etc/network/interfaces\n@@ -1,4 +1,4 @@\n iface eth0 inet static\r\n \taddress 192.0.2.10/24\r\n+\tgateway 192.0.2.1\r\n iface eth0:0 inet static\r\n-\tgateway 192.0.2.1\r\n",
			ambiguous: true,
		},
		{
			name:  "continued line removed whole",
			data:  "iface eth0:0 inet static\n    gateway \\\n  192.0.2.1\n    address 192.0.2.11/24\n",
			edits: []parser.Edit{{Start: 1, End: 3}},
			want:  "--- a/etc/network/interfaces\n+++ b/etc/network/interfaces\n@@ -1,4 +1,2 @@\n iface eth0:0 inet static\n-    gateway \\\n-  192.0.2.1\n     address 192.0.2.11/24\n",
		},
		{
			name:  "last line without newline removed",
			data:  "iface eth0:0 inet static\n    gateway 192.0.2.1",
			edits: []parser.Edit{{Start: 1, End: 2}},
			want:  "--- a/etc/network/interfaces\n+++ b/etc/network/interfaces\n@@ -1,2 +1 @@\n iface eth0:0 inet static\n-    gateway 192.0.2.1\n\\ No newline at end of file\n",
		},
		{
			name:  "edits given out of order",
			data:  "# 1\n# 2\n# 3\n# 4\n# 5\n# 6\n# 7\n# 8\n# 9\n# 10\n",
			edits: []parser.Edit{{Start: 8, End: 9}, {Start: 0, End: 1}},
			want:  "--- a/etc/network/interfaces\n+++ b/etc/network/interfaces\n@@ -1,4 +1,3 @@\n-# 1\n # 2\n # 3\n # 4\n@@ -6,5 +5,4 @@\n # 6\n # 7\n # 8\n-# 9\n # 10\n",
		},
		{
			name: "no edits",
			data: "iface lo inet loopback\n",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := checkDiff(t, parse(t, c.data), c.edits, !c.ambiguous)
			if string(got) != c.want {
				t.Errorf("got\n%q\nwant\n%q", got, c.want)
			}
		})
	}
}

// TestOpsRandom cross-checks Diff with udiff.Unified on many random edit sets of the kinds the
// fixer makes (whole-line removals, insertions of whole lines, an insertion after a last line
// without newline), on LF and CRLF files with and without a final newline. Lines are distinct,
// so the shortest diff is unique and both must render it identically.
func TestOpsRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 3000; i++ {
		eol := "\n"
		if rng.IntN(3) == 0 {
			eol = "\r\n"
		}
		n := 1 + rng.IntN(30)
		var b strings.Builder
		for j := 0; j < n; j++ {
			fmt.Fprintf(&b, "# line %d%s", j, eol)
		}
		data := b.String()
		noFinal := rng.IntN(2) == 0
		if noFinal {
			data = strings.TrimSuffix(data, eol)
		}
		f := parse(t, data)
		var edits []parser.Edit
		newLine := 0
		at := 0
		lastDeleted := false
		for at <= n {
			switch r := rng.IntN(6); {
			case r == 0 && at < n: // removal of 1-3 lines
				end := min(n, at+1+rng.IntN(3))
				edits = append(edits, parser.Edit{Start: at, End: end})
				lastDeleted = end == n
				at = end
				continue
			case r == 1: // insertion of 1-2 lines before line at
				k := 1 + rng.IntN(2)
				var text strings.Builder
				for range k {
					fmt.Fprintf(&text, "# new %d%s", newLine, eol)
					newLine++
				}
				if at == n && noFinal {
					if lastDeleted {
						break // the fixer never inserts after a line it removes
					}
					// After a last line without newline: the fixer's form, newline first, none after.
					s := text.String()
					edits = append(edits, parser.Edit{Start: at, End: at, Text: eol + strings.TrimSuffix(s, eol)})
					at++
					continue
				}
				edits = append(edits, parser.Edit{Start: at, End: at, Text: text.String()})
			}
			lastDeleted = false
			at++
		}
		t.Run(fmt.Sprint(i), func(t *testing.T) { checkDiff(t, f, edits, true) })
		if t.Failed() {
			return
		}
	}
}

func TestWriteErrorText(t *testing.T) {
	cause := fmt.Errorf("%w: its content changed after it was read", safefile.ErrChanged)
	e := &WriteError{Failed: "/etc/network/interfaces", Err: cause}
	if got, want := e.Error(), "/etc/network/interfaces: file changed since it was read: its content changed after it was read (nothing was written)"; got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	e = &WriteError{Written: []string{"/etc/network/interfaces", "/etc/network/interfaces.d/a"}, Failed: "/etc/network/interfaces.d/b", Err: cause}
	if got, want := e.Error(), "/etc/network/interfaces.d/b: file changed since it was read: its content changed after it was read; already written: /etc/network/interfaces, /etc/network/interfaces.d/a"; got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if !errors.Is(e, safefile.ErrChanged) {
		t.Error("WriteError does not unwrap to its cause")
	}
}

func TestNeedsAttention(t *testing.T) {
	for _, c := range []struct {
		name string
		p    Plan
		want bool
	}{
		{"empty", Plan{}, false},
		{"unchanged file", Plan{Files: []*File{{}}}, false},
		{"change proposed, not written (dry run or declined)", Plan{Files: []*File{{Changed: true}}}, true},
		{"change written, findings fixed", Plan{Files: []*File{{Changed: true, Written: true}}, Findings: []Finding{{Fixed: true}}}, false},
		{"change written, one finding left", Plan{Files: []*File{{Changed: true, Written: true}}, Findings: []Finding{{Fixed: true}, {}}}, true},
		{"nothing to change, a finding for a person", Plan{Files: []*File{{}}, Findings: []Finding{{Rule: "inherited-gateway"}}}, true},
		{"nothing to change, a note", Plan{Files: []*File{{}}, Findings: []Finding{{Rule: "failover-gateway", Note: true}}}, false},
		{"one of two changes written", Plan{Files: []*File{{Changed: true, Written: true}, {Changed: true}}}, true},
	} {
		if got := c.p.NeedsAttention(); got != c.want {
			t.Errorf("%s: NeedsAttention() = %v, want %v", c.name, got, c.want)
		}
	}
}

// mkTree writes files (relative names, slash-separated) under a new temporary directory.
func mkTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	testcases.WriteTree(t, dir, files)
	return dir
}

const (
	mainFile = "etc/network/interfaces"
	subFile  = "etc/network/interfaces.d/eth0-1"
	mainData = "source interfaces.d/*\niface eth0 inet static\n    address 192.0.2.10/24\n    gateway 192.0.2.1\n" +
		"iface eth0:0 inet static\n    address 192.0.2.11/24\n    gateway 192.0.2.1\n"
	mainFixed = "source interfaces.d/*\niface eth0 inet static\n    address 192.0.2.10/24\n    gateway 192.0.2.1\n" +
		"iface eth0:0 inet static\n    address 192.0.2.11/24\n"
	subData  = "iface eth0:1 inet static\n    address 192.0.2.12/24\n    gateway 192.0.2.1\n"
	subFixed = "iface eth0:1 inet static\n    address 192.0.2.12/24\n"
)

func twoFiles(t *testing.T) string {
	return mkTree(t, map[string]string{mainFile: mainData, subFile: subData})
}

func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// listDir returns the names in the directory of name, to see backups and temporary files.
func listDir(t *testing.T, dir, name string) []string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Dir(filepath.Join(dir, filepath.FromSlash(name))))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func wantDir(t *testing.T, dir, name string, want ...string) {
	t.Helper()
	if got := listDir(t, dir, name); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("directory of %s holds %q, want %q", name, got, want)
	}
}

var fixedClock = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

func TestRunApply(t *testing.T) {
	dir := twoFiles(t)
	p, err := Run(Options{Roots: []string{dir}, Apply: true, Backup: true, LockTimeout: time.Second, Now: fixedClock})
	if err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, dir, mainFile); got != mainFixed {
		t.Errorf("main file %q", got)
	}
	if got := readFile(t, dir, subFile); got != subFixed {
		t.Errorf("sourced file %q", got)
	}
	wantDir(t, dir, mainFile, ".interfaces.ifacefix-20260102T030405Z.bak", "interfaces", "interfaces.d")
	wantDir(t, dir, subFile, ".eth0-1.ifacefix-20260102T030405Z.bak", "eth0-1")
	if got, want := p.Files[0].Backup, filepath.Join(dir, "etc/network/.interfaces.ifacefix-20260102T030405Z.bak"); got != want {
		t.Errorf("backup %q, want %q", got, want)
	}
	if readFile(t, dir, "etc/network/.interfaces.ifacefix-20260102T030405Z.bak") != mainData {
		t.Error("backup does not hold the old bytes")
	}
	if p.NeedsAttention() {
		t.Errorf("needs attention after a complete apply: %+v", p.Findings)
	}
}

// TestChangedBeforeWrite changes a file on disk after it was read and planned, from the Confirm
// callback (asked after every read, before any check or write): the run stops with a WriteError
// wrapping ErrChanged, and nothing at all is written, not even the other file, which did not
// change.
func TestChangedBeforeWrite(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(t *testing.T, path string)
		why    string
	}{
		{"content", func(t *testing.T, p string) {
			// Same size, other bytes, same mtime: only the content comparison can see it.
			fi, _ := os.Stat(p)
			data := strings.Replace(subData, "192.0.2.12", "192.0.2.13", 1)
			if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
			os.Chtimes(p, fi.ModTime(), fi.ModTime())
		}, "its content changed"},
		{"size", func(t *testing.T, p string) {
			if err := os.WriteFile(p, []byte(subData+"# edited by hand\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "its size changed"},
		{"mtime only (touched later)", func(t *testing.T, p string) {
			later := time.Now().Add(time.Hour)
			if err := os.Chtimes(p, later, later); err != nil {
				t.Fatal(err)
			}
		}, "its modification time changed"},
		{"removed", func(t *testing.T, p string) {
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
		}, "it disappeared"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := twoFiles(t)
			sub := filepath.Join(dir, filepath.FromSlash(subFile))
			var asked []string
			confirm := func(f *File) (bool, error) {
				asked = append(asked, f.Path)
				if len(asked) == 1 { // while asked about the first file, the second one changes
					c.change(t, sub)
				}
				return true, nil
			}
			p, err := Run(Options{Roots: []string{dir}, Apply: true, Backup: true, Confirm: confirm, LockTimeout: time.Second})
			var we *WriteError
			if !errors.As(err, &we) {
				t.Fatalf("err = %v (%T), want a *WriteError", err, err)
			}
			if !errors.Is(err, safefile.ErrChanged) {
				t.Errorf("err = %v, want one wrapping ErrChanged", err)
			}
			if we.Failed != sub || len(we.Written) != 0 {
				t.Errorf("Failed %q Written %q, want %q and nothing", we.Failed, we.Written, sub)
			}
			if !strings.Contains(err.Error(), c.why) || !strings.HasSuffix(err.Error(), "(nothing was written)") {
				t.Errorf("message %q, want it to say %q and (nothing was written)", err, c.why)
			}
			if len(asked) != 2 {
				t.Errorf("asked about %q, want both files before any write", asked)
			}
			if got := readFile(t, dir, mainFile); got != mainData {
				t.Errorf("first file was written: %q", got)
			}
			wantDir(t, dir, mainFile, "interfaces", "interfaces.d")
			for _, f := range p.Files {
				if f.Written || f.Backup != "" {
					t.Errorf("%s marked written", f.Path)
				}
			}
			for _, f := range p.Findings {
				if f.Fixed {
					t.Errorf("finding still marked fixed: %+v", f)
				}
			}
			if !p.NeedsAttention() {
				t.Error("plan does not need attention")
			}
		})
	}
}

// TestWriteErrorLeavesEveryFile makes the second of two writes fail while it is prepared, after
// the first file has been prepared: the second file is replaced by a new inode (same bytes) at the
// moment its backup is made (the clock is read just before). Nothing is renamed before every
// write is prepared, so the WriteError names the second file with nothing written, both files
// keep their bytes, and no temporary file or backup is left in either directory.
func TestWriteErrorLeavesEveryFile(t *testing.T) {
	dir := twoFiles(t)
	sub := filepath.Join(dir, filepath.FromSlash(subFile))
	calls := 0
	clock := func() time.Time {
		if calls++; calls == 2 {
			tmp := sub + ".swap"
			if err := os.WriteFile(tmp, []byte(subData), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(tmp, sub); err != nil {
				t.Fatal(err)
			}
		}
		return fixedClock()
	}
	p, err := Run(Options{Roots: []string{dir}, Apply: true, Backup: true, LockTimeout: time.Second, Now: clock})
	var we *WriteError
	if !errors.As(err, &we) {
		t.Fatalf("err = %v (%T), want a *WriteError", err, err)
	}
	if we.Failed != sub || len(we.Written) != 0 {
		t.Errorf("Failed %q Written %q, want %q and nothing", we.Failed, we.Written, sub)
	}
	if !errors.Is(err, safefile.ErrChanged) {
		t.Errorf("err = %v, want one wrapping ErrChanged", err)
	}
	if !strings.HasPrefix(err.Error(), sub+": ") || !strings.HasSuffix(err.Error(), "(nothing was written)") {
		t.Errorf("message %q, want it to start with the failed file and end with (nothing was written)", err)
	}
	if got := readFile(t, dir, mainFile); got != mainData {
		t.Errorf("first file %q, want its old bytes", got)
	}
	if got := readFile(t, dir, subFile); got != subData {
		t.Errorf("second file %q, want its old bytes", got)
	}
	wantDir(t, dir, mainFile, "interfaces", "interfaces.d")
	wantDir(t, dir, subFile, "eth0-1")
	if p.Files[0].Written || p.Files[1].Written || p.Files[0].Backup != "" {
		t.Errorf("written flags: %v %v", p.Files[0].Written, p.Files[1].Written)
	}
	for _, f := range p.Findings {
		if f.Fixed {
			t.Errorf("finding %s:%d fixed", f.Path, f.Line)
		}
	}
	if !p.NeedsAttention() {
		t.Error("plan does not need attention")
	}
}

// TestWriteErrorReadOnlyDir: the second file's directory is read-only, so its temporary file
// cannot be created (only without root: root ignores the permission).
func TestWriteErrorReadOnlyDir(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root can write in a read-only directory; TestWriteErrorAfterFirstWrite covers the failure")
	}
	dir := twoFiles(t)
	d := filepath.Join(dir, "etc/network/interfaces.d")
	if err := os.Chmod(d, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(d, 0o755) })
	_, err := Run(Options{Roots: []string{dir}, Apply: true, Backup: true, LockTimeout: time.Second})
	var we *WriteError
	if !errors.As(err, &we) || len(we.Written) != 1 {
		t.Fatalf("err = %v, want a *WriteError with one written file", err)
	}
	if !strings.Contains(err.Error(), "already written: "+filepath.Join(dir, mainFile)) {
		t.Errorf("message %q does not name the written file", err)
	}
	if got := readFile(t, dir, subFile); got != subData {
		t.Errorf("second file %q", got)
	}
}

// TestDeclined: a file the user declines is not written and its findings are not fixed.
func TestDeclined(t *testing.T) {
	dir := twoFiles(t)
	p, err := Run(Options{Roots: []string{dir}, Apply: true, Backup: true, LockTimeout: time.Second,
		Confirm: func(f *File) (bool, error) { return strings.HasSuffix(f.Path, "eth0-1"), nil }})
	if err != nil {
		t.Fatal(err)
	}
	if readFile(t, dir, mainFile) != mainData || readFile(t, dir, subFile) != subFixed {
		t.Error("wrong files written")
	}
	for _, f := range p.Findings {
		if f.Fixed != strings.HasSuffix(f.Path, "eth0-1") {
			t.Errorf("finding %s:%d fixed=%v", f.Path, f.Line, f.Fixed)
		}
	}
	if !p.NeedsAttention() {
		t.Error("a declined change must need attention")
	}
}

// TestRootsAllOrNothing: with several roots, an error in a later root means nothing is written in
// an earlier one; the same root twice is planned once and does not deadlock on its own lock.
func TestRootsAllOrNothing(t *testing.T) {
	good := twoFiles(t)
	bad := mkTree(t, map[string]string{mainFile: "iface eth0 inet static\nauto eth0\n    gateway 192.0.2.1\n"})
	_, err := Run(Options{Roots: []string{good, bad}, Apply: true, Backup: true, LockTimeout: time.Second})
	var pe *parser.Error
	if !errors.As(err, &pe) || pe.Line != 3 {
		t.Fatalf("err = %v, want the parse error at line 3", err)
	}
	if readFile(t, good, mainFile) != mainData || readFile(t, good, subFile) != subData {
		t.Error("the first root was written although the second failed")
	}
	wantDir(t, good, mainFile, "interfaces", "interfaces.d")

	p, err := Run(Options{Roots: []string{good, good + "/"}, Apply: true, Backup: true, LockTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Files) != 2 || len(p.Findings) != 2 {
		t.Errorf("same root twice: %d files, %d findings; want 2 and 2", len(p.Files), len(p.Findings))
	}
	if readFile(t, good, mainFile) != mainFixed || readFile(t, good, subFile) != subFixed {
		t.Error("not written")
	}
}

// TestLocked: another ifacefix holds the lock on the configuration's directory; with a zero
// timeout Run gives up at once with ErrLocked, having read and written nothing. A dry run takes
// no lock and goes on.
func TestLocked(t *testing.T) {
	dir := twoFiles(t)
	fsys, err := rootfs.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	unlock, err := safefile.Lock(fsys, "etc/network", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	p, err := Run(Options{Roots: []string{dir}, Apply: true, Backup: true, LockTimeout: 0})
	if !errors.Is(err, safefile.ErrLocked) {
		t.Fatalf("err = %v, want ErrLocked", err)
	}
	if len(p.Files) != 0 || readFile(t, dir, mainFile) != mainData || readFile(t, dir, subFile) != subData {
		t.Error("something was read or written under another run's lock")
	}
	p, err = Run(Options{Roots: []string{dir}})
	if err != nil || len(p.Changed()) != 2 {
		t.Errorf("dry run under a lock: %v, %d changed", err, len(p.Changed()))
	}
}

// TestLinkedFiles: a gateway moved from an alias in one file into its primary in another links
// the two files; declining either leaves both unwritten (the removal alone would lose the default
// route), and the other one is not even asked once one is declined.
func TestLinkedFiles(t *testing.T) {
	files := map[string]string{
		mainFile:                        "source interfaces.d/*\niface eth0 inet static\n    address 192.0.2.10/24\n",
		subFile:                         subData,
		"etc/network/interfaces.d/eth1": "iface eth1 inet dhcp\niface eth1:0 inet static\n    gateway 198.51.100.1\n",
	}
	for _, c := range []struct {
		name    string
		answer  map[string]bool // by base name
		asked   int
		written []string
	}{
		{"decline primary", map[string]bool{"interfaces": false, "eth0-1": true, "eth1": true}, 2, []string{"eth1"}},
		{"decline alias", map[string]bool{"interfaces": true, "eth0-1": false, "eth1": true}, 3, []string{"eth1"}},
		{"accept all", map[string]bool{"interfaces": true, "eth0-1": true, "eth1": true}, 3, []string{"interfaces", "eth0-1", "eth1"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := mkTree(t, files)
			var asked []string
			p, err := Run(Options{Roots: []string{dir}, Apply: true, LockTimeout: time.Second,
				Confirm: func(f *File) (bool, error) {
					asked = append(asked, filepath.Base(f.Path))
					return c.answer[filepath.Base(f.Path)], nil
				}})
			if err != nil {
				t.Fatal(err)
			}
			links := map[string][]string{}
			for _, f := range p.Files {
				for _, g := range f.Linked {
					links[filepath.Base(f.Path)] = append(links[filepath.Base(f.Path)], filepath.Base(g.Path))
				}
			}
			if got, want := fmt.Sprint(links), "map[eth0-1:[interfaces] interfaces:[eth0-1]]"; got != want {
				t.Errorf("links %s, want %s", got, want)
			}
			if len(asked) != c.asked {
				t.Errorf("asked %q, want %d questions", asked, c.asked)
			}
			var written []string
			for _, f := range p.Files {
				if f.Written {
					written = append(written, filepath.Base(f.Path))
				}
				if data := readFile(t, dir, strings.TrimPrefix(f.Path, dir+"/")); (string(data) != string(f.Old)) != f.Written {
					t.Errorf("%s: written=%v but content %q", f.Path, f.Written, data)
				}
			}
			if fmt.Sprint(written) != fmt.Sprint(c.written) {
				t.Errorf("written %q, want %q", written, c.written)
			}
		})
	}
}

// TestMoveWrittenFirst: when a gateway moves from an alias (first file read) into its primary
// (second file), the primary's file is prepared and renamed first, so that a crash between the
// two renames leaves the host with a default route rather than none. The clock, read while each
// file is prepared (for its backup name), sees which directory holds a temporary file.
func TestMoveWrittenFirst(t *testing.T) {
	const (
		aliasData = "iface eth0:0 inet static\n    address 192.0.2.11/24\n    gateway 192.0.2.1\nsource interfaces.d/*\n"
		primData  = "iface eth0 inet static\n    address 192.0.2.10/24\n"
		primFixed = "iface eth0 inet static\n    address 192.0.2.10/24\n    gateway 192.0.2.1\n"
	)
	dir := mkTree(t, map[string]string{mainFile: aliasData, "etc/network/interfaces.d/eth0": primData})
	var order []string
	clock := func() time.Time {
		for _, d := range []string{"etc/network", "etc/network/interfaces.d"} {
			for _, n := range listDir(t, dir, d+"/x") {
				if strings.HasPrefix(n, ".") && !strings.HasSuffix(n, ".bak") && !slices.Contains(order, d) {
					order = append(order, d)
				}
			}
		}
		return fixedClock()
	}
	p, err := Run(Options{Roots: []string{dir}, Apply: true, Backup: true, LockTimeout: time.Second, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	if p.Files[0].Path != filepath.Join(dir, mainFile) {
		t.Fatalf("files in order %s, %s; want the alias's file read first", p.Files[0].Path, p.Files[1].Path)
	}
	if want := []string{"etc/network/interfaces.d", "etc/network"}; !slices.Equal(order, want) {
		t.Errorf("prepared in %q, want the primary's directory first: %q", order, want)
	}
	if got := readFile(t, dir, "etc/network/interfaces.d/eth0"); got != primFixed {
		t.Errorf("primary's file %q, want the gateway moved in", got)
	}
}

// TestUnchangedFileChanged: a file that needs no change but was read to plan (here the primary
// whose gateway makes the alias's removable) changes before the write: the plan is stale, the run
// stops, nothing is written.
func TestUnchangedFileChanged(t *testing.T) {
	const primary = "source interfaces.d/*\niface eth0 inet static\n    address 192.0.2.10/24\n    gateway 192.0.2.1\n"
	dir := mkTree(t, map[string]string{mainFile: primary, subFile: subData})
	main := filepath.Join(dir, mainFile)
	_, err := Run(Options{Roots: []string{dir}, Apply: true, Backup: true, LockTimeout: time.Second,
		Confirm: func(f *File) (bool, error) {
			// The primary loses its gateway: removing the alias's would now lose the default route.
			return true, os.WriteFile(main, []byte(strings.Replace(primary, "    gateway 192.0.2.1\n", "", 1)), 0o644)
		}})
	var we *WriteError
	if !errors.As(err, &we) || we.Failed != main || len(we.Written) != 0 || !errors.Is(err, safefile.ErrChanged) {
		t.Fatalf("err = %v, want a WriteError wrapping ErrChanged on %s with nothing written", err, main)
	}
	if readFile(t, dir, subFile) != subData {
		t.Error("the alias's file was written from a stale plan")
	}
	wantDir(t, dir, subFile, "eth0-1")
}

// TestApplyMissingConfigNamesTheFile: with --apply the lock comes first; a missing directory must
// still be reported as the missing file, exactly as a dry run reports it.
func TestApplyMissingConfigNamesTheFile(t *testing.T) {
	root := t.TempDir()
	want := filepath.Join(root, "etc/network/interfaces") + ": no such file or directory"
	for _, apply := range []bool{false, true} {
		_, err := Run(Options{Roots: []string{root}, Apply: apply, LockTimeout: time.Second})
		if err == nil || err.Error() != want {
			t.Errorf("apply=%v: error %v, want %q", apply, err, want)
		}
	}
}

// TestHardLinkedRoots: trees cloned with `cp -al` share their files' inodes, but each name is a
// file of its own configuration: each is planned, fixed and backed up on its own (a rename
// replaces one name only). The same tree named twice, and through a symlink, is still one.
func TestHardLinkedRoots(t *testing.T) {
	a := twoFiles(t)
	b := filepath.Join(t.TempDir(), "b")
	if out, err := exec.Command("cp", "-al", a, b).CombinedOutput(); err != nil {
		t.Skipf("cp -al: %v %s", err, out)
	}
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(a, link); err != nil {
		t.Fatal(err)
	}
	p, err := Run(Options{Roots: []string{a, b, a, link}, Apply: true, Backup: true, LockTimeout: time.Second, Now: fixedClock})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Files) != 4 || len(p.Findings) != 4 || p.NeedsAttention() {
		t.Errorf("%d files, %d findings (attention %v); want 4 and 4, all fixed", len(p.Files), len(p.Findings), p.NeedsAttention())
	}
	for _, root := range []string{a, b} {
		if readFile(t, root, mainFile) != mainFixed || readFile(t, root, subFile) != subFixed {
			t.Errorf("%s: not fixed", root)
		}
		wantDir(t, root, mainFile, ".interfaces.ifacefix-20260102T030405Z.bak", "interfaces", "interfaces.d")
		if readFile(t, root, "etc/network/.interfaces.ifacefix-20260102T030405Z.bak") != mainData {
			t.Errorf("%s: the backup does not hold the old bytes", root)
		}
	}
}

// TestUnknownRefusesApply: a source line ifacefix cannot expand ($, ~) may name files that hold
// what the fix depends on: --apply stops with its PATH:LINE and writes nothing; a dry run reports
// it as a finding that says so.
func TestUnknownRefusesApply(t *testing.T) {
	dir := mkTree(t, map[string]string{mainFile: mainData + "source $CONF/extra\nsource none ~/more\n", subFile: subData})
	_, err := Run(Options{Roots: []string{dir}, Apply: true, Backup: true, LockTimeout: time.Second})
	var pe *parser.Error
	want := filepath.Join(dir, mainFile) + ":8: source $CONF/extra: uses shell expansion ($ or ~) whose value ifacefix cannot know; not followed" +
		"; --apply writes nothing while ifacefix cannot read all of the configuration (and 1 more such lines) (nothing was written)"
	if !errors.As(err, &pe) || !errors.Is(err, ErrIncomplete) || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
	if readFile(t, dir, mainFile) != mainData+"source $CONF/extra\nsource none ~/more\n" || readFile(t, dir, subFile) != subData {
		t.Error("written")
	}
	wantDir(t, dir, mainFile, "interfaces", "interfaces.d")
	p, err := Run(Options{Roots: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	var unknown []string
	for _, f := range p.Findings {
		if f.Rule == "include-unsupported" && strings.HasSuffix(f.Message, "; --apply writes nothing while ifacefix cannot read all of the configuration") {
			unknown = append(unknown, fmt.Sprint(f.Line))
		}
	}
	if fmt.Sprint(unknown) != "[8 9]" || !p.NeedsAttention() {
		t.Errorf("dry run findings %+v", p.Findings)
	}
}
