package config

import (
	"github.com/np-mrd/article-pipeline-infra/delivery"
	"github.com/np-mrd/article-pipeline-infra/internal/check"
)

// parseDelivery reads article-pipeline:delivery; sharedStack is
// article-pipeline:sharedStack (the stack that may own the OIDC provider).
func parseDelivery(value, env, sharedStack string, p *check.Problems) delivery.Settings {
	k := key("delivery")
	d := delivery.Defaults(env)
	if !decodeOver(p, k, value, &d) {
		return d
	}
	p.Join(d.Validate(k))
	if d.OIDCProviderARN == "" && !d.CreateOIDCProvider && sharedStack == "" {
		p.Add(k+".oidcProviderArn", "required when %s.createOidcProvider is false and %s is not set; expected "+
			"the ARN of the account's GitHub OIDC provider (the stack that owns it exports it)", k, key("sharedStack"))
	}
	return d
}
