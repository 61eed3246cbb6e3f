package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFormatShardMergeUsage(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"-format=xml"}, exitUsage, "-format=xml: want diff, json, markdown or sarif"},
		{[]string{"-json", "-format=sarif"}, exitUsage, "-json and -format=sarif: choose one"},
		{[]string{"-shard=0/2"}, exitUsage, "-shard=0/2: want i/n"},
		{[]string{"-shard=3/2"}, exitUsage, "-shard=3/2: want i/n"},
		{[]string{"-shard=1/0"}, exitUsage, "-shard=1/0"},
		{[]string{"-shard=2"}, exitUsage, "-shard=2"},
		{[]string{"-shard=a/b"}, exitUsage, "-shard=a/b"},
		{[]string{"merge"}, exitUsage, "usage: gcfix merge"},
		{[]string{"merge", "-nosuchflag"}, exitUsage, "flag provided but not defined"},
		{[]string{"merge", filepath.Join(t.TempDir(), "missing.json")}, exitFailed, "gcfix merge: "},
		{[]string{"merge", bad}, exitFailed, "bad.json"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(c.args, &stdout, &stderr)
		if code != c.code || !strings.Contains(stderr.String(), c.stderr) {
			t.Errorf("gcfix %s: exit %d, stderr %q; want exit %d and %q", strings.Join(c.args, " "), code, stderr.String(), c.code, c.stderr)
		}
	}
}

func TestCheckFormat(t *testing.T) {
	for _, c := range []struct {
		json   bool
		format string
		want   string
	}{
		{false, "", "diff"},
		{true, "", "json"},
		{true, "json", "json"},
		{false, "markdown", "markdown"},
		{false, "sarif", "sarif"},
	} {
		cfg := &config{json: c.json, format: c.format}
		if err := cfg.checkFormat(); err != nil || cfg.format != c.want {
			t.Errorf("-json=%v -format=%q: %q, %v; want %q", c.json, c.format, cfg.format, err, c.want)
		}
	}
}
