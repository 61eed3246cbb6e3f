package report

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/gcfix/gcfix/rewrite/benchstat"
	"github.com/gcfix/gcfix/rewrite/linediff"
)

// syntheticReport has two kept rewrites in one file, the second found after the first had moved
// its lines, and a rejected candidate.
func syntheticReport() (rep *Report, orig, final string) {
	root := filepath.FromSlash("/m")
	orig = "package p\n\nimport \"fmt\"\n\nfunc A(a, b int) string {\n\treturn fmt.Sprintf(\"%d:%d\", a, b)\n}\n\nfunc B() []int {\n\tvar s []int\n\treturn s\n}\n"
	mid := "package p\n\nimport (\n\t\"fmt\"\n\t\"strconv\"\n)\n\nfunc A(a, b int) string {\n\tvar buf [40]byte\n\treturn string(strconv.AppendInt(buf[:0], int64(a), 10))\n}\n\nfunc B() []int {\n\tvar s []int\n\treturn s\n}\n"
	final = "package p\n\nimport (\n\t\"fmt\"\n\t\"strconv\"\n)\n\nfunc A(a, b int) string {\n\tvar buf [40]byte\n\treturn string(strconv.AppendInt(buf[:0], int64(a), 10))\n}\n\nfunc B() []int {\n\ts := make([]int, 0, 4)\n\treturn s\n}\n"
	name := filepath.Join(root, "p.go")
	first := []*FileChange{{Path: name, Old: []byte(orig), New: []byte(mid)}}
	second := []*FileChange{{Path: name, Old: []byte(mid), New: []byte(final)}}
	rep = &Report{
		Module:   "example.com/m",
		Packages: []PackageReport{{Path: "example.com/m", Dir: "."}},
		Candidates: []*Result{
			{Rule: "sprintf", Package: "example.com/m", File: "p.go", Line: 6, Col: 20, Func: "A", Summary: "append into a stack buffer",
				Verdict: Kept, Reason: "allocs/op improved",
				Metrics: []benchstat.Metric{
					{Bench: "BenchmarkA", Unit: "allocs/op", Old: 2, New: 1, DeltaPct: -50, P: 0.0001, Significant: true},
					{Bench: "BenchmarkA", Unit: "sec/op", Old: 100e-9, New: 99e-9, DeltaPct: -1, P: 0.4},
				},
				Variant: "one-write", VariantReason: "the best: pieces is significantly worse: BenchmarkA allocs/op 1 → 3",
				Variants: []VariantResult{{Name: "pieces", Verdict: Kept}, {Name: "one-write", Verdict: Kept}},
				changes:  first},
			{Rule: "makecap", Package: "example.com/m", File: "p.go", Line: 14, Col: 6, Func: "B", Summary: "make with capacity",
				Verdict: Kept, Reason: "B/op improved",
				Metrics: []benchstat.Metric{{Bench: "BenchmarkB", Unit: "B/op", Old: 64, New: 32, DeltaPct: -50, P: 0.002, Significant: true}},
				changes: second},
			{Rule: "hoist", Package: "example.com/m", File: "p.go", Line: 15, Col: 2, Func: "B", Summary: "hoist",
				Verdict: Rejected, Reason: "declined: the value escapes\nsecond line"},
		},
		Diff: Diff(root, []*FileChange{{Path: name, Old: []byte(orig), New: []byte(final)}}),
		root: root,
	}
	return rep, orig, final
}

func TestMarkdown(t *testing.T) {
	rep, _, _ := syntheticReport()
	md := rep.Markdown()
	for _, want := range []string{
		"## gcfix: 2 of 3 candidates kept",
		"kept 2, rejected 1",
		"#### `sprintf`",
		"- `p.go:6` `A`: append into a stack buffer",
		"BenchmarkA allocs/op 2 → 1 (-50.00%, p=0.000)",
		"  - variant `one-write`: the best: pieces is significantly worse: BenchmarkA allocs/op 1 → 3\n",
		"BenchmarkB B/op 64 → 32 (-50.00%, p=0.002)",
		"<details><summary>1 candidate not kept</summary>",
		"Module `example.com/m`, 1 package.",
		"**rejected**: declined: the value escapes …",
		"```diff\ndiff a/p.go b/p.go\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "sec/op") {
		t.Errorf("markdown shows a metric that is not significant:\n%s", md)
	}
	if strings.Index(md, "allocs/op") > strings.Index(md, "<details>") {
		t.Errorf("kept rewrites should come before the folded ones:\n%s", md)
	}
}

func TestSARIF(t *testing.T) {
	rep, orig, final := syntheticReport()
	out, err := rep.SARIF([]RuleInfo{{Name: "sprintf", Title: "t", Text: "x", Before: "b", After: "a"}, {Name: "makecap", Title: "m", Text: "y"}})
	if err != nil {
		t.Fatal(err)
	}
	var log sarifLog
	if err := json.Unmarshal(out, &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || log.Schema != sarifSchema || len(log.Runs) != 1 {
		t.Fatalf("bad header: %s", out)
	}
	d := log.Runs[0].Tool.Driver
	ids := map[string]int{}
	for i, r := range d.Rules {
		ids[r.ID] = i
	}
	if d.Name != "gcfix" || d.InformationURI == "" || len(ids) != 3 { // hoist added, as it has no doc
		t.Fatalf("bad driver: %+v", d)
	}
	if d.Rules[0].Help.Text != "Before:\nb\n\nAfter:\na" || d.Rules[0].FullDescription.Text != "x" {
		t.Errorf("bad rule descriptor: %+v", d.Rules[0])
	}
	res := log.Runs[0].Results
	if len(res) != 3 {
		t.Fatalf("%d results, want 3", len(res))
	}
	for i, r := range res {
		if idx, ok := ids[r.RuleID]; !ok || idx != r.RuleIndex {
			t.Errorf("result %d: ruleId %q, index %d: not a driver rule", i, r.RuleID, r.RuleIndex)
		}
		if r.Message.Text == "" || len(r.Locations) != 1 || r.Locations[0].PhysicalLocation.ArtifactLocation.URI != "p.go" {
			t.Errorf("result %d: bad message or location: %+v", i, r)
		}
	}
	if res[0].Level != "warning" || res[2].Level != "note" || len(res[2].Fixes) != 0 {
		t.Errorf("levels %s %s %s, fixes on the rejected one: %d", res[0].Level, res[1].Level, res[2].Level, len(res[2].Fixes))
	}
	if !strings.Contains(res[0].Message.Text, "allocs/op 2 → 1") || !strings.HasPrefix(res[2].Message.Text, "rejected: hoist: declined") {
		t.Errorf("messages: %q, %q", res[0].Message.Text, res[2].Message.Text)
	}
	// Positions refer to the original file: makecap's line 14 was line 10 before sprintf's rewrite.
	if got := res[1].Locations[0].PhysicalLocation.Region.StartLine; got != 10 {
		t.Errorf("makecap's location: line %d, want 10", got)
	}
	if got := res[2].Locations[0].PhysicalLocation.Region.StartLine; got != 11 {
		t.Errorf("hoist's location: line %d, want 11", got)
	}
	// All fixes together turn the original file into the final one.
	var reps []sarifReplacement
	for _, r := range res {
		for _, f := range r.Fixes {
			for _, ch := range f.ArtifactChanges {
				if ch.ArtifactLocation.URI != "p.go" || ch.ArtifactLocation.URIBaseID != "%SRCROOT%" {
					t.Errorf("bad artifact: %+v", ch.ArtifactLocation)
				}
				reps = append(reps, ch.Replacements...)
			}
		}
	}
	if got := applyReplacements(t, orig, reps); got != final {
		t.Errorf("fixes applied to the original:\n%s\nwant:\n%s", got, final)
	}
}

// applyReplacements applies whole-line replacements (column 1 to column 1) to text.
func applyReplacements(t *testing.T, text string, reps []sarifReplacement) string {
	lines := strings.SplitAfter(text, "\n")
	sort.Slice(reps, func(i, j int) bool { return reps[i].DeletedRegion.StartLine > reps[j].DeletedRegion.StartLine })
	for _, r := range reps {
		d := r.DeletedRegion
		if d.StartColumn != 1 || d.EndColumn != 1 || d.EndLine < d.StartLine || d.EndLine > len(lines)+1 {
			t.Fatalf("bad region %+v", d)
		}
		ins := ""
		if r.InsertedContent != nil {
			ins = r.InsertedContent.Text
		}
		lines = append(lines[:d.StartLine-1], append([]string{ins}, lines[d.EndLine-1:]...)...)
	}
	return strings.Join(lines, "")
}

func TestLineHunks(t *testing.T) {
	for _, tc := range []struct{ old, new string }{
		{"a\nb\nc\n", "a\nB\nc\n"},
		{"a\nb\nc\n", "a\nc\n"},
		{"a\nb\nc\n", "x\na\nb\nc\ny\n"},
		{"", "a\n"},
		{"a\n", ""},
		{"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n", "1\n2x\n3\n4\n5\n6\n7\n8\n9\n10\n11x\n11y\n12\n"},
	} {
		var reps []sarifReplacement
		for _, h := range linediff.Hunks([]byte(tc.old), []byte(tc.new)) {
			reps = append(reps, sarifReplacement{
				DeletedRegion:   sarifRegion{StartLine: h.OldStart, StartColumn: 1, EndLine: h.OldStart + h.OldLen, EndColumn: 1},
				InsertedContent: &sarifMessage{strings.Join(h.NewLines, "")},
			})
		}
		if got := applyReplacements(t, tc.old, reps); got != tc.new {
			t.Errorf("%q → %q: hunks give %q", tc.old, tc.new, got)
		}
	}
}

func TestMerge(t *testing.T) {
	da := "diff a/a/a.go b/a/a.go\n--- a/a/a.go\n+++ b/a/a.go\n@@ -1 +1 @@\n-x\n+y\n"
	db := "diff a/b/b.go b/b/b.go\n--- a/b/b.go\n+++ b/b/b.go\n@@ -1 +1 @@\n-x\n+z\n"
	r1 := &Report{Module: "m", Packages: []PackageReport{{Path: "m/b"}}, Candidates: []*Result{{Package: "m/b", File: "b/b.go", Line: 3}}, Diff: db, Compiles: 3}
	r2 := &Report{Module: "m", Packages: []PackageReport{{Path: "m/a"}}, Candidates: []*Result{{Package: "m/a", File: "a/a.go", Line: 9}, {Package: "m/a", File: "a/a.go", Line: 2}}, Diff: da, Compiles: 4}
	m, err := Merge([]*Report{r1, r2})
	if err != nil {
		t.Fatal(err)
	}
	if m.Module != "m" || len(m.Packages) != 2 || m.Packages[0].Path != "m/a" || m.Diff != da+db || m.Compiles != 7 {
		t.Errorf("merged: %+v\ndiff:\n%s", m, m.Diff)
	}
	var lines []int
	for _, c := range m.Candidates {
		lines = append(lines, c.Line)
	}
	if !reflect.DeepEqual(lines, []int{2, 9, 3}) {
		t.Errorf("candidate order: lines %v", lines)
	}
	if _, err := Merge([]*Report{r1, r1}); err == nil {
		t.Error("merging a package twice: no error")
	}
	if _, err := Merge([]*Report{r1, {Module: "other"}}); err == nil {
		t.Error("merging two modules: no error")
	}
}

// An interrupted run's report says so in every form, and a merge of shards or modules with one
// interrupted is incomplete too.
func TestIncomplete(t *testing.T) {
	rep, _, _ := syntheticReport()
	if md := rep.Markdown(); strings.Contains(md, "Incomplete") {
		t.Errorf("a complete report says it is incomplete:\n%s", md)
	}
	rep.Incomplete = true
	if md := rep.Markdown(); !strings.Contains(md, "> **Incomplete**: the run was interrupted; these are the candidates decided before it stopped.") {
		t.Errorf("Markdown of an incomplete report:\n%s", md)
	}
	b, err := rep.SARIF(nil)
	if err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			Properties map[string]any `json:"properties"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b, &log); err != nil || len(log.Runs) != 1 || log.Runs[0].Properties["incomplete"] != true {
		t.Errorf("SARIF of an incomplete report: %v\n%s", err, b)
	}
	j, err := json.Marshal(rep)
	if err != nil || !strings.Contains(string(j), `"incomplete":true`) {
		t.Errorf("JSON of an incomplete report: %v\n%s", err, j)
	}
	done := &Report{Module: "example.com/m", Packages: []PackageReport{{Path: "example.com/m/other"}}}
	if m, err := Merge([]*Report{done, rep}); err != nil || !m.Incomplete {
		t.Errorf("merged with an incomplete shard: %v, incomplete %v", err, m != nil && m.Incomplete)
	}
	if c := Combine("/", []ModuleRun{{Dir: "/a", Report: done}, {Dir: "/m", Report: rep}}); !c.Incomplete {
		t.Error("combined with an incomplete module: not incomplete")
	}
}
