package plan

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/ifacefix/ifacefix/internal/detect"
	"github.com/ifacefix/ifacefix/internal/safefile"
	"github.com/ifacefix/ifacefix/internal/udiff"
	"github.com/ifacefix/ifacefix/parser"
)

// ErrNoBackup is matched by Undo's error for a file that has no ifacefix backup next to it.
var ErrNoBackup = errors.New("no ifacefix backup to restore")

// Undo plans putting back the newest ifacefix backup (safefile.BackupName) of each top-level file
// of each root (Options.Files, default DefaultFile), and with Apply writes it exactly as Run
// writes a fix: under the lock, checked unchanged since read, atomically, keeping the current
// bytes as a backup in turn (Options.Backup). Sourced files are not followed: each file to
// restore is named. In the plan, File.Old is the current bytes, File.New the backup's,
// File.Restore the backup's path and File.Diff the diff between them (a dry run shows what
// --apply would put back). Roots are reported as Run reports them (Options.AllowMissing
// included); a file without a backup is an error of its root (ErrNoBackup).
func Undo(opt Options) (*Plan, error) {
	p, trees := openRoots(&opt)
	defer closeTrees(trees)
	if opt.Apply {
		unlock, err := lockAll(trees, opt.LockTimeout)
		if err != nil {
			return p, err
		}
		defer unlock()
	}
	for _, t := range trees {
		n := len(p.Files)
		for j := range t.names {
			f, err := restoreFile(t, j, !opt.NoDiff)
			if err != nil {
				p.Roots[t.root].Err = err
				p.Files = p.Files[:n]
				break
			}
			p.Files = append(p.Files, f)
		}
	}
	for _, r := range p.Roots {
		if r.Err != nil && !(opt.AllowMissing && errors.Is(r.Err, ErrNoConfig)) {
			return p, r.Err
		}
	}
	if !opt.Apply {
		return p, nil
	}
	return p, p.write(opt)
}

// restoreFile plans putting back the newest backup of the tree's j-th file.
func restoreFile(t *tree, j int, diff bool) (*File, error) {
	name, display := t.names[j], t.displays[j]
	old, fi, err := t.fsys.ReadFileInfo(name)
	if err != nil {
		if absent(t.fsys, name) {
			return nil, &NoConfigError{Path: display(name)}
		}
		return nil, fmt.Errorf("%s: %w", display(name), unwrapPathError(err))
	}
	// A backup sits next to the file written: for a symlink, its target.
	real, err := t.fsys.Resolve(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", display(name), unwrapPathError(err))
	}
	real = "/" + real
	dir, base := path.Split(real)
	rel := strings.TrimPrefix(path.Clean(dir), "/")
	if rel == "" {
		rel = "."
	}
	ents, err := t.fsys.ReadDir(rel)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", display(dir), unwrapPathError(err))
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	// ifupdown-ng's backups are in a directory of their own (backupDir).
	if sub, err := t.fsys.ReadDir(path.Join(rel, safefile.BackupDir)); err == nil {
		for _, e := range sub {
			names = append(names, safefile.BackupDir+"/"+e.Name())
		}
	}
	b := newestBackup(base, names)
	if b == "" {
		return nil, fmt.Errorf("%s: %w (no .%s.ifacefix-*.bak in %s)", display(name), ErrNoBackup, base, display(path.Clean(dir)))
	}
	from := path.Join(dir, b)
	data, err := t.fsys.ReadFile(strings.TrimPrefix(from, "/"))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", display(from), unwrapPathError(err))
	}
	exp := safefile.ExpectFrom(old, fi)
	f := &File{Root: t.dir, Path: display(name), Name: name, Old: old, New: data, Restore: display(from),
		Changed: !bytes.Equal(old, data), fsys: t.fsys, display: display, expected: &exp}
	// The backup of what it replaces goes where the one it puts back was, and for ifupdown-ng
	// in any case where its source-directory does not read it (backupDir).
	if d, err := detect.Installed(t.fsys); strings.HasPrefix(b, safefile.BackupDir+"/") || err == nil && d.Dialect == parser.IfupdownNG {
		f.backupDir = safefile.BackupDir
	}
	if f.Changed && diff {
		label := strings.TrimPrefix(f.Path, "/")
		f.Diff = udiff.Unified("a/"+label, "b/"+label, old, data, 3)
	}
	return f, nil
}

// unwrapPathError drops the path of an *fs.PathError: the caller names the file as it is shown.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// newestBackup returns the newest of the names that are ifacefix backups of base (by their time,
// then their "-N" suffix), or "".
func newestBackup(base string, names []string) string {
	prefix := "." + base + ".ifacefix-"
	best, bestT, bestN := "", time.Time{}, -1
	for _, n := range names {
		rest, ok := strings.CutPrefix(strings.TrimPrefix(n, safefile.BackupDir+"/"), prefix)
		if !ok || !strings.HasSuffix(rest, ".bak") || len(rest) < 16+4 {
			continue
		}
		ts, suffix := rest[:16], strings.TrimSuffix(rest[16:], ".bak")
		t, err := time.Parse("20060102T150405Z", ts)
		if err != nil {
			continue
		}
		k := 0
		if suffix != "" {
			s, ok := strings.CutPrefix(suffix, "-")
			if k, err = strconv.Atoi(s); !ok || err != nil || k < 1 || strconv.Itoa(k) != s {
				continue
			}
		}
		if best == "" || t.After(bestT) || t.Equal(bestT) && k > bestN {
			best, bestT, bestN = n, t, k
		}
	}
	return best
}
