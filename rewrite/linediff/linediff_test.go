package linediff

import (
	"strings"
	"testing"
)

var cases = []struct{ old, new string }{
	{"a\nb\nc\n", "a\nB\nc\n"},
	{"a\nb\nc\n", "a\nc\n"},
	{"a\nb\nc\n", "x\na\nb\nc\ny\n"},
	{"", "a\n"},
	{"a\n", ""},
	{"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n", "1\n2x\n3\n4\n5\n6\n7\n8\n9\n10\n11x\n11y\n12\n"},
}

// The hunks, applied to the old text, give the new one, and each new line that no hunk holds maps
// back to the old line with the same text.
func TestHunks(t *testing.T) {
	for _, tc := range cases {
		old := strings.SplitAfter(tc.old, "\n")
		hs := Hunks([]byte(tc.old), []byte(tc.new))
		var out []string
		at := 1
		for _, h := range hs {
			out = append(out, old[at-1:h.OldStart-1]...)
			out = append(out, h.NewLines...)
			at = h.OldStart + h.OldLen
		}
		out = append(out, old[at-1:]...)
		if got := strings.Join(out, ""); got != tc.new {
			t.Errorf("%q → %q: hunks give %q", tc.old, tc.new, got)
		}
		for i, line := range strings.SplitAfter(tc.new, "\n") {
			if line == "" {
				continue
			}
			if o, ok := UnchangedLine(hs, i+1); ok && old[o-1] != line {
				t.Errorf("%q → %q: new line %d (%q) maps to old line %d (%q)", tc.old, tc.new, i+1, line, o, old[o-1])
			}
		}
	}
}
