package program

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/config"
	"github.com/np-mrd/article-pipeline-infra/delivery"
)

// declareDelivery declares the GitHub OIDC provider and the roles the workflows
// assume (no long-lived access keys). It returns nil when delivery is off.
func declareDelivery(ctx *pulumi.Context, s *config.Settings, shared *pulumi.StackReference,
	tags map[string]string, provider *aws.Provider) (*delivery.GitHubOIDC, error) {
	d := s.Delivery
	if !d.Enabled {
		return nil, nil
	}
	args := &delivery.Args{
		Settings:     d,
		Regions:      []string{s.Region},
		ResourceTags: map[string]string{"app": tags["app"], "environment": tags["environment"]},
	}
	if s.Backup.Enabled && s.Backup.CopyToRegion != "" {
		args.Regions = append(args.Regions, s.Backup.CopyToRegion)
	}
	switch {
	case d.CreateOIDCProvider:
		args.ProviderImportID = d.OIDCProviderARN
	case d.OIDCProviderARN != "":
		args.ExistingProviderARN = pulumi.String(d.OIDCProviderARN)
	default:
		args.ExistingProviderARN = shared.GetStringOutput(pulumi.String("githubOidcProviderArn"))
	}
	return delivery.NewGitHubOIDC(ctx, "github", args, pulumi.Provider(provider))
}
