// Package awsiam holds the IAM pieces more than one component builds alike:
// the ARN of an AWS managed policy and its attachment to a role, a role that
// an AWS service assumes, and a role's inline policy.
package awsiam

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ManagedPolicyARN is the ARN of the AWS managed policy named policy (with its
// path, if any: "service-role/AmazonRDSEnhancedMonitoringRole") in partition,
// the stack's partition ("aws", "aws-cn", ...). Such ARNs are no resource's
// output, and are built from the partition rather than hard-coded "aws".
func ManagedPolicyARN(partition pulumi.StringInput, policy string) pulumi.StringOutput {
	return pulumi.Sprintf("arn:%s:iam::aws:policy/%s", partition, policy)
}

// AttachManagedPolicy attaches the AWS managed policy named policy (as for
// ManagedPolicyARN, in the stack's partition) to role, as the attachment
// name. parent is the component's pulumi.Parent option; the partition is
// read through it as well.
func AttachManagedPolicy(ctx *pulumi.Context, name string, role *iam.Role, policy string,
	parent pulumi.ResourceOrInvokeOption) (*iam.RolePolicyAttachment, error) {
	partition := aws.GetPartitionOutput(ctx, aws.GetPartitionOutputArgs{}, parent).Partition()
	return iam.NewRolePolicyAttachment(ctx, name, &iam.RolePolicyAttachmentArgs{
		Role:      role.Name,
		PolicyArn: ManagedPolicyARN(partition, policy),
	}, parent)
}

// NewServiceRole declares the role name that the AWS service (its principal,
// such as "ec2.amazonaws.com") may assume, on conditions if any are given.
// parent is the component's pulumi.Parent option; the trust policy is read
// through it as well.
func NewServiceRole(ctx *pulumi.Context, name, service, description string, parent pulumi.ResourceOrInvokeOption,
	conditions ...iam.GetPolicyDocumentStatementConditionInput) (*iam.Role, error) {
	statement := iam.GetPolicyDocumentStatementArgs{
		Actions: pulumi.ToStringArray([]string{"sts:AssumeRole"}),
		Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
			Type:        pulumi.String("Service"),
			Identifiers: pulumi.ToStringArray([]string{service}),
		}},
	}
	if len(conditions) > 0 {
		statement.Conditions = iam.GetPolicyDocumentStatementConditionArray(conditions)
	}
	trust := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray{statement},
	}, parent)
	return iam.NewRole(ctx, name, &iam.RoleArgs{
		Description:      pulumi.String(description),
		AssumeRolePolicy: trust.Json(),
	}, parent)
}

// NewRolePolicy declares name, the inline policy of role (the role's name)
// made of statements. parent is the component's pulumi.Parent option; the
// policy document is read through it as well.
func NewRolePolicy(ctx *pulumi.Context, name string, role pulumi.StringInput,
	statements iam.GetPolicyDocumentStatementArray, parent pulumi.ResourceOrInvokeOption) (*iam.RolePolicy, error) {
	doc := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{Statements: statements}, parent)
	return iam.NewRolePolicy(ctx, name, &iam.RolePolicyArgs{Role: role, Policy: doc.Json()}, parent)
}

// SourceAccount is the condition that limits a service principal to requests
// made on behalf of account (aws:SourceAccount), so that the service cannot be
// used by another account against this one (the confused deputy).
func SourceAccount(account pulumi.StringInput) iam.GetPolicyDocumentStatementConditionArgs {
	return iam.GetPolicyDocumentStatementConditionArgs{
		Test: pulumi.String("StringEquals"), Variable: pulumi.String("aws:SourceAccount"),
		Values: pulumi.StringArray{account},
	}
}
