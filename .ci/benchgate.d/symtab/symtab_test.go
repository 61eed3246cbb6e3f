package symtab

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func table(n int) *Symtab {
	t := New(func(name string) (Sym, error) {
		if name == "" {
			return Sym{}, errors.New("empty name")
		}
		return Sym{Name: name, Section: "text", Addr: 0x1000, Size: 8}, nil
	})
	for i := range n {
		t.Add(Sym{Name: fmt.Sprintf("sym%d", i), Section: []string{"text", "data", "bss"}[i%3], Addr: uint64(i * 24), Size: 8 + i%40})
	}
	return t
}

func TestTable(t *testing.T) {
	tb := table(10)
	if s := tb.Lookup("sym3"); s == nil || s.Addr != 72 {
		t.Fatalf("Lookup(sym3) = %v", s)
	}
	if s := tb.Lookup("new"); s == nil || s.Section != "text" {
		t.Fatalf("Lookup(new) = %v", s)
	}
	if s := tb.Lookup(""); s != nil || tb.Err == nil {
		t.Fatalf("Lookup(\"\") = %v, %v", s, tb.Err)
	}
	if s := tb.At(2); s == nil || s.Name != "sym2" {
		t.Fatalf("At(2) = %v", s)
	}
	if got := Key("text", 42); got != "text:42" {
		t.Errorf("Key = %q", got)
	}
	if got := Label(Sym{Name: "main", Size: 12}); got != "main+12" {
		t.Errorf("Label = %q", got)
	}
	if got := tb.Names(); !strings.HasSuffix(got, ",sym9,new") {
		t.Errorf("Names = %v", got)
	}
	if got := tb.Keys(); !strings.HasPrefix(got, "text:0 data:24 ") {
		t.Errorf("Keys = %v", got)
	}
	if got := tb.Index(); got["sym4"] != 4 || len(got) != 11 {
		t.Errorf("Index = %v", got)
	}
	if got := tb.Listing(); got[2] != "bss sym2" {
		t.Errorf("Listing = %v", got)
	}
	if got := Banner("as", 2); got != "as v2" {
		t.Errorf("Banner = %q", got)
	}
	if got := Describe(Sym{Name: "x", Section: "data", Addr: 8}); got != "symbol x in data at 8" {
		t.Errorf("Describe = %q", got)
	}
	if got := tb.Upper(); !strings.HasPrefix(got, "SYM0,") {
		t.Errorf("Upper = %v", got)
	}
	if got := tb.Layout(); got != 192 {
		t.Errorf("Layout = %d", got)
	}
	if err := tb.Check(); err != nil {
		t.Error(err)
	}
	if got := tb.Span(); got != 4016 {
		t.Errorf("Span = %d", got)
	}
}

var (
	sinkS  string
	sinkSS []string
	sinkM  map[string]int
	sinkN  int
	sinkU  uint64
	sinkP  *Sym
)

func BenchmarkLookup(b *testing.B) {
	tb := table(64)
	for i := range b.N {
		sinkP = tb.Lookup("sym" + string(rune('0'+i%10)))
		sinkP = tb.At(i % 64)
	}
}

func BenchmarkKey(b *testing.B) {
	for i := range b.N {
		sinkS = Key("text", uint64(i))
	}
}

func BenchmarkLabel(b *testing.B) {
	s := Sym{Name: "runtime.mallocgc", Size: 1234}
	for range b.N {
		sinkS = Label(s)
	}
}

func BenchmarkNames(b *testing.B) {
	tb := table(64)
	for range b.N {
		sinkS = tb.Names()
	}
}

func BenchmarkKeys(b *testing.B) {
	tb := table(16)
	for range b.N {
		sinkS = tb.Keys()
	}
}

func BenchmarkIndex(b *testing.B) {
	tb := table(64)
	for range b.N {
		sinkM = tb.Index()
	}
}

func BenchmarkListing(b *testing.B) {
	tb := table(16)
	for range b.N {
		sinkSS = tb.Listing()
	}
}

func BenchmarkLayout(b *testing.B) {
	tb := table(64)
	for range b.N {
		sinkN = tb.Layout()
		sinkU = tb.Span()
	}
}
