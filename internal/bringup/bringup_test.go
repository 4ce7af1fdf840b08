package bringup

import (
	"strings"
	"testing"

	"github.com/ifacefix/ifacefix/parser"
)

// TestHotplugRetry: the hotplug pass tries a name that failed in the auto pass again, on the host
// as it is by then (retryFailed), and keepFirst merges the attempts: a retry that gets further
// stands; one that gets no further keeps the first failure, with the retry's requests added.
func TestHotplugRetry(t *testing.T) {
	cfg, err := parser.ParseBytes("/etc/network/interfaces", []byte(`auto eth0:1 eth0:2 eth0
allow-hotplug eth0:1 eth0:2
iface eth0:1 inet static
    address 192.0.2.11/24
    pre-up ip route add default via 192.0.2.1 dev eth0 onlink
iface eth0:2 inet static
    address 192.0.2.12/24
    pre-up ip route add default via 203.0.113.1 dev eth0 metric 5
iface eth0 inet static
    address 192.0.2.10/24
`), parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*parser.Stanza{}
	for _, s := range cfg.Stanzas {
		byName[s.Name] = s
	}
	r := Simulate(cfg, Edits{})

	// eth0:1: its onlink route fails while eth0's link is down; on the retry eth0 is up.
	if st := r.Of(byName["eth0:1"]); !st.Up {
		t.Errorf("eth0:1: not up after the hotplug retry (why %q)", st.Why)
	}
	// eth0:2: its gateway is on no subnet of eth0, both times: the first failure stands, with
	// both attempts' requests.
	st := r.Of(byName["eth0:2"])
	if st.Up || !strings.Contains(st.Why, "pre-up") {
		t.Errorf("eth0:2: up %v, why %q; want down at its pre-up command", st.Up, st.Why)
	}
	if len(st.Requests) != 2 || st.Requests[0].Err == nil || st.Requests[1].Err == nil {
		t.Errorf("eth0:2: requests %+v; want both attempts', failing", st.Requests)
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
