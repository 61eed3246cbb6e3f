package rewrite

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/linediff"
)

const composeOld = `package p

import "fmt"

func F(a, b int) (string, string) {
	x := fmt.Sprint(a)

	y := fmt.Sprint(b)
	return x, y
}
`

// Each rewrite changes one statement and adds an import; made together they change both statements
// and the import block once.
const (
	composeA = `package p

import (
	"fmt"
	"strconv"
)

func F(a, b int) (string, string) {
	x := strconv.Itoa(a)

	y := fmt.Sprint(b)
	return x, y
}
`
	composeB = `package p

import (
	"fmt"
	"strconv"
)

func F(a, b int) (string, string) {
	x := fmt.Sprint(a)

	var buf [20]byte
	y := string(strconv.AppendInt(buf[:0], int64(b), 10))
	return x, y
}
`
	composeAB = `package p

import (
	"fmt"
	"strconv"
)

func F(a, b int) (string, string) {
	x := strconv.Itoa(a)

	var buf [20]byte
	y := string(strconv.AppendInt(buf[:0], int64(b), 10))
	return x, y
}
`
)

func TestSpans(t *testing.T) {
	a := spans("p.go", []byte(composeOld), linediff.Hunks([]byte(composeOld), []byte(composeA)))
	b := spans("p.go", []byte(composeOld), linediff.Hunks([]byte(composeOld), []byte(composeB)))
	// The import block's change does not count; each statement's line (in half lines) does.
	if want := []span{{"p.go", 12, 12}}; !slices.Equal(a, want) {
		t.Errorf("spans of A = %v, want %v", a, want)
	}
	if want := []span{{"p.go", 16, 16}}; !slices.Equal(b, want) {
		t.Errorf("spans of B = %v, want %v", b, want)
	}
	if overlaps(map[string][]span{"p.go": a}, b) || overlaps(map[string][]span{"q.go": b}, a) {
		t.Error("disjoint spans overlap")
	}
	// A line that looks like an import spec, inserted in a function, counts.
	body := strings.Replace(composeOld, "\treturn x, y\n", "\t\"x\"\n\treturn x, y\n", 1)
	if got := spans("p.go", []byte(composeOld), linediff.Hunks([]byte(composeOld), []byte(body))); len(got) != 1 {
		t.Errorf("spans of an insertion in F = %v, want one", got)
	}
	// An insertion before line 8 overlaps another there, not a change of line 8.
	ins := []span{{"p.go", 15, 15}}
	if !overlaps(map[string][]span{"p.go": ins}, ins) || overlaps(map[string][]span{"p.go": ins}, b) {
		t.Error("insertions: wrong overlaps")
	}
}

func TestComposes(t *testing.T) {
	old, a, b, ab := []byte(composeOld), []byte(composeA), []byte(composeB), []byte(composeAB)
	if !composes(old, ab, [][]byte{a, b}) {
		t.Error("A and B made together do not compose")
	}
	// One rewrite lost (as when another replaced the node it edited): they do not compose.
	if composes(old, a, [][]byte{a, b}) {
		t.Error("a combination missing B's change composes")
	}
	// Both changing the same line do not compose.
	if composes(old, ab, [][]byte{a, a}) {
		t.Error("two rewrites of the same line compose")
	}
}

func TestViews(t *testing.T) {
	// Diagnostics of the combined text (line numbers of composeAB): the verdict on F at line 8, one
	// on A's line 9, one on B's line 12 and one on the unchanged return at line 13.
	after := []diag.Diagnostic{
		{File: "p.go", Line: 8, Kind: diag.CannotInline, Subject: "F"},
		{File: "p.go", Line: 9, Kind: diag.NoEscape, Subject: "a"},
		{File: "p.go", Line: 12, Kind: diag.Escapes, Subject: "b"},
		{File: "p.go", Line: 13, Kind: diag.Escapes, Subject: "x"},
	}
	// As A sees them (numbered as in composeA): B's lines are gone, the return is line 12.
	got := mapLines(after, []byte(composeA), []byte(composeAB))
	want := []diag.Diagnostic{
		{File: "p.go", Line: 8, Kind: diag.CannotInline, Subject: "F"},
		{File: "p.go", Line: 9, Kind: diag.NoEscape, Subject: "a"},
		{File: "p.go", Line: 12, Kind: diag.Escapes, Subject: "x"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("A's view:\n got %v\nwant %v", got, want)
	}
	// Before, as A sees it: B's old line 8 is left out, the inlining verdict stays.
	if hs := linediff.Hunks([]byte(composeOld), []byte(composeB)); len(hs) != 2 || hs[1].OldStart != 8 || hs[1].OldLen != 1 {
		t.Fatalf("B's hunks: %+v, want the import block and line 8", hs)
	}
	before := []diag.Diagnostic{
		{File: "p.go", Line: 5, Kind: diag.CannotInline, Subject: "F"},
		{File: "p.go", Line: 6, Kind: diag.Escapes, Subject: "a"},
		{File: "p.go", Line: 8, Kind: diag.Escapes, Subject: "b"},
	}
	got = withoutLines(before, func(l int) bool { return l == 8 })
	if !reflect.DeepEqual(got, before[:2]) {
		t.Errorf("A's before: got %v, want %v", got, before[:2])
	}
}
