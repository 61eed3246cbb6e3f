package outline

import (
	"go/ast"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gcfix/gcfix/rewrite/profile"
	"github.com/gcfix/gcfix/rewrite/rule"
	pprof "github.com/google/pprof/profile"
)

const profileSrc = `package p

import "log"

func F(x int) int {
	if x < 0 {
		log.Print(x, x, x)
		log.Print(x)
		return 0
	}
	if x > 100 {
		log.Print(x)
		return 1
	}
	return x
}
`

// TestRanksByProfile: without a profile the heavier region (x < 0) is tried first; with a
// profile whose samples fall on its statements, the colder one (x > 100) is. The samples on the
// if line of x > 100, its condition, which runs either way, do not make that region hot.
func TestRanksByProfile(t *testing.T) {
	pass := syntheticPass(t, profileSrc, func(fd *ast.FuncDecl) bool { return fd.Name.Name == "F" })
	if got := regionLabels(pass); len(got) < 2 || got[0] != "if x < 0" {
		t.Fatalf("without a profile: regions %q, want the heavier `if x < 0` first", got)
	}

	fn := &pprof.Function{ID: 1, Name: "p.F", Filename: "/built/elsewhere/p.go"}
	at := func(id uint64, line int64) *pprof.Location {
		return &pprof.Location{ID: id, Line: []pprof.Line{{Function: fn, Line: line}}}
	}
	inRegion, inCondition := at(1, 7), at(2, 11) // log.Print(x, x, x); if x > 100
	p := &pprof.Profile{
		SampleType: []*pprof.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		Sample: []*pprof.Sample{
			{Location: []*pprof.Location{inRegion}, Value: []int64{10, 10e6}},
			{Location: []*pprof.Location{inCondition}, Value: []int64{900, 900e6}},
		},
		Location: []*pprof.Location{inRegion, inCondition},
		Function: []*pprof.Function{fn},
	}
	file := filepath.Join(t.TempDir(), "cpu.pprof")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Write(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if pass.Profile, err = profile.Load(file); err != nil {
		t.Fatal(err)
	}
	if got := regionLabels(pass); len(got) < 2 || got[0] != "if x > 100" {
		t.Errorf("with a profile: regions %q, want the colder `if x > 100` first", got)
	}
}

// regionLabels returns the regions of the outline candidates, in the rule's order.
func regionLabels(pass *rule.Pass) []string {
	var out []string
	for _, c := range New().Match(pass) {
		label, _, _ := strings.Cut(strings.TrimPrefix(c.Summary, "move `"), "`")
		out = append(out, label)
	}
	return out
}

const tailSrc = `package p

import "log"

var small [10]int

func G(x int) int {
	if x < 10 {
		return small[x]
	}
	if x < 20 {
		return small[x-10]
	}
	if x > 100 {
		log.Print(x)
		return 1
	}
	log.Print(x, x, x)
	log.Print(x)
	return 0
}
`

// TestTailRanksAndProfile: without a profile, a branch is tried before a tail, and a shorter
// tail (after a later guard) before a longer one; with a profile whose samples fall on the tail
// rather than on the guards, the tail is the hot path and every tail is declined.
func TestTailRanksAndProfile(t *testing.T) {
	pass := syntheticPass(t, tailSrc, func(fd *ast.FuncDecl) bool { return fd.Name.Name == "G" })
	want := []string{"if x > 100", "tail after if x > 100", "tail after if x < 20", "tail after if x < 10"}
	if got := regionLabels(pass); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("without a profile: regions %q, want %q", got, want)
	}
	for _, c := range New().Match(pass) {
		if c.Decline != "" {
			t.Errorf("without a profile: %s declined: %s", c.Summary, c.Decline)
		}
	}

	fn := &pprof.Function{ID: 1, Name: "p.G", Filename: "/built/elsewhere/p.go"}
	loc := func(id uint64, line int64) *pprof.Location {
		return &pprof.Location{ID: id, Line: []pprof.Line{{Function: fn, Line: line}}}
	}
	write := func(samples map[int64]int64) {
		p := &pprof.Profile{
			SampleType: []*pprof.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
			Function:   []*pprof.Function{fn},
		}
		id := uint64(1)
		for line, n := range samples {
			l := loc(id, line)
			id++
			p.Location = append(p.Location, l)
			p.Sample = append(p.Sample, &pprof.Sample{Location: []*pprof.Location{l}, Value: []int64{n, n * 1e6}})
		}
		file := filepath.Join(t.TempDir(), "cpu.pprof")
		f, err := os.Create(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Write(f); err != nil {
			t.Fatal(err)
		}
		f.Close()
		if pass.Profile, err = profile.Load(file); err != nil {
			t.Fatal(err)
		}
	}

	write(map[int64]int64{8: 900, 18: 10}) // the first guard is hot, the tail's log.Print cold
	for _, c := range New().Match(pass) {
		if c.Decline != "" {
			t.Errorf("with a cold tail: %s declined: %s", c.Summary, c.Decline)
		}
	}

	write(map[int64]int64{8: 10, 18: 900}) // the tail is hot
	declined := 0
	for _, c := range New().Match(pass) {
		if strings.Contains(c.Summary, "tail after") {
			if !strings.Contains(c.Decline, "samples on the tail") {
				t.Errorf("with a hot tail: %s: decline %q, want the profile's", c.Summary, c.Decline)
			}
			declined++
		}
	}
	if declined != 3 {
		t.Errorf("with a hot tail: %d tails declined, want 3", declined)
	}
}
