package parser

import (
	"fmt"
	"slices"
	"strings"
)

// Edit replaces the physical lines [Start, End) of a file with Text. End == Start inserts Text
// before physical line Start; Text == "" removes the lines. Edits never rewrite a line in place:
// every byte outside them comes back identical.
type Edit struct {
	Start, End int
	Text       string
}

// Apply returns the file's bytes with the edits made. Edits may come in any order but must not
// overlap; several insertions at the same place keep their given order.
func (f *File) Apply(edits []Edit) ([]byte, error) {
	es := SortEdits(edits)
	b := make([]byte, 0, len(f.Data)+textLen(es))
	at := 0
	for _, e := range es {
		if e.Start < at || e.End < e.Start || e.End > len(f.Phys) {
			return nil, fmt.Errorf("%s: overlapping or out-of-range edit of lines %d-%d", f.Name, e.Start+1, e.End)
		}
		for _, p := range f.Phys[at:e.Start] {
			b = append(b, p...)
		}
		b = append(b, e.Text...)
		at = e.End
	}
	for _, p := range f.Phys[at:] {
		b = append(b, p...)
	}
	return b, nil
}

// SortEdits returns a copy of edits in the order Apply makes them: by position, stable, so that
// insertions at one place keep their order and go before a removal there.
func SortEdits(edits []Edit) []Edit {
	es := slices.Clone(edits)
	slices.SortStableFunc(es, func(a, b Edit) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return a.End - b.End
	})
	return es
}

func textLen(es []Edit) int {
	n := 0
	for _, e := range es {
		n += len(e.Text)
	}
	return n
}

// Format prints the file unchanged: the exact bytes that were read.
func (f *File) Format() []byte { return []byte(f.Data) }

// Indent returns the leading blanks of physical line i.
func (f *File) Indent(i int) string {
	p := f.Phys[i]
	return p[:len(p)-len(strings.TrimLeft(p, " \t"))]
}

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
