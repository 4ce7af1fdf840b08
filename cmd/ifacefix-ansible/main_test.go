package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// aliasConfig has an alias gateway (removed) and, in another alias, a default-route command
// (reported; removed with strip_route_commands).
const aliasConfig = `auto eth0 eth0:0
iface eth0 inet static
    address 192.0.2.10/24
    gateway 192.0.2.1

iface eth0:0 inet static
    address 192.0.2.11/24
    gateway 192.0.2.1
iface eth0:1 inet static
    up route add default gw 192.0.2.1 dev eth0:1
`

const aliasFixed = `auto eth0 eth0:0
iface eth0 inet static
    address 192.0.2.10/24
    gateway 192.0.2.1

iface eth0:0 inet static
    address 192.0.2.11/24
iface eth0:1 inet static
    up route add default gw 192.0.2.1 dev eth0:1
`

const aliasStripped = `auto eth0 eth0:0
iface eth0 inet static
    address 192.0.2.10/24
    gateway 192.0.2.1

iface eth0:0 inet static
    address 192.0.2.11/24
iface eth0:1 inet static
`

// host makes a root tree holding one /etc/network/interfaces.
func host(t *testing.T, content string) string {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "etc", "network")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "interfaces"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

// tree returns every file under root with its content.
func tree(t *testing.T, root string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		m[strings.TrimPrefix(p, root)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// invoke runs the module the way Ansible does: one argument, a JSON file of parameters. It returns
// the decoded result, the raw result keys and the exit status.
func invoke(t *testing.T, args map[string]any) (result, map[string]any, int) {
	t.Helper()
	data, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	return invokeRaw(t, data)
}

func invokeRaw(t *testing.T, data []byte) (result, map[string]any, int) {
	t.Helper()
	name := filepath.Join(t.TempDir(), "args")
	if err := os.WriteFile(name, data, 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	code := run([]string{"ifacefix", name}, &out)
	// The protocol: exactly one JSON object on standard output.
	if n := strings.Count(out.String(), "\n"); n != 1 || !strings.HasSuffix(out.String(), "}\n") {
		t.Fatalf("output is not one JSON line: %q", out.String())
	}
	var res result
	var raw map[string]any
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	return res, raw, code
}

const boolList = " (Ansible's booleans: true, false, 1, 0, and the strings yes, no, on, off, true, false, y, n, t, f, 1, 0 in any case)"

var backupName = regexp.MustCompile(`^/etc/network/\.interfaces\.ifacefix-\d{8}T\d{6}Z\.bak$`)

func TestCheckModeWritesNothingAndDiffsOnlyInDiffMode(t *testing.T) {
	root := host(t, aliasConfig)
	before := tree(t, root)
	file := root + "/etc/network/interfaces"

	res, raw, code := invoke(t, map[string]any{"root": root, "_ansible_check_mode": true, "_ansible_diff": true,
		"_ansible_verbosity": 0, "_ansible_module_name": "ifacefix.ifacefix.ifacefix"})
	if code != 0 || !res.Changed || res.Failed {
		t.Fatalf("code %d, result %+v", code, res)
	}
	want := []diffEntry{{Before: aliasConfig, After: aliasFixed, BeforeHeader: file, AfterHeader: file}}
	if !reflect.DeepEqual(res.Diff, want) {
		t.Errorf("diff:\n%#v\nwant\n%#v", res.Diff, want)
	}
	if len(res.BackupFiles) != 0 {
		t.Errorf("backup_files in check mode: %v", res.BackupFiles)
	}
	wantMsg := "1 file checked, 2 findings (1 fixable, 1 need a person); 1 file to change, nothing written: " + file
	if res.Msg != wantMsg {
		t.Errorf("msg %q, want %q", res.Msg, wantMsg)
	}
	if len(res.Warnings) != 1 || !strings.HasPrefix(res.Warnings[0], file+":10: alias-route-command: ") {
		t.Errorf("warnings: %q", res.Warnings)
	}
	if len(res.Findings) != 2 || res.Findings[0].Rule != "alias-gateway" || !res.Findings[0].Fixed || res.Findings[0].Line != 8 || res.Findings[1].Line != 10 ||
		res.Findings[1].Rule != "alias-route-command" || res.Findings[1].Fixed {
		t.Errorf("findings: %+v", res.Findings)
	}
	for _, k := range []string{"changed", "msg", "diff", "backup_files", "findings", "warnings"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("result lacks %q: %v", k, raw)
		}
	}
	if !reflect.DeepEqual(tree(t, root), before) {
		t.Fatal("check mode changed the tree")
	}

	// Without _ansible_diff: the same plan, no diff.
	res, raw, code = invoke(t, map[string]any{"root": root, "_ansible_check_mode": true})
	if code != 0 || !res.Changed {
		t.Fatalf("code %d, result %+v", code, res)
	}
	if _, ok := raw["diff"]; ok {
		t.Errorf("diff returned without _ansible_diff: %v", raw["diff"])
	}
	if !reflect.DeepEqual(tree(t, root), before) {
		t.Fatal("check mode changed the tree")
	}
}

func TestApplyWithBackupThenIdempotent(t *testing.T) {
	root := host(t, aliasConfig)
	file := root + "/etc/network/interfaces"
	res, raw, code := invoke(t, map[string]any{"root": root, "_ansible_check_mode": false, "_ansible_diff": false})
	if code != 0 || !res.Changed || res.Failed {
		t.Fatalf("code %d, result %+v", code, res)
	}
	if _, ok := raw["diff"]; ok {
		t.Error("diff returned without _ansible_diff")
	}
	if len(res.BackupFiles) != 1 || !backupName.MatchString(strings.TrimPrefix(res.BackupFiles[0], root)) {
		t.Fatalf("backup_files: %q", res.BackupFiles)
	}
	got := tree(t, root)
	want := map[string]string{"/etc/network/interfaces": aliasFixed, strings.TrimPrefix(res.BackupFiles[0], root): aliasConfig}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("tree after apply:\n%q\nwant\n%q", got, want)
	}
	if wantMsg := "1 file checked, 2 findings (1 fixed, 1 need a person); 1 file written: " + file; res.Msg != wantMsg {
		t.Errorf("msg %q, want %q", res.Msg, wantMsg)
	}

	res, _, code = invoke(t, map[string]any{"root": root, "_ansible_diff": true})
	if code != 0 || res.Changed || res.Diff != nil || len(res.BackupFiles) != 0 {
		t.Fatalf("second run: code %d, result %+v", code, res)
	}
	if len(res.Warnings) != 1 {
		t.Errorf("the finding that needs a person is no longer warned about: %q", res.Warnings)
	}
	if !reflect.DeepEqual(tree(t, root), want) {
		t.Fatal("second run changed the tree")
	}
}

func TestNoBackupAndStripRouteCommands(t *testing.T) {
	root := host(t, aliasConfig)
	// Booleans as Ansible may template them: strings.
	res, _, code := invoke(t, map[string]any{"root": root, "backup": "no", "strip_route_commands": "True"})
	if code != 0 || !res.Changed || len(res.BackupFiles) != 0 || len(res.Warnings) != 0 {
		t.Fatalf("code %d, result %+v", code, res)
	}
	if got := tree(t, root); !reflect.DeepEqual(got, map[string]string{"/etc/network/interfaces": aliasStripped}) {
		t.Fatalf("tree: %q", got)
	}
}

func TestPathInsideRootAndNullMeansDefault(t *testing.T) {
	root := host(t, aliasConfig)
	alt := filepath.Join(root, "srv", "interfaces")
	os.MkdirAll(filepath.Dir(alt), 0o755)
	os.WriteFile(alt, []byte(aliasConfig), 0o644)
	res, _, code := invoke(t, map[string]any{"root": root, "path": "/srv/interfaces", "backup": false, "_ansible_check_mode": false})
	if code != 0 || !res.Changed {
		t.Fatalf("code %d, result %+v", code, res)
	}
	got := tree(t, root)
	if got["/srv/interfaces"] != aliasFixed || got["/etc/network/interfaces"] != aliasConfig {
		t.Fatalf("tree: %q", got)
	}
	// Ansible passes omitted options as null: the defaults apply (path /etc/network/interfaces, backup on).
	res, _, code = invoke(t, map[string]any{"root": root, "path": nil, "backup": nil, "strip_route_commands": nil})
	if code != 0 || !res.Changed || len(res.BackupFiles) != 1 {
		t.Fatalf("code %d, result %+v", code, res)
	}
	if got := tree(t, root)["/etc/network/interfaces"]; got != aliasFixed {
		t.Fatalf("default path not fixed: %q", got)
	}
}

func TestInvalidInputFailsWithPathLineAndWritesNothing(t *testing.T) {
	root := host(t, "auto lo\n    address 192.0.2.5/24\niface lo inet loopback\n\niface eth0:0 inet static\n    gateway 192.0.2.1\n")
	before := tree(t, root)
	for _, check := range []bool{true, false} {
		res, _, code := invoke(t, map[string]any{"root": root, "_ansible_check_mode": check, "_ansible_diff": true})
		want := "ifacefix: " + root + "/etc/network/interfaces:2: misplaced option"
		if code == 0 || !res.Failed || res.Changed || res.Msg != want || res.Diff != nil {
			t.Fatalf("check=%v: code %d, result %+v; want failed with %q", check, code, res, want)
		}
		if !reflect.DeepEqual(tree(t, root), before) {
			t.Fatal("a failed run wrote")
		}
	}
}

func TestIOErrorFails(t *testing.T) {
	root := t.TempDir()
	res, _, code := invoke(t, map[string]any{"root": filepath.Join(root, "nope")})
	if code == 0 || !res.Failed || res.Outcome != "failed" || !strings.Contains(res.Msg, "nope") {
		t.Fatalf("missing root: code %d, result %+v", code, res)
	}
	// A path that is not the default one must exist.
	res, _, code = invoke(t, map[string]any{"root": root, "path": "/srv/interfaces"})
	if code == 0 || !res.Failed || !strings.Contains(res.Msg, root+"/srv/interfaces") || !strings.Contains(res.Msg, "no such file or directory") {
		t.Fatalf("missing file: code %d, result %+v", code, res)
	}
	// A dangling symlink is a broken configuration, not a host without ifupdown.
	os.MkdirAll(filepath.Join(root, "etc", "network"), 0o755)
	os.Symlink("interfaces.real", filepath.Join(root, "etc", "network", "interfaces"))
	for _, check := range []bool{true, false} {
		res, _, code = invoke(t, map[string]any{"root": root, "_ansible_check_mode": check})
		if code == 0 || !res.Failed || !strings.Contains(res.Msg, "no such file or directory") {
			t.Fatalf("dangling symlink, check=%v: code %d, result %+v", check, code, res)
		}
	}
}

// TestNotApplicable: a host without /etc/network/interfaces (netplan, systemd-networkd) is ok and
// unchanged, in check mode and not, with or without /etc/network; nothing is created.
func TestNotApplicable(t *testing.T) {
	bare := t.TempDir()
	empty := t.TempDir()
	os.MkdirAll(filepath.Join(empty, "etc", "network", "if-up.d"), 0o755)
	for _, root := range []string{bare, empty} {
		before := tree(t, root)
		for _, check := range []bool{true, false} {
			res, raw, code := invoke(t, map[string]any{"root": root, "path": nil, "_ansible_check_mode": check, "_ansible_diff": true})
			want := root + "/etc/network/interfaces does not exist: this host does not use ifupdown, nothing to do"
			if code != 0 || res.Failed || res.Changed || res.Outcome != "not_applicable" || res.Msg != want || raw["diff"] != nil {
				t.Errorf("%s check=%v: code %d, result %+v", root, check, code, res)
			}
		}
		if !reflect.DeepEqual(tree(t, root), before) {
			t.Errorf("%s: the tree changed", root)
		}
	}
}

func TestOutcome(t *testing.T) {
	for _, c := range []struct {
		config string
		args   map[string]any
		want   string
	}{
		{aliasFixed, nil, "needs_person"},                                          // the route command is left
		{aliasConfig, map[string]any{"strip_route_commands": true}, "changed"},     // everything fixed
		{aliasStripped, nil, "clean"},                                              // nothing to do
		{aliasConfig, map[string]any{"_ansible_check_mode": true}, "needs_person"}, // changed too
		{"iface eth0 inet static\n  gateway\n", nil, "failed"},                     // invalid
		{aliasStripped, map[string]any{"_ansible_check_mode": true}, "clean"},      // clean in check mode
		{aliasConfig, map[string]any{"strip_route_commands": true, "_ansible_check_mode": true}, "changed"},
	} {
		args := map[string]any{"root": host(t, c.config)}
		for k, v := range c.args {
			args[k] = v
		}
		res, _, _ := invoke(t, args)
		if res.Outcome != c.want {
			t.Errorf("%q %v: outcome %q (%s), want %q", c.config, c.args, res.Outcome, res.Msg, c.want)
		}
	}
}

func TestBadParameters(t *testing.T) {
	root := host(t, aliasConfig)
	before := tree(t, root)
	cases := []struct {
		args map[string]any
		msg  string
	}{
		{map[string]any{"root": root, "dest": "/x", "mode": 1}, "ifacefix: unsupported parameters: dest, mode (supported: backup, dialect, live, path, root, state_dir, strip_route_commands)"},
		{map[string]any{"root": root, "backup": "maybe"}, `ifacefix: backup must be a boolean, not "maybe"` + boolList},
		{map[string]any{"root": root, "strip_route_commands": 2}, `ifacefix: strip_route_commands must be a boolean, not 2` + boolList},
		{map[string]any{"root": root, "backup": "1.0"}, `ifacefix: backup must be a boolean, not "1.0"` + boolList},
		{map[string]any{"root": root, "backup": []any{true}}, `ifacefix: backup must be a boolean, not [true]` + boolList},
		{map[string]any{"root": root, "path": 7}, "ifacefix: path must be a string, not 7"},
		{map[string]any{"root": root, "nope": nil}, "ifacefix: unsupported parameters: nope (supported: backup, dialect, live, path, root, state_dir, strip_route_commands)"},
		{map[string]any{"root": root, "path": "etc/network/interfaces"}, `ifacefix: path must be absolute (inside root, if root is set), not "etc/network/interfaces"`},
		{map[string]any{"root": root, "path": ""}, "ifacefix: path must not be empty"},
		{map[string]any{"root": "relative/dir"}, `ifacefix: root must be an absolute directory, not "relative/dir"`},
		{map[string]any{"root": root, "dialect": "ifupdown3"}, "ifacefix: value of dialect must be one of: ifupdown, ifupdown2, ifupdown-ng, busybox, got: ifupdown3"},
		{map[string]any{"root": root, "dialect": "IFUPDOWN2"}, "ifacefix: value of dialect must be one of: ifupdown, ifupdown2, ifupdown-ng, busybox, got: IFUPDOWN2"},
		{map[string]any{"root": root, "dialect": 2}, "ifacefix: value of dialect must be one of: ifupdown, ifupdown2, ifupdown-ng, busybox, got: 2"},
		{map[string]any{"root": root, "_ansible_check_mode": "perhaps"}, `ifacefix: _ansible_check_mode must be a boolean, not "perhaps"` + boolList},
	}
	for _, c := range cases {
		res, _, code := invoke(t, c.args)
		if code != 1 || !res.Failed || res.Msg != c.msg || res.Changed {
			t.Errorf("%v: code %d, result %+v; want msg %q", c.args, code, res, c.msg)
		}
	}
	res, _, code := invokeRaw(t, []byte("path=/etc/network/interfaces"))
	if code != 1 || !res.Failed || !strings.Contains(res.Msg, "is not a JSON object") {
		t.Errorf("key=value arguments: code %d, result %+v", code, res)
	}
	// Anything but an object is refused: null above all, which must never mean "no parameters"
	// (apply mode on the real /etc/network/interfaces).
	for doc, kind := range map[string]string{"null": "null", " null\n": "null", "[]": "an array", `"x"`: "a string", "1": "a number", "true": "a boolean"} {
		res, _, code := invokeRaw(t, []byte(doc))
		if code != 1 || !res.Failed || !strings.HasSuffix(res.Msg, " holds "+kind+", not a JSON object of parameters") {
			t.Errorf("arguments %q: code %d, result %+v", doc, code, res)
		}
	}
	var out bytes.Buffer
	if code := run([]string{"ifacefix"}, &out); code != 1 || !strings.Contains(out.String(), `"failed":true`) {
		t.Errorf("no argument: code %d, output %s", code, out.String())
	}
	out.Reset()
	if code := run([]string{"ifacefix", filepath.Join(root, "missing-args")}, &out); code != 1 || !strings.Contains(out.String(), "reading the arguments file") {
		t.Errorf("missing arguments file: code %d, output %s", code, out.String())
	}
	if !reflect.DeepEqual(tree(t, root), before) {
		t.Fatal("a refused run wrote")
	}
}

// TestPathAndRootExpanded: path and root are Ansible `type: path` options, expanded on the target.
func TestPathAndRootExpanded(t *testing.T) {
	root := host(t, aliasConfig)
	t.Setenv("IFX_ROOT", root)
	t.Setenv("HOME", filepath.Join(root, "etc"))
	res, _, code := invoke(t, map[string]any{"root": "${IFX_ROOT}", "_ansible_check_mode": true})
	if code != 0 || !res.Changed || res.Msg != "1 file checked, 2 findings (1 fixable, 1 need a person); 1 file to change, nothing written: "+root+"/etc/network/interfaces" {
		t.Errorf("root $IFX_ROOT: code %d, result %+v", code, res)
	}
	res, _, code = invoke(t, map[string]any{"root": "~/..", "path": "$NO_SUCH_VAR_IFX/interfaces", "_ansible_check_mode": true})
	if code != 1 || res.Msg != `ifacefix: path must be absolute (inside root, if root is set), not "$NO_SUCH_VAR_IFX/interfaces"` {
		t.Errorf("unset variable: code %d, result %+v", code, res)
	}
	res, _, code = invoke(t, map[string]any{"root": "~/..", "_ansible_check_mode": true})
	if code != 0 || !res.Changed || !strings.HasSuffix(res.Msg, ": "+root+"/etc/network/interfaces") {
		t.Errorf("root ~/..: code %d, result %+v", code, res)
	}
}

// TestDialect: without the dialect parameter the root's own is detected (its package database);
// with it, it is the one used. The result names it and says why; null means the default.
func TestDialect(t *testing.T) {
	root := host(t, aliasConfig)
	status := filepath.Join(root, "var", "lib", "dpkg", "status")
	os.MkdirAll(filepath.Dir(status), 0o755)
	if err := os.WriteFile(status, []byte("Package: ifupdown2\nStatus: install ok installed\nVersion: 3.0.0-1.1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args                  map[string]any
		dialect, vers, reason string
	}{
		{map[string]any{}, "ifupdown2", "3.0.0-1.1", "var/lib/dpkg/status: ifupdown2 3.0.0-1.1 installed"},
		{map[string]any{"dialect": nil}, "ifupdown2", "3.0.0-1.1", "var/lib/dpkg/status: ifupdown2 3.0.0-1.1 installed"},
		{map[string]any{"dialect": "busybox"}, "busybox", "", "chosen with the dialect parameter"},
		{map[string]any{"dialect": "ifupdown"}, "ifupdown", "", "chosen with the dialect parameter"},
	} {
		c.args["root"], c.args["_ansible_check_mode"] = root, true
		res, raw, code := invoke(t, c.args)
		if code != 0 || res.Dialect != c.dialect || res.DialectVersion != c.vers || res.DialectReason != c.reason {
			t.Errorf("%v: code %d, dialect %q %q %q (%s); want %q %q %q", c.args, code, res.Dialect, res.DialectVersion, res.DialectReason, res.Msg, c.dialect, c.vers, c.reason)
		}
		if _, ok := raw["dialect_version"]; ok != (c.vers != "") {
			t.Errorf("%v: dialect_version present %v", c.args, ok)
		}
	}
	// A host without a configuration says how it would have been read, too.
	bare := t.TempDir()
	if res, _, _ := invoke(t, map[string]any{"root": bare}); res.Outcome != "not_applicable" || res.Dialect != "ifupdown" {
		t.Errorf("not applicable: %+v", res)
	}
	// A database that cannot be read fails the task, and nothing is written; the parameter is the
	// way out.
	os.Remove(status)
	os.MkdirAll(status, 0o755)
	before := tree(t, root)
	res, _, code := invoke(t, map[string]any{"root": root})
	if code != 1 || !res.Failed || res.Dialect != "" || !strings.Contains(res.Msg, "var/lib/dpkg/status: is a directory, not a regular file (the dialect cannot be detected: set the dialect parameter)") {
		t.Errorf("undetectable: code %d, result %+v", code, res)
	}
	if !reflect.DeepEqual(tree(t, root), before) {
		t.Error("an undetectable root was written")
	}
	if res, _, code := invoke(t, map[string]any{"root": root, "dialect": "ifupdown"}); code != 0 || !res.Changed || res.Dialect != "ifupdown" {
		t.Errorf("undetectable, dialect given: code %d, result %+v", code, res)
	}
}
