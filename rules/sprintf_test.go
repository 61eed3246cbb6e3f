package rules

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gcfix/gcfix/rewrite/rewritetest"
)

// TestSprintfFixtures runs every case under fixtures/sprintf through the harness.
func TestSprintfFixtures(t *testing.T) {
	entries, err := os.ReadDir(filepath.Join("..", "fixtures", "sprintf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			t.Parallel()
			rewritetest.Run(t, filepath.Join("..", "fixtures"), "sprintf/"+e.Name(), Sprintf)
		})
	}
}

// TestSprintfDeclinesVet checks the declines of calls that go vet rejects, which the test gate of
// the fixture cases cannot take.
func TestSprintfDeclinesVet(t *testing.T) {
	t.Parallel()
	rewritetest.Declines(t, filepath.Join("..", "fixtures"), "sprintfvet", Sprintf)
}
