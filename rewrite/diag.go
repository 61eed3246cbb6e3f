package rewrite

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
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

// ParseDiagnostics reads the text that `go build -gcflags=-m=2` prints. Relative file names are
// resolved against dir. Explanation lines (indented, after "x escapes to heap in F:") become the Flow of
// the escape they explain; the explanation and the verdict line of one escape merge into one Diagnostic.
func ParseDiagnostics(r io.Reader, dir string) ([]Diagnostic, error) {
	return parseDiagnostics(r, []string{dir}, true, nil)
}

// parseDiagnostics is ParseDiagnostics; with full false it keeps only what rules read: the classified
// lines, without their flow explanations, which are most of the -m=2 text of a large module.
// A relative file name is resolved against the first of dirs where that file exists: the go command
// names files relative to where it runs or to the module root.
//
// keep, when set, says which files' diagnostics to return.
func parseDiagnostics(r io.Reader, dirs []string, full bool, keep func(file string) bool) ([]Diagnostic, error) {
	var out []Diagnostic
	type key struct {
		file      string
		line, col int
		kind      Kind
		subject   string
	}
	index := map[key]int{}
	files := map[string]string{} // as printed → absolute ("" if not kept), so that each file name is one string
	last := -1                   // the diagnostic that indented lines continue
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		raw, line, col, msg, ok := splitPosition(sc.Bytes())
		if !ok {
			continue // "# pkg" headers and anything that is not a diagnostic
		}
		if len(msg) > 0 && msg[0] == ' ' {
			if full && last >= 0 {
				out[last].Flow = append(out[last].Flow, strings.TrimSpace(string(msg)))
			}
			continue
		}
		file, seen := files[string(raw)]
		if !seen {
			file = string(raw)
			if !filepath.IsAbs(file) {
				file = resolve(dirs, file)
			}
			if keep != nil && !keep(file) {
				file = ""
			}
			files[string(raw)] = file
		}
		if file == "" {
			last = -1
			continue
		}
		d, ok := classify(msg, full)
		if !ok {
			last = -1
			continue
		}
		d.File, d.Line, d.Col = file, line, col
		open := msg[len(msg)-1] == ':'
		k := key{file, line, col, d.Kind, d.Subject}
		if i, ok := index[k]; ok && d.Kind != Other {
			if d.Func != "" {
				out[i].Func = d.Func
			}
			last = i
			if d.Kind == Escapes && !open {
				out[i].Message = d.Message
				last = -1
			}
			continue
		}
		out = append(out, d)
		last = len(out) - 1
		if d.Kind != Other {
			index[k] = last
		}
		if !open {
			last = -1
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
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
	under  *Diagnostics            // when set, the files that byFile does not hold (see withFile)
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

// NewDiagnostics indexes ds.
func NewDiagnostics(ds []Diagnostic) *Diagnostics {
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

// replace returns an index with the diagnostics of files dropped and every file of y added.
func (x *Diagnostics) replace(files []string, y *Diagnostics) *Diagnostics {
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
