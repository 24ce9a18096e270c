package synth

import (
	"github.com/np-mrd/article-pipeline-infra/config"
	"github.com/np-mrd/article-pipeline-infra/policy"
	"time"
)

// Settings parses the stack's config as the program does.
func (st *Stack) Settings() (*config.Settings, error) {
	secret := map[string]bool{}
	for _, k := range st.SecretKeys {
		secret[k] = true
	}
	return config.Parse(config.Raw{Organization: Organization, Project: st.Project, Stack: st.Name,
		Values: st.Config, Secret: secret})
}

// Check evaluates the guardrail rules on a synthesized stack with the waivers
// its config states. The error reports a waiver that is malformed or matches
// nothing; mandatory failures are in the report (Report.Err).
func Check(res *Result) (policy.Report, error) {
	return CheckOn(res, time.Time{})
}

// CheckOn is Check with dated waivers judged on day (zero: today).
func CheckOn(res *Result, day time.Time) (policy.Report, error) {
	s, err := res.Stack.Settings()
	if err != nil {
		return policy.Report{}, err
	}
	return policy.Evaluate(res.Inventory, s.Policy.Waivers, policy.Stack{Environment: s.Environment,
		Protected: s.Protect, Today: day})
}
