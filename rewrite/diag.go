package rewrite

import (
	"bufio"
	"io"
	"path/filepath"
	"regexp"
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

var (
	posLine        = regexp.MustCompile(`^(.+\.go):(\d+):(\d+): (.*)$`)
	reEscapesIn    = regexp.MustCompile(`^(.+) escapes to heap in (.+):$`)
	reEscapes      = regexp.MustCompile(`^(.+) escapes to heap(?::)?$`)
	reMoved        = regexp.MustCompile(`^moved to heap: (.+)$`)
	reNoEscape     = regexp.MustCompile(`^(.+) does not escape$`)
	reCanInline    = regexp.MustCompile(`^can inline (.+?) with cost (\d+)`)
	reCannotInline = regexp.MustCompile(`^cannot inline (.+?): (.*)$`)
	reTooComplex   = regexp.MustCompile(`cost (\d+) exceeds budget (\d+)`)
	reInliningCall = regexp.MustCompile(`^inlining call to (\S+)`)
	reLeaking      = regexp.MustCompile(`^leaking param(?: content)?: (\S+)`)
)

// ParseDiagnostics reads the text that `go build -gcflags=-m=2` prints. Relative file names are
// resolved against dir. Explanation lines (indented, after "x escapes to heap in F:") become the Flow of
// the escape they explain; the explanation and the verdict line of one escape merge into one Diagnostic.
func ParseDiagnostics(r io.Reader, dir string) ([]Diagnostic, error) {
	var out []Diagnostic
	type key struct {
		file      string
		line, col int
		kind      Kind
		subject   string
	}
	index := map[key]int{}
	last := -1 // the diagnostic that indented lines continue
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		m := posLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue // "# pkg" headers and anything that is not a diagnostic
		}
		file := m[1]
		if !filepath.IsAbs(file) {
			file = filepath.Join(dir, file)
		}
		line, _ := strconv.Atoi(m[2])
		col, _ := strconv.Atoi(m[3])
		msg := m[4]
		if strings.HasPrefix(msg, " ") {
			if last >= 0 {
				out[last].Flow = append(out[last].Flow, strings.TrimSpace(msg))
			}
			continue
		}
		d := classify(msg)
		d.File, d.Line, d.Col = file, line, col
		k := key{file, line, col, d.Kind, d.Subject}
		if i, ok := index[k]; ok && d.Kind != Other {
			if d.Func != "" {
				out[i].Func = d.Func
			}
			last = i
			if d.Kind == Escapes && !strings.HasSuffix(msg, ":") {
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
		if !strings.HasSuffix(msg, ":") {
			last = -1
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func classify(msg string) Diagnostic {
	d := Diagnostic{Message: msg}
	switch {
	case reEscapesIn.MatchString(msg):
		m := reEscapesIn.FindStringSubmatch(msg)
		d.Kind, d.Subject, d.Func = Escapes, m[1], m[2]
		d.Message = m[1] + " escapes to heap"
	case reEscapes.MatchString(msg):
		d.Kind, d.Subject = Escapes, reEscapes.FindStringSubmatch(msg)[1]
		d.Message = d.Subject + " escapes to heap"
	case reMoved.MatchString(msg):
		d.Kind, d.Subject = MovedToHeap, reMoved.FindStringSubmatch(msg)[1]
	case reNoEscape.MatchString(msg):
		d.Kind, d.Subject = NoEscape, reNoEscape.FindStringSubmatch(msg)[1]
	case reCanInline.MatchString(msg):
		m := reCanInline.FindStringSubmatch(msg)
		d.Kind, d.Subject = CanInline, m[1]
		d.Cost, _ = strconv.Atoi(m[2])
		if i := strings.Index(msg, " as: "); i >= 0 {
			d.Message = msg[:i] // the inlined body is noise in reports
		}
	case reCannotInline.MatchString(msg):
		m := reCannotInline.FindStringSubmatch(msg)
		d.Kind, d.Subject, d.Reason = CannotInline, m[1], m[2]
		if c := reTooComplex.FindStringSubmatch(m[2]); c != nil {
			d.Cost, _ = strconv.Atoi(c[1])
			d.Budget, _ = strconv.Atoi(c[2])
		}
	case reInliningCall.MatchString(msg):
		d.Kind, d.Subject = InliningCall, reInliningCall.FindStringSubmatch(msg)[1]
	case reLeaking.MatchString(msg):
		d.Kind, d.Subject = LeakingParam, reLeaking.FindStringSubmatch(msg)[1]
	}
	return d
}

// Diagnostics indexes the compiler's decisions by file and line.
type Diagnostics struct {
	byFile map[string][]Diagnostic // sorted by line, col
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
	list := x.byFile[file]
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
	for _, d := range x.byFile[file] {
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
	files := make([]string, 0, len(x.byFile))
	for f := range x.byFile {
		files = append(files, f)
	}
	sort.Strings(files)
	var out []Diagnostic
	for _, f := range files {
		out = append(out, x.byFile[f]...)
	}
	return out
}

// replace returns an index with the diagnostics of files dropped and every file of y added.
func (x *Diagnostics) replace(files []string, y *Diagnostics) *Diagnostics {
	out := &Diagnostics{byFile: map[string][]Diagnostic{}}
	for f, list := range x.byFile {
		out.byFile[f] = list
	}
	for _, f := range files {
		delete(out.byFile, f)
	}
	for f, list := range y.byFile {
		out.byFile[f] = list
	}
	return out
}
