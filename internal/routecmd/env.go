package routecmd

import "strings"

// Option is one option line of a stanza.
type Option struct{ Name, Value string }

// NewEnv returns the variables ifupdown 0.8.41 (execute.c set_environ) gives the commands of a
// stanza: IFACE (the physical name), LOGICAL, ADDRFAM, METHOD, MODE and PHASE for phase (one of
// pre-up, up, down, post-down; up runs with PHASE=post-up and down with PHASE=pre-down), PATH,
// and IF_<NAME> for each option except the commands. An option given twice is one variable
// with the values joined by a newline (config.c). VERBOSITY, CLASS and IFUPDOWN_* depend on
// how ifup is called and are left out (unknown).
func NewEnv(iface, logical, family, method, phase string, opts []Option) Env {
	env := Env{"IFACE": iface, "LOGICAL": logical, "ADDRFAM": family, "METHOD": method,
		"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	switch phase {
	case "pre-up", "up", "post-up":
		env["MODE"] = "start"
	case "down", "pre-down", "post-down":
		env["MODE"] = "stop"
	}
	switch phase {
	case "pre-up", "post-down":
		env["PHASE"] = phase
	case "up", "post-up":
		env["PHASE"] = "post-up"
	case "down", "pre-down":
		env["PHASE"] = "pre-down"
	}
	for _, o := range opts {
		switch o.Name {
		case "pre-up", "up", "post-up", "down", "pre-down", "post-down":
			continue
		}
		name := "IF_" + envName(o.Name)
		if v, ok := env[name]; ok {
			env[name] = v + "\n" + o.Value
		} else {
			env[name] = o.Value
		}
	}
	return env
}

// envName is setlocalenv()'s mangling: '-' becomes '_', letters are upper-cased, anything else
// that is not a letter, digit or '_' is dropped.
func envName(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		switch {
		case c == '-':
			b.WriteByte('_')
		case c >= 'a' && c <= 'z':
			b.WriteByte(c - 'a' + 'A')
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_':
			b.WriteByte(c)
		}
	}
	return b.String()
}
