package glob

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrWordexp is wrapped by the error of [Words] when glibc's wordexp fails (WRDE_BADCHAR,
	// WRDE_SYNTAX or WRDE_CMDSUB); ifupdown then ignores the line, silently.
	ErrWordexp = errors.New("wordexp fails")
	// ErrExpansion is wrapped by the error of [Words] for a '$' or '~' expansion, whose value
	// comes from the environment or the user database of the system that boots.
	ErrExpansion = errors.New("shell expansion")
)

// A Word is one word of wordexp's result before globbing.
type Word struct {
	// Text is the word with quotes and backslashes removed as wordexp removes them. For a Glob
	// word that is the pattern glob(3) gets, unescaped: wordexp removes the quoting that
	// protected a metacharacter ('*'x* and \*x* both glob "*x*"), except that a backslash in
	// double quotes before a byte other than $ ` " \ stays ("\["* globs \[* , a literal '[').
	Text string
	// Glob is true when wordexp hands the word to glob(3): it has an unquoted '*', '?' or '['.
	// Expand it with [Glob]; otherwise Text is used as it is.
	Glob bool
}

// Words splits s into words as glibc 2.36's wordexp(s, &w, WRDE_NOCMD) does with IFS unset
// (systemd sets none for networking.service), up to the globbing of each Glob word.
//
// Reproduced from glibc's wordexp.c: words end at unquoted blanks and tabs; '\' quotes the next
// byte (a backslash-newline disappears; a trailing '\' fails); '...' and "..." quote, and inside
// "..." a backslash quotes only $ ` " \; an empty quoted string ("" or ”) makes an empty word
// of its own (""x gives "" and "x"); an unquoted newline or one of | & ; < > ( ) { } fails,
// and so does any backtick (command substitution, refused by WRDE_NOCMD).
//
// From the first unquoted '*', '?' or '[' to the end of its word, glibc's parse_glob takes
// over with simpler rules: quotes only toggle (an unterminated one is no error), a blank or tab
// ends the word even inside quotes, | & ; < > ( ) { } ` ~ and newline are ordinary bytes, and
// inside quotes '\' quotes only $ ` " \ (also within '...').
//
// A '$' that would expand (anything but a '$' before a quote or at the end) and a '~' that
// would expand give an error wrapping ErrExpansion: their value is the booting system's.
// glibc's `~` rule: at the start of a word, or after '=' (or after ':' in a word with '=') in
// the first word, unless a backslash comes before the next '/', ':', blank or tab. As in C, s
// ends at its first NUL byte.
func Words(s string) ([]Word, error) {
	s = cString(s)
	var (
		words []Word
		cur   strings.Builder
		open  bool // cur holds a word (glibc's word != NULL)
	)
	add := func(b byte) { cur.WriteByte(b); open = true }
	end := func(glob bool) {
		if open {
			words = append(words, Word{Text: cur.String(), Glob: glob})
		}
		cur.Reset()
		open = false
	}
	fail := func(i int, what string) ([]Word, error) {
		return nil, fmt.Errorf("%w: %s at byte %d", ErrWordexp, what, i)
	}
	expansion := func(i int) ([]Word, error) {
		return nil, fmt.Errorf("%w at byte %d", ErrExpansion, i)
	}
	// dollarLiteral reports whether the '$' at i is literal.
	dollarLiteral := func(i int) bool {
		return i+1 == len(s) || s[i+1] == '"' || s[i+1] == '\''
	}
	// quotedBackslash handles '\' at i inside quotes and returns the last byte used.
	quotedBackslash := func(i int) (int, bool) {
		switch {
		case i+1 == len(s):
			return i, false
		case s[i+1] == '\n':
		case strings.IndexByte("$`\"\\", s[i+1]) >= 0:
			add(s[i+1])
		default:
			add('\\')
			add(s[i+1])
		}
		return i + 1, true
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 == len(s) {
				return fail(i, "trailing backslash")
			}
			i++
			if s[i] != '\n' {
				add(s[i])
			}
		case '$':
			if !dollarLiteral(i) {
				return expansion(i)
			}
			add('$')
		case '`':
			return fail(i, "command substitution")
		case '"', '\'':
			j := i + 1
			for ; j < len(s) && s[j] != c; j++ {
				switch {
				case c == '\'':
					add(s[j])
				case s[j] == '$':
					if !dollarLiteral(j) {
						return expansion(j)
					}
					add('$')
				case s[j] == '`':
					return fail(j, "command substitution")
				case s[j] == '\\':
					var ok bool
					if j, ok = quotedBackslash(j); !ok {
						return fail(j, "trailing backslash")
					}
				default:
					add(s[j])
				}
			}
			if j == len(s) {
				return fail(i, "unterminated quote")
			}
			if cur.Len() == 0 {
				// glibc adds an empty word here and starts a new one.
				words = append(words, Word{})
				open = false
			}
			i = j
		case '~':
			if tildeExpands(s, i, cur.String(), len(words)) {
				return expansion(i)
			}
			add('~')
		case '*', '?', '[':
			quote := byte(0)
			j := i
		glob:
			for ; j < len(s); j++ {
				b := s[j]
				switch {
				case b == ' ' || b == '\t' || b == '\n':
					break glob
				case (b == '\'' || b == '"') && (quote == 0 || quote == b):
					if quote == 0 {
						quote = b
					} else {
						quote = 0
					}
				case b == '$' && quote != '\'':
					if !dollarLiteral(j) {
						return expansion(j)
					}
					add('$')
				case b == '\\' && quote != 0:
					var ok bool
					if j, ok = quotedBackslash(j); !ok {
						return fail(j, "trailing backslash")
					}
				case b == '\\':
					if j+1 == len(s) {
						return fail(j, "trailing backslash")
					}
					if j++; s[j] != '\n' {
						add(s[j])
					}
				default:
					add(b)
				}
			}
			end(true)
			i = j - 1 // the blank that ended the word is read again below
		case ' ', '\t':
			end(false)
		case '\n', '|', '&', ';', '<', '>', '(', ')', '{', '}':
			return fail(i, fmt.Sprintf("unquoted %q", c))
		default:
			add(c)
		}
	}
	end(false)
	return words, nil
}

// tildeExpands is glibc's parse_tilde test for the '~' at i, with word the current word so far
// and n the number of words already complete.
func tildeExpands(s string, i int, word string, n int) bool {
	if word != "" {
		last := word[len(word)-1]
		if !(last == '=' && n == 0) && !(last == ':' && strings.Contains(word, "=") && n == 0) {
			return false
		}
	}
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case ':', '/', ' ', '\t':
			return true
		case '\\':
			return false
		}
	}
	return true
}
