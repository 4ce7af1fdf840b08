package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"github.com/ifacefix/ifacefix/internal/plan"
	"github.com/ifacefix/ifacefix/internal/report"
	"github.com/ifacefix/ifacefix/internal/udiff"
)

// output prints a plan as text or JSON.
type output struct {
	stdout, stderr io.Writer
	json, color    bool
	check, quiet   bool
	undo           bool
	noConfigOK     bool // a root without configuration is no error (plan.Options.AllowMissing)
}

func (o output) diff(f *plan.File) {
	d := f.Diff
	if o.color {
		d = udiff.Colorize(d)
	}
	o.stdout.Write(d)
}

func (o output) findings(p *plan.Plan) {
	// Buffered: a fleet audit or a big file has thousands of findings.
	w := bufio.NewWriterSize(o.stderr, 64<<10)
	var line []byte
	for _, f := range p.Findings {
		line = append(report.AppendFinding(line[:0], f), '\n')
		w.Write(line)
	}
	w.Flush()
}

// dialects says which program each root's configuration was read as, and why; --quiet, which
// prints only what needs attention, leaves it out.
func (o output) dialects(p *plan.Plan) {
	if o.quiet {
		return
	}
	for _, l := range report.Dialects(p) {
		fmt.Fprintln(o.stderr, "ifacefix: "+l)
	}
}

// exitStatus is the run's exit status (see the exit* constants). err is Run's or Undo's error;
// roots without configuration count only when every root is one (with AllowMissing they are
// no error).
func exitStatus(p *plan.Plan, err error) int {
	written := false
	for _, f := range p.Files {
		written = written || f.Written
	}
	switch {
	case err != nil && written:
		return exitWrittenError
	case err != nil:
		return exitError
	case allNoConfig(p):
		return exitNoConfig
	case written && p.NeedsAttention():
		return exitWrittenAttention
	case written:
		return exitWritten
	case p.NeedsAttention():
		return exitAttention
	}
	return exitOK
}

// allNoConfig reports whether no root has an ifupdown configuration.
func allNoConfig(p *plan.Plan) bool {
	for _, r := range p.Roots {
		if !errors.Is(r.Err, plan.ErrNoConfig) {
			return false
		}
	}
	return len(p.Roots) > 0
}

// isRootError reports whether err is the error of one of the plan's roots (reported with it).
func isRootError(p *plan.Plan, err error) bool {
	for _, r := range p.Roots {
		if r.Err != nil && r.Err == err {
			return true
		}
	}
	return false
}

// result prints the plan of a run (err: its error) and returns the exit status.
func (o output) result(p *plan.Plan, err error, applied bool) int {
	code := exitStatus(p, err)
	if o.json {
		o.writeJSON(p, err, applied, code)
		if err != nil {
			fmt.Fprintln(o.stderr, report.Error(err))
		}
		return code
	}
	// Nothing needs attention: --quiet says nothing (the journal has what was written).
	if o.quiet && (code == exitOK || code == exitWritten || code == exitNoConfig) {
		return code
	}
	if !applied && !o.check {
		for _, f := range p.Changed() {
			o.diff(f)
		}
	}
	o.dialects(p)
	o.findings(p)
	for _, r := range p.Roots {
		switch {
		case r.Err == nil:
		case o.noConfigOK && errors.Is(r.Err, plan.ErrNoConfig):
			fmt.Fprintln(o.stderr, report.NoConfig(r.Err))
		default:
			fmt.Fprintln(o.stderr, report.Error(r.Err))
		}
	}
	if code == exitNoConfig {
		return code
	}
	for _, f := range p.Files {
		switch {
		case f.Written && f.Restore != "":
			fmt.Fprintln(o.stderr, "ifacefix: restored "+f.Path+" from "+f.Restore+backupNote(f))
		case f.Written:
			fmt.Fprintln(o.stderr, "ifacefix: wrote "+f.Path+backupNote(f))
		case f.Restore != "" && f.Changed && !applied:
			fmt.Fprintln(o.stderr, "ifacefix: "+f.Path+": would restore "+f.Restore)
		case f.Restore != "" && !f.Changed:
			fmt.Fprintln(o.stderr, "ifacefix: "+f.Path+": already the same as "+f.Restore+", nothing to restore")
		}
	}
	if err != nil && !isRootError(p, err) {
		fmt.Fprintln(o.stderr, report.Error(err))
	}
	if err != nil && len(p.Files) == 0 {
		return code // nothing was checked: the error says it all
	}
	if o.undo {
		fmt.Fprintln(o.stderr, "ifacefix: "+report.UndoSummary(p, applied))
	} else {
		fmt.Fprintln(o.stderr, "ifacefix: "+report.Summary(p, applied))
	}
	return code
}

func backupNote(f *plan.File) string {
	if f.Backup == "" {
		return ""
	}
	return " (backup: " + f.Backup + ")"
}

func (o output) stdinResult(p *plan.Plan) int {
	code := exitStatus(p, nil)
	if o.json {
		o.writeJSON(p, nil, false, code)
		return code
	}
	if !o.check {
		o.stdout.Write(p.Files[0].New)
	}
	if o.quiet && code == exitOK {
		return code
	}
	o.dialects(p)
	o.findings(p)
	for _, in := range p.NotFollowed {
		fmt.Fprintf(o.stderr, "ifacefix: %s:%d: `%s` not followed: standard input is checked alone (name the file to check what it includes)\n", in.Path, in.Line, in.Text)
	}
	fmt.Fprintln(o.stderr, "ifacefix: "+report.Summary(p, false))
	return code
}
