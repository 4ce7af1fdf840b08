package bringup

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/ifacefix/ifacefix/parser"
)

// TestNGParsedProbes compares NGParsed (the parser's ifupdown-ng reading and ngRead's vars) with
// what the real ifparse -A printed for each probe tree (the "ifupdown-ng" sections of
// testdata/dialects/probes, recorded by e2e's TestDialectProbes): the parse fails exactly where
// ifparse's did, and every interface prints the same.
func TestNGParsedProbes(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("..", "..", "testdata", "dialects", "probes", "*.txtar"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no probes: %v", err)
	}
	for _, p := range paths {
		ar, err := txtar.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		fsys := fstest.MapFS{}
		want := ""
		for _, f := range ar.Files {
			switch {
			case f.Name == "ifupdown-ng":
				want = string(f.Data)
			case strings.HasPrefix(f.Name, "etc/"):
				fsys[f.Name] = &fstest.MapFile{Data: f.Data}
			}
		}
		name := strings.TrimSuffix(filepath.Base(p), ".txtar")
		t.Run(name, func(t *testing.T) {
			if want == "" {
				t.Skip("no ifupdown-ng section")
			}
			exit, rest, _ := strings.Cut(want, "\n")
			cfg, err := parser.Load(fsys, "/etc/network/interfaces", parser.Options{Dialect: parser.IfupdownNG, WorkDir: "/etc/network"})
			if exit == "exit 1" {
				if err == nil {
					t.Fatalf("ifparse could not parse it; the parser read it")
				}
				return
			}
			if err != nil && strings.Contains(err.Error(), "ifacefix cannot") {
				t.Skipf("refused on purpose: %v", err)
			}
			if err != nil {
				t.Fatalf("ifparse read it; the parser: %v", err)
			}
			var b strings.Builder
			for _, ni := range NGParsed(cfg) {
				b.WriteString(ni.Header + "\n")
				for _, l := range ni.Lines {
					fmt.Fprintf(&b, "  %q\n", l)
				}
			}
			var keep []string
			for _, l := range strings.SplitAfter(rest, "\n") {
				if !strings.HasPrefix(l, "! ") && l != "" {
					keep = append(keep, l)
				}
			}
			got, exp := b.String(), strings.Join(keep, "")
			if strings.Contains(string(ar.Comment), "directory order") {
				got, exp = sortedBlocks(got), sortedBlocks(exp)
			}
			if got != exp {
				t.Errorf("got:\n%s\nifparse -A printed:\n%s", got, exp)
			}
		})
	}
}

// sortedBlocks sorts the interface blocks of a rendering (for trees read in directory order).
func sortedBlocks(s string) string {
	var blocks []string
	for _, l := range strings.SplitAfter(s, "\n") {
		if !strings.HasPrefix(l, " ") || len(blocks) == 0 {
			blocks = append(blocks, l)
			continue
		}
		blocks[len(blocks)-1] += l
	}
	sort.Strings(blocks)
	return strings.Join(slices.Compact(blocks), "")
}

// TestSimulateNG checks the ifupdown-ng model on the cases docs/dialects.md sections 0, 2.8 and
// 5 record from the real program (and e2e's TestDialectNGLive compares with it live).
func TestSimulateNG(t *testing.T) {
	for _, c := range []struct {
		name, cfg string
		boot      []string // default routes after boot, "GW/METRIC"
		fail      bool     // an auto interface fails at boot
	}{
		{"seed: auto takes its first name", "auto eth0 eth0:0 eth0:1 eth0:2\niface eth0 inet static\n address 192.0.2.10/24\n gateway 192.0.2.1\n" +
			"iface eth0:0 inet static\n address 192.0.2.11/24\n gateway 192.0.2.1\niface eth0:2 inet static\n address 192.0.2.13/24\n gateway 192.0.2.254\n metric 100\n",
			[]string{"192.0.2.1/1"}, false},
		{"EEXIST printed, interface up", "auto eth0\nauto eth0:0\niface eth0 inet static\n address 192.0.2.10/24\n gateway 192.0.2.1\n" +
			"iface eth0:0 inet static\n address 192.0.2.11/24\n gateway 192.0.2.1\n",
			[]string{"192.0.2.1/1"}, false},
		{"merged stanzas: the last metric", "auto eth0\niface eth0 inet static\n address 192.0.2.10/24\n gateway 192.0.2.1\n metric 5\n" +
			"iface eth0 inet static\n address 192.0.2.11/24\n gateway 192.0.2.254\n metric 100\n",
			[]string{"192.0.2.1/100"}, false},
		{"gateway in inet dhcp", "auto eth0\niface eth0 inet dhcp\n gateway 192.0.2.1\n", []string{"192.0.2.1/1"}, false},
		{"route dev eth0:0 fails, -a stops", "auto eth0:0\nauto eth1\niface eth0:0 inet static\n address 192.0.2.11/24\n up route add default gw 192.0.2.1 dev eth0:0\n" +
			"iface eth1 inet static\n address 198.51.100.10/24\n gateway 198.51.100.1\n", nil, true},
		{"requires loop", "auto a\niface a\n requires b\n address 192.0.2.10/24\n gateway 192.0.2.1\niface b\n requires a\n", []string{"192.0.2.1/1"}, false},
	} {
		cfg, err := parser.ParseBytes("/etc/network/interfaces", []byte(c.cfg), parser.Options{Dialect: parser.IfupdownNG})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		r := Simulate(cfg, Edits{})
		var got []string
		for _, rt := range r.Boot {
			got = append(got, fmt.Sprintf("%s/%d", rt.Gateway, rt.Metric))
		}
		fail := false
		for _, st := range r.Stanzas {
			fail = fail || st.Phase == Boot && !st.Up
		}
		if !slices.Equal(got, c.boot) || fail != c.fail {
			t.Errorf("%s: boot routes %q, failure %v; want %q, %v", c.name, got, fail, c.boot, c.fail)
		}
	}
}
