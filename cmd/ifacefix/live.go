package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/ifacefix/ifacefix/internal/live"
	"github.com/ifacefix/ifacefix/internal/plan"
	"github.com/ifacefix/ifacefix/internal/report"
)

// liveFlags are the flags of --live, added to the app's flags.
var liveFlags = []cli.Flag{
	&cli.BoolFlag{Name: "live", Usage: "also compare the running host (the kernel's routes and addresses, ifupdown's state) with the configuration; with --apply, repair it without a network restart"},
	&cli.StringFlag{Name: "state-dir", Value: live.DefaultStateDir, Usage: "ifupdown's state directory `DIR`, for --live (as ifup --state-dir)"},
}

// liveUsage checks the flags of --live before anything is read; "" when they are fine.
func liveUsage(c *cli.Context, files []string) string {
	if !c.Bool("live") {
		return ""
	}
	switch {
	case len(c.StringSlice("root")) > 0:
		return "--live reads the running kernel, which is not in the tree of --root: use one or the other"
	case len(files) == 1 && files[0] == "-":
		return "--live compares the host with the configuration it uses, not with standard input"
	case len(files) > 1:
		return "--live compares the host with one configuration: give one file"
	}
	return ""
}

// live audits (and with --apply repairs) the running host after plan.Run, adds its findings to
// the plan's and prints everything: the plan's output, then the kernel changes (on standard
// output, as ip commands; made with --apply) and a summary line.
func (o output) live(c *cli.Context, p *plan.Plan, files []string, apply bool) int {
	top := plan.DefaultFile
	if len(files) == 1 {
		abs, err := filepath.Abs(files[0])
		if err != nil {
			fmt.Fprintf(o.stderr, "ifacefix: %v\n", err)
			return exitStatus(p, err)
		}
		top = filepath.ToSlash(abs)
	}
	k, err := live.NewNetlink()
	if err != nil {
		fmt.Fprintf(o.stderr, "ifacefix: --live: netlink: %v\n", err)
		return exitStatus(p, err)
	}
	defer k.Close()
	res, err := live.Run(context.Background(), p, top, apply, live.Options{
		Kernel: k, Dialect: p.Roots[0].Dialect.Dialect.Name, StateDir: c.String("state-dir"), Repair: apply,
	})
	if err != nil {
		fmt.Fprintf(o.stderr, "%s\n", report.Error(fmt.Errorf("--live: %w", err)))
		return exitStatus(p, err)
	}
	p.Findings = append(p.Findings, res.Findings...)
	// The exit status is the plan's (4 only for files written), or that of an error when the
	// repair failed (2, or 6 after the files were written: status & 4 still says whether), or at
	// least 1 when a dry run has kernel changes to make.
	code := exitStatus(p, nil)
	switch {
	case res.Err != nil:
		code = exitStatus(p, res.Err)
	case !apply && len(res.Changes) > 0:
		code = max(code, exitAttention)
	}
	if o.json {
		o.liveJSON(p, res, apply, code)
		return code
	}
	o.result(p, nil, apply)
	o.liveText(res, apply)
	return code
}

func (o output) liveText(res *live.Result, applied bool) {
	if res.StateErr != nil {
		fmt.Fprintf(o.stderr, "ifacefix: live: the state was not read (%v): its checks are skipped\n", res.StateErr)
	}
	if !applied && !o.check {
		for _, c := range res.Changes {
			fmt.Fprintln(o.stdout, c.Text(res.StatePath))
		}
	}
	done := 0
	for _, c := range res.Changes {
		if c.Done {
			done++
			fmt.Fprintln(o.stderr, "ifacefix: live: done: "+c.Text(res.StatePath))
		}
	}
	msg := fmt.Sprintf("ifacefix: live: %d default %s in the kernel; ", len(res.Routes), plural(len(res.Routes), "route"))
	switch {
	case len(res.Changes) == 0:
		msg += "nothing to change"
	case res.Refused != "":
		msg += fmt.Sprintf("%d %s, and the route changes are not made: %s", len(res.Changes), plural(len(res.Changes), "change"), res.Refused)
	case !applied:
		msg += fmt.Sprintf("%d %s to make, none made (run with --apply)", len(res.Changes), plural(len(res.Changes), "change"))
	case res.Err != nil:
		msg += fmt.Sprintf("the repair failed: %v", res.Err)
	default:
		msg += fmt.Sprintf("%d %s made and verified", done, plural(done, "change"))
	}
	fmt.Fprintln(o.stderr, msg)
}

func plural(n int, w string) string {
	if n == 1 {
		return w
	}
	return w + "s"
}

// jsonRoute and jsonChange are the --live parts of the --json contract.
type jsonRoute struct {
	Family  string `json:"family"`
	Table   uint32 `json:"table"`
	Type    string `json:"type"`
	Metric  uint32 `json:"metric"`
	Gateway string `json:"gateway,omitempty"`
	Dev     string `json:"dev,omitempty"`
	Src     string `json:"src,omitempty"`
	Proto   string `json:"proto"`
	Onlink  bool   `json:"onlink"`
	Text    string `json:"text"`           // as ip route show prints it
	From    string `json:"from,omitempty"` // PATH:LINE of the line that asks for it
	Wanted  bool   `json:"wanted"`         // a clean boot with the fixed configuration gives it
}

type jsonChange struct {
	Action    string `json:"action"`              // append, del, state
	Command   string `json:"command"`             // the ip command (a comment for state)
	Interface string `json:"interface,omitempty"` // state: the interface recorded as up
	Done      bool   `json:"done"`
}

type jsonLive struct {
	State      string `json:"state"`
	StateError string `json:"state_error,omitempty"`
	Refused    string `json:"refused,omitempty"`
	Repaired   bool   `json:"repaired"`
	Error      string `json:"error,omitempty"`
}

func (o output) liveJSON(p *plan.Plan, res *live.Result, applied bool, code int) {
	doc := struct {
		jsonReport
		Routes  []jsonRoute  `json:"routes"`
		Changes []jsonChange `json:"changes"`
		Live    jsonLive     `json:"live"`
	}{jsonReport: o.report(p, nil, applied, code), Routes: []jsonRoute{}, Changes: []jsonChange{}}
	for _, r := range res.Routes {
		doc.Routes = append(doc.Routes, jsonRoute{Family: r.Family, Table: r.Table, Type: r.Type, Metric: r.Metric, Gateway: r.Gateway,
			Dev: r.Dev, Src: r.Src, Proto: r.Proto, Onlink: r.Onlink, Text: live.Text(r.Route), From: r.From, Wanted: r.Wanted})
	}
	for _, c := range res.Changes {
		j := jsonChange{Action: c.Action, Command: c.Text(res.StatePath), Done: c.Done}
		if c.Entry != nil {
			j.Interface = c.Entry.Logical
		}
		doc.Changes = append(doc.Changes, j)
	}
	doc.Live = jsonLive{State: res.StatePath, Refused: res.Refused, Repaired: res.Repaired}
	if res.StateErr != nil {
		doc.Live.StateError = res.StateErr.Error()
	}
	if res.Err != nil {
		doc.Live.Error = res.Err.Error()
	}
	writeDoc(o.stdout, doc)
}
