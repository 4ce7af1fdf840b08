package parser

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Ifupdown2 is ifupdown2 3.0.0 (Proxmox VE, Cumulus Linux; docs/dialects.md section 1), as its
// networkinterfaces.py reads a file:
//   - the text is UTF-8 with universal newlines; every "\" anywhere is replaced by one space with
//     all whitespace on both sides removed, blank lines included (a comment ending in "\" swallows
//     the next non-blank line); the whole text is stripped; lines starting with "#" are comments;
//   - keywords are iface, vlan, auto, allow-CLASS, source; a stanza takes every line up to the
//     next keyword line; a line that is not an option is reported and skipped (dialect-error);
//   - a stanza's auto and allow classes are those its name (before any ":") had when it was read;
//   - a file that contains "%" is rendered by Mako when python3-mako is installed in the root
//     (template-rendered: not read, never edited).
//
// Line numbers (Line.Num) are physical: ifupdown2 counts its joined lines, which a person cannot
// find in the file.
var Ifupdown2 = &Dialect{
	Name:         "ifupdown2",
	logicalLines: eachLogicalI2,
	dispatch:     dispatchI2,
	families: map[string][]string{
		"inet":  {"static", "manual", "loopback", "dhcp", "dhcp6", "ppp", "tunnel"},
		"inet6": {"static", "manual", "loopback", "dhcp", "dhcp6", "ppp", "tunnel"},
	},
	include:       includeI2,
	unsafeRemoval: unsafeRemovalI2,
	checkFile:     checkI2,
	iface:         ifaceI2,
	words:         wordI2,
}

// wordI2 is re.split(r'[\s\t]\s*', s, 1): the first word, up to the first Python whitespace
// (no length limit), and the rest after the whitespace run.
func wordI2(s string) (word, rest string, ok bool) {
	if s == "" {
		return "", "", false
	}
	i := strings.IndexFunc(s, spaceI2)
	if i < 0 {
		return s, "", true
	}
	return s[:i], strings.TrimLeftFunc(s[i:], spaceI2), true
}

// spaceI2 is Python's str.isspace for one character: what strip() removes around a "\".
func spaceI2(r rune) bool { return unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f }

// lineSpaceI2 is what ifupdown2 strips from each line after the join (whitespaces = '\n\t\r ').
func lineSpaceI2(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// eachLogicalI2 groups physical lines as ifupdown2's process_interfaces reads them: the whole
// text is split at every "\", each piece stripped of whitespace and the pieces joined with one
// space, and the result split into lines. A logical line covers the physical lines from its
// first character (or "\") to the newline that ends it; the whitespace-only lines around that
// the join or the file's strip consumed stand alone as blank lines. Lines must end in "\n" or
// "\r\n" (checkI2 refuses a lone "\r").
func eachLogicalI2(phys []string, emit func(logical)) {
	var b strings.Builder
	starts := make([]int, len(phys)) // offset of each physical line in the text
	for i, p := range phys {
		starts[i] = b.Len()
		p = strings.TrimSuffix(p, "\n")
		b.WriteString(strings.TrimSuffix(p, "\r"))
		if strings.HasSuffix(phys[i], "\n") {
			b.WriteByte('\n')
		}
	}
	text := b.String()
	li := 0 // physical line of the position being looked at; positions only grow
	lineOf := func(pos int) int {
		for li+1 < len(starts) && starts[li+1] <= pos {
			li++
		}
		return li
	}
	next := 0             // first physical line not emitted yet
	first, last := -1, -1 // physical lines of the current logical line's first and last character
	var cur []byte
	blanks := func(to int) {
		for ; next < to; next++ {
			emit(logical{start: next, end: next + 1, ifLine: next + 1})
		}
	}
	mark := func(pos int) {
		n := lineOf(pos)
		if first < 0 {
			first = n
		}
		last = n
	}
	end := func(nl int) { // the logical line ends at the newline at nl (or, -1, at the end of the text)
		if first < 0 {
			if nl >= 0 {
				blanks(lineOf(nl) + 1)
			}
			cur = cur[:0]
			return
		}
		blanks(first)
		stop := last + 1
		if nl >= 0 {
			stop = lineOf(nl) + 1
		}
		s := strings.TrimFunc(string(cur), func(r rune) bool { return r < utf8.RuneSelf && lineSpaceI2(byte(r)) })
		emit(logical{start: first, end: stop, text: s, comment: strings.HasPrefix(s, "#"), ifLine: first + 1})
		next, first, last, cur = stop, -1, -1, cur[:0]
	}
	pos := 0
	for piece := 0; pos <= len(text); piece++ {
		stop := strings.IndexByte(text[pos:], '\\')
		if stop < 0 {
			stop = len(text)
		} else {
			stop += pos
		}
		if piece > 0 {
			mark(pos - 1) // the "\" itself becomes the joining space
			cur = append(cur, ' ')
		}
		a, z := pos, stop
		for a < z {
			r, n := utf8.DecodeRuneInString(text[a:z])
			if !spaceI2(r) {
				break
			}
			a += n
		}
		for z > a {
			r, n := utf8.DecodeLastRuneInString(text[a:z])
			if !spaceI2(r) {
				break
			}
			z -= n
		}
		for a < z {
			nl := strings.IndexByte(text[a:z], '\n')
			seg := text[a:z]
			if nl >= 0 {
				seg = text[a : a+nl]
			}
			// Content is what the per-line strip (' \t\r\n' only) leaves: a lone U+001E is a line.
			if t := strings.TrimLeft(seg, " \t\r\n"); t != "" {
				mark(a + len(seg) - len(t))
				mark(a + len(strings.TrimRight(seg, " \t\r\n")) - 1)
			}
			cur = append(cur, seg...)
			if nl < 0 {
				break
			}
			end(a + nl)
			a += nl + 1
		}
		pos = stop + 1
	}
	end(-1)
	blanks(len(phys))
}

// textsI2 returns the non-blank logical lines of phys as ifupdown2 reads them.
func textsI2(phys []string) []string {
	var out []string
	eachLogicalI2(phys, func(g logical) {
		if g.text != "" {
			out = append(out, g.text)
		}
	})
	return out
}

// removalChangesI2 reports whether removing physical lines [start, end) of f would change how
// ifupdown2 reads the lines around them. It reads a window, from the logical line with text
// before to the one after (the join is local: only a "\" and the whitespace around it join
// lines), with and without them: the removed lines must be whole logical lines of the window,
// and the rest must read the same.
func removalChangesI2(f *File, start, end int) bool {
	// From the logical line before the one holding start to the one after the one holding end-1.
	i := sort.Search(len(f.Lines), func(i int) bool { return f.Lines[i].End > start })
	j := sort.Search(len(f.Lines), func(j int) bool { return f.Lines[j].End >= end })
	if i >= len(f.Lines) || j >= len(f.Lines) {
		return true
	}
	from, to := f.Lines[i].Start, f.Lines[j].End
	// A line of Python whitespace only (U+001E) is a line to ifupdown2 but not to the text's
	// strip: the window reaches past such lines to one the strip stops at.
	solid := func(l *Line) bool {
		return strings.ContainsFunc(f.Text(l), func(r rune) bool { return !spaceI2(r) })
	}
	for i--; i >= 0; i-- {
		if from = f.Lines[i].Start; solid(&f.Lines[i]) {
			break
		}
	}
	for j++; j < len(f.Lines); j++ {
		if to = f.Lines[j].End; solid(&f.Lines[j]) {
			break
		}
	}
	var want []string
	changed := false
	eachLogicalI2(f.Phys[from:to], func(g logical) {
		s, e := g.start+from, g.end+from
		switch {
		case e <= start || s >= end:
			if g.text != "" {
				want = append(want, g.text)
			}
		case s < start || e > end:
			changed = true // a logical line reaches into the removed lines and out of them
		}
	})
	return changed || !slices.Equal(want, textsI2(slices.Concat(f.Phys[from:start], f.Phys[end:to])))
}

// unsafeRemovalI2 is the unsafeRemoval hook: ifupdown2's logical lines already hold every line a
// "\" joins, so removing a whole one leaves its neighbours as they were; this checks it.
func unsafeRemovalI2(f *File, l *Line) string {
	if removalChangesI2(f, l.Start, l.End) {
		return fmt.Sprintf("without %s:%d, ifupdown2's strip of the whole text or its join at a \"\\\" would reach the lines next to it", f.Path, l.Pos())
	}
	return ""
}

// dispatchI2 is process_interfaces' and parse_iface's dispatch: _is_keyword, in their order.
// Messages of Ignored lines are ifupdown2's errors that skip the line (ifup exits 1 after doing
// everything else); other messages are its fatal "main exception"s.
func dispatchI2(w, rest string, st state) (Kind, state, string) {
	line := strings.TrimSpace(w + " " + rest)
	switch {
	case w == "iface" || w == "vlan":
		if rest == "" {
			return Iface, state{}, "ifupdown2 fails on a bare " + w + " line (error: main exception: list index out of range) and configures nothing"
		}
		return Iface, state{in: inIface}, ""
	case w == "auto":
		if rest == "" {
			return Ignored, state{}, "ifupdown2 reports \"invalid auto line 'auto'\" and skips the line (ifup exits 1)"
		}
		return Auto, state{}, ""
	case w == "source":
		if rest == "" {
			return Source, state{}, "ifupdown2 fails on a bare source line (error: main exception: list index out of range) and configures nothing"
		}
		return Source, state{}, ""
	case strings.Split(w, "-")[0] == "allow":
		if !strings.Contains(w, "-") {
			return Auto, state{}, "ifupdown2 fails on an allow line without a class (error: main exception: list index out of range) and configures nothing"
		}
		if rest == "" {
			return Auto, state{}, fmt.Sprintf("ifupdown2 fails on an %s line without names (error: main exception: invalid allow line '%s') and configures nothing", w, w)
		}
		return Auto, state{}, ""
	case st.in == inIface:
		if rest == "" {
			return Ignored, st, fmt.Sprintf("ifupdown2 reports \"invalid syntax '%s'\" (an option without a value) and skips the line (ifup exits 1)", w)
		}
		return Option, st, ""
	}
	return Ignored, st, fmt.Sprintf("ifupdown2 reports \"error processing line '%s'\" (not an option of any stanza) and skips the line (ifup exits 1)", line)
}

// ifaceI2 is parse_iface for the stanza's line: NAME [FAMILY [METHOD]] and nothing else read.
func ifaceI2(l *loader, f *File, idx int, rest string) (*Stanza, *Error) {
	ln := &f.Lines[idx]
	name, rest, _ := wordI2(rest)
	s := &Stanza{File: f, Header: idx, Name: name}
	fam, rest, ok := wordI2(rest)
	switch {
	case !ok:
	case !l.dialect.knownFamily(fam):
		l.warn("dialect-error", f, l.errorf(f, int(ln.Num), "ifupdown2 reports \"iface %s: unsupported address family '%s'\" and reads the stanza without family and method (ifup exits 1)", s.Base(), fam))
	default:
		s.Family, s.Method = fam, "static"
		if m, _, ok := wordI2(rest); ok {
			s.Method = m
			if !l.dialect.knownMethod(fam, m) {
				l.warn("dialect-error", f, l.errorf(f, int(ln.Num), "ifupdown2 reports \"iface %s: unsupported address method '%s'\" (ifup exits 1)", s.Base(), m))
			}
		}
	}
	// The stanza is stored under the name before ":", and its classes are what that name had
	// when it was read: an auto line after the stanza does not make it auto.
	for _, sel := range l.cfg.Selections {
		class := "auto" // the auto flag; an allow line gives allow-CLASS (allow-auto is a class)
		if sel.Keyword != "auto" {
			c, _, _ := strings.Cut(strings.TrimPrefix(sel.Keyword, "allow-"), "-")
			class = "allow-" + c
		}
		if (slices.Contains(sel.Names, s.Base()) || class == "auto" && autoAllI2(sel.Names)) && !slices.Contains(s.Classes, class) {
			s.Classes = append(s.Classes, class)
		}
	}
	l.cfg.Stanzas = append(l.cfg.Stanzas, s)
	f.Stanzas = append(f.Stanzas, s)
	return s, nil
}

// autoAllI2 reports whether an auto line's names reach "all" (process_auto stops there and marks
// every later stanza auto).
func autoAllI2(names []string) bool { return slices.Contains(names, "all") }

// includeI2 is process_source: the second word only, through Python's glob.glob (pyGlob) relative to
// ifupdown2's working directory ("/" at boot), each match read in turn with the same lists.
func includeI2(l *loader, f *File, ln *Line, depth int) error {
	at := l.errorf(f, int(ln.Num), "")
	word, _, _ := wordI2(ln.Rest)
	matches := pyGlob(l.fsys, l.opt.WorkDir, word)
	if !strings.HasPrefix(word, "/") {
		// Relative to the working directory: "/" at boot, but the shell's for an ifreload by
		// hand, typically the file's own directory.
		here := dirname(f.Name)
		if other := pyGlob(l.fsys, here, word); here != path.Clean(l.opt.WorkDir) && !slices.Equal(absAll(l.opt.WorkDir, matches), absAll(here, other)) {
			l.warn("include-unsupported", f, l.errorf(f, int(ln.Num), "source %s: ifupdown2 reads a relative path from its working directory, and it names other files from %s (at boot) than from %s (ifreload run there by hand); ifacefix follows %s", word, l.opt.WorkDir, here, l.opt.WorkDir))
		}
	}
	found := false
	for _, lit := range matches {
		name := l.name(lit)
		info, err := fs.Stat(l.fsys, fsName(name))
		if err != nil {
			continue // a dangling link: Python's glob lists it, read_file fails and skips it
		}
		found = true
		if info.IsDir() {
			l.warn("include-not-file", f, &Error{Path: at.Path, Line: at.Line, Msg: l.opt.Display(name) + ": is a directory; ifupdown2 skips it (error processing file)"})
			continue
		}
		if err := l.sourceI2(f, lit, at, depth); err != nil {
			return err
		}
	}
	if !found && !strings.Contains(word, "*") {
		l.warn("dialect-error", f, l.errorf(f, int(ln.Num), "ifupdown2 reports \"cannot find source file %s\" (ifup exits 1)", word))
	}
	return nil
}

// absAll returns the absolute names of glob results relative to dir.
func absAll(dir string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		if !strings.HasPrefix(n, "/") {
			n = dir + "/" + n
		}
		out[i] = path.Clean(n)
	}
	slices.Sort(out)
	return out
}

// sourceI2 reads and parses one sourced file. ifupdown2 has no include guard: a file that sources
// itself recurses until Python fails, and a file reached twice is read twice.
func (l *loader) sourceI2(from *File, literal string, at *Error, depth int) error {
	name := l.name(literal)
	if depth+1 > l.opt.MaxDepth {
		return &Error{Path: at.Path, Line: at.Line, Msg: fmt.Sprintf("includes nested deeper than %d levels", l.opt.MaxDepth)}
	}
	f, err := l.read(name, at)
	if err != nil {
		return err
	}
	id := f.id()
	switch {
	case l.active[id]:
		return &Error{Path: at.Path, Line: at.Line, Msg: fmt.Sprintf("include cycle: %s is already being read; ifupdown2 has no include guard and fails (error: main exception: maximum recursion depth exceeded), configuring nothing", l.opt.Display(name))}
	case l.seen[id]:
		l.warn("include-twice", from, &Error{Path: at.Path, Line: at.Line, Msg: fmt.Sprintf("%s is included again: ifupdown2 reads it twice and merges its stanzas into themselves; include it once", l.opt.Display(name))})
		return nil
	}
	f.literal = literal
	l.cfg.Files = append(l.cfg.Files, f)
	// top: an error that is fatal in a sourced file is fatal to ifupdown2 as a whole.
	return l.parseFile(f, depth+1, true)
}

// checkI2 refuses what ifupdown2 reads differently from its bytes' lines, and skips a file Mako
// renders.
func checkI2(l *loader, f *File) (int, string, bool) {
	if !utf8.ValidString(f.Data) {
		n := 1
		for i, p := range f.Phys {
			if !utf8.ValidString(p) {
				n = i + 1
				break
			}
		}
		return n, "not valid UTF-8: ifupdown2 cannot decode it and skips the whole file (warning: error processing file)", false
	}
	for i, p := range f.Phys {
		if j := strings.IndexByte(p, '\r'); j >= 0 && j != len(p)-2 {
			return i + 1, "a carriage return that does not end the line: ifupdown2 reads it as a line break, which ifacefix cannot edit safely", false
		}
	}
	if strings.Contains(f.Data, "%") && l.fsys != nil && makoRendersI2(l.fsys) {
		n := strings.Count(f.Data[:strings.IndexByte(f.Data, '%')], "\n") + 1
		l.warn("template-rendered", f, l.errorf(f, n, "ifupdown2 renders this file with Mako (it contains %%, python3-mako is installed and templates are enabled): it reads the rendered text, not this one; ifacefix neither reads nor edits the file"))
		return 0, "", true
	}
	return 0, "", false
}

// makoRendersI2 reports whether ifupdown2 in this root renders templates: its configuration
// enables the mako engine (the shipped default; without the file ifupdown2 does not run, so the
// default is assumed) and Debian's python3 can import mako.
func makoRendersI2(fsys fs.FS) bool {
	conf, err := fs.ReadFile(fsys, "etc/network/ifupdown2/ifupdown2.conf")
	enabled := err != nil
	if err == nil {
		var enable, engine string
		for _, line := range strings.Split(string(conf), "\n") {
			k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
			switch {
			case !ok || strings.HasPrefix(k, "#"):
			case strings.TrimSpace(k) == "template_enable":
				enable = strings.TrimSpace(v)
			case strings.TrimSpace(k) == "template_engine":
				engine = strings.TrimSpace(v)
			}
		}
		// templateEngine: only template_enable '0' turns it off, and only mako renders.
		enabled = enable != "0" && engine == "mako"
	}
	if !enabled {
		return false
	}
	for _, dir := range []string{"usr/lib/python3/dist-packages", "usr/local/lib/python3*/dist-packages", "usr/lib/python3.*"} {
		ms, _ := fs.Glob(fsys, path.Join(dir, "mako/template.py"))
		if len(ms) > 0 {
			return true
		}
	}
	return false
}
