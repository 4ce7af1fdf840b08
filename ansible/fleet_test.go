package ansible

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"
)

// fleetHost is one host of the test fleet, from tests/fleet/NAME.txtar.
type fleetHost struct {
	name        string
	root        map[string]string // its /etc/network: path ("/etc/network/interfaces") -> content
	want        map[string]string // the files the apply run changes, as they must come out
	warnings    []string          // expected warnings
	warnFix     []string          // expected warnings once the files are fixed (line numbers move)
	err         string            // expected failure message
	vars        string            // inventory variables
	noexecHome  bool              // lab: /root (remote_tmp) mounted noexec
	unreachable bool              // lab: goes away when the apply run starts its second batch
	h           *labHost
}

func (h *fleetHost) changed() bool { return len(h.want) > 0 }
func (h *fleetHost) backup() bool  { return !strings.Contains(h.vars, "ifacefix_backup=false") }

// outcome is the fleet summary's category for the host, before (fixed false) or after the apply.
func (h *fleetHost) outcome(fixed, gone bool) string {
	switch {
	case h.err != "" || gone:
		return "failed"
	case h.root["/etc/network/interfaces"] == "":
		return "not_applicable"
	case !fixed && len(h.warnings) > 0 || fixed && len(h.warnFix) > 0:
		return "needs_person"
	case h.changed() && !fixed:
		return "changed"
	}
	return "clean"
}

// spec is what the lab builds for the host.
func (h *fleetHost) spec() hostSpec {
	s := hostSpec{files: map[string]string{}, noexecHome: h.noexecHome}
	for p, data := range h.root {
		s.files[strings.TrimPrefix(p, "/etc/network/")] = data
	}
	return s
}

func lines(data []byte) []string {
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

func loadFleet(t testing.TB) []*fleetHost {
	t.Helper()
	names, err := filepath.Glob("tests/fleet/*.txtar")
	if err != nil || len(names) < 8 {
		t.Fatalf("test fleet: %v, %d hosts", err, len(names))
	}
	var fleet []*fleetHost
	for _, n := range names { // sorted: the inventory's order, and so the batches
		a, err := txtar.ParseFile(n)
		if err != nil {
			t.Fatal(err)
		}
		h := &fleetHost{name: strings.TrimSuffix(filepath.Base(n), ".txtar"), root: map[string]string{}, want: map[string]string{}}
		for _, f := range a.Files {
			switch {
			case strings.HasPrefix(f.Name, "etc/network/"):
				h.root["/"+f.Name] = string(f.Data)
			case strings.HasPrefix(f.Name, "want/etc/network/"):
				h.want["/"+strings.TrimPrefix(f.Name, "want/")] = string(f.Data)
			case f.Name == "warnings":
				h.warnings = lines(f.Data)
			case f.Name == "warnings-fixed":
				h.warnFix = lines(f.Data)
			case f.Name == "error":
				h.err = strings.TrimSuffix(string(f.Data), "\n")
			case f.Name == "vars":
				h.vars = strings.TrimSpace(string(f.Data))
			case f.Name == "lab":
				for _, flag := range lines(f.Data) {
					switch flag {
					case "noexec-home":
						h.noexecHome = true
					case "unreachable-in-apply":
						h.unreachable = true
					default:
						t.Fatalf("%s: unknown lab flag %q", n, flag)
					}
				}
			default:
				t.Fatalf("%s: unexpected section %s", n, f.Name)
			}
		}
		for p := range h.want {
			if _, ok := h.root[p]; !ok {
				t.Fatalf("%s: want%s has no counterpart", n, p)
			}
		}
		fleet = append(fleet, h)
	}
	return fleet
}

// The apply runs in batches of this size: with the fleet's 12 hosts, app1 broken1 cache1 db1 |
// db2 gone1 netplan1 noexec1 | pve1 srcdir1 web1 web2. No batch fails whole, so the rollout goes on.
const fleetSerial = "4"

// TestFleet runs the shipped playbook over SSH on the test fleet: a preview that reaches every
// host and changes nothing, an apply in batches during which a host goes away, the real ifup -a
// on every fixed host, a second apply that changes nothing, and an apply that stops after its
// first batch because of a failure.
func TestFleet(t *testing.T) {
	needLab(t)
	tmp, env := setup(t)
	fleet := loadFleet(t)
	l := newLab(t)
	var gone *fleetHost
	vars := map[string]string{}
	for _, h := range fleet {
		h.h = l.add(h.name, h.spec())
		vars[h.name] = h.vars
		if h.unreachable {
			gone = h
		}
	}
	if gone == nil {
		t.Fatal("no host of the fleet goes away")
	}
	inv := l.inventory(vars)
	batch := map[string]int{}
	size, _ := strconv.Atoi(fleetSerial)
	for i, h := range fleet {
		batch[h.name] = i / size
	}

	// check asserts what every run shares: each host's status, recap, result and warnings, and
	// the fleet summary. fixed: the files were fixed before this run; goneNow: gone1 is away;
	// ran: the hosts that ran (nil: all).
	check := func(t *testing.T, r playRun, fixed, goneNow bool, ran func(*fleetHost) bool) {
		t.Helper()
		wantSummary := map[string][]string{}
		reasons := map[string]string{} // the reason shown for each failed host: exact, or a prefix ending in ": "
		for _, h := range fleet {
			if ran != nil && !ran(h) {
				wantSummary["not_run"] = append(wantSummary["not_run"], h.name)
				if _, ok := r.records[h.name]; ok {
					t.Errorf("%s: ran", h.name)
				}
				continue
			}
			away := goneNow && h == gone
			outcome := h.outcome(fixed, away)
			wantSummary[outcome] = append(wantSummary[outcome], h.name)
			rec, res := r.records[h.name], public(r.records[h.name].Result)
			switch {
			case away:
				if rec.Status != "unreachable" || r.recap[h.name] != (recap{unreachable: 1}) {
					t.Errorf("%s: %s %+v, want unreachable", h.name, rec.Status, r.recap[h.name])
				}
				if msg, _ := res["msg"].(string); !strings.Contains(msg, "Connection refused") && !strings.Contains(msg, "closed") {
					t.Errorf("%s: unreachable with %q", h.name, msg)
				}
				reasons[h.name] = "unreachable: "
				continue
			case h.err != "":
				if rec.Status != "failed" || r.recap[h.name] != (recap{failed: 1}) || res["changed"] != false || res["msg"] != h.err {
					t.Errorf("%s: %s %+v %v; want failed with %q", h.name, rec.Status, r.recap[h.name], res, h.err)
				}
				if !strings.Contains(r.stdout, "fatal: ["+h.name+"]: FAILED! => ") || !strings.Contains(r.stdout, `"msg": "`+h.err+`"`) {
					t.Errorf("%s: the failure %q is not shown", h.name, h.err)
				}
				reasons[h.name] = h.err
				continue
			}
			want := recap{ok: 1}
			if h.changed() && !fixed {
				want.changed = 1
			}
			if rec.Status != "ok" || r.recap[h.name] != want || res["failed"] != nil {
				t.Errorf("%s: %s, recap %+v (want %+v), result %v", h.name, rec.Status, r.recap[h.name], want, res)
			}
			if res["outcome"] != outcome || res["build"] != "linux/"+runtime.GOARCH {
				t.Errorf("%s: outcome %v build %v, want %s linux/%s", h.name, res["outcome"], res["build"], outcome, runtime.GOARCH)
			}
			// The dialect: the one the host's variables name, else detected on the host.
			if m := regexp.MustCompile(`\bifacefix_dialect=(\S+)`).FindStringSubmatch(h.vars); m != nil {
				if res["dialect"] != m[1] || res["dialect_reason"] != "chosen with the dialect parameter" {
					t.Errorf("%s: dialect %v (%v), want %s chosen with the parameter", h.name, res["dialect"], res["dialect_reason"], m[1])
				}
			} else if d, _ := res["dialect"].(string); d == "" || res["dialect_reason"] == nil || res["dialect_reason"] == "chosen with the dialect parameter" {
				t.Errorf("%s: dialect %v (%v), want one detected on the host", h.name, res["dialect"], res["dialect_reason"])
			}
			expected := h.warnings
			if fixed {
				expected = h.warnFix
			}
			if got := strs(res["warnings"]); !reflect.DeepEqual(got, expected) {
				t.Errorf("%s: warnings %q, want %q", h.name, got, expected)
			}
			// Every finding is in /etc/network; exactly the warned ones are not fixed.
			var open []string
			nfixed := 0
			findings, _ := res["findings"].([]any)
			for _, f := range findings {
				f := f.(map[string]any)
				if !strings.HasPrefix(f["path"].(string), "/etc/network/") {
					t.Errorf("%s: finding outside /etc/network: %v", h.name, f)
				}
				if f["fixed"] == true {
					nfixed++
				} else {
					open = append(open, f["path"].(string)+":"+strconv.Itoa(int(f["line"].(float64)))+": "+f["rule"].(string)+": "+f["message"].(string))
				}
			}
			if !reflect.DeepEqual(open, expected) {
				t.Errorf("%s: unfixed findings %q, want the warnings %q", h.name, open, expected)
			}
			if h.changed() && !fixed && nfixed == 0 {
				t.Errorf("%s: changed but no finding is fixed", h.name)
			}
			if (!h.changed() || fixed) && len(expected) == 0 && len(findings) != 0 {
				t.Errorf("%s: a clean host has findings: %v", h.name, findings)
			}
		}
		// The fleet summary, as JSON and on screen.
		for _, c := range []string{"changed", "clean", "needs_person", "failed", "not_applicable", "not_run"} {
			got := append([]string(nil), r.summary.Hosts[c]...)
			sort.Strings(got)
			if len(got) == 0 && len(wantSummary[c]) == 0 {
				continue
			}
			if !reflect.DeepEqual(got, wantSummary[c]) {
				t.Errorf("summary %s: %q, want %q", c, got, wantSummary[c])
			}
		}
		for h, want := range reasons {
			got := r.summary.Reasons[h]
			if strings.HasSuffix(want, ": ") && !strings.HasPrefix(got, want) || !strings.HasSuffix(want, ": ") && got != want {
				t.Errorf("summary: %s failed with %q, want %q", h, got, want)
			}
			if !strings.Contains(r.stdout, "\n  "+h+": "+r.summary.Reasons[h]+"\n") {
				t.Errorf("summary: the failure of %s is not shown", h)
			}
		}
		banner := "IFACEFIX FLEET SUMMARY"
		if r.summary.CheckMode {
			banner += " (check mode: nothing was written)"
		}
		if !strings.Contains(r.stdout, "\n"+banner+" *") {
			t.Errorf("no %q banner", banner)
		}
		for c, hosts := range wantSummary {
			label := map[string]string{"needs_person": "needs a person", "not_applicable": "not applicable", "not_run": "not run"}[c]
			if label == "" {
				label = c
			}
			if !strings.Contains(r.stdout, "\n"+label+": "+strconv.Itoa(len(hosts))+" ") {
				t.Errorf("summary line %q not shown", label)
			}
		}
	}
	trees := func() map[string]map[string]string {
		m := map[string]map[string]string{}
		for _, h := range fleet {
			m[h.name] = h.h.tree(t)
		}
		return m
	}
	// diffOf is the diff list a host must report when its changes are proposed or written.
	diffOf := func(h *fleetHost) any {
		if !h.changed() {
			return nil // no diff key at all
		}
		var d []any
		for _, p := range sortedKeys(h.want) {
			d = append(d, map[string]any{"before": h.root[p], "after": h.want[p], "before_header": p, "after_header": p})
		}
		return d
	}
	before := trees()
	for _, h := range fleet {
		if !reflect.DeepEqual(before[h.name], h.root) {
			t.Fatalf("%s: the lab's files are not the fleet's: %q", h.name, before[h.name])
		}
	}

	t.Run("check-diff", func(t *testing.T) {
		r := play(t, l, tmp, env, inv, nil, "-e", "ifacefix_serial="+fleetSerial, "--check", "--diff")
		check(t, r, false, false, nil)
		if r.code != 2 || r.plays != 1 || !r.summary.CheckMode {
			t.Errorf("exit %d, %d batches, check mode %v; want 2, one batch for the whole fleet, true", r.code, r.plays, r.summary.CheckMode)
		}
		if got := trees(); !reflect.DeepEqual(got, before) {
			t.Errorf("check mode changed files:\n%q", got)
		}
		for _, h := range fleet {
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
		}
		// Every host's diff is shown: a header per changed file, and the removed lines.
		for _, h := range fleet {
			for _, p := range sortedKeys(h.want) {
				for _, s := range []string{"--- before: " + p + "\n", "+++ after: " + p + "\n"} {
					if strings.Count(r.stdout, s) < 1 {
						t.Errorf("%s: the diff header %q is not shown", h.name, s)
					}
				}
			}
		}
		if n, want := strings.Count(r.stdout, "--- before: "), countWant(fleet); n != want {
			t.Errorf("%d diffs shown, want %d (one per file to change)", n, want)
		}
		for _, s := range []string{"-    gateway 2001:db8::1\n", "+    gateway 10.0.0.1\n", "-\tgateway 203.0.113.1\n", "-    gateway 198.51.100.1\n"} {
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
		hook := "IFACEFIX_TEST_HOOK=2:" + l.killScript(gone.h) // gone1 goes away as batch 2 starts
		r := play(t, l, tmp, env, inv, []string{hook}, "-e", "ifacefix_serial="+fleetSerial, "--diff")
		check(t, r, false, true, nil)
		if r.code != 4 || r.plays != 3 || r.summary.CheckMode {
			t.Errorf("exit %d, %d batches, check mode %v; want 4 (a host unreachable), 3, false", r.code, r.plays, r.summary.CheckMode)
		}
		if batch[gone.name] != 1 || batch["broken1"] != 0 {
			t.Fatalf("the fleet's order changed: batches %v", batch)
		}
		applied = trees()
		for _, h := range fleet {
			got := applied[h.name]
			if h.err != "" || h == gone || !h.changed() {
				if !reflect.DeepEqual(got, h.root) {
					t.Errorf("%s: touched:\n%q", h.name, got)
				}
				continue
			}
			res := public(r.records[h.name].Result)
			if res["changed"] != true || !reflect.DeepEqual(res["diff"], diffOf(h)) {
				t.Errorf("%s: changed %v, diff %v", h.name, res["changed"], res["diff"])
			}
			// The files: the wanted ones fixed, the others identical, and one backup per fixed
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
				backups = append(backups, p)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: files after apply:\n%q\nwant\n%q", h.name, got, want)
			}
			n := len(h.want)
			if !h.backup() {
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

	// The real ifup -a, inside each host that has nothing left to fix, comes up with exactly one
	// default route (the hosts needing a person keep what needs one, a default-route command).
	// The lab has ifupdown 0.8 only: pve1's fixed file comes up under it too, and its bring-up
	// with the real ifupdown2 is e2e's (TestIfupdown2FixerLive, TestIfupdown2FixerGoldenLive).
	t.Run("ifup", func(t *testing.T) {
		if _, err := os.Stat("/sbin/ifup"); err != nil {
			t.Skip("ifupdown is not installed (apt-get install ifupdown)")
		}
		n := 0
		for _, h := range fleet {
			if o := h.outcome(true, h == gone); o != "clean" {
				continue
			}
			n++
			out, err := h.h.inside("timeout", "-s", "KILL", "60", "ifup", "-a")
			if err != nil {
				t.Errorf("%s: ifup -a: %v\n%s", h.name, err, out)
				continue
			}
			if r := h.h.defaultRoutes(t, "-4"); len(r) != 1 {
				t.Errorf("%s: after ifup -a, IPv4 default routes %q, want exactly one", h.name, r)
			}
			if r := h.h.defaultRoutes(t, "-6"); len(r) > 1 {
				t.Errorf("%s: after ifup -a, IPv6 default routes %q", h.name, r)
			}
		}
		if n < 6 {
			t.Errorf("ifup -a ran on %d hosts, want at least 6", n)
		}
	})

	t.Run("apply-again", func(t *testing.T) {
		r := play(t, l, tmp, env, inv, nil, "-e", "ifacefix_serial="+fleetSerial, "--diff")
		check(t, r, true, true, nil)
		if r.code != 4 || r.plays != 3 {
			t.Errorf("exit %d, %d batches; want 4, 3", r.code, r.plays)
		}
		if got := trees(); !reflect.DeepEqual(got, applied) {
			t.Errorf("the second run changed files:\n%q", got)
		}
		for _, h := range fleet {
			if res := public(r.records[h.name].Result); res["changed"] == true || res["diff"] != nil || len(strs(res["backup_files"])) != 0 {
				t.Errorf("%s: second run: %v", h.name, res)
			}
		}
		if strings.Contains(r.stdout, "--- before: ") {
			t.Error("the second run shows a diff")
		}
	})

	// With max_fail_percentage 0 the failure in the first batch (broken1) stops the rollout: the
	// other batches are not run, and the summary says so.
	t.Run("apply-stops", func(t *testing.T) {
		r := play(t, l, tmp, env, inv, nil, "-e", "ifacefix_serial="+fleetSerial, "-e", "ifacefix_max_fail_percentage=0")
		check(t, r, true, true, func(h *fleetHost) bool { return batch[h.name] == 0 })
		if r.code != 2 || r.plays != 1 {
			t.Errorf("exit %d, %d batches; want 2, 1", r.code, r.plays)
		}
		if got := trees(); !reflect.DeepEqual(got, applied) {
			t.Errorf("files changed:\n%q", got)
		}
	})
}

var backupFile = regexp.MustCompile(`^\.(.+)\.ifacefix-\d{8}T\d{6}Z\.bak$`)

func countWant(fleet []*fleetHost) int {
	n := 0
	for _, h := range fleet {
		if h.err == "" {
			n += len(h.want)
		}
	}
	return n
}

// TestArchitectures: the action plugin runs the build for each host's uname -m, and refuses
// clearly where it has none. The foreign host is this machine too, with a uname that names the
// other architecture the collection has a build for: that build is sent there, and runs only if
// this machine can run its programs.
func TestArchitectures(t *testing.T) {
	needLab(t)
	tmp, env := setup(t)
	foreign, machine := "arm64", "aarch64"
	if runtime.GOARCH == "arm64" {
		foreign, machine = "amd64", "x86_64"
	}
	l := newLab(t)
	clean := hostSpec{files: map[string]string{"interfaces": "auto lo\niface lo inet loopback\n"}}
	for _, h := range []struct{ name, machine string }{{"native1", ""}, {"foreign1", machine}, {"riscv1", "riscv64"}} {
		s := clean
		s.machine = h.machine
		l.add(h.name, s)
	}
	inv := l.inventory(nil)
	r := play(t, l, tmp, env, inv, nil, "--check")
	if res := r.records["native1"].Result; r.records["native1"].Status != "ok" || res["build"] != "linux/"+runtime.GOARCH || res["outcome"] != "clean" {
		t.Errorf("native1: %s %v", r.records["native1"].Status, res)
	}
	f := r.records["foreign1"]
	if f.Result["build"] != "linux/"+foreign {
		t.Errorf("foreign1: build %v, want linux/%s", f.Result["build"], foreign)
	}
	if want := "ifacefix: this host cannot run the linux/" + foreign + " build of the module (Exec format error), although its uname -m is " + machine; f.Status != "ok" && f.Result["msg"] != want {
		t.Errorf("foreign1: %s %v, want ok or %q", f.Status, f.Result["msg"], want)
	}
	wantMsg := "ifacefix: no build of the module for this host's architecture riscv64 (uname -m); the collection has builds for amd64, arm64"
	if rv := r.records["riscv1"]; rv.Status != "failed" || rv.Result["msg"] != wantMsg {
		t.Errorf("riscv1: %s %v; want failed with %q", rv.Status, rv.Result["msg"], wantMsg)
	}

	// A collection built without a build for an architecture says so, on the hosts that need it.
	if err := os.Remove(filepath.Join(tmp, "collections", collection, "plugins/modules/__builds__/ifacefix_linux_"+foreign)); err != nil {
		t.Fatal(err)
	}
	r = play(t, l, tmp, env, inv, nil, "--check", "--limit", "foreign1,native1")
	msg, _ := r.records["foreign1"].Result["msg"].(string)
	if r.records["foreign1"].Status != "failed" || !strings.HasPrefix(msg, "ifacefix: this copy of the ifacefix.ifacefix collection has no linux/"+foreign+" build of the module (") ||
		!strings.HasSuffix(msg, "ifacefix_linux_"+foreign+" is missing; present: ifacefix_linux_"+runtime.GOARCH+"): build the collection with `make collection` (or `make ansible`) in the ifacefix repository") {
		t.Errorf("foreign1 without its build: %s %q", r.records["foreign1"].Status, msg)
	}
	if r.records["native1"].Status != "ok" || len(r.records) != 2 {
		t.Errorf("native1 without the foreign build: %v", r.records)
	}
}

// BenchmarkFleet measures the shipped playbook on a fleet of IFACEFIX_FLEET_HOSTS hosts (default
// 50) with Ansible's default forks: "check" is the preview (--check --diff), "apply" the apply on
// freshly broken hosts. Besides the time per run it reports the wall time and the controller's
// CPU time (ansible-playbook and its children) per host. The hosts cycle through the fleet's
// hosts that succeed. Not part of `make test`:
//
//	go test -run '^$' -bench Fleet -benchtime 3x ./ansible
func BenchmarkFleet(b *testing.B) {
	needLab(b)
	n := 50
	if s := os.Getenv("IFACEFIX_FLEET_HOSTS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1 || n > 200 {
			b.Fatalf("IFACEFIX_FLEET_HOSTS=%q: want 1 to 200", s)
		}
	}
	tmp, env := setup(b)
	var kinds []*fleetHost
	for _, h := range loadFleet(b) {
		if h.err == "" && !h.unreachable && h.root["/etc/network/interfaces"] != "" {
			kinds = append(kinds, h)
		}
	}
	l := newLab(b)
	start := time.Now()
	vars := map[string]string{}
	for i := 0; i < n; i++ {
		k := kinds[i%len(kinds)]
		name := k.name + "-" + strconv.Itoa(i)
		l.add(name, k.spec())
		vars[name] = k.vars
	}
	b.Logf("%d hosts set up in %v", n, time.Since(start))
	inv := l.inventory(vars)
	for _, mode := range []struct {
		name  string
		flags []string
	}{{"check", []string{"--check", "--diff"}}, {"apply", []string{"--diff"}}} {
		b.Run(mode.name, func(b *testing.B) {
			var wall time.Duration
			var cpu float64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				for _, h := range l.hosts {
					h.reset(b)
				}
				b.StartTimer()
				t0 := time.Now()
				r := play(b, l, tmp, env, inv, nil, mode.flags...)
				wall += time.Since(t0)
				cpu += r.cpu
				if r.code != 0 || len(r.records) != n {
					b.Fatalf("exit %d, %d results for %d hosts\n%s", r.code, len(r.records), n, r.stdout)
				}
			}
			b.ReportMetric(wall.Seconds()/float64(b.N*n), "wall-s/host")
			b.ReportMetric(cpu/float64(b.N*n), "ctl-cpu-s/host")
			b.ReportMetric(float64(n), "hosts")
		})
	}
}
