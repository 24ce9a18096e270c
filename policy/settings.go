package policy

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/np-mrd/article-pipeline-infra/guard"
	"github.com/np-mrd/article-pipeline-infra/internal/check"
)

// Settings is what a stack file says about its guardrails
// (article-pipeline:policy): the findings it accepts on purpose, and the
// replacements of stateful resources it acknowledges (package guard).
type Settings struct {
	Waivers                 []Waiver                `json:"waivers"`
	AcknowledgeReplacements []guard.Acknowledgement `json:"acknowledgeReplacements"`
}

var (
	ruleIDPattern   = regexp.MustCompile(`^[A-Z0-9]+(\.[A-Z0-9]+)+$`)
	resourcePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	propertyPattern = regexp.MustCompile(`^[a-z][A-Za-z0-9]*$`)
)

// Validate checks each waiver's and acknowledgement's shape: a rule id, a
// logical resource name, a reason, no waiver twice. Whether a waiver still
// matches a finding, Evaluate decides on the graph.
func (s Settings) Validate(k string) error {
	var p check.Problems
	seen := map[[2]string]int{}
	for i, w := range s.Waivers {
		wk := check.Index(k+".waivers", i)
		rule, resource := strings.TrimSpace(w.Rule), strings.TrimSpace(w.Resource)
		switch {
		case rule == "":
			p.Add(wk+".rule", "is required; expected a policy rule id such as RDS.25 or AP.TAG.1")
		case !ruleIDPattern.MatchString(rule):
			p.Add(wk+".rule", "%q is not a policy rule id; expected upper-case parts joined by dots, such as RDS.25", rule)
		case !slices.Contains(ruleIDs(Rules()), rule):
			p.Add(wk+".rule", "%q is not a rule of the guardrails; expected one of %s", rule,
				strings.Join(ruleIDs(Rules()), ", "))
		}
		if w.Until != "" {
			if _, err := time.Parse(untilLayout, w.Until); err != nil {
				p.Add(wk+".until", "%q is not a date; expected YYYY-MM-DD (the last day the waiver applies)", w.Until)
			}
		}
		switch {
		case resource == "":
			p.Add(wk+".resource", "is required; expected the logical name of the resource the rule flags, such as db-instance")
		case !resourcePattern.MatchString(resource):
			p.Add(wk+".resource", "%q is not a logical resource name; expected letters, digits, dots, dashes and "+
				"underscores, such as db-instance", resource)
		}
		if strings.TrimSpace(w.Reason) == "" {
			p.Add(wk+".reason", "is required; say why %s is accepted on %s (the policy report prints it)",
				orPlaceholder(rule, "the rule"), orPlaceholder(resource, "the resource"))
		}
		pair := [2]string{rule, resource}
		if j, dup := seen[pair]; dup && rule != "" && resource != "" {
			p.Add(wk, "waives %s on %s again; it is already %s", rule, resource, check.Index(k+".waivers", j))
		}
		seen[pair] = i
	}
	for i, a := range s.AcknowledgeReplacements {
		ak := check.Index(k+".acknowledgeReplacements", i)
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
	}
	return p.Err()
}

func orPlaceholder(s, placeholder string) string {
	if s == "" {
		return placeholder
	}
	return s
}
