package outline

import (
	"go/ast"
	"strings"
	"testing"

	"github.com/gcfix/gcfix/rewrite/diag"
)

// edgeSrc holds functions whose guards are edge cases, not a fast path: the tail is the
// function's main path, and no tail is offered. Each tail calls log, heavy enough to be offered
// after a guard that answers (Answered).
const edgeSrc = `package p

import (
	"errors"
	"log"
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

func Answered(m map[string]int, k string) int {
	if v, ok := m[k]; ok {
		return v
	}
	log.Print(k)
	return 0
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
	for _, fn := range []string{"(*T).Closed", "Nil", "Const", "Made", "Bare"} {
		if tails[fn] {
			t.Errorf("%s: a tail after an edge-case guard was offered", fn)
		}
	}
	if !tails["Answered"] {
		t.Errorf("Answered: no tail offered after `if ok { return v }`")
	}
}
