package vpc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/internal/mock"
)

// runbookArgs is the runbook's "VPC and more" console form.
func runbookArgs() *Args {
	a := &Args{Settings: Defaults(), Region: "us-west-2"}
	a.AvailabilityZones = []string{"us-west-2a", "us-west-2b"}
	return a
}

func declare(t *testing.T, args *Args) (*mock.Monitor, *mock.Outputs) {
	t.Helper()
	return mock.Declare(t, mock.Options{}, NewNetwork, "network", args)
}

func TestRunbookVPC(t *testing.T) {
	t.Parallel()
	m, _ := declare(t, runbookArgs())

	vpc := m.MustFind(t, "aws:ec2/vpc:Vpc", "network-vpc")
	for k, want := range map[string]any{
		"cidrBlock": "10.0.0.0/16", "enableDnsHostnames": true, "enableDnsSupport": true,
		"instanceTenancy": "default",
	} {
		if got := vpc.Input(k); got != want {
			t.Errorf("vpc %s = %v, want %v", k, got, want)
		}
	}
	if got := vpc.Input("assignGeneratedIpv6CidrBlock"); got != nil {
		t.Errorf("vpc asks for IPv6 (%v); the runbook has none", got)
	}
	if got := vpc.Input("tags").(map[string]any)["Name"]; got != "np-deposition-vpc" {
		t.Errorf("vpc Name tag = %v", got)
	}

	subnets := []struct{ name, cidr, zone, nameTag string }{
		{"network-public-1", "10.0.2.0/24", "us-west-2a", "np-deposition-subnet-public1-us-west-2a"},
		{"network-public-2", "10.0.0.0/24", "us-west-2b", "np-deposition-subnet-public2-us-west-2b"},
		{"network-private-1", "10.0.3.0/24", "us-west-2a", "np-deposition-subnet-private1-us-west-2a"},
		{"network-private-2", "10.0.1.0/24", "us-west-2b", "np-deposition-subnet-private2-us-west-2b"},
	}
	for _, s := range subnets {
		r := m.MustFind(t, "aws:ec2/subnet:Subnet", s.name)
		if r.Input("cidrBlock") != s.cidr || r.Input("availabilityZone") != s.zone {
			t.Errorf("%s: cidr %v zone %v, want %s %s", s.name, r.Input("cidrBlock"), r.Input("availabilityZone"), s.cidr, s.zone)
		}
		if r.Input("mapPublicIpOnLaunch") != false {
			t.Errorf("%s: mapPublicIpOnLaunch = %v, want false (EC2.15)", s.name, r.Input("mapPublicIpOnLaunch"))
		}
		if got := r.Input("tags").(map[string]any)["Name"]; got != s.nameTag {
			t.Errorf("%s: Name tag %v, want %s", s.name, got, s.nameTag)
		}
	}
	if n := len(m.OfType("aws:ec2/subnet:Subnet")); n != 4 {
		t.Errorf("%d subnets, want 4", n)
	}

	// No NAT anywhere, and exactly one route to the internet: the public table's.
	m.WantNone(t, "(the runbook has no NAT gateways)", "aws:ec2/natGateway:NatGateway", "aws:ec2/eip:Eip")
	routes := m.OfType("aws:ec2/route:Route")
	if len(routes) != 1 {
		t.Fatalf("%d routes, want 1 (public default route)", len(routes))
	}
	publicRT := m.MustFind(t, "aws:ec2/routeTable:RouteTable", "network-public-rt")
	igw := m.MustFind(t, "aws:ec2/internetGateway:InternetGateway", "network-igw")
	if r := routes[0]; r.Input("destinationCidrBlock") != "0.0.0.0/0" || r.Input("gatewayId") != igw.ID ||
		r.Input("routeTableId") != publicRT.ID {
		t.Errorf("default route = %v", r.Inputs)
	}
	for _, rt := range m.OfType("aws:ec2/routeTable:RouteTable") {
		if rt.Input("routes") != nil {
			t.Errorf("route table %s has inline routes %v", rt.Name, rt.Input("routes"))
		}
	}

	// Each subnet is associated with the right table.
	assoc := map[string]string{}
	for _, a := range m.OfType("aws:ec2/routeTableAssociation:RouteTableAssociation") {
		assoc[a.Name] = a.Input("routeTableId").(string)
	}
	for i := 1; i <= 2; i++ {
		if got := assoc[fmt.Sprintf("network-public-%d", i)]; got != publicRT.ID {
			t.Errorf("public subnet %d uses %s, want the public table", i, got)
		}
		priv := m.MustFind(t, "aws:ec2/routeTable:RouteTable", fmt.Sprintf("network-private-%d", i))
		if got := assoc[fmt.Sprintf("network-private-%d", i)]; got != priv.ID {
			t.Errorf("private subnet %d uses %s, want its own private table", i, got)
		}
	}

	ep := m.MustFind(t, "aws:ec2/vpcEndpoint:VpcEndpoint", "network-s3")
	if ep.Input("serviceName") != "com.amazonaws.us-west-2.s3" || ep.Input("vpcEndpointType") != "Gateway" {
		t.Errorf("s3 endpoint = %v", ep.Inputs)
	}
	if got := len(ep.Input("routeTableIds").([]any)); got != 3 {
		t.Errorf("s3 endpoint on %d route tables, want 3 (public + 2 private)", got)
	}

	sg := m.MustFind(t, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "network-default-sg")
	if sg.Input("ingress") != nil || sg.Input("egress") != nil {
		t.Errorf("default security group keeps rules: %v", sg.Inputs)
	}
	if sg.Input("vpcId") != vpc.ID {
		t.Errorf("default SG is for %v, want %s", sg.Input("vpcId"), vpc.ID)
	}

	// Every child hangs off the component; the component registers its outputs.
	for _, r := range m.Resources() {
		if r.Type != typeToken && !strings.Contains(r.ParentURN, typeToken) {
			t.Errorf("%s %s is not parented to the network", r.Type, r.Name)
		}
	}
	if got := m.OutputsRegistered(); got != 2 {
		t.Errorf("RegisterResourceOutputs called %d times, want 2 (component + stack)", got)
	}
}

// TestFlowLog: the VPC's traffic goes to a log group kept 30 days, through a
// role that only VPC Flow Logs of this account may assume and that may write
// to that group only.
func TestFlowLog(t *testing.T) {
	t.Parallel()
	m, _ := declare(t, runbookArgs())
	vpc := m.MustFind(t, "aws:ec2/vpc:Vpc", "network-vpc")
	group := m.MustFind(t, "aws:cloudwatch/logGroup:LogGroup", "network-flow-logs")
	if group.Input("name") != "/aws/vpc/flow-logs/np-deposition" || group.Input("retentionInDays") != 30.0 {
		t.Errorf("log group = %v", group.Inputs)
	}
	groupARN := "arn:aws:logs:us-west-2:123456789012:log-group:/aws/vpc/flow-logs/np-deposition"
	role := m.MustFind(t, "aws:iam/role:Role", "network-flow-logs-role")
	fl := m.MustFind(t, "aws:ec2/flowLog:FlowLog", "network-flow-log")
	for k, want := range map[string]any{
		"vpcId": vpc.ID, "trafficType": "ALL", "logDestinationType": "cloud-watch-logs", "logDestination": groupARN,
		"iamRoleArn": role.Outputs["arn"].StringValue(), "maxAggregationInterval": 600.0,
	} {
		if got := fl.Input(k); got != want {
			t.Errorf("flow log %s = %v, want %v", k, got, want)
		}
	}
	wantTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":` +
		`"vpc-flow-logs.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":` +
		`{"aws:SourceAccount":"123456789012"}}}]}`
	if got := compact(t, role.Input("assumeRolePolicy")); got != wantTrust {
		t.Errorf("trust = %s\nwant %s", got, wantTrust)
	}
	wantPolicy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream",` +
		`"logs:PutLogEvents","logs:DescribeLogGroups","logs:DescribeLogStreams"],"Resource":["` + groupARN +
		`","` + groupARN + `:log-stream:*"]}]}`
	policy := m.MustFind(t, "aws:iam/rolePolicy:RolePolicy", "network-flow-logs-delivery")
	if got := compact(t, policy.Input("policy")); got != wantPolicy {
		t.Errorf("delivery policy = %s\nwant %s", got, wantPolicy)
	}
	if !slices.Contains(fl.DependsOn, policy.URN) {
		t.Errorf("the flow log does not wait for its role's policy: %v", fl.DependsOn)
	}
}

// compact removes the indentation of a rendered policy document.
func compact(t *testing.T, v any) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(v.(string))); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestOptionalParts(t *testing.T) {
	t.Parallel()
	args := runbookArgs()
	args.S3GatewayEndpoint, args.LockDefaultSecurityGroup, args.FlowLogs.Enabled = false, false, false
	m, _ := declare(t, args)
	if m.Find("aws:ec2/flowLog:FlowLog", "network-flow-log") != nil ||
		m.Find("aws:cloudwatch/logGroup:LogGroup", "network-flow-logs") != nil {
		t.Error("flow log declared although switched off")
	}
	if m.Find("aws:ec2/vpcEndpoint:VpcEndpoint", "network-s3") != nil {
		t.Error("S3 endpoint declared although switched off")
	}
	if m.Find("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "network-default-sg") != nil {
		t.Error("default SG managed although switched off")
	}
}

func TestAdoptImportsEveryPart(t *testing.T) {
	t.Parallel()
	args := runbookArgs()
	args.ProtectImported = true
	args.Import = &ImportIDs{
		VpcID: "vpc-0abc", InternetGatewayID: "igw-0abc", PublicRouteTableID: "rtb-0pub",
		PublicSubnetIDs:      []string{"subnet-0pa", "subnet-0pb"},
		PrivateSubnetIDs:     []string{"subnet-0qa", "subnet-0qb"},
		PrivateRouteTableIDs: []string{"rtb-0qa", "rtb-0qb"},
	}
	m, _ := declare(t, args)
	want := []struct{ typ, name, id string }{
		{"aws:ec2/vpc:Vpc", "network-vpc", "vpc-0abc"},
		{"aws:ec2/internetGateway:InternetGateway", "network-igw", "igw-0abc"},
		{"aws:ec2/routeTable:RouteTable", "network-public-rt", "rtb-0pub"},
		{"aws:ec2/route:Route", "network-public-internet", "rtb-0pub_0.0.0.0/0"},
		{"aws:ec2/subnet:Subnet", "network-public-1", "subnet-0pa"},
		{"aws:ec2/subnet:Subnet", "network-private-2", "subnet-0qb"},
		{"aws:ec2/routeTable:RouteTable", "network-private-1", "rtb-0qa"},
		{"aws:ec2/routeTableAssociation:RouteTableAssociation", "network-public-2", "subnet-0pb/rtb-0pub"},
		{"aws:ec2/routeTableAssociation:RouteTableAssociation", "network-private-2", "subnet-0qb/rtb-0qb"},
	}
	for _, w := range want {
		if r := m.MustFind(t, w.typ, w.name); r.ImportID != w.id || !r.Protect {
			t.Errorf("%s %s import ID = %q (protected %v), want %q, protected", w.typ, w.name, r.ImportID, r.Protect, w.id)
		}
	}
	// The endpoint and the default-SG lockdown are new, never imported.
	if r := m.MustFind(t, "aws:ec2/vpcEndpoint:VpcEndpoint", "network-s3"); r.ImportID != "" || r.Protect {
		t.Errorf("endpoint imported as %q (protected %v)", r.ImportID, r.Protect)
	}
}

func TestBadArgsDeclareNothing(t *testing.T) {
	t.Parallel()
	mock.RejectsBadArgs(t, NewNetwork, "network", runbookArgs, []mock.BadArgs[Args]{
		{Name: "nil", WantErr: "args are required"},
		{Name: "one zone", Edit: func(a *Args) { a.AvailabilityZones = a.AvailabilityZones[:1] },
			WantErr: "1 availability zones for 2 subnet pairs"},
		{Name: "uneven", Edit: func(a *Args) { a.PrivateSubnets = a.PrivateSubnets[:1] }, WantErr: "one of each per zone"},
		{Name: "partial import", Edit: func(a *Args) { a.Import = &ImportIDs{VpcID: "vpc-1"} },
			WantErr: `network.import.internetGatewayId: "" is not a igw ID`},
	})
}
