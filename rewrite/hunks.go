package rewrite

import (
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/diff"
)

// hunk is one changed run of lines: old lines [oldStart, oldStart+oldLen) become newLines, which
// start at line newStart of the new text. Lines count from 1.
type hunk struct {
	oldStart, oldLen int
	newStart         int
	newLines         []string // each with its "\n"
}

// lineHunks returns the changed runs of lines between old and new, from a line diff.
func lineHunks(old, new []byte) []hunk {
	var out []hunk
	var cur *hunk
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
				cur = &hunk{oldStart: oi, newStart: ni}
			}
			cur.oldLen++
			oi++
		case '+':
			if cur == nil {
				cur = &hunk{oldStart: oi, newStart: ni}
			}
			cur.newLines = append(cur.newLines, line[1:])
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

// origLine maps line l of the text after the hunks back to the text before them. A line inside a
// changed run maps to the run's first old line.
func origLine(hs []hunk, l int) int {
	o, _ := unchangedLine(hs, l)
	return o
}

// unchangedLine maps line l of the text after the hunks to the text before them; false when the
// hunks changed it (then the first old line of its run is returned).
func unchangedLine(hs []hunk, l int) (int, bool) {
	delta := 0
	for _, h := range hs {
		if l < h.newStart {
			break
		}
		if l < h.newStart+len(h.newLines) {
			return h.oldStart, false
		}
		delta += len(h.newLines) - h.oldLen
	}
	return l - delta, true
}
