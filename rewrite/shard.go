package rewrite

import "sort"

// inShard returns the paths of shard i of n (1 ≤ i ≤ n): those at an index, in sorted order, that is
// i-1 modulo n. Shards 1..n partition the paths and differ in size by at most one. n < 1 means no
// sharding: every path.
func inShard(paths []string, i, n int) []string {
	if n < 1 {
		return paths
	}
	sorted := append([]string(nil), paths...)
	sort.Strings(sorted)
	var out []string
	for k, p := range sorted {
		if k%n == i-1 {
			out = append(out, p)
		}
	}
	return out
}

// selectPackages returns the packages of paths (sorted) that the run processes: its shard, and
// those Options.Select picks.
func selectPackages(paths []string, opts Options) []string {
	var out []string
	for _, path := range inShard(paths, opts.Shard, opts.Shards) {
		if opts.Select == nil || opts.Select(path) {
			out = append(out, path)
		}
	}
	return out
}
