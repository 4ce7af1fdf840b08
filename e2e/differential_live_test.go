package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ifacefix/ifacefix/internal/routesim"
)

// The live mode of TestDifferential checks the route model against the real kernel: it brings
// sampled trees (before the fix and, when ifacefix changed them, after it) up with the real
// `ifup -a` and, where it succeeded, `ifup -a --allow=hotplug` inside a network namespace it creates (a veth pair for
// every base interface the tree brings up, both ends inside) and a private mount namespace with
// tmpfs over /etc/network and /run, with the dhclient stub in /usr/local/sbin, and compares
// `ip route show table all default` (both families) with what internal/routesim predicts.
// Trees whose commands the sandbox cannot run as a host would (tunnels, PPP, bootp, avahi, or
// shell the model does not read) are skipped and counted.

var liveNS atomic.Int64

func (d *differ) liveCheck(t *testing.T, cands []map[string][]byte, sum *diffSummary) {
	if os.Geteuid() != 0 {
		sum.liveSkips["not root"] += len(cands)
		return
	}
	for _, tool := range []string{"ip", "unshare"} {
		if _, err := exec.LookPath(tool); err != nil {
			sum.liveSkips[tool+" missing"] += len(cands)
			return
		}
	}
	for _, files := range cands {
		d.liveTree(t, files, false, sum)
		d.liveTree(t, files, true, sum)
	}
}

// liveTree compares model and kernel for one tree, fixed first if fixed is set.
func (d *differ) liveTree(t *testing.T, files map[string][]byte, fixed bool, sum *diffSummary) {
	dir := t.TempDir()
	root, state := filepath.Join(dir, "root"), filepath.Join(dir, "state")
	if err := writeTree(root, files); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(state, 0o755); err != nil {
		t.Fatal(err)
	}
	if fixed {
		r, _ := d.ifacefix(root, false, true)
		now, err := readTree(root)
		if err != nil {
			t.Fatal(err)
		}
		same := r.code != 2
		for p, data := range files {
			same = same && string(now[p]) == string(data)
		}
		if same || r.code == 2 {
			return // nothing new to bring up
		}
	}
	q := d.oracle(root, state, "ifquery", "-v", "-l")
	if reason := hostReads(root, q.stderr); reason != "" {
		sum.liveSkips[reason]++
		return
	}
	sd := d.observe(root, state, q, nil)
	links := unionLinks(sd.boot)
	h := routesim.NewHost(links...)
	h.Boot(sd.boot.auto, sd.boot.hot)
	for _, u := range h.Unmodelled {
		switch f := strings.Fields(u + " x"); {
		case f[0] == "dhclient":
			continue // the stub stands in for it; its dynamic route is not compared
		case u == "background job":
			sum.liveSkips["a background job races with ifup"]++
		case f[0] == "ip":
			obj := f[1]
			if obj == "-6" || obj == "-4" {
				obj = f[2]
			}
			sum.liveSkips["the sandbox cannot run it as a host would: ip "+obj]++
		default:
			sum.liveSkips["the sandbox cannot run it as a host would: "+f[0]]++
		}
		return
	}
	var want []string
	for _, r := range h.Defaults() {
		if r.Dynamic == "" {
			want = append(want, r.Key())
		}
	}
	got, out, err := d.realBoot(links, root, state)
	if err != nil {
		sum.liveSkips["namespace setup failed"]++
		t.Errorf("live: %v\n%s", err, out)
		return
	}
	sort.Strings(want)
	sort.Strings(got)
	if slices.Equal(got, want) {
		sum.live["model agrees with the kernel"]++
		return
	}
	sum.live["model DISAGREES with the kernel"]++
	var tree strings.Builder
	for _, p := range sortedPaths(files) {
		fmt.Fprintf(&tree, "-- %s --\n%s", p, files[p])
	}
	t.Errorf("live (fixed=%v): the route model predicts\n  %s\nthe kernel has\n  %s\nmodel log:\n  %s\nifup output:\n%s\ntree:\n%s",
		fixed, strings.Join(want, "\n  "), strings.Join(got, "\n  "), strings.Join(h.Log, "\n  "), out, tree.String())
}

// realBoot brings the tree at root up in a new network namespace and returns its default routes
// as routesim keys, and the ifup output.
func (d *differ) realBoot(links []string, root, state string) ([]string, string, error) {
	ns := fmt.Sprintf("ifxdiff-%d-%d", os.Getpid(), liveNS.Add(1))
	if r := d.xrun("/", 10, "ip", "netns", "add", ns); r.code != 0 {
		return nil, r.stderr, fmt.Errorf("ip netns add %s: exit %d", ns, r.code)
	}
	defer func() {
		if r := d.xrun("/", 10, "ip", "netns", "del", ns); r.code != 0 {
			d.t.Errorf("ip netns del %s: %s", ns, r.stderr)
		}
	}()
	setup := [][]string{{"ip", "-n", ns, "link", "set", "lo", "up"}}
	for i, l := range links {
		peer := fmt.Sprintf("dfp%d", i)
		setup = append(setup, []string{"ip", "-n", ns, "link", "add", l, "type", "veth", "peer", "name", peer},
			[]string{"ip", "-n", ns, "link", "set", peer, "up"})
	}
	for _, c := range setup {
		if r := d.xrun("/", 10, c[0], c[1:]...); r.code != 0 {
			return nil, r.stderr, fmt.Errorf("%s: exit %d", strings.Join(c, " "), r.code)
		}
	}
	// ifupdown runs commands with its own PATH, which starts with /usr/local/sbin: the stub goes
	// there, on a tmpfs of this mount namespace.
	const script = `mount -t tmpfs ifxdiff-etc /etc/network && mount -t tmpfs ifxdiff-run /run && mkdir -p /run/network || exit 99
mount -t tmpfs ifxdiff-bin /usr/local/sbin && cp "$2/dhclient" /usr/local/sbin/ || exit 99
cd "$1" || exit 99
for class in auto hotplug; do
  a=-a; [ $class = hotplug ] && a="-a --allow=hotplug"
  echo "=== ifup $a"
  env -i PATH="/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin" LC_ALL=C timeout -s KILL 60 ifup $a -v --no-scripts --no-mappings -i "$1/etc/network/interfaces" --state-dir="$3" 2>&1
  st=$?
  echo "[exit $st]"
  [ $st = 0 ] || break # /etc/init.d/networking: ifup -a && ifup_hotplug
done
echo "=== inet"; ip -4 route show table all default
echo "=== inet6"; ip -6 route show table all default`
	r := d.xrun("/", 300, "ip", "netns", "exec", ns, "unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", root, d.stub, state)
	if r.code != 0 {
		return nil, r.stdout + r.stderr, fmt.Errorf("live bring-up: exit %d", r.code)
	}
	ifupOut, routes, _ := strings.Cut(r.stdout, "=== inet\n")
	v4, v6, _ := strings.Cut(routes, "=== inet6\n")
	k4, err := routesim.ParseIPRoute(4, v4)
	if err != nil {
		return nil, r.stdout, err
	}
	k6, err := routesim.ParseIPRoute(6, v6)
	if err != nil {
		return nil, r.stdout, err
	}
	return append(k4, k6...), ifupOut, nil
}
