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
	if got := regionLabels(pass); len(got) != 2 || got[0] != "if x < 0" {
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
	if got := regionLabels(pass); len(got) != 2 || got[0] != "if x > 100" {
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
