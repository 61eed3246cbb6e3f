package rewrite

import (
	"go/ast"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dave/dst"
	"github.com/gcfix/gcfix/rewrite/benchstat"
	"github.com/gcfix/gcfix/rewrite/report"
	"github.com/gcfix/gcfix/rewrite/rule"
)

// An interrupted write leaves a torn last line: it is ignored, and the next record starts on a
// line of its own.
func TestStateTornLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.jsonl")
	good := `{"key":"k1","rule":"sprintf","verdict":"kept","reason":"r","metrics":[]}` + "\n"
	if err := os.WriteFile(path, []byte(good+`{"key":"k2","rule":"spr`), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := OpenState(path)
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := st.lookup("k1"); !ok || r.Verdict != report.Kept {
		t.Fatalf("k1: %v %v", r, ok)
	}
	if _, ok := st.lookup("k2"); ok {
		t.Fatal("the torn line was read")
	}
	if err := st.record("k3", &report.Result{Rule: "hoist", Verdict: report.Rejected, Metrics: []benchstat.Metric{}}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	st, err = OpenState(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, k := range []string{"k1", "k3"} {
		if _, ok := st.lookup(k); !ok {
			t.Errorf("%s not read back", k)
		}
	}
	data, _ := os.ReadFile(path)
	if lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[2], `{"key":"k3"`) {
		t.Fatalf("file:\n%s", data)
	}
}

func TestDiffBodyDropsLineNumbers(t *testing.T) {
	a := diffBody("diff a/x b/x\n--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n x\n-y\n+z\n")
	b := diffBody("diff a/x b/x\n--- a/x\n+++ b/x\n@@ -10,3 +12,3 @@\n x\n-y\n+z\n")
	if a != b || strings.Contains(a, "@@") {
		t.Fatalf("%q != %q", a, b)
	}
}

// With -state under the bench gate, a candidate's rewrite is made once: the key is computed from
// it, and the same rewrite is then tried.
func TestStateFixOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds, tests and benchmarks a module")
	}
	dir := writeModule(t, map[string]string{
		"go.mod":      "module example.com/m\n\ngo 1.26\n",
		"a/a.go":      "package a\n\nfunc Sum(n int) int { return n + 1 }\n",
		"a/a_test.go": "package a\n\nimport \"testing\"\n\nvar sink int\n\nfunc BenchmarkSum(b *testing.B) {\n\tfor i := 0; i < b.N; i++ {\n\t\tsink = Sum(i)\n\t}\n}\n",
	})
	var fixes atomic.Int32
	touch := &rule.Rule{Name: "touch", Match: func(pass *rule.Pass) []*rule.Candidate {
		var out []*rule.Candidate
		for _, f := range pass.Files {
			for _, d := range f.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == "Sum" {
					out = append(out, &rule.Candidate{Pos: fd.Pos(), Func: fd, Summary: "touch Sum", Fix: func(fix *rule.Fix) error {
						fixes.Add(1)
						fix.Dst(fd).(*dst.FuncDecl).Decs.Start.Append("// Sum adds one.")
						return nil
					}})
				}
			}
		}
		return out
	}}
	st, err := OpenState(filepath.Join(t.TempDir(), "state.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rep, err := Run(t.Context(), Options{Dir: dir, Patterns: []string{"./..."}, Rules: []*rule.Rule{touch}, Gate: GateBench, State: st,
		Bench: BenchOptions{Count: 2, Benchtime: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Candidates) != 1 || rep.Candidates[0].Verdict == "" {
		t.Fatalf("candidates = %+v; want one, measured", rep.Candidates)
	}
	if n := fixes.Load(); n != 1 {
		t.Errorf("the rule's Fix ran %d times; want once", n)
	}
}
