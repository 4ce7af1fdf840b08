package udiff

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gnuDiff runs `diff -U context --label OLD --label NEW` on old and new.
func gnuDiff(t *testing.T, old, new string, context int) []byte {
	t.Helper()
	if _, err := exec.LookPath("diff"); err != nil {
		t.Skip("diff not in PATH")
	}
	dir := t.TempDir()
	o, n := filepath.Join(dir, "old"), filepath.Join(dir, "new")
	writeFile(t, o, old)
	writeFile(t, n, new)
	out, err := exec.Command("diff", fmt.Sprintf("-U%d", context), "--label", "OLD", "--label", "NEW", o, n).Output()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
		t.Fatalf("diff: %v", err)
	}
	return out
}

func writeFile(t *testing.T, name, data string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// patchApply applies diff to old with GNU patch and returns the result.
func patchApply(t *testing.T, old string, diff []byte) string {
	t.Helper()
	dir := t.TempDir()
	o, out := filepath.Join(dir, "OLD"), filepath.Join(dir, "out")
	writeFile(t, o, old)
	cmd := exec.Command("patch", "--batch", "--silent", "--no-backup-if-mismatch", "-o", out, o)
	cmd.Stdin = bytes.NewReader(diff)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("patch: %v\n%s\ndiff:\n%s", err, msg, diff)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(got)
}

const interfaces = `# The loopback network interface
auto lo
iface lo inet loopback

auto eth0
iface eth0 inet static
    address 192.168.1.10
    netmask 255.255.255.0
    gateway 192.168.1.1
    dns-nameservers 8.8.8.8 8.8.4.4
    dns-search example.com

auto eth1
iface eth1 inet dhcp
    hostname box
    metric 10

source /etc/network/interfaces.d/*
`

func lines(n int, format string) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, format, i)
	}
	return b.String()
}

func TestUnifiedMatchesGNU(t *testing.T) {
	twenty := lines(20, "l%d\n")
	tests := []struct {
		name     string
		old, new string
		context  int
	}{
		{"delete last line without EOL", "a\nb\nc", "a\nb\n", 3},
		{"no EOL, change in middle", "a\nb\nc\nd\ne", "a\nb\nX\nd\ne", 3},
		{"only final EOL differs", "a\nb\nc", "a\nb\nc\n", 3},
		{"only final EOL differs, reverse", "a\nb\nc\n", "a\nb\nc", 3},
		{"empty to two lines", "", "a\nb\n", 3},
		{"one line to empty", "a\n", "", 3},
		{"one line to one line", "a\n", "b\n", 3},
		{"one line to one line, no EOL", "a", "b", 3},
		{"delete first line", "a\nb\nc\nd\n", "b\nc\nd\n", 3},
		{"gap of 7: two hunks", twenty, strings.Replace(strings.Replace(twenty, "l5\n", "", 1), "l13\n", "", 1), 3},
		{"gap of 6: one hunk", twenty, strings.Replace(strings.Replace(twenty, "l5\n", "", 1), "l12\n", "", 1), 3},
		{"repeated lines", "a\nb\na\nb\na\n", "a\nb\na\n", 3},
		{"CRLF", "auto lo\r\niface lo inet loopback\r\n\r\nauto eth0\r\n", "auto lo\r\niface lo inet loopback\r\n\r\nauto eth1\r\n", 3},
		{"CRLF without EOL", "a\r\nb\r\nc", "a\r\nB\r\nc", 3},
		{"CRLF vs LF", "a\r\nb\r\nc\r\n", "a\r\nb\nc\r\n", 3},
		{"interfaces: three deletions, one hunk", interfaces, strings.NewReplacer(
			"    gateway 192.168.1.1\n", "",
			"    dns-search example.com\n", "",
			"    metric 10\n", "").Replace(interfaces), 3},
		{"interfaces: replace and insert", interfaces, strings.NewReplacer(
			"iface eth1 inet dhcp\n", "iface eth1 inet static\n    address 10.0.0.2/24\n").Replace(interfaces), 3},
		{"context 0", twenty, strings.NewReplacer("l2\n", "", "l4\n", "x\n", "l9\n", "l9\ny\n").Replace(twenty), 0},
		{"context 0, insert at start and end", "a\nb\n", "x\na\nb\ny\n", 0},
		{"context 1", twenty, strings.NewReplacer("l2\n", "", "l5\n", "x\n", "l8\n", "l8\ny\n", "l20\n", "").Replace(twenty), 1},
		{"context 1, no EOL context", "a\nb\nc", "a\nX\nc", 1},
		{"no change", interfaces, interfaces, 3},
		{"no change, no EOL", "a", "a", 3},
		{"both empty", "", "", 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := gnuDiff(t, tc.old, tc.new, tc.context)
			got := Unified("OLD", "NEW", []byte(tc.old), []byte(tc.new), tc.context)
			if !bytes.Equal(got, want) {
				t.Errorf("got:\n%s\nwant (GNU diff):\n%s", got, want)
			}
			if tc.old == tc.new && got != nil {
				t.Errorf("no change: got %q, want nil", got)
			}
		})
	}
}

// countOps counts the '-' and '+' body lines of a unified diff.
func countOps(diff []byte) (del, ins int) {
	for i, l := range strings.Split(string(diff), "\n") {
		switch {
		case i < 2 || l == "":
		case l[0] == '-':
			del++
		case l[0] == '+':
			ins++
		}
	}
	return del, ins
}

func TestRandomPatch(t *testing.T) {
	_, errPatch := exec.LookPath("patch")
	_, errDiff := exec.LookPath("diff")
	if errPatch != nil {
		t.Log("patch not in PATH: only checking against diff")
	}
	rng := rand.New(rand.NewSource(1))
	alphabets := [][]string{
		{"a\n", "b\n"},
		{"a\n", "b\n", "c\n", "\n"},
		{"auto eth0\n", "iface eth0 inet dhcp\n", "    mtu 1500\n", "\n", "x\r\n"},
	}
	same := 0
	const cases = 300
	for i := 0; i < cases; i++ {
		alpha := alphabets[i%len(alphabets)]
		var old, new []string
		for n := rng.Intn(15); n > 0; n-- {
			old = append(old, alpha[rng.Intn(len(alpha))])
		}
		for _, l := range old {
			switch rng.Intn(6) {
			case 0: // delete
			case 1: // insert before
				new = append(new, alpha[rng.Intn(len(alpha))], l)
			case 2: // replace
				new = append(new, alpha[rng.Intn(len(alpha))])
			default:
				new = append(new, l)
			}
		}
		if rng.Intn(4) == 0 {
			new = append(new, alpha[rng.Intn(len(alpha))])
		}
		o, n := strings.Join(old, ""), strings.Join(new, "")
		if rng.Intn(3) == 0 {
			o = strings.TrimSuffix(o, "\n")
		}
		if rng.Intn(3) == 0 {
			n = strings.TrimSuffix(n, "\n")
		}
		context := rng.Intn(4)
		d := Unified("OLD", "NEW", []byte(o), []byte(n), context)
		if (d == nil) != (o == n) {
			t.Fatalf("case %d: old %q new %q: diff %q", i, o, n, d)
		}
		if d != nil && errPatch == nil {
			if got := patchApply(t, o, d); got != n {
				t.Fatalf("case %d: patch gave %q, want %q\ndiff:\n%s", i, got, n, d)
			}
		}
		if errDiff == nil {
			// Both are minimal: the same numbers of '-' and '+' lines,
			// though not always the same lines among identical ones.
			g := gnuDiff(t, o, n, context)
			gd, gi := countOps(g)
			md, mi := countOps(d)
			if gd != md || gi != mi {
				t.Errorf("case %d: -%d +%d lines, GNU diff -%d +%d\nold %q\nnew %q\ngot:\n%s\nGNU:\n%s", i, md, mi, gd, gi, o, n, d, g)
			}
			if bytes.Equal(g, d) {
				same++
			}
		}
	}
	t.Logf("%d/%d random diffs byte-identical to GNU diff", same, cases)
}

// deletionOps builds Equal/Delete operations deleting lines del of ls; with
// perLine, every line is a separate operation.
func deletionOps(ls []string, del map[int]bool, perLine bool) (ops []Op, newText string) {
	var nb strings.Builder
	for i, l := range ls {
		k := Equal
		if del[i] {
			k = Delete
		} else {
			nb.WriteString(l)
		}
		if !perLine && len(ops) > 0 && ops[len(ops)-1].Kind == k {
			ops[len(ops)-1].Lines = append(ops[len(ops)-1].Lines, l)
			continue
		}
		ops = append(ops, Op{k, []string{l}})
	}
	return ops, nb.String()
}

func TestRenderDeletionOps(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for i := 0; i < 50; i++ {
		ls := strings.SplitAfter(lines(1+rng.Intn(60), "    address 10.0.0.%d\n"), "\n")
		ls = ls[:len(ls)-1]
		if i%3 == 0 {
			ls[len(ls)-1] = strings.TrimSuffix(ls[len(ls)-1], "\n")
		}
		del := map[int]bool{}
		for n := rng.Intn(len(ls) + 1); n > 0; n-- {
			del[rng.Intn(len(ls))] = true
		}
		old := strings.Join(ls, "")
		context := rng.Intn(4)
		for _, perLine := range []bool{false, true} {
			ops, newText := deletionOps(ls, del, perLine)
			got := Render("OLD", "NEW", ops, context)
			want := Unified("OLD", "NEW", []byte(old), []byte(newText), context)
			if !bytes.Equal(got, want) {
				t.Fatalf("case %d perLine=%v: Render:\n%s\nUnified:\n%s", i, perLine, got, want)
			}
			if i%5 == 0 && !perLine {
				if g := gnuDiff(t, old, newText, context); !bytes.Equal(got, g) {
					t.Fatalf("case %d: Render:\n%s\nGNU diff:\n%s", i, got, g)
				}
			}
		}
	}
}

func TestRenderOrderAndEmpty(t *testing.T) {
	// Insertions before deletions in the ops still print '-' first, and
	// empty operations are ignored.
	ops := []Op{
		{Equal, []string{"a\n"}}, {Insert, []string{"X\n"}}, {Delete, nil},
		{Delete, []string{"b\n"}}, {Insert, []string{"Y"}}, {Delete, []string{"c"}},
	}
	want := "--- o\n+++ n\n@@ -1,3 +1,3 @@\n a\n-b\n-c\n\\ No newline at end of file\n+X\n+Y\n\\ No newline at end of file\n"
	if got := Render("o", "n", ops, 3); string(got) != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	ops = []Op{{Equal, []string{"a\n"}}, {Delete, nil}, {Equal, []string{"b\n"}}}
	if got := Render("o", "n", ops, 3); got != nil {
		t.Errorf("no change: got %q, want nil", got)
	}
}

func TestColorize(t *testing.T) {
	d := []byte("--- OLD\n+++ NEW\n@@ -1,2 +1,2 @@\n a\n--- b\n+++ c\n\\ No newline at end of file\n")
	want := "\x1b[1m--- OLD\x1b[0m\n\x1b[1m+++ NEW\x1b[0m\n\x1b[36m@@ -1,2 +1,2 @@\x1b[0m\n a\n" +
		"\x1b[31m--- b\x1b[0m\n\x1b[32m+++ c\x1b[0m\n\\ No newline at end of file\n"
	if got := Colorize(d); string(got) != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if got := Colorize(nil); len(got) != 0 {
		t.Errorf("Colorize(nil) = %q", got)
	}
}

// BenchmarkRender renders a 500k-line file with 100k deleted lines.
func BenchmarkRender(b *testing.B) {
	const total, deleted = 500_000, 100_000
	rng := rand.New(rand.NewSource(3))
	ls := make([]string, total)
	for i := range ls {
		ls[i] = fmt.Sprintf("    address 10.%d.%d.%d/24\n", i>>16, i>>8&255, i&255)
	}
	del := make(map[int]bool, deleted)
	for len(del) < deleted {
		// runs of 1-8 deleted lines
		start := rng.Intn(total)
		for j := start; j < min(start+1+rng.Intn(8), total) && len(del) < deleted; j++ {
			del[j] = true
		}
	}
	ops, _ := deletionOps(ls, del, false)
	size := 0
	for _, op := range ops {
		for _, l := range op.Lines {
			size += len(l)
		}
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	var out []byte
	for b.Loop() {
		out = Render("OLD", "NEW", ops, 3)
	}
	b.StopTimer()
	if d, _ := countOps(out); d != deleted {
		b.Fatalf("%d deleted lines in diff, want %d", d, deleted)
	}
}
