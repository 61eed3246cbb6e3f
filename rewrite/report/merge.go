package report

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// ReadReport parses a report that gcfix -json printed.
func ReadReport(data []byte) (*Report, error) {
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Merge combines the reports of runs over disjoint sets of packages of one module (or of the modules
// of one gcfix -r run), such as the shards of one run: packages and candidates together, sorted by package, file and line, and the
// diffs recombined file by file. Two reports that process one package, or change one file
// differently, are an error.
func Merge(reps []*Report) (*Report, error) {
	out := &Report{Packages: []PackageReport{}, Candidates: []*Result{}}
	seen := map[string]bool{}
	files := map[string]string{} // the diff's sections, by their "diff a/x b/x" line
	for i, r := range reps {
		if i == 0 {
			out.Module, out.PGO, out.PGONote = r.Module, r.PGO, r.PGONote
		} else if r.Module != out.Module {
			return nil, fmt.Errorf("reports of different modules: %s and %s", out.Module, r.Module)
		}
		for _, p := range r.Packages {
			if seen[p.Path] {
				return nil, fmt.Errorf("package %s is in two reports", p.Path)
			}
			seen[p.Path] = true
			out.Packages = append(out.Packages, p)
		}
		out.Unresolved += r.Unresolved
		out.Compiles += r.Compiles
		out.Incomplete = out.Incomplete || r.Incomplete
		out.Modules = mergeModules(out.Modules, r.Modules)
		out.Candidates = append(out.Candidates, r.Candidates...)
		for _, sec := range diffSections(r.Diff) {
			head, _, _ := strings.Cut(sec, "\n")
			if old, ok := files[head]; ok && old != sec {
				return nil, fmt.Errorf("two reports change %s differently", strings.TrimPrefix(head, "diff "))
			}
			files[head] = sec
		}
	}
	sort.SliceStable(out.Packages, func(i, j int) bool { return out.Packages[i].Path < out.Packages[j].Path })
	SortByPosition(out.Candidates)
	heads := make([]string, 0, len(files))
	for h := range files {
		heads = append(heads, h)
	}
	sort.Strings(heads)
	var b strings.Builder
	for _, h := range heads {
		b.WriteString(files[h])
	}
	out.Diff = b.String()
	return out, nil
}

// diffSections splits a multi-file diff at its "diff " lines.
func diffSections(d string) []string {
	var out []string
	start := -1
	for i := 0; i < len(d); {
		end := strings.IndexByte(d[i:], '\n')
		if end < 0 {
			end = len(d)
		} else {
			end += i + 1
		}
		if strings.HasPrefix(d[i:], "diff ") {
			if start >= 0 {
				out = append(out, d[start:i])
			}
			start = i
		}
		i = end
	}
	if start >= 0 {
		out = append(out, d[start:])
	}
	return out
}

// SortByPosition orders candidates by package, file, line and column, keeping the order of equals.
func SortByPosition(cs []*Result) {
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		if a.Package != b.Package {
			return a.Package < b.Package
		}
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}
