package treegen

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func TestDeterministic(t *testing.T) {
	for s := int64(0); s < 100; s++ {
		a, b := Generate(s, Options{}), Generate(s, Options{})
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("seed %d: two trees differ", s)
		}
	}
	distinct := map[string]bool{}
	for s := int64(0); s < 200; s++ {
		distinct[string(Generate(s, Options{}).Files[Top])] = true
	}
	if len(distinct) < 195 {
		t.Errorf("only %d distinct top-level files in 200 seeds", len(distinct))
	}
}

// Every grammar corner and misconfiguration the differential test relies on shows up.
var wantFeatures = []string{
	// interfaces-format.md section 1
	"continuation", "crlf", "crlf-mixed", "crlf-backslash", "backslash-eof", "comment", "comment-backslash",
	"guard", "route-wrapper", "route-if-clause", "blank-in-stanza", "tabs", "midline-hash", "midline-hash-iface", "no-final-newline", "long-word",
	"case-variant", "unindented-option", "odd-bytes", "odd-whitespace", "nul", "trailing-space",
	"continuation-hash", "continuation-empty", "commented-gateway",
	// names and stanzas
	"alias-number", "alias-word", "alias-vlan", "vlan-name", "same-name-stanzas",
	"method:inet:static", "method:inet:dhcp", "method:inet:manual", "method:inet:loopback", "method:inet:bootp",
	"method:inet:ipv4ll", "method:inet:ppp", "method:inet:wvdial", "method:inet:tunnel",
	"method:inet6:static", "method:inet6:auto", "method:inet6:dhcp", "method:inet6:manual", "method:inet6:loopback",
	"method:inet6:v4tunnel", "method:inet6:6to4", "method:inet6:tunnel",
	"metric", "gateway?", "gateway-repeated", "gateway-link-local", "inherits", "inherits-chain", "inherits-bare",
	"gateway-ignored-by-method", "static-without-address", "primary-without-gateway",
	"alias-gateway-copied", "alias-gateway-different", "alias-gateway-metric", "gateway-not-unicast", "link-setting", "netmask-dotted", "address-classful", "odd-mask",
	// selection
	"allow-hotplug", "allow-auto", "auto-alias-first", "auto-shuffled", "auto-split", "auto-unknown-name",
	"bare-selection-in-stanza", "selection-between-stanzas", "selection-in-included-file", "no-auto-down/no-scripts",
	"rename", "mapping", "mapping-bare-selection",
	// route commands
	"route-command", "route:net-tools", "route:ip-add", "route:ip-append", "route:ip-replace", "route:ip-prepend",
	"route:ip-del", "route:ip6", "route:abbrev", "route:0/0", "route-non-default",
	"shell:pipe", "shell:semicolon", "shell:and", "shell:or", "shell:background", "shell:redirect",
	"shell:cmdsubst", "shell:variable",
	// includes
	"source", "source-glob", "source-bracket-class", "source-bracket-rbracket-first", "source-bracket-unclosed",
	"source-bracket-negated", "source-bracket-range", "source-directory", "source-multiword", "source-relative",
	"source-absolute", "source-nested", "source-twice", "source-cycle", "include-decoy", "included-file-error",
}

func TestFeatureCoverage(t *testing.T) {
	const n = 3000
	count := map[string]int{}
	broken := 0
	for s := int64(0); s < n; s++ {
		tr := Generate(s, Options{})
		for _, f := range tr.Features {
			count[f]++
		}
		if tr.Broken != "" {
			broken++
		}
		if _, ok := tr.Files[Top]; !ok {
			t.Fatalf("seed %d: no %s", s, Top)
		}
	}
	for _, f := range wantFeatures {
		if count[f] == 0 {
			t.Errorf("feature %q never generated in %d seeds", f, n)
		}
	}
	for f := range count {
		found := false
		for _, w := range wantFeatures {
			found = found || w == f
		}
		if !found {
			t.Errorf("feature %q is generated but not listed in wantFeatures", f)
		}
	}
	if r := float64(broken) / n; r < 0.12 || r > 0.22 {
		t.Errorf("%.2f of the trees are deliberately broken, want about 0.17", r)
	}
	// The misconfigurations ifacefix exists for are common, not rare.
	for _, f := range []string{"alias-gateway-copied", "route-command", "source", "continuation"} {
		if count[f] < n/10 {
			t.Errorf("feature %q in only %d of %d trees", f, count[f], n)
		}
	}
}

// The feature list tells the truth about the bytes, for the features a byte test can see.
func TestFeaturesMatchBytes(t *testing.T) {
	checks := map[string]*regexp.Regexp{
		"crlf":             regexp.MustCompile(`\r\n`),
		"continuation":     regexp.MustCompile(`\\\r?\n`),
		"nul":              regexp.MustCompile("\x00"),
		"gateway?":         regexp.MustCompile(`(?m)^[ \t\r\v\f]*gateway\?\s`),
		"case-variant":     regexp.MustCompile(`(?m)^[ \t\r\v\f]*(Gateway|GATEWAY|gateWay)\s`),
		"inherits":         regexp.MustCompile(`(?m)^iface\s.*\sinherits\s`),
		"mapping":          regexp.MustCompile(`(?m)^mapping\s`),
		"source-directory": regexp.MustCompile(`(?m)^source-dir`),
		"midline-hash":     regexp.MustCompile(`(?m)^[ \t\r\v\f]*gateway\s+\S+\s*# `),
		"route:net-tools":  regexp.MustCompile(`(?m)^[ \t\r\v\f]*(up|post-up|pre-up|down|pre-down|post-down)\s.*\broute\s+(-A inet6\s+)?(add|del)`),
		"shell:cmdsubst":   regexp.MustCompile(`\$\(echo `),
		"allow-hotplug":    regexp.MustCompile(`(?m)^allow-hotplug\s`),
	}
	for s := int64(0); s < 1500; s++ {
		tr := Generate(s, Options{})
		var all, raw bytes.Buffer
		noFinal := false
		for _, data := range tr.Files {
			raw.Write(data)
			all.WriteString(logical(data))
			noFinal = noFinal || len(data) > 0 && data[len(data)-1] != '\n'
		}
		for f, re := range checks {
			text := all.Bytes()
			if f == "crlf" || f == "continuation" || f == "nul" {
				text = raw.Bytes()
			}
			if tr.Has(f) && !re.Match(text) {
				t.Errorf("seed %d claims %s but its bytes do not show it", s, f)
			}
		}
		if tr.Has("no-final-newline") && !noFinal && !tr.Has("backslash-eof") {
			t.Errorf("seed %d claims no-final-newline but every file ends in a newline", s)
		}
		for _, n := range tr.Names {
			if !regexp.MustCompile(`(?m)^\s*[Ii]face\s+` + regexp.QuoteMeta(n) + `(\s|$)`).Match(all.Bytes()) {
				t.Errorf("seed %d: name %q is in no iface line", s, n)
			}
		}
	}
	if tr := Generate(7, Options{NoHostPaths: true}); tr.Has("nul") || tr.Has("source-absolute") {
		t.Errorf("NoHostPaths still writes a NUL or an absolute source path")
	}
}

// About four trees in five are valid for the real ifupdown (the rest carry a fatal error in
// the top-level file), so that most trees exercise the fixer.
func TestValidityRate(t *testing.T) {
	ifquery, err := exec.LookPath("ifquery")
	if err != nil {
		if _, err := os.Stat("/usr/sbin/ifquery"); err != nil {
			t.Skip("ifquery is not installed (apt-get install -y ifupdown)")
		}
		ifquery = "/usr/sbin/ifquery"
	}
	if testing.Short() {
		t.Skip("runs ifquery 300 times")
	}
	state := t.TempDir()
	valid, n, brokenRefused, broken := 0, 300, 0, 0
	for s := int64(0); s < int64(n); s++ {
		tr := Generate(s, Options{NoHostPaths: true})
		root := t.TempDir()
		for p, data := range tr.Files {
			fp := filepath.Join(root, p)
			if err := os.MkdirAll(filepath.Dir(fp), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(fp, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		cmd := exec.Command("timeout", "-s", "KILL", "10", ifquery, "-i", filepath.Join(root, Top), "--state-dir="+state, "--no-mappings", "-l")
		cmd.Dir = root
		cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"}
		out, _ := cmd.CombinedOutput()
		refused := bytes.Contains(out, []byte("couldn't read interfaces file"))
		if !refused {
			valid++
		}
		if tr.Broken != "" {
			broken++
			if refused {
				brokenRefused++
			}
		}
	}
	if r := float64(valid) / float64(n); r < 0.72 || r > 0.9 {
		t.Errorf("%.2f of the trees are valid for ifupdown, want about 0.8", r)
	}
	if brokenRefused < broken*9/10 {
		t.Errorf("ifupdown refuses only %d of the %d deliberately broken trees", brokenRefused, broken)
	}
}

// logical joins continued lines as ifupdown does (interfaces-format.md 1.1): a line that is not
// a comment and ends in a backslash takes the next physical line, raw.
func logical(data []byte) string {
	var b strings.Builder
	phys := strings.Split(string(data), "\n")
	for i := 0; i < len(phys); i++ {
		l := phys[i]
		if !strings.HasPrefix(strings.TrimLeft(l, " \t\r\v\f"), "#") {
			for strings.HasSuffix(l, `\`) && i+1 < len(phys) {
				i++
				l = l[:len(l)-1] + phys[i]
			}
		}
		b.WriteString(l + "\n")
	}
	return b.String()
}
