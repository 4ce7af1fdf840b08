package parser

import (
	"slices"
	"strings"
)

// Dialect is one program's reading of interfaces(5), the way mvdan.cc/sh's syntax.Variant is a
// shell's: how physical lines become logical lines, what a line's first word means and when a
// stanza ends, which address families and methods exist, and how include lines are resolved.
// The loader asks the dialect; it never branches on a dialect's name.
type Dialect struct {
	Name string // as in --dialect

	// logicalLines groups physical lines into logical lines, calling emit for each in order.
	logicalLines func(phys []string, emit func(logical))
	// dispatch classifies a logical line by its first word in the state the lines before it
	// left: the line's kind, the state after it, and the dialect's message if it refuses it.
	dispatch func(word, rest string, st state) (Kind, state, string)
	// families maps each address family to its methods.
	families map[string][]string
	// include follows a source or source-dir* line.
	include func(l *loader, f *File, ln *Line, depth int) error
	// unsafeRemoval says why removing logical line l of f would change how the dialect reads
	// the lines around it ("" when it would not); nil when removal is always safe.
	unsafeRemoval func(f *File, l *Line) string
	// unsafeInsert says why inserting lines before physical line at of f would change how the
	// dialect reads the lines around it ("" when it would not); nil when insertion is always safe.
	unsafeInsert func(f *File, at int) string
	// parse, when not nil, replaces the loader's stanza reading of one file for a dialect whose
	// stanzas work differently (ifupdown-ng): texts are the logical lines' texts; f.Lines have
	// their positions and Blank or Comment kinds. dispatch and families are then unused.
	parse func(l *loader, f *File, texts []string, depth int) error
	// words splits a logical line's first word from the rest (nil: ifupdown's nextWord).
	words func(s string) (word, rest string, ok bool)
	// check refuses a line the dispatch accepted, from what was read before it: the stanza cur
	// (nil outside one) and cfg so far; "" accepts it. nil: nothing more to check.
	check func(cfg *Config, cur *Stanza, kind Kind, word, rest string) string
	// fatalEverywhere: an error in a sourced file stops the program as one in the top-level
	// file does (instead of dropping the rest of that file).
	fatalEverywhere bool
	// checkFile refuses a file the dialect cannot read as its bytes say (why, at 1-based
	// physical line, 0 for the whole file), or says to skip it: the program reads another text
	// than its bytes (a rendered template), so none of its lines is read. nil accepts every file.
	checkFile func(l *loader, f *File) (line int, why string, skip bool)
	// iface parses an iface (or the dialect's other stanza) line; nil is ifupdown 0.8.41's.
	iface func(l *loader, f *File, idx int, rest string) (*Stanza, *Error)
}

// Ifupdown is Debian's ifupdown 0.8.41 (config.c), the reference.
var Ifupdown = &Dialect{
	Name:         "ifupdown",
	logicalLines: eachLogical,
	dispatch:     dispatch08,
	// Checked with ifquery.
	families: map[string][]string{
		"inet":  {"loopback", "static", "manual", "dhcp", "bootp", "tunnel", "ppp", "wvdial", "ipv4ll"},
		"inet6": {"auto", "loopback", "static", "manual", "dhcp", "v4tunnel", "6to4", "tunnel"},
		"ipx":   {"static", "dynamic"},
		"can":   {"static"},
		"meta":  {"none"},
	},
	include: include08,
}

// Dialects lists every dialect, the reference first.
var Dialects = []*Dialect{Ifupdown, Ifupdown2, IfupdownNG, Busybox}

// DialectNamed returns the dialect of that name (as --dialect takes it), or nil.
func DialectNamed(name string) *Dialect {
	for _, d := range Dialects {
		if d.Name == name {
			return d
		}
	}
	return nil
}

// state is where a file's lines are: outside any stanza, in an iface stanza, or in a mapping
// (with or without its script line yet).
type state struct {
	in     stanzaKind
	script bool
}

type stanzaKind uint8

const (
	inNone stanzaKind = iota
	inIface
	inMapping
)

// dispatch08 is read_interfaces_defn's first-word dispatch (config.c), in its order.
func dispatch08(w, rest string, st state) (Kind, state, string) {
	switch {
	case w == "mapping":
		return Mapping, state{in: inMapping}, ""
	case w == "source":
		return Source, state{}, ""
	case strings.HasPrefix(w, "source-dir"):
		return SourceDir, state{}, ""
	case w == "iface":
		return Iface, state{in: inIface}, ""
	case w == "auto" || strings.HasPrefix(w, "allow-") && len(w) > 6 || w == "no-auto-down" || w == "no-scripts":
		// Bare, inside an iface stanza, they apply to it and it goes on; otherwise they end any
		// stanza (a mapping too: its next script or map line is then misplaced).
		if rest == "" && st.in == inIface {
			return Auto, st, ""
		}
		return Auto, state{}, ""
	case w == "rename":
		return Rename, state{}, ""
	case st.in == inIface:
		if rest == "" {
			return Option, st, "option with empty value"
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
	return Option, st, "misplaced option"
}

// nextWord splits s with the dialect's word rule.
func (d *Dialect) nextWord(s string) (word, rest string, ok bool) {
	if d.words != nil {
		return d.words(s)
	}
	return nextWord(s)
}

func (d *Dialect) knownFamily(f string) bool { _, ok := d.families[f]; return ok }

func (d *Dialect) knownMethod(f, m string) bool { return slices.Contains(d.families[f], m) }
