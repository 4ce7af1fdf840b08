package parser

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/ifacefix/ifacefix/internal/glob"
)

// include08 follows a source or source-dir* line the way ifupdown 0.8.41's config.c does: the
// including file's directory is put before REST (unless it starts with '/'), the string goes
// through wordexp(3) with WRDE_NOCMD (internal/glob reproduces glibc's), and each resulting word
// names a file (source) or a directory whose entries matching ^[a-zA-Z0-9_-]+$ are read in sorted
// order (source-directory). Only the first word gets the directory: later relative words are
// relative to ifupdown's working directory.
func include08(l *loader, f *File, ln *Line, depth int) error {
	at := l.errorf(f, int(ln.Num), "")
	pattern := ln.Rest
	if !strings.HasPrefix(pattern, "/") {
		pattern = dirname(f.literal) + "/" + pattern // unescaped: wordexp reads the directory too
	}
	words, err := glob.Words(pattern)
	switch {
	case errors.Is(err, glob.ErrWordexp):
		return nil // wordexp fails: ifupdown ignores the line silently
	case err != nil:
		// ifupdown would expand this with the shell; we cannot know the result.
		l.warn("include-unsupported", f, l.errorf(f, int(ln.Num), "%s %s: uses shell expansion ($ or ~) whose value ifacefix cannot know; not followed", ln.Keyword, ln.Rest))
		return nil
	}
	for _, w := range words {
		names := []string{w.Text}
		if w.Glob {
			if names, err = (glob.Options{Dir: l.opt.WorkDir}).Glob(l.fsys, w.Text); err != nil {
				return &Error{Path: at.Path, Line: at.Line, Msg: fmt.Sprintf("%s %s: %v", ln.Keyword, ln.Rest, err), Err: err}
			}
		}
		for _, lit := range names {
			if ln.Kind == Source {
				err = l.source(f, lit, at, depth)
			} else {
				err = l.sourceDir(f, lit, at, depth)
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// name returns the absolute name in the file system of a path as ifupdown spells it: relative
// to its working directory, and with ".." taken physically (after the symlink before it, as the
// kernel does) where the file system can resolve names.
func (l *loader) name(literal string) string {
	p := literal
	if !strings.HasPrefix(p, "/") {
		p = l.opt.WorkDir + "/" + p
	}
	if r, ok := l.fsys.(glob.Resolver); ok && slices.Contains(strings.Split(p, "/"), "..") {
		if n, err := r.Resolve(p); err == nil {
			return path.Clean("/" + n)
		}
	}
	return path.Clean(p)
}

var dirEntryName = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

func (l *loader) sourceDir(from *File, dir string, at *Error, depth int) error {
	ents, err := fs.ReadDir(l.fsys, fsName(l.name(dir)))
	if err != nil {
		return nil // scandir failed: ifupdown skips it silently
	}
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		if dirEntryName.MatchString(e.Name()) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, n := range names {
		if err := l.source(from, dir+"/"+n, at, depth); err != nil { // spelled as scandir's caller does
			return err
		}
	}
	return nil
}

// source reads and parses one included file. literal is the path as ifupdown spells it (the
// including file's dirname, "/", the expanded word): ifupdown reads a file once per spelling.
func (l *loader) source(from *File, literal string, at *Error, depth int) error {
	name := l.name(literal)
	tooDeep := depth+1 > l.opt.MaxDepth
	// Read first and stat only when the read fails (to tell the cases ifupdown skips): a regular
	// file, the common case, then costs one lookup instead of two.
	f, rerr := l.read(name, at)
	if rerr != nil {
		info, err := fs.Stat(l.fsys, fsName(name))
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			return nil // missing files and empty globs are skipped silently
		}
		if err == nil && name == "/dev/null" && info.Mode()&fs.ModeCharDevice != 0 {
			return nil // the conventional empty file: ifupdown reads nothing from it
		}
		if err == nil && info.IsDir() {
			l.warn("include-not-file", from, &Error{Path: at.Path, Line: at.Line, Msg: l.opt.Display(name) + ": is a directory; ifupdown skips it"})
			return nil
		}
	}
	if tooDeep {
		return &Error{Path: at.Path, Line: at.Line, Msg: "includes nested deeper than " + strconv.Itoa(l.opt.MaxDepth) + " levels"}
	}
	if rerr != nil {
		return rerr
	}
	id := f.id()
	sameSpelling := l.literals[literal]
	switch {
	case l.active[id] && sameSpelling:
		// ifupdown skips a path string it has seen: the cycle ends, nothing is repeated.
		l.warn("include-cycle", from, &Error{Path: at.Path, Line: at.Line, Msg: l.opt.Display(name) + " is already being read: include cycle, not followed again"})
		return nil
	case l.active[id]:
		// Through a new spelling ifupdown reads the file again, and again: its stanzas repeat
		// without end. We cannot model that, so the configuration is left alone.
		return &Error{Path: at.Path, Line: at.Line, Msg: fmt.Sprintf("include cycle: %s is already being read; ifupdown reads it again as %q, and again, repeating its stanzas", l.opt.Display(name), literal)}
	case l.seen[id] && sameSpelling:
		return nil // ifupdown reads each path string once
	case l.seen[id]:
		// ifupdown reads it a second time and applies its stanzas twice; ifacefix checks it
		// once (and the fixer changes nothing), and a person should include it once.
		l.warn("include-twice", from, &Error{Path: at.Path, Line: at.Line, Msg: fmt.Sprintf("%s is included again, as %q: ifupdown reads it twice and applies its stanzas twice; include it once", l.opt.Display(name), literal)})
		return nil
	}
	l.literals[literal] = true
	f.literal = literal
	l.cfg.Files = append(l.cfg.Files, f)
	return l.parseFile(f, depth+1, false)
}

// dirname is C's dirname(3) without cleaning: ifupdown builds include paths from it, and their
// spelling matters (see source).
func dirname(p string) string {
	p = strings.TrimRight(p, "/")
	i := strings.LastIndexByte(p, '/')
	switch {
	case p == "":
		return "/"
	case i < 0:
		return "."
	}
	if d := strings.TrimRight(p[:i], "/"); d != "" {
		return d
	}
	return "/"
}
