package parser

import (
	"strings"
	"testing"
)

// FuzzNGRoundTrip: read as ifupdown-ng, any bytes give an *Error or files that print back byte
// for byte, whose logical lines cover every physical line once, whose options are option lines
// of their segment, and whose segments all belong to a listed interface; never a panic.
func FuzzNGRoundTrip(f *testing.F) {
	inputs, _ := goldenInputs(f)
	for _, in := range inputs {
		f.Add(in.data)
	}
	for _, s := range []string{
		"auto eth0 eth0:0\n    gateway 1.2.3.4 # x\\\niface eth0:0 inet static\\\n  \\#address 1\n",
		"iface eth0 inet dhcp\r\n  mtu 1 \\\r\n  gateway 2\r\n# c \\",
		"up a\\\n\n\\", "auto\n  mtu 1\niface\n", "source\nsource-directory\n", "x\ry\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParseBytes("/etc/network/interfaces", data, Options{Dialect: IfupdownNG})
		if err != nil {
			if strings.Contains(err.Error(), "internal error") {
				t.Fatalf("parser panicked: %v", err)
			}
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error is %T, want *Error", err)
			}
			return
		}
		checkRoundTrip(t, cfg, map[string][]byte{"/etc/network/interfaces": data})
		listed := map[*Stanza]bool{}
		for _, it := range cfg.Interfaces {
			for _, s := range it.Stanzas {
				listed[s] = true
				if s.Name != it.Name {
					t.Fatalf("segment %q listed under %q", s.Name, it.Name)
				}
			}
		}
		for _, s := range cfg.Stanzas {
			if !listed[s] {
				t.Fatalf("segment %s at line %d belongs to no interface", s.Name, s.HeaderLine().Pos())
			}
			for _, o := range s.Options {
				if l := o.L(); l.Kind != Option || l.Keyword != o.Name || !strings.HasPrefix(l.Rest, o.Value) || o.Line < s.Header {
					t.Fatalf("option %s %q: line %+v", o.Name, o.Value, *l)
				}
			}
		}
	})
}

// TestNGLines checks the logical lines of lif_fgetline's corner cases (docs/dialects.md 2.1).
func TestNGLines(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string // texts; "#" for a comment line
	}{
		{"mtu 1500#x\n", []string{"mtu 1500"}},
		{"  # c \\\n  gateway 1\n", []string{"#", "  gateway 1"}},
		{"up echo a\\#b c#d\n", []string{"up echo ab c"}},
		{"up echo one \\\n    two\n", []string{"up echo one two"}},
		{"up a \\\n\nmtu 1\n", []string{"up a ", "mtu 1"}},
		{"mtu 1400 \\\r\n    gateway 1\r\n", []string{"mtu 1400 \n    gateway 1"}},
		{"down a\\b\\\\\n", []string{"down a\\b\\\\"}},
		{"x #c", []string{"x \xff"}},
		{"mtu 1\\", []string{"mtu 1"}},
	} {
		var got []string
		ngLogical(splitLines(c.in), func(g logical) {
			if g.comment {
				got = append(got, "#")
			} else {
				got = append(got, g.text)
			}
		})
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("%q: got %q, want %q", c.in, got, c.want)
		}
	}
}

// TestNGStaleBuffer: a last line without a newline whose word ends the file reads on into the
// stale bytes of lif_interface_file_parse's buffer (checked with the real ifparse -A: the
// second gateway reads "192.0.2.1", the juju corpus file's last dns-sortlist reads "rs", the
// mtu cases "1500" and "h0"); where those bytes were never written, the file is refused.
func TestNGStaleBuffer(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"auto eth0\niface eth0\n    address 192.0.2.10/24\n    gateway 192.0.2.1\n    gateway", "gateway=192.0.2.1"},
		{"iface eth0\ndns-nameservers\ndns-search\ndns-sortlist", "dns-sortlist=rs"},
		{"iface eth0\n    mtu 1500\n    mtu", "mtu=1500"},
		{"iface eth0\n    mtu", "mtu=h0"},
		{"iface eth0\n    mtu 1\nmtu1234567890", "refused"},
	} {
		cfg, err := ParseBytes("/etc/network/interfaces", []byte(c.in), Options{Dialect: IfupdownNG})
		got := "refused"
		if err == nil {
			it := cfg.Interfaces[len(cfg.Interfaces)-1]
			o := it.Opts[len(it.Opts)-1]
			got = o.Name + "=" + o.Value
		}
		if got != c.want {
			t.Errorf("%q: last option %s, want %s (%v)", c.in, got, c.want, err)
		}
	}
}
