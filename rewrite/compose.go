package rewrite

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strings"

	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/linediff"
)

// Several candidates of one function can be confirmed by one compile when their rewrites change
// different lines. This file holds what that needs: the lines a rewrite changes (spans), a check
// that the rewrites made together on one decoration give exactly the text of each made alone
// (composes), and each candidate's own view of the diagnostics, with the lines that the others
// changed left out and the rest numbered as in its rewrite alone (views).

// span is a run of lines of one file that a rewrite changes, in half lines: line l is 2l, the gap
// before it (where a rewrite inserts lines) 2l-1.
type span struct {
	file     string
	from, to int
}

func overlaps(claimed map[string][]span, spans []span) bool {
	for _, s := range spans {
		for _, c := range claimed[s.file] {
			if s.from <= c.to && c.from <= s.to {
				return true
			}
		}
	}
	return false
}

// spans returns the lines a rewrite of file name from old to new changes. Changes to the import
// block do not count: the rewritten files are rendered together, and the renderer writes the
// imports that all of them need.
func spans(name string, old []byte, hunks []linediff.Hunk) []span {
	imports := importLines(old)
	if len(imports) == 0 {
		imports = [][2]int{{0, 0}}
	}
	var out []span
	for _, h := range hunks {
		last := h.OldStart + h.OldLen - 1
		if h.OldLen > 0 && allIn(imports, h.OldStart, last) {
			continue
		}
		if h.OldLen == 0 && h.OldStart <= imports[len(imports)-1][1]+2 && importish(h.NewLines) {
			continue // an import declaration added after the package clause or the last one
		}
		if h.OldLen == 0 {
			out = append(out, span{file: name, from: 2*h.OldStart - 1, to: 2*h.OldStart - 1})
			continue
		}
		out = append(out, span{file: name, from: 2 * h.OldStart, to: 2 * last})
	}
	return out
}

// importLines returns the line runs of src's package clause and import declarations.
func importLines(src []byte) [][2]int {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.ImportsOnly)
	if err != nil {
		return nil
	}
	out := [][2]int{{1, fset.Position(f.Name.End()).Line}}
	for _, d := range f.Decls {
		if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.IMPORT {
			out = append(out, [2]int{fset.Position(gd.Pos()).Line, fset.Position(gd.End()).Line})
		}
	}
	return out
}

func allIn(runs [][2]int, from, to int) bool {
	for l := from; l <= to; l++ {
		if !slices.ContainsFunc(runs, func(r [2]int) bool { return l >= r[0] && l <= r[1] }) {
			return false
		}
	}
	return true
}

// importish reports whether added lines are only an import declaration or its specs.
func importish(lines []string) bool {
	for _, l := range lines {
		l = strings.TrimSpace(l)
		switch {
		case l == "", l == "(", l == ")", strings.HasPrefix(l, "import "), strings.HasPrefix(l, "import("):
		case strings.HasSuffix(l, `"`) && strings.Count(l, `"`) == 2:
		default:
			return false
		}
	}
	return true
}

// bodyLines returns src's lines without the package clause, the import declarations and blank
// lines: what must be equal when rewrites are composed.
func bodyLines(src []byte) []string {
	skip := importLines(src)
	var out []string
	for i, l := range strings.SplitAfter(string(src), "\n") {
		if strings.TrimSpace(l) == "" || allIn(skip, i+1, i+1) {
			continue
		}
		out = append(out, strings.TrimSuffix(l, "\n")+"\n")
	}
	return out
}

// composes reports whether combined, the file rewritten by several rewrites together, is old with
// each rewrite's own changes (alone: the file after that rewrite alone) applied, import
// declarations and blank lines aside. When it is not, the rewrites interfered (one replaced a node
// the other edited), and they cannot be confirmed together.
func composes(old, combined []byte, alone [][]byte) bool {
	base := bodyLines(old)
	type edit struct {
		from, to int // base lines [from, to) are replaced
		lines    []string
	}
	var edits []edit
	join := func(ls []string) []byte { return []byte(strings.Join(ls, "")) }
	for _, a := range alone {
		for _, h := range linediff.Hunks(join(base), join(bodyLines(a))) {
			edits = append(edits, edit{h.OldStart - 1, h.OldStart - 1 + h.OldLen, h.NewLines})
		}
	}
	slices.SortFunc(edits, func(a, b edit) int { return a.from - b.from })
	var out []string
	at := 0
	for _, ed := range edits {
		if ed.from < at {
			return false // two rewrites changed the same lines
		}
		out = append(out, base[at:ed.from]...)
		out = append(out, ed.lines...)
		at = ed.to
	}
	out = append(out, base[at:]...)
	return bytes.Equal(join(out), join(bodyLines(combined)))
}

// mapLines renumbers ds, diagnostics of text to, as lines of text from: a line that the change
// from → to touched is dropped, except for inlining verdicts, which are looked up by function
// name and keep the line of the change.
func mapLines(ds []diag.Diagnostic, from, to []byte) []diag.Diagnostic {
	hs := linediff.Hunks(from, to)
	out := make([]diag.Diagnostic, 0, len(ds))
	for _, d := range ds {
		l, ok := linediff.UnchangedLine(hs, d.Line)
		if !ok && d.Kind != diag.CanInline && d.Kind != diag.CannotInline {
			continue
		}
		d.Line = l
		out = append(out, d)
	}
	return out
}

// withoutLines drops ds's diagnostics on the lines for which drop is true, except inlining verdicts.
func withoutLines(ds []diag.Diagnostic, drop func(line int) bool) []diag.Diagnostic {
	out := make([]diag.Diagnostic, 0, len(ds))
	for _, d := range ds {
		if drop(d.Line) && d.Kind != diag.CanInline && d.Kind != diag.CannotInline {
			continue
		}
		out = append(out, d)
	}
	return out
}
