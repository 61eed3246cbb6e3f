package rewrite

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/gob"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gcfix/gcfix/rewrite/benchstat"
	"github.com/gcfix/gcfix/rewrite/report"
	"github.com/gcfix/gcfix/rewrite/rule"
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
	fmt.Fprintf(h, "gcfix result cache v3\nexe %s\nroot %s\ndir %s\n", exe, root, opts.Dir)
	fmt.Fprintf(h, "patterns %q\ngate %s\ntags %q\nshard %d/%d\nenv %q\n", opts.Patterns, opts.Gate, opts.Tags, opts.Shard, opts.Shards, opts.Env)
	for _, r := range opts.Rules {
		fmt.Fprintf(h, "rule %s %q\n", r.Name, ruleSettings(r))
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

// ruleSettings is the value of every flag of r, "name=value" sorted by name and joined by spaces:
// the settings that every key of a remembered result (the result cache, -state) includes, so that
// a setting a rule adds is never left out of one.
func ruleSettings(r *rule.Rule) string {
	var settings []string
	r.Flags.VisitAll(func(f *flag.Flag) { settings = append(settings, f.Name+"="+f.Value.String()) })
	return strings.Join(settings, " ")
}

var exeHash struct {
	once sync.Once
	sum  string
	err  error
}

// executableHash identifies the running gcfix for the result cache's key: by the build ID that the
// go command wrote into it (a hash of its content, as `go tool buildid` prints it), or, for a
// binary without one, by the SHA-256 of its content (~10 MB read on every run).
func executableHash() (string, error) {
	exeHash.once.Do(func() {
		name, err := os.Executable()
		if err != nil {
			exeHash.err = err
			return
		}
		if id := goBuildID(name); id != "" {
			exeHash.sum = "buildid " + id
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

// goBuildID returns the go command's build ID of the executable name: the ELF note
// .note.go.buildid, or elsewhere the `\xff Go build ID: "…"` string near the start of the
// file; "" if it has none.
func goBuildID(name string) string {
	if f, err := elf.Open(name); err == nil {
		defer f.Close()
		sec := f.Section(".note.go.buildid")
		if sec == nil {
			return ""
		}
		data, err := sec.Data()
		// The note: name size, description size, type (4 bytes each), "Go\x00\x00", the ID.
		if err != nil || len(data) < 16 || string(data[12:16]) != "Go\x00\x00" {
			return ""
		}
		n := int(f.ByteOrder.Uint32(data[4:8]))
		if 16+n > len(data) {
			return ""
		}
		return string(data[16 : 16+n])
	}
	f, err := os.Open(name)
	if err != nil {
		return ""
	}
	defer f.Close()
	buf := make([]byte, 32<<10)
	n, _ := io.ReadFull(f, buf)
	const prefix = "\xff Go build ID: \""
	i := bytes.Index(buf[:n], []byte(prefix))
	if i < 0 {
		return ""
	}
	rest := buf[i+len(prefix) : n]
	j := bytes.IndexByte(rest, '"')
	if j <= 0 {
		return ""
	}
	return string(rest[:j])
}

// cachedReport is a report as the result cache keeps it (gob), with the file contents that -apply
// and the SARIF fixes need. A file's content appears once in Contents; changes refer to it by index.
// A file's new content is kept as the bytes that differ from its old content: each candidate
// rewrites a few lines of a file, and whole copies made a warm run's read of the cache its slowest step.
type cachedReport struct {
	Report   *report.Report
	Contents []string
	Files    []cachedFile
	Changes  [][]cachedFile // per candidate, in order
}

// cachedFile is one changed file: Old indexes Contents, and so does New, unless it is -1: then the
// new content is Old's first Prefix bytes, Mid, and Old's last Suffix bytes.
type cachedFile struct {
	Path           string
	Old, New       int
	Prefix, Suffix int
	Mid            string
}

type contentTable struct {
	list  []string
	index map[string]int
}

func (t *contentTable) add(b []byte) int {
	if i, ok := t.index[string(b)]; ok {
		return i
	}
	t.index[string(b)] = len(t.list)
	t.list = append(t.list, string(b))
	return len(t.list) - 1
}

// spliced is the cache's form of files: each old content in the table, each new content as its
// difference from the old one.
func (t *contentTable) spliced(fs []*report.FileChange) []cachedFile {
	out := make([]cachedFile, len(fs))
	for i, f := range fs {
		n := min(len(f.Old), len(f.New))
		pre := 0
		for pre < n && f.Old[pre] == f.New[pre] {
			pre++
		}
		suf := 0
		for suf < n-pre && f.Old[len(f.Old)-1-suf] == f.New[len(f.New)-1-suf] {
			suf++
		}
		out[i] = cachedFile{Path: f.Path, Old: t.add(f.Old), New: -1, Prefix: pre, Suffix: suf, Mid: string(f.New[pre : len(f.New)-suf])}
	}
	return out
}

// fromCached rebuilds the changes of files; contents is Contents as bytes, shared by every change
// that names the same content.
func fromCached(contents [][]byte, files []cachedFile) ([]*report.FileChange, bool) {
	out := make([]*report.FileChange, len(files))
	for i, f := range files {
		if f.Old < 0 || f.Old >= len(contents) || f.New < -1 || f.New >= len(contents) {
			return nil, false
		}
		old := contents[f.Old]
		var new []byte
		if f.New >= 0 {
			new = contents[f.New]
		} else {
			if f.Prefix < 0 || f.Suffix < 0 || f.Prefix+f.Suffix > len(old) {
				return nil, false
			}
			new = make([]byte, 0, f.Prefix+len(f.Mid)+f.Suffix)
			new = append(append(append(new, old[:f.Prefix]...), f.Mid...), old[len(old)-f.Suffix:]...)
		}
		out[i] = &report.FileChange{Path: f.Path, Old: old, New: new}
	}
	return out, true
}

// loadResult returns the cached report for key, if there is one and the files it changes are still
// as they were read.
func loadResult(dir, key, root string) (*report.Report, bool) {
	name := filepath.Join(dir, key[:2], key)
	f, err := os.Open(name)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	// A used entry's time is what trimming reads; updated at most hourly, as the go command does.
	if fi, err := f.Stat(); err == nil && time.Since(fi.ModTime()) > time.Hour {
		now := time.Now()
		os.Chtimes(name, now, now)
	}
	var c cachedReport
	if err := gob.NewDecoder(bufio.NewReader(f)).Decode(&c); err != nil || c.Report == nil || len(c.Changes) != len(c.Report.Candidates) {
		return nil, false
	}
	rep := c.Report
	rep.SetRoot(root)
	// gob keeps no empty slices; the JSON report prints these as [].
	if rep.Packages == nil {
		rep.Packages = []report.PackageReport{}
	}
	if rep.Candidates == nil {
		rep.Candidates = []*report.Result{}
	}
	for _, res := range rep.Candidates {
		if res.Metrics == nil {
			res.Metrics = []benchstat.Metric{}
		}
	}
	contents := make([][]byte, len(c.Contents))
	for i, s := range c.Contents {
		contents[i] = []byte(s)
	}
	files, ok := fromCached(contents, c.Files)
	if !ok {
		return nil, false
	}
	rep.SetFiles(files)
	for _, f := range files {
		if cur, err := os.ReadFile(f.Path); err != nil || string(cur) != string(f.Old) {
			return nil, false
		}
	}
	for i, res := range rep.Candidates {
		changes, ok := fromCached(contents, c.Changes[i])
		if !ok {
			return nil, false
		}
		res.SetChanges(changes)
	}
	return rep, true
}

// storeResult writes the report under key, atomically; a failure only costs the next run its hit.
func storeResult(dir, key string, rep *report.Report) {
	t := &contentTable{index: map[string]int{}}
	c := cachedReport{Report: rep, Files: t.spliced(rep.Files())}
	for _, res := range rep.Candidates {
		c.Changes = append(c.Changes, t.spliced(res.Changes()))
	}
	c.Contents = t.list
	sub := filepath.Join(dir, key[:2])
	if err := os.MkdirAll(sub, 0o755); err != nil {
		return
	}
	tmp, err := os.CreateTemp(sub, key+".tmp*")
	if err != nil {
		return
	}
	w := bufio.NewWriter(tmp)
	eerr := gob.NewEncoder(w).Encode(c)
	ferr := w.Flush()
	cerr := tmp.Close()
	if eerr != nil || ferr != nil || cerr != nil || os.Rename(tmp.Name(), filepath.Join(sub, key)) != nil {
		os.Remove(tmp.Name())
	}
	trimResults(dir, time.Now())
}

// Each build of gcfix and each change of the code makes a new entry (megabytes for a large
// module), so the cache is trimmed as the go command trims its own: at most once a day, entries
// unused for five days are removed.
const (
	trimInterval = 24 * time.Hour
	trimUnused   = 5 * 24 * time.Hour
)

// trimResults removes the entries of dir unused since trimUnused before now, unless dir was trimmed
// within trimInterval (dir/trim.txt holds when).
func trimResults(dir string, now time.Time) {
	mark := filepath.Join(dir, "trim.txt")
	if b, err := os.ReadFile(mark); err == nil {
		if sec, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && now.Sub(time.Unix(sec, 0)) < trimInterval {
			return
		}
	}
	subs, _ := os.ReadDir(dir)
	for _, sub := range subs {
		if !sub.IsDir() || len(sub.Name()) != 2 {
			continue
		}
		entries, _ := os.ReadDir(filepath.Join(dir, sub.Name()))
		for _, e := range entries {
			if fi, err := e.Info(); err == nil && !e.IsDir() && now.Sub(fi.ModTime()) > trimUnused {
				os.Remove(filepath.Join(dir, sub.Name(), e.Name()))
			}
		}
	}
	os.WriteFile(mark, []byte(strconv.FormatInt(now.Unix(), 10)+"\n"), 0o644)
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
