package routecmd

import (
	"slices"
	"strconv"
	"strings"
)

// Tables built into iproute2 (lib/rt_names.c) plus Debian's /etc/iproute2/rt_tables ("unspec").
// A name outside this list is resolved from rt_tables by ip at run time (or rejected): Op.Table
// is then 0 and Op.TableName keeps the name.
var tableNames = map[string]uint32{"default": 253, "main": 254, "local": 255, "unspec": 0}

const mainTable = 254

// Op is one route operation as the tool sends it to the kernel, with the tool's defaults
// filled in.
type Op struct {
	Argv   []string // the command's words after expansion
	Tool   string   // "ip" (iproute2) or "route" (net-tools)
	Action string   // add, change, replace, prepend, append, test, delete (see kernel.go)
	Family string   // inet or inet6 (ip also knows link, mpls, bridge)
	// EitherFamily: ip would take the family from an address known only at run time (ip route
	// add default via $GW); Family is then inet, ip's default, but may be inet6.
	EitherFamily bool

	Dst     string // destination prefix, e.g. "0.0.0.0/0", "::/0", "192.0.2.0/24"
	Default bool   // Dst has prefix length 0
	Type    string // unicast, blackhole, unreachable, prohibit, throw, local, ...

	Table     uint32 // kernel table id; 254 is main (table 0 also means main to the kernel)
	TableName string // an rt_tables name this package does not know (Table is then 0)

	Gateway string // "" when none
	Dev     string // the device word as written (eth0:0)
	Link    string // the device the kernel uses: Dev without the alias label
	// LabelSrc: net-tools IPv4 with an alias label (dev eth0:0): the kernel sets the route's
	// prefsrc to the first address with that label (rtentry_to_fib_config) or fails with ENODEV.
	LabelSrc bool

	// Metric the kernel stores for an add (ip: 0 for IPv4, 1024 for IPv6, where 0 also means
	// 1024; route: 0 for IPv4, 1 for IPv6), or the metric a delete must match (AnyMetric: any).
	Metric    uint32
	AnyMetric bool

	Src    string // preferred source (ip src), "" when none
	Onlink bool
	Proto  string // boot for adds by both tools; "" for a delete that matches any protocol
	Extra  []string
	// Multipath: nexthop or nhid; the gateways are not modeled.
	Multipath bool

	Err     string // the tool (or the kernel, for these arguments alone) rejects it: nothing changes
	Refused bool   // not a route change, and one its tool knows no command for (`ip route \`): it fails
	Flush   bool   // not a route change: ip route flush, which removes routes by selectors not modeled
	Unknown string // a value known only at run time (a host name to resolve): the op is incomplete

	Conditional bool // runs only depending on an earlier command's status (after && or ||)
	Background  bool // run with &
}

// unknownWord stands for a word whose value is known only at run time.
const unknownWord = "\x00"

// markUnknown records that the words in src (as written) were unknown: they become "?" in the
// fields and keep their spelling in Argv.
func (o *Op) markUnknown(src []string) {
	o.Unknown = strings.Join(src, " ") + " known only at run time"
	o.Err = ""
	q := func(s string) string { return strings.ReplaceAll(s, unknownWord, "?") }
	o.Gateway, o.Dev, o.Link, o.Src, o.Proto, o.TableName = q(o.Gateway), q(o.Dev), q(o.Link), q(o.Src), q(o.Proto), q(o.TableName)
	for i := range o.Extra {
		o.Extra[i] = q(o.Extra[i])
	}
	argv, n := slices.Clone(o.Argv), 0
	for i, a := range argv {
		if a == unknownWord && n < len(src) {
			argv[i], n = src[n], n+1
		}
	}
	o.Argv = argv
}

// KernelTable is the table the kernel puts the route in: Table, where 0 means main.
func (o Op) KernelTable() uint32 {
	if o.Table == 0 {
		return mainTable
	}
	return o.Table
}

// Main reports whether the operation acts on the main table.
func (o Op) Main() bool { return o.TableName == "" && o.KernelTable() == mainTable }

// HasUnknownWord reports whether a word of the command is known only at run time (it stands as
// unknownWord in Argv), so that any field may be other than parsed.
func (o Op) HasUnknownWord() bool {
	return slices.ContainsFunc(o.Argv, func(w string) bool { return strings.Contains(w, unknownWord) })
}

// matches is iproute2's matches(): arg is a non-empty prefix of word.
func matches(arg, word string) bool { return arg != "" && strings.HasPrefix(word, arg) }

// strtoul parses like C strtoul(s, &end, 0) with the whole string consumed and no overflow
// past max; ok is false otherwise.
func strtoul(s string, max uint64) (uint64, bool) {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	base := 10
	switch {
	case len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X"):
		base, s = 16, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, s = 8, s[1:]
	}
	if s == "" || strings.IndexFunc(s, func(r rune) bool { return !isDigit(r, base) }) >= 0 {
		return 0, false // before ParseUint, whose error allocates (ip reads dotted masks this way first)
	}
	n, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		n = -n
	}
	if n > max {
		return 0, false
	}
	return n, true
}

// isDigit reports whether r is a digit of base 8, 10 or 16.
func isDigit(r rune, base int) bool {
	switch {
	case r >= '0' && r <= '7':
		return true
	case r == '8' || r == '9':
		return base >= 10
	}
	return base == 16 && (r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F')
}

// atoi is C atoi for the digits net-tools accepts (it has checked the first is a digit).
func atoi(s string) uint32 {
	var n uint32
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + uint32(s[i]-'0')
	}
	return n
}

// String is a one-line summary: tool, action, family, destination, then the attributes set.
func (o Op) String() string {
	var b strings.Builder
	b.WriteString(o.Tool + " " + o.Action + " " + o.Family + " " + o.Dst)
	if o.Type != "" && o.Type != "unicast" {
		b.WriteString(" type " + o.Type)
	}
	switch {
	case o.TableName != "":
		b.WriteString(" table " + o.TableName)
	case !o.Main():
		b.WriteString(" table " + strconv.FormatUint(uint64(o.Table), 10))
	}
	add := func(k, v string) {
		if v != "" {
			b.WriteString(" " + k + " " + v)
		}
	}
	add("via", o.Gateway)
	add("dev", o.Dev)
	if o.Link != o.Dev {
		add("link", o.Link)
	}
	if o.LabelSrc {
		b.WriteString(" src-from-label")
	}
	if o.AnyMetric {
		b.WriteString(" metric any")
	} else {
		add("metric", strconv.FormatUint(uint64(o.Metric), 10))
	}
	add("src", o.Src)
	if o.Onlink {
		b.WriteString(" onlink")
	}
	if o.Proto != "" && o.Proto != "boot" {
		add("proto", o.Proto)
	}
	for _, x := range o.Extra {
		b.WriteString(" [" + x + "]")
	}
	if o.Multipath {
		b.WriteString(" multipath")
	}
	add("err:", o.Err)
	add("unknown:", o.Unknown)
	return b.String()
}
