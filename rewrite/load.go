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
type decoration struct {
	targets []*target
	fset    *token.FileSet
	decs    map[*target]*decorator.Decorator
	files   map[*ast.File]*dst.File
	owner   map[*ast.File]*target
	order   []*ast.File
	base    map[*ast.File][]byte // each file as rendered before the fix
	renders *sync.Map            // *ast.File → its rendering before any fix, shared by decorations
}

func newDecoration(targets []*target, fset *token.FileSet, renders *sync.Map) *decoration {
	if renders == nil {
		renders = &sync.Map{}
	}
	return &decoration{
		targets: targets,
		fset:    fset,
		decs:    map[*target]*decorator.Decorator{},
		files:   map[*ast.File]*dst.File{},
		owner:   map[*ast.File]*target{},
		base:    map[*ast.File][]byte{},
		renders: renders,
	}
}

func (d *decoration) node(n ast.Node) (dst.Node, error) {
	t, f := d.fileOf(n.Pos())
	if f == nil {
		return nil, fmt.Errorf("position %v is in no loaded file", d.fset.Position(n.Pos()))
	}
	dec := d.decs[t]
	if dec == nil {
		dec = decorator.NewDecoratorWithImports(d.fset, t.pkg.PkgPath, gotypes.New(t.pkg.TypesInfo.Uses))
		d.decs[t] = dec
	}
	if _, ok := d.files[f]; !ok {
		df, err := dec.DecorateFile(f)
		if err != nil {
			return nil, err
		}
		d.files[f], d.owner[f] = df, t
		d.order = append(d.order, f)
		if b, ok := d.renders.Load(f); ok {
			d.base[f] = b.([]byte)
		} else {
			b, err := d.render(t, df)
			if err != nil {
				return nil, err
			}
			d.base[f] = b
			d.renders.Store(f, b)
		}
	}
	dn, ok := dec.Dst.Nodes[n]
	if !ok {
		return nil, fmt.Errorf("node at %v was not decorated", d.fset.Position(n.Pos()))
	}
	return dn, nil
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
