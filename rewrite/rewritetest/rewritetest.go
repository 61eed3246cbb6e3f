// Package rewritetest runs a rule on fixture cases, like golang.org/x/tools/go/analysis/analysistest.
//
// A case is a directory of a fixture module holding one package: its Go files, their tests with at
// least one benchmark, and, for each file that the rule rewrites, the expected result in
// <file>.golden. A case whose directory name starts with "no_" must stay untouched.
//
// The input files carry comments in the style of the Go compiler's test/escape*.go files:
//
//	return fmt.Sprintf("%d:%d", a, b) // ERROR "a escapes to heap" "b escapes to heap"
//
// Each quoted regexp must match the message of a -m=2 diagnostic on its line, and every diagnostic
// that the rule cites as evidence must be on a line whose ERROR comment matches it: the comments
// document the evidence exactly. The golden files carry the ERROR comments that must still hold
// after the rewrite. A comment may add DECLINE "regexp"...: then the rule must decline a candidate
// on that line with a matching reason, and every declined candidate must be on such a line. A
// comment may add VARIANT "name": the candidate on that line has variants
// (rule.Candidate.Variants), one of them named so, and it is the variant applied: the rule's
// default under the build and test gates, the one kept under the bench gate (Options.Bench).
//
// Run checks the comments, runs the engine with the test gate (for a case of trades, Options.Trades,
// the test gate and then the bench gate; for a case of Options.Bench, the bench gate), compares
// the rewritten files with the golden ones (ignoring ERROR, DECLINE and VARIANT comments), and runs
// the benchmarks of the old and new code once: allocs/op must drop in at least one benchmark and
// rise in none. A variant of a candidate that does not build or fails the tests fails the case, as
// a candidate does. Under go test -short it uses the build gate and runs no benchmark: the
// compiler's verdicts and the golden files only (for a case of trades, only that the build gate
// keeps none). With -update, the golden files are rewritten, keeping only the ERROR regexps that
// hold for the rewritten code.
package rewritetest

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"go/format"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/diff"

	"github.com/gcfix/gcfix/rewrite"
	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/report"
	"github.com/gcfix/gcfix/rewrite/rule"
)

var update = flag.Bool("update", false, "rewrite the golden files of the fixture cases")

// Update reports whether -update was given: tests that keep generated files up to date write
// them instead of failing.
func Update() bool { return *update }

// Run runs rule on the case at moduleDir/caseDir (caseDir relative, with slashes) and checks it.
func Run(t *testing.T, moduleDir, caseDir string, r *rule.Rule) {
	t.Helper()
	RunOptions(t, moduleDir, caseDir, r, Options{})
}

// Options change what RunOptions requires of a case; the zero value requires what Run does.
type Options struct {
	// TimeOnly is for rules that win on time, not allocations (outline, noinline): allocs/op must
	// still rise in no benchmark, but need not drop in any. Wall time is never asserted.
	TimeOnly bool
	// Skip names case directories that RunAll leaves to another test.
	Skip []string
	// Trades names case directories whose rewrites are trades (rule.Candidate.Trade), which only
	// the bench gate may keep: under the test gate, every candidate that the rule does not decline
	// must be reported needs-bench and nothing may be rewritten; then the case runs under the bench
	// gate, which must keep them, and is checked as usual.
	Trades []string
	// Bench names case directories that run under the bench gate instead of the test gate (the
	// build gate under -short), for cases whose golden files are what the bench gate keeps: a
	// choice among a rule's variants whose difference the benchmarks show beyond doubt, such as
	// allocs/op. Their VARIANT comments name the variant the bench gate keeps.
	Bench []string
}

// RunAll runs every case directory under moduleDir/ruleDir (fixtures/<rule>/<case>) through
// RunOptions, in parallel subtests named after the cases.
func RunAll(t *testing.T, moduleDir, ruleDir string, r *rule.Rule, opts Options) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(moduleDir, ruleDir))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() || slices.Contains(opts.Skip, e.Name()) {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			t.Parallel()
			RunOptions(t, moduleDir, ruleDir+"/"+e.Name(), r, opts)
		})
	}
}

// RunOptions is Run with options.
func RunOptions(t *testing.T, moduleDir, caseDir string, r *rule.Rule, opts Options) {
	t.Helper()
	ctx := t.Context()
	c := newFixtureCase(t, moduleDir, caseDir, r)
	c.untouched = strings.HasPrefix(filepath.Base(caseDir), "no_")
	c.opts = opts
	c.checkInput(ctx)
	if t.Failed() {
		return
	}
	// go test -short is the quick subset: the compiler's verdicts and the golden files, without the
	// package's tests and benchmarks.
	gate := rewrite.GateTest
	if slices.Contains(opts.Bench, filepath.Base(caseDir)) {
		gate = rewrite.GateBench
	}
	if testing.Short() {
		gate = rewrite.GateBuild
	}
	rep := c.run(ctx, gate)
	if slices.Contains(opts.Trades, filepath.Base(caseDir)) && !c.untouched {
		for _, r := range rep.Candidates {
			if !strings.HasPrefix(r.Reason, "declined:") && r.Verdict != report.NeedsBench {
				t.Errorf("%s:%d: %s: %s under the %s gate; want %s for a trade", r.File, r.Line, r.Summary, r.Verdict, gate, report.NeedsBench)
			}
		}
		if rw := rep.Rewritten(); len(rw) != 0 {
			t.Errorf("the %s gate rewrote %v: a trade is kept only by the bench gate", gate, keys(rw))
		}
		if testing.Short() {
			return // only the bench gate keeps a trade, and -short runs no benchmark
		}
		rep = c.run(ctx, rewrite.GateBench)
	}
	for _, r := range rep.Candidates {
		t.Logf("candidate %s:%d:%d %s: %s: %s", r.File, r.Line, r.Col, r.Summary, r.Verdict, r.Reason)
		for _, n := range r.Notes {
			t.Logf("  note: %s", n)
		}
		if r.Variant != "" {
			t.Logf("  variant %s: %s", r.Variant, r.VariantReason)
		}
		for _, v := range r.Variants {
			t.Logf("  variant %s: %s: %s", v.Name, v.Verdict, v.Reason)
			if v.Verdict == report.BuildFailed || v.Verdict == report.TestsFailed {
				t.Errorf("%s:%d: variant %s (%s): %s:\n%s", r.File, r.Line, v.Name, v.Summary, v.Verdict, v.Reason)
			}
		}
		// A rewrite that does not build or breaks the tests is a bug of the rule, kept or not.
		if r.Verdict == report.BuildFailed || r.Verdict == report.TestsFailed {
			t.Errorf("%s:%d: %s: %s:\n%s\n%s", r.File, r.Line, r.Summary, r.Verdict, r.Reason, r.Diff)
		}
		if want := c.comments[filepath.Join(c.moduleDir, filepath.FromSlash(r.File))][r.Line].variant; want != "" && r.Variant != want {
			t.Errorf("%s:%d: %s: variant %s applied under the %s gate (%s); want %s", r.File, r.Line, r.Summary, r.Variant, gate, r.VariantReason, want)
		}
	}
	if c.untouched {
		c.checkUntouched(rep)
		return
	}
	if rep.Kept() == 0 {
		t.Fatalf("no candidate kept in %s", caseDir)
	}
	c.checkRewritten(ctx, rep)
}

// run runs the rule on the case under gate g.
func (c *fixtureCase) run(ctx context.Context, g rewrite.Gate) *report.Report {
	t := c.t
	t.Helper()
	rep, err := rewrite.Run(ctx, rewrite.Options{
		Dir:      c.moduleDir,
		Patterns: []string{"./" + c.caseDir},
		Rules:    []*rule.Rule{c.rule},
		Gate:     g,
		Log:      func(format string, args ...any) { t.Logf(format, args...) },
	})
	if err != nil {
		t.Fatalf("rewrite.Run: %v", err)
	}
	for _, p := range rep.Packages {
		if p.Error != "" {
			t.Fatalf("package %s: %s", p.Path, p.Error)
		}
	}
	return rep
}

// newFixtureCase describes the case at moduleDir/caseDir (relative, with slashes).
func newFixtureCase(t *testing.T, moduleDir, caseDir string, r *rule.Rule) *fixtureCase {
	t.Helper()
	moduleDir, err := filepath.Abs(moduleDir)
	if err != nil {
		t.Fatal(err)
	}
	modPath, err := modulePath(moduleDir)
	if err != nil {
		t.Fatal(err)
	}
	return &fixtureCase{
		t:         t,
		rule:      r,
		moduleDir: moduleDir,
		caseDir:   caseDir,
		pkgPath:   modPath + "/" + caseDir,
		dir:       filepath.Join(moduleDir, filepath.FromSlash(caseDir)),
	}
}

// Declines checks the package at moduleDir/dir (relative, with slashes) without running the
// engine: its ERROR and DECLINE comments against the compiler and the rule's Match, as Run does, and
// that the rule declines every candidate. It is for code that the test gate cannot take, such as
// calls that go vet rejects.
func Declines(t *testing.T, moduleDir, dir string, r *rule.Rule) {
	t.Helper()
	c := newFixtureCase(t, moduleDir, dir, r)
	c.untouched = true
	moduleDir = c.moduleDir
	for _, cand := range c.checkInput(t.Context()) {
		if cand.Decline == "" {
			t.Errorf("%s: candidate %s was not declined", rel(moduleDir, cand.pos.Filename, cand.pos.Line), cand.Summary)
		}
	}
}

type fixtureCase struct {
	t         *testing.T
	rule      *rule.Rule
	moduleDir string
	caseDir   string
	pkgPath   string
	dir       string // the case's directory
	untouched bool
	opts      Options
	comments  map[string]fileComments // the input's comments, by file name (checkInput)
}

// positioned is a candidate of the rule with its position.
type positioned struct {
	*rule.Candidate
	pos token.Position
}

// checkInput checks the input's ERROR comments against the compiler, and the rule's evidence and
// declines against the comments. It returns the rule's candidates.
func (c *fixtureCase) checkInput(ctx context.Context) []positioned {
	t := c.t
	diags, broken, err := rewrite.Diagnose(ctx, c.moduleDir, []string{c.pkgPath}, "")
	if err != nil {
		t.Fatal(err)
	}
	if msg := broken[c.pkgPath]; msg != "" {
		t.Fatalf("%s does not build: %s", c.pkgPath, msg)
	}
	comments := map[string]fileComments{}
	for _, name := range goFiles(t, c.dir) {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		fc, err := parseComments(src)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		comments[name] = fc
		checkErrors(t, name, fc, diags)
	}
	c.comments = comments
	pass, err := loadPass(ctx, c.moduleDir, c.pkgPath, diags)
	if err != nil {
		t.Fatal(err)
	}
	declinesSeen := map[string]bool{} // file:line:regexp
	variantsSeen := map[string]bool{} // file:line
	var cands []positioned
	for _, cand := range c.rule.Match(pass) {
		pos := pass.Position(cand.Pos)
		cands = append(cands, positioned{cand, pos})
		fc := comments[pos.Filename]
		for _, d := range cand.Evidence {
			if !anyMatch(comments[d.File][d.Line].errors, d.Message) {
				t.Errorf("%s: evidence %q has no matching ERROR comment on its line", rel(c.moduleDir, d.File, d.Line), d.Message)
			}
		}
		if want := fc[pos.Line].variant; want != "" {
			variantsSeen[fmt.Sprintf("%s:%d", pos.Filename, pos.Line)] = true
			if !slices.ContainsFunc(cand.Variants, func(v rule.Variant) bool { return v.Name == want }) {
				t.Errorf("%s: candidate %s has no variant %s", rel(c.moduleDir, pos.Filename, pos.Line), cand.Summary, want)
			}
		}
		if cand.Decline == "" {
			continue
		}
		t.Logf("%s: declined %s: %s", rel(c.moduleDir, pos.Filename, pos.Line), cand.Summary, cand.Decline)
		matched := false
		for _, re := range fc[pos.Line].declines {
			if re.MatchString(cand.Decline) {
				matched = true
				declinesSeen[fmt.Sprintf("%s:%d:%s", pos.Filename, pos.Line, re)] = true
			}
		}
		if !matched {
			t.Errorf("%s: declined (%s) without a matching DECLINE comment on its line", rel(c.moduleDir, pos.Filename, pos.Line), cand.Decline)
		}
	}
	for name, fc := range comments {
		for line, lc := range fc {
			if lc.variant != "" && !variantsSeen[fmt.Sprintf("%s:%d", name, line)] {
				t.Errorf("%s: VARIANT %q, and no candidate on the line", rel(c.moduleDir, name, line), lc.variant)
			}
			for _, re := range lc.declines {
				if !declinesSeen[fmt.Sprintf("%s:%d:%s", name, line, re)] {
					t.Errorf("%s: no candidate declined with a reason matching %q", rel(c.moduleDir, name, line), re)
				}
			}
		}
	}
	return cands
}

func (c *fixtureCase) checkUntouched(rep *report.Report) {
	t := c.t
	if rep.Kept() != 0 {
		t.Errorf("%d candidates kept in a no_ case; want none", rep.Kept())
	}
	if rw := rep.Rewritten(); len(rw) != 0 {
		t.Errorf("files rewritten in a no_ case: %v", keys(rw))
	}
	for _, r := range rep.Candidates {
		if r.Reason == "" {
			t.Errorf("%s:%d: candidate %s was not kept, with no reason", r.File, r.Line, r.Summary)
		}
	}
	for _, g := range globGolden(t, c.dir) {
		t.Errorf("%s: a no_ case must have no golden file", g)
	}
}

// checkRewritten compares the rewritten files with the golden ones, then checks the golden files'
// ERROR comments and the benchmarks on a copy of the case that holds the rewritten code.
func (c *fixtureCase) checkRewritten(ctx context.Context, rep *report.Report) {
	t := c.t
	rewritten := map[string][]byte{} // absolute path → content
	for name, b := range rep.Rewritten() {
		abs := filepath.Join(c.moduleDir, filepath.FromSlash(name))
		if filepath.Dir(abs) != c.dir {
			t.Errorf("rewrote %s, outside the case", name)
			continue
		}
		rewritten[abs] = b
	}
	for _, g := range globGolden(t, c.dir) {
		if _, ok := rewritten[strings.TrimSuffix(g, ".golden")]; !ok {
			t.Errorf("%s: golden file for a file that the rule did not rewrite", g)
		}
	}
	tmp := t.TempDir()
	newMod := filepath.Join(tmp, "mod")
	copyModule(t, c.moduleDir, c.dir, newMod, c.caseDir)
	newDir := filepath.Join(newMod, filepath.FromSlash(c.caseDir))
	golden := map[string][]byte{} // path in the copy → content
	for name, got := range rewritten {
		dst := filepath.Join(newDir, filepath.Base(name))
		if *update {
			golden[dst] = got
			continue
		}
		want, err := os.ReadFile(name + ".golden")
		if err != nil {
			t.Errorf("%v (run with -update to create it)", err)
			continue
		}
		if g, w := normalize(t, got), normalize(t, want); !bytes.Equal(g, w) {
			t.Errorf("%s: rewritten code differs from %s.golden (ERROR comments ignored):\n%s",
				filepath.Base(name), filepath.Base(name), diff.Diff("golden", w, "rewritten", g))
		}
		golden[dst] = want
	}
	for dst, b := range golden {
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	diags, broken, err := rewrite.Diagnose(ctx, newMod, []string{c.pkgPath}, "")
	if err != nil {
		t.Fatal(err)
	}
	if msg := broken[c.pkgPath]; msg != "" {
		t.Fatalf("the golden code does not build: %s", msg)
	}
	for dst, b := range golden {
		orig := filepath.Join(c.dir, filepath.Base(dst))
		if *update {
			old, _ := os.ReadFile(orig + ".golden") // its ERROR comments carry over to identical lines
			b = keepTrueErrors(t, dst, b, diags, carriedErrors(old))
			if err := os.WriteFile(orig+".golden", b, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dst, b, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote %s.golden", orig)
		}
		fc, err := parseComments(b)
		if err != nil {
			t.Fatalf("%s.golden: %v", orig, err)
		}
		checkErrors(t, dst, fc, diags)
	}
	if !testing.Short() {
		c.checkAllocs(ctx, newMod, newDir)
	}
}

// checkAllocs builds the old and the new test binaries, runs their benchmarks once, and requires
// allocs/op to drop in some benchmark and rise in none.
func (c *fixtureCase) checkAllocs(ctx context.Context, newMod, newDir string) {
	t := c.t
	bin := t.TempDir()
	oldBin, newBin := filepath.Join(bin, "old.test"), filepath.Join(bin, "new.test")
	goCmd(ctx, t, c.moduleDir, "test", "-c", "-o", oldBin, "./"+c.caseDir)
	goCmd(ctx, t, newMod, "test", "-c", "-o", newBin, "./"+c.caseDir)
	old := allocsPerOp(ctx, t, oldBin, c.dir)
	cur := allocsPerOp(ctx, t, newBin, newDir)
	if len(old) == 0 {
		t.Fatalf("%s has no benchmark", c.caseDir)
	}
	dropped := false
	for _, name := range sortedKeys(old) {
		n, ok := cur[name]
		if !ok {
			t.Errorf("%s: missing after the rewrite", name)
			continue
		}
		t.Logf("%s: %d → %d allocs/op", name, old[name], n)
		switch {
		case n > old[name]:
			t.Errorf("%s: allocs/op rose from %d to %d", name, old[name], n)
		case n < old[name]:
			dropped = true
		}
	}
	if !dropped && !c.opts.TimeOnly {
		t.Errorf("allocs/op dropped in no benchmark: before %v, after %v", old, cur)
	}
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

// allocsPerOp runs a test binary's benchmarks once in dir and returns allocs/op by benchmark.
func allocsPerOp(ctx context.Context, t *testing.T, bin, dir string) map[string]int64 {
	t.Helper()
	cmd := exec.CommandContext(ctx, bin, "-test.run=^$", "-test.bench=.", "-test.benchmem", "-test.benchtime=200x")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", filepath.Base(bin), err, out)
	}
	res := map[string]int64{}
	for _, line := range strings.Split(string(out), "\n") {
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		f := strings.Fields(m[2])
		for i := 0; i+1 < len(f); i += 2 {
			if f[i+1] == "allocs/op" {
				n, err := strconv.ParseInt(f[i], 10, 64)
				if err != nil {
					t.Fatalf("bad allocs/op in %q", line)
				}
				res[m[1]] = n
			}
		}
	}
	return res
}

func goCmd(ctx context.Context, t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// copyModule makes a module at dst with src's go.mod (and go.sum) and the files of the case.
func copyModule(t *testing.T, src, caseAbs, dst, caseDir string) {
	t.Helper()
	for _, f := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		if os.IsNotExist(err) && f == "go.sum" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(dst, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	to := filepath.Join(dst, filepath.FromSlash(caseDir))
	err := filepath.WalkDir(caseAbs, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		r, _ := filepath.Rel(caseAbs, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, r), 0o755)
		}
		if strings.HasSuffix(p, ".golden") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, r), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func modulePath(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`), nil
		}
	}
	return "", fmt.Errorf("%s/go.mod has no module line", dir)
}

func goFiles(t *testing.T, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func globGolden(t *testing.T, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.golden"))
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func rel(root, file string, line int) string {
	if r, err := filepath.Rel(root, file); err == nil {
		file = filepath.ToSlash(r)
	}
	return fmt.Sprintf("%s:%d", file, line)
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedKeys(m map[string]int64) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// normalize drops ERROR comments and formats, so that a comparison sees only the code.
func normalize(t *testing.T, src []byte) []byte {
	t.Helper()
	lines := strings.Split(string(src), "\n")
	for i, l := range lines {
		if j := commentStart(l); j >= 0 {
			lines[i] = strings.TrimRight(l[:j], " \t")
		}
	}
	out, err := format.Source([]byte(strings.Join(lines, "\n")))
	if err != nil {
		t.Fatalf("formatting: %v", err)
	}
	return out
}

// carriedErrors returns the ERROR regexps of an old golden file by the code of their line, in order.
func carriedErrors(old []byte) map[string][][]*regexp.Regexp {
	carry := map[string][][]*regexp.Regexp{}
	for _, l := range strings.Split(string(old), "\n") {
		j := commentStart(l)
		if j < 0 {
			continue
		}
		if lc, err := parseComment(l[j:]); err == nil && len(lc.errors) > 0 {
			code := strings.TrimSpace(l[:j])
			carry[code] = append(carry[code], lc.errors)
		}
	}
	return carry
}

// keepTrueErrors drops the ERROR regexps of src that no diagnostic of file matches. Lines whose
// code equals a line of the old golden file (carry) also get that line's ERROR regexps that hold.
func keepTrueErrors(t *testing.T, file string, src []byte, diags *diag.Diagnostics, carry map[string][][]*regexp.Regexp) []byte {
	t.Helper()
	lines := strings.Split(string(src), "\n")
	for i, l := range lines {
		j := commentStart(l)
		var lc lineComments
		if j >= 0 {
			var err error
			lc, err = parseComment(l[j:])
			if err != nil {
				t.Fatalf("%s:%d: %v", file, i+1, err)
			}
		} else {
			j = len(l)
		}
		errs, declines := lc.errors, lc.declines
		code := strings.TrimSpace(l[:j])
		if old := carry[code]; len(old) > 0 {
			errs = append(errs, old[0]...)
			carry[code] = old[1:]
		}
		if len(errs)+len(declines) == 0 && lc.variant == "" {
			continue
		}
		// A VARIANT comment is about the candidate of the input: a golden file drops it.
		var kept []string
		seen := map[string]bool{}
		for _, re := range errs {
			if seen[re.String()] {
				continue
			}
			seen[re.String()] = true
			if anyMatch([]*regexp.Regexp{re}, messagesOn(diags, file, i+1)...) {
				kept = append(kept, quoteRegexp(re))
			}
		}
		var c []string
		if len(kept) > 0 {
			c = append(c, "ERROR "+strings.Join(kept, " "))
		}
		if len(declines) > 0 {
			var ds []string
			for _, re := range declines {
				ds = append(ds, quoteRegexp(re))
			}
			c = append(c, "DECLINE "+strings.Join(ds, " "))
		}

		lines[i] = strings.TrimRight(l[:j], " \t")
		if len(c) > 0 {
			lines[i] += " // " + strings.Join(c, " ")
		}
	}
	out, err := format.Source([]byte(strings.Join(lines, "\n")))
	if err != nil {
		t.Fatalf("formatting %s: %v", file, err)
	}
	return out
}

// quoteRegexp quotes a regexp as a Go string, raw when that reads better.
func quoteRegexp(re *regexp.Regexp) string {
	s := re.String()
	if strings.ContainsAny(s, `"\`) && strconv.CanBackquote(s) {
		return "`" + s + "`"
	}
	return strconv.Quote(s)
}

func messagesOn(diags *diag.Diagnostics, file string, line int) []string {
	var out []string
	for _, d := range diags.InLines(file, line, line) {
		out = append(out, d.Message)
	}
	return out
}

// checkErrors checks that each ERROR regexp of a file matches a diagnostic on its line.
func checkErrors(t *testing.T, file string, fc fileComments, diags *diag.Diagnostics) {
	t.Helper()
	lines := make([]int, 0, len(fc))
	for line := range fc {
		lines = append(lines, line)
	}
	sort.Ints(lines)
	for _, line := range lines {
		msgs := messagesOn(diags, file, line)
		for _, re := range fc[line].errors {
			if !anyMatch([]*regexp.Regexp{re}, msgs...) {
				t.Errorf("%s:%d: no diagnostic matches ERROR %q; the compiler said: %q", filepath.Base(file), line, re, msgs)
			}
		}
	}
}

func anyMatch(res []*regexp.Regexp, msgs ...string) bool {
	for _, re := range res {
		for _, m := range msgs {
			if re.MatchString(m) {
				return true
			}
		}
	}
	return false
}

// Load compiles the package at moduleDir/dir (relative, with slashes) with -m=2 and returns the
// rules' view of it, with the compiler's diagnostics, as a rule's Match gets it.
func Load(t *testing.T, moduleDir, dir string) *rule.Pass {
	t.Helper()
	c := newFixtureCase(t, moduleDir, dir, nil)
	diags, broken, err := rewrite.Diagnose(t.Context(), c.moduleDir, []string{c.pkgPath}, "")
	if err != nil {
		t.Fatal(err)
	}
	if msg := broken[c.pkgPath]; msg != "" {
		t.Fatalf("%s does not build: %s", dir, msg)
	}
	pass, err := loadPass(t.Context(), c.moduleDir, c.pkgPath, diags)
	if err != nil {
		t.Fatal(err)
	}
	return pass
}
