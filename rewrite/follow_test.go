package rewrite

import (
	"strings"
	"testing"
	"time"

	"github.com/gcfix/gcfix/rewrite/rule"
)

// The follower counts the "# import/path" lines of the compiler's output however the text arrives:
// a header split across two reads counts once, when its line ends.
func TestFollowerScan(t *testing.T) {
	text := "# example.com/a\nx.go:1:2: can inline F\n# example.com/b\ny.go:3:4: x escapes to heap\n# example.com/c\n"
	for _, size := range []int{1, 3, 7, 16, len(text)} {
		f := &follower{}
		for i := 0; i < len(text); i += size {
			f.scan([]byte(text[i:min(i+size, len(text))]))
		}
		if f.n != 3 || f.last != "example.com/c" {
			t.Errorf("reads of %d bytes: %d headers, last %q; want 3, example.com/c", size, f.n, f.last)
		}
	}
}

// A listing reports each package whose compiler output the go command printed, with the count of
// packages the patterns match, and so does a round's confirming compile; the next phase drops them.
func TestListingProgress(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a module")
	}
	dir := writeModule(t, map[string]string{
		"go.mod": "module example.com/m\n\ngo 1.26\n",
		"a/a.go": "package a\n\nfunc MarkA(s []int) []int { return append(s, 1) }\n\nfunc Other(s []int) []int { return s }\n",
		"b/b.go": "package b\n\nimport \"example.com/m/a\"\n\nfunc MarkB() []int { return a.Other(nil) }\n",
		"c/c.go": "package c\n\nfunc C(n int) []int { return make([]int, n) }\n",
	})
	defer func(d time.Duration) { followDelay = d }(followDelay)
	followDelay = 0 // a small module compiles in less than the delay
	var events []Progress
	_, err := Run(t.Context(), Options{Dir: dir, Patterns: []string{"./..."}, Rules: []*rule.Rule{markRule}, Gate: GateBuild,
		Progress: func(p Progress) { events = append(events, p) }})
	if err != nil {
		t.Fatal(err)
	}
	last, confirming := Progress{}, Progress{}
	for _, ev := range events {
		switch {
		case ev.Total == 0:
		case !ev.Step:
			t.Errorf("%+v: a package count that is not of a compile", ev)
		case ev.Phase == PhaseLoading:
			last = ev
		case ev.Phase == PhaseConfirming:
			confirming = ev
		default:
			t.Errorf("%+v: a compile's package count in phase %s", ev, ev.Phase)
		}
	}
	if last.Total != 3 || last.Index != 3 || !strings.HasPrefix(last.Package, "example.com/m/") {
		t.Errorf("last loading event %+v, want package 3/3 of example.com/m", last)
	}
	// The round's compile of the packages the rewrites change goes through them and what they
	// import of the module.
	if confirming.Index == 0 || confirming.Total == 0 {
		t.Errorf("no package count while confirming: %+v", confirming)
	}
}
