package rules

import (
	"path/filepath"
	"testing"

	"github.com/gcfix/gcfix/rewrite/rewritetest"
)

// TestSprintfFixtures runs every case under fixtures/sprintf through the harness.
func TestSprintfFixtures(t *testing.T) {
	rewritetest.RunAll(t, filepath.Join("..", "fixtures"), "sprintf", Sprintf, rewritetest.Options{})
}

// TestSprintfDeclinesVet checks the declines of calls that go vet rejects, which the test gate of
// the fixture cases cannot take.
func TestSprintfDeclinesVet(t *testing.T) {
	t.Parallel()
	rewritetest.Declines(t, filepath.Join("..", "fixtures"), "sprintfvet", Sprintf)
}
