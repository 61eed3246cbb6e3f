package rules

import (
	"path/filepath"
	"testing"

	"github.com/gcfix/gcfix/rewrite/rewritetest"
)

// TestMakecapFixtures runs every case under fixtures/makecap through the harness.
func TestMakecapFixtures(t *testing.T) {
	rewritetest.RunAll(t, filepath.Join("..", "fixtures"), "makecap", Makecap, rewritetest.Options{})
}
