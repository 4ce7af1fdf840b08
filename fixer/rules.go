package fixer

// Rule identifiers. They are part of the command's contract (JSON output, --explain): never rename.
const (
	AliasGateway      = "alias-gateway"
	DuplicateGateway  = "duplicate-gateway"
	KeepDefaultRoute  = "keep-default-route"
	AliasRouteCommand = "alias-route-command"
	InheritedGateway  = "inherited-gateway"
	CompetingDefaults = "competing-defaults"
	// Findings about the configuration's structure, reported by the parser.
	SourcedFileError   = "sourced-file-error"
	IncludeCycle       = "include-cycle"
	IncludeTwice       = "include-twice"
	IncludeNotFile     = "include-not-file"
	IncludeUnsupported = "include-unsupported"
)

// Rule is one rule: its id, a one-line summary, the --explain text, and what it does. Adding a
// rule means adding one value to Rules (and a golden case).
type Rule struct {
	ID      string // stable: part of the command's contract (JSON output, --explain)
	Summary string // one line
	Doc     string // the --explain text
	// Requires lists the rules whose decisions this one reads; they come earlier in Rules.
	Requires []string
	run      func(*pass)
}

// Rules lists every rule, in the order Fix runs them.
var Rules = []*Rule{
	{ID: AliasGateway, Summary: "gateway in an alias stanza",
		Doc: "An alias stanza (iface eth0:0 ...) copied from the primary often keeps its `gateway` line. Each " +
			"gateway asks ifupdown for one more default route: on ifupdown 0.8 the second `ip route add default` " +
			"fails with 'RTNETLINK answers: File exists', ifup exits 1 and the alias is never recorded as up; " +
			"with a different `metric` it silently adds a competing default; for inet6 the alias's " +
			"`ip -6 route replace` takes the primary's default route over. The alias shares the primary's device, " +
			"so it needs no route of its own. ifacefix removes every `gateway` line of inet and inet6 alias " +
			"stanzas (all physical lines of a continued line). The alias's `metric`, which only applies to the " +
			"gateway route, is left in place: it is inert without a gateway and keeping it keeps the diff minimal.", run: aliasGateways},
	{ID: DuplicateGateway, Summary: "several gateways for one interface and family",
		Doc: "Several `iface eth0 inet static` stanzas (the modern replacement for aliases) that each carry a " +
			"`gateway`, or one stanza with the line repeated, ask for several default routes: the second " +
			"`ip route add default` fails with 'File exists', ifup stops, and the later stanzas of that interface " +
			"are never applied (repeated lines are even joined into one broken shell command). ifacefix keeps " +
			"the first gateway of each interface and family, in ifupdown's reading order, and removes the others.", run: duplicateGateways},
	{ID: KeepDefaultRoute, Summary: "keep a default route when only aliases had one",
		Doc: "If removing alias gateways would leave an interface family with no gateway at all, the host would " +
			"lose its default route. When the primary stanza of the same base name and family is `static`, " +
			"ifacefix moves the first removed gateway, as written, into it (after its last option line, with that " +
			"line's indentation and line ending). When the primary is `dhcp` (or inet6 `auto`), the default route " +
			"comes from DHCP or router advertisements and removal is right. Otherwise (no primary, `manual`, ...) " +
			"the aliases are left untouched and a person must decide.", Requires: []string{AliasGateway}, run: keepDefaultRoute},
	{ID: AliasRouteCommand, Summary: "default-route commands in alias stanzas",
		Doc: "Hand-written `up route add default gw ... dev eth0:N` or `up ip route add default ...` commands " +
			"(and their `down` twins) in alias stanzas produce the classic symptom: several equal-metric default " +
			"routes that differ only in `src`, so outgoing traffic leaves from a random alias address. They are " +
			"always reported. With --strip-route-commands (Ansible: strip_route_commands) ifacefix removes them " +
			"together with their down twins, but only in stanzas where every such command is nothing but a " +
			"main-table default-route command; a line that also does something else is left for a person.", run: routeCommands},
	{ID: InheritedGateway, Summary: "alias inherits a gateway",
		Doc: "`iface eth0:0 inet static inherits eth0` copies the primary's options, gateway included, at parse " +
			"time: the alias asks for a default route without a gateway line of its own. Fixing it means " +
			"changing the template relationship, which needs intent, so ifacefix reports it and changes nothing.", run: inherited},
	{ID: CompetingDefaults, Summary: "competing default routes on different interfaces",
		Doc: "Gateways on different interfaces in the same family with the same metric compete for the default " +
			"route: on ifupdown 0.8 whichever comes up second fails with 'File exists'. Which one should win is " +
			"a design decision (give one a `metric`), so ifacefix only warns.", Requires: []string{AliasGateway, DuplicateGateway, KeepDefaultRoute}, run: competing},
	{ID: SourcedFileError, Summary: "error in a sourced file",
		Doc: "ifupdown reports an error in a file reached by `source` or `source-directory` as a warning and " +
			"ignores the rest of that file: the stanzas after the error are silently not configured. ifacefix " +
			"reports it and does not edit the ignored part.", run: structural},
	{ID: IncludeCycle, Summary: "include cycle",
		Doc: "A file sources itself, directly or through others. ifupdown reads each path string once, so a cycle " +
			"back to the very path a file was read by ends there: ifacefix does the same and reports it. A cycle " +
			"through another spelling (`source ./loop`) makes ifupdown read the file again and again, repeating " +
			"its stanzas: ifacefix refuses such a configuration with an error at the source line (exit 2).", run: structural},
	{ID: IncludeTwice, Summary: "file included twice",
		Doc: "One file is reached under two different paths (two symlinks, or a glob and an explicit source): " +
			"ifupdown reads it twice and applies its stanzas twice, so its gateways ask for their default routes " +
			"twice. ifacefix checks and fixes the file once and reports it: include it once.", run: structural},
	{ID: IncludeNotFile, Summary: "include names a directory",
		Doc: "A `source` pattern matched a directory; ifupdown warns and skips it. Usually a glob that is too wide.", run: structural},
	{ID: IncludeUnsupported, Summary: "include uses shell expansion",
		Doc: "A `source` line uses `$`, a backquote or `~`: ifupdown expands it with the shell at boot, with an " +
			"environment ifacefix cannot know, so that line is not followed and the files it names are not checked.", run: structural},
}

// Lookup returns the rule with that id.
func Lookup(id string) (*Rule, bool) {
	for _, r := range Rules {
		if r.ID == id {
			return r, true
		}
	}
	return nil, false
}
