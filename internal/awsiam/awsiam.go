// Package awsiam holds the IAM pieces more than one component builds alike:
// the ARN of an AWS managed policy, and a role that an AWS service assumes.
package awsiam

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ManagedPolicyARN is the ARN of the AWS managed policy named policy (with its
// path, if any: "service-role/AmazonRDSEnhancedMonitoringRole") in partition,
// the stack's partition ("aws", "aws-cn", ...). Such ARNs are no resource's
// output, and are built from the partition rather than hard-coded "aws".
func ManagedPolicyARN(partition pulumi.StringInput, policy string) pulumi.StringOutput {
	return pulumi.Sprintf("arn:%s:iam::aws:policy/%s", partition, policy)
}
