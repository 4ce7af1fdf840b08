// Package ansible holds the Ansible collection of ifacefix and the tests that run it through the
// real ansible-playbook, over SSH, on a fleet of hosts made of network namespaces (lab_test.go):
// previewed with --check --diff, applied, brought up with the real ifup, applied again.
package ansible

import (
	"bufio"
	"bytes"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
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
	"sync"
	"syscall"
	"testing"

	"github.com/ifacefix/ifacefix/internal/testcases"
	"github.com/ifacefix/ifacefix/parser"
)

const collection = "ansible_collections/ifacefix/ifacefix"

// arches are the builds the collection carries, as the Makefile's ANSIBLE_ARCHES.
var arches = map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}

var builds struct {
	once sync.Once
	dir  string
	err  error
}

// buildModules builds the module for every architecture, once for all the tests, as `make
// ansible` does, into a directory that TestMain removes.
func buildModules() (string, error) {
	builds.once.Do(func() {
		if builds.dir, builds.err = os.MkdirTemp("", "ifacefix-ansible-builds-"); builds.err != nil {
			return
		}
		for arch := range arches {
			out := filepath.Join(builds.dir, "ifacefix_linux_"+arch)
			if err := testcases.Build(out, "./cmd/ifacefix-ansible", []string{"GOOS=linux", "GOARCH=" + arch}, "-trimpath", "-ldflags=-s -w"); err != nil {
				builds.err = fmt.Errorf("building the module for %s: %v", arch, err)
				return
			}
		}
	})
	return builds.dir, builds.err
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builds.dir != "" {
		os.RemoveAll(builds.dir)
	}
	os.Exit(code)
}

// setup copies the collection into a temporary directory with every build of the module (as
// `make ansible` makes them) and returns the directory and the environment for Ansible: the
// shipped ansible.cfg, the copy of the collection, nothing of the user's or the machine's.
func setup(t testing.TB) (tmp string, env []string) {
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
		if d.IsDir() && (d.Name() == "__builds__" || d.Name() == "__pycache__") {
			return fs.SkipDir // builds of `make ansible`: the tests make their own
		}
		target := filepath.Join(dst, strings.TrimPrefix(p, collection))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if p == filepath.Join(collection, "plugins/modules/ifacefix") {
			return nil // the binary of older builds
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
	dir, err := buildModules()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dst, "plugins/modules/__builds__"), 0o755); err != nil {
		t.Fatal(err)
	}
	for arch := range arches {
		data, err := os.ReadFile(filepath.Join(dir, "ifacefix_linux_"+arch))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, "plugins/modules/__builds__/ifacefix_linux_"+arch), data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(tmp, "home"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg, err := filepath.Abs("ansible.cfg")
	if err != nil {
		t.Fatal(err)
	}
	callbacks, err := filepath.Abs("tests/callback_plugins")
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ANSIBLE_") && !strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "IFACEFIX_") {
			env = append(env, kv)
		}
	}
	env = append(env,
		"HOME="+filepath.Join(tmp, "home"),
		"ANSIBLE_CONFIG="+cfg, // as shipped: it enables the fleet summary
		"ANSIBLE_COLLECTIONS_PATH="+colls,
		"ANSIBLE_LOCAL_TEMP="+filepath.Join(tmp, "local-tmp"),
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

// summary is the fleet summary's JSON (plugins/callback/fleet_summary.py).
type summary struct {
	CheckMode bool                `json:"check_mode"`
	Hosts     map[string][]string `json:"hosts"`
	Reasons   map[string]string   `json:"reasons"`
}

type playRun struct {
	code    int
	stdout  string
	records map[string]record
	recap   map[string]recap
	summary summary
	plays   int // PLAY banners: one per batch
	cpu     float64
}

var recapLine = regexp.MustCompile(`(?m)^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s`)

// play runs the shipped playbook, in the lab's controller namespace, with the given inventory.
// extraEnv may hold IFACEFIX_TEST_HOOK (tests/callback_plugins/ifacefix_record.py).
func play(t testing.TB, l *lab, tmp string, env []string, inventory string, extraEnv []string, flags ...string) playRun {
	t.Helper()
	rec := filepath.Join(tmp, "record.jsonl")
	sum := filepath.Join(tmp, "summary.json")
	os.Remove(rec)
	os.Remove(sum)
	args := append([]string{"netns", "exec", l.ctl, "ansible-playbook", "-i", inventory, "playbooks/fleet.yml"}, flags...)
	cmd := exec.Command("ip", args...)
	cmd.Env = append(append(env, "IFACEFIX_RECORD="+rec, "IFACEFIX_SUMMARY_JSON="+sum), extraEnv...)
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
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.cpu = float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
	}
	if tt, ok := t.(*testing.T); ok {
		tt.Logf("ansible-playbook %s: exit %d\n%s%s", strings.Join(flags, " "), r.code, stdout.String(), stderr.String())
	}
	f, err := os.Open(rec)
	if err != nil {
		t.Fatalf("no task results recorded: %v\n%s%s", err, stdout.String(), stderr.String())
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
	r.plays = strings.Count(r.stdout, "\nPLAY [")
	if data, err := os.ReadFile(sum); err == nil {
		if err := json.Unmarshal(data, &r.summary); err != nil {
			t.Fatalf("summary: %v\n%s", err, data)
		}
	} else {
		t.Errorf("no fleet summary written: %v", err)
	}
	return r
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

// TestDoc checks the documentation: ansible-doc -l lists the module and the callback without a
// warning, ansible-doc reads them, and the documented options are exactly the parameters the
// module accepts, with the module's defaults.
func TestDoc(t *testing.T) {
	tmp, env := setup(t)
	for _, c := range []struct{ kind, want string }{
		{"module", "ifacefix.ifacefix.ifacefix Remove gateway lines that break ifupdown IP alias stanzas"},
		{"callback", "ifacefix.ifacefix.fleet_summary Summary of ifacefix runs across a fleet, at the end of the playbook"},
	} {
		cmd := exec.Command("ansible-doc", "-t", c.kind, "-l", "--json", "ifacefix.ifacefix")
		cmd.Env = env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		var list map[string]string
		if err != nil || json.Unmarshal(out, &list) != nil || stderr.Len() > 0 {
			t.Fatalf("ansible-doc -t %s -l: %v\n%s%s", c.kind, err, out, stderr.String())
		}
		name, desc, _ := strings.Cut(c.want, " ")
		if !reflect.DeepEqual(list, map[string]string{name: desc}) {
			t.Errorf("ansible-doc -t %s -l ifacefix.ifacefix: %v, want %s", c.kind, list, c.want)
		}
	}
	cmd := exec.Command("ansible-doc", "--json", "ifacefix.ifacefix.ifacefix")
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ansible-doc: %v\n%s", err, out)
	}
	var doc map[string]struct {
		Doc struct {
			Options map[string]struct {
				Type    string   `json:"type"`
				Default any      `json:"default"`
				Choices []string `json:"choices"`
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
		def := ""
		if o.Default != nil {
			def = strings.Trim(jsonText(o.Default), `"`)
		}
		opts = append(opts, k+"="+o.Type+":"+def)
	}
	sort.Strings(opts)
	want := []string{"backup=bool:true", "dialect=str:", "live=bool:false", "path=path:/etc/network/interfaces", "root=path:", "state_dir=path:/run/network", "strip_route_commands=bool:false"}
	if !reflect.DeepEqual(opts, want) {
		t.Errorf("documented options %q, want %q", opts, want)
	}
	var dialects []string
	for _, d := range parser.Dialects {
		dialects = append(dialects, d.Name)
	}
	if got := d.Doc.Options["dialect"].Choices; !reflect.DeepEqual(got, dialects) {
		t.Errorf("dialect choices %q, want the dialects %q", got, dialects)
	}
	for a, s := range map[string]string{"check_mode": "full", "diff_mode": "full", "action": "full", "async": "none"} {
		if d.Doc.Attributes[a].Support != s {
			t.Errorf("attribute %s: %+v, want support %s", a, d.Doc.Attributes[a], s)
		}
	}
	for _, k := range []string{"changed", "outcome", "build", "diff", "backup_files", "findings", "warnings", "msg", "routes", "kernel_changes", "dialect", "dialect_version", "dialect_reason"} {
		if _, ok := d.Return[k]; !ok {
			t.Errorf("return value %s is not documented", k)
		}
	}
	// The module itself names the parameters it accepts when given one it does not.
	args := filepath.Join(tmp, "args.json")
	os.WriteFile(args, []byte(`{"no_such_option": 1}`), 0o644)
	mod := exec.Command(filepath.Join(tmp, "collections", collection, "plugins/modules/__builds__/ifacefix_linux_"+runtime.GOARCH), args)
	out, _ = mod.Output()
	var res struct {
		Failed bool   `json:"failed"`
		Msg    string `json:"msg"`
	}
	json.Unmarshal(out, &res)
	wantMsg := "ifacefix: unsupported parameters: no_such_option (supported: backup, dialect, live, path, root, state_dir, strip_route_commands)"
	if !res.Failed || res.Msg != wantMsg {
		t.Errorf("module: %s; want failed with %q", out, wantMsg)
	}
}

// TestBuilds checks the builds the collection carries: each is a static Linux executable for
// its architecture (no interpreter, so it runs on any distribution).
func TestBuilds(t *testing.T) {
	tmp, _ := setup(t)
	for arch, machine := range arches {
		f, err := elf.Open(filepath.Join(tmp, "collections", collection, "plugins/modules/__builds__/ifacefix_linux_"+arch))
		if err != nil {
			t.Fatal(err)
		}
		if f.Machine != machine || f.Type != elf.ET_EXEC || f.OSABI != elf.ELFOSABI_NONE && f.OSABI != elf.ELFOSABI_LINUX {
			t.Errorf("%s: machine %v type %v abi %v", arch, f.Machine, f.Type, f.OSABI)
		}
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Errorf("%s: dynamically linked (has an interpreter)", arch)
			}
		}
		f.Close()
	}
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
