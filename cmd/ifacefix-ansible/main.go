// Command ifacefix-ansible is the ifacefix Ansible module, a binary module: Ansible copies it to
// the target and runs it with one argument, the path of a JSON file holding the task's parameters
// and Ansible's internal "_ansible_*" keys. It prints one JSON object on standard output. The work
// is done by package plan, exactly as for the ifacefix command.
//
// Parameters: path (default /etc/network/interfaces), root, backup (default true),
// strip_route_commands (default false), live (default false), state_dir (default
// /run/network) and dialect (default: detected in the root, package detect), converted as
// Ansible's `type: path`, `type: bool` and `type: str` with choices are. With live, the running
// host is compared with the configuration and repaired (package live), as ifacefix --live does.
// Check mode (_ansible_check_mode) plans without writing; diffs are returned only in diff mode
// (_ansible_diff). A host without /etc/network/interfaces is "not applicable": ok, unchanged.
// `ifacefix-ansible --version` prints the version it was built with.
//
// The collection runs it through an action plugin (plugins/action/ifacefix.py) that picks the
// build for the host's architecture.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/ifacefix/ifacefix/fixer"
	"github.com/ifacefix/ifacefix/internal/detect"
	"github.com/ifacefix/ifacefix/internal/live"
	"github.com/ifacefix/ifacefix/internal/plan"
	"github.com/ifacefix/ifacefix/internal/report"
	"github.com/ifacefix/ifacefix/parser"
)

var version = "dev" // set with -ldflags "-X main.version=..." (make ansible)

// lockTimeout bounds the wait for another ifacefix working on the same configuration.
const lockTimeout = 30 * time.Second

func main() {
	os.Exit(run(os.Args, os.Stdout))
}

// params are the module's parameters after validation.
type params struct {
	Path               string
	Root               string
	Backup             bool
	StripRouteCommands bool
	Live               bool
	StateDir           string
	Dialect            *parser.Dialect // nil: detected
	CheckMode          bool
	Diff               bool
}

// diffEntry is one file's entry in the result's diff list, the shape Ansible's callbacks render.
type diffEntry struct {
	Before       string `json:"before"`
	After        string `json:"after"`
	BeforeHeader string `json:"before_header"`
	AfterHeader  string `json:"after_header"`
}

// The outcomes of a run, the fleet summary's categories (plugins/callback/fleet_summary.py).
const (
	outcomeChanged       = "changed"        // a file changed (in check mode: would change)
	outcomeClean         = "clean"          // nothing to fix, nothing left for a person
	outcomeNeedsPerson   = "needs_person"   // a finding is not fixed (whether or not a file changed)
	outcomeNotApplicable = "not_applicable" // no ifupdown configuration on the host
	outcomeFailed        = "failed"
)

// result is the module's return value.
type result struct {
	Changed     bool           `json:"changed"`
	Failed      bool           `json:"failed,omitempty"`
	Outcome     string         `json:"outcome"`
	Msg         string         `json:"msg"`
	Diff        []diffEntry    `json:"diff,omitempty"`
	BackupFiles []string       `json:"backup_files"`
	Findings    []plan.Finding `json:"findings"`
	Warnings    []string       `json:"warnings,omitempty"`
	// The program the configuration was read as (the dialect parameter, else detected in the
	// root), the installed package's version when known, and why.
	Dialect        string `json:"dialect,omitempty"`
	DialectVersion string `json:"dialect_version,omitempty"`
	DialectReason  string `json:"dialect_reason,omitempty"`
	// With live: the kernel's default routes before any change, and the changes to the running
	// host (the ip commands; in check mode those that would run).
	Routes        []string `json:"routes,omitempty"`
	KernelChanges []string `json:"kernel_changes,omitempty"`
}

// run executes the module and returns its exit status: 0 on success, 1 when the task failed.
func run(args []string, stdout io.Writer) int {
	if len(args) == 2 && args[1] == "--version" { // for people and tests: which build is this
		fmt.Fprintln(stdout, "ifacefix-ansible version", version)
		return 0
	}
	res := module(args)
	if res.Failed {
		res.Outcome = outcomeFailed
	}
	if res.BackupFiles == nil {
		res.BackupFiles = []string{}
	}
	if res.Findings == nil {
		res.Findings = []plan.Finding{}
	}
	out, err := json.Marshal(res)
	if err != nil { // cannot happen: every field is a plain value
		out = []byte(`{"failed": true, "msg": "ifacefix: cannot encode the result"}`)
		res.Failed = true
	}
	stdout.Write(append(out, '\n'))
	if res.Failed {
		return 1
	}
	return 0
}

func module(args []string) (out *result) {
	if len(args) != 2 {
		return &result{Failed: true, Msg: "ifacefix: this is an Ansible module: its only argument is the path of a JSON file of parameters"}
	}
	p, err := readParams(args[1])
	if err != nil {
		return &result{Failed: true, Msg: "ifacefix: " + err.Error()}
	}
	opt := plan.Options{
		Files:       []string{p.Path},
		Fix:         fixer.Options{StripRouteCommands: p.StripRouteCommands},
		Apply:       !p.CheckMode,
		NoDiff:      true, // Ansible's diff is before/after text, not a unified diff
		Backup:      p.Backup,
		LockTimeout: lockTimeout,
	}
	if p.Root != "" {
		opt.Roots = []string{p.Root}
	}
	if p.Dialect != nil {
		opt.Dialect = detect.Named(p.Dialect, "the dialect parameter")
	}
	if p.Live && p.Root != "" {
		return &result{Failed: true, Msg: "ifacefix: live reads the running kernel, which is not in the tree of root: use one or the other"}
	}
	pl, err := plan.Run(opt)
	// Every result of a planned root says how it was read (a not applicable host too).
	defer func() {
		if pl != nil && len(pl.Roots) == 1 && pl.Roots[0].Dialect.Dialect != nil {
			d := pl.Roots[0].Dialect
			out.Dialect, out.DialectVersion, out.DialectReason = d.Dialect.Name, d.Version, d.Reason
		}
	}()
	// No /etc/network/interfaces (nor perhaps /etc/network): a host on netplan or
	// systemd-networkd. Not for another path, which the task names on purpose.
	if p.Path == plan.DefaultFile && errors.Is(err, plan.ErrNoConfig) {
		return &result{Outcome: outcomeNotApplicable, Msg: fmt.Sprintf("%s does not exist: this host does not use ifupdown, nothing to do", filepath.Join(p.Root, p.Path))}
	}
	if err != nil {
		// The command's way out of an undetectable dialect, in the module's words.
		msg := strings.Replace(report.Error(err), detect.WayOut, "set the dialect parameter", 1)
		res := &result{Failed: true, Msg: msg}
		// A failure after some files were written: say what changed, so nothing is hidden.
		var we *plan.WriteError
		if errors.As(err, &we) && len(we.Written) > 0 {
			res.Changed = true
			res.BackupFiles = backups(pl)
		}
		return res
	}
	if !p.Live {
		return resultOf(pl, p)
	}
	k, err := live.NewNetlink()
	if err != nil {
		return &result{Failed: true, Msg: "ifacefix: live: netlink: " + err.Error()}
	}
	defer k.Close()
	lr, err := live.Run(context.Background(), pl, p.Path, !p.CheckMode, live.Options{Kernel: k, Dialect: pl.Roots[0].Dialect.Dialect.Name, StateDir: p.StateDir, Repair: !p.CheckMode})
	if err != nil {
		return &result{Failed: true, Msg: report.Error(fmt.Errorf("live: %w", err))}
	}
	pl.Findings = append(pl.Findings, lr.Findings...)
	res := resultOf(pl, p)
	for _, r := range lr.Routes {
		res.Routes = append(res.Routes, live.Text(r.Route))
	}
	for _, c := range lr.Changes {
		if p.CheckMode || c.Done {
			res.KernelChanges = append(res.KernelChanges, c.Text(lr.StatePath))
		}
	}
	if len(res.KernelChanges) > 0 {
		res.Changed = true
		if res.Outcome == outcomeClean {
			res.Outcome = outcomeChanged
		}
		res.Msg += fmt.Sprintf("; %d kernel or state %s", len(res.KernelChanges), plural(len(res.KernelChanges), "change"))
		if p.CheckMode {
			res.Msg += " (not made in check mode)"
		}
	}
	switch {
	case lr.StateErr != nil:
		res.Warnings = append(res.Warnings, "live: the state was not read ("+lr.StateErr.Error()+"): its checks are skipped")
	case lr.Err != nil:
		res.Failed, res.Msg = true, "ifacefix: live: the repair failed: "+lr.Err.Error()
	case lr.Refused != "":
		res.Warnings = append(res.Warnings, "live: the route changes are not made: "+lr.Refused)
		res.Outcome = outcomeNeedsPerson
	}
	return res
}

// readParams reads and validates the arguments file. The parameters are converted as Ansible's
// own argument spec converts them (see boolean and expandPath); a null value means the option was
// omitted, so its default applies.
func readParams(name string) (*params, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("reading the arguments file: %v", err)
	}
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("the arguments file %s is not a JSON object: %v", name, err)
	}
	// Anything but an object (null above all, which would otherwise read as "no parameters" and
	// run apply mode on the real /etc/network/interfaces) is refused.
	raw, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the arguments file %s holds %s, not a JSON object of parameters", name, jsonKind(doc))
	}
	p := &params{Path: plan.DefaultFile, Backup: true, StateDir: live.DefaultStateDir}
	var unknown []string
	for k, v := range raw {
		if v == nil && !strings.HasPrefix(k, "_ansible_") {
			if !supported[k] {
				unknown = append(unknown, k)
			}
			continue // omitted: the default
		}
		var err error
		switch k {
		case "path":
			p.Path, err = expandPath(k, v)
		case "root":
			p.Root, err = expandPath(k, v)
		case "backup":
			p.Backup, err = boolean(k, v)
		case "strip_route_commands":
			p.StripRouteCommands, err = boolean(k, v)
		case "live":
			p.Live, err = boolean(k, v)
		case "state_dir":
			p.StateDir, err = expandPath(k, v)
		case "dialect":
			p.Dialect, err = dialect(k, v)
		// The next parameters get their case here, an entry in supported and their
		// documentation in plugins/modules/ifacefix.py; TestDoc checks that the two agree.
		case "_ansible_check_mode":
			p.CheckMode, err = boolean(k, v)
		case "_ansible_diff":
			p.Diff, err = boolean(k, v)
		default:
			if !strings.HasPrefix(k, "_ansible_") {
				unknown = append(unknown, k)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, fmt.Errorf("unsupported parameters: %s (supported: %s)", strings.Join(unknown, ", "), strings.Join(supportedNames(), ", "))
	}
	if p.Path == "" {
		return nil, errors.New("path must not be empty")
	}
	if !filepath.IsAbs(p.Path) {
		return nil, fmt.Errorf("path must be absolute (inside root, if root is set), not %q", p.Path)
	}
	if p.Root != "" && !filepath.IsAbs(p.Root) {
		return nil, fmt.Errorf("root must be an absolute directory, not %q", p.Root)
	}
	return p, nil
}

func plural(n int, w string) string {
	if n == 1 {
		return w
	}
	return w + "s"
}

// supported are the module's parameters.
var supported = map[string]bool{"backup": true, "path": true, "root": true, "strip_route_commands": true, "live": true, "state_dir": true, "dialect": true}

func supportedNames() []string {
	var n []string
	for k := range supported {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// jsonKind names the kind of a decoded JSON value, for messages.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	}
	return "an object"
}

// expandPath is Ansible's `type: path`: a string with environment variables and then a leading
// ~ expanded, as Python's os.path.expanduser(os.path.expandvars(value)) does on the target.
func expandPath(k string, v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s must be a string, not %s", k, jsonText(v))
	}
	return expandUser(expandVars(s)), nil
}

// varRef is what Python's posixpath.expandvars substitutes: $name or ${anything}, name being ASCII
// letters, digits and underscores.
var varRef = regexp.MustCompile(`\$([A-Za-z0-9_]+|\{[^}]*\})`)

// expandVars is Python's posixpath.expandvars: a reference to a variable that is not set is left
// as written (not replaced by nothing, as os.ExpandEnv would), and substituted values are not
// expanded again.
func expandVars(s string) string {
	return varRef.ReplaceAllStringFunc(s, func(ref string) string {
		name := strings.TrimPrefix(ref, "$")
		if strings.HasPrefix(name, "{") {
			name = name[1 : len(name)-1]
		}
		if v, ok := os.LookupEnv(name); ok && name != "" {
			return v
		}
		return ref
	})
}

// expandUser is Python's posixpath.expanduser: "~" and "~/..." become $HOME (or, without HOME,
// the current user's home directory), "~NAME/..." NAME's home directory; an unknown user leaves
// the path as it is.
func expandUser(s string) string {
	if !strings.HasPrefix(s, "~") {
		return s
	}
	i := strings.IndexByte(s, '/')
	if i < 0 {
		i = len(s)
	}
	var home string
	if i == 1 {
		var ok bool
		if home, ok = os.LookupEnv("HOME"); !ok {
			u, err := user.Current()
			if err != nil {
				return s
			}
			home = u.HomeDir
		}
	} else {
		u, err := user.Lookup(s[1:i])
		if err != nil {
			return s
		}
		home = u.HomeDir
	}
	if r := strings.TrimRight(home, "/") + s[i:]; r != "" {
		return r
	}
	return "/"
}

// dialect is Ansible's `type: str` with `choices`: one of the dialects' names, as ifacefix
// --dialect takes them; the message is Ansible's for a value not among the choices.
func dialect(k string, v any) (*parser.Dialect, error) {
	var names []string
	for _, d := range parser.Dialects {
		names = append(names, d.Name)
	}
	s, ok := v.(string)
	if d := parser.DialectNamed(s); ok && d != nil {
		return d, nil
	}
	return nil, fmt.Errorf("value of %s must be one of: %s, got: %s", k, strings.Join(names, ", "), fmt.Sprint(v))
}

// Ansible's BOOLEANS_TRUE and BOOLEANS_FALSE (ansible/module_utils/parsing/convert_bool.py): the
// strings, compared in lower case with surrounding whitespace removed, and the numbers 1 and 0.
var (
	booleanTrue  = map[string]bool{"y": true, "yes": true, "on": true, "1": true, "true": true, "t": true}
	booleanFalse = map[string]bool{"n": true, "no": true, "off": true, "0": true, "false": true, "f": true}
)

// boolean is Ansible's `type: bool` (check_type_bool): a JSON boolean, one of the strings of
// BOOLEANS_TRUE or BOOLEANS_FALSE, or the number 1 or 0. Nothing else, not "1.0", not 2.
func boolean(k string, v any) (bool, error) {
	switch b := v.(type) {
	case bool:
		return b, nil
	case float64:
		switch b {
		case 1:
			return true, nil
		case 0:
			return false, nil
		}
	case string:
		s := strings.ToLower(strings.TrimFunc(b, pySpace))
		switch {
		case booleanTrue[s]:
			return true, nil
		case booleanFalse[s]:
			return false, nil
		}
	}
	return false, fmt.Errorf("%s must be a boolean, not %s (Ansible's booleans: true, false, 1, 0, and the strings yes, no, on, off, true, false, y, n, t, f, 1, 0 in any case)", k, jsonText(v))
}

// pySpace is Python's str.isspace, which str.strip uses: Go's unicode.IsSpace plus the ASCII
// separators U+001C..U+001F.
func pySpace(r rune) bool { return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f) }

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func backups(pl *plan.Plan) []string {
	var b []string
	if pl == nil {
		return b
	}
	for _, f := range pl.Files {
		if f.Backup != "" {
			b = append(b, f.Backup)
		}
	}
	return b
}

func resultOf(pl *plan.Plan, p *params) *result {
	res := &result{Findings: pl.Findings, BackupFiles: backups(pl)}
	changed := pl.Changed()
	res.Changed = len(changed) > 0
	if p.Diff {
		for _, f := range changed {
			res.Diff = append(res.Diff, diffEntry{Before: string(f.Old), After: string(f.New), BeforeHeader: f.Path, AfterHeader: f.Path})
		}
	}
	res.Outcome = outcomeClean
	if res.Changed {
		res.Outcome = outcomeChanged
	}
	for _, f := range pl.Findings {
		if !f.Fixed && !f.Note {
			res.Warnings = append(res.Warnings, report.Finding(f))
			res.Outcome = outcomeNeedsPerson
		}
	}
	res.Msg = report.Summary(pl, !p.CheckMode)
	if len(changed) > 0 {
		var names []string
		for _, f := range changed {
			names = append(names, f.Path)
		}
		res.Msg += ": " + strings.Join(names, ", ")
	}
	return res
}
