package rewrite

import (
	"bytes"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
	"github.com/gcfix/gcfix/rewrite/linediff"
)

// renderFile prints every file exactly as the restorer's Fprint (go/format) does: this module's
// files, a slice of the standard library, and files made to need go/format's import sorting.
func TestRenderAsGofmt(t *testing.T) {
	srcs := map[string][]byte{
		"unsorted.go":   []byte("package a\n\nimport (\n\t\"strings\"\n\t\"fmt\"\n)\n\nvar _ = fmt.Sprint\nvar _ = strings.Cut\n"),
		"duplicate.go":  []byte("package a\n\nimport (\n\t\"fmt\"\n\t\"fmt\"\n)\n\nvar _ = fmt.Sprint\n"),
		"blankparen.go": []byte("package a\n\nimport (\n\t\"fmt\"\n\n)\n\nvar _ = fmt.Sprint\n"),
		"runs.go":       []byte("package a\n\nimport (\n\t\"os\"\n\t\"strings\"\n\n\t\"fmt\" // later run\n)\n\nvar _ = fmt.Sprint\nvar _ = os.Exit\nvar _ = strings.Cut\n"),
		"named.go":      []byte("package a\n\nimport (\n\tf \"fmt\"\n\t. \"strings\"\n\t_ \"embed\"\n)\n\nvar _ = f.Sprint\nvar _ = Cut\n"),
		"numbers.go":    []byte("package a\n\nconst (\n\tA = 0XFF\n\tB = 0O17\n\tC = 1E9\n\tD = 0x1P-2\n\tE = 0B101\n)\n"),
		"single.go":     []byte("package a\n\nimport \"fmt\"\nimport \"errors\"\n\nvar _ = fmt.Sprint\nvar _ = errors.New\n"),
	}
	dirs := []string{".", "../rules", "../cmd/gcfix", "../fixtures"}
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"go/printer", "go/ast", "fmt", "strconv", "encoding/json"} {
		dirs = append(dirs, filepath.Join(strings.TrimSpace(string(goroot)), "src", d))
	}
	for _, d := range dirs {
		filepath.WalkDir(d, func(path string, de os.DirEntry, err error) error {
			if err != nil || de.IsDir() && strings.Contains(path, "testdata") {
				return filepath.SkipDir
			}
			if strings.HasSuffix(path, ".go") {
				if b, err := os.ReadFile(path); err == nil {
					srcs[path] = b
				}
			}
			return nil
		})
	}
	if len(srcs) < 200 {
		t.Fatalf("only %d files to render", len(srcs))
	}
	fast := 0
	for name, src := range srcs {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
		if err != nil {
			continue // a file that is not Go on purpose
		}
		df, err := decorator.NewDecorator(fset).DecorateFile(f)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// A rewrite's kind of change: a statement added at the top of each function body.
		dst.Inspect(df, func(n dst.Node) bool {
			if fd, ok := n.(*dst.FuncDecl); ok && fd.Body != nil {
				fd.Body.List = append([]dst.Stmt{&dst.ExprStmt{X: &dst.CallExpr{Fun: dst.NewIdent("println")}}}, fd.Body.List...)
			}
			return true
		})
		var want bytes.Buffer
		if err := decorator.NewRestorer().Fprint(&want, df); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		r := decorator.NewRestorer()
		got, err := renderFile(r, df)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%s: renderFile differs from go/format:\n%s", name, lineDiff(want.Bytes(), got))
		}
		r2 := decorator.NewRestorer()
		if af, err := r2.RestoreFile(df); err == nil && importsSorted(r2.Fset, af) {
			fast++
		}
	}
	// Most files take the one-print path; the made-up unsorted ones do not.
	if fast < len(srcs)/2 {
		t.Errorf("only %d of %d files printed once", fast, len(srcs))
	}
}

func lineDiff(a, b []byte) string {
	var out []string
	for _, h := range linediff.Hunks(a, b) {
		out = append(out, strings.Join(h.NewLines, ""))
	}
	return strings.Join(out, "---\n")
}
