package glob

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ifacefix/ifacefix/internal/rootfs"
)

// makeTree creates entries under root: "x/" a directory, "x -> t" a symlink, else a file.
func makeTree(tb testing.TB, root string, entries []string) {
	tb.Helper()
	for _, e := range entries {
		var err error
		switch name, target, link := strings.Cut(e, " -> "); {
		case link:
			err = os.MkdirAll(filepath.Dir(filepath.Join(root, name)), 0o755)
			if err == nil {
				err = os.Symlink(target, filepath.Join(root, name))
			}
		case strings.HasSuffix(e, "/"):
			err = os.MkdirAll(filepath.Join(root, e), 0o755)
		default:
			err = os.MkdirAll(filepath.Dir(filepath.Join(root, e)), 0o755)
			if err == nil {
				err = os.WriteFile(filepath.Join(root, e), nil, 0o644)
			}
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
}

func openRoot(tb testing.TB, dir string) *rootfs.FS {
	tb.Helper()
	fsys, err := rootfs.Open(dir)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { fsys.Close() })
	return fsys
}

var (
	chrootOnce sync.Once
	chrootOK   bool
)

// canChroot reports whether the oracle can run chrooted into a tree, so that absolute
// patterns and symlinks mean the same to glibc and to rootfs (it needs root, or CAP_SYS_CHROOT).
func canChroot() bool {
	chrootOnce.Do(func() {
		bin, err := buildHelper()
		if err != nil {
			return
		}
		cmd := exec.Command(bin, "-chroot", os.TempDir())
		cmd.Stdin = strings.NewReader("")
		chrootOK = cmd.Run() == nil
	})
	return chrootOK
}

// confined drops, for an oracle that is not chrooted, the symlinks that climb out of the tree.
func confined(entries []string) []string {
	return slices.DeleteFunc(entries, func(e string) bool { return strings.Contains(e, " -> ..") })
}

// leaves reports whether pattern could read outside the tree when not chrooted: "/", ".."
// (also from ".*"), `\/`.
func leaves(p string) bool {
	return strings.HasPrefix(p, "/") || slices.ContainsFunc(strings.Split(p, "/"), func(c string) bool {
		return strings.HasPrefix(c, ".") || strings.HasPrefix(c, "\\")
	})
}

// startTreeOracle starts the oracle in root: chrooted when possible, else with root as its
// working directory (then only relative patterns and symlinks compare).
func startTreeOracle(tb testing.TB, root string) *oracle {
	if canChroot() {
		return startOracle(tb, "-chroot", root)
	}
	return startOracle(tb, "-chdir", root)
}

var globTree = []string{
	"etc/network/interfaces",
	"etc/network/interfaces.d/eth0",
	"etc/network/interfaces.d/eth1.cfg",
	"etc/network/interfaces.d/.hidden",
	"etc/network/interfaces.d/-dash",
	"etc/network/interfaces.d/[x]",
	"etc/network/interfaces.d/\\x",
	"etc/network/interfaces.d/a b",
	"etc/network/interfaces.d/\u00e9t\u00e9",
	"etc/network/interfaces.d/Zed",
	"etc/network/interfaces.d/sub/f",
	"etc/network/interfaces.d/lnk -> sub",
	"etc/network/interfaces.d/dang -> nothing",
	"etc/network/interfaces.d/loop -> loop",
	"etc/network/interfaces.d/up -> ../other",
	"etc/network/interfaces.d/abs -> /etc/network/other",
	"etc/network/other/f",
	"etc/network/other/[.]x",
	"etc/network/empty/",
	"d/x -> .",
	"d/y -> .",
}

// globCases hold glibc 2.36's results (checked by TestGlobOracle) over globTree, with
// relative patterns read in "/".
var globCases = []struct {
	pattern string
	want    []string
}{
	{"/etc/network/interfaces.d/*", []string{"/etc/network/interfaces.d/-dash", "/etc/network/interfaces.d/Zed", "/etc/network/interfaces.d/[x]", "/etc/network/interfaces.d/\\x", "/etc/network/interfaces.d/a b", "/etc/network/interfaces.d/abs", "/etc/network/interfaces.d/dang", "/etc/network/interfaces.d/eth0", "/etc/network/interfaces.d/eth1.cfg", "/etc/network/interfaces.d/lnk", "/etc/network/interfaces.d/loop", "/etc/network/interfaces.d/sub", "/etc/network/interfaces.d/up", "/etc/network/interfaces.d/\u00e9t\u00e9"}},
	{"/etc/network/interfaces.d/.*", []string{"/etc/network/interfaces.d/.", "/etc/network/interfaces.d/..", "/etc/network/interfaces.d/.hidden"}},
	{"/etc/network/interfaces.d/[[:alnum:]]*", []string{"/etc/network/interfaces.d/Zed", "/etc/network/interfaces.d/a b", "/etc/network/interfaces.d/abs", "/etc/network/interfaces.d/dang", "/etc/network/interfaces.d/eth0", "/etc/network/interfaces.d/eth1.cfg", "/etc/network/interfaces.d/lnk", "/etc/network/interfaces.d/loop", "/etc/network/interfaces.d/sub", "/etc/network/interfaces.d/up"}},
	{"/etc/network/interfaces.d/*.cfg", []string{"/etc/network/interfaces.d/eth1.cfg"}},
	{"/etc/network/interfaces.d/*.none", []string{"/etc/network/interfaces.d/*.none"}},
	{"/etc/network/interfaces.d/\\*", []string{"/etc/network/interfaces.d/\\*"}},
	{"/etc/network/interfaces.d/\\[x]*", []string{"/etc/network/interfaces.d/[x]"}},
	{"/etc/network/interfaces.d/[\\]x", []string{"/etc/network/interfaces.d/[\\]x"}},
	{"/etc/network/interfaces.d/\\\\x*", []string{"/etc/network/interfaces.d/\\x"}},
	{"/etc/network/interfaces.d/e[!a]h?", []string{"/etc/network/interfaces.d/eth0"}},
	{"/etc/network/interfaces.d/e[^a]h?", []string{"/etc/network/interfaces.d/eth0"}},
	{"/etc/network/interfaces.d/x[y", []string{"/etc/network/interfaces.d/x[y"}},
	{"/etc/network/interfaces.d/*/", []string{"/etc/network/interfaces.d/abs/", "/etc/network/interfaces.d/lnk/", "/etc/network/interfaces.d/sub/", "/etc/network/interfaces.d/up/"}},
	{"/etc/network/interfaces.d/e*/", []string{"/etc/network/interfaces.d/e*"}}, // no directory: no trailing slash
	{"/etc/network/interfaces.d/*//", []string{"/etc/network/interfaces.d/abs/", "/etc/network/interfaces.d/lnk/", "/etc/network/interfaces.d/sub/", "/etc/network/interfaces.d/up/"}},
	{"/etc/network/interfaces.d/*/f", []string{"/etc/network/interfaces.d/abs/f", "/etc/network/interfaces.d/lnk/f", "/etc/network/interfaces.d/sub/f", "/etc/network/interfaces.d/up/f"}},
	{"/etc/network/interfaces.d/*//f", []string{"/etc/network/interfaces.d/abs//f", "/etc/network/interfaces.d/lnk//f", "/etc/network/interfaces.d/sub//f", "/etc/network/interfaces.d/up//f"}},
	{"/etc/network/interfaces.d/*/./f", []string{"/etc/network/interfaces.d/abs/./f", "/etc/network/interfaces.d/lnk/./f", "/etc/network/interfaces.d/sub/./f", "/etc/network/interfaces.d/up/./f"}},
	{"/etc/network/interfaces.d/*/../other/f", []string{"/etc/network/interfaces.d/abs/../other/f", "/etc/network/interfaces.d/up/../other/f"}}, // ".." after a symlink is physical
	{"/etc/network/interfaces.d/*\\/f", []string{"/etc/network/interfaces.d/abs/f", "/etc/network/interfaces.d/lnk/f", "/etc/network/interfaces.d/sub/f", "/etc/network/interfaces.d/up/f"}},
	{"/etc/network/interfaces.d/*/.", []string{"/etc/network/interfaces.d/abs/.", "/etc/network/interfaces.d/lnk/.", "/etc/network/interfaces.d/sub/.", "/etc/network/interfaces.d/up/."}},
	{"/etc/network/interfaces.d/d*", []string{"/etc/network/interfaces.d/dang"}}, // a dangling symlink matches
	{"/etc/network/*/dang", []string{"/etc/network/interfaces.d/dang"}},          // lstat finds it too
	{"/etc/network/*/loop", []string{"/etc/network/interfaces.d/loop"}},
	{"/etc/network/*/eth0/x", []string{"/etc/network/*/eth0/x"}},
	{"/etc/network/*/eth0/.", []string{"/etc/network/*/eth0/."}},
	{"/etc/network/*/sub/", []string{"/etc/network/interfaces.d/sub/"}},
	{"/etc/network/*/eth0/", []string{"/etc/network/interfaces.d/eth0"}}, // a literal part may be a file: no slash added
	{"/etc/network/?/", []string{"/etc/network/?"}},
	{"/e?c/", []string{"/etc/"}},                                     // one-letter directory part: another glibc path, same effect
	{"/etc/network/other/[.]x", []string{"/etc/network/other/[.]x"}}, // no match: the pattern, which names a file
	{"/etc/network/empty/*", []string{"/etc/network/empty/*"}},
	{"/etc/network/nodir/*", []string{"/etc/network/nodir/*"}},
	{"/etc/network/interfaces/*", []string{"/etc/network/interfaces/*"}},
	{"/etc/n*/interfaces", []string{"/etc/network/interfaces"}},
	{"/etc/n*//interfaces", []string{"/etc/network//interfaces"}},
	{"/etc/./n*", []string{"/etc/./network"}},
	{"/etc/../etc/n*", []string{"/etc/../etc/network"}},
	{"//etc/n*", []string{"//etc/network"}},
	{"/../etc/n*", []string{"/../etc/network"}},
	{"etc/n*", []string{"etc/network"}},
	{"./etc/n*", []string{"./etc/network"}},
	{"e*", []string{"etc"}},
	{"/*/network", []string{"/etc/network"}},
	{"/etc/net[a-z]ork/interfaces.d/eth[0-9]", []string{"/etc/network/interfaces.d/eth0"}},
	{"/etc/network/interfaces.d/\u00e9*", []string{"/etc/network/interfaces.d/\u00e9t\u00e9"}},
	{"/etc/network/interfaces.d/[\xc0-\xdf]*", []string{"/etc/network/interfaces.d/\u00e9t\u00e9"}},
	{"/etc/network/interfaces.d/?t?", []string{"/etc/network/interfaces.d/?t?"}}, // bytes, not characters
	{"/etc/network/interfaces.d/??t??", []string{"/etc/network/interfaces.d/\u00e9t\u00e9"}},
	{"/etc/network/interfaces.d/[![:alpha:]]*t*", []string{"/etc/network/interfaces.d/\u00e9t\u00e9"}}, // 0xc3 is no letter
	{"/etc/network/\\i*/eth0", []string{"/etc/network/interfaces.d/eth0"}},
	{"/etc/\\network/i*", []string{"/etc/network/interfaces", "/etc/network/interfaces.d"}},
	{"/etc/\\network/x*", []string{"/etc/\\network/x*"}},
	{"/etc/network/e*\\/", []string{"/etc/network/empty/"}}, // "\/" at the end is '/'
	{"/etc/network/q*\\/", []string{"/etc/network/q*\\/"}},  // ... but no match gives the whole pattern
	{"/etc/network/q*\\\\/", []string{"/etc/network/q*\\\\"}},
	{"\\/etc/n*", []string{"/etc/network"}},
	{"/etc/n*\x00/x", []string{"/etc/network"}},
	{"d/*/*/*/x", []string{"d/x/x/x/x", "d/x/x/y/x", "d/x/y/x/x", "d/x/y/y/x", "d/y/x/x/x", "d/y/x/y/x", "d/y/y/x/x", "d/y/y/y/x"}},
}

func TestGlob(t *testing.T) {
	root := t.TempDir()
	makeTree(t, root, globTree)
	fsys := openRoot(t, root)
	for _, c := range globCases {
		got, err := Glob(fsys, c.pattern)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("Glob(%q) = %q, %v; want %q", c.pattern, got, err, c.want)
		}
	}
}

func TestGlobOracle(t *testing.T) {
	if _, err := buildHelper(); err != nil {
		t.Skip(err)
	}
	if !canChroot() {
		t.Skip("needs root to chroot the glibc oracle into the tree (the table has absolute patterns)")
	}
	root := t.TempDir()
	makeTree(t, root, globTree)
	o := startTreeOracle(t, root)
	for _, c := range globCases {
		if want := o.glob(t, c.pattern); !slices.Equal(want, c.want) {
			t.Errorf("table: glibc glob(%q) = %q", c.pattern, want)
		}
	}
}

// TestGlobWorkDir checks that relative patterns read Options.Dir and keep their spelling.
func TestGlobWorkDir(t *testing.T) {
	root := t.TempDir()
	makeTree(t, root, globTree)
	fsys := openRoot(t, root)
	for _, c := range []struct{ dir, pattern, want string }{
		{"/etc/network", "interfaces.d/e*0", "interfaces.d/eth0"},
		{"/etc/network", "./i*.d/eth0", "./interfaces.d/eth0"},
		{"/etc/network/interfaces.d", "../o*", "../other"},
		{"/etc/network/interfaces.d/up", "../*/f", "../other/f"}, // physical "..": up -> ../other
	} {
		got, err := Options{Dir: c.dir}.Glob(fsys, c.pattern)
		if err != nil || !slices.Equal(got, []string{c.want}) {
			t.Errorf("Glob(%q) in %s = %q, %v; want %q", c.pattern, c.dir, got, err, c.want)
		}
	}
}

// TestGlobUnreadable: glibc skips a directory it cannot read, as if it were empty.
func TestGlobUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads every directory")
	}
	root := t.TempDir()
	makeTree(t, root, []string{"d/a/f", "d/b/f"})
	if err := os.Chmod(filepath.Join(root, "d/a"), 0o311); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(filepath.Join(root, "d/a"), 0o755)
	got, err := Glob(openRoot(t, root), "d/*/?")
	if err != nil || !slices.Equal(got, []string{"d/b/f"}) {
		t.Errorf("Glob = %q, %v; want [d/b/f]", got, err)
	}
	if _, err := buildHelper(); err == nil {
		if want := startOracle(t, "-chdir", root).glob(t, "d/*/?"); !slices.Equal(got, want) {
			t.Errorf("Glob = %q; glibc %q", got, want)
		}
	}
}

// TestGlobFIFO: a FIFO where a directory is expected is skipped, as glibc skips it (opendir
// fails with ENOTDIR), and nothing waits for a writer.
func TestGlobFIFO(t *testing.T) {
	root := t.TempDir()
	makeTree(t, root, []string{"d/a/f", "d/l -> p"})
	if err := syscall.Mkfifo(filepath.Join(root, "d/p"), 0o644); err != nil {
		t.Skip("mkfifo:", err)
	}
	fsys := openRoot(t, root)
	var o *oracle
	if _, err := buildHelper(); err == nil {
		o = startOracle(t, "-chdir", root)
	}
	for pattern, want := range map[string][]string{
		"d/p/*": {"d/p/*"}, "d/l/*": {"d/l/*"}, "d/*/f": {"d/a/f"}, "d/p/f": {"d/p/f"},
		"d/*/": {"d/a/"}, "d/*": {"d/a", "d/l", "d/p"},
	} {
		if o != nil {
			if g := o.glob(t, pattern); !slices.Equal(g, want) {
				t.Errorf("glibc glob(%q) = %q, the table says %q", pattern, g, want)
			}
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			if got, err := Glob(fsys, pattern); err != nil || !slices.Equal(got, want) {
				t.Errorf("Glob(%q) = %q, %v; want %q", pattern, got, err, want)
			}
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("Glob(%q) blocks", pattern)
		}
	}
}

// pathological builds d/x -> . and d/y -> . and returns "d/*/*/.../nomatch" with depth stars.
func pathological(tb testing.TB, depth int) (root, pattern string) {
	root = tb.TempDir()
	makeTree(tb, root, []string{"d/x -> .", "d/y -> ."})
	return root, "d/" + strings.Repeat("*/", depth) + "nomatch"
}

func TestGlobLimit(t *testing.T) {
	root, pattern := pathological(t, 17)
	fsys := openRoot(t, root)
	_, err := Glob(fsys, pattern)
	var le *LimitError
	if !errors.As(err, &le) || !errors.Is(err, ErrTooMuchWork) || le.Limit != DefaultMaxWork || le.Pattern != pattern {
		t.Fatalf("Glob(depth 17) error = %v, want a LimitError", err)
	}
	// Depth 10 is within the bound and gives what glibc gives: the pattern.
	_, pattern = pathological(t, 10)
	got, err := Glob(fsys, pattern)
	if err != nil || !slices.Equal(got, []string{pattern}) {
		t.Fatalf("Glob(depth 10) = %q, %v", got, err)
	}
	if _, err := (Options{MaxWork: 10}).Glob(fsys, "d/*/*"); !errors.Is(err, ErrTooMuchWork) {
		t.Errorf("MaxWork 10: error %v", err)
	}
	if got, err := (Options{MaxWork: -1}).Glob(fsys, "d/*/*/*/*/*/*/*/*/*/*/*/*/*/x"); err != nil || len(got) != 1<<13 {
		t.Errorf("MaxWork -1: %d results, %v", len(got), err)
	}
}

// randomTree makes a small tree of odd names, subdirectories and symlinks (absolute ones only
// when the oracle can chroot) and returns the names it made, for patterns to use.
func randomTree(r *rand.Rand, abs bool) (entries, names []string) {
	// Names are UTF-8 (rootfs, like every fs.FS, refuses other names; see TestGlobNotUTF8),
	// with multibyte letters for the byte-oriented matching of the C locale.
	pieces := []string{"a", "b", ".", "-", "!", "^", "]", "[", "\\", "*", "?", ":", "=", "z", "A", "1", " ", "\u00e9", "\u00fc"}
	nameOf := func() string {
		for {
			var b strings.Builder
			for range 1 + r.IntN(4) {
				b.WriteString(pieces[r.IntN(len(pieces))])
			}
			if n := b.String(); n != "." && n != ".." {
				return n
			}
		}
	}
	dirs := []string{""}
	seen := map[string]bool{}
	for range 6 + r.IntN(10) {
		parent := dirs[r.IntN(len(dirs))]
		n := nameOf()
		p := n
		if parent != "" {
			p = parent + "/" + n
		}
		if seen[p] {
			continue
		}
		seen[p] = true
		names = append(names, n)
		switch k := r.IntN(6); {
		case k < 2 && strings.Count(p, "/") < 3:
			dirs = append(dirs, p)
			entries = append(entries, p+"/")
		case k < 4:
			entries = append(entries, p)
		default:
			targets := []string{".", "..", "nothing", n, "../..", "x/y"}
			if len(dirs) > 1 {
				targets = append(targets, strings.Repeat("../", strings.Count(p, "/"))+dirs[1+r.IntN(len(dirs)-1)])
			}
			if abs {
				targets = append(targets, "/", "/"+dirs[r.IntN(len(dirs))], "/nothing")
			}
			entries = append(entries, p+" -> "+targets[r.IntN(len(targets))])
		}
	}
	return entries, names
}

// randomGlob builds a pattern of up to four parts from the tree's names (some escaped or
// mangled) and pattern pieces.
func randomGlob(r *rand.Rand, names []string, abs bool) string {
	var parts []string
	for range 1 + r.IntN(4) {
		var part string
		switch r.IntN(9) {
		case 0, 1:
			part = names[r.IntN(len(names))]
		case 2:
			part = escapeAll(names[r.IntN(len(names))])
		case 3:
			n := []byte(names[r.IntN(len(names))])
			n[r.IntN(len(n))] = "*?["[r.IntN(3)]
			part = string(n)
		case 4:
			part = []string{"*", ".*", "?", "..", ".", "", "*?", "[!.]*", "\\*", "[[:punct:]]*"}[r.IntN(10)]
		default:
			part = randomPattern(r, 3)
		}
		parts = append(parts, strings.ReplaceAll(part, "/", ""))
	}
	p := strings.Join(parts, "/")
	switch r.IntN(6) {
	case 0:
		p += "/"
	case 1:
		p = "./" + p
	case 2:
		if abs {
			p = "/" + p
		}
	}
	if !strings.ContainsAny(p, "*?[") {
		p += "*" // wordexp globs only words with a metacharacter
	}
	return p
}

func TestGlobRandom(t *testing.T) {
	abs := canChroot()
	trees, perTree := 60, 150
	if testing.Short() {
		trees = 10
	}
	r := rand.New(rand.NewPCG(3, 4))
	for i := range trees {
		root := t.TempDir()
		entries, names := randomTree(r, abs)
		if !abs {
			entries = confined(entries)
		}
		makeTree(t, root, entries)
		fsys := openRoot(t, root)
		o := startTreeOracle(t, root)
		for range perTree {
			p := randomGlob(r, names, abs)
			if !abs && leaves(strings.TrimPrefix(p, "./")) {
				continue
			}
			want := o.glob(t, p)
			got, err := Glob(fsys, p)
			if err != nil || !slices.Equal(got, want) {
				t.Errorf("tree %d %q: Glob(%q) = %q, %v; glibc %q", i, entries, p, got, err, want)
			}
		}
	}
}

// plainFS hides everything but fs.FS, ReadDir and Stat: no Resolver, no Lstat.
type plainFS struct{ fsys *rootfs.FS }

func (p plainFS) Open(name string) (fs.File, error)          { return p.fsys.Open(name) }
func (p plainFS) ReadDir(name string) ([]fs.DirEntry, error) { return p.fsys.ReadDir(name) }
func (p plainFS) Stat(name string) (fs.FileInfo, error)      { return p.fsys.Stat(name) }

// TestGlobPlainFS compares file systems without a Resolver (so ".." is lexical, and patterns
// here have none) with glibc: plainFS finds dangling symlinks through the directory listing,
// os.DirFS through its Lstat.
func TestGlobPlainFS(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 20 {
		root := t.TempDir()
		entries, names := randomTree(r, false)
		entries = confined(entries)
		makeTree(t, root, entries)
		o := startOracle(t, "-chdir", root)
		for _, fsys := range []fs.FS{plainFS{openRoot(t, root)}, os.DirFS(root)} {
			for range 100 {
				p := strings.TrimPrefix(randomGlob(r, names, false), "./")
				if leaves(p) {
					continue
				}
				want := o.glob(t, p)
				got, err := Glob(fsys, p)
				if err != nil || !slices.Equal(got, want) {
					t.Errorf("%T, tree %d %q: Glob(%q) = %q, %v; glibc %q", fsys, i, entries, p, got, err, want)
				}
			}
		}
	}
}

// BenchmarkPathological globs "d/*/.../*/nomatch" with d/x -> . and d/y -> . through glibc (in
// the oracle, one round trip per b.N) and through Glob; at depth 17 Glob refuses (LimitError).
func BenchmarkPathological(b *testing.B) {
	for _, depth := range []int{10, 16, 17} {
		root, pattern := pathological(b, depth)
		if depth < 17 {
			b.Run(fmt.Sprintf("glibc/depth=%d", depth), func(b *testing.B) {
				o := startOracle(b, "-chdir", root)
				b.ResetTimer()
				o.globTimes(b, pattern, b.N)
			})
		}
		fsys := openRoot(b, root)
		b.Run(fmt.Sprintf("go/depth=%d", depth), func(b *testing.B) {
			for b.Loop() {
				if _, err := Glob(fsys, pattern); (err != nil) != (depth == 17) {
					b.Fatal(err)
				}
			}
		})
	}
}
