package fixer

import (
	"path"
	"strings"

	"github.com/ifacefix/ifacefix/parser"
)

// commandOptions are the options whose values ifupdown runs as shell commands.
var commandOptions = map[string]bool{"pre-up": true, "up": true, "post-up": true, "down": true, "pre-down": true, "post-down": true}

// routeCommands reports (and with StripRouteCommands removes) default-route commands in aliases.
func routeCommands(p *pass) {
	for _, s := range p.cfg.Stanzas {
		if !s.IsAlias() {
			continue
		}
		var found []*parser.Opt
		strippable := true
		for _, o := range s.Options {
			if !commandOptions[o.Name] {
				continue
			}
			only, any := defaultRouteCommand(o.Value)
			if !any {
				continue
			}
			found = append(found, o)
			strippable = strippable && only
		}
		for _, o := range found {
			switch {
			case p.opt.StripRouteCommands && strippable:
				p.remove(o, "alias %s runs a main-table default-route command (%s %s): removed", s.Name, o.Name, o.Value)
			case p.opt.StripRouteCommands:
				p.report(s, o.L().Pos(), nil, "alias %s runs a default-route command mixed with other commands (%s %s); left as is: edit it by hand", s.Name, o.Name, o.Value)
			default:
				p.report(s, o.L().Pos(), nil, "alias %s runs a default-route command (%s %s); it adds a competing default route: rerun with --strip-route-commands (Ansible: strip_route_commands) to remove it", s.Name, o.Name, o.Value)
			}
		}
	}
}

// defaultRouteCommand reports whether the shell command line value adds or deletes a main-table
// default route (any), and whether it does nothing else (only): every simple command is such a
// route command, true or ':', joined by ;, && or ||.
func defaultRouteCommand(value string) (only, any bool) {
	if !strings.Contains(value, "default") && !strings.Contains(value, "0.0.0.0") &&
		!strings.Contains(value, "0/0") && !strings.Contains(value, "::") {
		return false, false // no default-route target (see defaultTargets): skip the split
	}
	only = true
	for _, cmd := range simpleCommands(value) {
		switch {
		case isDefaultRoute(cmd):
			any = true
		case len(cmd) == 1 && (cmd[0] == "true" || cmd[0] == ":"):
		default:
			only = false
		}
	}
	return only && any, any
}

// separators puts blanks around the command separators (built once: building a Replacer costs
// far more than using it).
var separators = strings.NewReplacer(";", " ; ", "&&", " && ", "||", " || ")

// simpleCommands splits a command line on ;, && and || (each surrounded by blanks first). A pipe
// is not split on: a word "|" stays in its command, which isDefaultRoute then refuses.
func simpleCommands(value string) [][]string {
	var cmds [][]string
	var cur []string
	for _, w := range strings.Fields(separators.Replace(value)) {
		switch w {
		case ";", "&&", "||":
			if len(cur) > 0 {
				cmds = append(cmds, cur)
			}
			cur = nil
		default:
			cur = append(cur, w)
		}
	}
	if len(cur) > 0 {
		cmds = append(cmds, cur)
	}
	return cmds
}

var defaultTargets = map[string]bool{"default": true, "0.0.0.0": true, "0.0.0.0/0": true, "0/0": true, "::/0": true, "::": true}

// isDefaultRoute matches `route add|del [-net] default ...` (net-tools) and
// `ip [-4|-6|-f FAM] route add|append|replace|change|del default ...` without a non-main table.
func isDefaultRoute(cmd []string) bool {
	if len(cmd) == 0 {
		return false
	}
	switch path.Base(cmd[0]) {
	case "route":
		args := skipFlags(cmd[1:], map[string]bool{"-A": true})
		if len(args) < 2 || (args[0] != "add" && args[0] != "del") {
			return false
		}
		t := args[1:]
		if t[0] == "-net" && len(t) > 1 {
			t = t[1:]
		}
		return defaultTargets[t[0]] && !contains(cmd, "|")
	case "ip":
		args := skipFlags(cmd[1:], map[string]bool{"-f": true, "-family": true})
		if len(args) < 3 || !strings.HasPrefix("route", args[0]) || args[0] == "" {
			return false
		}
		switch args[1] {
		case "add", "append", "replace", "change", "del", "delete":
		default:
			return false
		}
		for i, a := range args {
			if a == "table" && i+1 < len(args) && args[i+1] != "main" && args[i+1] != "254" {
				return false
			}
			if a == "|" {
				return false
			}
		}
		return defaultTargets[args[2]]
	}
	return false
}

// skipFlags drops leading -x flags (and the argument of those in withArg).
func skipFlags(args []string, withArg map[string]bool) []string {
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && args[0] != "-net" {
		if withArg[args[0]] && len(args) > 1 {
			args = args[1:]
		}
		args = args[1:]
	}
	return args
}

func contains(s []string, w string) bool {
	for _, x := range s {
		if x == w {
			return true
		}
	}
	return false
}
