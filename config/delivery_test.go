package config

import (
	"testing"

	"github.com/np-mrd/article-pipeline-infra/delivery"
	"github.com/np-mrd/article-pipeline-infra/internal/check"
)

func TestDefaultDelivery(t *testing.T) {
	t.Parallel()
	for _, env := range []string{"prod", "development"} {
		d := parsed(t, func(p *check.Problems) delivery.Settings { return parseDelivery("", env, "", p) })
		want := delivery.Settings{CreateOIDCProvider: true, GitHubEnvironment: env, DeployBranch: "main"}
		if d != want {
			t.Errorf("%s: delivery = %+v, want %+v", env, d, want)
		}
	}
}

func TestParseDelivery(t *testing.T) {
	t.Parallel()
	const arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
	tests := []struct {
		name   string
		value  string
		shared string
		want   delivery.Settings
	}{
		{
			name:  "enabled with repository",
			value: `{"enabled":true,"repository":"np-mrd/article-pipeline-infra"}`,
			want: delivery.Settings{Enabled: true, Repository: "np-mrd/article-pipeline-infra", CreateOIDCProvider: true,
				GitHubEnvironment: "development", DeployBranch: "main"},
		},
		{
			name: "provider owned by another stack",
			value: `{"enabled":true,"repository":"np-mrd/infra","createOidcProvider":false,` +
				`"oidcProviderArn":"` + arn + `","githubEnvironment":"dev-aws","deployBranch":"release/v1"}`,
			want: delivery.Settings{Enabled: true, Repository: "np-mrd/infra", OIDCProviderARN: arn,
				GitHubEnvironment: "dev-aws", DeployBranch: "release/v1"},
		},
		{
			name:  "adopt an existing provider",
			value: `{"enabled":true,"repository":"np-mrd/infra","oidcProviderArn":"arn:aws-us-gov:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}`,
			want: delivery.Settings{Enabled: true, Repository: "np-mrd/infra", CreateOIDCProvider: true,
				OIDCProviderARN:   "arn:aws-us-gov:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
				GitHubEnvironment: "development", DeployBranch: "main"},
		},
		{
			name:   "provider read from the shared stack",
			value:  `{"enabled":true,"repository":"np-mrd/infra","createOidcProvider":false}`,
			shared: "organization/article-pipeline/prod",
			want: delivery.Settings{Enabled: true, Repository: "np-mrd/infra", GitHubEnvironment: "development",
				DeployBranch: "main"},
		},
		{
			name:  "disabled needs no repository",
			value: `{"enabled":false}`,
			want:  delivery.Settings{CreateOIDCProvider: true, GitHubEnvironment: "development", DeployBranch: "main"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := parsed(t, func(p *check.Problems) delivery.Settings {
				return parseDelivery(tc.value, "development", tc.shared, p)
			})
			if got != tc.want {
				t.Errorf("delivery = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestParseDeliveryErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		value   string
		wantErr string
	}{
		{"enabled without repository", `{"enabled":true}`,
			"article-pipeline:delivery.repository: required when article-pipeline:delivery.enabled is true"},
		{"repository without owner", `{"enabled":true,"repository":"article-pipeline-infra"}`,
			`article-pipeline:delivery.repository: "article-pipeline-infra" is not a GitHub repository; expected OWNER/NAME`},
		{"repository as URL", `{"repository":"https://github.com/np-mrd/infra"}`,
			`article-pipeline:delivery.repository: "https://github.com/np-mrd/infra" is not a GitHub repository`},
		{"repository with a wildcard", `{"repository":"np-mrd/*"}`,
			`article-pipeline:delivery.repository: "np-mrd/*" is not a GitHub repository`},
		{"repository dot-dot", `{"repository":"np-mrd/.."}`,
			`article-pipeline:delivery.repository: "np-mrd/.." is not a GitHub repository`},
		{"not creating and no ARN", `{"createOidcProvider":false}`,
			"article-pipeline:delivery.oidcProviderArn: required when article-pipeline:delivery.createOidcProvider is " +
				"false and article-pipeline:sharedStack is not set"},
		{"ARN of another provider", `{"oidcProviderArn":"arn:aws:iam::123456789012:oidc-provider/accounts.google.com"}`,
			`article-pipeline:delivery.oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/accounts.google.com" ` +
				"is not a GitHub OIDC provider ARN"},
		{"ARN with a short account", `{"oidcProviderArn":"arn:aws:iam::1234:oidc-provider/token.actions.githubusercontent.com"}`,
			"article-pipeline:delivery.oidcProviderArn: \"arn:aws:iam::1234:"},
		{"environment with a colon", `{"githubEnvironment":"prod:x"}`,
			`article-pipeline:delivery.githubEnvironment: "prod:x" is not a usable GitHub environment name`},
		{"empty environment", `{"githubEnvironment":""}`,
			`article-pipeline:delivery.githubEnvironment: "" is not a usable GitHub environment name`},
		{"branch wildcard", `{"deployBranch":"release/*"}`,
			`article-pipeline:delivery.deployBranch: "release/*" is not a branch name the trust policy can match exactly`},
		{"branch as ref", `{"deployBranch":"refs/heads/main/"}`,
			`article-pipeline:delivery.deployBranch: "refs/heads/main/" is not a branch name`},
		{"branch dot-dot", `{"deployBranch":"a..b"}`,
			`article-pipeline:delivery.deployBranch: "a..b" is not a branch name`},
		{"unknown field", `{"enable":true}`,
			`article-pipeline:delivery: unknown field "enable"`},
		{"wrong type", `{"enabled":"yes"}`,
			"article-pipeline:delivery.enabled: expected true or false, got a JSON string"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			wantProblem(t, tc.wantErr, func(p *check.Problems) delivery.Settings { return parseDelivery(tc.value, "prod", "", p) })
		})
	}
}
