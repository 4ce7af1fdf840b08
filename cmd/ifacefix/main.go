// Command ifacefix finds and fixes gateway lines in ifupdown alias stanzas (and their relatives)
// in /etc/network/interfaces and every file it sources, and puts its backups back (--undo). It
// only holds flags, output and exit codes; the work is in package plan.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"github.com/ifacefix/ifacefix/fixer"
	"github.com/ifacefix/ifacefix/internal/detect"
	"github.com/ifacefix/ifacefix/internal/plan"
	"github.com/ifacefix/ifacefix/internal/report"
	"github.com/ifacefix/ifacefix/internal/rootfs"
	"github.com/ifacefix/ifacefix/parser"
)

// Exit statuses: a contract for scripts. The dry run keeps diff(1)'s convention (0 same, 1
// different, 2 trouble); --apply adds 4 when it wrote a file, as Puppet's --detailed-exitcodes
// adds 2 for "changes were made" (4 here, since 2 already means error), so that a script can tell
// from the status alone whether to reload the network: status & 4.
const (
	exitOK        = 0 // nothing needs attention, nothing written
	exitAttention = 1 // findings need attention (a dry run proposes a change); nothing written
	// exitError: bad input, I/O failure or bad usage; nothing written. Every file is checked
	// unchanged and prepared before the first rename, so only a failure in the middle of the renames
	// (or of the --live repair that follows the writes) can leave some written: that is
	// exitWrittenError.
	exitError    = 2
	exitNoConfig = 3 // no ifupdown configuration: /etc/network/interfaces does not exist
	// --apply (or -i) wrote at least one file: 4, plus 1 when findings still need attention.
	exitWritten          = 4
	exitWrittenAttention = 5
	// An error after at least one file was written: a write failed after others succeeded (the
	// files already written are named), or the --live repair failed after the files were written.
	exitWrittenError = 6
)

var version = "dev" // set with -ldflags "-X main.version=..."

func main() {
	tuneGC()
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}

// exitCode carries an exit status out of the cli Action.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit %d", int(e)) }

// flags is the command-line definition's flag list, in the order --help shows them. A new flag
// is one more value here; the man page and the completions follow (docs.go).
func flags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "apply", Usage: "write the fixes (atomically, with a backup)"},
		&cli.BoolFlag{Name: "interactive", Aliases: []string{"i"}, Usage: "show each file's diff and ask before writing it (implies --apply)"},
		&cli.BoolFlag{Name: "check", Usage: "print findings and a summary only, no diff"},
		&cli.BoolFlag{Name: "undo", Usage: "put back the newest ifacefix backup of each FILE instead of fixing (a dry run without --apply)"},
		&cli.BoolFlag{Name: "json", Usage: "print one JSON document on standard output instead of text"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print nothing when nothing needs attention (for cron)"},
		&cli.BoolFlag{Name: "strip-route-commands", Usage: "also remove default-route up/down commands in alias stanzas"},
		&cli.BoolFlag{Name: "no-backup", Usage: "do not keep a backup of replaced files"},
		&cli.StringFlag{Name: "dialect", Usage: "read the configuration as the program `NAME` does instead of detecting it from each root's package database: " + dialectNames()},
		&cli.StringSliceFlag{Name: "root", Usage: "treat `DIR` as / (repeat for several host trees); nothing outside it is read or written"},
		&cli.StringFlag{Name: "explain", Usage: "explain `RULE` and exit"},
		&cli.StringFlag{Name: "color", Value: "auto", Usage: "colour the diff: auto, always or never (NO_COLOR, FORCE_COLOR and TERM=dumb are honoured)"},
		&cli.DurationFlag{Name: "lock-timeout", Value: 30 * time.Second, Usage: "how long --apply waits for another process that holds the configuration's lock"},
	}
}

// newApp is the whole command-line definition; the man page and the shell completions are
// generated from it at build time (docs.go), so every flag added here shows up in them.
func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:      "ifacefix",
		Usage:     "remove gateway lines that break ifupdown alias stanzas, safely",
		UsageText: "ifacefix [flags] [--] [FILE ...]   (default FILE: " + plan.DefaultFile + "; - reads standard input)",
		Description: "Without --apply, ifacefix is a dry run: it prints a unified diff of the proposed changes on\n" +
			"standard output and the findings on standard error, and writes nothing.\n\n" +
			"Exit status: 0 nothing needs attention; 1 findings need attention (a change is proposed, or\n" +
			"something cannot be fixed automatically); 2 error, nothing written; 3 no ifupdown\n" +
			"configuration. --apply adds 4 when it wrote a file: 4 written, 5 written but findings need\n" +
			"attention, 6 an error after a file was written (a write failed after others succeeded: they\n" +
			"are named; or the --live repair failed).",
		Version:         version,
		HideHelpCommand: true,
		Reader:          stdin,
		Writer:          stdout,
		ErrWriter:       stderr,
		Flags:           append(flags(), liveFlags...),
		OnUsageError: func(c *cli.Context, err error, _ bool) error {
			args, _ := c.App.Metadata["args"].([]string)
			fmt.Fprintln(stderr, "ifacefix: "+usageError(err, c.App.Flags, args))
			return exitCode(exitError)
		},
		ExitErrHandler: func(*cli.Context, error) {},
	}
	app.Action = func(c *cli.Context) error {
		return exitCode(action(c, stdin, stdout, stderr))
	}
	return app
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := newApp(stdin, stdout, stderr)
	app.Metadata = map[string]any{"args": args}
	err := app.Run(args)
	var code exitCode
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &code):
		return int(code)
	default:
		fmt.Fprintln(stderr, "ifacefix: "+usageError(err, flags(), args))
		return exitError
	}
}

// endOfOptions reports whether the file arguments came after "--": the argument just before
// them is "--" (the flag parser drops it).
func endOfOptions(c *cli.Context) bool {
	raw, _ := c.App.Metadata["args"].([]string)
	files := c.Args().Slice()
	i := len(raw) - len(files) - 1
	return i >= 1 && raw[i] == "--"
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
	if !endOfOptions(c) {
		for _, f := range files {
			if strings.HasPrefix(f, "-") && f != "-" {
				return fail("flag %s after file names: put flags before the files (or -- before a file name that starts with -)", f)
			}
		}
	}
	if msg := liveUsage(c, files); msg != "" {
		return fail("%s", msg)
	}
	perRoot := 1 // its directory; --apply also locks it
	if c.Bool("apply") || c.Bool("interactive") || c.Bool("undo") {
		perRoot = 2
	}
	if msg := tooManyRoots(len(c.StringSlice("root")), perRoot); msg != "" {
		return fail("%s", msg)
	}
	color, err := colorMode(c.String("color"), stdout)
	if err != nil {
		return fail("%v", err)
	}
	apply := c.Bool("apply") || c.Bool("interactive")
	undo := c.Bool("undo")
	switch {
	case c.Bool("check") && apply:
		return fail("--check and --apply exclude each other")
	case c.Bool("json") && c.Bool("interactive"):
		// The prompts' diffs would be mixed into the JSON document.
		return fail("--json and --interactive exclude each other")
	case c.Bool("json") && c.Bool("quiet"):
		return fail("--json and --quiet exclude each other: the document is the whole output")
	case undo && c.Bool("strip-route-commands"):
		return fail("--undo and --strip-route-commands exclude each other: --undo fixes nothing")
	case undo && c.IsSet("dialect"):
		return fail("--undo and --dialect exclude each other: --undo reads no configuration")
	}
	var dialect detect.Result // zero: detected in each root
	if c.IsSet("dialect") {
		d := parser.DialectNamed(c.String("dialect"))
		if d == nil {
			return fail("--dialect must be %s, not %q", dialectNames(), c.String("dialect"))
		}
		dialect = detect.Named(d, "--dialect")
	}
	fix := fixer.Options{StripRouteCommands: c.Bool("strip-route-commands")}
	out := output{stdout: stdout, stderr: stderr, json: c.Bool("json"), color: color, check: c.Bool("check"),
		quiet: c.Bool("quiet"), undo: undo, noConfigOK: len(files) == 0}

	if len(files) == 1 && files[0] == "-" {
		switch {
		case apply || undo:
			return fail("cannot --apply or --undo standard input: the fixed text goes to standard output")
		case len(c.StringSlice("root")) > 0:
			return fail("--root does not apply to standard input")
		}
		data, err := io.ReadAll(stdin)
		if err != nil {
			return fail("reading standard input: %v", err)
		}
		if dialect.Dialect == nil {
			// The program of this host is the one that would read it here.
			if dialect, err = detectHost(); err != nil {
				fmt.Fprintln(stderr, report.Error(err))
				return exitError
			}
		}
		p, err := plan.FromBytesAs("<stdin>", data, fix, dialect)
		if err != nil {
			fmt.Fprintln(stderr, report.Error(err))
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
		Roots: c.StringSlice("root"), Files: files, Fix: fix, Dialect: dialect, Apply: apply,
		Backup: !c.Bool("no-backup"), LockTimeout: c.Duration("lock-timeout"),
		// Only the dry run, -i and --json show diffs.
		NoDiff: !c.Bool("json") && (c.Bool("check") || apply && !c.Bool("interactive")),
		// Without FILE, a host without /etc/network/interfaces has no ifupdown configuration;
		// a FILE named must exist.
		AllowMissing: len(files) == 0,
	}
	if c.Bool("interactive") {
		opt.Confirm = confirm(out, stdin, stderr)
	}
	var p *plan.Plan
	if undo {
		p, err = plan.Undo(opt)
	} else {
		p, err = plan.Run(opt)
	}
	if apply {
		audit(p, stderr)
	}
	if c.Bool("live") && err == nil {
		return out.live(c, p, files, apply)
	}
	return out.result(p, err, apply)
}

// fdReserve is the open files a run needs besides those its roots hold: standard streams, the
// files being read and written, and the Go runtime's own.
const fdReserve = 256

// tooManyRoots says why n roots, each holding perRoot files open from the start to the end of
// the run, cannot be handled in one run, or "": past the open-file limit the run would fail part
// way (the Go runtime aborts when it cannot create its poller).
func tooManyRoots(n, perRoot int) string {
	var rl unix.Rlimit
	if n == 0 || unix.Getrlimit(unix.RLIMIT_NOFILE, &rl) != nil || rl.Cur == unix.RLIM_INFINITY {
		return ""
	}
	if uint64(n*perRoot)+fdReserve <= rl.Cur {
		return ""
	}
	most := 0
	if rl.Cur > fdReserve {
		most = int(rl.Cur-fdReserve) / perRoot
	}
	return fmt.Sprintf("%d roots: each holds %d open for the whole run, and the open-file limit is %d: "+
		"give at most %d --root per run (or raise the limit: ulimit -n)", n, perRoot, rl.Cur, most)
}

// dialectNames lists the dialects --dialect takes: "a, b, c or d".
func dialectNames() string {
	var names []string
	for _, d := range parser.Dialects {
		names = append(names, d.Name)
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// detectHost is the dialect of this host ("/").
func detectHost() (detect.Result, error) {
	fsys, err := rootfs.Open("/")
	if err != nil {
		return detect.Result{}, err
	}
	defer fsys.Close()
	return detect.Detect(fsys)
}

// confirm asks before each file is written (-i), on standard error, reading answers line by line.
func confirm(out output, stdin io.Reader, stderr io.Writer) func(*plan.File) (bool, error) {
	in := bufio.NewReader(stdin)
	return func(f *plan.File) (bool, error) {
		out.diff(f)
		if len(f.Linked) > 0 {
			var with []string
			for _, g := range f.Linked {
				with = append(with, g.Path)
			}
			fmt.Fprintf(stderr, "ifacefix: this change goes with the change to %s (a gateway moves between them): all are written or none\n", strings.Join(with, ", "))
		}
		what := "Apply this change to " + f.Path
		if f.Restore != "" {
			what = "Restore " + f.Path + " from " + f.Restore
		}
		fmt.Fprintf(stderr, "%s? [y/N] ", what)
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

// colorMode decides whether the diff is coloured. auto colours a terminal (golang.org/x/term:
// /dev/null is no terminal), unless TERM is dumb or NO_COLOR is set (no-color.org); FORCE_COLOR
// set to anything but "" colours whatever the output (force-color.org), unless NO_COLOR is set.
// always and never are explicit and win over the environment.
func colorMode(flag string, stdout io.Writer) (bool, error) {
	switch flag {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto":
		if os.Getenv("NO_COLOR") != "" {
			return false, nil
		}
		if os.Getenv("FORCE_COLOR") != "" {
			return true, nil
		}
		return isTerminal(stdout) && os.Getenv("TERM") != "dumb", nil
	}
	return false, fmt.Errorf("--color must be auto, always or never, not %q", flag)
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

// isTerminal reports whether the reader or writer is a terminal.
func isTerminal(rw any) bool {
	f, ok := rw.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
