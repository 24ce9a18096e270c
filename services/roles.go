package services

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecr"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/internal/awsiam"
)

// bucketActions are the S3 actions of each access level: bucket-level ones on
// the bucket ARN, object-level ones on <bucket ARN>/*.
var bucketActions = map[Access]struct{ bucket, object []string }{
	AccessRead: {
		bucket: []string{"s3:ListBucket"},
		object: []string{"s3:GetObject"},
	},
	AccessWrite: {
		object: []string{"s3:AbortMultipartUpload", "s3:DeleteObject", "s3:PutObject"},
	},
	AccessReadWrite: {
		bucket: []string{"s3:ListBucket"},
		object: []string{"s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject"},
	},
}

// roles declares the execution role (what ECS needs to start the task) and the
// task role (what the application may do), each with one inline policy.
//
// The execution role gets an inline policy instead of the managed
// AmazonECSTaskExecutionRolePolicy: that policy allows pulling from every
// repository and writing to every log group; this one names this service's
// repository, log group and parameters only. ecr:GetAuthorizationToken has no
// resource-level permissions, so it alone is on "*". No kms:Decrypt: the
// parameters use the AWS-managed aws/ssm key (Security Hub KMS.1/KMS.2).
func roles(ctx *pulumi.Context, name string, c *WebService, args *WebServiceArgs, repo *ecr.Repository,
	logs *cloudwatch.LogGroup) (*iam.Role, *iam.Role, error) {
	parent := pulumi.Parent(c)
	account := aws.GetCallerIdentityOutput(ctx, aws.GetCallerIdentityOutputArgs{}, parent).AccountId()
	const ecsTasks = "ecs-tasks.amazonaws.com"

	execution, err := awsiam.NewServiceRole(ctx, name+"-execution-role", ecsTasks,
		fmt.Sprintf("ECS starts %s tasks: image, logs, secrets", name), parent)
	if err != nil {
		return nil, nil, err
	}
	var stmts iam.GetPolicyDocumentStatementArray
	var pullFrom pulumi.StringInput
	if repo != nil {
		pullFrom = repo.Arn
	} else if r, ok := ecrImage(args.Image); ok {
		// An image in another ECR repository (Copilot's, while both run): a
		// same-account repository policy that names the account still needs
		// the role's own permission to pull.
		partition := aws.GetPartitionOutput(ctx, aws.GetPartitionOutputArgs{}, parent).Partition()
		pullFrom = pulumi.Sprintf("arn:%s:ecr:%s:%s:repository/%s", partition, r.region, r.account, r.name)
	}
	if pullFrom != nil {
		stmts = append(stmts,
			iam.GetPolicyDocumentStatementArgs{
				Sid:       pulumi.String("AuthorizeRegistry"),
				Actions:   pulumi.StringArray{pulumi.String("ecr:GetAuthorizationToken")},
				Resources: pulumi.StringArray{pulumi.String("*")},
			},
			iam.GetPolicyDocumentStatementArgs{
				Sid: pulumi.String("PullImage"),
				Actions: pulumi.ToStringArray([]string{
					"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
				}),
				Resources: pulumi.StringArray{pullFrom},
			})
	}
	stmts = append(stmts, iam.GetPolicyDocumentStatementArgs{
		Sid:       pulumi.String("WriteLogs"),
		Actions:   pulumi.ToStringArray([]string{"logs:CreateLogStream", "logs:PutLogEvents"}),
		Resources: pulumi.StringArray{pulumi.Sprintf("%s:log-stream:*", logs.Arn)},
	})
	if len(args.SecretARNs) > 0 {
		var arns pulumi.StringArray
		for _, v := range slices.Sorted(maps.Keys(args.SecretARNs)) {
			arns = append(arns, args.SecretARNs[v])
		}
		stmts = append(stmts, iam.GetPolicyDocumentStatementArgs{
			Sid:       pulumi.String("ReadSecrets"),
			Actions:   pulumi.StringArray{pulumi.String("ssm:GetParameters")},
			Resources: arns,
		})
	}
	if _, err := awsiam.NewRolePolicy(ctx, name+"-execution-policy", execution.ID(), stmts, parent); err != nil {
		return nil, nil, err
	}

	// The task role only trusts ECS tasks of this account (confused deputy).
	task, err := awsiam.NewServiceRole(ctx, name+"-task-role", ecsTasks,
		fmt.Sprintf("The %s application's own permissions", name), parent, awsiam.SourceAccount(account))
	if err != nil {
		return nil, nil, err
	}
	// Copilot's DenyIAM statement, then each grant explicitly.
	stmts = iam.GetPolicyDocumentStatementArray{iam.GetPolicyDocumentStatementArgs{
		Sid:       pulumi.String("DenyIAM"),
		Effect:    pulumi.String("Deny"),
		Actions:   pulumi.StringArray{pulumi.String("iam:*")},
		Resources: pulumi.StringArray{pulumi.String("*")},
	}}
	for _, role := range slices.Sorted(maps.Keys(args.BucketGrants)) {
		b := args.BucketGrants[role]
		actions := bucketActions[b.Access]
		sid := sidPart(role)
		if len(actions.bucket) > 0 {
			stmts = append(stmts, iam.GetPolicyDocumentStatementArgs{
				Sid:       pulumi.String("List" + sid),
				Actions:   pulumi.ToStringArray(actions.bucket),
				Resources: pulumi.StringArray{b.ARN},
			})
		}
		stmts = append(stmts, iam.GetPolicyDocumentStatementArgs{
			Sid:       pulumi.String("Objects" + sid),
			Actions:   pulumi.ToStringArray(actions.object),
			Resources: pulumi.StringArray{pulumi.Sprintf("%s/*", b.ARN)},
		})
	}
	if args.ExecuteCommand {
		// ECS Exec's channels; ssmmessages has no resource-level permissions.
		stmts = append(stmts, iam.GetPolicyDocumentStatementArgs{
			Sid: pulumi.String("ExecuteCommand"),
			Actions: pulumi.ToStringArray([]string{
				"ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
				"ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel",
			}),
			Resources: pulumi.StringArray{pulumi.String("*")},
		})
	}
	if _, err := awsiam.NewRolePolicy(ctx, name+"-task-policy", task.ID(), stmts, parent); err != nil {
		return nil, nil, err
	}
	return execution, task, nil
}

// sidPart turns a bucket role into the alphanumeric tail of a statement ID.
func sidPart(role string) string {
	var b strings.Builder
	for i, r := range role {
		switch {
		case r >= 'a' && r <= 'z' && i == 0:
			b.WriteRune(r - 'a' + 'A')
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		}
	}
	return b.String()
}

// SecretsVersion digests the versions of the parameters a service reads
// (versions keyed by NAME, e.g. the parameters component's Versions), for
// WebServiceArgs.SecretsVersion: any changed value changes the digest, so the
// service's task definition changes and the service rolls. A NAME without a
// version is an error.
func SecretsVersion(versions pulumi.IntMapInput, names []string) pulumi.StringOutput {
	return versions.ToIntMapOutput().ApplyT(func(v map[string]int) (string, error) {
		return secretsDigest(v, names)
	}).(pulumi.StringOutput)
}

func secretsDigest(versions map[string]int, names []string) (string, error) {
	h := sha256.New()
	for _, n := range slices.Compact(slices.Sorted(slices.Values(names))) {
		ver, ok := versions[n]
		if !ok {
			return "", fmt.Errorf("services: no version for parameter %s", n)
		}
		fmt.Fprintf(h, "%s=%d\n", n, ver)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// ecrRepository is a private ECR repository an image reference points into.
type ecrRepository struct{ account, region, name string }

// ecrImagePattern is ACCOUNT.dkr.ecr.REGION.amazonaws.com[.cn]/NAME followed
// by :TAG or @sha256:DIGEST.
var ecrImagePattern = regexp.MustCompile(
	`^([0-9]{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/([a-z0-9._/-]+?)(?::[A-Za-z0-9_.-]+|@sha256:[a-f0-9]{64})$`)

// ecrImage reads the repository of an image in a private ECR registry; other
// registries (Docker Hub, ECR Public) need no IAM permission to pull.
func ecrImage(image string) (ecrRepository, bool) {
	m := ecrImagePattern.FindStringSubmatch(image)
	if m == nil {
		return ecrRepository{}, false
	}
	return ecrRepository{account: m[1], region: m[2], name: m[3]}, true
}
