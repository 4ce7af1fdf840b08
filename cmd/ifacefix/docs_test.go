package main

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ifacefix/ifacefix/fixer"
	"github.com/ifacefix/ifacefix/internal/safefile"
)

func testApp() *cli.App { return newApp(nil, io.Discard, io.Discard) }

// flagNames are the spellings of every visible flag, from the CLI definition itself.
func flagNames(t *testing.T) []string {
	var names []string
	for _, f := range docFlags(testApp()) {
		names = append(names, f.Names...)
	}
	if !slices.Contains(names, "--apply") || !slices.Contains(names, "-i") || !slices.Contains(names, "--version") {
		t.Fatalf("flags %v lack --apply, -i or --version", names)
	}
	return names
}

// section returns the text of the man page's section name, up to the next .SH.
func section(t *testing.T, page, name string) string {
	_, after, ok := strings.Cut(page, "\n.SH "+name+"\n")
	if !ok {
		t.Fatalf("man page has no section %s", name)
	}
	body, _, _ := strings.Cut(after, "\n.SH ")
	return body
}

func TestManPage(t *testing.T) {
	version = "1.2.3-4-gabcdef0"
	t.Cleanup(func() { version = "dev" })
	page, err := manPage(testApp(), "2026-01-02")
	if err != nil {
		t.Fatal(err)
	}
	if want := `.TH IFACEFIX 8 "2026-01-02" "ifacefix 1.2.3\-4\-gabcdef0" "System Administration"`; !strings.Contains(page, want+"\n") {
		t.Errorf("no %q line", want)
	}
	if name := section(t, page, "NAME"); !strings.HasPrefix(name, `ifacefix \- remove gateway lines`) {
		t.Errorf("NAME is %q, want whatis form \"ifacefix \\- ...\"", name)
	}
	for _, s := range []string{"SYNOPSIS", "DESCRIPTION", "EXIT STATUS", "ENVIRONMENT", "EXAMPLES"} {
		section(t, page, s)
	}
	synopsis, options := section(t, page, "SYNOPSIS"), section(t, page, "OPTIONS")
	for _, n := range flagNames(t) {
		if r := `\fB` + roff(n) + `\fR`; !strings.Contains(options, r) {
			t.Errorf("OPTIONS lacks %s", r)
		}
	}
	for _, want := range []string{`[\fB\-\-root\fR\ \fIDIR\fR]...`, `[\fB\-i\fR]`, `[\fIFILE\fR\ ...]`} {
		if !strings.Contains(synopsis, want) {
			t.Errorf("SYNOPSIS lacks %s:\n%s", want, synopsis)
		}
	}
	if !strings.Contains(options, `\fB\-\-lock\-timeout\fR \fIVALUE\fR`+"\nHow long \\-\\-apply waits for another process that holds the configuration's lock (default: 30s).\n") {
		t.Errorf("OPTIONS lacks --lock-timeout VALUE with its default:\n%s", options)
	}
	rules := section(t, page, "RULES")
	for _, r := range fixer.Rules {
		if !strings.Contains(rules, ".B "+roff(r.ID)+"\n") {
			t.Errorf("RULES lacks %s", r.ID)
		}
	}
	if see := section(t, page, "SEE ALSO"); !strings.Contains(see, ".BR interfaces (5)") || !strings.Contains(see, ".BR ifup (8)") {
		t.Errorf("SEE ALSO is %q", see)
	}
	// FILES names backups as safefile makes them.
	files := section(t, page, "FILES")
	m := regexp.MustCompile(`\.I DIR/(\S+)`).FindStringSubmatch(files)
	if m == nil {
		t.Fatalf("FILES names no backup:\n%s", files)
	}
	pat := strings.NewReplacer(`\-`, "-", ".", `\.`, "YYYYMMDD", `\d{8}`, "HHMMSS", `\d{6}`).Replace(m[1])
	name := safefile.BackupName("NAME", time.Date(2026, 3, 4, 5, 6, 7, 0, time.FixedZone("X", 3600)))
	if !regexp.MustCompile(`^` + pat + `$`).MatchString(name) {
		t.Errorf("FILES says backups are %s, safefile makes %s", m[1], name)
	}
}

// exitCodes returns the values of main.go's exit* constants, sorted.
func exitCodes(t *testing.T) []string {
	f, err := parser.ParseFile(token.NewFileSet(), "main.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if !strings.HasPrefix(n.Name, "exit") {
					continue
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.INT {
					t.Fatalf("%s is not an integer literal: extend this test", n.Name)
				}
				codes = append(codes, lit.Value)
			}
		}
	}
	slices.Sort(codes)
	return codes
}

// TestManPageExitStatus: EXIT STATUS documents exactly the exit* constants of main.go, so a new
// exit code cannot be added without its entry in ifacefix.8.tmpl.
func TestManPageExitStatus(t *testing.T) {
	codes := exitCodes(t)
	page, err := manPage(testApp(), "2026-01-02")
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	for _, m := range regexp.MustCompile(`(?m)^\.TP\n\.B (\d+)$`).FindAllStringSubmatch(section(t, page, "EXIT STATUS"), -1) {
		documented = append(documented, m[1])
	}
	slices.Sort(documented)
	if len(codes) < 3 || !slices.Equal(codes, documented) {
		t.Errorf("main.go has exit codes %v, the man page documents %v (cmd/ifacefix/ifacefix.8.tmpl)", codes, documented)
	}
}

// TestREADMEExitStatus: the README's exit status table lists exactly the exit* constants.
func TestREADMEExitStatus(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(data), "\n### Exit status\n")
	if !ok {
		t.Fatal("README.md has no \"### Exit status\" section")
	}
	table, _, _ = strings.Cut(table, "\n#")
	var documented []string
	for _, m := range regexp.MustCompile(`(?m)^\| (\d+) \|`).FindAllStringSubmatch(table, -1) {
		documented = append(documented, m[1])
	}
	slices.Sort(documented)
	if codes := exitCodes(t); !slices.Equal(codes, documented) {
		t.Errorf("main.go has exit codes %v, README.md's table documents %v", codes, documented)
	}
}

// TestManPageFormats renders the page as lintian does and wants no warning from groff.
func TestManPageFormats(t *testing.T) {
	if _, err := exec.LookPath("man"); err != nil {
		t.Skip("man (man-db) not installed")
	}
	page, err := manPage(testApp(), "2026-01-02")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "ifacefix.8")
	if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("man", "--warnings", "-E", "UTF-8", "-l", "-Tutf8", "-Z", file)
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "MANWIDTH=80")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Errorf("man: %v\n%s", err, stderr.String())
	}
}

// complete runs the bash completion for the words (the last one being completed) in dir.
func complete(t *testing.T, script, dir string, words ...string) []string {
	var quoted []string
	for _, w := range words {
		quoted = append(quoted, strconv.Quote(w))
	}
	prog := script + "\nCOMP_WORDS=(" + strings.Join(quoted, " ") + ")\nCOMP_CWORD=" + strconv.Itoa(len(words)-1) +
		"\n_ifacefix\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
	cmd := exec.Command("bash", "--norc", "--noprofile", "-c", prog)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bash: %v", err)
	}
	got := strings.Fields(string(out))
	slices.Sort(got)
	return got
}

func TestBashCompletion(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not installed")
	}
	script := bashCompletion(testApp())
	dir := t.TempDir()
	for _, d := range []string{"etc", "examples"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "eth.cfg"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	names := flagNames(t)
	slices.Sort(names)
	var rules []string
	for _, r := range fixer.Rules {
		rules = append(rules, r.ID)
	}
	slices.Sort(rules)
	for _, c := range []struct {
		words []string
		want  []string
	}{
		{[]string{"ifacefix", "-"}, names},
		{[]string{"ifacefix", "--ap"}, []string{"--apply"}},
		{[]string{"ifacefix", "--explain", ""}, rules},
		{[]string{"ifacefix", "--explain", "inc"}, []string{"include-cycle", "include-not-file", "include-twice", "include-unsupported"}},
		{[]string{"ifacefix", "--color", "="}, []string{"always", "auto", "never"}}, // bash splits at "="
		{[]string{"ifacefix", "--color", "=", "a"}, []string{"always", "auto"}},
		{[]string{"ifacefix", "--root", "e"}, []string{"etc", "examples"}}, // directories only
		{[]string{"ifacefix", "--dialect", "ifupdown"}, []string{"ifupdown", "ifupdown-ng", "ifupdown2"}},
		{[]string{"ifacefix", "--dialect", "b"}, []string{"busybox"}},
		{[]string{"ifacefix", "--lock-timeout", ""}, nil},
		{[]string{"ifacefix", "--check", "e"}, []string{"etc", "eth.cfg", "examples"}},
		{[]string{"ifacefix", "--", "-"}, nil}, // after --, file names only
	} {
		if got := complete(t, script, dir, c.words...); !slices.Equal(got, c.want) {
			t.Errorf("%q: got %q, want %q", c.words, got, c.want)
		}
	}
}

// TestZshCompletion checks the script's syntax and, with _arguments stubbed, that its specs are
// the words zsh will see: one per flag spelling (brace expansion) and the file argument.
func TestZshCompletion(t *testing.T) {
	if _, err := exec.LookPath("zsh"); err != nil {
		t.Skip("zsh not installed")
	}
	file := filepath.Join(t.TempDir(), "_ifacefix")
	if err := os.WriteFile(file, []byte(zshCompletion(testApp())), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("zsh", "-n", file).CombinedOutput(); err != nil {
		t.Fatalf("zsh -n: %v\n%s", err, out)
	}
	out, err := exec.Command("zsh", "-f", "-c", `_arguments() { print -rl -- "$@" }; source "$1"`, "zsh", file).Output()
	if err != nil {
		t.Fatal(err)
	}
	specs := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if specs[0] != "-S" || specs[len(specs)-1] != "*:FILE:_files" {
		t.Errorf("specs %q", specs)
	}
	byName := map[string]string{}
	for _, s := range specs[1 : len(specs)-1] {
		m := regexp.MustCompile(`^(?:\*|\([^)]*\))?(-[-a-z]*)=?\[`).FindStringSubmatch(s)
		if m == nil {
			t.Fatalf("spec %q", s)
		}
		byName[m[1]] = s
	}
	for _, n := range flagNames(t) {
		if byName[n] == "" {
			t.Errorf("no spec for %s", n)
		}
	}
	for n, want := range map[string]string{
		"-i":            `(-i --interactive)-i[show each file's diff and ask before writing it (implies --apply)]`,
		"--dialect":     `--dialect=[read the configuration as the program NAME does instead of detecting it from each root's package database: ifupdown, ifupdown2, ifupdown-ng or busybox]:NAME:(ifupdown ifupdown2 ifupdown-ng busybox)`,
		"--root":        `*--root=[treat DIR as / (repeat for several host trees); nothing outside it is read or written]:DIR:_files -/`,
		"--color":       `--color=[colour the diff: auto, always or never (NO_COLOR, FORCE_COLOR and TERM=dumb are honoured)]:VALUE:(auto always never)`,
		"--interactive": `(-i --interactive)--interactive[show each file's diff and ask before writing it (implies --apply)]`,
	} {
		if byName[n] != want {
			t.Errorf("%s: spec %q, want %q", n, byName[n], want)
		}
	}
}
