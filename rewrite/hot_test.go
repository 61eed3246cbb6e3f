package rewrite

import "testing"

// A candidate skipped as cold counts in the progress line like any other decided candidate: the
// counts at the end add up to the report's candidates.
func TestHotSkippedCounted(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a module")
	}
	dir := writeModule(t, map[string]string{
		"go.mod": "module example.com/m\n\ngo 1.26\n",
		"a/a.go": "package a\n\nfunc MarkA() int { return 1 }\n",
		"c/c.go": "package c\n\nfunc MarkC() int { return 3 }\n",
	})
	prof := &Profile{Total: 100, funcs: map[string]*funcSamples{"example.com/m/a.MarkA": {flat: 90, cum: 90}}}
	var last Progress
	rep, err := Run(t.Context(), Options{Dir: dir, Patterns: []string{"./..."}, Rules: []*Rule{markRule}, Gate: GateBuild,
		Profile: prof, Hot: DefaultHot, Progress: func(p Progress) { last = p }})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Verdict{}
	for _, r := range rep.Candidates {
		got[r.Func] = r.Verdict
	}
	if len(rep.Candidates) != 2 || got["MarkA"] != Kept || got["MarkC"] != Skipped {
		t.Fatalf("verdicts = %v; want MarkA kept, MarkC skipped", got)
	}
	if last.Kept != 1 || last.Rejected != 1 {
		t.Errorf("progress at the end: %d kept, %d rejected; want 1 and 1 (the skipped one)", last.Kept, last.Rejected)
	}
}
