package delivery

import (
	"regexp"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/internal/check"
)

// Settings is what a stack file says about the GitHub Actions side of the
// stack (article-pipeline:delivery): the GitHub OIDC identity provider and the
// roles the workflows assume, replacing the runbook's long-lived access keys.
type Settings struct {
	// Enabled declares the provider and roles; off until the repository's
	// workflows are set up.
	Enabled bool `json:"enabled"`
	// Repository is the GitHub repository (owner/name) whose workflows may
	// assume the roles.
	Repository string `json:"repository"`
	// CreateOIDCProvider makes this stack own the account's one GitHub OIDC
	// provider. With OIDCProviderARN also set, that existing provider is adopted
	// (imported) instead of created.
	CreateOIDCProvider bool `json:"createOidcProvider"`
	// OIDCProviderARN names the account's existing provider: adopted when
	// CreateOIDCProvider is true, only referenced when it is false (another stack
	// in the account owns it). Empty with CreateOIDCProvider false means the
	// stack named by sharedStack owns it and exports it.
	OIDCProviderARN string `json:"oidcProviderArn"`
	// GitHubEnvironment is the GitHub environment whose jobs may assume the
	// deploy role (the token's sub is repo:OWNER/NAME:environment:ENV; prod's
	// has required reviewers).
	GitHubEnvironment string `json:"githubEnvironment"`
	// DeployBranch is the branch whose environment-less runs (the nightly drift
	// check) may assume the preview role, besides pull requests.
	DeployBranch string `json:"deployBranch"`
}

// Defaults is off; when on it creates the provider and trusts the GitHub
// environment named environment and the main branch.
func Defaults(environment string) Settings {
	return Settings{CreateOIDCProvider: true, GitHubEnvironment: environment, DeployBranch: "main"}
}

var (
	// GitHub owners: letters, digits and single inner dashes, at most 39;
	// repository names: letters, digits, '.', '_', '-', at most 100.
	repositoryPattern = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9]|-[A-Za-z0-9]){0,38}/[A-Za-z0-9._-]{1,100}$`)
	// The provider's ARN is always oidc-provider/<issuer host>; any partition.
	providerARNPattern = regexp.MustCompile(`^arn:aws(-[a-z]+)*:iam::[0-9]{12}:oidc-provider/token\.actions\.githubusercontent\.com$`)
	// The environment and branch end up in the token's sub claim, which the
	// trust policy matches exactly: ':' would make it ambiguous, wildcards
	// would widen it.
	environmentPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,255}$`)
	branchPattern      = regexp.MustCompile(`^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$`)
)

// Validate checks the repository, the provider ARN and the names the trust
// policies match exactly.
func (s Settings) Validate(k string) error {
	var p check.Problems
	switch {
	case s.Repository == "" && s.Enabled:
		p.Add(k+".repository", "required when %s.enabled is true; expected the GitHub repository as OWNER/NAME", k)
	case s.Repository != "" && (!repositoryPattern.MatchString(s.Repository) ||
		strings.HasSuffix(s.Repository, "/.") || strings.HasSuffix(s.Repository, "/..")):
		p.Add(k+".repository", "%q is not a GitHub repository; expected OWNER/NAME, e.g. np-mrd/article-pipeline-infra",
			s.Repository)
	}
	if s.OIDCProviderARN != "" && !providerARNPattern.MatchString(s.OIDCProviderARN) {
		p.Add(k+".oidcProviderArn", "%q is not a GitHub OIDC provider ARN; expected "+
			"arn:aws:iam::ACCOUNT:oidc-provider/token.actions.githubusercontent.com", s.OIDCProviderARN)
	}
	if !environmentPattern.MatchString(s.GitHubEnvironment) {
		p.Add(k+".githubEnvironment", "%q is not a usable GitHub environment name; expected 1 to 255 letters, "+
			"digits, '.', '_' or '-'", s.GitHubEnvironment)
	}
	if !branchPattern.MatchString(s.DeployBranch) || strings.Contains(s.DeployBranch, "..") ||
		strings.HasPrefix(s.DeployBranch, "-") || strings.HasSuffix(s.DeployBranch, ".lock") {
		p.Add(k+".deployBranch", "%q is not a branch name the trust policy can match exactly; expected a name "+
			"such as main or release/prod, without wildcards", s.DeployBranch)
	}
	return p.Err()
}
