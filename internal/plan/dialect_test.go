package plan

import (
	"strings"
	"testing"

	"github.com/ifacefix/ifacefix/internal/detect"
	"github.com/ifacefix/ifacefix/parser"
)

const i2Status = "Package: ifupdown\nStatus: deinstall ok config-files\nVersion: 0.8.41\n\n" +
	"Package: ifupdown2\nStatus: install ok installed\nVersion: 3.0.0-1.1\n"

// noSource is mainData without its source line, which busybox and ifupdown-ng refuse when the
// glob matches nothing.
var noSource = strings.TrimPrefix(mainData, "source interfaces.d/*\n")

// TestRunDialect: each root is read as its own detected dialect unless Options.Dialect names one,
// and Plan.Roots says which and why.
func TestRunDialect(t *testing.T) {
	i2 := mkTree(t, map[string]string{mainFile: noSource, detect.DpkgStatus: i2Status})
	plain := mkTree(t, map[string]string{mainFile: noSource})
	p, err := Run(Options{Roots: []string{i2, plain}})
	if err != nil {
		t.Fatal(err)
	}
	if d := p.Roots[0].Dialect; d.Dialect != parser.Ifupdown2 || d.Version != "3.0.0-1.1" || d.Reason != "var/lib/dpkg/status: ifupdown2 3.0.0-1.1 installed" {
		t.Errorf("root with ifupdown2 installed: %+v", d)
	}
	if d := p.Roots[1].Dialect; d.Dialect != parser.Ifupdown || !strings.HasSuffix(d.Reason, "ifupdown 0.8 assumed") {
		t.Errorf("root without a database: %+v", d)
	}
	named := detect.Named(parser.Busybox, "--dialect")
	p, err = Run(Options{Roots: []string{i2, plain}, Dialect: named})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range p.Roots {
		if r.Dialect != named {
			t.Errorf("root %s with Options.Dialect: %+v", r.Dir, r.Dialect)
		}
	}
}

// TestDialectReachesParser: the tree's dialect is the one its configuration is parsed with.
func TestDialectReachesParser(t *testing.T) {
	for _, opt := range []Options{{}, {Dialect: detect.Named(parser.IfupdownNG, "test")}} {
		root := mkTree(t, map[string]string{mainFile: noSource, detect.DpkgStatus: i2Status})
		tr, err := openTree(root, []string{DefaultFile}, "")
		if err != nil {
			t.Fatal(err)
		}
		defer tr.fsys.Close()
		want := parser.Ifupdown2
		if opt.Dialect.Dialect != nil {
			want = opt.Dialect.Dialect
		}
		if l := load(tr, 0, opt); l.err != nil || l.cfg.Dialect != want {
			t.Errorf("Options.Dialect %v: parsed as %v (%v), want %s", opt.Dialect.Dialect, l.cfg, l.err, want.Name)
		}
	}
}

// TestUndetectableRoot: a root whose database cannot be read is an error of that root, and
// nothing is written anywhere.
func TestUndetectableRoot(t *testing.T) {
	good := mkTree(t, map[string]string{mainFile: mainData})
	bad := mkTree(t, map[string]string{mainFile: mainData, detect.DpkgStatus + "/x": ""})
	p, err := Run(Options{Roots: []string{good, bad}, Apply: true, Backup: true})
	if err == nil || p.Roots[1].Err != err || !strings.Contains(err.Error(), "the dialect cannot be detected") {
		t.Fatalf("err = %v, roots %+v", err, p.Roots)
	}
	if p.Roots[1].Dialect.Dialect != nil {
		t.Errorf("undetected root has a dialect: %+v", p.Roots[1].Dialect)
	}
	if readFile(t, good, mainFile) != mainData {
		t.Error("written although a root's dialect is unknown")
	}
}
