package plan_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ifacefix/ifacefix/bench/gen"
	"github.com/ifacefix/ifacefix/fixer"
	"github.com/ifacefix/ifacefix/internal/plan"
	"github.com/ifacefix/ifacefix/parser"
)

// Sizes of the generated configurations (iface stanzas; 4 of 5 are aliases with a gateway).
var benchSizes = []int{10, 1000, 10000, 100000}

// benchOptions: every 5th primary has no gateway, so the fix also moves gateways (insertions).
func benchOptions(n int) gen.Options { return gen.Options{Stanzas: n, MoveEvery: 5} }

func name(n int) string { return fmt.Sprintf("stanzas=%d", n) }

// BenchmarkParse parses one generated file (no includes).
func BenchmarkParse(b *testing.B) {
	for _, n := range benchSizes {
		data := gen.Interfaces(benchOptions(n))
		b.Run(name(n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := parser.ParseBytes("/etc/network/interfaces", data, parser.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFix runs every rule over a parsed configuration.
func BenchmarkFix(b *testing.B) {
	for _, n := range benchSizes {
		o := benchOptions(n)
		data := gen.Interfaces(o)
		cfg, err := parser.ParseBytes("/etc/network/interfaces", data, parser.Options{})
		if err != nil {
			b.Fatal(err)
		}
		c := gen.Count(o)
		b.Run(name(n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				res := fixer.Fix(cfg, fixer.Options{})
				if got, want := len(res.Findings), 2*c.AliasGateways+c.Moves; got != want { // each alias's gateway and the metric copied with it
					b.Fatalf("%d findings, want %d", got, want)
				}
			}
		})
	}
}

// BenchmarkApplyEdits makes the new bytes from the edits.
func BenchmarkApplyEdits(b *testing.B) {
	for _, n := range benchSizes {
		f, edits := fixed(b, n)
		b.Run(name(n), func(b *testing.B) {
			b.SetBytes(int64(len(f.Data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := f.Apply(edits); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDiff renders the unified diff of the fix (plan.Diff), as a dry run does.
func BenchmarkDiff(b *testing.B) {
	for _, n := range benchSizes {
		f, edits := fixed(b, n)
		b.Run(name(n), func(b *testing.B) {
			b.SetBytes(int64(len(f.Data)))
			b.ReportAllocs()
			for b.Loop() {
				if d, err := plan.Diff(f, edits); err != nil || len(d) == 0 {
					b.Fatal("empty diff")
				}
			}
		})
	}
}

func fixed(b *testing.B, n int) (*parser.File, []parser.Edit) {
	cfg, err := parser.ParseBytes("/etc/network/interfaces", gen.Interfaces(benchOptions(n)), parser.Options{})
	if err != nil {
		b.Fatal(err)
	}
	res := fixer.Fix(cfg, fixer.Options{})
	return cfg.Files[0], res.Edits()[cfg.Files[0]]
}

// BenchmarkRunDry is the whole dry run of one host tree whose interfaces file sources 4 more files:
// confined reads, parse, fix, apply in memory and diff of every file.
func BenchmarkRunDry(b *testing.B) {
	for _, n := range benchSizes {
		o := benchOptions(n)
		root := b.TempDir()
		if err := gen.Tree(root, o, 4); err != nil {
			b.Fatal(err)
		}
		size := treeSize(b, root)
		c := gen.Count(o)
		b.Run(name(n), func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				p, err := plan.Run(plan.Options{Roots: []string{root}})
				if err != nil {
					b.Fatal(err)
				}
				if len(p.Files) != 5 || len(p.Findings) != 2*c.AliasGateways+c.Moves { // gateways and their copied metrics
					b.Fatalf("%d files, %d findings", len(p.Files), len(p.Findings))
				}
			}
		})
	}
}

// BenchmarkRunApply is the whole --apply of one file with 5,000 alias stanzas (6,250 stanzas):
// lock, read, parse, fix, diff, re-check and atomic replace with fsync. The file is put back between
// iterations outside the timer.
func BenchmarkRunApply(b *testing.B) {
	for _, backup := range []bool{false, true} {
		o := gen.Options{Stanzas: 6250}
		data := gen.Interfaces(o)
		root := b.TempDir()
		file := filepath.Join(root, "interfaces")
		b.Run(fmt.Sprintf("aliases=5000/backup=%v", backup), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				clean(b, root)
				if err := os.WriteFile(file, data, 0o644); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				p, err := plan.Run(plan.Options{Roots: []string{root}, Files: []string{"/interfaces"}, Apply: true, Backup: backup})
				if err != nil {
					b.Fatal(err)
				}
				if !p.Files[0].Written {
					b.Fatal("not written")
				}
			}
		})
	}
}

// clean removes backups left by the previous iteration.
func clean(b *testing.B, dir string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// BenchmarkAudit checks 1,000 small host trees in one run (what --check over many --root does).
func BenchmarkAudit(b *testing.B) {
	roots, err := gen.Hosts(b.TempDir(), 1000)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		p, err := plan.Run(plan.Options{Roots: roots})
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Files) != 2*len(roots) || len(p.Findings) != 5*len(roots) { // 2 alias gateways, 2 copied metrics, 1 move
			b.Fatalf("%d files, %d findings", len(p.Files), len(p.Findings))
		}
	}
	b.ReportMetric(float64(b.N*len(roots))/b.Elapsed().Seconds(), "trees/s")
}

func treeSize(b *testing.B, root string) int64 {
	var n int64
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			n += info.Size()
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}
