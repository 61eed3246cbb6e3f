package diag

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// PackageFiles holds the files of the packages whose -m text is read, by import path (absolute
// names).
//
// A build cache hit replays a compile's -m text as it was first printed, with file names relative to
// the directory of the run that compiled it, which may be any directory: a line is resolved among
// the files of the package whose "# import/path" header it is under, never against the current
// directory alone. A line can name a file of another package too: the shaped instance of a generic
// function is compiled, and its diagnostics printed, in a package that instantiates it, and code
// inlined from another package may be placed in that package's file (the standard library, named
// absolutely).
type PackageFiles map[string][]string

// A resolver finds the file that a name printed under a package header denotes.
type resolver struct {
	pkgs  PackageFiles
	dirs  []string
	owner map[string]string // file → the import path of its package
	// recorded is, per header package, the directory its text was printed in, as far as its own
	// lines tell: dir followed by ups unknown elements (a name "../../m/p/a.go" for /src/m/p/a.go
	// says /src, then two).
	recorded map[string]recordedDir
}

type recordedDir struct {
	dir string
	ups int
}

func newResolver(pkgs PackageFiles, dirs []string) *resolver {
	r := &resolver{pkgs: pkgs, dirs: dirs, owner: map[string]string{}, recorded: map[string]recordedDir{}}
	for pkg, files := range pkgs {
		for _, f := range files {
			r.owner[f] = pkg
		}
	}
	return r
}

// resolve returns the file that name, printed under pkg's header, denotes and the package that owns
// it: one of pkg's own files; else a file of another listed package (owner is that package) or of
// none (owner ""), found relative to the directory pkg's own lines were recorded in, to pkg's
// directory or one of its parents, as the only listed file whose path ends with name, or relative
// to one of dirs. ok is false when name denotes no file at all.
func (r *resolver) resolve(pkg, name string) (file, owner string, ok bool) {
	if f := findInPackage(r.pkgs[pkg], name); f != "" {
		if !filepath.IsAbs(name) {
			if _, seen := r.recorded[pkg]; !seen {
				rel := trimParents(name)
				r.recorded[pkg] = recordedDir{dir: strings.TrimSuffix(filepath.ToSlash(f), "/"+rel), ups: ups(name)}
			}
		}
		return f, pkg, true
	}
	if filepath.IsAbs(name) {
		name = filepath.Clean(name)
		if owner := r.owner[name]; owner != "" {
			return name, owner, true
		}
		return "", "", exists(name)
	}
	if rec, known := r.recorded[pkg]; known && ups(name) >= rec.ups {
		dir := rec.dir
		for range ups(name) - rec.ups {
			dir = filepath.Dir(dir)
		}
		f := filepath.Join(filepath.FromSlash(dir), trimParents(name))
		if owner := r.owner[f]; owner != "" {
			return f, owner, true
		}
		if exists(f) {
			return "", "", true
		}
	}
	// Before the package's own lines tell (the compiler sorts lines by file name: "../g/g.go"
	// comes before "./p.go"), the text was most likely recorded in the package's directory or
	// one of its parents (the module root, a directory given to -C).
	if files := r.pkgs[pkg]; len(files) > 0 {
		for dir := filepath.Dir(files[0]); ; dir = filepath.Dir(dir) {
			f := filepath.Join(dir, name)
			if owner := r.owner[f]; owner != "" {
				return f, owner, true
			}
			if exists(f) {
				return "", "", true
			}
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	if f, owner := r.bySuffix(name); f != "" {
		return f, owner, true
	}
	for _, d := range r.dirs {
		f := filepath.Join(d, name)
		if owner := r.owner[f]; owner != "" {
			return f, owner, true
		}
		if exists(f) {
			return "", "", true
		}
	}
	return "", "", false
}

// bySuffix returns the only listed file whose path ends with name (without its "../" elements).
func (r *resolver) bySuffix(name string) (file, owner string) {
	rel := "/" + trimParents(name)
	n := 0
	for f, pkg := range r.owner {
		if strings.HasSuffix(filepath.ToSlash(f), rel) {
			file, owner, n = f, pkg, n+1
		}
	}
	if n != 1 {
		return "", ""
	}
	return file, owner
}

// findInPackage returns the file of files that name, as the go command printed it, denotes: the
// file whose path ends with name once name's leading "./" and "../" are gone ("./demo.go",
// "demo/demo.go", "../../m/demo/demo.go" all denote /src/m/demo/demo.go). "" if none does.
func findInPackage(files []string, name string) string {
	if filepath.IsAbs(name) {
		if slices.Contains(files, filepath.Clean(name)) {
			return filepath.Clean(name)
		}
		return ""
	}
	rel := trimParents(name)
	found, n := "", 0
	for _, f := range files {
		if s := filepath.ToSlash(f); s == rel || strings.HasSuffix(s, "/"+rel) {
			found, n = f, n+1
		}
	}
	if n == 1 {
		return found
	}
	return ""
}

// trimParents returns name, slash-separated and cleaned, without its leading "../" elements.
func trimParents(name string) string {
	rel := filepath.ToSlash(filepath.Clean(name))
	for strings.HasPrefix(rel, "../") {
		rel = rel[len("../"):]
	}
	return rel
}

// ups counts the leading "../" elements of name, cleaned.
func ups(name string) int {
	rel := filepath.ToSlash(filepath.Clean(name))
	n := 0
	for strings.HasPrefix(rel, "../") {
		rel, n = rel[len("../"):], n+1
	}
	return n
}

func exists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}
