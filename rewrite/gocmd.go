package rewrite

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gcfix/gcfix/rewrite/diag"
)

// goTool runs the go command for one module: in its root, with the build tags and environment of
// the run.
type goTool struct {
	dir  string   // the module root
	tags string   // -tags, or ""
	env  []string // added to the environment, e.g. GOTMPDIR inside gcfix's own temporary directory
	par  int      // -p: how many builds and tests the go command runs in parallel; 0: its default
	pgo  string   // a profile for profile-guided optimization, or "" (pgo.go)
	// pgoCopy is the profile's content-addressed copy that -gcflags name (pgoContentCopy).
	pgoCopy string
	// diagPatterns, when set, are the package patterns (relative to diagDir) that the run's first
	// compile gave -m=2. Every later diagnosing compile gives the same flags, so that each package
	// that did not change is a build cache hit rather than a compile with other flags; and one
	// pattern costs the go command far less than a -gcflags per package.
	diagPatterns []string
	diagDir      string
	// follow, when set, hears of each package whose compiler output a diagnosing compile prints
	// (follower), for the progress line.
	follow func(n int, last string)
	tmp    string // where gcfix keeps its temporary files; "" for the system's
	// compiles, when set, counts the go commands started to compile packages (go list -export, go
	// test): report.Report.Compiles. The copies of a run's goTool share it.
	compiles *atomic.Int64
}

// compiling counts a go command that compiles packages.
func (g goTool) compiling() {
	if g.compiles != nil {
		g.compiles.Add(1)
	}
}

// run runs the go command and returns its stdout and stderr. The whole process group is interrupted
// when ctx ends, so an interrupted gcfix leaves no compiler or test binary running.
func (g goTool) run(ctx context.Context, args ...string) (stdout, stderr []byte, err error) {
	var out, errb bytes.Buffer
	err = g.command(ctx, args, &out, &errb).Run()
	if ctx.Err() != nil {
		err = ctx.Err()
	}
	return out.Bytes(), errb.Bytes(), err
}

// command is the go command with args, in g's directory and environment, its process group
// interrupted when ctx ends.
func (g goTool) command(ctx context.Context, args []string, stdout, stderr io.Writer) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = g.dir
	if len(g.env) > 0 {
		cmd.Env = append(os.Environ(), g.env...)
	}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	killGroupOnCancel(cmd)
	return cmd
}

// runStderrFile is run with stderr written to a temporary file, which the caller removes: the
// compiler's -m=2 text of a large module is tens of megabytes that a rerun answered from the result
// cache never reads.
// With progress, the compiler's package headers are counted while the go command runs
// (follower).
func (g goTool) runStderrFile(ctx context.Context, progress func(n int, last string), args ...string) (stdout []byte, stderr string, err error) {
	f, err := os.CreateTemp(g.tmp, "gcfix-m2-*")
	if err != nil {
		return nil, "", err
	}
	var out bytes.Buffer
	if progress != nil {
		fl := follow(f.Name(), progress)
		defer fl.stop()
	}
	err = g.command(ctx, args, &out, f).Run()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if ctx.Err() != nil {
		err = ctx.Err()
	}
	return out.Bytes(), f.Name(), err
}

// overlay is a set of replaced file contents that the go command sees through -overlay, so that
// the user's files stay untouched until -apply.
type overlay struct {
	dir     string            // where the replacement files live
	path    string            // the -overlay JSON file; "" when there are no files to replace
	replace map[string]string // absolute path → the file that replaces it
}

// writeOverlay writes files into a fresh directory under tmp and returns the overlay.
func writeOverlay(tmp string, files map[string][]byte) (*overlay, error) {
	o := &overlay{}
	if len(files) == 0 {
		return o, nil
	}
	dir, err := os.MkdirTemp(tmp, "overlay")
	if err != nil {
		return nil, err
	}
	o.dir = dir
	replace := map[string]string{}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for i, name := range names {
		p := filepath.Join(dir, fmt.Sprintf("%d_%s", i, filepath.Base(name)))
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return nil, err
		}
		replace[name] = p
	}
	o.replace = replace
	data, err := json.Marshal(map[string]any{"Replace": replace})
	if err != nil {
		return nil, err
	}
	o.path = filepath.Join(dir, "overlay.json")
	return o, os.WriteFile(o.path, data, 0o644)
}

func (o *overlay) flag() []string {
	if o == nil || o.path == "" {
		return nil
	}
	return []string{"-overlay=" + o.path}
}

// original names the user's files in msg where the compiler named their replacements.
func (o *overlay) original(msg string) string {
	if o == nil {
		return msg
	}
	for name, repl := range o.replace {
		msg = strings.ReplaceAll(msg, repl, name)
	}
	return msg
}

func (o *overlay) remove() {
	if o != nil && o.dir != "" {
		os.RemoveAll(o.dir)
	}
}

// Diagnose compiles the packages (import paths) of the module at dir with -m=2 and returns the
// compiler's diagnostics and the build error of each package that does not compile. For tests and
// tools; Run diagnoses by itself.
func Diagnose(ctx context.Context, dir string, pkgs []string, tags string) (*diag.Diagnostics, map[string]string, error) {
	return goTool{dir: dir, tags: tags}.diagnose(ctx, pkgs, nil)
}

// GoEnv runs go env with vars in dir, as gcfix runs every go command, and returns what it printed.
// An error quotes the end of the go command's complaint.
func GoEnv(ctx context.Context, dir string, vars ...string) ([]byte, error) {
	out, stderr, err := goTool{dir: dir}.run(ctx, append([]string{"env"}, vars...)...)
	if err != nil {
		return nil, fmt.Errorf("go env %s: %v: %s", strings.Join(vars, " "), err, tail(stderr, 5))
	}
	return out, nil
}

// diagnose compiles pkgs without linking (go list -export) with -m=2 for exactly those packages,
// and returns the compiler's diagnostics and, per package, the build error if it did not compile.
func (g goTool) diagnose(ctx context.Context, pkgs []string, ov *overlay) (*diag.Diagnostics, map[string]string, error) {
	ds, broken, _, err := g.diagnoseFor(ctx, pkgs, ov, true)
	return ds, broken, err
}

// diagnoseFor is diagnose that also returns each package's export data file. Without full, the
// diagnostics are only those rules read (no flow explanations).
func (g goTool) diagnoseFor(ctx context.Context, pkgs []string, ov *overlay, full bool) (*diag.Diagnostics, map[string]string, map[string]string, error) {
	run, args := g.diagnoseArgs(pkgs, ov)
	g.compiling()
	stdout, stderr, err := run.runFollowed(ctx, g.follow, args...)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, nil, err
		}
		return nil, nil, nil, fmt.Errorf("go list -export: %v\n%s", err, tail(stderr, 20))
	}
	files := diag.PackageFiles{}
	broken, exports := map[string]string{}, map[string]string{}
	dec := json.NewDecoder(bytes.NewReader(stdout))
	for dec.More() {
		p := &listedPackage{}
		if err := dec.Decode(p); err != nil {
			return nil, nil, nil, fmt.Errorf("go list -json: %v", err)
		}
		if p.Export != "" {
			exports[p.ImportPath] = p.Export
		}
		files[p.ImportPath] = filesOf([]*listedPackage{p})[p.ImportPath]
		switch {
		case p.Error != nil:
			broken[p.ImportPath] = ov.original(strings.TrimSpace(p.Error.Err))
		case len(p.DepsErrors) > 0:
			broken[p.ImportPath] = ov.original(strings.TrimSpace(p.DepsErrors[0].Err))
		}
	}
	// Dependencies that the patterns cover print their (cached) diagnostics too: only pkgs' count,
	// wherever they are printed (a package that instantiates a generic function of pkgs prints
	// diagnostics in its files).
	wanted := map[string]bool{}
	for _, p := range pkgs {
		wanted[p] = true
	}
	rundir, err := filepath.Abs(run.dir)
	if err != nil {
		return nil, nil, nil, err
	}
	ds, lost, err := diag.ParsePackages(bytes.NewReader(stderr), []string{rundir, g.dir}, files, func(pkg string) bool { return wanted[pkg] }, full)
	if err != nil {
		return nil, nil, nil, err
	}
	diags := diag.New(ds)
	diags.Lost = lost
	// A confirmation cannot judge a promise on diagnostics it could not read.
	for p := range lost {
		if broken[p] == "" && wanted[p] {
			broken[p] = "gcfix cannot read the -m=2 diagnostics of the rewritten package: " + lost[p].String()
		}
	}
	return diags, broken, exports, nil
}

// diagnoseArgs returns the go list -export command that compiles pkgs with -m=2 through the
// overlay, and the go command to run it with: in the directory of the run's first compile, with
// its patterns, when diagPatterns says them.
func (g goTool) diagnoseArgs(pkgs []string, ov *overlay) (run goTool, args []string) {
	args = []string{"list", "-e", "-export", "-deps", "-json=ImportPath,Dir,Export,GoFiles,CgoFiles,CompiledGoFiles,Error,DepsErrors"}
	args = append(args, g.buildFlags()...)
	args = append(args, ov.flag()...)
	run = g
	if len(g.diagPatterns) > 0 {
		run.dir = g.diagDir
	}
	args = append(args, run.pgoListFlags()...)
	flagged := g.diagPatterns
	if len(flagged) == 0 {
		flagged = pkgs
	}
	for _, p := range flagged {
		args = append(args, "-gcflags="+p+"=-m=2"+g.pgoCompileFlag())
	}
	args = append(args, "--")
	return run, append(args, pkgs...)
}

// diagRunDir is the directory the diagnosing go commands run in (diagnoseArgs).
func (g goTool) diagRunDir() string {
	if len(g.diagPatterns) > 0 {
		return g.diagDir
	}
	return g.dir
}

// runFollowed is run, with the compiler's output followed for the progress line when follow is
// set (runStderrFile).
func (g goTool) runFollowed(ctx context.Context, follow func(n int, last string), args ...string) (stdout, stderr []byte, err error) {
	if follow == nil {
		return g.run(ctx, args...)
	}
	stdout, name, err := g.runStderrFile(ctx, follow, args...)
	if name != "" {
		var rerr error
		stderr, rerr = os.ReadFile(name)
		os.Remove(name)
		if err == nil {
			err = rerr
		}
	}
	return stdout, stderr, err
}

// goTest runs the package's tests with the overlay and reports whether it has any. The error carries
// the tail of the output.
func (g goTool) test(ctx context.Context, pkgs []string, ov *overlay, timeout time.Duration) (hasTests bool, err error) {
	args := []string{"test", "-timeout=" + timeout.String()}
	args = append(args, g.buildFlags()...)
	args = append(args, g.pgoFlag()...)
	args = append(args, ov.flag()...)
	args = append(args, pkgs...)
	g.compiling()
	stdout, stderr, err := g.run(ctx, args...)
	if err != nil {
		if ctx.Err() != nil {
			return false, err
		}
		return false, fmt.Errorf("%s", tail(append(stdout, stderr...), 20))
	}
	return !bytes.Contains(stdout, []byte("[no test files]")), nil
}

// testBinary compiles the package's test binary to out, with the overlay and the go test flags
// given (coverage, for benchmap.go).
func (g goTool) testBinary(ctx context.Context, pkg string, ov *overlay, out string, flags ...string) error {
	args := []string{"test", "-c", "-o", out}
	args = append(args, flags...)
	args = append(args, g.buildFlags()...)
	args = append(args, g.pgoFlag()...)
	args = append(args, ov.flag()...)
	args = append(args, pkg)
	g.compiling()
	_, stderr, err := g.run(ctx, args...)
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		return fmt.Errorf("go test -c %s: %s", pkg, tail(stderr, 20))
	}
	if _, err := os.Stat(out); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("go test -c %s: no test binary (the package has no test files)", pkg)
	}
	return nil
}

// buildFlags are the flags every go command of the run gets: build tags and parallelism.
func (g goTool) buildFlags() []string {
	var out []string
	if g.tags != "" {
		out = append(out, "-tags="+g.tags)
	}
	if g.par > 0 {
		out = append(out, "-p="+strconv.Itoa(g.par))
	}
	return out
}

// tail returns the last n lines of b, trimmed.
func tail(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
