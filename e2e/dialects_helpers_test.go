package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// The dialect harness runs the other programs that read /etc/network/interfaces (docs/dialects.md):
// ifupdown2 3.0.0, ifupdown-ng 0.11.3 and busybox 1.35 ifup, plus Debian's installed ifupdown 0.8.41
// for comparison. The three conflict with ifupdown, so they are never installed: their Debian
// packages are downloaded once with `apt-get download` and extracted with `dpkg-deb -x` into
// dialectsDir(), the same layout ../shared/tools/dialect-up.sh uses. Every run happens in a fresh
// network namespace (veth pairs eth0..ethN-1, whose peers ethNp stay in the namespace) and a
// private mount namespace with tmpfs over /etc/network (a copy of the tree), /etc/iproute2 (a copy), /run, /var/tmp and
// /var/lib/dhcp, and a stub DHCP client overlaid on /usr/sbin: nothing of the host is read or written.

// dialect is one program that reads /etc/network/interfaces.
type dialect struct {
	name string // as docs/dialects.md names it
	pkg  string // the Debian package it comes from; "" for the installed ifupdown
}

var (
	dialectIfupdown  = dialect{"ifupdown", ""}
	dialectIfupdown2 = dialect{"ifupdown2", "ifupdown2"}
	dialectNG        = dialect{"ifupdown-ng", "ifupdown-ng"}
	dialectBusybox   = dialect{"busybox", "busybox-static"}
)

// dialectsDir is where the packages are downloaded (dl/) and extracted (one directory per package):
// $IFACEFIX_DIALECTS_DIR, else $TMPDIR/ifupdown-dialects as dialect-up.sh has it.
func dialectsDir() string {
	if d := os.Getenv("IFACEFIX_DIALECTS_DIR"); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), "ifupdown-dialects")
}

var (
	fetchMu sync.Mutex
	fetched = map[string]error{}
)

// needDialect skips the test unless the dialect can run here (root, ip, unshare, timeout, and
// python3 for ifupdown2), fetching its package on first use, and returns the package's
// extracted root ("" for the installed ifupdown).
func needDialect(t testing.TB, d dialect) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the dialect harness needs root (network and mount namespaces)")
	}
	needTool(t, "ip", "unshare", "timeout")
	switch d {
	case dialectIfupdown:
		needTool(t, "ifup")
		return ""
	case dialectIfupdown2:
		if _, err := os.Stat("/usr/bin/python3"); err != nil {
			t.Skip("ifupdown2 needs /usr/bin/python3 (apt-get install -y python3)")
		}
	}
	fetchMu.Lock()
	err, done := fetched[d.pkg]
	if !done {
		err = fetchPackage(d.pkg)
		fetched[d.pkg] = err
	}
	fetchMu.Unlock()
	if err != nil {
		t.Skipf("%s is not available: %v", d.name, err)
	}
	return filepath.Join(dialectsDir(), d.pkg)
}

// fetchPackage downloads and extracts pkg into dialectsDir()/pkg unless it is there already. The
// directory appears only complete (extracted elsewhere, then renamed).
func fetchPackage(pkg string) error {
	dir := dialectsDir()
	dest := filepath.Join(dir, pkg)
	if fi, err := os.Stat(dest); err == nil && fi.IsDir() {
		return nil
	}
	for _, tool := range []string{"apt-get", "dpkg-deb"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s is not installed", tool)
		}
	}
	dl := filepath.Join(dir, "dl")
	if err := os.MkdirAll(dl, 0o755); err != nil {
		return err
	}
	debs, _ := filepath.Glob(filepath.Join(dl, pkg+"_*.deb"))
	if len(debs) == 0 {
		cmd := exec.Command("apt-get", "download", "-q", pkg)
		cmd.Dir = dl
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("apt-get download %s: %v\n%s", pkg, err, out)
		}
		debs, _ = filepath.Glob(filepath.Join(dl, pkg+"_*.deb"))
		if len(debs) == 0 {
			return fmt.Errorf("apt-get download %s left no .deb in %s", pkg, dl)
		}
	}
	tmp, err := os.MkdirTemp(dir, pkg+".tmp-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if out, err := exec.Command("dpkg-deb", "-x", debs[len(debs)-1], tmp).CombinedOutput(); err != nil {
		return fmt.Errorf("dpkg-deb -x %s: %v\n%s", debs[len(debs)-1], err, out)
	}
	if pkg == "ifupdown2" {
		// dialect-up.sh runs these links (ifupdown2 picks its command by argv[0]); the harness
		// itself uses a launcher, but keeps the layout the script expects.
		if err := os.MkdirAll(filepath.Join(tmp, "bin"), 0o755); err != nil {
			return err
		}
		for _, c := range []string{"ifup", "ifdown", "ifquery", "ifreload"} {
			if err := os.Symlink("../usr/share/ifupdown2/__main__.py", filepath.Join(tmp, "bin", c)); err != nil {
				return err
			}
		}
	}
	if err := os.Rename(tmp, dest); err != nil {
		if fi, err2 := os.Stat(dest); err2 == nil && fi.IsDir() {
			return nil // another process extracted it first
		}
		return err
	}
	return nil
}

// ifupdown2Launcher runs ifupdown2's own main() as the command named by its first argument, which
// is how ifupdown2 picks ifup, ifquery or ifreload (argv[0]). --all lets ifquery print every
// stanza, not only auto ones (ifquery has no option for that); --squash makes it merge the
// stanzas of one interface as ifup and ifreload do (ifquery turns that off). --state FILE prints
// the interface names in ifupdown2's pickled state file.
const ifupdown2Launcher = `import pickle, sys
args = sys.argv[1:]
if args[0] == "--state":
    import ifupdown2.ifupdown.iface
    names = []
    with open(args[1], "rb") as f:
        while True:
            try:
                o = pickle.load(f)
            except EOFError:
                break
            if o.name not in names:
                names.append(o.name)
    print("\n".join(names))
    sys.exit(0)
import ifupdown2.__main__ as main
import ifupdown2.ifupdown.ifupdownmain as m
while args[0].startswith("--"):
    opt = args.pop(0)
    if opt == "--all":
        m.ifupdownMain._iface_whitelisted = lambda self, *a: True
    elif opt == "--squash":
        read = m.ifupdownMain.read_iface_config
        def squashed(self, *a, **k):
            self._ifaceobj_squash_internal = True
            return read(self, *a, **k)
        m.ifupdownMain.read_iface_config = squashed
sys.argv = args
sys.exit(main.main())
`

// nsScript prepares the private mount namespace and runs "$@" with a clean environment.
// $1 is the work directory: etc/ (becomes /etc/network), stub/ (overlaid on /usr/sbin), and the
// outputs rc, stdout, stderr and the state files the dialects write.
const nsScript = `set -e
w=$1; shift
mount -t tmpfs ifacefix-etc /etc/network
# The tree's entries are created in an order that makes the tmpfs list every directory sorted by
# name (it lists newest first, or in creation order: probed here), so that what lists a directory
# in its own order (Python's glob, readdir) sees it as ifacefix does, sorted.
mkdir /etc/network/.probe && touch /etc/network/.probe/a /etc/network/.probe/b
order="$w/order-newest-first"
if [ "$(ls -U /etc/network/.probe | head -n 1)" = a ]; then order="$w/order-oldest-first"; fi
rm -r /etc/network/.probe
(cd "$w/etc" && xargs -0r -a "$order" sh -c 'for p; do if [ -d "$p" ] && [ ! -L "$p" ]; then mkdir -m "$(stat -c %a "$p")" "/etc/network/$p"; else cp -P --preserve=all "$p" "/etc/network/$p"; fi; done' sh)
mkdir -p /etc/network/if-pre-up.d /etc/network/if-up.d /etc/network/if-down.d /etc/network/if-post-down.d
mount -t tmpfs ifacefix-run /run
mkdir -p /run/network
mount -t tmpfs ifacefix-vartmp /var/tmp
if [ -d /var/lib/dhcp ]; then mount -t tmpfs ifacefix-dhcp /var/lib/dhcp; fi
# ifupdown2's vrf module writes its table map under /etc/iproute2: a private copy takes it.
if [ -d /etc/iproute2 ]; then
	mkdir "$w/iproute2" && cp -a /etc/iproute2/. "$w/iproute2/"
	mount -t tmpfs ifacefix-iproute2 /etc/iproute2 && cp -a "$w/iproute2/." /etc/iproute2/
fi
mount -t overlay ifacefix-sbin -o "lowerdir=$w/stub:/usr/sbin" /usr/sbin
cd /etc/network
set +e
timeout -s KILL 60 env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C "$@" >"$w/stdout" 2>"$w/stderr"
echo $? >"$w/rc"
if [ -f /run/network/ifstate ]; then cp /run/network/ifstate "$w/state-ifupdown"; fi
if [ -f /run/ifstate ]; then cp /run/ifstate "$w/state-run"; fi
if [ -f /var/tmp/network/ifstatenew ]; then cp /var/tmp/network/ifstatenew "$w/state-ifupdown2"; fi
exit 0
`

// creationOrder lists the entries below dir, NUL-separated, as "./name" paths in the order to
// create them so that a file system listing a directory in creation order (newestFirst false)
// or newest first lists each one sorted by name: a directory comes before what it holds.
func creationOrder(t testing.TB, dir string, newestFirst bool) []byte {
	t.Helper()
	var out []byte
	var walk func(rel string)
	walk = func(rel string) {
		ents, err := os.ReadDir(filepath.Join(dir, rel)) // sorted by name
		if err != nil {
			t.Fatal(err)
		}
		if newestFirst {
			slices.Reverse(ents)
		}
		for _, e := range ents {
			p := rel + "/" + e.Name()
			out = append(append(out, p...), 0)
			if e.IsDir() {
				walk(p)
			}
		}
	}
	walk(".")
	return out
}

// dhcpStub stands in for dhclient and udhcpc: it "leases" 192.0.2.10/24 without a router to the
// interface named by its last argument, and succeeds.
const dhcpStub = `#!/bin/sh
for a; do :; done
ip addr add 192.0.2.10/24 dev "$a" 2>/dev/null
exit 0
`

var dialectNSCount atomic.Int64

// newDialectNS creates the namespace ifacefix-dl-PID-N with lo up and veth pairs eth0/eth0p ..
// ethN-1/ethN-1p (both ends inside), and deletes it when the test ends.
func newDialectNS(t testing.TB, veths int) string {
	t.Helper()
	ns := fmt.Sprintf("ifacefix-dl-%d-%d", os.Getpid(), dialectNSCount.Add(1))
	if r := run(t, "/", "ip", "netns", "add", ns); r.code != 0 {
		t.Fatalf("ip netns add %s: %s", ns, r.stderr)
	}
	t.Cleanup(func() {
		if r := run(t, "/", "ip", "netns", "del", ns); r.code != 0 {
			t.Errorf("ip netns del %s: %s", ns, r.stderr)
		}
	})
	must := func(args ...string) {
		if r := run(t, "/", "ip", append([]string{"-n", ns}, args...)...); r.code != 0 {
			t.Fatalf("ip -n %s %s: %s", ns, strings.Join(args, " "), r.stderr)
		}
	}
	must("link", "set", "lo", "up")
	for i := 0; i < veths; i++ {
		must("link", "add", fmt.Sprintf("eth%d", i), "type", "veth", "peer", "name", fmt.Sprintf("eth%dp", i))
		must("link", "set", fmt.Sprintf("eth%dp", i), "up")
	}
	return ns
}

// dialectRun is one command run in its own namespaces.
type dialectRun struct {
	result
	ns   string // the network namespace, deleted when the test ends
	work string // the work directory (state files)
}

// runDialectBuild runs the command line build returns for the run's work directory (which holds
// ifupdown2's launcher) in a fresh network namespace with veths veth pairs and a private mount
// namespace where /etc/network holds the tree's etc/network files (files: in-root paths, as
// materialize takes them). ifupdown2 also gets its package's /etc/network/ifupdown2 unless the
// tree has one.
func runDialectBuild(t testing.TB, d dialect, pkgRoot string, files map[string][]byte, veths int, build func(work string) []string) dialectRun {
	t.Helper()
	r := runDialectOnce(t, d, pkgRoot, files, veths, build)
	// ifupdown2's netlink cache sometimes fails to read the kernel's answer ("error: recv()
	// error: [Errno 22] Invalid argument", in CI and in the differential runs): nothing about the
	// tree; run it again, in a fresh namespace.
	for i := 0; i < 2 && d == dialectIfupdown2 && strings.Contains(r.stderr, "recv() error"); i++ {
		r = runDialectOnce(t, d, pkgRoot, files, veths, build)
	}
	return r
}

// runDialectOnce is one try of runDialectBuild.
func runDialectOnce(t testing.TB, d dialect, pkgRoot string, files map[string][]byte, veths int, build func(work string) []string) dialectRun {
	t.Helper()
	work := t.TempDir()
	if real, err := filepath.EvalSymlinks(work); err == nil {
		for _, hidden := range []string{"/etc/network", "/run", "/var/tmp", "/var/lib/dhcp", "/usr/sbin"} {
			if real == hidden || strings.HasPrefix(real, hidden+"/") {
				t.Fatalf("the test's temporary directory %s is hidden inside the namespace; set TMPDIR elsewhere", real)
			}
		}
	}
	etc := filepath.Join(work, "etc")
	tree := map[string][]byte{}
	for name, data := range files {
		rel, ok := strings.CutPrefix(name, "etc/network/")
		if !ok {
			t.Fatalf("dialect trees hold only etc/network files, not %s", name)
		}
		tree[rel] = data
	}
	materialize(t, etc, tree)
	if d == dialectIfupdown2 {
		if _, err := os.Stat(filepath.Join(etc, "ifupdown2")); os.IsNotExist(err) {
			if out, err := exec.Command("cp", "-a", filepath.Join(pkgRoot, "etc/network/ifupdown2"), etc).CombinedOutput(); err != nil {
				t.Fatalf("copying ifupdown2's configuration: %v\n%s", err, out)
			}
		}
	}
	materialize(t, work, map[string][]byte{"ns.sh": []byte(nsScript), "launcher.py": []byte(ifupdown2Launcher),
		"order-oldest-first": creationOrder(t, etc, false), "order-newest-first": creationOrder(t, etc, true)})
	stub := filepath.Join(work, "stub")
	materialize(t, stub, map[string][]byte{"dhclient": []byte(dhcpStub), "udhcpc": []byte(dhcpStub)})
	for _, s := range []string{"dhclient", "udhcpc"} {
		if err := os.Chmod(filepath.Join(stub, s), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ns := newDialectNS(t, veths)
	args := append([]string{"netns", "exec", ns, "unshare", "-m", "--propagation", "private",
		"/bin/sh", filepath.Join(work, "ns.sh"), work}, build(work)...)
	if r := run(t, "/", "ip", args...); r.code != 0 {
		t.Fatalf("namespace setup failed (exit %d):\n%s%s", r.code, r.stdout, r.stderr)
	}
	rc, err := os.ReadFile(filepath.Join(work, "rc"))
	if err != nil {
		t.Fatalf("%s did not run: %v", d.name, err)
	}
	code, err := strconv.Atoi(strings.TrimSpace(string(rc)))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := os.ReadFile(filepath.Join(work, "stdout"))
	errb, _ := os.ReadFile(filepath.Join(work, "stderr"))
	return dialectRun{result: result{string(out), string(errb), code}, ns: ns, work: work}
}

// ifupdown2Cmd is the command line that runs ifupdown2's prog (ifup, ifquery, ifreload) through
// the launcher, with launcher options (--all, --squash) first.
func ifupdown2Cmd(pkgRoot, work string, prog string, args ...string) []string {
	cmd := []string{"PYTHONPATH=" + filepath.Join(pkgRoot, "usr/share"), "/usr/bin/python3", filepath.Join(work, "launcher.py")}
	for len(args) > 0 && (args[0] == "--all" || args[0] == "--squash") {
		cmd, args = append(cmd, args[0]), args[1:]
	}
	cmd = append(cmd, prog)
	if prog != "ifreload" { // ifreload has no -i: it reads ifupdown2.conf's default_interfaces_configfile
		cmd = append(cmd, "-i", "/etc/network/interfaces")
	}
	return append(cmd, args...)
}

// upCommand is the command line that brings interfaces up with dialect d (args: -a or names).
func upCommand(d dialect, pkgRoot, work string, args ...string) []string {
	switch d {
	case dialectIfupdown:
		return append([]string{"ifup", "-v", "--no-scripts", "-i", "/etc/network/interfaces", "--state-dir=/run/network"}, args...)
	case dialectIfupdown2:
		return ifupdown2Cmd(pkgRoot, work, "ifup", args...)
	case dialectNG:
		return append([]string{filepath.Join(pkgRoot, "sbin/ifup"), "-i", "/etc/network/interfaces", "-S", "/run/ifstate",
			"-E", filepath.Join(pkgRoot, "usr/libexec/ifupdown-ng")}, args...)
	case dialectBusybox:
		return append([]string{filepath.Join(pkgRoot, "bin/busybox"), "ifup", "-v", "-i", "/etc/network/interfaces"}, args...)
	}
	panic("unknown dialect " + d.name)
}

// liveResult is what bringing a tree up left behind.
type liveResult struct {
	dialectRun
	defaults4, defaults6 []string // default routes, whitespace-normalised, sorted
	addrs4, addrs6       []string // "DEV ADDR/LEN", plus " label L" (L != DEV) and " deprecated"; sorted
	up                   []string // the interface names the dialect's state file records as up, sorted
}

// bringUp brings the tree up with dialect d in a fresh namespace with veths veth pairs; args are
// the ifup arguments (-a, or interface names).
func bringUp(t testing.TB, d dialect, files map[string][]byte, veths int, args ...string) liveResult {
	t.Helper()
	root := needDialect(t, d)
	r := runDialectBuild(t, d, root, files, veths, func(work string) []string { return upCommand(d, root, work, args...) })
	lr := liveResult{dialectRun: r}
	lr.defaults4 = defaultRoutes(t, r.ns, "-4")
	lr.defaults6 = defaultRoutes(t, r.ns, "-6")
	lr.addrs4, lr.addrs6 = nsAddrs(t, r.ns)
	lr.up = upNames(t, d, root, r.work)
	t.Logf("%s %s: exit %d\n%s%s\ndefaults %q %q\naddresses %q %q\nup %q", d.name, strings.Join(args, " "),
		r.code, r.stdout, r.stderr, lr.defaults4, lr.defaults6, lr.addrs4, lr.addrs6, lr.up)
	return lr
}

func defaultRoutes(t testing.TB, ns, family string) []string {
	t.Helper()
	r := run(t, "/", "ip", "-n", ns, family, "route", "list", "default")
	if r.code != 0 {
		t.Fatalf("ip route: %s", r.stderr)
	}
	ls := lines(r.stdout)
	for i := range ls {
		ls[i] = strings.TrimSuffix(strings.Join(strings.Fields(ls[i]), " "), " pref medium")
	}
	sort.Strings(ls)
	return ls
}

// nsAddrs lists the namespace's global addresses, IPv4 and IPv6.
func nsAddrs(t testing.TB, ns string) (v4, v6 []string) {
	t.Helper()
	r := run(t, "/", "ip", "-n", ns, "-j", "addr", "show")
	if r.code != 0 {
		t.Fatalf("ip addr: %s", r.stderr)
	}
	var links []struct {
		Ifname   string `json:"ifname"`
		AddrInfo []struct {
			Family     string `json:"family"`
			Local      string `json:"local"`
			Prefixlen  int    `json:"prefixlen"`
			Scope      string `json:"scope"`
			Label      string `json:"label"`
			Deprecated bool   `json:"deprecated"`
		} `json:"addr_info"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &links); err != nil {
		t.Fatalf("ip -j addr: %v\n%s", err, r.stdout)
	}
	for _, l := range links {
		for _, a := range l.AddrInfo {
			if a.Scope != "global" {
				continue
			}
			s := fmt.Sprintf("%s %s/%d", l.Ifname, a.Local, a.Prefixlen)
			if a.Label != "" && a.Label != l.Ifname {
				s += " label " + a.Label
			}
			if a.Deprecated {
				s += " deprecated"
			}
			if a.Family == "inet" {
				v4 = append(v4, s)
			} else {
				v6 = append(v6, s)
			}
		}
	}
	sort.Strings(v4)
	sort.Strings(v6)
	return v4, v6
}

// upNames reads the state file the dialect wrote: ifupdown /run/network/ifstate, ifupdown-ng and
// busybox /run/ifstate ("NAME=..." lines), ifupdown2 its pickled /var/tmp/network/ifstatenew.
func upNames(t testing.TB, d dialect, pkgRoot, work string) []string {
	t.Helper()
	var text string
	switch d {
	case dialectIfupdown2:
		p := filepath.Join(work, "state-ifupdown2")
		if _, err := os.Stat(p); err != nil {
			return nil
		}
		cmd := exec.Command("/usr/bin/python3", filepath.Join(work, "launcher.py"), "--state", p)
		cmd.Env = []string{cleanPATH, "LC_ALL=C", "PYTHONPATH=" + filepath.Join(pkgRoot, "usr/share")}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("reading ifupdown2's state: %v\n%s", err, out)
		}
		text = string(out)
	default:
		name := "state-run"
		if d == dialectIfupdown {
			name = "state-ifupdown"
		}
		data, err := os.ReadFile(filepath.Join(work, name))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		text = string(data)
	}
	var names []string
	for _, l := range lines(text) {
		if n, _, _ := strings.Cut(l, "="); n != "" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// i2Iface is one interface object as ifupdown2's ifquery -o json prints it.
type i2Iface struct {
	Name     string
	Method   string   // addr_method; "" when there is none
	Families []string // addr_family, one per squashed stanza
	Auto     bool
	Options  []string // "KEY VALUE" in ifupdown2's order: keys by first appearance, then values
}

// i2Query selects what queryIfupdown2 prints.
type i2Query int

const (
	i2Auto     i2Query = iota // ifquery -a -o json: the auto interfaces, one object per stanza
	i2All                     // every stanza, auto or not
	i2Squashed                // every interface, its stanzas squashed into one object as ifup sees it
)

// queryIfupdown2 runs ifupdown2's ifquery -a -o json on the tree and decodes its output.
func queryIfupdown2(t testing.TB, files map[string][]byte, q i2Query) ([]i2Iface, dialectRun) {
	t.Helper()
	root := needDialect(t, dialectIfupdown2)
	var opts []string
	switch q {
	case i2All:
		opts = []string{"--all"}
	case i2Squashed:
		opts = []string{"--all", "--squash"}
	}
	r := runDialectBuild(t, dialectIfupdown2, root, files, 1, func(work string) []string {
		return ifupdown2Cmd(root, work, "ifquery", append(opts, "-a", "-o", "json")...)
	})
	if strings.TrimSpace(r.stdout) == "" {
		return nil, r
	}
	ifaces, err := decodeI2(r.stdout)
	if err != nil {
		t.Fatalf("ifupdown2's JSON: %v\n%s", err, r.stdout)
	}
	return ifaces, r
}

// checkIfupdown2 runs ifupdown2's own check, ifup -a -s (syntax check, nothing is changed).
func checkIfupdown2(t testing.TB, files map[string][]byte) dialectRun {
	t.Helper()
	root := needDialect(t, dialectIfupdown2)
	return runDialectBuild(t, dialectIfupdown2, root, files, 1, func(work string) []string {
		return ifupdown2Cmd(root, work, "ifup", "-a", "-s")
	})
}

// decodeI2 decodes ifquery -o json output, keeping the order of the config keys.
func decodeI2(s string) ([]i2Iface, error) {
	var raw []struct {
		Name       string          `json:"name"`
		AddrMethod string          `json:"addr_method"`
		AddrFamily json.RawMessage `json:"addr_family"`
		Auto       bool            `json:"auto"`
		Config     json.RawMessage `json:"config"`
	}
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return nil, err
	}
	var out []i2Iface
	for _, r := range raw {
		fams, err := stringOrList(r.AddrFamily)
		if err != nil {
			return nil, err
		}
		opts, err := orderedOptions(r.Config)
		if err != nil {
			return nil, err
		}
		out = append(out, i2Iface{Name: r.Name, Method: r.AddrMethod, Families: fams, Auto: r.Auto, Options: opts})
	}
	return out, nil
}

// stringOrList decodes a JSON string or list of strings (ifupdown2 prints a one-element list as a
// string); absent is nil.
func stringOrList(m json.RawMessage) ([]string, error) {
	if len(m) == 0 || string(m) == "null" {
		return nil, nil
	}
	var one string
	if err := json.Unmarshal(m, &one); err == nil {
		return []string{one}, nil
	}
	var many []string
	err := json.Unmarshal(m, &many)
	return many, err
}

// orderedOptions flattens a JSON object of strings or string lists into "KEY VALUE" lines in the
// object's order.
func orderedOptions(m json.RawMessage) ([]string, error) {
	if len(m) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(m))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("config is not an object: %s", m)
	}
	var out []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		vals, err := stringOrList(v)
		if err != nil {
			return nil, err
		}
		for _, val := range vals {
			out = append(out, key+" "+val)
		}
	}
	return out, nil
}

// ngIface is one interface as ifupdown-ng's ifparse -A prints it.
type ngIface struct {
	Name     string
	Auto     bool
	Template bool
	Options  []string // "KEY VALUE" in order, including the executors ("use static")
}

// queryNG runs ifupdown-ng's ifparse -A on the tree: every interface it knows, lo included, with
// the package's executors, as on a host (their depend phase adds to each interface's requires).
func queryNG(t testing.TB, files map[string][]byte) ([]ngIface, dialectRun) {
	t.Helper()
	root := needDialect(t, dialectNG)
	r := runDialectBuild(t, dialectNG, root, files, 1, func(string) []string {
		return []string{filepath.Join(root, "sbin/ifparse"), "-i", "/etc/network/interfaces", "-S", "/run/ifstate",
			"-E", filepath.Join(root, "usr/libexec/ifupdown-ng"), "-A"}
	})
	return decodeNG(r.stdout), r
}

// listNG runs ifupdown-ng's ifquery -L (with -a: only the auto interfaces), with the package's
// executors, as ifup runs with them on a host: their depend phase reorders the interfaces.
func listNG(t testing.TB, files map[string][]byte, auto bool) ([]string, dialectRun) {
	t.Helper()
	root := needDialect(t, dialectNG)
	args := []string{filepath.Join(root, "sbin/ifquery"), "-i", "/etc/network/interfaces", "-S", "/run/ifstate",
		"-E", filepath.Join(root, "usr/libexec/ifupdown-ng"), "-L"}
	if auto {
		args = append(args, "-a")
	}
	r := runDialectBuild(t, dialectNG, root, files, 1, func(string) []string { return args })
	return lines(r.stdout), r
}

// decodeNG parses ifparse's "ifupdown" format: blocks of an optional "auto NAME", then "iface NAME"
// or "template NAME", then "  KEY VALUE" lines, ended by a blank line. A value that holds a
// newline continues on lines without the two-space indent.
func decodeNG(s string) []ngIface {
	var out []ngIface
	var cur *ngIface
	auto := false
	for _, l := range strings.Split(s, "\n") {
		switch {
		case cur == nil && strings.HasPrefix(l, "auto "):
			auto = true
		case cur == nil && (strings.HasPrefix(l, "iface ") || strings.HasPrefix(l, "template ")):
			kw, name, _ := strings.Cut(l, " ")
			out = append(out, ngIface{Name: name, Auto: auto, Template: kw == "template"})
			cur, auto = &out[len(out)-1], false
		case cur != nil && l == "":
			cur = nil
		case cur != nil && strings.HasPrefix(l, "  ") && len(l) > 2 && l[2] != ' ':
			cur.Options = append(cur.Options, l[2:])
		case cur != nil && len(cur.Options) > 0:
			cur.Options[len(cur.Options)-1] += "\n" + l
		}
	}
	return out
}

// bbDryRun is busybox ifup -n -v: the commands it would run, one block per interface it was
// asked for (busybox has no query of its own; -n still parses the whole file and checks that
// every stanza has the variables its method needs).
type bbDryRun struct {
	dialectRun
	blocks [][]string
}

// dryRunBusybox runs busybox ifup -n -v on the tree, for -a or for one interface (busybox's ifup
// acts on its first interface argument only).
func dryRunBusybox(t testing.TB, files map[string][]byte, target string) bbDryRun {
	t.Helper()
	root := needDialect(t, dialectBusybox)
	arg := target
	if arg == "" {
		arg = "-a"
	}
	r := runDialectBuild(t, dialectBusybox, root, files, 1, func(string) []string {
		return []string{filepath.Join(root, "bin/busybox"), "ifup", "-n", "-v", "-i", "/etc/network/interfaces", arg}
	})
	res := bbDryRun{dialectRun: r}
	var block []string
	for _, l := range lines(r.stdout) {
		if l == "" {
			res.blocks, block = append(res.blocks, block), nil
			continue
		}
		block = append(block, l)
	}
	if block != nil {
		res.blocks = append(res.blocks, block)
	}
	return res
}

var cidrAddress = regexp.MustCompile(`(?m)^(\s*address\s+)([0-9a-fA-F.:]+)/([0-9]+)\s*$`)

// netmaskForm rewrites "address A/LEN" lines as busybox needs them: "address A" and a netmask line,
// dotted for IPv4 (busybox has no CIDR support: such a stanza fails with "don't have all
// variables"), the prefix length for IPv6.
func netmaskForm(cfg string) string {
	return cidrAddress.ReplaceAllStringFunc(cfg, func(l string) string {
		m := cidrAddress.FindStringSubmatch(l)
		bits, _ := strconv.Atoi(m[3])
		mask := m[3]
		if !strings.Contains(m[2], ":") {
			mask = net.IP(net.CIDRMask(bits, 32)).String()
		}
		return m[1] + m[2] + "\n" + strings.Repeat(" ", 4) + "netmask " + mask
	})
}
