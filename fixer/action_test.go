package fixer_test

import (
	"strings"
	"testing"
)

// TestActionEndsMessage: every finding with edits says what they do at the end of its message,
// as its Action, so that a caller that does not write them can say so instead (plan does).
func TestActionEndsMessage(t *testing.T) {
	n := 0
	for _, c := range loadGolden(t) {
		_, _, res := c.result(t)
		if res == nil {
			continue
		}
		for _, f := range res.Findings {
			switch {
			case f.Fixed() && (f.Action == "" || !strings.HasSuffix(f.Message, f.Action)):
				t.Errorf("%s: %s: action %q does not end message %q", c.Path, f.Rule, f.Action, f.Message)
			case !f.Fixed() && f.Action != "":
				t.Errorf("%s: %s: unfixed finding with action %q", c.Path, f.Rule, f.Action)
			}
			if f.Fixed() {
				n++
			}
		}
	}
	if n == 0 {
		t.Fatal("no fixed finding in the golden cases")
	}
}
