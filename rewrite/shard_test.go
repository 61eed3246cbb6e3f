package rewrite

import (
	"fmt"
	"reflect"
	"testing"
)

func TestShardsPartition(t *testing.T) {
	var paths []string
	for i := 0; i < 23; i++ {
		paths = append(paths, fmt.Sprintf("example.com/m/p%02d", (i*7)%23))
	}
	for n := 1; n <= 6; n++ {
		seen := map[string]int{}
		for i := 1; i <= n; i++ {
			got := inShard(paths, i, n)
			if len(got) < len(paths)/n || len(got) > len(paths)/n+1 {
				t.Errorf("shard %d/%d has %d packages", i, n, len(got))
			}
			for _, p := range got {
				seen[p]++
			}
			if again := inShard(paths, i, n); !reflect.DeepEqual(got, again) {
				t.Errorf("shard %d/%d not deterministic", i, n)
			}
		}
		for _, p := range paths {
			if seen[p] != 1 {
				t.Errorf("n=%d: %s is in %d shards", n, p, seen[p])
			}
		}
	}
	if got := inShard(paths, 0, 0); len(got) != len(paths) {
		t.Errorf("no sharding: %d packages, want %d", len(got), len(paths))
	}
}
