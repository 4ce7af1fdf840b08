package parser

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"testing/fstest"
)

// TestFnmatchPy compares fnmatchPy with Python's fnmatch.fnmatchcase (skipped without python3).
func TestFnmatchPy(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3")
	}
	pats := []string{"*", "a*", "*x*", "?", "a?c", "[abc]*", "[!abc]*", "[]]*", "[!]]*", "x[y*", "[[:alnum:]]*",
		"[a-c]x", "[c-a]x", "[-a]x", "[a-]x", "[!]", "[]", "'*'x*", "**x*", "[^a]*", "[a-c-e]", "é*", "[é]", "*[", "[*]"}
	names := []string{"", "a", "abc", "x", "ax", "bx", "-x", "]x", "x[yz", "x[y", "alnum", "a]", ":]", "'ax", "eth0", "^a", "é", "d", "*", "["}
	in, _ := json.Marshal([][]string{pats, names})
	cmd := exec.Command(py, "-c", "import json,sys,fnmatch\np,n=json.load(sys.stdin)\nprint(json.dumps([[fnmatch.fnmatchcase(x,q) for x in n] for q in p]))")
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var want [][]bool
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	for i, p := range pats {
		for j, n := range names {
			if got := fnmatchPy(p, n); got != want[i][j] {
				t.Errorf("fnmatch(%q, %q) = %v, Python says %v", n, p, got, want[i][j])
			}
		}
	}
}

func TestPyGlob(t *testing.T) {
	fsys := fstest.MapFS{
		"etc/network/interfaces.d/eth0":  {},
		"etc/network/interfaces.d/.h":    {},
		"etc/network/interfaces.d/a.cfg": {},
		"etc/network/other.d/]x":         {},
		"etc/network/third.d/x[yz":       {},
		"etc/network/quoted.d/ax":        {},
		"etc/network/sub/d1/f":           {},
	}
	for _, c := range []struct{ dir, pat, want string }{
		{"/etc/network", "interfaces.d/*", "interfaces.d/a.cfg interfaces.d/eth0"},
		{"/etc/network", "interfaces.d/.*", "interfaces.d/.h"},
		{"/", "interfaces.d/*", ""},
		{"/", "/etc/network/interfaces.d/[[:alnum:]]*", ""},
		{"/etc/network", "other.d/[]]*", "other.d/]x"},
		{"/etc/network", "third.d/x[y*", "third.d/x[yz"},
		{"/etc/network", "quoted.d/'*'x*", ""},
		{"/etc/network", "s*/*/f", "sub/d1/f"},
		{"/etc/network", "interfaces.d/eth0", "interfaces.d/eth0"},
		{"/etc/network", "interfaces.d/nope", ""},
	} {
		if got := strings.Join(pyGlob(fsys, c.dir, c.pat), " "); got != c.want {
			t.Errorf("glob(%q) from %s = %q, want %q", c.pat, c.dir, got, c.want)
		}
	}
}
