package parser

import (
	"strings"
	"testing"
)

// TestLongNamesCut: ifupdown cuts an iface line's words to 79 bytes, so names that differ only
// after byte 79 name one interface.
func TestLongNamesCut(t *testing.T) {
	base := strings.Repeat("e", 79)
	cfg, err := ParseBytes("/etc/network/interfaces", []byte("iface "+base+"X inet static\n    address 192.0.2.1/24\niface "+base+"Y:0 inet static\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Stanzas) != 2 || cfg.Stanzas[0].Name != base || cfg.Stanzas[1].Name != base {
		t.Fatalf("stanzas %v, want two named %q", cfg.Stanzas, base)
	}
}
