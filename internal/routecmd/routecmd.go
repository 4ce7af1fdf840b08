// Package routecmd reads an ifupdown command option (pre-up, up/post-up, down/pre-down,
// post-down) the way /bin/sh (dash) and the route tools would run it, and says which routes it
// adds or deletes and whether it does anything else.
//
// # How ifupdown 0.8.41 runs an option
//
// execute.c doit() strips one leading '-' (then the command's exit status is ignored), prints the
// rest with -v or -n, and runs it with execle("/bin/sh", "/bin/sh", "-c", cmd, NULL, env). Option
// commands get no %var% or [[...]] substitution (only the method templates of the .defn files do;
// checked with ifup -n -v). The environment is replaced, not extended: IFACE, LOGICAL, ADDRFAM,
// METHOD, MODE (start|stop), PHASE (pre-up, post-up, pre-down, post-down), VERBOSITY (0|1),
// PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin, CLASS (with -a or --allow),
// IFUPDOWN_* (inherited and the interface's own lock) and one IF_<NAME> per option other than the
// commands, see [NewEnv]. up and post-up are one option ("up"), as are down and pre-down ("down").
//
// # Verdicts
//
// dash parses the whole one-line command before it runs any of it, so a syntax error runs nothing
// and exits 2 (ifup then fails the interface unless the command started with '-'). Parse uses the
// POSIX variant of mvdan.cc/sh/v3/syntax; a line it rejects is [Unparsed]: dash rejects most of
// those too, but not all (`cmd &> f` is `cmd &` then `> f` to dash), so Unparsed must be treated as
// "unknown", never as "does nothing".
//
// A line is [OnlyRoutes] when every command it can run is a route command of ip or route (by name
// or as /sbin/ip, /usr/sbin/route, ...; also behind `command` or `exec`), or a no-op (`true`, `:`,
// /bin/true, /usr/bin/true, a plain assignment), joined by `;`, `&&`, `||`, `|`, `!`, `&`, `( )`
// or `{ }`, with redirections only to /dev/null or between descriptors, and every word known.
// Anything else makes it [Other], with the first reason in Result.Reason: another command, a
// command substitution or arithmetic, an unknown or special variable, a pathname pattern or
// tilde, an `if`, loop, `case` or function, a here-document, a write to a file, an ip command
// that is not `ip route add|change|replace|prepend|append|test|delete` (flush, show, -batch,
// -netns: other namespaces or effects this package does not follow), or an assignment to PATH
// or IFS. A route command that its tool rejects before it reaches the kernel (a usage error)
// still counts as a route command: it has Op.Err set and changes nothing. A route command with
// a word known only at run time ($UNSET, $(cmd), a pattern) is kept with Op.Unknown set (the
// word stands as "?" in its fields) and makes the line Other.
package routecmd

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"mvdan.cc/sh/v3/syntax"

	"github.com/ifacefix/ifacefix/internal/glob"
)

// Verdict says what a command line does besides its route operations.
type Verdict int

const (
	OnlyRoutes Verdict = iota // it runs route commands and no-ops only
	Other                     // it also does something else, or something this package cannot know
	Unparsed                  // the POSIX shell parser rejects it (see the package doc)
)

func (v Verdict) String() string {
	switch v {
	case OnlyRoutes:
		return "only-routes"
	case Other:
		return "other"
	}
	return "unparsed"
}

// Result is what one command line does.
type Result struct {
	Ops          []Op    // route operations, in execution order
	Verdict      Verdict // see the package doc
	Reason       string  // why the verdict is not OnlyRoutes
	IgnoreStatus bool    // the value started with '-': ifupdown ignores the exit status
	// Unfollowed is the first command of the line that changes routes in a way this package
	// does not follow (ip route flush, ifup or ifdown of an interface), "" when none.
	Unfollowed string
	// Guard is the first check the line runs (test, [): a command whose status is the host's
	// (a file that may be missing), "" when none. Route operations that run only as its status
	// (or another command's the package does not run) decides have Op.Unknown set.
	Guard string
	// StatusOnFaith says the line's exit status is that of a command taken as succeeding whose
	// status the host decides (`iptables-restore < FILE`, `ethtool`, a script, a redirection to
	// a file): a red-team pass (2026-12-07, pass 7) showed such a line failing on a host and
	// ifup stopping there. Route operations, true, logger, echo and the like are not.
	StatusOnFaith bool
	// LinksUp lists the devices an `ip link set [dev] DEV up` of the line brings up, in order.
	LinksUp []string
	// Rules is the first policy rule change of the line (`ip rule add from all lookup 100`), ""
	// when none: it sends lookups to another table, so the main table's default routes may no
	// longer be the ones used; it removes none.
	Rules string
}

// DefaultRoutes returns the operations that act on a default route of the main table and that
// their tool accepts, including those with a value known only at run time (Op.Unknown).
func (r Result) DefaultRoutes() []Op {
	var ops []Op
	for _, op := range r.Ops {
		if op.Default && op.Main() && op.Err == "" {
			ops = append(ops, op)
		}
	}
	return ops
}

// Env holds the variables a command line sees, by name. A name that is absent is unknown (not
// empty): ifupdown clears the environment, so a caller that knows a variable is unset may map it
// to "".
type Env map[string]string

// Parse reads one option value as ifupdown would run it (a leading '-' is ifupdown's, see the
// package doc) and returns its route operations and verdict.
func Parse(cmd string, env Env) Result {
	r, _ := run(cmd, env, nil)
	return r
}

// Run is Parse that also applies each route operation the line runs to k, following the
// shell's &&, || and ! on the operations' success (other commands count as succeeding).
// Result.Ops and Result.Verdict cover only what ran, errs are the operations' errors from
// [Kernel.Apply], and ok is the line's exit status (true: 0; an unparsed line exits 2).
func (k *Kernel) Run(cmd string, env Env) (r Result, ok bool, errs []error) {
	r, ok = run(cmd, env, func(op Op) bool {
		err := k.Apply(op)
		errs = append(errs, err)
		return err == nil
	})
	return r, ok, errs
}

// parsers are reused: a new parser's buffers were most of what a big configuration's
// simulation allocated.
var parsers = sync.Pool{New: func() any { return syntax.NewParser(syntax.Variant(syntax.LangPOSIX)) }}

func run(cmd string, env Env, exec func(Op) bool) (Result, bool) {
	var r Result
	if strings.HasPrefix(cmd, "-") {
		r.IgnoreStatus = true
		cmd = cmd[1:]
	}
	p := parsers.Get().(*syntax.Parser)
	f, err := p.Parse(strings.NewReader(validUTF8(cmd)), "")
	parsers.Put(p)
	if err != nil {
		r.Verdict, r.Reason = Unparsed, err.Error()
		return r, false
	}
	w := walker{env: env, local: map[string]*string{}, exec: exec}
	ok := w.stmts(f.Stmts, false)
	r.Ops, r.Unfollowed, r.Guard, r.LinksUp, r.Rules = w.ops, w.unfollowed, w.guard, w.linksUp, w.rules
	r.StatusOnFaith = w.assumed && !r.IgnoreStatus
	if w.reason != "" {
		r.Verdict, r.Reason = Other, w.reason
	}
	return r, ok
}

// validUTF8 maps each byte of cmd that is not UTF-8 to a rune of its own in a private-use plane:
// dash works on bytes and takes such a byte as a literal character, the parser wants UTF-8 text.
// The runes match no command name, option or address, as the bytes would not.
func validUTF8(cmd string) string {
	if utf8.ValidString(cmd) {
		return cmd
	}
	var b strings.Builder
	for i := 0; i < len(cmd); {
		r, n := utf8.DecodeRuneInString(cmd[i:])
		if r == utf8.RuneError && n == 1 {
			r = 0x10ff00 + rune(cmd[i])
		}
		b.WriteRune(r)
		i += n
	}
	return b.String()
}

// walker visits the statements in execution order, collecting route operations and the first
// reason the line does something else.
type walker struct {
	env    Env
	local  map[string]*string // shell assignments made by the line itself; nil: unknown value
	exec   func(Op) bool      // nil: visit everything, as if every command succeeded
	ops    []Op
	reason string
	// unfollowed is the first command that changes routes in a way the walker does not follow.
	unfollowed string
	rules      string // the first policy rule change (Result.Rules)
	guard      string // the first check (see Result.Guard)
	depth      int    // of sh -c nesting
	// assumed: the last command's status was taken as success without being known (another
	// command than a route operation); faith counts the && and || whose right side runs on it.
	assumed bool
	faith   int
	linksUp []string // see Result.LinksUp
}

func (w *walker) other(format string, args ...any) {
	if w.reason == "" {
		w.reason = fmt.Sprintf(format, args...)
	}
}

// stmt visits s and returns whether it succeeds; cond says it may not run (right of && or ||).
func (w *walker) stmt(s *syntax.Stmt, cond bool) bool {
	risky := false // a redirection that may fail (a file that may be missing)
	for _, rd := range s.Redirs {
		risky = !w.redirect(rd) || risky
	}
	ok := true
	switch c := s.Cmd.(type) {
	case nil: // redirections only
	case *syntax.CallExpr:
		ok = w.call(c, cond, s.Background)
	case *syntax.BinaryCmd:
		w.assumed = false
		ok = w.stmt(c.X, cond)
		onFaith := w.assumed && (c.Op == syntax.AndStmt || c.Op == syntax.OrStmt)
		switch {
		case w.exec != nil && c.Op == syntax.AndStmt && !ok, w.exec != nil && c.Op == syntax.OrStmt && ok:
		default:
			if onFaith {
				w.faith++
			}
			ok = w.stmt(c.Y, cond || c.Op == syntax.AndStmt || c.Op == syntax.OrStmt)
			if onFaith {
				w.faith--
				w.assumed = true
			}
		}
		if c.Op == syntax.OrStmt && alwaysTrue(c.Y) {
			w.assumed, ok = false, true // `cmd || true` exits 0 whatever cmd does
		}
	case *syntax.Subshell:
		ok = w.stmts(c.Stmts, cond)
	case *syntax.Block:
		ok = w.stmts(c.Stmts, cond)
	default:
		w.other("%s", kind(c))
		if mentionsRoutes(c) {
			w.unfollow([]string{kind(c)})
		}
	}
	if risky {
		w.assumed = true
	}
	if s.Background {
		w.assumed = false // the shell does not wait for it: status 0
		return true
	}
	return ok != s.Negated
}

// alwaysTrue reports whether s is a plain `true` or `:`.
func alwaysTrue(s *syntax.Stmt) bool {
	c, ok := s.Cmd.(*syntax.CallExpr)
	if !ok || s.Negated || s.Background || len(s.Redirs) > 0 || len(c.Args) != 1 || len(c.Assigns) > 0 {
		return false
	}
	lit := c.Args[0].Lit()
	return lit == "true" || lit == ":"
}

func (w *walker) stmts(ss []*syntax.Stmt, cond bool) bool {
	ok := true
	for _, s := range ss {
		ok = w.stmt(s, cond)
	}
	return ok
}

func kind(c syntax.Command) string {
	switch c.(type) {
	case *syntax.IfClause:
		return "an if clause"
	case *syntax.WhileClause:
		return "a loop"
	case *syntax.ForClause:
		return "a loop"
	case *syntax.CaseClause:
		return "a case clause"
	case *syntax.FuncDecl:
		return "a function definition"
	}
	return fmt.Sprintf("a %T", c)
}

// redirect accepts /dev/null and descriptor duplication (2>&1, >&-): they change nothing
// outside the command, and do not fail. It returns false for any other redirection.
func (w *walker) redirect(rd *syntax.Redirect) bool {
	switch rd.Op {
	case syntax.DplIn, syntax.DplOut:
		if f, ok := w.word(rd.Word); ok && len(f) == 1 && (f[0] == "-" || isDigits(f[0])) {
			return true
		}
	case syntax.RdrOut, syntax.AppOut, syntax.RdrIn, syntax.RdrInOut, syntax.ClbOut:
		if f, ok := w.word(rd.Word); ok && len(f) == 1 && f[0] == "/dev/null" {
			return true
		}
	}
	w.other("a redirection (%s)", rd.Op)
	return false
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// sysDirs are the directories where Debian installs ip and route (whether the file exists there
// is not checked: /bin/route is missing on Debian 12, so that command fails with status 127).
// /usr/local is left out: what is there is not the distribution's tool.
var sysDirs = map[string]bool{"/sbin": true, "/bin": true, "/usr/sbin": true, "/usr/bin": true}

// tool returns the base name of a command word that names a system command (ip, /sbin/ip).
func tool(name string) string {
	if !strings.Contains(name, "/") {
		return name
	}
	if sysDirs[path.Dir(name)] && path.Clean(name) == name {
		return path.Base(name)
	}
	return ""
}

// call visits a simple command and returns whether it succeeds (true for commands it does not
// run).
func (w *walker) call(c *syntax.CallExpr, cond, bg bool) bool {
	if len(c.Args) == 0 { // assignments only: they change this shell's variables
		for _, a := range c.Assigns {
			w.assign(a)
		}
		return true
	}
	for _, a := range c.Assigns { // prefix assignments: the command's environment only
		if a.Name.Value == "PATH" {
			w.other("an assignment to PATH")
		}
		if a.Value != nil {
			if _, ok := w.word(a.Value); !ok {
				w.other("an unknown value in %s=", a.Name.Value)
			}
		}
	}
	// An unknown word stands as one unknownWord, so that the tool's parser still sees the rest;
	// the operation then has Unknown set and no Err (whether the tool accepts it is unknown).
	var argv, unknown []string
	for _, wd := range c.Args {
		f, ok := w.word(wd)
		if !ok {
			unknown = append(unknown, printWord(wd))
			f = []string{unknownWord}
		}
		argv = append(argv, f...)
	}
	if len(unknown) > 0 {
		w.other("a word known only at run time (%s)", unknown[0])
	}
	for len(argv) > 0 && (argv[0] == "command" || argv[0] == "exec") {
		argv = argv[1:]
	}
	if len(argv) == 0 {
		return true
	}
	w.assumed = true // until it is a route operation, whose status the kernel model gives
	var op Op
	var ok bool
	switch tool(argv[0]) {
	case "true", ":":
		w.assumed = false
		return true
	case "logger", "echo", "printf":
		w.other("another command (%s)", argv[0])
		w.assumed = false // they exit 0 (a redirection that fails is the statement's, see stmt)
		return true
	case "test", "[":
		if w.guard == "" {
			w.guard = strings.Join(argv, " ")
		}
		w.other("a check (%s)", argv[0])
		return true
	case `\`:
		// A lone backslash: what is left of a line that ended in a continuation with nothing
		// after it, or with CRLF. dash runs it as a command and finds none (exit 127).
		w.other("a command that does not exist (\\)")
		return false
	case "sh", "dash", "bash":
		if len(argv) >= 3 && argv[1] == "-c" && argv[2] != unknownWord && w.depth < 4 {
			return w.shell(argv[2], cond)
		}
		w.other("another command (%s)", argv[0])
		return true
	case "ifup", "ifdown", "ifreload":
		w.other("another command (%s)", argv[0])
		w.unfollow(argv)
		return true
	case "ifconfig":
		w.other("another command (%s)", argv[0])
		if ifconfigDrops(argv[1:]) {
			w.unfollow(argv)
		}
		return true
	case "ip":
		op, ok = parseIP(argv[1:])
		if !ok {
			w.other("an ip command that is not a route change (%s)", op.Err)
			if op.Flush || dropsRoutes(argv[1:]) {
				w.unfollow(argv)
			} else if changesRules(argv[1:]) {
				if w.rules == "" {
					w.rules = strings.Join(argv, " ")
				}
			} else if dev, alone := linkUp(argv[1:]); dev != "" && len(unknown) == 0 {
				w.linksUp = append(w.linksUp, dev)
				// Setting a device up alone fails only where it does not exist, and every device
				// a configuration names is assumed to (see bringup).
				w.assumed = !alone
			}
			return !op.Refused
		}
	case "route":
		op, ok = parseRoute(argv[1:])
		if !ok {
			w.other("a route command that is not add or del (%s)", op.Err)
			return !op.Refused
		}
	default:
		w.other("another command (%s)", argv[0])
		if tool(argv[0]) == "sysctl" && slices.ContainsFunc(argv[1:], func(a string) bool {
			return strings.Contains(a, "disable_ipv6")
		}) {
			w.unfollow(argv) // IPv6 off drops the device's IPv6 routes
		}
		if !messageOnly[tool(argv[0])] && slices.ContainsFunc(argv[1:], routeWords) {
			// A wrapper (env, timeout, nice, su -c, eval, ...) may run a route command.
			w.unfollow(argv)
		}
		return true
	}
	w.assumed = false
	op.Argv, op.Conditional, op.Background = argv, cond, bg
	if len(unknown) > 0 {
		op.markUnknown(unknown)
	}
	if w.faith > 0 && op.Unknown == "" {
		op.Unknown = "whether it runs depends on the status of a command known only at run time"
	}
	if op.Unknown != "" {
		w.other("%s", op.Unknown)
	}
	w.ops = append(w.ops, op)
	return w.exec == nil || w.exec(op)
}

// routeTools are the commands that change routes, directly or by changing the links and
// addresses they hang on.
var routeTools = map[string]bool{"ip": true, "route": true, "ifconfig": true, "ifup": true, "ifdown": true, "ifreload": true}

// messageOnly are commands whose arguments are text, never a command they run.
var messageOnly = map[string]bool{"logger": true, "echo": true, "printf": true, "grep": true}

// routeWords reports whether text names one of routeTools as a word of its own: what a
// wrapper's arguments or a script in one word (eval, su -c) may run.
func routeWords(text string) bool {
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return strings.ContainsRune(" \t\n;&|()`'\"{}<>=", r) }) {
		if routeTools[tool(f)] {
			return true
		}
	}
	return false
}

// mentionsRoutes reports whether a construct the walker does not follow (an if clause, a loop,
// a function) holds a word that names one of routeTools.
func mentionsRoutes(c syntax.Command) bool {
	found := false
	syntax.Walk(c, func(n syntax.Node) bool {
		if l, ok := n.(*syntax.Lit); ok && routeWords(l.Value) {
			found = true
		}
		return !found
	})
	return found
}

// linkUp returns the device of `ip [OPTIONS] link set [dev] DEV ... up` (args after ip), "" for
// any other command or a device in another namespace (-netns), and whether the line is the
// plain `ip link set [dev] DEV up` (no option, no other setting).
func linkUp(args []string) (dev string, alone bool) {
	alone = true
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		if opt := strings.TrimLeft(args[0], "-"); opt == "" || matches("-"+opt, "-netns") || matches("-"+opt, "-batch") {
			return "", false
		}
		args, alone = args[1:], false
	}
	if len(args) < 3 || !matches(args[0], "link") || !matches(args[1], "set") {
		return "", false
	}
	dev, rest := args[2], args[3:]
	if dev == "dev" && len(rest) > 0 {
		dev, rest = rest[0], rest[1:]
	}
	if dev == "group" || !slices.Contains(rest, "up") || slices.Contains(rest, "down") {
		return "", false
	}
	return dev, alone && len(rest) == 1
}

// ifconfigKeeps are the ifconfig settings that leave a device's routes as they are (with the
// number of words each takes after it).
var ifconfigKeeps = map[string]int{"up": 0, "mtu": 1, "txqueuelen": 1, "hw": 2, "promisc": 0, "-promisc": 0,
	"arp": 0, "-arp": 0, "allmulti": 0, "-allmulti": 0, "multicast": 0, "-multicast": 0}

// ifconfigDrops reports whether `ifconfig ARGS` may remove routes: it takes a device (or an
// alias) down, sets or deletes an address, a netmask or a broadcast (the kernel drops the routes
// that used an address that goes, and all of a device's when its last address does, or the link
// goes down), or an mtu below 1280 (IPv6 off); a listing or one of ifconfigKeeps does not.
func ifconfigDrops(args []string) bool {
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		args = args[1:] // -a, -s, -v: listings
	}
	if len(args) < 2 {
		return false
	}
	for rest := args[1:]; len(rest) > 0; {
		n, ok := ifconfigKeeps[rest[0]]
		if !ok {
			return true
		}
		if rest[0] == "mtu" && len(rest) > 1 {
			if m, err := strconv.ParseUint(rest[1], 10, 32); err != nil || m < IPv6MinMTU {
				return true // below 1280 the device loses its IPv6 routes
			}
		}
		rest = rest[min(len(rest), 1+n):]
	}
	return false
}

// changesRules reports whether `ip ARGS` changes the policy rules (anything but listing them).
func changesRules(args []string) bool {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") {
			if o := "-" + strings.TrimLeft(a, "-"); o != "-" && (matches(o, "-family") || matches(o, "-loops") ||
				matches(o, "-rcvbuf") || matches(o, "-netns") || matches(o, "-batch")) {
				i++ // the option's value
			}
			continue
		}
		rest := args[i+1:]
		return ipObject(a) == "rule" && len(rest) > 0 && !matches(rest[0], "list") && !matches(rest[0], "show") && !matches(rest[0], "lst")
	}
	return false
}

// dropsRoutes reports whether ip's arguments take a link down, delete one, set an mtu below
// IPv6MinMTU (or one that is no number), remove addresses or read commands from elsewhere
// (-batch): the kernel then drops or adds routes the walker does not follow.
func dropsRoutes(args []string) bool {
	obj, rest := "", []string(nil)
	for i, a := range args {
		if strings.HasPrefix(a, "-") {
			if opt := strings.TrimLeft(a, "-"); opt != "" && matches("-"+opt, "-batch") {
				return true
			}
			continue
		}
		obj, rest = a, args[i+1:]
		break
	}
	if len(rest) == 0 {
		return false
	}
	switch cmd := rest[0]; {
	case matches(obj, "link"):
		if i := slices.Index(rest, "mtu"); i >= 0 && i+1 < len(rest) {
			if n, err := strconv.ParseUint(rest[i+1], 10, 32); err != nil || n < IPv6MinMTU {
				return true
			}
		}
		return matches(cmd, "delete") || matches(cmd, "set") && slices.Contains(rest, "down")
	case matches(obj, "address"):
		return matches(cmd, "flush") || matches(cmd, "delete")
	}
	return false
}

func (w *walker) unfollow(argv []string) {
	if w.unfollowed == "" {
		w.unfollowed = strings.Join(argv, " ")
	}
}

// shell visits the script of `sh -c script` as the child shell runs it: with the environment
// (the line's own unexported assignments are not passed on); its status is the script's.
func (w *walker) shell(script string, cond bool) bool {
	p := parsers.Get().(*syntax.Parser)
	f, err := p.Parse(strings.NewReader(validUTF8(script)), "")
	parsers.Put(p)
	if err != nil {
		w.other("a sh -c script the shell parser rejects")
		return false // sh exits 2
	}
	child := walker{env: w.env, local: map[string]*string{}, exec: w.exec, depth: w.depth + 1, faith: w.faith}
	ok := child.stmts(f.Stmts, cond)
	w.ops, w.linksUp, w.assumed = append(w.ops, child.ops...), append(w.linksUp, child.linksUp...), child.assumed
	if child.reason != "" {
		w.other("%s", child.reason)
	}
	if child.unfollowed != "" && w.unfollowed == "" {
		w.unfollowed = child.unfollowed
	}
	if child.rules != "" && w.rules == "" {
		w.rules = child.rules
	}
	if child.guard != "" && w.guard == "" {
		w.guard = child.guard
	}
	return ok
}

func (w *walker) assign(a *syntax.Assign) {
	name := a.Name.Value
	if name == "PATH" || name == "IFS" {
		w.other("an assignment to %s", name)
		return
	}
	if a.Value == nil {
		empty := ""
		w.local[name] = &empty
		return
	}
	// Assignment values are not field split or globbed.
	s, ok := w.join(a.Value)
	if !ok {
		w.local[name] = nil
		return
	}
	w.local[name] = &s
}

// join expands a word without field splitting (assignment values).
func (w *walker) join(wd *syntax.Word) (string, bool) {
	var b strings.Builder
	for _, p := range wd.Parts {
		switch p := p.(type) {
		case *syntax.Lit:
			if strings.ContainsAny(p.Value, "~") {
				return "", false
			}
			b.WriteString(unescape(p.Value))
		case *syntax.SglQuoted:
			if p.Dollar {
				b.WriteString("$")
			}
			b.WriteString(p.Value)
		case *syntax.DblQuoted:
			s, ok := w.dquoted(p)
			if !ok {
				return "", false
			}
			b.WriteString(s)
		case *syntax.ParamExp:
			v, ok := w.param(p)
			if !ok {
				return "", false
			}
			b.WriteString(v)
		default:
			return "", false
		}
	}
	return b.String(), true
}

// word expands wd into fields as dash would with the default IFS; ok is false when a part is
// unknown or depends on anything but the variables (commands, arithmetic, files, HOME).
func (w *walker) word(wd *syntax.Word) (fields []string, ok bool) {
	var cur strings.Builder
	have := false // cur is a field even if empty (quotes were seen)
	flush := func() {
		if have || cur.Len() > 0 {
			fields = append(fields, cur.String())
		}
		cur.Reset()
		have = false
	}
	for i, p := range wd.Parts {
		switch p := p.(type) {
		case *syntax.Lit:
			// A word of one literal is a pattern only as glob(3) reads it: `[` alone is itself,
			// so `[ -d /sys/class/net/eth0 ]` is a check, not a word known only at run time.
			pattern := len(wd.Parts) == 1 && glob.HasMeta(p.Value) ||
				len(wd.Parts) > 1 && strings.ContainsAny(unquotedSpecials(p.Value), "*?[")
			if pattern || (i == 0 && strings.HasPrefix(p.Value, "~")) {
				return nil, false
			}
			cur.WriteString(unescape(p.Value))
		case *syntax.SglQuoted:
			if p.Dollar { // dash 0.5.12 has no $'...': it is a '$' then a quoted string
				cur.WriteString("$")
			}
			cur.WriteString(p.Value)
			have = true
		case *syntax.DblQuoted:
			s, ok := w.dquoted(p)
			if !ok {
				return nil, false
			}
			cur.WriteString(s)
			have = true
		case *syntax.ParamExp:
			v, ok := w.param(p)
			if !ok || strings.ContainsAny(v, "*?[") {
				return nil, false
			}
			// Unquoted: split on IFS white space (space, tab, newline).
			for _, c := range []byte(v) {
				if isIFS(rune(c)) {
					flush()
				} else {
					cur.WriteByte(c)
				}
			}
		default:
			return nil, false
		}
	}
	flush()
	return fields, true
}

func isIFS(r rune) bool { return r == ' ' || r == '\t' || r == '\n' }

// dquoted expands the inside of "...": only plain parameters are known.
func (w *walker) dquoted(q *syntax.DblQuoted) (string, bool) {
	if q.Dollar { // $"..." is bash; dash reads '$' then "..."
		return "", false
	}
	var b strings.Builder
	for _, p := range q.Parts {
		switch p := p.(type) {
		case *syntax.Lit:
			b.WriteString(unescapeDQ(p.Value))
		case *syntax.ParamExp:
			v, ok := w.param(p)
			if !ok {
				return "", false
			}
			b.WriteString(v)
		default:
			return "", false
		}
	}
	return b.String(), true
}

// param returns the value of a plain $NAME or ${NAME}.
func (w *walker) param(p *syntax.ParamExp) (string, bool) {
	if p.Excl || p.Length || p.Width || p.Index != nil || p.Slice != nil || p.Repl != nil || p.Names != 0 || p.Exp != nil || p.Param == nil {
		return "", false
	}
	name := p.Param.Value
	if v, ok := w.local[name]; ok {
		if v == nil {
			return "", false
		}
		return *v, true
	}
	if !validName(name) {
		return "", false // $0, $$, $?, $1, $@ ...
	}
	v, ok := w.env[name]
	return v, ok
}

func validName(s string) bool {
	for i, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}

// unquotedSpecials returns s without its backslash-escaped characters.
func unquotedSpecials(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// unescape removes the shell's backslashes from an unquoted literal.
func unescape(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			if s[i] == '\n' {
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// unescapeDQ removes the backslashes that quote $ ` " \ or a newline inside "...".
func unescapeDQ(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("$`\"\\\n", s[i+1]) >= 0 {
			i++
			if s[i] == '\n' {
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func printWord(wd *syntax.Word) string {
	var b strings.Builder
	syntax.NewPrinter().Print(&b, wd)
	return b.String()
}

// Command reads one command already split into words (argv[0] the program), as the route tools
// would: ok is false when it is not an ip or route command that changes routes.
func Command(argv []string) (op Op, ok bool) {
	if len(argv) == 0 {
		return Op{}, false
	}
	switch tool(argv[0]) {
	case "ip":
		op, ok = parseIP(argv[1:])
	case "route":
		op, ok = parseRoute(argv[1:])
	}
	op.Argv = argv
	return op, ok
}
