package reliability

import (
	"github.com/ifacefix/ifacefix/internal/testcases"

	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// aliasFix is a small valid configuration with one fix to make, appended to hostile inputs that
// must be refused, so that "nothing written" is a real claim.
const aliasFix = `auto eth0
iface eth0 inet static
    address 192.0.2.10/24
    gateway 192.0.2.1

iface eth0:0 inet static
    address 192.0.2.11/24
    gateway 192.0.2.1
`

// refuse runs ifacefix --apply on a tree and wants exit 2, a line of standard error starting with
// "ifacefix: " and want (a "PATH:LINE: message" or "PATH: message" line, with {D} standing for the
// tree; the findings' report may come before it), and the tree byte for byte as before. It returns the result for further checks.
func refuse(t *testing.T, dir string, want string, args ...string) result {
	t.Helper()
	before := snapshot(t, dir)
	r := run(t, cmdOpts{measure: true}, append([]string{"--apply"}, args...)...)
	want = "ifacefix: " + strings.ReplaceAll(want, "{D}", dir)
	if r.code != 2 || !strings.HasPrefix(r.stderr, want) && !strings.Contains(r.stderr, "\n"+want) {
		t.Fatalf("exit %d, stderr:\n%s\nwant exit 2 and a message starting with\n%s", r.code, r.stderr, want)
	}
	sameSnapshot(t, dir, before)
	return r
}

// ifqueryVerdict runs the real ifupdown on file: its exit status and messages ("" and -1 when
// ifquery is not installed).
func ifqueryVerdict(t *testing.T, file string, args ...string) (int, string) {
	t.Helper()
	ifq, err := exec.LookPath("ifquery")
	if err != nil {
		return -1, ""
	}
	c := exec.Command(ifq, append([]string{"-i", file, "--state-dir", t.TempDir(), "--no-mappings"}, args...)...)
	c.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"}
	c.Dir = "/"
	out, _ := c.CombinedOutput()
	return c.ProcessState.ExitCode(), string(out)
}

// gcHeadroom is what the binary lets the heap grow by between collections, at least
// (cmd/ifacefix/gc.go): garbage up to it is not collected.
const gcHeadroom = 64 << 20

// memBound is the memory a run may use for an input of n bytes: generous, but it fails on
// anything quadratic or on reading a device without end.
func memBound(n int) int64 { return 20*int64(n) + 50<<20 + gcHeadroom }

// stanzaMemBound is memBound for input made of tiny stanzas (about 24 bytes each): the parsed
// model costs some 250 bytes per line and the garbage collector may double that before it runs
// (about 500 MB measured for 1,000,000 stanzas).
func stanzaMemBound(n int) int64 { return 30*int64(n) + 50<<20 + gcHeadroom }

func TestHostileBinaryFile(t *testing.T) {
	dir := t.TempDir()
	elf, err := os.ReadFile(bin) // the ifacefix binary itself: "\x7fELF\x02\x01\x01\x00..."
	if err != nil {
		t.Fatal(err)
	}
	top := filepath.Join(dir, "interfaces")
	testcases.WriteTree(t, dir, map[string]string{"interfaces": string(elf)})
	refuse(t, dir, "{D}/interfaces:1: NUL byte: not a text file\n", top)
}

func TestHostileNULBytes(t *testing.T) {
	t.Run("top-level", func(t *testing.T) {
		dir := t.TempDir()
		testcases.WriteTree(t, dir, map[string]string{"interfaces": aliasFix + "# a comment\x00with a NUL\n"})
		refuse(t, dir, "{D}/interfaces:9: NUL byte: not a text file\n", filepath.Join(dir, "interfaces"))
	})
	t.Run("sourced", func(t *testing.T) {
		dir := t.TempDir()
		testcases.WriteTree(t, dir, map[string]string{
			"interfaces":     "source interfaces.d/*\n" + aliasFix,
			"interfaces.d/x": "auto lo\niface lo inet loopback\n\x00\n",
		})
		refuse(t, dir, "{D}/interfaces.d/x:3: NUL byte: not a text file\n", filepath.Join(dir, "interfaces"))
	})
}

// TestHostileLongLine: a 10 MB line of garbage is ifupdown's "misplaced option" at line 1, found
// with memory proportional to the input; a 10 MB comment is valid and kept byte for byte.
func TestHostileLongLine(t *testing.T) {
	line := strings.Repeat("x", 10<<20)
	t.Run("garbage", func(t *testing.T) {
		dir := t.TempDir()
		testcases.WriteTree(t, dir, map[string]string{"interfaces": line + "\n" + aliasFix})
		r := refuse(t, dir, "{D}/interfaces:1: misplaced option\n", filepath.Join(dir, "interfaces"))
		if r.maxRSS > memBound(len(line)) {
			t.Errorf("max RSS %d MB for a %d MB line", r.maxRSS>>20, len(line)>>20)
		}
		t.Logf("10 MB line refused; max RSS %d MB", r.maxRSS>>20)
		if code, out := ifqueryVerdict(t, filepath.Join(dir, "interfaces"), "-l"); code >= 0 && !strings.Contains(out, "interfaces:1: misplaced option") {
			t.Errorf("ifquery's verdict differs (exit %d):\n%.300s", code, out)
		}
	})
	t.Run("comment", func(t *testing.T) {
		dir := t.TempDir()
		top := filepath.Join(dir, "interfaces")
		testcases.WriteTree(t, dir, map[string]string{"interfaces": "#" + line + "\n" + aliasFix})
		r := run(t, cmdOpts{measure: true}, "--apply", top)
		if r.code != exitWritten {
			t.Fatalf("exit %d\n%.500s", r.code, r.stderr)
		}
		want := "#" + line + "\n" + strings.TrimSuffix(aliasFix, "    gateway 192.0.2.1\n")
		if got := readFile(t, top); got != want {
			t.Errorf("fixed file is not the input minus the alias gateway (%d bytes, want %d)", len(got), len(want))
		}
		if r.maxRSS > memBound(len(line)) {
			t.Errorf("max RSS %d MB for a %d MB line", r.maxRSS>>20, len(line)>>20)
		}
	})
}

// TestHostileInvalidUTF8: ifupdown works on bytes. Invalid UTF-8 in comments and values is valid
// for it and kept byte for byte by the fix; a file of invalid UTF-8 garbage fails as in ifupdown,
// "misplaced option" at line 1.
func TestHostileInvalidUTF8(t *testing.T) {
	t.Run("garbage", func(t *testing.T) {
		dir := t.TempDir()
		top := filepath.Join(dir, "interfaces")
		testcases.WriteTree(t, dir, map[string]string{"interfaces": "\xff\xfe\xc3\x28 \xa0\xa1\n" + aliasFix})
		refuse(t, dir, "{D}/interfaces:1: misplaced option\n", top)
		if code, out := ifqueryVerdict(t, top, "-l"); code >= 0 && (code != 1 || !strings.Contains(out, top+":1: misplaced option")) {
			t.Errorf("ifquery's verdict differs (exit %d):\n%s", code, out)
		}
	})
	t.Run("in-comment-and-value", func(t *testing.T) {
		dir := t.TempDir()
		top := filepath.Join(dir, "interfaces")
		in := "# caf\xe9 \xff\xfe\n" + aliasFix + "    up echo caf\xe9 \xc3\xa0\xff\n" // a command dash runs, bytes as they are
		testcases.WriteTree(t, dir, map[string]string{"interfaces": in})
		if code, out := ifqueryVerdict(t, top, "-l"); code > 0 {
			t.Fatalf("ifquery refuses the input (exit %d):\n%s", code, out)
		}
		r := run(t, cmdOpts{}, "--apply", top)
		if r.code != exitWritten {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		want := strings.Replace(in, "    address 192.0.2.11/24\n    gateway 192.0.2.1\n", "    address 192.0.2.11/24\n", 1)
		if got := readFile(t, top); got != want {
			t.Errorf("got %q\nwant %q", got, want)
		}
	})
}

// TestHostileSpecialFiles: FIFOs, devices and sockets, named as FILE or reached by an include,
// are refused without being read (a FIFO would block, /dev/zero never ends) and the error names
// the source line that reached them. /dev/null is the conventional empty file, read as empty
// like ifupdown does; a directory reached by a glob is skipped with a finding, like ifupdown.
func TestHostileSpecialFiles(t *testing.T) {
	fifoTree := func(t *testing.T) string {
		dir := t.TempDir()
		testcases.WriteTree(t, dir, map[string]string{"etc/network/interfaces": "source interfaces.d/*\n" + aliasFix})
		os.MkdirAll(filepath.Join(dir, "etc/network/interfaces.d"), 0o755)
		if err := syscall.Mkfifo(filepath.Join(dir, "etc/network/interfaces.d/pipe"), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	t.Run("fifo-as-file", func(t *testing.T) {
		dir := fifoTree(t)
		refuse(t, dir, "{D}/etc/network/interfaces.d/pipe: is a named pipe, not a regular file\n", "--root", dir, "/etc/network/interfaces.d/pipe")
	})
	t.Run("fifo-by-include", func(t *testing.T) {
		dir := fifoTree(t)
		refuse(t, dir, "{D}/etc/network/interfaces:1: {D}/etc/network/interfaces.d/pipe: is a named pipe, not a regular file\n", "--root", dir)
	})
	t.Run("socket-by-include", func(t *testing.T) {
		dir := t.TempDir()
		testcases.WriteTree(t, dir, map[string]string{"etc/network/interfaces": "source interfaces.d/*\n" + aliasFix})
		os.MkdirAll(filepath.Join(dir, "etc/network/interfaces.d"), 0o755)
		l, err := net.Listen("unix", filepath.Join(dir, "etc/network/interfaces.d/sock"))
		if err != nil {
			t.Skipf("cannot create a socket: %v", err)
		}
		defer l.Close()
		refuse(t, dir, "{D}/etc/network/interfaces:1: {D}/etc/network/interfaces.d/sock: is a socket, not a regular file\n", "--root", dir)
	})
	t.Run("device-as-file", func(t *testing.T) {
		dir := t.TempDir()
		refuse(t, dir, "/dev/zero: is a device, not a regular file\n", "/dev/zero")
	})
	t.Run("dev-zero-sourced", func(t *testing.T) {
		dir := t.TempDir()
		top := filepath.Join(dir, "interfaces")
		testcases.WriteTree(t, dir, map[string]string{"interfaces": aliasFix + "source /dev/zero\n"})
		// Not run through ifquery: ifupdown reads /dev/zero forever.
		r := refuse(t, dir, "{D}/interfaces:9: /dev/zero: is a device, not a regular file\n", top)
		if r.maxRSS > memBound(1<<20) {
			t.Errorf("max RSS %d MB", r.maxRSS>>20)
		}
	})
	t.Run("device-in-root-by-include", func(t *testing.T) {
		needRoot(t)
		dir := t.TempDir()
		testcases.WriteTree(t, dir, map[string]string{"etc/network/interfaces": "source interfaces.d/*\n" + aliasFix})
		os.MkdirAll(filepath.Join(dir, "etc/network/interfaces.d"), 0o755)
		if err := syscall.Mknod(filepath.Join(dir, "etc/network/interfaces.d/zero"), syscall.S_IFCHR|0o666, int(1<<8|5)); err != nil {
			t.Skipf("mknod: %v", err)
		}
		refuse(t, dir, "{D}/etc/network/interfaces:1: {D}/etc/network/interfaces.d/zero: is a device, not a regular file\n", "--root", dir)
	})
	t.Run("dev-null-sourced", func(t *testing.T) {
		dir := t.TempDir()
		top := filepath.Join(dir, "interfaces")
		testcases.WriteTree(t, dir, map[string]string{"interfaces": "source /dev/null\n" + aliasFix})
		if r := run(t, cmdOpts{}, "--apply", top); r.code != exitWritten || !strings.Contains(r.stderr, "1 file checked") {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		if code, out := ifqueryVerdict(t, top, "-l"); code > 0 {
			t.Errorf("ifquery refuses `source /dev/null` (exit %d):\n%s", code, out)
		}
	})
	t.Run("directory-by-glob", func(t *testing.T) {
		dir := t.TempDir()
		top := filepath.Join(dir, "interfaces")
		testcases.WriteTree(t, dir, map[string]string{"interfaces": "source d/*\n" + aliasFix, "d/sub/x": "garbage\n"})
		r := run(t, cmdOpts{}, "--apply", top)
		if r.code != exitWrittenAttention || !strings.Contains(r.stderr, top+":1: include-not-file: "+dir+"/d/sub: is a directory; ifupdown skips it") {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
	})
}

// TestHostileIncludeCycles: a file that sources itself, and two that source each other.
// ifupdown 0.8.41 reads each path string once: back to the very path a file was read by, the cycle
// ends and ifupdown accepts it (checked with ifquery below), so ifacefix reads each file once and
// reports the cycle at its source line as a finding for a person (exit 1). Through another
// spelling ("./"), ifupdown reads the files again and again, repeating their stanzas: ifacefix
// refuses with exit 2 at the source line and writes nothing. See RELIABILITY.md.
func TestHostileIncludeCycles(t *testing.T) {
	cases := []struct {
		name string
		tree map[string]string
		line string // where the cycle is reported
		code int
	}{
		{"self", map[string]string{"interfaces": "source interfaces\n" + aliasFix}, "interfaces:1", 1},
		{"mutual", map[string]string{"interfaces": "source other\n" + aliasFix, "other": "auto lo\niface lo inet loopback\nsource interfaces\n"}, "other:3", 1},
		{"respelled-self", map[string]string{"interfaces": "source ./interfaces\n" + aliasFix}, "interfaces:1", 2},
		{"respelled-mutual", map[string]string{"interfaces": "source other\n" + aliasFix, "other": "auto lo\niface lo inet loopback\nsource ./interfaces\n"}, "other:3", 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			top := filepath.Join(dir, "interfaces")
			testcases.WriteTree(t, dir, c.tree)
			want := filepath.Join(dir, c.line) + ": include-cycle: " + top + " is already being read: include cycle, not followed again"
			args := []string{top}
			if c.code == 2 {
				want = filepath.Join(dir, c.line) + ": include cycle: " + top + " is already being read; ifupdown reads it again as "
				args = []string{"--apply", top}
			} else if code, out := ifqueryVerdict(t, top, "-l"); code > 0 {
				t.Fatalf("ifquery refuses it (exit %d):\n%s", code, out)
			}
			r := run(t, cmdOpts{}, args...)
			if r.code != c.code || !strings.Contains(r.stderr, want) {
				t.Fatalf("exit %d, stderr:\n%s\nwant exit %d and %q", r.code, r.stderr, c.code, want)
			}
			for n, data := range c.tree {
				if got := readFile(t, filepath.Join(dir, n)); got != data {
					t.Errorf("%s changed:\n%s", n, got)
				}
			}
			if ents, _ := os.ReadDir(dir); len(ents) != len(c.tree) {
				t.Errorf("%d names in the tree, want %d: something was written", len(ents), len(c.tree))
			}
		})
	}
}

// TestHostileDeepIncludes: a chain of 100,000 files, each sourcing the next. ifacefix stops at
// 100 levels with an error at the source line that goes deeper, having read 101 files.
func TestHostileDeepIncludes(t *testing.T) {
	dir := t.TempDir()
	const n = 100_000
	for i := range n {
		data := fmt.Sprintf("source f%d\n", i+1)
		if i == 0 {
			data += aliasFix
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%d", i)), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%d", n)), []byte("auto lo\niface lo inet loopback\n"), 0o644)
	r := run(t, cmdOpts{}, "--apply", filepath.Join(dir, "f0"))
	want := "ifacefix: " + filepath.Join(dir, "f100") + ":1: includes nested deeper than 100 levels\n"
	if r.code != 2 || r.stderr != want {
		t.Fatalf("exit %d, stderr:\n%s\nwant exit 2 and\n%s", r.code, r.stderr, want)
	}
	// Nothing written: f0 (the file with the fix) is as it was and no name was added.
	if got := readFile(t, filepath.Join(dir, "f0")); got != "source f1\n"+aliasFix {
		t.Errorf("f0 changed:\n%s", got)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != n+1 {
		t.Errorf("%d names in the tree, want %d", len(ents), n+1)
	}
}

// TestHostileLongNames: ifupdown cuts every word to 79 bytes, so two stanzas whose names differ
// only after byte 79 are the same interface (ifquery answers for both; the parser's cut is
// checked by parser's TestLongNamesCut). No device has a name that long (ip finds none over 15
// bytes), so neither stanza comes up, neither gateway is installed, and ifacefix changes nothing.
func TestHostileLongNames(t *testing.T) {
	base := strings.Repeat("e", 79)
	in := fmt.Sprintf(`auto %[1]sX
iface %[1]sX inet static
    address 192.0.2.1/24
    gateway 192.0.2.254

iface %[1]sY inet static
    address 192.0.2.2/24
    gateway 192.0.2.253
`, base)
	dir := t.TempDir()
	top := filepath.Join(dir, "interfaces")
	testcases.WriteTree(t, dir, map[string]string{"interfaces": in})
	if code, out := ifqueryVerdict(t, top, base+"Z"); code >= 0 {
		// Queried by any name with the same first 79 bytes, ifquery prints both stanzas' options.
		if code != 0 || !strings.Contains(out, "gateway: 192.0.2.254") || !strings.Contains(out, "gateway: 192.0.2.253") {
			t.Fatalf("ifquery does not treat the names as one (exit %d):\n%s", code, out)
		}
	}
	r := run(t, cmdOpts{}, "--apply", top)
	if r.code != 0 || !strings.Contains(r.stderr, "0 findings") {
		t.Fatalf("exit %d, stderr:\n%s\nwant exit 0 and no finding", r.code, r.stderr)
	}
	if got := readFile(t, top); got != in {
		t.Errorf("file changed:\n%s", got)
	}
}

// TestHostileMillionStanzas: one million stanzas (25 MB) are parsed and fixed with memory in
// proportion to the input; an error at the end is still reported at its exact line.
func TestHostileMillionStanzas(t *testing.T) {
	var b strings.Builder
	b.WriteString("auto lo\niface lo inet loopback\n")
	for i := range 1_000_000 {
		fmt.Fprintf(&b, "iface e%d inet manual\n", i)
	}
	big := b.String()
	t.Run("fixed", func(t *testing.T) {
		dir := t.TempDir()
		top := filepath.Join(dir, "interfaces")
		testcases.WriteTree(t, dir, map[string]string{"interfaces": big + aliasFix})
		r := run(t, cmdOpts{measure: true}, "--apply", top)
		if r.code != exitWritten || !strings.Contains(r.stderr, top+":1000010: alias-gateway: ") {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		if got, want := readFile(t, top), big+strings.TrimSuffix(aliasFix, "    gateway 192.0.2.1\n"); got != want {
			t.Errorf("fixed file is not the input minus the alias gateway")
		}
		if n := len(big); r.maxRSS > stanzaMemBound(n) {
			t.Errorf("max RSS %d MB for %d MB of input", r.maxRSS>>20, n>>20)
		}
		t.Logf("1,000,000 stanzas (%d MB): fixed, max RSS %d MB", len(big)>>20, r.maxRSS>>20)
	})
	t.Run("error-at-end", func(t *testing.T) {
		dir := t.TempDir()
		top := filepath.Join(dir, "interfaces")
		testcases.WriteTree(t, dir, map[string]string{"interfaces": aliasFix + big + "iface broken\n"})
		r := refuse(t, dir, "{D}/interfaces:1000011: unknown or no address type and no inherits keyword specified\n", top)
		if n := len(big); r.maxRSS > stanzaMemBound(n) {
			t.Errorf("max RSS %d MB for %d MB of input", r.maxRSS>>20, n>>20)
		}
	})
}
