package rewrite

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"
)

// results parses benchmark lines: one sample per entry of each slice, for benchmarks named by the map.
func results(t *testing.T, lines []string) []*benchfmt.Result {
	t.Helper()
	var rs []*benchfmt.Result
	r := benchfmt.NewReader(strings.NewReader(strings.Join(lines, "\n")+"\n"), "test")
	for r.Scan() {
		if res, ok := r.Result().(*benchfmt.Result); ok {
			rs = append(rs, res.Clone())
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return rs
}

// series makes n benchmark lines for name with the given ns/op values (cycled) and fixed B/op, allocs/op.
func series(name string, ns []float64, bytes, allocs int, n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, fmt.Sprintf("Benchmark%s-2\t1000000\t%g ns/op\t%d B/op\t%d allocs/op", name, ns[i%len(ns)], bytes, allocs))
	}
	return out
}

func metric(d Decision, bench, unit string) Metric {
	for _, m := range d.Metrics {
		if m.Bench == bench && m.Unit == unit {
			return m
		}
	}
	return Metric{}
}

func TestDecide(t *testing.T) {
	jitter := []float64{100, 101, 99, 102, 98, 100.5, 99.5, 101.5, 98.5, 100}
	opts := BenchOptions{}
	t.Run("fewer allocs", func(t *testing.T) {
		d := Decide(results(t, series("Key", jitter, 48, 2, 10)), results(t, series("Key", jitter, 24, 1, 10)), opts)
		if !d.Improved || d.Regressed || !metric(d, "BenchmarkKey-2", "allocs/op").Significant {
			t.Errorf("decision = %+v; want improved allocs/op", d)
		}
		if m := metric(d, "BenchmarkKey-2", "allocs/op"); m.Old != 2 || m.New != 1 || m.DeltaPct != -50 {
			t.Errorf("allocs/op metric = %+v", m)
		}
	})
	t.Run("identical", func(t *testing.T) {
		d := Decide(results(t, series("Key", jitter, 48, 2, 10)), results(t, series("Key", jitter, 48, 2, 10)), opts)
		if d.Improved || d.Regressed {
			t.Errorf("decision = %+v; want nothing", d)
		}
	})
	t.Run("sec/op below the effect floor", func(t *testing.T) {
		faster := make([]float64, len(jitter))
		for i, v := range jitter {
			faster[i] = v - 4 // 4% faster, every sample: significant by p, below the 5% floor
		}
		d := Decide(results(t, series("Key", jitter, 48, 2, 10)), results(t, series("Key", faster, 48, 2, 10)), opts)
		m := metric(d, "BenchmarkKey-2", "sec/op")
		if d.Improved || m.Significant || m.P > 0.05 {
			t.Errorf("decision = %+v; want p < 0.05 but not significant under the floor", d)
		}
	})
	t.Run("Holm-Bonferroni", func(t *testing.T) {
		// Ten benchmarks; one differs slightly in sec/op, enough for p < 0.05 alone, not after correction.
		var old, new []string
		for i := 0; i < 10; i++ {
			name := fmt.Sprintf("B%d", i)
			old = append(old, series(name, jitter, 48, 2, 10)...)
			if i == 3 {
				shifted := []float64{103, 120, 97, 118, 99.2, 115, 101.8, 117, 104, 119}
				new = append(new, series(name, shifted, 48, 2, 10)...)
				continue
			}
			new = append(new, series(name, jitter, 48, 2, 10)...)
		}
		d := Decide(results(t, old), results(t, new), opts)
		m := metric(d, "BenchmarkB3-2", "sec/op")
		if m.P >= 0.05 {
			t.Fatalf("constructed p = %v; the case needs p < 0.05", m.P)
		}
		if m.Significant || d.Improved || d.Regressed {
			t.Errorf("decision = %+v; one raw p=%.4f among 30 must not count", d, m.P)
		}
	})
	t.Run("from zero", func(t *testing.T) {
		// A rewrite that makes an allocation-free benchmark allocate: regressed, and the report must
		// still encode (a +Inf delta does not).
		d := Decide(results(t, series("Key", jitter, 0, 0, 10)), results(t, series("Key", jitter, 16, 1, 10)), opts)
		if !d.Regressed || d.Improved {
			t.Errorf("decision = %+v; want regressed", d)
		}
		if m := metric(d, "BenchmarkKey-2", "allocs/op"); m.DeltaPct != 0 || !strings.Contains(m.String(), "0 → 1 (from zero") {
			t.Errorf("allocs/op metric = %+v, %q", m, m.String())
		}
		if _, err := json.Marshal(d.Metrics); err != nil {
			t.Errorf("metrics do not encode: %v", err)
		}
	})
	t.Run("more bytes", func(t *testing.T) {
		d := Decide(results(t, series("Key", jitter, 48, 2, 10)), results(t, series("Key", jitter, 64, 2, 10)), opts)
		if !d.Regressed || d.Improved {
			t.Errorf("decision = %+v; want regressed B/op", d)
		}
	})
}

// buildTestBinary writes a one-package module into a temporary directory and builds its test binary.
func buildTestBinary(t *testing.T, testSrc string) (dir, bin string) {
	t.Helper()
	dir = t.TempDir()
	files := map[string]string{
		"go.mod":    "module example.com/gate\n\ngo 1.26\n",
		"f.go":      "package gate\n\nfunc Make(n int) []byte { return make([]byte, n) }\n",
		"f_test.go": testSrc,
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin = filepath.Join(dir, "gate.test")
	cmd := exec.Command("go", "test", "-c", "-o", bin, ".")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go test -c: %v\n%s", err, out)
	}
	return dir, bin
}

const benchSrc = `package gate

import "testing"

var sink []byte

func TestMake(t *testing.T) {
	if len(Make(3)) != 3 {
		t.Fatal("len")
	}
}

func BenchmarkMake(b *testing.B) {
	for i := range b.N {
		sink = Make(64 + i%2)
	}
}
`

// The gate must not invent wins: the same binary on both sides allocates alike, and no count (allocs/op,
// B/op) differs. Its time per op differs by chance, which the effect floor and the correction
// are for (TestDecide); how much it differs on this machine now is not asserted.
func TestGateNoOp(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a benchmark")
	}
	dir, bin := buildTestBinary(t, benchSrc)
	same := filepath.Join(dir, "same.test")
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(same, data, 0o755); err != nil {
		t.Fatal(err)
	}
	opts := BenchOptions{Count: 6, Benchtime: 20 * time.Millisecond}
	ctx := context.Background()
	if ok, err := HasBenchmarks(ctx, dir, bin, opts); !ok || err != nil {
		t.Fatalf("HasBenchmarks = %v, %v; want true", ok, err)
	}
	old, new, err := RunBenchmarks(ctx, dir, bin, same, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(old) != 6 || len(new) != 6 {
		t.Fatalf("got %d old and %d new results, want 6 each", len(old), len(new))
	}
	d := Decide(old, new, opts)
	counts := 0
	for _, m := range d.Metrics {
		if m.Unit == "sec/op" {
			continue
		}
		counts++
		if m.Significant || m.Old != m.New {
			t.Errorf("identical binaries: %s", m)
		}
	}
	if counts != 2 {
		t.Errorf("metrics %+v; want allocs/op and B/op of BenchmarkMake", d.Metrics)
	}
}

func TestGateFailures(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs benchmarks")
	}
	ctx := context.Background()
	opts := BenchOptions{Count: 1, Benchtime: 10 * time.Millisecond, Timeout: 2 * time.Second}
	_, good := buildTestBinary(t, benchSrc)

	dir, panics := buildTestBinary(t, strings.Replace(benchSrc, "sink = Make(64 + i%2)\n\t}", "sink = Make(64 + i%2)\n\t}\n\tpanic(\"broken benchmark\")", 1))
	if _, _, err := RunBenchmarks(ctx, dir, good, panics, opts); err == nil || !strings.Contains(err.Error(), "new code") || !strings.Contains(err.Error(), "panic: broken benchmark") {
		t.Errorf("panicking benchmark: err = %v; want the new side and the panic", err)
	}

	// A real hang, not select {}: the runtime reports a deadlock at once, and the test binary's
	// -test.timeout does not cover benchmarks, so only the gate's own alarm stops this one.
	dir, hangs := buildTestBinary(t, strings.Replace(benchSrc, "sink = Make(64 + i%2)\n\t}", "sink = Make(64 + i%2)\n\t}\n\tfor i := 0; ; i++ {\n\t\tsink = Make(i % 8)\n\t}", 1))
	_, _, err := RunBenchmarks(ctx, dir, hangs, good, opts)
	if err == nil || !strings.Contains(err.Error(), "old code") || (runtime.GOOS != "windows" && !strings.Contains(err.Error(), "BenchmarkMake hung")) {
		t.Errorf("hanging benchmark: err = %v; want the old side and the benchmark that hung", err)
	}

	dir, none := buildTestBinary(t, "package gate\n\nimport \"testing\"\n\nfunc TestMake(t *testing.T) {}\n")
	if ok, err := HasBenchmarks(ctx, dir, none, opts); ok || err != nil {
		t.Errorf("HasBenchmarks without benchmarks = %v, %v; want false", ok, err)
	}
}

// A deep stack pushes the panic line out of the last 20 lines; the error must still say it.
func TestFailureOutput(t *testing.T) {
	out := "goos: linux\npanic: deep boom\n\ngoroutine 7 [running]:\n" + strings.Repeat("example.com/x.f(...)\n\t/x/x_test.go:3\n", 30) + "exit status 2\n"
	got := failureOutput([]byte(out))
	if !strings.HasPrefix(got, "panic: deep boom\n...\n") || !strings.HasSuffix(got, "exit status 2") {
		t.Errorf("failureOutput = %q", got)
	}
	if short := "panic: x\nexit status 2\n"; failureOutput([]byte(short)) != "panic: x\nexit status 2" {
		t.Errorf("failureOutput repeats a line already in the tail: %q", failureOutput([]byte(short)))
	}
}

func TestLastBenchmark(t *testing.T) {
	out := "goos: linux\nBenchmarkA-2   \t100\t10 ns/op\nBenchmarkMake-8 \tSIGQUIT: quit\ngoroutine 7 [running]:\n\tgoroutine running on other thread; stack unavailable\n"
	if got := lastBenchmark([]byte(out)); got != "BenchmarkMake" {
		t.Errorf("lastBenchmark = %q, want BenchmarkMake", got)
	}
	if got := lastBenchmark([]byte("PASS\n")); got != "" {
		t.Errorf("lastBenchmark without benchmarks = %q", got)
	}
	// With -test.v the name comes alone before the first run: a hang there has printed no result.
	chatty := "goos: linux\nBenchmarkA\nBenchmarkA-2   \t100\t10 ns/op\nBenchmarkMake\nSIGQUIT: quit\ngoroutine 7 [running]:\n\tgoroutine running on other thread; stack unavailable\n"
	if got := lastBenchmark([]byte(chatty)); got != "BenchmarkMake" {
		t.Errorf("lastBenchmark of -test.v output = %q, want BenchmarkMake", got)
	}
}
