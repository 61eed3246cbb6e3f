package rewrite

import (
	"reflect"
	"testing"
)

// A candidate's change kept as its difference from the old content comes back byte for byte,
// whatever the old and new contents share.
func TestSplicedChanges(t *testing.T) {
	cases := []struct{ old, new string }{
		{"package a\n\nfunc F() {}\n", "package a\n\nfunc F() { g() }\n"},
		{"aaa", "aaaa"},
		{"aaaa", "aa"},
		{"abc", "abc"},
		{"", "x"},
		{"x", ""},
		{"head\nmid\ntail\n", "new head\nmid\ntail\n"},
		{"head\nmid\ntail\n", "head\nmid\ntail\nmore\n"},
		{"abab", "ab"},
	}
	for _, c := range cases {
		fc := []*fileChange{{path: "f.go", old: []byte(c.old), new: []byte(c.new)}}
		tab := &contentTable{index: map[string]int{}}
		cached := tab.spliced(fc)
		if cached[0].New != -1 || len(cached[0].Mid) > len(c.new) {
			t.Errorf("%q → %q: kept %+v", c.old, c.new, cached[0])
		}
		contents := make([][]byte, len(tab.list))
		for i, s := range tab.list {
			contents[i] = []byte(s)
		}
		got, ok := fromCached(contents, cached)
		if !ok || !reflect.DeepEqual(got, fc) {
			t.Errorf("%q → %q: rebuilt %q, %v", c.old, c.new, got[0].new, ok)
		}
	}
	// A cache entry whose splice does not fit its old content is refused, not half-read.
	if _, ok := fromCached([][]byte{[]byte("ab")}, []cachedFile{{Path: "f.go", Old: 0, New: -1, Prefix: 2, Suffix: 1}}); ok {
		t.Error("a splice longer than its old content was accepted")
	}
}
