package rewrite

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// a.m2.txt is what go1.26 printed for `go build -gcflags=example.com/m=-m=2` of a.go.txt.
func TestParseDiagnosticsCaptured(t *testing.T) {
	f, err := os.Open("testdata/m2/a.m2.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ds, err := ParseDiagnostics(f, "/mod")
	if err != nil {
		t.Fatal(err)
	}
	x := NewDiagnostics(ds)
	file := filepath.Join("/mod", "a.go")

	key, ok := x.Inline(file, "Key")
	if !ok || key.Kind != CanInline || key.Cost != 67 || key.Line != 8 || key.Col != 6 {
		t.Errorf("Key inline = %+v, %v; want can inline with cost 67 at 8:6", key, ok)
	}
	if key.Message != "can inline Key with cost 67" {
		t.Errorf("Key message = %q; the inlined body should be cut", key.Message)
	}
	str, ok := x.Inline(file, "(*T).String")
	if !ok || str.Kind != CannotInline || str.Cost != 89 || str.Budget != 80 {
		t.Errorf("(*T).String inline = %+v; want cannot inline, cost 89, budget 80", str)
	}

	esc := x.At(file, 9, 30, Escapes)
	if len(esc) != 1 {
		t.Fatalf("escapes at 9:30 = %v; want one merged diagnostic", esc)
	}
	a := esc[0]
	if a.Subject != "a" || a.Func != "Key" || a.Message != "a escapes to heap" {
		t.Errorf("escape at 9:30 = %+v", a)
	}
	if len(a.Flow) != 6 || !strings.HasPrefix(a.Flow[0], "flow: {storage for ... argument}") ||
		!strings.Contains(a.Flow[5], `fmt.Sprintf("%d:%d", ... argument...) (call parameter)`) {
		t.Errorf("flow of a = %q", a.Flow)
	}
	if got := x.At(file, 20, 6, MovedToHeap); len(got) != 1 || got[0].Subject != "buf" {
		t.Errorf("moved to heap at 20:6 = %v", got)
	}
	if got := x.At(file, 12, 12, LeakingParam); len(got) != 1 || got[0].Subject != "name" {
		t.Errorf("leaking param at 12:12 = %v", got)
	}
	if got := x.At(file, 22, 19, InliningCall); len(got) != 1 || got[0].Subject != "bytes.(*Buffer).String" {
		t.Errorf("inlining call at 22:19 = %v", got)
	}
	if got := x.At(file, 19, 7, NoEscape); len(got) != 1 || got[0].Subject != "t" {
		t.Errorf("does not escape at 19:7 = %v", got)
	}
	if n := Count(x.InLines(file, 8, 10), Escapes); n != 2 {
		t.Errorf("escapes in Key = %d; want 2 (a and b, each once)", n)
	}
}

func TestParseDiagnosticsAbsoluteAndNoise(t *testing.T) {
	in := "# example.com/p\n" +
		"/abs/p/x.go:3:6: cannot inline F: marked go:noinline\n" +
		"warning: something else\n" +
		"/abs/p/x.go:4:9: &T{...} escapes to heap\n"
	ds, err := ParseDiagnostics(strings.NewReader(in), "/elsewhere")
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 {
		t.Fatalf("got %d diagnostics, want 2: %+v", len(ds), ds)
	}
	if ds[0].File != "/abs/p/x.go" || ds[0].Kind != CannotInline || ds[0].Reason != "marked go:noinline" || ds[0].Cost != 0 {
		t.Errorf("first = %+v", ds[0])
	}
	if ds[1].Kind != Escapes || ds[1].Subject != "&T{...}" {
		t.Errorf("second = %+v", ds[1])
	}
}
