package ansible

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A lab is a fleet of real SSH hosts on this machine, reached by ansible-playbook exactly as a
// fleet is: each host is a network namespace of its own with its own sshd listening on its own
// address, in a mount namespace of its own whose /etc/network, /root (where Ansible's remote_tmp
// lives), /run and /var/log are tmpfs, never the machine's. The controller is one more network
// namespace, with a bridge to every host; ansible-playbook runs in it. Nothing is started in the
// machine's own network namespace and nothing of its configuration is read or written: each sshd
// has its own config and host key in the test's directory, the client its own key, config and
// known_hosts. Close kills every process in the lab's namespaces and deletes them.
type lab struct {
	t      testing.TB
	dir    string
	prefix string   // of every namespace name: unique to this process
	ctl    string   // the controller's network namespace
	sshCfg string   // the client's ssh_config
	nss    []string // every namespace created, for Close
	hosts  []*labHost
}

// labHost is one host of a lab.
type labHost struct {
	name, ns, addr string
	holder         *exec.Cmd     // holds the mount namespace: `sleep infinity`, parent of sshd
	exited         chan struct{} // closed once the holder has exited
	spec           hostSpec
}

// hostSpec says what a lab host is made of.
type hostSpec struct {
	// files are the host's /etc/network: names relative to it, and contents. Empty hook
	// directories (if-up.d, ...) are added so that the real ifup -a runs there.
	files map[string]string
	// noexecHome mounts /root, where Ansible's remote_tmp (~/.ansible/tmp) lives, noexec.
	noexecHome bool
	// machine, when set, is what uname -m says on the host (a fake uname bound over the real).
	machine string
}

// ifupdownHooks are the directories ifup runs hooks from (run-parts fails on a missing one).
var ifupdownHooks = []string{"if-pre-up.d", "if-up.d", "if-down.d", "if-post-down.d"}

// needLab skips the test unless a lab can be built here.
func needLab(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the SSH fleet needs root (network and mount namespaces)")
	}
	for _, tool := range []string{"ip", "unshare", "nsenter", "ssh", "ssh-keygen", "findmnt", "ansible-playbook"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (Debian: apt-get install iproute2 util-linux openssh-client ansible-core)", tool)
		}
	}
	if _, err := os.Stat("/usr/sbin/sshd"); err != nil {
		t.Skip("/usr/sbin/sshd is not installed (Debian: apt-get install openssh-server)")
	}
}

var labSeq int

// newLab makes the controller namespace and the client's key and configuration.
func newLab(t testing.TB) *lab {
	t.Helper()
	needLab(t)
	labSeq++
	l := &lab{t: t, dir: t.TempDir(), prefix: fmt.Sprintf("ifxfleet-%d-%d-", os.Getpid(), labSeq)}
	t.Cleanup(l.Close)
	l.ctl = l.prefix + "ctl"
	l.addNS(l.ctl)
	l.ip("-n", l.ctl, "link", "set", "lo", "up")
	l.ip("-n", l.ctl, "link", "add", "br0", "type", "bridge")
	l.ip("-n", l.ctl, "addr", "add", "100.80.0.1/24", "dev", "br0")
	l.ip("-n", l.ctl, "link", "set", "br0", "up")
	l.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ifacefix-fleet-test", "-f", filepath.Join(l.dir, "client_key"))
	l.sshCfg = filepath.Join(l.dir, "ssh_config")
	l.write(l.sshCfg, fmt.Sprintf(`Host *
  User root
  IdentityFile %[1]s/client_key
  IdentitiesOnly yes
  UserKnownHostsFile %[1]s/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
`, l.dir))
	return l
}

func (l *lab) addNS(name string) {
	l.ip("netns", "add", name)
	l.nss = append(l.nss, name)
}

// add starts a host: its namespaces, links, sshd. Hosts get the addresses 100.80.0.11 and up.
func (l *lab) add(name string, spec hostSpec) *labHost {
	l.t.Helper()
	n := len(l.hosts)
	if n > 200 {
		l.t.Fatal("a lab has at most 200 hosts")
	}
	h := &labHost{name: name, ns: l.prefix + name, addr: "100.80.0." + strconv.Itoa(11+n), spec: spec}
	l.hosts = append(l.hosts, h)
	l.addNS(h.ns)
	// The management link, to the controller's bridge; and eth0, eth1 for the configurations to
	// bring up (veth pairs inside the host, as in /work/shared/tools/repro-netns.sh).
	veth := "h" + strconv.Itoa(n)
	l.ip("-n", l.ctl, "link", "add", veth, "type", "veth", "peer", "name", "mgmt0", "netns", h.ns)
	l.ip("-n", l.ctl, "link", "set", veth, "master", "br0", "up")
	l.ip("-n", h.ns, "link", "set", "lo", "up")
	l.ip("-n", h.ns, "addr", "add", h.addr+"/24", "dev", "mgmt0")
	l.ip("-n", h.ns, "link", "set", "mgmt0", "up")
	for _, eth := range []string{"eth0", "eth1"} {
		l.ip("-n", h.ns, "link", "add", eth, "type", "veth", "peer", "name", eth+"p")
		l.ip("-n", h.ns, "link", "set", eth+"p", "up")
	}

	dir := filepath.Join(l.dir, "hosts", name)
	stage := filepath.Join(dir, "etc-network")
	for _, d := range ifupdownHooks {
		if err := os.MkdirAll(filepath.Join(stage, d), 0o755); err != nil {
			l.t.Fatal(err)
		}
	}
	for p, data := range spec.files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(stage, p)), 0o755); err != nil {
			l.t.Fatal(err)
		}
		l.write(filepath.Join(stage, p), data)
	}
	key := filepath.Join(dir, "host_key")
	l.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key)
	cfg := filepath.Join(dir, "sshd_config")
	l.write(cfg, fmt.Sprintf(`ListenAddress %s:22
HostKey %s
PidFile none
AuthorizedKeysFile %s
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PrintMotd no
PrintLastLog no
UseDNS no
MaxStartups 100
Subsystem sftp internal-sftp
`, h.addr, key, filepath.Join(l.dir, "client_key.pub")))
	pub, err := os.ReadFile(key + ".pub")
	if err != nil {
		l.t.Fatal(err)
	}
	f := strings.Fields(string(pub))
	l.appendFile(filepath.Join(l.dir, "known_hosts"), h.addr+" "+f[0]+" "+f[1]+"\n")

	homeOpts := "mode=0700"
	if spec.noexecHome {
		homeOpts += ",noexec"
	}
	var uname string
	if spec.machine != "" {
		fake := filepath.Join(dir, "uname")
		l.write(fake, "#!/bin/sh\n# A fake uname for the lab: this host says it is "+spec.machine+".\n"+
			`case "$*" in "-s -m") echo "Linux `+spec.machine+`";; "-m") echo `+spec.machine+";; *) echo Linux;; esac\n")
		if err := os.Chmod(fake, 0o755); err != nil {
			l.t.Fatal(err)
		}
		uname = "mount --bind " + fake + " /usr/bin/uname\n"
	}
	log := filepath.Join(dir, "sshd.log")
	script := `set -e
mount -t tmpfs -o mode=0755 ifacefix-fleet /etc/network
cp -a ` + stage + `/. /etc/network/
mount -t tmpfs -o ` + homeOpts + ` ifacefix-fleet /root
mount -t tmpfs -o mode=0755 ifacefix-fleet /run
mkdir -m 0755 /run/sshd /run/network
mount -t tmpfs -o mode=0755 ifacefix-fleet /var/log
: > /var/log/lastlog
` + uname + `/usr/sbin/sshd -D -e -f ` + cfg + ` 2>>` + log + ` &
exec sleep infinity
`
	// ip netns exec and unshare exec in place: the holder's PID is this command's.
	h.holder = exec.Command("ip", "netns", "exec", h.ns, "unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", script)
	holderLog, err := os.Create(filepath.Join(dir, "holder.log"))
	if err != nil {
		l.t.Fatal(err)
	}
	defer holderLog.Close()
	h.holder.Stdout, h.holder.Stderr = holderLog, holderLog
	if err := h.holder.Start(); err != nil {
		l.t.Fatal(err)
	}
	h.exited = make(chan struct{})
	go func() { h.holder.Wait(); close(h.exited) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		logged, _ := os.ReadFile(log)
		if strings.Contains(string(logged), "Server listening on "+h.addr) {
			break
		}
		held, _ := os.ReadFile(holderLog.Name())
		select {
		case <-h.exited:
			l.t.Fatalf("%s: the host's shell exited: %s\n%s", name, held, logged)
		default:
		}
		if time.Now().After(deadline) {
			l.t.Fatalf("%s: sshd did not start: %s\n%s", name, held, logged)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return h
}

// root is the host's / as seen from this machine: through its holder's mount namespace.
func (h *labHost) root() string { return fmt.Sprintf("/proc/%d/root", h.holder.Process.Pid) }

// tree returns every file of the host's /etc/network, by path ("/etc/network/interfaces").
func (h *labHost) tree(t testing.TB) map[string]string {
	t.Helper()
	m := map[string]string{}
	base := h.root()
	err := filepath.WalkDir(base+"/etc/network", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		m[strings.TrimPrefix(p, base)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// reset makes the host's /etc/network hold exactly its spec's files again.
func (h *labHost) reset(t testing.TB) {
	t.Helper()
	dir := h.root() + "/etc/network"
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range ifupdownHooks {
		os.MkdirAll(filepath.Join(dir, d), 0o755)
	}
	for p, data := range h.spec.files {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, p), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// inside runs a command in the host's network and mount namespaces.
func (h *labHost) inside(args ...string) (string, error) {
	cmd := exec.Command("nsenter", append([]string{"-t", strconv.Itoa(h.holder.Process.Pid), "-m", "-n", "--"}, args...)...)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// killScript writes a script that makes the host unreachable: it kills its sshd and every SSH
// session, every process in its network namespace but the holder, which keeps its files readable.
func (l *lab) killScript(h *labHost) string {
	p := filepath.Join(l.dir, "kill-"+h.name)
	l.write(p, fmt.Sprintf("#!/bin/sh\nfor p in $(ip netns pids %s); do [ \"$p\" = %d ] || kill -KILL \"$p\"; done\n", h.ns, h.holder.Process.Pid))
	if err := os.Chmod(p, 0o755); err != nil {
		l.t.Fatal(err)
	}
	return p
}

// inventory writes an INI inventory of the hosts, in order, each line followed by its vars.
func (l *lab) inventory(vars map[string]string) string {
	var b strings.Builder
	b.WriteString("# Written by the fleet test: every host is a network namespace with its own sshd.\n[fleet]\n")
	for _, h := range l.hosts {
		fmt.Fprintf(&b, "%s ansible_host=%s %s\n", h.name, h.addr, vars[h.name])
	}
	fmt.Fprintf(&b, "\n[all:vars]\nansible_user=root\nansible_ssh_common_args='-F %s'\n"+
		"# The lab logs in as root, and this machine may have no sudo.\nifacefix_become=false\n", l.sshCfg)
	p := filepath.Join(l.dir, "inventory.ini")
	l.write(p, b.String())
	return p
}

// Close kills every process in the lab's namespaces (sshd, sessions, holders, and the SSH
// control masters Ansible left in the controller's) and deletes the namespaces.
func (l *lab) Close() {
	for _, h := range l.hosts {
		if h.exited != nil {
			l.killIn(h.ns, h.holder.Process.Pid)
			h.holder.Process.Kill()
			<-h.exited
		}
	}
	l.killIn(l.ctl, 0)
	for _, ns := range l.nss {
		if out, err := exec.Command("ip", "netns", "del", ns).CombinedOutput(); err != nil {
			l.t.Errorf("ip netns del %s: %v %s", ns, err, out)
		}
	}
	l.nss = nil
}

// killIn kills every process in the network namespace ns but spare.
func (l *lab) killIn(ns string, spare int) {
	out, _ := exec.Command("ip", "netns", "pids", ns).Output()
	for _, f := range strings.Fields(string(out)) {
		if pid, err := strconv.Atoi(f); err == nil && pid != spare {
			if p, err := os.FindProcess(pid); err == nil {
				p.Kill()
			}
		}
	}
}

func (l *lab) ip(args ...string) { l.t.Helper(); l.run("ip", args...) }

func (l *lab) run(name string, args ...string) {
	l.t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		l.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func (l *lab) write(p, data string) {
	l.t.Helper()
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		l.t.Fatal(err)
	}
}

func (l *lab) appendFile(p, data string) {
	l.t.Helper()
	f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		l.t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(data); err != nil {
		l.t.Fatal(err)
	}
}

// defaultRoutes returns the host's default routes of one family ("-4" or "-6").
func (h *labHost) defaultRoutes(t testing.TB, family string) []string {
	t.Helper()
	out, err := exec.Command("ip", "-n", h.ns, family, "route", "show", "default").Output()
	if err != nil {
		t.Fatalf("%s: ip route: %v", h.name, err)
	}
	var routes []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line != "" {
			routes = append(routes, line)
		}
	}
	sort.Strings(routes)
	return routes
}
