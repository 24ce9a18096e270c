// Package bastion owns the tunnel host that replaces the runbook's OpenVPN EC2
// instance (SSH open to the world, a key pair on someone's laptop): a tiny
// Amazon Linux instance reached only through SSM Session Manager, with no inbound
// rules and no key pair. It takes a public subnet and the database's security
// group and address, and returns the instance ID, its security group (which the
// database must admit) and the exact port-forward command.
package bastion

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ssm"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/internal/awsiam"
	"github.com/np-mrd/article-pipeline-infra/internal/component"
	"github.com/np-mrd/article-pipeline-infra/internal/sgrule"
)

const typeToken = "article-pipeline:bastion:Bastion"

// The latest Amazon Linux 2023 AMIs, from AWS's public SSM parameters; the SSM
// agent is preinstalled.
const (
	amiParameterX86   = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
	amiParameterArm64 = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"
)

// Args configure NewBastion: the stack's Settings plus where the database is.
type Args struct {
	Settings
	// VpcID is the VPC of the database.
	VpcID pulumi.StringInput
	// SubnetID is a public subnet: without NAT or interface endpoints, the SSM
	// agent reaches Systems Manager through the internet gateway.
	SubnetID pulumi.StringInput
	// DatabaseSecurityGroupID is the only place the bastion may connect to besides
	// HTTPS; the database must admit SecurityGroupID in return.
	DatabaseSecurityGroupID pulumi.StringInput
	// DatabaseAddress and DatabasePort are the tunnel's remote end.
	DatabaseAddress pulumi.StringInput
	DatabasePort    int
	// NameTag, if set, is the instance's Name tag (the console shows it).
	NameTag string
}

// Bastion is the tunnel host component.
type Bastion struct {
	pulumi.ResourceState

	// InstanceID is the EC2 instance ID (the Session Manager target).
	InstanceID pulumi.IDOutput `pulumi:"instanceId"`
	// SecurityGroupID is the bastion's security group, to be admitted by the database.
	SecurityGroupID pulumi.IDOutput `pulumi:"securityGroupId"`
	// TunnelCommand opens a local port forward to the database (AWS CLI with the
	// Session Manager plugin).
	TunnelCommand pulumi.StringOutput `pulumi:"tunnelCommand"`
}

var (
	// Graviton families carry a "g" after the generation: t4g, m7g, c7gn, r8g.
	gravitonPattern = regexp.MustCompile(`^[a-z]+[0-9]+g[a-z]*\.`)
)

// check rejects args that would declare a broken bastion: the settings' own
// rules, and what only the wiring can get wrong. Its error names the bastion.
func (a *Args) check(name string) error {
	if a == nil {
		return fmt.Errorf("bastion %q: args are required", name)
	}
	errs := []error{a.Settings.Validate(name)}
	bad := func(format string, v ...any) { errs = append(errs, fmt.Errorf(format, v...)) }
	if a.VpcID == nil {
		bad("VpcID is required")
	}
	if a.SubnetID == nil {
		bad("SubnetID is required")
	}
	if a.DatabaseSecurityGroupID == nil {
		bad("DatabaseSecurityGroupID is required")
	}
	if a.DatabaseAddress == nil {
		bad("DatabaseAddress is required")
	}
	if a.DatabasePort <= 0 || a.DatabasePort > 65535 {
		bad("DatabasePort %d is out of range", a.DatabasePort)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("bastion %q: %w", name, err)
	}
	return nil
}

// AMIParameter is the public SSM parameter naming the latest Amazon Linux 2023
// AMI for the instance type's architecture.
func AMIParameter(instanceType string) string {
	if gravitonPattern.MatchString(instanceType) {
		return amiParameterArm64
	}
	return amiParameterX86
}

// TunnelCommand is the AWS CLI command that forwards localPort on the operator's
// machine to host:port through the instance.
func TunnelCommand(instanceID, region, host string, port, localPort int) string {
	return "aws ssm start-session --region " + region + " --target " + instanceID +
		" --document-name AWS-StartPortForwardingSessionToRemoteHost --parameters host=" + host +
		",portNumber=" + strconv.Itoa(port) + ",localPortNumber=" + strconv.Itoa(localPort)
}

// NewBastion declares the bastion. Bad args declare nothing.
func NewBastion(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Bastion, error) {
	c, parent, err := component.New[Bastion](ctx, typeToken, name, args.check(name), opts...)
	if err != nil {
		return nil, err
	}

	// No ingress at all (Session Manager connects outwards); out only to HTTPS
	// (Systems Manager, package repositories) and to the database port.
	sg, err := sgrule.NewGroup(ctx, name+"-sg", args.VpcID,
		"SSM-managed database tunnel: no inbound, HTTPS and PostgreSQL out", "", parent)
	if err != nil {
		return nil, fmt.Errorf("bastion %q: security group: %w", name, err)
	}
	https := sgrule.TCP{Group: sg.ID(), Description: "HTTPS to Systems Manager", Port: 443, CIDR: "0.0.0.0/0"}
	if _, err := sgrule.Egress(ctx, name+"-https-out", https, parent); err != nil {
		return nil, fmt.Errorf("bastion %q: https egress: %w", name, err)
	}
	database := sgrule.TCP{Group: sg.ID(), Description: "PostgreSQL to the database", Port: args.DatabasePort,
		Peer: args.DatabaseSecurityGroupID}
	if _, err := sgrule.Egress(ctx, name+"-database-out", database, parent); err != nil {
		return nil, fmt.Errorf("bastion %q: database egress: %w", name, err)
	}

	role, err := awsiam.NewServiceRole(ctx, name+"-role", "ec2.amazonaws.com",
		"Session Manager for the database tunnel host", parent)
	if err != nil {
		return nil, fmt.Errorf("bastion %q: role: %w", name, err)
	}
	attachment, err := awsiam.AttachManagedPolicy(ctx, name+"-ssm-policy", role, "AmazonSSMManagedInstanceCore", parent)
	if err != nil {
		return nil, fmt.Errorf("bastion %q: role policy: %w", name, err)
	}
	profile, err := iam.NewInstanceProfile(ctx, name+"-profile", &iam.InstanceProfileArgs{Role: role.Name}, parent)
	if err != nil {
		return nil, fmt.Errorf("bastion %q: instance profile: %w", name, err)
	}

	ami := ssm.LookupParameterOutput(ctx, ssm.LookupParameterOutputArgs{
		Name: pulumi.String(AMIParameter(args.InstanceType)),
	}, parent)
	var tags pulumi.StringMap
	if args.NameTag != "" {
		tags = pulumi.StringMap{"Name": pulumi.String(args.NameTag)}
	}
	instance, err := ec2.NewInstance(ctx, name+"-instance", &ec2.InstanceArgs{
		Ami:                      ami.InsecureValue(),
		InstanceType:             pulumi.String(args.InstanceType),
		SubnetId:                 args.SubnetID,
		VpcSecurityGroupIds:      pulumi.StringArray{sg.ID().ToStringOutput()},
		AssociatePublicIpAddress: pulumi.Bool(true), // the only way out without NAT
		IamInstanceProfile:       profile.Name,
		MetadataOptions: ec2.InstanceMetadataOptionsArgs{
			HttpEndpoint:            pulumi.String("enabled"),
			HttpTokens:              pulumi.String("required"), // IMDSv2 only (Security Hub EC2.8)
			HttpPutResponseHopLimit: pulumi.Int(1),
		},
		RootBlockDevice: ec2.InstanceRootBlockDeviceArgs{
			Encrypted:  pulumi.Bool(true), // Security Hub EC2.3
			VolumeType: pulumi.String("gp3"),
		},
		Tags: tags,
	}, parent, pulumi.DependsOn([]pulumi.Resource{attachment}),
		// A new AMI release must not replace the host under an open tunnel; replace
		// it on purpose with `pulumi up --replace`.
		pulumi.IgnoreChanges([]string{"ami"}))
	if err != nil {
		return nil, fmt.Errorf("bastion %q: instance: %w", name, err)
	}

	region := aws.GetRegionOutput(ctx, aws.GetRegionOutputArgs{}, parent).Name()
	c.InstanceID = instance.ID()
	c.SecurityGroupID = sg.ID()
	c.TunnelCommand = pulumi.All(instance.ID(), region, args.DatabaseAddress).ApplyT(func(v []any) string {
		return TunnelCommand(string(v[0].(pulumi.ID)), v[1].(string), v[2].(string), args.DatabasePort, args.LocalPort)
	}).(pulumi.StringOutput)
	return c, component.RegisterOutputs(ctx, c)
}
