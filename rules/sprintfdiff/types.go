// Package sprintfdiff holds the differential test of the sprintf rule: orig.go calls fmt,
// gen.go is what the rule makes of orig.go (each function renamed with a Rewritten prefix), and
// FuzzSprintf requires the two to print the same bytes for every input.
//
// To add a case: add the function to orig.go, run `go test ./rules/sprintf -run
// TestDiffGenerated -update` to regenerate gen.go, then add the pair to diff_test.go.
package sprintfdiff

import "errors"

// Named types: fmt sees their kind through reflection, the rewrite converts them.
type (
	MyInt  int
	MyUint uint16
	MyStr  string
	MyBool bool
	Raw    []byte
)

// Chunks records each Write it gets as one chunk, and fails every write from the FailAt-th on
// (0: never), having taken half the bytes: a writer whose calls are visible.
type Chunks struct {
	Log    []string
	FailAt int
}

func (c *Chunks) Write(p []byte) (int, error) {
	c.Log = append(c.Log, string(p))
	if c.FailAt > 0 && len(c.Log) >= c.FailAt {
		return len(p) / 2, errFull
	}
	return len(p), nil
}

var errFull = errors.New("full")
