package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ifacefix/ifacefix/bench/gen"
)

// These benchmarks run the command in process (run, not a child process), output included, so a
// CPU profile of them is the profile of `ifacefix` without process start-up:
//
//	go test -run '^$' -bench CLI -cpuprofile cpu.out ./cmd/ifacefix

// BenchmarkCLIApply5000 is `ifacefix --apply --no-backup FILE` on one file with 5,000 alias
// stanzas (6,250 stanzas), the side-by-side case of bench/compare.sh.
func BenchmarkCLIApply5000(b *testing.B) {
	data := gen.Interfaces(gen.Options{Stanzas: 6250})
	file := filepath.Join(b.TempDir(), "interfaces")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		if err := os.WriteFile(file, data, 0o644); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if code := run([]string{"ifacefix", "--apply", "--no-backup", file}, nil, io.Discard, io.Discard); code != exitWritten {
			b.Fatalf("exit %d", code)
		}
	}
}

// BenchmarkCLIDryTypical is the dry run of the bundled example tree (a typical host).
func BenchmarkCLIDryTypical(b *testing.B) {
	var out bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		out.Reset()
		if code := run([]string{"ifacefix", "--root", "../../examples/basic"}, nil, &out, io.Discard); code != 1 {
			b.Fatalf("exit %d", code)
		}
	}
	if !strings.Contains(out.String(), "-    gateway 192.0.2.1") {
		b.Fatalf("no diff:\n%s", out.String())
	}
}

// BenchmarkCLICheckHosts is `ifacefix --check --root h00000 --root h00001 ...` over 1,000 small
// host trees (bench/compare.sh runs 10,000 as a process).
func BenchmarkCLICheckHosts(b *testing.B) {
	roots, err := gen.Hosts(b.TempDir(), 1000)
	if err != nil {
		b.Fatal(err)
	}
	args := []string{"ifacefix", "--check"}
	for _, r := range roots {
		args = append(args, "--root", r)
	}
	var errs bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		errs.Reset()
		if code := run(args, nil, io.Discard, &errs); code != 1 {
			b.Fatalf("exit %d", code)
		}
	}
	if want := "ifacefix: 2000 files checked, 5000 findings (5000 fixable, 0 need a person); 2000 files to change, nothing written\n"; !strings.HasSuffix(errs.String(), want) {
		b.Fatalf("summary: %q", errs.String()[max(0, errs.Len()-200):])
	}
	b.ReportMetric(float64(b.N*len(roots))/b.Elapsed().Seconds(), "trees/s")
}
