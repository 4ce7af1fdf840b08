package plan

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ifacefix/ifacefix/internal/detect"
	"github.com/ifacefix/ifacefix/internal/safefile"
	"github.com/ifacefix/ifacefix/parser"

	"github.com/ifacefix/ifacefix/internal/testcases"
	"github.com/ifacefix/ifacefix/internal/udiff"
)

func TestNewestBackup(t *testing.T) {
	names := []string{
		"interfaces", ".interfaces.ifacefix-20260101T000000Z.bak",
		".interfaces.ifacefix-20260102T000000Z.bak", ".interfaces.ifacefix-20260102T000000Z-2.bak",
		".interfaces.ifacefix-20260102T000000Z-10.bak", ".interfaces.ifacefix-20260102T000000Z-01.bak",
		".interfaces.ifacefix-20270102T000000Z.bak.tmp", ".interfaces.ifacefix-2027010T000000Z.bak",
		".interfaces.ifacefix-20270102T000000Z-x.bak", ".other.ifacefix-20280102T000000Z.bak",
		".interfaces.d.ifacefix-20280102T000000Z.bak",
	}
	if got := newestBackup("interfaces", names); got != ".interfaces.ifacefix-20260102T000000Z-10.bak" {
		t.Errorf("newest %q", got)
	}
	if got := newestBackup("interfaces", names[:2]); got != ".interfaces.ifacefix-20260101T000000Z.bak" {
		t.Errorf("newest of one %q", got)
	}
	if got := newestBackup("eth0", names); got != "" {
		t.Errorf("no backup: %q", got)
	}
}

// TestUndo: after a fix, Undo's dry run shows the backup against the current bytes and writes
// nothing; with Apply it puts the backup back atomically, keeping the fixed bytes as a backup in
// turn, so a second Undo puts the fix back.
func TestUndo(t *testing.T) {
	dir := twoFiles(t)
	clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	now := func() time.Time { return clock }
	if _, err := Run(Options{Roots: []string{dir}, Apply: true, Backup: true, LockTimeout: time.Second, Now: now}); err != nil {
		t.Fatal(err)
	}
	main := filepath.Join(dir, mainFile)
	p, err := Undo(Options{Roots: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Files) != 1 || len(p.Roots) != 1 || p.Roots[0].Err != nil {
		t.Fatalf("plan %+v", p)
	}
	f := p.Files[0]
	want := udiff.Unified("a/"+strings.TrimPrefix(main, "/"), "b/"+strings.TrimPrefix(main, "/"), []byte(mainFixed), []byte(mainData), 3)
	if f.Path != main || f.Root != dir || !f.Changed || f.Written || string(f.Diff) != string(want) ||
		f.Restore != filepath.Join(dir, "etc/network/.interfaces.ifacefix-20260102T030405Z.bak") {
		t.Errorf("dry run: %+v\n%s", f, f.Diff)
	}
	if readFile(t, dir, mainFile) != mainFixed {
		t.Error("the dry run wrote")
	}

	clock = clock.Add(time.Hour)
	p, err = Undo(Options{Roots: []string{dir}, Apply: true, Backup: true, LockTimeout: time.Second, Now: now, NoDiff: true})
	if err != nil {
		t.Fatal(err)
	}
	f = p.Files[0]
	if !f.Written || f.Backup != filepath.Join(dir, "etc/network/.interfaces.ifacefix-20260102T040405Z.bak") || f.Diff != nil {
		t.Errorf("apply: %+v", f)
	}
	if readFile(t, dir, mainFile) != mainData || readFile(t, dir, "etc/network/.interfaces.ifacefix-20260102T040405Z.bak") != mainFixed {
		t.Error("not restored, or the fixed bytes not kept")
	}
	// The sourced file is not restored: it was not named.
	if readFile(t, dir, subFile) != subFixed {
		t.Error("a file not named was restored")
	}
	clock = clock.Add(time.Hour)
	if _, err := Undo(Options{Roots: []string{dir}, Apply: true, Backup: true, LockTimeout: time.Second, Now: now}); err != nil {
		t.Fatal(err)
	}
	if readFile(t, dir, mainFile) != mainFixed {
		t.Error("undoing the undo did not put the fix back")
	}
	// Several files, the sourced one named.
	p, err = Undo(Options{Roots: []string{dir}, Files: []string{"/" + mainFile, "/" + subFile}})
	if err != nil || len(p.Files) != 2 || p.Files[1].Restore != filepath.Join(dir, "etc/network/interfaces.d/.eth0-1.ifacefix-20260102T030405Z.bak") {
		t.Errorf("two files: %v %+v", err, p.Files)
	}
}

// TestUndoNoBackup: a file without a backup is an error (ErrNoBackup) and nothing is written,
// not even the files that have one; a missing file is ErrNoConfig.
func TestUndoNoBackup(t *testing.T) {
	dir := twoFiles(t)
	testcases.WriteTree(t, dir, map[string]string{"etc/network/other": "iface lo inet loopback\n"})
	if _, err := Run(Options{Roots: []string{dir}, Apply: true, Backup: true, LockTimeout: time.Second}); err != nil {
		t.Fatal(err)
	}
	p, err := Undo(Options{Roots: []string{dir}, Files: []string{"/" + mainFile, "/etc/network/other"}, Apply: true, Backup: true, LockTimeout: time.Second})
	other := filepath.Join(dir, "etc/network/other")
	if !errors.Is(err, ErrNoBackup) || err.Error() != other+": no ifacefix backup to restore (no .other.ifacefix-*.bak in "+filepath.Dir(other)+")" {
		t.Fatalf("err %v", err)
	}
	if len(p.Files) != 0 || readFile(t, dir, mainFile) != mainFixed {
		t.Error("written although another file had no backup")
	}
	_, err = Undo(Options{Roots: []string{t.TempDir()}})
	if !errors.Is(err, ErrNoConfig) {
		t.Errorf("missing file: %v", err)
	}
}

// TestUndoSymlink: the backup of a symlinked file is next to its target, and the restore writes
// through the link.
func TestUndoSymlink(t *testing.T) {
	dir := mkTree(t, map[string]string{"srv/interfaces": mainData})
	os.MkdirAll(filepath.Join(dir, "etc/network"), 0o755)
	if err := os.Symlink("/srv/interfaces", filepath.Join(dir, mainFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(Options{Roots: []string{dir}, Apply: true, Backup: true, LockTimeout: time.Second}); err != nil {
		t.Fatal(err)
	}
	p, err := Undo(Options{Roots: []string{dir}, Apply: true, Backup: true, LockTimeout: time.Second})
	if err != nil || !p.Files[0].Written || !strings.HasPrefix(p.Files[0].Restore, filepath.Join(dir, "srv/.interfaces.ifacefix-")) {
		t.Fatalf("%v %+v", err, p.Files)
	}
	if fi, err := os.Lstat(filepath.Join(dir, mainFile)); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the symlink was replaced")
	}
	if readFile(t, dir, "srv/interfaces") != mainData || len(testcases.Backups(filepath.Join(dir, "srv"), "interfaces")) != 2 {
		t.Error("not restored through the link, or no backup of the fixed bytes")
	}
}

// TestNGBackupNotReadBack: ifupdown-ng's source-directory reads every regular file of the
// directory, dotfiles too, so a backup next to the fixed file would be read back as part of the
// configuration (a red-team pass: the old stanzas came back, and each run fixed the backups of
// the last). Its backups go in a directory, which it skips: a second run finds nothing, and
// --undo finds the backup there and keeps its own there too.
func TestNGBackupNotReadBack(t *testing.T) {
	dir := t.TempDir()
	alias := "auto eth0\niface eth0 inet static\n    address 192.0.2.10/24\n    gateway 192.0.2.1\n" +
		"auto eth0:0\niface eth0:0 inet static\n    address 192.0.2.11/24\n    gateway 192.0.2.1\n"
	testcases.WriteTree(t, dir, map[string]string{
		mainFile:                        "source-directory /etc/network/interfaces.d\n",
		"etc/network/interfaces.d/eth0": alias,
	})
	clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	opt := Options{Roots: []string{dir}, Dialect: detect.Named(parser.IfupdownNG, "a test"), Apply: true, Backup: true,
		LockTimeout: time.Second, Now: func() time.Time { return clock }}
	p, err := Run(opt)
	if err != nil {
		t.Fatal(err)
	}
	bak := filepath.Join(dir, "etc/network/interfaces.d", safefile.BackupDir, ".eth0.ifacefix-20260102T030405Z.bak")
	if len(p.Findings) != 1 || readFile(t, dir, bak[len(dir)+1:]) != alias {
		t.Fatalf("first run: %d findings, backup %q", len(p.Findings), bak)
	}
	if p, err = Run(opt); err != nil || len(p.Findings) != 0 || slices.ContainsFunc(p.Files, func(f *File) bool { return f.Changed }) {
		t.Fatalf("second run: %v, %+v", err, p.Findings)
	}
	clock = clock.Add(time.Hour)
	u, err := Undo(Options{Roots: []string{dir}, Files: []string{"/etc/network/interfaces.d/eth0"}, Apply: true, Backup: true, LockTimeout: time.Second, Now: opt.Now})
	if err != nil || len(u.Files) != 1 || u.Files[0].Restore != bak || !strings.Contains(u.Files[0].Backup, "/"+safefile.BackupDir+"/") {
		t.Fatalf("undo: %v, %+v", err, u.Files)
	}
	if readFile(t, dir, "etc/network/interfaces.d/eth0") != alias {
		t.Error("undo did not put the file back")
	}
}

// TestNGUndoBackupInDirectory: on an ifupdown-ng root --undo keeps the backup of what it replaces
// in the backup directory even where the one it puts back lay beside the file (written by an
// earlier ifacefix): beside it, source-directory would read it (a review).
func TestNGUndoBackupInDirectory(t *testing.T) {
	dir := t.TempDir()
	testcases.WriteTree(t, dir, map[string]string{
		mainFile:                        "source-directory /etc/network/interfaces.d\n",
		"etc/network/interfaces.d/eth0": "iface eth0 inet dhcp\n",
		"etc/network/interfaces.d/.eth0.ifacefix-20250101T000000Z.bak": "iface eth0 inet static\n",
		"lib/apk/db/installed": "P:ifupdown-ng\nV:0.12.1-r7\n",
	})
	u, err := Undo(Options{Roots: []string{dir}, Files: []string{"/etc/network/interfaces.d/eth0"}, Apply: true, Backup: true, LockTimeout: time.Second})
	if err != nil || len(u.Files) != 1 || !strings.Contains(u.Files[0].Backup, "/interfaces.d/"+safefile.BackupDir+"/.eth0.ifacefix-") {
		t.Fatalf("undo: %v, %+v", err, u.Files)
	}
}
