package main

import "testing"

func TestGCPercent(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, 1600},       // before the first collection: the first runs at 64 MB
		{4 << 20, 1600}, // 4 MB live may grow by 64 MB
		{32 << 20, 200}, // 32 MB by 64 MB
		{64 << 20, 100}, // from here on as Go's default: the heap at most doubles
		{1 << 30, 100},
	} {
		if got := gcPercent(c.live); got != c.want {
			t.Errorf("gcPercent(%d MB) = %d, want %d", c.live>>20, got, c.want)
		}
	}
}
