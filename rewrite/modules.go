package rewrite

import (
	"os"
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

// ModuleRun is the outcome of Run for one module of a run over many: its report, or why it has none.
type ModuleRun struct {
	Dir    string // the module's directory
	Report *Report
	Err    error
}

// Combine joins the reports of runs over the modules below root into one report whose file names,
// package directories, evidence and diffs are relative to root, so that its diff applies from
// there (git apply, patch -p1) and its Apply writes every module's kept rewrites. Modules lists
// every module, each with its path, and with its error when Run failed for it.
func Combine(root string, runs []ModuleRun) *Report {
	root = absClean(root)
	out := &Report{Modules: []ModuleReport{}, Packages: []PackageReport{}, Candidates: []*Result{}, root: root}
	for _, m := range runs {
		mr := ModuleReport{Dir: relPath(root, absClean(m.Dir))}
		if m.Err != nil {
			mr.Error = m.Err.Error()
		}
		if r := m.Report; r != nil {
			mr.Path = r.Module
			prefix := relPath(root, r.root)
			for _, p := range r.Packages {
				p.Dir = underDir(prefix, p.Dir)
				out.Packages = append(out.Packages, p)
			}
			out.Unresolved += r.Unresolved
			out.Compiles += r.Compiles
			for _, c := range r.Candidates {
				c.File = underDir(prefix, c.File)
				for i, e := range c.Evidence {
					c.Evidence[i] = underDir(prefix, e)
				}
				if len(c.changes) > 0 {
					c.Diff = unifiedDiff(root, c.changes)
				}
				out.Candidates = append(out.Candidates, c)
			}
			out.files = append(out.files, r.files...)
		}
		out.Modules = append(out.Modules, mr)
	}
	out.Diff = unifiedDiff(root, out.files)
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

// enclosingModule picks, from go list -m output (one "dir\tpath" line per main module: several in
// workspace mode), the module whose directory contains dir, the innermost one.
func enclosingModule(out, dir string) (root, modPath string, ok bool) {
	if dir == "" {
		dir, _ = os.Getwd()
	}
	dir = absClean(dir)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	best := -1
	for _, line := range lines {
		d, p, found := strings.Cut(line, "\t")
		if !found || d == "" {
			continue
		}
		if rel, err := filepath.Rel(d, dir); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			if len(d) > best {
				root, modPath, best = d, p, len(d)
			}
		}
	}
	if best >= 0 {
		return root, modPath, true
	}
	// Not found by directory (symbolic links, say): the first main module, as go list -m names it.
	root, modPath, ok = strings.Cut(lines[0], "\t")
	return root, modPath, ok
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
