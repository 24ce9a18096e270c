package config

import (
	"regexp"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/internal/check"
)

// Policy is the stack's guardrail settings: the waivers it states for findings
// of the policy rules (package policy) that it accepts on purpose.
type Policy struct {
	Waivers []Waiver
	// Replacements acknowledges, one input at a time, changes that make AWS
	// replace a stateful resource (package guard); without one such a change
	// fails the tests.
	Replacements []Replacement
}

// Replacement accepts on purpose the replacement of one stateful resource
// caused by a change of one of its inputs.
type Replacement struct {
	Resource string // logical name, e.g. database-instance
	Property string // the input, e.g. identifier
	Reason   string
}

// Waiver accepts one rule's finding on one resource. Whether the rule exists and
// the waiver still matches a violation is checked when the policy runs (a
// waiver that matches nothing is an error there); this package checks its shape.
type Waiver struct {
	// Rule is a policy rule id: a Security Hub control (RDS.25) or a project rule (AP.TAG.1).
	Rule string
	// Resource is the logical name of the resource (or the name of the stack output).
	Resource string
	// Reason says why the finding is accepted; it is printed in the policy report.
	Reason string
}

// DefaultPolicy states no waivers: every waiver is written out in the stack
// file, next to the config that causes the finding.
func DefaultPolicy() Policy { return Policy{} }

type rawPolicy struct {
	Waivers      []rawWaiver      `json:"waivers"`
	Replacements []rawReplacement `json:"acknowledgeReplacements"`
}

type rawReplacement struct {
	Resource string `json:"resource"`
	Property string `json:"property"`
	Reason   string `json:"reason"`
}

var propertyPattern = regexp.MustCompile(`^[a-z][A-Za-z0-9]*$`)

type rawWaiver struct {
	Rule     string `json:"rule"`
	Resource string `json:"resource"`
	Reason   string `json:"reason"`
}

var (
	ruleIDPattern   = regexp.MustCompile(`^[A-Z0-9]+(\.[A-Z0-9]+)+$`)
	resourcePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
)

// parsePolicy reads article-pipeline:policy ({waivers: [{rule, resource, reason}],
// acknowledgeReplacements: [{resource, property, reason}]}).
func parsePolicy(value string, p *check.Problems) Policy {
	k := key("policy")
	pol := DefaultPolicy()
	var r rawPolicy
	if !decode(k, value, &r, p) {
		return pol
	}
	seen := map[[2]string]int{}
	for i, w := range r.Waivers {
		wk := idx(k+".waivers", i)
		w.Rule, w.Resource, w.Reason = strings.TrimSpace(w.Rule), strings.TrimSpace(w.Resource), strings.TrimSpace(w.Reason)
		switch {
		case w.Rule == "":
			p.Add(wk+".rule", "is required; expected a policy rule id such as RDS.25 or AP.TAG.1")
		case !ruleIDPattern.MatchString(w.Rule):
			p.Add(wk+".rule", "%q is not a policy rule id; expected upper-case parts joined by dots, such as RDS.25", w.Rule)
		}
		switch {
		case w.Resource == "":
			p.Add(wk+".resource", "is required; expected the logical name of the resource the rule flags, such as db-instance")
		case !resourcePattern.MatchString(w.Resource):
			p.Add(wk+".resource", "%q is not a logical resource name; expected letters, digits, dots, dashes and "+
				"underscores, such as db-instance", w.Resource)
		}
		if w.Reason == "" {
			p.Add(wk+".reason", "is required; say why %s is accepted on %s (the policy report prints it)",
				orPlaceholder(w.Rule, "the rule"), orPlaceholder(w.Resource, "the resource"))
		}
		pair := [2]string{w.Rule, w.Resource}
		if j, dup := seen[pair]; dup && w.Rule != "" && w.Resource != "" {
			p.Add(wk, "waives %s on %s again; it is already %s", w.Rule, w.Resource, idx(k+".waivers", j))
			continue
		}
		seen[pair] = i
		pol.Waivers = append(pol.Waivers, Waiver{Rule: w.Rule, Resource: w.Resource, Reason: w.Reason})
	}
	for i, a := range r.Replacements {
		ak := idx(k+".acknowledgeReplacements", i)
		if !resourcePattern.MatchString(a.Resource) {
			p.Add(ak+".resource", "%q is not a logical resource name such as database-instance", a.Resource)
		}
		if !propertyPattern.MatchString(a.Property) {
			p.Add(ak+".property", "%q is not an input name such as identifier", a.Property)
		}
		if strings.TrimSpace(a.Reason) == "" {
			p.Add(ak+".reason", "is required; say why replacing %s (a new, empty resource) is intended",
				orPlaceholder(a.Resource, "the resource"))
		}
		pol.Replacements = append(pol.Replacements, Replacement{Resource: a.Resource, Property: a.Property, Reason: a.Reason})
	}
	return pol
}

func orPlaceholder(s, placeholder string) string {
	if s == "" {
		return placeholder
	}
	return s
}
