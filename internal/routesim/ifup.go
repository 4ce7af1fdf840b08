package routesim

import (
	"fmt"
	"regexp"
	"strings"
)

// Ifup is what `ifup -n -v --no-scripts NAME` printed for one logical interface name: the
// commands of the link step (VLAN creation, lo) and then, for each stanza of that name in file
// order, its commands.
type Ifup struct {
	Name    string
	Known   bool // false: "unknown interface" or "ignoring unknown interface"
	Link    []string
	Stanzas []Stanza
	// Parent is the VLAN parent (bond0 for bond0.100 and bond0.100:1) that ifup brings up
	// first when it is not up yet, as ifup -n --force prints it; nil if it has no stanza.
	Parent *Ifup
}

// Stanza is one "configuring interface NAME=LOGICAL (FAMILY)" block of ifup -n -v output.
type Stanza struct {
	Family   string
	Commands []string
	// Missing: ifupdown refused the stanza for a missing required option (static without
	// address): it fails without running anything.
	Missing bool
}

// ParseIfup reads the standard error of `ifup -n -v --no-scripts --force NAME`.
//
// ifup -v prints each command line it would run on its own line, so a command whose text
// holds a newline (an option given twice in one stanza is joined with "\n", and %gateway%
// then expands to two lines) comes back as several commands. That is exact for the boot model:
// /bin/sh runs every line of such a command and its status is the last line's, and the later
// lines start with the option's second value (an address or number, which is no command), so
// they fail just as the whole command does.
func ParseIfup(name, stderr string) Ifup {
	u := Ifup{Name: name, Known: true}
	cur := &u // the Ifup the next stanza belongs to
	var st *Stanza
	for _, l := range strings.Split(stderr, "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if msg, ok := strings.CutPrefix(l, "ifup: "); ok {
			switch {
			case strings.HasPrefix(msg, "configuring interface "):
				phys, rest, _ := strings.Cut(strings.TrimPrefix(msg, "configuring interface "), "=")
				fam := ""
				if i := strings.LastIndexByte(rest, '('); i >= 0 {
					fam = strings.TrimSuffix(rest[i+1:], ")")
				}
				switch {
				case phys != physical(name) && u.Parent == nil && len(u.Stanzas) == 0:
					// the VLAN parent, brought up first
					u.Parent = &Ifup{Name: phys, Known: true, Link: u.Link}
					u.Link = nil
					cur = u.Parent
				case phys == physical(name):
					cur = &u
				}
				cur.Stanzas = append(cur.Stanzas, Stanza{Family: fam})
				st = &cur.Stanzas[len(cur.Stanzas)-1]
			case strings.HasPrefix(msg, "missing required configuration variables"):
				if st != nil {
					st.Missing = true
				}
			case strings.HasPrefix(msg, "unknown interface "), strings.HasPrefix(msg, "ignoring unknown interface "):
				u.Known = false
			}
			continue // other messages: parse warnings, "failed to bring up"
		}
		switch {
		case st == nil:
			u.Link = append(u.Link, l)
		case cur != &u && strings.HasPrefix(l, "if test -d /sys/class/net/"):
			u.Link = append(u.Link, l) // the VLAN's own link step follows its parent's stanzas
		default:
			st.Commands = append(st.Commands, l)
		}
	}
	return u
}

// ignoredStatus matches the commands of ifupdown 0.8.41's methods that it runs with a leading
// '-' (failure ignored), which ifup -n -v prints without it: the inet6 loopback's address and
// link lines (lo already has ::1: a failing add would stop nothing), the link step's, and the
// inet6 sysctls (the binary's strings).
var ignoredStatus = regexp.MustCompile(`^(ip addr (add|del) dev \S+ ::1 2>/dev/null|ip link set dev \S+ (up|down) 2>/dev/null|ip link set (up|down) dev \S+ 2>/dev/null|sysctl -q -e -w net\.ipv6\.conf\.\S+\.(use_tempaddr|accept_ra|autoconf)=\S*|if \[ "\$\(cat /sys/class/net/\S+/mtu\)" -lt .*)$`)

// ignoresStatus reports whether ifup goes on whatever command line c returns. A user's up line
// written exactly like one of those is taken so too.
func ignoresStatus(c string) bool { return ignoredStatus.MatchString(strings.TrimSpace(c)) }

// physical is the interface part of NAME or NAME=LOGICAL.
func physical(name string) string {
	p, _, _ := strings.Cut(name, "=")
	return p
}

// Up brings one logical interface up as ifup does: nothing if it is already up; the link step,
// then each stanza in order, stopping at the first command that fails. The name is recorded as
// up only if every stanza succeeded. It returns whether it is up.
func (h *Host) Up(u Ifup) bool {
	if h.up[u.Name] {
		return true
	}
	if !u.Known {
		return false
	}
	if u.Parent != nil && !h.Up(*u.Parent) {
		h.logf("ifup %s: could not bring up parent interface %s", u.Name, u.Parent.Name)
		h.failed(u.Name, "parent "+h.Failed[u.Parent.Name])
		return false
	}
	h.deferJobs = true
	defer func() {
		h.flush()
		h.deferJobs = false
	}()
	h.origin = u.Name + " (link)"
	h.env = map[string]string{"IFACE": u.Name, "LOGICAL": u.Name, "MODE": "start"}
	for _, c := range u.Link {
		h.cmd = c
		if h.Run(c) != 0 && !ignoresStatus(c) {
			h.logf("ifup %s: link step failed", u.Name)
			h.failed(u.Name, h.lastErr)
			return false
		}
	}
	labels := make([]string, len(u.Stanzas))
	for i, s := range u.Stanzas {
		labels[i] = fmt.Sprintf("%s (%s)", u.Name, s.Family)
		if n := h.stanzasOf(u, s.Family); n > 1 {
			labels[i] = fmt.Sprintf("%s (%s #%d)", u.Name, s.Family, i+1)
		}
		for _, c := range s.Commands {
			h.Planned[Step(labels[i], c)] = true
		}
	}
	for i, s := range u.Stanzas {
		h.origin = labels[i]
		h.Attempted[h.origin] = true
		h.env["ADDRFAM"] = s.Family
		if s.Missing {
			h.logf("ifup %s: stanza %d (%s) lacks a required option", u.Name, i+1, s.Family)
			h.failed(u.Name, "missing required configuration variables")
			return false
		}
		for _, c := range s.Commands {
			h.cmd = c
			h.Ran[Step(h.origin, c)] = true
			older := h.pending
			h.pending = nil
			st := h.Run(c)
			for _, job := range older {
				job()
			}
			if st != 0 && !ignoresStatus(c) {
				h.logf("ifup %s: stanza %d (%s) failed; later stanzas are not applied", u.Name, i+1, s.Family)
				h.failed(u.Name, h.lastErr)
				return false
			}
		}
	}
	delete(h.Failed, u.Name)
	h.up[u.Name] = true
	return true
}

// flush runs the background jobs still pending.
func (h *Host) flush() {
	for len(h.pending) > 0 {
		jobs := h.pending
		h.pending = nil
		for _, job := range jobs {
			job()
		}
	}
}

func (h *Host) stanzasOf(u Ifup, family string) int {
	n := 0
	for _, s := range u.Stanzas {
		if s.Family == family {
			n++
		}
	}
	return n
}

// Boot models boot-time bring-up as sysvinit's /etc/init.d/networking does it: `ifup -a` (every
// auto name, in the order of the auto list), then, only if every one of them came up (`ifup -a
// && ifup_hotplug`: a name that failed, or one without a stanza, makes ifup -a exit 1), the
// allow-hotplug names that are not up yet, in their order. It reports whether ifup -a succeeded.
func (h *Host) Boot(auto, hotplug []Ifup) bool {
	ok := true
	for _, u := range auto {
		if !h.Up(u) {
			ok = false
		}
	}
	if !ok {
		return false
	}
	for _, u := range hotplug {
		h.Up(u)
	}
	return true
}

// failed records that the bring-up of name failed with why.
func (h *Host) failed(name, why string) {
	h.Failed[name] = why
	if _, ok := h.FirstFailed[name]; !ok {
		h.FirstFailed[name] = why
	}
}
