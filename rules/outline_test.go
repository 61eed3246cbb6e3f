package rules

import (
	"path/filepath"
	"testing"

	"github.com/gcfix/gcfix/rewrite/rewritetest"
)

// TestOutlineFixtures runs every case under fixtures/outline through the harness. The rule wins on
// time: a kept case must not add allocations, but need not remove any.
func TestOutlineFixtures(t *testing.T) {
	rewritetest.RunAll(t, filepath.Join("..", "fixtures"), "outline", Outline, rewritetest.Options{TimeOnly: true})
}

func TestOutlineUnexported(t *testing.T) {
	for in, want := range map[string]string{"Get": "get", "HTTPGet": "httpGet", "ID": "id", "parse": "parse", "X": "x"} {
		if got := olUnexported(in); got != want {
			t.Errorf("olUnexported(%q) = %q, want %q", in, got, want)
		}
	}
}

// runTimeOnlyFixtures runs every case of fixtures/<dir> with rule, allocs/op free to stay.

// The cost estimate leaves out regions that cannot bring their function under budget, so that the
// compiler is not asked: a cold branch that costs less than the call replacing it (no_too_light),
// and one whose weight is a closure's body, which the inliner does not charge (no_closure_body).
func TestOutlineEstimateLeavesLightRegions(t *testing.T) {
	for _, dir := range []string{"outline/no_too_light", "outline/no_closure_body"} {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			rewritetest.Declines(t, filepath.Join("..", "fixtures"), dir, Outline)
		})
	}
}
