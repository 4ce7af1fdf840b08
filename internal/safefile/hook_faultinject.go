//go:build faultinject

package safefile

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"time"
)

// Test-only fault hook, compiled in only with -tags faultinject (the reliability tests build the
// command that way). Steps: "synced" (temp file written and fsynced, nothing else changed yet) and
// "linked" (backup link made, if any; the final check and the rename come next).
//
//	IFACEFIX_FAULT_SLEEP=DURATION  sleep that long at every step (widens the window for SIGKILL)
//	IFACEFIX_FAULT_PAUSE=STEP      at STEP, print "ifacefix-fault: paused at STEP" on stderr and
//	                               wait for one line on standard input before going on
var (
	faultSleep, _ = time.ParseDuration(os.Getenv("IFACEFIX_FAULT_SLEEP"))
	faultPause    = os.Getenv("IFACEFIX_FAULT_PAUSE")
	faultStdin    = bufio.NewReader(os.Stdin)
)

func fault(step string) {
	if faultSleep > 0 {
		time.Sleep(faultSleep)
	}
	for _, p := range strings.Split(faultPause, ",") {
		if p == step {
			fmt.Fprintf(os.Stderr, "ifacefix-fault: paused at %s\n", step)
			faultStdin.ReadString('\n')
		}
	}
}
