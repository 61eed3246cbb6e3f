package rewrite

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Rewritten returns the content of every file that kept rewrites change, by path relative to the
// module root.
func (r *Report) Rewritten() map[string][]byte {
	out := map[string][]byte{}
	for _, c := range r.files {
		out[relPath(r.root, c.path)] = c.new
	}
	return out
}

// Apply writes the kept rewrites. Each file is written atomically (a temporary file in the same
// directory, renamed over it, with its mode kept), and only if it is still as gcfix read it. Files
// that cannot be written are named in the error; the others are written.
func (r *Report) Apply() error {
	changes := append([]*fileChange(nil), r.files...)
	sort.Slice(changes, func(i, j int) bool { return changes[i].path < changes[j].path })
	var errs []string
	for _, c := range changes {
		if err := writeIfUnchanged(c); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return nil
}

func writeIfUnchanged(c *fileChange) error {
	cur, err := os.ReadFile(c.path)
	if err != nil {
		return err
	}
	if !bytes.Equal(cur, c.old) {
		return fmt.Errorf("%s: changed on disk since gcfix read it; not written (run gcfix again)", c.path)
	}
	if isGenerated(cur) {
		return fmt.Errorf("%s: generated file; not written", c.path)
	}
	fi, err := os.Stat(c.path)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(c.path), "."+filepath.Base(c.path)+".gcfix-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(c.new); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(fi.Mode().Perm()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), c.path)
}

// isGenerated reports whether src carries the standard "Code generated ... DO NOT EDIT." line
// before its package clause.
func isGenerated(src []byte) bool {
	for _, line := range strings.Split(string(src), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "package ") {
			return false
		}
		if strings.HasPrefix(line, "// Code generated ") && strings.HasSuffix(line, " DO NOT EDIT.") {
			return true
		}
	}
	return false
}

// Diagnose compiles the packages (import paths) of the module at dir with -m=2 and returns the
// compiler's diagnostics and the build error of each package that does not compile. For tests and
// tools; Run diagnoses by itself.
func Diagnose(ctx context.Context, dir string, pkgs []string, tags string) (*Diagnostics, map[string]string, error) {
	return goTool{dir: dir, tags: tags}.diagnose(ctx, pkgs, nil)
}
