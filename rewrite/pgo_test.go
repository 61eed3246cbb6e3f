package rewrite

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestChoosePGO(t *testing.T) {
	dir := t.TempDir()
	mk := func(name, pkg string, pgo bool) *listedPackage {
		d := filepath.Join(dir, name)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if pgo {
			if err := os.WriteFile(filepath.Join(d, "default.pgo"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return &listedPackage{ImportPath: "example.com/m/" + name, Dir: d, Name: pkg}
	}
	lib := mk("lib", "lib", true) // a default.pgo beside a library is not go build's
	app := mk("app", "main", true)
	tool := mk("tool", "main", false)
	other := mk("other", "main", true)

	for _, c := range []struct {
		name      string
		opts      Options
		targets   []*listedPackage
		file      string
		noteHas   string
		errPrefix string
	}{
		{"none", Options{}, []*listedPackage{lib, tool}, "", "", ""},
		{"one main", Options{}, []*listedPackage{lib, app, tool}, filepath.Join(app.Dir, "default.pgo"), "", ""},
		{"ambiguous", Options{}, []*listedPackage{app, other}, PGOOff, "several main packages have a default.pgo", ""},
		{"off", Options{PGO: PGOOff}, []*listedPackage{app}, PGOOff, "", ""},
		{"explicit, relative to Dir", Options{Dir: dir, PGO: "lib/default.pgo"}, []*listedPackage{app}, filepath.Join(lib.Dir, "default.pgo"), "", ""},
		{"explicit, missing", Options{Dir: dir, PGO: "nosuch.pgo"}, nil, "", "", "-pgo: "},
	} {
		file, note, err := choosePGO(c.opts, mainDirs(c.targets))
		if c.errPrefix != "" {
			if err == nil || !strings.HasPrefix(err.Error(), c.errPrefix) {
				t.Errorf("%s: err %v, want %q", c.name, err, c.errPrefix)
			}
			continue
		}
		if err != nil || file != c.file || !strings.Contains(note, c.noteHas) || (c.noteHas == "") != (note == "") {
			t.Errorf("%s: choosePGO = %q, %q, %v; want %q and a note with %q", c.name, file, note, err, c.file, c.noteHas)
		}
	}
}

func TestPGOFlags(t *testing.T) {
	g := goTool{pgo: "/my profiles/cpu.pprof"}
	if got, want := g.pgoCompileFlag(), ` -pgoprofile='/my profiles/cpu.pprof'`; got != want {
		t.Errorf("pgoCompileFlag = %q, want %q", got, want)
	}
	if got := (goTool{pgo: PGOOff}).pgoFlag(); len(got) != 1 || got[0] != "-pgo=off" {
		t.Errorf("pgoFlag for off = %q", got)
	}
	if got := (goTool{pgo: PGOOff}).pgoListFlags(); got != nil {
		t.Errorf("pgoListFlags for off = %q", got)
	}
	if got := (goTool{}).pgoFlag(); got != nil {
		t.Errorf("pgoFlag without a profile = %q", got)
	}
}

// The compiler's copy of a profile is named by its content: the same content, the same name; a
// profile rewritten in place, a new one.
func TestPGOContentCopy(t *testing.T) {
	dir := t.TempDir()
	prof := filepath.Join(dir, "default.pgo")
	if err := os.WriteFile(prof, []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := pgoContentCopy(prof, filepath.Join(dir, "cache"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := pgoContentCopy(prof, filepath.Join(dir, "cache"))
	if err != nil || a != b {
		t.Fatalf("same content: %q, %q (%v)", a, b, err)
	}
	if err := os.WriteFile(prof, []byte("two"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := pgoContentCopy(prof, filepath.Join(dir, "cache"))
	if err != nil || c == a {
		t.Fatalf("rewritten profile kept the name %q (%v)", c, err)
	}
	if got, _ := os.ReadFile(c); string(got) != "two" {
		t.Errorf("copy holds %q", got)
	}
}
