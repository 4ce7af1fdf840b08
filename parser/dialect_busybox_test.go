package parser

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ifacefix/ifacefix/internal/testcases"
)

// bbSummary renders cfg's stanzas as "NAME FAMILY METHOD: key=value; ..." lines, in order.
func bbSummary(cfg *Config) string {
	var b strings.Builder
	for _, s := range cfg.Stanzas {
		fmt.Fprintf(&b, "%s %s %s:", s.Name, s.Family, s.Method)
		for _, o := range s.Options {
			fmt.Fprintf(&b, " %s=%q", o.Name, o.Value)
		}
		b.WriteString("\n")
	}
	for _, sel := range cfg.Selections {
		fmt.Fprintf(&b, "%s %s\n", sel.Keyword, strings.Join(sel.Names, ","))
	}
	return b.String()
}

func loadBB(t *testing.T, files map[string]string) (*Config, error) {
	t.Helper()
	fsys := fstest.MapFS{}
	for n, d := range files {
		fsys[n] = &fstest.MapFile{Data: []byte(d)}
	}
	return Load(fsys, "/etc/network/interfaces", Options{Dialect: Busybox, WorkDir: "/etc/network"})
}

func TestBusyboxReading(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"comment continues into the next physical line",
			"auto eth0\niface eth0 inet static\n    address 192.0.2.10\n    # note \\\n    gateway 192.0.2.1\n    netmask 255.255.255.0\n",
			"eth0 inet static: address=\"192.0.2.10\" netmask=\"255.255.255.0\"\nauto eth0\n"},
		{"blank line swallowed, next kept",
			"iface eth0 inet static\n    # note \\\n\n    gateway 192.0.2.1\n",
			"eth0 inet static: gateway=\"192.0.2.1\"\n"},
		{"continuation into a comment line, raw",
			"iface eth0 inet manual\n    up echo a\\\n# not a comment\n",
			"eth0 inet manual: up=\"echo a# not a comment\"\n"},
		{"space after the backslash: not continued; trailing blanks kept",
			"iface eth0 inet manual\n    mtu 1400\\ \n    up echo one \\\n        two\n",
			"eth0 inet manual: mtu=\"1400\\\\ \" up=\"echo one         two\"\n"},
		{"same-name stanzas stay separate; aliases their own",
			"iface eth0 inet static\n    address 192.0.2.10\niface eth0:0 inet static\n    address 192.0.2.11\niface eth0 inet6 static\n    address 2001:db8::1\n",
			"eth0 inet static: address=\"192.0.2.10\"\neth0:0 inet static: address=\"192.0.2.11\"\neth0 inet6 static: address=\"2001:db8::1\"\n"},
		{"allow-hotplug and rename are options inside a stanza",
			"iface lo inet loopback\nallow-hotplug eth0\n",
			"lo inet loopback: allow-hotplug=\"eth0\"\n"},
		{"commands may repeat; post-up counts as up",
			"iface eth0 inet manual\n    up a\n    post-up b\n    up c\n    pre-down d\n    down e\n",
			"eth0 inet manual: up=\"a\" post-up=\"b\" up=\"c\" pre-down=\"d\" down=\"e\"\n"},
		{"bare auto adds nothing and ends the stanza",
			"iface eth0 inet manual\nauto\n",
			"eth0 inet manual:\nauto \n"},
		{"link family",
			"iface eth0 link none\n",
			"eth0 link none:\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := ParseBytes("/etc/network/interfaces", []byte(c.in), Options{Dialect: Busybox})
			if err != nil {
				t.Fatal(err)
			}
			checkRoundTrip(t, cfg, map[string][]byte{"/etc/network/interfaces": []byte(c.in)})
			if got := bbSummary(cfg); got != c.want {
				t.Errorf("got\n%swant\n%s", got, c.want)
			}
		})
	}
}

func TestBusyboxRefusals(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"iface eth0 inet static\n    address 192.0.2.10\n    address 192.0.2.11\n", `:3: duplicate option "address"`},
		{"iface eth0 inet static\n    metric 5\n    # c \\\niface eth1 inet static\n    metric 6\n", `:5: duplicate option "metric"`},
		{"iface eth0 inet manual\n    post-up a\n    pre-down b\n    up c\n    down d\n    mtu 1\n    mtu 2\n", `:7: duplicate option "mtu"`},
		{"iface eth0 inet static # upstream\n", `:1: too many parameters "iface"`},
		{"iface eth1 inet static inherits eth0\n", `:1: too many parameters "iface"`},
		{"iface eth0 inet\n", `:1: too few parameters for line "iface"`},
		{"iface eth0 ipx static\n", `:1: unknown address type "ipx"`},
		{"iface eth0 inet6 auto\n", `:1: unknown method "auto"`},
		{"iface eth0 inet static\r\n", `:1: unknown method "static\r"`},
		{"auto eth0\nauto eth1 eth0\n", `:2: interface declared auto twice "auto" (eth0)`},
		{"auto eth0 eth0\n", `:1: interface declared auto twice`},
		{"allow-hotplug eth0\n", `:1: misplaced option "allow-hotplug"`},
		{"auto eth0\n    mtu 9000\n", `:2: misplaced option "mtu"`},
		{"iface eth0 inet static\n    gateway\n", `:2: option with empty value "gateway"`},
		{"mapping eth0\n    script a\n    gateway 1\n", `:3: misplaced option "gateway"`},
		{"source\n", `:1: can't open '(null)'`},
	} {
		_, err := ParseBytes("/etc/network/interfaces", []byte(c.in), Options{Dialect: Busybox})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one containing %q", c.in, err, c.want)
		}
	}
}

func TestBusyboxSource(t *testing.T) {
	// The includer's stanza goes on after the source line; a path is relative to the working
	// directory; a source-directory's dot entries are skipped.
	cfg, err := loadBB(t, map[string]string{
		"etc/network/interfaces":     "iface eth0 inet static\n    address 192.0.2.10\nsource one\n    mtu 9000\nsource-directory d\n",
		"etc/network/one":            "iface eth1 inet manual\n",
		"etc/network/d/a":            "iface eth2 inet manual\n",
		"etc/network/d/.hidden":      "iface eth3 inet manual\n",
		"etc/network/d/b.cfg":        "iface eth4 inet manual\n",
		"etc/network/unused/ignored": "garbage\n",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "eth0 inet static: address=\"192.0.2.10\" mtu=\"9000\"\neth1 inet manual:\neth2 inet manual:\neth4 inet manual:\n"
	if got := bbSummary(cfg); got != want {
		t.Errorf("got\n%swant\n%s", got, want)
	}
	for _, c := range []struct {
		files map[string]string
		want  string
	}{
		{map[string]string{"etc/network/interfaces": "source /etc/network/interfaces.d/*\n"}, `interfaces:1: can't open '/etc/network/interfaces.d/*': No such file or directory`},
		{map[string]string{"etc/network/interfaces": "source-directory nothere\n"}, `interfaces:1: can't open 'nothere'`},
		{map[string]string{"etc/network/interfaces": "source-directory d\n", "etc/network/d/sub/x": ""}, `interfaces:1: d/sub: I/O error`},
		{map[string]string{"etc/network/interfaces": "source one\n", "etc/network/one": "iface eth0 inet static\n  gateway\n"}, `one:2: option with empty value`},
		{map[string]string{"etc/network/interfaces": "source interfaces\n"}, `include cycle`},
		{map[string]string{"etc/network/interfaces": "source one\nsource ./one\n", "etc/network/one": "\n"}, `included a second time`},
	} {
		_, err := loadBB(t, c.files)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one containing %q", c.files, err, c.want)
		}
	}
}

// TestBusyboxRemovalKeepsNeighbours: on every fixture that busybox reads, removing any option's
// logical line leaves every other option as it was (why the dialect has no unsafeRemoval hook).
func TestBusyboxRemovalKeepsNeighbours(t *testing.T) {
	inputs, _ := goldenInputs(t)
	datas := map[string][]byte{}
	for _, in := range inputs {
		datas[in.caseName+":"+in.name] = in.data
	}
	probes, _ := filepath.Glob(filepath.Join(testcases.ModuleRoot(), "testdata/dialects/probes/*.txtar"))
	for _, p := range probes {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, part := range strings.Split(string(b), "\n-- ")[1:] {
			name, body, _ := strings.Cut(part, " --\n")
			if strings.HasPrefix(name, "etc/") {
				datas[filepath.Base(p)+":"+name] = []byte(body)
			}
		}
	}
	checked := 0
	for name, data := range datas {
		cfg, err := ParseBytes("/etc/network/interfaces", data, Options{Dialect: Busybox})
		if err != nil {
			continue
		}
		f := cfg.Files[0]
		for j, s := range cfg.Stanzas {
			for i, o := range s.Options {
				e, err := f.RemoveOption(o)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				out, err := f.Apply([]Edit{e})
				if err != nil {
					t.Fatal(err)
				}
				cfg2, err := ParseBytes("/etc/network/interfaces", out, Options{Dialect: Busybox})
				if err != nil {
					t.Errorf("%s: removing %s %s: %v", name, o.Name, o.Value, err)
					continue
				}
				exp := &Config{Stanzas: slices.Clone(cfg.Stanzas), Selections: cfg.Selections}
				exp.Stanzas[j] = &Stanza{Name: s.Name, Family: s.Family, Method: s.Method, Options: append(s.Options[:i:i], s.Options[i+1:]...)}
				want := bbSummary(exp)
				if got := bbSummary(cfg2); got != want {
					t.Errorf("%s: removing %s %q changed the rest:\n got %s\nwant %s", name, o.Name, o.Value, got, want)
				}
				checked++
			}
		}
	}
	if checked < 50 {
		t.Errorf("only %d removals checked", checked)
	}
}

// FuzzRoundTripBusybox is FuzzRoundTrip for busybox's reading.
func FuzzRoundTripBusybox(f *testing.F) {
	inputs, _ := goldenInputs(f)
	for _, in := range inputs {
		f.Add(in.data)
	}
	f.Add([]byte("iface eth0:0 inet static\r\n  # c \\\n\\"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParseBytes("/etc/network/interfaces", data, Options{Dialect: Busybox})
		if err != nil {
			if _, ok := err.(*Error); !ok || strings.Contains(err.Error(), "internal error") {
				t.Fatalf("error %T %v", err, err)
			}
			return
		}
		checkRoundTrip(t, cfg, map[string][]byte{"/etc/network/interfaces": data})
		for _, s := range cfg.Stanzas {
			for _, o := range s.Options {
				if l := o.L(); l.Kind != Option || l.Keyword != o.Name || l.Rest != o.Value || o.Value == "" {
					t.Fatalf("option %s %q: line %+v", o.Name, o.Value, *l)
				}
			}
		}
	})
}
