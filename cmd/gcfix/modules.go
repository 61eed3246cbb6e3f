package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gcfix/gcfix/rewrite"
	"github.com/gcfix/gcfix/rewrite/report"
	"golang.org/x/mod/modfile"
)

// module is one module that gcfix -r runs on.
type module struct {
	dir      string          // absolute
	err      error           // why it cannot run, found before running it (a use directive without go.mod)
	env      []string        // for its go commands
	selected map[string]bool // with -shard: the packages of this shard; nil for all
}

// findModules returns the modules below root. With a go.work in root, its use directives name them
// and the go command builds them as the workspace (workspace is true); otherwise every go.mod below
// root is a module, except in vendor, testdata, hidden (.x) and _x directories, which the go
// command ignores in patterns too.
func findModules(root string) (mods []module, workspace bool, err error) {
	work := filepath.Join(root, "go.work")
	if data, err := os.ReadFile(work); err == nil {
		wf, err := modfile.ParseWork(work, data, nil)
		if err != nil {
			return nil, true, err
		}
		for _, u := range wf.Use {
			dir := filepath.FromSlash(u.Path)
			if !filepath.IsAbs(dir) {
				dir = filepath.Join(root, dir)
			}
			m := module{dir: dir}
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
				m.err = fmt.Errorf("go.work uses %s, which has no go.mod", u.Path)
			}
			mods = append(mods, m)
		}
		sort.Slice(mods, func(i, j int) bool { return mods[i].dir < mods[j].dir })
		return mods, true, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if p != root {
			name := d.Name()
			if name == "vendor" || name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return filepath.SkipDir
			}
		}
		if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
			mods = append(mods, module{dir: p})
		}
		return nil
	})
	return mods, false, err
}

// recursiveRoot checks the arguments of gcfix -r: at most one, a directory, not a package pattern.
func recursiveRoot(base string, args []string) (string, error) {
	if len(args) > 1 || (len(args) == 1 && strings.Contains(args[0], "...")) {
		return "", fmt.Errorf("-r takes one directory, not package patterns: %s", strings.Join(args, " "))
	}
	root := "."
	if len(args) == 1 {
		root = args[0]
	}
	if !filepath.IsAbs(root) && base != "" {
		root = filepath.Join(base, root)
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return "", err
	}
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("-r %s: not a directory", root)
	}
	return abs, nil
}

// runModules runs gcfix on every module below root, each in its own context (its go.mod, -tags,
// ./...), and combines the reports. A module that fails is reported and the others run.
// onModule, when set, is told of each module as it starts (i from 1, of n).
func runModules(ctx context.Context, root string, opts rewrite.Options, onModule func(i, n int)) (*report.Report, error) {
	mods, workspace, err := findModules(root)
	if err != nil {
		return nil, err
	}
	if len(mods) == 0 {
		return nil, fmt.Errorf("no go.mod under %s", root)
	}
	for i := range mods {
		mods[i].env = opts.Env
		if !workspace {
			// Each module on its own go.mod: a go.work above root must not pull it into a
			// workspace it does not belong to.
			mods[i].env = append(append([]string(nil), opts.Env...), "GOWORK=off")
		}
	}
	if opts.Shards > 0 {
		if err := shardModules(ctx, mods, opts); err != nil {
			return nil, err
		}
		opts.Shard, opts.Shards = 0, 0
	}
	var runs []report.ModuleRun
	for i, m := range mods {
		run := report.ModuleRun{Dir: m.dir, Err: m.err}
		if onModule != nil {
			onModule(i+1, len(mods))
		}
		if m.err == nil && (m.selected == nil || len(m.selected) > 0) {
			o := opts
			o.Dir = m.dir
			o.Patterns = []string{"./..."}
			o.Env = m.env
			if m.selected != nil {
				o.Select = func(path string) bool { return m.selected[path] }
			}
			run.Report, run.Err = rewrite.Run(ctx, o)
			if ctx.Err() != nil {
				// Interrupted: the modules done, and what this one decided, if anything.
				if run.Report != nil {
					run.Err = nil
					runs = append(runs, run)
				}
				rep := report.Combine(root, runs)
				rep.Incomplete = true
				return rep, ctx.Err()
			}
		}
		runs = append(runs, run)
	}
	return report.Combine(root, runs), nil
}

// shardModules splits the packages of all modules into the shards of -shard i/n as one list,
// sorted by import path, every n-th, so that the shards stay even when most modules are small.
// A module whose packages cannot be listed runs in every shard, to report why.
func shardModules(ctx context.Context, mods []module, opts rewrite.Options) error {
	var all []string
	owner := map[string]int{}
	for i, m := range mods {
		if m.err != nil {
			continue
		}
		cmd := exec.CommandContext(ctx, "go", "list", "-e", "-f", "{{.ImportPath}}")
		if opts.Tags != "" {
			cmd.Args = append(cmd.Args, "-tags="+opts.Tags)
		}
		cmd.Args = append(cmd.Args, "./...")
		cmd.Dir = m.dir
		cmd.Env = append(os.Environ(), m.env...)
		out, err := cmd.Output()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			continue
		}
		mods[i].selected = map[string]bool{}
		for _, p := range strings.Fields(string(out)) {
			if _, dup := owner[p]; !dup {
				all = append(all, p)
			}
			owner[p] = i
		}
	}
	sort.Strings(all)
	for k, p := range all {
		if k%opts.Shards == opts.Shard-1 {
			mods[owner[p]].selected[p] = true
		}
	}
	return nil
}
