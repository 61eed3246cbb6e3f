package sprintf

import (
	"path/filepath"
	"testing"

	"github.com/gcfix/gcfix/rewrite/rewritetest"
)

// TestFixtures runs every case under fixtures/sprintf through the harness; variants, where the
// rule offers two variants that the benchmarks tell apart by allocs/op, under the bench gate.
func TestFixtures(t *testing.T) {
	rewritetest.RunAll(t, filepath.Join("..", "..", "fixtures"), "sprintf", New(), rewritetest.Options{Bench: []string{"variants"}})
}

// TestDeclinesVet checks the declines of calls that go vet rejects, which the test gate of
// the fixture cases cannot take.
func TestDeclinesVet(t *testing.T) {
	t.Parallel()
	rewritetest.Declines(t, filepath.Join("..", "..", "fixtures"), "sprintfvet", New())
}
