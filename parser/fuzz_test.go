package parser

import (
	"strings"
	"testing"
)

// FuzzRoundTrip: any bytes either give an error or parse into files that print back byte for
// byte; the lossless line model holds even for invalid input; never a panic (a recovered panic
// shows up as an "internal error").
func FuzzRoundTrip(f *testing.F) {
	inputs, _ := goldenInputs(f)
	for _, in := range inputs {
		f.Add(in.data)
	}
	f.Add([]byte("iface eth0:0 inet static\r\n  gateway 1\\\r\n\\"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkLossless(t, "fuzz", data)
		cfg, err := ParseBytes("/etc/network/interfaces", data, Options{})
		if err != nil {
			if strings.Contains(err.Error(), "internal error") {
				t.Fatalf("parser panicked: %v", err)
			}
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error is %T, want *Error", err)
			}
			return
		}
		if len(cfg.Files) != 1 {
			t.Fatalf("ParseBytes gave %d files", len(cfg.Files))
		}
		checkRoundTrip(t, cfg, map[string][]byte{"/etc/network/interfaces": data})
		for _, s := range cfg.Stanzas {
			if s.File != cfg.Files[0] || s.HeaderLine().Kind != Iface {
				t.Fatalf("stanza %s: bad header", s.Name)
			}
			for _, o := range s.Options {
				if l := o.L(); l.Kind != Option || l.Keyword != o.Name || l.Rest != o.Value || o.Value == "" {
					t.Fatalf("option %s %q: line %+v", o.Name, o.Value, *l)
				}
			}
		}
	})
}
