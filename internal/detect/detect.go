// Package detect tells which program reads a root's /etc/network/interfaces: ifupdown 0.8,
// ifupdown2, ifupdown-ng or busybox's ifup, from the root's package database, or, without one,
// from what its ifup is (docs/dialects.md section 6). Everything is read through the root's
// rootfs.FS, so a symlink never leads outside the root.
package detect

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"syscall"

	"github.com/ifacefix/ifacefix/internal/rootfs"
	"github.com/ifacefix/ifacefix/parser"
)

// The files read, inside the root, in the order they are tried.
const (
	DpkgStatus    = "var/lib/dpkg/status"
	DpkgStatusDir = "var/lib/dpkg/status.d"
	ApkInstalled  = "lib/apk/db/installed"
)

// ifupPaths are the names of ifup tried without a database: merged-/usr first (on Debian 12
// sbin is a link to usr/sbin, and both resolve to the same file).
var ifupPaths = []string{"usr/sbin/ifup", "sbin/ifup"}

// Result is the dialect of a root and why.
type Result struct {
	Dialect *parser.Dialect
	// Version is the installed package's version ("" when it was not read from a database).
	Version string
	// Reason says in one line where the dialect comes from, naming the file read
	// ("var/lib/dpkg/status: ifupdown2 3.0.0-1.1 installed").
	Reason string
}

// Named is the Result for a dialect chosen by name (--dialect): how is what chose it.
func Named(d *parser.Dialect, how string) Result {
	return Result{Dialect: d, Reason: "chosen with " + how}
}

// debianDialects are the dpkg packages that provide ifup; they conflict with each other, so
// at most one is installed. busybox and busybox-static install no ifup on Debian.
var debianDialects = map[string]*parser.Dialect{
	"ifupdown":    parser.Ifupdown,
	"ifupdown2":   parser.Ifupdown2,
	"ifupdown-ng": parser.IfupdownNG,
}

// Detect returns the dialect of the root fsys: from dpkg's database (var/lib/dpkg/status and
// status.d), else apk's (lib/apk/db/installed), else from the root's ifup (usr/sbin/ifup,
// sbin/ifup); without any of them ifupdown 0.8 is assumed, and the reason says so. A database
// that exists but cannot be read is an error: guessing could make every message about the
// dialect in use untrue. So is a dpkg database listing two ifup providers installed unless the
// root's ifup tells which one is in use.
func Detect(fsys *rootfs.FS) (Result, error) {
	r, err := Installed(fsys)
	if err == nil && r.Dialect == parser.IfupdownNG && r.Version != "" && !ngModelled(r.Version) {
		// From 0.12 a failing executor fails its interface and stops ifup -a there (a route
		// add's 'File exists' too), so a fix can let later interfaces come up that never did:
		// the model of 0.11 would say what does not happen (a red-team pass, 2026-12-08).
		return Result{}, fmt.Errorf("%s, but ifacefix models ifupdown-ng 0.11 only (from 0.12 a failing executor fails its interface and stops ifup -a): nothing is checked", r.Reason)
	}
	return r, err
}

// ngModelled reports whether an ifupdown-ng package version is of the 0.11 series the model
// follows (Debian's 0.11.4~rc1 is upstream 0.11.3 byte for byte): an unreadable one is not.
func ngModelled(version string) bool {
	major, rest, _ := strings.Cut(version, ".")
	minor := rest
	if i := strings.IndexFunc(rest, func(c rune) bool { return c < '0' || c > '9' }); i >= 0 {
		minor = rest[:i]
	}
	return major == "0" && minor == "11"
}

// Installed is Detect without its check that the model follows the version installed: for what
// needs only the program's name (where --undo keeps its backup).
func Installed(fsys *rootfs.FS) (Result, error) {
	pkgs, found, err := readDpkg(fsys)
	if err != nil {
		return Result{}, err
	}
	if found {
		return fromDpkg(fsys, pkgs)
	}
	data, err := readOptional(fsys, ApkInstalled)
	if err != nil {
		return Result{}, err
	}
	if data != nil {
		return fromApk(data), nil
	}
	r, ok, err := fromIfup(fsys)
	switch {
	case ok || err != nil:
		return r, err
	case r.Reason != "":
		return Result{Dialect: parser.Ifupdown, Reason: "no " + DpkgStatus + " or " + ApkInstalled + "; " + r.Reason + ": ifupdown 0.8 assumed"}, nil
	}
	return Result{Dialect: parser.Ifupdown, Reason: "no " + DpkgStatus + ", " + ApkInstalled + " or ifup in the root: ifupdown 0.8 assumed"}, nil
}

// pkg is one installed package of a database and the file that says so.
type pkg struct{ name, version, file string }

// readDpkg returns the installed packages among debianDialects from DpkgStatus and the files of
// DpkgStatusDir, and whether either exists.
func readDpkg(fsys *rootfs.FS) ([]pkg, bool, error) {
	var out []pkg
	found := false
	data, err := readOptional(fsys, DpkgStatus)
	if err != nil {
		return nil, false, err
	}
	if data != nil {
		found = true
		out = append(out, dpkgInstalled(data, DpkgStatus, false)...)
	}
	list, err := fsys.ReadDir(DpkgStatusDir)
	switch {
	case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
	case err != nil:
		return nil, false, undetectable(err)
	}
	for _, e := range list {
		// Distroless puts each package's md5sums next to its stanza: no stanza.
		if e.IsDir() || strings.HasSuffix(e.Name(), ".md5sums") {
			continue
		}
		name := DpkgStatusDir + "/" + e.Name()
		data, err := readOptional(fsys, name)
		if err != nil {
			return nil, false, err
		}
		if data != nil {
			found = true
			out = append(out, dpkgInstalled(data, name, true)...)
		}
	}
	return out, found, nil
}

// dpkgInstalled returns the packages of debianDialects that the deb822 paragraphs of data (a
// status file, or one of status.d) list as installed. A package counts when its Status is
// "WANT FLAG STATE" with STATE installed, triggers-awaited, triggers-pending or
// half-configured (its files are on disk); "deinstall ok config-files" does not. A status.d
// file has no Status field (distroless images write `dpkg-deb --field` output there, one file
// per installed package): there a paragraph without one counts as installed.
func dpkgInstalled(data []byte, file string, statusD bool) []pkg {
	var out []pkg
	for para := range strings.SplitSeq(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n\n") {
		if !strings.Contains(para, "ifupdown") {
			continue // a host's status has thousands of paragraphs: skip the others unparsed
		}
		fields := deb822(para)
		d := debianDialects[fields["package"]]
		if d == nil {
			continue
		}
		status, has := fields["status"]
		if !has && !statusD || has && !installedState(status) {
			continue
		}
		out = append(out, pkg{name: fields["package"], version: fields["version"], file: file})
	}
	return out
}

// deb822 returns the fields of one paragraph, names in lower case (deb822 field names are
// case-insensitive); continuation lines (starting with a space or tab) are skipped, as none of
// the fields read here has one.
func deb822(para string) map[string]string {
	fields := map[string]string{}
	for line := range strings.SplitSeq(para, "\n") {
		if line == "" || line[0] == ' ' || line[0] == '\t' || line[0] == '#' {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		fields[strings.ToLower(strings.TrimSpace(name))] = strings.TrimSpace(value)
	}
	return fields
}

// installedState reports whether a Status value's STATE leaves the package's files on disk.
func installedState(status string) bool {
	w := strings.Fields(status)
	if len(w) != 3 {
		return false
	}
	switch w[2] {
	case "installed", "triggers-awaited", "triggers-pending", "half-configured":
		return true
	}
	return false
}

func fromDpkg(fsys *rootfs.FS, pkgs []pkg) (Result, error) {
	// The same package in status and in status.d is one package.
	var uniq []pkg
	for _, p := range pkgs {
		if !slices.ContainsFunc(uniq, func(q pkg) bool { return q.name == p.name }) {
			uniq = append(uniq, p)
		}
	}
	switch len(uniq) {
	case 0:
		none := DpkgStatus + ": no ifupdown, ifupdown2 or ifupdown-ng installed"
		r, ok, err := fromIfup(fsys)
		switch {
		case err != nil:
			return r, err
		case ok:
			r.Reason = none + "; " + r.Reason
			return r, nil
		case r.Reason != "":
			return Result{Dialect: parser.Ifupdown, Reason: none + "; " + r.Reason + ": ifupdown 0.8 assumed"}, nil
		}
		return Result{Dialect: parser.Ifupdown, Reason: none + ", and no ifup: ifupdown 0.8 assumed"}, nil
	case 1:
		p := uniq[0]
		return Result{Dialect: debianDialects[p.name], Version: p.version, Reason: p.file + ": " + p.name + " " + p.version + " installed"}, nil
	}
	// They conflict with each other: a broken or hand-edited database. The ifup on disk is the
	// program that runs.
	var names []string
	for _, p := range uniq {
		names = append(names, p.name+" "+p.version)
	}
	both := strings.Join(names, " and ")
	r, ok, err := fromIfup(fsys)
	if err != nil {
		return Result{}, err
	}
	if ok {
		for _, p := range uniq {
			if debianDialects[p.name] == r.Dialect {
				r.Version = p.version
			}
		}
		r.Reason = DpkgStatus + ": " + both + " installed; " + r.Reason
		return r, nil
	}
	return Result{}, fmt.Errorf("%s: %s installed, and no ifup tells which is in use: the dialect cannot be detected ("+WayOut+")", DpkgStatus, both)
}

// fromApk reads apk's database (apk-tools database.c: records of "X:value" lines separated by an
// empty line; P: the name, V: the version): ifupdown-ng installed is ifupdown-ng, otherwise
// /sbin/ifup is busybox's applet.
func fromApk(data []byte) Result {
	var name, version, busybox string
	for rec := range strings.SplitSeq(string(data), "\n\n") {
		name, version = "", ""
		for line := range strings.SplitSeq(rec, "\n") {
			switch {
			case strings.HasPrefix(line, "P:"):
				name = line[2:]
			case strings.HasPrefix(line, "V:"):
				version = line[2:]
			}
		}
		switch name {
		case "ifupdown-ng":
			return Result{Dialect: parser.IfupdownNG, Version: version, Reason: ApkInstalled + ": ifupdown-ng " + version + " installed"}
		case "busybox":
			busybox = version
		}
	}
	if busybox != "" {
		return Result{Dialect: parser.Busybox, Version: busybox, Reason: ApkInstalled + ": busybox " + busybox + " installed, no ifupdown-ng: busybox's ifup"}
	}
	return Result{Dialect: parser.Busybox, Reason: ApkInstalled + ": no ifupdown-ng installed: busybox's ifup"}
}

// fromIfup tells the dialect from the root's ifup: a symlink chain through
// /usr/share/ifupdown2/ifupdown2 is ifupdown2, through ifupdown ifupdown-ng, through busybox
// busybox; an ELF file named ifup at its end is ifupdown 0.8. Links are followed chroot-style
// (rootfs), so they never leave the root. ok is false when no ifup exists, or none that is one
// of these; r.Reason then names those that exist ("" when none does).
func fromIfup(fsys *rootfs.FS) (r Result, ok bool, err error) {
	var seen []string
	for _, name := range ifupPaths {
		chain, err := links(fsys, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return Result{}, false, undetectable(err)
		}
		end := chain[len(chain)-1]
		if _, err := fsys.Stat(end); err != nil {
			continue // a dangling link runs nothing
		}
		how := name
		if len(chain) > 1 {
			how += " -> " + end
		}
		for _, c := range chain {
			switch path.Base(c) {
			case "ifupdown2":
				return Result{Dialect: parser.Ifupdown2, Reason: how + ": ifupdown2"}, true, nil
			case "ifupdown":
				return Result{Dialect: parser.IfupdownNG, Reason: how + ": ifupdown-ng"}, true, nil
			case "busybox":
				return Result{Dialect: parser.Busybox, Reason: how + ": busybox"}, true, nil
			}
		}
		elf, err := isELF(fsys, end)
		if err != nil {
			return Result{}, false, undetectable(err)
		}
		if elf && path.Base(end) == "ifup" {
			return Result{Dialect: parser.Ifupdown, Reason: how + ": an ELF program, ifupdown 0.8"}, true, nil
		}
		seen = append(seen, how)
	}
	if len(seen) > 0 {
		return Result{Reason: strings.Join(seen, ", ") + ": no ifup ifacefix knows"}, false, nil
	}
	return Result{}, false, nil
}

// links returns the names a symlink chain starting at name goes through (unrooted, each with
// its directories resolved), name first and the last one no symlink. Absolute targets restart at
// the root and ".." stops there, as rootfs resolves them. At most 40 links are followed.
func links(fsys *rootfs.FS, name string) ([]string, error) {
	var chain []string
	for range 41 {
		dir, err := fsys.Resolve(path.Dir(name))
		if err != nil {
			return nil, err
		}
		cur := path.Join(dir, path.Base(name))
		chain = append(chain, cur)
		fi, err := fsys.Root().Lstat(cur)
		if err != nil {
			return nil, err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return chain, nil
		}
		target, err := fsys.Root().Readlink(cur)
		if err != nil {
			return nil, err
		}
		if strings.HasPrefix(target, "/") {
			name = target
		} else {
			name = path.Join(dir, target)
		}
		name = strings.TrimPrefix(path.Clean("/"+name), "/")
	}
	return nil, &fs.PathError{Op: "resolve", Path: fsys.HostPath(name), Err: syscall.ELOOP}
}

// isELF reports whether the regular file name starts with the ELF magic number.
func isELF(fsys *rootfs.FS, name string) (bool, error) {
	f, _, err := fsys.OpenRegular(name)
	if errors.Is(err, rootfs.ErrNotRegular) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	magic := make([]byte, 4)
	if _, err := io.ReadFull(f, magic); err != nil {
		return false, nil // shorter than a magic number: no program
	}
	return bytes.Equal(magic, []byte("\x7fELF")), nil
}

// readOptional reads the regular file name of the root; nil without an error when it does not
// exist (nor its directory).
func readOptional(fsys *rootfs.FS, name string) ([]byte, error) {
	data, err := fsys.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return nil, nil
	}
	if err != nil {
		return nil, undetectable(err)
	}
	if data == nil {
		data = []byte{}
	}
	return data, nil
}

// WayOut ends the message of every error of Detect: what the command's user can do. Another
// front end (the Ansible module) replaces it with its own words.
const WayOut = "name it with --dialect"

// undetectable wraps an error reading what detection needs with the way out.
func undetectable(err error) error {
	return fmt.Errorf("%w (the dialect cannot be detected: "+WayOut+")", err)
}
