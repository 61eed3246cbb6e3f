package rewrite

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/report"
	"github.com/gcfix/gcfix/rewrite/rule"
)

// State is a file of recorded verdicts (gcfix -state): one JSON line per measured candidate,
// written and synced as soon as the verdict is known, so that an interrupted run loses at most the
// candidate it was measuring. A later run with the same file reuses the measurement of every
// candidate whose key it finds instead of benchmarking it again.
//
// The key is a hash of everything the measurement depends on that gcfix can see without measuring:
// the rule and its settings (its flags), the package, the candidate's function (its source text,
// doc comment included), the rule's summary, the change itself (for every file it touches, the
// lines removed and added with their context, without line numbers, so that edits elsewhere in the
// file do not matter; for a candidate with variants, each variant's name and change, so that a
// verdict on one set of variants is not reused for another), the go version, the build tags and
// the gate's settings (-gate, -bench, -count, -benchtime). Only verdicts of the bench gate are recorded: kept, rejected and regressed.
// A reused kept is still compiled and confirmed by the compiler and tested (against the rest of the
// package as it is now); only its benchmarks are not run again, and the recorded numbers are
// reported. Verdicts that depend on other code (build-failed, tests-failed, no-benchmark,
// unconfirmed) are decided afresh.
// What the key does not cover: benchmarks, tests and callees edited outside the function; delete
// the file to measure everything again.
type State struct {
	mu      sync.Mutex
	f       *os.File
	records map[string]*report.Result
	reused  int
	goVer   map[string]string // the go version, by module root
}

type stateLine struct {
	Key string `json:"key"`
	*report.Result
}

// OpenState reads the verdicts recorded in path, creating it if needed, and opens it to record more.
// A line that does not parse (the tail of an interrupted write) is ignored.
func OpenState(path string) (*State, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	s := &State{f: f, records: map[string]*report.Result{}, goVer: map[string]string{}}
	data, err := io.ReadAll(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var l stateLine
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.Key != "" && l.Result != nil {
			s.records[l.Key] = l.Result
		}
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		if _, err := f.Write([]byte("\n")); err != nil {
			f.Close()
			return nil, err
		}
	}
	return s, nil
}

// Close closes the file.
func (s *State) Close() error { return s.f.Close() }

// Reused returns how many candidates reused a recorded measurement.
func (s *State) Reused() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reused
}

func (s *State) lookup(key string) (*report.Result, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.records[key]
	return r, ok
}

// record appends the verdict and syncs it to disk.
func (s *State) record(key string, r *report.Result) error {
	line, err := json.Marshal(stateLine{Key: key, Result: r})
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("-state: %v", err)
	}
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("-state: %v", err)
	}
	s.records[key] = r
	return nil
}

func recordable(g Gate, v report.Verdict) bool {
	return g == GateBench && (v == report.Kept || v == report.Rejected || v == report.Regressed)
}

// tryRecorded is try with Options.State: a candidate whose key is recorded reuses the recorded
// measurement, and a new measurement is recorded. A candidate with several variants goes through
// the bench gate by tryVariants.
func (e *engine) tryRecorded(ctx context.Context, rc ruleCandidate) (*report.Result, *attempt, error) {
	st := e.opts.State
	varied := len(rc.c.Variants) > 1 && rc.c.Decline == "" && e.opts.Gate == GateBench
	if st == nil || rc.c.Decline != "" || e.opts.Gate != GateBench {
		if varied {
			return e.tryVariants(ctx, rc, nil)
		}
		return e.try(ctx, rc, nil, nil)
	}
	key, fixes, diffs, err := e.stateKey(ctx, rc)
	if err != nil {
		return nil, nil, err
	}
	if key == "" { // the rewrite changes nothing: try says so
		if varied {
			return e.try(ctx, rc, fixes[rc.v], nil)
		}
		return e.try(ctx, rc, fixes[0], nil)
	}
	if rec, ok := st.lookup(key); ok {
		// The variant that the recorded verdict is about: the rule's default when it has none.
		v := rc.v
		if varied {
			v = slices.IndexFunc(rc.c.Variants, func(x rule.Variant) bool { return x.Name == rec.Variant })
		}
		switch {
		case v < 0:
			// A variant that the rule no longer offers: measure again.
		case rec.Verdict == report.Kept:
			// Kept only if it is still confirmed and its tests pass: try checks that.
			rc.v = v
			return e.try(ctx, rc, fixes[v], rec)
		default:
			rc.v = v
			res := e.newResult(rc)
			res.Verdict, res.Reason, res.Notes = rec.Verdict, rec.Reason, rec.Notes
			res.VariantReason, res.Variants = rec.VariantReason, rec.Variants
			if rec.Metrics != nil {
				res.Metrics = rec.Metrics
			}
			res.Diff = report.Diff(e.root, diffs[v])
			res.SetChanges(diffs[v])
			st.mu.Lock()
			st.reused++
			st.mu.Unlock()
			e.logf("%s: %s %s reused from -state: %s", rc.t.path, rc.rule.Name, res.Func, res.Verdict)
			return res, nil, nil
		}
	}
	var res *report.Result
	var att *attempt
	if varied {
		res, att, err = e.tryVariants(ctx, rc, fixes)
	} else {
		res, att, err = e.try(ctx, rc, fixes[0], nil)
	}
	if err == nil && recordable(e.opts.Gate, res.Verdict) {
		if err := st.record(key, res); err != nil {
			return nil, nil, err
		}
	}
	return res, att, err
}

// reuseMeasurement fills in a recorded kept verdict in place of the benchmarks: the candidate got
// to the bench step, so the compiler confirmed it and its tests pass today.
func (e *engine) reuseMeasurement(res, rec *report.Result) {
	st := e.opts.State
	st.mu.Lock()
	st.reused++
	st.mu.Unlock()
	res.Verdict, res.Reason = rec.Verdict, rec.Reason
	if rec.Metrics != nil {
		res.Metrics = rec.Metrics
	}
	if rec.Variant != "" {
		res.VariantReason, res.Variants = rec.VariantReason, rec.Variants
	}
	e.logf("%s: %s %s reused from -state: %s", res.Package, res.Rule, res.Func, res.Verdict)
}

// stateKey makes the candidate's rewrite and computes its key (see State) and its change, file by
// file; "" when the rewrite changes nothing. It returns the rewrite too, for try. A candidate with
// several variants has them all made, and its key covers each variant's name and change, so that
// a verdict recorded for one set of variants is not reused for another; fixes and diffs are by
// variant then (one, otherwise).
func (e *engine) stateKey(ctx context.Context, rc ruleCandidate) (key string, fixes []map[string][]byte, diffs [][]*report.FileChange, err error) {
	rcs := []ruleCandidate{rc}
	if len(rc.c.Variants) > 1 {
		rcs = nil
		for i := range rc.c.Variants {
			rcv := rc
			rcv.v = i
			rcs = append(rcs, rcv)
		}
	}
	changed := false
	for _, rcv := range rcs {
		changes, err := e.applyFix(rcv)
		if err != nil {
			return "", nil, nil, err
		}
		var ds []*report.FileChange
		for name, b := range changes {
			cur, err := e.current(name)
			if err != nil {
				return "", nil, nil, err
			}
			ds = append(ds, &report.FileChange{Path: name, Old: cur, New: b})
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i].Path < ds[j].Path })
		fixes, diffs = append(fixes, changes), append(diffs, ds)
		changed = changed || len(changes) > 0
	}
	if !changed {
		return "", fixes, nil, nil
	}
	goVer, err := e.goVersion(ctx)
	if err != nil {
		return "", nil, nil, err
	}
	h := sha256.New()
	field := func(s string) { fmt.Fprintf(h, "%d:%s\n", len(s), s) }
	field("gcfix-state 1")
	field(goVer)
	field(e.opts.Tags)
	field(string(e.opts.Gate))
	field(fmt.Sprintf("bench=%s count=%d benchtime=%s", e.opts.Bench.Bench, e.opts.Bench.Count, e.opts.Bench.Benchtime))
	field(rc.rule.Name)
	field(ruleSettings(rc.rule))
	field(rc.t.path)
	field(rc.c.Summary)
	if fd := rc.c.Func; fd != nil {
		start := fd.Pos()
		if fd.Doc != nil {
			start = fd.Doc.Pos()
		}
		from, to := e.fset.Position(start), e.fset.Position(fd.End())
		src, err := e.current(from.Filename)
		if err != nil {
			return "", nil, nil, err
		}
		if from.Offset < 0 || to.Offset > len(src) || from.Offset > to.Offset {
			return "", nil, nil, fmt.Errorf("%s: function %s is not where it was loaded", from, diag.FuncName(fd))
		}
		field(diag.FuncName(fd))
		field(string(src[from.Offset:to.Offset]))
	}
	for i, ds := range diffs {
		if len(rcs) > 1 {
			field("variant " + rcs[i].variant().Name)
		}
		for _, d := range ds {
			field(report.RelPath(e.root, d.Path))
			field(diffBody(report.Diff(e.root, []*report.FileChange{d})))
		}
	}
	return hex.EncodeToString(h.Sum(nil)), fixes, diffs, nil
}

// diffBody drops a unified diff's hunk headers, which carry line numbers.
func diffBody(d string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(d, "\n") {
		if !strings.HasPrefix(line, "@@") {
			b.WriteString(line)
		}
	}
	return b.String()
}

// goVersion is the version of the go command that builds the module, which decides inlining and
// escapes.
func (e *engine) goVersion(ctx context.Context) (string, error) {
	st := e.opts.State
	st.mu.Lock()
	v, ok := st.goVer[e.root]
	st.mu.Unlock()
	if ok {
		return v, nil
	}
	out, stderr, err := e.tool.run(ctx, "env", "GOVERSION")
	if err != nil {
		return "", fmt.Errorf("go env GOVERSION: %v: %s", err, tail(stderr, 5))
	}
	v = strings.TrimSpace(string(out))
	st.mu.Lock()
	st.goVer[e.root] = v
	st.mu.Unlock()
	return v, nil
}
