// Package report words what a plan found and did, the same way for every front end (the
// ifacefix command and the Ansible module): one line per finding, the summary line, and the text
// of an error.
package report

import (
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/ifacefix/ifacefix/internal/detect"
	"github.com/ifacefix/ifacefix/internal/plan"
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

// Summary returns the summary line: files checked, findings fixed (fixable, in a dry run), left
// for a person and notes (only when there are some), and files written (to change, in a dry run).
func Summary(p *plan.Plan, applied bool) string {
	fixed, open, notes := 0, 0, 0
	for _, f := range p.Findings {
		switch {
		case f.Fixed:
			fixed++
		case f.Note:
			notes++
		default:
			open++
		}
	}
	note := ""
	if notes > 0 {
		note = fmt.Sprintf(", %d %s", notes, plural(notes, "note"))
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
		return s + fmt.Sprintf(" (%d fixed, %d need a person%s); %d %s written", fixed, open, note, written, plural(written, "file"))
	}
	return s + fmt.Sprintf(" (%d fixable, %d need a person%s); %d %s to change, nothing written", fixed, open, note, changed, plural(changed, "file"))
}

func plural(n int, w string) string {
	if n == 1 {
		return w
	}
	return w + "s"
}

// UndoSummary returns the summary line of --undo: files checked, to restore (dry run) or
// restored.
func UndoSummary(p *plan.Plan, applied bool) string {
	changed, written := 0, 0
	for _, f := range p.Files {
		if f.Changed {
			changed++
		}
		if f.Written {
			written++
		}
	}
	s := fmt.Sprintf("%d %s checked", len(p.Files), plural(len(p.Files), "file"))
	if applied {
		return s + fmt.Sprintf(", %d restored from %s", written, plural(written, "backup"))
	}
	return s + fmt.Sprintf(", %d to restore from %s, nothing written", changed, plural(changed, "backup"))
}

// Error returns the text of err prefixed with "ifacefix: ", as ifupdown prefixes its own
// ("ifquery: path:line: message"), configuration errors included.
func Error(err error) string {
	return "ifacefix: " + err.Error()
}

// NoConfig returns the line for a root without ifupdown configuration (plan.ErrNoConfig).
func NoConfig(err error) string {
	var ne *plan.NoConfigError
	if errors.As(err, &ne) {
		return "ifacefix: no ifupdown configuration: " + ne.Path + " does not exist"
	}
	return "ifacefix: no ifupdown configuration: " + err.Error()
}

// Dialect returns "dialect NAME (REASON)": the program a configuration was read as, and why.
func Dialect(d detect.Result) string {
	return "dialect " + d.Dialect.Name + " (" + d.Reason + ")"
}

// Dialects returns the dialect line of each root of p that was read ("ROOT: dialect ..." when
// there are several roots; one line "every root: dialect ..." when they were all read as one
// dialect for one reason), and that of standard input for a plan without roots.
func Dialects(p *plan.Plan) []string {
	if len(p.Roots) == 0 {
		if p.Dialect.Dialect == nil {
			return nil
		}
		return []string{Dialect(p.Dialect)}
	}
	var read []plan.Root
	for _, r := range p.Roots {
		if r.Err == nil && r.Dialect.Dialect != nil {
			read = append(read, r)
		}
	}
	switch {
	case len(read) == 0:
		return nil
	case len(p.Roots) == 1:
		return []string{Dialect(read[0].Dialect)}
	case len(read) == len(p.Roots) && !slices.ContainsFunc(read, func(r plan.Root) bool { return r.Dialect != read[0].Dialect }):
		return []string{"every root: " + Dialect(read[0].Dialect)}
	}
	var lines []string
	for _, r := range read {
		lines = append(lines, r.Dir+": "+Dialect(r.Dialect))
	}
	return lines
}
