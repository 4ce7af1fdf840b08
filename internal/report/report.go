// Package report words what a plan found and did, the same way for every front end (the
// ifacefix command and the Ansible module): one line per finding, the summary line, and the text
// of an error.
package report

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/ifacefix/ifacefix/internal/plan"
	"github.com/ifacefix/ifacefix/parser"
)

// AppendFinding appends "PATH:LINE: RULE: message" (no line number for a finding about no line).
func AppendFinding(b []byte, f plan.Finding) []byte {
	b = append(b, f.Path...)
	if f.Line > 0 {
		b = append(append(b, ':'), strconv.Itoa(f.Line)...)
	}
	return append(append(append(append(b, ": "...), f.Rule...), ": "...), f.Message...)
}

// Finding returns AppendFinding's line for f.
func Finding(f plan.Finding) string { return string(AppendFinding(nil, f)) }

// Summary returns the summary line: files checked, findings fixed (fixable, in a dry run) and
// left for a person, and files written (to change, in a dry run).
func Summary(p *plan.Plan, applied bool) string {
	fixed, open := 0, 0
	for _, f := range p.Findings {
		if f.Fixed {
			fixed++
		} else {
			open++
		}
	}
	changed, written := 0, 0
	for _, f := range p.Files {
		if f.Changed {
			changed++
		}
		if f.Written {
			written++
		}
	}
	s := fmt.Sprintf("%d %s checked, %d %s", len(p.Files), plural(len(p.Files), "file"), len(p.Findings), plural(len(p.Findings), "finding"))
	if applied {
		return s + fmt.Sprintf(" (%d fixed, %d need a person); %d %s written", fixed, open, written, plural(written, "file"))
	}
	return s + fmt.Sprintf(" (%d fixable, %d need a person); %d %s to change, nothing written", fixed, open, changed, plural(changed, "file"))
}

func plural(n int, w string) string {
	if n == 1 {
		return w
	}
	return w + "s"
}

// Error returns the text of err: an error in the configuration bare ("path:line: message" or
// "path: message", as compilers and ifupdown print them, whatever the path looks like: with a
// root it is often relative), any other prefixed with "ifacefix: ".
func Error(err error) string {
	var pe *parser.Error
	if errors.As(err, &pe) && err.Error() == pe.Error() {
		return pe.Error()
	}
	return "ifacefix: " + err.Error()
}
