package parser_test

import (
	"fmt"
	"testing/fstest"

	"github.com/ifacefix/ifacefix/parser"
)

// Load reads a configuration and every file it sources, as ifupdown 0.8.41 reads them.
func ExampleLoad() {
	fsys := fstest.MapFS{
		"etc/network/interfaces":          {Data: []byte("source interfaces.d/*\n\nauto eth0\niface eth0 inet static\n    address 192.0.2.10/24\n")},
		"etc/network/interfaces.d/eth0-0": {Data: []byte("iface eth0:0 inet static\n    address 192.0.2.11/24\n    gateway 192.0.2.1\n")},
	}
	cfg, err := parser.Load(fsys, "/etc/network/interfaces", parser.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range cfg.Stanzas {
		fmt.Printf("%s:%d: iface %s %s %s, %d options\n", s.File.Name, s.HeaderLine().Pos(), s.Name, s.Family, s.Method, len(s.Options))
	}
	// Output:
	// /etc/network/interfaces.d/eth0-0:1: iface eth0:0 inet static, 2 options
	// /etc/network/interfaces:4: iface eth0 inet static, 1 options
}

// Edits are whole lines, made by intent; every other byte comes back as it was read (here a
// CRLF file with tabs).
func ExampleFile_Apply() {
	cfg, err := parser.ParseBytes("/etc/network/interfaces", []byte("iface eth0 inet static\r\n\taddress 192.0.2.10/24\r\n"+
		"iface eth0:0 inet static\r\n\taddress 192.0.2.11/24\r\n\tgateway 192.0.2.1\r\n"), parser.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	f := cfg.Files[0]
	primary, alias := cfg.Stanzas[0], cfg.Stanzas[1]
	gw := alias.Options[1]
	add, err := primary.AppendOption(gw.Name, gw.Value, gw.Indent())
	if err != nil {
		fmt.Println(err)
		return
	}
	rm, _ := f.RemoveOption(gw)
	out, _ := f.Apply([]parser.Edit{rm, add})
	fmt.Printf("%q\n", out)
	// Output:
	// "iface eth0 inet static\r\n\taddress 192.0.2.10/24\r\n\tgateway 192.0.2.1\r\niface eth0:0 inet static\r\n\taddress 192.0.2.11/24\r\n"
}

// A file ifupdown refuses gives its error, with ifupdown's wording.
func ExampleParseBytes_error() {
	_, err := parser.ParseBytes("/etc/network/interfaces", []byte("auto eth0\n    address 192.0.2.10/24\n"), parser.Options{})
	fmt.Println(err)
	// Output:
	// /etc/network/interfaces:2: misplaced option
}
