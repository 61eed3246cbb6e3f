package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gcfix/gcfix/rewrite/report"
	"github.com/gcfix/gcfix/rewrite/rule"
)

// checkFormat settles -format against -json, its older synonym.
func (c *config) checkFormat() error {
	if c.json {
		if c.format != "" && c.format != "json" {
			return fmt.Errorf("-json and -format=%s: choose one", c.format)
		}
		c.format = "json"
	}
	switch c.format {
	case "":
		c.format = "diff"
	case "diff", "json", "markdown", "sarif":
	default:
		return fmt.Errorf("-format=%s: want diff, json, markdown or sarif", c.format)
	}
	return nil
}

// parseShard parses -shard i/n; "" is no sharding.
func (c *config) parseShard() error {
	if c.shard == "" {
		return nil
	}
	is, ns, ok := strings.Cut(c.shard, "/")
	i, err1 := strconv.Atoi(is)
	n, err2 := strconv.Atoi(ns)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return fmt.Errorf("-shard=%s: want i/n with 1 ≤ i ≤ n, such as 1/4", c.shard)
	}
	c.shardI, c.shardN = i, n
	return nil
}

// printReport writes the report in c.format; the diff format prints nothing with -apply.
func printReport(w io.Writer, c *config, rep *report.Report, selected []*rule.Rule) error {
	switch c.format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	case "markdown":
		_, err := io.WriteString(w, rep.Markdown())
		return err
	case "sarif":
		var infos []report.RuleInfo
		for _, r := range selected {
			infos = append(infos, report.RuleInfo{Name: r.Name, Title: r.Doc.Title, Text: r.Doc.Text, Before: r.Doc.Before, After: r.Doc.After})
		}
		b, err := rep.SARIF(infos)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	if !c.apply {
		_, err := io.WriteString(w, rep.Diff)
		return err
	}
	return nil
}
