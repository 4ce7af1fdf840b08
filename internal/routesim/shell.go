package routesim

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// This file is a small interpreter for the part of the POSIX shell language that ifupdown's
// command lines use (ifupdown runs each one with /bin/sh -c, which is dash on Debian): simple
// commands with assignments and redirections, pipelines, ! , && , || , ; , & , ( ) , { } ,
// if/elif/else/fi, '...' "..." \ quoting, $VAR ${VAR} $? and $(...) `...` substitutions, and #
// comments. Everything runs in order, in this process: a pipeline's stages one after another,
// a background job to completion before the next command (dash starts it first; the commands
// modelled here are quick and ifupdown's next command starts later; during Host.Up a background
// job runs right after ifup's next command instead, as the kernel showed). Globs are not expanded.
// Anything else is a syntax error, which the caller reports as unmodelled.

// ErrSyntax is returned (wrapped) for shell syntax this interpreter does not model.
var ErrSyntax = errors.New("unsupported shell syntax")

type tokKind int

const (
	tWord  tokKind = iota
	tOp            // ; & && || | ( ) newline
	tRedir         // > >> < >& <& >| <> with an optional fd number
	tEOF
)

type token struct {
	kind tokKind
	text string // the operator, the redirection operator, or the raw word (quotes kept)
	fd   int    // redirections: the fd number written before the operator, or -1
}

// lex splits a command line into tokens. Words keep their quoting; expansion happens later.
func lex(s string) ([]token, error) {
	var out []token
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '\n':
			out = append(out, token{kind: tOp, text: "\n"})
			i++
		case c == '#':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == ';' || c == '(' || c == ')':
			out = append(out, token{kind: tOp, text: string(c)})
			i++
		case c == '&' || c == '|':
			if i+1 < len(s) && s[i+1] == c {
				out = append(out, token{kind: tOp, text: s[i : i+2]})
				i += 2
			} else {
				out = append(out, token{kind: tOp, text: string(c)})
				i++
			}
		case c == '<' || c == '>':
			op, n := redirOp(s[i:])
			out = append(out, token{kind: tRedir, text: op, fd: -1})
			i += n
		default:
			start := i
			for i < len(s) {
				c := s[i]
				if c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|' || c == '(' || c == ')' || c == '<' || c == '>' {
					break
				}
				var err error
				switch c {
				case '\\':
					i += 2
				case '\'':
					j := strings.IndexByte(s[i+1:], '\'')
					if j < 0 {
						return nil, fmt.Errorf("%w: unterminated '", ErrSyntax)
					}
					i += j + 2
				case '"':
					i, err = skipDouble(s, i+1)
				case '`':
					j := strings.IndexByte(s[i+1:], '`')
					if j < 0 {
						return nil, fmt.Errorf("%w: unterminated `", ErrSyntax)
					}
					i += j + 2
				case '$':
					i, err = skipDollar(s, i)
				default:
					i++
				}
				if err != nil {
					return nil, err
				}
			}
			if i > len(s) {
				i = len(s)
			}
			w := s[start:i]
			// An all-digit word right before a redirection is its fd number.
			if i < len(s) && (s[i] == '<' || s[i] == '>') && isDigits(w) {
				op, n := redirOp(s[i:])
				fd, _ := strconv.Atoi(w)
				out = append(out, token{kind: tRedir, text: op, fd: fd})
				i += n
				continue
			}
			out = append(out, token{kind: tWord, text: w})
		}
	}
	return append(out, token{kind: tEOF}), nil
}

func redirOp(s string) (string, int) {
	for _, op := range []string{">>", ">&", "<&", ">|", "<>", ">", "<"} {
		if strings.HasPrefix(s, op) {
			return op, len(op)
		}
	}
	return s[:1], 1
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// skipDouble returns the index after the closing " of a double-quoted string starting at i.
func skipDouble(s string, i int) (int, error) {
	for i < len(s) {
		switch s[i] {
		case '\\':
			i += 2
		case '"':
			return i + 1, nil
		case '$':
			var err error
			if i, err = skipDollar(s, i); err != nil {
				return 0, err
			}
		case '`':
			j := strings.IndexByte(s[i+1:], '`')
			if j < 0 {
				return 0, fmt.Errorf("%w: unterminated `", ErrSyntax)
			}
			i += j + 2
		default:
			i++
		}
	}
	return 0, fmt.Errorf("%w: unterminated \"", ErrSyntax)
}

// skipDollar returns the index after a $ expansion starting at i.
func skipDollar(s string, i int) (int, error) {
	if i+1 >= len(s) {
		return i + 1, nil
	}
	switch s[i+1] {
	case '(':
		depth := 0
		for j := i + 1; j < len(s); j++ {
			switch s[j] {
			case '\\':
				j++
			case '\'':
				k := strings.IndexByte(s[j+1:], '\'')
				if k < 0 {
					return 0, fmt.Errorf("%w: unterminated '", ErrSyntax)
				}
				j += k + 1
			case '(':
				depth++
			case ')':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, fmt.Errorf("%w: unterminated $(", ErrSyntax)
	case '{':
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return 0, fmt.Errorf("%w: unterminated ${", ErrSyntax)
		}
		return i + j + 1, nil
	}
	j := i + 1
	if c := s[j]; c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
		for j < len(s) && (s[j] == '_' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9') {
			j++
		}
		return j, nil
	}
	if strings.IndexByte("?$#@*!-0123456789", s[j]) >= 0 {
		return j + 1, nil
	}
	return i + 1, nil
}

// The syntax tree.
type (
	node interface{}
	list struct {
		items []andOr
		bg    []bool // item i ends with &
	}
	andOr struct {
		first pipeline
		ops   []string // "&&" or "||" before rest[i]
		rest  []pipeline
	}
	pipeline struct {
		not  bool
		cmds []node
	}
	simple struct {
		assigns []string
		words   []string
		redirs  []redir
	}
	redir struct {
		fd     int
		op     string
		target string
	}
	ifNode struct {
		conds, bodies []*list
		els           *list
		redirs        []redir
	}
	group struct {
		body     *list
		subshell bool
		redirs   []redir
	}
)

type parser struct {
	toks []token
	pos  int
}

func parse(s string) (*list, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	l, err := p.list(nil)
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tEOF {
		return nil, fmt.Errorf("%w: unexpected %q", ErrSyntax, p.peek().text)
	}
	return l, nil
}

func (p *parser) peek() token { return p.toks[p.pos] }
func (p *parser) next() token { t := p.toks[p.pos]; p.pos++; return t }

func (p *parser) isWord(w string) bool {
	t := p.peek()
	return t.kind == tWord && t.text == w
}

func (p *parser) skipNewlines() {
	for p.peek().kind == tOp && p.peek().text == "\n" {
		p.pos++
	}
}

// list parses and-or lists until EOF, a closing ")" or one of the reserved words in stop.
func (p *parser) list(stop []string) (*list, error) {
	l := &list{}
	for {
		p.skipNewlines()
		t := p.peek()
		if t.kind == tEOF || t.kind == tOp && t.text == ")" {
			return l, nil
		}
		if t.kind == tWord {
			for _, w := range stop {
				if t.text == w {
					return l, nil
				}
			}
		}
		ao, err := p.andOr(stop)
		if err != nil {
			return nil, err
		}
		bg := false
		if t := p.peek(); t.kind == tOp && (t.text == ";" || t.text == "&" || t.text == "\n") {
			bg = t.text == "&"
			p.pos++
		} else if t.kind != tEOF && !(t.kind == tOp && t.text == ")") && !(t.kind == tWord && contains(stop, t.text)) {
			return nil, fmt.Errorf("%w: unexpected %q", ErrSyntax, t.text)
		}
		l.items = append(l.items, ao)
		l.bg = append(l.bg, bg)
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func (p *parser) andOr(stop []string) (andOr, error) {
	first, err := p.pipeline(stop)
	if err != nil {
		return andOr{}, err
	}
	ao := andOr{first: first}
	for {
		t := p.peek()
		if t.kind != tOp || t.text != "&&" && t.text != "||" {
			return ao, nil
		}
		p.pos++
		p.skipNewlines()
		pl, err := p.pipeline(stop)
		if err != nil {
			return andOr{}, err
		}
		ao.ops = append(ao.ops, t.text)
		ao.rest = append(ao.rest, pl)
	}
}

func (p *parser) pipeline(stop []string) (pipeline, error) {
	var pl pipeline
	if p.isWord("!") {
		p.pos++
		pl.not = true
	}
	for {
		c, err := p.command(stop)
		if err != nil {
			return pipeline{}, err
		}
		pl.cmds = append(pl.cmds, c)
		if t := p.peek(); t.kind == tOp && t.text == "|" {
			p.pos++
			p.skipNewlines()
			continue
		}
		return pl, nil
	}
}

func (p *parser) command(stop []string) (node, error) {
	t := p.peek()
	switch {
	case t.kind == tOp && t.text == "(":
		p.pos++
		body, err := p.list(nil)
		if err != nil {
			return nil, err
		}
		if t := p.next(); t.kind != tOp || t.text != ")" {
			return nil, fmt.Errorf("%w: missing )", ErrSyntax)
		}
		g := &group{body: body, subshell: true}
		g.redirs, err = p.redirs()
		return g, err
	case t.kind == tWord && t.text == "{":
		p.pos++
		body, err := p.list([]string{"}"})
		if err != nil {
			return nil, err
		}
		if !p.isWord("}") {
			return nil, fmt.Errorf("%w: missing }", ErrSyntax)
		}
		p.pos++
		g := &group{body: body}
		g.redirs, err = p.redirs()
		return g, err
	case t.kind == tWord && t.text == "if":
		return p.ifCommand()
	case t.kind == tWord && contains([]string{"then", "elif", "else", "fi", "do", "done", "esac", "}"}, t.text):
		return nil, fmt.Errorf("%w: unexpected %q", ErrSyntax, t.text)
	case t.kind == tWord && contains([]string{"while", "until", "for", "case", "function"}, t.text):
		return nil, fmt.Errorf("%w: %s", ErrSyntax, t.text)
	}
	s := &simple{}
	for {
		t := p.peek()
		switch t.kind {
		case tWord:
			if len(s.words) == 0 && isAssignment(t.text) {
				s.assigns = append(s.assigns, t.text)
			} else {
				s.words = append(s.words, t.text)
			}
			p.pos++
		case tRedir:
			r, err := p.redir()
			if err != nil {
				return nil, err
			}
			s.redirs = append(s.redirs, r)
		default:
			if len(s.words) == 0 && len(s.assigns) == 0 && len(s.redirs) == 0 {
				return nil, fmt.Errorf("%w: empty command before %q", ErrSyntax, t.text)
			}
			return s, nil
		}
	}
}

func (p *parser) redir() (redir, error) {
	t := p.next()
	w := p.next()
	if w.kind != tWord {
		return redir{}, fmt.Errorf("%w: redirection without a target", ErrSyntax)
	}
	fd := t.fd
	if fd < 0 {
		fd = 1
		if t.text[0] == '<' {
			fd = 0
		}
	}
	return redir{fd: fd, op: t.text, target: w.text}, nil
}

func (p *parser) redirs() ([]redir, error) {
	var rs []redir
	for p.peek().kind == tRedir {
		r, err := p.redir()
		if err != nil {
			return nil, err
		}
		rs = append(rs, r)
	}
	return rs, nil
}

func (p *parser) ifCommand() (node, error) {
	n := &ifNode{}
	p.pos++ // if
	for {
		cond, err := p.list([]string{"then"})
		if err != nil {
			return nil, err
		}
		if !p.isWord("then") {
			return nil, fmt.Errorf("%w: if without then", ErrSyntax)
		}
		p.pos++
		body, err := p.list([]string{"elif", "else", "fi"})
		if err != nil {
			return nil, err
		}
		n.conds = append(n.conds, cond)
		n.bodies = append(n.bodies, body)
		switch {
		case p.isWord("elif"):
			p.pos++
			continue
		case p.isWord("else"):
			p.pos++
			if n.els, err = p.list([]string{"fi"}); err != nil {
				return nil, err
			}
		}
		if !p.isWord("fi") {
			return nil, fmt.Errorf("%w: if without fi", ErrSyntax)
		}
		p.pos++
		n.redirs, err = p.redirs()
		return n, err
	}
}

func isAssignment(w string) bool {
	eq := strings.IndexByte(w, '=')
	if eq <= 0 {
		return false
	}
	for i := 0; i < eq; i++ {
		c := w[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// shell is one /bin/sh -c execution: its variables, last status and the host it acts on.
type shell struct {
	h      *Host
	vars   map[string]string
	status int
	exited bool
	depth  int
}

// streams are a command's standard input and where its fd 1 and 2 go (nil: discarded).
type streams struct {
	in       string
	out, err *strings.Builder
}

func (sh *shell) runList(l *list, io streams) int {
	for i, ao := range l.items {
		if sh.exited {
			break
		}
		if l.bg[i] && sh.h.deferJobs {
			// A background job races with what ifup runs next; modelled as finishing right
			// after ifup's next command.
			sub, ao := sh.sub(), ao
			sh.h.pending = append(sh.h.pending, func() { sub.runAndOr(ao, streams{}) })
			sh.h.unmodelled([]string{"background job"})
			sh.status = 0
			continue
		}
		st := sh.runAndOr(ao, io)
		if l.bg[i] {
			st = 0 // a background job's status is not the list's
		}
		sh.status = st
	}
	return sh.status
}

func (sh *shell) runAndOr(ao andOr, io streams) int {
	st := sh.runPipeline(ao.first, io)
	for i, op := range ao.ops {
		if sh.exited {
			break
		}
		if op == "&&" && st != 0 || op == "||" && st == 0 {
			continue
		}
		st = sh.runPipeline(ao.rest[i], io)
	}
	return st
}

func (sh *shell) runPipeline(pl pipeline, io streams) int {
	st := 0
	in := io.in
	for i, c := range pl.cmds {
		stage := io
		stage.in = in
		var buf strings.Builder
		if i < len(pl.cmds)-1 {
			stage.out = &buf
		}
		st = sh.runCommand(c, stage)
		in = buf.String()
		sh.status = st
	}
	if pl.not {
		if st == 0 {
			st = 1
		} else {
			st = 0
		}
	}
	return st
}

func (sh *shell) runCommand(n node, io streams) int {
	switch n := n.(type) {
	case *simple:
		return sh.runSimple(n, io)
	case *group:
		io, ok := sh.redirect(n.redirs, io)
		if !ok {
			return 2
		}
		if !n.subshell {
			return sh.runList(n.body, io)
		}
		sub := sh.sub()
		st := sub.runList(n.body, io)
		return st
	case *ifNode:
		io, ok := sh.redirect(n.redirs, io)
		if !ok {
			return 2
		}
		for i, c := range n.conds {
			if sh.runList(c, io) == 0 {
				return sh.runList(n.bodies[i], io)
			}
			if sh.exited {
				return sh.status
			}
		}
		if n.els != nil {
			return sh.runList(n.els, io)
		}
		return 0
	}
	panic("routesim: unknown node")
}

func (sh *shell) sub() *shell {
	vars := make(map[string]string, len(sh.vars))
	for k, v := range sh.vars {
		vars[k] = v
	}
	return &shell{h: sh.h, vars: vars, status: sh.status, depth: sh.depth + 1}
}

// redirect applies redirections to a command's streams. Writes to files are discarded (the
// host model has no files besides /sys and /proc views); reads give the file's model text.
func (sh *shell) redirect(rs []redir, io streams) (streams, bool) {
	for _, r := range rs {
		target, err := sh.expandOne(r.target)
		if err != nil {
			return io, false
		}
		switch r.op {
		case ">&", "<&":
			if target == "-" {
				sh.setFD(&io, r.fd, nil)
				continue
			}
			src, err := strconv.Atoi(target)
			if err != nil || src < 0 || src > 2 {
				return io, false
			}
			var w *strings.Builder
			switch src {
			case 1:
				w = io.out
			case 2:
				w = io.err
			}
			sh.setFD(&io, r.fd, w)
		case "<":
			text, ok := sh.h.readFile(target)
			if !ok {
				return io, false
			}
			io.in = text
		default: // > >> >| <>
			if r.fd == 0 {
				io.in = ""
				continue
			}
			sh.setFD(&io, r.fd, nil)
		}
	}
	return io, true
}

func (sh *shell) setFD(io *streams, fd int, w *strings.Builder) {
	switch fd {
	case 1:
		io.out = w
	case 2:
		io.err = w
	}
}

func (sh *shell) runSimple(s *simple, io streams) int {
	var args []string
	for _, w := range s.words {
		fields, err := sh.expand(w)
		if err != nil {
			sh.h.unmodelled([]string{err.Error()})
			return 2
		}
		args = append(args, fields...)
	}
	for _, a := range s.assigns {
		eq := strings.IndexByte(a, '=')
		v, err := sh.expandOne(a[eq+1:])
		if err != nil {
			sh.h.unmodelled([]string{err.Error()})
			return 2
		}
		if len(args) == 0 {
			sh.vars[a[:eq]] = v
		}
	}
	io, ok := sh.redirect(s.redirs, io)
	if !ok {
		return 2
	}
	if len(args) == 0 {
		return sh.status
	}
	switch args[0] {
	case "exit":
		st := sh.status
		if len(args) > 1 {
			st, _ = strconv.Atoi(args[1])
		}
		sh.exited = true
		return st & 255
	}
	return sh.h.exec(sh, args, io)
}

// expandOne expands a word without field splitting (assignments, redirection targets).
func (sh *shell) expandOne(w string) (string, error) {
	fields, err := sh.expandWord(w, false)
	if err != nil {
		return "", err
	}
	return strings.Join(fields, " "), nil
}

func (sh *shell) expand(w string) ([]string, error) { return sh.expandWord(w, true) }

// expandWord removes quotes and expands $ and ` substitutions; unquoted expansion results are
// split on blanks and newlines when split is set.
func (sh *shell) expandWord(w string, split bool) ([]string, error) {
	var fields []string
	var cur strings.Builder
	have := false // cur is a field even if empty (quotes were seen)
	flush := func() {
		if cur.Len() > 0 || have {
			fields = append(fields, cur.String())
		}
		cur.Reset()
		have = false
	}
	addUnquoted := func(s string) {
		if !split {
			cur.WriteString(s)
			return
		}
		parts := strings.FieldsFunc(s, isIFS)
		if len(s) > 0 && isIFS(rune(s[0])) {
			flush()
		}
		for i, p := range parts {
			if i > 0 {
				flush()
			}
			cur.WriteString(p)
		}
		if len(parts) > 0 && isIFS(rune(s[len(s)-1])) {
			flush()
		}
	}
	i := 0
	for i < len(w) {
		c := w[i]
		switch c {
		case '\\':
			if i+1 < len(w) {
				cur.WriteByte(w[i+1])
			} else {
				cur.WriteByte('\\') // dash keeps a backslash that ends the command line
			}
			i += 2
		case '\'':
			j := strings.IndexByte(w[i+1:], '\'')
			cur.WriteString(w[i+1 : i+1+j])
			have = true
			i += j + 2
		case '"':
			end, err := skipDouble(w, i+1)
			if err != nil {
				return nil, err
			}
			s, err := sh.expandDouble(w[i+1 : end-1])
			if err != nil {
				return nil, err
			}
			cur.WriteString(s)
			have = true
			i = end
		case '`':
			j := strings.IndexByte(w[i+1:], '`')
			out, err := sh.substitute(w[i+1 : i+1+j])
			if err != nil {
				return nil, err
			}
			addUnquoted(out)
			i += j + 2
		case '$':
			end, err := skipDollar(w, i)
			if err != nil {
				return nil, err
			}
			s, err := sh.dollar(w[i:end])
			if err != nil {
				return nil, err
			}
			addUnquoted(s)
			i = end
		default:
			cur.WriteByte(c)
			i++
		}
	}
	if cur.Len() > 0 || have {
		fields = append(fields, cur.String())
	}
	return fields, nil
}

func isIFS(r rune) bool { return r == ' ' || r == '\t' || r == '\n' }

func (sh *shell) expandDouble(s string) (string, error) {
	var b strings.Builder
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && strings.IndexByte("$`\"\\\n", s[i+1]) >= 0:
			b.WriteByte(s[i+1])
			i += 2
		case c == '$':
			end, err := skipDollar(s, i)
			if err != nil {
				return "", err
			}
			v, err := sh.dollar(s[i:end])
			if err != nil {
				return "", err
			}
			b.WriteString(v)
			i = end
		case c == '`':
			j := strings.IndexByte(s[i+1:], '`')
			v, err := sh.substitute(s[i+1 : i+1+j])
			if err != nil {
				return "", err
			}
			b.WriteString(v)
			i += j + 2
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), nil
}

func (sh *shell) dollar(d string) (string, error) {
	switch {
	case d == "$":
		return "$", nil
	case strings.HasPrefix(d, "$("):
		return sh.substitute(d[2 : len(d)-1])
	case strings.HasPrefix(d, "${"):
		name := d[2 : len(d)-1]
		if !isName(name) {
			return "", fmt.Errorf("%w: ${%s}", ErrSyntax, name)
		}
		return sh.vars[name], nil
	case d == "$?":
		return strconv.Itoa(sh.status), nil
	case d == "$$":
		return "4242", nil
	}
	name := d[1:]
	if !isName(name) {
		// "$-" "$@" etc. are not modelled; a lone $ before a non-name is literal.
		if name == "" {
			return "$", nil
		}
		return "", fmt.Errorf("%w: $%s", ErrSyntax, name)
	}
	return sh.vars[name], nil
}

func isName(s string) bool { return s != "" && isAssignment(s+"=") }

// substitute runs a command substitution and returns its output without trailing newlines.
func (sh *shell) substitute(script string) (string, error) {
	if sh.depth > 8 {
		return "", fmt.Errorf("%w: nested too deep", ErrSyntax)
	}
	l, err := parse(script)
	if err != nil {
		return "", err
	}
	sub := sh.sub()
	var out strings.Builder
	sub.runList(l, streams{out: &out})
	sh.status = sub.status
	return strings.TrimRight(out.String(), "\n"), nil
}
