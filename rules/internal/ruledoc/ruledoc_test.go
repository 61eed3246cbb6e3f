package ruledoc

import (
	"strings"
	"testing"
)

const good = `// Package shout makes fmt.Println calls upper-case.
//
//	fmt.Println(s)
//
// becomes
//
//	fmt.Println(strings.ToUpper(s))
//
// It declines everything else.
//
// # Confirm
//
// Nothing.
package shout
`

func TestParse(t *testing.T) {
	d, err := Parse(good, "shout")
	if err != nil {
		t.Fatal(err)
	}
	if d.Title != "makes fmt.Println calls upper-case" {
		t.Errorf("Title = %q", d.Title)
	}
	if d.Before != "fmt.Println(s)" || d.After != "fmt.Println(strings.ToUpper(s))" {
		t.Errorf("Before, After = %q, %q", d.Before, d.After)
	}
	if !strings.HasPrefix(d.Text, "\tfmt.Println(s)\n\nbecomes\n") || !strings.HasSuffix(d.Text, "# Confirm\n\nNothing.") {
		t.Errorf("Text = %q", d.Text)
	}
}

func TestParseErrors(t *testing.T) {
	for name, src := range map[string]string{
		"other package":  strings.Replace(good, "package shout", "package whisper", 1),
		"no comment":     "package shout\n",
		"no sentence":    strings.Replace(good, "// Package shout makes", "// Shout makes", 1),
		"one code block": strings.Replace(good, "//\tfmt.Println(strings.ToUpper(s))", "// fmt.Println(strings.ToUpper(s))", 1),
		"not Go":         "// Package shout x.\npackage",
	} {
		if d, err := Parse(src, "shout"); err == nil {
			t.Errorf("%s: no error, %+v", name, d)
		}
	}
}
