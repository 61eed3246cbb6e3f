package rewrite

import (
	"fmt"
	"sort"

	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/report"
	"github.com/gcfix/gcfix/rewrite/rule"
)

// DefaultHot is the share of a profile's samples, in percent, below which a function is cold.
const DefaultHot = 0.5

// hotFirst orders the candidates by the cumulative share of their function in Options.Profile,
// hottest first (stable: ties keep the rules' order), and reports those in functions below
// Options.Hot as skipped without trying them. Without a profile it returns cands as they are.
// Declined candidates cost nothing to report and keep their reason.
func (e *engine) hotFirst(cands []ruleCandidate, tried *triedSet) []ruleCandidate {
	prof := e.opts.Profile
	if prof == nil {
		return cands
	}
	type ranked struct {
		rc  ruleCandidate
		cum float64
	}
	var hot []ranked
	for _, rc := range cands {
		_, cum := prof.Func(rc.t.path, diag.FuncName(rc.c.Func))
		if rc.c.Decline != "" || cum >= e.opts.Hot {
			hot = append(hot, ranked{rc, cum})
			continue
		}
		if tried.has(rc) {
			continue
		}
		tried.add(rc)
		res := e.newResult(rc)
		res.Verdict = report.Skipped
		res.Reason = fmt.Sprintf("skipped: cold (%s of samples < -hot %g%%)", percent(cum), e.opts.Hot)
		e.report(res)
	}
	sort.SliceStable(hot, func(i, j int) bool { return hot[i].cum > hot[j].cum })
	out := make([]ruleCandidate, len(hot))
	for i, h := range hot {
		out[i] = h.rc
	}
	return out
}

// percent prints a share of samples: "0.1%", "0.04%", "0%".
func percent(p float64) string {
	switch {
	case p == 0:
		return "0%"
	case p < 0.1:
		return fmt.Sprintf("%.2g%%", p)
	}
	return fmt.Sprintf("%.1f%%", p)
}

// withProfile gives the rules' passes the run's profile.
func (e *engine) withProfile(p *rule.Pass) *rule.Pass {
	p.Profile = e.opts.Profile
	for _, m := range p.Module {
		m.Profile = e.opts.Profile
	}
	return p
}
