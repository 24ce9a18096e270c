// Package storage owns the application's S3 buckets (runbook "Create S3
// Buckets"). A Bucket takes plain settings (physical name, public access,
// versioning, encryption, lifecycle, whether it is public or backed up) and
// declares the bucket with its side resources and one bucket policy; it returns
// the bucket's name and ARN and the application variable the name feeds.
package storage

import (
	"errors"
	"fmt"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/internal/adopt"
)

const typeToken = "article-pipeline:storage:Bucket"

// Args configures one bucket: the stack's Settings for it, and whether it is
// imported.
type Args struct {
	Settings
	// Adopt imports the existing bucket (its import ID is its name) and every
	// configuration this component declares for it (ownership controls, public
	// access block, versioning, default encryption, lifecycle, policy), also by
	// bucket name: a created configuration would write over the live one (each
	// Put replaces the whole setting). Each is retained on delete, and keeps the
	// properties Keep names until the migration step that takes them over.
	Adopt bool
	// Keep is article-pipeline:adopt.keep.
	Keep adopt.Keep
	// Create names the configurations of an adopted bucket that do not exist
	// yet (importing them would fail): they are created instead.
	Create []string
}

// The type tokens of a bucket and its configurations.
const (
	bucketType       = "aws:s3/bucketV2:BucketV2"
	ownershipType    = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	publicAccessType = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	versioningType   = "aws:s3/bucketVersioningV2:BucketVersioningV2"
	encryptionType   = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	lifecycleType    = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
	policyType       = "aws:s3/bucketPolicy:BucketPolicy"
)

// Configurations lists the configurations NewBucket named name declares for
// a bucket with settings s (an adoption may create some of them instead).
func Configurations(name string, s Settings) []adopt.Resource {
	out := []adopt.Resource{
		adopt.Of(ownershipType, name+"-ownership", s3.BucketOwnershipControlsArgs{}),
		adopt.Of(publicAccessType, name+"-public-access", s3.BucketPublicAccessBlockArgs{}),
	}
	if s.Versioning {
		out = append(out, adopt.Of(versioningType, name+"-versioning", s3.BucketVersioningV2Args{}))
	}
	out = append(out, adopt.Of(encryptionType, name+"-encryption", s3.BucketServerSideEncryptionConfigurationV2Args{}))
	if len(s.LifecycleRules) > 0 {
		out = append(out, adopt.Of(lifecycleType, name+"-lifecycle", s3.BucketLifecycleConfigurationV2Args{}))
	}
	return append(out, adopt.Of(policyType, name+"-policy", s3.BucketPolicyArgs{}))
}

// Imported lists what an adoption of the bucket imports: the bucket and every
// configuration not named in create.
func Imported(name string, s Settings, create []string) []adopt.Resource {
	out := []adopt.Resource{adopt.Of(bucketType, name+"-bucket", s3.BucketV2Args{})}
	for _, r := range Configurations(name, s) {
		if !slices.Contains(create, r.Name) {
			out = append(out, r)
		}
	}
	return out
}

// Bucket is one S3 bucket with its ownership controls, public access block,
// versioning, default encryption, lifecycle rules and policy.
type Bucket struct {
	pulumi.ResourceState

	// BucketName is the physical bucket name.
	BucketName pulumi.StringOutput `pulumi:"bucketName"`
	// ARN is the bucket's ARN; object ARNs are ARN + "/*".
	ARN pulumi.StringOutput `pulumi:"arn"`
	// EnvVar is the application environment variable the name feeds (Args.EnvVar).
	EnvVar string
}

func (a *Args) check(name string) error {
	if a == nil {
		return errors.New("args are required")
	}
	return a.Settings.Validate(name)
}

// NewBucket declares one bucket and its settings.
func NewBucket(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Bucket, error) {
	if err := args.check(name); err != nil {
		return nil, fmt.Errorf("storage: bucket %q: %w", name, err)
	}
	c := &Bucket{EnvVar: args.EnvVar}
	if err := ctx.RegisterComponentResource(typeToken, name, c, opts...); err != nil {
		return nil, err
	}

	bucketOpts := []pulumi.ResourceOption{pulumi.Parent(c)}
	if args.Protect {
		bucketOpts = append(bucketOpts, pulumi.Protect(true))
	}
	if args.Adopt {
		bucketOpts = append(bucketOpts, adopt.Options(args.Name, args.Protect, args.Keep, bucketType, name+"-bucket")...)
	}
	bucket, err := s3.NewBucketV2(ctx, name+"-bucket", &s3.BucketV2Args{
		Bucket: pulumi.String(args.Name),
		// Never empty a bucket to delete it: deposited data has no other copy.
		ForceDestroy: pulumi.Bool(false),
		// Runbook: "Object Lock: Disable" on every bucket.
		ObjectLockEnabled: pulumi.Bool(false),
	}, bucketOpts...)
	if err != nil {
		return nil, err
	}
	// side returns the options of a configuration; an adoption imports it by
	// bucket name unless it does not exist yet (Create).
	side := func(typ, child string, extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
		o := append([]pulumi.ResourceOption{pulumi.Parent(c)}, extra...)
		if args.Adopt && !slices.Contains(args.Create, child) {
			o = append(o, adopt.Options(args.Name, false, args.Keep, typ, child)...)
		}
		return o
	}

	if err := ownershipControls(ctx, name, bucket, side(ownershipType, name+"-ownership")); err != nil {
		return nil, err
	}
	publicAccess, err := publicAccessBlock(ctx, name, bucket, args.PublicAccess,
		side(publicAccessType, name+"-public-access"))
	if err != nil {
		return nil, err
	}

	var lifecycleDeps []pulumi.Resource
	if args.Versioning {
		versioning, err := s3.NewBucketVersioningV2(ctx, name+"-versioning", &s3.BucketVersioningV2Args{
			Bucket: bucket.Bucket,
			VersioningConfiguration: &s3.BucketVersioningV2VersioningConfigurationArgs{
				Status: pulumi.String("Enabled"),
			},
		}, side(versioningType, name+"-versioning")...)
		if err != nil {
			return nil, err
		}
		// Noncurrent-version rules act on versions, so versioning goes first.
		lifecycleDeps = append(lifecycleDeps, versioning)
	}

	if err := sseS3(ctx, name, bucket, args.BucketKey, side(encryptionType, name+"-encryption")); err != nil {
		return nil, err
	}

	if len(args.LifecycleRules) > 0 {
		var rules s3.BucketLifecycleConfigurationV2RuleArray
		for _, r := range args.LifecycleRules {
			rules = append(rules, lifecycleRule(r))
		}
		if _, err := s3.NewBucketLifecycleConfigurationV2(ctx, name+"-lifecycle",
			&s3.BucketLifecycleConfigurationV2Args{Bucket: bucket.Bucket, Rules: rules},
			side(lifecycleType, name+"-lifecycle", pulumi.DependsOn(lifecycleDeps))...); err != nil {
			return nil, err
		}
	}

	doc := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: policyStatements(args, bucket.Arn),
	}, pulumi.Parent(c))
	// A public-read policy is rejected while BlockPublicPolicy is still on (a new
	// bucket starts fully blocked), so the policy waits for the access block.
	if _, err := s3.NewBucketPolicy(ctx, name+"-policy", &s3.BucketPolicyArgs{
		Bucket: bucket.Bucket,
		Policy: doc.Json(),
	}, side(policyType, name+"-policy", pulumi.DependsOn([]pulumi.Resource{publicAccess}))...); err != nil {
		return nil, err
	}

	c.BucketName = bucket.Bucket
	c.ARN = bucket.Arn
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"bucketName": c.BucketName,
		"arn":        c.ARN,
		"envVar":     pulumi.String(c.EnvVar),
	}); err != nil {
		return nil, err
	}
	return c, nil
}

// lifecycleRule applies r to every object (an empty filter, the console's
// "Apply to all objects in the bucket").
func lifecycleRule(r LifecycleRule) s3.BucketLifecycleConfigurationV2RuleArgs {
	rule := s3.BucketLifecycleConfigurationV2RuleArgs{
		Id:     pulumi.String(r.Name),
		Status: pulumi.String("Enabled"),
		Filter: &s3.BucketLifecycleConfigurationV2RuleFilterArgs{},
	}
	if r.NoncurrentVersionExpirationDays > 0 {
		rule.NoncurrentVersionExpiration = &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{
			NoncurrentDays: pulumi.Int(r.NoncurrentVersionExpirationDays),
		}
	}
	if r.AbortIncompleteMultipartUploadDays > 0 {
		rule.AbortIncompleteMultipartUpload = &s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
			DaysAfterInitiation: pulumi.Int(r.AbortIncompleteMultipartUploadDays),
		}
	}
	if r.ExpirationDays > 0 {
		rule.Expiration = &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{
			Days: pulumi.Int(r.ExpirationDays),
		}
	}
	return rule
}

// policyStatements builds the bucket policy: always a TLS-only deny; anonymous
// read of objects on a public bucket, never anonymous writes (the runbook's
// static-bucket policy let anyone put and delete objects). The runbook's two
// statements for backup.amazonaws.com are left out: AWS Backup reads the bucket
// as the backup plan's own role (AWSBackupServiceRolePolicyForS3Backup), never
// as the service principal, so they granted nothing the backup needs, and a
// grant to a service principal without aws:SourceAccount is a confused deputy.
func policyStatements(args *Args, bucketARN pulumi.StringOutput) iam.GetPolicyDocumentStatementArray {
	objectsARN := objects(bucketARN)
	statements := iam.GetPolicyDocumentStatementArray{denyInsecureTransport(bucketARN, objectsARN)}
	switch {
	case args.PublicWrite:
		// The runbook's static-bucket statement, as it is, while the running
		// Copilot tasks still write through it (collectstatic); it includes the
		// public read. A dated waiver states the interim, and the migration's
		// last step removes it.
		statements = append(statements, iam.GetPolicyDocumentStatementArgs{
			Sid:        pulumi.String("Statement1"),
			Effect:     pulumi.String("Allow"),
			Principals: anyone(),
			Actions: pulumi.ToStringArray([]string{"s3:PutObject", "s3:PutObjectAcl", "s3:GetObject", "s3:GetObjectAcl",
				"s3:DeleteObject"}),
			Resources: pulumi.StringArray{bucketARN, pulumi.Sprintf("%s/static", bucketARN), objectsARN},
		})
	case args.PublicAccess == PublicAccessPublicRead:
		statements = append(statements, iam.GetPolicyDocumentStatementArgs{
			Sid:        pulumi.String("PublicReadGetObject"),
			Effect:     pulumi.String("Allow"),
			Principals: anyone(),
			Actions:    pulumi.StringArray{pulumi.String("s3:GetObject")},
			Resources:  pulumi.StringArray{objectsARN},
		})
	}
	return statements
}

// ownershipControls disables ACLs: "Object ownership: ACLs disabled"
// (Security Hub S3.12).
func ownershipControls(ctx *pulumi.Context, name string, bucket *s3.BucketV2, opts []pulumi.ResourceOption) error {
	_, err := s3.NewBucketOwnershipControls(ctx, name+"-ownership", &s3.BucketOwnershipControlsArgs{
		Bucket: bucket.Bucket,
		Rule:   &s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, opts...)
	return err
}

// publicAccessBlock sets the four Block Public Access flags of level.
func publicAccessBlock(ctx *pulumi.Context, name string, bucket *s3.BucketV2, level PublicAccess,
	opts []pulumi.ResourceOption) (*s3.BucketPublicAccessBlock, error) {
	pab := level.Flags()
	return s3.NewBucketPublicAccessBlock(ctx, name+"-public-access", &s3.BucketPublicAccessBlockArgs{
		Bucket:                bucket.Bucket,
		BlockPublicAcls:       pulumi.Bool(pab.BlockPublicAcls),
		IgnorePublicAcls:      pulumi.Bool(pab.IgnorePublicAcls),
		BlockPublicPolicy:     pulumi.Bool(pab.BlockPublicPolicy),
		RestrictPublicBuckets: pulumi.Bool(pab.RestrictPublicBuckets),
	}, opts...)
}

// sseS3 sets SSE-S3 (AES256) default encryption, the runbook's encryption
// type for every bucket.
func sseS3(ctx *pulumi.Context, name string, bucket *s3.BucketV2, bucketKey bool, opts []pulumi.ResourceOption) error {
	_, err := s3.NewBucketServerSideEncryptionConfigurationV2(ctx, name+"-encryption",
		&s3.BucketServerSideEncryptionConfigurationV2Args{
			Bucket: bucket.Bucket,
			Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{
				&s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
					ApplyServerSideEncryptionByDefault: &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
						SseAlgorithm: pulumi.String("AES256"),
					},
					BucketKeyEnabled: pulumi.Bool(bucketKey),
				},
			},
		}, opts...)
	return err
}

// objects is the ARN of every object of a bucket, derived from the bucket's
// own ARN (partition included).
func objects(bucketARN pulumi.StringOutput) pulumi.StringOutput {
	return bucketARN.ApplyT(func(arn string) string { return arn + "/*" }).(pulumi.StringOutput)
}

// anyone is the principal "*".
func anyone() iam.GetPolicyDocumentStatementPrincipalArray {
	return iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
		Type: pulumi.String("*"), Identifiers: pulumi.StringArray{pulumi.String("*")},
	}}
}

// denyInsecureTransport refuses every request that does not use TLS
// (Security Hub S3.5).
func denyInsecureTransport(bucketARN, objectsARN pulumi.StringOutput) iam.GetPolicyDocumentStatementArgs {
	return iam.GetPolicyDocumentStatementArgs{
		Sid:        pulumi.String("DenyInsecureTransport"),
		Effect:     pulumi.String("Deny"),
		Principals: anyone(),
		Actions:    pulumi.StringArray{pulumi.String("s3:*")},
		Resources:  pulumi.StringArray{bucketARN, objectsARN},
		Conditions: iam.GetPolicyDocumentStatementConditionArray{iam.GetPolicyDocumentStatementConditionArgs{
			Test:     pulumi.String("Bool"),
			Variable: pulumi.String("aws:SecureTransport"),
			Values:   pulumi.StringArray{pulumi.String("false")},
		}},
	}
}
