package parser

import (
	"io/fs"
	"path"
	"sort"
	"strings"
	"unicode/utf8"
)

// pyGlob is Python 3.11's glob.glob(pattern) (non-recursive), as ifupdown2's process_source calls
// it: relative patterns are read from dir (the working directory); `*`, `?` and `[...]` are
// fnmatch's (no POSIX classes, no quoting, an unclosed `[` literal), `*` and `?` do not match a
// leading dot unless the pattern part starts with one, and a part without magic is looked up.
// Python returns each directory's matches in the order the directory lists them; pyGlob sorts
// them, since that order cannot be known here. fsys names are as fsName makes them.
func pyGlob(fsys fs.FS, dir, pattern string) []string {
	full := func(p string) string {
		if !strings.HasPrefix(p, "/") {
			p = dir + "/" + p
		}
		return fsName(p)
	}
	exists := func(p string) bool { _, err := fs.Stat(fsys, full(p)); return err == nil }
	isDir := func(p string) bool { fi, err := fs.Stat(fsys, full(p)); return err == nil && fi.IsDir() }
	var glob func(pattern string, dirOnly bool) []string
	glob = func(pattern string, dirOnly bool) []string {
		d, base := pySplit(pattern)
		if !pyMagic(pattern) {
			if base != "" && exists(pattern) || base == "" && isDir(d) {
				return []string{pattern}
			}
			return nil
		}
		dirs := []string{d}
		if d != pattern && pyMagic(d) {
			dirs = glob(d, true)
		}
		var out []string
		for _, d := range dirs {
			if !pyMagic(base) {
				if base != "" && exists(path.Join(d, base)) || base == "" && isDir(d) {
					out = append(out, pyJoin(d, base))
				}
				continue
			}
			listed := d
			if listed == "" {
				listed = "."
			}
			ents, err := fs.ReadDir(fsys, full(listed))
			if err != nil {
				continue
			}
			var names []string
			for _, e := range ents {
				n := e.Name()
				if n[0] == '.' && base[0] != '.' {
					continue // _ishidden
				}
				if dirOnly && !isDir(pyJoin(d, n)) {
					continue
				}
				if fnmatchPy(base, n) {
					names = append(names, n)
				}
			}
			sort.Strings(names)
			for _, n := range names {
				out = append(out, pyJoin(d, n))
			}
		}
		return out
	}
	return glob(pattern, false)
}

// pyMagic is glob.has_magic.
func pyMagic(s string) bool { return strings.ContainsAny(s, "*?[") }

// pySplit is os.path.split: the head loses its trailing slashes unless it is all slashes.
func pySplit(p string) (head, tail string) {
	i := strings.LastIndexByte(p, '/') + 1
	head, tail = p[:i], p[i:]
	if t := strings.TrimRight(head, "/"); t != "" {
		head = t
	}
	return head, tail
}

// pyJoin is os.path.join for two parts.
func pyJoin(a, b string) string {
	switch {
	case a == "":
		return b
	case strings.HasSuffix(a, "/"):
		return a + b
	}
	return a + "/" + b
}

// fnmatchPy is fnmatch.fnmatchcase(name, pat): fnmatch.translate's regular expression, read
// directly (backslashes never reach it: ifupdown2 has turned every "\" into a space).
func fnmatchPy(pat, name string) bool {
	if pat == "" {
		return name == ""
	}
	switch c, n := utf8.DecodeRuneInString(pat); c {
	case '*':
		rest := strings.TrimLeft(pat, "*")
		for i := 0; ; {
			if fnmatchPy(rest, name[i:]) {
				return true
			}
			if i >= len(name) {
				return false
			}
			_, w := utf8.DecodeRuneInString(name[i:])
			i += w
		}
	case '?':
		if name == "" {
			return false
		}
		_, w := utf8.DecodeRuneInString(name)
		return fnmatchPy(pat[n:], name[w:])
	case '[':
		j := n
		if j < len(pat) && pat[j] == '!' {
			j++
		}
		if j < len(pat) && pat[j] == ']' {
			j++
		}
		for j < len(pat) && pat[j] != ']' {
			j++
		}
		if j >= len(pat) {
			break // no closing bracket: a literal "["
		}
		if name == "" {
			return false
		}
		r, w := utf8.DecodeRuneInString(name)
		return classPy(pat[n:j], r) && fnmatchPy(pat[j+1:], name[w:])
	}
	c, n := utf8.DecodeRuneInString(pat)
	r, w := utf8.DecodeRuneInString(name)
	return name != "" && c == r && fnmatchPy(pat[n:], name[w:])
}

// classPy reports whether r is in the bracket expression whose inside is stuff: "!" first
// negates (and "!" alone is any character), ranges a-z (an empty range matches nothing), every
// other character literal.
func classPy(stuff string, r rune) bool {
	if stuff == "" {
		return false // "[]" never matches: translate gives (?!)
	}
	if stuff == "!" {
		return true
	}
	neg := stuff[0] == '!'
	if neg {
		stuff = stuff[1:]
	}
	rs := []rune(stuff)
	in := false
	for i := 0; i < len(rs); i++ {
		if i+2 < len(rs) && rs[i+1] == '-' {
			in = in || rs[i] <= r && r <= rs[i+2]
			i += 2
			continue
		}
		in = in || rs[i] == r
	}
	return in != neg
}
