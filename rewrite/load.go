package rewrite

import (
	"bytes"
	"context"
	"fmt"
	"go/ast"
	"go/format"
	"go/printer"
	"go/token"
	"go/types"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
	"github.com/dave/dst/decorator/resolver/gotypes"
	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/rule"
	"golang.org/x/tools/go/packages"
)

// target is one package of the main module that gcfix may rewrite.
type target struct {
	path   string
	dir    string
	pkg    *packages.Package // its own files and its internal tests (_test.go of the same package), typed
	errors []string          // load, parse and type errors
	meta   *listedPackage
}

// diagnosedTargets loads the packages that patterns match in dir as Run does, for check and
// explain (listDiagnosed, then finish). full keeps every diagnostic, escape flows included. done
// removes the profile's temporary copy; used says which profile the compiles were given.
func diagnosedTargets(ctx context.Context, tool goTool, dir, root string, patterns []string, fset *token.FileSet, pgo, cache string, full bool) (targets []*target, diags *diag.Diagnostics, broken map[string]string, used pgoUsed, done func(), err error) {
	inDir := tool
	inDir.dir = dir
	ld, ls, note, done, err := listDiagnosed(ctx, tool, &inDir, fset, patterns, pgo, cache, nil)
	defer func() { ls.close() }()
	if err != nil {
		return nil, nil, nil, pgoUsed{}, done, err
	}
	ls.full = full
	targets, diags, broken, err = ld.finish(ctx, inDir, ls)
	return targets, diags, broken, pgoUsed{file: inDir.pgo, summary: pgoSummary(root, inDir.pgo, note)}, done, err
}

// pgoUsed is the PGO profile that the compiles of diagnosedTargets were given.
type pgoUsed struct {
	file    string // its absolute path; "" or PGOOff for none
	summary string // which profile, or why none, as Report.PGOSummary says
}

// listDiagnosed lists the packages that patterns match where in runs the go command (in.dir) and
// compiles them with -m=2; when the main packages it lists choose a PGO profile (usePGO, which
// sets in's profile), a second listing compiles them with it. tool is the go command in the module
// root. done removes the profile's temporary copy; the listing is ls.close's to remove.
func listDiagnosed(ctx context.Context, tool goTool, in *goTool, fset *token.FileSet, patterns []string, pgo, cache string, progress func(n int, last string)) (ld *loader, ls *listing, note string, done func(), err error) {
	done = func() {}
	loadErr := func(err error) error { return fmt.Errorf("loading %s: %v", strings.Join(patterns, " "), err) }
	ld = newLoader(tool, fset)
	if ls, err = ld.list(ctx, *in, patterns, true, progress); err != nil {
		return ld, ls, "", done, loadErr(err)
	}
	if note, done, err = in.usePGO(pgo, in.dir, cache, ls.metas); err != nil {
		return ld, ls, "", done, err
	}
	if in.pgo != "" && in.pgo != PGOOff {
		// PGO changes inlining: the diagnostics are those of a compile with the profile.
		ls.close()
		ld = newLoader(tool, fset)
		if ls, err = ld.list(ctx, *in, patterns, true, progress); err != nil {
			return ld, ls, note, done, loadErr(err)
		}
	}
	return ld, ls, note, done, nil
}

// pass builds the rule's view of a loaded target.
func (t *target) pass(fset *token.FileSet, diags *diag.Diagnostics) *rule.Pass {
	p := &rule.Pass{Fset: fset, Info: t.pkg.TypesInfo, Types: t.pkg.Types, Sizes: t.pkg.TypesSizes, Diags: diags}
	for _, f := range t.pkg.Syntax {
		name := fset.File(f.Pos()).Name()
		if ast.IsGenerated(f) || filepath.Dir(name) != t.dir {
			continue
		}
		p.Files = append(p.Files, f)
	}
	return p
}

// decoration holds the dst form of the files that one candidate's Fix asks for, in any loaded package.
// Each file is decorated once (decorating is the costly part) and shared through a decorCache; a
// decoration works on its own copy, so that a fix leaves nothing behind.
type decoration struct {
	targets []*target
	fset    *token.FileSet
	cache   *decorCache
	files   map[*ast.File]*dst.File
	copies  map[*ast.File]map[dst.Node]dst.Node // the shared decoration's node → this decoration's copy
	owner   map[*ast.File]*target
	order   []*ast.File
	base    map[*ast.File][]byte // each file as rendered before the fix
}

// decorCache holds, per loaded file, its shared decoration and its rendering before any fix.
type decorCache struct {
	decorated sync.Map // *ast.File → *decorated
	renders   sync.Map // *ast.File → []byte
}

// forget drops the entries of files that a reload replaced.
func (c *decorCache) forget(files []*ast.File) {
	for _, f := range files {
		c.decorated.Delete(f)
		c.renders.Delete(f)
	}
}

// decorated is one file decorated once: dec maps its ast nodes to the nodes of file. Neither is
// changed after it is made.
type decorated struct {
	once sync.Once
	dec  *decorator.Decorator
	file *dst.File
	err  error
}

func newDecoration(targets []*target, fset *token.FileSet, cache *decorCache) *decoration {
	if cache == nil {
		cache = &decorCache{}
	}
	return &decoration{
		targets: targets,
		fset:    fset,
		cache:   cache,
		files:   map[*ast.File]*dst.File{},
		copies:  map[*ast.File]map[dst.Node]dst.Node{},
		owner:   map[*ast.File]*target{},
		base:    map[*ast.File][]byte{},
	}
}

func (d *decoration) node(n ast.Node) (dst.Node, error) {
	t, f := d.fileOf(n.Pos())
	if f == nil {
		return nil, fmt.Errorf("position %v is in no loaded file", d.fset.Position(n.Pos()))
	}
	v, _ := d.cache.decorated.LoadOrStore(f, &decorated{})
	shared := v.(*decorated)
	shared.once.Do(func() {
		shared.dec = decorator.NewDecoratorWithImports(d.fset, t.pkg.PkgPath, gotypes.New(t.pkg.TypesInfo.Uses))
		shared.file, shared.err = shared.dec.DecorateFile(f)
	})
	if shared.err != nil {
		return nil, shared.err
	}
	if _, ok := d.files[f]; !ok {
		df, copies := copyFile(shared.file)
		d.files[f], d.copies[f], d.owner[f] = df, copies, t
		d.order = append(d.order, f)
		if b, ok := d.cache.renders.Load(f); ok {
			d.base[f] = b.([]byte)
		} else {
			b, err := d.render(t, df)
			if err != nil {
				return nil, err
			}
			d.base[f] = b
			d.cache.renders.Store(f, b)
		}
	}
	dn, ok := shared.dec.Dst.Nodes[n]
	if !ok {
		return nil, fmt.Errorf("node at %v was not decorated", d.fset.Position(n.Pos()))
	}
	return d.copies[f][dn], nil
}

// copyFile returns a deep copy of f and the map from each node of f to its copy. dst.Clone leaves
// objects and scopes out (nothing here uses them) and copies the import specs a second time: the
// copy's Imports are pointed back at the specs in its declarations.
func copyFile(f *dst.File) (*dst.File, map[dst.Node]dst.Node) {
	c := dst.Clone(f).(*dst.File)
	var from, to []dst.Node
	dst.Inspect(f, func(n dst.Node) bool {
		if n != nil {
			from = append(from, n)
		}
		return true
	})
	dst.Inspect(c, func(n dst.Node) bool {
		if n != nil {
			to = append(to, n)
		}
		return true
	})
	if len(from) != len(to) {
		panic(fmt.Sprintf("gcfix: a copy of a decorated file has %d nodes, the file %d", len(to), len(from)))
	}
	m := make(map[dst.Node]dst.Node, len(from))
	for i, n := range from {
		m[n] = to[i]
	}
	for i, spec := range f.Imports {
		if cs, ok := m[spec].(*dst.ImportSpec); ok {
			c.Imports[i] = cs
		}
	}
	return c, m
}

func (d *decoration) fileOf(pos token.Pos) (*target, *ast.File) {
	for _, t := range d.targets {
		for _, f := range t.pkg.Syntax {
			if f.FileStart <= pos && pos <= f.FileEnd {
				return t, f
			}
		}
	}
	return nil, nil
}

func (d *decoration) render(t *target, f *dst.File) ([]byte, error) {
	return renderFile(decorator.NewRestorerWithImports(t.pkg.PkgPath, importNames(t.pkg.Types)), f)
}

// renderFile prints f as gofmt does, as the restorer's Fprint would. Fprint formats with go/format,
// which prints a file with an import block, parses the text, sorts the imports and prints it again,
// whether or not they were sorted: rendering was half of gcfix's own CPU time on a large module.
// Here a file whose import blocks are already as ast.SortImports leaves them is printed once, with
// go/format's printer configuration; the others go through go/format.
func renderFile(r *decorator.Restorer, f *dst.File) ([]byte, error) {
	af, err := r.RestoreFile(f)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if importsSorted(r.Fset, af) {
		err = gofmtPrinter.Fprint(&buf, r.Fset, af)
	} else {
		err = format.Node(&buf, r.Fset, af)
	}
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// gofmtPrinter is go/format's printer configuration; 1<<30 is its private mode that writes number
// literals in canonical form (0x, not 0X). TestRenderAsGofmt checks that both print alike.
var gofmtPrinter = printer.Config{Mode: printer.UseSpaces | printer.TabIndent | printer.Mode(1<<30), Tabwidth: 8}

// importsSorted reports whether ast.SortImports would leave f as it is: in each import block, the
// runs of specs on successive lines are in strictly increasing order of path (nothing to sort or
// remove as a duplicate) and no blank line precedes the closing parenthesis.
func importsSorted(fset *token.FileSet, f *ast.File) bool {
	line := func(p token.Pos) int { return fset.PositionFor(p, false).Line }
	for _, d := range f.Decls {
		d, ok := d.(*ast.GenDecl)
		if !ok || d.Tok != token.IMPORT {
			break
		}
		if !d.Lparen.IsValid() {
			continue
		}
		for i := 1; i < len(d.Specs); i++ {
			if line(d.Specs[i].Pos()) > 1+line(d.Specs[i-1].End()) {
				continue // a new run
			}
			prev, err1 := strconv.Unquote(d.Specs[i-1].(*ast.ImportSpec).Path.Value)
			cur, err2 := strconv.Unquote(d.Specs[i].(*ast.ImportSpec).Path.Value)
			if err1 != nil || err2 != nil || prev >= cur {
				return false
			}
		}
		if n := len(d.Specs); n > 0 && line(d.Rparen) > line(d.Specs[n-1].Pos())+1 {
			return false
		}
	}
	return true
}

// changed renders the decorated files and returns those whose text the fix changed, by file name.
func (d *decoration) changed() (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, f := range d.order {
		b, err := d.render(d.owner[f], d.files[f])
		if err != nil {
			return nil, fmt.Errorf("render %s: %v", d.fset.File(f.Pos()).Name(), err)
		}
		if !bytes.Equal(b, d.base[f]) {
			out[d.fset.File(f.Pos()).Name()] = b
		}
	}
	return out, nil
}

// importNames resolves import paths to package names for the restorer, from the loaded package's
// import graph. dst's guessing resolver would name math/rand/v2 "v2" and break the build.
func importNames(pkg *types.Package) nameResolver {
	names := map[string]string{}
	var walk func(*types.Package)
	walk = func(p *types.Package) {
		if _, seen := names[p.Path()]; seen {
			return
		}
		names[p.Path()] = p.Name()
		for _, q := range p.Imports() {
			walk(q)
		}
	}
	walk(pkg)
	return nameResolver{names}
}

type nameResolver struct{ names map[string]string }

func (r nameResolver) ResolvePackage(p string) (string, error) {
	if n, ok := r.names[p]; ok {
		return n, nil
	}
	// Not imported anywhere in the graph: the last element names it, except a major-version suffix.
	base := path.Base(p)
	if len(base) > 1 && base[0] == 'v' && strings.Trim(base[1:], "0123456789") == "" && path.Dir(p) != "." {
		base = path.Base(path.Dir(p))
	}
	return strings.ReplaceAll(base, "-", "_"), nil
}
