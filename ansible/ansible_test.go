// Package ansible holds the Ansible collection of ifacefix and the tests that run it through the
// real ansible-playbook: a fleet of hosts on this machine (local connection, each with its own
// root tree), previewed with --check --diff, applied, and applied again.
package ansible

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

const collection = "ansible_collections/ifacefix/ifacefix"

// fleetHost is one host of the test fleet, from tests/fleet/NAME.txtar.
type fleetHost struct {
	name     string
	root     map[string]string // its tree: path inside the root -> content
	want     map[string]string // the files the apply run changes, as they must come out
	warnings []string          // expected warnings, with ROOT for the host's root
	warnFix  []string          // expected warnings once the tree is fixed (line numbers move)
	err      string            // expected failure message, with ROOT
	backup   bool
}

func (h *fleetHost) changed() bool { return len(h.want) > 0 }

func loadFleet(t *testing.T) []*fleetHost {
	t.Helper()
	names, err := filepath.Glob("tests/fleet/*.txtar")
	if err != nil || len(names) < 6 {
		t.Fatalf("test fleet: %v, %d hosts", err, len(names))
	}
	var fleet []*fleetHost
	for _, n := range names {
		a, err := txtar.ParseFile(n)
		if err != nil {
			t.Fatal(err)
		}
		h := &fleetHost{name: strings.TrimSuffix(filepath.Base(n), ".txtar"), root: map[string]string{}, want: map[string]string{}, backup: true}
		for _, f := range a.Files {
			switch {
			case strings.HasPrefix(f.Name, "root/"):
				h.root["/"+strings.TrimPrefix(f.Name, "root/")] = string(f.Data)
			case strings.HasPrefix(f.Name, "want/"):
				h.want["/"+strings.TrimPrefix(f.Name, "want/")] = string(f.Data)
			case f.Name == "warnings":
				h.warnings = strings.Split(strings.TrimSuffix(string(f.Data), "\n"), "\n")
			case f.Name == "warnings-fixed":
				h.warnFix = strings.Split(strings.TrimSuffix(string(f.Data), "\n"), "\n")
			case f.Name == "error":
				h.err = strings.TrimSuffix(string(f.Data), "\n")
			default:
				t.Fatalf("%s: unexpected section %s", n, f.Name)
			}
		}
		for p := range h.want {
			if _, ok := h.root[p]; !ok {
				t.Fatalf("%s: want/%s has no root/ counterpart", n, p)
			}
		}
		fleet = append(fleet, h)
	}
	// Host variables that change the expectations are read from the inventory itself.
	inv, err := os.ReadFile("tests/inventory.ini")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, line := range strings.Split(string(inv), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") || strings.HasPrefix(f[0], "[") || strings.Contains(f[0], "=") {
			continue
		}
		if strings.HasPrefix(line, "[all:vars]") {
			break
		}
		listed[f[0]] = true
		for _, h := range fleet {
			if h.name == f[0] && strings.Contains(line, "ifacefix_backup=false") {
				h.backup = false
			}
		}
	}
	for _, h := range fleet {
		if !listed[h.name] {
			t.Fatalf("host %s has a tree but is not in tests/inventory.ini", h.name)
		}
		delete(listed, h.name)
	}
	if len(listed) > 0 {
		t.Fatalf("hosts in tests/inventory.ini without a tree: %v", listed)
	}
	return fleet
}

// setup builds the module into a copy of the collection and returns the environment for Ansible.
func setup(t *testing.T) (tmp string, env []string) {
	t.Helper()
	if _, err := exec.LookPath("ansible-playbook"); err != nil {
		t.Skip("ansible-playbook is not installed (Debian: apt-get install ansible-core)")
	}
	tmp = t.TempDir()
	colls := filepath.Join(tmp, "collections")
	dst := filepath.Join(colls, collection)
	err := filepath.WalkDir(collection, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dst, strings.TrimPrefix(p, collection))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if p == filepath.Join(collection, "plugins/modules/ifacefix") {
			return nil // a binary built by `make ansible`: the test builds its own
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	build := exec.Command(goTool, "build", "-o", filepath.Join(dst, "plugins/modules/ifacefix"), "./cmd/ifacefix-ansible")
	build.Dir = ".."
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the module: %v\n%s", err, out)
	}
	if err := os.Mkdir(filepath.Join(tmp, "home"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(tmp, "ansible.cfg")
	if err := os.WriteFile(cfg, nil, 0o644); err != nil { // no user or system configuration
		t.Fatal(err)
	}
	callbacks, err := filepath.Abs("tests/callback_plugins")
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ANSIBLE_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	env = append(env,
		"HOME="+filepath.Join(tmp, "home"),
		"ANSIBLE_CONFIG="+cfg,
		"ANSIBLE_COLLECTIONS_PATH="+colls,
		"ANSIBLE_LOCAL_TEMP="+filepath.Join(tmp, "local-tmp"),
		"ANSIBLE_REMOTE_TEMP="+filepath.Join(tmp, "remote-tmp"),
		"ANSIBLE_NOCOLOR=1",
		"ANSIBLE_FORCE_COLOR=0",
		"ANSIBLE_RETRY_FILES_ENABLED=0",
		"ANSIBLE_CALLBACK_PLUGINS="+callbacks,
		"ANSIBLE_STDOUT_CALLBACK=ifacefix_record",
	)
	return tmp, env
}

// record is one task result, as tests/callback_plugins/ifacefix_record.py writes it.
type record struct {
	Host   string         `json:"host"`
	Status string         `json:"status"`
	Result map[string]any `json:"result"`
}

type recap struct{ ok, changed, unreachable, failed int }

type playRun struct {
	code    int
	stdout  string
	records map[string]record
	recap   map[string]recap
}

var recapLine = regexp.MustCompile(`(?m)^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s`)

// play runs the example playbook on the test fleet.
func play(t *testing.T, tmp string, env []string, fleetDir string, flags ...string) playRun {
	t.Helper()
	rec := filepath.Join(tmp, "record.jsonl")
	os.Remove(rec)
	args := append([]string{"-i", "tests/inventory.ini", "-e", "fleet_dir=" + fleetDir, "-e", "ifacefix_serial=3", "playbooks/fleet.yml"}, flags...)
	cmd := exec.Command("ansible-playbook", args...)
	cmd.Env = append(env, "IFACEFIX_RECORD="+rec)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := playRun{stdout: stdout.String(), records: map[string]record{}, recap: map[string]recap{}}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	t.Logf("ansible-playbook %s: exit %d\n%s%s", strings.Join(flags, " "), r.code, stdout.String(), stderr.String())
	f, err := os.Open(rec)
	if err != nil {
		t.Fatalf("no task results recorded: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var x record
		if err := json.Unmarshal(sc.Bytes(), &x); err != nil {
			t.Fatal(err)
		}
		if _, dup := r.records[x.Host]; dup {
			t.Fatalf("two results for %s", x.Host)
		}
		r.records[x.Host] = x
	}
	for _, m := range recapLine.FindAllStringSubmatch(r.stdout, -1) {
		n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
		r.recap[m[1]] = recap{n(2), n(3), n(4), n(5)}
	}
	return r
}

// writeTree creates a host's tree.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for p, data := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// readTree returns every file under dir, by path inside dir.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		m[strings.TrimPrefix(p, dir)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// public drops Ansible's own keys from a module result.
func public(res map[string]any) map[string]any {
	m := map[string]any{}
	for k, v := range res {
		if !strings.HasPrefix(k, "_ansible") {
			m[k] = v
		}
	}
	return m
}

func strs(v any) []string {
	var s []string
	l, _ := v.([]any)
	for _, x := range l {
		str, _ := x.(string)
		s = append(s, str)
	}
	return s
}

func sortedKeys(m map[string]string) []string {
	var k []string
	for p := range m {
		k = append(k, p)
	}
	sort.Strings(k)
	return k
}

var backupFile = regexp.MustCompile(`^\.(.+)\.ifacefix-\d{8}T\d{6}Z\.bak$`)

// TestFleet previews, applies and re-applies the example playbook on a fleet of 7 hosts.
func TestFleet(t *testing.T) {
	tmp, env := setup(t)
	fleet := loadFleet(t)
	fleetDir := filepath.Join(tmp, "fleet")
	for _, h := range fleet {
		writeTree(t, filepath.Join(fleetDir, h.name), h.root)
	}
	rootOf := func(h *fleetHost) string { return filepath.Join(fleetDir, h.name) }
	expand := func(h *fleetHost, s string) string { return strings.ReplaceAll(s, "ROOT", rootOf(h)) }

	// checkCommon asserts what every run shares: the exit status, the recap, failures and warnings.
	checkCommon := func(r playRun, fixedTree bool) {
		t.Helper()
		if r.code != 2 { // 2: some host failed (the invalid one)
			t.Errorf("exit status %d, want 2", r.code)
		}
		if len(r.recap) != len(fleet) || len(r.records) != len(fleet) {
			t.Fatalf("recap for %d hosts, results for %d; want %d each", len(r.recap), len(r.records), len(fleet))
		}
		for _, h := range fleet {
			rec, res := r.recap[h.name], public(r.records[h.name].Result)
			want := recap{ok: 1}
			if h.changed() && !fixedTree {
				want.changed = 1
			}
			if h.err != "" {
				want = recap{failed: 1}
			}
			if rec != want {
				t.Errorf("%s: recap %+v, want %+v", h.name, rec, want)
			}
			if h.err != "" {
				msg := expand(h, h.err)
				if r.records[h.name].Status != "failed" || res["changed"] != false || res["msg"] != msg {
					t.Errorf("%s: %s %v; want failed with %q", h.name, r.records[h.name].Status, res, msg)
				}
				if !strings.Contains(r.stdout, "fatal: ["+h.name+"]: FAILED! => ") || !strings.Contains(r.stdout, `"msg": "`+msg+`"`) {
					t.Errorf("%s: the failure %q is not shown", h.name, msg)
				}
				continue
			}
			if st := r.records[h.name].Status; st != "ok" || res["failed"] != nil {
				t.Errorf("%s: status %s, result %v", h.name, st, res)
			}
			var warns []string
			expected := h.warnings
			if fixedTree {
				expected = h.warnFix
			}
			for _, w := range expected {
				warns = append(warns, expand(h, w))
			}
			if got := strs(res["warnings"]); !reflect.DeepEqual(got, warns) {
				t.Errorf("%s: warnings %q, want %q", h.name, got, warns)
			}
			// Every finding is on this host's tree; exactly the warned ones are not fixed.
			var open []string
			fixed := 0
			for _, f := range res["findings"].([]any) {
				f := f.(map[string]any)
				if !strings.HasPrefix(f["path"].(string), rootOf(h)+"/") {
					t.Errorf("%s: finding outside the host's root: %v", h.name, f)
				}
				if f["fixed"] == true {
					fixed++
				} else {
					open = append(open, f["path"].(string)+":"+strconv.Itoa(int(f["line"].(float64)))+": "+f["rule"].(string)+": "+f["message"].(string))
				}
			}
			if !reflect.DeepEqual(open, warns) {
				t.Errorf("%s: unfixed findings %q, want the warnings %q", h.name, open, warns)
			}
			if h.changed() && !fixedTree && fixed == 0 {
				t.Errorf("%s: changed but no finding is fixed", h.name)
			}
			if (!h.changed() || fixedTree) && len(warns) == 0 && len(res["findings"].([]any)) != 0 {
				t.Errorf("%s: a clean host has findings: %v", h.name, res["findings"])
			}
		}
	}
	// diffOf is the diff list a host must report when its changes are proposed or written.
	diffOf := func(h *fleetHost) any {
		if !h.changed() {
			return nil // no diff key at all
		}
		var d []any
		for _, p := range sortedKeys(h.want) {
			name := rootOf(h) + p
			d = append(d, map[string]any{"before": h.root[p], "after": h.want[p], "before_header": name, "after_header": name})
		}
		return d
	}

	t.Run("check-diff", func(t *testing.T) {
		r := play(t, tmp, env, fleetDir, "--check", "--diff")
		checkCommon(r, false)
		for _, h := range fleet {
			if got := readTree(t, rootOf(h)); !reflect.DeepEqual(got, h.root) {
				t.Errorf("%s: check mode changed the tree:\n%q", h.name, got)
			}
			if h.err != "" {
				continue
			}
			res := public(r.records[h.name].Result)
			if got, want := res["diff"], diffOf(h); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: diff\n%v\nwant\n%v", h.name, got, want)
			}
			if res["changed"] != h.changed() || len(strs(res["backup_files"])) != 0 {
				t.Errorf("%s: changed %v backup_files %v", h.name, res["changed"], res["backup_files"])
			}
			// The diff is shown: headers and every removed or added line.
			for _, p := range sortedKeys(h.want) {
				name := rootOf(h) + p
				for _, s := range []string{"--- before: " + name + "\n", "+++ after: " + name + "\n"} {
					if !strings.Contains(r.stdout, s) {
						t.Errorf("%s: the diff header %q is not shown", h.name, s)
					}
				}
			}
		}
		for _, h := range fleet {
			if !h.changed() && strings.Contains(r.stdout, rootOf(h)+"/etc/network/interfaces\n") {
				t.Errorf("%s: a diff is shown for a host with nothing to change", h.name)
			}
		}
		for _, s := range []string{"-    gateway \\\n-        192.0.2.1\n", "+    gateway 10.0.0.1\n", "-\tgateway 203.0.113.1\n"} {
			if !strings.Contains(r.stdout, s) {
				t.Errorf("diff lines %q not shown", s)
			}
		}
	})
	if t.Failed() {
		return
	}

	var applied map[string]map[string]string
	t.Run("apply", func(t *testing.T) {
		r := play(t, tmp, env, fleetDir, "--diff")
		checkCommon(r, false)
		applied = map[string]map[string]string{}
		for _, h := range fleet {
			got := readTree(t, rootOf(h))
			applied[h.name] = got
			if h.err != "" {
				if !reflect.DeepEqual(got, h.root) {
					t.Errorf("%s: the invalid host was touched:\n%q", h.name, got)
				}
				continue
			}
			res := public(r.records[h.name].Result)
			if res["changed"] != h.changed() || !reflect.DeepEqual(res["diff"], diffOf(h)) {
				t.Errorf("%s: changed %v, diff %v", h.name, res["changed"], res["diff"])
			}
			// The tree: the wanted files fixed, the others identical, and one backup per fixed
			// file holding its old bytes (none with backup=false).
			want := map[string]string{}
			for p, data := range h.root {
				want[p] = data
			}
			for p, data := range h.want {
				want[p] = data
			}
			var backups []string
			for p, data := range got {
				m := backupFile.FindStringSubmatch(filepath.Base(p))
				if m == nil {
					continue
				}
				orig := filepath.Join(filepath.Dir(p), m[1])
				if _, fixed := h.want[orig]; !fixed || data != h.root[orig] {
					t.Errorf("%s: backup %s: not of a fixed file, or not its old content", h.name, p)
				}
				want[p] = data
				backups = append(backups, rootOf(h)+p)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: tree after apply:\n%q\nwant\n%q", h.name, got, want)
			}
			n := len(h.want)
			if !h.backup {
				n = 0
			}
			sort.Strings(backups)
			reported := strs(res["backup_files"])
			sort.Strings(reported)
			if len(backups) != n || !reflect.DeepEqual(reported, backups) {
				t.Errorf("%s: backups on disk %q, reported %q; want %d", h.name, backups, reported, n)
			}
		}
	})
	if t.Failed() {
		return
	}

	t.Run("apply-again", func(t *testing.T) {
		r := play(t, tmp, env, fleetDir, "--diff")
		checkCommon(r, true)
		for _, h := range fleet {
			if got := readTree(t, rootOf(h)); !reflect.DeepEqual(got, applied[h.name]) {
				t.Errorf("%s: the second run changed the tree:\n%q", h.name, got)
			}
			if h.err != "" {
				continue
			}
			res := public(r.records[h.name].Result)
			if res["changed"] != false || res["diff"] != nil || len(strs(res["backup_files"])) != 0 {
				t.Errorf("%s: second run: %v", h.name, res)
			}
		}
		if strings.Contains(r.stdout, "--- before: ") {
			t.Error("the second run shows a diff")
		}
	})
}

// TestDoc checks the documentation sidecar: ansible-doc reads it, and its options are exactly the
// parameters the module accepts, with the module's defaults.
func TestDoc(t *testing.T) {
	tmp, env := setup(t)
	cmd := exec.Command("ansible-doc", "--json", "ifacefix.ifacefix.ifacefix")
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ansible-doc: %v\n%s", err, out)
	}
	var doc map[string]struct {
		Doc struct {
			Options map[string]struct {
				Type    string `json:"type"`
				Default any    `json:"default"`
			} `json:"options"`
			Attributes map[string]struct {
				Support string `json:"support"`
			} `json:"attributes"`
		} `json:"doc"`
		Examples string         `json:"examples"`
		Return   map[string]any `json:"return"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	d, ok := doc["ifacefix.ifacefix.ifacefix"]
	if !ok {
		t.Fatalf("no documentation: %s", out)
	}
	var opts []string
	for k, o := range d.Doc.Options {
		opts = append(opts, k+"="+o.Type+":"+strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(jsonText(o.Default), "null", ""), `"`, "")))
	}
	sort.Strings(opts)
	want := []string{"backup=bool:true", "path=path:/etc/network/interfaces", "root=path:", "strip_route_commands=bool:false"}
	if !reflect.DeepEqual(opts, want) {
		t.Errorf("documented options %q, want %q", opts, want)
	}
	for _, a := range []string{"check_mode", "diff_mode"} {
		if d.Doc.Attributes[a].Support != "full" {
			t.Errorf("attribute %s: %+v", a, d.Doc.Attributes[a])
		}
	}
	for _, k := range []string{"changed", "diff", "backup_files", "findings", "warnings", "msg"} {
		if _, ok := d.Return[k]; !ok {
			t.Errorf("return value %s is not documented", k)
		}
	}
	// The module itself names the parameters it accepts when given one it does not.
	args := filepath.Join(tmp, "args.json")
	os.WriteFile(args, []byte(`{"no_such_option": 1}`), 0o644)
	mod := exec.Command(filepath.Join(tmp, "collections", collection, "plugins/modules/ifacefix"), args)
	out, _ = mod.Output()
	var res struct {
		Failed bool   `json:"failed"`
		Msg    string `json:"msg"`
	}
	json.Unmarshal(out, &res)
	wantMsg := "ifacefix: unsupported parameters: no_such_option (supported: backup, path, root, strip_route_commands)"
	if !res.Failed || res.Msg != wantMsg {
		t.Errorf("module: %s; want failed with %q", out, wantMsg)
	}
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
