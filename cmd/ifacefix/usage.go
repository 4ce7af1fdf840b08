package main

import (
	"regexp"
	"strings"

	"github.com/urfave/cli/v2"
)

// The flag package's errors, which name a flag with one dash whatever was typed.
var (
	unknownFlag  = regexp.MustCompile(`^flag provided but not defined: -+(.*)$`)
	invalidValue = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for (?:flag )?-+([^:]*): (.*)$`)
	needsValue   = regexp.MustCompile(`^flag needs an argument: -+(.*)$`)
)

// usageError words a command-line error for a person: the flag as it was typed (args), what was
// wrong with it and what to do.
func usageError(err error, flags []cli.Flag, args []string) string {
	msg := err.Error()
	if m := unknownFlag.FindStringSubmatch(msg); m != nil {
		typed := asTyped(m[1], args)
		s := "unknown flag " + typed
		if near := nearestFlag(m[1], flags); near != "" {
			s += ": did you mean " + dashed(near) + "?"
		}
		s += " (ifacefix --help lists the flags"
		if !strings.HasPrefix(typed, "--") && len(m[1]) > 1 {
			s += "; a file name that starts with - goes after --"
		}
		return s + ")"
	}
	if m := invalidValue.FindStringSubmatch(msg); m != nil {
		s := dashed(m[2]) + ": invalid value " + quote(m[1])
		switch {
		case m[2] == "lock-timeout":
			s += ": a duration is a number and a unit, like 500ms, 30s or 2m"
		case strings.HasPrefix(msg, "invalid boolean value"):
			s += ": a flag without a value is on; --" + m[2] + "=false turns it off"
		default:
			s += ": " + m[3]
		}
		return s
	}
	if m := needsValue.FindStringSubmatch(msg); m != nil {
		return dashed(m[1]) + " needs a value (ifacefix --help)"
	}
	return msg
}

// asTyped is the flag name with the dashes it was typed with in args.
func asTyped(name string, args []string) string {
	for _, a := range args {
		for _, d := range []string{"--", "-"} {
			if a == d+name || strings.HasPrefix(a, d+name+"=") {
				return d + name
			}
		}
	}
	return dashed(name)
}

func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

func quote(s string) string { return `"` + s + `"` }

// nearestFlag returns the flag name closest to the one typed (a prefix of it, or at most two
// edits away), or "".
func nearestFlag(typed string, flags []cli.Flag) string {
	best, bestD := "", 3
	for _, f := range append(flags, cli.HelpFlag, cli.VersionFlag) {
		for _, n := range f.Names() {
			d := editDistance(typed, n)
			if len(typed) > 1 && strings.HasPrefix(n, typed) {
				d = 0
			}
			if len(n) > 1 && d < bestD {
				best, bestD = n, d
			}
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b (bytes).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
