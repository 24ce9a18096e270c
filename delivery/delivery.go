// Package delivery owns what GitHub Actions needs to preview and deploy a stack
// without long-lived keys (issue 6; it replaces the runbook's "Create Access Key"
// and `aws configure`): the account's GitHub OIDC identity provider (created,
// adopted or only referenced) and two roles the workflows assume with
// short-lived web-identity credentials, a read-only one for `pulumi preview` and
// a deploy one for `pulumi up`. It takes the repository, the GitHub environment
// and branch to trust, the regions the stack deploys to and the tags the
// program puts on every resource; it returns the provider and role ARNs.
package delivery

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/internal/awsiam"
	"github.com/np-mrd/article-pipeline-infra/internal/check"
	"github.com/np-mrd/article-pipeline-infra/internal/component"
)

const typeToken = "article-pipeline:delivery:GitHubOIDC"

const (
	// IssuerURL is GitHub Actions' OIDC token issuer.
	IssuerURL = "https://token.actions.githubusercontent.com"
	// Audience is the audience aws-actions/configure-aws-credentials requests
	// by default, and the provider's only client ID.
	Audience = "sts.amazonaws.com"
	// SessionDuration (seconds) caps a workflow's credentials at one hour, the
	// IAM minimum and configure-aws-credentials' default.
	SessionDuration = 3600

	claimPrefix = "token.actions.githubusercontent.com:"
)

// Args configure the provider and roles. Every field is required except the two
// provider fields, which are mutually exclusive (neither: create the provider).
type Args struct {
	Settings
	// ExistingProviderARN, when set, declares no provider: the roles trust this
	// one, owned by another stack (there is one per account and issuer); from
	// config, or that stack's output through a stack reference.
	ExistingProviderARN pulumi.StringInput
	// ProviderImportID, when set, adopts the account's existing provider (its
	// ARN) instead of creating one; it is then retained if this stack goes.
	ProviderImportID string
	// Regions are the regions the stack deploys to (aws:region, plus a backup
	// copy region); the deploy role may change nothing elsewhere.
	Regions []string
	// ResourceTags are the tags the program's provider puts on every resource
	// (app, environment). The deploy role may change only IAM roles, policies
	// and secrets that carry them, so one stack's role cannot rewrite another
	// stack's roles in the same account.
	ResourceTags map[string]string
}

// GitHubOIDC is the provider plus the preview and deploy roles of one stack.
type GitHubOIDC struct {
	pulumi.ResourceState

	// ProviderARN is the OIDC provider the roles trust.
	ProviderARN pulumi.StringOutput `pulumi:"providerArn"`
	// PreviewRoleARN is the read-only role pull-request previews and the drift
	// check assume (a repository variable in GitHub).
	PreviewRoleARN pulumi.StringOutput `pulumi:"previewRoleArn"`
	// DeployRoleARN is the role the GitHub environment's deploy job assumes (an
	// environment variable in GitHub).
	DeployRoleARN pulumi.StringOutput `pulumi:"deployRoleArn"`
}

// check runs the settings' rules, then what only the wiring can get wrong.
func (a *Args) check(name string) error {
	if a == nil {
		return errors.New("delivery: args are required")
	}
	errs := []error{a.Settings.Validate(name)}
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("delivery: "+format, args...)) }
	if a.Repository == "" {
		bad("Repository is required")
	}
	existing, plain := a.ExistingProviderARN.(pulumi.String)
	switch {
	case a.ExistingProviderARN != nil && a.ProviderImportID != "":
		bad("ExistingProviderARN and ProviderImportID are both set; reference another stack's provider or adopt it, not both")
	case plain && !providerARNPattern.MatchString(string(existing)):
		bad("ExistingProviderARN %q is not a GitHub OIDC provider ARN", string(existing))
	case a.ProviderImportID != "" && !providerARNPattern.MatchString(a.ProviderImportID):
		bad("ProviderImportID %q is not a GitHub OIDC provider ARN", a.ProviderImportID)
	}
	if len(a.Regions) == 0 {
		bad("Regions is empty; the deploy role needs the regions it may change")
	}
	for i, r := range a.Regions {
		if !check.RegionPattern.MatchString(r) {
			bad("Regions[%d] %q is not a region name", i, r)
		}
	}
	if len(a.ResourceTags) == 0 {
		bad("ResourceTags is empty; the deploy role's IAM changes are limited to resources carrying them")
	}
	for k, v := range a.ResourceTags {
		if k == "" || v == "" {
			bad("ResourceTags has an empty key or value (%q: %q)", k, v)
		}
	}
	return errors.Join(errs...)
}

// NewGitHubOIDC declares the provider (unless ExistingProviderARN names one) and
// the preview and deploy roles.
func NewGitHubOIDC(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*GitHubOIDC, error) {
	c, parent, err := component.New[GitHubOIDC](ctx, typeToken, name, args.check(name), opts...)
	if err != nil {
		return nil, err
	}

	if args.ExistingProviderARN != nil {
		c.ProviderARN = args.ExistingProviderARN.ToStringOutput()
	} else {
		popts := []pulumi.ResourceOption{parent}
		if args.ProviderImportID != "" {
			// An adopted provider was made outside this stack and may be trusted
			// by roles of other projects: destroying the stack must not delete it.
			popts = append(popts, pulumi.Import(pulumi.ID(args.ProviderImportID)), pulumi.RetainOnDelete(true))
		}
		provider, err := iam.NewOpenIdConnectProvider(ctx, name+"-provider", &iam.OpenIdConnectProviderArgs{
			Url:           pulumi.String(IssuerURL),
			ClientIdLists: pulumi.StringArray{pulumi.String(Audience)},
			// No thumbprints: IAM validates GitHub's tokens against its own
			// trusted root CAs and ignores them (pulumi-aws v6 makes them optional).
		}, popts...)
		if err != nil {
			return nil, fmt.Errorf("delivery: provider: %w", err)
		}
		c.ProviderARN = provider.Arn
	}

	partition := aws.GetPartitionOutput(ctx, aws.GetPartitionOutputArgs{}, parent).Partition()
	readOnly := awsiam.ManagedPolicyARN(partition, "ReadOnlyAccess")
	subject := func(suffix string) string { return "repo:" + args.Repository + ":" + suffix }

	// Preview: pull requests of the repository and runs on the deploy branch
	// that use no environment (the nightly drift check). Forked pull requests
	// get no token, so they cannot assume it.
	preview, err := c.role(ctx, name+"-preview", "GitHub Actions: pulumi preview of "+args.Repository,
		[]string{subject("pull_request"), subject("ref:refs/heads/" + args.DeployBranch)})
	if err != nil {
		return nil, err
	}
	// Deploy: only jobs that run in the GitHub environment (prod's requires a
	// reviewer; development's should allow the deploy branch only).
	deploy, err := c.role(ctx, name+"-deploy", "GitHub Actions: pulumi up of "+args.Repository+" from environment "+
		args.GitHubEnvironment, []string{subject("environment:" + args.GitHubEnvironment)})
	if err != nil {
		return nil, err
	}

	// The deploy grant, as two customer managed policies (see infrastructure).
	var deployPolicies pulumi.StringArray
	for _, p := range []struct {
		role, description string
		groups            []group
	}{
		{"infrastructure", "network, database, buckets, parameters and backup", infrastructure},
		{"services", "containers, load balancer, logs, images and DNS records", services},
	} {
		policy, err := iam.NewPolicy(ctx, name+"-deploy-"+p.role+"-policy", &iam.PolicyArgs{
			Description: pulumi.String("GitHub Actions deploy of " + args.Repository + ": " + p.description),
			Policy:      document(ctx, c, groupStatements(p.groups, args.Regions)),
		}, parent)
		if err != nil {
			return nil, fmt.Errorf("delivery: deploy %s policy: %w", p.role, err)
		}
		deployPolicies = append(deployPolicies, policy.Arn)
	}

	// Both roles get ReadOnlyAccess, AWS's maintained list of Describe/Get/List
	// actions (what preview and the refresh inside up read); the deploy role
	// also gets the deploy grant.
	for _, a := range []struct {
		name string
		role *iam.Role
		arn  pulumi.StringInput
	}{
		{name + "-preview-read-only", preview, readOnly},
		{name + "-deploy-read-only", deploy, readOnly},
		{name + "-deploy-infrastructure", deploy, deployPolicies[0]},
		{name + "-deploy-services", deploy, deployPolicies[1]},
	} {
		if _, err := iam.NewRolePolicyAttachment(ctx, a.name, &iam.RolePolicyAttachmentArgs{
			Role: a.role.Name, PolicyArn: a.arn,
		}, parent); err != nil {
			return nil, fmt.Errorf("delivery: %s: %w", a.name, err)
		}
	}

	tunnel := tunnelStatements(ctx, c, args, partition)
	if _, err := iam.NewRolePolicy(ctx, name+"-preview-policy", &iam.RolePolicyArgs{
		Role: preview.Name, Policy: document(ctx, c, append([]statement{denyDataReads()}, tunnel...)),
	}, parent); err != nil {
		return nil, fmt.Errorf("delivery: preview policy: %w", err)
	}
	guards := guardStatements(args, partition, protected{
		roles: pulumi.StringArray{preview.Arn, deploy.Arn}, policies: deployPolicies, provider: c.ProviderARN,
	})
	if _, err := iam.NewRolePolicy(ctx, name+"-deploy-policy", &iam.RolePolicyArgs{
		Role: deploy.Name, Policy: document(ctx, c, append(guards, tunnel...)),
	}, parent); err != nil {
		return nil, fmt.Errorf("delivery: deploy policy: %w", err)
	}

	c.PreviewRoleARN = preview.Arn
	c.DeployRoleARN = deploy.Arn
	return c, component.RegisterOutputs(ctx, c)
}

// role declares a role that GitHub's tokens with one of subjects (and the STS
// audience) may assume through the provider, for at most SessionDuration.
func (c *GitHubOIDC) role(ctx *pulumi.Context, name, description string, subjects []string) (*iam.Role, error) {
	trust := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray{iam.GetPolicyDocumentStatementArgs{
			Actions: pulumi.ToStringArray([]string{"sts:AssumeRoleWithWebIdentity"}),
			Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
				Type:        pulumi.String("Federated"),
				Identifiers: pulumi.StringArray{c.ProviderARN},
			}},
			Conditions: iam.GetPolicyDocumentStatementConditionArray{
				iam.GetPolicyDocumentStatementConditionArgs{
					Test: pulumi.String("StringEquals"), Variable: pulumi.String(claimPrefix + "aud"),
					Values: pulumi.ToStringArray([]string{Audience}),
				},
				// StringEquals, not StringLike: no wildcard can widen the trust.
				iam.GetPolicyDocumentStatementConditionArgs{
					Test: pulumi.String("StringEquals"), Variable: pulumi.String(claimPrefix + "sub"),
					Values: pulumi.ToStringArray(subjects),
				},
			},
		}},
	}, pulumi.Parent(c))
	r, err := iam.NewRole(ctx, name+"-role", &iam.RoleArgs{
		Description:        pulumi.String(description),
		AssumeRolePolicy:   trust.Json(),
		MaxSessionDuration: pulumi.Int(SessionDuration),
	}, pulumi.Parent(c))
	if err != nil {
		return nil, fmt.Errorf("delivery: %s role: %w", name, err)
	}
	return r, nil
}
