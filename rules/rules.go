// Package rules holds the rewrites that gcfix knows, one package per rule (rules/sprintf,
// rules/makecap, ...), each documented by its package comment; rules/internal holds what they share.
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

// All returns every rule, in the order gcfix runs them. The values are new on every call, their
// settings (Flags) at their defaults: setting a flag of one changes no other.
func All() []*rule.Rule {
	return []*rule.Rule{sprintf.New(), makecap.New(), hoist.New(), outline.New(), noinline.New(), ptrvalue.New()}
}

// ByName returns new values of the rules with the given names, as Select does from All.
func ByName(names []string) ([]*rule.Rule, error) {
	return Select(All(), names)
}

// Select returns the rules of rs with the given names, in the order given, each once. An unknown
// name is an error that lists the known ones.
func Select(rs []*rule.Rule, names []string) ([]*rule.Rule, error) {
	known := map[string]*rule.Rule{}
	var list []string
	for _, r := range rs {
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
