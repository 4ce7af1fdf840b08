package glob

import "strings"

// Flags select fnmatch(3) options.
type Flags uint8

const (
	// Period is FNM_PERIOD: a '.' at the start of the name is matched only by a literal '.'
	// (or "\."), never by '*', '?' or a bracket expression. glob(3) sets it unless GLOB_PERIOD.
	Period Flags = 1 << iota
	// NoEscape is FNM_NOESCAPE: '\' is an ordinary character.
	NoEscape
)

// maxClassName is glibc's CHARCLASS_NAME_MAX (2048), the longest "[:name:]" fnmatch scans.
const maxClassName = 2048

// Match reports whether name matches pattern as glibc 2.36's fnmatch(pattern, name, flags)
// does in the C locale, with FNM_PERIOD and FNM_NOESCAPE as flags select (never FNM_PATHNAME,
// FNM_CASEFOLD or FNM_EXTMATCH: glob(3) as wordexp calls it uses none of them).
//
// The C locale: bytes, not characters; ranges compare byte values (glibc's C collation
// sequence is the identity); the classes are the twelve POSIX ones, true only for ASCII bytes
// (no byte >= 0x80 is in any class); "[=c=]" and "[.c.]" name the single byte c, and
// "[.xy.]" with more than one byte fails. '^' negates like '!' (glibc does so unless the
// environment has POSIXLY_CORRECT, which a boot does not set). Both strings end at their first
// NUL byte, as C strings do.
//
// glibc's quirks are kept, for example: a '[' without a closing ']' is a literal '['
// ("x[y" matches "x[y"), but "[a-" and "[\" match nothing; "[]a]" and "[!]a]" take the first
// ']' as a member; an unknown class ("[[:foo:]]") makes the bracket match nothing, while text
// that is not a class name ("[[:x-]") is a list of ordinary members; and after '*' followed
// by '?', a bracket still sees the name's start as leading ("*?[.]" does not match "a." but
// matches "ab."). Matching takes time O(len(pattern) × len(name)), as glibc's does: the
// segment after each '*' is matched at its first possible position and never retried.
func Match(pattern, name string, flags Flags) bool {
	m := matcher{pat: cString(pattern), escape: flags&NoEscape == 0}
	return m.match(cString(name), flags&Period != 0)
}

func cString(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

type matcher struct {
	pat    string
	escape bool
}

// at returns the pattern byte at i, or 0 past its end, like a C string.
func (m *matcher) at(i int) byte {
	if i < len(m.pat) {
		return m.pat[i]
	}
	return 0
}

// match matches the whole pattern against name. lead is true while a '.' at the current
// position of name would be a leading period that wildcards must not match.
func (m *matcher) match(name string, lead bool) bool {
	p, n := 0, 0
	for p < len(m.pat) {
		if m.pat[p] != '*' {
			next, ok := m.step(p, name, n, lead)
			if !ok {
				return false
			}
			p, n, lead = next, n+1, false
			continue
		}
		if n < len(name) && name[n] == '.' && lead {
			return false
		}
		// A run of '*' and '?' is one star that must consume as many bytes as it has '?'.
		for p < len(m.pat) && (m.pat[p] == '*' || m.pat[p] == '?') {
			if m.pat[p] == '?' {
				if n == len(name) {
					return false
				}
				n++
			}
			p++
		}
		if p == len(m.pat) {
			return true
		}
		// Find the first position where the segment up to the next '*' matches; glibc commits
		// to it. lead stays as it was for the first position only (glibc's quirk).
		found := false
		for k := n; k < len(name); k++ {
			res, p2, n2 := m.segment(p, name, k, lead && k == n)
			if res == segWhole {
				return true
			}
			if res == segStar {
				p, n, lead, found = p2, n2, false, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return n == len(name)
}

const (
	segFail = iota
	segWhole
	segStar
)

// segment matches pattern elements from p against name from n until the pattern ends
// (segWhole if name ends there too) or a '*' is reached (segStar, with both positions).
func (m *matcher) segment(p int, name string, n int, lead bool) (int, int, int) {
	for p < len(m.pat) {
		if m.pat[p] == '*' {
			return segStar, p, n
		}
		next, ok := m.step(p, name, n, lead)
		if !ok {
			return segFail, 0, 0
		}
		p, n, lead = next, n+1, false
	}
	if n == len(name) {
		return segWhole, 0, 0
	}
	return segFail, 0, 0
}

// step matches the one pattern element at p (not '*') against the byte name[n] and returns
// the position of the next element.
func (m *matcher) step(p int, name string, n int, lead bool) (int, bool) {
	if n == len(name) {
		return 0, false
	}
	ch := name[n]
	switch c := m.pat[p]; {
	case c == '?':
		return p + 1, !(ch == '.' && lead)
	case c == '\\' && m.escape:
		if p+1 == len(m.pat) {
			return 0, false // a trailing backslash matches nothing
		}
		return p + 2, m.pat[p+1] == ch
	case c == '[':
		if ch == '.' && lead {
			return 0, false
		}
		return m.bracket(p, ch)
	default:
		return p + 1, c == ch
	}
}

// bracket matches the bracket expression whose '[' is at p against ch. It follows glibc's two
// scans: the first reads members until one matches or the closing ']' is found; after a match,
// a second scan skips to the closing ']' with slightly different rules. Reaching the end of
// the pattern in either scan makes the '[' a literal.
func (m *matcher) bracket(p int, ch byte) (int, bool) {
	literal := func() (int, bool) { return p + 1, ch == '[' }
	i := p + 1
	negate := m.at(i) == '!' || m.at(i) == '^'
	if negate {
		i++
	}
	c := m.at(i)
	i++
	matched := false
scan:
	for {
		var lo byte        // the member, or the low end of a range
		collating := false // lo came from "[.c.]"
		switch {
		case c == 0:
			return literal()
		case c == '\\' && m.escape:
			if m.at(i) == 0 {
				return 0, false
			}
			c = m.at(i)
			i++
		case c == '[' && m.at(i) == ':':
			name, end, ok := m.className(i)
			if end < 0 {
				return 0, false
			}
			if ok { // else '[' is an ordinary member and the ':' comes next
				class := classes[name]
				if class == nil {
					return 0, false
				}
				i = end
				if class(ch) {
					matched = true
					break scan
				}
				if c, i = m.at(i), i+1; c == ']' {
					break scan
				}
				continue
			}
		case c == '[' && m.at(i) == '=':
			if e := m.at(i + 1); e != 0 && m.at(i+2) == '=' && m.at(i+3) == ']' {
				i += 4
				if ch == e {
					matched = true
					break scan
				}
				if c, i = m.at(i), i+1; c == ']' {
					break scan
				}
				continue
			} // else '[' is an ordinary member
		case c == '[' && m.at(i) == '.':
			sym, end, ok := m.collating(i)
			if !ok {
				return 0, false
			}
			i = end
			if isRange := m.at(i) == '-' && m.at(i+1) != 0; !isRange && ch == sym {
				matched = true
				break scan
			}
			lo, collating = sym, true
		}
		if !collating {
			if isRange := m.at(i) == '-' && m.at(i+1) != 0 && m.at(i+1) != ']'; !isRange && c == ch {
				matched = true
				break scan
			}
			lo = c
		}
		c = m.at(i)
		i++
		if c == '-' && m.at(i) != ']' {
			hi := m.at(i)
			i++
			if hi == '[' && m.at(i) == '.' {
				sym, end, ok := m.collating(i)
				if !ok {
					return 0, false
				}
				hi, i = sym, end
			} else {
				if hi == '\\' && m.escape {
					hi = m.at(i)
					i++
				}
				if hi == 0 {
					return 0, false
				}
			}
			if lo <= ch && ch <= hi {
				matched = true
				break scan
			}
			c = m.at(i)
			i++
		}
		if c == ']' {
			break
		}
	}
	if !matched {
		return i, negate
	}
	// Skip the rest of the expression.
	for {
		c := m.at(i)
		i++
		switch {
		case c == ']':
			return i, !negate
		case c == 0:
			return literal()
		case c == '\\' && m.escape:
			if m.at(i) == 0 {
				return 0, false
			}
			i++
		case c == '[' && m.at(i) == ':':
			// Up to ":]" over letters a-y; any other byte ends the attempt, and the scan
			// resumes at the ':'.
			j, n := i, 0
			for {
				j++
				if n++; n == maxClassName {
					return 0, false
				}
				if m.at(j) == ':' && m.at(j+1) == ']' {
					i = j + 2
					break
				}
				if b := m.at(j); b < 'a' || b >= 'z' {
					break
				}
			}
		case c == '[' && m.at(i) == '=':
			if m.at(i+1) == 0 || m.at(i+2) != '=' || m.at(i+3) != ']' {
				return 0, false
			}
			i += 4
		case c == '[' && m.at(i) == '.':
			j := i
			for {
				j++
				if m.at(j) == 0 {
					return 0, false
				}
				if m.at(j) == '.' && m.at(j+1) == ']' {
					break
				}
			}
			i = j + 2
		}
	}
}

// className reads "[:name:]" with i at the ':'. ok: name and the position after ":]". Not ok
// with end >= 0: not a class (a byte outside a-y came first); end < 0: the name is too long.
func (m *matcher) className(i int) (name string, end int, ok bool) {
	j := i
	for {
		if j-i == maxClassName {
			return "", -1, false
		}
		j++
		b := m.at(j)
		if b == ':' && m.at(j+1) == ']' {
			return m.pat[i+1 : j], j + 2, true
		}
		if b < 'a' || b >= 'z' {
			return "", i, false
		}
	}
}

// collating reads "[.c.]" with i at the first '.': the one byte c and the position after ".]".
// Not ok if the symbol is unterminated or is not exactly one byte (the C locale names none).
func (m *matcher) collating(i int) (byte, int, bool) {
	j := i
	for {
		j++
		b := m.at(j)
		if b == '.' && m.at(j+1) == ']' {
			break
		}
		if b == 0 {
			return 0, 0, false
		}
	}
	if j-i-1 != 1 {
		return 0, 0, false
	}
	return m.pat[i+1], j + 2, true
}

// classes are the C locale's character classes; no byte >= 0x80 belongs to any.
var classes = map[string]func(byte) bool{
	"alnum":  func(b byte) bool { return isAlpha(b) || isDigit(b) },
	"alpha":  isAlpha,
	"blank":  func(b byte) bool { return b == ' ' || b == '\t' },
	"cntrl":  func(b byte) bool { return b < 0x20 || b == 0x7f },
	"digit":  isDigit,
	"graph":  func(b byte) bool { return b > 0x20 && b < 0x7f },
	"lower":  func(b byte) bool { return b >= 'a' && b <= 'z' },
	"print":  func(b byte) bool { return b >= 0x20 && b < 0x7f },
	"punct":  func(b byte) bool { return b > 0x20 && b < 0x7f && !isAlpha(b) && !isDigit(b) },
	"space":  func(b byte) bool { return b == ' ' || b >= '\t' && b <= '\r' },
	"upper":  func(b byte) bool { return b >= 'A' && b <= 'Z' },
	"xdigit": func(b byte) bool { return isDigit(b) || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F' },
}

func isAlpha(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }
func isDigit(b byte) bool { return b >= '0' && b <= '9' }
