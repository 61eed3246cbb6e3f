package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gcfix/gcfix/rewrite/linediff"
)

// RuleInfo is what a SARIF log says about one rule: the report knows no rules, so the caller passes
// their documentation in.
type RuleInfo struct {
	Name, Title, Text, Before, After string
}

const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
	toolURI      = "https://github.com/gcfix/gcfix"
	srcRoot      = "%SRCROOT%"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool      `json:"tool"`
	Results    []sarifResult  `json:"results"`
	Properties map[string]any `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string           `json:"name"`
	InformationURI string           `json:"informationUri"`
	Rules          []sarifRuleDescr `json:"rules"`
}

type sarifRuleDescr struct {
	ID               string       `json:"id"`
	ShortDescription sarifMessage `json:"shortDescription"`
	FullDescription  sarifMessage `json:"fullDescription"`
	Help             sarifMessage `json:"help"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID     string          `json:"ruleId"`
	RuleIndex  int             `json:"ruleIndex"`
	Level      string          `json:"level"`
	Message    sarifMessage    `json:"message"`
	Locations  []sarifLocation `json:"locations"`
	Fixes      []sarifFix      `json:"fixes,omitempty"`
	Properties map[string]any  `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
	EndLine     int `json:"endLine,omitempty"`
	EndColumn   int `json:"endColumn,omitempty"`
}

type sarifFix struct {
	Description     sarifMessage          `json:"description"`
	ArtifactChanges []sarifArtifactChange `json:"artifactChanges"`
}

type sarifArtifactChange struct {
	ArtifactLocation sarifArtifact      `json:"artifactLocation"`
	Replacements     []sarifReplacement `json:"replacements"`
}

type sarifReplacement struct {
	DeletedRegion   sarifRegion   `json:"deletedRegion"`
	InsertedContent *sarifMessage `json:"insertedContent,omitempty"`
}

// SARIF renders the report as a SARIF 2.1.0 log: one result per candidate, a warning with a fix for
// each kept rewrite and a note for the others. Positions refer to the files as they are before any
// rewrite: a candidate found after an earlier kept rewrite in its file is mapped back through it.
func (r *Report) SARIF(rules []RuleInfo) ([]byte, error) {
	driver := sarifDriver{Name: "gcfix", InformationURI: toolURI, Rules: []sarifRuleDescr{}}
	index := map[string]int{}
	addRule := func(ri RuleInfo) {
		if _, ok := index[ri.Name]; ok {
			return
		}
		index[ri.Name] = len(driver.Rules)
		title, text := ri.Title, ri.Text
		if title == "" {
			title = ri.Name
		}
		if text == "" {
			text = title
		}
		help := text
		if ri.Before != "" || ri.After != "" {
			help = "Before:\n" + ri.Before + "\n\nAfter:\n" + ri.After
		}
		driver.Rules = append(driver.Rules, sarifRuleDescr{
			ID:               ri.Name,
			ShortDescription: sarifMessage{title},
			FullDescription:  sarifMessage{text},
			Help:             sarifMessage{help},
		})
	}
	for _, ri := range rules {
		addRule(ri)
	}
	results := []sarifResult{}
	earlier := map[string][][]linediff.Hunk{} // per file: the hunks of the kept rewrites so far, in order
	toOrig := func(file string, line int) int {
		hs := earlier[file]
		for i := len(hs) - 1; i >= 0; i-- {
			line = linediff.OrigLine(hs[i], line)
		}
		return line
	}
	for _, c := range r.Candidates {
		addRule(RuleInfo{Name: c.Rule})
		res := sarifResult{
			RuleID:    c.Rule,
			RuleIndex: index[c.Rule],
			Level:     "note",
			Message:   sarifMessage{sarifText(c)},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
				ArtifactLocation: sarifArtifact{URI: c.File, URIBaseID: srcRoot},
				Region:           sarifRegion{StartLine: toOrig(c.File, c.Line), StartColumn: c.Col},
			}}},
			Properties: map[string]any{"verdict": string(c.Verdict), "package": c.Package, "func": c.Func},
		}
		if len(c.Metrics) > 0 {
			res.Properties["metrics"] = c.Metrics
		}
		if c.Verdict == Kept {
			res.Level = "warning"
			if fix, ok := r.sarifFix(c, earlier, toOrig); ok {
				res.Fixes = []sarifFix{fix}
			}
		}
		results = append(results, res)
	}
	log := sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{{
		Tool:    sarifTool{Driver: driver},
		Results: results,
	}}}
	if r.PGO != "" || r.Incomplete {
		log.Runs[0].Properties = map[string]any{}
	}
	if r.PGO != "" {
		log.Runs[0].Properties["pgo"] = r.PGO
	}
	if r.Incomplete {
		log.Runs[0].Properties["incomplete"] = true
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(log); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// sarifFix builds a kept candidate's fix from its own change, one replacement per changed run of
// lines, and records the change so that later positions in its files map back through it.
func (r *Report) sarifFix(c *Result, earlier map[string][][]linediff.Hunk, toOrig func(string, int) int) (sarifFix, bool) {
	fix := sarifFix{Description: sarifMessage{c.Rule + ": " + c.Summary}}
	for _, fc := range c.changes {
		file := RelPath(r.root, fc.Path)
		hs := linediff.Hunks(fc.Old, fc.New)
		ch := sarifArtifactChange{ArtifactLocation: sarifArtifact{URI: file, URIBaseID: srcRoot}}
		for _, h := range hs {
			// Whole lines, their line ends included: from the first deleted line's start to the start
			// of the line after the last; an insertion is the empty region before its line.
			start := toOrig(file, h.OldStart)
			end := start + h.OldLen
			if h.OldLen > 0 {
				end = toOrig(file, h.OldStart+h.OldLen-1) + 1
			}
			rep := sarifReplacement{DeletedRegion: sarifRegion{StartLine: start, StartColumn: 1, EndLine: end, EndColumn: 1}}
			if len(h.NewLines) > 0 {
				rep.InsertedContent = &sarifMessage{strings.Join(h.NewLines, "")}
			}
			ch.Replacements = append(ch.Replacements, rep)
		}
		if len(ch.Replacements) > 0 {
			fix.ArtifactChanges = append(fix.ArtifactChanges, ch)
		}
		earlier[file] = append(earlier[file], hs)
	}
	return fix, len(fix.ArtifactChanges) > 0
}

func sarifText(c *Result) string {
	s := fmt.Sprintf("%s: %s", c.Verdict, c.Summary)
	if c.Reason != "" {
		s += ": " + c.Reason
	}
	for _, m := range significant(c.Metrics) {
		s += "\n" + formatMetric(m)
	}
	return s
}
