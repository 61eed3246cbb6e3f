package report

import (
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// ModuleReport says how one module of a run over many modules went.
type ModuleReport struct {
	Path  string `json:"path,omitempty"` // the module path; empty when the module could not be loaded
	Dir   string `json:"dir"`            // relative to the directory the run started from
	Error string `json:"error,omitempty"`
}

// ModuleRun is the outcome of rewrite.Run for one module of a run over many: its report, or why it
// has none.
type ModuleRun struct {
	Dir    string // the module's directory
	Report *Report
	Err    error
}

// Combine joins the reports of runs over the modules below root into one report whose file names,
// package directories, evidence and diffs are relative to root, so that its diff applies from
// there (git apply, patch -p1) and its Apply writes every module's kept rewrites. Modules lists
// every module, each with its path, and with its error when rewrite.Run failed for it.
func Combine(root string, runs []ModuleRun) *Report {
	root = absClean(root)
	out := &Report{Modules: []ModuleReport{}, Packages: []PackageReport{}, Candidates: []*Result{}, root: root}
	for _, m := range runs {
		mr := ModuleReport{Dir: RelPath(root, absClean(m.Dir))}
		if m.Err != nil {
			mr.Error = m.Err.Error()
		}
		if r := m.Report; r != nil {
			mr.Path = r.Module
			prefix := RelPath(root, r.root)
			for _, p := range r.Packages {
				p.Dir = underDir(prefix, p.Dir)
				out.Packages = append(out.Packages, p)
			}
			out.Unresolved += r.Unresolved
			out.Compiles += r.Compiles
			out.Incomplete = out.Incomplete || r.Incomplete
			for _, c := range r.Candidates {
				c.File = underDir(prefix, c.File)
				for i, e := range c.Evidence {
					c.Evidence[i] = underDir(prefix, e)
				}
				if len(c.changes) > 0 {
					c.Diff = Diff(root, c.changes)
				}
				out.Candidates = append(out.Candidates, c)
			}
			out.files = append(out.files, r.files...)
		}
		out.Modules = append(out.Modules, mr)
	}
	out.Diff = Diff(root, out.files)
	return out
}

// underDir puts name, a slash-separated path relative to a module root, under dir, the module
// root's path relative to the run's root. Absolute names stay as they are.
func underDir(dir, name string) string {
	if dir == "." || dir == "" || strings.HasPrefix(name, "/") || filepath.IsAbs(name) {
		return name
	}
	return path.Join(dir, name)
}

func absClean(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return filepath.Clean(dir)
}

// mergeModules combines the module lists of reports over one set of modules, such as the shards
// of one run: each module once, sorted by directory, with an error if any report has one.
func mergeModules(lists ...[]ModuleReport) []ModuleReport {
	byDir := map[string]ModuleReport{}
	for _, l := range lists {
		for _, m := range l {
			old, seen := byDir[m.Dir]
			if seen && old.Path != "" && m.Path == "" {
				m.Path = old.Path
			}
			if seen && old.Error != "" && m.Error == "" {
				m.Error = old.Error
			}
			byDir[m.Dir] = m
		}
	}
	if len(byDir) == 0 {
		return nil
	}
	out := make([]ModuleReport, 0, len(byDir))
	for _, m := range byDir {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Dir < out[j].Dir })
	return out
}
