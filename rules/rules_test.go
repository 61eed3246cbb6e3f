package rules

import (
	"flag"
	"testing"
)

// Every rule documents itself (doc.go) and names its flags apart from the other rules' flags, which
// gcfix puts on one command line.
func TestRulesDocumentedAndFlagsDistinct(t *testing.T) {
	owner := map[string]string{}
	for _, r := range All() {
		if r.Doc.Title == "" || r.Doc.Text == "" || r.Doc.Before == "" || r.Doc.After == "" {
			t.Errorf("%s: incomplete documentation: %+v", r.Name, r.Doc)
		}
		r.Flags.VisitAll(func(f *flag.Flag) {
			if o, ok := owner[f.Name]; ok {
				t.Errorf("-%s is a flag of both %s and %s", f.Name, o, r.Name)
			}
			owner[f.Name] = r.Name
		})
	}
}

// All's values share no settings: a flag set on one is not set on the next.
func TestAllIsFresh(t *testing.T) {
	rs, err := ByName([]string{"ptrvalue"})
	if err != nil {
		t.Fatal(err)
	}
	if err := rs[0].Flags.Set("ptrvalue-max-size", "8"); err != nil {
		t.Fatal(err)
	}
	again, _ := ByName([]string{"ptrvalue"})
	if got := again[0].Flags.Lookup("ptrvalue-max-size").Value.String(); got != "128" {
		t.Errorf("a new ptrvalue has -ptrvalue-max-size=%s, want the default 128", got)
	}
}
