package policy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

func iamRules() []Rule {
	policies := func(r inventory.Resource) bool {
		return r.Type == typeRolePolicy || r.Type == typeIAMPolicy ||
			(r.Type == typeRole && len(list(r.Get("inlinePolicies"))) > 0)
	}
	return []Rule{
		{
			ID: "IAM.1", Severity: Mandatory, Applies: policies,
			Description: "IAM policies allow no \"*\" action on \"*\" resources, and no iam:*",
			Check: eachStatement(func(s statement) string {
				if s.Effect != "Allow" {
					return ""
				}
				allRes := slices.Contains(inventory.AsStrings(s.Resource), "*") || s.NotResource != nil
				if s.NotAction != nil && allRes {
					return "allows every action but " + strings.Join(inventory.AsStrings(s.NotAction), ", ") + " on *"
				}
				for _, a := range inventory.AsStrings(s.Action) {
					switch {
					case (a == "*" || a == "*:*") && allRes:
						return "allows * on *"
					case strings.EqualFold(a, "iam:*"):
						return "allows iam:*"
					}
				}
				return ""
			}, "no full-admin grant and no iam:*"),
		},
		{
			ID: "IAM.21", Severity: Advisory, Applies: policies,
			Description: "IAM policies allow no whole-service wildcard actions (service:*)",
			Check: eachStatement(func(s statement) string {
				if s.Effect != "Allow" {
					return ""
				}
				for _, a := range inventory.AsStrings(s.Action) {
					if a == "*" || strings.HasSuffix(a, ":*") {
						return "allows " + a
					}
				}
				return ""
			}, "every allowed action is named"),
		},
	}
}

// documents returns the identity policies a resource carries: the policy of a
// role policy or managed policy, the inline policies of a role.
func documents(r inventory.Resource) (map[string]any, []string) {
	docs := map[string]any{}
	var order []string
	if r.Type == typeRole {
		for i, p := range list(r.Get("inlinePolicies")) {
			l := fmt.Sprintf("inlinePolicies[%d]", i)
			if n, _ := p["name"].(string); n != "" {
				l = fmt.Sprintf("inline policy %q", n)
			}
			docs[l] = p["policy"]
			order = append(order, l)
		}
		return docs, order
	}
	docs["policy"] = r.Get("policy")
	return docs, []string{"policy"}
}

// eachStatement turns a per-statement check (returning a finding, or "") into a
// rule check over every identity policy of the resource.
func eachStatement(check func(statement) string, allGood string) func(*Graph, inventory.Resource) (bool, string) {
	return func(_ *Graph, r inventory.Resource) (bool, string) {
		docs, order := documents(r)
		var bad []string
		for _, l := range order {
			d, err := parseDocument(docs[l])
			if err != nil {
				bad = append(bad, fmt.Sprintf("%s: %v", l, err))
				continue
			}
			for i, s := range d.Statement {
				if f := check(s); f != "" {
					bad = append(bad, fmt.Sprintf("%s %s %s", l, s.label(i), f))
				}
			}
		}
		if len(bad) > 0 {
			return false, strings.Join(bad, "; ")
		}
		return true, allGood
	}
}
