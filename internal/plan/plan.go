// Package plan turns roots and options into a plan (findings and per-file changes with diffs) and
// applies it. The command and the Ansible module both run through Run, so neither repeats the
// other's logic.
package plan

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ifacefix/ifacefix/fixer"
	"github.com/ifacefix/ifacefix/internal/detect"
	"github.com/ifacefix/ifacefix/internal/rootfs"
	"github.com/ifacefix/ifacefix/internal/safefile"
	"github.com/ifacefix/ifacefix/internal/udiff"
	"github.com/ifacefix/ifacefix/parser"
)

// DefaultFile is the configuration ifupdown reads.
const DefaultFile = "/etc/network/interfaces"

// Options say what to check and whether to write.
type Options struct {
	// Roots stand for "/" (--root); empty means the real "/". Each root is its own configuration.
	Roots []string
	// Files are top-level files inside each root (default DefaultFile). Relative names are taken
	// relative to WorkDir without a root and to the root's "/" with one.
	Files   []string
	WorkDir string
	Fix     fixer.Options
	// Dialect is the program whose reading every root's configuration is read with, as
	// --dialect names it (detect.Named); a nil Dialect detects each root's (detect.Detect).
	Dialect detect.Result
	// Apply writes the changes; Confirm, if set, is asked before each file is written, in the
	// order of Plan.Files. Files whose changes only make sense together (File.Linked) are written
	// all or none: once one of them is declined, the others are not asked and not written.
	Apply   bool
	Confirm func(*File) (bool, error)
	// Backup keeps the old bytes of each replaced file (see safefile.BackupName).
	Backup bool
	// LockTimeout bounds the wait for another ifacefix working on the same configuration.
	LockTimeout time.Duration
	Now         func() time.Time
	// NoDiff skips rendering File.Diff, for callers that do not show it (--check, --apply):
	// on big files the diff costs as much memory as the file.
	NoDiff bool
	// AllowMissing makes a root whose top-level file does not exist (ErrNoConfig: a host without
	// ifupdown) no error: it is recorded in its Root, and the other roots are planned and written.
	AllowMissing bool
}

// ErrNoConfig is matched (errors.Is) by the error for a top-level file that does not exist,
// nor perhaps its directory: no ifupdown configuration there (a host on netplan or
// systemd-networkd). A missing sourced file, a dangling symlink and a missing root are other
// errors.
var ErrNoConfig = errors.New("no ifupdown configuration")

// NoConfigError is the error for a top-level file that does not exist.
type NoConfigError struct{ Path string }

func (e *NoConfigError) Error() string { return e.Path + ": no such file or directory" }

// Is matches ErrNoConfig and fs.ErrNotExist.
func (e *NoConfigError) Is(target error) bool {
	return target == ErrNoConfig || target == fs.ErrNotExist
}

// Root is one root of a run (Options.Roots) and what became of it.
type Root struct {
	Dir string // as given; "/" without Options.Roots
	// Err is why the root was not planned (its files and findings are then not in the plan).
	Err error
	// Dialect is the program its configuration was read as, and why (Run only; zero when the
	// root could not be opened or its dialect not detected).
	Dialect detect.Result
}

// File is one file of a configuration and what the plan does to it.
type File struct {
	Root    string // Root.Dir of the root it was read in
	Path    string // shown to people: the host path
	Name    string // absolute name inside the root
	Old     []byte
	New     []byte // equal to Old when unchanged
	Diff    []byte // unified diff, nil when unchanged
	Changed bool
	Written bool
	Backup  string // host path of the backup, once written
	// Linked lists the other files whose changes must be written together with this one: a
	// gateway moved from an alias in one file into its primary in another (keep-default-route).
	// Writing only the removal would leave the host without a default route; only the insertion,
	// with two default routes.
	Linked []*File
	// Unwritten says why a changed file was not written by Apply ("" when it was, or before).
	Unwritten string
	// Restore is the backup Undo puts back (its host path); "" in Run's plans.
	Restore string

	fsys      *rootfs.FS
	parse     *parser.File
	display   func(name string) string
	inserts   bool             // some edit adds text (a moved gateway)
	expected  *safefile.Expect // what was read, when there is no parse (Undo)
	backupDir string           // safefile.Options.BackupDir for its dialect
}

// backupDir is where a dialect's backups go (safefile.Options.BackupDir): ifupdown-ng's
// source-directory reads every regular file, dotfiles too, so its backups go in a directory.
func backupDir(d *parser.Dialect) string {
	if d == parser.IfupdownNG {
		return safefile.BackupDir
	}
	return ""
}

// Finding is a fixer finding with its file's display path.
type Finding struct {
	Root    string `json:"root"`
	Path    string `json:"path"`
	Line    int    `json:"line"`
	Iface   string `json:"iface"`
	Family  string `json:"family"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
	Fixed   bool   `json:"fixed"`
	Removed string `json:"removed,omitempty"`
	Note    bool   `json:"note,omitempty"` // it only says what happens: never needs attention

	action string // fixer.Finding.Action
}

// Plan is the outcome of Run.
type Plan struct {
	Roots    []Root
	Files    []*File
	Findings []Finding
	// NotFollowed lists the source and source-directory lines FromBytes did not follow.
	NotFollowed []Include
	// Dialect is the program FromBytes read the bytes as (Roots have their own).
	Dialect detect.Result
}

// Include is a source or source-directory line.
type Include struct {
	Path string
	Line int
	Text string
}

// Changed returns the files with a proposed change.
func (p *Plan) Changed() []*File {
	var c []*File
	for _, f := range p.Files {
		if f.Changed {
			c = append(c, f)
		}
	}
	return c
}

// NeedsAttention reports whether something is left for a person: a change not written (in a dry
// run, any proposed change) or a finding that is not fixed.
func (p *Plan) NeedsAttention() bool {
	for _, f := range p.Files {
		if f.Changed && !f.Written {
			return true
		}
	}
	for _, f := range p.Findings {
		if !f.Fixed && !f.Note {
			return true
		}
	}
	return false
}

// WriteError reports a failure while writing several files: which were written before it.
type WriteError struct {
	Written []string
	Failed  string
	Err     error
}

func (e *WriteError) Error() string {
	msg := fmt.Sprintf("%s: %v", e.Failed, e.Err)
	if len(e.Written) == 0 {
		return msg + " (nothing was written)"
	}
	return msg + "; already written: " + strings.Join(e.Written, ", ")
}

func (e *WriteError) Unwrap() error { return e.Err }

// Run reads every configuration, fixes it in memory, renders diffs, and, with Apply, writes the
// changed files.
//
// With Apply it first locks the directory of each top-level file of every root (in one global
// order, so that two runs never wait for each other crosswise), keeps the locks from before the
// first read until the last write, and writes nothing until every root has been read and planned:
// an error in any root (bad syntax, unreadable file) means nothing at all was written, and so does
// a configuration that was not fully read (a source line with $ or ~: see unknownRules), which
// stops the run with a *parser.Error at that line, wrapping ErrIncomplete. Every file
// read but not to be written is then checked unchanged, every file to be written is prepared
// (safefile.Prepare: temporary file and backup), and only then are they checked against what was
// read and renamed into place (safefile.Commit). A file that changed, or any failure before the
// first rename, stops the run with a *WriteError and nothing written. Only a rename failing after
// another succeeded can leave some files written: the *WriteError then names them.
func Run(opt Options) (*Plan, error) {
	p, trees := openRoots(&opt)
	defer closeTrees(trees)
	if opt.Apply {
		unlock, err := lockAll(trees, opt.LockTimeout)
		if err != nil {
			return p, err
		}
		defer unlock()
	}
	seen := map[fileKey][]*File{}
	loaded := loadAll(trees, opt)
	for i, t := range trees {
		p.Roots[t.root].Err = p.read(t, loaded[i], seen)
		p.Roots[t.root].Dialect = t.dialect
	}
	// Every root is planned, so that each can be reported; an error in any means nothing is
	// written.
	for _, r := range p.Roots {
		if r.Err != nil && !(opt.AllowMissing && errors.Is(r.Err, ErrNoConfig)) {
			if opt.Apply {
				for _, f := range p.Files {
					f.Unwritten = "not written: root " + r.Dir + " has an error"
				}
				p.markUnwritten()
			}
			return p, r.Err
		}
	}
	if !opt.Apply {
		p.markDry()
		return p, nil
	}
	if err := p.unknown(); err != nil {
		return p, err
	}
	return p, p.write(opt)
}

// unknownRules are the findings that mean ifacefix has not read all that ifupdown will read: a
// source line whose expansion ($, ~) only the boot's environment decides. A fix computed without
// those files could be wrong (they may hold the primary stanza, or another gateway), so --apply
// writes nothing while one is there. The other structural findings describe what ifupdown
// itself does, which ifacefix models: the rest of a sourced file after an error is dropped by
// both (sourced-file-error), a cycle back to the same path ends in both, a directory is skipped
// by both. A glob refused by its work bound, an include cycle through another spelling and
// unreadable files are errors of the read itself, for dry runs too.
var unknownRules = map[string]bool{fixer.IncludeUnsupported: true, fixer.TemplateRendered: true}

// ErrIncomplete is wrapped by the error of an --apply refused because the configuration was not
// fully read (see unknownRules).
var ErrIncomplete = errors.New("configuration not fully read")

// unknownNote ends the message of an unknownRules finding.
const unknownNote = "; --apply writes nothing while ifacefix cannot read all of the configuration"

// unknown returns the error that stops --apply when a finding says that the configuration was
// not fully read: the first such finding's PATH:LINE and message, and how many more there are.
func (p *Plan) unknown() error {
	var first *Finding
	n := 0
	for i, f := range p.Findings {
		if unknownRules[f.Rule] {
			if n++; first == nil {
				first = &p.Findings[i]
			}
		}
	}
	if first == nil {
		return nil
	}
	msg := first.Message
	if n > 1 {
		msg += fmt.Sprintf(" (and %d more such lines)", n-1)
	}
	return &parser.Error{Path: first.Path, Line: first.Line, Msg: msg + " (nothing was written)", Err: ErrIncomplete}
}

// tree is one root (one host tree) and the top-level names to read in it.
type tree struct {
	fsys     *rootfs.FS
	dir      string                // Root.Dir
	root     int                   // its index in Plan.Roots
	names    []string              // absolute names inside the root
	displays []func(string) string // for each name: how it and what it sources are shown
	// dialect is the program that reads them, set by the first load (see detect).
	dialect    detect.Result
	detectOnce sync.Once
	detectErr  error
}

// detect sets the dialect of the tree's configuration: opt.Dialect, or the root's own. The
// loads call it, so that many roots are detected in parallel (a host's dpkg status is a
// megabyte or two).
func (t *tree) detect(opt Options) error {
	if t.dialect = opt.Dialect; t.dialect.Dialect != nil {
		return nil
	}
	var err error
	if t.dialect, err = detect.Detect(t.fsys); err != nil {
		return fmt.Errorf("root %s: %w", t.dir, err)
	}
	return nil
}

func openTree(root string, files []string, workDir string) (*tree, error) {
	fsys, err := rootfs.Open(root)
	if err != nil {
		// Named as given (rootfs says it absolute), as the user typed it.
		return nil, fmt.Errorf("root %s: %w", root, unwrapPathError(err))
	}
	t := &tree{fsys: fsys, dir: root}
	// Paths are shown as the user named the root, so that they can be pasted back; without a
	// root, a file named by a relative path is shown relative, with what it sources under the
	// working directory, as ifupdown shows them.
	display := func(name string) string {
		if fsys.Dir() == "/" {
			return name
		}
		return filepath.Join(root, filepath.FromSlash(name))
	}
	for _, f := range files {
		t.names = append(t.names, inRoot(f, root, workDir))
		d := display
		if fsys.Dir() == "/" && !filepath.IsAbs(f) {
			wd := workDir
			if wd == "" {
				wd, _ = filepath.Abs(".")
			}
			d = func(name string) string {
				if rel, err := filepath.Rel(wd, name); err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
					return rel
				}
				return name
			}
		}
		t.displays = append(t.displays, d)
	}
	return t, nil
}

// fileKey identifies a file across roots and spellings: its device and inode when known. One
// inode can still be several files to write (see sameName).
type fileKey struct {
	dev, ino uint64
	host     string
}

// sameName returns the file among files (all of one inode) that is f under the same name, or nil.
// A rename replaces one name: hard links of one inode (trees cloned with `cp -al` or `rsync
// --link-dest`, a file linked into two roots) are each a file of their own configuration, and
// each is planned and written on its own. Two spellings of one name (symlinks, two roots naming
// the same tree, two top-level files sourcing one file) are one file, planned once. A name is its
// directory's device and inode and its last component, after resolving symlinks.
func sameName(files []*File, f *File) (*File, error) {
	if len(files) == 0 {
		return nil, nil
	}
	id, err := nameOf(f)
	if err != nil {
		return nil, err
	}
	for _, g := range files {
		gid, err := nameOf(g)
		if err != nil {
			return nil, err
		}
		if gid == id {
			return g, nil
		}
	}
	return nil, nil
}

type nameID struct {
	dev, ino uint64
	base     string
}

func nameOf(f *File) (nameID, error) {
	real, err := f.fsys.Resolve(f.Name)
	if err != nil {
		return nameID{}, err
	}
	fi, err := f.fsys.Root().Stat(path.Dir(real))
	if err != nil {
		return nameID{}, fmt.Errorf("%s: %w", f.Path, err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nameID{}, fmt.Errorf("%s: no inode number", f.Path)
	}
	return nameID{uint64(st.Dev), st.Ino, path.Base(real)}, nil
}

func keyOf(t *tree, pf *parser.File) fileKey {
	if pf.Info.HasID {
		return fileKey{dev: pf.Info.Dev, ino: pf.Info.Ino}
	}
	return fileKey{host: t.fsys.HostPath(pf.Name)}
}

// loaded is one top-level file of a tree, read, fixed and diffed: what depends on nothing but
// that tree, so that trees can be loaded in parallel.
type loaded struct {
	err   error
	cfg   *parser.Config
	res   *fixer.Result
	files []*File // newFile of each cfg.Files[i]
	errs  []error // its error
}

func load(t *tree, j int, opt Options) *loaded {
	if t.detectOnce.Do(func() { t.detectErr = t.detect(opt) }); t.detectErr != nil {
		return &loaded{err: t.detectErr}
	}
	name, display := t.names[j], t.displays[j]
	cfg, err := parser.Load(t.fsys, name, parser.Options{Display: display, Dialect: t.dialect.Dialect})
	if err != nil {
		var pe *parser.Error
		if errors.As(err, &pe) && pe.Line == 0 && errors.Is(err, fs.ErrNotExist) && absent(t.fsys, name) {
			err = &NoConfigError{Path: display(name)}
		}
		return &loaded{err: err}
	}
	l := &loaded{cfg: cfg, res: fixer.Fix(cfg, opt.Fix), files: make([]*File, len(cfg.Files)), errs: make([]error, len(cfg.Files))}
	edits := l.res.Edits()
	for i, pf := range cfg.Files {
		l.files[i], l.errs[i] = newFile(t.fsys, pf, edits[pf], !opt.NoDiff)
		if l.files[i] != nil {
			l.files[i].backupDir = backupDir(t.dialect.Dialect)
		}
		if l.errs[i] != nil {
			break // read stops at the first error
		}
		l.files[i].display = display
		l.files[i].Root = t.dir
	}
	return l
}

// absent reports whether the file name (absolute, inside fsys) is missing, and so perhaps are its
// directories. A dangling symlink is not absent: ifupdown fails on it.
func absent(fsys *rootfs.FS, name string) bool {
	dir, err := fsys.Resolve(path.Dir(name))
	if err != nil {
		return errors.Is(err, fs.ErrNotExist)
	}
	_, err = fsys.Root().Lstat(path.Join(dir, path.Base(name)))
	return errors.Is(err, fs.ErrNotExist)
}

// loadAll loads every top-level file of every tree, several trees at a time (reading many small
// host trees is mostly system calls). The result is indexed like trees and their names; read
// then merges it in order, so the plan and its first error are those of a serial run.
func loadAll(trees []*tree, opt Options) [][]*loaded {
	out := make([][]*loaded, len(trees))
	type job struct{ t, n int }
	var jobs []job
	for i, t := range trees {
		out[i] = make([]*loaded, len(t.names))
		for j := range t.names {
			jobs = append(jobs, job{i, j})
		}
	}
	workers := min(len(jobs), 2*runtime.GOMAXPROCS(0))
	if workers <= 1 {
		for _, j := range jobs {
			out[j.t][j.n] = load(trees[j.t], j.n, opt)
		}
		return out
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(jobs) {
					return
				}
				j := jobs[i]
				out[j.t][j.n] = load(trees[j.t], j.n, opt)
			}
		})
	}
	wg.Wait()
	return out
}

// read merges the loaded configurations of one tree into the plan. A file met again under the
// same name (through another top-level file, or another root naming the same tree) is planned
// once; another hard link of it is a file of its own (see sameName). On an error, nothing of the
// tree is in the plan.
func (p *Plan) read(t *tree, ls []*loaded, seen map[fileKey][]*File) (err error) {
	nFiles, nFindings := len(p.Files), len(p.Findings)
	var added []fileKey
	defer func() {
		if err != nil {
			p.Files, p.Findings = p.Files[:nFiles], p.Findings[:nFindings]
			for _, k := range slices.Backward(added) {
				seen[k] = seen[k][:len(seen[k])-1]
			}
		}
	}()
	for _, l := range ls {
		if l.err != nil {
			return l.err
		}
		cfg, res := l.cfg, l.res
		dup := map[*parser.File]bool{}
		mine := map[*parser.File]*File{}
		for i, pf := range cfg.Files {
			f, err := l.files[i], l.errs[i]
			if err != nil {
				return err
			}
			k := keyOf(t, pf)
			prev, err := sameName(seen[k], f)
			if err != nil {
				return err
			}
			if prev != nil {
				if string(prev.New) != string(f.New) {
					return fmt.Errorf("%s: reached from two configurations that fix it differently; run them separately", f.Path)
				}
				dup[pf] = true
				mine[pf] = prev
				continue
			}
			seen[k] = append(seen[k], f)
			added = append(added, k)
			mine[pf] = f
			p.Files = append(p.Files, f)
		}
		link(res, mine)
		for _, fd := range res.Findings {
			if dup[fd.File] {
				continue // already reported when the file was first planned
			}
			fnd := findingOf(t.dir, fd)
			if unknownRules[fnd.Rule] {
				fnd.Message += unknownNote
			}
			p.Findings = append(p.Findings, fnd)
		}
	}
	return nil
}

// link records in File.Linked the files of findings the fixer says must be written together
// (fixer.Finding.Joint: a gateway moved from an alias in one file into its primary in another).
func link(res *fixer.Result, files map[*parser.File]*File) {
	for _, fd := range res.Findings {
		for _, g := range fd.Joint {
			a, b := files[fd.File], files[g.File]
			if a != b && a != nil && b != nil && !slices.Contains(a.Linked, b) {
				a.Linked = append(a.Linked, b)
				b.Linked = append(b.Linked, a)
			}
		}
	}
}

// inRoot makes a FILE argument an absolute name inside the root.
func inRoot(name, root, workDir string) string {
	if root == "/" && !filepath.IsAbs(name) {
		if workDir == "" {
			workDir, _ = filepath.Abs(".")
		}
		name = filepath.Join(workDir, name)
	}
	return path.Clean("/" + filepath.ToSlash(name))
}

// lockAll locks the directory of each top-level file of every tree: each directory once (by
// device and inode, so two spellings of one directory cannot make a run wait for itself), in
// order of host path.
func lockAll(trees []*tree, timeout time.Duration) (func(), error) {
	type lockDir struct {
		fsys  *rootfs.FS
		dir   string // inside fsys
		host  string
		shown string // as paths are shown
	}
	var dirs []lockDir
	done := map[fileKey]bool{}
	for _, t := range trees {
		for j, n := range t.names {
			dir := path.Dir(n)
			real, err := t.fsys.Resolve(n)
			switch {
			case err == nil:
				dir = path.Dir("/" + real)
			case errors.Is(err, fs.ErrNotExist):
				// The read reports it, and then nothing is written.
				continue
			}
			k := fileKey{host: t.fsys.HostPath(dir)}
			rel := strings.TrimPrefix(dir, "/")
			if rel == "" {
				rel = "."
			}
			if fi, err := t.fsys.Stat(rel); err == nil {
				if st, ok := fi.Sys().(*syscall.Stat_t); ok {
					k = fileKey{dev: uint64(st.Dev), ino: st.Ino}
				}
			}
			if done[k] {
				continue
			}
			done[k] = true
			dirs = append(dirs, lockDir{t.fsys, dir, t.fsys.HostPath(dir), t.displays[j](dir)})
		}
	}
	sort.SliceStable(dirs, func(i, j int) bool { return dirs[i].host < dirs[j].host })
	var unlocks []func() error
	release := func() {
		for i := len(unlocks) - 1; i >= 0; i-- {
			unlocks[i]()
		}
	}
	for _, d := range dirs {
		u, err := safefile.Lock(d.fsys, strings.TrimPrefix(d.dir, "/"), timeout)
		if err != nil {
			release()
			if errors.Is(err, safefile.ErrLocked) {
				err = lockedError(d.fsys, d.dir, d.shown, timeout, err)
			}
			return nil, err
		}
		unlocks = append(unlocks, u)
	}
	return release, nil
}

func newFile(fsys *rootfs.FS, pf *parser.File, edits []parser.Edit, diff bool) (*File, error) {
	old := pf.Bytes()
	f := &File{Path: pf.Path, Name: pf.Name, Old: old, New: old, fsys: fsys, parse: pf}
	if len(edits) == 0 {
		return f, nil
	}
	out, err := pf.Apply(edits)
	if err != nil {
		return nil, err
	}
	for _, e := range edits {
		f.inserts = f.inserts || e.Text != ""
	}
	f.New = out
	if string(out) == pf.Data {
		return f, nil
	}
	f.Changed = true
	if diff {
		f.Diff, err = Diff(pf, edits)
	}
	return f, err
}

// Diff returns the unified diff (a/PATH, b/PATH) that the edits make to the file, rendered from
// the parser's line operations: every '-' line is the very line an edit removes, and no diff
// search runs (it would be quadratic on big files).
func Diff(pf *parser.File, edits []parser.Edit) ([]byte, error) {
	ops, err := pf.Ops(edits)
	if err != nil {
		return nil, err
	}
	uops := make([]udiff.Op, len(ops))
	for i, op := range ops {
		k := udiff.Equal
		switch op.Kind {
		case parser.Remove:
			k = udiff.Delete
		case parser.Insert:
			k = udiff.Insert
		}
		uops[i] = udiff.Op{Kind: k, Lines: op.Lines}
	}
	label := strings.TrimPrefix(pf.Path, "/")
	return udiff.Render("a/"+label, "b/"+label, uops, 3), nil
}

// write replaces the changed files (of every tree) after checking that none changed on disk since
// it was read. Confirm, if set, is asked for each changed file first, before any check or write.
func (p *Plan) write(opt Options) (err error) {
	// Whatever happens, a finding is fixed only if its file was written.
	defer p.markUnwritten()
	// declined holds the declined files and, through Linked, every file that must go with them.
	declined := map[*File]bool{}
	var decline func(f *File)
	decline = func(f *File) {
		if declined[f] {
			return
		}
		declined[f] = true
		for _, g := range f.Linked {
			decline(g)
		}
	}
	for _, f := range p.Files {
		if !f.Changed || declined[f] || opt.Confirm == nil {
			continue
		}
		ok, err := opt.Confirm(f)
		if err != nil {
			return err
		}
		if !ok {
			decline(f)
			for g := range declined {
				if g.Unwritten == "" {
					g.Unwritten = "it goes with the change to " + f.Path + ", which was declined"
				}
			}
			f.Unwritten = "the change was declined"
		}
	}
	var todo []*File
	for _, f := range p.Files {
		if f.Changed && !declined[f] {
			todo = append(todo, f)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	// Files that receive a moved gateway are renamed first: should a crash come between two
	// renames, the host keeps a default route (the alias's gateway is still there too) instead of
	// losing it.
	sort.SliceStable(todo, func(i, j int) bool { return todo[i].inserts && !todo[j].inserts })
	// The fixes were computed from every file read: one that changed or disappeared behind our
	// back (a sourced file) can change what the right fix is, so the files read but not written
	// are checked too, before anything is prepared. The files to write are checked by Commit.
	for _, f := range p.Files {
		if f.Changed && !declined[f] {
			continue
		}
		if err := safefile.Check(f.fsys, f.Name, f.expect()); err != nil {
			return &WriteError{Failed: f.Path, Err: err}
		}
	}
	// Everything that can fail is done for every file before the first rename, so that a failure
	// leaves every file as it was.
	pending := make([]*safefile.Pending, 0, len(todo))
	for _, f := range todo {
		pf, err := safefile.Prepare(f.fsys, f.Name, f.New, f.expect(), safefile.Options{Backup: opt.Backup, Now: opt.Now, BackupDir: f.backupDir})
		if err != nil {
			for _, q := range pending {
				q.Abort()
			}
			return &WriteError{Failed: f.Path, Err: stepError(err)}
		}
		pending = append(pending, pf)
	}
	n, err := safefile.Commit(pending)
	var written []string
	for i, f := range todo[:n] {
		f.Written = true
		written = append(written, f.Path)
		if b := pending[i].Result().Backup; b != "" {
			// The backup sits next to the file actually written: for a symlink, its target.
			f.Backup = f.display("/" + b)
		}
	}
	if err != nil {
		we := &WriteError{Written: written, Err: stepError(err)}
		var se *safefile.Error
		if errors.As(err, &se) {
			we.Failed = todo[se.Index].Path
		}
		return we
	}
	return nil
}

// stepError is a safefile error without the path a WriteError already names: the cause alone
// when the file changed since it was read, else "STEP: cause".
func stepError(err error) error {
	var se *safefile.Error
	switch {
	case !errors.As(err, &se):
		return err
	case errors.Is(se.Err, safefile.ErrChanged):
		return se.Err
	}
	return fmt.Errorf("%s: %w", se.Step, se.Err)
}

// expect is what was read of the file, for safefile's checks.
func (f *File) expect() safefile.Expect {
	if f.expected != nil {
		return *f.expected
	}
	info := f.parse.Info
	return safefile.Expect{Data: f.Old, Size: info.Size, ModTime: time.Unix(0, info.ModTime), Dev: info.Dev, Ino: info.Ino}
}

// markUnwritten turns the findings of files that were not written (declined, or not reached
// because of an error) back into unfixed ones, whose message says so instead of what the edits
// would have done.
func (p *Plan) markUnwritten() {
	unwritten := map[string]string{}
	for _, f := range p.Files {
		if f.Changed && !f.Written {
			if f.Unwritten == "" {
				f.Unwritten = "not written: the run stopped at an error"
			}
			unwritten[f.Path] = f.Unwritten
		}
	}
	for i := range p.Findings {
		fd := &p.Findings[i]
		why, ok := unwritten[fd.Path]
		if !ok || !fd.Fixed {
			continue
		}
		fd.Fixed, fd.Removed = false, ""
		fd.endWith("left as is (" + why + ")")
	}
}

// endWith replaces the action at the end of fd's message (what the edits did) with end; a
// message that does not end with its action is left as it is.
func (fd *Finding) endWith(end string) {
	if fd.action != "" && strings.HasSuffix(fd.Message, fd.action) {
		fd.Message = strings.TrimSuffix(fd.Message, fd.action) + end
	}
}

// markDry makes the messages of fixed findings say what --apply would do: a dry run writes
// nothing, so nothing was removed.
func (p *Plan) markDry() {
	for i := range p.Findings {
		if fd := &p.Findings[i]; fd.Fixed {
			fd.endWith(conditional(fd.action))
		}
	}
}

// conditional turns an action in the past tense ("removed", "moved gateway G into it") into
// what --apply does.
func conditional(action string) string {
	switch {
	case strings.HasPrefix(action, "removed, and moved "):
		return "--apply removes it and moves it " + strings.TrimPrefix(action, "removed, and moved ")
	case strings.HasPrefix(action, "removed"):
		return "--apply removes it" + strings.TrimPrefix(action, "removed")
	case strings.HasPrefix(action, "moved "):
		return "--apply moves " + strings.TrimPrefix(action, "moved ")
	case strings.HasPrefix(action, "split "):
		return "--apply splits it " + strings.TrimPrefix(action, "split ")
	}
	return "--apply: " + action
}

// openRoots fills in opt's defaults (now, the root /, the file DefaultFile) and opens every root:
// a plan with one Root each (its Err when it cannot be opened) and the trees that opened.
func openRoots(opt *Options) (*Plan, []*tree) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	roots := opt.Roots
	if len(roots) == 0 {
		roots = []string{"/"}
	}
	files := opt.Files
	if len(files) == 0 {
		files = []string{DefaultFile}
	}
	p := &Plan{}
	var trees []*tree
	for _, root := range roots {
		p.Roots = append(p.Roots, Root{Dir: root})
		t, err := openTree(root, files, opt.WorkDir)
		if err != nil {
			p.Roots[len(p.Roots)-1].Err = err
			continue
		}
		t.root = len(p.Roots) - 1
		trees = append(trees, t)
	}
	return p, trees
}

func closeTrees(trees []*tree) {
	for _, t := range trees {
		t.fsys.Close()
	}
}

// FromBytes plans the fix of a single file given as bytes (standard input), read as ifupdown
// 0.8 reads it: includes are not followed and nothing can be written.
func FromBytes(name string, data []byte, fix fixer.Options) (*Plan, error) {
	return FromBytesAs(name, data, fix, detect.Result{Dialect: parser.Ifupdown, Reason: "ifupdown 0.8 assumed"})
}

// FromBytesAs is FromBytes with the bytes read as the dialect d.Dialect.
func FromBytesAs(name string, data []byte, fix fixer.Options, d detect.Result) (*Plan, error) {
	cfg, err := parser.ParseBytes(name, data, parser.Options{Dialect: d.Dialect})
	if err != nil {
		return nil, err
	}
	res := fixer.Fix(cfg, fix)
	pf := cfg.Files[0]
	f, err := newFile(nil, pf, res.Edits()[pf], true)
	if err != nil {
		return nil, err
	}
	p := &Plan{Files: []*File{f}, Dialect: d}
	for _, fd := range res.Findings {
		p.Findings = append(p.Findings, findingOf("", fd))
	}
	for _, ln := range pf.Lines {
		if ln.Kind == parser.Source || ln.Kind == parser.SourceDir {
			p.NotFollowed = append(p.NotFollowed, Include{Path: pf.Path, Line: ln.Pos(), Text: strings.TrimSpace(ln.Keyword + " " + ln.Rest)})
		}
	}
	return p, nil
}

// findingOf is a fixer finding of the root with its file's display path.
func findingOf(root string, fd *fixer.Finding) Finding {
	return Finding{Root: root, Path: fd.File.Path, Line: fd.Line, Iface: fd.Iface, Family: fd.Family,
		Rule: fd.Rule, Message: fd.Message, Fixed: fd.Fixed(), Removed: fd.Removed(), Note: fd.Note, action: fd.Action}
}
