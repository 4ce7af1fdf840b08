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
// [Render] takes the line operations of its own [Op] type (ifacefix makes them from its edits);
// [Unified] computes them between two arbitrary texts with github.com/sergi/go-diff in line mode.
// Rendering is a single linear pass over the operations.
package udiff

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

const noNewline = "\n\\ No newline at end of file\n"

// Kind says what an [Op] does with its lines.
type Kind uint8

const (
	Equal  Kind = iota // lines of both texts
	Delete             // lines of the old text only
	Insert             // lines of the new text only
)

// Op is a run of whole lines, each with its own terminator ("\n" or "\r\n"; only the last line of
// the old or new text may lack one).
type Op struct {
	Kind  Kind
	Lines []string
}

// Render writes a unified diff of the line operations ops with the given number of context lines.
// Headers are "--- " + oldName and "+++ " + newName. Returns nil when ops contain no Insert or
// Delete line.
func Render(oldName, newName string, ops []Op, context int) []byte {
	r := renderer{ctx: max(context, 0), oldName: oldName, newName: newName}
	for _, op := range ops {
		if len(op.Lines) == 0 {
			continue
		}
		switch op.Kind {
		case Equal:
			r.flushInserts()
			r.eq = append(r.eq, op.Lines)
			r.neq += len(op.Lines)
		case Delete:
			r.flushEqual(true)
			r.hunk = appendLines(r.hunk, '-', op.Lines)
			r.a += len(op.Lines)
			r.na += len(op.Lines)
		case Insert:
			r.flushEqual(true)
			r.ins = append(r.ins, op.Lines) // printed after the deletions of this run
		}
	}
	r.flushInserts()
	r.flushEqual(false)
	r.closeHunk()
	return r.out
}

// Unified computes the line operations between two arbitrary texts with sergi/go-diff in line
// mode (DiffTimeout = 0, DiffLinesToChars / DiffMain / DiffCharsToLines) and renders them with
// Render.
func Unified(oldName, newName string, old, new []byte, context int) []byte {
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0
	c1, c2, lines := dmp.DiffLinesToChars(string(old), string(new))
	var ops []Op
	for _, d := range dmp.DiffCharsToLines(dmp.DiffMain(c1, c2, false), lines) {
		k := Equal
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			k = Delete
		case diffmatchpatch.DiffInsert:
			k = Insert
		}
		ops = append(ops, Op{k, strings.SplitAfter(d.Text, "\n")})
		if last := &ops[len(ops)-1]; last.Lines[len(last.Lines)-1] == "" {
			last.Lines = last.Lines[:len(last.Lines)-1]
		}
	}
	return Render(oldName, newName, ops, context)
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

	eq  [][]string // pending run of equal lines
	neq int        // lines in eq
	ins [][]string // pending inserted lines of the current change run
}

// flushInserts appends the pending inserted lines to the hunk.
func (r *renderer) flushInserts() {
	for _, ls := range r.ins {
		r.hunk = appendLines(r.hunk, '+', ls)
		r.b += len(ls)
		r.nb += len(ls)
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
	for _, ls := range r.eq {
		n := len(ls)
		if from < n && to > 0 {
			r.hunk = appendLines(r.hunk, ' ', ls[max(from, 0):min(to, n)])
		}
		from, to = from-n, to-n
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

// appendLines appends lines to dst, each preceded by prefix; a line without terminator is
// followed by the "No newline" marker.
func appendLines(dst []byte, prefix byte, lines []string) []byte {
	for _, line := range lines {
		dst = append(append(dst, prefix), line...)
		if line == "" || line[len(line)-1] != '\n' {
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
