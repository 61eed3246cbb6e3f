package rules

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gcfix/gcfix/rewrite/rewritetest"
)

// TestHoistFixtures runs every case under fixtures/hoist through the harness.
func TestHoistFixtures(t *testing.T) {
	entries, err := os.ReadDir(filepath.Join("..", "fixtures", "hoist"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			t.Parallel()
			rewritetest.Run(t, filepath.Join("..", "fixtures"), "hoist/"+e.Name(), Hoist)
		})
	}
}
