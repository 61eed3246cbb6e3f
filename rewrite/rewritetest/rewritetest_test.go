package rewritetest

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/gcfix/gcfix/rewrite/diag"
)

func TestParseComment(t *testing.T) {
	lc, err := parseComment("// ERROR \"a escapes to heap\" `b\\(x\\) escapes` DECLINE \"side effects: f\\\\(\\\\)\" VARIANT \"one-write\"")
	if err != nil {
		t.Fatal(err)
	}
	errs, declines := lc.errors, lc.declines
	if lc.variant != "one-write" {
		t.Errorf("variant = %q", lc.variant)
	}
	if len(errs) != 2 || errs[0].String() != "a escapes to heap" || errs[1].String() != `b\(x\) escapes` {
		t.Errorf("errors = %v", errs)
	}
	if len(declines) != 1 || !declines[0].MatchString("argument has side effects: f()") {
		t.Errorf("declines = %v", declines)
	}
	for _, bad := range []string{"// ERROR", "// ERROR a", `// "x"`, `// ERROR "("`, `// VARIANT "a" "b"`} {
		if _, err := parseComment(bad); err == nil {
			t.Errorf("parseComment(%q): no error", bad)
		}
	}
}

func TestCommentStart(t *testing.T) {
	for line, want := range map[string]int{
		`	return x // ERROR "x"`:            10,
		`	return x //ERROR "x"`:             10,
		`	f() // DECLINE "y"`:               5,
		`	f() // VARIANT "pieces"`:          5,
		`	s := "// ERRORS are fine" // ok`:  -1,
		`	return x // an ERROR of the user`: -1,
	} {
		if got := commentStart(line); got != want {
			t.Errorf("commentStart(%q) = %d, want %d", line, got, want)
		}
	}
}

func TestNormalize(t *testing.T) {
	a := "package p\n\nfunc f() int {\n\treturn 1 // ERROR \"x\"\n}\n"
	b := "package p\n\nfunc f() int {\n\treturn 1\n}\n"
	if got, want := string(normalize(t, []byte(a))), string(normalize(t, []byte(b))); got != want {
		t.Errorf("normalize ignores ERROR comments: got\n%s\nwant\n%s", got, want)
	}
}

func TestKeepTrueErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "x.go")
	src := "package p\n\nfunc f(s string) string {\n" +
		"\treturn s // ERROR \"s escapes to heap\" \"gone\" DECLINE \"why\"\n" +
		"}\n\nfunc g() int {\n\treturn 1\n}\n"
	diags := diag.New([]diag.Diagnostic{
		{File: file, Line: 3, Col: 8, Kind: diag.LeakingParam, Message: "leaking param: s"},
		{File: file, Line: 4, Col: 9, Kind: diag.Escapes, Message: "s escapes to heap"},
		{File: file, Line: 8, Col: 2, Kind: diag.Other, Message: "one"},
	})
	carry := carriedErrors([]byte("func f(s string) string { // ERROR \"leaking param: s\" \"stale\"\n\treturn 1 // ERROR \"one\"\n"))
	got := string(keepTrueErrors(t, file, []byte(src), diags, carry))
	for _, want := range []string{
		"func f(s string) string { // ERROR \"leaking param: s\"\n",
		"\treturn s // ERROR \"s escapes to heap\" DECLINE \"why\"\n",
		"\treturn 1 // ERROR \"one\"\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if strings.Contains(got, "gone") || strings.Contains(got, "stale") {
		t.Errorf("false regexps kept:\n%s", got)
	}
}

func TestBenchLine(t *testing.T) {
	for line, want := range map[string][2]string{
		"BenchmarkKey-2   \t     200\t        53.50 ns/op\t      16 B/op\t       1 allocs/op": {"BenchmarkKey", "1"},
		"BenchmarkKey/sub=1     200   53.50 ns/op   16 B/op   2 allocs/op":                    {"BenchmarkKey/sub=1", "2"},
	} {
		m := benchLine.FindStringSubmatch(line)
		if m == nil || m[1] != want[0] || !strings.Contains(m[2], want[1]+" allocs/op") {
			t.Errorf("benchLine(%q) = %q, want %v", line, m, want)
		}
	}
}
