package rules

import (
	"path/filepath"
	"testing"

	"github.com/gcfix/gcfix/rewrite/rewritetest"
)

// TestHoistFixtures runs every case under fixtures/hoist through the harness.
func TestHoistFixtures(t *testing.T) {
	rewritetest.RunAll(t, filepath.Join("..", "fixtures"), "hoist", Hoist, rewritetest.Options{})
}
