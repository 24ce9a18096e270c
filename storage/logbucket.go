package storage

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/elb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/internal/component"
)

const logBucketType = "article-pipeline:storage:LogBucket"

// LogBucketArgs configures the bucket the load balancer writes its access
// logs to.
type LogBucketArgs struct {
	AccessLogSettings
	// ForceDestroy lets `pulumi destroy` delete the bucket with its logs in it;
	// only where the stack is not protected (the logs are the record of who
	// reached the site).
	ForceDestroy bool
}

// LogBucket is an S3 bucket that only the region's Elastic Load Balancing
// log delivery may write to: no public access, TLS only, SSE-S3 (access logs
// support no other encryption), each log deleted after ExpirationDays.
type LogBucket struct {
	pulumi.ResourceState

	// BucketName is the bucket's name, known once its policy is in place:
	// the load balancer checks that it may write when logging is turned on.
	BucketName pulumi.StringOutput `pulumi:"bucketName"`
	ARN        pulumi.StringOutput `pulumi:"arn"`
}

// LogDeliveryPrefix is where the load balancer writes: AWSLogs/<account>/....
const LogDeliveryPrefix = "AWSLogs"

func (a *LogBucketArgs) check(name string) error {
	if a == nil {
		return errors.New("args are required")
	}
	return a.AccessLogSettings.Validate(name)
}

// NewLogBucket declares the log bucket with its side resources and policy.
func NewLogBucket(ctx *pulumi.Context, name string, args *LogBucketArgs,
	opts ...pulumi.ResourceOption) (*LogBucket, error) {
	if err := args.check(name); err != nil {
		return nil, fmt.Errorf("storage: log bucket %q: %w", name, err)
	}
	c := &LogBucket{}
	if err := ctx.RegisterComponentResource(logBucketType, name, c, opts...); err != nil {
		return nil, err
	}
	parent := []pulumi.ResourceOption{pulumi.Parent(c)}
	bucket, err := s3.NewBucketV2(ctx, name+"-bucket", &s3.BucketV2Args{
		Bucket:            pulumi.String(args.Name),
		ForceDestroy:      pulumi.Bool(args.ForceDestroy),
		ObjectLockEnabled: pulumi.Bool(false),
	}, parent...)
	if err != nil {
		return nil, err
	}
	if err := ownershipControls(ctx, name, bucket, parent); err != nil {
		return nil, err
	}
	publicAccess, err := publicAccessBlock(ctx, name, bucket, PublicAccessBlocked, parent)
	if err != nil {
		return nil, err
	}
	// Access logs support SSE-S3 only (not SSE-KMS); a bucket key applies to
	// SSE-KMS alone.
	if err := sseS3(ctx, name, bucket, false, parent); err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketLifecycleConfigurationV2(ctx, name+"-lifecycle", &s3.BucketLifecycleConfigurationV2Args{
		Bucket: bucket.Bucket,
		Rules: s3.BucketLifecycleConfigurationV2RuleArray{
			lifecycleRule(LifecycleRule{Name: "ExpireAccessLogs", ExpirationDays: args.ExpirationDays}),
		},
	}, parent...); err != nil {
		return nil, err
	}

	// us-west-2 and the other regions older than August 2022 deliver as the
	// region's Elastic Load Balancing account, which the provider looks up.
	delivery := elb.GetServiceAccountOutput(ctx, elb.GetServiceAccountOutputArgs{}, pulumi.Parent(c))
	account := aws.GetCallerIdentityOutput(ctx, aws.GetCallerIdentityOutputArgs{}, pulumi.Parent(c)).AccountId()
	logs := pulumi.All(bucket.Arn, account).ApplyT(func(v []any) string {
		return v[0].(string) + "/" + LogDeliveryPrefix + "/" + v[1].(string) + "/*"
	}).(pulumi.StringOutput)
	doc := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray{
			denyInsecureTransport(bucket.Arn, objects(bucket.Arn)),
			iam.GetPolicyDocumentStatementArgs{
				Sid:    pulumi.String("AllowELBLogDelivery"),
				Effect: pulumi.String("Allow"),
				Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
					Type: pulumi.String("AWS"), Identifiers: pulumi.StringArray{delivery.Arn()},
				}},
				Actions: pulumi.StringArray{pulumi.String("s3:PutObject")},
				// Only this account's load balancers' prefix.
				Resources: pulumi.StringArray{logs},
			},
		},
	}, pulumi.Parent(c))
	policy, err := s3.NewBucketPolicy(ctx, name+"-policy", &s3.BucketPolicyArgs{
		Bucket: bucket.Bucket,
		Policy: doc.Json(),
	}, append(parent, pulumi.DependsOn([]pulumi.Resource{publicAccess}))...)
	if err != nil {
		return nil, err
	}

	c.BucketName = pulumi.All(bucket.Bucket, policy.ID()).ApplyT(func(v []any) string {
		return v[0].(string)
	}).(pulumi.StringOutput)
	c.ARN = bucket.Arn
	return c, component.RegisterOutputs(ctx, c)
}
