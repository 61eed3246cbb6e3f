package rules

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gcfix/gcfix/rewrite"
	"github.com/gcfix/gcfix/rewrite/rewritetest"
)

// TestOutlineFixtures runs every case under fixtures/outline through the harness. The rule wins on
// time: a kept case must not add allocations, but need not remove any.
func TestOutlineFixtures(t *testing.T) {
	runTimeOnlyFixtures(t, "outline", Outline)
}

func TestOutlineUnexported(t *testing.T) {
	for in, want := range map[string]string{"Get": "get", "HTTPGet": "httpGet", "ID": "id", "parse": "parse", "X": "x"} {
		if got := olUnexported(in); got != want {
			t.Errorf("olUnexported(%q) = %q, want %q", in, got, want)
		}
	}
}

// runTimeOnlyFixtures runs every case of fixtures/<dir> with rule, allocs/op free to stay.
func runTimeOnlyFixtures(t *testing.T, dir string, rule *rewrite.Rule) {
	entries, err := os.ReadDir(filepath.Join("..", "fixtures", dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			t.Parallel()
			rewritetest.RunOptions(t, filepath.Join("..", "fixtures"), dir+"/"+e.Name(), rule, rewritetest.Options{TimeOnly: true})
		})
	}
}
