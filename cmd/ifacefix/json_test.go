package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ifacefix/ifacefix/internal/testcases"
)

// runJSON runs the command with --json (args) and validates its document against the schema.
func runJSON(t *testing.T, stdin string, args ...string) (map[string]any, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"ifacefix", "--json"}, args...), strings.NewReader(stdin), &out, &errb)
	abs, _ := filepath.Abs(schemaFile)
	if err := validateReport(abs, out.Bytes()); err != nil {
		t.Fatalf("the document does not follow the schema: %v\n%s", err, out.Bytes())
	}
	var doc map[string]any
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	return doc, code
}

// exactField is field of obj with its exact bytes: from obj's "base64" when they are not UTF-8.
func exactField(t *testing.T, obj map[string]any, field string) string {
	t.Helper()
	if b64, ok := obj["base64"].(map[string]any); ok {
		if s, ok := b64[field].(string); ok {
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	s, _ := obj[field].(string)
	return s
}

// TestJSONLosslessBytes (issue 12 item 5): bytes that are not UTF-8 (a Latin-1 comment, an
// interface name) are carried exactly through "base64", so that content written back from the
// document is the fixed file byte for byte; valid UTF-8 needs no base64 at all.
func TestJSONLosslessBytes(t *testing.T) {
	in := "# r\xe9seau du bureau\niface eth\xff inet static\n    address 192.0.2.10/24\n    gateway 192.0.2.1\niface eth\xff:0 inet static\n    address 192.0.2.11/24\n    gateway 192.0.2.1 # caf\xe9\n"
	want := "# r\xe9seau du bureau\niface eth\xff inet static\n    address 192.0.2.10/24\n    gateway 192.0.2.1\niface eth\xff:0 inet static\n    address 192.0.2.11/24\n"
	doc, code := runJSON(t, in, "-")
	if code != exitAttention {
		t.Fatalf("exit %d", code)
	}
	if got := exactField(t, doc, "content"); got != want {
		t.Errorf("content %q, want %q", got, want)
	}
	if c := doc["content"].(string); !strings.Contains(c, "r\uFFFDseau") {
		t.Errorf("content for display %q", c)
	}
	fd := doc["findings"].([]any)[0].(map[string]any)
	if exactField(t, fd, "iface") != "eth\xff:0" || exactField(t, fd, "removed") != "    gateway 192.0.2.1 # caf\xe9\n" ||
		!strings.Contains(exactField(t, fd, "message"), "eth\xff:0") {
		t.Errorf("finding %v", fd)
	}
	f := doc["files"].([]any)[0].(map[string]any)
	if d := exactField(t, f, "diff"); !strings.Contains(d, "\n-    gateway 192.0.2.1 # caf\xe9\n") {
		t.Errorf("diff %q", d)
	}
	if _, ok := f["base64"].(map[string]any)["path"]; ok {
		t.Error("a UTF-8 path has base64")
	}

	// A root and a path that are not UTF-8.
	root := filepath.Join(t.TempDir(), "h\xf4te")
	testcases.WriteTree(t, root, map[string]string{"etc/network/interfaces": "iface eth0 inet dhcp\niface eth0:0 inet static\n    gateway 192.0.2.1\n"})
	doc, _ = runJSON(t, "", "--root", root)
	r := doc["roots"].([]any)[0].(map[string]any)
	f = doc["files"].([]any)[0].(map[string]any)
	if exactField(t, r, "root") != root || exactField(t, f, "root") != root || exactField(t, f, "path") != root+"/etc/network/interfaces" {
		t.Errorf("root %v, file %v", r, f)
	}

	// Valid UTF-8 everywhere: no base64.
	doc, _ = runJSON(t, "iface eth0 inet dhcp # réseau\n", "-")
	if _, ok := doc["base64"]; ok {
		t.Errorf("base64 for UTF-8 content: %v", doc["base64"])
	}
}
