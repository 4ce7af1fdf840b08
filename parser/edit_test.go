package parser

import (
	"errors"
	"testing"
)

// TestAppendOption: where an added option goes and when it is refused.
func TestAppendOption(t *testing.T) {
	for _, c := range []struct {
		name, data, value, indent, want string
		unsafe                          bool
	}{
		{"after the last option", "iface eth0 inet static\n  address 192.0.2.10/24\n# after\n", "192.0.2.1", "\t",
			"iface eth0 inet static\n  address 192.0.2.10/24\n  gateway 192.0.2.1\n# after\n", false},
		{"no options: after the iface line, with the given indentation", "iface eth0 inet static\niface eth1 inet dhcp\n", "192.0.2.1", "\t",
			"iface eth0 inet static\n\tgateway 192.0.2.1\niface eth1 inet dhcp\n", false},
		{"CRLF", "iface eth0 inet static\r\n address 192.0.2.10/24\r\n", "192.0.2.1", "",
			"iface eth0 inet static\r\n address 192.0.2.10/24\r\n gateway 192.0.2.1\r\n", false},
		{"no final newline: a whole line before the last", "iface eth0 inet static\n  address 192.0.2.10/24", "192.0.2.1", "",
			"iface eth0 inet static\n  gateway 192.0.2.1\n  address 192.0.2.10/24", false},
		{"no final newline after the iface line", "iface eth0 inet static", "192.0.2.1", "", "", true},
		{"a continued last line at the end of the file", "iface eth0 inet static\n  address 192.0.2.10/24 \\", "192.0.2.1", "", "", true},
		{"a value ending in a backslash", "iface eth0 inet static\n  address 192.0.2.10/24\n", `192.0.2.1\`, "", "", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := ParseBytes("/i", []byte(c.data), Options{})
			if err != nil {
				t.Fatal(err)
			}
			e, err := cfg.Stanzas[0].AppendOption("gateway", c.value, c.indent)
			if c.unsafe {
				if !errors.Is(err, ErrUnsafeEdit) {
					t.Fatalf("err %v, want ErrUnsafeEdit", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			out, err := cfg.Files[0].Apply([]Edit{e})
			if err != nil || string(out) != c.want {
				t.Fatalf("got %q (%v), want %q", out, err, c.want)
			}
		})
	}
}
