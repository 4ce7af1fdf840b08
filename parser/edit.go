package parser

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Edit replaces the physical lines [Start, End) of a file with Text. End == Start inserts Text
// before physical line Start; Text == "" removes the lines. Make edits with [File.RemoveOption]
// and [Stanza.AppendOption], which keep them whole-line and continuation-safe: every byte outside
// them comes back identical.
type Edit struct {
	Start, End int
	Text       string
}

// ErrUnsafeEdit is wrapped by the error of an edit helper that cannot make its edit without
// changing how the dialect reads the lines around it.
var ErrUnsafeEdit = errors.New("no safe place for the edit")

// RemoveOption returns the edit that removes every physical line of option o's logical line.
// It fails, wrapping ErrUnsafeEdit, where the dialect would then read the lines around it
// differently (a comment ending in "\" above it that would swallow what follows, for example).
func (f *File) RemoveOption(o *Opt) (Edit, error) {
	l := o.L()
	if u := f.dialect().unsafeRemoval; u != nil {
		if why := u(f, l); why != "" {
			return Edit{}, fmt.Errorf("%w: %s", ErrUnsafeEdit, why)
		}
	}
	return Edit{Start: l.Start, End: l.End}, nil
}

// AppendOption returns the edit that adds the option line "name value" after the stanza's last
// option line (its iface line when it has none), with that line's indentation (indent when the
// stanza has no option) and line ending. At the end of a file without a final newline the new
// line goes last and the file still ends without one.
//
// It fails, wrapping ErrUnsafeEdit, where the new line would not be read as written: after a line
// ending in "\" (only possible at the end of a file), which would swallow it, or for a value
// ending in "\", which would swallow the line after it.
func (s *Stanza) AppendOption(name, value, indent string) (Edit, error) {
	f := s.File
	anchor := s.HeaderLine()
	if n := len(s.Options); n > 0 {
		anchor = s.Options[n-1].L()
		indent = f.Indent(anchor.Start)
	}
	last := anchor.End - 1
	if u := f.dialect().unsafeInsert; u != nil {
		if why := u(f, anchor.End); why != "" {
			return Edit{}, fmt.Errorf("%w: %s", ErrUnsafeEdit, why)
		}
	}
	if strings.HasSuffix(strings.TrimRight(f.Phys[last], "\r\n"), `\`) {
		return Edit{}, fmt.Errorf("%w: %s:%d ends in a backslash continuation", ErrUnsafeEdit, f.Path, last+1)
	}
	if strings.HasSuffix(value, `\`) {
		return Edit{}, fmt.Errorf("%w: the value %q ends in a backslash and would continue into the next line", ErrUnsafeEdit, value)
	}
	text := name + " " + value
	eol := f.EOL(last)
	if eol == "" {
		// The anchor ends the file without a newline: the new line goes before it, so that the
		// file changes by a whole inserted line and still ends as it did.
		if len(s.Options) == 0 {
			return Edit{}, fmt.Errorf("%w: %s:%d, the iface line, ends the file without a newline", ErrUnsafeEdit, f.Path, last+1)
		}
		eol = "\n"
		for i := range f.Phys {
			if e := f.EOL(i); e != "" {
				eol = e
				break
			}
		}
		return Edit{Start: anchor.Start, End: anchor.Start, Text: indent + text + eol}, nil
	}
	return Edit{Start: anchor.End, End: anchor.End, Text: indent + text + eol}, nil
}

// OpKind says what an [Op] does with its lines.
type OpKind uint8

const (
	Keep   OpKind = iota // lines of the file, unchanged
	Remove               // lines of the file, removed
	Insert               // new lines
)

// Op is a run of whole lines, each with its own terminator (only a file's last line may lack one).
type Op struct {
	Kind  OpKind
	Lines []string
}

// Ops returns the file with the edits made, as runs of kept, removed and inserted whole lines: the
// Keep and Remove lines are the file's, in order; Keep and Insert lines are the result. An
// insertion after a last line without a newline shows that line as removed and inserted again
// with its newline, so that every run is whole lines. Edits may come in any order but must not
// overlap; several insertions at the same place keep their given order, before a removal there.
func (f *File) Ops(edits []Edit) ([]Op, error) {
	es := slices.Clone(edits)
	slices.SortStableFunc(es, func(a, b Edit) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return a.End - b.End
	})
	var ops []Op
	emit := func(k OpKind, lines []string) {
		if len(lines) == 0 {
			return
		}
		if n := len(ops); n > 0 && ops[n-1].Kind == k && k == Insert {
			ops[n-1].Lines = append(ops[n-1].Lines, lines...)
			return
		}
		ops = append(ops, Op{k, lines})
	}
	at := 0
	for _, e := range es {
		if e.Start < at || e.End < e.Start || e.End > len(f.Phys) {
			return nil, fmt.Errorf("%s: overlapping or out-of-range edit of lines %d-%d", f.Name, e.Start+1, e.End)
		}
		keep := f.Phys[at:e.Start]
		text := e.Text
		if text != "" && e.Start == len(f.Phys) && e.Start > 0 && f.EOL(e.Start-1) == "" && e.Start-1 >= at {
			// The last line gains the newline the inserted text starts with.
			prev := f.Phys[e.Start-1]
			keep = keep[:len(keep)-1]
			emit(Keep, keep)
			emit(Remove, []string{prev})
			emit(Insert, []string{prev + firstLine(text)})
			text = text[len(firstLine(text)):]
			keep = nil
		}
		emit(Keep, keep)
		emit(Remove, f.Phys[e.Start:e.End])
		emit(Insert, splitLines(text))
		at = e.End
	}
	emit(Keep, f.Phys[at:])
	return ops, nil
}

// firstLine returns s up to and including its first "\n" (all of s if it has none).
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i+1]
	}
	return s
}

// Apply returns the file's bytes with the edits made (see [File.Ops]).
func (f *File) Apply(edits []Edit) ([]byte, error) {
	ops, err := f.Ops(edits)
	if err != nil {
		return nil, err
	}
	n := len(f.Data)
	for _, e := range edits {
		n += len(e.Text)
	}
	b := make([]byte, 0, n)
	for _, op := range ops {
		if op.Kind == Remove {
			continue
		}
		for _, l := range op.Lines {
			b = append(b, l...)
		}
	}
	return b, nil
}

// Indent returns the leading blanks of physical line i.
func (f *File) Indent(i int) string {
	p := f.Phys[i]
	return p[:len(p)-len(strings.TrimLeft(p, " \t"))]
}

// Indent returns the leading blanks of the option's first physical line.
func (o *Opt) Indent() string { return o.Stanza.File.Indent(o.L().Start) }

// EOL returns the terminator of physical line i: "\n", "\r\n" or "" at the end of a file.
func (f *File) EOL(i int) string {
	p := f.Phys[i]
	switch {
	case strings.HasSuffix(p, "\r\n"):
		return "\r\n"
	case strings.HasSuffix(p, "\n"):
		return "\n"
	}
	return ""
}

// Text returns the exact bytes of the logical line's physical lines.
func (f *File) Text(l *Line) string {
	if l.End-l.Start == 1 {
		return f.Phys[l.Start] // the common case, without a copy
	}
	return strings.Join(f.Phys[l.Start:l.End], "")
}
