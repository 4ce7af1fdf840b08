package main

import (
	"fmt"
	"os"
	"sort"
	"strconv"

	"github.com/ifacefix/ifacefix/internal/treegen"
)

func main() {
	s, _ := strconv.Atoi(os.Args[1])
	t := treegen.Generate(int64(s), treegen.Options{})
	var ps []string
	for p := range t.Files {
		ps = append(ps, p)
	}
	sort.Strings(ps)
	fmt.Printf("broken=%q features=%q\n", t.Broken, t.Features)
	for _, p := range ps {
		fmt.Printf("-- %s --\n%q\n", p, t.Files[p])
		os.Stdout.Write(t.Files[p])
		fmt.Println()
	}
}
