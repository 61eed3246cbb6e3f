package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gcfix/gcfix/rewrite"
	"github.com/gcfix/gcfix/rewrite/report"
	"github.com/gcfix/gcfix/rewrite/rule"
	"github.com/gcfix/gcfix/rules/makecap"
	"github.com/gcfix/gcfix/rules/sprintf"
)

// The build gate confirms several rewrites of one function with one compile: three Sprintf calls
// of Label (each with its own buffer name), and in Joined a makecap and a Sprintf on other lines.
func TestBuildGateOneFunctionOneCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a module")
	}
	dir := t.TempDir()
	for name, text := range map[string]string{
		"go.mod": "module example.com/bg\n\ngo 1.26\n",
		"p.go": `package bg

import "fmt"

// Label formats three keys in one function.
func Label(id int, name string, n int) (string, string, string) {
	a := fmt.Sprintf("id=%d", id)
	b := fmt.Sprintf("%s:%d", name, id)
	c := fmt.Sprintf("%d/%d", n, id)
	return a, b, c
}

// Joined fills a slice whose length it knows with formatted names.
func Joined(ids []int) int {
	var parts []string
	for i := 0; i < len(ids); i++ {
		parts = append(parts, fmt.Sprintf("n%d-%d", ids[i], i))
	}
	total := 0
	for _, p := range parts {
		total += len(p)
	}
	return total
}
`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Without a cache directory the go command confirms; with one, the compiler itself
	// (rewrite/compile.go): the same verdicts and code either way.
	var rep *report.Report
	var first string
	for _, cache := range []string{"", t.TempDir()} {
		var err error
		rep, err = rewrite.Run(t.Context(), rewrite.Options{
			Dir: dir, Patterns: []string{"./..."}, Rules: []*rule.Rule{sprintf.New(), makecap.New()}, Gate: rewrite.GateBuild, Cache: cache,
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range rep.Candidates {
			t.Logf("cache %q: %s %s:%d %s: %s %s", cache, c.Rule, c.File, c.Line, c.Func, c.Verdict, c.Reason)
		}
		if rep.Kept() != 5 || len(rep.Candidates) != 5 {
			t.Fatalf("cache %q: %d of %d candidates kept, want 5 of 5", cache, rep.Kept(), len(rep.Candidates))
		}
		// One compile loads and diagnoses, one confirms all five rewrites.
		if rep.Compiles != 2 {
			t.Errorf("cache %q: %d compiles, want 2: the load and one confirming compile", cache, rep.Compiles)
		}
		got := string(rep.Rewritten()["p.go"])
		for _, w := range []string{"var buf [", "var buf1 [", "var buf2 [", "parts := make([]string, 0, len(ids))"} {
			if !strings.Contains(got, w) {
				t.Errorf("cache %q: the rewritten file lacks %q:\n%s", cache, w, got)
			}
		}
		if first == "" {
			first = got
		} else if got != first {
			t.Errorf("the rewritten file differs with a cache:\n%s\nwithout:\n%s", got, first)
		}
	}
	got := first
	if err := rep.Apply(); err != nil {
		t.Fatal(err)
	}
	if _, broken, err := rewrite.Diagnose(t.Context(), dir, []string{"./..."}, ""); err != nil || len(broken) > 0 {
		t.Fatalf("the applied module does not build: %v %v\n%s", err, broken, got)
	}
}

// A trade (confirmed, but kept only by the bench gate) is compiled apart from the rewrites the build
// gate keeps: the Sprintf in the trade's package is kept in the same round, with one confirming
// compile. Through the go command (no cache directory), the trade's code left the Sprintf compiled
// with code that is not kept, and it waited for a second compile.
func TestBuildGateTradeApart(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a module")
	}
	dir := t.TempDir()
	for name, text := range map[string]string{
		"go.mod": "module example.com/ta\n\ngo 1.26\n",
		"p.go": `package ta

import "fmt"

// Positive counts the positive values by their labels.
func Positive(xs []int) int {
	seen := make(map[int]bool)
	for _, x := range xs {
		if x > 0 {
			seen[x] = true
		}
	}
	return len(seen)
}

// Label formats a key.
func Label(id int) string { return fmt.Sprintf("id=%d", id) }
`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		cache    string
		compiles int
	}{{"", 3}, {t.TempDir(), 2}} {
		rep, err := rewrite.Run(t.Context(), rewrite.Options{
			Dir: dir, Patterns: []string{"./..."}, Rules: []*rule.Rule{sprintf.New(), makecap.New()}, Gate: rewrite.GateBuild, Cache: c.cache,
		})
		if err != nil {
			t.Fatal(err)
		}
		verdicts := map[string]report.Verdict{}
		for _, r := range rep.Candidates {
			t.Logf("cache %q: %s %s:%d %s: %s %s", c.cache, r.Rule, r.File, r.Line, r.Func, r.Verdict, r.Reason)
			verdicts[r.Func] = r.Verdict
		}
		if verdicts["Positive"] != report.NeedsBench || verdicts["Label"] != report.Kept || len(rep.Candidates) != 2 {
			t.Fatalf("cache %q: verdicts %v, want Positive needs-bench and Label kept", c.cache, verdicts)
		}
		if rep.Compiles != c.compiles {
			t.Errorf("cache %q: %d compiles, want %d", c.cache, rep.Compiles, c.compiles)
		}
	}
}
