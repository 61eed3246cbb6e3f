// Package linediff compares two versions of a file line by line: the runs of lines that differ
// (hunks), and where a line of the new version was in the old one. The engine uses it to tell
// which lines a rewrite changes and whether rewrites made together compose; the SARIF report, to
// place each kept rewrite's fix in the file as it was before any rewrite.
package linediff

import (
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/diff"
)

// A Hunk is one changed run of lines: old lines [OldStart, OldStart+OldLen) become NewLines, which
// start at line NewStart of the new text. Lines count from 1.
type Hunk struct {
	OldStart, OldLen int
	NewStart         int
	NewLines         []string // each with its "\n"
}

// Hunks returns the changed runs of lines between old and new, from a line diff.
func Hunks(old, new []byte) []Hunk {
	var out []Hunk
	var cur *Hunk
	flush := func() {
		if cur != nil {
			out = append(out, *cur)
			cur = nil
		}
	}
	oi, ni := 0, 0
	inHunks := false
	for _, line := range strings.SplitAfter(string(diff.Diff("a", old, "b", new)), "\n") {
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "@@ ") {
			flush()
			inHunks = true
			oi, ni = hunkStarts(line)
			continue
		}
		if !inHunks {
			continue // the file header
		}
		switch line[0] {
		case ' ':
			flush()
			oi++
			ni++
		case '-':
			if cur == nil {
				cur = &Hunk{OldStart: oi, NewStart: ni}
			}
			cur.OldLen++
			oi++
		case '+':
			if cur == nil {
				cur = &Hunk{OldStart: oi, NewStart: ni}
			}
			cur.NewLines = append(cur.NewLines, line[1:])
			ni++
		}
	}
	flush()
	return out
}

// hunkStarts parses "@@ -o,ol +n,nl @@" into the numbers of the first old and new lines it shows.
func hunkStarts(header string) (oldLine, newLine int) {
	f := strings.Fields(header)
	if len(f) < 3 {
		return 1, 1
	}
	return rangeStart(strings.TrimPrefix(f[1], "-")), rangeStart(strings.TrimPrefix(f[2], "+"))
}

func rangeStart(r string) int {
	start, length, hasLen := strings.Cut(r, ",")
	n, _ := strconv.Atoi(start)
	if hasLen && length == "0" {
		return n + 1 // an empty range names the line before it
	}
	return n
}

// OrigLine maps line l of the text after the hunks back to the text before them. A line inside a
// changed run maps to the run's first old line.
func OrigLine(hs []Hunk, l int) int {
	o, _ := UnchangedLine(hs, l)
	return o
}

// UnchangedLine maps line l of the text after the hunks to the text before them; false when the
// hunks changed it (then the first old line of its run is returned).
func UnchangedLine(hs []Hunk, l int) (int, bool) {
	delta := 0
	for _, h := range hs {
		if l < h.NewStart {
			break
		}
		if l < h.NewStart+len(h.NewLines) {
			return h.OldStart, false
		}
		delta += len(h.NewLines) - h.OldLen
	}
	return l - delta, true
}
