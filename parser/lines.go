package parser

import "strings"

// splitLines cuts data into physical lines, each keeping its own terminator ("\n", "\r\n" or none
// at the end of the file). Joining the result gives data back byte for byte.
func splitLines(data string) []string {
	n := strings.Count(data, "\n")
	if len(data) > 0 && data[len(data)-1] != '\n' {
		n++
	}
	lines := make([]string, 0, n)
	for len(data) > 0 {
		i := strings.IndexByte(data, '\n')
		if i < 0 {
			lines = append(lines, data)
			break
		}
		lines = append(lines, data[:i+1])
		data = data[i+1:]
	}
	return lines
}

// isSpace is C's isspace in the C locale, which ifupdown uses for every split and trim.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func trimLeft(s string) string {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return s[i:]
}

func trimRight(s string) string {
	i := len(s)
	for i > 0 && isSpace(s[i-1]) {
		i--
	}
	return s[:i]
}

// content is a physical line without its final "\n", as fgets leaves it after ifupdown removes the
// newline: a "\r" stays.
func content(line string) string {
	return strings.TrimSuffix(line, "\n")
}

// wordLimit is the size of ifupdown's word buffers (char[80]): words are cut to 79 bytes.
const wordLimit = 79

// nextWord is ifupdown's next_word: it returns the first word of s (cut to 79 bytes) and the rest
// after the word and the whitespace that follows it. ok is false when s is empty.
func nextWord(s string) (word, rest string, ok bool) {
	if s == "" {
		return "", "", false
	}
	i := 0
	for i < len(s) && !isSpace(s[i]) {
		i++
	}
	word = s[:i]
	if len(word) > wordLimit {
		word = word[:wordLimit]
	}
	return word, trimLeft(s[i:]), true
}

// logical is one logical line as ifupdown's get_line builds it.
type logical struct {
	start, end int    // physical lines [start, end)
	text       string // joined, both ends trimmed; "" for a blank line
	comment    bool
	ifLine     int // ifupdown's line counter after reading it: the number in its messages
	// refuse, when not "", says why ifacefix cannot represent how the dialect reads this line
	// (the file is then refused at its first physical line).
	refuse string
}

// logicalLines returns the logical lines of lines (see eachLogical).
func logicalLines(lines []string) []logical {
	out := make([]logical, 0, len(lines))
	eachLogical(lines, func(g logical) { out = append(out, g) })
	return out
}

// eachLogical calls fn for each logical line; it groups physical lines into logical lines exactly as ifupdown 0.8.41's get_line does
// (config.c): leading whitespace is stripped; a line starting with '#' is a comment, even if it
// ends in '\'; while the line's very last byte is '\', it is removed and the next physical line is
// appended raw (leading blanks kept, never a comment, "\r" not stripped first); at end of file the
// remaining backslashes are dropped; finally trailing whitespace is trimmed.
func eachLogical(lines []string, fn func(logical)) {
	counter := 0
	for i := 0; i < len(lines); {
		start := i
		s := trimLeft(content(lines[i]))
		i++
		counter++
		if strings.HasPrefix(s, "#") {
			fn(logical{start: start, end: i, comment: true, ifLine: counter})
			continue
		}
		if strings.HasSuffix(s, "\\") {
			// One growing buffer keeps long continuation chains linear.
			buf := []byte(s)
			for len(buf) > 0 && buf[len(buf)-1] == '\\' {
				buf = buf[:len(buf)-1]
				if i >= len(lines) {
					if len(buf) == 0 {
						break
					}
					counter++
					continue
				}
				buf = append(buf, content(lines[i])...)
				i++
				counter++
			}
			s = string(buf)
		}
		fn(logical{start: start, end: i, text: trimRight(s), ifLine: counter})
	}
}
