package report

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/ifacefix/ifacefix/internal/detect"
	"github.com/ifacefix/ifacefix/internal/plan"
	"github.com/ifacefix/ifacefix/parser"
)

func TestFinding(t *testing.T) {
	for _, c := range []struct {
		f    plan.Finding
		want string
	}{
		{plan.Finding{Path: "/etc/network/interfaces", Line: 7, Rule: "alias-gateway", Message: "removed"}, "/etc/network/interfaces:7: alias-gateway: removed"},
		{plan.Finding{Path: "/etc/network/interfaces", Rule: "include-cycle", Message: "m"}, "/etc/network/interfaces: include-cycle: m"},
	} {
		if got := Finding(c.f); got != c.want {
			t.Errorf("Finding = %q, want %q", got, c.want)
		}
	}
}

func TestSummary(t *testing.T) {
	p := &plan.Plan{
		Files:    []*plan.File{{Changed: true, Written: true}, {Changed: true}, {}},
		Findings: []plan.Finding{{Fixed: true}, {Fixed: true}, {}},
	}
	if got, want := Summary(p, true), "3 files checked, 3 findings (2 fixed, 1 need a person); 1 file written"; got != want {
		t.Errorf("applied: %q, want %q", got, want)
	}
	if got, want := Summary(p, false), "3 files checked, 3 findings (2 fixable, 1 need a person); 2 files to change, nothing written"; got != want {
		t.Errorf("dry run: %q, want %q", got, want)
	}
	noted := &plan.Plan{Files: []*plan.File{{}}, Findings: []plan.Finding{{Note: true}, {Note: true}}}
	if got, want := Summary(noted, false), "1 file checked, 2 findings (0 fixable, 0 need a person, 2 notes); 0 files to change, nothing written"; got != want {
		t.Errorf("notes: %q, want %q", got, want)
	}
	one := &plan.Plan{Files: []*plan.File{{}}, Findings: []plan.Finding{{}}}
	if got, want := Summary(one, false), "1 file checked, 1 finding (0 fixable, 1 need a person); 0 files to change, nothing written"; got != want {
		t.Errorf("singular: %q, want %q", got, want)
	}
}

func TestError(t *testing.T) {
	pe := &parser.Error{Path: "etc/network/interfaces", Line: 3, Msg: "misplaced option"}
	for _, c := range []struct {
		err  error
		want string
	}{
		{pe, "ifacefix: etc/network/interfaces:3: misplaced option"},
		{fmt.Errorf("wrapped: %w", pe), "ifacefix: wrapped: etc/network/interfaces:3: misplaced option"},
		{errors.New("locked"), "ifacefix: locked"},
		{&plan.NoConfigError{Path: "nofile"}, "ifacefix: nofile: no such file or directory"},
	} {
		if got := Error(c.err); got != c.want {
			t.Errorf("Error(%v) = %q, want %q", c.err, got, c.want)
		}
	}
	if got, want := NoConfig(&plan.NoConfigError{Path: "/etc/network/interfaces"}), "ifacefix: no ifupdown configuration: /etc/network/interfaces does not exist"; got != want {
		t.Errorf("NoConfig = %q, want %q", got, want)
	}
}

func TestUndoSummary(t *testing.T) {
	p := &plan.Plan{Files: []*plan.File{{Changed: true, Written: true}, {Changed: true}, {}}}
	if got, want := UndoSummary(p, true), "3 files checked, 1 restored from backup"; got != want {
		t.Errorf("applied: %q, want %q", got, want)
	}
	if got, want := UndoSummary(p, false), "3 files checked, 2 to restore from backups, nothing written"; got != want {
		t.Errorf("dry run: %q, want %q", got, want)
	}
}

func TestDialects(t *testing.T) {
	i2 := detect.Result{Dialect: parser.Ifupdown2, Version: "3.0.0-1.1", Reason: "var/lib/dpkg/status: ifupdown2 3.0.0-1.1 installed"}
	ng := detect.Named(parser.IfupdownNG, "--dialect")
	bad := errors.New("bad")
	for _, c := range []struct {
		name string
		p    *plan.Plan
		want []string
	}{
		{"one root", &plan.Plan{Roots: []plan.Root{{Dir: "/", Dialect: i2}}},
			[]string{"dialect ifupdown2 (var/lib/dpkg/status: ifupdown2 3.0.0-1.1 installed)"}},
		{"standard input", &plan.Plan{Dialect: ng}, []string{"dialect ifupdown-ng (chosen with --dialect)"}},
		{"roots that agree", &plan.Plan{Roots: []plan.Root{{Dir: "a", Dialect: ng}, {Dir: "b", Dialect: ng}}},
			[]string{"every root: dialect ifupdown-ng (chosen with --dialect)"}},
		{"roots that differ", &plan.Plan{Roots: []plan.Root{{Dir: "a", Dialect: i2}, {Dir: "b", Dialect: ng}}},
			[]string{"a: " + Dialect(i2), "b: " + Dialect(ng)}},
		// A root with an error was not read: no line for it, and the others are not "every root".
		{"a root with an error", &plan.Plan{Roots: []plan.Root{{Dir: "a", Dialect: ng}, {Dir: "b", Dialect: ng, Err: bad}, {Dir: "c"}}},
			[]string{"a: " + Dialect(ng)}},
		{"nothing read", &plan.Plan{Roots: []plan.Root{{Dir: "/", Err: bad}}}, nil},
	} {
		if got := Dialects(c.p); !slices.Equal(got, c.want) {
			t.Errorf("%s: Dialects = %q, want %q", c.name, got, c.want)
		}
	}
}
