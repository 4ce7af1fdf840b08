package plan

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ifacefix/ifacefix/fixer"
	"github.com/ifacefix/ifacefix/internal/rootfs"
	"github.com/ifacefix/ifacefix/internal/safefile"
	"github.com/ifacefix/ifacefix/parser"
)

// TestEveryRootReported: a root that does not exist or fails to parse does not hide the others:
// each is in Plan.Roots with its error, the good roots' files and findings are in the plan (with
// their root), and Run returns the first error; with Apply, nothing at all is written.
func TestEveryRootReported(t *testing.T) {
	good := twoFiles(t)
	bad := mkTree(t, map[string]string{mainFile: "iface eth0 inet static\nauto eth0\n    gateway 192.0.2.1\n"})
	missing := filepath.Join(t.TempDir(), "nope")
	for _, apply := range []bool{false, true} {
		p, err := Run(Options{Roots: []string{missing, good, bad}, Apply: apply, Backup: true, LockTimeout: time.Second})
		if err == nil || !strings.Contains(err.Error(), "nope") {
			t.Fatalf("apply=%v: err = %v, want the missing root's", apply, err)
		}
		if len(p.Roots) != 3 || p.Roots[0].Err == nil || p.Roots[1].Err != nil || p.Roots[2].Err == nil {
			t.Fatalf("apply=%v: roots %+v", apply, p.Roots)
		}
		var pe *parser.Error
		if !errors.As(p.Roots[2].Err, &pe) || pe.Line != 3 {
			t.Errorf("apply=%v: bad root's error %v", apply, p.Roots[2].Err)
		}
		if len(p.Files) != 2 || len(p.Findings) != 2 {
			t.Fatalf("apply=%v: %d files, %d findings; want the good root's 2 and 2", apply, len(p.Files), len(p.Findings))
		}
		for _, f := range p.Files {
			if f.Root != good || f.Written {
				t.Errorf("apply=%v: file %s root %q written %v", apply, f.Path, f.Root, f.Written)
			}
		}
		for _, f := range p.Findings {
			if f.Root != good {
				t.Errorf("apply=%v: finding %s root %q", apply, f.Path, f.Root)
			}
		}
	}
	if readFile(t, good, mainFile) != mainData {
		t.Error("written although another root failed")
	}
}

// TestRootFailingHalfway: a root whose second top-level file fails leaves none of its files in
// the plan, and a later root that shares a file with it still plans that file.
func TestRootFailingHalfway(t *testing.T) {
	dir := twoFiles(t)
	p, _ := Run(Options{Roots: []string{dir, dir}, Files: []string{"/" + mainFile, "/etc/network/missing"}})
	if len(p.Files) != 0 || len(p.Findings) != 0 || p.Roots[0].Err == nil || p.Roots[1].Err == nil {
		t.Errorf("files %d, findings %d, roots %+v", len(p.Files), len(p.Findings), p.Roots)
	}
}

// TestNoConfig: a missing top-level file (and directory) is ErrNoConfig; a missing sourced file,
// a dangling symlink and a missing root are not. With AllowMissing, such a root is no error and
// the other roots are written.
func TestNoConfig(t *testing.T) {
	bare := t.TempDir()
	emptyDir := mkTree(t, map[string]string{"etc/network/if-up.d/x": ""})
	dangling := t.TempDir()
	os.MkdirAll(filepath.Join(dangling, "etc/network"), 0o755)
	os.Symlink("interfaces.real", filepath.Join(dangling, mainFile))
	srcMissing := mkTree(t, map[string]string{mainFile: "source /etc/network/other\n"})
	for _, c := range []struct {
		root     string
		noConfig bool
	}{{bare, true}, {emptyDir, true}, {dangling, false}, {srcMissing, false}, {filepath.Join(bare, "nope"), false}} {
		for _, apply := range []bool{false, true} {
			_, err := Run(Options{Roots: []string{c.root}, Apply: apply, LockTimeout: time.Second})
			if errors.Is(err, ErrNoConfig) != c.noConfig {
				t.Errorf("%s apply=%v: err %v, ErrNoConfig want %v", c.root, apply, err, c.noConfig)
			}
			if c.noConfig && (err.Error() != filepath.Join(c.root, mainFile)+": no such file or directory" || !errors.Is(err, fs.ErrNotExist)) {
				t.Errorf("%s: error %q", c.root, err)
			}
		}
	}
	good := twoFiles(t)
	p, err := Run(Options{Roots: []string{bare, good}, Apply: true, AllowMissing: true, LockTimeout: time.Second})
	if err != nil || !errors.Is(p.Roots[0].Err, ErrNoConfig) || p.Roots[1].Err != nil {
		t.Fatalf("AllowMissing: err %v, roots %+v", err, p.Roots)
	}
	if readFile(t, good, mainFile) != mainFixed {
		t.Error("AllowMissing: the other root was not written")
	}
	if _, err := Run(Options{Roots: []string{dangling, good}, AllowMissing: true}); err == nil {
		t.Error("AllowMissing: a dangling symlink must stay an error")
	}
}

// TestRelativeDisplay: without a root, a file named relative is shown relative (so are the files
// it sources below the working directory, and its backup); an absolute name stays absolute.
func TestRelativeDisplay(t *testing.T) {
	dir := twoFiles(t)
	wd := filepath.Join(dir, "etc")
	p, err := Run(Options{Files: []string{"network/interfaces"}, WorkDir: wd, Apply: true, Backup: true, LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range p.Files {
		paths = append(paths, f.Path)
		if !strings.HasPrefix(f.Backup, filepath.Dir(f.Path)+"/.") {
			t.Errorf("%s: backup %q", f.Path, f.Backup)
		}
	}
	if strings.Join(paths, " ") != "network/interfaces network/interfaces.d/eth0-1" {
		t.Errorf("paths %q", paths)
	}
	_, err = Run(Options{Files: []string{"network/nope"}, WorkDir: wd})
	if err == nil || err.Error() != "network/nope: no such file or directory" {
		t.Errorf("missing relative file: %v", err)
	}
	p, err = Run(Options{Files: []string{filepath.Join(dir, mainFile)}, WorkDir: wd})
	if err != nil || p.Files[0].Path != filepath.Join(dir, mainFile) {
		t.Errorf("absolute name: %v, %q", err, p.Files[0].Path)
	}
}

// TestUnwrittenSaysSo: a finding whose file is not written (declined, or linked to a declined
// one) is not fixed and its message says why instead of "removed" or "moved".
func TestUnwrittenSaysSo(t *testing.T) {
	files := map[string]string{
		mainFile: "source interfaces.d/*\niface eth0 inet static\n    address 192.0.2.10/24\n",
		subFile:  subData,
	}
	dir := mkTree(t, files)
	asked := 0
	p, err := Run(Options{Roots: []string{dir}, Apply: true, LockTimeout: time.Second,
		Confirm: func(f *File) (bool, error) { asked++; return false, nil }})
	if err != nil {
		t.Fatal(err)
	}
	if asked != 1 || len(p.Findings) != 2 {
		t.Fatalf("asked %d, findings %+v", asked, p.Findings)
	}
	for _, f := range p.Findings {
		if f.Fixed || f.Removed != "" || strings.HasSuffix(f.Message, "removed") || strings.Contains(f.Message, "moved gateway") ||
			!strings.HasSuffix(f.Message, ")") || !strings.Contains(f.Message, "left as is (") {
			t.Errorf("%s:%d: %+v", f.Path, f.Line, f)
		}
	}
	if !strings.HasSuffix(p.Findings[0].Message, "left as is (the change was declined)") ||
		!strings.HasSuffix(p.Findings[1].Message, "left as is (it goes with the change to "+filepath.Join(dir, mainFile)+", which was declined)") {
		t.Errorf("messages %q / %q", p.Findings[0].Message, p.Findings[1].Message)
	}
	// A dry run says what --apply does: nothing was written, so nothing "moved".
	p, _ = Run(Options{Roots: []string{dir}})
	if !p.Findings[0].Fixed || !strings.HasSuffix(p.Findings[0].Message, "; --apply moves gateway 192.0.2.1 into it") {
		t.Errorf("dry run: %+v", p.Findings[0])
	}
}

// TestLockedNamesHolder: the lock error names the process that holds the lock (here the test
// itself, which is not ifacefix), and still matches safefile.ErrLocked.
func TestLockedNamesHolder(t *testing.T) {
	if _, err := os.Stat("/proc/locks"); err != nil {
		t.Skip("no /proc/locks")
	}
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
	_, err = Run(Options{Roots: []string{dir}, Apply: true, LockTimeout: 0})
	var le *LockedError
	if !errors.As(err, &le) || !errors.Is(err, safefile.ErrLocked) || le.PID != os.Getpid() {
		t.Fatalf("err = %#v, want a LockedError with pid %d", err, os.Getpid())
	}
	comm, _ := os.ReadFile("/proc/self/comm")
	want := "lock " + filepath.Join(dir, "etc/network") + ": locked by process " + strconv.Itoa(os.Getpid()) + " (" + strings.TrimSpace(string(comm)) + ") (waited 0s)"
	if err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

func TestFlockHolder(t *testing.T) {
	text := "1: POSIX  ADVISORY  WRITE 99 08:01:5678 0 EOF\n" +
		"2: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF\n" +
		"2: -> FLOCK  ADVISORY  WRITE 77 fd:01:5678 0 EOF\n"
	dev := uint64(0xfd<<8 | 1)
	if pid := flockHolder(bufio.NewScanner(strings.NewReader(text)), dev, 5678); pid != 1234 {
		t.Errorf("pid %d, want 1234", pid)
	}
	if pid := flockHolder(bufio.NewScanner(strings.NewReader(text)), dev, 5679); pid != 0 {
		t.Errorf("other inode: pid %d", pid)
	}
}

// TestNotFollowed: FromBytes lists the include lines it did not follow.
func TestNotFollowed(t *testing.T) {
	p, err := FromBytes("<stdin>", []byte("source interfaces.d/*\niface lo inet loopback\nsource-directory  /etc/x \n"), fixer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.NotFollowed) != 2 || p.NotFollowed[0] != (Include{"<stdin>", 1, "source interfaces.d/*"}) || p.NotFollowed[1] != (Include{"<stdin>", 3, "source-directory /etc/x"}) {
		t.Errorf("%+v", p.NotFollowed)
	}
}
