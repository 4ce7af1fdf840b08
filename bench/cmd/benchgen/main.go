// Command benchgen writes the generated inputs of bench/compare.sh (see package bench/gen).
//
//	benchgen file  -stanzas N [-move K] OUT    one interfaces file, no source lines
//	benchgen tree  -stanzas N -files F DIR     a host tree whose interfaces sources F more files
//	benchgen hosts -n N DIR                    N small host trees DIR/h00000 ...
//	benchgen count -stanzas N [-move K]        alias stanzas, alias gateways and moves, one per line
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/ifacefix/ifacefix/bench/gen"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	fl := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	stanzas := fl.Int("stanzas", 1000, "iface stanzas")
	move := fl.Int("move", 0, "leave every K-th primary without a gateway (0: never)")
	files := fl.Int("files", 4, "sourced files (tree)")
	n := fl.Int("n", 10000, "host trees (hosts)")
	fl.Parse(os.Args[2:])
	o := gen.Options{Stanzas: *stanzas, MoveEvery: *move}
	var err error
	switch os.Args[1] {
	case "file":
		need(fl, 1)
		err = os.WriteFile(fl.Arg(0), gen.Interfaces(o), 0o644)
	case "tree":
		need(fl, 1)
		err = gen.Tree(fl.Arg(0), o, *files)
	case "hosts":
		need(fl, 1)
		_, err = gen.Hosts(fl.Arg(0), *n)
	case "count":
		c := gen.Count(o)
		fmt.Printf("%d\n%d\n%d\n", c.Aliases, c.AliasGateways, c.Moves)
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchgen:", err)
		os.Exit(1)
	}
}

func need(fl *flag.FlagSet, n int) {
	if fl.NArg() != n {
		usage()
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: benchgen file|tree|hosts|count [flags] [OUT]")
	os.Exit(2)
}
