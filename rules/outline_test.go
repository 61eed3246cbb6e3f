package rules

import (
	"path/filepath"
	"testing"

	"github.com/gcfix/gcfix/rewrite/rewritetest"
)

// TestOutlineFixtures runs every case under fixtures/outline through the harness. The rule wins on
// time: a kept case must not add allocations, but need not remove any.
func TestOutlineFixtures(t *testing.T) {
	rewritetest.RunAll(t, filepath.Join("..", "fixtures"), "outline", Outline, rewritetest.Options{TimeOnly: true})
}

func TestOutlineUnexported(t *testing.T) {
	for in, want := range map[string]string{"Get": "get", "HTTPGet": "httpGet", "ID": "id", "parse": "parse", "X": "x"} {
		if got := olUnexported(in); got != want {
			t.Errorf("olUnexported(%q) = %q, want %q", in, got, want)
		}
	}
}

// runTimeOnlyFixtures runs every case of fixtures/<dir> with rule, allocs/op free to stay.
