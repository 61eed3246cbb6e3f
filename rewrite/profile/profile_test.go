package profile

import (
	"path/filepath"
	"testing"

	pprof "github.com/google/pprof/profile"
)

func TestProfileFuncKey(t *testing.T) {
	for _, c := range []struct{ name, pkg, key string }{
		{"example.com/m/ids.Key", "example.com/m/ids", "example.com/m/ids.Key"},
		{"example.com/m/ids.(*Cache).Key", "example.com/m/ids", "example.com/m/ids.(*Cache).Key"},
		{"example.com/m/ids.Cache.Key", "example.com/m/ids", "example.com/m/ids.Cache.Key"},
		{"example.com/m/ids.Key.func1", "example.com/m/ids", "example.com/m/ids.Key"},
		{"example.com/m/ids.Key.func1.2", "example.com/m/ids", "example.com/m/ids.Key"},
		{"example.com/m/ids.(*Cache).Key.func3", "example.com/m/ids", "example.com/m/ids.(*Cache).Key"},
		{"example.com/m/ids.Key-range1", "example.com/m/ids", "example.com/m/ids.Key"},
		{"example.com/m/ids.Map[...]", "example.com/m/ids", "example.com/m/ids.Map"},
		{"example.com/m/ids.(*Set[...]).Add", "example.com/m/ids", "example.com/m/ids.(*Set).Add"},
		{"example.com/m/ids.Set[go.shape.int].Len", "example.com/m/ids", "example.com/m/ids.Set.Len"},
		{"gopkg.in/yaml%2ev3.Marshal", "gopkg.in/yaml.v3", "gopkg.in/yaml.v3.Marshal"},
		{"runtime.mallocgc", "runtime", "runtime.mallocgc"},
		{"main.main", "main", "main.main"},
	} {
		pkg, key := profileFuncKey(c.name)
		if pkg != c.pkg || key != c.key {
			t.Errorf("profileFuncKey(%q) = %q, %q; want %q, %q", c.name, pkg, key, c.pkg, c.key)
		}
	}
}

// TestProfileShares builds a profile by hand: 3 samples in Hot (inlined into Caller, one of them
// in a closure of Hot, which counts as Hot), 1 in Cold; allocation sample types, of which
// alloc_objects counts.
func TestProfileShares(t *testing.T) {
	fn := func(id uint64, name string) *pprof.Function {
		return &pprof.Function{ID: id, Name: name, Filename: "/elsewhere/ids/ids.go"}
	}
	hot, caller := fn(1, "example.com/m/ids.(*Set[...]).Hot"), fn(2, "example.com/m/ids.Caller")
	cold, closure := fn(3, "example.com/m/ids.Cold"), fn(4, "example.com/m/ids.(*Set[...]).Hot.func1")
	inlined := &pprof.Location{ID: 1, Line: []pprof.Line{{Function: hot, Line: 10}, {Function: caller, Line: 30}}}
	inClosure := &pprof.Location{ID: 2, Line: []pprof.Line{{Function: closure, Line: 12}}}
	atCaller := &pprof.Location{ID: 3, Line: []pprof.Line{{Function: caller, Line: 31}}}
	inCold := &pprof.Location{ID: 4, Line: []pprof.Line{{Function: cold, Line: 20}}}
	p := &pprof.Profile{
		SampleType: []*pprof.ValueType{{Type: "alloc_space", Unit: "bytes"}, {Type: "alloc_objects", Unit: "count"}},
		Sample: []*pprof.Sample{
			{Location: []*pprof.Location{inlined}, Value: []int64{1000, 2}},
			{Location: []*pprof.Location{inClosure, inlined}, Value: []int64{1000, 1}},
			{Location: []*pprof.Location{inCold, atCaller}, Value: []int64{9000, 1}},
		},
	}
	prof, err := New("mem.pprof", p)
	if err != nil {
		t.Fatal(err)
	}
	if prof.SampleType != "alloc_objects" || prof.Total != 4 {
		t.Fatalf("sample type %q, total %d; want alloc_objects, 4", prof.SampleType, prof.Total)
	}
	for _, c := range []struct {
		name      string
		flat, cum float64
	}{{"(*Set[...]).Hot", 75, 75}, {"Caller", 0, 100}, {"Cold", 25, 25}, {"Missing", 0, 0}} {
		flat, cum := prof.Func("example.com/m/ids", c.name)
		if flat != c.flat || cum != c.cum {
			t.Errorf("Func(%s) = %v, %v; want %v, %v", c.name, flat, cum, c.flat, c.cum)
		}
	}
	for _, c := range []struct {
		line int
		want int64
	}{{10, 3}, {12, 1}, {30, 3}, {31, 1}, {20, 1}, {11, 0}} {
		if got := prof.Samples("example.com/m/ids", filepath.Join("home", "me", "ids", "ids.go"), c.line); got != c.want {
			t.Errorf("Samples(ids.go:%d) = %d, want %d", c.line, got, c.want)
		}
	}
	if got := prof.Samples("example.com/m/other", "ids.go", 10); got != 0 {
		t.Errorf("Samples in another package = %d, want 0", got)
	}
	var none *Profile
	if got := none.Samples("example.com/m/ids", "ids.go", 10); got != 0 {
		t.Errorf("nil profile: %d samples", got)
	}
}

// TestLoadProfileFixture reads the CPU profile checked in with fixtures/hotcold, whose paths are
// not this machine's.
func TestLoadProfileFixture(t *testing.T) {
	prof, err := Load(filepath.Join("..", "..", "fixtures", "hotcold", "cpu.pprof"))
	if err != nil {
		t.Fatal(err)
	}
	const pkg = "github.com/gcfix/gcfix/fixtures/hotcold"
	if _, cum := prof.Func(pkg, "(*Cache).Key"); cum < 50 {
		t.Errorf("(*Cache).Key has %.1f%% of the samples; want most", cum)
	}
	if flat, cum := prof.Func(pkg, "Label"); flat != 0 || cum != 0 {
		t.Errorf("Label has %v, %v; want no sample", flat, cum)
	}
	if prof.Samples(pkg, "hotcold.go", 21) == 0 {
		t.Errorf("no sample on hotcold.go:21, Key's return")
	}
}
