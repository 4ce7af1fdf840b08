package fixer_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/ifacefix/ifacefix/fixer"
	"github.com/ifacefix/ifacefix/parser"
)

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	msgs []string
}

func (r *recorder) Helper()                      {}
func (r *recorder) Errorf(f string, args ...any) { r.msgs = append(r.msgs, fmt.Sprintf(f, args...)) }
func (r *recorder) Fatalf(f string, args ...any) { r.Errorf(f, args...); runtime.Goexit() }
func (r *recorder) Logf(string, ...any)          {}

// TestInvariantsCatchBadFixes makes sure checkInvariants fails on broken fixes.
func TestInvariantsCatchBadFixes(t *testing.T) {
	const name = "/etc/network/interfaces"
	src := "iface eth0 inet static\n    address 192.0.2.10/24\n    gateway 192.0.2.1\niface eth0:0 inet static\n    gateway 192.0.2.1\n"
	cfg, err := parser.ParseBytes(name, []byte(src), parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := cfg.Files[0]
	finding := func(rule string, line int, edits ...parser.Edit) *fixer.Finding {
		return &fixer.Finding{File: f, Line: line, Iface: "eth0:0", Family: "inet", Rule: rule, Edits: edits}
	}
	one := func(fs ...*fixer.Finding) *fixer.Result { return &fixer.Result{Findings: fs} }
	gw := finding(fixer.AliasGateway, 5, parser.Edit{Start: 4, End: 5})
	lonely := finding(fixer.AliasGateway, 5, parser.Edit{Start: 4, End: 5})
	lonely.Joint = []*fixer.Finding{finding(fixer.KeepDefaultRoute, 3)}
	for _, tc := range []struct {
		name string
		res  *fixer.Result
		want string
	}{
		{"header removed", one(finding(fixer.AliasGateway, 4, parser.Edit{Start: 3, End: 4})), "not an iface option"},
		{"removal made twice", one(gw, finding(fixer.AliasGateway, 5, parser.Edit{Start: 4, End: 5})), "made twice"},
		{"finding names another line", one(finding(fixer.AliasGateway, 4, parser.Edit{Start: 4, End: 5})), "removes line 5"},
		{"removal of the address under the alias's name", one(finding(fixer.AliasGateway, 5, parser.Edit{Start: 1, End: 2})), "removes line 2 of eth0/inet"},
		{"line rewritten", one(finding(fixer.AliasGateway, 5, parser.Edit{Start: 4, End: 5, Text: "    metric 1\n"})), "rewrites lines"},
		{"insertion by another rule", one(finding(fixer.AliasGateway, 5, parser.Edit{Start: 5, End: 5, Text: "    metric 1\n"})), "insertion"},
		{"joint one way only", one(lonely), "not the other way round"},
		{"not idempotent", one(finding(fixer.KeepDefaultRoute, 5, parser.Edit{Start: 5, End: 5, Text: "    gateway 192.0.2.9\n"})),
			"fixing the fixed configuration again"},
	} {
		r := &recorder{TB: t}
		done := make(chan struct{})
		go func() {
			defer close(done)
			checkInvariants(r, cfg, tc.res, fixer.Options{}, func(changed map[string][]byte) (*parser.Config, error) {
				return parser.ParseBytes(name, changed[name], parser.Options{})
			})
		}()
		<-done
		if !strings.Contains(strings.Join(r.msgs, "\n"), tc.want) {
			t.Errorf("%s: checkInvariants said %q, want a failure containing %q", tc.name, r.msgs, tc.want)
		}
	}
}
