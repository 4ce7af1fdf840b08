package bringup

import (
	"slices"
	"strings"

	"github.com/ifacefix/ifacefix/internal/routecmd"
	"github.com/ifacefix/ifacefix/parser"
)

// variable is one of a stanza's variables as ifupdown stores it, with the option lines its value
// came from.
type variable struct {
	name, value string
	from        []*parser.Opt
}

// cmd is one command option: pre-up, up (post-up too), down (pre-down too) or post-down.
type cmd struct {
	phase, value string
	opt          *parser.Opt
}

// vars are a stanza's variables and commands, in order.
type vars struct {
	list []variable
	cmds []cmd
}

// variables returns the stanza's variables as ifupdown 0.8.41 builds them (config.c): those of
// the stanza it inherits from, copied when its iface line is read, then its own options in order.
// A repeated option other than a command is joined to the earlier value with "\n"; NAME? sets
// NAME only when it is not set yet (set_variable).
func (s *sim) variables(st *parser.Stanza) *vars {
	if v := s.vars[st]; v != nil {
		return v
	}
	v := &vars{}
	if st.Parent != nil {
		p := s.variables(st.Parent)
		for _, x := range p.list {
			v.list = append(v.list, variable{x.name, x.value, slices.Clone(x.from)})
		}
		v.cmds = slices.Clone(p.cmds)
	}
	for _, o := range st.Options {
		if !s.ed.Removed[o] {
			v.set(o.Name, o.Value, o)
		}
	}
	for _, a := range s.ed.Added[st] {
		v.set(a.Name, a.Value, nil)
	}
	s.vars[st] = v
	return v
}

// command keeps option name as a command when it is one (post-up as up, pre-down as down), and
// says whether it was.
func (v *vars) command(name, value string, o *parser.Opt) bool {
	switch name {
	case "post-up":
		name = "up"
	case "pre-down":
		name = "down"
	}
	switch name {
	case "pre-up", "up", "down", "post-down":
		v.cmds = append(v.cmds, cmd{name, value, o})
		return true
	}
	return false
}

func (v *vars) set(name, value string, o *parser.Opt) {
	if v.command(name, value, o) {
		return
	}
	var from []*parser.Opt
	if o != nil {
		from = []*parser.Opt{o}
	}
	for i := range v.list {
		if v.list[i].name == name { // never a NAME? option: stored names have no '?'
			value = v.list[i].value + "\n" + value
			from = append(slices.Clone(v.list[i].from), from...)
		}
	}
	keep := strings.HasSuffix(name, "?") // the name may be empty: " 0" joined to a line "\\"
	if keep {
		name = name[:len(name)-1]
	}
	for i := range v.list {
		if v.list[i].name == name {
			if !keep {
				v.list[i].value, v.list[i].from = value, from
			}
			return
		}
	}
	v.list = append(v.list, variable{name, value, from})
}

func (v *vars) get(name string) *variable {
	for i := range v.list {
		if v.list[i].name == name {
			return &v.list[i]
		}
	}
	return nil
}

// env is the environment ifupdown gives the stanza's commands in phase.
func (v *vars) env(phys string, st *parser.Stanza, phase string) routecmd.Env {
	opts := make([]routecmd.Option, len(v.list))
	for i, x := range v.list {
		opts[i] = routecmd.Option{Name: x.name, Value: x.value}
	}
	return routecmd.NewEnv(phys, st.Name, st.Family, st.Method, phase, opts)
}
