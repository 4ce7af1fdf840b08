package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ifacefix/ifacefix/fixer"
	"github.com/ifacefix/ifacefix/parser"
)

// schemaFile is the --json contract, relative to this package's directory.
var schemaFile = filepath.Join("..", "..", "docs", "report.schema.json")

// schemaEnv passes the schema's absolute path to the command run by the scripts, which runs in
// the scripts' own directory.
const schemaEnv = "IFACEFIX_TEST_SCHEMA"

var compiled struct {
	once sync.Once
	sch  *jsonschema.Schema
	err  error
}

// validateReport validates a --json document against the schema file.
func validateReport(schema string, doc []byte) error {
	compiled.once.Do(func() {
		c := jsonschema.NewCompiler()
		c.AssertContent()
		compiled.sch, compiled.err = c.Compile(schema)
	})
	if compiled.err != nil {
		return compiled.err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("not JSON: %v", err)
	}
	return compiled.sch.Validate(inst)
}

// commandForScripts is the ifacefix the scripts run: the real command, whose --json output is
// validated against the schema (a violation fails the script with exit status 99), so that every
// document the scripts print is checked.
func commandForScripts() {
	schema := os.Getenv(schemaEnv)
	if schema == "" || !slices.Contains(os.Args[1:], "--json") {
		main()
		return
	}
	var out bytes.Buffer
	code := run(os.Args, os.Stdin, &out, os.Stderr)
	os.Stdout.Write(out.Bytes())
	if out.Len() > 0 {
		if err := validateReport(schema, out.Bytes()); err != nil {
			fmt.Fprintf(os.Stderr, "the --json document does not follow %s: %v\n", schema, err)
			os.Exit(99)
		}
	}
	os.Exit(code)
}

// cmdExits: exits CODE PROG [ARGS...] runs PROG like exec and wants exit status CODE exactly
// (exec only tells zero from non-zero).
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	noNeg(ts, neg, "exits")
	if len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("usage: exits CODE PROG [ARGS...]")
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ok bool
		if got, ok = exitStatusOf(err); !ok {
			ts.Fatalf("%s: %v", args[1], err)
		}
	}
	if got != want {
		ts.Fatalf("%s: exit status %d, want %d", args[1], got, want)
	}
}

func exitStatusOf(err error) (int, bool) {
	type exitCoder interface{ ExitCode() int }
	if e, ok := err.(exitCoder); ok {
		return e.ExitCode(), true
	}
	var code int
	if _, scanErr := fmt.Sscanf(err.Error(), "exit status %d", &code); scanErr == nil {
		return code, true
	}
	return 0, false
}

// TestSchemaRules: the schema's rule enum is exactly the registered rules.
func TestSchemaRules(t *testing.T) {
	data, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Defs struct {
			Finding struct {
				Properties struct {
					Rule struct {
						Enum []string `json:"enum"`
					} `json:"rule"`
				} `json:"properties"`
			} `json:"finding"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range fixer.Rules {
		ids = append(ids, r.ID)
	}
	if !slices.Equal(s.Defs.Finding.Properties.Rule.Enum, ids) {
		t.Errorf("%s: rule enum %q, want the registered rules %q", schemaFile, s.Defs.Finding.Properties.Rule.Enum, ids)
	}
}

// TestSchemaDialects: the schema's dialect names are exactly the parser's dialects, as --dialect
// takes them.
func TestSchemaDialects(t *testing.T) {
	data, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Defs struct {
			Dialect struct {
				Properties struct {
					Name struct {
						Enum []string `json:"enum"`
					} `json:"name"`
				} `json:"properties"`
			} `json:"dialect"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range parser.Dialects {
		names = append(names, d.Name)
	}
	if !slices.Equal(s.Defs.Dialect.Properties.Name.Enum, names) {
		t.Errorf("%s: dialect names %q, want %q", schemaFile, s.Defs.Dialect.Properties.Name.Enum, names)
	}
}

// TestSchemaRejects: the schema is strict enough to catch a document that breaks the contract.
func TestSchemaRejects(t *testing.T) {
	abs, _ := filepath.Abs(schemaFile)
	good := `{"version":"dev","undo":false,"applied":false,"exit_status":0,"roots":[{"root":"/"}],"files":[],"findings":[]}`
	if err := validateReport(abs, []byte(good)); err != nil {
		t.Fatalf("a minimal document is refused: %v", err)
	}
	for _, bad := range []string{
		`{"version":"dev","undo":false,"applied":false,"exit_status":0,"roots":[],"files":[]}`,
		`{"version":"dev","undo":false,"applied":false,"exit_status":9,"roots":[],"files":[],"findings":[]}`,
		`{"version":"dev","undo":false,"applied":false,"exit_status":0,"roots":[],"files":[],"findings":[],"extra":1}`,
		`{"version":"dev","undo":false,"applied":false,"exit_status":0,"roots":[],"files":[{"root":"/","path":"x","changed":true,"written":false,"backup":"","base64":{"content":"AA=="}}],"findings":[]}`,
		`{"version":"dev","undo":false,"applied":false,"exit_status":0,"roots":[],"files":[],"findings":[],"base64":{"content":"not base64!"}}`,
		`{"version":"dev","undo":false,"applied":false,"exit_status":0,"roots":[],"files":[],"findings":[{"root":"","path":"x","line":1,"iface":"","family":"","rule":"no-such-rule","message":"","fixed":false}]}`,
		`{"version":"dev","undo":false,"applied":false,"exit_status":0,"roots":[{"root":"/","dialect":{"name":"netplan","reason":"r"}}],"files":[],"findings":[]}`,
		`{"version":"dev","undo":false,"applied":false,"exit_status":0,"roots":[{"root":"/","dialect":{"name":"ifupdown"}}],"files":[],"findings":[]}`,
	} {
		if err := validateReport(abs, []byte(bad)); err == nil {
			t.Errorf("accepted: %s", bad)
		}
	}
}
