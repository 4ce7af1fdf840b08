package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestReplace(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "interfaces")
	if err := os.WriteFile(target, []byte("old\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(target, 0o640); err != nil { // whatever the umask
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var baks []string
	for i, content := range []string{"new\n", "newer\n", "newer\n"} {
		bak, err := replace(target, []byte(content), true, now)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(target); string(got) != content {
			t.Errorf("run %d: target holds %q, want %q", i, got, content)
		}
		if fi, err := os.Stat(target); err != nil || fi.Mode().Perm() != 0o640 {
			t.Errorf("run %d: target mode %v (%v), want 0640", i, fi.Mode(), err)
		}
		if bak != "" {
			baks = append(baks, filepath.Base(bak))
		}
	}
	// The third run had nothing to change: no write, no backup.
	want := []string{".interfaces.floor-20260102T030405Z.bak", ".interfaces.floor-20260102T030405Z-1.bak"}
	if len(baks) != len(want) || baks[0] != want[0] || baks[1] != want[1] {
		t.Fatalf("backups %q, want %q", baks, want)
	}
	for i, old := range []string{"old\n", "new\n"} {
		if got, _ := os.ReadFile(filepath.Join(dir, baks[i])); string(got) != old {
			t.Errorf("backup %s holds %q, want %q", baks[i], got, old)
		}
	}
	if _, err := replace(target, []byte("last\n"), false, now); err != nil {
		t.Fatal(err)
	}
	names, _ := os.ReadDir(dir)
	if len(names) != 3 { // the target and two backups: no temporary file left
		t.Errorf("directory holds %d names, want 3: %v", len(names), names)
	}
}
