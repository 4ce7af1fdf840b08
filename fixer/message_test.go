package fixer

import (
	"testing"

	"github.com/ifacefix/ifacefix/internal/routecmd"
)

// TestRouteTextNoDevice: a route without a device (blackhole, unreachable) is named without
// "dev" (a red-team pass found "blackhole dev , metric 0" in a message).
func TestRouteTextNoDevice(t *testing.T) {
	if got := routeText(routecmd.Route{Family: "inet", Type: "blackhole"}); got != "blackhole" {
		t.Errorf("routeText = %q, want %q", got, "blackhole")
	}
	if got := routeText(routecmd.Route{Family: "inet", Type: "unicast", Gateway: "192.0.2.1", Dev: "eth0", Metric: 5}); got != "via 192.0.2.1 dev eth0 metric 5" {
		t.Errorf("routeText = %q", got)
	}
}
