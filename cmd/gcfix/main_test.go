package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"gcfix": main,
	})
}

// TestScripts runs the end-to-end cases in testdata/script: each is a small module and the gcfix
// commands run on it, with the files on disk and the exit codes they must leave.
func TestScripts(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and benchmarks small modules")
	}
	fixtures, err := filepath.Abs(filepath.Join("..", "..", "fixtures"))
	if err != nil {
		t.Fatal(err)
	}
	goCmdEnv := func(v string) string {
		out, err := exec.Command("go", "env", v).Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(out))
	}
	goEnv := map[string]string{"FIXTURES": fixtures}
	for _, v := range []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOROOT"} {
		goEnv[v] = goCmdEnv(v)
	}
	// The scripts run with GOPROXY=off; one that fetches a toolchain sets GOPROXY=$REALGOPROXY.
	goEnv["REALGOPROXY"] = goCmdEnv("GOPROXY")
	goVersion := goCmdEnv("GOVERSION")
	var mu sync.Mutex
	fetched := map[string]bool{}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(e *testscript.Env) error {
			for k, v := range goEnv {
				e.Setenv(k, v)
			}
			e.Setenv("GOPROXY", "off")
			e.Setenv("GOFLAGS", "-mod=mod")
			e.Setenv("HOME", e.WorkDir)
			return nil
		},
		Condition: func(cond string) (bool, error) {
			name, arg, _ := strings.Cut(cond, ":")
			switch name {
			case "goversion":
				// [goversion:go1.26]: the go command of PATH is a go1.26 release.
				return goVersion == arg || strings.HasPrefix(goVersion, arg+"."), nil
			case "toolchain":
				// [toolchain:go1.27.3]: the go command can run that toolchain, fetching it from the
				// module proxy when the module cache does not hold it.
				mu.Lock()
				defer mu.Unlock()
				ok, seen := fetched[arg]
				if !seen {
					cmd := exec.Command("go", "version")
					cmd.Dir = os.TempDir()
					cmd.Env = append(os.Environ(), "GOTOOLCHAIN="+arg)
					out, err := cmd.Output()
					ok = err == nil && strings.Contains(string(out), " "+arg+" ")
					fetched[arg] = ok
				}
				return ok, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"jsonreport": cmdJSONReport,
			"sarifcheck": cmdSARIFCheck,
			"waitfile":   cmdWaitFile,
		},
	})
}

// cmdJSONReport checks that a file holds a gcfix -json report with the documented fields:
// jsonreport FILE [verdict=N ...] asserts how many candidates have each verdict.
func cmdJSONReport(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: jsonreport FILE [verdict=N ...]")
	}
	var rep struct {
		Packages   []map[string]any `json:"packages"`
		Candidates []map[string]any `json:"candidates"`
		Diff       *string          `json:"diff"`
		Compiles   *int             `json:"compiles"`
	}
	data := ts.ReadFile(args[0])
	if err := json.Unmarshal([]byte(data), &rep); err != nil {
		ts.Fatalf("%s: %v", args[0], err)
	}
	if rep.Packages == nil || rep.Candidates == nil || rep.Diff == nil || rep.Compiles == nil {
		ts.Fatalf("%s: want packages, candidates, diff and compiles", args[0])
	}
	counts := map[string]int{}
	for i, c := range rep.Candidates {
		for _, f := range []string{"rule", "file", "line", "col", "func", "evidence", "verdict", "reason", "metrics"} {
			if _, ok := c[f]; !ok {
				ts.Fatalf("candidate %d has no %q field: %v", i, f, c)
			}
		}
		counts[fmt.Sprint(c["verdict"])]++
		ms, _ := c["metrics"].([]any)
		for _, m := range ms {
			mm, _ := m.(map[string]any)
			for _, f := range []string{"bench", "unit", "old", "new", "delta_pct", "p"} {
				if _, ok := mm[f]; !ok {
					ts.Fatalf("candidate %d: metric has no %q field: %v", i, f, mm)
				}
			}
		}
	}
	for _, a := range args[1:] {
		verdict, n, ok := strings.Cut(a, "=")
		if !ok {
			ts.Fatalf("bad assertion %q", a)
		}
		if got := fmt.Sprint(counts[verdict]); got != n {
			ts.Fatalf("%s: %d candidates %s, want %s (all: %v)", args[0], counts[verdict], verdict, n, counts)
		}
	}
}

// cmdWaitFile waits until a file exists: waitfile FILE. A command in the background creates it when
// it reaches the step that the script waits for.
func cmdWaitFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitfile FILE")
	}
	const limit = 5 * time.Minute
	name := ts.MkAbs(args[0])
	for start := time.Now(); ; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(name); err == nil {
			return
		}
		if time.Since(start) > limit {
			ts.Fatalf("%s: not created within %v", args[0], limit)
		}
	}
}
