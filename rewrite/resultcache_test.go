package rewrite

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gcfix/gcfix/rewrite/report"
	"github.com/gcfix/gcfix/rewrite/rule"
)

// A rule's settings in the keys of remembered results are its flags' values, sorted by name.
func TestRuleSettings(t *testing.T) {
	r := &rule.Rule{Name: "r"}
	r.Flags.Int("size", 128, "")
	r.Flags.Bool("allow", false, "")
	if got := ruleSettings(r); got != "allow=false size=128" {
		t.Errorf("defaults: %q", got)
	}
	if err := r.Flags.Set("size", "64"); err != nil {
		t.Fatal(err)
	}
	if got := ruleSettings(r); got != "allow=false size=64" {
		t.Errorf("after -size=64: %q", got)
	}
	if got := ruleSettings(&rule.Rule{Name: "plain"}); got != "" {
		t.Errorf("no flags: %q", got)
	}
}

// A candidate's change kept as its difference from the old content comes back byte for byte,
// whatever the old and new contents share.
func TestSplicedChanges(t *testing.T) {
	cases := []struct{ old, new string }{
		{"package a\n\nfunc F() {}\n", "package a\n\nfunc F() { g() }\n"},
		{"aaa", "aaaa"},
		{"aaaa", "aa"},
		{"abc", "abc"},
		{"", "x"},
		{"x", ""},
		{"head\nmid\ntail\n", "new head\nmid\ntail\n"},
		{"head\nmid\ntail\n", "head\nmid\ntail\nmore\n"},
		{"abab", "ab"},
	}
	for _, c := range cases {
		fc := []*report.FileChange{{Path: "f.go", Old: []byte(c.old), New: []byte(c.new)}}
		tab := &contentTable{index: map[string]int{}}
		cached := tab.spliced(fc)
		if cached[0].New != -1 || len(cached[0].Mid) > len(c.new) {
			t.Errorf("%q → %q: kept %+v", c.old, c.new, cached[0])
		}
		contents := make([][]byte, len(tab.list))
		for i, s := range tab.list {
			contents[i] = []byte(s)
		}
		got, ok := fromCached(contents, cached)
		if !ok || !reflect.DeepEqual(got, fc) {
			t.Errorf("%q → %q: rebuilt %q, %v", c.old, c.new, got[0].New, ok)
		}
	}
	// A cache entry whose splice does not fit its old content is refused, not half-read.
	if _, ok := fromCached([][]byte{[]byte("ab")}, []cachedFile{{Path: "f.go", Old: 0, New: -1, Prefix: 2, Suffix: 1}}); ok {
		t.Error("a splice longer than its old content was accepted")
	}
}

// Entries unused for five days are removed, at most once a day; a fresh entry and other files stay.
func TestTrimResults(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	write := func(name string, age time.Duration) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, now.Add(-age), now.Add(-age)); err != nil {
			t.Fatal(err)
		}
		return p
	}
	exists := func(p string) bool { _, err := os.Stat(p); return err == nil }
	old := write("ab/ab01", 6*24*time.Hour)
	fresh := write("ab/ab02", 4*24*time.Hour)
	other := write("notes/old.txt", 30*24*time.Hour)

	// Trimmed within the day: nothing is removed.
	if err := os.WriteFile(filepath.Join(dir, "trim.txt"), []byte(strconv.FormatInt(now.Add(-time.Hour).Unix(), 10)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	trimResults(dir, now)
	if !exists(old) {
		t.Fatal("trimmed again within a day")
	}
	// A day later: the old entry goes, the rest stays, and trim.txt records the time.
	trimResults(dir, now.Add(trimInterval))
	if exists(old) || !exists(fresh) || !exists(other) {
		t.Errorf("after trimming: old %v, fresh %v, other %v; want false, true, true", exists(old), exists(fresh), exists(other))
	}
	b, _ := os.ReadFile(filepath.Join(dir, "trim.txt"))
	if strings.TrimSpace(string(b)) != strconv.FormatInt(now.Add(trimInterval).Unix(), 10) {
		t.Errorf("trim.txt = %q", b)
	}
}

// The result cache knows gcfix by the build ID the go command wrote into it, as go tool buildid
// prints it, without reading the whole executable.
func TestExecutableBuildID(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "tool", "buildid", exe).Output()
	if err != nil {
		t.Fatalf("go tool buildid: %v", err)
	}
	want := strings.TrimSpace(string(out))
	if got := goBuildID(exe); got != want {
		t.Errorf("goBuildID = %q; go tool buildid says %q", got, want)
	}
	if sum, err := executableHash(); err != nil || sum != "buildid "+want {
		t.Errorf("executableHash = %q, %v; want the build ID", sum, err)
	}
}
