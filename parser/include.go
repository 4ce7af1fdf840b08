package parser

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// include08 follows a source or source-dir* line the way ifupdown 0.8.41's config.c does: the including file's
// directory is put before REST (unless it starts with '/'), the string goes through wordexp(3)
// with WRDE_NOCMD, and each resulting word names a file (source) or a directory whose entries
// matching ^[a-zA-Z0-9_-]+$ are read in sorted order (source-directory).
func include08(l *loader, f *File, ln *Line, depth int) error {
	at := l.errorf(f, int(ln.Num), "")
	pattern := ln.Rest
	if !strings.HasPrefix(pattern, "/") {
		pattern = dirname(f.literal) + "/" + pattern
	}
	words, err := wordexp(pattern)
	if err != nil {
		if err != errBadWords {
			// ifupdown would expand this with the shell; we cannot know the result.
			l.warn("include-unsupported", f, l.errorf(f, int(ln.Num), "%s %s: %v; not followed", ln.Keyword, ln.Rest, err))
		}
		return nil // wordexp fails: ifupdown ignores the line silently
	}
	for i, w := range words {
		if i > 0 && !strings.HasPrefix(w.pat, "/") {
			// Only the first word gets the directory; later ones are relative to the working directory.
			w.pat, w.lit = escapeGlob(l.opt.WorkDir)+"/"+w.pat, path.Join(l.opt.WorkDir, w.lit)
		}
		for _, p := range l.glob(w) {
			if ln.Kind == Source {
				err = l.source(f, p, at, depth)
			} else {
				err = l.sourceDir(f, p, at, depth)
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

var dirEntryName = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

func (l *loader) sourceDir(from *File, dir string, at *Error, depth int) error {
	ents, err := fs.ReadDir(l.fsys, fsName(dir))
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
	name := path.Clean(literal)
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
		// ifupdown reads it a second time and applies its stanzas twice; ifacefix checks and
		// fixes it once, and a person should include it once.
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

// shellWord is one word produced by wordexp: lit is its text with quotes removed, pat the same
// text as a path.Match pattern (quoted metacharacters escaped), glob whether it has unquoted ones.
type shellWord struct {
	lit, pat string
	glob     bool
}

var (
	errBadWords   = errors.New("wordexp fails")
	errShellValue = errors.New("uses shell expansion ($, ~ or `) whose value ifacefix cannot know")
)

// wordexp splits s like wordexp(3) with WRDE_NOCMD, as far as ifupdown's source lines need:
// quotes and backslashes, word splitting, and glob metacharacters. Unquoted | & ; < > ( ) { }
// and unbalanced quotes make wordexp fail (ifupdown then ignores the line: errBadWords); $, ` and a
// leading ~ would expand to values we cannot know (errShellValue).
func wordexp(s string) ([]shellWord, error) {
	var (
		words       []shellWord
		lit, pat    strings.Builder
		inWord, glb bool
	)
	add := func(c byte, quoted bool) {
		inWord = true
		lit.WriteByte(c)
		if quoted && strings.IndexByte(`*?[\`, c) >= 0 {
			pat.WriteByte('\\')
		}
		pat.WriteByte(c)
	}
	end := func() {
		if inWord {
			words = append(words, shellWord{lit: lit.String(), pat: pat.String(), glob: glb})
		}
		lit.Reset()
		pat.Reset()
		inWord, glb = false, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			end()
		case strings.IndexByte("|&;<>(){}", c) >= 0:
			return nil, errBadWords
		case c == '$' || c == '`' || c == '~' && !inWord:
			return nil, errShellValue
		case c == '\\':
			if i+1 < len(s) {
				i++
				add(s[i], true)
			} else {
				add(c, true)
			}
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, errBadWords
			}
			inWord = true
			for _, q := range []byte(s[i+1 : i+1+j]) {
				add(q, true)
			}
			i += j + 1
		case c == '"':
			inWord = true
			closed := false
			for i++; i < len(s); i++ {
				q := s[i]
				if q == '"' {
					closed = true
					break
				}
				if q == '$' || q == '`' {
					return nil, errShellValue
				}
				if q == '\\' && i+1 < len(s) && strings.IndexByte("$`\"\\", s[i+1]) >= 0 {
					i++
					q = s[i]
				}
				add(q, true)
			}
			if !closed {
				return nil, errBadWords
			}
		case c == '*' || c == '?' || c == '[':
			glb = true
			inWord = true
			lit.WriteByte(c)
			if c == '[' && i+1 < len(s) && s[i+1] == '!' {
				pat.WriteString("[^") // the shell's negation is Go's [^
				lit.WriteByte('!')
				i++
				continue
			}
			pat.WriteByte(c)
		default:
			add(c, false)
		}
	}
	end()
	return words, nil
}

func escapeGlob(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(`*?[\`, s[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// glob expands a word like glob(3) does inside wordexp: component by component, '*' and '?' never
// match a leading dot, results sorted; a pattern that matches nothing stays as it is.
func (l *loader) glob(w shellWord) []string {
	if !w.glob {
		return []string{w.lit}
	}
	// Results keep the pattern's own spelling ("./", "..") like glob(3); reads clean them.
	dirs := []string{""}
	for _, comp := range strings.Split(w.pat, "/") {
		if comp == "" {
			continue
		}
		var next []string
		if !hasMeta(comp) {
			lit := unescape(comp)
			for _, d := range dirs {
				next = append(next, d+"/"+lit)
			}
		} else {
			for _, d := range dirs {
				ents, err := fs.ReadDir(l.fsys, fsName(d))
				if err != nil {
					continue
				}
				for _, e := range ents {
					n := e.Name()
					if strings.HasPrefix(n, ".") && !strings.HasPrefix(comp, ".") {
						continue
					}
					if ok, _ := path.Match(comp, n); ok {
						next = append(next, d+"/"+n)
					}
				}
			}
		}
		dirs = next
	}
	if len(dirs) == 0 || len(dirs) == 1 && dirs[0] == "" {
		return []string{w.lit}
	}
	sort.Strings(dirs)
	return dirs
}

func hasMeta(p string) bool {
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '\\':
			i++
		case '*', '?', '[':
			return true
		}
	}
	return false
}

func unescape(p string) string {
	if !strings.Contains(p, `\`) {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '\\' && i+1 < len(p) {
			i++
		}
		b.WriteByte(p[i])
	}
	return b.String()
}
