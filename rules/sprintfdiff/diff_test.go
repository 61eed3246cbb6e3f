package sprintfdiff

import (
	"bufio"
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"sort"
	"strings"
	"testing"
)

// in is one fuzz input; every function gets its arguments from it.
type in struct {
	i int64
	u uint64
	s string
	b []byte
	t bool
}

// buffer returns a bytes.Buffer with some content and, when spare, room to append in place.
func buffer(spare bool) *bytes.Buffer {
	var w bytes.Buffer
	if spare {
		w.Grow(256)
	}
	w.WriteString("head:")
	return &w
}

// throughBufio writes prefix, then calls write, through a bufio.Writer of size bytes over a Chunks
// that fails from its failAt-th write, flushes, and returns what the Chunks saw call by call and
// the results.
func throughBufio(size int, prefix []byte, failAt int, write func(w *bufio.Writer) (int, error)) string {
	c := &Chunks{FailAt: failAt}
	w := bufio.NewWriterSize(c, size)
	w.Write(prefix)
	n, err := write(w)
	ferr := w.Flush()
	return fmt.Sprintf("%q n=%d err=%v flush=%v", c.Log, n, err, ferr)
}

// bufioOf calls write through throughBufio with a buffer size, prefix and failure point from x.
func bufioOf(x in, write func(w *bufio.Writer) (int, error)) string {
	size := 16 + int(x.u%48)
	return throughBufio(size, x.b[:min(len(x.b), size+8)], int(x.u>>8%4), write)
}

// pairs maps each function of orig.go to a call of it and of its rewrite in gen.go.
var pairs = map[string][2]func(x in) string{
	"Dec": {
		func(x in) string { return Dec(int(x.i), int8(x.i), int16(x.u), int32(x.i), x.i, MyInt(x.u)) },
		func(x in) string { return RewrittenDec(int(x.i), int8(x.i), int16(x.u), int32(x.i), x.i, MyInt(x.u)) },
	},
	"DecU": {
		func(x in) string {
			return DecU(uint(x.u), uint8(x.i), uint16(x.u), uint32(x.i), x.u, uintptr(x.u), MyUint(x.i))
		},
		func(x in) string {
			return RewrittenDecU(uint(x.u), uint8(x.i), uint16(x.u), uint32(x.i), x.u, uintptr(x.u), MyUint(x.i))
		},
	},
	"HexI": {
		func(x in) string { return HexI(int(x.i), int8(x.u), x.i, MyInt(x.u)) },
		func(x in) string { return RewrittenHexI(int(x.i), int8(x.u), x.i, MyInt(x.u)) },
	},
	"HexU": {
		func(x in) string { return HexU(uint(x.u), uint8(x.i), x.u, uintptr(x.i), MyUint(x.u)) },
		func(x in) string { return RewrittenHexU(uint(x.u), uint8(x.i), x.u, uintptr(x.i), MyUint(x.u)) },
	},
	"Vals": {
		func(x in) string { return Vals(int(x.i), x.u, x.t, x.s, MyStr(x.b), MyBool(!x.t), MyInt(x.u)) },
		func(x in) string { return RewrittenVals(int(x.i), x.u, x.t, x.s, MyStr(x.b), MyBool(!x.t), MyInt(x.u)) },
	},
	"Bools": {
		func(x in) string { return Bools(x.t, MyBool(!x.t)) },
		func(x in) string { return RewrittenBools(x.t, MyBool(!x.t)) },
	},
	"Strs": {
		func(x in) string { return Strs(x.s, MyStr(x.b), x.b, Raw(x.s)) },
		func(x in) string { return RewrittenStrs(x.s, MyStr(x.b), x.b, Raw(x.s)) },
	},
	"Quotes": {
		func(x in) string { return Quotes(x.s, MyStr(x.b)) },
		func(x in) string { return RewrittenQuotes(x.s, MyStr(x.b)) },
	},
	"HexS": {
		func(x in) string { return HexS(x.s, MyStr(x.b), x.b, Raw(x.s)) },
		func(x in) string { return RewrittenHexS(x.s, MyStr(x.b), x.b, Raw(x.s)) },
	},
	"HexUpper": {
		func(x in) string { return HexUpper(x.s, MyStr(x.b), x.b, Raw(x.s)) },
		func(x in) string { return RewrittenHexUpper(x.s, MyStr(x.b), x.b, Raw(x.s)) },
	},
	"Percent": {
		func(x in) string { return Percent(int(x.i)) },
		func(x in) string { return RewrittenPercent(int(x.i)) },
	},
	"Sprint": {
		func(x in) string { return Sprint(int(x.i), x.s, x.t, MyStr(x.b), uint8(x.u)) },
		func(x in) string { return RewrittenSprint(int(x.i), x.s, x.t, MyStr(x.b), uint8(x.u)) },
	},
	"SprintStrings": {
		func(x in) string { return SprintStrings(x.s, MyStr(x.b)) },
		func(x in) string { return RewrittenSprintStrings(x.s, MyStr(x.b)) },
	},
	"Concat": {
		func(x in) string { return Concat(x.s, MyStr(x.b)) },
		func(x in) string { return RewrittenConcat(x.s, MyStr(x.b)) },
	},
	"Consts": {
		func(x in) string { return Consts(int(x.i)) },
		func(x in) string { return RewrittenConsts(int(x.i)) },
	},
	"OneInt": {
		func(x in) string { return OneInt(int(x.i)) },
		func(x in) string { return RewrittenOneInt(int(x.i)) },
	},
	"OneInt8": {
		func(x in) string { return OneInt8(int8(x.i)) },
		func(x in) string { return RewrittenOneInt8(int8(x.i)) },
	},
	"OneMyInt": {
		func(x in) string { return OneMyInt(MyInt(x.i)) },
		func(x in) string { return RewrittenOneMyInt(MyInt(x.i)) },
	},
	"OneUint": {
		func(x in) string { return OneUint(uint32(x.u)) },
		func(x in) string { return RewrittenOneUint(uint32(x.u)) },
	},
	"OneHexI": {
		func(x in) string { return OneHexI(x.i) },
		func(x in) string { return RewrittenOneHexI(x.i) },
	},
	"OneHexU": {
		func(x in) string { return OneHexU(uint(x.u)) },
		func(x in) string { return RewrittenOneHexU(uint(x.u)) },
	},
	"OneStr": {
		func(x in) string { return OneStr(MyStr(x.s)) },
		func(x in) string { return RewrittenOneStr(MyStr(x.s)) },
	},
	"OneBytes": {
		func(x in) string { return OneBytes(x.b) },
		func(x in) string { return RewrittenOneBytes(x.b) },
	},
	"OneQuote": {
		func(x in) string { return OneQuote(x.s) },
		func(x in) string { return RewrittenOneQuote(x.s) },
	},
	"OneBool": {
		func(x in) string { return OneBool(MyBool(x.t)) },
		func(x in) string { return RewrittenOneBool(MyBool(x.t)) },
	},
	"OneHexBytes": {
		func(x in) string { return OneHexBytes(x.b) },
		func(x in) string { return RewrittenOneHexBytes(x.b) },
	},
	"OneHexStr": {
		func(x in) string { return OneHexStr(x.s) },
		func(x in) string { return RewrittenOneHexStr(x.s) },
	},
	"OneSprint": {
		func(x in) string { return OneSprint(x.i) },
		func(x in) string { return RewrittenOneSprint(x.i) },
	},
	"ToBuffer": {
		func(x in) string {
			w := buffer(x.t)
			ToBuffer(w, int(x.i), x.s, x.t)
			return w.String()
		},
		func(x in) string {
			w := buffer(x.t)
			RewrittenToBuffer(w, int(x.i), x.s, x.t)
			return w.String()
		},
	},
	"ToBufferBytes": {
		func(x in) string {
			w := buffer(x.t)
			ToBufferBytes(w, x.s, x.b)
			return w.String()
		},
		func(x in) string {
			w := buffer(x.t)
			RewrittenToBufferBytes(w, x.s, x.b)
			return w.String()
		},
	},
	"ToLocalBuffer": {
		func(x in) string { return ToLocalBuffer(x.i, x.s) },
		func(x in) string { return RewrittenToLocalBuffer(x.i, x.s) },
	},
	"ToBuilder": {
		func(x in) string { return ToBuilder(x.u, x.s) },
		func(x in) string { return RewrittenToBuilder(x.u, x.s) },
	},
	"WriteHex": {
		func(x in) string {
			w := buffer(x.t)
			WriteHex(w, x.s)
			return w.String()
		},
		func(x in) string {
			w := buffer(x.t)
			RewrittenWriteHex(w, x.s)
			return w.String()
		},
	},
	"Slice": {
		func(x in) string { return Slice(x.s) },
		func(x in) string { return RewrittenSlice(x.s) },
	},
	"Deref": {
		func(x in) string { return Deref(&x.s) },
		func(x in) string { return RewrittenDeref(&x.s) },
	},
	"Names": {
		func(x in) string { return Names(int(x.i), int(x.u), x.s) },
		func(x in) string { return RewrittenNames(int(x.i), int(x.u), x.s) },
	},
	"InSwitch": {
		func(x in) string { return InSwitch(int(x.i), x.s) },
		func(x in) string { return RewrittenInSwitch(int(x.i), x.s) },
	},
	"Assign": {
		func(x in) string { return Assign(int(x.i), x.s) },
		func(x in) string { return RewrittenAssign(int(x.i), x.s) },
	},
	"ToBufferAliased": {
		func(x in) string {
			w := buffer(x.t)
			ToBufferAliased(w, x.s)
			return w.String()
		},
		func(x in) string {
			w := buffer(x.t)
			RewrittenToBufferAliased(w, x.s)
			return w.String()
		},
	},
	"AppendAliased": {
		func(x in) string { return string(AppendAliased(make([]byte, 1, 1+len(x.s)+2*len(x.b)), x.s)) },
		func(x in) string { return string(RewrittenAppendAliased(make([]byte, 1, 1+len(x.s)+2*len(x.b)), x.s)) },
	},
	"AppendTo": {
		func(x in) string { return string(AppendTo(append([]byte(nil), x.b...), x.s, int(x.i), x.t)) },
		func(x in) string { return string(RewrittenAppendTo(append([]byte(nil), x.b...), x.s, int(x.i), x.t)) },
	},
	"ToBufio": {
		func(x in) string {
			return bufioOf(x, func(w *bufio.Writer) (int, error) { ToBufio(w, int(x.i), x.s, x.t); return 0, nil })
		},
		func(x in) string {
			return bufioOf(x, func(w *bufio.Writer) (int, error) { RewrittenToBufio(w, int(x.i), x.s, x.t); return 0, nil })
		},
	},
	"ToBufioResult": {
		func(x in) string {
			return bufioOf(x, func(w *bufio.Writer) (int, error) { return ToBufioResult(w, x.s, x.u) })
		},
		func(x in) string {
			return bufioOf(x, func(w *bufio.Writer) (int, error) { return RewrittenToBufioResult(w, x.s, x.u) })
		},
	},
	"ToBufioIf": {
		func(x in) string {
			return bufioOf(x, func(w *bufio.Writer) (int, error) { return 0, ToBufioIf(w, x.s, int(x.i)) })
		},
		func(x in) string {
			return bufioOf(x, func(w *bufio.Writer) (int, error) { return 0, RewrittenToBufioIf(w, x.s, int(x.i)) })
		},
	},
	"ToChunks": {
		func(x in) string {
			c := &Chunks{FailAt: int(x.u % 3)}
			n, err := ToChunks(c, x.s, x.i, x.b)
			return fmt.Sprintf("%q %d %v", c.Log, n, err)
		},
		func(x in) string {
			c := &Chunks{FailAt: int(x.u % 3)}
			n, err := RewrittenToChunks(c, x.s, x.i, x.b)
			return fmt.Sprintf("%q %d %v", c.Log, n, err)
		},
	},
	"AppendKV": {
		func(x in) string { return string(AppendKV(append([]byte(nil), x.b...), x.s, int(x.i))) },
		func(x in) string { return string(RewrittenAppendKV(append([]byte(nil), x.b...), x.s, int(x.i))) },
	},
	"ToBuilderParam": {
		func(x in) string {
			var sb strings.Builder
			sb.WriteString("head:")
			ToBuilderParam(&sb, x.s, int8(x.i), x.u, x.t, x.b)
			return sb.String()
		},
		func(x in) string {
			var sb strings.Builder
			sb.WriteString("head:")
			RewrittenToBuilderParam(&sb, x.s, int8(x.i), x.u, x.t, x.b)
			return sb.String()
		},
	},
	"LocalPanicky": {
		func(x in) string { return tryString(func() string { return LocalPanicky(pairOf(x, 1), pairOf(x, 2)) }) },
		func(x in) string {
			return tryString(func() string { return RewrittenLocalPanicky(pairOf(x, 1), pairOf(x, 2)) })
		},
	},
	"NewBuilder": {
		func(x in) string { return NewBuilder(x.s, uint16(x.u)) },
		func(x in) string { return RewrittenNewBuilder(x.s, uint16(x.u)) },
	},
	"ToBufferHex": {
		func(x in) string {
			w := buffer(x.t)
			ToBufferHex(w, x.s, MyStr(x.b))
			return w.String()
		},
		func(x in) string {
			w := buffer(x.t)
			RewrittenToBufferHex(w, x.s, MyStr(x.b))
			return w.String()
		},
	},
}

// variants calls, for each function of orig.go whose calls have variants (rule.Candidate.Variants),
// its rewrite in gen_variants.go with the variants that the build gate does not apply.
var variants = map[string]func(x in) string{
	"ToBuffer": func(x in) string {
		w := buffer(x.t)
		VariantToBuffer(w, int(x.i), x.s, x.t)
		return w.String()
	},
	"ToLocalBuffer": func(x in) string { return VariantToLocalBuffer(x.i, x.s) },
	"ToBuilder":     func(x in) string { return VariantToBuilder(x.u, x.s) },
	"LocalPanicky": func(x in) string {
		return tryString(func() string { return VariantLocalPanicky(pairOf(x, 1), pairOf(x, 2)) })
	},
	"NewBuilder": func(x in) string { return VariantNewBuilder(x.s, uint16(x.u)) },
	"ToBufferHex": func(x in) string {
		w := buffer(x.t)
		VariantToBufferHex(w, x.s, MyStr(x.b))
		return w.String()
	},
}

// pairOf returns a pair made of x, or nil when bit n of x.u is set.
func pairOf(x in, n uint) *pair {
	if x.u>>n&1 != 0 {
		return nil
	}
	return &pair{K: x.s, V: int(x.i)}
}

// tryString returns f's result, or what it panicked with.
func tryString(f func() string) (s string) {
	defer func() {
		if r := recover(); r != nil {
			s = fmt.Sprint("panic: ", r)
		}
	}()
	return f()
}

// TestPairsCoverOrig requires a pair for every function of orig.go, so that none goes untested.
func TestPairsCoverOrig(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "orig.go", nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok {
			names = append(names, fd.Name.Name)
			if _, ok := pairs[fd.Name.Name]; !ok {
				t.Errorf("orig.go's %s has no pair in diff_test.go", fd.Name.Name)
			}
		}
	}
	if len(names) != len(pairs) {
		sort.Strings(names)
		t.Errorf("orig.go has %d functions %v, diff_test.go %d pairs", len(names), names, len(pairs))
	}
	f, err = parser.ParseFile(token.NewFileSet(), "gen_variants.go", nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok {
			n++
			if _, ok := variants[strings.TrimPrefix(fd.Name.Name, "Variant")]; !ok {
				t.Errorf("gen_variants.go's %s is not in diff_test.go's variants", fd.Name.Name)
			}
		}
	}
	if n != len(variants) {
		t.Errorf("gen_variants.go has %d functions, diff_test.go %d variants", n, len(variants))
	}
}

func FuzzSprintf(f *testing.F) {
	for _, x := range []in{
		{0, 0, "", nil, false},
		{-1, math.MaxUint64, "a", []byte{}, true},
		{math.MinInt64, math.MaxUint64, `say "hi"\`, []byte("\x00\xff"), false},
		{math.MaxInt64, 1 << 63, "\xff\xfe invalid \xc3", []byte("\xc3\x28"), true},
		{math.MinInt32, math.MaxUint32, "\x00\a\b\f\n\r\t\v\x7f", []byte("\t\n"), false},
		{255, 256, "héllo, 世界 \u2028 \U0001F600 \ufeff", []byte("ü"), true},
		{-128, 127, "%d %s %% %!", []byte("%"), false},
		{1<<31 - 1, 65535, "`back`'single'", []byte(`"`), true},
		{-255, 0xdeadbeef, "a very long string that does not fit in a small stack buffer, not even close to it, really: 0123456789012345678901234567890123456789012345678901234567890123456789", bytes.Repeat([]byte{0xab}, 300), false},
	} {
		f.Add(x.i, x.u, x.s, x.b, x.t)
	}
	names := make([]string, 0, len(pairs))
	for name := range pairs {
		names = append(names, name)
	}
	sort.Strings(names)
	f.Fuzz(func(t *testing.T, i int64, u uint64, s string, b []byte, tf bool) {
		x := in{i, u, s, b, tf}
		for _, name := range names {
			p := pairs[name]
			want := p[0](x)
			if got := p[1](x); got != want {
				t.Errorf("%s(%+v):\n fmt:     %q\n rewrite: %q", name, x, want, got)
			}
			if v := variants[name]; v != nil {
				if got := v(x); got != want {
					t.Errorf("%s(%+v):\n fmt:     %q\n variant: %q", name, x, want, got)
				}
			}
		}
	})
}
