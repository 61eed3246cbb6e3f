package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestProfileHotFirst runs gcfix on fixtures/hotcold with the CPU profile of its benchmark: the
// candidate in (*Cache).Key, hot, is tried and kept; the same candidate in Label, cold, is skipped
// without being tried. The profile's paths are not those of this machine: only names count.
func TestProfileHotFirst(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and tests a fixture package")
	}
	fixtures, err := filepath.Abs(filepath.Join("..", "..", "fixtures"))
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	args := []string{"-C", fixtures, "-gate=test", "-rules=sprintf", "-json", "-profile", "hotcold/cpu.pprof", "./hotcold"}
	if code := run(args, &stdout, &stderr); code != exitOK {
		t.Fatalf("gcfix %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
	}
	var rep struct {
		Candidates []struct {
			Func, Verdict, Reason string
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range rep.Candidates {
		got[c.Func] = c.Verdict + ": " + c.Reason
	}
	if len(rep.Candidates) != 2 || !strings.HasPrefix(got["(*Cache).Key"], "kept: ") ||
		got["Label"] != "skipped: skipped: cold (0% of samples < -hot 0.5%)" {
		t.Errorf("candidates = %q; want (*Cache).Key kept and Label skipped as cold", got)
	}
	if !strings.Contains(stderr.String(), "1 kept, 1 skipped as cold in the profile (-v shows them)") {
		t.Errorf("summary line missing from stderr:\n%s", stderr.String())
	}

	// With -hot 0 nothing is cold: both are tried, the hot one first (the test gate tries candidates
	// one by one; the build gate confirms them together and reports them in file order).
	stdout.Reset()
	stderr.Reset()
	args = []string{"-C", fixtures, "-gate=test", "-rules=sprintf", "-json", "-profile", "hotcold/cpu.pprof", "-hot", "0", "./hotcold"}
	if code := run(args, &stdout, &stderr); code != exitOK {
		t.Fatalf("gcfix %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
	}
	rep.Candidates = nil
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Candidates) != 2 || rep.Candidates[0].Func != "(*Cache).Key" || rep.Candidates[1].Func != "Label" ||
		rep.Candidates[1].Verdict != "kept" {
		t.Errorf("-hot 0: candidates = %+v; want (*Cache).Key, then Label, both kept", rep.Candidates)
	}
}
