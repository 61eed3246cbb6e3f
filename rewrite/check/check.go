// Package check is gcfix check, a CI gate for the compiler's verdicts: it compiles the packages once
// with -m=2 (rewrite.Load) and compares every function's inlining verdict and heap allocations with
// a baseline file, and enforces the //gcfix:inline and //gcfix:noescape directives. A baseline
// records the compiler that wrote it, so that a Go upgrade is told apart from a change of the code.
package check

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/gcfix/gcfix/rewrite"
	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/report"
	"github.com/gcfix/gcfix/rewrite/rule"
)

// DefaultBaseline is the name of the baseline file `gcfix check` reads, in the module root.
const DefaultBaseline = "gcfix.baseline"

// inlineBudget is the inliner's budget for a function (go1.26).
const inlineBudget = 80

// Directives that `gcfix check` enforces, written in a function's doc comment.
const (
	DirectiveInline   = "//gcfix:inline"   // the function must be inlinable
	DirectiveNoescape = "//gcfix:noescape" // nothing in the function may allocate on the heap
)

// Options says what `gcfix check` compares.
type Options struct {
	Dir      string // where to run, as the go command would
	Tags     string
	Patterns []string
	Baseline string // the baseline file; "" is gcfix.baseline in the module root
	Update   bool   // write the baseline instead of comparing with it
	// StrictToolchain fails on every difference from a baseline that another compiler wrote (another
	// Go version, GOOS/GOARCH or PGO profile); by default those differences are the compiler's and
	// do not fail.
	StrictToolchain bool
	// PGO and Cache are rewrite.Options.PGO and rewrite.Options.Cache: the diagnostics are taken
	// with the profile that a run of gcfix (and go build) would use.
	PGO, Cache string
}

// Result is what `gcfix check` found. A regression or a violation fails the check.
type Result struct {
	Baseline     string    // the baseline file's path
	PGO          string    // which PGO profile the diagnostics were taken with, or why none; "" for none to use
	NoBaseline   bool      // there is no baseline file (and no -update): only directives were checked
	Updated      bool      // the baseline was written
	Functions    int       // functions looked at
	Regressions  []Finding // against the baseline
	Violations   []Finding // of a //gcfix: directive
	Improvements []Finding // against the baseline
	Broken       []string  // packages that do not build: "pkg: error"
	// Unreadable lists the packages some of whose -m=2 lines name files gcfix cannot find ("pkg: N
	// diagnostics name files ..."): they are not compared, and -update keeps their old facts.
	Unreadable []string

	Toolchain Toolchain // the compiler of this check
	// BaselineToolchain is the compiler that wrote the baseline; zero when there is none or it does
	// not say (written before gcfix recorded it).
	BaselineToolchain Toolchain
	// CompilerChanges are the differences from a baseline that another compiler wrote
	// (ToolchainChanged), unless StrictToolchain: the compiler's, not the code's, so they do not
	// fail. Regressions and Improvements are empty then.
	CompilerChanges []Finding
	// OldVerdicts lists, after Update with another compiler than the baseline's, the packages whose
	// facts were kept because this run did not check them: they are still the other compiler's.
	OldVerdicts []string
}

// ToolchainChanged reports whether the baseline records a compiler other than this check's.
func (r *Result) ToolchainChanged() bool {
	return r.BaselineToolchain.Known() && r.BaselineToolchain != r.Toolchain
}

// ToolchainChange names what differs between the baseline's compiler and this check's:
// "go1.26.8 → go1.27.3".
func (r *Result) ToolchainChange() string {
	return toolchainChange(r.BaselineToolchain, r.Toolchain)
}

// CompilerSummary counts the compiler's changes per kind: "go1.26.8 → go1.27.3: 2 functions no
// longer inline, 9 new heap allocations (11 functions)".
func (r *Result) CompilerSummary() string {
	return r.ToolchainChange() + ": " + summarizeChanges(r.CompilerChanges)
}

// Failed reports whether the check fails.
func (r *Result) Failed() bool {
	return len(r.Regressions) > 0 || len(r.Violations) > 0 || len(r.Broken) > 0 || len(r.Unreadable) > 0
}

// Finding is one change or violation, at a position relative to the module root.
type Finding struct {
	Pos     string // file:line:col
	Package string
	Func    string
	What    string
	Change  Change
}

func (f Finding) String() string { return f.Pos + ": " + f.Func + ": " + f.What }

// Baseline holds the compiler's verdicts on each function of some packages: whether it inlines, at
// what cost, and its heap allocation sites. Entries are keyed by package, function and allocated
// expression, not by line, so that an edit elsewhere in a file does not change them.
type Baseline struct {
	// Toolchain is the compiler whose verdicts these are; zero in a baseline written before gcfix
	// recorded it.
	Toolchain Toolchain
	Funcs     []*FuncFacts // sorted by package, function
}

// FuncFacts is what the compiler decided about one function.
type FuncFacts struct {
	Package string
	Func    string // as the compiler names it: F, T.M, (*T).M
	Inline  Inlining
	Allocs  []AllocSite // sorted by kind, subject, ordinal

	pos        string           // where the function is declared (not in the file)
	directives []string         // its //gcfix: directives (not in the file)
	inlineDiag *diag.Diagnostic // the compiler's verdict (not in the file)
}

// Inlining is a function's inlining verdict.
type Inlining struct {
	Verdict string // "inline", "noinline" or "unknown" (the compiler said nothing)
	Cost    int    // for "inline"; for "noinline" when it is too complex, else 0
	Reason  string // for "noinline": the compiler's reason
}

// AllocSite is one heap allocation in a function: the Ordinal-th (from 1, in source order) escape of
// Subject, or variable Subject moved to the heap.
type AllocSite struct {
	Kind    string // "escapes" or "moved"
	Subject string // normalized: "&Vec3{...}", "buf"
	Ordinal int

	pos     string // file:line:col (not in the file)
	message string // the compiler's words (not in the file)
}

func (a AllocSite) key() string { return a.Kind + "\t" + a.Subject }

func (a AllocSite) describe() string {
	if a.message != "" {
		return a.message
	}
	if a.Kind == "moved" {
		return "moved to heap: " + a.Subject
	}
	return a.Subject + " escapes to heap"
}

const baselineHeader = "# gcfix check baseline: the compiler's inlining and heap allocation verdicts per function.\n" +
	"# Regenerate with `gcfix check -update`. Fields are tab-separated.\n"

// Format renders the baseline: a header that names the compiler, then one line per fact, sorted,
// so that diffs are clean.
func (b *Baseline) Format() []byte {
	b.sort()
	var sb strings.Builder
	sb.WriteString(baselineHeader)
	if b.Toolchain.Known() {
		sb.WriteString(toolchainPrefix + b.Toolchain.String() + "\n")
	}
	for _, f := range b.Funcs {
		fields := []string{f.Package, f.Func, f.Inline.Verdict}
		switch f.Inline.Verdict {
		case "inline":
			fields = append(fields, strconv.Itoa(f.Inline.Cost))
		case "noinline":
			fields = append(fields, strconv.Itoa(f.Inline.Cost), f.Inline.Reason)
		}
		sb.WriteString(strings.Join(fields, "\t") + "\n")
		for _, a := range f.Allocs {
			sb.WriteString(strings.Join([]string{f.Package, f.Func, "alloc", a.Kind, strconv.Itoa(a.Ordinal), a.Subject}, "\t") + "\n")
		}
	}
	return []byte(sb.String())
}

// ParseBaseline reads what Format wrote, and baselines without the compiler's line.
func ParseBaseline(r io.Reader) (*Baseline, error) {
	b := &Baseline{}
	byKey := map[string]*FuncFacts{}
	get := func(pkg, fn string) *FuncFacts {
		k := pkg + "\t" + fn
		f := byKey[k]
		if f == nil {
			f = &FuncFacts{Package: pkg, Func: fn, Inline: Inlining{Verdict: "unknown"}}
			byKey[k] = f
			b.Funcs = append(b.Funcs, f)
		}
		return f
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		bad := func() error { return fmt.Errorf("baseline line %d: malformed: %q", n, line) }
		if rest, ok := strings.CutPrefix(line, toolchainPrefix); ok {
			t, ok := parseToolchain(rest)
			if !ok || b.Toolchain.Known() {
				return nil, bad()
			}
			b.Toolchain = t
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fs := strings.Split(line, "\t")
		if len(fs) < 3 {
			return nil, bad()
		}
		f := get(fs[0], fs[1])
		var err error
		switch fs[2] {
		case "inline":
			if len(fs) != 4 {
				return nil, bad()
			}
			f.Inline = Inlining{Verdict: "inline"}
			f.Inline.Cost, err = strconv.Atoi(fs[3])
		case "noinline":
			if len(fs) != 5 {
				return nil, bad()
			}
			f.Inline = Inlining{Verdict: "noinline", Reason: fs[4]}
			f.Inline.Cost, err = strconv.Atoi(fs[3])
		case "unknown":
			if len(fs) != 3 {
				return nil, bad()
			}
		case "alloc":
			if len(fs) != 6 || (fs[3] != "escapes" && fs[3] != "moved") {
				return nil, bad()
			}
			a := AllocSite{Kind: fs[3], Subject: fs[5]}
			a.Ordinal, err = strconv.Atoi(fs[4])
			f.Allocs = append(f.Allocs, a)
		default:
			return nil, bad()
		}
		if err != nil {
			return nil, bad()
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	b.sort()
	return b, nil
}

func (b *Baseline) sort() {
	sort.SliceStable(b.Funcs, func(i, j int) bool {
		if b.Funcs[i].Package != b.Funcs[j].Package {
			return b.Funcs[i].Package < b.Funcs[j].Package
		}
		return b.Funcs[i].Func < b.Funcs[j].Func
	})
	for _, f := range b.Funcs {
		sort.SliceStable(f.Allocs, func(i, j int) bool {
			x, y := f.Allocs[i], f.Allocs[j]
			if x.Kind != y.Kind {
				return x.Kind < y.Kind
			}
			if x.Subject != y.Subject {
				return x.Subject < y.Subject
			}
			return x.Ordinal < y.Ordinal
		})
	}
}

// Run compiles the packages once with -m=2 and compares every function's verdicts with the
// baseline (or, with Update, writes them to it), and enforces the //gcfix: directives.
func Run(ctx context.Context, opts Options) (*Result, error) {
	root, _, err := rewrite.ModuleRoot(ctx, opts.Dir)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	old, err := res.readBaseline(opts, root)
	if err != nil {
		return nil, err
	}
	patterns := opts.Patterns
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	loaded, err := rewrite.Load(ctx, root, rewrite.LoadOptions{Dir: opts.Dir, Tags: opts.Tags, Patterns: patterns, PGO: opts.PGO, Cache: opts.Cache})
	if err != nil {
		return nil, err
	}
	res.PGO = loaded.PGOSummary
	if res.Toolchain, err = goToolchain(ctx, opts.Dir, loaded.PGO); err != nil {
		return nil, err
	}
	if old != nil {
		res.BaselineToolchain = old.Toolchain
	}
	var paths []string
	for _, p := range loaded.Packages {
		if len(p.Errors) > 0 {
			res.Broken = append(res.Broken, p.Path+": "+strings.Join(p.Errors, "\n"))
			continue
		}
		paths = append(paths, p.Path)
	}
	if len(paths) == 0 {
		if len(res.Broken) > 0 {
			return res, nil
		}
		return nil, fmt.Errorf("%s: no packages of the main module", strings.Join(patterns, " "))
	}
	cur, checked := res.verdicts(loaded, root)
	res.Functions = len(cur.Funcs)
	res.Violations = checkDirectives(cur)
	sortFindings(res.Violations)
	if opts.Update {
		if err := res.update(old, cur, checked); err != nil {
			return nil, err
		}
		return res, nil
	}
	if old != nil {
		res.compare(old, cur, checked, opts.StrictToolchain)
	}
	return res, nil
}

// readBaseline finds the baseline file (Options.Baseline, or gcfix.baseline in the module root)
// and reads it; nil when there is none.
func (res *Result) readBaseline(opts Options, root string) (*Baseline, error) {
	res.Baseline = opts.Baseline
	if res.Baseline == "" {
		res.Baseline = filepath.Join(root, DefaultBaseline)
	} else if !filepath.IsAbs(res.Baseline) && opts.Dir != "" {
		res.Baseline = filepath.Join(opts.Dir, res.Baseline)
	}
	data, err := os.ReadFile(res.Baseline)
	switch {
	case err == nil:
		old, err := ParseBaseline(strings.NewReader(string(data)))
		if err != nil {
			return nil, fmt.Errorf("%s: %v", res.Baseline, err)
		}
		return old, nil
	case !errors.Is(err, os.ErrNotExist):
		return nil, err
	case !opts.Update:
		res.NoBaseline = true
	}
	return nil, nil
}

// verdicts gathers the compiler's verdicts on the functions of the loaded packages that built and
// whose diagnostics gcfix can read (checked); the others are Broken or Unreadable.
func (res *Result) verdicts(loaded *rewrite.Loaded, root string) (cur *Baseline, checked map[string]bool) {
	cur = &Baseline{}
	checked = map[string]bool{}
	for _, p := range loaded.Packages {
		if len(p.Errors) > 0 {
			continue
		}
		if p.Broken != "" {
			res.Broken = append(res.Broken, p.Path+": "+p.Broken)
			continue
		}
		// A fact missing from the text would read as a regression or an improvement.
		if l := p.Pass.Diags.Lost[p.Path]; l != nil {
			res.Unreadable = append(res.Unreadable, p.Path+": "+l.String())
			continue
		}
		checked[p.Path] = true
		cur.Funcs = append(cur.Funcs, funcFacts(p.Pass, root)...)
	}
	cur.sort()
	return cur, checked
}

// update writes the baseline of the verdicts cur, with old's facts of the packages this run did not
// check.
func (res *Result) update(old, cur *Baseline, checked map[string]bool) error {
	next := &Baseline{Toolchain: res.Toolchain, Funcs: cur.Funcs}
	if old != nil {
		kept := map[string]bool{}
		for _, f := range old.Funcs {
			if !checked[f.Package] {
				next.Funcs = append(next.Funcs, f)
				kept[f.Package] = true
			}
		}
		if res.ToolchainChanged() {
			for p := range kept {
				res.OldVerdicts = append(res.OldVerdicts, p)
			}
			sort.Strings(res.OldVerdicts)
		}
	}
	if err := writeFileAtomic(res.Baseline, next.Format()); err != nil {
		return err
	}
	res.Updated = true
	return nil
}

// compare sets the differences between the baseline old and the current verdicts cur, for the
// packages checked: the code's regressions and improvements, or, when another compiler wrote the
// baseline and strict is false, the compiler's changes, which do not fail.
func (r *Result) compare(old, cur *Baseline, checked map[string]bool, strict bool) {
	r.BaselineToolchain = old.Toolchain
	regressions, improvements := compareBaseline(old, cur, checked)
	if r.ToolchainChanged() && !strict {
		r.CompilerChanges = append(regressions, improvements...)
		sortFindings(r.CompilerChanges)
		return
	}
	r.Regressions, r.Improvements = regressions, improvements
	sortFindings(r.Regressions)
	sortFindings(r.Improvements)
}

// sortFindings orders findings by file, line and column.
func sortFindings(fs []Finding) {
	type pos struct {
		file      string
		line, col int
	}
	parse := func(s string) pos {
		var p pos
		rest := s
		if i := strings.LastIndex(rest, ":"); i >= 0 {
			p.col, _ = strconv.Atoi(rest[i+1:])
			rest = rest[:i]
		}
		if i := strings.LastIndex(rest, ":"); i >= 0 {
			p.line, _ = strconv.Atoi(rest[i+1:])
			rest = rest[:i]
		}
		p.file = rest
		return p
	}
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := parse(fs[i].Pos), parse(fs[j].Pos)
		if a.file != b.file {
			return a.file < b.file
		}
		if a.line != b.line {
			return a.line < b.line
		}
		return a.col < b.col
	})
}

// funcFacts gathers the verdicts on every function declared in the package's non-test files.
func funcFacts(p *rule.Pass, root string) []*FuncFacts {
	var out []*FuncFacts
	for _, file := range p.Files {
		if p.IsTestFile(file) {
			continue
		}
		for _, d := range file.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			out = append(out, factsOf(p, root, fd))
		}
	}
	// A name may be declared more than once (init, _): key each by its order, as the compiler
	// names init functions (init.0, init.1).
	n := map[string]int{}
	for _, f := range out {
		n[f.Func]++
	}
	seen := map[string]int{}
	for _, f := range out {
		if name := f.Func; n[name] > 1 || name == "init" {
			f.Func = name + "." + strconv.Itoa(seen[name])
			seen[name]++
		}
	}
	return out
}

func factsOf(p *rule.Pass, root string, fd *ast.FuncDecl) *FuncFacts {
	name := diag.FuncName(fd)
	from, to := p.Position(fd.Pos()), p.Position(fd.End())
	nameAt := p.Position(fd.Name.Pos())
	f := &FuncFacts{
		Package: p.Types.Path(),
		Func:    name,
		Inline:  Inlining{Verdict: "unknown"},
		pos:     fmt.Sprintf("%s:%d:%d", report.RelPath(root, nameAt.Filename), nameAt.Line, nameAt.Column),
	}
	if fd.Doc != nil {
		for _, c := range fd.Doc.List {
			if t := strings.TrimSpace(c.Text); t == DirectiveInline || t == DirectiveNoescape {
				f.directives = append(f.directives, t)
			}
		}
	}
	if d, ok := p.Diags.Inline(from.Filename, name); ok {
		f.inlineDiag = &d
		if d.Kind == diag.CanInline {
			f.Inline = Inlining{Verdict: "inline", Cost: d.Cost}
		} else {
			f.Inline = Inlining{Verdict: "noinline", Cost: d.Cost, Reason: normalize(d.Reason)}
		}
	}
	// With -m=2 one escape may print twice at one position, under two names: the explanation's
	// header ("append(keep, v) escapes to heap in New:") and the verdict ("append escapes to heap").
	// A position is one allocation site, named by its longest subject.
	type site struct{ line, col int }
	escapes := map[site]diag.Diagnostic{}
	moved := map[string]bool{}
	var in []diag.Diagnostic
	for _, d := range p.Diags.InLines(from.Filename, from.Line, to.Line) {
		if d.Line == from.Line && d.Col < from.Column || d.Line == to.Line && d.Col >= to.Column {
			continue // another declaration on the same line
		}
		in = append(in, d)
		s := site{d.Line, d.Col}
		switch d.Kind {
		case diag.MovedToHeap:
			moved[fmt.Sprintf("%d:%d %s", d.Line, d.Col, d.Subject)] = true
		case diag.Escapes:
			e, ok := escapes[s]
			if !ok || len(d.Subject) > len(e.Subject) || len(d.Subject) == len(e.Subject) && d.Subject < e.Subject {
				escapes[s] = d
			}
		}
	}
	seen := map[string]int{}
	add := func(kind string, d diag.Diagnostic) {
		a := AllocSite{Kind: kind, Subject: normalize(d.Subject), message: d.Message,
			pos: fmt.Sprintf("%s:%d:%d", report.RelPath(root, d.File), d.Line, d.Col)}
		seen[a.key()]++
		a.Ordinal = seen[a.key()]
		f.Allocs = append(f.Allocs, a)
	}
	for _, d := range in {
		switch d.Kind {
		case diag.MovedToHeap:
			add("moved", d)
		case diag.Escapes:
			s := site{d.Line, d.Col}
			e, ok := escapes[s]
			if !ok {
				continue // this position is done
			}
			delete(escapes, s)
			if moved[fmt.Sprintf("%d:%d %s", d.Line, d.Col, d.Subject)] || moved[fmt.Sprintf("%d:%d %s", e.Line, e.Col, e.Subject)] {
				continue // a variable moved to the heap counts once, by its "moved to heap" line
			}
			add("escapes", e)
		}
	}
	return f
}

var (
	reSpaces  = regexp.MustCompile(`\s+`)
	reAutotmp = regexp.MustCompile(`autotmp_\d+`)
)

// normalize makes a compiler subject or reason fit one field of a baseline line and independent of
// the compiler's numbering of temporaries.
func normalize(s string) string {
	s = reSpaces.ReplaceAllString(strings.TrimSpace(s), " ")
	return reAutotmp.ReplaceAllString(s, "autotmp")
}

// checkDirectives reports the functions whose //gcfix: directives the compiler's verdicts break.
func checkDirectives(b *Baseline) []Finding {
	var out []Finding
	for _, f := range b.Funcs {
		for _, dir := range f.directives {
			switch dir {
			case DirectiveInline:
				switch {
				case f.inlineDiag == nil:
					out = append(out, Finding{f.pos, f.Package, f.Func, dir + " violated: the compiler said nothing about inlining it", Violation})
				case f.inlineDiag.Kind != diag.CanInline:
					out = append(out, Finding{f.pos, f.Package, f.Func, dir + " violated: cannot inline: " + f.inlineDiag.Reason, Violation})
				}
			case DirectiveNoescape:
				for _, a := range f.Allocs {
					out = append(out, Finding{a.pos, f.Package, f.Func, dir + " violated: " + a.describe(), Violation})
				}
			}
		}
	}
	return out
}

// compareBaseline compares the current verdicts with the baseline's, for the packages checked.
// Functions that are not in the baseline are new and not compared.
func compareBaseline(old, cur *Baseline, checked map[string]bool) (regressions, improvements []Finding) {
	was := map[string]*FuncFacts{}
	for _, f := range old.Funcs {
		was[f.Package+"\t"+f.Func] = f
	}
	for _, f := range cur.Funcs {
		o := was[f.Package+"\t"+f.Func]
		if o == nil {
			continue
		}
		at := func(pos string, c Change, what string) Finding { return Finding{pos, f.Package, f.Func, what, c} }
		switch {
		case o.Inline.Verdict == "inline" && f.Inline.Verdict != "inline":
			why := "the compiler said nothing about inlining it"
			if f.Inline.Verdict == "noinline" {
				why = f.Inline.Reason
			}
			regressions = append(regressions, at(f.pos, NoLongerInlines, fmt.Sprintf("no longer inlines: %s (was cost %d)", why, o.Inline.Cost)))
		case o.Inline.Verdict != "inline" && f.Inline.Verdict == "inline":
			improvements = append(improvements, at(f.pos, NowInlines, fmt.Sprintf("now inlines (cost %d, budget %d)", f.Inline.Cost, inlineBudget)))
		case o.Inline.Verdict == "inline" && f.Inline.Cost < o.Inline.Cost:
			improvements = append(improvements, at(f.pos, InlineCostFell, fmt.Sprintf("inline cost fell from %d to %d", o.Inline.Cost, f.Inline.Cost)))
		}
		// Allocations are compared by count per kind and subject: the ordinals beyond the baseline's
		// count are new, the baseline's beyond the current count are gone.
		count := map[string]int{}
		for _, a := range o.Allocs {
			count[a.key()]++
		}
		now := map[string]int{}
		for _, a := range f.Allocs {
			now[a.key()]++
			if a.Ordinal > count[a.key()] {
				regressions = append(regressions, at(a.pos, NewHeapAllocation, "new heap allocation: "+a.describe()))
			}
		}
		for _, a := range o.Allocs {
			if a.Ordinal > now[a.key()] {
				improvements = append(improvements, at(f.pos, HeapAllocationGone, "heap allocation gone: "+a.describe()))
			}
		}
	}
	return regressions, improvements
}

// writeFileAtomic writes data to name through a temporary file in the same directory.
func writeFileAtomic(name string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
