package parser

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"github.com/rogpeppe/go-internal/txtar"
)

// i2Object is one ifupdown2 interface object as ifquery -o json prints it.
type i2Object struct {
	name, method string
	families     []string
	auto         bool
	keys         []string
	values       map[string][]string
}

// objectI2 builds a stanza's object as parse_iface does: keys with "_" as "-", values with
// $IFACE replaced, the address-indexed keys stored at the index of the last address.
func objectI2(s *Stanza) *i2Object {
	o := &i2Object{name: s.Base(), method: s.Method, auto: slices.Contains(s.Classes, "auto"), values: map[string][]string{}}
	if s.Family != "" && !s.FamilyInferred { // ifupdown2 stores no family it was not given
		o.families = []string{s.Family}
	}
	for _, opt := range s.Options {
		k := strings.ReplaceAll(opt.Name, "_", "-")
		v := strings.ReplaceAll(opt.Value, "$IFACE", s.Name)
		old, seen := o.values[k]
		switch k {
		case "scope", "netmask", "broadcast", "preferred-lifetime":
			n := len(o.values["address"])
			if n == 0 {
				continue // before any address: dropped
			}
			for len(old) < n-1 {
				old = append(old, "")
			}
			old = append(old, v)
		default:
			old = append(old, v)
		}
		if !seen {
			o.keys = append(o.keys, k)
		}
		o.values[k] = old
	}
	return o
}

func (o *i2Object) equal(p *i2Object) bool {
	if o.name != p.name || o.method != p.method || o.auto != p.auto || !slices.Equal(o.families, p.families) || !slices.Equal(o.keys, p.keys) {
		return false
	}
	for _, k := range o.keys {
		if !slices.Equal(o.values[k], p.values[k]) {
			return false
		}
	}
	return true
}

func (o *i2Object) render(b *strings.Builder) {
	method := o.method
	if method == "" {
		method = "-"
	}
	fmt.Fprintf(b, "iface %s %s %s", o.name, strings.Join(o.families, ","), method)
	if o.auto {
		b.WriteString(" auto")
	}
	b.WriteString("\n")
	for _, k := range o.keys {
		for _, v := range o.values[k] {
			fmt.Fprintf(b, "  %q\n", k+" "+v)
		}
	}
}

// renderI2 prints cfg as the probes record ifquery --all (squash false) or ifup's squashed view:
// objects grouped by name in first-appearance order, identical duplicates dropped.
func renderI2(cfg *Config, squash bool) string {
	var order []string
	byName := map[string][]*i2Object{}
	for _, s := range cfg.Stanzas {
		o := objectI2(s)
		objs := byName[o.name]
		if objs == nil {
			order = append(order, o.name)
		}
		switch {
		case len(objs) > 0 && objs[0].equal(o):
			continue // "duplicate interface found"
		case squash && len(objs) > 0:
			first := objs[0]
			first.families = append(first.families, o.families...)
			first.auto = first.auto || o.auto
			for _, k := range o.keys {
				if _, ok := first.values[k]; !ok {
					first.keys = append(first.keys, k)
				}
				first.values[k] = append(first.values[k], o.values[k]...)
			}
			continue
		}
		byName[o.name] = append(objs, o)
	}
	var b strings.Builder
	for _, n := range order {
		for _, o := range byName[n] {
			o.render(&b)
		}
	}
	return b.String()
}

// TestIfupdown2Probes reads each probe tree as ifupdown2 (from /etc/network, its working
// directory in the harness) and compares with what the real ifquery printed (recorded in the
// probe by e2e's TestDialectProbes): fatal or not, and every stanza's name, family, method, auto
// flag and options, unsquashed and squashed.
func TestIfupdown2Probes(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("..", "testdata", "dialects", "probes", "*.txtar"))
	if len(paths) == 0 {
		t.Fatal("no probes")
	}
	for _, p := range paths {
		name := strings.TrimSuffix(filepath.Base(p), ".txtar")
		t.Run(name, func(t *testing.T) {
			ar, err := txtar.ParseFile(p)
			if err != nil {
				t.Fatal(err)
			}
			fsys := fstest.MapFS{}
			want := map[string]string{}
			for _, f := range ar.Files {
				if strings.HasPrefix(f.Name, "etc/") {
					fsys[f.Name] = &fstest.MapFile{Data: f.Data}
				} else {
					want[f.Name] = string(f.Data)
				}
			}
			cfg, err := Load(fsys, "/etc/network/interfaces", Options{Dialect: Ifupdown2, WorkDir: "/etc/network"})
			for _, sec := range []string{"ifupdown2", "ifupdown2 squashed"} {
				exit, body := splitProbe(want[sec])
				fatal := exit != "exit 0" && body == ""
				switch name {
				case "latin1": // ifupdown2 skips the file and has nothing to do: ifacefix refuses it
					fatal = true
				case "cr1": // a lone CR splits a physical line: ifacefix cannot edit such lines, so refuses
					fatal = true
				}
				if fatal != (err != nil) {
					t.Fatalf("%s: the program %s, ifacefix: %v", sec, exit, err)
				}
				if err != nil {
					var pe *Error
					if !errors.As(err, &pe) || pe.Path == "" {
						t.Fatalf("error %v names no file", err)
					}
					continue
				}
				got := renderI2(cfg, sec != "ifupdown2")
				if strings.Contains(string(ar.Comment), "directory order") {
					got, body = sortedBlocks(got), sortedBlocks(body)
				}
				if got != body {
					t.Errorf("%s:\n--- ifupdown2\n%s--- ifacefix\n%s", sec, body, got)
				}
			}
		})
	}
}

// splitProbe separates a recorded section's exit line and messages from its objects.
func splitProbe(s string) (exit, body string) {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		switch {
		case strings.HasPrefix(l, "exit "):
			exit = strings.TrimSpace(l)
		case strings.HasPrefix(l, "! "), l == "":
		default:
			b.WriteString(l)
		}
	}
	return exit, b.String()
}

// sortedBlocks sorts the iface blocks of a rendering (glob results come in directory order).
func sortedBlocks(s string) string {
	var blocks []string
	for _, l := range strings.SplitAfter(s, "\n") {
		if strings.HasPrefix(l, "iface ") || len(blocks) == 0 {
			blocks = append(blocks, "")
		}
		blocks[len(blocks)-1] += l
	}
	sort.Strings(blocks)
	return strings.Join(blocks, "")
}

// joinI2 is process_interfaces' text handling written as the Python does it, the reference for
// eachLogicalI2: the non-blank lines, stripped.
func joinI2(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	pieces := strings.Split(text, `\`)
	for i, p := range pieces {
		pieces[i] = strings.TrimFunc(p, spaceI2)
	}
	var out []string
	for _, l := range strings.Split(strings.Join(pieces, " "), "\n") {
		if l = strings.Trim(l, " \t\r\n"); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// checkI2Lines checks ifupdown2's logical lines of data: they cover every physical line once, in
// order, read as the Python does, and removing any one of them changes nothing around it.
func checkI2Lines(t *testing.T, data string) {
	t.Helper()
	phys := splitLines(data)
	at := 0
	var texts []string
	eachLogicalI2(phys, func(g logical) {
		if g.start != at || g.end <= g.start {
			t.Fatalf("%q: logical line [%d,%d) does not follow line %d", data, g.start, g.end, at)
		}
		if g.text == "" && strings.TrimFunc(strings.Join(phys[g.start:g.end], ""), spaceI2) != "" && !strings.Contains(strings.Join(phys[g.start:g.end], ""), `\`) {
			t.Fatalf("%q: lines [%d,%d) have text but read as blank", data, g.start, g.end)
		}
		if g.text != "" {
			texts = append(texts, g.text)
		}
		at = g.end
	})
	if at != len(phys) {
		t.Fatalf("%q: logical lines end at %d of %d", data, at, len(phys))
	}
	if want := joinI2(data); !slices.Equal(texts, want) {
		t.Fatalf("%q:\n got %q\nwant %q", data, texts, want)
	}
	cfg, err := ParseBytes("/etc/network/interfaces", []byte(data), Options{Dialect: Ifupdown2})
	if err != nil {
		return
	}
	f := cfg.Files[0]
	for i := range f.Lines {
		if l := &f.Lines[i]; l.Kind != Blank && removalChangesI2(f, l.Start, l.End) != wholeFileChanges(f, l.Start, l.End) {
			t.Fatalf("%q: removing logical line %d: the windowed check says %v", data, l.Pos(), !wholeFileChanges(f, l.Start, l.End))
		}
	}
}

// wholeFileChanges is removalChangesI2 done on the whole file, the reference for its window.
func wholeFileChanges(f *File, start, end int) bool {
	var want []string
	eachLogicalI2(f.Phys, func(g logical) {
		if (g.end <= start || g.start >= end) && g.text != "" {
			want = append(want, g.text)
		}
	})
	return !slices.Equal(want, textsI2(slices.Concat(f.Phys[:start], f.Phys[end:])))
}

func TestIfupdown2Lines(t *testing.T) {
	for _, s := range []string{
		"",
		"\n\n",
		"iface eth0 inet static\n  address 192.0.2.10/24\n",
		"\n\nauto eth0\n\n\n",
		"up echo one \\\n        two\n",
		"mtu 1400\\ \n    post-up echo x\\\n\n    down echo a\\b\n",
		"# comment \\\n\n    gateway 192.0.2.1\n",
		"iface eth0 inet static\n  # comment \\\n\niface eth1 inet static\n    address 198.51.100.10/24\n",
		"up echo a\\\n# not a comment\n",
		"\\\n\\\n",
		"a\\",
		"a\r\n  b \\\r\n c\r\n",
		"x \u00a0\\\u2003 y\n",
		"a\n   \\b\n",
		"a \\\n\n  \n",
		"0\n\x1e0", // the file's strip: removing the first line strips the next
	} {
		checkI2Lines(t, s)
	}
	inputs, _ := goldenInputs(t)
	for _, in := range inputs {
		checkI2Lines(t, string(in.data))
	}
}

func FuzzIfupdown2(f *testing.F) {
	inputs, _ := goldenInputs(f)
	for _, in := range inputs {
		f.Add(in.data)
	}
	f.Add([]byte("iface eth0 inet static\n  # c \\\n\n gateway 1\n\\"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if !utf8Valid(data) || strings.Contains(strings.ReplaceAll(string(data), "\r\n", ""), "\r") {
			return // refused by checkI2; joinI2 would need Python's decoding
		}
		checkI2Lines(t, string(data))
		cfg, err := ParseBytes("/etc/network/interfaces", data, Options{Dialect: Ifupdown2})
		if err != nil {
			if _, ok := err.(*Error); !ok || strings.Contains(err.Error(), "internal error") {
				t.Fatalf("error %T %v", err, err)
			}
			return
		}
		checkRoundTrip(t, cfg, map[string][]byte{"/etc/network/interfaces": data})
	})
}

// TestIfupdown2RemovalCheck: the removal check sees a removal that would join lines anew or
// split a joined line (RemoveOption removes whole logical lines, which never do).
func TestIfupdown2RemovalCheck(t *testing.T) {
	data := "iface eth0 inet static\n  # old \\\n  gateway 192.0.2.1\n  address 192.0.2.10/24\n  up echo a \\\n     b\n"
	cfg, err := ParseBytes("/etc/network/interfaces", []byte(data), Options{Dialect: Ifupdown2})
	if err != nil {
		t.Fatal(err)
	}
	f := cfg.Files[0]
	for _, c := range []struct {
		start, end int
		changes    bool
	}{
		{1, 3, false}, // the comment with the gateway it swallowed
		{2, 3, true},  // only the swallowed line: the comment would swallow the address
		{3, 4, false}, // the address
		{4, 5, true},  // half of the up line
		{4, 6, false},
	} {
		if got := removalChangesI2(f, c.start, c.end); got != c.changes {
			t.Errorf("removing lines %d-%d: changes %v, want %v", c.start+1, c.end, got, c.changes)
		}
	}
	if len(cfg.Stanzas[0].Options) != 2 {
		t.Errorf("options %v: the gateway is part of the comment", cfg.Stanzas[0].Options)
	}
}

func utf8Valid(b []byte) bool { return utf8.Valid(b) }
