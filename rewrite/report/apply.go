package report

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
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
		out[RelPath(r.root, c.Path)] = c.New
	}
	return out
}

// Apply writes the kept rewrites. Each file is written atomically (a temporary file in the same
// directory, renamed over it, with its mode kept), and only if it is still as gcfix read it. Files
// that cannot be written are named in the error; the others are written. The test files of
// EmitAllocTests come last, and only when every rewrite was written.
func (r *Report) Apply() error { return r.ApplyEach(nil) }

// ApplyEach is Apply that calls wrote, when not nil, with each file written (relative to the module
// root), in the order written.
func (r *Report) ApplyEach(wrote func(name string)) error {
	written := func(c *FileChange) {
		if wrote != nil {
			wrote(RelPath(r.root, c.Path))
		}
	}
	changes := append([]*FileChange(nil), r.files...)
	sort.Slice(changes, func(i, j int) bool { return changes[i].Path < changes[j].Path })
	var errs []string
	for _, c := range changes {
		if c.Emitted {
			continue
		}
		if err := writeIfUnchanged(c); err != nil {
			errs = append(errs, err.Error())
		} else {
			written(c)
		}
	}
	// The allocation budgets hold only for the rewritten code: with a rewrite missing, they would
	// fail the tests.
	failed := len(errs) > 0
	for _, c := range changes {
		if !c.Emitted {
			continue
		}
		if failed {
			errs = append(errs, c.Path+": not written, since not every rewrite was")
		} else if err := writeIfUnchanged(c); err != nil {
			errs = append(errs, err.Error())
		} else {
			written(c)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return nil
}

func writeIfUnchanged(c *FileChange) error {
	if c.Create {
		return createNew(c)
	}
	cur, err := os.ReadFile(c.Path)
	if err != nil {
		return err
	}
	if !bytes.Equal(cur, c.Old) {
		return fmt.Errorf("%s: changed on disk since gcfix read it; not written (run gcfix again)", c.Path)
	}
	if isGenerated(cur) {
		return fmt.Errorf("%s: generated file; not written", c.Path)
	}
	fi, err := os.Stat(c.Path)
	if err != nil {
		return err
	}
	if err := writable(c.Path, fi); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(c.Path), "."+filepath.Base(c.Path)+".gcfix-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := finish(tmp, c.New, fi.Mode().Perm()); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), c.Path)
}

// writable refuses a file that its mode makes read-only, as gofmt -w and editors do. The rename
// that replaces a file goes through a read-only file, and for root through anything: the write bits
// are checked here, and opening the file for writing (which changes nothing) asks the system about
// the current user.
func writable(name string, fi os.FileInfo) error {
	if fi.Mode().Perm()&0o222 == 0 {
		return fmt.Errorf("%s: read-only (mode %v); not written", name, fi.Mode().Perm())
	}
	f, err := os.OpenFile(name, os.O_WRONLY, 0)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return fmt.Errorf("%s: no permission to write it; not written", name)
		}
		return err
	}
	return f.Close()
}

// createNew writes a file that gcfix adds, such as a test file, atomically, and only if no file
// of that name appeared since gcfix looked: the written temporary file is linked to its name, which
// fails if the name exists.
func createNew(c *FileChange) error {
	dir := filepath.Dir(c.Path)
	if fi, err := os.Stat(dir); err != nil {
		return err
	} else if fi.Mode().Perm()&0o222 == 0 {
		return fmt.Errorf("%s: its directory is read-only; not written", c.Path)
	}
	tmp, err := os.CreateTemp(filepath.Dir(c.Path), "."+filepath.Base(c.Path)+".gcfix-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	err = finish(tmp, c.New, 0o644)
	if err == nil {
		err = os.Link(tmp.Name(), c.Path)
	}
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s: created on disk since gcfix looked; not written (run gcfix again)", c.Path)
	}
	return err
}

// finish writes b to the temporary file, gives it its mode, syncs and closes it.
func finish(tmp *os.File, b []byte, mode os.FileMode) error {
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	return tmp.Close()
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
