package noinline

import (
	"path/filepath"
	"testing"

	"github.com/gcfix/gcfix/rewrite/rewritetest"
)

// TestFixtures runs every case under fixtures/noinline through the harness. The rule wins on
// time: a kept case must not add allocations, but need not remove any.
func TestFixtures(t *testing.T) {
	rewritetest.RunAll(t, filepath.Join("..", "..", "fixtures"), "noinline", New(), rewritetest.Options{TimeOnly: true})
}

func TestExplained(t *testing.T) {
	for doc, want := range map[string]string{
		"Nop does nothing. It must stay out of line: benchmarks measure one call.\n": "It must stay out of line: benchmarks measure one call.",
		"Hook is never inlined, so that a debugger can break on it.\n":               "Hook is never inlined, so that a debugger can break on it.",
		"clamp limits x to [0, 255].\n":                                              "",
		"":                                                                           "",
	} {
		if got := explained(doc); got != want {
			t.Errorf("explained(%q) = %q, want %q", doc, got, want)
		}
	}
}
