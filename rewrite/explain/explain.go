// Package explain is gcfix explain: it compiles the package of one function with -m=2
// (rewrite.Load) and says why the function allocates, each heap allocation with the compiler's
// chain of reasons in plain words, its inlining verdict, and the rules that would address each
// allocation.
package explain

import (
	"context"
	"fmt"
	"go/ast"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/gcfix/gcfix/rewrite"
	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/report"
	"github.com/gcfix/gcfix/rewrite/rule"
)

// Options says which function `gcfix explain` looks at.
type Options struct {
	Dir   string // where to run, as the go command would
	Tags  string
	Rules []*rule.Rule // to name the rule that would address an allocation
	// Target is file:line (a line inside the function) or [pkgpath.]Func, where Func is named as the
	// compiler names it: F, T.M or (*T).M.
	Target string
	// PGO and Cache are rewrite.Options.PGO and rewrite.Options.Cache: the diagnostics are taken
	// with the profile that a run of gcfix over the target's package would use.
	PGO, Cache string
}

// Explanation is why one function allocates, in the compiler's words and in plain ones.
type Explanation struct {
	Package string       `json:"package"`
	Func    string       `json:"func"`
	File    string       `json:"file"` // relative to the module root
	Line    int          `json:"line"`
	Inline  string       `json:"inline"` // the inlining verdict, e.g. "cannot inline: cost 96 exceeds budget 80"
	Allocs  []Allocation `json:"allocations"`
	// PGO says which PGO profile the diagnostics were taken with, or why none was used; absent when
	// there was none to use.
	PGO string `json:"pgo,omitempty"`
}

// Allocation is one heap allocation site with the chain of reasons the compiler gives for it.
type Allocation struct {
	Pos     string   `json:"pos"`     // file:line:col, relative to the module root
	Message string   `json:"message"` // "buf escapes to heap", "moved to heap: buf"
	Steps   []string `json:"steps"`   // the escape flow in plain words, in the compiler's order
	Rules   []string `json:"rules"`   // gcfix rules that would address it, with what they would do
}

// Run compiles the package of the target function with -m=2 and explains its heap allocations.
func Run(ctx context.Context, opts Options) (*Explanation, error) {
	root, _, err := rewrite.ModuleRoot(ctx, opts.Dir)
	if err != nil {
		return nil, err
	}
	pattern, match, err := explainTarget(opts.Dir, opts.Target)
	if err != nil {
		return nil, err
	}
	loaded, err := rewrite.Load(ctx, root, rewrite.LoadOptions{Dir: opts.Dir, Tags: opts.Tags, Patterns: []string{pattern}, PGO: opts.PGO, Cache: opts.Cache})
	if err != nil {
		return nil, err
	}
	if len(loaded.Packages) != 1 {
		return nil, fmt.Errorf("%s: found %d packages, want one", opts.Target, len(loaded.Packages))
	}
	t := loaded.Packages[0]
	if len(t.Errors) > 0 {
		return nil, fmt.Errorf("%s: %s", t.Path, strings.Join(t.Errors, "\n"))
	}
	if t.Broken != "" {
		return nil, fmt.Errorf("%s does not build:\n%s", t.Path, t.Broken)
	}
	if l := t.Pass.Diags.Lost[t.Path]; l != nil {
		return nil, fmt.Errorf("%s: %s", t.Path, l)
	}
	pass := t.Pass
	pass.Module = []*rule.Pass{pass}
	fd := findFunc(pass, match)
	if fd == nil {
		return nil, fmt.Errorf("%s: no such function in %s", opts.Target, t.Path)
	}
	x := explainFunc(pass, root, fd, opts.Rules)
	x.PGO = loaded.PGOSummary
	return x, nil
}

// explainTarget turns the target into a package pattern and a function matcher.
func explainTarget(dir, target string) (pattern string, match func(p *rule.Pass, fd *ast.FuncDecl) bool, err error) {
	if file, line, ok := strings.Cut(target, ":"); ok && strings.HasSuffix(file, ".go") {
		n, err := strconv.Atoi(line)
		if err != nil {
			return "", nil, fmt.Errorf("%s: want file.go:line", target)
		}
		abs := file
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(dir, file)
		}
		abs, err = filepath.Abs(abs)
		if err != nil {
			return "", nil, err
		}
		if _, err := os.Stat(abs); err != nil {
			return "", nil, err
		}
		// The pattern is relative to where the go command runs: -gcflags matches a package by a
		// relative directory, never an absolute one.
		pattern = filepath.Dir(abs)
		base, err := filepath.Abs(dir)
		if err != nil {
			return "", nil, err
		}
		if rel, err := filepath.Rel(base, pattern); err == nil {
			pattern = filepath.ToSlash(rel)
			if pattern != "." && pattern != ".." && !strings.HasPrefix(pattern, "../") {
				pattern = "./" + pattern
			}
		}
		return pattern, func(p *rule.Pass, fd *ast.FuncDecl) bool {
			from, to := p.Position(fd.Pos()), p.Position(fd.End())
			return from.Filename == abs && from.Line <= n && n <= to.Line
		}, nil
	}
	pkg, fn := ".", target
	if i := strings.LastIndex(target, "."); i > 0 && !strings.HasSuffix(target[:i], ")") && !strings.Contains(target[:i], "(") {
		// pkg.Func, or T.M in the current package: a package path has a slash or no upper-case start.
		head := target[:i]
		if strings.Contains(head, "/") || !isUpper(head) {
			pkg, fn = head, target[i+1:]
		}
	} else if i := strings.Index(target, ".("); i > 0 {
		pkg, fn = target[:i], target[i+1:]
	}
	return pkg, func(p *rule.Pass, fd *ast.FuncDecl) bool { return diag.FuncName(fd) == fn }, nil
}

func isUpper(s string) bool { return s != "" && s[0] >= 'A' && s[0] <= 'Z' }

func findFunc(p *rule.Pass, match func(*rule.Pass, *ast.FuncDecl) bool) *ast.FuncDecl {
	for _, f := range p.Files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && match(p, fd) {
				return fd
			}
		}
	}
	return nil
}

func explainFunc(p *rule.Pass, root string, fd *ast.FuncDecl, rules []*rule.Rule) *Explanation {
	name := diag.FuncName(fd)
	from, to := p.Position(fd.Pos()), p.Position(fd.End())
	x := &Explanation{Package: p.Types.Path(), Func: name, File: report.RelPath(root, from.Filename), Line: from.Line}
	if d, ok := p.Diags.Inline(from.Filename, name); ok {
		if d.Kind == diag.CanInline {
			x.Inline = fmt.Sprintf("can inline: cost %d, budget 80", d.Cost)
		} else {
			x.Inline = "cannot inline: " + d.Reason
		}
	} else {
		x.Inline = "the compiler said nothing about inlining it"
	}
	// The rules' candidates in this function, by the positions of their evidence.
	byPos := map[string][]string{}
	for _, r := range rules {
		for _, c := range r.Match(p) {
			if c.Func != fd {
				continue
			}
			what := r.Name + ": " + c.Summary
			if c.Decline != "" {
				what = r.Name + " declines: " + c.Decline
			}
			for _, d := range c.Evidence {
				k := fmt.Sprintf("%s:%d:%d", d.File, d.Line, d.Col)
				byPos[k] = append(byPos[k], what)
			}
		}
	}
	in := p.Diags.InLines(from.Filename, from.Line, to.Line)
	flows := map[string][]string{} // an escape's flow, by position and subject, for its moved-to-heap line
	for _, d := range in {
		if d.Kind == diag.Escapes {
			flows[fmt.Sprintf("%d:%d %s", d.Line, d.Col, d.Subject)] = d.Flow
		}
	}
	moved := map[string]bool{}
	for _, d := range in {
		if d.Kind == diag.MovedToHeap {
			moved[fmt.Sprintf("%d:%d %s", d.Line, d.Col, d.Subject)] = true
		}
	}
	for _, d := range in {
		key := fmt.Sprintf("%d:%d %s", d.Line, d.Col, d.Subject)
		if d.Kind != diag.MovedToHeap && (d.Kind != diag.Escapes || moved[key]) {
			continue // a variable moved to heap is reported once, by its "moved to heap" line
		}
		flow := d.Flow
		if d.Kind == diag.MovedToHeap {
			flow = flows[key]
		}
		a := Allocation{
			Pos:     fmt.Sprintf("%s:%d:%d", report.RelPath(root, d.File), d.Line, d.Col),
			Message: d.Message,
			Steps:   plainFlow(root, flow),
			Rules:   byPos[fmt.Sprintf("%s:%d:%d", d.File, d.Line, d.Col)],
		}
		x.Allocs = append(x.Allocs, a)
	}
	return x
}

var (
	reFlowFrom = regexp.MustCompile(`^from (.*) \(([^()]*)\) at (\S+)$`)
	reFlowHead = regexp.MustCompile(`^flow: (.*) ← (.*):$`)
)

// reasons says in words what the compiler's flow labels mean.
var reasons = map[string]string{
	"spill":                  "is stored in memory",
	"address-of":             "has its address taken",
	"assign":                 "is assigned",
	"assign-pair":            "is assigned",
	"call parameter":         "is passed to a function that keeps it",
	"call receiver":          "is the receiver of a method that keeps it",
	"interface-converted":    "is converted to an interface",
	"slice-literal-element":  "is put in a slice literal (the variadic arguments of the call)",
	"array-literal-element":  "is put in an array literal",
	"struct literal element": "is put in a struct literal",
	"map-literal key":        "is a key of a map literal",
	"map-literal value":      "is a value of a map literal",
	"return":                 "is returned",
	"captured by a closure":  "is captured by a closure",
	"closure":                "is part of a closure",
	"defer func":             "is used by a deferred call",
	"go func":                "is used by a goroutine",
	"dot-equals":             "is stored through a field",
	"star-dot-equals":        "is stored through a pointer",
	"star-equals":            "is stored through a pointer",
	"range":                  "is ranged over",
	"range-deref":            "is ranged over",
	"switch case":            "is a switch case value",
	"copied":                 "is copied",
	"key of map put":         "is stored as a map key",
	"value of map put":       "is stored as a map value",
	"too large for stack":    "is too large for the stack",
	"non-constant size":      "has a size the compiler cannot know",
}

// plainFlow turns the compiler's flow lines into steps: "a.go:9:30: a is stored in memory".
func plainFlow(root string, flow []string) []string {
	var out []string
	for _, l := range flow {
		if m := reFlowHead.FindStringSubmatch(l); m != nil {
			out = append(out, fmt.Sprintf("%s flows to %s", m[2], m[1]))
			continue
		}
		m := reFlowFrom.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		what, why, at := m[1], m[2], m[3]
		if r, ok := reasons[why]; ok {
			why = r
		} else {
			why = "(" + why + ")"
		}
		if filepath.IsAbs(at) { // as the parser resolved it
			at = report.RelPath(root, at)
		}
		out = append(out, fmt.Sprintf("  %s: %s %s", at, what, why))
	}
	return out
}
