package rewrite

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// The build gate's verdicts depend only on the code and on gcfix itself, so a run over code that the
// go command has compiled before can be answered from a result cache, as the go command answers a
// build from its build cache. The key covers everything the answer depends on: gcfix's own
// executable, the options, the go list -export output of the run (which names every package's build
// ID: a hash of its sources, its dependencies, the compiler and the flags, -m=2 included) and the
// contents of the packages' test files, which that build does not compile. The bench and test gates
// measure and run code, and are never cached.

// resultKey returns the cache key of a build-gate run, or "" when it cannot tell.
func resultKey(opts Options, root string, ls *listing) string {
	exe, err := executableHash()
	if err != nil {
		return ""
	}
	h := sha256.New()
	fmt.Fprintf(h, "gcfix result cache v1\nexe %s\nroot %s\ndir %s\n", exe, root, opts.Dir)
	fmt.Fprintf(h, "patterns %q\ngate %s\ntags %q\nshard %d/%d\nrules %q\nenv %q\n", opts.Patterns, opts.Gate, opts.Tags, opts.Shard, opts.Shards, opts.RuleConfig, opts.Env)
	for _, r := range opts.Rules {
		fmt.Fprintf(h, "rule %s\n", r.Name)
	}
	fmt.Fprintf(h, "pgo %q\n", opts.PGO)
	h.Write(ls.stdout)
	for _, m := range ls.metas {
		for _, name := range append(append([]string{}, m.TestGoFiles...), m.XTestGoFiles...) {
			f, err := os.Open(m.abs(name))
			if err != nil {
				return ""
			}
			fmt.Fprintf(h, "file %s\n", m.abs(name))
			_, err = io.Copy(h, f)
			f.Close()
			if err != nil {
				return ""
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

var exeHash struct {
	once sync.Once
	sum  string
	err  error
}

func executableHash() (string, error) {
	exeHash.once.Do(func() {
		name, err := os.Executable()
		if err != nil {
			exeHash.err = err
			return
		}
		f, err := os.Open(name)
		if err != nil {
			exeHash.err = err
			return
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			exeHash.err = err
			return
		}
		exeHash.sum = hex.EncodeToString(h.Sum(nil))
	})
	return exeHash.sum, exeHash.err
}

// cachedReport is a report as the result cache keeps it, with the file contents that -apply and the
// SARIF fixes need.
type cachedReport struct {
	Report  *Report
	Files   []cachedFile
	Changes [][]cachedFile // per candidate, in order
}

type cachedFile struct {
	Path     string
	Old, New []byte
}

func toCached(files []*fileChange) []cachedFile {
	out := make([]cachedFile, len(files))
	for i, f := range files {
		out[i] = cachedFile{Path: f.path, Old: f.old, New: f.new}
	}
	return out
}

func fromCached(files []cachedFile) []*fileChange {
	out := make([]*fileChange, len(files))
	for i, f := range files {
		out[i] = &fileChange{path: f.Path, old: f.Old, new: f.New}
	}
	return out
}

// loadResult returns the cached report for key, if there is one and the files it changes are still
// as they were read.
func loadResult(dir, key, root string) (*Report, bool) {
	b, err := os.ReadFile(filepath.Join(dir, key[:2], key))
	if err != nil {
		return nil, false
	}
	var c cachedReport
	if err := json.Unmarshal(b, &c); err != nil || c.Report == nil || len(c.Changes) != len(c.Report.Candidates) {
		return nil, false
	}
	rep := c.Report
	rep.root = root
	rep.files = fromCached(c.Files)
	for _, f := range rep.files {
		if cur, err := os.ReadFile(f.path); err != nil || string(cur) != string(f.old) {
			return nil, false
		}
	}
	for i, res := range rep.Candidates {
		res.changes = fromCached(c.Changes[i])
	}
	return rep, true
}

// storeResult writes the report under key, atomically; a failure only costs the next run its hit.
func storeResult(dir, key string, rep *Report) {
	c := cachedReport{Report: rep, Files: toCached(rep.files)}
	for _, res := range rep.Candidates {
		c.Changes = append(c.Changes, toCached(res.changes))
	}
	b, err := json.Marshal(c)
	if err != nil {
		return
	}
	sub := filepath.Join(dir, key[:2])
	if err := os.MkdirAll(sub, 0o755); err != nil {
		return
	}
	tmp, err := os.CreateTemp(sub, key+".tmp*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if werr != nil || cerr != nil || os.Rename(tmp.Name(), filepath.Join(sub, key)) != nil {
		os.Remove(tmp.Name())
	}
}

// DefaultCacheDir is where the CLI keeps build-gate results: $GCFIXCACHE, or gcfix in the user's
// cache directory; "" (GCFIXCACHE=off) turns the cache off.
func DefaultCacheDir() string {
	if v := os.Getenv("GCFIXCACHE"); v != "" {
		if v == "off" {
			return ""
		}
		return v
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "gcfix")
}
