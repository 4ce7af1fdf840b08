// Package udiff renders unified diffs in exactly the format of GNU
// `diff -u` (diffutils 3.8), as used by ifacefix to preview edits to
// /etc/network/interfaces files.
//
// The output matches `diff -u --label OLD --label NEW` byte for byte for the
// same line operations:
//
//   - headers "--- OLD" and "+++ NEW", then one "@@ -l,n +l,n @@" header per
//     hunk; a range of exactly one line is printed as "l", an empty range as
//     "l-1,0" (for example "@@ -0,0 +1,2 @@");
//   - changes separated by at most 2*context equal lines share a hunk;
//   - within a run of changes all deleted lines come before the inserted ones;
//   - a line without a terminator (the last line of a file) is followed by
//     "\n\\ No newline at end of file\n", whether it is a '-', '+' or context
//     line; lines ending in "\r\n" are copied as is;
//   - no output at all when there is no change.
//
// Line operations are computed with github.com/sergi/go-diff in line mode.
// Rendering is a single linear pass over the operations: equal runs are only
// scanned to count their lines and to copy the context lines.
package udiff

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

const noNewline = "\n\\ No newline at end of file\n"

// Render writes a unified diff of the line operations ops (each Diff's Text is one or more whole
// lines, each line including its own terminator "\n" or "\r\n"; only the last line of the old or new
// text may lack a terminator) with the given number of context lines. Headers are
// "--- " + oldName and "+++ " + newName. Returns nil when ops contain no Insert/Delete.
func Render(oldName, newName string, ops []diffmatchpatch.Diff, context int) []byte {
	r := renderer{ctx: max(context, 0), oldName: oldName, newName: newName}
	for _, op := range ops {
		if op.Text == "" {
			continue
		}
		switch op.Type {
		case diffmatchpatch.DiffEqual:
			r.flushInserts()
			r.eq = append(r.eq, piece{op.Text, countLines(op.Text)})
			r.neq += r.eq[len(r.eq)-1].n
		case diffmatchpatch.DiffDelete:
			r.flushEqual(true)
			n := countLines(op.Text)
			r.hunk = appendLines(r.hunk, '-', op.Text, 0, n)
			r.a += n
			r.na += n
		case diffmatchpatch.DiffInsert:
			r.flushEqual(true)
			r.ins = append(r.ins, op.Text) // printed after the deletions of this run
		}
	}
	r.flushInserts()
	r.flushEqual(false)
	r.closeHunk()
	return r.out
}

// Unified computes line operations between old and new with sergi/go-diff in line mode
// (DiffTimeout = 0, DiffLinesToChars / DiffMain / DiffCharsToLines) and renders them with Render.
func Unified(oldName, newName string, old, new []byte, context int) []byte {
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0
	c1, c2, lines := dmp.DiffLinesToChars(string(old), string(new))
	ops := dmp.DiffCharsToLines(dmp.DiffMain(c1, c2, false), lines)
	return Render(oldName, newName, ops, context)
}

// piece is the text of an Equal operation and its number of lines.
type piece struct {
	text string
	n    int
}

type renderer struct {
	ctx              int
	oldName, newName string

	out  []byte // finished output
	hunk []byte // body of the open hunk

	open   bool // a hunk is open
	a, b   int  // 0-based index of the next old/new line
	ha, hb int  // first old/new line of the open hunk
	na, nb int  // old/new lines in the open hunk

	eq  []piece  // pending run of equal lines
	neq int      // lines in eq
	ins []string // pending inserted texts of the current change run
}

// flushInserts appends the pending inserted lines to the hunk.
func (r *renderer) flushInserts() {
	for _, t := range r.ins {
		n := countLines(t)
		r.hunk = appendLines(r.hunk, '+', t, 0, n)
		r.b += n
		r.nb += n
	}
	r.ins = r.ins[:0]
}

// flushEqual consumes the pending run of equal lines. more reports whether a
// change follows it; if so, a hunk is open on return.
func (r *renderer) flushEqual(more bool) {
	n, used := r.neq, 0
	if r.open {
		if more && n <= 2*r.ctx { // small gap: the hunk goes on
			r.appendEqual(0, n)
			r.advance(n, true)
			r.eq, r.neq = r.eq[:0], 0
			return
		}
		used = min(n, r.ctx) // trailing context of the open hunk
		r.appendEqual(0, used)
		r.advance(used, true)
		r.closeHunk()
	}
	if more {
		k := min(n-used, r.ctx) // leading context of the next hunk
		r.advance(n-used-k, false)
		r.open, r.ha, r.hb, r.na, r.nb = true, r.a, r.b, 0, 0
		r.appendEqual(n-k, n)
		r.advance(k, true)
	}
	r.eq, r.neq = r.eq[:0], 0
}

// advance moves past n equal lines, counting them in the hunk if inHunk.
func (r *renderer) advance(n int, inHunk bool) {
	r.a, r.b = r.a+n, r.b+n
	if inHunk {
		r.na, r.nb = r.na+n, r.nb+n
	}
}

// appendEqual appends lines [from, to) of the pending equal run as context.
func (r *renderer) appendEqual(from, to int) {
	for _, p := range r.eq {
		if from < p.n && to > 0 {
			r.hunk = appendLines(r.hunk, ' ', p.text, max(from, 0), min(to, p.n))
		}
		from, to = from-p.n, to-p.n
	}
}

// closeHunk moves the open hunk, with its header, to the output.
func (r *renderer) closeHunk() {
	if !r.open {
		return
	}
	if r.out == nil {
		r.out = append(r.out, "--- "+r.oldName+"\n+++ "+r.newName+"\n"...)
	}
	r.out = append(r.out, "@@ -"...)
	r.out = appendRange(r.out, r.ha, r.na)
	r.out = append(r.out, " +"...)
	r.out = appendRange(r.out, r.hb, r.nb)
	r.out = append(r.out, " @@\n"...)
	r.out = append(r.out, r.hunk...)
	r.hunk = r.hunk[:0]
	r.open = false
}

// appendRange appends a hunk range starting at 0-based line start, the way
// GNU diff prints it: "l,n", "l" when n == 1 and "l-1,0" when n == 0.
func appendRange(dst []byte, start, n int) []byte {
	if n == 0 {
		return append(strconv.AppendInt(dst, int64(start), 10), ",0"...)
	}
	dst = strconv.AppendInt(dst, int64(start+1), 10)
	if n == 1 {
		return dst
	}
	return strconv.AppendInt(append(dst, ','), int64(n), 10)
}

// countLines returns the number of lines in text, counting a final line
// without terminator.
func countLines(text string) int {
	n := strings.Count(text, "\n")
	if text != "" && text[len(text)-1] != '\n' {
		n++
	}
	return n
}

// appendLines appends lines [from, to) of text to dst, each preceded by
// prefix; a line without terminator is followed by the "No newline" marker.
func appendLines(dst []byte, prefix byte, text string, from, to int) []byte {
	for i := 0; i < from; i++ {
		text = text[strings.IndexByte(text, '\n')+1:]
	}
	for i := from; i < to && text != ""; i++ {
		line := text
		if j := strings.IndexByte(text, '\n'); j >= 0 {
			line = text[:j+1]
		}
		text = text[len(line):]
		dst = append(append(dst, prefix), line...)
		if line[len(line)-1] != '\n' {
			dst = append(dst, noNewline...)
		}
	}
	return dst
}

// ANSI escape sequences used by Colorize.
const (
	bold  = "\x1b[1m"
	cyan  = "\x1b[36m"
	red   = "\x1b[31m"
	green = "\x1b[32m"
	reset = "\x1b[0m"
)

// Colorize returns the diff with ANSI colours (headers bold, hunk headers cyan, '-' red, '+' green), for terminals.
func Colorize(diff []byte) []byte {
	var out []byte
	inHunks := false // past the first "@@" line, "---" and "+++" are body lines
	for len(diff) > 0 {
		n := bytes.IndexByte(diff, '\n') + 1
		if n == 0 {
			n = len(diff)
		}
		line, eol := diff[:n], ""
		diff = diff[n:]
		if line[len(line)-1] == '\n' {
			line, eol = line[:len(line)-1], "\n"
		}
		color := ""
		switch {
		case len(line) == 0:
		case line[0] == '@':
			color, inHunks = cyan, true
		case !inHunks && (bytes.HasPrefix(line, []byte("--- ")) || bytes.HasPrefix(line, []byte("+++ "))):
			color = bold
		case line[0] == '-':
			color = red
		case line[0] == '+':
			color = green
		}
		if color == "" {
			out = append(out, line...)
		} else {
			out = append(append(append(out, color...), line...), reset...)
		}
		out = append(out, eol...)
	}
	return out
}
