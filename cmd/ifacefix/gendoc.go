//go:build ifacefix_gendoc

package main

// Built with the tag ifacefix_gendoc, this package is not ifacefix but its documentation
// generator (`make man completion`): it writes the man page and the completions and exits before
// main runs. Flags: -man FILE, -bash FILE, -zsh FILE, -date YYYY-MM-DD (the man page's date).

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"
)

func init() {
	fs := flag.NewFlagSet("ifacefix-gendoc", flag.ExitOnError)
	man := fs.String("man", "", "write the man page to `FILE`")
	bash := fs.String("bash", "", "write the bash completion to `FILE`")
	zsh := fs.String("zsh", "", "write the zsh completion to `FILE`")
	date := fs.String("date", "", "the man page's date, `YYYY-MM-DD`")
	fs.Parse(os.Args[1:])
	app := func() *cli.App { return newApp(nil, io.Discard, io.Discard) }
	write := func(name string, text func() (string, error)) {
		if name == "" {
			return
		}
		s, err := text()
		if err == nil {
			err = os.WriteFile(name, []byte(s), 0o644)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "ifacefix-gendoc:", err)
			os.Exit(1)
		}
	}
	write(*man, func() (string, error) {
		if *date == "" {
			return "", fmt.Errorf("-man needs -date")
		}
		return manPage(app(), *date)
	})
	write(*bash, func() (string, error) { return bashCompletion(app()), nil })
	write(*zsh, func() (string, error) { return zshCompletion(app()), nil })
	os.Exit(0)
}
