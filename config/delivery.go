package config

import (
	"regexp"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/internal/check"
)

// Delivery is the GitHub Actions side of the stack (issue 6): the GitHub OIDC
// identity provider and the roles the workflows assume, replacing the
// runbook's long-lived access keys ("aws configure" with an access key).
type Delivery struct {
	// Enabled declares the provider and roles; off by default, since the roles
	// are only useful once the repository's workflows are set up.
	Enabled bool
	// Repository is the GitHub repository (owner/name) whose workflows may
	// assume the roles.
	Repository string
	// CreateOIDCProvider makes this stack own the account's one GitHub OIDC
	// provider. With OIDCProviderARN also set, that existing provider is
	// adopted (imported) instead of created.
	CreateOIDCProvider bool
	// OIDCProviderARN names the account's existing provider: adopted when
	// CreateOIDCProvider is true, only referenced when it is false (another
	// stack in the account owns it). Empty with CreateOIDCProvider false means
	// the stack named by sharedStack owns it and exports it.
	OIDCProviderARN string
	// GitHubEnvironment is the GitHub environment whose jobs may assume the
	// deploy role (prod's has required reviewers).
	GitHubEnvironment string
	// DeployBranch is the branch whose runs (the nightly drift check) may
	// assume the preview role besides pull requests.
	DeployBranch string
}

// DefaultDelivery is off, creates the provider when turned on, trusts the
// GitHub environment named like the stack's environment and the main branch.
func DefaultDelivery(env string) Delivery {
	return Delivery{
		CreateOIDCProvider: true,
		GitHubEnvironment:  env,
		DeployBranch:       "main",
	}
}

type rawDelivery struct {
	Enabled            *bool   `json:"enabled"`
	Repository         *string `json:"repository"`
	CreateOIDCProvider *bool   `json:"createOidcProvider"`
	OIDCProviderARN    *string `json:"oidcProviderArn"`
	GitHubEnvironment  *string `json:"githubEnvironment"`
	DeployBranch       *string `json:"deployBranch"`
}

var (
	// GitHub owners: letters, digits and single inner dashes, at most 39;
	// repository names: letters, digits, '.', '_', '-', at most 100.
	repositoryPattern = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9]|-[A-Za-z0-9]){0,38}/[A-Za-z0-9._-]{1,100}$`)
	// The provider's ARN is always oidc-provider/<issuer host>; any partition.
	oidcProviderARNPattern = regexp.MustCompile(`^arn:aws(-[a-z]+)*:iam::[0-9]{12}:oidc-provider/token\.actions\.githubusercontent\.com$`)
	// The environment and branch end up in the token's sub claim, which the
	// trust policy matches exactly: ':' would make it ambiguous, wildcards
	// would widen it.
	githubEnvironmentPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,255}$`)
	branchPattern            = regexp.MustCompile(`^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$`)
)

// parseDelivery reads article-pipeline:delivery over DefaultDelivery(env);
// sharedStack is article-pipeline:sharedStack (the stack that may own the
// provider).
func parseDelivery(value, env, sharedStack string, p *check.Problems) Delivery {
	k := key("delivery")
	d := DefaultDelivery(env)
	var r rawDelivery
	if !decode(k, value, &r, p) && strings.TrimSpace(value) != "" {
		return d
	}
	setStr := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	if r.Enabled != nil {
		d.Enabled = *r.Enabled
	}
	if r.CreateOIDCProvider != nil {
		d.CreateOIDCProvider = *r.CreateOIDCProvider
	}
	setStr(&d.Repository, r.Repository)
	setStr(&d.OIDCProviderARN, r.OIDCProviderARN)
	setStr(&d.GitHubEnvironment, r.GitHubEnvironment)
	setStr(&d.DeployBranch, r.DeployBranch)
	validateDelivery(d, sharedStack, p)
	return d
}

func validateDelivery(d Delivery, sharedStack string, p *check.Problems) {
	k := key("delivery")
	switch {
	case d.Repository == "" && d.Enabled:
		p.Add(k+".repository", "required when %s.enabled is true; expected the GitHub repository as OWNER/NAME", k)
	case d.Repository != "" && (!repositoryPattern.MatchString(d.Repository) ||
		strings.HasSuffix(d.Repository, "/.") || strings.HasSuffix(d.Repository, "/..")):
		p.Add(k+".repository", "%q is not a GitHub repository; expected OWNER/NAME, e.g. np-mrd/article-pipeline-infra",
			d.Repository)
	}
	switch {
	case d.OIDCProviderARN == "" && !d.CreateOIDCProvider && sharedStack == "":
		p.Add(k+".oidcProviderArn", "required when %s.createOidcProvider is false and %s is not set; expected "+
			"the ARN of the account's GitHub OIDC provider (the stack that owns it exports it)", k, key("sharedStack"))
	case d.OIDCProviderARN != "" && !oidcProviderARNPattern.MatchString(d.OIDCProviderARN):
		p.Add(k+".oidcProviderArn", "%q is not a GitHub OIDC provider ARN; expected "+
			"arn:aws:iam::ACCOUNT:oidc-provider/token.actions.githubusercontent.com", d.OIDCProviderARN)
	}
	if !githubEnvironmentPattern.MatchString(d.GitHubEnvironment) {
		p.Add(k+".githubEnvironment", "%q is not a usable GitHub environment name; expected 1 to 255 letters, "+
			"digits, '.', '_' or '-'", d.GitHubEnvironment)
	}
	if !branchPattern.MatchString(d.DeployBranch) || strings.Contains(d.DeployBranch, "..") ||
		strings.HasPrefix(d.DeployBranch, "-") || strings.HasSuffix(d.DeployBranch, ".lock") {
		p.Add(k+".deployBranch", "%q is not a branch name the trust policy can match exactly; expected a name "+
			"such as main or release/prod, without wildcards", d.DeployBranch)
	}
}
