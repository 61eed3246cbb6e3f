// Package symtab interns the symbols of an assembler-like listing and formats them back: a small
// package with the shapes gcfix rewrites, eight benchmarks, and functions that no benchmark calls.
package symtab

import (
	"bytes"
	"fmt"
	"strings"
)

// Sym is one symbol: its name, section and address.
type Sym struct {
	Name    string
	Section string
	Addr    uint64
	Size    int
}

// Symtab holds symbols by name and by address.
type Symtab struct {
	syms   []Sym
	byName map[string]int
	Err    error
	load   func(name string) (Sym, error)
}

// New returns an empty table whose misses are answered by load.
func New(load func(name string) (Sym, error)) *Symtab {
	return &Symtab{byName: map[string]int{}, load: load}
}

// Add adds s, or replaces the symbol of the same name.
func (t *Symtab) Add(s Sym) {
	if i, ok := t.byName[s.Name]; ok {
		t.syms[i] = s
		return
	}
	t.byName[s.Name] = len(t.syms)
	t.syms = append(t.syms, s)
}

// Lookup returns the symbol called name, loading it on a miss.
func (t *Symtab) Lookup(name string) *Sym {
	i, ok := t.byName[name]
	if !ok {
		s, err := t.load(name)
		if err != nil {
			t.Err = fmt.Errorf("symtab: loading %q: %w", name, err)
			return nil
		}
		return t.insert(s)
	}
	return &t.syms[i]
}

// insert adds s, which is not in the table yet, and returns it in the table.
func (t *Symtab) insert(s Sym) *Sym {
	if s.Section == "" {
		s.Section = "text"
	}
	if s.Size < 0 {
		s.Size = 0
	}
	t.byName[s.Name] = len(t.syms)
	t.syms = append(t.syms, s)
	return &t.syms[len(t.syms)-1]
}

// At returns symbol i; a symbol added without a name gets its name from the table's decoder.
func (t *Symtab) At(i int) *Sym {
	s := &t.syms[i]
	if s.Name == "" {
		name, err := t.decode(i)
		if err != nil {
			t.Err = fmt.Errorf("symtab: decoding symbol %d: %w", i, err)
			return nil
		}
		s.Name = name
		return s
	}
	return s
}

func (t *Symtab) decode(i int) (string, error) {
	if t.syms[i].Addr == 0 {
		return "", fmt.Errorf("no address")
	}
	return "anon." + t.syms[i].Section, nil
}

// Key is the map key of a symbol in a section.
func Key(section string, addr uint64) string {
	return fmt.Sprintf("%s:%d", section, addr)
}

// Label is the label an assembler prints for s.
func Label(s Sym) string {
	return fmt.Sprintf("%s+%d", s.Name, s.Size)
}

// Names returns the names of the symbols, in table order, separated by commas.
func (t *Symtab) Names() string {
	out := make([]string, 0)
	for _, s := range t.syms {
		out = append(out, s.Name)
	}
	return strings.Join(out, ",")
}

// Keys returns the keys of the symbols, separated by spaces.
func (t *Symtab) Keys() string {
	out := make([]string, 0)
	for _, s := range t.syms {
		out = append(out, Key(s.Section, s.Addr))
	}
	return strings.Join(out, " ")
}

// Index maps each name to its position in the table.
func (t *Symtab) Index() map[string]int {
	m := map[string]int{}
	for i, s := range t.syms {
		m[s.Name] = i
	}
	return m
}

// Listing formats one line per symbol.
func (t *Symtab) Listing() []string {
	out := make([]string, 0, len(t.syms))
	for _, s := range t.syms {
		var b bytes.Buffer
		fmt.Fprintf(&b, "%s %s", s.Section, s.Name)
		if b.Len() > 48 {
			b.Truncate(48)
		}
		out = append(out, b.String())
	}
	return out
}

// Banner is printed once at start-up: no benchmark calls it.
func Banner(name string, version int) string {
	return fmt.Sprintf("%s v%d", name, version)
}

// Describe is for error messages: no benchmark calls it.
func Describe(s Sym) string {
	return fmt.Sprintf("symbol %s in %s at %d", s.Name, s.Section, s.Addr)
}

// Upper returns the names in upper case, separated by commas: no benchmark calls it.
func (t *Symtab) Upper() string {
	out := make([]string, 0)
	for _, s := range t.syms {
		out = append(out, strings.ToUpper(s.Name))
	}
	return strings.Join(out, ",")
}

// align rounds n up to a multiple of 16.
//
//go:noinline
func align(n int) int {
	return (n + 15) &^ 15
}

// Layout returns the total size of the symbols, each aligned.
func (t *Symtab) Layout() int {
	total := 0
	for _, s := range t.syms {
		total += align(s.Size)
	}
	return total
}

// clampSize limits n to [0, 1<<20].
//
//go:noinline
func clampSize(n int) int {
	return min(max(n, 0), 1<<20)
}

// Check reports the first symbol whose size is out of range: no benchmark calls it.
func (t *Symtab) Check() error {
	for _, s := range t.syms {
		if clampSize(s.Size) != s.Size {
			return fmt.Errorf("symbol %s: size %d out of range", s.Name, s.Size)
		}
	}
	return nil
}

// Range is an address range.
type Range struct{ Lo, Hi uint64 }

// newRange returns the range between a and b, in either order, without its alignment padding.
func newRange(a, b uint64) *Range {
	lo, hi := min(a, b), max(a, b)
	if lo%16 != 0 {
		lo += 16 - lo%16
	}
	if hi%16 != 0 {
		hi -= hi % 16
	}
	if hi < lo {
		hi = lo
	}
	if hi-lo > 1<<32 {
		return &Range{lo, lo + 1<<32}
	}
	if lo < 0x1000 && hi > 0x1000 {
		lo = 0x1000
	}
	if lo < 0x2000 && hi > 0x2000 && (hi-lo)%7 == 3 {
		lo = 0x2000
	}
	return &Range{lo, hi}
}

// Len is the number of addresses in r.
func (r *Range) Len() uint64 { return r.Hi - r.Lo }

// Span sums the lengths of the ranges of consecutive symbols.
func (t *Symtab) Span() uint64 {
	var n uint64
	for i := 1; i < len(t.syms); i++ {
		r := newRange(t.syms[i-1].Addr, t.syms[i].Addr)
		n += r.Len()
	}
	return n
}
