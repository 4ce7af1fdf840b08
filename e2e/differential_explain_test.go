package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/ifacefix/ifacefix/internal/bringup"
	"github.com/ifacefix/ifacefix/internal/rootfs"
	"github.com/ifacefix/ifacefix/internal/routesim"
	"github.com/ifacefix/ifacefix/parser"
)

// TestDifferentialExplain (IFACEFIX_DIFF_CASE=FILE.txtar) prints, for a stored case, what the
// fuzzer's simulator of ifup -n's commands (the judge) and ifacefix's own model (internal/bringup)
// say happens at boot: the names that fail, with why, and the default routes (with
// IFACEFIX_DIFF_LOG set, also what ifup -n says boot runs and the judge's log of each command). A
// tool for finding where the two models part.
func TestDifferentialExplain(t *testing.T) {
	p := os.Getenv("IFACEFIX_DIFF_CASE")
	if p == "" {
		t.Skip("IFACEFIX_DIFF_CASE names a stored case")
	}
	needTool(t, "ifquery", "ifup")
	ar, err := txtar.ParseFile(p)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	for _, f := range ar.Files {
		if n, ok := strings.CutPrefix(f.Name, "in/"); ok {
			os.MkdirAll(filepath.Dir(filepath.Join(root, n)), 0o755)
			os.WriteFile(filepath.Join(root, n), f.Data, 0o644)
		}
	}
	fmt.Printf("%s\n", ar.Comment)
	d := newDiffer(t)
	state := t.TempDir()
	q := d.oracle(root, state, "ifquery", "-v", "-l")
	s := d.observe(root, state, q, nil)
	h := routesim.NewHost(unionLinks(s.boot)...)
	h.Boot(s.boot.auto, s.boot.hot)
	fmt.Printf("== routesim (auto %q, hotplug %q)\n", s.auto, s.hot)
	if os.Getenv("IFACEFIX_DIFF_LOG") != "" {
		fmt.Printf("  boot %+v\n", s.boot)
	}
	for n, why := range h.FirstFailed {
		fmt.Printf("  %s fails: %s (last: %s)\n", n, why, h.Failed[n])
	}
	for _, r := range h.Defaults() {
		fmt.Printf("  route %s\n", r)
	}
	if os.Getenv("IFACEFIX_DIFF_LOG") != "" {
		for _, l := range h.Log {
			fmt.Printf("  log %s\n", l)
		}
	}
	fsys, err := rootfs.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	cfg, err := parser.Load(fsys, "/etc/network/interfaces", parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := bringup.Simulate(cfg, bringup.Edits{})
	fmt.Println("== bringup")
	for _, st := range cfg.Stanzas {
		x := r.Of(st)
		fmt.Printf("  %s %s %s: phase %d up %v why %q\n", st.Name, st.Family, st.Method, x.Phase, x.Up, x.Why)
		if os.Getenv("IFACEFIX_DIFF_CASE_V") != "" {
			fmt.Printf("    %+v\n", *x)
		}
	}
	for _, rt := range r.Boot {
		fmt.Printf("  boot route %+v\n", rt)
	}
}
