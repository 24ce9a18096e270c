package vpc

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/internal/awsiam"
)

// FlowLogGroupName is the flow log's log group for a VPC named by namePrefix.
func FlowLogGroupName(namePrefix string) string { return "/aws/vpc/flow-logs/" + namePrefix }

// flowLogDelivery are what VPC Flow Logs needs of its role: write streams in
// the log group, and check that the group and its streams exist.
var flowLogDelivery = []string{
	"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams",
}

// flowLog records the VPC's traffic in a CloudWatch log group kept
// f.RetentionDays (Security Hub EC2.6), delivered through a role that VPC Flow
// Logs of this account only may assume and that may write to that group only.
func flowLog(ctx *pulumi.Context, name string, c *Network, vpcID pulumi.IDOutput, namePrefix string,
	f FlowLogSettings) (*cloudwatch.LogGroup, error) {
	parent := pulumi.Parent(c)
	logs, err := cloudwatch.NewLogGroup(ctx, name+"-flow-logs", &cloudwatch.LogGroupArgs{
		Name:            pulumi.String(FlowLogGroupName(namePrefix)),
		RetentionInDays: pulumi.Int(f.RetentionDays),
	}, parent)
	if err != nil {
		return nil, err
	}
	account := aws.GetCallerIdentityOutput(ctx, aws.GetCallerIdentityOutputArgs{}, parent).AccountId()
	// Another account's flow log cannot deliver through this role.
	role, err := awsiam.NewServiceRole(ctx, name+"-flow-logs-role", "vpc-flow-logs.amazonaws.com",
		"VPC Flow Logs delivery to "+FlowLogGroupName(namePrefix), parent, awsiam.SourceAccount(account))
	if err != nil {
		return nil, err
	}
	streams := logs.Arn.ApplyT(func(arn string) string { return arn + ":log-stream:*" }).(pulumi.StringOutput)
	policy, err := awsiam.NewRolePolicy(ctx, name+"-flow-logs-delivery", role.Name,
		iam.GetPolicyDocumentStatementArray{iam.GetPolicyDocumentStatementArgs{
			Actions:   pulumi.ToStringArray(flowLogDelivery),
			Resources: pulumi.StringArray{logs.Arn, streams},
		}}, parent)
	if err != nil {
		return nil, err
	}
	// The role must be able to write before the first delivery is attempted.
	_, err = ec2.NewFlowLog(ctx, name+"-flow-log", &ec2.FlowLogArgs{
		VpcId:                  vpcID,
		TrafficType:            pulumi.String(f.TrafficType),
		LogDestinationType:     pulumi.String("cloud-watch-logs"),
		LogDestination:         logs.Arn,
		IamRoleArn:             role.Arn,
		MaxAggregationInterval: pulumi.Int(600),
		Tags:                   pulumi.StringMap{"Name": pulumi.String(namePrefix + "-flow-log")},
	}, parent, pulumi.DependsOn([]pulumi.Resource{policy}))
	if err != nil {
		return nil, err
	}
	return logs, nil
}
