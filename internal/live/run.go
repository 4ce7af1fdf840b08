package live

import (
	"context"
	"errors"
	"slices"
	"testing/fstest"

	"github.com/ifacefix/ifacefix/internal/plan"
	"github.com/ifacefix/ifacefix/parser"
)

// Options say how Run reads and changes the host.
type Options struct {
	Kernel Kernel
	// Dialect is the program whose reading of the configuration and whose state to use, as
	// parser.DialectNamed takes it ("": ifupdown 0.8); StateDir selects its state (see StateFor).
	Dialect, StateDir string
	// Repair makes the changes (after the plan's files were written).
	Repair bool
	// Verify replaces the repair's route lookups (tests).
	Verify func(Kernel) error
}

// Result is what Run found and did.
type Result struct {
	*Audit
	StateErr error // the state could not be read: its checks were skipped
	Repaired bool  // the changes were made and verified
	Err      error // the repair failed (a *RepairError when routes were changed)
}

// Run audits the host against the configuration of plan p, whose top-level file is top (a name
// inside "/"): as read (the files' old bytes) and as fixed (their new bytes, or, after a write,
// those that were written). With opt.Repair it then repairs the host. An error means nothing
// could be compared (the kernel or the configuration could not be read).
func Run(ctx context.Context, p *plan.Plan, top string, written bool, opt Options) (*Result, error) {
	oldFS, newFS := fstest.MapFS{}, fstest.MapFS{}
	for _, f := range p.Files {
		name := f.Name[1:]
		oldFS[name] = &fstest.MapFile{Data: f.Old}
		data := f.New
		if written && !f.Written {
			data = f.Old
		}
		newFS[name] = &fstest.MapFile{Data: data}
	}
	popt := parser.Options{Dialect: parser.DialectNamed(opt.Dialect)}
	old, err := parser.Load(oldFS, top, popt)
	if err != nil {
		return nil, err
	}
	fixed := old
	if !sameFS(oldFS, newFS) {
		if fixed, err = parser.Load(newFS, top, popt); err != nil {
			return nil, err
		}
	}
	snap, err := opt.Kernel.Snapshot()
	if err != nil {
		return nil, err
	}
	res := &Result{}
	in := Input{Old: old, Fixed: fixed, Snap: snap}
	st, err := StateFor(opt.Dialect, opt.StateDir)
	if err == nil {
		in.StatePath = st.Path()
		in.State, err = st.Read()
	}
	if err != nil {
		in.StateErr, res.StateErr = err, err
		if errors.Is(err, ErrNoState) {
			res.StateErr = errors.New(opt.Dialect + ": " + err.Error())
		}
	}
	res.Audit = Check(in)
	if opt.Repair && len(res.Changes) > 0 {
		res.Err = res.Repair(ctx, opt.Kernel, st, opt.Verify)
		res.Repaired = res.Err == nil
		// A finding is fixed when every change that fixes it was made.
		for fi, cs := range res.fixedBy {
			res.Findings[fi].Fixed = !slices.ContainsFunc(cs, func(c *Change) bool { return !c.Done })
		}
	}
	return res, nil
}

func sameFS(a, b fstest.MapFS) bool {
	for n, f := range a {
		if string(b[n].Data) != string(f.Data) {
			return false
		}
	}
	return true
}
