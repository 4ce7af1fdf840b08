// Command ifacefix-ansible is the ifacefix Ansible module, a binary module: Ansible copies it to
// the target and runs it with one argument, the path of a JSON file holding the task's parameters
// and Ansible's internal "_ansible_*" keys. It prints one JSON object on standard output. The work
// is done by package plan, exactly as for the ifacefix command.
//
// Parameters: path (default /etc/network/interfaces), root, backup (default true),
// strip_route_commands (default false). Check mode (_ansible_check_mode) plans without writing;
// diffs are returned only in diff mode (_ansible_diff). `ifacefix-ansible --version` prints the
// version it was built with.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ifacefix/ifacefix/fixer"
	"github.com/ifacefix/ifacefix/internal/plan"
	"github.com/ifacefix/ifacefix/internal/report"
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

// result is the module's return value.
type result struct {
	Changed     bool           `json:"changed"`
	Failed      bool           `json:"failed,omitempty"`
	Msg         string         `json:"msg"`
	Diff        []diffEntry    `json:"diff,omitempty"`
	BackupFiles []string       `json:"backup_files"`
	Findings    []plan.Finding `json:"findings"`
	Warnings    []string       `json:"warnings,omitempty"`
}

// run executes the module and returns its exit status: 0 on success, 1 when the task failed.
func run(args []string, stdout io.Writer) int {
	if len(args) == 2 && args[1] == "--version" { // for people and tests: which build is this
		fmt.Fprintln(stdout, "ifacefix-ansible version", version)
		return 0
	}
	res := module(args)
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

func module(args []string) *result {
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
	pl, err := plan.Run(opt)
	if err != nil {
		res := &result{Failed: true, Msg: report.Error(err)}
		// A failure after some files were written: say what changed, so nothing is hidden.
		var we *plan.WriteError
		if errors.As(err, &we) && len(we.Written) > 0 {
			res.Changed = true
			res.BackupFiles = backups(pl)
		}
		return res
	}
	return resultOf(pl, p)
}

// readParams reads and validates the arguments file.
func readParams(name string) (*params, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("reading the arguments file: %v", err)
	}
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("the arguments file %s is not a JSON object: %v", name, err)
	}
	p := &params{Path: plan.DefaultFile, Backup: true}
	var unknown []string
	for k, v := range raw {
		var err error
		switch k {
		case "path":
			if v != nil { // null: the default, as Ansible passes an omitted option
				p.Path, err = str(k, v)
			}
		case "root":
			if v != nil {
				p.Root, err = str(k, v)
			}
		case "backup":
			if v != nil {
				p.Backup, err = boolean(k, v)
			}
		case "strip_route_commands":
			if v != nil {
				p.StripRouteCommands, err = boolean(k, v)
			}
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
		return nil, fmt.Errorf("unsupported parameters: %s (supported: backup, path, root, strip_route_commands)", strings.Join(unknown, ", "))
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

func str(k string, v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s must be a string, not %v", k, v)
	}
	return s, nil
}

// boolean accepts what Ansible's own modules accept as a boolean.
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
		switch strings.ToLower(b) {
		case "yes", "on", "1", "true", "t", "y", "1.0":
			return true, nil
		case "no", "off", "0", "false", "f", "n", "0.0":
			return false, nil
		}
	}
	return false, fmt.Errorf("%s must be a boolean, not %s", k, strconv.Quote(fmt.Sprint(v)))
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
	for _, f := range pl.Findings {
		if !f.Fixed && !f.Note {
			res.Warnings = append(res.Warnings, report.Finding(f))
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
