package rewrite

import (
	"context"
	"fmt"
	"strings"
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

// goToolchain asks the go command that compiles the module which compiler it is: the go command
// of PATH, after the toolchain switch that GOTOOLCHAIN and go.mod ask for, so not gcfix's own
// runtime.Version. pgo is the profile the diagnostics are taken with ("" or PGOOff for none).
func goToolchain(ctx context.Context, g goTool, pgo string) (Toolchain, error) {
	out, stderr, err := g.run(ctx, "env", "GOVERSION", "GOOS", "GOARCH")
	if err != nil {
		return Toolchain{}, fmt.Errorf("go env GOVERSION GOOS GOARCH: %v: %s", err, tail(stderr, 5))
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 3 || lines[0] == "" || lines[1] == "" || lines[2] == "" {
		return Toolchain{}, fmt.Errorf("go env GOVERSION GOOS GOARCH: unexpected output %q", out)
	}
	t := Toolchain{GoVersion: strings.TrimSpace(lines[0]), GOOS: strings.TrimSpace(lines[1]), GOARCH: strings.TrimSpace(lines[2])}
	if pgo != "" && pgo != PGOOff {
		if t.PGO, err = pgoIdentity(pgo); err != nil {
			return Toolchain{}, fmt.Errorf("-pgo: %v", err)
		}
	}
	return t, nil
}
