// Package backup owns the AWS Backup plan that replaces the runbook's console
// steps ("Backups (AWS Backup)"): a vault with the AWS-managed key, a plan with
// one scheduled rule and a cold-storage lifecycle, an IAM role for AWS Backup
// (instead of the console's default role) and a selection of resources by ARN.
// Optionally it copies each recovery point to a vault in a second region and
// locks the vault. It takes the ARNs to protect and returns the vault, plan and
// role identifiers.
package backup

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/backup"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/internal/adopt"
	"github.com/np-mrd/article-pipeline-infra/internal/awsiam"
	"github.com/np-mrd/article-pipeline-infra/internal/component"
)

const typeToken = "article-pipeline:backup:Plan"

// Plan is the backup vault, plan, role and selection of one stack.
type Plan struct {
	pulumi.ResourceState

	VaultName pulumi.StringOutput `pulumi:"vaultName"`
	VaultARN  pulumi.StringOutput `pulumi:"vaultArn"`
	PlanID    pulumi.IDOutput     `pulumi:"planId"`
	PlanARN   pulumi.StringOutput `pulumi:"planArn"`
	// RoleARN is the role AWS Backup assumes to back up and restore.
	RoleARN pulumi.StringOutput `pulumi:"roleArn"`
	// CopyVaultARN is the second region's vault, or "" when copies are off.
	CopyVaultARN pulumi.StringOutput `pulumi:"copyVaultArn"`
}

// Args configures the plan: the stack's Settings plus what the stack around it
// decides.
type Args struct {
	Settings
	// Resources are the ARNs to back up: the database instance and the buckets
	// selected for backup. At least one.
	Resources []pulumi.StringInput
	// Tags are copied onto every recovery point (provider default tags do not
	// reach them) and become the default tags of the copy region's provider.
	// The program passes its provider default tags.
	Tags map[string]string
	// Protect protects the vaults (they hold the recovery points).
	Protect bool
	// Adopt imports the console-made vault and plan; nil creates them. Both
	// are retained on delete.
	Adopt *Adoption
	// Keep is article-pipeline:adopt.keep.
	Keep adopt.Keep
}

const (
	vaultType = "aws:backup/vault:Vault"
	planType  = "aws:backup/plan:Plan"
)

// Imported lists what NewPlan named name imports for a: the vault and the plan.
func Imported(name string, a *Adoption) []adopt.Resource {
	var out []adopt.Resource
	if a == nil {
		return nil
	}
	if a.VaultName != "" {
		out = append(out, adopt.Of(vaultType, name+"-vault", backup.VaultArgs{}))
	}
	if a.PlanID != "" {
		out = append(out, adopt.Of(planType, name+"-plan", backup.PlanArgs{}))
	}
	return out
}

func (a *Args) check(name string) error {
	if a == nil {
		return errors.New("backup: args are required")
	}
	errs := []error{a.Settings.Validate(name)}
	if a.Adopt != nil {
		errs = append(errs, a.Adopt.Validate(name+".adopt", a.Settings))
	}
	if len(a.Resources) == 0 {
		errs = append(errs, errors.New("backup: Resources is empty; a selection needs at least one ARN"))
	}
	for i, r := range a.Resources {
		if r == nil {
			errs = append(errs, fmt.Errorf("backup: Resources[%d] is nil", i))
		}
	}
	return errors.Join(errs...)
}

// managedPolicies are the AWS-managed policies the role carries: backup and
// restore in general, plus the S3 ones the deposition bucket needs (AWS Backup
// developer guide, "AWS managed policies"). The S3 pair has no service-role/ path.
var managedPolicies = []struct{ role, path string }{
	{"backup", "service-role/AWSBackupServiceRolePolicyForBackup"},
	{"restores", "service-role/AWSBackupServiceRolePolicyForRestores"},
	{"s3-backup", "AWSBackupServiceRolePolicyForS3Backup"},
	{"s3-restore", "AWSBackupServiceRolePolicyForS3Restore"},
}

// NewPlan declares the vault, role, plan and selection.
func NewPlan(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Plan, error) {
	c, parent, err := component.New[Plan](ctx, typeToken, name, args.check(name), opts...)
	if err != nil {
		return nil, err
	}

	// The runbook: "use a default encryption key", so no KmsKeyArn (the vault
	// then uses AWS Backup's managed key; Backup.1 is met either way).
	// Protect is only ever added, never set false: a protect option on the
	// component must still reach the vault.
	adoption := Adoption{}
	if args.Adopt != nil {
		adoption = *args.Adopt
	}
	vaultOpts := []pulumi.ResourceOption{parent}
	if args.Protect {
		vaultOpts = append(vaultOpts, pulumi.Protect(true))
	}
	if adoption.VaultName != "" {
		vaultOpts = append(vaultOpts, adopt.Options(adoption.VaultName, args.Protect, args.Keep, vaultType,
			name+"-vault")...)
	}
	vault, err := backup.NewVault(ctx, name+"-vault", &backup.VaultArgs{
		Name: pulumi.String(args.VaultName),
	}, vaultOpts...)
	if err != nil {
		return nil, fmt.Errorf("backup: vault: %w", err)
	}

	if l := args.VaultLock; l != nil {
		lock := &backup.VaultLockConfigurationArgs{
			BackupVaultName:  vault.Name,
			MinRetentionDays: pulumi.Int(l.MinRetentionDays),
			MaxRetentionDays: pulumi.Int(l.MaxRetentionDays),
		}
		if l.ChangeableForDays > 0 {
			lock.ChangeableForDays = pulumi.Int(l.ChangeableForDays)
		}
		if _, err := backup.NewVaultLockConfiguration(ctx, name+"-vault-lock", lock, parent); err != nil {
			return nil, fmt.Errorf("backup: vault lock: %w", err)
		}
	}

	// The runbook uses the console's default role; an explicit role makes the
	// grants visible and includes the S3 policies the bucket backup needs.
	role, err := awsiam.NewServiceRole(ctx, name+"-role", "backup.amazonaws.com",
		"AWS Backup service role for "+args.PlanName, parent)
	if err != nil {
		return nil, fmt.Errorf("backup: role: %w", err)
	}
	var attachments []pulumi.Resource
	for _, mp := range managedPolicies {
		att, err := awsiam.AttachManagedPolicy(ctx, name+"-role-"+mp.role, role, mp.path, parent)
		if err != nil {
			return nil, fmt.Errorf("backup: role policy %s: %w", mp.role, err)
		}
		attachments = append(attachments, att)
	}

	lifecycle := backup.PlanRuleLifecycleArgs{DeleteAfter: pulumi.Int(args.DeleteAfterDays)}
	copyLifecycle := backup.PlanRuleCopyActionLifecycleArgs{DeleteAfter: pulumi.Int(args.DeleteAfterDays)}
	if args.ColdStorageAfterDays > 0 {
		lifecycle.ColdStorageAfter = pulumi.Int(args.ColdStorageAfterDays)
		copyLifecycle.ColdStorageAfter = pulumi.Int(args.ColdStorageAfterDays)
	}

	c.CopyVaultARN = pulumi.String("").ToStringOutput()
	var copyActions backup.PlanRuleCopyActionArray
	if args.CopyToRegion != "" {
		pargs := &aws.ProviderArgs{Region: pulumi.String(args.CopyToRegion)}
		if len(args.Tags) > 0 {
			pargs.DefaultTags = &aws.ProviderDefaultTagsArgs{Tags: pulumi.ToStringMap(args.Tags)}
		}
		provider, err := aws.NewProvider(ctx, name+"-copy-region", pargs, parent)
		if err != nil {
			return nil, fmt.Errorf("backup: copy region provider: %w", err)
		}
		copyOpts := []pulumi.ResourceOption{parent, pulumi.Provider(provider)}
		if args.Protect {
			copyOpts = append(copyOpts, pulumi.Protect(true))
		}
		copyVault, err := backup.NewVault(ctx, name+"-copy-vault", &backup.VaultArgs{
			Name: pulumi.String(args.VaultName),
		}, copyOpts...)
		if err != nil {
			return nil, fmt.Errorf("backup: copy vault: %w", err)
		}
		copyActions = backup.PlanRuleCopyActionArray{backup.PlanRuleCopyActionArgs{
			DestinationVaultArn: copyVault.Arn,
			Lifecycle:           copyLifecycle,
		}}
		c.CopyVaultARN = copyVault.Arn
	}

	planOpts := []pulumi.ResourceOption{parent}
	if adoption.PlanID != "" {
		planOpts = append(planOpts, adopt.Options(adoption.PlanID, false, args.Keep, planType, name+"-plan")...)
	}
	var recoveryPointTags pulumi.StringMapInput
	if len(args.Tags) > 0 {
		recoveryPointTags = pulumi.ToStringMap(args.Tags)
	}
	plan, err := backup.NewPlan(ctx, name+"-plan", &backup.PlanArgs{
		Name: pulumi.String(args.PlanName),
		Rules: backup.PlanRuleArray{backup.PlanRuleArgs{
			RuleName:         pulumi.String(args.RuleName),
			TargetVaultName:  vault.Name,
			Schedule:         pulumi.String(args.RuleSchedule()),
			StartWindow:      pulumi.Int(args.StartWindowMinutes),
			CompletionWindow: pulumi.Int(args.CompletionWindowMinutes),
			// The runbook chose snapshots, not point-in-time recovery.
			EnableContinuousBackup: pulumi.Bool(false),
			Lifecycle:              lifecycle,
			RecoveryPointTags:      recoveryPointTags,
			CopyActions:            copyActions,
		}},
	}, planOpts...)
	if err != nil {
		return nil, fmt.Errorf("backup: plan: %w", err)
	}

	// The selection waits for the policies: a job started before they are
	// attached would fail for lack of permissions.
	_, err = backup.NewSelection(ctx, name+"-selection", &backup.SelectionArgs{
		PlanId:     plan.ID(),
		IamRoleArn: role.Arn,
		Resources:  pulumi.StringArray(args.Resources),
	}, parent, pulumi.DependsOn(attachments))
	if err != nil {
		return nil, fmt.Errorf("backup: selection: %w", err)
	}

	c.VaultName = vault.Name
	c.VaultARN = vault.Arn
	c.PlanID = plan.ID()
	c.PlanARN = plan.Arn
	c.RoleARN = role.Arn
	return c, component.RegisterOutputs(ctx, c)
}
