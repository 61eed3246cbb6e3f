// Package diag reads what the Go compiler says with -gcflags=-m=2: it parses the text into
// Diagnostics (escapes, moves to the heap, inlining verdicts with their costs, leaking parameters,
// each with its flow explanation), resolves every line's file within the package whose "# import/path"
// header it is under, and indexes the result by file and line for the rules and the engine.
package diag

import (
	"bufio"
	"bytes"
	"go/ast"
	"go/types"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Kind classifies one line of the compiler's -m=2 output.
type Kind int

const (
	Other        Kind = iota
	Escapes           // "x escapes to heap"
	MovedToHeap       // "moved to heap: x"
	NoEscape          // "x does not escape"
	CanInline         // "can inline F with cost N"
	CannotInline      // "cannot inline F: reason" (cost and budget when too complex)
	InliningCall      // "inlining call to F"
	LeakingParam      // "leaking param: p" and "leaking param content: p"
)

var kindNames = [...]string{"other", "escapes", "moved-to-heap", "does-not-escape", "can-inline", "cannot-inline", "inlining-call", "leaking-param"}

func (k Kind) String() string { return kindNames[k] }

// Diagnostic is one decision of the compiler at one position, as -m=2 reports it.
type Diagnostic struct {
	File      string // absolute path, as named by the compiler (for an overlay: the original file)
	Line, Col int
	Kind      Kind
	Subject   string   // the expression, variable, parameter or function the line is about
	Func      string   // enclosing function for escape explanations ("Key", "(*T).String")
	Cost      int      // CanInline, CannotInline (too complex)
	Budget    int      // CannotInline (too complex)
	Reason    string   // CannotInline: the compiler's reason
	Flow      []string // the explanation lines that followed an escape ("flow: …", "from … at …")
	Message   string   // the line as printed, without the position
}

// String renders the diagnostic as the compiler printed it, with the file's base name.
func (d Diagnostic) String() string {
	return filepath.Base(d.File) + ":" + strconv.Itoa(d.Line) + ":" + strconv.Itoa(d.Col) + ": " + d.Message
}

// Parse reads the text that `go build -gcflags=-m=2` prints. Relative file names are
// resolved against dir. Explanation lines (indented, after "x escapes to heap in F:") become the Flow of
// the escape they explain; the explanation and the verdict line of one escape merge into one Diagnostic.
func Parse(r io.Reader, dir string) ([]Diagnostic, error) {
	ds, _, err := ParsePackages(r, []string{dir}, nil, nil, true)
	return ds, err
}

// Lost counts the -m lines of one package whose file gcfix could not find among the package's files.
type Lost struct {
	Lines    int      // lines whose file was not found
	Resolved int      // lines of the package whose file was found
	Names    []string // the file names as printed, distinct, the first few
}

// String says what was lost, for stderr and reports.
func (l *Lost) String() string {
	return strconv.Itoa(l.Lines) + " diagnostics name files gcfix cannot find: " + strings.Join(l.Names, ", ")
}

// ParsePackages is Parse for the text of a go command run over packages whose files pkgs lists
// (see resolver): it returns the lines that name files of the packages keep accepts (nil: all of
// pkgs), and counts in lost, by import path, the lines of those packages whose file cannot be found
// anywhere. Without pkgs, or before any package header, a relative file name is resolved against the
// first of dirs where that file exists. With full false it keeps only what rules read: the
// classified lines, without their flow explanations, which are most of the -m=2 text of a large
// module.
func ParsePackages(r io.Reader, dirs []string, pkgs PackageFiles, keep func(pkg string) bool, full bool) (ds []Diagnostic, lost map[string]*Lost, err error) {
	if keep == nil {
		keep = func(string) bool { return true }
	}
	p := &textParser{
		dirs: dirs, pkgs: pkgs, keep: keep, full: full, res: newResolver(pkgs, dirs),
		index: map[diagKey]int{}, files: map[printedName]foundFile{}, last: -1,
		resolved: map[string]int{}, lost: map[string]*Lost{},
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		p.line(sc.Bytes())
	}
	if err := sc.Err(); err != nil {
		return nil, nil, err
	}
	for pkg, l := range p.lost {
		l.Resolved = p.resolved[pkg]
	}
	return p.out, p.lost, nil
}

// textParser is ParsePackages between two lines of the text.
type textParser struct {
	dirs []string
	pkgs PackageFiles
	keep func(pkg string) bool
	full bool
	res  *resolver

	out      []Diagnostic
	index    map[diagKey]int           // where out holds the diagnostic of a position, kind and subject
	files    map[printedName]foundFile // as printed → resolved, so that each file name is one string
	last     int                       // the diagnostic that indented lines continue; -1 for none
	pkg      string                    // the import path of the last "# import/path" header
	listed   bool                      // whether pkgs lists pkg
	resolved map[string]int            // by package: the lines whose file was found
	lost     map[string]*Lost          // by package: the lines whose file was not
}

type diagKey struct {
	file      string
	line, col int
	kind      Kind
	subject   string
}

type printedName struct{ pkg, name string }

type foundFile struct {
	file string // absolute, "" if not kept
	lost bool   // the package's line names a file that is nowhere to be found
}

// line takes one line of the text: a package header, a diagnostic, or a line that continues one.
func (p *textParser) line(b []byte) {
	if len(b) > 2 && b[0] == '#' && b[1] == ' ' {
		p.pkg = headerPackage(string(b[2:]))
		_, p.listed = p.pkgs[p.pkg]
		p.last = -1
		return
	}
	raw, line, col, msg, ok := splitPosition(b)
	if !ok {
		return // anything that is not a diagnostic
	}
	if len(msg) > 0 && msg[0] == ' ' {
		if p.full && p.last >= 0 {
			p.out[p.last].Flow = append(p.out[p.last].Flow, flowLine(string(msg), func(name string) string { return p.lookup(name).file }))
		}
		return
	}
	name := string(raw)
	f := p.lookup(name)
	if f.lost {
		p.countLost(name)
	}
	if f.file == "" {
		p.last = -1
		return
	}
	if p.listed {
		p.resolved[p.pkg]++
	}
	d, ok := classify(msg, p.full)
	if !ok {
		p.last = -1
		return
	}
	d.File, d.Line, d.Col = f.file, line, col
	p.add(d, msg[len(msg)-1] == ':')
}

// lookup resolves a file name of the current package's text.
func (p *textParser) lookup(name string) foundFile {
	at := printedName{p.pkg, name}
	f, seen := p.files[at]
	if seen {
		return f
	}
	switch {
	case p.pkgs == nil || p.pkg == "":
		f.file = name
		if !filepath.IsAbs(f.file) {
			f.file = resolve(p.dirs, f.file)
		}
		if owner := p.res.owner[f.file]; p.pkgs != nil && (owner == "" || !p.keep(owner)) {
			f.file = ""
		}
	case p.listed:
		file, owner, ok := p.res.resolve(p.pkg, name)
		if owner != "" && p.keep(owner) {
			f.file = file
		}
		f.lost = !ok && p.keep(p.pkg)
	default:
		// a package gcfix does not know: a dependency that the patterns cover
	}
	p.files[at] = f
	return f
}

// countLost counts a line of the current package whose file name is nowhere to be found.
func (p *textParser) countLost(name string) {
	l := p.lost[p.pkg]
	if l == nil {
		l = &Lost{}
		p.lost[p.pkg] = l
	}
	l.Lines++
	if len(l.Names) < 3 && !slices.Contains(l.Names, name) {
		l.Names = append(l.Names, name)
	}
}

// add records a diagnostic; open says that indented lines continue it. An escape's explanation and
// its verdict line, at one position and with one subject, are one diagnostic.
func (p *textParser) add(d Diagnostic, open bool) {
	k := diagKey{d.File, d.Line, d.Col, d.Kind, d.Subject}
	if i, ok := p.index[k]; ok && d.Kind != Other {
		if d.Func != "" {
			p.out[i].Func = d.Func
		}
		p.last = i
		if d.Kind == Escapes && !open {
			p.out[i].Message = d.Message
			p.last = -1
		}
		return
	}
	p.out = append(p.out, d)
	p.last = len(p.out) - 1
	if d.Kind != Other {
		p.index[k] = p.last
	}
	if !open {
		p.last = -1
	}
}

// flowLine returns an explanation line, trimmed, with the position that ends it ("from x (spill) at
// ./a.go:9:30") naming its file as resolve resolves it (an absolute name), whatever directory the
// text was recorded in; a name resolve does not know ("") stays as printed.
func flowLine(msg string, resolve func(name string) string) string {
	line := strings.TrimSpace(msg)
	i := strings.LastIndex(line, " at ")
	if i < 0 {
		return line
	}
	name, l, c, rest, ok := splitPosition([]byte(line[i+len(" at "):] + ": x"))
	if !ok || string(rest) != "x" {
		return line
	}
	abs := resolve(string(name))
	if abs == "" {
		return line
	}
	return line[:i+len(" at ")] + abs + ":" + strconv.Itoa(l) + ":" + strconv.Itoa(c)
}

// headerPackage returns the import path that a "# import/path" header names: "p", "p [p.test]" and
// "p_test [p.test]" (the external test package, whose files pkgs lists under p) all name p.
func headerPackage(h string) string {
	path, variant, _ := strings.Cut(h, " ")
	if strings.HasSuffix(path, "_test") && strings.HasPrefix(variant, "[") {
		return strings.TrimSuffix(path, "_test")
	}
	return path
}

func resolve(dirs []string, rel string) string {
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, rel)); err == nil {
			return filepath.Join(d, rel)
		}
	}
	return filepath.Join(dirs[0], rel)
}

// splitPosition splits "file.go:line:col: message" into its parts.
func splitPosition(b []byte) (file []byte, line, col int, msg []byte, ok bool) {
	for from := 0; ; {
		i := bytes.Index(b[from:], []byte(".go:"))
		if i < 0 {
			return nil, 0, 0, nil, false
		}
		end := from + i + 3
		rest := b[end+1:]
		line, rest, ok1 := leadingInt(rest)
		if ok1 && len(rest) > 0 && rest[0] == ':' {
			col, rest2, ok2 := leadingInt(rest[1:])
			if ok2 && len(rest2) >= 2 && rest2[0] == ':' && rest2[1] == ' ' && len(rest2) > 2 {
				return b[:end], line, col, rest2[2:], true
			}
		}
		from = end
	}
}

func leadingInt(b []byte) (int, []byte, bool) {
	n, i := 0, 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		n = n*10 + int(b[i]-'0')
		i++
	}
	return n, b[i:], i > 0
}

// classify reads one verdict line. Lines of no known kind are kept (as Other) only when full.
func classify(b []byte, full bool) (Diagnostic, bool) {
	var d Diagnostic
	switch {
	case bytes.HasPrefix(b, []byte("moved to heap: ")):
		msg := string(b)
		d.Kind, d.Subject, d.Message = MovedToHeap, msg[len("moved to heap: "):], msg
	case bytes.HasPrefix(b, []byte("can inline ")):
		msg := string(b)
		name, cost, found := strings.Cut(msg[len("can inline "):], " with cost ")
		n, _, okN := leadingInt([]byte(cost))
		if !found || !okN {
			return other(b, full)
		}
		d.Kind, d.Subject, d.Cost, d.Message = CanInline, name, n, msg
		if i := strings.Index(msg, " as: "); i >= 0 {
			d.Message = msg[:i] // the inlined body is noise in reports
		}
	case bytes.HasPrefix(b, []byte("cannot inline ")):
		msg := string(b)
		name, reason, found := strings.Cut(msg[len("cannot inline "):], ": ")
		if !found {
			return other(b, full)
		}
		d.Kind, d.Subject, d.Reason, d.Message = CannotInline, name, reason, msg
		if i := strings.Index(reason, "cost "); i >= 0 {
			if c, rest, ok := leadingInt([]byte(reason[i+5:])); ok {
				if after, ok := bytes.CutPrefix(rest, []byte(" exceeds budget ")); ok {
					if bud, _, ok := leadingInt(after); ok {
						d.Cost, d.Budget = c, bud
					}
				}
			}
		}
	case bytes.HasPrefix(b, []byte("inlining call to ")):
		msg := string(b)
		name := msg[len("inlining call to "):]
		if i := strings.IndexAny(name, " \t"); i >= 0 {
			name = name[:i]
		}
		if name == "" {
			return other(b, full)
		}
		d.Kind, d.Subject, d.Message = InliningCall, name, msg
	case bytes.HasPrefix(b, []byte("leaking param")):
		msg := string(b)
		rest, found := strings.CutPrefix(msg, "leaking param: ")
		if !found {
			rest, found = strings.CutPrefix(msg, "leaking param content: ")
		}
		if i := strings.IndexAny(rest, " \t"); i >= 0 {
			rest = rest[:i]
		}
		if !found || rest == "" {
			return other(b, full)
		}
		d.Kind, d.Subject, d.Message = LeakingParam, rest, msg
	case bytes.HasSuffix(b, []byte(" does not escape")):
		msg := string(b)
		d.Kind, d.Subject, d.Message = NoEscape, strings.TrimSuffix(msg, " does not escape"), msg
	default:
		msg := string(b)
		if i := strings.LastIndex(msg, " escapes to heap in "); i > 0 && strings.HasSuffix(msg, ":") {
			d.Kind, d.Subject, d.Func = Escapes, msg[:i], msg[i+len(" escapes to heap in "):len(msg)-1]
			d.Message = d.Subject + " escapes to heap"
			return d, true
		}
		if s, found := strings.CutSuffix(strings.TrimSuffix(msg, ":"), " escapes to heap"); found && s != "" {
			d.Kind, d.Subject, d.Message = Escapes, s, s+" escapes to heap"
			return d, true
		}
		return other(b, full)
	}
	return d, true
}

func other(b []byte, full bool) (Diagnostic, bool) {
	if !full {
		return Diagnostic{}, false
	}
	return Diagnostic{Message: string(b)}, true
}

// Diagnostics indexes the compiler's decisions by file and line.
type Diagnostics struct {
	byFile map[string][]Diagnostic // sorted by line, col
	under  *Diagnostics            // when set, the files that byFile does not hold (see WithFile)
	// Lost holds, by import path, the packages some of whose -m lines name files that gcfix could
	// not find (see PackageFiles): never dropped in silence.
	Lost map[string]*Lost
}

// Unreadable says why the diagnostics of pkg cannot be used, when every -m line of it was lost: ""
// when some were read, or none was lost.
func (x *Diagnostics) Unreadable(pkg string) string {
	if x == nil {
		return ""
	}
	if l := x.Lost[pkg]; l != nil && l.Resolved == 0 {
		return "gcfix cannot read its -m=2 diagnostics: " + l.String()
	}
	return ""
}

// file returns the diagnostics of one file.
func (x *Diagnostics) file(name string) []Diagnostic {
	for ; x != nil; x = x.under {
		if list, ok := x.byFile[name]; ok {
			return list
		}
	}
	return nil
}

// files returns every file's diagnostics.
func (x *Diagnostics) files() map[string][]Diagnostic {
	if x.under == nil {
		return x.byFile
	}
	out := map[string][]Diagnostic{}
	for f, list := range x.under.files() {
		out[f] = list
	}
	for f, list := range x.byFile {
		out[f] = list
	}
	return out
}

// New indexes ds.
func New(ds []Diagnostic) *Diagnostics {
	x := &Diagnostics{byFile: map[string][]Diagnostic{}}
	for _, d := range ds {
		x.byFile[d.File] = append(x.byFile[d.File], d)
	}
	for _, list := range x.byFile {
		sort.SliceStable(list, func(i, j int) bool {
			if list[i].Line != list[j].Line {
				return list[i].Line < list[j].Line
			}
			return list[i].Col < list[j].Col
		})
	}
	return x
}

// At returns the diagnostics of kind k at exactly file:line:col (k == Other matches any kind).
func (x *Diagnostics) At(file string, line, col int, k Kind) []Diagnostic {
	var out []Diagnostic
	for _, d := range x.InLines(file, line, line) {
		if d.Col == col && (k == Other || d.Kind == k) {
			out = append(out, d)
		}
	}
	return out
}

// InLines returns the diagnostics of file on lines from..to, inclusive.
func (x *Diagnostics) InLines(file string, from, to int) []Diagnostic {
	list := x.file(file)
	i := sort.Search(len(list), func(i int) bool { return list[i].Line >= from })
	j := sort.Search(len(list), func(i int) bool { return list[i].Line > to })
	return list[i:j]
}

// Inline returns the inlining verdict (CanInline or CannotInline) for the function named as the
// compiler names it ("Key", "(*T).String", "List[...].Get"), or false if there is none.
//
// A generic function has no verdict of its own: the compiler judges its shaped instances
// (At[go.shape.int], (*List[go.shape.string]).Get). For fn "At" or "(*List[...]).Get" the worst
// instance answers: one that cannot inline, else the costliest.
func (x *Diagnostics) Inline(file, fn string) (Diagnostic, bool) {
	var worst Diagnostic
	found := false
	for _, d := range x.file(file) {
		if d.Kind != CanInline && d.Kind != CannotInline {
			continue
		}
		if d.Subject == fn {
			return d, true
		}
		// Only shaped instances: At[int] is the dictionary wrapper, not the body the rules change.
		if e := elideTypeArgs(d.Subject); strings.Contains(d.Subject, "go.shape.") && (e == fn || e == fn+"[...]") {
			if !found || worse(d, worst) {
				worst, found = d, true
			}
		}
	}
	return worst, found
}

func worse(a, b Diagnostic) bool {
	if (a.Kind == CannotInline) != (b.Kind == CannotInline) {
		return a.Kind == CannotInline
	}
	return a.Cost > b.Cost
}

// elideTypeArgs replaces the contents of every outermost [...] in a compiler name with "...".
// DeclName returns the name FuncName gives the declaration of the function that the compiler
// names name: a shaped instance of a generic function (cleanNodes[go.shape.*uint8]) or of a
// generic type's method ((*List[go.shape.int]).Get) is its declaration's (cleanNodes,
// (*List[...]).Get).
func DeclName(name string) string {
	e := elideTypeArgs(name)
	if strings.HasSuffix(e, "[...]") && !strings.Contains(strings.ReplaceAll(e, "[...]", ""), ".") {
		return strings.TrimSuffix(e, "[...]")
	}
	return e
}

func elideTypeArgs(name string) string {
	var b strings.Builder
	depth := 0
	for _, r := range name {
		switch {
		case r == '[':
			if depth == 0 {
				b.WriteString("[...")
			}
			depth++
		case r == ']':
			depth--
			if depth == 0 {
				b.WriteByte(']')
			}
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// All returns every diagnostic, by file name and position.
func (x *Diagnostics) All() []Diagnostic {
	byFile := x.files()
	files := make([]string, 0, len(byFile))
	for f := range byFile {
		files = append(files, f)
	}
	sort.Strings(files)
	var out []Diagnostic
	for _, f := range files {
		out = append(out, byFile[f]...)
	}
	return out
}

// Replace returns an index with the diagnostics of files dropped and every file of y added.
func (x *Diagnostics) Replace(files []string, y *Diagnostics) *Diagnostics {
	out := &Diagnostics{byFile: map[string][]Diagnostic{}}
	for f, list := range x.files() {
		out.byFile[f] = list
	}
	for _, f := range files {
		delete(out.byFile, f)
	}
	for f, list := range y.files() {
		out.byFile[f] = list
	}
	return out
}

// WithFile returns an index with file's diagnostics replaced by ds (already sorted); the others
// are x's.
func (x *Diagnostics) WithFile(file string, ds []Diagnostic) *Diagnostics {
	return &Diagnostics{byFile: map[string][]Diagnostic{file: ds}, under: x}
}

// Only returns an index with the diagnostics of the files in files.
func (x *Diagnostics) Only(files map[string]bool) *Diagnostics {
	out := &Diagnostics{byFile: map[string][]Diagnostic{}}
	for f, list := range x.files() {
		if files[f] {
			out.byFile[f] = list
		}
	}
	return out
}

// Count returns how many diagnostics of kind k are in ds.
func Count(ds []Diagnostic, k Kind) int {
	n := 0
	for _, d := range ds {
		if d.Kind == k {
			n++
		}
	}
	return n
}

// FuncName returns the compiler's name for fd, as -m prints it: "F", "T.M", "(*T).M"; a generic
// receiver as "T[...]".
func FuncName(fd *ast.FuncDecl) string {
	if fd == nil {
		return ""
	}
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	typ := fd.Recv.List[0].Type
	star := false
	if s, ok := typ.(*ast.StarExpr); ok {
		star, typ = true, s.X
	}
	var recv string
	switch x := typ.(type) {
	case *ast.Ident:
		recv = x.Name
	case *ast.IndexExpr:
		recv = types.ExprString(x.X) + "[...]"
	case *ast.IndexListExpr:
		recv = types.ExprString(x.X) + "[...]"
	}
	if star {
		return "(*" + recv + ")." + fd.Name.Name
	}
	return recv + "." + fd.Name.Name
}
