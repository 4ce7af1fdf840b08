// Command floor is the durable-replace floor that bench/compare.sh measures `ifacefix --apply`
// against: the least a program must do to replace a file as durably as ifacefix does, with none
// of ifacefix's parsing, fixing, locking or re-checks.
//
//	floor [-no-backup] TARGET NEWBYTES
//
// It reads TARGET whole (ifacefix must read what it fixes), reads the new content from the file
// NEWBYTES (compare.sh gives it ifacefix's own output for the same input), creates a temporary
// file in TARGET's directory (O_EXCL, then TARGET's mode), writes the new bytes and fsyncs them,
// hard-links TARGET to a backup name in the same directory like ifacefix's
// ".NAME.ifacefix-<UTC time>.bak" (here ".NAME.floor-<UTC time>[-N].bak", the first free one),
// renames the temporary file over TARGET and fsyncs the directory. If the bytes are already the
// new ones it writes nothing, as ifacefix does.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

func main() {
	noBackup := flag.Bool("no-backup", false, "do not link a backup")
	flag.Usage = func() { fmt.Fprintln(os.Stderr, "usage: floor [-no-backup] TARGET NEWBYTES") }
	flag.Parse()
	if flag.NArg() != 2 {
		flag.Usage()
		os.Exit(2)
	}
	data, err := os.ReadFile(flag.Arg(1))
	if err == nil {
		_, err = replace(flag.Arg(0), data, !*noBackup, time.Now())
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

// replace durably replaces target with data and returns the backup's path ("" if none).
func replace(target string, data []byte, backup bool, now time.Time) (string, error) {
	old, err := os.ReadFile(target)
	if err != nil {
		return "", err
	}
	if bytes.Equal(old, data) {
		return "", nil
	}
	fi, err := os.Stat(target)
	if err != nil {
		return "", err
	}
	dir, base := filepath.Split(target)
	dir = filepath.Clean(dir)
	tmp := filepath.Join(dir, "."+base+".floor-tmp-"+strconv.Itoa(os.Getpid()))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp) // fails harmlessly once renamed
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(fi.Mode().Perm()) // after creation: the umask does not apply
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	var bak string
	if backup {
		stamp := "." + base + ".floor-" + now.UTC().Format("20060102T150405Z")
		for n := 0; bak == ""; n++ {
			name := stamp + ".bak"
			if n > 0 {
				name = stamp + "-" + strconv.Itoa(n) + ".bak"
			}
			name = filepath.Join(dir, name)
			if err := os.Link(target, name); err == nil {
				bak = name
			} else if !errors.Is(err, fs.ErrExist) || n >= 1000 {
				return "", err
			}
		}
	}
	if err := os.Rename(tmp, target); err != nil {
		return "", err
	}
	d, err := os.Open(dir)
	if err != nil {
		return bak, err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return bak, err
}
