//go:build !faultinject

package safefile

// fault is a test-only hook between the steps of Replace; in normal builds it does nothing and
// compiles away. The build tag faultinject swaps in hook_faultinject.go (see RELIABILITY.md).
func fault(step string) {}
