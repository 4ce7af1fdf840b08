package routecmd

import (
	"reflect"
	"testing"
)

// FuzzParse checks that Parse and Kernel.Run do not panic, are deterministic, and agree.
func FuzzParse(f *testing.F) {
	for _, c := range parseCases {
		f.Add(c.cmd)
	}
	for _, seq := range liveScenarios {
		for _, line := range seq {
			f.Add(line)
		}
	}
	f.Fuzz(func(t *testing.T, cmd string) {
		r := Parse(cmd, testEnv)
		if again := Parse(cmd, testEnv); !reflect.DeepEqual(r, again) {
			t.Fatalf("Parse(%q) is not deterministic:\n%+v\n%+v", cmd, r, again)
		}
		if (r.Verdict == OnlyRoutes) != (r.Reason == "") {
			t.Fatalf("Parse(%q): verdict %s, reason %q", cmd, r.Verdict, r.Reason)
		}
		for _, op := range r.Ops {
			_ = op.String()
		}
		k := testKernel()
		rr, _, errs := k.Run(cmd, testEnv)
		// Run visits only what runs: never more operations, never a worse verdict.
		if len(errs) != len(rr.Ops) || len(rr.Ops) > len(r.Ops) || r.Verdict == OnlyRoutes && rr.Verdict != OnlyRoutes ||
			(r.Verdict == Unparsed) != (rr.Verdict == Unparsed) {
			t.Fatalf("Run(%q) disagrees with Parse: %d ops, %d errors, verdict %s; Parse: %d ops, %s",
				cmd, len(rr.Ops), len(errs), rr.Verdict, len(r.Ops), r.Verdict)
		}
	})
}
