package rewrite

import (
	"testing"

	pprof "github.com/google/pprof/profile"

	"github.com/gcfix/gcfix/rewrite/profile"
	"github.com/gcfix/gcfix/rewrite/report"
	"github.com/gcfix/gcfix/rewrite/rule"
)

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
	fn := &pprof.Function{ID: 1, Name: "example.com/m/a.MarkA", Filename: "a/a.go"}
	loc := &pprof.Location{ID: 1, Line: []pprof.Line{{Function: fn, Line: 3}}}
	prof, err := profile.New("cpu.pprof", &pprof.Profile{
		SampleType: []*pprof.ValueType{{Type: "cpu", Unit: "nanoseconds"}},
		Sample:     []*pprof.Sample{{Location: []*pprof.Location{loc}, Value: []int64{90}}, {Value: []int64{10}}},
		Location:   []*pprof.Location{loc},
		Function:   []*pprof.Function{fn},
	})
	if err != nil {
		t.Fatal(err)
	}
	var last Progress
	rep, err := Run(t.Context(), Options{Dir: dir, Patterns: []string{"./..."}, Rules: []*rule.Rule{markRule}, Gate: GateBuild,
		Profile: prof, Hot: DefaultHot, Progress: func(p Progress) { last = p }})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]report.Verdict{}
	for _, r := range rep.Candidates {
		got[r.Func] = r.Verdict
	}
	if len(rep.Candidates) != 2 || got["MarkA"] != report.Kept || got["MarkC"] != report.Skipped {
		t.Fatalf("verdicts = %v; want MarkA kept, MarkC skipped", got)
	}
	if last.Kept != 1 || last.Rejected != 1 {
		t.Errorf("progress at the end: %d kept, %d rejected; want 1 and 1 (the skipped one)", last.Kept, last.Rejected)
	}
}
