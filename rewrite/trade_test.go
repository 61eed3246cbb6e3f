package rewrite

import (
	"strings"
	"testing"

	"github.com/gcfix/gcfix/rewrite/report"
	"github.com/gcfix/gcfix/rewrite/rule"
)

// A candidate that is a trade (rule.Candidate.Trade) is confirmed and tested like any other, but the
// build and test gates report it as needs-bench and keep it out; the other candidates of its package
// are kept as usual. The bench gate takes it to the benchmarks.
func TestTradeNeedsBench(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and tests a module")
	}
	dir := writeModule(t, map[string]string{
		"go.mod":      "module example.com/m\n\ngo 1.26\n",
		"a/a.go":      "package a\n\nfunc OldOne() int { return 1 }\n\nfunc OldTwo() int { return 2 }\n",
		"a/a_test.go": "package a\n\nimport \"testing\"\n\nfunc TestTwo(t *testing.T) {\n\tif OldOne()+OldTwo() != 3 {\n\t\tt.Fatal(OldTwo())\n\t}\n}\n",
	})
	trade := &rule.Rule{Name: "trade", Match: func(pass *rule.Pass) []*rule.Candidate {
		cs := renameRule.Match(pass)
		for _, c := range cs {
			if c.Summary == "rename OldTwo" {
				c.Trade = "two for one"
			}
		}
		return cs
	}}
	for _, g := range []Gate{GateBuild, GateTest, GateBench} {
		rep, err := Run(t.Context(), Options{Dir: dir, Patterns: []string{"./..."}, Rules: []*rule.Rule{trade}, Gate: g})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Failed() {
			t.Fatalf("gate %s: packages failed: %+v", g, rep.Packages)
		}
		verdicts := map[string]report.Verdict{}
		for _, c := range rep.Candidates {
			t.Logf("gate %s: %s: %s %s", g, c.Summary, c.Verdict, c.Reason)
			verdicts[c.Summary] = c.Verdict
			if c.Verdict == report.NeedsBench && !strings.Contains(c.Reason, "only the bench gate (-gate=bench) may keep: two for one") {
				t.Errorf("gate %s: the reason does not say what the trade needs: %s", g, c.Reason)
			}
		}
		want := map[Gate][2]report.Verdict{
			GateBuild: {report.Kept, report.NeedsBench},
			GateTest:  {report.Kept, report.NeedsBench},
			GateBench: {report.NoBenchmark, report.NoBenchmark}, // measured, with nothing to measure with
		}[g]
		if verdicts["rename OldOne"] != want[0] || verdicts["rename OldTwo"] != want[1] {
			t.Errorf("gate %s: verdicts %v; want OldOne %s, OldTwo %s", g, verdicts, want[0], want[1])
		}
		if got := string(rep.Rewritten()["a/a.go"]); strings.Contains(got, "NewTwo") {
			t.Errorf("gate %s: the trade was kept:\n%s", g, got)
		}
	}
}
