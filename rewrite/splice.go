package rewrite

import (
	"bytes"
	"go/parser"
	"go/token"
	"sync"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
)

// Printing a whole file for each candidate was most of the rewrites' own CPU on a large module
// (restoring and printing thousands of lines to change a few). A fix that reaches one declaration
// of a file, and leaves the file needing the same imports, is printed by that declaration alone,
// in a file of its own with the file's import declarations, and spliced into the file as printed
// before. The splice is taken only where it prints exactly what the whole file would: the
// declaration printed alone before the fix must be the very text it has in the printed file
// (the blank lines before it, the comments around it), and what follows it alone must not change.
// Anything else (two declarations, the file node, imports that change) prints the whole file.
// TestSpliceAsWholeFile checks both ways on this module's files and a slice of the standard library.

// declText is where a declaration is in a printed file: from the line after the one where the
// declaration before it (or the package clause) ends, through the line where it ends.
type declText struct{ from, to int }

// piece is a declaration of the shared file printed alone, before any fix.
type piece struct {
	once sync.Once
	tail []byte
	ok   bool // it prints as it does in the whole file
	err  error
}

// restorer returns the restorer that prints the file.
func (s *decorated) restorer() *decorator.Restorer {
	return decorator.NewRestorerWithImports(s.t.pkg.PkgPath, s.names)
}

// render prints the shared file once, as it was before any fix, and notes where each of its
// declarations is in the print and the imports each one needs.
func (s *decorated) render() ([]byte, error) {
	s.renderOnce.Do(func() {
		s.base, s.baseErr = renderFile(s.restorer(), withDecls(s.file, nil, s.file.Decls))
		if s.baseErr != nil {
			return
		}
		if texts := declTexts(s.base); len(texts) == len(s.file.Decls) {
			s.regions = texts
		}
		s.uses = make([]map[string]int, len(s.file.Decls))
		for i, d := range s.file.Decls {
			s.uses[i] = s.pathUses(d)
		}
	})
	return s.base, s.baseErr
}

// pathUses counts the identifiers of n that refer to another package, by its path: what the
// restorer's import update counts.
func (s *decorated) pathUses(n dst.Node) map[string]int {
	m := map[string]int{}
	dst.Inspect(n, func(n dst.Node) bool {
		if id, ok := n.(*dst.Ident); ok && id.Path != "" && id.Path != s.t.pkg.PkgPath {
			m[id.Path]++
		}
		return true
	})
	return m
}

// sameImports reports whether the file needs the same packages with declaration k using uses.
func (s *decorated) sameImports(k int, uses map[string]int) bool {
	for path := range s.uses[k] {
		if uses[path] == 0 && !s.usedElsewhere(k, path) {
			return false
		}
	}
	for path := range uses {
		if s.uses[k][path] == 0 && !s.usedElsewhere(k, path) {
			return false
		}
	}
	return true
}

// usedElsewhere reports whether a declaration other than k refers to package path.
func (s *decorated) usedElsewhere(k int, path string) bool {
	for i, u := range s.uses {
		if i != k && u[path] > 0 {
			return true
		}
	}
	return false
}

// declTexts parses a printed file and returns where its declarations are; nil when it does not
// parse.
func declTexts(src []byte) []declText {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.SkipObjectResolution)
	if err != nil {
		return nil
	}
	tf := fset.File(f.Pos())
	eol := func(p token.Pos) int {
		off := tf.Offset(p)
		if i := bytes.IndexByte(src[off:], '\n'); i >= 0 {
			return off + i + 1
		}
		return len(src)
	}
	out := make([]declText, len(f.Decls))
	prev := eol(f.Name.End())
	for i, d := range f.Decls {
		end := eol(d.End())
		out[i] = declText{prev, end}
		prev = end
	}
	return out
}

// printAlone prints decl in a file of its own with the file's import declarations, and returns
// its text and what follows it.
func (s *decorated) printAlone(decl dst.Decl) (text, tail []byte, err error) {
	var decls []dst.Decl
	for _, d := range s.file.Decls {
		if gd, ok := d.(*dst.GenDecl); ok && gd.Tok == token.IMPORT {
			decls = append(decls, d)
		}
	}
	b, err := renderFile(s.restorer(), withDecls(s.file, nil, append(decls, decl)))
	if err != nil {
		return nil, nil, err
	}
	texts := declTexts(b)
	if len(texts) == 0 {
		return nil, nil, nil
	}
	last := texts[len(texts)-1]
	return b[last.from:last.to], b[last.to:], nil
}

// piece returns declaration k printed alone before any fix.
func (s *decorated) piece(k int) *piece {
	v, _ := s.pieces.LoadOrStore(k, &piece{})
	p := v.(*piece)
	p.once.Do(func() {
		var text []byte
		text, p.tail, p.err = s.printAlone(s.file.Decls[k])
		r := s.regions[k]
		p.ok = p.err == nil && text != nil && bytes.Equal(text, s.base[r.from:r.to])
	})
	return p
}

// splice prints the file with the fix by its one changed declaration; ok is false when the file is
// to be printed whole.
func (fc *fileCopy) splice() (out []byte, ok bool, err error) {
	s := fc.shared
	if fc.file != nil || s.regions == nil {
		return nil, false, nil
	}
	k := -1
	for i, c := range fc.cloned {
		if c {
			if k >= 0 {
				return nil, false, nil
			}
			k = i
		}
	}
	if k < 0 {
		return s.base, true, nil
	}
	if gd, isGen := fc.decls[k].(*dst.GenDecl); isGen && gd.Tok == token.IMPORT {
		return nil, false, nil
	}
	if !s.sameImports(k, s.pathUses(fc.decls[k])) {
		return nil, false, nil
	}
	before := s.piece(k)
	if before.err != nil || !before.ok {
		return nil, false, before.err
	}
	text, tail, err := s.printAlone(fc.decls[k])
	if err != nil || text == nil || !bytes.Equal(tail, before.tail) {
		return nil, false, err
	}
	r := s.regions[k]
	out = make([]byte, 0, len(s.base)-(r.to-r.from)+len(text))
	out = append(append(append(out, s.base[:r.from]...), text...), s.base[r.to:]...)
	return out, true, nil
}
