package glob

import (
	"errors"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
)

var wordsCases = []struct {
	in   string
	want []Word // nil: an error
	err  error
}{
	{"d/*", []Word{{"d/*", true}}, nil},
	{"d/'*'", []Word{{"d/*", false}}, nil},
	{"d/\\*", []Word{{"d/*", false}}, nil},
	{`"d/*"`, []Word{{"d/*", false}}, nil},
	{"d/'*'*", []Word{{"d/**", true}}, nil},       // the quoted '*' is active too
	{"d/\\**", []Word{{"d/**", true}}, nil},       //
	{`"d/*"*`, []Word{{"d/**", true}}, nil},       //
	{"d/*'[x]'", []Word{{"d/*[x]", true}}, nil},   // quotes after the first '*' only toggle
	{`d/*"\["`, []Word{{`d/*\[`, true}}, nil},     // a kept backslash: a literal '['
	{`"d/\[x]"*`, []Word{{`d/\[x]*`, true}}, nil}, //
	{"d/\\[x]*", []Word{{"d/[x]*", true}}, nil},
	{"d/*(x)", []Word{{"d/*(x)", true}}, nil}, // no WRDE_BADCHAR after a glob character
	{"d/*|x;&<>{}", []Word{{"d/*|x;&<>{}", true}}, nil},
	{"d/*`x`", []Word{{"d/*`x`", true}}, nil},
	{"d/*~", []Word{{"d/*~", true}}, nil},
	{"d/x|*", nil, ErrWordexp},
	{"d/(x)", nil, ErrWordexp},
	{"a b\tc", []Word{{"a", false}, {"b", false}, {"c", false}}, nil},
	{"  a  ", []Word{{"a", false}}, nil},
	{"d/* d/a*", []Word{{"d/*", true}, {"d/a*", true}}, nil},
	{"d/*\\ x", []Word{{"d/* x", true}}, nil},
	{"d/*' 'x", nil, ErrWordexp}, // a blank ends the glob word even in quotes; "'x" is unterminated
	{"'d/a b'*", []Word{{"d/a b*", true}}, nil},
	{`""d/*`, []Word{{"", false}, {"d/*", true}}, nil}, // glibc's extra empty word
	{`d/*""`, []Word{{"d/*", true}}, nil},
	{`d/""`, []Word{{"d/", false}}, nil},
	{`''`, []Word{{"", false}}, nil},
	{"d/*'", []Word{{"d/*", true}}, nil}, // an unterminated quote in a glob word is no error
	{"d/'x", nil, ErrWordexp},
	{`d/"x`, nil, ErrWordexp},
	{"d/a\\", nil, ErrWordexp},
	{"d/*\\", nil, ErrWordexp},
	{"d/*'\\\\'", []Word{{"d/*\\", true}}, nil},
	{"d/*'\\x'", []Word{{"d/*\\x", true}}, nil},
	{`d/*"\x"`, []Word{{`d/*\x`, true}}, nil},
	{`d/"\x\$\\\""`, []Word{{`d/\x$\"`, false}}, nil},
	{"d/a\\\nb", []Word{{"d/ab", false}}, nil},
	{"d/a\nb", nil, ErrWordexp},
	{"d/*\nb", nil, ErrWordexp},
	{"d/`ls`", nil, ErrWordexp},
	{"d/\"`ls`\"", nil, ErrWordexp},
	{"d/'`ls`'", []Word{{"d/`ls`", false}}, nil},
	{"d/$HOME", nil, ErrExpansion},
	{"d/*$HOME", nil, ErrExpansion},
	{"d/*'$HOME'", []Word{{"d/*$HOME", true}}, nil},
	{"d/$", []Word{{"d/$", false}}, nil},
	{"d/$'x'", []Word{{"d/$x", false}}, nil},
	{"~/x", nil, ErrExpansion},
	{"a ~", nil, ErrExpansion},
	{"d/~x", []Word{{"d/~x", false}}, nil},
	{"~\\x", []Word{{"~x", false}}, nil},
	{"a=~/x", nil, ErrExpansion},
	{"a=b:~/x", nil, ErrExpansion},
	{"a b=~/x", []Word{{"a", false}, {"b=~/x", false}}, nil},
	{"x:~", []Word{{"x:~", false}}, nil},
	{"d/[", []Word{{"d/[", true}}, nil},
	{"d/?", []Word{{"d/?", true}}, nil},
	{"d/a\x00 b", []Word{{"d/a", false}}, nil},
}

func TestWords(t *testing.T) {
	for _, c := range wordsCases {
		got, err := Words(c.in)
		if c.want == nil {
			if !errors.Is(err, c.err) {
				t.Errorf("Words(%q) = %+v, %v; want error %v", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("Words(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
}

var wordsTree = []string{"d/a", "d/b", "d/a b", "d/*x", "d/[x]", "d/\\x", "d/x", "d/ab", "d/*", "a", "ab"}

// expand is what ifupdown gets from wordexp: each Glob word through glob.
func expand(t *testing.T, fsys *os.Root, words []Word) []string {
	out := []string{}
	for _, w := range words {
		if !w.Glob {
			out = append(out, w.Text)
			continue
		}
		g, err := Glob(fsys.FS(), w.Text)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, g...)
	}
	return out
}

// TestWordsOracle checks Words, and Glob on its words, against glibc's wordexp.
func TestWordsOracle(t *testing.T) {
	root := t.TempDir()
	makeTree(t, root, wordsTree)
	o := startOracle(t, "-chdir", root)
	dir, err := os.OpenRoot(root)
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	check := func(in string) {
		words, err := Words(in)
		if errors.Is(err, ErrExpansion) {
			return // glibc expands it from its environment (or crashes: "$[]", "$(())")
		}
		want, rc := o.wordexp(t, in)
		switch {
		case errors.Is(err, ErrWordexp):
			if rc == 0 {
				t.Errorf("Words(%q): %v; glibc's wordexp gives %q", in, err, want)
			}
		case err != nil:
			t.Errorf("Words(%q): %v", in, err)
		case rc != 0:
			t.Errorf("Words(%q) = %+v; glibc's wordexp fails with %d", in, words, rc)
		default:
			if got := expand(t, dir, words); !slices.Equal(got, want) {
				t.Errorf("Words(%q) = %+v, expanded %q; glibc's wordexp gives %q", in, words, got, want)
			}
		}
	}
	for _, c := range wordsCases {
		check(c.in)
	}
	// Random lines, without '/' and '.' so that no pattern leaves the tree.
	pieces := []string{"a", "b", "x", "d\\/", "*", "?", "[", "]", "\\", "'", "\"", " ", "\t", "|",
		";", "(", ")", "~", "$", "`", "=", ":", "!", "\n", "\\\n", "[x]", "'*'", "\"*\"", "\\*"}
	r := rand.New(rand.NewPCG(7, 8))
	n := 20000
	if testing.Short() {
		n = 2000
	}
	for range n {
		var b strings.Builder
		for range 1 + r.IntN(8) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		check(b.String())
	}
}
