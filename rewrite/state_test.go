package rewrite

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	if r, ok := st.lookup("k1"); !ok || r.Verdict != Kept {
		t.Fatalf("k1: %v %v", r, ok)
	}
	if _, ok := st.lookup("k2"); ok {
		t.Fatal("the torn line was read")
	}
	if err := st.record("k3", &Result{Rule: "hoist", Verdict: Rejected, Metrics: []Metric{}}); err != nil {
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
