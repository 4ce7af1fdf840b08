package parser

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// Busybox is busybox 1.35's ifup applet, as Debian's busybox-static builds it
// (networking/ifupdown.c read_interfaces; docs/dialects.md section 3). It differs from ifupdown
// 0.8.41 in ways that decide what a fix may touch:
//   - every line whose last byte is "\" is joined with the next physical line, blank or a
//     comment or not, and a line is a comment when its first word starts with "#" after the
//     joining: "# note \" swallows the line below it;
//   - the iface line has exactly three words; the families are inet, inet6 and link, each with
//     fewer methods;
//   - only mapping, iface, auto, source and source-dir* are keywords (allow-hotplug, rename,
//     no-auto-down are options inside a stanza and misplaced outside);
//   - a repeated option in one stanza (up, down, pre-up, post-down aside; post-up counts as up,
//     pre-down as down), a name in two auto lists, an empty value, a missing source file: every
//     error stops ifup before it configures anything, in a sourced file too;
//   - source takes one path, no glob, relative to the working directory, with no include
//     guard, and the includer's stanza goes on after the source line.
//
// Removing an option's logical line never changes how busybox reads the lines around it: a line
// before it cannot end in "\" (it would be part of the option's line), and the option's own last
// line does not either (except at the end of the file); so the dialect needs no unsafeRemoval
// hook (TestBusyboxRemovalKeepsNeighbours checks this on every fixture).
var Busybox = &Dialect{
	Name:            "busybox",
	logicalLines:    eachLogicalBusybox,
	dispatch:        dispatchBusybox,
	families:        bbFamilies,
	include:         includeBusybox,
	words:           nextWordBusybox,
	check:           checkBusybox,
	fatalEverywhere: true,
}

// bbFamilies are Debian's busybox-static build's (FEATURE_IFUPDOWN_IP, IPV4, IPV6).
var bbFamilies = map[string][]string{
	"inet":  {"manual", "wvdial", "ppp", "static", "bootp", "dhcp", "loopback"},
	"inet6": {"v4tunnel", "static", "manual", "loopback"},
	"link":  {"none"},
}

// eachLogicalBusybox groups physical lines as read_interfaces does: while the line's last byte
// is "\", it is dropped and the next physical line appended raw ("\r" kept); the end of the file
// ends the chain. The line is blank without a word, a comment when its first word starts with
// "#", and otherwise kept whole (the value of an option keeps its trailing blanks).
func eachLogicalBusybox(phys []string, emit func(logical)) {
	for i := 0; i < len(phys); {
		start := i
		s := content(phys[i])
		i++
		if strings.HasSuffix(s, `\`) {
			buf := []byte(s)
			for len(buf) > 0 && buf[len(buf)-1] == '\\' {
				buf = buf[:len(buf)-1]
				if i >= len(phys) {
					break
				}
				buf = append(buf, content(phys[i])...)
				i++
			}
			s = string(buf)
		}
		g := logical{start: start, end: i, ifLine: i}
		if w, _, ok := nextWordBusybox(s); ok {
			if w[0] == '#' {
				g.comment = true
			} else {
				g.text = s
			}
		}
		emit(g)
	}
}

// nextWordBusybox is busybox's next_word: blanks (isspace) skipped, the word ends at a space, tab
// or newline only (a "\r" is part of it), no length limit; the rest starts after the blanks that
// follow and keeps its trailing blanks.
func nextWordBusybox(s string) (word, rest string, ok bool) {
	s = trimLeft(s)
	if s == "" {
		return "", "", false
	}
	i := strings.IndexAny(s, " \t\n")
	if i < 0 {
		return s, "", true
	}
	return s[:i], trimLeft(s[i+1:]), true
}

// dispatchBusybox is read_interfaces' first-word dispatch. A source line leaves the state as it
// was: the includer's stanza goes on after it.
func dispatchBusybox(w, rest string, st state) (Kind, state, string) {
	switch {
	case w == "mapping":
		return Mapping, state{in: inMapping}, ""
	case w == "iface":
		return Iface, state{in: inIface}, ""
	case w == "auto":
		return Auto, state{}, ""
	case w == "source":
		return Source, st, ""
	case strings.HasPrefix(w, "source-dir"):
		return SourceDir, st, ""
	case st.in == inIface:
		if rest == "" {
			return Option, st, "option with empty value " + strconv.Quote(w)
		}
		return Option, st, ""
	case st.in == inMapping && w == "script":
		if st.script {
			return MapBody, st, "duplicate script in mapping"
		}
		return MapBody, state{in: inMapping, script: true}, ""
	case st.in == inMapping && w == "map":
		return MapBody, st, ""
	}
	return Option, st, "misplaced option " + strconv.Quote(w)
}

// bbCommands are the option names busybox lets a stanza repeat (after post-up → up and
// pre-down → down).
var bbCommands = []string{"up", "down", "pre-up", "post-down"}

func bbOptionName(n string) string {
	switch n {
	case "post-up":
		return "up"
	case "pre-down":
		return "down"
	}
	return n
}

// checkBusybox refuses what read_interfaces dies on beyond the dispatch: an iface line that is
// not exactly NAME FAMILY METHOD of a known family and method, a repeated option in one stanza,
// a name declared auto twice, a source line without a path.
func checkBusybox(cfg *Config, cur *Stanza, kind Kind, w, rest string) string {
	switch kind {
	case Iface:
		_, r, _ := nextWordBusybox(rest) // the name
		fam, r, _ := nextWordBusybox(r)
		method, r, ok := nextWordBusybox(r)
		switch {
		case !ok:
			return `too few parameters for line "iface"`
		case trimLeft(r) != "":
			return `too many parameters "iface" (the iface line takes exactly a name, a family and a method)`
		case bbFamilies[fam] == nil:
			return "unknown address type " + strconv.Quote(fam)
		case !slices.Contains(bbFamilies[fam], method):
			return "unknown method " + strconv.Quote(method)
		}
	case Option:
		if cur == nil {
			return ""
		}
		n := bbOptionName(w)
		if slices.Contains(bbCommands, n) {
			return ""
		}
		for _, o := range cur.Options {
			if bbOptionName(o.Name) == n {
				return fmt.Sprintf("duplicate option %q: busybox refuses an option repeated in one stanza (also at %s:%d)", w, cur.File.Path, o.L().Num)
			}
		}
	case Auto:
		seen := map[string]bool{}
		for _, s := range cfg.Selections {
			for _, n := range s.Names {
				seen[n] = true
			}
		}
		for n, r, ok := nextWordBusybox(rest); ok; n, r, ok = nextWordBusybox(r) {
			if seen[n] {
				return fmt.Sprintf(`interface declared auto twice "auto" (%s)`, n)
			}
			seen[n] = true
		}
	case Source, SourceDir:
		if _, _, ok := nextWordBusybox(rest); !ok {
			return "can't open '(null)': Bad address"
		}
	}
	return ""
}

// includeBusybox follows a source line (one file) or a source-dir* line (every entry of the
// directory not starting with "."), as read_interfaces does: the path is the line's first word,
// relative to the working directory, without globbing; whatever cannot be read stops ifup.
// busybox reads the entries of a directory in readdir order, which a tree does not record: they
// are taken in name order here.
func includeBusybox(l *loader, f *File, ln *Line, depth int) error {
	at := l.errorf(f, int(ln.Num), "")
	word, _, _ := nextWordBusybox(ln.Rest)
	if ln.Kind == Source {
		return l.sourceBusybox(f, word, at, depth)
	}
	fail := func(msg string, err error) error {
		return &Error{Path: at.Path, Line: at.Line, Msg: msg, Err: err}
	}
	ents, err := fs.ReadDir(l.fsys, fsName(l.name(word)))
	if err != nil {
		return fail(fmt.Sprintf("can't open '%s': %s", word, errText(err)), err)
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		p := strings.TrimSuffix(word, "/") + "/" + e.Name() // concat_path_file
		if err := l.sourceBusybox(f, p, at, depth); err != nil {
			return err
		}
	}
	return nil
}

// sourceBusybox reads and parses one included file; every problem is fatal, as in busybox.
func (l *loader) sourceBusybox(from *File, literal string, at *Error, depth int) error {
	fail := func(msg string, err error) error {
		return &Error{Path: at.Path, Line: at.Line, Msg: msg, Err: err}
	}
	name := l.name(literal)
	info, err := fs.Stat(l.fsys, fsName(name))
	switch {
	case err != nil:
		return fail(fmt.Sprintf("can't open '%s': %s", literal, errText(err)), err)
	case info.IsDir():
		return fail(literal+": I/O error (a directory)", nil)
	case depth+1 > l.opt.MaxDepth:
		return fail("includes nested deeper than "+strconv.Itoa(l.opt.MaxDepth)+" levels", nil)
	}
	f, err := l.read(name, at)
	if err != nil {
		return err
	}
	id := f.id()
	switch {
	case l.active[id]:
		// No include guard: busybox reads the file again and again until it fails.
		return fail(fmt.Sprintf("include cycle: %s is already being read; busybox has no include guard and reads it again until it stops (interface declared auto twice, or can't open: Too many open files)", l.opt.Display(name)), nil)
	case l.seen[id]:
		return fail(fmt.Sprintf("%s is included a second time: busybox reads it again and configures its stanzas twice (or stops at an auto line declared twice); include it once", l.opt.Display(name)), nil)
	}
	l.literals[literal] = true
	f.literal = literal
	l.cfg.Files = append(l.cfg.Files, f)
	return l.parseFile(f, depth+1, false)
}

// errText is the strerror text of an error from the file system.
func errText(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "No such file or directory"
	case errors.Is(err, syscall.ENOTDIR):
		return "Not a directory"
	case errors.Is(err, fs.ErrPermission):
		return "Permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return err.Error()
}
