package makecap

import (
	"path/filepath"
	"testing"

	"github.com/gcfix/gcfix/rewrite/rewritetest"
)

// trades are the cases whose rewrites only the bench gate may keep: the trip count is only an upper
// bound on the growth.
var trades = []string{"runes", "upperbound"}

// TestFixtures runs every case under fixtures/makecap through the harness.
func TestFixtures(t *testing.T) {
	rewritetest.RunAll(t, filepath.Join("..", "..", "fixtures"), "makecap", New(), rewritetest.Options{Trades: trades})
}
