package makecap

import (
	"path/filepath"
	"testing"

	"github.com/gcfix/gcfix/rewrite/rewritetest"
)

// TestFixtures runs every case under fixtures/makecap through the harness.
func TestFixtures(t *testing.T) {
	rewritetest.RunAll(t, filepath.Join("..", "..", "fixtures"), "makecap", New(), rewritetest.Options{})
}
