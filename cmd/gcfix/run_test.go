package main

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExitCodes(t *testing.T) {
	notModule := t.TempDir()
	emptyModule := t.TempDir()
	if err := os.WriteFile(filepath.Join(emptyModule, "go.mod"), []byte("module example.com/empty\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"-nosuchflag"}, exitUsage, "flag provided but not defined"},
		{[]string{"-gate=fast"}, exitUsage, "-gate=fast: want bench, test or build"},
		{[]string{"-rules=nosuch"}, exitUsage, `unknown rule "nosuch"`},
		{[]string{"-count=0"}, exitUsage, "-count=0"},
		{[]string{"-bench=("}, exitUsage, "-bench"},
		{[]string{"-emit-tests", "-gate=test"}, exitUsage, "-emit-tests needs -gate=bench"},
		{[]string{"-hot=1"}, exitUsage, "-hot needs -profile"},
		{[]string{"-profile=p.pprof", "-hot=101"}, exitUsage, "-hot=101: want a percentage"},
		{[]string{"-profile", filepath.Join(notModule, "nosuch.pprof")}, exitFailed, "-profile: open "},
		{[]string{"-h"}, exitOK, "usage: gcfix"},
		{[]string{"-C", notModule, "./..."}, exitFailed, "gcfix: "},
		{[]string{"-C", emptyModule, "-gate=build", "./..."}, exitFailed, "matched no packages"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(c.args, &stdout, &stderr)
		if code != c.code || !strings.Contains(stderr.String(), c.stderr) {
			t.Errorf("gcfix %s: exit %d, stderr %q; want exit %d and %q", strings.Join(c.args, " "), code, stderr.String(), c.code, c.stderr)
		}
	}
}

func TestListRules(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-list"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "sprintf") {
		t.Errorf("-list = %q, want the sprintf rule", stdout.String())
	}
}

// -list -v prints a rule's documentation, the package comment of its doc.go.
func TestListRulesVerbose(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-list", "-v", "-rules=ptrvalue"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, want := range []string{"ptrvalue: returns small structs by value", "# Declines", "-ptrvalue-max-size"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("-list -v lacks %q:\n%s", want, stdout.String())
		}
	}
}

// A rule's flags are gcfix's flags, under their own names, and set the rules that gcfix runs.
func TestRuleFlags(t *testing.T) {
	c, _, err := parseFlags([]string{"-allow-api-change", "-ptrvalue-max-size=64", "./..."}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range c.all {
		r.Flags.VisitAll(func(f *flag.Flag) { got[f.Name] = f.Value.String() })
	}
	if got["allow-api-change"] != "true" || got["ptrvalue-max-size"] != "64" {
		t.Errorf("rule flags after parsing: %v", got)
	}
}
