package rewrite

import (
	"bytes"
	"context"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
	"github.com/dave/dst/decorator/resolver/gotypes"
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

// loadTargets loads the packages that patterns match, with their tests, as the go command would in dir.
// Packages outside the main module are left out. All loads share one FileSet, so that a position
// names one file across reloads and packages.
func loadTargets(ctx context.Context, dir string, patterns []string, g goTool, fset *token.FileSet) ([]*target, error) {
	g.dir = dir
	ts, _, _, err := newLoader(g, fset).load(ctx, g, patterns, false)
	return ts, err
}

// pass builds the rule's view of a loaded target.
func (t *target) pass(fset *token.FileSet, diags *Diagnostics) *Pass {
	p := &Pass{Pkg: t.pkg, Fset: fset, Info: t.pkg.TypesInfo, Types: t.pkg.Types, Sizes: t.pkg.TypesSizes, Diags: diags}
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
	var buf bytes.Buffer
	r := decorator.NewRestorerWithImports(t.pkg.PkgPath, importNames(t.pkg.Types))
	if err := r.Fprint(&buf, f); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
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
