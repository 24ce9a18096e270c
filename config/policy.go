package config

import (
	"strings"

	"github.com/np-mrd/article-pipeline-infra/internal/check"
	"github.com/np-mrd/article-pipeline-infra/policy"
)

// parsePolicy reads article-pipeline:policy; every waiver is written out in
// the stack file, next to the config that causes the finding.
func parsePolicy(value string, p *check.Problems) policy.Settings {
	k := key("policy")
	var s policy.Settings
	if !decodeOver(p, k, value, &s) {
		return s
	}
	p.Join(s.Validate(k))
	for i := range s.Waivers {
		w := &s.Waivers[i]
		w.Rule, w.Resource, w.Reason = strings.TrimSpace(w.Rule), strings.TrimSpace(w.Resource), strings.TrimSpace(w.Reason)
	}
	return s
}
