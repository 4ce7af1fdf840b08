// Package parser reads /etc/network/interfaces files losslessly, exactly as a given program reads
// them (a [Dialect]; Debian's ifupdown 0.8.41, [Ifupdown], is the default), and keeps every byte
// so that a file can be printed back identically or edited by whole physical lines.
//
// For ifupdown 0.8.41 the grammar follows its config.c (see docs in the repository): whole-line
// comments after leading whitespace, "\" continuation only as the very last byte, case-sensitive
// keywords, words cut to 79 bytes, stanzas that end at the next iface/mapping/source*/rename line
// or an auto/allow-*/no-* line with names, and includes resolved like ifupdown's wordexp(3) call.
// The package knows nothing of gateways: it exposes stanzas and options with their positions,
// makes whole-line [Edit]s by intent ([File.RemoveOption], [Stanza.AppendOption]) and applies
// them ([File.Apply], [File.Ops]).
package parser

import (
	"fmt"
	"strings"
	"unsafe"
)

// Kind says what a logical line is.
type Kind uint8

const (
	Blank     Kind = iota
	Comment        // whole-line comment
	Iface          // iface NAME FAMILY METHOD [inherits X]
	Mapping        // mapping PATTERN...
	MapBody        // script or map inside a mapping
	Auto           // auto, allow-*, no-auto-down, no-scripts
	Rename         // rename CUR=NEW...
	Source         // source PATTERN...
	SourceDir      // source-dir*, source-directory DIR
	Option         // an option of the current iface stanza
	Ignored        // a line the program skips: after an error in a sourced file (ifupdown drops the rest of that file), or one the dialect reports and goes on without
)

// Line is one logical line: one or more physical lines joined by "\" continuations.
// Num and Kind share one word: a record per line adds up on big files (files are at most 1 GiB,
// so line numbers fit in 32 bits).
type Line struct {
	Start, End int    // physical lines [Start, End), 0-based
	Keyword    string // first word (cut to 79 bytes, as ifupdown does)
	Rest       string // everything after the first word and its following blanks
	Num        int32  // line number ifupdown reports for it (its last physical line)
	Kind       Kind
}

// Pos is the 1-based number of the first physical line.
func (l *Line) Pos() int { return l.Start + 1 }

// File is one parsed file: its exact bytes and its logical structure.
type File struct {
	Name    string   // absolute slash path inside the filesystem it was read from
	Path    string   // the path shown to people (Options.Display of Name)
	Data    string   // the exact bytes read
	Phys    []string // physical lines with their own terminators; concatenated they are Data
	Lines   []Line   // logical lines, in order, covering every physical line once
	Stanzas []*Stanza
	Err     *Error // for a sourced file: the error that made ifupdown drop the rest of it
	Info    FileInfo

	literal string   // the path as ifupdown spells it, for its once-per-spelling include guard
	d       *Dialect // the dialect that read it
	// staleEnd: the dialect reads the end of the file's last line from what earlier lines left
	// in its line buffer (ifupdown-ng), so no edit may change the lines before it.
	staleEnd bool
}

// Dialect returns the dialect that read the file (Ifupdown for a File made by hand).
func (f *File) Dialect() *Dialect { return f.dialect() }

// dialect returns the dialect that read the file (Ifupdown for a File made by hand).
func (f *File) dialect() *Dialect {
	if f.d == nil {
		return Ifupdown
	}
	return f.d
}

// FileInfo is what was known of the file when it was read, so a writer can notice a later change.
type FileInfo struct {
	Size    int64
	ModTime int64 // UnixNano
	Dev     uint64
	Ino     uint64
	HasID   bool // Dev/Ino are meaningful
}

// Stanza is an iface stanza. Options copied through "inherits" are not in Options; follow Parent.
type Stanza struct {
	File   *File
	Header int // index of the iface line in File.Lines
	Name   string
	Family string
	// FamilyInferred: the iface line names no family (ifupdown2, ifupdown-ng), and Family is that
	// of the stanza's address and gateway values.
	FamilyInferred bool
	Method         string
	Inherits       string  // the name given after "inherits", or ""
	Parent         *Stanza // the stanza options were copied from, or nil
	Options        []*Opt
	// Classes are, for a dialect that decides them when it reads the stanza (ifupdown2), the
	// classes its name had by then ("auto" for the auto flag, "allow-hotplug", ...); nil for the others, which take
	// Config.Selections as a whole.
	Classes []string
}

// Opt is one option line of a stanza.
type Opt struct {
	Stanza *Stanza
	Line   int    // index in Stanza.File.Lines
	Name   string // as written ("post-up" stays "post-up")
	Value  string
}

// L returns the option's logical line.
func (o *Opt) L() *Line { return &o.Stanza.File.Lines[o.Line] }

// HeaderLine returns the stanza's iface line.
func (s *Stanza) HeaderLine() *Line { return &s.File.Lines[s.Header] }

// IsAlias reports whether the stanza's name contains ':' (eth0:0, bond0.100:1).
func (s *Stanza) IsAlias() bool { return strings.Contains(s.Name, ":") }

// Base is the name before the first ':' (the whole name for a non-alias).
func (s *Stanza) Base() string {
	if i := strings.IndexByte(s.Name, ':'); i >= 0 {
		return s.Name[:i]
	}
	return s.Name
}

// Effective returns the stanza's options as ifupdown sees them: the inherited ones first (copied at
// parse time), then its own.
func (s *Stanza) Effective() []*Opt {
	if s.Parent == nil {
		return s.Options
	}
	return append(s.Parent.Effective(), s.Options...)
}

// Bytes returns the file's bytes without a copy: they share Data's memory, so the caller must
// never modify them (big files would otherwise be held twice).
func (f *File) Bytes() []byte { return unsafe.Slice(unsafe.StringData(f.Data), len(f.Data)) }

// Error is a problem at a place in a file. It prints as "path:line: message", like ifupdown.
type Error struct {
	Path string
	Line int // 0 when the problem is not at a line
	Msg  string
	Err  error // underlying error, if any
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

// Warning is a non-fatal problem: ifupdown goes on, but a person should know.
type Warning struct {
	Code string // sourced-file-error, include-cycle, include-twice, include-not-file, include-unsupported, iface-extra-parameter, dialect-error, template-rendered
	File *File  // the file the warning is about (for include problems: the one with the source line)
	*Error
}
