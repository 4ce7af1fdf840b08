package fixer_test

import (
	"os"
	"testing"

	"github.com/ifacefix/ifacefix/fixer"
	"github.com/ifacefix/ifacefix/parser"
)

func TestProfBig(t *testing.T) {
	data, err := os.ReadFile(os.Getenv("BIG"))
	if err != nil {
		t.Skip()
	}
	cfg, err := parser.ParseBytes("/i", data, parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := fixer.Fix(cfg, fixer.Options{})
	t.Log(len(r.Findings))
}
