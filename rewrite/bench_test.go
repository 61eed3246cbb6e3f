package rewrite

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gcfix/gcfix/rewrite/benchstat"
	"golang.org/x/perf/benchfmt"
)

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
	// As RunBenchmarks runs a -bench pattern, and as the gate runs a selected benchmark: alone,
	// at a fixed iteration count from the second round on.
	for _, runs := range [][]benchRun{nil, {{pattern: "^BenchmarkMake$", bench: "BenchmarkMake", single: true}}} {
		old, new, err := runRounds(ctx, dir, bin, same, opts, runs, roundHooks{})
		if err != nil {
			t.Fatal(err)
		}
		if len(old) != 6 || len(new) != 6 {
			t.Fatalf("got %d old and %d new results, want 6 each", len(old), len(new))
		}
		d := benchstat.Decide(old, new, opts.thresholds())
		counts := 0
		for _, m := range d.Metrics {
			if m.Unit == "sec/op" {
				continue
			}
			counts++
			// The medians may differ by a fraction of a byte (B/op is the bytes of a run divided by
			// its iterations, and the runtime allocates now and then); a significant difference would
			// keep or reject a rewrite for nothing.
			if m.Significant {
				t.Errorf("identical binaries: %s", m)
			}
		}
		if counts != 2 {
			t.Errorf("metrics %+v; want allocs/op and B/op of BenchmarkMake", d.Metrics)
		}
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

// Where the family is known only once measured (every benchmark runs: the map could not place the
// change), the first round tells it, and a family that -count cannot decide stops the measurement
// there.
func TestRoundsStopAfterFirst(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a benchmark")
	}
	dir, bin := buildTestBinary(t, benchSrc)
	opts := BenchOptions{Count: 3, Benchtime: 5 * time.Millisecond}
	var family int
	old, new, err := runRounds(t.Context(), dir, bin, bin, opts, nil, roundHooks{
		firstRound: func(old, new []*benchfmt.Result) bool {
			family = benchstat.Decide(old, new, opts.thresholds()).Family
			return undecidable(opts.withDefaults(), family) == ""
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if family != 3 || len(old) != 1 || len(new) != 1 {
		t.Errorf("family %d, %d old and %d new results; want 3 metrics and one round", family, len(old), len(new))
	}
}

// A benchmark without sub-benchmarks runs from the second round on the iterations its first
// round's old side ran per -benchtime, the same on both sides: the testing package's ramp-up runs
// once, not in every process.
func TestRoundsFixedIterations(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a benchmark")
	}
	dir, bin := buildTestBinary(t, benchSrc)
	opts := BenchOptions{Count: 3, Benchtime: 5 * time.Millisecond}
	runs := []benchRun{{pattern: "^BenchmarkMake$", bench: "BenchmarkMake", single: true}}
	old, new, err := runRounds(t.Context(), dir, bin, bin, opts, runs, roundHooks{})
	if err != nil {
		t.Fatal(err)
	}
	if len(old) != 3 || len(new) != 3 {
		t.Fatalf("%d old and %d new results; want 3 each", len(old), len(new))
	}
	n := runs[0].iters
	if n < 1 {
		t.Fatalf("no fixed iteration count after the first round")
	}
	for i := 1; i < 3; i++ {
		if old[i].Iters != n || new[i].Iters != n {
			t.Errorf("round %d: %d old and %d new iterations; want %d each", i+1, old[i].Iters, new[i].Iters, n)
		}
	}
}
