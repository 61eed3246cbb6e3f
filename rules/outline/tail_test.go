package outline

import (
	"go/ast"
	"strings"
	"testing"

	"github.com/gcfix/gcfix/rewrite/diag"
)

// edgeSrc holds functions whose guards are edge cases, not a fast path: the tail is the
// function's main path, and no tail is offered; and four whose guards answer (Answered, Ring.Add,
// NamedHit, Name). Each tail calls log, heavy enough to be offered after a guard that answers.
const edgeSrc = `package p

import (
	"errors"
	"log"
	"runtime"
)

var errClosed = errors.New("closed")

type T struct{ closed bool }

func (t *T) Closed(x int) (int, error) {
	if t.closed {
		return 0, errClosed
	}
	log.Print(x)
	return x, nil
}

func Nil(p *int) *int {
	if p == nil {
		return nil
	}
	log.Print(*p)
	return p
}

func Const(s string) bool {
	if s == "" {
		return false
	}
	log.Print(s)
	return true
}

func Made(n int) []int {
	if n == 0 {
		return []int{}
	}
	log.Print(n)
	return make([]int, n)
}

func Bare(p *int) {
	if p == nil {
		return
	}
	log.Print(*p)
}

func Param(s []int) []int {
	if len(s) < 2 {
		return s
	}
	log.Print(s)
	return s[1:]
}

func Compare(x, y *int) bool {
	if x == nil || y == nil {
		return x == y
	}
	log.Print(*x)
	return *x == *y
}

func Call(p *int) string {
	if p == nil {
		return log.Prefix()
	}
	log.Print(*p)
	return ""
}

func InPlaceCall(t *T) {
	if t.closed {
		log.SetPrefix("")
		return
	}
	log.Print(t)
}

type Dec struct{ err error }

func (d *Dec) Sticky() (int, error) {
	if d.err != nil {
		return 0, d.err
	}
	log.Print(d)
	log.Print(d)
	return 1, nil
}

func NamedEOF(t *T) (n int, err error) {
	if t.closed {
		err = errClosed
		return
	}
	log.Print(t)
	return 1, nil
}

func BuildSwitch(xs []int) int {
	if runtime.GOOS == "plan9" {
		return xs[0]
	}
	log.Print(xs)
	return 0
}

func Answered(m map[string]int, k string) int {
	if v, ok := m[k]; ok {
		return v
	}
	log.Print(k)
	return 0
}

type Ring struct{ buf []int; n int }

func (r *Ring) Add(x int) {
	if r.n < len(r.buf) {
		r.buf[r.n] = x
		r.n++
		return
	}
	log.Print(x)
}

var names = map[int]string{}

func NamedHit(r *Ring) (x int, err error) {
	if r.n > 0 {
		x = r.buf[r.n-1]
		r.n--
		return
	}
	log.Print(r)
	log.Print(r.n)
	return 0, errClosed
}

func Name(i int) (s string) {
	if c, ok := names[i]; ok {
		return c
	}
	log.Print(i)
	return
}
`

func TestEdgeGuardsOfferNoTail(t *testing.T) {
	pass := syntheticPass(t, edgeSrc, func(*ast.FuncDecl) bool { return true })
	tails := map[string]bool{}
	for _, c := range New().Match(pass) {
		if strings.Contains(c.Summary, "`tail after") {
			tails[diag.FuncName(c.Func)] = true
		}
	}
	for _, fn := range []string{"(*T).Closed", "Nil", "Const", "Made", "Bare", "Param", "Compare", "Call", "InPlaceCall", "NamedEOF", "BuildSwitch", "(*Dec).Sticky"} {
		if tails[fn] {
			t.Errorf("%s: a tail after an edge-case guard was offered", fn)
		}
	}
	for _, fn := range []string{"Answered", "(*Ring).Add", "NamedHit", "Name"} {
		if !tails[fn] {
			t.Errorf("%s: no tail offered after a guard that answers", fn)
		}
	}
}
