package config

import (
	"testing"

	"github.com/np-mrd/article-pipeline-infra/delivery"
	"github.com/np-mrd/article-pipeline-infra/internal/check"
	"github.com/np-mrd/article-pipeline-infra/internal/mock"
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
	cases := []mock.BadValue[string]{
		{Name: "enabled without repository", Value: `{"enabled":true}`,
			WantErr: "article-pipeline:delivery.repository: required when article-pipeline:delivery.enabled is true"},
		{Name: "repository without owner", Value: `{"enabled":true,"repository":"article-pipeline-infra"}`,
			WantErr: `article-pipeline:delivery.repository: "article-pipeline-infra" is not a GitHub repository; ` +
				`expected OWNER/NAME`},
		{Name: "repository as URL", Value: `{"repository":"https://github.com/np-mrd/infra"}`,
			WantErr: `article-pipeline:delivery.repository: "https://github.com/np-mrd/infra" is not a GitHub repository`},
		{Name: "repository with a wildcard", Value: `{"repository":"np-mrd/*"}`,
			WantErr: `article-pipeline:delivery.repository: "np-mrd/*" is not a GitHub repository`},
		{Name: "repository dot-dot", Value: `{"repository":"np-mrd/.."}`,
			WantErr: `article-pipeline:delivery.repository: "np-mrd/.." is not a GitHub repository`},
		{Name: "not creating and no ARN", Value: `{"createOidcProvider":false}`,
			WantErr: "article-pipeline:delivery.oidcProviderArn: " +
				"required when article-pipeline:delivery.createOidcProvider is false and article-pipeline:sharedStack is not set"},
		{Name: "ARN of another provider",
			Value: `{"oidcProviderArn":"arn:aws:iam::123456789012:oidc-provider/accounts.google.com"}`,
			WantErr: `article-pipeline:delivery.oidcProviderArn: ` +
				`"arn:aws:iam::123456789012:oidc-provider/accounts.google.com" ` +
				"is not a GitHub OIDC provider ARN"},
		{Name: "ARN with a short account",
			Value:   `{"oidcProviderArn":"arn:aws:iam::1234:oidc-provider/token.actions.githubusercontent.com"}`,
			WantErr: "article-pipeline:delivery.oidcProviderArn: \"arn:aws:iam::1234:"},
		{Name: "environment with a colon", Value: `{"githubEnvironment":"prod:x"}`,
			WantErr: `article-pipeline:delivery.githubEnvironment: "prod:x" is not a usable GitHub environment name`},
		{Name: "empty environment", Value: `{"githubEnvironment":""}`,
			WantErr: `article-pipeline:delivery.githubEnvironment: "" is not a usable GitHub environment name`},
		{Name: "branch wildcard", Value: `{"deployBranch":"release/*"}`,
			WantErr: `article-pipeline:delivery.deployBranch: ` +
				`"release/*" is not a branch name the trust policy can match exactly`},
		{Name: "branch as ref", Value: `{"deployBranch":"refs/heads/main/"}`,
			WantErr: `article-pipeline:delivery.deployBranch: "refs/heads/main/" is not a branch name`},
		{Name: "branch dot-dot", Value: `{"deployBranch":"a..b"}`,
			WantErr: `article-pipeline:delivery.deployBranch: "a..b" is not a branch name`},
		{Name: "unknown field", Value: `{"enable":true}`,
			WantErr: `article-pipeline:delivery: unknown field "enable"`},
		{Name: "wrong type", Value: `{"enabled":"yes"}`,
			WantErr: "article-pipeline:delivery.enabled: expected true or false, got a JSON string"},
	}
	mock.RejectsValues(t, cases, mock.Contains, func(t *testing.T, value string) error {
		return problems(func(p *check.Problems) delivery.Settings { return parseDelivery(value, "prod", "", p) }).Err()
	})
}
