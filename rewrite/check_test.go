package rewrite

import (
	"strings"
	"testing"
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

var go126 = Toolchain{GoVersion: "go1.26.8", GOOS: "linux", GOARCH: "amd64"}

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
