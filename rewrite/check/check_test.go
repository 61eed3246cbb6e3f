package check

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"strings"
	"testing"

	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/rule"
)

func TestCheckBaselineRoundTrip(t *testing.T) {
	b := &Baseline{Funcs: []*FuncFacts{
		{Package: "example.com/m", Func: "(*T).String", Inline: Inlining{Verdict: "noinline", Cost: 89, Reason: "function too complex: cost 89 exceeds budget 80"},
			Allocs: []AllocSite{{Kind: "escapes", Subject: "&Vec3{...}", Ordinal: 2}, {Kind: "moved", Subject: "buf", Ordinal: 1}, {Kind: "escapes", Subject: "&Vec3{...}", Ordinal: 1}}},
		{Package: "example.com/m", Func: "Add", Inline: Inlining{Verdict: "inline", Cost: 20}},
		{Package: "example.com/a", Func: "F", Inline: Inlining{Verdict: "unknown"},
			Allocs: []AllocSite{{Kind: "escapes", Subject: "make([]byte, n)", Ordinal: 1}}},
		{Package: "example.com/a", Func: "G", Inline: Inlining{Verdict: "noinline", Reason: "marked go:noinline"}},
	}}
	text := string(b.Format())
	want := baselineHeader +
		"example.com/a\tF\tunknown\n" +
		"example.com/a\tF\talloc\tescapes\t1\tmake([]byte, n)\n" +
		"example.com/a\tG\tnoinline\t0\tmarked go:noinline\n" +
		"example.com/m\t(*T).String\tnoinline\t89\tfunction too complex: cost 89 exceeds budget 80\n" +
		"example.com/m\t(*T).String\talloc\tescapes\t1\t&Vec3{...}\n" +
		"example.com/m\t(*T).String\talloc\tescapes\t2\t&Vec3{...}\n" +
		"example.com/m\t(*T).String\talloc\tmoved\t1\tbuf\n" +
		"example.com/m\tAdd\tinline\t20\n"
	if text != want {
		t.Fatalf("Format:\n%s\nwant:\n%s", text, want)
	}
	back, err := ParseBaseline(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if again := string(back.Format()); again != text {
		t.Errorf("Format(ParseBaseline(Format(b))):\n%s\nwant:\n%s", again, text)
	}
	if len(back.Funcs) != 4 || back.Funcs[2].Inline.Cost != 89 || len(back.Funcs[2].Allocs) != 3 {
		t.Errorf("parsed %+v", back.Funcs)
	}
}

func TestCheckBaselineStableSort(t *testing.T) {
	// The same facts in any order give the same bytes; ordinals sort as numbers.
	mk := func(order []int) *Baseline {
		all := []*FuncFacts{
			{Package: "p", Func: "B", Inline: Inlining{Verdict: "inline", Cost: 3}},
			{Package: "p", Func: "A", Inline: Inlining{Verdict: "inline", Cost: 1}},
			{Package: "o", Func: "Z", Inline: Inlining{Verdict: "unknown"}},
		}
		allocs := []AllocSite{}
		for _, n := range []int{10, 2, 1} {
			allocs = append(allocs, AllocSite{Kind: "escapes", Subject: "x", Ordinal: n})
		}
		all[1].Allocs = allocs
		b := &Baseline{}
		for _, i := range order {
			b.Funcs = append(b.Funcs, all[i])
		}
		return b
	}
	first := string(mk([]int{0, 1, 2}).Format())
	second := string(mk([]int{2, 0, 1}).Format())
	if first != second {
		t.Errorf("order changes the file:\n%s\n%s", first, second)
	}
	if !strings.Contains(first, "p\tA\talloc\tescapes\t2\tx\np\tA\talloc\tescapes\t10\tx\n") {
		t.Errorf("ordinals not in numeric order:\n%s", first)
	}
	if !strings.HasPrefix(strings.TrimPrefix(first, baselineHeader), "o\tZ\tunknown\np\tA\t") {
		t.Errorf("packages and functions not sorted:\n%s", first)
	}
}

func TestCheckBaselineMalformed(t *testing.T) {
	for _, line := range []string{
		"p\tF",
		"p\tF\tinline",
		"p\tF\tinline\tten",
		"p\tF\talloc\tleaks\t1\tx",
		"p\tF\talloc\tescapes\tone\tx",
		"p\tF\tsomething",
	} {
		if _, err := ParseBaseline(strings.NewReader(line + "\n")); err == nil {
			t.Errorf("ParseBaseline(%q) = nil error, want one", line)
		}
	}
}

func TestCheckCompare(t *testing.T) {
	old := &Baseline{Funcs: []*FuncFacts{
		{Package: "p", Func: "Inl", Inline: Inlining{Verdict: "inline", Cost: 20}},
		{Package: "p", Func: "Grows", Inline: Inlining{Verdict: "inline", Cost: 20}},
		{Package: "p", Func: "Esc", Inline: Inlining{Verdict: "noinline", Cost: 90, Reason: "too complex"},
			Allocs: []AllocSite{{Kind: "escapes", Subject: "x", Ordinal: 1}, {Kind: "moved", Subject: "buf", Ordinal: 1}}},
		{Package: "p", Func: "Now", Inline: Inlining{Verdict: "noinline", Cost: 90, Reason: "too complex"}},
	}}
	cur := &Baseline{Funcs: []*FuncFacts{
		{Package: "p", Func: "Inl", Inline: Inlining{Verdict: "noinline", Cost: 96, Reason: "function too complex: cost 96 exceeds budget 80"}},
		{Package: "p", Func: "Grows", Inline: Inlining{Verdict: "inline", Cost: 70}},
		{Package: "p", Func: "Esc", Inline: Inlining{Verdict: "noinline", Cost: 120, Reason: "too complex"},
			Allocs: []AllocSite{{Kind: "escapes", Subject: "x", Ordinal: 1}, {Kind: "escapes", Subject: "x", Ordinal: 2}}},
		{Package: "p", Func: "Now", Inline: Inlining{Verdict: "inline", Cost: 60}},
		{Package: "p", Func: "New", Inline: Inlining{Verdict: "noinline", Reason: "too complex"},
			Allocs: []AllocSite{{Kind: "escapes", Subject: "y", Ordinal: 1}}},
	}}
	reg, imp := compareBaseline(old, cur, map[string]bool{"p": true})
	var got []string
	for _, f := range reg {
		got = append(got, f.Func+": "+f.What)
	}
	want := []string{
		"Inl: no longer inlines: function too complex: cost 96 exceeds budget 80 (was cost 20)",
		"Esc: new heap allocation: x escapes to heap",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("regressions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	got = nil
	for _, f := range imp {
		got = append(got, f.Func+": "+f.What)
	}
	want = []string{
		"Esc: heap allocation gone: moved to heap: buf",
		"Now: now inlines (cost 60, budget 80)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("improvements:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// recordedVerdicts reads testdata/toolchain/x.go.txt as /mod/x.go of example.com/m with the -m=2 text
// that one compiler printed for it: `go build -gcflags=example.com/m=-m=2` with go1.26.8, and
// with GOTOOLCHAIN=go1.27.3, which no longer inlines json.NewDecoder and resolves a call through
// a local func variable to its callees.
func recordedVerdicts(t *testing.T, compiler string) *Baseline {
	t.Helper()
	src, err := os.ReadFile("testdata/toolchain/x.go.txt")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "/mod/x.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	m2, err := os.Open("testdata/toolchain/" + compiler + ".m2.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	ds, err := diag.Parse(m2, "/mod")
	if err != nil {
		t.Fatal(err)
	}
	p := &rule.Pass{Fset: fset, Files: []*ast.File{file}, Types: types.NewPackage("example.com/m", "m"), Diags: diag.New(ds)}
	b := &Baseline{Funcs: funcFacts(p, "/mod")}
	b.sort()
	return b
}

var (
	go126 = Toolchain{GoVersion: "go1.26.8", GOOS: "linux", GOARCH: "amd64"}
	go127 = Toolchain{GoVersion: "go1.27.3", GOOS: "linux", GOARCH: "amd64"}
)

// writtenBy is the baseline of b's verdicts that compiler t writes, as `gcfix check -update`
// writes it and the next check reads it.
func writtenBy(t *testing.T, b *Baseline, tc Toolchain) *Baseline {
	t.Helper()
	text := (&Baseline{Toolchain: tc, Funcs: b.Funcs}).Format()
	back, err := ParseBaseline(strings.NewReader(string(text)))
	if err != nil {
		t.Fatal(err)
	}
	return back
}

func findingLines(fs []Finding) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.String())
	}
	return strings.Join(out, "\n")
}

func TestCheckAcrossToolchains(t *testing.T) {
	old := recordedVerdicts(t, "go1.26.8")
	cur := recordedVerdicts(t, "go1.27.3")
	checked := map[string]bool{"example.com/m": true}
	// What go1.27.3 changed, as both lists hold it.
	changes := strings.Join([]string{
		"x.go:25:6: Measure: heap allocation gone: moved to heap: v",
		"x.go:37:6: Decode: no longer inlines: function too complex: cost 120 exceeds budget 80 (was cost 68)",
		"x.go:37:6: Decode: heap allocation gone: &json.Decoder{...} escapes to heap",
		"x.go:41:6: DecodeStrict: no longer inlines: function too complex: cost 184 exceeds budget 80 (was cost 80)",
		"x.go:41:6: DecodeStrict: heap allocation gone: &json.Decoder{...} escapes to heap",
		"x.go:47:6: DecodeBytes: now inlines (cost 74, budget 80)",
		"x.go:47:6: DecodeBytes: heap allocation gone: &json.Decoder{...} escapes to heap",
		"x.go:51:6: DecodeString: heap allocation gone: &json.Decoder{...} escapes to heap",
		"x.go:57:6: DecodeAll: no longer inlines: function too complex: cost 96 exceeds budget 80 (was cost 79)",
		"x.go:59:24: DecodeAll: new heap allocation: &bytes.Reader{...} escapes to heap",
	}, "\n")
	regressions := strings.Join([]string{
		"x.go:37:6: Decode: no longer inlines: function too complex: cost 120 exceeds budget 80 (was cost 68)",
		"x.go:41:6: DecodeStrict: no longer inlines: function too complex: cost 184 exceeds budget 80 (was cost 80)",
		"x.go:57:6: DecodeAll: no longer inlines: function too complex: cost 96 exceeds budget 80 (was cost 79)",
		"x.go:59:24: DecodeAll: new heap allocation: &bytes.Reader{...} escapes to heap",
	}, "\n")
	// //gcfix:inline on Decode is a promise about the code, whatever the compiler.
	violation := "x.go:37:6: Decode: //gcfix:inline violated: cannot inline: function too complex: cost 120 exceeds budget 80"
	if v := checkDirectives(old); len(v) != 0 {
		t.Errorf("go1.26.8 violations: %s", findingLines(v))
	}

	t.Run("another compiler", func(t *testing.T) {
		res := &Result{Toolchain: go127, Violations: checkDirectives(cur)}
		res.compare(writtenBy(t, old, go126), cur, checked, false)
		if !res.ToolchainChanged() || res.BaselineToolchain != go126 {
			t.Errorf("baseline toolchain %v, changed %v; want go1.26.8, true", res.BaselineToolchain, res.ToolchainChanged())
		}
		if got := findingLines(res.CompilerChanges); got != changes {
			t.Errorf("compiler changes:\n%s\nwant:\n%s", got, changes)
		}
		if len(res.Regressions) != 0 || len(res.Improvements) != 0 {
			t.Errorf("regressions %q, improvements %q: want none, the compiler's changes are not the code's", findingLines(res.Regressions), findingLines(res.Improvements))
		}
		want := "go1.26.8 → go1.27.3: 3 functions no longer inline, 1 new heap allocation, 1 function now inlines, 5 heap allocations gone (6 functions)"
		if got := res.CompilerSummary(); got != want {
			t.Errorf("summary:\n%s\nwant:\n%s", got, want)
		}
		if got := findingLines(res.Violations); got != violation {
			t.Errorf("violations:\n%s\nwant:\n%s", got, violation)
		}
		if !res.Failed() {
			t.Error("a directive violation does not fail across a Go upgrade")
		}
		res.Violations = nil
		if res.Failed() {
			t.Error("the compiler's changes fail the check")
		}
		res.Broken = []string{"example.com/m: x.go:1:1: syntax error"}
		if !res.Failed() {
			t.Error("a package that does not build does not fail across a Go upgrade")
		}
	})

	t.Run("strict", func(t *testing.T) {
		res := &Result{Toolchain: go127}
		res.compare(writtenBy(t, old, go126), cur, checked, true)
		if got := findingLines(res.Regressions); got != regressions {
			t.Errorf("regressions:\n%s\nwant:\n%s", got, regressions)
		}
		if len(res.CompilerChanges) != 0 || len(res.Improvements) != 6 || !res.Failed() {
			t.Errorf("compiler changes %d, improvements %d, failed %v; want 0, 6, true", len(res.CompilerChanges), len(res.Improvements), res.Failed())
		}
	})

	// Without a recorded compiler (a baseline of an older gcfix) or with the same one, every
	// difference is the code's, as before.
	for name, base := range map[string]*Baseline{
		"unrecorded": writtenBy(t, old, Toolchain{}),
		"same":       writtenBy(t, old, go127),
	} {
		t.Run(name, func(t *testing.T) {
			res := &Result{Toolchain: go127}
			res.compare(base, cur, checked, false)
			if res.ToolchainChanged() {
				t.Errorf("toolchain changed from %v", res.BaselineToolchain)
			}
			if got := findingLines(res.Regressions); got != regressions || len(res.CompilerChanges) != 0 || !res.Failed() {
				t.Errorf("regressions:\n%s\nwant:\n%s\n(compiler changes %d)", got, regressions, len(res.CompilerChanges))
			}
		})
	}

	// The other way round, go1.26.8 makes the differences: they are the compiler's too.
	res := &Result{Toolchain: go126}
	res.compare(writtenBy(t, cur, go127), old, checked, false)
	want := "go1.27.3 → go1.26.8: 1 function no longer inlines, 5 new heap allocations, 3 functions now inline, 1 heap allocation gone (6 functions)"
	if got := res.CompilerSummary(); got != want || res.Failed() {
		t.Errorf("summary:\n%s\nwant:\n%s\n(failed %v)", got, want, res.Failed())
	}
}

func TestCheckBaselineToolchain(t *testing.T) {
	facts := []*FuncFacts{{Package: "p", Func: "F", Inline: Inlining{Verdict: "inline", Cost: 3}}}
	pgo := "sha256:" + strings.Repeat("0123456789abcdef", 4)
	for _, tc := range []struct {
		tc   Toolchain
		line string
	}{
		{go126, "# compiler: go1.26.8 linux/amd64\n"},
		{Toolchain{GoVersion: "go1.26.8", GOOS: "darwin", GOARCH: "arm64", PGO: pgo}, "# compiler: go1.26.8 darwin/arm64 pgo " + pgo + "\n"},
		// A development build's version has spaces.
		{Toolchain{GoVersion: "devel go1.27-6e1c4529e4 Fri Sep 19 10:00:00 2025 +0000", GOOS: "linux", GOARCH: "amd64"},
			"# compiler: devel go1.27-6e1c4529e4 Fri Sep 19 10:00:00 2025 +0000 linux/amd64\n"},
	} {
		text := string((&Baseline{Toolchain: tc.tc, Funcs: facts}).Format())
		if want := baselineHeader + tc.line + "p\tF\tinline\t3\n"; text != want {
			t.Errorf("Format:\n%s\nwant:\n%s", text, want)
		}
		back, err := ParseBaseline(strings.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		if back.Toolchain != tc.tc {
			t.Errorf("ParseBaseline toolchain = %+v, want %+v", back.Toolchain, tc.tc)
		}
	}

	// A baseline of an older gcfix has no compiler line: it reads as before, and writing it again
	// (what -update does, with the current compiler) adds the line.
	old := baselineHeader + "p\tF\tinline\t3\n"
	b, err := ParseBaseline(strings.NewReader(old))
	if err != nil {
		t.Fatal(err)
	}
	if b.Toolchain.Known() || len(b.Funcs) != 1 {
		t.Errorf("old baseline: toolchain %+v, %d functions", b.Toolchain, len(b.Funcs))
	}
	if got := string(b.Format()); got != old {
		t.Errorf("old baseline written again without a compiler:\n%s\nwant:\n%s", got, old)
	}
	b.Toolchain = go126
	if got, want := string(b.Format()), baselineHeader+"# compiler: go1.26.8 linux/amd64\np\tF\tinline\t3\n"; got != want {
		t.Errorf("old baseline updated:\n%s\nwant:\n%s", got, want)
	}

	for _, line := range []string{
		"# compiler: go1.26.8",
		"# compiler: go1.26.8 linux",
		"# compiler: linux/amd64",
		"# compiler: go1.26.8 linux/amd64/v3",
		"# compiler: go1.26.8 linux/amd64 pgo md5:abc",
		"# compiler: go1.26.8 linux/amd64\n# compiler: go1.27.3 linux/amd64",
	} {
		if _, err := ParseBaseline(strings.NewReader(line + "\n")); err == nil {
			t.Errorf("ParseBaseline(%q) = nil error, want one", line)
		}
	}
}

func TestCheckToolchainChange(t *testing.T) {
	pgoA := "sha256:" + strings.Repeat("a", 64)
	pgoB := "sha256:" + strings.Repeat("b", 64)
	arm := go126
	arm.GOARCH = "arm64"
	withPGO := func(tc Toolchain, id string) Toolchain { tc.PGO = id; return tc }
	for _, tc := range []struct {
		from, to Toolchain
		want     string
	}{
		{go126, go127, "go1.26.8 → go1.27.3"},
		{go126, arm, "go1.26.8 linux/amd64 → go1.26.8 linux/arm64"},
		{withPGO(go126, pgoA), withPGO(go126, pgoB), "go1.26.8 pgo sha256:aaaaaaaaaaaa → go1.26.8 pgo sha256:bbbbbbbbbbbb"},
		{withPGO(go126, pgoA), go127, "go1.26.8 pgo sha256:aaaaaaaaaaaa → go1.27.3 no pgo"},
	} {
		if got := toolchainChange(tc.from, tc.to); got != tc.want {
			t.Errorf("toolchainChange(%v, %v) = %q, want %q", tc.from, tc.to, got, tc.want)
		}
	}
}
