package bastion_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/bastion"
	"github.com/np-mrd/article-pipeline-infra/internal/mock"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const (
	componentType  = "article-pipeline:bastion:Bastion"
	instanceType   = "aws:ec2/instance:Instance"
	sgType         = "aws:ec2/securityGroup:SecurityGroup"
	ingressType    = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
	egressType     = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
	roleType       = "aws:iam/role:Role"
	attachmentType = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	profileType    = "aws:iam/instanceProfile:InstanceProfile"
	dbAddress      = "article-pipeline-prod.cabc123def45.us-west-2.rds.amazonaws.com"
)

// argsFrom maps config to Args the way the program does.
func argsFrom(b bastion.Settings) *bastion.Args {
	return &bastion.Args{
		Settings:                b,
		VpcID:                   pulumi.String("vpc-0123456789abcdef0"),
		SubnetID:                pulumi.String("subnet-public-a"),
		DatabaseSecurityGroupID: pulumi.String("sg-database"),
		DatabaseAddress:         pulumi.String(dbAddress),
		DatabasePort:            5432,
		NameTag:                 "np-deposition-bastion",
	}
}

// declared is one run of the bastion: the monitor and the component's outputs.
type declared struct {
	*mock.Monitor
	outs *mock.Outputs
}

func run(t *testing.T, args *bastion.Args) declared {
	t.Helper()
	m, outs := mock.Declare(t, mock.Options{Stack: "prod"}, bastion.NewBastion, "bastion", args)
	return declared{m, outs}
}

func TestBastion(t *testing.T) {
	t.Parallel()
	b := bastion.Defaults()
	b.Enabled = true
	m := run(t, argsFrom(b))

	inst := m.MustFind(t, instanceType, "bastion-instance")
	sg := m.MustFind(t, sgType, "bastion-sg")
	profile := m.MustFind(t, profileType, "bastion-profile")
	inst.WantInputs(t, map[string]any{
		"instanceType":             "t3.nano",
		"subnetId":                 "subnet-public-a",
		"associatePublicIpAddress": true,
		"keyName":                  nil, // Session Manager only: no key pair
		"vpcSecurityGroupIds":      []any{sg.ID},
		"iamInstanceProfile":       mock.Plain(profile.Outputs["name"], false),
		"metadataOptions":          map[string]any{"httpEndpoint": "enabled", "httpTokens": "required", "httpPutResponseHopLimit": 1.0},
		"rootBlockDevice":          map[string]any{"encrypted": true, "volumeType": "gp3"},
		"tags":                     map[string]any{"Name": "np-deposition-bastion"},
	})
	if ami, _ := inst.Input("ami").(string); !strings.HasPrefix(ami, "ami-") {
		t.Errorf("ami = %q, want the AMI ID from the SSM parameter", ami)
	}
	if !reflect.DeepEqual(inst.IgnoreChanges, []string{"ami"}) {
		t.Errorf("ignoreChanges = %v, want [ami]", inst.IgnoreChanges)
	}

	// No inbound rule of any kind; out only to HTTPS and the database.
	sg.WantInputs(t, map[string]any{"vpcId": "vpc-0123456789abcdef0", "ingress": nil, "egress": nil})
	if got := m.OfType(ingressType); len(got) != 0 {
		t.Errorf("%d ingress rules, want none", len(got))
	}
	if got := m.OfType(egressType); len(got) != 2 {
		t.Errorf("%d egress rules, want 2", len(got))
	}
	m.MustFind(t, egressType, "bastion-https-out").WantInputs(t, map[string]any{"securityGroupId": sg.ID,
		"ipProtocol": "tcp", "fromPort": 443.0, "toPort": 443.0, "cidrIpv4": "0.0.0.0/0"})
	m.MustFind(t, egressType, "bastion-database-out").WantInputs(t, map[string]any{"securityGroupId": sg.ID,
		"ipProtocol": "tcp", "fromPort": 5432.0, "toPort": 5432.0, "referencedSecurityGroupId": "sg-database",
		"cidrIpv4": nil})

	role := m.MustFind(t, roleType, "bastion-role")
	trust := mock.ParsePolicy(t, "trust policy", role.Input("assumeRolePolicy")).Statement
	if len(trust) != 1 || trust[0].Principals("Service") != "ec2.amazonaws.com" {
		t.Errorf("trust policy = %s", role.Input("assumeRolePolicy"))
	}
	roleName := mock.Plain(role.Outputs["name"], false)
	m.MustFind(t, attachmentType, "bastion-ssm-policy").WantInputs(t, map[string]any{
		"policyArn": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore", "role": roleName})
	profile.WantInputs(t, map[string]any{"role": roleName})

	want := "aws ssm start-session --region us-west-2 --target " + inst.ID +
		" --document-name AWS-StartPortForwardingSessionToRemoteHost --parameters host=" + dbAddress +
		",portNumber=5432,localPortNumber=5432"
	if got := m.outs.String(t, "tunnelCommand"); got != want {
		t.Errorf("tunnel command = %q\nwant %q", got, want)
	}
	if outs := m.outs.Strings(t, "instanceId", "securityGroupId"); outs["instanceId"] != inst.ID ||
		outs["securityGroupId"] != sg.ID {
		t.Errorf("outputs = %v", outs)
	}

	comp := m.MustFind(t, componentType, "bastion")
	for _, r := range m.Resources() {
		if r.Type != componentType && r.Type != "pulumi:pulumi:Stack" &&
			r.ParentURN != comp.URN {
			t.Errorf("%s %s is not parented to the component", r.Type, r.Name)
		}
		if r.Protect {
			t.Errorf("%s %s is protected; the bastion holds no state", r.Type, r.Name)
		}
	}
	if got := m.OutputsRegistered(); got != 2 {
		t.Errorf("RegisterResourceOutputs called %d times, want 2", got)
	}
}

func TestAMIFollowsTheArchitecture(t *testing.T) {
	t.Parallel()
	for typ, want := range map[string]string{
		"t3.nano":    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
		"t3a.nano":   "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
		"t4g.nano":   "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
		"c7gn.large": "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
		"m5.large":   "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
	} {
		if got := bastion.AMIParameter(typ); got != want {
			t.Errorf("AMIParameter(%s) = %s, want %s", typ, got, want)
		}
	}
	// The program looks the parameter up (and the mock answers it).
	b := bastion.Defaults()
	b.InstanceType, b.LocalPort = "t4g.nano", 15432
	m := run(t, argsFrom(b))
	found := false
	for _, tok := range m.Invokes() {
		found = found || tok == "aws:ssm/getParameter:getParameter"
	}
	if !found {
		t.Error("the AMI was not looked up in SSM")
	}
	if got := m.outs.String(t, "tunnelCommand"); !strings.HasSuffix(got,
		",portNumber=5432,localPortNumber=15432") {
		t.Errorf("tunnel command = %q", got)
	}
	if v := m.MustFind(t, instanceType, "bastion-instance").Outputs[resource.PropertyKey("instanceType")]; v.StringValue() != "t4g.nano" {
		t.Errorf("instance type = %v", v)
	}
}

func TestTunnelCommand(t *testing.T) {
	t.Parallel()
	got := bastion.TunnelCommand("i-0123456789abcdef0", "us-west-2", dbAddress, 5432, 15432)
	want := "aws ssm start-session --region us-west-2 --target i-0123456789abcdef0 --document-name " +
		"AWS-StartPortForwardingSessionToRemoteHost --parameters host=" + dbAddress +
		",portNumber=5432,localPortNumber=15432"
	if got != want {
		t.Errorf("TunnelCommand = %q\nwant %q", got, want)
	}
}

func TestBadArgsDeclareNothing(t *testing.T) {
	t.Parallel()
	valid := func() *bastion.Args { return argsFrom(bastion.Defaults()) }
	mock.RejectsBadArgs(t, bastion.NewBastion, "bastion", valid, []mock.BadArgs[bastion.Args]{
		{Name: "nil", WantErr: `bastion "bastion": args are required`},
		{Name: "no subnet", Edit: func(a *bastion.Args) { a.SubnetID = nil }, WantErr: "SubnetID is required"},
		{Name: "no database group", Edit: func(a *bastion.Args) { a.DatabaseSecurityGroupID = nil },
			WantErr: "DatabaseSecurityGroupID is required"},
		{Name: "no address", Edit: func(a *bastion.Args) { a.DatabaseAddress = nil },
			WantErr: "DatabaseAddress is required"},
		{Name: "database port", Edit: func(a *bastion.Args) { a.DatabasePort = 0 },
			WantErr: "DatabasePort 0 is out of range"},
		// The settings' own rules (settings_test.go) run before anything is declared.
		{Name: "a settings rule", Edit: func(a *bastion.Args) { a.InstanceType = "nano" },
			WantErr: `bastion.instanceType: "nano" is not an EC2 instance type`},
	})
}
