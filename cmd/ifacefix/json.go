package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"unicode/utf8"

	"github.com/ifacefix/ifacefix/internal/detect"
	"github.com/ifacefix/ifacefix/internal/plan"
	"github.com/ifacefix/ifacefix/internal/report"
)

// The --json document: docs/report.schema.json is its contract (a test validates every document
// the command prints against it).
//
// JSON strings are Unicode: a string field whose bytes are not valid UTF-8 (a Latin-1 comment in
// a diff or in content, an interface name) holds them with each invalid byte replaced by U+FFFD,
// for display, and its object's "base64" maps the field's name to its exact bytes (standard
// base64), so that nothing is lost: a consumer that writes a field back takes it from there.
type jsonReport struct {
	Version     string            `json:"version"`
	Undo        bool              `json:"undo"`
	Applied     bool              `json:"applied"`
	ExitStatus  int               `json:"exit_status"`
	Roots       []jsonRoot        `json:"roots"`
	Files       []jsonFile        `json:"files"`
	Findings    []jsonFinding     `json:"findings"`
	Dialect     *jsonDialect      `json:"dialect,omitempty"`      // standard input mode: the dialect it was read as
	Content     *string           `json:"content,omitempty"`      // standard input mode: the fixed text
	NotFollowed []jsonInclude     `json:"not_followed,omitempty"` // standard input mode
	Error       string            `json:"error,omitempty"`        // an error that is no root's
	Base64      map[string]string `json:"base64,omitempty"`
}

type jsonRoot struct {
	Root     string            `json:"root"`
	Dialect  *jsonDialect      `json:"dialect,omitempty"`
	NoConfig bool              `json:"no_configuration,omitempty"`
	Error    string            `json:"error,omitempty"`
	Base64   map[string]string `json:"base64,omitempty"`
}

// jsonDialect is the program a configuration was read as, and why.
type jsonDialect struct {
	Name    string            `json:"name"`              // as --dialect takes it
	Version string            `json:"version,omitempty"` // the installed package's, when read from its database
	Reason  string            `json:"reason"`
	Base64  map[string]string `json:"base64,omitempty"`
}

func dialectOf(d detect.Result) *jsonDialect {
	if d.Dialect == nil {
		return nil
	}
	j := &jsonDialect{Name: d.Dialect.Name, Version: d.Version, Reason: d.Reason}
	exact(&j.Base64, "version", j.Version, "reason", j.Reason) // from a database, a link's target
	return j
}

type jsonFile struct {
	Root      string            `json:"root"`
	Path      string            `json:"path"`
	Changed   bool              `json:"changed"`
	Written   bool              `json:"written"`
	Backup    string            `json:"backup"`
	Restore   string            `json:"restore,omitempty"`
	Unwritten string            `json:"unwritten,omitempty"`
	Diff      string            `json:"diff,omitempty"`
	Base64    map[string]string `json:"base64,omitempty"`
}

type jsonFinding struct {
	Root    string            `json:"root"`
	Path    string            `json:"path"`
	Line    int               `json:"line"`
	Iface   string            `json:"iface"`
	Family  string            `json:"family"`
	Rule    string            `json:"rule"`
	Message string            `json:"message"`
	Fixed   bool              `json:"fixed"`
	Removed string            `json:"removed,omitempty"`
	Note    bool              `json:"note,omitempty"`
	Base64  map[string]string `json:"base64,omitempty"`
}

type jsonInclude struct {
	Path   string            `json:"path"`
	Line   int               `json:"line"`
	Text   string            `json:"text"`
	Base64 map[string]string `json:"base64,omitempty"`
}

// exact records in *m, under its name, the bytes of each string (name, value pairs) that is not
// valid UTF-8.
func exact(m *map[string]string, kv ...string) {
	for i := 0; i+1 < len(kv); i += 2 {
		if utf8.ValidString(kv[i+1]) {
			continue
		}
		if *m == nil {
			*m = map[string]string{}
		}
		(*m)[kv[i]] = base64.StdEncoding.EncodeToString([]byte(kv[i+1]))
	}
}

func (o output) writeJSON(p *plan.Plan, err error, applied bool, code int) {
	writeDoc(o.stdout, o.report(p, err, applied, code))
}

// writeDoc prints one JSON document.
func writeDoc(w io.Writer, doc any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // "<stdin>", "&&" in commands: print them as they are
	enc.Encode(doc)
}

// report is the --json document of a plan.
func (o output) report(p *plan.Plan, err error, applied bool, code int) jsonReport {
	r := jsonReport{Version: version, Undo: o.undo, Applied: applied, ExitStatus: code,
		Roots: []jsonRoot{}, Files: []jsonFile{}, Findings: []jsonFinding{}}
	for _, x := range p.Roots {
		jr := jsonRoot{Root: x.Dir}
		if x.Err == nil {
			jr.Dialect = dialectOf(x.Dialect)
		}
		switch {
		case o.noConfigOK && errors.Is(x.Err, plan.ErrNoConfig):
			jr.NoConfig = true
		case x.Err != nil:
			jr.Error = report.Error(x.Err)
		}
		exact(&jr.Base64, "root", jr.Root, "error", jr.Error)
		r.Roots = append(r.Roots, jr)
	}
	for _, f := range p.Files {
		jf := jsonFile{Root: f.Root, Path: f.Path, Changed: f.Changed, Written: f.Written, Backup: f.Backup,
			Restore: f.Restore, Diff: string(f.Diff)}
		if f.Changed && !f.Written {
			jf.Unwritten = f.Unwritten
		}
		exact(&jf.Base64, "root", jf.Root, "path", jf.Path, "backup", jf.Backup, "restore", jf.Restore,
			"unwritten", jf.Unwritten, "diff", jf.Diff)
		r.Files = append(r.Files, jf)
	}
	for _, f := range p.Findings {
		jf := jsonFinding{Root: f.Root, Path: f.Path, Line: f.Line, Iface: f.Iface, Family: f.Family,
			Rule: f.Rule, Message: f.Message, Fixed: f.Fixed, Removed: f.Removed, Note: f.Note}
		exact(&jf.Base64, "root", jf.Root, "path", jf.Path, "iface", jf.Iface, "family", jf.Family,
			"message", jf.Message, "removed", jf.Removed)
		r.Findings = append(r.Findings, jf)
	}
	if len(p.Files) == 1 && p.Files[0].Path == "<stdin>" && len(p.Roots) == 0 {
		content := string(p.Files[0].New)
		r.Content = &content
		r.Dialect = dialectOf(p.Dialect)
		exact(&r.Base64, "content", content)
		for _, in := range p.NotFollowed {
			ji := jsonInclude{Path: in.Path, Line: in.Line, Text: in.Text}
			exact(&ji.Base64, "path", ji.Path, "text", ji.Text)
			r.NotFollowed = append(r.NotFollowed, ji)
		}
	}
	if err != nil && !isRootError(p, err) {
		r.Error = report.Error(err)
		exact(&r.Base64, "error", r.Error)
	}
	return r
}
