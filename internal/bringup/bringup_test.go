package bringup

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ifacefix/ifacefix/parser"
)

// TestHotplugPass: sysvinit runs the hotplug pass only where ifup -a succeeded
// (/etc/init.d/networking: ifup -a && ifup_hotplug); under systemd (Result.Systemd) udev's
// ifup@ brings up the allow-hotplug devices anyway, trying a name that failed in ifup -a again on
// the host as it is by then (retryFailed), and keepFirst merges the attempts: a retry that gets
// further stands; one that gets no further keeps the first failure, with the retry's requests
// added. udev never brings up an alias label.
func TestHotplugPass(t *testing.T) {
	cfg, err := parser.ParseBytes("/etc/network/interfaces", []byte(`auto eth1 eth2 eth0
allow-hotplug eth1 eth2 eth0:1
iface eth1 inet static
    address 198.51.100.10/24
    pre-up ip route add default via 192.0.2.1 dev eth0 onlink
iface eth2 inet static
    address 203.0.113.10/24
    pre-up ip route add default via 198.18.0.1 dev eth2 metric 5
iface eth0 inet static
    address 192.0.2.10/24
iface eth0:1 inet static
    address 192.0.2.11/24
`), parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*parser.Stanza{}
	for _, s := range cfg.Stanzas {
		byName[s.Name] = s
	}
	r := Simulate(cfg, Edits{})
	if st := r.Of(byName["eth1"]); st.Up || len(st.Requests) != 1 {
		t.Errorf("sysvinit: eth1 up %v with %d requests; want down, tried once (ifup -a failed: no hotplug pass)", st.Up, len(st.Requests))
	}
	if st := r.Of(byName["eth0:1"]); st.Phase == Boot {
		t.Errorf("sysvinit: eth0:1 reached at boot (phase %d), though ifup -a failed", st.Phase)
	}
	sd := r.Systemd
	if sd == nil || sd == r {
		t.Fatalf("Systemd: %p, want a boot of its own", sd)
	}
	// eth1: its onlink route fails while eth0's link is down; on udev's retry eth0 is up.
	if st := sd.Of(byName["eth1"]); !st.Up {
		t.Errorf("systemd: eth1 not up after the retry (why %q)", st.Why)
	}
	// eth2: its gateway is on no subnet of eth2, both times: the first failure stands, with
	// both attempts' requests.
	st := sd.Of(byName["eth2"])
	if st.Up || !strings.Contains(st.Why, "pre-up") {
		t.Errorf("systemd: eth2 up %v, why %q; want down at its pre-up command", st.Up, st.Why)
	}
	if len(st.Requests) != 2 || st.Requests[0].Err == nil || st.Requests[1].Err == nil {
		t.Errorf("systemd: eth2 requests %+v; want both attempts', failing", st.Requests)
	}
	if st := sd.Of(byName["eth0:1"]); st.Phase == Boot {
		t.Errorf("systemd: the alias eth0:1 comes up at boot")
	}
}

// TestShellComment: busybox's commands go through /bin/sh -c, where a '#' starts a comment only
// at the start of a word.
func TestShellComment(t *testing.T) {
	for c, want := range map[string]int{
		"ip route add default via 192.0.2.1 # upstream router dev eth0": 35,
		"ip route add default via 192.0.2.1#x dev eth0":                 -1,
		"#all": 0,
		"ip route add default via 192.0.2.1\t# tab dev eth0": 35,
	} {
		if got := shellComment(c); got != want {
			t.Errorf("shellComment(%q) = %d, want %d", c, got, want)
		}
	}
}

// TestHostLink: which mtu and hwaddress values leave the stanza's route to the host, and that a
// request after such a line says so (Request.After).
func TestHostLink(t *testing.T) {
	for _, c := range []struct {
		family, opt string
		host        bool
	}{
		{"inet", "mtu 1500", false},
		{"inet", "mtu 68", true}, // below 1280: IPv6 goes off on the device
		{"inet", "mtu 1280", false},
		{"inet", "mtu 67", true},
		{"inet", "mtu 1501", true},
		{"inet", "mtu 9000", true},
		{"inet", "mtu 1400x", true},
		{"inet6", "mtu 1280", false},
		{"inet6", "mtu 1279", true},
		{"inet", "hwaddress 02:00:00:00:00:01", true},
		{"inet", "txqueuelen 1000", false},
	} {
		addr, gw := "192.0.2.10/24", "192.0.2.1"
		if c.family == "inet6" {
			addr, gw = "2001:db8::10/64", "2001:db8::1"
		}
		cfg, err := parser.ParseBytes("/etc/network/interfaces", []byte("auto eth0\niface eth0 "+c.family+" static\n address "+addr+"\n "+c.opt+"\n gateway "+gw+"\n"), parser.Options{})
		if err != nil {
			t.Fatal(err)
		}
		st := Simulate(cfg, Edits{}).Of(cfg.Stanzas[0])
		if got := st.Link != ""; got != c.host || !st.Up || len(st.Requests) != 1 {
			t.Errorf("%s %s: Link %q, up %v, %d requests; want a host-decided link %v, up, 1 request", c.family, c.opt, st.Link, st.Up, len(st.Requests), c.host)
			continue
		}
		if after := st.Requests[0].After; (after != "") != c.host {
			t.Errorf("%s %s: the gateway's request runs after %q; want it after the link line: %v", c.family, c.opt, after, c.host)
		}
	}
}

// TestNetmaskOverAddressLength: a netmask line wins over the address's own /LEN, as ifup -n
// prints it into ip addr add, where a dotted mask is a prefix length in both families (checked
// with the real ifup -n and ip, live).
func TestNetmaskOverAddressLength(t *testing.T) {
	for _, c := range []struct {
		family, address, netmask, want string
	}{
		{"inet", "192.0.2.10/24", "255.255.0.0", "192.0.2.10/16"},
		{"inet6", "2001:db8::15/64", "48", "2001:db8::15/48"},
		{"inet6", "2001:db8::16/64", "255.255.255.0", "2001:db8::16/24"}, // ip takes a dotted mask as a length (live)
		{"inet6", "2001:db8::16/64", "ffff::", ""},                       // ip -6 addr add refuses it
		{"inet", "192.0.2.10/24", "", "192.0.2.10/24"},
		{"inet", "192.0.2.10/24", "0x10", "192.0.2.10/16"},    // ip reads the netmask as strtoul base 0
		{"inet", "192.0.2.10/24", "255.0.255.0", ""},          // not contiguous: ip refuses it
		{"inet", "192.0.2.10/24", "255.255", "192.0.2.10/16"}, // ip's get_addr_ipv4 takes 1 to 4 parts
		{"inet6", "2001:db8::15/64/8", "", "2001:db8::15/64"}, // get_token: the first two tokens
		{"inet6", "2001:db8::15//64", "", "2001:db8::15/64"},  // strtok drops empty tokens
		{"inet6", "2001:db8::15/129", "", ""},                 // ip -6 refuses it
		{"inet", "/192.0.2.10/24", "", "192.0.2.10/24"},       // strtok skips the leading '/'
		{"inet", "192.0.2.10/33", "", "192.0.2.10/0"},         // compute_v4_mask (live: ifup -n, ip)
		{"inet", "192.0.2.10/ 24x", "", "192.0.2.10/24"},      // sscanf %d
		{"inet", "192.0.2.10/255.0.255.0", "", ""},            // passed as it is; ip refuses it
		{"inet", "192.0.2.10/", "", "192.0.2.10/24"},          // no second token: classful
		{"inet", "2001:db8::15", "24", "2001:db8::15/24"},     // ip addr add without -4 takes it
	} {
		var nm *variable
		if c.netmask != "" {
			nm = &variable{name: "netmask", value: c.netmask}
		}
		p, ok, _ := prefix(c.family, c.address, nm)
		got := ""
		if ok {
			got = p.String()
		}
		if got != c.want {
			t.Errorf("prefix(%s, %s, netmask %q) = %q, want %q", c.family, c.address, c.netmask, got, c.want)
		}
	}
}

// TestV4MaskOracle compares v4Mask with the mask the real ifup -n prints into ip addr add, for
// widths and forms whose C conversions (sscanf %d, a 64-bit shift past 32, inet_pton) a Go
// reading would get wrong. It skips without ifupdown 0.8.
func TestV4MaskOracle(t *testing.T) {
	if _, err := exec.LookPath("ifup"); err != nil {
		t.Skip("no ifup")
	}
	if _, err := exec.LookPath("timeout"); err != nil {
		t.Skip("no timeout")
	}
	dir := t.TempDir()
	addrAdd := regexp.MustCompile(`ip addr add (\S+) `)
	for _, l := range []string{"0", "1", "24", "32", "33", "64", "65", "80", "96", "97", "160", "-2", "-32", "-33",
		"2147483647", "2147483648", "4294967320", "+24", " 24", "24x", "024", "0x18", "24/8", "1.2.3", "255.0.255.0", "", "abc", "-1", "99999999999999999999"} {
		value := "192.0.2.11/" + l
		f := filepath.Join(dir, "interfaces")
		if err := os.WriteFile(f, []byte("iface eth0:0 inet static\n address "+value+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		out, _ := exec.Command("timeout", "-s", "KILL", "20", "env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C",
			"ifup", "-n", "-v", "--no-scripts", "--no-mappings", "--force", "-i", f, "--state-dir="+t.TempDir(), "eth0:0").CombinedOutput()
		m := addrAdd.FindSubmatch(out)
		if m == nil {
			t.Fatalf("%q: no ip addr add in %s", value, out)
		}
		_, real, _ := strings.Cut(string(m[1]), "/")
		got, ok := v4Mask(value)
		switch {
		case l == "-1" || l == "99999999999999999999": // the mask is stack garbage
			if ok {
				t.Errorf("v4Mask(%q) = %q, want it unknown (ifup printed %s)", value, got, real)
			}
		case !ok || got != real:
			t.Errorf("v4Mask(%q) = %q, %v; ifup -n prints the mask %q", value, got, ok, real)
		}
	}
}
