package rewrite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gcfix/gcfix/rewrite/diag"
)

// The confirming compile without the go command gives the diagnostics, build errors and export
// data that the go command's compile of the same rewritten files gives: a main package, a package
// with embedded files, a generic function instantiated in the package that imports it (its lines
// name the other package's file), and a rewrite that adds an import no package had.
func TestDirectCompileMatchesGoCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a module twice")
	}
	dir := writeModule(t, map[string]string{
		"go.mod": "module example.com/dc\n\ngo 1.26\n",
		"gen/gen.go": `package gen

import "fmt"

// Label formats every element.
func Label[T any](xs []T) []string {
	var out []string
	for _, x := range xs {
		out = append(out, fmt.Sprintf("<%v>", x))
	}
	return out
}
`,
		"doc/doc.go": `package doc

import _ "embed"

//go:embed doc.txt
var Text string

//go:embed files
var dir string
`,
		"doc/doc.txt":     "hello\n",
		"doc/files/a.txt": "a\n",
		"main.go": `package main

import (
	"fmt"

	"example.com/dc/doc"
	"example.com/dc/gen"
)

func key(id int) string { return fmt.Sprintf("id-%d", id) }

func main() { fmt.Println(key(1), doc.Text, gen.Label([]int{1, 2})) }
`,
	})
	// dir embeds one file; the pattern must name exactly it.
	if err := os.Remove(filepath.Join(dir, "doc/files/a.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "doc/files/b.txt"), []byte("b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	doc := filepath.Join(dir, "doc/doc.go")
	text, _ := os.ReadFile(doc)
	os.WriteFile(doc, []byte(strings.Replace(string(text), "//go:embed files\nvar dir string\n", "//go:embed files/b.txt\nvar dir string\n", 1)), 0o644)

	ctx := t.Context()
	g := goTool{dir: dir, tmp: t.TempDir()}
	l := newLoader(g, nil)
	ls, err := l.list(ctx, g, []string{"./..."}, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ls.close()
	// The rewrites: main's Sprintf becomes strconv (an import nothing imported), gen's loop body
	// changes in the generic function.
	files := map[string][]byte{
		filepath.Join(dir, "main.go"): []byte(strings.Replace(mustRead(t, dir, "main.go"), `import (
	"fmt"
`, `import (
	"fmt"
	"strconv"
`, 1)),
		filepath.Join(dir, "gen/gen.go"): []byte(strings.Replace(mustRead(t, dir, "gen/gen.go"), `fmt.Sprintf("<%v>", x)`, `"<" + fmt.Sprint(x) + ">"`, 1)),
	}
	files[filepath.Join(dir, "main.go")] = []byte(strings.Replace(string(files[filepath.Join(dir, "main.go")]), `return fmt.Sprintf("id-%d", id)`, `return "id-" + strconv.Itoa(id)`, 1))
	paths := []string{"example.com/dc", "example.com/dc/doc", "example.com/dc/gen"}

	ov, err := writeOverlay(g.tmp, files)
	if err != nil {
		t.Fatal(err)
	}
	wantDiags, wantBroken, wantExports, err := g.diagnoseFor(ctx, paths, ov, false)
	if err != nil {
		t.Fatal(err)
	}

	c, err := g.newCompiler(ctx)
	if err != nil || c == nil {
		t.Fatalf("newCompiler: %v, %v", c, err)
	}
	metas := map[string]*listedPackage{}
	for _, m := range ls.metas {
		metas[m.ImportPath] = m
	}
	var ms []*listedPackage
	for _, p := range paths {
		ms = append(ms, metas[p])
	}
	if !c.direct(nil, ms) {
		t.Fatal("the packages cannot be compiled directly")
	}
	if missing := missingExports(ms, files, l.exports); !slices.Equal(missing, []string{"strconv"}) && len(missing) > 0 {
		t.Fatalf("missing export data: %v", missing)
	} else if len(missing) > 0 {
		if err := l.listExports(ctx, g, missing); err != nil {
			t.Fatal(err)
		}
	}
	gotDiags, gotBroken, gotExports, err := compileOne(ctx, c, ms, files, l.exports, t.TempDir(), dir, filesOf(ls.metas))
	if err != nil {
		t.Fatal(err)
	}
	if len(gotBroken) > 0 || len(wantBroken) > 0 {
		t.Fatalf("broken: direct %v, go command %v", gotBroken, wantBroken)
	}
	for _, p := range paths {
		if gotExports[p] == "" || wantExports[p] == "" {
			t.Errorf("%s: export data: direct %q, go command %q", p, gotExports[p], wantExports[p])
		}
	}
	got, want := lines(gotDiags), lines(wantDiags)
	if !slices.Equal(got, want) {
		t.Errorf("direct compile diagnostics differ from the go command's:\ndirect:\n%s\ngo command:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Cached: the same compile again is read from the cache, with the same diagnostics.
	c.cache = t.TempDir()
	for i := range 2 {
		again, _, exports, err := compileOne(ctx, c, ms, files, l.exports, t.TempDir(), dir, filesOf(ls.metas))
		if err != nil {
			t.Fatal(err)
		}
		if cached := strings.HasPrefix(exports["example.com/dc/gen"], c.cache); cached != (i == 1) {
			t.Errorf("compile %d: export data %s, from the cache: %v", i+1, exports["example.com/dc/gen"], cached)
		}
		if !slices.Equal(lines(again), got) {
			t.Errorf("compile %d: the diagnostics differ:\n%s", i+1, strings.Join(lines(again), "\n"))
		}
	}
	// The generic function's lines, printed where it is instantiated, are there, with the new code.
	if !slices.ContainsFunc(got, func(l string) bool { return strings.Contains(l, "gen.go:9") && strings.Contains(l, "fmt.Sprint") }) {
		t.Errorf("no line of the rewritten generic function:\n%s", strings.Join(got, "\n"))
	}
}

// compileOne compiles one group of packages.
func compileOne(ctx context.Context, c *compiler, metas []*listedPackage, files map[string][]byte, exports map[string]string, dir, rundir string, all diag.PackageFiles) (*diag.Diagnostics, map[string]string, map[string]string, error) {
	out, err := c.compileGroups(ctx, []compileGroup{{metas, files}}, exports, dir, rundir, all, 2, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	return out[0].diags, out[0].broken, out[0].exports, nil
}

func mustRead(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// lines is every diagnostic as file:line:col: message, sorted.
func lines(x *diag.Diagnostics) []string {
	var out []string
	for _, d := range x.All() {
		out = append(out, fmt.Sprintf("%s:%d:%d: %s", d.File, d.Line, d.Col, d.Message))
	}
	slices.Sort(out)
	return out
}

func TestLangVersion(t *testing.T) {
	for v, want := range map[string]string{"": "go1.16", "1.26": "go1.26", "1.26.0": "go1.26", "1.21rc1": "go1.21", "1.22.3": "go1.22"} {
		if got := langVersion(v); got != want {
			t.Errorf("langVersion(%q) = %q, want %q", v, got, want)
		}
	}
}

func TestEmbedPatternFiles(t *testing.T) {
	for _, c := range []struct {
		glob, file string
		want       bool
	}{
		{"doc.txt", "doc.txt", true},
		{"*.txt", "doc.txt", true},
		{"files", "files/a/b.txt", true},
		{"fil*", "files/b.txt", true},
		{"files", "filesx/b.txt", false},
		{"*.txt", "files/b.txt", false},
	} {
		if got := matchesOrUnder(c.glob, c.file); got != c.want {
			t.Errorf("matchesOrUnder(%q, %q) = %v, want %v", c.glob, c.file, got, c.want)
		}
	}
}

func TestShortenPaths(t *testing.T) {
	out := "/m/a/x.go:1:2: can inline f\n/m/b/y.go:3:4: x escapes at /m/a/x.go:5:6\n/usr/go/src/fmt/print.go:1:1: z\n"
	want := "a/x.go:1:2: can inline f\n./b/y.go:3:4: x escapes at a/x.go:5:6\n/usr/go/src/fmt/print.go:1:1: z\n"
	if got := shortenPaths(out, "/m/a", "/m"); got != want {
		t.Errorf("shortenPaths:\n%s\nwant:\n%s", got, want)
	}
}

func TestDeclName(t *testing.T) {
	for name, want := range map[string]string{
		"cleanNodes[go.shape.*uint8]":          "cleanNodes",
		"(*List[go.shape.int]).Get":            "(*List[...]).Get",
		"List[go.shape.int,go.shape.bool].Len": "List[...].Len",
		"Plain":                                "Plain",
		"(*T).M":                               "(*T).M",
	} {
		if got := diag.DeclName(name); got != want {
			t.Errorf("DeclName(%q) = %q, want %q", name, got, want)
		}
	}
}
