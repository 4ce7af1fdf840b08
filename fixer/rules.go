package fixer

// Rule identifiers. They are part of the command's contract (JSON output, --explain): never rename.
const (
	AliasGateway      = "alias-gateway"
	DuplicateGateway  = "duplicate-gateway"
	KeepDefaultRoute  = "keep-default-route"
	AliasRouteCommand = "alias-route-command"
	AliasMetric       = "alias-metric"
	InheritedGateway  = "inherited-gateway"
	CompetingDefaults = "competing-defaults"
	FailoverGateway   = "failover-gateway"
	DHCPGateway       = "dhcp-gateway"
	AutoOneName       = "auto-one-name"
	// Findings about the configuration's structure, reported by the parser.
	SourcedFileError    = "sourced-file-error"
	IncludeCycle        = "include-cycle"
	IncludeTwice        = "include-twice"
	IncludeNotFile      = "include-not-file"
	IncludeUnsupported  = "include-unsupported"
	IfaceExtraParameter = "iface-extra-parameter"
	DialectError        = "dialect-error"
	TemplateRendered    = "template-rendered"
	MappingScript       = "mapping-script"
)

// Rule is one rule: its id, a one-line summary, the --explain text, and what it does. Adding a
// rule means adding one value to Rules (and a golden case).
type Rule struct {
	ID      string // stable: part of the command's contract (JSON output, --explain)
	Summary string // one line
	Doc     string // the --explain text
	// Note: the rule's findings only say what happens; they never need attention.
	Note bool
	// Requires lists the rules whose decisions this one reads; they come earlier in Rules.
	Requires []string
	run      func(*pass)
}

// routeModel is said once, in every explanation that depends on it.
const routeModel = " ifacefix decides from the default routes the host really gets: it brings the configuration " +
	"up in a model of ifupdown 0.8.41 and the kernel (the boot's order: auto interfaces, then allow-hotplug ones, " +
	"then the others; each stanza's methods and up commands), and makes a change only if, brought up again " +
	"with the change, no interface gets a default route it did not have, none loses the one it had, no more " +
	"routes compete, and no stanza that came up fails."

// Rules lists every rule, in the order Fix runs them.
var Rules = []*Rule{
	{ID: AliasGateway, Summary: "gateway in an alias stanza",
		Doc: "An alias stanza (iface eth0:0 ...) copied from the primary often keeps its `gateway` line. Each " +
			"gateway asks ifupdown for one more default route: on ifupdown 0.8 an `ip route add default` of the same " +
			"metric fails with 'RTNETLINK answers: File exists', ifup exits 1 and the alias is never recorded as up; " +
			"with another `metric` it adds a second default route; for inet6 the alias's `ip -6 route replace` " +
			"takes the primary's default route over. The alias shares the primary's device, so it needs no route " +
			"of its own. ifacefix removes the `gateway` (and `gateway?`) lines of inet and inet6 alias stanzas (all " +
			"physical lines of a continued line), and says for each what it did at bring-up. The one that gives the " +
			"interface its default route, when only an alias had one, is moved instead (keep-default-route). The " +
			"alias's `metric` goes with it (alias-metric)." + routeModel, run: aliasGateways},
	{ID: DuplicateGateway, Summary: "several gateways for one interface and family",
		Doc: "Several `iface eth0 inet static` stanzas (the modern replacement for aliases) that each carry a " +
			"`gateway`, or one stanza with the line repeated, ask for several default routes. A later one of the " +
			"same metric fails with 'File exists': ifup stops there and configures no later stanza of that interface. " +
			"A repeated line is joined to the first with a newline, so ifupdown runs the second value as a command, " +
			"which fails. ifacefix keeps the gateway whose route the host gets and removes these. A later gateway with " +
			"a metric of its own adds a second default route that works: it is kept (failover-gateway). ifupdown2 " +
			"merges the stanzas, gives every gateway the first metric and drops the 'File exists' silently: the later " +
			"gateways add no route, and go with their metric (a gateway in a dhcp stanza is dhcp-gateway)." + routeModel,
		run: duplicateGateways},
	{ID: KeepDefaultRoute, Summary: "keep a default route when only aliases had one",
		Doc: "When the interface's default route comes from an alias's gateway (the primary has none, or one its " +
			"method ignores), removing it would lose the route. ifacefix moves the gateway whose route the interface " +
			"holds once everything is up (of several, the one of the lowest metric; inet6's replace leaves the last), with its metric if the primary has none, into the " +
			"first primary stanza of that family whose method installs a gateway (static) and that comes up, after its " +
			"last option line with that line's indentation and line ending. Both files are written together or not at " +
			"all. Where there is no such primary (manual, dhcp primaries with an alias route of their own, a primary " +
			"without an address, or a move that would also change a stanza that inherits from the primary), the " +
			"alias is left as is and a person must decide." + routeModel, Requires: []string{AliasGateway}, run: keepDefaultRoute},
	{ID: AliasMetric, Summary: "metric of an alias whose gateway goes",
		Doc: "An alias stanza copied from the primary often keeps a `metric` line beside its `gateway`. The metric " +
			"applies only to the gateway's default route, so when ifacefix removes (or moves) the alias's gateway it " +
			"removes the alias's own `metric` lines with it, in static stanzas with no other gateway and no command " +
			"that reads $IF_METRIC. Left behind it does nothing on ifupdown 0.8, but ifupdown2 merges the alias into " +
			"its primary and puts the first metric it finds on the primary's default route, and busybox runs an " +
			"inet6 alias's lone metric as a command, which fails. So read as ifupdown2, an alias's metric left without a " +
			"gateway (by an earlier fix) goes too, unless a command of its stanza reads $IF_METRIC; read as busybox, an " +
			"inet6 alias's lone metric goes (an alias with up commands, which would then run, is left for a person).", Requires: []string{AliasGateway, KeepDefaultRoute}, run: aliasMetrics},
	{ID: AliasRouteCommand, Summary: "default-route commands in alias stanzas",
		Doc: "Hand-written `up route add default gw ... dev eth0:N` or `up ip route add default ...` commands " +
			"(and their `down` twins) in alias stanzas produce the classic symptom: several equal-metric default " +
			"routes that differ only in `src`, so outgoing traffic leaves from a random alias address. Commands are " +
			"read as /bin/sh and the route tools read them (mvdan.cc/sh), and each is reported with what it does at " +
			"bring-up. With --strip-route-commands (Ansible: strip_route_commands) ifacefix removes them together " +
			"with their down twins, but only in stanzas where every such command is nothing but route commands, and " +
			"never the one that gives the interface its only default route; a line that also does something else " +
			"is left for a person, and so is a command an alias inherits (`inherits`): it runs in the alias too, " +
			"but its line is the parent's." + routeModel, run: routeCommands},
	{ID: InheritedGateway, Summary: "alias inherits a gateway",
		Doc: "`iface eth0:0 inet static inherits eth0` copies the primary's options, gateway included, at parse " +
			"time: the alias asks for a default route without a gateway line of its own (a `gateway?` of the parent " +
			"too: it reaches the alias as a gateway). Fixing it means changing the template relationship, which needs " +
			"intent, so ifacefix reports it and changes nothing; where the alias's method ignores gateway (manual, " +
			"dhcp), the finding is a note.",
		run: inherited},
	{ID: CompetingDefaults, Summary: "competing default routes with the same metric",
		Doc: "Gateways on different interfaces in the same family with the same metric compete for the default " +
			"route: on ifupdown 0.8 the `ip route add` of the one that comes up second fails with 'File exists' " +
			"(inet6: its `ip -6 route replace` takes the other's route over). Where both routes are added (route(8) " +
			"or `ip route append` add beside a route of the same metric), also from two stanzas of one interface, " +
			"the kernel keeps both. Which one should win is a design decision (give one a `metric`), so ifacefix " +
			"only warns, after its own fixes.",
		Requires: []string{AliasGateway, DuplicateGateway, KeepDefaultRoute}, run: competing},
	{ID: FailoverGateway, Summary: "a second gateway with a metric of its own", Note: true,
		Doc: "Several stanzas of one interface (not aliases) whose gateways have different metrics each add a " +
			"default route: the kernel uses the lowest metric and falls back to the next one when it goes away. This " +
			"works and may be a deliberate failover, so ifacefix keeps it and only notes it; a note never makes the " +
			"exit status 1.", run: failovers},
	{ID: AutoOneName, Summary: "an auto line with several names (ifupdown-ng takes the first)",
		Doc: "ifupdown-ng's `auto` takes its first name only, and makes that interface the current one: with " +
			"`auto eth0 eth0:0 eth0:1`, ifup -a brings up eth0 alone and the aliases' addresses are missing after " +
			"boot. ifacefix writes one auto line per name where that cannot change how ifupdown-ng reads the rest " +
			"(the next line names an interface anyway, every name has lines of its own, and the order of the " +
			"interfaces stays), and only if bringing them up at boot, with the other fixes, gives the host no " +
			"default route it did not have (in its model of ifupdown-ng's bring-up), and none loses the one it had; " +
			"otherwise it says why and leaves the line for a person.",
		run: autoLines},
	{ID: DHCPGateway, Summary: "a gateway the program installs beside DHCP",
		Doc: "A `gateway` line in a stanza that gets its address by DHCP (`inet dhcp`, or `use dhcp`): ifupdown 0.8 " +
			"and busybox ignore it, but ifupdown-ng (and ifupdown2) install it as a static default route beside " +
			"whatever DHCP gives, with its own metric (ifupdown-ng: 1 unless the interface sets one). Whether the " +
			"DHCP server supplies the router cannot be known from the file, so ifacefix reports it and changes " +
			"nothing: remove the line if DHCP supplies the router.", run: dhcpGateways},
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
			"twice. ifacefix checks the file once and reports it, and fixes nothing in that configuration (what " +
			"ifupdown builds is not what was checked): include it once, then run again.", run: structural},
	{ID: IncludeNotFile, Summary: "include names a directory",
		Doc: "A `source` pattern matched a directory; ifupdown warns and skips it. Usually a glob that is too wide.", run: structural},
	{ID: IncludeUnsupported, Summary: "include uses shell expansion",
		Doc: "A `source` line uses `$` or `~`: ifupdown expands it at boot, with an environment ifacefix cannot " +
			"know, so that line is not followed and the files it names are not checked. Those files may hold the " +
			"primary stanza or another gateway, so --apply writes nothing while such a line is there (exit 2).", run: structural},
	{ID: IfaceExtraParameter, Summary: "extra words on an iface line",
		Doc: "An `iface` line has words after its method that are not `inherits NAME`. ifupdown warns " +
			"\"extra parameter for the iface line not understood and ignored\" and goes on without them: a typo, or " +
			"an option meant for a line of its own.", run: structural},
	{ID: DialectError, Summary: "a line the dialect's program reports and skips",
		Doc: "The program that reads this host's file (see the report's dialect) reports an error at this line and " +
			"goes on without it: ifupdown2's `error processing line` or `invalid syntax`, for example (its `ifup` then " +
			"exits 1 after bringing up everything else), or ifupdown-ng's `address ... without interface` (its `ifup` " +
			"still exits 0). ifacefix reads the file the same way, skipping the line, and " +
			"says so: correct or remove the line by hand.", run: structural},
	{ID: MappingScript, Summary: "a mapping, whose script picks the stanza at run time",
		Doc: "A `mapping` stanza makes ifup run its script for each interface its patterns match, and configure the " +
			"interface with whatever stanza the script names (`ifup` prints `configuring interface eth1=eth0:1`): a " +
			"stanza's gateway may then give another device its default route. What the script prints cannot be known " +
			"from the file, so ifacefix reports the mapping and changes nothing in that configuration.",
		run: mappings},
	{ID: TemplateRendered, Summary: "a file the dialect renders as a template",
		Doc: "ifupdown2 with python3-mako installed renders a file that contains `%` as a Mako template before " +
			"reading it: what it reads is not the text on disk. ifacefix never edits such a file, and since the " +
			"rendered text may hold the primary stanza or another gateway, --apply writes nothing while such a file " +
			"is part of the configuration (exit 2).", run: structural},
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
