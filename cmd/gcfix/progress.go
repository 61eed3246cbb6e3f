package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gcfix/gcfix/rewrite"
)

// plainEvery is how often a progress line is printed when stderr is not a terminal; a run shorter
// than that prints none.
const plainEvery = 10 * time.Second

// maxProgressWidth keeps the live line on one row of a usual terminal.
const maxProgressWidth = 120

// progressLine renders the run's progress on stderr: on a terminal one line redrawn in place (\r),
// elsewhere (CI logs, files) a plain line at most every plainEvery.
type progressLine struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool
	now   func() time.Time
	start time.Time
	last  time.Time // when the last plain line was printed; start before the first
	drawn int       // the width of the live line on screen; 0 when none is
	done  bool      // stopped: the run's output follows

	phaseStart      time.Time // when the current phase began
	module, modules int       // with -r: module m of M
	cur             rewrite.Progress
	kept, rejected  int // in the modules done before this one
}

func newProgressLine(w io.Writer, tty bool, now func() time.Time) *progressLine {
	t := now()
	return &progressLine{w: w, tty: tty, now: now, start: t, last: t}
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// startModule says that module i (from 1) of n begins.
func (p *progressLine) startModule(i, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.kept += p.cur.Kept
	p.rejected += p.cur.Rejected
	p.module, p.modules = i, n
	p.cur = rewrite.Progress{Phase: rewrite.PhaseLoading}
	p.phaseStart = p.now()
	p.draw()
}

// update takes an event of the engine.
func (p *progressLine) update(ev rewrite.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ev.Phase != p.cur.Phase {
		p.phaseStart = p.now()
	}
	p.cur = ev
	p.draw()
}

// tick redraws, for the elapsed time to move between events.
func (p *progressLine) tick() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.draw()
}

// stop removes the live line for good: the report follows.
func (p *progressLine) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.erase()
	p.done = true
}

// logf prints a -v line without tearing the live line.
func (p *progressLine) logf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.erase()
	fmt.Fprintf(p.w, "gcfix: "+format+"\n", args...)
	p.draw()
}

func (p *progressLine) erase() {
	if p.tty && p.drawn > 0 {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.drawn))
		p.drawn = 0
	}
}

func (p *progressLine) draw() {
	if p.done {
		return
	}
	now := p.now()
	if !p.tty {
		if now.Sub(p.last) >= plainEvery {
			p.last = now
			fmt.Fprintf(p.w, "gcfix: %s\n", p.text(now))
		}
		return
	}
	line := p.text(now)
	if r := []rune(line); len(r) > maxProgressWidth {
		line = string(r[:maxProgressWidth-1]) + "…"
	}
	n := len([]rune(line))
	pad := ""
	if n < p.drawn {
		pad = strings.Repeat(" ", p.drawn-n)
	}
	fmt.Fprintf(p.w, "\r%s%s", line, pad)
	p.drawn = max(n, p.drawn) // the padding is on screen too
}

// text is the progress line: where the run is, what it decided so far, and the time.
func (p *progressLine) text(now time.Time) string {
	var parts []string
	if p.modules > 1 {
		parts = append(parts, fmt.Sprintf("module %d/%d", p.module, p.modules))
	}
	b := p.cur.Bench
	benchStep := p.cur.Phase == rewrite.PhaseBenchmarking && b.Candidate > 0
	switch {
	case p.cur.Total > 0 && benchStep:
		// The candidate's function names the place; the line keeps to one row.
		parts = append(parts, fmt.Sprintf("package %d/%d", p.cur.Index, p.cur.Total))
	case p.cur.Total > 0:
		parts = append(parts, fmt.Sprintf("package %d/%d %s", p.cur.Index, p.cur.Total, p.cur.Package))
	}
	if benchStep {
		parts = append(parts, benchText(b))
	} else if p.cur.Phase != "" {
		parts = append(parts, string(p.cur.Phase))
	}
	parts = append(parts, fmt.Sprintf("%d kept, %d rejected", p.kept+p.cur.Kept, p.rejected+p.cur.Rejected))
	elapsed := now.Sub(p.start)
	t := roundDuration(elapsed) + " elapsed"
	if p.cur.Step {
		elapsed = now.Sub(p.phaseStart)
	}
	if left, ok := p.left(elapsed); ok {
		t += ", ~" + roundDuration(left) + " left"
		if p.cur.Step {
			t += " in this step"
		}
	}
	return strings.Join(append(parts, t), "  ")
}

// benchText says what the bench gate is doing for a candidate: "benchmarking 7/16 (*Symtab).Name:
// BenchmarkLookup old 4/10", "… BenchmarkLookup new (pieces) 4/10" for a variant.
func benchText(b rewrite.BenchStep) string {
	s := fmt.Sprintf("benchmarking %d/%d %s: ", b.Candidate, b.Candidates, b.Func)
	switch b.Side {
	case rewrite.SideCoverage:
		// Once per package: which function each benchmark executes.
		s += "coverage"
		if b.Benchmark != "" {
			s += fmt.Sprintf(" of %s %d/%d", b.Benchmark, b.Round, b.Rounds)
		}
	case rewrite.SideOld, rewrite.SideNew:
		if b.Benchmark != "" {
			s += b.Benchmark + " "
		}
		s += b.Side
		if b.Variant != "" {
			s += " (" + b.Variant + ")"
		}
		s += fmt.Sprintf(" %d/%d", b.Round, b.Rounds)
	default:
		s += "building the test binaries"
	}
	return s
}

// minDoneForETA is the share of the work done before the line estimates the time left: while a
// cold build cache compiles the standard library, the first few packages say little.
const minDoneForETA = 0.05

// left estimates the time left from the share of packages done, modules counting equally.
func (p *progressLine) left(elapsed time.Duration) (time.Duration, bool) {
	if p.cur.Step {
		// The packages of one compile: Index of them are done.
		frac := float64(p.cur.Index) / float64(max(p.cur.Total, 1))
		if frac < minDoneForETA || frac >= 1 {
			return 0, false
		}
		return time.Duration(float64(elapsed) * (1 - frac) / frac), true
	}
	modules, module := p.modules, p.module
	if modules < 1 {
		modules, module = 1, 1
	}
	done := float64(module - 1)
	if p.cur.Total > 0 && p.cur.Index > 0 {
		done += float64(p.cur.Index-1) / float64(p.cur.Total)
	}
	frac := done / float64(modules)
	if frac < minDoneForETA || frac >= 1 {
		return 0, false
	}
	return time.Duration(float64(elapsed) * (1 - frac) / frac), true
}

func roundDuration(d time.Duration) string {
	if d >= time.Hour {
		return d.Round(time.Minute).String()
	}
	return d.Round(time.Second).String()
}

// run redraws every second on a terminal, every plainEvery elsewhere, until stop is closed.
func (p *progressLine) run(stop <-chan struct{}) {
	every := time.Second
	if !p.tty {
		every = plainEvery
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			p.tick()
		}
	}
}
