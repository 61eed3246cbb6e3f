package rules

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gcfix/gcfix/rewrite/rewritetest"
)

// TestMakecapFixtures runs every case under fixtures/makecap through the harness.
func TestMakecapFixtures(t *testing.T) {
	entries, err := os.ReadDir(filepath.Join("..", "fixtures", "makecap"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			t.Parallel()
			rewritetest.Run(t, filepath.Join("..", "fixtures"), "makecap/"+e.Name(), Makecap)
		})
	}
}
