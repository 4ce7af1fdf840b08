package main

// The man page and the bash and zsh completions, generated from the command-line definition
// (newApp) so that they list every flag without anyone editing them. Only the generator build
// (gendoc.go, `make man completion`) calls these functions; the linker drops them from ifacefix.

import (
	_ "embed"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"text/template"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ifacefix/ifacefix/fixer"
	"github.com/ifacefix/ifacefix/internal/plan"
	"github.com/ifacefix/ifacefix/internal/safefile"
)

//go:embed ifacefix.8.tmpl
var manTemplate string

// docFlag is one flag as the man page and the completions show it.
type docFlag struct {
	Names  []string // spellings with their dashes, short ones first: "-i", "--interactive"
	Arg    string   // placeholder of the value ("DIR"); "" for a boolean flag
	Usage  string   // the usage text, placeholder backquotes removed
	Def    string   // the default shown, "" if none
	Repeat bool     // may be given more than once
	Words  []string // the values it takes, when it has a fixed set
	Dirs   bool     // its value is a directory
	Files  bool     // its value is a file
}

// docFlags lists the app's visible flags (help and version included) in their order.
func docFlags(app *cli.App) []docFlag {
	app.Setup() // adds --help and --version
	// A usage that ends in a fixed set of values: "...: auto, always or never".
	valueList := regexp.MustCompile(`: ([a-z0-9-]+(?:, [a-z0-9-]+)* or [a-z0-9-]+)\b`)
	var flags []docFlag
	for _, f := range app.VisibleFlags() {
		df, ok := f.(cli.DocGenerationFlag)
		if !ok {
			continue
		}
		d := docFlag{Usage: df.GetUsage()}
		// urfave/cli's convention: the first `word` of the usage names the value.
		if i := strings.IndexByte(d.Usage, '`'); i >= 0 {
			if j := strings.IndexByte(d.Usage[i+1:], '`'); j >= 0 {
				d.Arg = d.Usage[i+1 : i+1+j]
				d.Usage = d.Usage[:i] + d.Arg + d.Usage[i+2+j:]
			}
		}
		for _, n := range df.Names() {
			if len(n) == 1 {
				d.Names = append([]string{"-" + n}, d.Names...)
			} else {
				d.Names = append(d.Names, "--"+n)
			}
		}
		if df.TakesValue() {
			if d.Arg == "" {
				d.Arg = "VALUE"
			}
			if def := df.GetDefaultText(); def != "" && def != `""` {
				d.Def = def
			}
			if m := valueList.FindStringSubmatch(d.Usage); m != nil {
				d.Words = strings.Fields(strings.NewReplacer(",", "", " or ", " ").Replace(m[1]))
			}
			switch d.Arg {
			case "DIR":
				d.Dirs = true
			case "FILE":
				d.Files = true
			case "RULE":
				for _, r := range fixer.Rules {
					d.Words = append(d.Words, r.ID)
				}
			}
		}
		if sf, ok := f.(cli.DocGenerationSliceFlag); ok && sf.IsSliceFlag() {
			d.Repeat = true
		}
		flags = append(flags, d)
	}
	return flags
}

// roff escapes plain text for a roff line: backslashes, minus signs, and a leading dot or quote.
func roff(s string) string {
	s = strings.NewReplacer(`\`, `\e`, "-", `\-`).Replace(s)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

// sentence capitalises the first letter of s and ends it with a full stop.
func sentence(s string) string {
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	return strings.TrimSuffix(s, ".") + "."
}

// manPage renders ifacefix(8) from the app and ifacefix.8.tmpl; date is the page's date
// (YYYY-MM-DD, the commit's for a reproducible build).
func manPage(app *cli.App, date string) (string, error) {
	type manFlag struct{ Head, Usage string }
	type manRule struct{ ID, Title string }
	data := struct {
		Name, Usage, Version, Date, DefaultFile, Backup string
		Synopsis                                        []string
		Flags                                           []manFlag
		Rules                                           []manRule
	}{Name: app.Name, Usage: roff(app.Usage), Version: roff(app.Version), Date: date, DefaultFile: roff(plan.DefaultFile)}
	// The backup name as safefile makes it, its time spelled as a pattern.
	const layout = "20060102T150405Z"
	backup := safefile.BackupName("NAME", time.Date(2006, 1, 2, 15, 4, 5, 0, time.UTC))
	if !strings.Contains(backup, layout) {
		return "", fmt.Errorf("backup name %q: its time is no longer %s", backup, layout)
	}
	data.Backup = roff("DIR/" + strings.Replace(backup, layout, "YYYYMMDDTHHMMSSZ", 1))
	for _, f := range docFlags(app) {
		var names []string
		for _, n := range f.Names {
			names = append(names, `\fB`+roff(n)+`\fR`)
		}
		head := strings.Join(names, ", ")
		syn := `[\fB` + roff(f.Names[0]) + `\fR`
		usage := roff(f.Usage)
		if f.Arg != "" {
			head += ` \fI` + roff(f.Arg) + `\fR`
			syn += `\ \fI` + roff(f.Arg) + `\fR` // "\ ": never broken between flag and value
			usage = strings.Replace(usage, roff(f.Arg), `\fI`+roff(f.Arg)+`\fR`, 1)
		}
		syn += "]"
		if f.Repeat {
			syn += `...\&` // \&: not the end of a sentence
		}
		if f.Def != "" {
			usage += " (default: " + roff(strings.Trim(f.Def, `"`)) + ")"
		}
		data.Flags = append(data.Flags, manFlag{head, sentence(usage)})
		data.Synopsis = append(data.Synopsis, syn)
	}
	for _, r := range fixer.Rules {
		data.Rules = append(data.Rules, manRule{roff(r.ID), sentence(roff(r.Summary))})
	}
	t, err := template.New("ifacefix.8").Parse(manTemplate)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return "", err
	}
	return b.String(), nil
}

// bashCompletion is a bash completion script for the app, standalone (bash-completion's helpers
// are not needed): flags, their values (directories, files, fixed sets) and file names.
func bashCompletion(app *cli.App) string {
	var b strings.Builder
	var names []string
	fmt.Fprintf(&b, "# bash completion for %s, generated from its command-line definition: do not edit.\n", app.Name)
	fmt.Fprintf(&b, "_%s() {\n", app.Name)
	b.WriteString(`	local cur=${COMP_WORDS[COMP_CWORD]} prev= i
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD-1]}
	# bash splits --flag=value at the '=' (COMP_WORDBREAKS).
	if [[ $cur == = ]]; then
		cur=
	elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
		prev=${COMP_WORDS[COMP_CWORD-2]}
	fi
	for ((i = 1; i < COMP_CWORD; i++)); do
		if [[ ${COMP_WORDS[i]} == -- ]]; then
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			return
		fi
	done
	case $prev in
`)
	for _, f := range docFlags(app) {
		names = append(names, f.Names...)
		if f.Arg == "" {
			continue
		}
		fmt.Fprintf(&b, "\t%s)\n\t\t", strings.Join(f.Names, " | "))
		switch {
		case f.Dirs:
			b.WriteString(`mapfile -t COMPREPLY < <(compgen -d -- "$cur")`)
		case f.Files:
			b.WriteString(`mapfile -t COMPREPLY < <(compgen -f -- "$cur")`)
		case f.Words != nil:
			fmt.Fprintf(&b, `mapfile -t COMPREPLY < <(compgen -W '%s' -- "$cur")`, strings.Join(f.Words, " "))
		default:
			b.WriteString("COMPREPLY=()")
		}
		b.WriteString("\n\t\treturn\n\t\t;;\n")
	}
	sort.Strings(names)
	fmt.Fprintf(&b, `	esac
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W '%s' -- "$cur")
		return
	fi
	mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}
complete -o filenames -o bashdefault -F _%s %s
`, strings.Join(names, " "), app.Name, app.Name)
	return b.String()
}

// zshCompletion is a zsh completion function for the app (an autoloaded file named _NAME).
func zshCompletion(app *cli.App) string {
	var b strings.Builder
	fmt.Fprintf(&b, "#compdef %s\n# zsh completion for %s, generated from its command-line definition: do not edit.\n\n_arguments -S \\\n", app.Name, app.Name)
	desc := strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`, "'", `'\''`)
	value := strings.NewReplacer(`\`, `\\`, ":", `\:`, "'", `'\''`)
	for _, f := range docFlags(app) {
		spec := ""
		if f.Repeat {
			spec = "'*'"
		} else if len(f.Names) > 1 {
			spec = "'(" + strings.Join(f.Names, " ") + ")'"
		}
		if len(f.Names) > 1 {
			spec += "{" + strings.Join(f.Names, ",") + "}"
		} else {
			spec += f.Names[0]
		}
		opt := "[" + desc.Replace(f.Usage) + "]"
		if f.Arg != "" {
			action := " "
			switch {
			case f.Dirs:
				action = "_files -/"
			case f.Files:
				action = "_files"
			case f.Words != nil:
				action = "(" + strings.Join(f.Words, " ") + ")"
			}
			// "=": the value may follow as --flag=VALUE or as the next word.
			opt = "=" + opt + ":" + value.Replace(f.Arg) + ":" + action
		}
		fmt.Fprintf(&b, "  %s'%s' \\\n", spec, opt)
	}
	b.WriteString("  '*:FILE:_files'\n")
	return b.String()
}
