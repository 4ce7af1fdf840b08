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
	finding := func(line int, removed string) fixer.Finding {
		return fixer.Finding{File: f, Line: line, Iface: "eth0:0", Family: "inet", Rule: fixer.AliasGateway, Fixed: true, Removed: removed}
	}
	for _, tc := range []struct {
		name string
		res  *fixer.Result
		want string
	}{
		{"header removed", &fixer.Result{Edits: map[*parser.File][]parser.Edit{f: {{Start: 3, End: 4}}}},
			"not an iface option"},
		{"removal not reported", &fixer.Result{Edits: map[*parser.File][]parser.Edit{f: {{Start: 4, End: 5}}}},
			"is not reported"},
		{"wrong Removed bytes", &fixer.Result{Edits: map[*parser.File][]parser.Edit{f: {{Start: 4, End: 5}}},
			Findings: []fixer.Finding{finding(5, "gateway 192.0.2.1\n")}}, "is not the removed text"},
		{"unreported removal of the address", &fixer.Result{Edits: map[*parser.File][]parser.Edit{f: {{Start: 1, End: 2}}},
			Findings: []fixer.Finding{finding(5, "    gateway 192.0.2.1\n")}}, "no edit makes"},
		{"line rewritten", &fixer.Result{Edits: map[*parser.File][]parser.Edit{f: {{Start: 4, End: 5, Text: "    metric 1\n"}}},
			Findings: []fixer.Finding{finding(5, "    gateway 192.0.2.1\n")}}, "rewrites lines"},
		{"not idempotent", &fixer.Result{Edits: map[*parser.File][]parser.Edit{f: {{Start: 5, End: 5, Text: "    gateway 192.0.2.9\n"}}}},
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
