package sprintf

import (
	"path/filepath"
	"testing"

	"github.com/gcfix/gcfix/rewrite/rewritetest"
)

// TestFixtures runs every case under fixtures/sprintf through the harness.
func TestFixtures(t *testing.T) {
	rewritetest.RunAll(t, filepath.Join("..", "..", "fixtures"), "sprintf", New(), rewritetest.Options{})
}

// TestDeclinesVet checks the declines of calls that go vet rejects, which the test gate of
// the fixture cases cannot take.
func TestDeclinesVet(t *testing.T) {
	t.Parallel()
	rewritetest.Declines(t, filepath.Join("..", "..", "fixtures"), "sprintfvet", New())
}
