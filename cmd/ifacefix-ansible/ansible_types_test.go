package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// ansiblePython returns the Python that runs Ansible: the interpreter named by the #! line of
// ansible-playbook (another python3 earlier in PATH may not have ansible-core).
func ansiblePython(t *testing.T) string {
	t.Helper()
	pb, err := exec.LookPath("ansible-playbook")
	if err != nil {
		t.Skip("ansible-playbook is not installed (Debian: apt-get install ansible-core)")
	}
	data, err := os.ReadFile(pb)
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(strings.TrimPrefix(line, "#!"))
	if len(f) > 1 && filepath.Base(f[0]) == "env" {
		f = f[1:]
	}
	if !strings.HasPrefix(line, "#!") || len(f) == 0 {
		t.Skipf("%s has no #! line naming its Python", pb)
	}
	return f[0]
}

// convertWithAnsible runs ansible-core's own check_type_bool or check_type_path on each value and
// returns, for each, the converted value or nil when Ansible refuses it.
func convertWithAnsible(t *testing.T, kind string, values []any) []any {
	t.Helper()
	const script = `
import json, sys
try:
    from ansible.module_utils.common.validation import check_type_bool, check_type_path
except ImportError:
    sys.exit(3)
kind, values = json.load(sys.stdin)
out = []
for v in values:
    try:
        out.append(check_type_bool(v) if kind == "bool" else check_type_path(v))
    except TypeError:
        out.append(None)
json.dump(out, sys.stdout)
`
	in, _ := json.Marshal([]any{kind, values})
	cmd := exec.Command(ansiblePython(t), "-c", script)
	cmd.Stdin = bytes.NewReader(in)
	cmd.Dir = t.TempDir()
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 3 {
		t.Skip("ansible-core's Python package is not importable")
	}
	if err != nil {
		t.Fatalf("python: %v", err)
	}
	var got []any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	return got
}

// TestBooleansAsAnsible compares boolean with ansible-core's check_type_bool on the values a
// playbook can pass, the edge cases included.
func TestBooleansAsAnsible(t *testing.T) {
	values := []any{true, false, 1, 0, 1.0, 0.0, 2, -1, 0.5, "yes", "YES", " yes ", "\tno\n", "\x1cyes\x1f",
		"\u00a0on\u2003", "1.0", "0.0", "", " ", "maybe", "TrUe", "t", "F", "Y", "oN", "OFF", "1", "0", "01",
		"true!", "y es", "\u212a", []any{}, []any{true}, map[string]any{}}
	want := convertWithAnsible(t, "bool", values)
	for i, v := range values {
		v = decoded(t, v) // as the module sees it: numbers are float64
		b, err := boolean("x", v)
		var got any
		if err == nil {
			got = b
		}
		if got != want[i] {
			t.Errorf("%q: boolean gives %v (%v), Ansible %v", v, got, err, want[i])
		}
	}
}

// TestPathsAsAnsible compares expandPath with ansible-core's check_type_path (expandvars, then
// expanduser) with the same environment.
func TestPathsAsAnsible(t *testing.T) {
	t.Setenv("HOME", "/home/ifx//")
	t.Setenv("IFX_A", "/a")
	t.Setenv("IFX_B", "b")
	t.Setenv("IFX_REC", "$HOME/rec")
	t.Setenv("IFX_USER", "root")
	t.Setenv("IFX_EMPTY", "")
	values := []any{"/etc/network/interfaces", "~", "~/", "~/x", "~root", "~root/x", "~nosuchuser-ifx/x", "/x/~",
		"$HOME/x", "${HOME}/x", "$IFX_UNSET/x", "${IFX_UNSET}", "${}", "$", "a$", "${HOME", "$IFX_A$IFX_B",
		"$IFX_A/$IFX_B", "$IFX_REC", "~$IFX_USER/x", "$IFX_EMPTY/x", "${IFX_A}${IFX_B}", "$$IFX_A", "$IFX_A-x",
		"${IFX A}", "$1", "~~", "/srv/${IFX_B}/interfaces"}
	want := convertWithAnsible(t, "path", values)
	for i, v := range values {
		got, err := expandPath("path", v)
		if err != nil || got != want[i] {
			t.Errorf("%q: expandPath gives %q (%v), Ansible %q", v, got, err, want[i])
		}
	}
	if got := convertWithAnsible(t, "path", []any{7}); !reflect.DeepEqual(got, []any{"7"}) {
		t.Fatalf("Ansible's check_type_path(7) = %v", got)
	}
	// Ansible would make 7 the relative path "7", which the module refuses anyway; it says why.
	if _, err := expandPath("path", 7.0); err == nil || err.Error() != "path must be a string, not 7" {
		t.Errorf("expandPath(7): %v", err)
	}
}

// decoded returns v as it comes out of the arguments file.
func decoded(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var d any
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return d
}
