package glob

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// matchCases hold glibc 2.36's answers (checked by TestMatchOracle) for FNM_PERIOD.
var matchCases = []struct {
	pattern, name string
	want          bool
}{
	{"*", "abc", true},
	{"*", "", true},
	{"*", ".x", false}, // FNM_PERIOD
	{".*", ".", true},
	{".*", "..", true},
	{"?x", ".x", false},
	{"[.]x", ".x", false},
	{"[!a]x", ".x", false},
	{"\\.x", ".x", true},
	{"a*b", "a.b", true}, // only the leading '.' is special
	{"a?b", "a.b", true},
	{"*?[.]", "a.", false}, // glibc's stale leading-period flag after "*?"
	{"*?[.]", "ab.", true},
	{"*[.]", "a.", true},
	{"x[y", "x[y", true}, // unterminated '[' is literal
	{"x[y", "xy", false},
	{"[a", "[a", true},
	{"[a", "a", false},
	{"[a-", "[a-", false}, // range to the end of the pattern: no match at all
	{"[a-", "a", false},
	{"[\\", "[\\", false},
	{"[\\", "[", false},
	{"[]]", "]", true},
	{"[]a]", "a", true},
	{"[]", "[]", true},
	{"[!]]", "]", false},
	{"[!]]", "x", true},
	{"[^a]", "b", true},
	{"[^a]", "a", false},
	{"[!a-c]", "b", false},
	{"[a-c]", "b", true},
	{"[c-a]", "b", false},
	{"[a-]", "-", true},
	{"[-a]", "-", true},
	{"[a\\-c]", "b", false},
	{"[a\\-c]", "-", true},
	{"[Z-\\]]", "]", true},
	{"[Z-\\]]", "\\", true},
	{"[a-\\]]", "]", false}, // 'a' > ']'
	{"[Z-\\]]", "^", false},
	{"[\\]]", "]", true},
	{"[\\]", "\\", false},
	{"[\\\\]", "\\", true},
	{"\\*", "*", true},
	{"\\*", "x", false},
	{"x\\", "x\\", false}, // trailing backslash matches nothing
	{"*\\", "x\\", false},
	{"\\", "\\", false},
	{"[[:alpha:]]", "a", true},
	{"[[:alpha:]]", "1", false},
	{"[[:alpha:]]", "\xe9", false}, // C locale: no class above 0x7f
	{"[[:print:]]", "\x80", false},
	{"[[:alnum:]]*", "eth0", true},
	{"[[:alnum:]]*", "-x", false},
	{"[![:alnum:]]*", "-x", true},
	{"[[:foo:]]", "a", false}, // unknown class: nothing matches
	{"[a[:foo:]]", "a", true}, // ... unless a member before it matched
	{"[[:foo:]a]", "a", false},
	{"[[:zzz:]]", ":]", true},    // 'z' cannot be in a class name: "[:" and "zzz:" are members
	{"[[:x-]", "[", true},        // not a class name: '[' ':' 'x' '-' are members
	{"[[:x-]", "x", true},        //
	{"[[:alpha:]-z]", "-", true}, // no range after a class
	{"[[=a=]]", "a", true},
	{"[[=a=]]", "b", false},
	{"[[=a]", "=", true}, // not an equivalence class
	{"[[.a.]]", "a", true},
	{"[[.a.]-c]", "b", true},
	{"[[.ab.]]", "a", false},
	{"[[.a]", "a", false},
	{"[\x80-\xff]", "\x90", true},
	{"[a-\x80]", "\x7f", true},
	{"[!\x80-\xff]", "a", true},
	{"*[a[:foo:]]x", "zax", true},
	{"[xa-[:alpha:]]]", "l]]", true},
	{"[ab", "[ab", true},
	{"[a]b]", "ab]", true},
	{"a*b*c", "aXbYc", true},
	{"a*b*c", "aXbYcZ", false},
	{"*a*", "bab", true},
	{"**?", "", false},
	{"*?*?", "ab", true},
	{"*?*?", "a", false},
	{"*.conf", "x.conf", true},
	{"*.conf", ".conf", false},
	{"a\x00b", "a", true}, // C strings end at NUL
}

func TestMatch(t *testing.T) {
	for _, c := range matchCases {
		if got := Match(c.pattern, c.name, Period); got != c.want {
			t.Errorf("Match(%q, %q, Period) = %v, want %v", c.pattern, c.name, got, c.want)
		}
	}
}

func TestMatchOracle(t *testing.T) {
	o := startOracle(t)
	for _, c := range matchCases {
		for _, f := range []Flags{0, Period, NoEscape, Period | NoEscape} {
			got, want := Match(c.pattern, c.name, f), o.fnmatch(t, c.pattern, c.name, f)
			if got != want {
				t.Errorf("Match(%q, %q, %d) = %v, glibc says %v", c.pattern, c.name, f, got, want)
			}
			if f == Period && want != c.want {
				t.Errorf("table: glibc fnmatch(%q, %q, FNM_PERIOD) is %v", c.pattern, c.name, want)
			}
		}
	}
}

// TestMatchBytes checks every class, and ranges and single members, for every byte.
func TestMatchBytes(t *testing.T) {
	o := startOracle(t)
	var patterns []string
	for name := range classes {
		patterns = append(patterns, "[[:"+name+":]]")
	}
	patterns = append(patterns, "[\x01-\x7f]", "[\x7f-\xff]", "[!\x01-\x80]", "?", "[\xff]", "\xe9")
	for _, p := range patterns {
		for b := 1; b < 256; b++ {
			name := string([]byte{byte(b)})
			if got, want := Match(p, name, Period), o.fnmatch(t, p, name, Period); got != want {
				t.Errorf("Match(%q, %q) = %v, glibc says %v", p, name, got, want)
			}
		}
	}
}

// Random patterns are built from pieces that exercise the parser's corners.
var patternPieces = []string{
	"a", "b", ".", "-", "!", "^", "]", "[", "\\", "*", "?", ":", "=", "\x80", "\xff", "z",
	"[a-c]", "[!a]", "[^.]", "[]a]", "[a-]", "[-]", "[\\]]", "[[:alpha:]]", "[[:punct:]",
	"[[:foo:]]", "[[:", ":]", "[[=a=]]", "[[=", "[[.a.]]", "[[.", ".]", "[a-\\", "\\[", "\\*",
	"[\x80-\xff]", "[[:digit:][:upper:]]", "[!", "*?", "?*", "[.]", "a-z", "[z-a]",
	"\u00e9", "[\u00e9]", "?\xa9", "[\xc3]", "[!\u00e9]",
}

var nameBytes = []byte("ab.-!^][\\*?:=z\x80\xffA1 ")

func randomPattern(r *rand.Rand, pieces int) string {
	var b strings.Builder
	for range r.IntN(pieces) + 1 {
		b.WriteString(patternPieces[r.IntN(len(patternPieces))])
	}
	return b.String()
}

func randomName(r *rand.Rand, max int) string {
	b := make([]byte, r.IntN(max+1))
	for i := range b {
		b[i] = nameBytes[r.IntN(len(nameBytes))]
	}
	return string(b)
}

func TestMatchRandom(t *testing.T) {
	o := startOracle(t)
	r := rand.New(rand.NewPCG(1, 2))
	n := 30000
	if testing.Short() {
		n = 3000
	}
	for range n {
		p := randomPattern(r, 5)
		name := randomName(r, 6)
		if r.IntN(3) == 0 {
			// A name built from the pattern's own bytes matches more often.
			name = dropBytes(r, p, 4)
		}
		f := []Flags{Period, 0, Period | NoEscape}[r.IntN(3)]
		if got, want := Match(p, name, f), o.fnmatch(t, p, name, f); got != want {
			t.Errorf("Match(%q, %q, %d) = %v, glibc says %v", p, name, f, got, want)
		}
	}
}

// dropBytes returns s without about one byte in n.
func dropBytes(r *rand.Rand, s string, n int) string {
	b := []byte(s)
	out := b[:0]
	for _, c := range b {
		if r.IntN(n) != 0 {
			out = append(out, c)
		}
	}
	return string(out)
}

// escapeAll quotes every byte of s with a backslash.
func escapeAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteByte('\\')
		b.WriteByte(s[i])
	}
	return b.String()
}

func FuzzMatch(f *testing.F) {
	for _, c := range matchCases {
		f.Add(c.pattern, c.name)
	}
	f.Fuzz(func(t *testing.T, pattern, name string) {
		with, without := Match(pattern, name, Period), Match(pattern, name, 0)
		if with && !without {
			t.Errorf("Match(%q, %q): FNM_PERIOD matches, without it not", pattern, name)
		}
		Match(pattern, name, NoEscape)
		if n := cString(name); !Match(escapeAll(n), n, Period) {
			t.Errorf("the fully escaped %q does not match itself", n)
		}
	})
}
