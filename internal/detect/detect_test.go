package detect

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ifacefix/ifacefix/internal/rootfs"
)

// sample is a package database from testdata/dialects (see its README).
func sample(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "dialects", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// tree lists the things in a test root: a file with its content, a symlink ("-> TARGET") or a
// directory ("/").
type tree map[string]string

func makeRoot(t *testing.T, files tree) *rootfs.FS {
	t.Helper()
	dir := t.TempDir()
	populate(t, dir, files)
	fsys, err := rootfs.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fsys.Close() })
	return fsys
}

func populate(t *testing.T, dir string, files tree) {
	t.Helper()
	for name, v := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case strings.HasPrefix(v, "-> "):
			err = os.Symlink(strings.TrimPrefix(v, "-> "), p)
		case v == "/":
			err = os.Mkdir(p, 0o755)
		case v == "fifo":
			err = syscall.Mkfifo(p, 0o644)
		default:
			err = os.WriteFile(p, []byte(v), 0o755)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

const elf = "\x7fELF\x02\x01\x01\x00rest of the program"

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		name          string
		files         tree
		dialect, vers string
		reason        string
	}{
		{"debian ifupdown", tree{DpkgStatus: sample(t, "debian12-ifupdown.status")},
			"ifupdown", "0.8.41", "var/lib/dpkg/status: ifupdown 0.8.41 installed"},
		// ifupdown is left as "deinstall ok config-files": it does not count.
		{"debian ifupdown2", tree{DpkgStatus: sample(t, "debian12-ifupdown2.status")},
			"ifupdown2", "3.0.0-1.1", "var/lib/dpkg/status: ifupdown2 3.0.0-1.1 installed"},
		{"debian ifupdown-ng", tree{DpkgStatus: sample(t, "debian12-ifupdown-ng.status")},
			"ifupdown-ng", "0.11.4~rc1-1+b2", "var/lib/dpkg/status: ifupdown-ng 0.11.4~rc1-1+b2 installed"},
		// busybox-static installs no ifup on Debian: ifupdown's is the one.
		{"debian busybox-static", tree{DpkgStatus: sample(t, "debian12-busybox-static.status")},
			"ifupdown", "0.8.41", "var/lib/dpkg/status: ifupdown 0.8.41 installed"},
		{"alpine ifupdown-ng", tree{ApkInstalled: strings.Replace(sample(t, "alpine-ifupdown-ng.installed"), "V:0.12.1-r7", "V:0.11.3-r1", 1)},
			"ifupdown-ng", "0.11.3-r1", "lib/apk/db/installed: ifupdown-ng 0.11.3-r1 installed"},
		{"alpine busybox", tree{ApkInstalled: sample(t, "alpine-busybox.installed")},
			"busybox", "1.37.0-r20", "lib/apk/db/installed: busybox 1.37.0-r20 installed, no ifupdown-ng: busybox's ifup"},
		{"nothing", tree{"etc/network/interfaces": ""},
			"ifupdown", "", "no var/lib/dpkg/status, lib/apk/db/installed or ifup in the root: ifupdown 0.8 assumed"},
		{"half-configured and triggers count", tree{DpkgStatus: "Package: ifupdown2\nStatus: install ok half-configured\nVersion: 3\n"},
			"ifupdown2", "3", "var/lib/dpkg/status: ifupdown2 3 installed"},
		{"triggers-pending", tree{DpkgStatus: "Package: ifupdown-ng\nStatus: hold ok triggers-pending\nVersion: 0.11\n"},
			"ifupdown-ng", "0.11", "var/lib/dpkg/status: ifupdown-ng 0.11 installed"},
		{"not-installed, unpacked, config-files do not", tree{DpkgStatus: "Package: ifupdown2\nStatus: install ok unpacked\n\n" +
			"Package: ifupdown-ng\nStatus: deinstall ok config-files\n\nPackage: ifupdown\nStatus: purge ok not-installed\n"},
			"ifupdown", "", "var/lib/dpkg/status: no ifupdown, ifupdown2 or ifupdown-ng installed, and no ifup: ifupdown 0.8 assumed"},
		{"config-files with ifup on disk", tree{DpkgStatus: "Package: ifupdown\nStatus: deinstall ok config-files\n",
			"usr/share/ifupdown2/ifupdown2": "#!/usr/bin/python3\n", "usr/sbin/ifup": "-> /usr/share/ifupdown2/ifupdown2"},
			"ifupdown2", "", "var/lib/dpkg/status: no ifupdown, ifupdown2 or ifupdown-ng installed; usr/sbin/ifup -> usr/share/ifupdown2/ifupdown2: ifupdown2"},
		// Distroless: dpkg-deb --field output, no Status field, one file per installed package.
		{"status.d", tree{DpkgStatusDir + "/ifupdown2": "Package: ifupdown2\nVersion: 3.0.0-1.1\nArchitecture: all\n",
			DpkgStatusDir + "/libc6": "Package: libc6\nVersion: 2.36\n", DpkgStatusDir + "/ifupdown2.md5sums": "0123  usr/share/ifupdown2/ifupdown2\n",
			DpkgStatusDir + "/sub": "/"},
			"ifupdown2", "3.0.0-1.1", "var/lib/dpkg/status.d/ifupdown2: ifupdown2 3.0.0-1.1 installed"},
		{"CRLF and field case", tree{DpkgStatus: "package: ifupdown-ng\r\nSTATUS: install ok installed\r\nversion: 0.11.9\r\n"},
			"ifupdown-ng", "0.11.9", "var/lib/dpkg/status: ifupdown-ng 0.11.9 installed"},
		{"two installed, ifup decides", tree{DpkgStatus: "Package: ifupdown\nStatus: install ok installed\nVersion: 0.8.41\n\n" +
			"Package: ifupdown-ng\nStatus: install ok installed\nVersion: 0.11\n",
			"sbin": "-> usr/sbin", "usr/sbin/ifup": "-> ifupdown", "usr/sbin/ifupdown": elf},
			"ifupdown-ng", "0.11", "var/lib/dpkg/status: ifupdown 0.8.41 and ifupdown-ng 0.11 installed; usr/sbin/ifup -> usr/sbin/ifupdown: ifupdown-ng"},
		{"ifup ELF", tree{"sbin/ifup": elf},
			"ifupdown", "", "sbin/ifup: an ELF program, ifupdown 0.8"},
		{"ifup busybox, merged usr", tree{"sbin": "-> usr/sbin", "usr/sbin/ifup": "-> /bin/busybox", "bin/busybox": elf},
			"busybox", "", "usr/sbin/ifup -> bin/busybox: busybox"},
		{"ifup ifupdown-ng", tree{"sbin/ifup": "-> ifupdown", "sbin/ifupdown": elf},
			"ifupdown-ng", "", "sbin/ifup -> sbin/ifupdown: ifupdown-ng"},
		// A chroot's links: ".." stops at the root, so the target is the root's own file.
		{"link climbing out stays inside", tree{"sbin/ifup": "-> ../../../../../../usr/share/ifupdown2/ifupdown2",
			"usr/share/ifupdown2/ifupdown2": "#!/usr/bin/python3\n"},
			"ifupdown2", "", "sbin/ifup -> usr/share/ifupdown2/ifupdown2: ifupdown2"},
		{"dangling link is no ifup", tree{"sbin/ifup": "-> /usr/share/ifupdown2/ifupdown2"},
			"ifupdown", "", "no var/lib/dpkg/status, lib/apk/db/installed or ifup in the root: ifupdown 0.8 assumed"},
		{"unknown ifup", tree{"usr/sbin/ifup": "#!/bin/sh\n"},
			"ifupdown", "", "no var/lib/dpkg/status or lib/apk/db/installed; usr/sbin/ifup: no ifup ifacefix knows: ifupdown 0.8 assumed"},
		{"unknown ifup, nothing installed", tree{DpkgStatus: "Package: ifupdown\nStatus: deinstall ok config-files\n", "sbin/ifup": "-> ifup.sh", "sbin/ifup.sh": "#!/bin/sh\n"},
			"ifupdown", "", "var/lib/dpkg/status: no ifupdown, ifupdown2 or ifupdown-ng installed; sbin/ifup -> sbin/ifup.sh: no ifup ifacefix knows: ifupdown 0.8 assumed"},
		{"dpkg before apk", tree{DpkgStatus: sample(t, "debian12-ifupdown2.status"), ApkInstalled: sample(t, "alpine-ifupdown-ng.installed")},
			"ifupdown2", "3.0.0-1.1", "var/lib/dpkg/status: ifupdown2 3.0.0-1.1 installed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Detect(makeRoot(t, tc.files))
			if err != nil {
				t.Fatal(err)
			}
			if r.Dialect.Name != tc.dialect || r.Version != tc.vers || r.Reason != tc.reason {
				t.Errorf("Detect = %s %q %q\nwant      %s %q %q", r.Dialect.Name, r.Version, r.Reason, tc.dialect, tc.vers, tc.reason)
			}
		})
	}
}

func TestDetectErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files tree
		want  string
	}{
		{"status is a directory", tree{DpkgStatus: "/"}, "var/lib/dpkg/status: is a directory, not a regular file (the dialect cannot be detected: name it with --dialect)"},
		// Never opened for a writer to come: refused at once.
		{"status is a FIFO", tree{DpkgStatus: "fifo"}, "var/lib/dpkg/status: is a named pipe"},
		{"apk database is a directory", tree{ApkInstalled: "/"}, "lib/apk/db/installed: is a directory"},
		{"two installed, no ifup", tree{DpkgStatus: "Package: ifupdown\nStatus: install ok installed\nVersion: 0.8.41\n\n" +
			"Package: ifupdown2\nStatus: install ok installed\nVersion: 3.0.0-1.1\n"},
			"var/lib/dpkg/status: ifupdown 0.8.41 and ifupdown2 3.0.0-1.1 installed, and no ifup tells which is in use: the dialect cannot be detected (name it with --dialect)"},
		// An ifup ifacefix does not know cannot settle it either.
		{"two installed, unknown ifup", tree{DpkgStatus: "Package: ifupdown\nStatus: install ok installed\nVersion: 0.8.41\n\n" +
			"Package: ifupdown2\nStatus: install ok installed\nVersion: 3.0.0-1.1\n", "sbin/ifup": "#!/bin/sh\n"},
			"ifupdown2 3.0.0-1.1 installed, and no ifup tells which is in use"},
		{"ifup loop", tree{"sbin/ifup": "-> ifup2", "sbin/ifup2": "-> ifup"}, "too many levels of symbolic links"},
		// Current Alpine: a failing executor fails its interface and stops ifup -a there, which
		// the model of 0.11 does not follow.
		{"alpine ifupdown-ng 0.12", tree{ApkInstalled: sample(t, "alpine-ifupdown-ng.installed")},
			"lib/apk/db/installed: ifupdown-ng 0.12.1-r7 installed, but ifacefix models ifupdown-ng 0.11 only"},
		{"debian ifupdown-ng 0.13", tree{DpkgStatus: "Package: ifupdown-ng\nStatus: install ok installed\nVersion: 0.13.0-1\n"},
			"ifupdown-ng 0.13.0-1 installed, but ifacefix models ifupdown-ng 0.11 only"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Detect(makeRoot(t, tc.files))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Detect = %+v, %v; want an error containing %q", r, err, tc.want)
			}
		})
	}
}

// TestDetectUnreadable: a database that exists but cannot be read is an error, never a guess.
func TestDetectUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads files whatever their mode")
	}
	fsys := makeRoot(t, tree{DpkgStatus: sample(t, "debian12-ifupdown2.status")})
	if err := os.Chmod(fsys.HostPath(DpkgStatus), 0); err != nil {
		t.Fatal(err)
	}
	if r, err := Detect(fsys); err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Fatalf("Detect = %+v, %v; want permission denied", r, err)
	}
}

// TestDetectNeverLeavesRoot: a link that would reach ifupdown2 outside the root, if followed as
// the host follows it, stays inside the root (chroot-style), where it dangles.
func TestDetectNeverLeavesRoot(t *testing.T) {
	parent := t.TempDir()
	populate(t, parent, tree{"usr/share/ifupdown2/ifupdown2": "#!/usr/bin/python3\n",
		"root/sbin/ifup": "-> ../../usr/share/ifupdown2/ifupdown2"})
	if _, err := os.Stat(filepath.Join(parent, "root/sbin/ifup")); err != nil {
		t.Fatalf("the link does not reach outside the root on the host: %v", err)
	}
	fsys, err := rootfs.Open(filepath.Join(parent, "root"))
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	r, err := Detect(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if r.Dialect.Name != "ifupdown" || !strings.Contains(r.Reason, "assumed") {
		t.Errorf("Detect = %s %q: read outside the root", r.Dialect.Name, r.Reason)
	}
}
