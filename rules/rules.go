// Package rules holds the rewrites that gcfix knows, one file per rule.
package rules

import (
	"fmt"
	"strings"

	"github.com/gcfix/gcfix/rewrite/rule"
	"github.com/gcfix/gcfix/rules/hoist"
	"github.com/gcfix/gcfix/rules/makecap"
	"github.com/gcfix/gcfix/rules/noinline"
	"github.com/gcfix/gcfix/rules/outline"
	"github.com/gcfix/gcfix/rules/ptrvalue"
	"github.com/gcfix/gcfix/rules/sprintf"
)

// All returns every rule, in the order gcfix runs them.
func All() []*rule.Rule {
	return []*rule.Rule{sprintf.New(), makecap.New(), hoist.New(), outline.New(), noinline.New(), ptrvalue.New()}
}

// ByName returns the rules with the given names, in the order given. An unknown name is an error
// that lists the known ones.
func ByName(names []string) ([]*rule.Rule, error) {
	known := map[string]*rule.Rule{}
	var list []string
	for _, r := range All() {
		known[r.Name] = r
		list = append(list, r.Name)
	}
	var out []*rule.Rule
	seen := map[string]bool{}
	for _, n := range names {
		n = strings.TrimSpace(n)
		r, ok := known[n]
		if !ok {
			return nil, fmt.Errorf("unknown rule %q (known: %s)", n, strings.Join(list, ", "))
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, r)
		}
	}
	return out, nil
}
