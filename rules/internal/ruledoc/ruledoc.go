// Package ruledoc reads a rule's documentation from the package comment of the rule's doc.go, so
// that go doc and gcfix show the same text, written once. The rule embeds its doc.go, as the
// analyzers of golang.org/x/tools do:
//
//	//go:embed doc.go
//	var doc string
//
//	var ruleDoc = ruledoc.MustParse(doc, "sprintf")
//
// The package comment's first paragraph is one sentence, "Package <name> <title>.": the title
// says what the rule does in a few words (gcfix -list shows it after the name). Its first two code
// blocks are a small example before and after the rewrite.
package ruledoc

import (
	"fmt"
	"go/doc/comment"
	"go/parser"
	"go/token"
	"strings"

	"github.com/gcfix/gcfix/rewrite/rule"
)

// Parse returns the documentation of the rule name from src, the content of the rule's doc.go: the
// title from its first sentence, the example from its first two code blocks, and as text everything
// after the first paragraph.
func Parse(src, name string) (rule.Doc, error) {
	f, err := parser.ParseFile(token.NewFileSet(), "doc.go", src, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		return rule.Doc{}, err
	}
	if f.Name.Name != name {
		return rule.Doc{}, fmt.Errorf("doc.go of rule %s is in package %s", name, f.Name.Name)
	}
	if f.Doc == nil {
		return rule.Doc{}, fmt.Errorf("doc.go of rule %s has no package comment", name)
	}
	text := f.Doc.Text()
	first, rest, _ := strings.Cut(text, "\n\n")
	title := strings.Join(strings.Fields(first), " ")
	prefix := "Package " + name + " "
	if !strings.HasPrefix(title, prefix) || !strings.HasSuffix(title, ".") {
		return rule.Doc{}, fmt.Errorf("doc.go of rule %s: the first paragraph is not one sentence %q: %q", name, prefix+"…", title)
	}
	var code []string
	for _, b := range new(comment.Parser).Parse(text).Content {
		if c, ok := b.(*comment.Code); ok {
			code = append(code, strings.TrimSuffix(c.Text, "\n"))
		}
	}
	if len(code) < 2 {
		return rule.Doc{}, fmt.Errorf("doc.go of rule %s: want an example before and after the rewrite, two code blocks; found %d", name, len(code))
	}
	return rule.Doc{
		Title:  strings.TrimSuffix(strings.TrimPrefix(title, prefix), "."),
		Text:   strings.TrimRight(rest, "\n"),
		Before: code[0],
		After:  code[1],
	}, nil
}

// MustParse is Parse for a rule's init: a malformed doc.go is a bug of the rule.
func MustParse(src, name string) rule.Doc {
	d, err := Parse(src, name)
	if err != nil {
		panic(err)
	}
	return d
}
