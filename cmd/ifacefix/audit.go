package main

import (
	"errors"
	"fmt"
	"io"
	"log/syslog"
	"os"
	"path/filepath"
	"strings"

	"github.com/ifacefix/ifacefix/fixer"
	"github.com/ifacefix/ifacefix/internal/plan"
)

// syslogSocketEnv names a unixgram socket that the audit trail goes to instead of the system's
// syslog socket. Only tests set it (they listen on a socket of their own, never /dev/log).
const syslogSocketEnv = "IFACEFIX_TEST_SYSLOG_SOCKET"

// syslogSockets are where log/syslog looks for the local syslog daemon (journald listens on
// /dev/log too).
var syslogSockets = []string{"/dev/log", "/var/run/syslog", "/var/run/log"}

// audit logs one line per file that --apply wrote to the system journal or syslog (facility
// user, priority notice, tag ifacefix): the path, the backup and the findings by rule. A host
// without a syslog socket (a container, a build chroot) gets no trail and no complaint; a socket
// that fails is warned about on stderr, the write having happened.
func audit(p *plan.Plan, stderr io.Writer) {
	var lines []string
	for _, f := range p.Files {
		if f.Written {
			lines = append(lines, auditLine(p, f))
		}
	}
	if len(lines) == 0 {
		return
	}
	w, err := dialSyslog()
	if errors.Is(err, errNoSyslog) {
		return
	}
	if err == nil {
		defer w.Close()
		for _, l := range lines {
			if err = w.Notice(l); err != nil {
				break
			}
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "ifacefix: warning: the audit trail was not logged to syslog: %v\n", err)
	}
}

var errNoSyslog = errors.New("no syslog socket")

func dialSyslog() (*syslog.Writer, error) {
	const prio = syslog.LOG_NOTICE | syslog.LOG_USER
	if s := os.Getenv(syslogSocketEnv); s != "" {
		return syslog.Dial("unixgram", s, prio, "ifacefix")
	}
	for _, s := range syslogSockets {
		if _, err := os.Stat(s); err == nil {
			return syslog.New(prio, "ifacefix")
		}
	}
	return nil, errNoSyslog
}

// auditLine is the trail's line for a written file, with absolute paths:
// "wrote /etc/network/interfaces (backup /etc/network/.interfaces.ifacefix-...bak): fixed
// alias-gateway=2 keep-default-route=1; left for a person: competing-defaults=1", or for --undo
// "restored PATH from BACKUP (backup ...)".
func auditLine(p *plan.Plan, f *plan.File) string {
	backup := "no backup"
	if f.Backup != "" {
		backup = "backup " + abs(f.Backup)
	}
	if f.Restore != "" {
		return fmt.Sprintf("restored %s from %s (%s)", abs(f.Path), abs(f.Restore), backup)
	}
	fixed, left := map[string]int{}, map[string]int{}
	for _, fd := range p.Findings {
		switch {
		case fd.Path != f.Path || fd.Note:
		case fd.Fixed:
			fixed[fd.Rule]++
		default:
			left[fd.Rule]++
		}
	}
	return fmt.Sprintf("wrote %s (%s): fixed %s; left for a person: %s", abs(f.Path), backup, counts(fixed), counts(left))
}

// counts is "rule=n ..." in the order of fixer.Rules, or "none".
func counts(by map[string]int) string {
	var s []string
	for _, r := range fixer.Rules {
		if n := by[r.ID]; n > 0 {
			s = append(s, fmt.Sprintf("%s=%d", r.ID, n))
		}
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, " ")
}

// abs is a shown path made absolute: shown paths are relative to the working directory.
func abs(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
