package symtab

// 24 more benchmarks, for .ci/benchgate -wide: the package then has 32, each function under four.

import "testing"

func BenchmarkWideLookup8(b *testing.B) {
	tb := table(8)
	for i := range b.N {
		sinkP = tb.Lookup("sym" + string(rune('0'+i%10)))
	}
}

func BenchmarkWideKey12(b *testing.B) {
	tb := table(12)
	for i := range b.N {
		sinkS = Key("data", tb.syms[i%len(tb.syms)].Addr)
	}
}

func BenchmarkWideLabel16(b *testing.B) {
	tb := table(16)
	for i := range b.N {
		sinkS = Label(tb.syms[i%len(tb.syms)])
	}
}

func BenchmarkWideNames20(b *testing.B) {
	tb := table(20)
	for range b.N {
		sinkS = tb.Names()
	}
}

func BenchmarkWideKeys24(b *testing.B) {
	tb := table(24)
	for range b.N {
		sinkS = tb.Keys()
	}
}

func BenchmarkWideIndex28(b *testing.B) {
	tb := table(28)
	for range b.N {
		sinkM = tb.Index()
	}
}

func BenchmarkWideListing32(b *testing.B) {
	tb := table(32)
	for range b.N {
		sinkSS = tb.Listing()
	}
}

func BenchmarkWideLayout36(b *testing.B) {
	tb := table(36)
	for range b.N {
		sinkN = tb.Layout() + int(tb.Span())
	}
}

func BenchmarkWideLookup40(b *testing.B) {
	tb := table(40)
	for i := range b.N {
		sinkP = tb.Lookup("sym" + string(rune('0'+i%10)))
	}
}

func BenchmarkWideKey44(b *testing.B) {
	tb := table(44)
	for i := range b.N {
		sinkS = Key("data", tb.syms[i%len(tb.syms)].Addr)
	}
}

func BenchmarkWideLabel48(b *testing.B) {
	tb := table(48)
	for i := range b.N {
		sinkS = Label(tb.syms[i%len(tb.syms)])
	}
}

func BenchmarkWideNames52(b *testing.B) {
	tb := table(52)
	for range b.N {
		sinkS = tb.Names()
	}
}

func BenchmarkWideKeys56(b *testing.B) {
	tb := table(56)
	for range b.N {
		sinkS = tb.Keys()
	}
}

func BenchmarkWideIndex60(b *testing.B) {
	tb := table(60)
	for range b.N {
		sinkM = tb.Index()
	}
}

func BenchmarkWideListing64(b *testing.B) {
	tb := table(64)
	for range b.N {
		sinkSS = tb.Listing()
	}
}

func BenchmarkWideLayout68(b *testing.B) {
	tb := table(68)
	for range b.N {
		sinkN = tb.Layout() + int(tb.Span())
	}
}

func BenchmarkWideLookup72(b *testing.B) {
	tb := table(72)
	for i := range b.N {
		sinkP = tb.Lookup("sym" + string(rune('0'+i%10)))
	}
}

func BenchmarkWideKey76(b *testing.B) {
	tb := table(76)
	for i := range b.N {
		sinkS = Key("data", tb.syms[i%len(tb.syms)].Addr)
	}
}

func BenchmarkWideLabel80(b *testing.B) {
	tb := table(80)
	for i := range b.N {
		sinkS = Label(tb.syms[i%len(tb.syms)])
	}
}

func BenchmarkWideNames84(b *testing.B) {
	tb := table(84)
	for range b.N {
		sinkS = tb.Names()
	}
}

func BenchmarkWideKeys88(b *testing.B) {
	tb := table(88)
	for range b.N {
		sinkS = tb.Keys()
	}
}

func BenchmarkWideIndex92(b *testing.B) {
	tb := table(92)
	for range b.N {
		sinkM = tb.Index()
	}
}

func BenchmarkWideListing96(b *testing.B) {
	tb := table(96)
	for range b.N {
		sinkSS = tb.Listing()
	}
}

func BenchmarkWideLayout100(b *testing.B) {
	tb := table(100)
	for range b.N {
		sinkN = tb.Layout() + int(tb.Span())
	}
}
