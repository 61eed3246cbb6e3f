package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gcfix/gcfix/rewrite/benchstat"
)

// Markdown renders the report as a pull-request description: counts, the kept rewrites with the
// numbers that justify them, per rule and package, then the candidates not kept and the diff,
// folded.
func (r *Report) Markdown() string {
	var b strings.Builder
	r.markdownSummary(&b)
	kept, other := splitKept(r.Candidates)
	if len(kept) > 0 {
		b.WriteString("\n### Kept rewrites\n")
		rule, pkg := "", ""
		for _, c := range kept {
			if c.Rule != rule {
				rule, pkg = c.Rule, ""
				fmt.Fprintf(&b, "\n#### `%s`\n", rule)
			}
			if c.Package != pkg {
				pkg = c.Package
				fmt.Fprintf(&b, "\n`%s`\n\n", pkg)
			}
			fmt.Fprintf(&b, "- `%s:%d` %s: %s\n", c.File, c.Line, funcName(c.Func), c.Summary)
			if len(c.Variants) > 0 {
				fmt.Fprintf(&b, "  - variant `%s`: %s\n", c.Variant, c.VariantReason)
			}
			ms := significant(c.Metrics)
			if len(ms) == 0 {
				fmt.Fprintf(&b, "  - %s\n", firstLine(c.Reason))
			}
			for _, m := range ms {
				fmt.Fprintf(&b, "  - %s\n", formatMetric(m))
			}
		}
	}
	if len(other) > 0 {
		fmt.Fprintf(&b, "\n<details><summary>%s not kept</summary>\n\n", plural(len(other), "candidate"))
		for _, c := range other {
			fmt.Fprintf(&b, "- `%s` `%s:%d` %s: **%s**: %s\n", c.Rule, c.File, c.Line, funcName(c.Func), c.Verdict, firstLine(c.Reason))
			for _, m := range significant(c.Metrics) {
				fmt.Fprintf(&b, "  - %s\n", formatMetric(m))
			}
		}
		b.WriteString("\n</details>\n")
	}
	if r.Diff != "" {
		fence := "```"
		for strings.Contains(r.Diff, fence) {
			fence += "`"
		}
		fmt.Fprintf(&b, "\n<details><summary>Diff</summary>\n\n%sdiff\n%s", fence, r.Diff)
		if !strings.HasSuffix(r.Diff, "\n") {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s\n\n</details>\n", fence)
	}
	return b.String()
}

// markdownSummary writes the description's head: the counts, the modules and packages, the
// verdicts, the PGO profile, and what was not processed.
func (r *Report) markdownSummary(b *strings.Builder) {
	counts := map[Verdict]int{}
	for _, c := range r.Candidates {
		counts[c.Verdict]++
	}
	fmt.Fprintf(b, "## gcfix: %d of %d candidates kept\n\n", r.Kept(), len(r.Candidates))
	if len(r.Modules) > 0 {
		var ms []string
		for _, m := range r.Modules {
			name := m.Path
			if name == "" {
				name = m.Dir
			}
			ms = append(ms, "`"+name+"`")
		}
		fmt.Fprintf(b, "%s (%s), %s.", plural(len(r.Modules), "module"), strings.Join(ms, ", "), plural(len(r.Packages), "package"))
	} else {
		fmt.Fprintf(b, "Module `%s`, %s.", r.Module, plural(len(r.Packages), "package"))
	}
	var vs []string
	for _, v := range []Verdict{Kept, Rejected, Undecided, Unconfirmed, NoBenchmark, BuildFailed, TestsFailed, Regressed, NeedsBench, Skipped} {
		if counts[v] > 0 {
			vs = append(vs, fmt.Sprintf("%s %d", v, counts[v]))
		}
	}
	if len(vs) > 0 {
		fmt.Fprintf(b, " Verdicts: %s.", strings.Join(vs, ", "))
	}
	if r.PGO != "" {
		fmt.Fprintf(b, " Diagnostics taken with PGO profile `%s`.", r.PGO)
	} else if r.PGONote != "" {
		fmt.Fprintf(b, " %s.", r.PGONote)
	}
	b.WriteString("\n")
	if r.Incomplete {
		b.WriteString("\n> **Incomplete**: the run was interrupted; these are the candidates decided before it stopped.\n")
	}
	for _, m := range r.Modules {
		if m.Error != "" {
			fmt.Fprintf(b, "\n> Module **%s** was not processed: %s\n", m.Dir, firstLine(m.Error))
		}
	}
	for _, p := range r.Packages {
		if p.Error != "" {
			fmt.Fprintf(b, "\n> **%s** was not processed: %s\n", p.Path, firstLine(p.Error))
		}
	}
}

// splitKept returns the kept candidates ordered by rule, package, file and line, and the others in
// report order.
func splitKept(cs []*Result) (kept, other []*Result) {
	for _, c := range cs {
		if c.Verdict == Kept {
			kept = append(kept, c)
		} else {
			other = append(other, c)
		}
	}
	sort.SliceStable(kept, func(i, j int) bool {
		a, b := kept[i], kept[j]
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		if a.Package != b.Package {
			return a.Package < b.Package
		}
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	return kept, other
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func funcName(f string) string {
	if f == "" {
		return "(package level)"
	}
	return "`" + f + "`"
}

// significant returns the metrics that the statistics call significant.
func significant(ms []benchstat.Metric) []benchstat.Metric {
	var out []benchstat.Metric
	for _, m := range ms {
		if m.Significant {
			out = append(out, m)
		}
	}
	return out
}

// formatMetric says one metric like benchstat: "BenchmarkKey allocs/op 2 → 1 (-50.00%, p=0.000)".
func formatMetric(m benchstat.Metric) string { return m.String() }

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}
