package report

import (
	"bytes"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rogpeppe/go-internal/diff"
)

// FileChange is one file that kept rewrites change: its content as read and as rewritten.
type FileChange struct {
	Path     string // absolute
	Old, New []byte
	Create   bool // the file does not exist yet (Old is empty)
	Emitted  bool // a test file of -emit-tests, not a rewrite: written after the rewrites
}

// Diff returns a git-style diff of the changes, with names relative to root.
func Diff(root string, changes []*FileChange) string {
	sorted := append([]*FileChange(nil), changes...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Path < sorted[j].Path })
	var b strings.Builder
	for _, c := range sorted {
		rel := RelPath(root, c.Path)
		d := diff.Diff("a/"+rel, c.Old, "b/"+rel, c.New)
		if c.Create {
			// git apply creates a file from a diff against /dev/null.
			d = bytes.Replace(d, []byte("\n--- a/"+rel+"\n"), []byte("\nnew file mode 100644\n--- /dev/null\n"), 1)
		}
		b.Write(d)
	}
	return b.String()
}

// RelPath names file p relative to root, the module root, as reports do; a file outside root keeps
// its name.
func RelPath(root, p string) string {
	if r, err := filepath.Rel(root, p); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return p
}
