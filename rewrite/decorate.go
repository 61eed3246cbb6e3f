package rewrite

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/printer"
	"go/token"
	"go/types"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
	"github.com/dave/dst/decorator/resolver/gotypes"
)

// decoration holds the dst form of the files that one candidate's Fix asks for, in any loaded package.
// Each file is decorated once (decorating is the costly part) and shared through a decorCache; a
// decoration works on its own copies of the declarations that the fix reaches, so that a fix leaves
// nothing behind.
//
// A file whose fix reached one declaration is printed by that declaration alone and spliced into
// the file as printed before (splice); any other, as a whole.
type decoration struct {
	targets []*target
	fset    *token.FileSet
	cache   *decorCache
	files   map[*ast.File]*fileCopy
	order   []*ast.File
}

// decorCache holds, per loaded file, its shared decoration and its rendering before any fix.
type decorCache struct {
	decorated sync.Map // *ast.File → *decorated
}

// forget drops the entries of files that a reload replaced.
func (c *decorCache) forget(files []*ast.File) {
	for _, f := range files {
		c.decorated.Delete(f)
	}
}

// decorated is one file decorated once: dec maps its ast nodes to the nodes of file. Neither is
// changed after it is made: a fix works on clones of its declarations (fileCopy), and each print
// of the file restores a new file node with clones of its import declarations, which the restorer
// updates.
type decorated struct {
	once sync.Once
	dec  *decorator.Decorator
	file *dst.File
	err  error

	t     *target
	names nameResolver // the package names of its imports, for the restorer
	// The file as printed before any fix, and where each declaration is in it (splice).
	renderOnce sync.Once
	base       []byte
	baseErr    error
	regions    []declText       // by declaration; nil when the print's declarations do not match the file's
	uses       []map[string]int // by declaration: the packages it refers to (pathUses)
	// pieces holds, by declaration index, the declaration printed alone (*piece).
	pieces sync.Map
}

// fileCopy is one decoration's view of a file: the shared declarations, and clones of those that
// the fix reached.
type fileCopy struct {
	shared *decorated
	decls  []dst.Decl
	cloned []bool
	copies map[dst.Node]dst.Node // shared node → this decoration's clone
	file   *dst.File             // the file node's clone, once the fix reached outside the declarations
}

func newDecoration(targets []*target, fset *token.FileSet, cache *decorCache) *decoration {
	if cache == nil {
		cache = &decorCache{}
	}
	return &decoration{
		targets: targets,
		fset:    fset,
		cache:   cache,
		files:   map[*ast.File]*fileCopy{},
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
		shared.t, shared.names = t, importNames(t.pkg.Types)
		shared.dec = decorator.NewDecoratorWithImports(d.fset, t.pkg.PkgPath, gotypes.New(t.pkg.TypesInfo.Uses))
		shared.file, shared.err = shared.dec.DecorateFile(f)
	})
	if shared.err != nil {
		return nil, shared.err
	}
	fc, ok := d.files[f]
	if !ok {
		fc = &fileCopy{
			shared: shared,
			decls:  slices.Clone(shared.file.Decls),
			cloned: make([]bool, len(shared.file.Decls)),
			copies: map[dst.Node]dst.Node{},
		}
		d.files[f] = fc
		d.order = append(d.order, f)
		if _, err := shared.render(); err != nil {
			return nil, err
		}
	}
	dn, ok := shared.dec.Dst.Nodes[n]
	if !ok {
		return nil, fmt.Errorf("node at %v was not decorated", d.fset.Position(n.Pos()))
	}
	if k := declIndex(d.fset, f, n); k >= 0 {
		fc.clone(k)
	} else {
		fc.cloneAll()
	}
	return fc.copies[dn], nil
}

// declIndex returns the index of the declaration of f that holds n, with its doc comment; -1 for
// the file itself, its package clause, an import declaration and what lies between declarations.
func declIndex(fset *token.FileSet, f *ast.File, n ast.Node) int {
	if n == f {
		return -1
	}
	pos := n.Pos()
	for i, d := range f.Decls {
		from := d.Pos()
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Doc != nil {
				from = d.Doc.Pos()
			}
		case *ast.GenDecl:
			if d.Tok == token.IMPORT {
				continue
			}
			if d.Doc != nil {
				from = d.Doc.Pos()
			}
		}
		if from <= pos && pos < d.End() {
			return i
		}
	}
	return -1
}

// clone makes declaration k this decoration's own.
func (fc *fileCopy) clone(k int) {
	if fc.cloned[k] {
		return
	}
	c := dst.Clone(fc.shared.file.Decls[k]).(dst.Decl)
	mapClone(fc.copies, fc.shared.file.Decls[k], c)
	fc.decls[k], fc.cloned[k] = c, true
}

// cloneAll makes the whole file this decoration's own, the file node too.
func (fc *fileCopy) cloneAll() {
	for k := range fc.decls {
		fc.clone(k)
	}
	if fc.file == nil {
		fc.file = fileNode(fc.shared.file)
		mapClone(fc.copies, fc.shared.file.Name, fc.file.Name)
		fc.copies[fc.shared.file] = fc.file
		fc.file.Decls = fc.decls
		for _, spec := range fc.shared.file.Imports {
			if c, ok := fc.copies[spec].(*dst.ImportSpec); ok {
				fc.file.Imports = append(fc.file.Imports, c)
			}
		}
	}
}

// mapClone records, for each node of from, its counterpart in the clone to. dst.Clone leaves
// objects and scopes out (nothing here uses them).
func mapClone(m map[dst.Node]dst.Node, from, to dst.Node) {
	var a, b []dst.Node
	dst.Inspect(from, func(n dst.Node) bool {
		if n != nil {
			a = append(a, n)
		}
		return true
	})
	dst.Inspect(to, func(n dst.Node) bool {
		if n != nil {
			b = append(b, n)
		}
		return true
	})
	if len(a) != len(b) {
		panic(fmt.Sprintf("gcfix: a clone of a decorated node has %d nodes, the node %d", len(b), len(a)))
	}
	for i, n := range a {
		m[n] = b[i]
	}
}

// fileNode returns a clone of file f without its declarations.
func fileNode(f *dst.File) *dst.File {
	shell := *f
	shell.Decls, shell.Imports, shell.Scope, shell.Unresolved = nil, nil, nil, nil
	return dst.Clone(&shell).(*dst.File)
}

// withDecls returns a file node to restore with decls: file, or else a new clone of the shared
// file node, and clones of the import declarations, which the restorer updates.
func withDecls(shared, file *dst.File, decls []dst.Decl) *dst.File {
	if file == nil {
		file = fileNode(shared)
	}
	out := make([]dst.Decl, len(decls))
	for i, d := range decls {
		if gd, ok := d.(*dst.GenDecl); ok && gd.Tok == token.IMPORT {
			d = dst.Clone(gd).(dst.Decl)
		}
		out[i] = d
	}
	file.Decls = out
	return file
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
		fc := d.files[f]
		name := d.fset.File(f.Pos()).Name()
		base, err := fc.shared.render()
		if err != nil {
			return nil, fmt.Errorf("render %s: %v", name, err)
		}
		b, ok, err := fc.splice()
		if err == nil && !ok {
			decls := fc.decls
			if fc.file != nil {
				decls = fc.file.Decls // the fix may have added or removed declarations
			}
			b, err = renderFile(fc.shared.restorer(), withDecls(fc.shared.file, fc.file, decls))
		}
		if err != nil {
			return nil, fmt.Errorf("render %s: %v", name, err)
		}
		if !bytes.Equal(b, base) {
			out[name] = b
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
