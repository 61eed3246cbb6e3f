package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gcfix/gcfix/rewrite/benchstat"
)

// emitReport is a report of one kept candidate in package example.com/p (directory p of root)
// with the given allocs/op metrics, old → new.
func emitReport(root string, metrics ...benchstat.Metric) *Report {
	return &Report{
		root:     root,
		Packages: []PackageReport{{Path: "example.com/p", Dir: "p"}},
		Candidates: []*Result{
			{Package: "example.com/p", Verdict: Kept, Metrics: metrics},
			{Package: "example.com/p", Verdict: Rejected, Metrics: []benchstat.Metric{{Bench: "BenchmarkC-2", Unit: "allocs/op", Old: 9, New: 1}}},
		},
	}
}

func allocs(bench string, old, new float64) benchstat.Metric {
	return benchstat.Metric{Bench: bench, Unit: "allocs/op", Old: old, New: new}
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const benchmarks = "package p\n\nimport \"testing\"\n\nfunc BenchmarkA(b *testing.B) {}\nfunc BenchmarkB(b *testing.B) {}\nfunc BenchmarkC(b *testing.B) {}\n"

func TestEmitAllocTestsNew(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"p/p_test.go": benchmarks})
	// B's allocs/op did not drop: no budget. A sub-benchmark gets none either. A rejected candidate
	// (C) sets nothing.
	rep := emitReport(root, allocs("BenchmarkA-2", 3, 1.5), allocs("BenchmarkB-2", 2, 2), allocs("BenchmarkA/sub-2", 4, 1),
		benchstat.Metric{Bench: "BenchmarkB-2", Unit: "B/op", Old: 64, New: 32})
	if err := rep.EmitAllocTests(); err != nil {
		t.Fatal(err)
	}
	got := string(rep.Rewritten()["p/"+AllocTestsFile])
	for _, want := range []string{"package p\n", "func TestGcfixAllocsA(t *testing.T) {\n\tgcfixAllocBudget(t, \"BenchmarkA\", BenchmarkA, 2)\n}"} {
		if !strings.Contains(got, want) {
			t.Errorf("emitted file lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "BenchmarkB") || strings.Contains(got, "BenchmarkC") || strings.Contains(got, "Code generated") {
		t.Errorf("emitted file:\n%s", got)
	}
	if !strings.Contains(rep.Diff, "--- /dev/null\n+++ b/p/"+AllocTestsFile) {
		t.Errorf("diff does not create the file:\n%s", rep.Diff)
	}
	if err := rep.Apply(); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(root, "p", AllocTestsFile)); err != nil || string(b) != got {
		t.Fatalf("written file = %q, %v; want the emitted one", b, err)
	}
	// A file that appeared meanwhile is not overwritten.
	if err := rep.Apply(); err == nil || !strings.Contains(err.Error(), "created on disk since gcfix looked") {
		t.Fatalf("second Apply: %v", err)
	}
}

func TestEmitAllocTestsMerge(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"p/p_test.go": benchmarks})
	first := emitReport(root, allocs("BenchmarkA-2", 3, 2), allocs("BenchmarkB-2", 5, 4))
	if err := first.EmitAllocTests(); err != nil {
		t.Fatal(err)
	}
	if err := first.Apply(); err != nil {
		t.Fatal(err)
	}
	// Now B improves again and a budget for a benchmark that no longer exists must go.
	name := filepath.Join(root, "p", AllocTestsFile)
	b, _ := os.ReadFile(name)
	stale := strings.Replace(string(b), "func gcfixAllocBudget", "func TestGcfixAllocsGone(t *testing.T) {\n\tgcfixAllocBudget(t, \"BenchmarkGone\", BenchmarkGone, 7)\n}\n\nfunc gcfixAllocBudget", 1)
	writeFiles(t, root, map[string]string{"p/" + AllocTestsFile: stale})
	second := emitReport(root, allocs("BenchmarkB-2", 4, 1))
	if err := second.EmitAllocTests(); err != nil {
		t.Fatal(err)
	}
	got := string(second.Rewritten()["p/"+AllocTestsFile])
	a := strings.Index(got, `gcfixAllocBudget(t, "BenchmarkA", BenchmarkA, 2)`)
	bb := strings.Index(got, `gcfixAllocBudget(t, "BenchmarkB", BenchmarkB, 1)`)
	if a < 0 || bb < a || strings.Contains(got, "BenchmarkGone") {
		t.Fatalf("merged file, want A's budget kept, B's replaced, Gone dropped, sorted:\n%s", got)
	}
	if err := second.Apply(); err != nil {
		t.Fatal(err)
	}
	// The same measurement again changes nothing.
	third := emitReport(root, allocs("BenchmarkB-2", 4, 1))
	if err := third.EmitAllocTests(); err != nil || len(third.Rewritten()) != 0 {
		t.Fatalf("unchanged budgets: err %v, changes %v", err, third.Rewritten())
	}
	// A file with code that gcfix did not write is left alone.
	writeFiles(t, root, map[string]string{"p/" + AllocTestsFile: got + "\nfunc TestMine(t *testing.T) {}\n"})
	fourth := emitReport(root, allocs("BenchmarkA-2", 2, 1))
	if err := fourth.EmitAllocTests(); err == nil || !strings.Contains(err.Error(), "holds code that gcfix did not write") {
		t.Fatalf("EmitAllocTests on a hand-edited file: %v", err)
	}
	if len(fourth.Rewritten()) != 0 {
		t.Fatalf("hand-edited file changed: %v", fourth.Rewritten())
	}
}

func TestEmitAllocTestsExternal(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"p/p_test.go":   benchmarks,
		"p/ext_test.go": "package p_test\n\nimport \"testing\"\n\nfunc BenchmarkX(b *testing.B) {}\n",
	})
	rep := emitReport(root, allocs("BenchmarkA-2", 3, 1), allocs("BenchmarkX-2", 3, 1))
	if err := rep.EmitAllocTests(); err != nil {
		t.Fatal(err)
	}
	got := string(rep.Rewritten()["p/"+AllocTestsFile])
	for _, want := range []string{"package p_test\n", "\tp \"example.com/p\"\n", "(t, \"BenchmarkA\", p.BenchmarkA, 1)", "(t, \"BenchmarkX\", BenchmarkX, 1)"} {
		if !strings.Contains(got, want) {
			t.Errorf("emitted file lacks %q:\n%s", want, got)
		}
	}
}

// A budget holds only for the rewritten code: when a rewrite cannot be written, neither is the
// test file.
func TestEmitAllocTestsNotWithoutRewrite(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"p/p_test.go": benchmarks, "p/p.go": "package p\n// edited meanwhile\n"})
	rep := emitReport(root, allocs("BenchmarkA-2", 2, 1))
	rep.files = []*FileChange{{Path: filepath.Join(root, "p", "p.go"), Old: []byte("package p\n// as read\n"), New: []byte("package p\n// new\n")}}
	if err := rep.EmitAllocTests(); err != nil {
		t.Fatal(err)
	}
	err := rep.Apply()
	if err == nil || !strings.Contains(err.Error(), AllocTestsFile+": not written, since not every rewrite was") {
		t.Fatalf("Apply: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "p", AllocTestsFile)); !os.IsNotExist(err) {
		t.Fatalf("%s written: %v", AllocTestsFile, err)
	}
}
