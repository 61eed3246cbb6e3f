package rewrite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"go/parser"
	"go/token"
	"hash"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gcfix/gcfix/rewrite/diag"
)

// The build gate's confirming compile without the go command.
//
// The go command, given the rewritten files through -overlay, compiles each changed package and,
// because a changed package's export data changes (inline bodies, positions), every package
// between it and the packages asked for. And every package that depends on a changed one was
// compiled with that package's rewrites, so when one of those rewrites is not kept, its
// confirmation must be made again in the next round.
//
// A rule's rewrite changes its function's body and the names the function declares, not the
// package's API (ptrvalue with -allow-api-change, whose rewrite reaches into other packages, is the
// exception, below). So the confirming compile compiles each changed package alone, as the go
// command would compile it (the same compiler, flags and files), against the export data of its
// imports as they stand: the first compile's, or a kept rewrite's. A package that imports another
// changed package is compiled after it, against its new export data, as the go command would; the
// others in parallel. A rewrite that is not kept taints its own package and the changed packages
// that import it, not every package that depends on it.
//
// A round compiles through the go command as before when any of its rewrites changes more than
// one package, or a changed package has files the go command hands to other tools (cgo, assembly,
// syso, SWIG), or GOFLAGS asks for flags that change how packages compile, or there is no cache
// directory to keep the compiles in.
//
// What this compile cannot shed, measured on go1.26 (the reason it is most of the build gate's
// cost, and .ci/scale's bound): the compiler prints its -m lines when it is done, and no flag
// stops it after escape analysis, though the backend is about 60% of a compile (-bench on
// x/tools' go/ssa: 0.85 of 1.44 s); -N saves about a tenth and changes the -m=2 text (closure
// capture lines); -m=1 has no inlining costs or reasons. Compiling only the functions whose
// verdicts are read would still compile 81-95% of the changed packages' function bodies
// (.ci/reducible).

// compiler is how to run the compiler as the go command runs it for the module.
type compiler struct {
	cache     string   // where compiles are cached (below); "" for nowhere
	ids       sync.Map // export data file → exportID
	tool      string   // the compile binary of the go command's toolchain
	toolID    string   // its size and modification time, for the cache key
	goversion string   // -goversion: the toolchain's version, which export data must match
	env       []string // the go command's settings that the compiler reads from the environment
	flags     []string // -pgoprofile, when the run diagnoses with a profile
}

// compilerEnv are the settings of `go env` that the compiler reads from its environment; the go
// command passes them to the tools it runs, whether they come from the environment or go env -w.
var compilerEnv = []string{"GOROOT", "GOOS", "GOARCH", "GOEXPERIMENT", "GOAMD64", "GOARM", "GOARM64", "GO386", "GOMIPS", "GOMIPS64", "GOPPC64", "GORISCV64", "GOWASM", "GOFIPS140", "GODEBUG"}

// goflagsCompile are GOFLAGS that change how the go command compiles a package: with any of them
// the confirming compile goes through the go command.
var goflagsCompile = []string{"-gcflags", "-race", "-msan", "-asan", "-cover", "-buildmode", "-linkshared", "-trimpath", "-asmflags", "-toolexec", "-installsuffix", "-pgo", "-mod=vendor"}

// newCompiler asks the go command for its toolchain and settings. It returns nil, and the
// confirming compiles go through the go command, when GOFLAGS changes how packages compile.
func (g goTool) newCompiler(ctx context.Context) (*compiler, error) {
	vars := append([]string{"GOTOOLDIR", "GOVERSION", "GOFLAGS"}, compilerEnv...)
	out, stderr, err := g.run(ctx, append([]string{"env", "-json"}, vars...)...)
	if err != nil {
		return nil, fmt.Errorf("go env: %v: %s", err, tail(stderr, 5))
	}
	var env map[string]string
	if err := json.Unmarshal(out, &env); err != nil {
		return nil, fmt.Errorf("go env -json: %v", err)
	}
	for _, f := range strings.Fields(env["GOFLAGS"]) {
		for _, c := range goflagsCompile {
			if f == c || strings.HasPrefix(f, c+"=") {
				return nil, nil
			}
		}
	}
	c := &compiler{tool: filepath.Join(env["GOTOOLDIR"], "compile"), goversion: env["GOVERSION"]}
	if runtime.GOOS == "windows" {
		c.tool += ".exe"
	}
	// A toolchain built again from source keeps its version: the binary's size and time tell.
	fi, err := os.Stat(c.tool)
	if err != nil {
		return nil, err
	}
	c.toolID = fmt.Sprint(fi.Size(), fi.ModTime().UnixNano())
	for _, v := range compilerEnv {
		c.env = append(c.env, v+"="+env[v])
	}
	if file := g.pgoProfile(); file != "" {
		c.flags = append(c.flags, "-pgoprofile="+file)
	}
	return c, nil
}

// direct reports whether the compiler can confirm a round that changes the packages metas
// (compiler): each pick changes one package, and each package is Go files and embedded files only.
func (c *compiler) direct(picks []*pick, metas []*listedPackage) bool {
	if c == nil {
		return false
	}
	for _, p := range picks {
		if len(p.affected) != 1 {
			return false
		}
	}
	for _, m := range metas {
		if m == nil || m.Module == nil || len(m.CgoFiles)+len(m.CFiles)+len(m.CXXFiles)+len(m.MFiles)+len(m.FFiles)+len(m.SFiles)+len(m.SysoFiles)+len(m.SwigFiles)+len(m.SwigCXXFiles) > 0 {
			return false
		}
	}
	return true
}

// compileResult is one package's compile: the compiler's output, with the go command's header and
// file names, and whether it failed.
type compileResult struct {
	out    []byte
	failed bool
	export string // the export data file, when it compiled
	err    error
}

// compileGroup is a set of rewrites compiled together: the packages they change, and the files.
type compileGroup struct {
	metas []*listedPackage
	files map[string][]byte
}

// compiledGroup is what compileGroups returns for one group: the compiler's diagnostics of its
// packages (read as diagnoseFor reads the go command's), the build error of each package that does
// not compile and the export data file of each that does.
type compiledGroup struct {
	diags           *diag.Diagnostics
	broken, exports map[string]string
}

// compileGroups compiles each package of each group with -m=2, with the group's files replacing
// file contents, against the export data of exports, into dir; all names every listed package's
// files, rundir is where the go command would have run. Each group is read on its own: the first
// is the code to keep, the others are compiled against its new export data (the build gate's
// trades, which it confirms but does not keep). With progress, it hears of each package compiled.
func (c *compiler) compileGroups(ctx context.Context, groups []compileGroup, exports map[string]string, dir, rundir string, all diag.PackageFiles, par int, progress func(n int, last string)) ([]compiledGroup, error) {
	if par <= 0 {
		par = runtime.NumCPU()
	}
	rundir, err := filepath.Abs(rundir)
	if err != nil {
		return nil, err
	}
	// A package that imports another of the round's packages is compiled after it, against its new
	// export data, as the go command would: an instantiated generic function, an inlined body or a
	// parameter's escape are what the importer's diagnostics show of the code it imports.
	type unit struct {
		g, i int // group, package
		done chan struct{}
		res  compileResult
	}
	var units []*unit
	index := make([]map[string]*unit, len(groups))
	for g, grp := range groups {
		index[g] = map[string]*unit{}
		for i, m := range grp.metas {
			u := &unit{g: g, i: i, done: make(chan struct{})}
			units = append(units, u)
			index[g][m.ImportPath] = u
		}
	}
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	var mu sync.Mutex
	compiled := 0
	for n, u := range units {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(u.done)
			m := groups[u.g].metas[u.i]
			own, cloned := exports, false
			for _, imp := range m.Imports {
				path := m.resolve(imp)
				dep := index[u.g][path]
				if dep == nil {
					dep = index[0][path]
				}
				if dep == nil || dep == u {
					continue
				}
				<-dep.done
				if dep.res.export == "" {
					u.res = compileResult{failed: true, out: []byte("# " + m.ImportPath + "\nits import " + path + " does not compile\n")}
					return
				}
				if !cloned {
					own, cloned = maps.Clone(exports), true
				}
				own[path] = dep.res.export
			}
			sem <- struct{}{}
			defer func() { <-sem }()
			u.res = c.compile(ctx, m, groups[u.g].files, own, filepath.Join(dir, fmt.Sprint(n)), rundir)
			if progress != nil {
				mu.Lock()
				compiled++
				progress(compiled, m.ImportPath)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	out := make([]compiledGroup, len(groups))
	for g, grp := range groups {
		var text bytes.Buffer
		broken, exps := map[string]string{}, map[string]string{}
		wanted := map[string]bool{}
		for _, m := range grp.metas {
			r := index[g][m.ImportPath].res
			if r.err != nil {
				return nil, r.err
			}
			wanted[m.ImportPath] = true
			if r.failed {
				broken[m.ImportPath] = strings.TrimSpace(string(r.out))
				continue
			}
			exps[m.ImportPath] = r.export
			text.Write(r.out)
		}
		ds, lost, err := diag.ParsePackages(&text, []string{rundir}, all, func(pkg string) bool { return wanted[pkg] }, false)
		if err != nil {
			return nil, err
		}
		diags := diag.New(ds)
		diags.Lost = lost
		for p := range lost {
			if broken[p] == "" {
				broken[p] = "gcfix cannot read the -m=2 diagnostics of the rewritten package: " + lost[p].String()
			}
		}
		out[g] = compiledGroup{diags, broken, exps}
	}
	return out, nil
}

// compile compiles one package into dir as the go command's build action does: its compiled Go
// files (those of files replaced by their new content), an importcfg naming the export data of its
// imports, the embedded files' configuration, and the flags the go command gives the compiler.
func (c *compiler) compile(ctx context.Context, m *listedPackage, files map[string][]byte, exports map[string]string, dir, rundir string) compileResult {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return compileResult{err: err}
	}
	var cfg strings.Builder
	key := c.newKey(m, rundir)
	for _, imp := range importsOf(m, files) {
		path := m.resolve(imp)
		if path != imp {
			fmt.Fprintf(&cfg, "importmap %s=%s\n", imp, path)
		}
		if path == "unsafe" {
			continue
		}
		export := exports[path]
		if export == "" {
			return compileResult{err: fmt.Errorf("compiling %s: no export data for its import %s", m.ImportPath, path)}
		}
		fmt.Fprintf(&cfg, "packagefile %s=%s\n", path, export)
		id, err := c.exportID(export)
		if err != nil {
			return compileResult{err: err}
		}
		fmt.Fprintf(key, "import %s=%s %s\n", imp, path, id)
	}
	importcfg := filepath.Join(dir, "importcfg")
	if err := os.WriteFile(importcfg, []byte(cfg.String()), 0o644); err != nil {
		return compileResult{err: err}
	}
	pkgpath := m.ImportPath
	if m.Name == "main" {
		pkgpath = "main" // as the go command names a command's package
	}
	args := []string{"-o", filepath.Join(dir, "_pkg_.a"), "-p", pkgpath, "-lang=" + langVersion(m.Module.GoVersion), "-complete", "-goversion", c.goversion, "-c=1", "-m=2", "-dwarf=false", "-nolocalimports", "-importcfg", importcfg}
	args = append(args, c.flags...)
	if len(m.EmbedFiles) > 0 {
		embedcfg, err := writeEmbedcfg(m, dir)
		if err != nil {
			return compileResult{err: err}
		}
		fmt.Fprintf(key, "embed %q %q\n", m.EmbedPatterns, m.EmbedFiles)
		args = append(args, "-embedcfg", embedcfg)
	}
	args = append(args, "-pack")
	// The replaced files are written under their own names, each in a directory of its own; the
	// compiler's output names them as the user's files again.
	var renames []string
	for i, name := range m.CompiledGoFiles {
		abs := m.abs(name)
		content, ok := files[abs]
		if !ok {
			args = append(args, abs)
			b, err := os.ReadFile(abs)
			if err != nil {
				return compileResult{err: err}
			}
			fmt.Fprintf(key, "file %s %x\n", abs, sha256.Sum256(b))
			continue
		}
		fmt.Fprintf(key, "file %s %x\n", abs, sha256.Sum256(content))
		sub := filepath.Join(dir, fmt.Sprint("src", i))
		if err := os.Mkdir(sub, 0o755); err != nil {
			return compileResult{err: err}
		}
		repl := filepath.Join(sub, filepath.Base(abs))
		if err := os.WriteFile(repl, content, 0o644); err != nil {
			return compileResult{err: err}
		}
		args = append(args, repl)
		renames = append(renames, repl, abs)
	}
	if len(renames) > 0 {
		// Positions recorded in the export data (an inline body, a generic function instantiated
		// elsewhere) name the user's files, as the go command's -trimpath makes them for -overlay.
		var rewrites []string
		for i := 0; i < len(renames); i += 2 {
			rewrites = append(rewrites, renames[i]+"=>"+renames[i+1])
		}
		args = slices.Insert(args, 0, "-trimpath", strings.Join(rewrites, ";"))
	}
	// The files of this compile (output, importcfg, embedcfg, rewritten files) are in dir, whose
	// name changes from run to run.
	for _, a := range args {
		fmt.Fprintf(key, "arg %s\n", strings.ReplaceAll(a, dir, "$DIR"))
	}
	id := fmt.Sprintf("%x", key.Sum(nil))
	if r, ok := c.cached(id); ok {
		return r
	}
	cmd := exec.CommandContext(ctx, c.tool, args...)
	cmd.Dir = m.Dir
	cmd.Env = append(os.Environ(), c.env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	killGroupOnCancel(cmd)
	err := cmd.Run()
	if ctx.Err() != nil {
		return compileResult{err: ctx.Err()}
	}
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		return compileResult{err: fmt.Errorf("compiling %s: %v", m.ImportPath, err)}
	}
	text := strings.NewReplacer(renames...).Replace(out.String())
	r := compileResult{out: []byte("# " + m.ImportPath + "\n" + shortenPaths(text, m.Dir, rundir)), failed: err != nil}
	if err == nil {
		r.export = filepath.Join(dir, "_pkg_.a")
		c.store(id, r)
	}
	return r
}

// importsOf returns the paths the package imports, as written in its files: those go list saw and
// those the rewritten files of files add (a rewrite may import strconv, say).
func importsOf(m *listedPackage, files map[string][]byte) []string {
	imports := slices.Clone(m.Imports)
	for _, name := range m.CompiledGoFiles {
		abs := m.abs(name)
		content, ok := files[abs]
		if !ok {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), abs, content, parser.ImportsOnly)
		if err != nil {
			continue // the compiler says what is wrong with it
		}
		for _, spec := range f.Imports {
			if path, err := strconv.Unquote(spec.Path.Value); err == nil && !slices.Contains(imports, path) {
				imports = append(imports, path)
			}
		}
	}
	return imports
}

// missingExports returns the imports of the packages (importsOf) that exports has no export data
// for, "unsafe" and "C" aside.
func missingExports(metas []*listedPackage, files map[string][]byte, exports map[string]string) []string {
	var out []string
	for _, m := range metas {
		for _, imp := range importsOf(m, files) {
			path := m.resolve(imp)
			if exports[path] == "" && path != "unsafe" && path != "C" && !slices.Contains(out, path) {
				out = append(out, path)
			}
		}
	}
	slices.Sort(out)
	return out
}

// The compiles are cached in gcfix's cache directory, as the go command caches its own: a rerun
// after a change elsewhere in the module compiles again only what the change reaches. An entry is
// keyed by everything the compile reads (the compiler, its flags and environment, each file's
// content, the export data of each import) and holds the output (<key>-m) and the export data
// (<key>-a); trimResults trims it with the results.

// newKey starts the key of a compile of m: the compiler, its environment and the directories its
// output is named relative to.
func (c *compiler) newKey(m *listedPackage, rundir string) hash.Hash {
	h := sha256.New()
	fmt.Fprintf(h, "gcfix compile 1\n%s %s %s %q %q\n%s %s %s\n", c.tool, c.toolID, c.goversion, c.env, c.flags, m.ImportPath, m.Dir, rundir)
	return h
}

// exportID identifies an export data file's content: its name, for the go command's build cache,
// which names an output by its content's hash (…-d); else the hash of the content, computed once.
func (c *compiler) exportID(file string) (string, error) {
	if strings.HasSuffix(file, "-d") {
		return file, nil
	}
	if id, ok := c.ids.Load(file); ok {
		return id.(string), nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	id := fmt.Sprintf("%x", sha256.Sum256(b))
	c.ids.Store(file, id)
	return id, nil
}

// cached returns the cached compile id, if there is one.
func (c *compiler) cached(id string) (compileResult, bool) {
	if c.cache == "" {
		return compileResult{}, false
	}
	base := filepath.Join(c.cache, id[:2], id)
	out, err := os.ReadFile(base + "-m")
	if err != nil {
		return compileResult{}, false
	}
	if _, err := os.Stat(base + "-a"); err != nil {
		return compileResult{}, false
	}
	now := time.Now()
	for _, name := range []string{base + "-m", base + "-a"} {
		if fi, err := os.Stat(name); err == nil && now.Sub(fi.ModTime()) > time.Hour {
			os.Chtimes(name, now, now)
		}
	}
	return compileResult{out: out, export: base + "-a"}, true
}

// store caches a compile that succeeded; a failure only costs the next run its hit.
func (c *compiler) store(id string, r compileResult) {
	if c.cache == "" {
		return
	}
	sub := filepath.Join(c.cache, id[:2])
	if os.MkdirAll(sub, 0o755) != nil {
		return
	}
	for _, f := range []struct {
		suffix string
		data   func() ([]byte, error)
	}{
		{"-a", func() ([]byte, error) { return os.ReadFile(r.export) }},
		{"-m", func() ([]byte, error) { return r.out, nil }},
	} {
		b, err := f.data()
		if err != nil {
			return
		}
		tmp, err := os.CreateTemp(sub, id+".tmp*")
		if err != nil {
			return
		}
		_, werr := tmp.Write(b)
		cerr := tmp.Close()
		if werr != nil || cerr != nil || os.Rename(tmp.Name(), filepath.Join(sub, id+f.suffix)) != nil {
			os.Remove(tmp.Name())
			return
		}
	}
}

// langVersion is the -lang the go command gives the compiler for a module whose go.mod says
// version v: its language version (1.26 of 1.26.0), 1.16 when go.mod says none.
func langVersion(v string) string {
	if v == "" {
		v = "1.16"
	}
	if parts := strings.SplitN(v, ".", 3); len(parts) == 3 {
		v = parts[0] + "." + parts[1]
	}
	if i := strings.IndexAny(v, "rb"); i > 0 { // 1.21rc1
		v = v[:i]
	}
	return "go" + v
}

// writeEmbedcfg writes the compiler's -embedcfg for the package's //go:embed patterns: which
// files each pattern names, and where each file is.
func writeEmbedcfg(m *listedPackage, dir string) (string, error) {
	cfg := struct {
		Patterns map[string][]string
		Files    map[string]string
	}{map[string][]string{}, map[string]string{}}
	for _, f := range m.EmbedFiles {
		cfg.Files[f] = m.abs(f)
	}
	for _, pattern := range m.EmbedPatterns {
		glob := strings.TrimPrefix(pattern, "all:")
		var names []string
		for _, f := range m.EmbedFiles {
			if matchesOrUnder(glob, f) {
				names = append(names, f)
			}
		}
		slices.Sort(names)
		cfg.Patterns[pattern] = names
	}
	data, err := json.Marshal(cfg)
	if err != nil {
		return "", err
	}
	name := filepath.Join(dir, "embedcfg")
	return name, os.WriteFile(name, data, 0o644)
}

// matchesOrUnder reports whether the embedded file f matches the pattern glob or is inside a
// directory that does: a pattern naming a directory embeds the files inside it.
func matchesOrUnder(glob, f string) bool {
	for d := f; ; {
		if ok, _ := path.Match(glob, d); ok {
			return true
		}
		i := strings.LastIndex(d, "/")
		if i < 0 {
			return false
		}
		d = d[:i]
	}
}

// shortenPaths names files in the compiler's output as the go command does: the package's
// directory and each of its parents, where a path relative to the directory the go command runs
// in (rundir) is shorter, by that path.
func shortenPaths(out, dir, rundir string) string {
	for {
		if rel, err := filepath.Rel(rundir, dir); err == nil && len(rel) < len(dir) {
			out = replacePathPrefix(out, dir, rel)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return out
		}
		dir = parent
	}
}

// replacePathPrefix replaces old by new where it starts a line or follows a space.
func replacePathPrefix(s, old, new string) string {
	if !strings.Contains(s, old) {
		return s
	}
	s = strings.ReplaceAll(s, " "+old, " "+new)
	s = strings.ReplaceAll(s, "\n"+old, "\n"+new)
	s = strings.ReplaceAll(s, "\n\t"+old, "\n\t"+new)
	if strings.HasPrefix(s, old) {
		s = new + s[len(old):]
	}
	return s
}
