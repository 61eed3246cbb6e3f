package rewrite

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gcfix/gcfix/rewrite/report"
	"github.com/google/pprof/profile"
)

// PGOOff, as Options.PGO, takes the diagnostics without a profile even where a main package has a
// default.pgo.
const PGOOff = "off"

// choosePGO returns the profile that every go command of the run builds with (as an absolute
// path), PGOOff for none, or "" when no main package has a profile: Options.PGO when set, else the default.pgo of the main package among the
// targets that has one, as go build -pgo=auto would use for it. The go command's -pgo=auto gives a
// main package's profile only to the packages built for that main package, and go list -export, the
// diagnose step, applies no profile at all; so gcfix names the profile explicitly, and the library
// packages of the program are diagnosed, tested and measured with it too. When several main packages
// have a default.pgo, which one applies to a shared package is ambiguous: gcfix uses none (not even
// for the tests of those main packages) and says so in note.
func choosePGO(opts Options, mains []string) (file, note string, err error) {
	switch opts.PGO {
	case PGOOff:
		return PGOOff, "", nil
	case "":
	default:
		file := opts.PGO
		if !filepath.IsAbs(file) {
			if file, err = filepath.Abs(filepath.Join(opts.Dir, file)); err != nil {
				return "", "", err
			}
		}
		if _, err := os.Stat(file); err != nil {
			return "", "", fmt.Errorf("-pgo: %v", err)
		}
		return file, "", nil
	}
	var found []string
	for _, dir := range mains {
		p := filepath.Join(dir, "default.pgo")
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			found = append(found, p)
		}
	}
	sort.Strings(found)
	switch len(found) {
	case 0:
		return "", "", nil
	case 1:
		return found[0], "", nil
	}
	return PGOOff, fmt.Sprintf("several main packages have a default.pgo (%s): diagnostics taken without a PGO profile; choose one with -pgo", strings.Join(found, ", ")), nil
}

// mainDirs returns the directories of the main packages among the listed packages.
func mainDirs(metas []*listedPackage) []string {
	var out []string
	for _, m := range metas {
		if m.Name == "main" {
			out = append(out, m.Dir)
		}
	}
	return out
}

// CheckPGOProfile reports whether file is a pprof profile that the go command can read for -pgo:
// said once, before any build, rather than by every go command.
func CheckPGOProfile(file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := profile.Parse(f); err != nil {
		return fmt.Errorf("%s: %v", file, err)
	}
	return nil
}

// pgoListFlags are the flags that make go list -export compile with the profile: it ignores -pgo,
// so the compiler gets it directly, for every package of the module (their export data and
// inlining bodies depend on it too). Not for the standard library and other modules: the flag with
// the profile's path is part of each compile's cache key, and recompiling the standard library in
// every run that names a new path would cost more than the diagnostics gain. Per-package -gcflags
// later on the command line replace these for their packages, so those carry pgoCompileFlag too.
func (g goTool) pgoListFlags() []string {
	if g.pgo == "" || g.pgo == PGOOff {
		return nil
	}
	return []string{"-gcflags=./...=" + strings.TrimSpace(g.pgoCompileFlag())}
}

// pgoProfile is the profile file the compiler is given with -pgoprofile, or "" for none.
func (g goTool) pgoProfile() string {
	if g.pgo == "" || g.pgo == PGOOff {
		return ""
	}
	if g.pgoCopy != "" {
		return g.pgoCopy
	}
	return g.pgo
}

// pgoCompileFlag is the compiler's flag for the profile, with a leading space, to append to other
// compiler flags; quoted as the go command splits -gcflags when the path has spaces.
func (g goTool) pgoCompileFlag() string {
	if g.pgo == "" || g.pgo == PGOOff {
		return ""
	}
	file := g.pgo
	if g.pgoCopy != "" {
		file = g.pgoCopy
	}
	if strings.ContainsAny(file, " \t\n\"'") {
		q := "'"
		if strings.Contains(file, "'") {
			q = `"`
		}
		file = q + file + q
	}
	return " -pgoprofile=" + file
}

// pgoContentCopy returns a copy of the profile whose name is the hash of its content, in dir. The
// go command does not hash a file named inside -gcflags: with the profile's own path, a profile
// rewritten in place would leave every compile that used it a build cache hit with the old profile.
// The content-addressed name changes the flag, and so the cache key, exactly when the content does.
func pgoContentCopy(file, dir string) (string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	out := filepath.Join(dir, hex.EncodeToString(sum[:])+".pprof")
	if _, err := os.Stat(out); err == nil {
		return out, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, "pgo-*")
	if err != nil {
		return "", err
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if werr != nil || cerr != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("copying %s: %v", file, errors.Join(werr, cerr))
	}
	return out, os.Rename(tmp.Name(), out)
}

// pgoFlag is go build's and go test's flag for the profile; -pgo=off keeps go test from using a
// main package's default.pgo by itself.
func (g goTool) pgoFlag() []string {
	if g.pgo == "" {
		return nil
	}
	return []string{"-pgo=" + g.pgo}
}

// usePGO gives g the profile to diagnose the listed packages with (choosePGO, from pgo and dir as
// Options.PGO and Options.Dir) and its content-named copy for -gcflags, in cache/pgo (a stable name:
// the next run's compiles are build cache hits), or in a temporary directory that done removes
// when cache is "". note says why no profile is used, when choosePGO says so.
func (g *goTool) usePGO(pgo, dir, cache string, metas []*listedPackage) (note string, done func(), err error) {
	done = func() {}
	file, note, err := choosePGO(Options{PGO: pgo, Dir: dir}, mainDirs(metas))
	if err != nil {
		return "", done, err
	}
	g.pgo = file
	if file == "" || file == PGOOff {
		return note, done, nil
	}
	copyDir := filepath.Join(cache, "pgo")
	if cache == "" {
		tmp, err := os.MkdirTemp("", "gcfix-pgo-")
		if err != nil {
			return "", done, err
		}
		copyDir, done = tmp, func() { os.RemoveAll(tmp) }
	}
	if g.pgoCopy, err = pgoContentCopy(file, copyDir); err != nil {
		return "", done, fmt.Errorf("-pgo: %v", err)
	}
	return note, done, nil
}

// pgoSummary says which PGO profile the diagnostics were taken with (file, relative to root), or
// why none was used (note); "" when there was no profile to use.
func pgoSummary(root, file, note string) string {
	if file != "" && file != PGOOff {
		return "diagnostics taken with PGO profile " + report.RelPath(root, file)
	}
	return note
}
