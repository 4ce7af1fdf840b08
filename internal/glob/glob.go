// Package glob expands file name patterns exactly as Debian 12's ifupdown 0.8.41 does for a
// `source` line: through glibc 2.36's wordexp(3) with WRDE_NOCMD, which hands every word
// with an unquoted '*', '?' or '[' to glob(pattern, GLOB_NOCHECK, NULL), which matches each
// directory entry with fnmatch(3) and FNM_PERIOD, all in the C locale (ifupdown never calls
// setlocale, so LANG and LC_* do not matter).
//
// [Words] splits a line as wordexp does, [Glob] expands one word as glob does, and [Match] is
// fnmatch. Their doc comments list the glibc behaviours they reproduce and the few they do not.
// The test compares all three with the real glibc.
package glob

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// DefaultMaxWork is the work bound of [Glob]: glibc operations (opendir, stat, lstat) plus
// directory entries examined. glibc has no bound: "d/*/*/…/*/x" with d/a -> . and d/b -> .
// makes it read 2^depth directories, 0.9 s at depth 16, 3.7 s at 18, doubling with each level
// up to the kernel's 40 symlinks per path, and ifupdown waits as long at boot. That pattern
// costs about 8 × 2^depth units, so the bound lets depth 16 through (a tenth of a second here,
// as answers are cached by resolved directory) and refuses depth 17. A sane configuration
// costs about one unit per file its globs look at.
const DefaultMaxWork = 1000000

// ErrTooMuchWork is wrapped by the error of a [Glob] that exceeded its work bound.
var ErrTooMuchWork = errors.New("too much work")

// LimitError is the error of a [Glob] that stopped at its work bound: glibc would go on, for a
// time that grows exponentially with the pattern's depth.
type LimitError struct {
	Pattern string
	Limit   int
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("glob %q: more than %d directory entries and file lookups; glibc's glob takes exponential time on such a pattern", e.Pattern, e.Limit)
}

// Is makes errors.Is(err, ErrTooMuchWork) true.
func (e *LimitError) Is(target error) bool { return target == ErrTooMuchWork }

// Resolver is implemented by file systems that resolve a name as the kernel does, symlinks and
// then ".." (rootfs.FS does, chroot-style): Resolve takes an absolute slash name and returns the
// fs.FS name of what it denotes. Glob then resolves each path once, from its resolved
// directory. Without it, names go to fsys cleaned, ".." removing the component before it,
// which differs from glibc only when ".." follows a symlink.
type Resolver interface {
	Resolve(name string) (string, error)
}

// Options configure [Options.Glob].
type Options struct {
	// Dir is the working directory, an absolute slash path, against which relative patterns
	// are read; "" means "/" (ifupdown's working directory at boot). Results keep the
	// pattern's relative spelling, as glibc's do.
	Dir string
	// MaxWork bounds the work (see [DefaultMaxWork]); 0 means DefaultMaxWork, < 0 no bound.
	MaxWork int
}

// Glob is [Options.Glob] with the zero Options.
func Glob(fsys fs.FS, pattern string) ([]string, error) { return Options{}.Glob(fsys, pattern) }

// Glob returns what glibc 2.36's glob(pattern, GLOB_NOCHECK, NULL, ...) returns, reading the
// file system fsys, whose names are absolute slash paths without the leading "/" ("." is the
// root) and whose Stat and ReadDir follow symlinks. pattern is the word as wordexp passes it
// to glob, which is not escaped: see [Word].
//
// When nothing matches, the result is GLOB_NOCHECK's: the pattern itself, backslashes and all
// ("d/\*x" stays "d/\*x"), except that a pattern ending in '/' comes back without its trailing
// slashes ("d/*/" gives "d/*"). ifupdown then stat(2)s each word and skips it only if that
// fails with ENOENT; the caller should do the same with the result, whether it matched or not.
//
// The error is nil or a *[LimitError]: like glibc, Glob ignores directories it cannot read.
// As in C, the pattern ends at its first NUL byte.
//
// Reproduced, from glibc's glob.c: the pattern is split at its last '/' and the directory part
// is expanded first, recursively, keeping only directories (symlinks to directories count),
// then each one is read for the last part; a part without metacharacters (and without
// backslashes) is not read but looked up with lstat(2), so it may name a file, a dangling
// symlink or ".", and a later part then finds no directory there. Entries "." and ".." are
// read like any other and match patterns that spell the leading '.': "d/.*" gives "d/.",
// "d/.." and d's dot files. Results are spelled from the pattern ("./d/x", "d//x" and
// "d/sub/../x" stay so; ".." is the parent of where the symlinks before it lead) and sorted by
// strcoll, which is strcmp (bytes) in the C locale. A pattern ending in '/' reads only
// directories, and each result that stat(2) finds a directory gets one '/' ("d/*/" gives
// "d/sub/", but "d/*/f/" gives "d/sub/f"); "x/" alone ("?/") takes another glibc path with the
// same effect. "\/" is '/'.
//
// Not reproduced: names that are not valid UTF-8, which fs.FS refuses (such an entry still
// matches as the last part, but Glob cannot look inside it or stat it); ENAMETOOLONG and the
// kernel's 40 symlinks per lookup, which depend on fsys; and permissions: glibc finds a literal
// part with lstat(2), which needs only search permission on its directory, where Glob reads
// the directory (with a Resolver, to see dangling symlinks; else it uses the Lstat of
// fs.ReadLinkFS, or Stat and then the directory). ifupdown runs as root, for whom the two agree.
func (o Options) Glob(fsys fs.FS, pattern string) ([]string, error) {
	g := &globber{fsys: fsys, dir: o.Dir, left: o.MaxWork,
		names: map[string]resolved{}, lists: map[string][]entry{}, dirs: map[string]bool{}}
	if g.dir == "" {
		g.dir = "/"
	}
	if g.left == 0 {
		g.left = DefaultMaxWork
	}
	pattern = cString(pattern)
	items, _ := g.glob(pattern, noCheck)
	if g.exceeded {
		limit := o.MaxWork
		if limit == 0 {
			limit = DefaultMaxWork
		}
		return nil, &LimitError{Pattern: pattern, Limit: limit}
	}
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.path
	}
	return out, nil
}

// globFlags are the glob(3) flags that occur in wordexp's call and glob's own recursion.
type globFlags uint8

const (
	noCheck globFlags = 1 << iota // GLOB_NOCHECK: no match gives the pattern
	onlyDir                       // GLOB_ONLYDIR: match only directories (read entries only)
	mark                          // GLOB_MARK: append '/' to directories
	noSort                        // GLOB_NOSORT
)

type globber struct {
	fsys     fs.FS
	dir      string
	left     int // work left; < 0: unbounded
	exceeded bool
	names    map[string]resolved // absolute path -> fs.FS name
	lists    map[string][]entry  // fs.FS name -> entries; nil: unreadable
	dirs     map[string]bool     // fs.FS name -> stat says directory
}

// spend charges n units of work and reports whether the bound still holds.
func (g *globber) spend(n int) bool {
	if g.left < 0 {
		return true
	}
	if g.left -= n; g.left < 0 {
		g.left, g.exceeded = 0, true
	}
	return !g.exceeded
}

// An item is a path as glibc spells it, with what is known of its place in fsys.
type item struct {
	path string
	in   string // fs.FS name of the directory that holds it; "" if not known
	base string // its last component, when in is known
}

// glob is glibc's glob for flags fl; ok is false for GLOB_NOMATCH.
func (g *globber) glob(pattern string, fl globFlags) (out []item, ok bool) {
	if g.exceeded {
		return nil, false
	}
	if strings.HasSuffix(pattern, "/") {
		fl |= onlyDir
	}
	var dirname, filename string
	slash := strings.LastIndexByte(pattern, '/')
	switch {
	case slash < 0:
		if pattern == "" {
			return g.noMatch(pattern, fl)
		}
		dirname, filename = "", pattern // glibc's "." with no prefix
	case slash == 0, slash == 1 && pattern[0] == '\\':
		dirname, filename = "/", pattern[slash+1:]
	default:
		dirname, filename = pattern[:slash], pattern[slash+1:]
		if filename == "" && slash > 1 {
			// "dir/": glob "dir" for directories and mark them; an odd trailing backslash
			// ("dir\/") is dropped, and then no match gives the whole pattern.
			orig := fl
			if oddBackslashes(dirname) {
				dirname = dirname[:len(dirname)-1]
				fl &^= noCheck
			}
			out, ok := g.glob(dirname, fl|mark)
			if !ok && fl != orig {
				return g.noMatch(pattern, orig)
			}
			return out, ok
		}
	}
	switch meta := metaType(dirname); {
	case meta&(metaSpecial|metaBracket) != 0:
		if oddBackslashes(dirname) { // "d*\/x"
			dirname = dirname[:len(dirname)-1]
		}
		dirs, ok := g.glob(dirname, onlyDir|noSort)
		if !ok {
			if fl&noCheck == 0 {
				return nil, false
			}
			return g.noMatch(pattern, fl)
		}
		for _, d := range dirs {
			out = g.globInDir(out, filename, d, fl&^noCheck)
		}
		if len(out) == 0 {
			return g.noMatch(pattern, fl)
		}
	default:
		orig := fl
		if meta&metaBackslash != 0 {
			dirname = unescape(dirname)
			fl &^= noCheck
		}
		if out = g.globInDir(out, filename, item{path: dirname}, fl); len(out) == 0 {
			if fl != orig {
				return g.noMatch(pattern, orig)
			}
			return nil, false
		}
	}
	return g.finish(out, fl), true
}

// noMatch is glibc's no_matches: the pattern under GLOB_NOCHECK, else GLOB_NOMATCH.
func (g *globber) noMatch(pattern string, fl globFlags) ([]item, bool) {
	if fl&noCheck == 0 {
		return nil, false
	}
	return g.finish([]item{{path: pattern}}, fl), true
}

func (g *globber) finish(out []item, fl globFlags) []item {
	if fl&mark != 0 {
		for i := range out {
			if g.isDir(out[i]) {
				out[i].path += "/"
			}
		}
	}
	if fl&noSort == 0 {
		// strcoll in the C locale is strcmp
		slices.SortFunc(out, func(a, b item) int { return strings.Compare(a.path, b.path) })
	}
	return out
}

// join is glibc's prefix_array: dir "/" + name, without doubling a lone "/"; no dir: name.
func join(dir, name string) string {
	switch dir {
	case "":
		return name
	case "/":
		return "/" + name
	}
	return dir + "/" + name
}

// globInDir is glibc's glob_in_dir: it appends to out the entries of directory d that match
// pattern (one component).
func (g *globber) globInDir(out []item, pattern string, d item, fl globFlags) []item {
	n := len(out)
	switch meta := metaType(pattern); {
	case meta == metaNone && fl&noCheck != 0:
		// No test needed: the result is the name either way.
	case meta == metaNone:
		if g.lexists(d, pattern) {
			out = append(out, g.child(d, pattern))
		}
	default:
		ents, _ := g.readDir(d) // glibc ignores directories it cannot read
		for _, e := range ents {
			if !g.spend(1) {
				return out[:n]
			}
			if !Match(pattern, e.name, Period) {
				continue
			}
			c := g.child(d, e.name)
			// glibc tests the type before matching; testing after gives the same result.
			if fl&onlyDir != 0 && !(e.typ.IsDir() || e.typ&fs.ModeSymlink != 0 && g.isDir(c)) {
				continue
			}
			out = append(out, c)
		}
	}
	if len(out) == n && fl&noCheck != 0 {
		out = append(out, item{path: join(d.path, pattern)})
	}
	return out
}

// child returns the item for name in directory d.
func (g *globber) child(d item, name string) item {
	c := item{path: join(d.path, name)}
	if dir, ok := g.fsOf(d); ok {
		c.in, c.base = dir, name
	}
	return c
}

type entry struct {
	name string
	typ  fs.FileMode
}

// The file system layer. Each glibc operation (opendir, stat, lstat) costs a unit of work and
// each directory entry examined another, whether the answer comes from the file system or from
// a cache: the bound then counts what glibc would do, which grows exponentially on symlink
// loops even when the caches make each step cheap. Within one Glob the file system is taken
// not to change.

// readDir lists directory d with "." and "..", as readdir(3) does.
func (g *globber) readDir(d item) ([]entry, bool) {
	if !g.spend(1) {
		return nil, false
	}
	name, ok := g.fsOf(d)
	if !ok {
		return nil, false
	}
	return g.list(name)
}

// list returns the entries of the directory with fs.FS name, through the cache.
func (g *globber) list(name string) ([]entry, bool) {
	if l, ok := g.lists[name]; ok {
		return l, l != nil
	}
	var out []entry
	if ents, err := fs.ReadDir(g.fsys, name); err == nil {
		out = make([]entry, 0, len(ents)+2)
		out = append(out, entry{".", fs.ModeDir}, entry{"..", fs.ModeDir})
		for _, e := range ents {
			out = append(out, entry{e.Name(), e.Type()})
		}
		g.spend(len(ents))
	}
	g.lists[name] = out
	return out, out != nil
}

// isDir is glibc's is_dir: stat(2) (following symlinks) says directory.
func (g *globber) isDir(it item) bool {
	if !g.spend(1) {
		return false
	}
	name, ok := g.fsOf(it)
	if !ok {
		return false
	}
	dir, ok := g.dirs[name]
	if !ok {
		fi, err := fs.Stat(g.fsys, name)
		dir = err == nil && fi.IsDir()
		g.dirs[name] = dir
	}
	return dir
}

// lexists is lstat(d + "/" + name) == 0, for a name without '/'.
func (g *globber) lexists(d item, name string) bool {
	switch name {
	case "", ".", "..":
		// "d/", "d/." and "d/.." exist exactly when d is (or leads to) a directory.
		return g.isDir(d)
	}
	if !g.spend(1) {
		return false
	}
	dir, ok := g.fsOf(d)
	if !ok {
		return false
	}
	if _, resolves := g.fsys.(Resolver); !resolves {
		full := path.Join(dir, name)
		if lfs, ok := g.fsys.(fs.ReadLinkFS); ok {
			_, err := lfs.Lstat(full)
			return err == nil
		}
		if _, err := fs.Stat(g.fsys, full); err == nil {
			return true
		}
	}
	// Look in the directory: that finds dangling symlinks and loops too, as lstat does.
	ents, _ := g.list(dir)
	for _, e := range ents {
		if e.name == name {
			return true
		}
	}
	return false
}

// fsOf returns the fs.FS name of it. With a Resolver, names are resolved as the kernel does,
// one component from the resolved directory that holds it (so a long path through symlinks
// costs one step, not one per component); without, "." and empty components go and ".."
// removes the component before it.
func (g *globber) fsOf(it item) (string, bool) {
	if it.in == "" {
		return g.resolve(it.path)
	}
	switch it.base {
	case "", ".":
		return it.in, true
	}
	return g.resolve("/" + it.in + "/" + it.base)
}

// resolve returns the fs.FS name of the glibc path p, through the cache.
func (g *globber) resolve(p string) (string, bool) {
	if !strings.HasPrefix(p, "/") {
		p = g.dir + "/" + p
	}
	if c, ok := g.names[p]; ok {
		return c.name, c.ok
	}
	c := resolved{".", true}
	if r, ok := g.fsys.(Resolver); ok {
		name, err := r.Resolve(p)
		c = resolved{name, err == nil}
	} else if name := strings.TrimPrefix(path.Clean(p), "/"); name != "" {
		c.name = name
	}
	g.names[p] = c
	return c.name, c.ok
}

type resolved struct {
	name string
	ok   bool
}

// metaType is glibc's __glob_pattern_type with quoting: metaSpecial for an unescaped '*' or
// '?' or a '[' followed later by ']', metaBracket for a '[' alone, metaBackslash for any '\'.
type meta uint8

const (
	metaNone      meta = 0
	metaSpecial   meta = 1
	metaBackslash meta = 2
	metaBracket   meta = 4
)

// HasMeta reports whether glob(3) takes p as a pattern: an unescaped '*' or '?', or a '[' with a
// ']' after it (a '[' alone is itself).
func HasMeta(p string) bool { return metaType(p)&metaSpecial != 0 }

func metaType(p string) meta {
	m := metaNone
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '?', '*':
			return metaSpecial
		case '\\':
			if i+1 < len(p) {
				i++
			}
			m |= metaBackslash
		case '[':
			m |= metaBracket
		case ']':
			if m&metaBracket != 0 {
				return metaSpecial
			}
		}
	}
	return m
}

// oddBackslashes reports whether s ends in an unescaped backslash.
func oddBackslashes(s string) bool {
	n := len(s) - len(strings.TrimRight(s, `\`))
	return n%2 == 1
}

// unescape removes each backslash and keeps the byte after it, as glibc does to a directory
// part without metacharacters; a trailing backslash goes.
func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			if i == len(s) {
				break
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
