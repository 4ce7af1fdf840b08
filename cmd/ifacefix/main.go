// Command ifacefix finds and fixes gateway lines in ifupdown alias stanzas (and their relatives)
// in /etc/network/interfaces and every file it sources. It only holds flags, output and exit
// codes; the work is in package plan.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ifacefix/ifacefix/fixer"
	"github.com/ifacefix/ifacefix/internal/plan"
	"github.com/ifacefix/ifacefix/internal/report"
	"github.com/ifacefix/ifacefix/internal/udiff"
)

// Exit statuses: a contract for scripts.
const (
	exitOK        = 0 // nothing needs attention
	exitAttention = 1 // findings need attention (or a change is proposed in a dry run)
	// exitError: bad input, I/O failure or bad usage. Nothing was written, with one exception
	// that no tool can avoid when it replaces several files: a write that fails after others
	// succeeded (disk full, a file swapped behind our back). Every file is checked unchanged before
	// the first write, so this needs a failure in the middle of the writes; the files already
	// written are then listed ("wrote ..." lines, and "already written: ..." in the error).
	exitError = 2
)

var version = "dev" // set with -ldflags "-X main.version=..."

func main() {
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}

// exitCode carries an exit status out of the cli Action.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit %d", int(e)) }

// newApp is the whole command-line definition; the man page and the shell completions are
// generated from it at build time (docs.go), so every flag added here shows up in them.
func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:      "ifacefix",
		Usage:     "remove gateway lines that break ifupdown alias stanzas, safely",
		UsageText: "ifacefix [flags] [FILE ...]   (default FILE: " + plan.DefaultFile + "; - reads standard input)",
		Description: "Without --apply, ifacefix is a dry run: it prints a unified diff of the proposed changes on\n" +
			"standard output and the findings on standard error, and writes nothing.\n\n" +
			"Exit status: 0 nothing needs attention; 1 findings need attention (a change is proposed, or\n" +
			"something cannot be fixed automatically); 2 error, nothing written (if a write fails after\n" +
			"others succeeded, the files already written are named).",
		Version:         version,
		HideHelpCommand: true,
		Reader:          stdin,
		Writer:          stdout,
		ErrWriter:       stderr,
		Flags: append([]cli.Flag{
			&cli.BoolFlag{Name: "apply", Usage: "write the fixes (atomically, with a backup)"},
			&cli.BoolFlag{Name: "interactive", Aliases: []string{"i"}, Usage: "show each file's diff and ask before writing it (implies --apply)"},
			&cli.BoolFlag{Name: "check", Usage: "print findings and a summary only, no diff"},
			&cli.BoolFlag{Name: "json", Usage: "print one JSON document on standard output instead of text"},
			&cli.BoolFlag{Name: "strip-route-commands", Usage: "also remove default-route up/down commands in alias stanzas"},
			&cli.BoolFlag{Name: "no-backup", Usage: "do not keep a backup of replaced files"},
			&cli.StringSliceFlag{Name: "root", Usage: "treat `DIR` as / (repeat for several host trees); nothing outside it is read or written"},
			&cli.StringFlag{Name: "explain", Usage: "explain `RULE` and exit"},
			&cli.StringFlag{Name: "color", Value: "auto", Usage: "colour the diff: auto, always or never (NO_COLOR is honoured)"},
			&cli.DurationFlag{Name: "lock-timeout", Value: 30 * time.Second, Usage: "how long --apply waits for another ifacefix on the same configuration"},
		}, liveFlags...),
		OnUsageError: func(c *cli.Context, err error, _ bool) error {
			fmt.Fprintf(stderr, "ifacefix: %v\n", err)
			return exitCode(exitError)
		},
		ExitErrHandler: func(*cli.Context, error) {},
		Action: func(c *cli.Context) error {
			return exitCode(action(c, stdin, stdout, stderr))
		},
	}
	return app
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	err := newApp(stdin, stdout, stderr).Run(args)
	var code exitCode
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &code):
		return int(code)
	default:
		fmt.Fprintf(stderr, "ifacefix: %v\n", err)
		return exitError
	}
}

func action(c *cli.Context, stdin io.Reader, stdout, stderr io.Writer) int {
	fail := func(format string, args ...any) int {
		fmt.Fprintf(stderr, "ifacefix: "+format+"\n", args...)
		return exitError
	}
	if id := c.String("explain"); id != "" {
		r, ok := fixer.Lookup(id)
		if !ok {
			var ids []string
			for _, r := range fixer.Rules {
				ids = append(ids, r.ID)
			}
			return fail("unknown rule %q; rules: %s", id, strings.Join(ids, ", "))
		}
		fmt.Fprintf(stdout, "%s: %s\n\n%s\n", r.ID, r.Summary, wrap(r.Doc, 78))
		return exitOK
	}
	files := c.Args().Slice()
	for _, f := range files {
		if strings.HasPrefix(f, "-") && f != "-" {
			return fail("flag %s after file names: put flags before the files", f)
		}
	}
	if msg := liveUsage(c, files); msg != "" {
		return fail("%s", msg)
	}
	color := c.String("color")
	switch color {
	case "auto":
		color = "never"
		if isTerminal(stdout) && os.Getenv("NO_COLOR") == "" {
			color = "always"
		}
	case "always", "never":
	default:
		return fail("--color must be auto, always or never, not %q", color)
	}
	apply := c.Bool("apply") || c.Bool("interactive")
	if c.Bool("check") && apply {
		return fail("--check and --apply exclude each other")
	}
	if c.Bool("json") && c.Bool("interactive") {
		// The prompts' diffs would be mixed into the JSON document.
		return fail("--json and --interactive exclude each other")
	}
	fix := fixer.Options{StripRouteCommands: c.Bool("strip-route-commands")}
	out := output{stdout: stdout, stderr: stderr, json: c.Bool("json"), color: color == "always", check: c.Bool("check")}

	if len(files) == 1 && files[0] == "-" {
		if apply {
			return fail("cannot --apply to standard input: the fixed text goes to standard output")
		}
		if len(c.StringSlice("root")) > 0 {
			return fail("--root does not apply to standard input")
		}
		data, err := io.ReadAll(stdin)
		if err != nil {
			return fail("reading standard input: %v", err)
		}
		p, err := plan.FromBytes("<stdin>", data, fix)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return exitError
		}
		return out.stdinResult(p)
	}
	for _, f := range files {
		if f == "-" {
			return fail("- (standard input) cannot be mixed with file names")
		}
	}
	opt := plan.Options{
		Roots: c.StringSlice("root"), Files: files, Fix: fix, Apply: apply,
		Backup: !c.Bool("no-backup"), LockTimeout: c.Duration("lock-timeout"),
		// Only the dry run, -i and --json show diffs.
		NoDiff: !c.Bool("json") && (c.Bool("check") || apply && !c.Bool("interactive")),
	}
	if c.Bool("interactive") {
		in := bufio.NewReader(stdin)
		opt.Confirm = func(f *plan.File) (bool, error) {
			out.diff(f)
			if len(f.Linked) > 0 {
				var with []string
				for _, g := range f.Linked {
					with = append(with, g.Path)
				}
				fmt.Fprintf(stderr, "ifacefix: this change goes with the change to %s (a gateway moves between them): all are written or none\n", strings.Join(with, ", "))
			}
			fmt.Fprintf(stderr, "Apply this change to %s? [y/N] ", f.Path)
			line, err := in.ReadString('\n')
			if err != nil && line == "" {
				fmt.Fprintln(stderr)
				return false, nil // end of input: no
			}
			a := strings.ToLower(strings.TrimSpace(line))
			if !isTerminal(stdin) {
				fmt.Fprintln(stderr, a) // a terminal echoes the answer; show it in logs too
			}
			return a == "y" || a == "yes", nil
		}
	}
	p, err := plan.Run(opt)
	if err != nil {
		var we *plan.WriteError
		if errors.As(err, &we) && len(we.Written) > 0 {
			out.result(p, apply)
		}
		fmt.Fprintln(stderr, report.Error(err))
		return exitError
	}
	if c.Bool("live") {
		return out.live(c, p, files, apply)
	}
	return out.result(p, apply)
}

type output struct {
	stdout, stderr io.Writer
	json, color    bool
	check          bool
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

func status(p *plan.Plan) int {
	if p.NeedsAttention() {
		return exitAttention
	}
	return exitOK
}

func (o output) result(p *plan.Plan, applied bool) int {
	if o.json {
		o.writeJSON(p, "")
		return status(p)
	}
	if !applied && !o.check {
		for _, f := range p.Changed() {
			o.diff(f)
		}
	}
	o.findings(p)
	for _, f := range p.Files {
		if f.Written {
			msg := "ifacefix: wrote " + f.Path
			if f.Backup != "" {
				msg += " (backup: " + f.Backup + ")"
			}
			fmt.Fprintln(o.stderr, msg)
		}
	}
	fmt.Fprintln(o.stderr, "ifacefix: "+report.Summary(p, applied))
	return status(p)
}

func (o output) stdinResult(p *plan.Plan) int {
	if o.json {
		o.writeJSON(p, string(p.Files[0].New))
		return status(p)
	}
	if !o.check {
		o.stdout.Write(p.Files[0].New)
	}
	o.findings(p)
	fmt.Fprintln(o.stderr, "ifacefix: "+report.Summary(p, false))
	return status(p)
}

// jsonFile and jsonReport are the --json contract.
type jsonFile struct {
	Path    string `json:"path"`
	Changed bool   `json:"changed"`
	Written bool   `json:"written"`
	Backup  string `json:"backup"`
	Diff    string `json:"diff,omitempty"`
}

type jsonReport struct {
	Files    []jsonFile     `json:"files"`
	Findings []plan.Finding `json:"findings"`
	Content  *string        `json:"content,omitempty"` // standard input mode: the fixed text
}

func (o output) writeJSON(p *plan.Plan, content string) {
	r := jsonReport{Files: []jsonFile{}, Findings: p.Findings}
	if r.Findings == nil {
		r.Findings = []plan.Finding{}
	}
	for _, f := range p.Files {
		r.Files = append(r.Files, jsonFile{Path: f.Path, Changed: f.Changed, Written: f.Written, Backup: f.Backup, Diff: string(f.Diff)})
	}
	if p.Files != nil && p.Files[0].Path == "<stdin>" {
		r.Content = &content
	}
	enc := json.NewEncoder(o.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // "<stdin>", "&&" in commands: print them as they are
	enc.Encode(r)
}

func wrap(s string, width int) string {
	var b strings.Builder
	n := 0
	for _, w := range strings.Fields(s) {
		if n > 0 && n+1+len(w) > width {
			b.WriteByte('\n')
			n = 0
		} else if n > 0 {
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}

// isTerminal reports whether the reader or writer is a character device (a terminal), without a
// terminal library.
func isTerminal(rw any) bool {
	f, ok := rw.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
