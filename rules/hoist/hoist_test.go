package hoist

import (
	"path/filepath"
	"testing"

	"github.com/gcfix/gcfix/rewrite/rewritetest"
)

// TestFixtures runs every case under fixtures/hoist through the harness.
func TestFixtures(t *testing.T) {
	rewritetest.RunAll(t, filepath.Join("..", "..", "fixtures"), "hoist", New(), rewritetest.Options{})
}
