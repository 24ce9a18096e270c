package bastion_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/bastion"
	"github.com/np-mrd/article-pipeline-infra/internal/mock"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ssm"
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
	parameterType  = "aws:ssm/parameter:Parameter"
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

// run declares the bastion and records its outputs in a parameter's tags, so the
// test reads them from the recorder.
func run(t *testing.T, args *bastion.Args) *mock.Monitor {
	t.Helper()
	m, err := mock.Run(mock.Options{Stack: "prod"}, func(ctx *pulumi.Context) error {
		b, err := bastion.NewBastion(ctx, "bastion", args)
		if err != nil {
			return err
		}
		_, err = ssm.NewParameter(ctx, "outputs", &ssm.ParameterArgs{
			Type:  pulumi.String("String"),
			Value: b.TunnelCommand,
			Tags: pulumi.StringMap{
				"instanceId":      b.InstanceID.ToStringOutput(),
				"securityGroupId": b.SecurityGroupID.ToStringOutput(),
			},
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func wantInputs(t *testing.T, r *mock.Resource, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if got := r.Input(k); !reflect.DeepEqual(got, v) {
			t.Errorf("%s %s.%s = %#v, want %#v", r.Type, r.Name, k, got, v)
		}
	}
}

func TestBastion(t *testing.T) {
	t.Parallel()
	b := bastion.Defaults()
	b.Enabled = true
	m := run(t, argsFrom(b))

	inst := m.MustFind(t, instanceType, "bastion-instance")
	sg := m.MustFind(t, sgType, "bastion-sg")
	profile := m.MustFind(t, profileType, "bastion-profile")
	wantInputs(t, inst, map[string]any{
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
	wantInputs(t, sg, map[string]any{"vpcId": "vpc-0123456789abcdef0", "ingress": nil, "egress": nil})
	if got := m.OfType(ingressType); len(got) != 0 {
		t.Errorf("%d ingress rules, want none", len(got))
	}
	if got := m.OfType(egressType); len(got) != 2 {
		t.Errorf("%d egress rules, want 2", len(got))
	}
	wantInputs(t, m.MustFind(t, egressType, "bastion-https-out"), map[string]any{"securityGroupId": sg.ID,
		"ipProtocol": "tcp", "fromPort": 443.0, "toPort": 443.0, "cidrIpv4": "0.0.0.0/0"})
	wantInputs(t, m.MustFind(t, egressType, "bastion-database-out"), map[string]any{"securityGroupId": sg.ID,
		"ipProtocol": "tcp", "fromPort": 5432.0, "toPort": 5432.0, "referencedSecurityGroupId": "sg-database",
		"cidrIpv4": nil})

	role := m.MustFind(t, roleType, "bastion-role")
	var trust struct {
		Statement []struct{ Principal map[string]string }
	}
	if err := json.Unmarshal([]byte(role.Input("assumeRolePolicy").(string)), &trust); err != nil {
		t.Fatal(err)
	}
	if len(trust.Statement) != 1 || trust.Statement[0].Principal["Service"] != "ec2.amazonaws.com" {
		t.Errorf("trust policy = %s", role.Input("assumeRolePolicy"))
	}
	roleName := mock.Plain(role.Outputs["name"], false)
	wantInputs(t, m.MustFind(t, attachmentType, "bastion-ssm-policy"), map[string]any{
		"policyArn": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore", "role": roleName})
	wantInputs(t, profile, map[string]any{"role": roleName})

	out := m.MustFind(t, parameterType, "outputs")
	want := "aws ssm start-session --region us-west-2 --target " + inst.ID +
		" --document-name AWS-StartPortForwardingSessionToRemoteHost --parameters host=" + dbAddress +
		",portNumber=5432,localPortNumber=5432"
	if got := out.Input("value"); got != want {
		t.Errorf("tunnel command = %q\nwant %q", got, want)
	}
	tags := out.Input("tags").(map[string]any)
	if tags["instanceId"] != inst.ID || tags["securityGroupId"] != sg.ID {
		t.Errorf("outputs = %v", tags)
	}

	comp := m.MustFind(t, componentType, "bastion")
	for _, r := range m.Resources() {
		if r.Type != componentType && r.Type != parameterType && r.Type != "pulumi:pulumi:Stack" &&
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
	if got := m.MustFind(t, parameterType, "outputs").Input("value").(string); !strings.HasSuffix(got,
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
	cases := []struct {
		name    string
		edit    func(a *bastion.Args)
		wantErr string
	}{
		{"nil", nil, `bastion "bastion": args are required`},
		{"no subnet", func(a *bastion.Args) { a.SubnetID = nil }, "SubnetID is required"},
		{"no database group", func(a *bastion.Args) { a.DatabaseSecurityGroupID = nil },
			"DatabaseSecurityGroupID is required"},
		{"no address", func(a *bastion.Args) { a.DatabaseAddress = nil }, "DatabaseAddress is required"},
		{"database port", func(a *bastion.Args) { a.DatabasePort = 0 }, "DatabasePort 0 is out of range"},
		// The settings' own rules (settings_test.go) run before anything is declared.
		{"a settings rule", func(a *bastion.Args) { a.InstanceType = "nano" },
			`bastion.instanceType: "nano" is not an EC2 instance type`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mock.Rejects(t, tc.wantErr, func(ctx *pulumi.Context) error {
				var args *bastion.Args
				if tc.edit != nil {
					args = argsFrom(bastion.Defaults())
					tc.edit(args)
				}
				_, err := bastion.NewBastion(ctx, "bastion", args)
				return err
			})
		})
	}
}
