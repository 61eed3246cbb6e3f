package rewrite

import (
	"bufio"
	"bytes"
	"go/token"
	"go/types"
	"os"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/tools/go/gcexportdata"
)

// The loader reads export data from the compiler's archive, as go list -export names it through
// Go 1.27, and from a file of export data alone, as it names it from Go 1.28.
func TestExportData(t *testing.T) {
	out, err := exec.Command("go", "list", "-export", "-f", "{{.Export}}", "errors").Output()
	if err != nil {
		t.Fatal(err)
	}
	archive := strings.TrimSpace(string(out))
	b, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	read := func(what string, b []byte) *types.Package {
		t.Helper()
		r, err := exportData(bufio.NewReader(bytes.NewReader(b)))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		p, err := gcexportdata.Read(r, token.NewFileSet(), map[string]*types.Package{}, "errors")
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if p.Scope().Lookup("New") == nil {
			t.Fatalf("%s: errors.New is missing", what)
		}
		return p
	}
	if !bytes.HasPrefix(b, []byte("!<arch>\n")) {
		t.Logf("%s is not an archive: this go command writes export data alone", archive)
	}
	p := read("go list -export", b)
	var alone bytes.Buffer
	if err := gcexportdata.Write(&alone, token.NewFileSet(), p); err != nil {
		t.Fatal(err)
	}
	read("export data alone", alone.Bytes())
}
