package bringup

import (
	"testing"

	"github.com/ifacefix/ifacefix/parser"
)

func TestScratch(t *testing.T) {
	cfg, err := parser.ParseBytes("/etc/network/interfaces", []byte(`auto eth0:1 bond0:10 enp0s25:2 enp0s25:vip
iface eth0:1 inet static
    address 192.0.2.12/24
    gateway 192.0.2.1
iface eth0:1 inet static
    address	192.0.2.12
iface bond0:10 inet dhcp
	pre-up ip route add default via $(echo 172.16.5.1) dev bond0:10
	up ip route add 10.99.0.0/16 via 172.16.5.1 dev bond0:10 onlink
iface enp0s25:2 inet static
    address 192.0.2.13/24
iface enp0s25:vip inet dhcp
    up ip route add 10.99.0.0/16 via 192.0.2.1
    up ip route replace default via 192.0.2.1 dev enp0s25:vip
`), parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := Simulate(cfg, Edits{})
	for _, st := range cfg.Stanzas {
		x := r.Of(st)
		t.Logf("%s up %v why %q unknown %q", st.Name, x.Up, x.Why, x.Unknown)
	}
	t.Log(r.Boot)
}
