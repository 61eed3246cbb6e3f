package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdSARIFCheck checks that a file holds a SARIF 2.1.0 log with the fields the schema requires and
// that GitHub code scanning reads: sarifcheck [-fix] FILE [level=N ...] asserts how many results
// have each level; -fix applies the fixes to the files under $WORK.
func cmdSARIFCheck(ts *testscript.TestScript, neg bool, args []string) {
	fix := len(args) > 0 && args[0] == "-fix"
	if fix {
		args = args[1:]
	}
	if neg || len(args) < 1 {
		ts.Fatalf("usage: sarifcheck [-fix] FILE [level=N ...]")
	}
	type region struct{ StartLine, StartColumn, EndLine, EndColumn int }
	type artifact struct {
		URI       string `json:"uri"`
		URIBaseID string `json:"uriBaseId"`
	}
	type text struct{ Text *string }
	var log struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID               string `json:"id"`
						ShortDescription text   `json:"shortDescription"`
						FullDescription  text   `json:"fullDescription"`
						Help             text   `json:"help"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results *[]struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
				Message   text   `json:"message"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation artifact `json:"artifactLocation"`
						Region           region   `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
				Fixes []struct {
					Description     text `json:"description"`
					ArtifactChanges []struct {
						ArtifactLocation artifact `json:"artifactLocation"`
						Replacements     []struct {
							DeletedRegion   *region `json:"deletedRegion"`
							InsertedContent *text   `json:"insertedContent"`
						} `json:"replacements"`
					} `json:"artifactChanges"`
				} `json:"fixes"`
			} `json:"results"`
		} `json:"runs"`
	}
	data := ts.ReadFile(args[0])
	if err := json.Unmarshal([]byte(data), &log); err != nil {
		ts.Fatalf("%s: %v", args[0], err)
	}
	if log.Version != "2.1.0" || log.Schema != "https://json.schemastore.org/sarif-2.1.0.json" || len(log.Runs) != 1 {
		ts.Fatalf("%s: want version 2.1.0, the schema and one run", args[0])
	}
	run := log.Runs[0]
	if run.Tool.Driver.Name != "gcfix" || run.Results == nil {
		ts.Fatalf("%s: want tool.driver.name gcfix and results", args[0])
	}
	index := map[string]int{}
	for i, r := range run.Tool.Driver.Rules {
		if r.ID == "" || r.ShortDescription.Text == nil || r.FullDescription.Text == nil || r.Help.Text == nil {
			ts.Fatalf("rule %d: want id, shortDescription, fullDescription and help", i)
		}
		index[r.ID] = i
	}
	levels := map[string]int{}
	edits := map[string][][3]any{} // uri → start, end, text
	for i, r := range *run.Results {
		if idx, ok := index[r.RuleID]; !ok || idx != r.RuleIndex {
			ts.Fatalf("result %d: ruleId %q (index %d) is not a driver rule", i, r.RuleID, r.RuleIndex)
		}
		if r.Message.Text == nil || *r.Message.Text == "" {
			ts.Fatalf("result %d: no message.text", i)
		}
		if len(r.Locations) != 1 {
			ts.Fatalf("result %d: want one location", i)
		}
		pl := r.Locations[0].PhysicalLocation
		if pl.ArtifactLocation.URI == "" || filepath.IsAbs(pl.ArtifactLocation.URI) || pl.ArtifactLocation.URIBaseID != "%SRCROOT%" || pl.Region.StartLine < 1 || pl.Region.StartColumn < 1 {
			ts.Fatalf("result %d: bad location %+v", i, pl)
		}
		switch r.Level {
		case "warning", "note":
		default:
			ts.Fatalf("result %d: level %q", i, r.Level)
		}
		levels[r.Level]++
		for _, f := range r.Fixes {
			if f.Description.Text == nil || len(f.ArtifactChanges) == 0 {
				ts.Fatalf("result %d: a fix needs a description and artifactChanges", i)
			}
			for _, ch := range f.ArtifactChanges {
				if ch.ArtifactLocation.URI == "" || len(ch.Replacements) == 0 {
					ts.Fatalf("result %d: an artifactChange needs artifactLocation.uri and replacements", i)
				}
				for _, rp := range ch.Replacements {
					d := rp.DeletedRegion
					if d == nil || d.StartLine < 1 || d.EndLine < d.StartLine || d.StartColumn != 1 || d.EndColumn != 1 {
						ts.Fatalf("result %d: bad deletedRegion %+v", i, d)
					}
					ins := ""
					if rp.InsertedContent != nil && rp.InsertedContent.Text != nil {
						ins = *rp.InsertedContent.Text
					}
					edits[ch.ArtifactLocation.URI] = append(edits[ch.ArtifactLocation.URI], [3]any{d.StartLine, d.EndLine, ins})
				}
			}
		}
	}
	for _, a := range args[1:] {
		level, n, ok := strings.Cut(a, "=")
		if !ok {
			ts.Fatalf("bad assertion %q", a)
		}
		if got := fmt.Sprint(levels[level]); got != n {
			ts.Fatalf("%s: %s results at level %s, want %s (all: %v)", args[0], got, level, n, levels)
		}
	}
	if !fix {
		return
	}
	for uri, es := range edits {
		lines := strings.SplitAfter(ts.ReadFile(uri), "\n")
		sort.Slice(es, func(i, j int) bool { return es[i][0].(int) > es[j][0].(int) })
		for _, e := range es {
			start, end, ins := e[0].(int), e[1].(int), e[2].(string)
			if end > len(lines)+1 {
				ts.Fatalf("%s: region ends at line %d, past the end", uri, end)
			}
			lines = append(lines[:start-1], append([]string{ins}, lines[end-1:]...)...)
		}
		ts.Check(os.WriteFile(ts.MkAbs(uri), []byte(strings.Join(lines, "")), 0o644))
	}
}
