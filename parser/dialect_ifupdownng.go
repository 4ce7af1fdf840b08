package parser

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// IfupdownNG is ifupdown-ng 0.11.3 (Alpine; docs/dialects.md section 2): its lif_fgetline
// (a "#" anywhere ends the line, "\" continues it and swallows the next line's leading blanks),
// and its parser, in which nothing ends a stanza: every line belongs to the current interface,
// which iface, interface, template and auto lines switch (auto takes its first name only); lines
// naming one interface, in any file, merge into one [Interface] (Config.Interfaces). Its File.Stanzas
// are the runs of lines of one interface within one file (segments): each begins at the line
// that made the interface current there (iface, interface, template, auto, the source line after
// an included file, or the first line of an included file that continues the includer's
// interface). A source file that cannot be opened fails the whole parse, as in the program.
var IfupdownNG = &Dialect{
	Name:         "ifupdown-ng",
	logicalLines: ngLogical,
	parse:        parseNG,
	include:      includeNG,
	// Any edit of such a file changes what its last line reads (an insertion after it gives it a
	// newline); even removing the last line would change what other edits see, so none is made.
	unsafeRemoval: func(f *File, _ *Line) string { return ngStaleEdit(f) },
	unsafeInsert:  func(f *File, _ int) string { return ngStaleEdit(f) },
	families: map[string][]string{ // hints only: ifupdown-ng has no families or methods (2.7)
		"inet":  {"static", "manual", "dhcp", "loopback", "ppp"},
		"inet6": {"static", "manual", "dhcp", "loopback", "auto"},
	},
}

// Interface is one interface as ifupdown-ng keeps it: every line naming it adds to it.
type Interface struct {
	Name     string
	Auto     bool // made current by an auto line (its first name), and no template
	Template bool // declared by template, or converted to one by being inherited from
	// Stanzas are its segments (see IfupdownNG), in reading order.
	Stanzas []*Stanza
	// Opts are its options in the program's order: its own lines and those copied from the
	// interfaces it inherits (address lines always, others unless the same key and value is
	// there already). Copies point to the parent's lines.
	Opts []*Opt
	// Hints are the executors its iface lines name ("dhcp", "ppp"), in order.
	Hints []string
	// Finals are the moments the program finalizes it (lif_interface_finalize: prefixes for its
	// addresses, its first netmask dropped), as the number of its own option lines read by then:
	// at an iface, interface or template line while it is current, and at the end of a file.
	// An auto line switches without finalizing.
	Finals []int
	own    int
}

// ngLineMax is the size of lif_fgetline's buffer less its two reserved bytes: a longer line is
// cut and its rest read as the next line, which ifacefix does not reproduce.
const ngLineMax = 4096 - 2

// ngLogical groups physical lines as ifupdown-ng 0.11.3's lif_fgetline reads them (fgetline.c):
// an unquoted "\" quotes the next character; before a newline it continues the line, and the
// next line's leading spaces and tabs are skipped (an empty next line then ends it); "\#" is
// dropped, "\" before any other character is kept with it; an unquoted "#" discards the rest of
// the physical line and ends the line (a comment anywhere); "\r" becomes "\n" and ends the line
// unless quoted (so a quoted CRLF keeps a newline in the value and joins the next line as it is).
// A carriage return in the middle of a physical line would end a line there, and a line longer
// than the buffer would be cut: both are refused.
func ngLogical(phys []string, emit func(logical)) {
	counter := 0
	for i := 0; i < len(phys); {
		start := i
		var buf []byte
		quoted, hash, skip, refuse := false, false, false, ""
		done := false
		for !done && i < len(phys) {
			line := phys[i]
			i++
			j := 0
			if skip {
				for j < len(line) && (line[j] == ' ' || line[j] == '\t') {
					j++
				}
				skip = false
			}
			for j < len(line) && !done {
				c := line[j]
				j++
				switch {
				case c == '\\' && !quoted:
					quoted = true
				case c == '#' && quoted:
					quoted = false
				case c == '#':
					hash, done = true, true
					if !strings.HasSuffix(line, "\n") {
						buf = append(buf, 0xff) // EOF stored as a character
					}
				case c == '\n' && quoted:
					quoted, skip = false, true
				case c == '\n':
					done = true
				case c == '\r':
					buf = append(buf, '\n')
					switch {
					case j < len(line) && line[j] == '\n':
						j++
						if quoted {
							quoted = false // the next line joins as it is
						} else {
							done = true
						}
					case quoted:
						quoted = false
					case j < len(line):
						refuse = "a carriage return in the middle of a line: ifupdown-ng ends the line there, which ifacefix cannot edit line by line"
						done = true
					default:
						done = true
					}
				default:
					if quoted {
						buf = append(buf, '\\')
						quoted = false
					}
					buf = append(buf, c)
				}
				if len(buf) >= ngLineMax-1 && refuse == "" {
					refuse = "a line longer than " + strconv.Itoa(ngLineMax) + " bytes: ifupdown-ng cuts it and reads the rest as another line"
				}
			}
		}
		text := strings.TrimSuffix(string(buf), "\n")
		if done || len(buf) > 0 {
			counter++ // lif_fgetline returned a line (at the end of the file it returns one only if it stored something)
		}
		comment := hash && strings.TrimLeft(strings.TrimSuffix(text, "\xff"), " \t\n\v\f\r") == ""
		emit(logical{start: start, end: i, text: text, comment: comment, ifLine: counter, refuse: refuse})
	}
}

// ngState is the reading state that crosses file boundaries: the current interface carries
// into an included file and out of it (docs/dialects.md 2.6).
type ngState struct {
	byName map[string]*Interface
	cur    *Interface
	seg    *Stanza // the segment of cur in the file being read; nil until one is needed
	from   int     // the line (of that file) that made cur current there, -1 for none
}

func (l *loader) ng() *ngState {
	st, _ := l.dstate.(*ngState)
	if st == nil {
		st = &ngState{byName: map[string]*Interface{}, from: -1}
		l.dstate = st
		// The program always has lo, first, auto (lif_interface_collection_init).
		st.find(l.cfg, "lo").Auto = true
	}
	return st
}

// find returns the interface of that name, created (and listed) when new.
func (st *ngState) find(cfg *Config, name string) *Interface {
	it := st.byName[name]
	if it == nil {
		it = &Interface{Name: name}
		st.byName[name] = it
		cfg.Interfaces = append(cfg.Interfaces, it)
	}
	return it
}

// switchTo makes it the current interface from line idx of f on.
func (st *ngState) switchTo(it *Interface, idx int) {
	if st.cur != it {
		st.cur, st.seg, st.from = it, nil, idx
	}
}

// segment returns the current interface's segment in f, started at the line that made it
// current (or at line idx, the first line of f that continues it).
func (st *ngState) segment(l *loader, f *File, idx int) *Stanza {
	if st.seg == nil {
		h := st.from
		if h < 0 {
			h = idx
		}
		st.seg = &Stanza{File: f, Header: h, Name: st.cur.Name}
		st.cur.Stanzas = append(st.cur.Stanzas, st.seg)
		l.cfg.Stanzas = append(l.cfg.Stanzas, st.seg)
		f.Stanzas = append(f.Stanzas, st.seg)
	}
	return st.seg
}

// ngFirstWord is lif_next_token: the first whitespace-delimited word.
func ngFirstWord(s string) string {
	w, _, _ := ngNextWord(s)
	return w
}

// parseNG is lif_interface_file_parse for one file (interface-file.c).
func parseNG(l *loader, f *File, texts []string, depth int) error {
	st := l.ng()
	// A file starts with no segment of its own: lines at its top continue the includer's
	// current interface in a segment of this file.
	st.seg, st.from = nil, -1
	dialectErr := func(ln *Line, format string, args ...any) {
		ln.Kind = Ignored
		l.warn("dialect-error", f, l.errorf(f, int(ln.Num), "ifupdown-ng: "+format, args...))
	}
	buf := &ngBuffer{}
	last := len(texts) - 1
	if n := len(f.Phys); n == 0 || strings.HasSuffix(f.Phys[n-1], "\n") {
		last = -1 // every line ends in a newline
	}
	for i, text := range texts {
		ln := &f.Lines[i]
		if ln.Kind == Comment {
			buf.line(text, "")
			continue
		}
		w, rest, _ := ngNextWord(trimLeft(text))
		if i == last && w != "" {
			var why string
			if rest, f.staleEnd, why = buf.stale(text, w); why != "" {
				return l.errorf(f, ln.Pos(), "%s", why)
			}
		} else {
			buf.line(text, w)
		}
		if w == "" {
			continue // Blank
		}
		ln.Keyword, ln.Rest = w, rest
		if !isASCIILetter(w[0]) {
			ln.Kind = Ignored // lines whose first word does not start with a letter are skipped
			continue
		}
		switch w {
		case "iface", "interface", "template":
			ln.Kind = Iface
			name, words, ok := ngNextWord(rest)
			if !ok {
				dialectErr(ln, "%s without any other tokens; the line is skipped", w)
				continue
			}
			if st.cur != nil {
				st.cur.Finals = append(st.cur.Finals, st.cur.own)
			}
			it := st.find(l.cfg, name)
			if w == "template" {
				it.Auto, it.Template = false, true
			}
			st.cur, st.seg, st.from = it, nil, i
			s := st.segment(l, f, i)
			fam := ""
			for x, r, ok := ngNextWord(words); ok; x, r, ok = ngNextWord(r) {
				switch {
				case x == "inet" || x == "inet6":
					if fam == "" {
						fam = x
						s.Family = x
						if m, _, ok := ngNextWord(r); ok && m != "inherits" {
							s.Method = m
						}
					}
				case x == "dhcp" || x == "ppp":
					it.Hints = append(it.Hints, x)
				case x == "inherits":
					l.ngInherit(st, s, ngFirstWord(r))
				}
			}
		case "auto":
			ln.Kind = Auto
			name, _, ok := ngNextWord(rest)
			if !ok && st.cur == nil {
				dialectErr(ln, "auto without interface; the line is skipped")
				continue
			}
			sel := Selection{Keyword: w, File: f, Line: i}
			for n, r, ok := ngNextWord(rest); ok; n, r, ok = ngNextWord(r) {
				sel.Names = append(sel.Names, n)
			}
			if !ok {
				sel.Names = []string{""} // bare auto makes (and switches to) an interface named ""
			}
			l.cfg.Selections = append(l.cfg.Selections, sel)
			it := st.find(l.cfg, name)
			if !it.Template {
				it.Auto = true
			}
			st.switchTo(it, i)
		case "source", "source-directory":
			ln.Kind = Source
			if w == "source-directory" {
				ln.Kind = SourceDir
			}
			if l.opt.NoIncludes {
				continue
			}
			if err := l.dialect.include(l, f, ln, depth); err != nil {
				return err
			}
			// Back in this file: the current interface is the included files' last one, and
			// lines after this one go to a segment that starts here.
			st.seg, st.from = nil, i
		default:
			ln.Kind = Option
			if st.cur == nil {
				switch w {
				case "address", "gateway", "use", "inherit", "hostname", "dhcp-hostname":
					dialectErr(ln, "%s '%s' without interface; the line is skipped", w, ngFirstWord(rest))
				default:
					ln.Kind = Ignored // dropped silently
				}
				continue
			}
			s := st.segment(l, f, i)
			v := rest
			switch w {
			case "address", "gateway", "use", "inherit", "hostname", "dhcp-hostname":
				v = ngFirstWord(rest) // these handlers take the first word only
			}
			o := &Opt{Stanza: s, Line: i, Name: w, Value: v}
			s.Options = append(s.Options, o)
			st.cur.Opts = append(st.cur.Opts, o)
			st.cur.own++
			if w == "inherit" {
				l.ngInherit(st, s, ngFirstWord(rest))
			}
		}
	}
	if st.cur != nil {
		st.cur.Finals = append(st.cur.Finals, st.cur.own)
	}
	return nil
}

// ngNextWord is lif_next_token: the first run of non-space characters (no length limit) and
// the rest after the whitespace that follows it.
func ngNextWord(s string) (word, rest string, ok bool) {
	s = trimLeft(s)
	if s == "" {
		return "", "", false
	}
	i := 0
	for i < len(s) && !isSpace(s[i]) {
		i++
	}
	return s[:i], trimLeft(s[i:]), true
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// ngInherit copies interface name's options into the current interface, as
// lif_interface_collection_inherit does: the parent is created if missing and becomes a template.
func (l *loader) ngInherit(st *ngState, s *Stanza, name string) {
	if name == "" {
		return // "unspecified inherit target": the interface is marked erroneous
	}
	cur := st.cur
	p := st.find(l.cfg, name)
	p.Template = true
	if s.Inherits == "" {
		s.Inherits = name
		if len(p.Stanzas) > 0 {
			// Parent only where following Parents cannot come back to this interface (an
			// interface may inherit itself, or one that inherits it).
			loop := false
			for q := p.Stanzas[0]; q != nil && !loop; q = q.Parent {
				loop = q.Name == cur.Name
			}
			if !loop {
				s.Parent = p.Stanzas[0]
			}
		}
	}
	have := map[[2]string]bool{}
	for _, o := range cur.Opts {
		have[[2]string{NGKey(o.Name), o.Value}] = true
	}
	for _, o := range p.Opts {
		k := [2]string{NGKey(o.Name), o.Value}
		if o.Name == "address" || !have[k] {
			cur.Opts = append(cur.Opts, o)
			have[k] = true
		}
	}
	cur.Hints = append(cur.Hints, p.Hints...)
}

// includeNG follows a source or source-directory line as ifupdown-ng 0.11.3 does: its first
// word, with no expansion, relative to the working directory. A path string read before is
// skipped; a source file that cannot be opened fails the whole parse; a directory that cannot be
// opened is reported and skipped; a directory's regular files (dotfiles too, no symlinks) are
// each read as source.
func includeNG(l *loader, f *File, ln *Line, depth int) error {
	at := l.errorf(f, int(ln.Num), "")
	p := ngFirstWord(ln.Rest)
	if ln.Kind == Source {
		if p == "" {
			ln.Kind = Ignored
			l.warn("dialect-error", f, l.errorf(f, int(ln.Num), "ifupdown-ng: missing filename to source; the line is skipped"))
			return nil
		}
		return l.sourceNG(f, p, at, depth)
	}
	if p == "" {
		ln.Kind = Ignored
		l.warn("dialect-error", f, l.errorf(f, int(ln.Num), "ifupdown-ng: missing directory to source; the line is skipped"))
		return nil
	}
	ents, err := fs.ReadDir(l.fsys, fsName(l.name(p)))
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		l.warn("dialect-error", f, l.errorf(f, int(ln.Num), "ifupdown-ng: while opening directory %s: %v; the line is skipped", p, err))
		return nil
	}
	// readdir order is the file system's; ifacefix reads them sorted.
	var names []string
	for _, e := range ents {
		if e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, n := range names {
		if err := l.sourceNG(f, p+"/"+n, at, depth); err != nil {
			return err
		}
	}
	return nil
}

// sourceNG reads one included file, spelled literal.
func (l *loader) sourceNG(from *File, literal string, at *Error, depth int) error {
	if l.literals[literal] {
		// "skipping already included file": harmless, also for a file that includes itself.
		return nil
	}
	if depth+1 > l.opt.MaxDepth {
		return &Error{Path: at.Path, Line: at.Line, Msg: "includes nested deeper than " + strconv.Itoa(l.opt.MaxDepth) + " levels"}
	}
	name := l.name(literal)
	if info, err := fs.Stat(l.fsys, fsName(name)); err == nil && info.IsDir() {
		// fopen opens a directory and the first read fails: nothing is read from it.
		l.warn("include-not-file", from, &Error{Path: at.Path, Line: at.Line, Msg: l.opt.Display(name) + ": is a directory; ifupdown-ng reads nothing from it"})
		return nil
	}
	f, err := l.read(name, at)
	if err != nil {
		var e *Error
		msg := err.Error()
		if errors.As(err, &e) {
			msg = e.Msg
		}
		why := "cannot be opened"
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOENT) {
			why = "does not exist"
		}
		return &Error{Path: at.Path, Line: at.Line, Err: err, Msg: fmt.Sprintf(
			"source %s: %s (%s): ifupdown-ng then fails the whole parse (could not parse %s) and brings nothing up", literal, why, msg, l.opt.Display(l.cfg.Files[0].Name))}
	}
	id := f.id()
	if l.seen[id] {
		// The program reads it again under this spelling, adding its lines to the same
		// interfaces twice; ifacefix checks it once (and the fixer changes nothing).
		l.warn("include-twice", from, &Error{Path: at.Path, Line: at.Line, Msg: fmt.Sprintf(
			"%s is included again, as %q: ifupdown-ng reads it twice and adds its lines to the same interfaces twice; include it once", l.opt.Display(name), literal)})
		return nil
	}
	l.literals[literal] = true
	f.literal = literal
	l.cfg.Files = append(l.cfg.Files, f)
	return l.parseFile(f, depth+1, false)
}

// ngRemap is maybe_remap_token's table (interface-file.c, 0.11.3): option names ifupdown-ng
// stores under another name.
var ngRemap = map[string]string{
	"bond-ad-sys-priority":                    "bond-ad-actor-sys-prio",
	"bond-slaves":                             "bond-members",
	"client":                                  "dhcp-client-id",
	"driver-message-level":                    "ethtool-msglvl",
	"endpoint":                                "tunnel-remote",
	"ethernet-autoneg":                        "ethtool-ethernet-autoneg",
	"ethernet-pause-autoneg":                  "ethtool-pause-autoneg",
	"ethernet-pause-rx":                       "ethtool-pause-rx",
	"ethernet-pause-tx":                       "ethtool-pause-tx",
	"ethernet-port":                           "ethtool-ethernet-port",
	"ethernet-wol":                            "ethtool-ethernet-wol",
	"gro-offload":                             "ethtool-offload-gro",
	"gso-offload":                             "ethtool-offload-gso",
	"hardware-dma-ring-rx":                    "ethtool-dma-ring-rx",
	"hardware-dma-ring-rx-jumbo":              "ethtool-dma-ring-rx-jumbo",
	"hardware-dma-ring-rx-mini":               "ethtool-dma-ring-rx-mini",
	"hardware-dma-ring-tx":                    "ethtool-dma-ring-tx",
	"hardware-irq-coalesce-adaptive-rx":       "ethtool-coalesce-adaptive-rx",
	"hardware-irq-coalesce-adaptive-tx":       "ethtool-coalesce-adaptive-tx",
	"hardware-irq-coalesce-pkt-rate-high":     "ethtool-coalesce-pkt-rate-high",
	"hardware-irq-coalesce-pkt-rate-low":      "ethtool-coalesce-pkt-rate-low",
	"hardware-irq-coalesce-rx-frames":         "ethtool-coalesce-rx-frames",
	"hardware-irq-coalesce-rx-frames-high":    "ethtool-coalesce-rx-frames-high",
	"hardware-irq-coalesce-rx-frames-irq":     "ethtool-coalesce-rx-frames-irq",
	"hardware-irq-coalesce-rx-frames-low":     "ethtool-coalesce-rx-frames-low",
	"hardware-irq-coalesce-rx-usecs":          "ethtool-coalesce-rx-usecs",
	"hardware-irq-coalesce-rx-usecs-high":     "ethtool-coalesce-rx-usecs-high",
	"hardware-irq-coalesce-rx-usecs-irq":      "ethtool-coalesce-rx-usecs-irq",
	"hardware-irq-coalesce-rx-usecs-low":      "ethtool-coalesce-rx-usecs-low",
	"hardware-irq-coalesce-sample-interval":   "ethtool-coalesce-sample-interval",
	"hardware-irq-coalesce-stats-block-usecs": "ethtool-coalesce-stats-block-usecs",
	"hardware-irq-coalesce-tx-frames":         "ethtool-coalesce-tx-frames",
	"hardware-irq-coalesce-tx-frames-high":    "ethtool-coalesce-tx-frames-high",
	"hardware-irq-coalesce-tx-frames-irq":     "ethtool-coalesce-tx-frames-irq",
	"hardware-irq-coalesce-tx-frames-low":     "ethtool-coalesce-tx-frames-low",
	"hardware-irq-coalesce-tx-usecs":          "ethtool-coalesce-tx-usecs",
	"hardware-irq-coalesce-tx-usecs-high":     "ethtool-coalesce-tx-usecs-high",
	"hardware-irq-coalesce-tx-usecs-irq":      "ethtool-coalesce-tx-usecs-irq",
	"hardware-irq-coalesce-tx-usecs-low":      "ethtool-coalesce-tx-usecs-low",
	"hostname":                                "dhcp-hostname",
	"key":                                     "tunnel-key",
	"leasetime":                               "dhcp-leasetime",
	"link-autoneg":                            "ethtool-ethernet-autoneg",
	"link-duplex":                             "ethtool-link-duplex",
	"link-fec":                                "ethtool-link-fec",
	"link-speed":                              "ethtool-link-speed",
	"local":                                   "tunnel-local",
	"lro-offload":                             "ethtool-offload-lro",
	"mode":                                    "tunnel-mode",
	"offload-gro":                             "ethtool-offload-gro",
	"offload-gso":                             "ethtool-offload-gso",
	"offload-lro":                             "ethtool-offload-lro",
	"offload-rx":                              "ethtool-offload-rx",
	"offload-sg":                              "ethtool-offload-sg",
	"offload-tso":                             "ethtool-offload-tso",
	"offload-tx":                              "ethtool-offload-tx",
	"offload-ufo":                             "ethtool-offload-ufo",
	"pointopoint":                             "point-to-point",
	"provider":                                "ppp-provider",
	"script":                                  "dhcp-script",
	"rx-offload":                              "ethtool-offload-rx",
	"tso-offload":                             "ethtool-offload-tso",
	"ttl":                                     "tunnel-ttl",
	"tunnel-endpoint":                         "tunnel-remote",
	"tunnel-physdev":                          "tunnel-dev",
	"tx-offload":                              "ethtool-offload-tx",
	"ufo-offload":                             "ethtool-offload-ufo",
	"vendor":                                  "dhcp-vendor",
	"vrf":                                     "vrf-member",
	"vxlan-local-tunnelip":                    "vxlan-local-ip",
	"vxlan-remoteip":                          "vxlan-remote-ip",
	"vxlan-svcnodeip":                         "vxlan-remote-group",
}

// NGKey is the name ifupdown-ng stores option name under (maybe_remap_token).
func NGKey(name string) string {
	if k, ok := ngRemap[name]; ok {
		return k
	}
	return name
}

// SplitAuto returns the edit that replaces auto line sel (of f) by one auto line per name, in
// its order, with its indentation and line ending: ifupdown-ng's auto takes its first name only.
// It fails, wrapping ErrUnsafeEdit, for a line continued over several physical lines or with a
// comment or backslash on it (they would be lost or read differently). Whether the lines after
// it still belong to the same interface is the caller's question: the last name becomes the
// current interface.
func (f *File) SplitAuto(sel Selection) (Edit, error) {
	l := &f.Lines[sel.Line]
	if why := ngStaleEdit(f); why != "" {
		return Edit{}, fmt.Errorf("%w: %s", ErrUnsafeEdit, why)
	}
	p := f.Phys[l.Start]
	if l.End-l.Start != 1 || strings.ContainsAny(p, "#\\") {
		return Edit{}, fmt.Errorf("%w: %s:%d is continued or carries a comment", ErrUnsafeEdit, f.Path, l.Pos())
	}
	eol := f.EOL(l.Start)
	nl := eol
	if nl == "" {
		nl = "\n"
		for i := range f.Phys {
			if e := f.EOL(i); e != "" {
				nl = e
				break
			}
		}
	}
	indent := f.Indent(l.Start)
	var b strings.Builder
	seen := map[string]bool{}
	var names []string
	for _, n := range sel.Names {
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	for i, n := range names {
		b.WriteString(indent + sel.Keyword + " " + n)
		if i < len(names)-1 {
			b.WriteString(nl)
		} else {
			b.WriteString(eol)
		}
	}
	return Edit{Start: l.Start, End: l.End, Text: b.String()}, nil
}

// ngBuffer is what lif_interface_file_parse's line buffer holds, byte by byte, from the lines
// of one file read so far: lif_fgetline overwrites its start with each line and its
// terminators, and lif_next_token puts a NUL after each word it takes. It matters for the last
// line of a file without a final newline: a word that ends the line is followed by a single
// NUL, and the program's next word or value is read from the stale bytes behind it.
type ngBuffer struct {
	b     []byte
	known []bool
}

func (nb *ngBuffer) set(i int, c byte) {
	for len(nb.b) <= i {
		nb.b, nb.known = append(nb.b, 0), append(nb.known, false)
	}
	nb.b[i], nb.known[i] = c, true
}

// line records a line ended by a newline (stored, then both it and the terminator are NULs)
// and the NULs the handler of its first word w puts after the words it takes.
func (nb *ngBuffer) line(text, w string) {
	for i := 0; i < len(text); i++ {
		nb.set(i, text[i])
	}
	nb.set(len(text), 0)
	nb.set(len(text)+1, 0)
	words := 0
	switch w {
	case "":
	case "iface", "interface", "template":
		words = -1
	case "address", "gateway", "use", "inherit", "hostname", "dhcp-hostname", "auto", "source", "source-directory":
		words = 2
	default:
		words = 1
	}
	pos := 0
	for n := 0; words < 0 || n < words; n++ {
		start, end, ok := nb.token(pos)
		if !ok || start == end {
			break
		}
		nb.set(end, 0)
		pos = end + 1
	}
}

// token is lif_next_token at pos: it skips spaces and returns the word's bounds; ok is false
// when it would read a byte no line of the file wrote (the stack's, unknown).
func (nb *ngBuffer) token(pos int) (start, end int, ok bool) {
	at := func(i int) (byte, bool) {
		if i >= len(nb.b) || !nb.known[i] {
			return 0, false
		}
		return nb.b[i], true
	}
	i := pos
	for {
		c, ok := at(i)
		if !ok {
			return 0, 0, false
		}
		if c == 0 || !isSpace(c) {
			break
		}
		i++
	}
	start = i
	for {
		c, ok := at(i)
		if !ok {
			return 0, 0, false
		}
		if c == 0 || isSpace(c) {
			return start, i, true
		}
		i++
	}
}

// stale returns what the handler of w reads as the rest of the last line text, which has no
// newline: the text's own rest, unless its first word ends the line (then the stale bytes after
// the single NUL), and for iface lines the stale words after the last one. why is non-empty
// when those bytes were never written by this file (the stack's, unknown).
func (nb *ngBuffer) stale(text, w string) (rest string, read bool, why string) {
	_, rest, _ = ngNextWord(trimLeft(text))
	iface := w == "iface" || w == "interface" || w == "template"
	endsWord := len(text) > 0 && !isSpace(text[len(text)-1])
	if !endsWord || !iface && rest != "" {
		return rest, false, ""
	}
	for i := 0; i < len(text); i++ {
		nb.set(i, text[i])
	}
	nb.set(len(text), 0)
	unknown := "the last line has no newline and its last word ends the file: ifupdown-ng then reads on into bytes of its line buffer no line wrote, which ifacefix cannot know"
	pos := len(text) + 1
	switch {
	case iface:
		var words []string
		for {
			start, end, ok := nb.token(pos)
			if !ok {
				return "", true, unknown
			}
			if start == end {
				break
			}
			words = append(words, string(nb.b[start:end]))
			nb.set(end, 0)
			pos = end + 1
		}
		if len(words) == 0 {
			return rest, true, ""
		}
		if rest != "" {
			rest += " "
		}
		return rest + strings.Join(words, " "), true, ""
	default:
		// A value: from the first non-space byte to the NUL (a word for the handlers that
		// take one: the same bytes up to a space).
		i := pos
		for ; i < len(nb.b) && nb.known[i] && nb.b[i] != 0 && isSpace(nb.b[i]); i++ {
		}
		j := i
		for ; j < len(nb.b) && nb.known[j] && nb.b[j] != 0; j++ {
		}
		if j >= len(nb.b) || !nb.known[j] {
			return "", true, unknown
		}
		return string(nb.b[i:j]), true, ""
	}
}

// ngStaleEdit says why an edit of the lines before the last would change how ifupdown-ng reads
// the file: when the last line reads stale bytes (see ngBuffer), every line before it shapes them.
func ngStaleEdit(f *File) string {
	if !f.staleEnd || len(f.Lines) == 0 {
		return ""
	}
	return fmt.Sprintf("%s:%d, the last line, has no newline, and ifupdown-ng reads its end from the bytes earlier lines left in its line buffer, which any change before it would change", f.Path, f.Lines[len(f.Lines)-1].Pos())
}
