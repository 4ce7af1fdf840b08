package testcases

import (
	"net"
	"os"
	"path/filepath"
)

// SyslogSocketEnv names the unixgram socket that the ifacefix command logs its audit trail to
// instead of the system's syslog (cmd/ifacefix): only tests set it.
const SyslogSocketEnv = "IFACEFIX_TEST_SYSLOG_SOCKET"

// DiscardSyslog listens on a unixgram socket in a new temporary directory and discards what
// arrives, for tests that run the ifacefix binary with --apply: with the returned environment
// entry (SyslogSocketEnv=path) it never writes to the machine's own /dev/log. The socket is
// writable by every user (tests run the binary as other users too). stop closes and removes it.
func DiscardSyslog() (env string, stop func(), err error) {
	dir, err := os.MkdirTemp("", "ifacefix-syslog-")
	if err != nil {
		return "", nil, err
	}
	os.Chmod(dir, 0o755)
	path := filepath.Join(dir, "log")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	os.Chmod(path, 0o777)
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 64<<10)
		for {
			// Drained without end: a full queue would block the senders.
			if _, err := conn.Read(buf); err != nil {
				return
			}
		}
	}()
	return SyslogSocketEnv + "=" + path, func() { conn.Close(); <-done; os.RemoveAll(dir) }, nil
}
