// Package sgrule declares security group rules the way every component writes
// them: each rule is its own resource (never inline) and opens TCP on one
// port, from (ingress) or to (egress) either a CIDR block or another security
// group.
package sgrule

import (
	// awsvpc: in this project, vpc is the network component.
	awsvpc "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

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
