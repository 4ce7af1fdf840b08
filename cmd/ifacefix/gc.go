package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// gcHeadroom is how much the heap may grow past what is live before the collector runs, at
// least: a run's heap is mostly live until it exits (the parsed tree and the route model), so
// collecting a small heap often buys no memory and costs a quarter of the CPU. Above
// gcHeadroom of live heap the collector runs as with GOGC=100 (the heap at most doubles), so
// big files take no more memory than with Go's default.
const gcHeadroom = 64 << 20

// gcPercent is the GOGC that lets a heap of live bytes grow by gcHeadroom, or by live bytes
// where that is more. Before the first collection live is 0, and Go's heap goal is then 4 MB
// at GOGC=100.
func gcPercent(live uint64) int {
	live = max(live, 4<<20)
	return int(max(100, gcHeadroom*100/live))
}

// tuneGC sets the collector's GOGC from gcPercent after every collection, unless GOGC is set in
// the environment: then that is what the operator asked for.
func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); set {
		return
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	retune := func() {
		metrics.Read(sample)
		var live uint64
		if sample[0].Value.Kind() == metrics.KindUint64 {
			live = sample[0].Value.Uint64()
		}
		debug.SetGCPercent(gcPercent(live))
	}
	retune()
	// A finalizer runs after the collection that finds its object unreachable: re-armed each
	// time, it retunes after every cycle.
	var rearm func(*[32]byte)
	rearm = func(*[32]byte) {
		retune()
		runtime.SetFinalizer(new([32]byte), rearm)
	}
	runtime.SetFinalizer(new([32]byte), rearm)
}
