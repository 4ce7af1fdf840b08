// Package packaging tests what the Makefile builds and ships: every artefact knows its version
// (never "dev"), `make install` lays out the tree, and the Debian package of `make deb` passes
// lintian, installs with dpkg -i and works (man -w, completions, --help), then is removed again.
package packaging

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

const repo = ".." // the repository root, seen from this package's directory

func need(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
}

// run runs a command in the repository and returns its standard output.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = repo
	// A make running this test must not hand its variables (BIN=...) to ours.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MAKEFLAGS=") && !strings.HasPrefix(kv, "MFLAGS=") && !strings.HasPrefix(kv, "MAKELEVEL=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out, stderr.Bytes())
	}
	return string(out)
}

// version is what every artefact must report: packaging/version.sh's answer for this checkout.
func version(t *testing.T, args ...string) string {
	t.Helper()
	need(t, "git", "make", "go")
	if err := exec.Command("git", "-C", repo, "rev-parse", "HEAD").Run(); err != nil {
		t.Skip("not a git checkout: the version would have to be given (make VERSION=...)")
	}
	v := strings.TrimSpace(run(t, "packaging/version.sh", args...))
	if v == "" || v == "dev" || strings.ContainsAny(v, " \n") {
		t.Fatalf("packaging/version.sh says %q", v)
	}
	return v
}

func gunzip(t *testing.T, name string) string {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(z)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestMakefileArtefactsKnowTheirVersion builds everything the Makefile builds, the way a person
// does (make install PREFIX=..., make ansible), and asks each artefact for its version.
func TestMakefileArtefactsKnowTheirVersion(t *testing.T) {
	v := version(t)
	tmp := t.TempDir()
	bin, prefix, builds := filepath.Join(tmp, "bin"), filepath.Join(tmp, "prefix"), filepath.Join(tmp, "builds")
	run(t, "make", "-s", "install", "ansible", "BIN="+bin, "PREFIX="+prefix, "ANSIBLE_BUILDS="+builds)
	module := filepath.Join(builds, "ifacefix_linux_"+runtime.GOARCH) // make ansible builds one per architecture

	for _, c := range []struct{ file, want string }{
		{filepath.Join(prefix, "sbin/ifacefix"), "ifacefix version " + v},
		{filepath.Join(bin, "ifacefix"), "ifacefix version " + v},
		{filepath.Join(bin, "ifacefix-ansible"), "ifacefix-ansible version " + v},
		{module, "ifacefix-ansible version " + v},
	} {
		out, err := exec.Command(c.file, "--version").Output()
		if got := strings.TrimSpace(string(out)); err != nil || got != c.want {
			t.Errorf("%s --version: %q (%v), want %q", c.file, got, err, c.want)
		}
	}
	page := gunzip(t, filepath.Join(prefix, "share/man/man8/ifacefix.8.gz"))
	if want := `"ifacefix ` + strings.ReplaceAll(v, "-", `\-`) + `"`; !strings.Contains(page, want) {
		t.Errorf("the man page's .TH does not name the version %s:\n%.300s", want, page)
	}
	for _, f := range []string{"share/bash-completion/completions/ifacefix", "share/zsh/site-functions/_ifacefix"} {
		if b, err := os.ReadFile(filepath.Join(prefix, f)); err != nil || !bytes.Contains(b, []byte("--apply")) {
			t.Errorf("%s: %v, or no --apply in it", f, err)
		}
	}

	// No version, no artefact.
	cmd := exec.Command("make", "build", "VERSION=", "BIN="+filepath.Join(tmp, "none"))
	cmd.Dir = repo
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "no version") {
		t.Errorf("make build VERSION= did not refuse: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(tmp, "none")); err == nil {
		t.Error("make build VERSION= built something")
	}
}

// TestDebianPackage is what CI checks of the package: `make deb`, lintian, dpkg -i, man -w, the
// completions and --help of the installed binary, then dpkg --purge. Only as root, and only when
// no ifacefix package is installed (the test never replaces one it did not install).
func TestDebianPackage(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("dpkg -i needs root")
	}
	need(t, "dpkg", "dpkg-deb", "dpkg-query")
	if out, _ := exec.Command("dpkg-query", "-W", "-f", "${Status}", "ifacefix").Output(); strings.Contains(string(out), "installed") {
		t.Skipf("an ifacefix package is already installed (%s): not replacing it", out)
	}
	v, debv := version(t), version(t, "deb")
	bin := t.TempDir()
	run(t, "make", "-s", "deb", "BIN="+bin)
	debs, _ := filepath.Glob(filepath.Join(bin, "*.deb"))
	if len(debs) != 1 || !strings.HasPrefix(filepath.Base(debs[0]), "ifacefix_"+debv+"_") {
		t.Fatalf("make deb made %q, want one ifacefix_%s_ARCH.deb", debs, debv)
	}
	deb := debs[0]

	contents := run(t, "dpkg-deb", "-c", deb)
	for _, f := range []string{
		"./usr/sbin/ifacefix", "./usr/share/man/man8/ifacefix.8.gz",
		"./usr/share/bash-completion/completions/ifacefix", "./usr/share/zsh/vendor-completions/_ifacefix",
		"./usr/share/doc/ifacefix/README.md.gz", "./usr/share/doc/ifacefix/changelog.gz", "./usr/share/doc/ifacefix/copyright",
	} {
		if !regexp.MustCompile(`(?m) ` + regexp.QuoteMeta(f) + `$`).MatchString(contents) {
			t.Errorf("the package lacks %s:\n%s", f, contents)
		}
	}
	// Only its own files, none of another package.
	if m := regexp.MustCompile(`(?m) \./(\S+[^/])$`).FindAllStringSubmatch(contents, -1); len(m) != 8 {
		t.Errorf("the package has %d files, want 8:\n%s", len(m), contents)
	}

	t.Run("lintian", func(t *testing.T) {
		need(t, "lintian")
		cmd := exec.Command("lintian", "--fail-on", "error,warning", "--display-info", "--pedantic", deb)
		out, err := cmd.CombinedOutput()
		t.Logf("lintian --pedantic:\n%s", out)
		if err != nil || regexp.MustCompile(`(?m)^[EW]: `).Match(out) {
			t.Errorf("lintian: %v", err)
		}
	})

	run(t, "dpkg", "-i", deb)
	t.Cleanup(func() {
		if out, err := exec.Command("dpkg", "--purge", "ifacefix").CombinedOutput(); err != nil {
			t.Errorf("dpkg --purge ifacefix: %v\n%s", err, out)
		}
		if _, err := os.Stat("/usr/sbin/ifacefix"); err == nil {
			t.Error("/usr/sbin/ifacefix is still there after dpkg --purge")
		}
	})

	if out, err := exec.Command("/usr/sbin/ifacefix", "--version").Output(); strings.TrimSpace(string(out)) != "ifacefix version "+v {
		t.Errorf("installed ifacefix --version: %q (%v), want version %s", out, err, v)
	}
	help, err := exec.Command("/usr/sbin/ifacefix", "--help").Output()
	if err != nil || !bytes.Contains(help, []byte("--apply")) || !bytes.Contains(help, []byte("--root DIR")) {
		t.Errorf("installed ifacefix --help: %v\n%s", err, help)
	}
	if _, err := exec.LookPath("man"); err == nil {
		if out, err := exec.Command("man", "-w", "ifacefix").Output(); strings.TrimSpace(string(out)) != "/usr/share/man/man8/ifacefix.8.gz" {
			t.Errorf("man -w ifacefix: %q (%v)", out, err)
		}
	} else {
		t.Log("man (man-db) not installed: man -w not checked")
	}
	// bash-completion finds the file by the command's name, as it does at a prompt; without it,
	// the file is sourced directly.
	load := "source /usr/share/bash-completion/completions/ifacefix"
	if _, err := os.Stat("/usr/share/bash-completion/bash_completion"); err == nil {
		load = "source /usr/share/bash-completion/bash_completion && __load_completion ifacefix"
	} else {
		t.Log("bash-completion not installed: its loader not checked")
	}
	bash := exec.Command("bash", "--norc", "--noprofile", "-c", load+` && complete -p ifacefix &&
		COMP_WORDS=(ifacefix --ap); COMP_CWORD=1; _ifacefix; printf '%s\n' "${COMPREPLY[@]}"`)
	if out, err := bash.Output(); err != nil || !strings.HasSuffix(string(out), "\n--apply\n") {
		t.Errorf("bash completion of --ap: %q (%v)", out, err)
	}
	if _, err := exec.LookPath("zsh"); err == nil {
		if out, err := exec.Command("zsh", "-n", "/usr/share/zsh/vendor-completions/_ifacefix").CombinedOutput(); err != nil {
			t.Errorf("zsh -n: %v\n%s", err, out)
		}
	}
	// The binary is static: its copyright file must cover every module linked into it.
	copyright, err := os.ReadFile("/usr/share/doc/ifacefix/copyright")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(copyright, []byte("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n")) {
		t.Errorf("copyright is not DEP-5:\n%.200s", copyright)
	}
	for _, m := range regexp.MustCompile(`(?m)^\tdep\t(\S+)`).FindAllStringSubmatch(run(t, "go", "version", "-m", "/usr/sbin/ifacefix"), -1) {
		if !bytes.Contains(copyright, []byte("\nFiles: "+m[1]+"/*\n")) {
			t.Errorf("packaging/debian/copyright has no paragraph for the linked module %s", m[1])
		}
	}
	if log := gunzip(t, "/usr/share/doc/ifacefix/changelog.gz"); !strings.HasPrefix(log, "ifacefix ("+debv+") ") {
		t.Errorf("changelog.gz starts %.80q, want version %s", log, debv)
	}
}
