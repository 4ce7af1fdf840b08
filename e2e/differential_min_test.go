package e2e

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/rogpeppe/go-internal/txtar"
)

// minimize shrinks a tree while the same property keeps failing (delta debugging over whole
// files, then over physical lines) and writes the result to outDir as a txtar case in the format
// of testdata/golden/README.md (in/ sections, flags), with a comment that says which property
// failed and how. It returns the file written.
func (d *differ) minimize(files map[string][]byte, m mismatch, seed int64, outDir string) (string, error) {
	budget := 300
	last := m
	fails := func(fs map[string][]byte) bool {
		if budget <= 0 {
			return false
		}
		budget--
		for _, x := range d.check(fs, m.strip)[0].mismatches {
			if x.class == m.class {
				last, last.strip = x, m.strip
				return true
			}
		}
		return false
	}
	if !fails(files) {
		return "", fmt.Errorf("the mismatch does not come back on a second run")
	}
	cur := files
	// Whole files first (never the top-level one).
	for _, p := range sortedPaths(cur) {
		if p == topFile {
			continue
		}
		try := map[string][]byte{}
		for q, data := range cur {
			if q != p {
				try[q] = data
			}
		}
		if fails(try) {
			cur = try
		}
	}
	// Then lines: ddmin over every physical line of every file.
	type unit struct {
		path string
		line string
	}
	var units []unit
	for _, p := range sortedPaths(cur) {
		for _, l := range physLines(cur[p]) {
			units = append(units, unit{p, l})
		}
	}
	build := func(us []unit) map[string][]byte {
		out := map[string][]byte{}
		for p := range cur {
			out[p] = nil
		}
		for _, u := range us {
			out[u.path] = append(out[u.path], u.line...)
		}
		return out
	}
	n := 2
	for len(units) >= 2 && budget > 0 {
		size := (len(units) + n - 1) / n
		reduced := false
		for start := 0; start < len(units); start += size {
			end := min(start+size, len(units))
			try := append(append([]unit{}, units[:start]...), units[end:]...)
			if fails(build(try)) {
				units, reduced = try, true
				n = max(n-1, 2)
				break
			}
		}
		if !reduced {
			if n >= len(units) {
				break
			}
			n = min(2*n, len(units))
		}
	}
	cur = build(units)
	// Files left empty go, if the failure does not need them.
	for _, p := range sortedPaths(cur) {
		if p != topFile && len(cur[p]) == 0 {
			try := map[string][]byte{}
			for q, data := range cur {
				if q != p {
					try[q] = data
				}
			}
			if fails(try) {
				cur = try
			}
		}
	}
	return writeCase(outDir, cur, last, seed)
}

func sortedPaths(m map[string][]byte) []string {
	var out []string
	for p := range m {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

var notSlug = regexp.MustCompile(`[^a-z0-9]+`)

// writeCase writes a minimized tree as OUT/CLASS-sSEED.txtar.
func writeCase(outDir string, files map[string][]byte, m mismatch, seed int64) (string, error) {
	run := "the default options"
	if m.strip {
		run = "--strip-route-commands"
	}
	var c strings.Builder
	fmt.Fprintf(&c, "Minimized by TestDifferential (e2e/differential_test.go) from the tree of seed %d,\n", seed)
	fmt.Fprintf(&c, "fixed with `ifacefix --apply` and %s", run)
	if m.exit0 {
		c.WriteString(", which exits 0")
	}
	c.WriteString(".\n")
	fmt.Fprintf(&c, "Property that fails: %s\nHow:\n", m.class)
	dl := strings.Split(strings.TrimRight(m.detail, "\n"), "\n")
	if len(dl) > 30 {
		dl = append(dl[:30], "...")
	}
	for _, l := range dl {
		fmt.Fprintf(&c, "    %s\n", strings.ToValidUTF8(l, "?"))
	}
	ar := &txtar.Archive{Comment: []byte(c.String())}
	var flags []string
	if m.strip {
		flags = append(flags, "strip-route-commands")
	}
	for _, p := range sortedPaths(files) {
		data := files[p]
		if len(data) > 0 && !bytes.HasSuffix(data, []byte("\n")) {
			data = append(append([]byte{}, data...), '\n')
			flags = append(flags, "no-final-newline in/"+p)
		}
		for _, l := range physLines(data) {
			if strings.HasPrefix(l, "-- ") {
				return "", fmt.Errorf("%s has a line txtar cannot hold: %q", p, l)
			}
		}
		ar.Files = append(ar.Files, txtar.File{Name: "in/" + p, Data: data})
	}
	if len(flags) > 0 {
		ar.Files = append([]txtar.File{{Name: "flags", Data: []byte(strings.Join(flags, "\n") + "\n")}}, ar.Files...)
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return "", err
	}
	// CLASS-HASH-sSEED: the class shortened to its first words, the hash tells classes apart.
	slug := strings.Trim(notSlug.ReplaceAllString(strings.ToLower(m.class), "-"), "-")
	if len(slug) > 48 {
		slug = strings.TrimRight(slug[:48], "-")
	}
	h := fnv.New32a()
	h.Write([]byte(m.class))
	p := filepath.Join(outDir, fmt.Sprintf("%s-%08x-s%d.txtar", slug, h.Sum32(), seed))
	return p, os.WriteFile(p, txtar.Format(ar), 0o644)
}
