package e2e

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

// Tests of the dialect harness (dialects_helpers_test.go) against the real ifupdown2, ifupdown-ng
// and busybox ifup: each pins down a behaviour docs/dialects.md describes, so a change in a
// program, a package or the harness shows up here first.

// seedFixed is the seed with the alias gateway and metric lines removed (the fix on every dialect).
const seedFixed = `auto eth0 eth0:0 eth0:1 eth0:2
iface eth0 inet static
    address 192.0.2.10/24
    gateway 192.0.2.1

iface eth0:0 inet static
    address 192.0.2.11/24

iface eth0:1 inet static
    address 192.0.2.12/24

iface eth0:2 inet static
    address 192.0.2.13/24
`

func tree(cfg string) map[string][]byte { return map[string][]byte{topFile: []byte(cfg)} }

// wantRun checks an ifup run's exit status and how often a message appears on its stderr.
func wantRun(t *testing.T, r liveResult, code int, msg string, count int) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit %d, want %d\n%s%s", r.code, code, r.stdout, r.stderr)
	}
	if msg != "" && strings.Count(r.stderr, msg) != count {
		t.Errorf("%q appears %d times on stderr, want %d:\n%s", msg, strings.Count(r.stderr, msg), count, r.stderr)
	}
}

var seedAddrs = []string{"eth0 192.0.2.10/24", "eth0 192.0.2.11/24", "eth0 192.0.2.12/24", "eth0 192.0.2.13/24"}

// labelled is seedAddrs with the alias labels ifupdown and busybox give (ip addr add ... label).
var labelled = []string{"eth0 192.0.2.10/24", "eth0 192.0.2.11/24 label eth0:0", "eth0 192.0.2.12/24 label eth0:1",
	"eth0 192.0.2.13/24 label eth0:2"}

func TestDialectSeedLive(t *testing.T) {
	aliases := []string{"eth0", "eth0:0", "eth0:1", "eth0:2"}
	t.Run("ifupdown", func(t *testing.T) {
		r := bringUp(t, dialectIfupdown, tree(seedConfig), 1, "-a")
		wantRun(t, r, 1, "RTNETLINK answers: File exists", 2)
		expect(t, "defaults", r.defaults4, []string{"default via 192.0.2.1 dev eth0 onlink", "default via 192.0.2.254 dev eth0 metric 100 onlink"})
		expect(t, "addresses", r.addrs4, labelled)
		expect(t, "up", r.up, []string{"eth0", "eth0:2", "lo"})
	})
	t.Run("ifupdown2", func(t *testing.T) {
		// One object for eth0; every gateway gets the first metric; "File exists" is dropped.
		r := bringUp(t, dialectIfupdown2, tree(seedConfig), 1, "-a")
		wantRun(t, r, 0, "", 0)
		if r.stderr != "" {
			t.Errorf("ifupdown2 printed:\n%s", r.stderr)
		}
		expect(t, "defaults", r.defaults4, []string{"default via 192.0.2.1 dev eth0 proto kernel metric 100 onlink"})
		expect(t, "addresses", r.addrs4, seedAddrs)
		expect(t, "up", r.up, []string{"eth0"})
	})
	t.Run("ifupdown-ng -a", func(t *testing.T) {
		// "auto eth0 eth0:0 eth0:1 eth0:2" marks only eth0.
		r := bringUp(t, dialectNG, tree(seedConfig), 1, "-a")
		wantRun(t, r, 0, "File exists", 0)
		expect(t, "defaults", r.defaults4, []string{"default via 192.0.2.1 dev eth0 metric 1"})
		expect(t, "addresses", r.addrs4, seedAddrs[:1])
		expect(t, "up", r.up, []string{"eth0", "lo"})
	})
	t.Run("ifupdown-ng names", func(t *testing.T) {
		// Executor failures are printed and ignored (0.11.3).
		r := bringUp(t, dialectNG, tree(seedConfig), 1, aliases...)
		wantRun(t, r, 0, "RTNETLINK answers: File exists", 2)
		expect(t, "defaults", r.defaults4, []string{"default via 192.0.2.1 dev eth0 metric 1", "default via 192.0.2.254 dev eth0 metric 100"})
		expect(t, "addresses", r.addrs4, seedAddrs)
		expect(t, "up", r.up, aliases)
	})
	t.Run("busybox CIDR", func(t *testing.T) {
		// No CIDR support: every stanza lacks %netmask% and nothing is configured.
		r := bringUp(t, dialectBusybox, tree(seedConfig), 1, "-a")
		wantRun(t, r, 1, "don't have all variables for", 4)
		expect(t, "defaults", r.defaults4, nil)
		expect(t, "addresses", r.addrs4, nil)
		expect(t, "up", r.up, nil)
	})
	t.Run("busybox netmask", func(t *testing.T) {
		r := bringUp(t, dialectBusybox, tree(netmaskForm(seedConfig)), 1, "-a")
		wantRun(t, r, 1, "RTNETLINK answers: File exists", 2)
		expect(t, "defaults", r.defaults4, []string{"default via 192.0.2.1 dev eth0", "default via 192.0.2.254 dev eth0 metric 100"})
		expect(t, "addresses", r.addrs4, labelled)
		expect(t, "up", r.up, []string{"eth0", "eth0:2"})
	})
}

func TestDialectSeedFixedLive(t *testing.T) {
	all := []string{"eth0", "eth0:0", "eth0:1", "eth0:2"}
	ngFixed := strings.Replace(seedFixed, "auto eth0 eth0:0 eth0:1 eth0:2\n", "auto eth0\nauto eth0:0\nauto eth0:1\nauto eth0:2\n", 1)
	for _, c := range []struct {
		d        dialect
		cfg      string
		def      string
		addrs    []string
		up       []string
		extraArg []string
	}{
		{dialectIfupdown, seedFixed, "default via 192.0.2.1 dev eth0 onlink", labelled, append([]string{"lo"}, all...), nil},
		{dialectIfupdown2, seedFixed, "default via 192.0.2.1 dev eth0 proto kernel onlink", seedAddrs, []string{"eth0"}, nil},
		// ifupdown-ng needs one auto line per interface to bring the aliases up at all.
		{dialectNG, ngFixed, "default via 192.0.2.1 dev eth0 metric 1", seedAddrs, append([]string{"lo"}, all...), nil},
		{dialectBusybox, netmaskForm(seedFixed), "default via 192.0.2.1 dev eth0", labelled, all, nil},
	} {
		t.Run(c.d.name, func(t *testing.T) {
			r := bringUp(t, c.d, tree(c.cfg), 1, "-a")
			wantRun(t, r, 0, "", 0)
			expect(t, "defaults", r.defaults4, []string{c.def})
			expect(t, "addresses", r.addrs4, c.addrs)
			slices.Sort(c.up)
			expect(t, "up", r.up, c.up)
		})
	}
}

// The two edits that are right for ifupdown 0.8 but harm ifupdown2.
func TestDialectIfupdown2HarmsLive(t *testing.T) {
	t.Run("alias metric left behind", func(t *testing.T) {
		cfg := strings.Replace(seedFixed, "    address 192.0.2.13/24\n", "    address 192.0.2.13/24\n    metric 100\n", 1)
		r := bringUp(t, dialectIfupdown2, tree(cfg), 1, "-a")
		wantRun(t, r, 0, "", 0)
		expect(t, "defaults", r.defaults4, []string{"default via 192.0.2.1 dev eth0 proto kernel metric 100 onlink"})
	})
	t.Run("comment ending in a backslash", func(t *testing.T) {
		const cfg = `auto eth0 eth0:0 eth1
iface eth0 inet static
    address 192.0.2.10/24
    gateway 192.0.2.1

iface eth0:0 inet static
    address 192.0.2.11/24
    # gateway removed by hand, see ticket \

iface eth1 inet static
    address 198.51.100.10/24
`
		r := bringUp(t, dialectIfupdown2, tree(cfg), 2, "-a")
		wantRun(t, r, 0, "", 0)
		expect(t, "addresses", r.addrs4, []string{"eth0 192.0.2.10/24", "eth0 192.0.2.11/24", "eth0 198.51.100.10/24"})
		// busybox joins the comment with the blank line only; ifupdown and ifupdown-ng not at all.
		b := bringUp(t, dialectBusybox, tree(netmaskForm(cfg)), 2, "-a")
		wantRun(t, b, 0, "", 0)
		expect(t, "busybox addresses", b.addrs4, []string{"eth0 192.0.2.10/24", "eth0 192.0.2.11/24 label eth0:0", "eth1 198.51.100.10/24"})
	})
}

func TestDialectGatewayInDHCPLive(t *testing.T) {
	const cfg = "auto eth0\niface eth0 inet dhcp\n    gateway 192.0.2.1\n"
	for _, c := range []struct {
		d        dialect
		defaults []string
	}{
		{dialectIfupdown, nil},
		{dialectIfupdown2, []string{"default via 192.0.2.1 dev eth0 proto kernel onlink"}},
		{dialectNG, []string{"default via 192.0.2.1 dev eth0 metric 1"}},
		{dialectBusybox, nil},
	} {
		t.Run(c.d.name, func(t *testing.T) {
			r := bringUp(t, c.d, tree(cfg), 1, "-a")
			wantRun(t, r, 0, "", 0)
			// the stub DHCP client leased the address, without a router
			expect(t, "addresses", r.addrs4, []string{"eth0 192.0.2.10/24"})
			expect(t, "defaults", r.defaults4, c.defaults)
		})
	}
}

func TestDialectQueries(t *testing.T) {
	t.Run("ifupdown2", func(t *testing.T) {
		ifaces, r := queryIfupdown2(t, tree(seedConfig), i2Auto)
		if r.code != 0 || len(ifaces) != 4 {
			t.Fatalf("ifquery: exit %d, %d objects\n%s%s", r.code, len(ifaces), r.stdout, r.stderr)
		}
		for _, i := range ifaces {
			if i.Name != "eth0" || !i.Auto || i.Method != "static" {
				t.Errorf("alias stanza not renamed to an auto eth0: %+v", i)
			}
		}
		expect(t, "eth0:2's stanza", ifaces[3].Options, []string{"address 192.0.2.13/24", "gateway 192.0.2.254", "metric 100"})
		sq, _ := queryIfupdown2(t, tree(seedConfig), i2Squashed)
		if len(sq) != 1 {
			t.Fatalf("squashed: %d objects, want 1: %+v", len(sq), sq)
		}
		expect(t, "squashed eth0", sq[0].Options, []string{
			"address 192.0.2.10/24", "address 192.0.2.11/24", "address 192.0.2.12/24", "address 192.0.2.13/24",
			"gateway 192.0.2.1", "gateway 192.0.2.1", "gateway 192.0.2.1", "gateway 192.0.2.254", "metric 100"})
		c := checkIfupdown2(t, tree(seedConfig))
		if c.code != 1 || strings.Count(c.stderr, "multiple gateways for inet family") != 3 {
			t.Errorf("ifup -a -s: exit %d\n%s", c.code, c.stderr)
		}
		if c := checkIfupdown2(t, tree(seedFixed)); c.code != 0 || c.stderr != "" {
			t.Errorf("ifup -a -s on the fixed seed: exit %d\n%s", c.code, c.stderr)
		}
		// ifquery -a shows auto interfaces only; the whitelisted query shows the rest too.
		const hotplug = "allow-hotplug eth0\niface eth0 inet dhcp\n"
		if auto, _ := queryIfupdown2(t, tree(hotplug), i2Auto); len(auto) != 0 {
			t.Errorf("ifquery -a printed a non-auto interface: %+v", auto)
		}
		if all, _ := queryIfupdown2(t, tree(hotplug), i2All); len(all) != 1 || all[0].Name != "eth0" || all[0].Method != "dhcp" {
			t.Errorf("every stanza: %+v", all)
		}
	})
	t.Run("ifupdown-ng", func(t *testing.T) {
		ifaces, r := queryNG(t, tree(seedConfig))
		var names []string
		for _, i := range ifaces {
			names = append(names, i.Name)
		}
		expect(t, "interfaces", names, []string{"lo", "eth0", "eth0:0", "eth0:1", "eth0:2"})
		if r.code != 0 || !ifaces[1].Auto || ifaces[2].Auto {
			t.Errorf("exit %d; only lo and eth0 should be auto: %+v", r.code, ifaces)
		}
		expect(t, "eth0:2", ifaces[4].Options, []string{"use link", "use static", "address 192.0.2.13/24", "gateway 192.0.2.254", "metric 100"})
		auto, _ := listNG(t, tree(seedConfig), true)
		expect(t, "ifquery -L -a", auto, []string{"lo", "eth0"})
		// Debian's stock "source /etc/network/interfaces.d/*" is a literal path to ifupdown-ng.
		stock := map[string][]byte{topFile: []byte("source /etc/network/interfaces.d/*\nauto lo\niface lo inet loopback\n"),
			"etc/network/interfaces.d/eth0": []byte("iface eth0 inet dhcp\n")}
		if _, r := queryNG(t, stock); r.code != 1 || !strings.Contains(r.stderr, "could not parse /etc/network/interfaces") {
			t.Errorf("source with a glob: exit %d\n%s", r.code, r.stderr)
		}
	})
	t.Run("busybox", func(t *testing.T) {
		r := dryRunBusybox(t, tree(netmaskForm(seedConfig)), "")
		if r.code != 0 || len(r.blocks) != 4 {
			t.Fatalf("exit %d, %d blocks\n%s%s", r.code, len(r.blocks), r.stdout, r.stderr)
		}
		if !slices.Contains(r.blocks[1], "ip route add default via 192.0.2.1 dev eth0:0") {
			t.Errorf("eth0:0's commands: %q", r.blocks[1])
		}
		one := dryRunBusybox(t, tree(netmaskForm(seedConfig)), "eth0:2")
		if len(one.blocks) != 1 || !slices.Contains(one.blocks[0], "ip route add default via 192.0.2.254 dev eth0:2 metric 100") {
			t.Errorf("ifup -n eth0:2: %q", one.blocks)
		}
		// A repeated option in one stanza is fatal.
		dup := dryRunBusybox(t, tree("auto eth0\niface eth0 inet manual\n    mtu 1500\n    mtu 9000\n"), "")
		if dup.code != 1 || !strings.Contains(dup.stderr, `duplicate option`) {
			t.Errorf("duplicate option: exit %d\n%s", dup.code, dup.stderr)
		}
	})
}

// A comment line ending in a backslash, read by each dialect.
func TestDialectCommentContinuation(t *testing.T) {
	const cfg = `auto eth0
iface eth0 inet manual
    # note \
    mtu 1400
    up echo a\
# not a comment
`
	ifaces, _ := queryIfupdown2(t, tree(cfg), i2Auto)
	if len(ifaces) != 1 {
		t.Fatalf("ifupdown2: %+v", ifaces)
	}
	// every backslash joins: the comment swallows mtu, and the "#" line becomes part of up
	expect(t, "ifupdown2", ifaces[0].Options, []string{"up echo a # not a comment"})
	ng, _ := queryNG(t, tree(cfg))
	// "#" starts a comment anywhere and ends the line, so no continuation
	expect(t, "ifupdown-ng", ng[1].Options, []string{"use link", "mtu 1400", "up echo a"})
	bb := dryRunBusybox(t, tree(cfg), "")
	// the last byte joins the next physical line raw: mtu is swallowed, "# not..." is content
	expect(t, "busybox", bb.blocks[0], []string{"run-parts /etc/network/if-pre-up.d", "echo a# not a comment", "run-parts /etc/network/if-up.d"})
}

var updateProbes = flag.Bool("update-dialect-probes", false,
	"rewrite the ifupdown2, ifupdown-ng and busybox sections of ../testdata/dialects/probes/*.txtar from the real programs")

// probeSections are the output sections of a probe archive; every other file is the input tree.
var probeSections = []string{"ifupdown2", "ifupdown2 squashed", "ifupdown-ng", "busybox netmask-form"}

// TestDialectProbes runs each probe tree of testdata/dialects/probes through ifupdown2 (ifquery of
// every stanza, unsquashed and squashed), ifupdown-ng (ifparse -A) and busybox (ifup -n -v -a on
// the tree with "address A/LEN" rewritten as netmask lines, since busybox refuses every CIDR
// stanza; bb*.txtar are busybox's own probes and run as they are), and compares what they print with the archive's sections: the record
// docs/dialects.md cites. A probe whose comment says "directory order" has its interfaces
// sorted, because the programs read the files of a directory in the order the file system lists them.
func TestDialectProbes(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(repoRoot, "testdata", "dialects", "probes", "*.txtar"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no probes: %v", err)
	}
	for _, d := range []dialect{dialectIfupdown2, dialectNG, dialectBusybox} {
		needDialect(t, d)
	}
	host, _ := os.Hostname()
	for _, p := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(p), ".txtar"), func(t *testing.T) {
			t.Parallel()
			ar, err := txtar.ParseFile(p)
			if err != nil {
				t.Fatal(err)
			}
			files := map[string][]byte{}
			for _, f := range ar.Files {
				if !slices.Contains(probeSections, f.Name) {
					files[f.Name] = f.Data
				}
			}
			got := map[string]string{}
			ifaces, r := queryIfupdown2(t, files, i2All)
			got["ifupdown2"] = renderI2(ifaces, r)
			ifaces, r = queryIfupdown2(t, files, i2Squashed)
			got["ifupdown2 squashed"] = renderI2(ifaces, r)
			ng, r := queryNG(t, files)
			got["ifupdown-ng"] = renderNG(ng, r, host)
			bb := map[string][]byte{}
			for name, data := range files {
				if !strings.HasPrefix(filepath.Base(p), "bb") { // busybox's own probes say what they mean
					data = []byte(netmaskForm(string(data)))
				}
				bb[name] = data
			}
			got["busybox netmask-form"] = renderBB(dryRunBusybox(t, bb, ""))
			if strings.Contains(string(ar.Comment), "directory order") {
				for _, s := range probeSections[:3] {
					got[s] = sortBlocks(got[s])
				}
			}
			if *updateProbes {
				var kept []txtar.File
				for _, f := range ar.Files {
					if !slices.Contains(probeSections, f.Name) {
						kept = append(kept, f)
					}
				}
				for _, s := range probeSections {
					kept = append(kept, txtar.File{Name: s, Data: []byte(got[s])})
				}
				ar.Files = kept
				if err := os.WriteFile(p, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			for _, s := range probeSections {
				want := ""
				for _, f := range ar.Files {
					if f.Name == s {
						want = string(f.Data)
					}
				}
				if got[s] != want {
					t.Errorf("%s printed (-update-dialect-probes to record):\n%s\nwant:\n%s", s, got[s], want)
				}
			}
		})
	}
}

// renderRun is the exit status and stderr of a run, runs of one repeated line folded.
func renderRun(r dialectRun) string {
	var b strings.Builder
	fmt.Fprintf(&b, "exit %d\n", r.code)
	ls := lines(r.stderr)
	for i := 0; i < len(ls); {
		j := i
		for j < len(ls) && ls[j] == ls[i] {
			j++
		}
		if j-i > 1 { // (how often may depend on the Python version: a recursion limit)
			fmt.Fprintf(&b, "! %s (repeated)\n", ls[i])
		} else {
			fmt.Fprintf(&b, "! %s\n", ls[i])
		}
		i = j
	}
	return b.String()
}

// sortBlocks sorts the "iface"/"template" blocks of a rendering, keeping its exit and stderr lines first.
func sortBlocks(s string) string {
	var head []string
	var blocks []string
	for _, l := range lines(s) {
		switch {
		case strings.HasPrefix(l, "iface ") || strings.HasPrefix(l, "template "):
			blocks = append(blocks, l+"\n")
		case len(blocks) > 0:
			blocks[len(blocks)-1] += l + "\n"
		default:
			head = append(head, l+"\n")
		}
	}
	sort.Strings(blocks)
	return strings.Join(head, "") + strings.Join(blocks, "")
}

func renderI2(ifaces []i2Iface, r dialectRun) string {
	var b strings.Builder
	b.WriteString(renderRun(r))
	for _, i := range ifaces {
		method := i.Method
		if method == "" {
			method = "-"
		}
		fmt.Fprintf(&b, "iface %s %s %s", i.Name, strings.Join(i.Families, ","), method)
		if i.Auto {
			b.WriteString(" auto")
		}
		b.WriteString("\n")
		for _, o := range i.Options {
			fmt.Fprintf(&b, "  %q\n", o)
		}
	}
	return b.String()
}

// renderNG prints ifparse's view; the DHCP hostname ifupdown-ng learns from uname is replaced by
// HOSTNAME so the record does not depend on the machine.
func renderNG(ifaces []ngIface, r dialectRun, host string) string {
	var b strings.Builder
	b.WriteString(renderRun(r))
	for _, i := range ifaces {
		kw := "iface"
		if i.Template {
			kw = "template"
		}
		fmt.Fprintf(&b, "%s %s", kw, i.Name)
		if i.Auto {
			b.WriteString(" auto")
		}
		b.WriteString("\n")
		for _, o := range i.Options {
			if host != "" && o == "dhcp-hostname "+host {
				o = "dhcp-hostname HOSTNAME"
			}
			fmt.Fprintf(&b, "  %q\n", o)
		}
	}
	return b.String()
}

func renderBB(r bbDryRun) string {
	var b strings.Builder
	b.WriteString(renderRun(r.dialectRun))
	for n, blk := range r.blocks {
		fmt.Fprintf(&b, "[%d]\n", n+1)
		for _, l := range blk {
			fmt.Fprintf(&b, "  %q\n", l)
		}
	}
	return b.String()
}

// kernelDefault is the default route dialect d leaves for "gateway gw" (and "metric m", "" for
// none) on eth0, as defaultRoutes prints it.
func kernelDefault(d dialect, gw, m string, v6 bool) string {
	if m == "" {
		switch {
		case d == dialectNG:
			m = "1" // the static executor's ${IF_METRIC:-1}
		case v6:
			m = "1024" // the kernel's IPv6 default
		}
	}
	metric := ""
	if m != "" {
		metric = " metric " + m
	}
	switch d {
	case dialectIfupdown:
		return "default via " + gw + " dev eth0" + metric + " onlink"
	case dialectIfupdown2:
		return "default via " + gw + " dev eth0 proto kernel" + metric + " onlink"
	}
	return "default via " + gw + " dev eth0" + metric
}

// TestDialectFixesLive brings each misconfiguration up on every dialect, before and after the
// edit docs/dialects.md prescribes, and checks the edit leaves exactly the primary's default
// route (gateway and metric) with exit status 0 everywhere, while the misconfiguration shows
// where the dialect is hurt by it.
func TestDialectFixesLive(t *testing.T) {
	type before struct {
		code     int
		defaults []string
	}
	for _, c := range []struct {
		name          string
		before, after string
		gw, metric    string
		v6            bool
		hurt          map[dialect]before // what the misconfiguration leaves; others match the fix
	}{
		{
			name: "alias gateway",
			before: `auto eth0
auto eth0:0
iface eth0 inet static
    address 192.0.2.10/24
    gateway 192.0.2.1
    metric 5

iface eth0:0 inet static
    address 192.0.2.11/24
    gateway 192.0.2.1
`,
			after: "-    gateway 192.0.2.1\n", // the alias's gateway: the last line
			gw:    "192.0.2.1", metric: "5",
			hurt: map[dialect]before{
				// a default of its own metric next to the primary's (ifupdown2 gives every gateway
				// the first metric, and drops the EEXIST)
				dialectIfupdown: {0, []string{"default via 192.0.2.1 dev eth0 metric 5 onlink", "default via 192.0.2.1 dev eth0 onlink"}},
				dialectNG:       {0, []string{"default via 192.0.2.1 dev eth0 metric 1", "default via 192.0.2.1 dev eth0 metric 5"}},
				dialectBusybox:  {0, []string{"default via 192.0.2.1 dev eth0", "default via 192.0.2.1 dev eth0 metric 5"}},
			},
		},
		{
			name: "alias metric left behind",
			before: `auto eth0
auto eth0:0
iface eth0 inet static
    address 192.0.2.10/24
    gateway 192.0.2.1

iface eth0:0 inet static
    address 192.0.2.11/24
    metric 100
`,
			after: "-    metric 100\n",
			gw:    "192.0.2.1",
			hurt: map[dialect]before{
				dialectIfupdown2: {0, []string{"default via 192.0.2.1 dev eth0 proto kernel metric 100 onlink"}},
			},
		},
		{
			name: "inet6 alias metric left behind",
			before: `auto eth0
auto eth0:0
iface eth0 inet6 static
    address 2001:db8::10/64
    gateway 2001:db8::1

iface eth0:0 inet6 static
    address 2001:db8::11/64
    metric 100
`,
			after: "-    metric 100\n",
			gw:    "2001:db8::1", v6: true,
			hurt: map[dialect]before{
				dialectIfupdown2: {0, []string{"default via 2001:db8::1 dev eth0 proto kernel metric 100 onlink"}},
				// busybox runs "[[ip route add ::/0 via %gateway% dev %iface%]][[ metric %metric%]]":
				// " metric 100" alone is a command, and it fails
				dialectBusybox: {1, []string{"default via 2001:db8::1 dev eth0 metric 1024"}},
			},
		},
		{
			name: "same-name stanzas with a gateway each",
			before: `auto eth0
iface eth0 inet static
    address 192.0.2.10/24
    gateway 192.0.2.1
    metric 5

iface eth0 inet static
    address 192.0.2.11/24
    gateway 192.0.2.254
    metric 100
`,
			after: "-    gateway 192.0.2.254\n-    metric 100\n",
			gw:    "192.0.2.1", metric: "5",
			hurt: map[dialect]before{
				dialectIfupdown: {0, []string{"default via 192.0.2.1 dev eth0 metric 5 onlink", "default via 192.0.2.254 dev eth0 metric 100 onlink"}},
				// one merged interface; IF_METRIC is the last metric
				dialectNG:      {0, []string{"default via 192.0.2.1 dev eth0 metric 100"}},
				dialectBusybox: {0, []string{"default via 192.0.2.1 dev eth0 metric 5", "default via 192.0.2.254 dev eth0 metric 100"}},
			},
		},
		{
			name: "route command on an alias",
			before: `auto eth0
auto eth0:0
iface eth0 inet static
    address 192.0.2.10/24
    gateway 192.0.2.1

iface eth0:0 inet static
    address 192.0.2.11/24
    up route add default gw 192.0.2.1 dev eth0:0
`,
			after: "-    up route add default gw 192.0.2.1 dev eth0:0\n",
			gw:    "192.0.2.1",
			hurt: map[dialect]before{
				dialectIfupdown: {0, []string{"default via 192.0.2.1 dev eth0 onlink", "default via 192.0.2.1 dev eth0 src 192.0.2.11"}},
				// ifupdown-ng adds the address without the eth0:0 label, route finds no such
				// device, and a failed up command is fatal
				dialectNG:      {1, []string{"default via 192.0.2.1 dev eth0 metric 1"}},
				dialectBusybox: {0, []string{"default via 192.0.2.1 dev eth0", "default via 192.0.2.1 dev eth0 src 192.0.2.11"}},
			},
		},
		{
			name: "inet6 alias gateway",
			before: `auto eth0
auto eth0:0
iface eth0 inet6 static
    address 2001:db8::10/64
    gateway 2001:db8::1
    metric 5

iface eth0:0 inet6 static
    address 2001:db8::11/64
    gateway 2001:db8::2
    metric 5
`,
			after: "-    gateway 2001:db8::2\n-    metric 5\n",
			gw:    "2001:db8::1", metric: "5", v6: true,
			hurt: map[dialect]before{
				// ip -6 route replace: the alias, brought up last, takes the default over
				dialectIfupdown: {0, []string{"default via 2001:db8::2 dev eth0 metric 5 onlink"}},
				// ip route add: the primary's stays, the alias fails with EEXIST
				dialectBusybox: {1, []string{"default via 2001:db8::1 dev eth0 metric 5"}},
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			fixed := removeLines(t, c.before, c.after)
			for _, d := range []dialect{dialectIfupdown, dialectIfupdown2, dialectNG, dialectBusybox} {
				t.Run(d.name, func(t *testing.T) {
					in, out := c.before, fixed
					if d == dialectBusybox {
						in, out = netmaskForm(in), netmaskForm(out)
					}
					want := []string{kernelDefault(d, c.gw, c.metric, c.v6)}
					a := bringUp(t, d, tree(out), 1, "-a")
					got := a.defaults4
					if c.v6 {
						got = a.defaults6
					}
					if a.code != 0 {
						t.Errorf("after the fix: exit %d\n%s", a.code, a.stderr)
					}
					expect(t, "defaults after the fix", got, want)
					b := bringUp(t, d, tree(in), 1, "-a")
					hurt, ok := c.hurt[d]
					if !ok {
						hurt = before{0, want}
					}
					got = b.defaults4
					if c.v6 {
						got = b.defaults6
					}
					if b.code != hurt.code {
						t.Errorf("before the fix: exit %d, want %d\n%s", b.code, hurt.code, b.stderr)
					}
					expect(t, "defaults before the fix", got, hurt.defaults)
				})
			}
		})
	}
}

// removeLines deletes from cfg the last occurrence of each "-LINE\n" in edits.
func removeLines(t *testing.T, cfg, edits string) string {
	t.Helper()
	for _, e := range lines(edits) {
		l, ok := strings.CutPrefix(e, "-")
		if !ok {
			t.Fatalf("bad edit %q", e)
		}
		i := strings.LastIndex(cfg, l+"\n")
		if i < 0 {
			t.Fatalf("%q is not in the configuration", l)
		}
		cfg = cfg[:i] + cfg[i+len(l)+1:]
	}
	return cfg
}
