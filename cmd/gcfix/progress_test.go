package main

import (
	"strings"
	"testing"
	"time"

	"github.com/gcfix/gcfix/rewrite"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestProgressTerminal(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	var b strings.Builder
	p := newProgressLine(&b, true, clock.now)

	p.update(rewrite.Progress{Phase: rewrite.PhaseLoading})
	if want := "\rloading  0 kept, 0 rejected  0s elapsed"; b.String() != want {
		t.Fatalf("got %q, want %q", b.String(), want)
	}
	b.Reset()
	clock.advance(30 * time.Second)
	p.update(rewrite.Progress{Phase: rewrite.PhaseBenchmarking, Package: "example.com/a", Index: 2, Total: 4, Kept: 1, Rejected: 2})
	// One package of four done in 30s: three more take 1m30s.
	want := "\rpackage 2/4 example.com/a  benchmarking  1 kept, 2 rejected  30s elapsed, ~1m30s left"
	if b.String() != want {
		t.Fatalf("got %q, want %q", b.String(), want)
	}
	long := len([]rune(want)) - 1

	// A shorter line is padded over the longer one it replaces.
	b.Reset()
	p.update(rewrite.Progress{Phase: rewrite.PhaseTesting})
	line := "testing  0 kept, 0 rejected  30s elapsed"
	if want := "\r" + line + strings.Repeat(" ", long-len(line)); b.String() != want {
		t.Fatalf("got %q, want %q", b.String(), want)
	}

	// A -v line clears the live line, prints, and redraws it.
	b.Reset()
	p.logf("%s: benchmarking %s", "example.com/a", "Key")
	if got := b.String(); !strings.HasPrefix(got, "\r"+strings.Repeat(" ", long)+"\rgcfix: example.com/a: benchmarking Key\n\r"+line) {
		t.Fatalf("got %q", got)
	}

	// The clock moves the elapsed time between events.
	b.Reset()
	clock.advance(5 * time.Second)
	p.tick()
	if got := b.String(); !strings.Contains(got, "35s elapsed") {
		t.Fatalf("got %q", got)
	}

	// stop erases the line; nothing is drawn after it.
	b.Reset()
	p.stop()
	p.update(rewrite.Progress{Phase: rewrite.PhaseMatching})
	p.tick()
	if got := b.String(); strings.Trim(got, " \r") != "" || !strings.HasPrefix(got, "\r") || !strings.HasSuffix(got, "\r") {
		t.Fatalf("after stop: %q", got)
	}
}

func TestProgressModules(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	var b strings.Builder
	p := newProgressLine(&b, true, clock.now)
	p.startModule(1, 2)
	p.update(rewrite.Progress{Phase: rewrite.PhaseMatching, Package: "example.com/a", Index: 1, Total: 1, Kept: 1, Rejected: 1})
	clock.advance(time.Minute)
	p.startModule(2, 2)
	b.Reset()
	p.update(rewrite.Progress{Phase: rewrite.PhaseConfirming, Package: "example.com/b/x", Index: 1, Total: 2, Rejected: 1})
	// Counts add up over modules; one module of two done in a minute leaves about a minute.
	want := "\rmodule 2/2  package 1/2 example.com/b/x  confirming  1 kept, 2 rejected  1m0s elapsed, ~1m0s left"
	if got := b.String(); !strings.HasPrefix(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestProgressPlain(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	var b strings.Builder
	p := newProgressLine(&b, false, clock.now)
	for i := 0; i < 9; i++ {
		p.update(rewrite.Progress{Phase: rewrite.PhaseTesting, Package: "example.com/a", Index: 1, Total: 2})
		p.tick()
		clock.advance(time.Second)
	}
	if b.Len() != 0 {
		t.Fatalf("a run shorter than %v printed %q", plainEvery, b.String())
	}
	clock.advance(time.Second)
	p.update(rewrite.Progress{Phase: rewrite.PhaseBenchmarking, Package: "example.com/a", Index: 2, Total: 2, Kept: 1})
	want := "gcfix: package 2/2 example.com/a  benchmarking  1 kept, 0 rejected  10s elapsed, ~10s left\n"
	if b.String() != want {
		t.Fatalf("got %q, want %q", b.String(), want)
	}
	clock.advance(9 * time.Second)
	p.tick()
	if b.String() != want {
		t.Fatalf("a second line within %v: %q", plainEvery, b.String())
	}
	clock.advance(time.Second)
	p.tick()
	if n := strings.Count(b.String(), "\n"); n != 2 || strings.Contains(b.String(), "\r") {
		t.Fatalf("got %q, want two plain lines", b.String())
	}
	p.stop()
	if strings.Contains(b.String(), "\r") {
		t.Fatalf("stop wrote %q on a non-terminal", b.String())
	}
}

// The packages of one compile (loading, a build-gate round's confirming compile) give an estimate
// of that step's time left, from when its phase began; too few packages done give none.
func TestProgressStep(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	var b strings.Builder
	p := newProgressLine(&b, true, clock.now)
	p.update(rewrite.Progress{Phase: rewrite.PhaseLoading})
	clock.advance(40 * time.Second)
	p.update(rewrite.Progress{Phase: rewrite.PhaseConfirming})
	clock.advance(time.Second)
	b.Reset()
	p.update(rewrite.Progress{Phase: rewrite.PhaseConfirming, Package: "example.com/a", Index: 2, Total: 75, Step: true})
	if want := "\rpackage 2/75 example.com/a  confirming  0 kept, 0 rejected  41s elapsed"; !strings.HasPrefix(b.String(), want) || strings.Contains(b.String(), "left") {
		t.Fatalf("got %q, want %q and no estimate", b.String(), want)
	}
	clock.advance(9 * time.Second)
	b.Reset()
	p.update(rewrite.Progress{Phase: rewrite.PhaseConfirming, Package: "example.com/b", Index: 25, Total: 75, Step: true, Kept: 3})
	// A third of the compile's packages in the 10s since confirming began: 20s more.
	if want := "\rpackage 25/75 example.com/b  confirming  3 kept, 0 rejected  50s elapsed, ~20s left in this step"; !strings.HasPrefix(b.String(), want) {
		t.Fatalf("got %q, want %q", b.String(), want)
	}
}

// During the bench gate the line names the candidate and the benchmark being measured.
func TestProgressBench(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	var b strings.Builder
	p := newProgressLine(&b, true, clock.now)
	step := rewrite.BenchStep{Candidate: 7, Candidates: 16, Func: "(*Symtab).Name"}
	for _, c := range []struct {
		side, bench   string
		round, rounds int
		want          string
	}{
		{rewrite.SideCoverage, "", 0, 0, "benchmarking 7/16 (*Symtab).Name: coverage"},
		{rewrite.SideCoverage, "BenchmarkLookup", 3, 8, "benchmarking 7/16 (*Symtab).Name: coverage of BenchmarkLookup 3/8"},
		{"", "", 0, 0, "benchmarking 7/16 (*Symtab).Name: building the test binaries"},
		{rewrite.SideOld, "BenchmarkLookup", 4, 10, "benchmarking 7/16 (*Symtab).Name: BenchmarkLookup old 4/10"},
		{rewrite.SideNew, "", 4, 10, "benchmarking 7/16 (*Symtab).Name: new 4/10"},
	} {
		b.Reset()
		s := step
		s.Side, s.Benchmark, s.Round, s.Rounds = c.side, c.bench, c.round, c.rounds
		p.update(rewrite.Progress{Phase: rewrite.PhaseBenchmarking, Package: "example.com/symtab", Index: 1, Total: 1, Bench: s})
		want := "package 1/1  " + c.want + "  0 kept, 0 rejected  0s elapsed"
		if got := strings.TrimRight(strings.TrimPrefix(b.String(), "\r"), " "); got != want {
			t.Errorf("got  %q\nwant %q", got, want)
		}
	}
}
