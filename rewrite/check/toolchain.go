package check

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/gcfix/gcfix/rewrite"
)

// Toolchain is what decides the compiler's verdicts besides the code: the Go version that compiles,
// the target, and the PGO profile. A baseline records the one that wrote it, so that `gcfix check`
// tells a Go upgrade (or a new profile) apart from a change of the code.
type Toolchain struct {
	GoVersion    string // as `go env GOVERSION` says in the module: go1.26.8
	GOOS, GOARCH string
	PGO          string // the profile's identity, "sha256:<hex>" of its content (pgoIdentity); "" for none
}

// Known reports whether t names a compiler; a baseline written before gcfix recorded it does not.
func (t Toolchain) Known() bool { return t.GoVersion != "" }

// String is how a baseline's header names t: "go1.26.8 linux/amd64", then " pgo sha256:<hex>" when
// the diagnostics were taken with a profile.
func (t Toolchain) String() string {
	s := t.GoVersion + " " + t.platform()
	if t.PGO != "" {
		s += " pgo " + t.PGO
	}
	return s
}

func (t Toolchain) platform() string { return t.GOOS + "/" + t.GOARCH }

// pgoLabel names t's profile briefly, for messages.
func (t Toolchain) pgoLabel() string {
	if t.PGO == "" {
		return "no pgo"
	}
	id := t.PGO
	if len(id) > len("sha256:")+12 {
		id = id[:len("sha256:")+12]
	}
	return "pgo " + id
}

// toolchainChange names what differs between two compilers: "go1.26.8 → go1.27.3", with the
// platform and the profile only when they differ ("go1.26.8 pgo sha256:0123456789ab → go1.26.8 no pgo").
func toolchainChange(from, to Toolchain) string {
	a, b := []string{from.GoVersion}, []string{to.GoVersion}
	if from.platform() != to.platform() {
		a, b = append(a, from.platform()), append(b, to.platform())
	}
	if from.PGO != to.PGO {
		a, b = append(a, from.pgoLabel()), append(b, to.pgoLabel())
	}
	return strings.Join(a, " ") + " → " + strings.Join(b, " ")
}

// toolchainPrefix starts the baseline's line that names the compiler that wrote it. Baselines
// written before gcfix recorded it have none.
const toolchainPrefix = "# compiler: "

// parseToolchain reads the rest of a "# compiler: " line: a version (which may hold spaces, as a
// development build's does), GOOS/GOARCH, and optionally "pgo" and the profile's identity.
func parseToolchain(s string) (Toolchain, bool) {
	fs := strings.Fields(s)
	var t Toolchain
	if n := len(fs); n >= 4 && fs[n-2] == "pgo" {
		t.PGO = fs[n-1]
		if !strings.HasPrefix(t.PGO, "sha256:") {
			return Toolchain{}, false
		}
		fs = fs[:n-2]
	}
	if len(fs) < 2 {
		return Toolchain{}, false
	}
	goos, goarch, ok := strings.Cut(fs[len(fs)-1], "/")
	if !ok || goos == "" || goarch == "" || strings.Contains(goarch, "/") {
		return Toolchain{}, false
	}
	t.GoVersion, t.GOOS, t.GOARCH = strings.Join(fs[:len(fs)-1], " "), goos, goarch
	return t, true
}

// goToolchain asks the go command that compiles the module in dir which compiler it is: the go
// command of PATH, after the toolchain switch that GOTOOLCHAIN and go.mod ask for, so not gcfix's
// own runtime.Version. pgo is the profile the diagnostics are taken with ("" or rewrite.PGOOff for
// none).
func goToolchain(ctx context.Context, dir, pgo string) (Toolchain, error) {
	out, err := rewrite.GoEnv(ctx, dir, "GOVERSION", "GOOS", "GOARCH")
	if err != nil {
		return Toolchain{}, err
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 3 || lines[0] == "" || lines[1] == "" || lines[2] == "" {
		return Toolchain{}, fmt.Errorf("go env GOVERSION GOOS GOARCH: unexpected output %q", out)
	}
	t := Toolchain{GoVersion: strings.TrimSpace(lines[0]), GOOS: strings.TrimSpace(lines[1]), GOARCH: strings.TrimSpace(lines[2])}
	if pgo != "" && pgo != rewrite.PGOOff {
		if t.PGO, err = pgoIdentity(pgo); err != nil {
			return Toolchain{}, fmt.Errorf("-pgo: %v", err)
		}
	}
	return t, nil
}

// pgoIdentity names a profile by its content, as a baseline records the one its verdicts were
// taken with: "sha256:<hex>". A profile rewritten in place is another profile.
func pgoIdentity(file string) (string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// Change is the kind of difference from the baseline that a Finding reports.
type Change int

const (
	Violation          Change = iota // not a difference: a //gcfix: directive the code breaks
	NoLongerInlines                  // regression
	NewHeapAllocation                // regression
	NowInlines                       // improvement
	InlineCostFell                   // improvement
	HeapAllocationGone               // improvement
)

// summarizeChanges counts changes per kind, in the order of Change: "2 functions no longer
// inline, 9 new heap allocations", and how many functions they touch: " (7 functions)".
func summarizeChanges(fs []Finding) string {
	count := map[Change]int{}
	funcs := map[string]bool{}
	for _, f := range fs {
		count[f.Change]++
		funcs[f.Package+"\t"+f.Func] = true
	}
	if len(fs) == 0 {
		return "no differences"
	}
	plural := func(n int, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return strconv.Itoa(n) + " " + many
	}
	var parts []string
	for _, k := range []struct {
		c         Change
		one, many string
	}{
		{NoLongerInlines, "function no longer inlines", "functions no longer inline"},
		{NewHeapAllocation, "new heap allocation", "new heap allocations"},
		{NowInlines, "function now inlines", "functions now inline"},
		{InlineCostFell, "function inlines at a lower cost", "functions inline at a lower cost"},
		{HeapAllocationGone, "heap allocation gone", "heap allocations gone"},
	} {
		if n := count[k.c]; n > 0 {
			parts = append(parts, plural(n, k.one, k.many))
		}
	}
	return strings.Join(parts, ", ") + " (" + plural(len(funcs), "function", "functions") + ")"
}
