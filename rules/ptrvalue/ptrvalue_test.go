package ptrvalue

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/diff"

	"github.com/gcfix/gcfix/rewrite"
	"github.com/gcfix/gcfix/rewrite/rewritetest"
	"github.com/gcfix/gcfix/rewrite/rule"
)

// TestFixtures runs every case under fixtures/ptrvalue through the harness.
func TestFixtures(t *testing.T) {
	opts := rewritetest.Options{Skip: []string{"multi"}} // two packages: TestAcrossPackages
	rewritetest.RunAll(t, filepath.Join("..", "..", "fixtures"), "ptrvalue", New(), opts)
}

// TestAcrossPackages rewrites an exported constructor (with -allow-api-change) and its call
// sites in another package of the module: fixtures/ptrvalue/multi, which the one-package harness
// cannot take. Every rewritten file must equal its .golden file (-update writes them), and
// allocs/op must drop in the benchmarks of both packages.
func TestAcrossPackages(t *testing.T) {
	if testing.Short() {
		t.Skip("builds, tests and benchmarks a module")
	}
	t.Parallel()
	fixtures, err := filepath.Abs(filepath.Join("..", "..", "fixtures"))
	if err != nil {
		t.Fatal(err)
	}
	const caseDir = "ptrvalue/multi"
	r := New()
	if err := r.Flags.Set("allow-api-change", "true"); err != nil {
		t.Fatal(err)
	}
	rep, err := rewrite.Run(t.Context(), rewrite.Options{
		Dir:      fixtures,
		Patterns: []string{"./" + caseDir + "/..."},
		Rules:    []*rule.Rule{r},
		Gate:     rewrite.GateTest,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range rep.Candidates {
		t.Logf("candidate %s:%d %s: %s: %s", c.File, c.Line, c.Summary, c.Verdict, c.Reason)
	}
	if rep.Failed() || rep.Kept() != 1 {
		t.Fatalf("kept %d candidates, want 1 (packages: %+v)", rep.Kept(), rep.Packages)
	}
	got := rep.Rewritten()
	goldens, _ := filepath.Glob(filepath.Join(fixtures, caseDir, "*", "*.go.golden"))
	want := map[string][]byte{}
	for _, g := range goldens {
		b, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(fixtures, strings.TrimSuffix(g, ".golden"))
		want[filepath.ToSlash(rel)] = b
	}
	for name, b := range got {
		if rewritetest.Update() {
			if err := os.WriteFile(filepath.Join(fixtures, filepath.FromSlash(name))+".golden", b, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if w, ok := want[name]; !ok {
			t.Errorf("rewrote %s, which has no golden file", name)
		} else if !bytes.Equal(b, w) {
			t.Errorf("%s differs from its golden file:\n%s", name, diff.Diff("golden", w, "rewritten", b))
		}
	}
	for name := range want {
		if _, ok := got[name]; !ok && !rewritetest.Update() {
			t.Errorf("%s has a golden file but was not rewritten", name)
		}
	}

	// The rewritten module, beside the original: allocs/op must drop in both packages.
	tmp := t.TempDir()
	for _, f := range []string{"go.mod"} {
		b, err := os.ReadFile(filepath.Join(fixtures, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tmp, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srcs, _ := filepath.Glob(filepath.Join(fixtures, caseDir, "*", "*.go"))
	for _, s := range srcs {
		rel, _ := filepath.Rel(fixtures, s)
		b, ok := got[filepath.ToSlash(rel)]
		if !ok {
			if b, err = os.ReadFile(s); err != nil {
				t.Fatal(err)
			}
		}
		dst := filepath.Join(tmp, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	before, after := benchAllocs(t, fixtures, caseDir), benchAllocs(t, tmp, caseDir)
	if len(before) != 2 {
		t.Fatalf("want 2 benchmarks, got %v", before)
	}
	for name, n := range before {
		t.Logf("%s: %d → %d allocs/op", name, n, after[name])
		if m, ok := after[name]; !ok || m >= n {
			t.Errorf("%s: allocs/op %d → %d (ok %v), want a drop", name, n, m, ok)
		}
	}
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s.*\s(\d+) allocs/op`)

// benchAllocs runs the benchmarks of dir/caseDir/... once and returns allocs/op by benchmark.
func benchAllocs(t *testing.T, dir, caseDir string) map[string]int64 {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "go", "test", "-run=^$", "-bench=.", "-benchmem", "-benchtime=200x", "./"+caseDir+"/...")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go test -bench in %s: %v\n%s", dir, err, out)
	}
	res := map[string]int64{}
	for _, line := range strings.Split(string(out), "\n") {
		if m := benchLine.FindStringSubmatch(line); m != nil {
			n, _ := strconv.ParseInt(m[2], 10, 64)
			res[m[1]] = n
		}
	}
	return res
}
