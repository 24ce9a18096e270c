// Package sgrule declares security groups and their rules the way every
// component writes them: a group has no inline rules, and each rule is its
// own resource that opens TCP on one port, from (ingress) or to (egress)
// either a CIDR block or another security group.
package sgrule

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	// awsvpc: in this project, vpc is the network component.
	awsvpc "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// NewGroup declares the security group name in the VPC vpcID, with no
// rules: a group that also had inline rules would fight its separate rule
// resources on every update, and the provider removes AWS's default
// allow-all egress, so the group allows only what its rules add. nameTag,
// when not "", is the group's Name tag.
func NewGroup(ctx *pulumi.Context, name string, vpcID pulumi.StringInput, description, nameTag string,
	opts ...pulumi.ResourceOption) (*ec2.SecurityGroup, error) {
	args := &ec2.SecurityGroupArgs{VpcId: vpcID, Description: pulumi.String(description)}
	if nameTag != "" {
		args.Tags = pulumi.StringMap{"Name": pulumi.String(nameTag)}
	}
	return ec2.NewSecurityGroup(ctx, name, args, opts...)
}

// TCP is one rule of the security group Group: TCP on Port, from or to CIDR
// or the security group Peer (one of them).
type TCP struct {
	Group       pulumi.StringInput
	Description string
	Port        int
	CIDR        string
	Peer        pulumi.StringInput
}

// Ingress declares r as the ingress rule name.
func Ingress(ctx *pulumi.Context, name string, r TCP, opts ...pulumi.ResourceOption) (*awsvpc.SecurityGroupIngressRule,
	error) {
	return awsvpc.NewSecurityGroupIngressRule(ctx, name, r.args(), opts...)
}

// Egress declares r as the egress rule name.
func Egress(ctx *pulumi.Context, name string, r TCP, opts ...pulumi.ResourceOption) (*awsvpc.SecurityGroupEgressRule,
	error) {
	// The provider's egress and ingress rules take the same fields.
	args := awsvpc.SecurityGroupEgressRuleArgs(*r.args())
	return awsvpc.NewSecurityGroupEgressRule(ctx, name, &args, opts...)
}

func (r TCP) args() *awsvpc.SecurityGroupIngressRuleArgs {
	args := &awsvpc.SecurityGroupIngressRuleArgs{
		SecurityGroupId:           r.Group,
		Description:               pulumi.String(r.Description),
		IpProtocol:                pulumi.String("tcp"),
		FromPort:                  pulumi.Int(r.Port),
		ToPort:                    pulumi.Int(r.Port),
		ReferencedSecurityGroupId: r.Peer,
	}
	if r.CIDR != "" {
		args.CidrIpv4 = pulumi.String(r.CIDR)
	}
	return args
}
