// Package vpc owns the network the runbook builds with the console's "VPC and
// more" wizard: one VPC, a public and a private subnet per availability zone, an
// internet gateway with one public route table, one private route table per zone
// with no route to the internet, and no NAT gateway. It adds the runbook's own
// suggested S3 gateway endpoint and locks the default security group (EC2.2).
package vpc

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/internal/adopt"
	"github.com/np-mrd/article-pipeline-infra/internal/component"
)

const typeToken = "article-pipeline:vpc:Network"

// Args is the network's layout: the stack's Settings, with AvailabilityZones
// resolved (one per subnet pair), plus what the stack around it decides.
type Args struct {
	Settings
	// Region names the S3 gateway endpoint's service (com.amazonaws.REGION.s3).
	Region string
	// Import adopts an existing VPC (IDs of every part), or is nil to create one.
	Import *ImportIDs
	// ProtectImported protects every adopted part: the running deployment sits
	// in them, so Pulumi must never delete them. Adopted parts are retained on
	// delete either way.
	ProtectImported bool
	// Keep is article-pipeline:adopt.keep: the properties each imported part
	// leaves as it is.
	Keep adopt.Keep
}

// The type tokens of the parts an adoption imports.
const (
	vpcType         = "aws:ec2/vpc:Vpc"
	gatewayType     = "aws:ec2/internetGateway:InternetGateway"
	routeTableType  = "aws:ec2/routeTable:RouteTable"
	routeType       = "aws:ec2/route:Route"
	subnetType      = "aws:ec2/subnet:Subnet"
	associationType = "aws:ec2/routeTableAssociation:RouteTableAssociation"
)

// Imported lists the parts NewNetwork named name imports for ids with zones
// subnet pairs (for the keep list's check): the VPC, the gateway, the public
// route table and its internet route, and per zone the subnets, the private
// route table and the associations.
func Imported(name string, ids *ImportIDs, zones int) []adopt.Resource {
	if ids == nil {
		return nil
	}
	out := []adopt.Resource{
		adopt.Of(vpcType, name+"-vpc", ec2.VpcArgs{}),
		adopt.Of(gatewayType, name+"-igw", ec2.InternetGatewayArgs{}),
		adopt.Of(routeTableType, name+"-public-rt", ec2.RouteTableArgs{}),
		adopt.Of(routeType, name+"-public-internet", ec2.RouteArgs{}),
	}
	for n := 1; n <= zones; n++ {
		for _, kind := range []string{"public", "private"} {
			child := fmt.Sprintf("%s-%s-%d", name, kind, n)
			out = append(out, adopt.Of(subnetType, child, ec2.SubnetArgs{}),
				adopt.Of(associationType, child, ec2.RouteTableAssociationArgs{}))
			if kind == "private" {
				out = append(out, adopt.Of(routeTableType, child, ec2.RouteTableArgs{}))
			}
		}
	}
	return out
}

// Network is the VPC component.
type Network struct {
	pulumi.ResourceState

	VpcID                pulumi.IDOutput          `pulumi:"vpcId"`
	VpcCIDR              pulumi.StringOutput      `pulumi:"vpcCidr"`
	PublicSubnetIDs      pulumi.StringArrayOutput `pulumi:"publicSubnetIds"`
	PrivateSubnetIDs     pulumi.StringArrayOutput `pulumi:"privateSubnetIds"`
	PublicRouteTableID   pulumi.IDOutput          `pulumi:"publicRouteTableId"`
	PrivateRouteTableIDs pulumi.StringArrayOutput `pulumi:"privateRouteTableIds"`
	// FlowLogGroupName is the flow log's log group ("" without a flow log).
	FlowLogGroupName pulumi.StringOutput `pulumi:"flowLogGroupName"`
}

// check rejects args the settings' rules or the program's wiring make
// unusable: zones must be resolved, one per subnet pair.
func (a *Args) check(name string) error {
	if a == nil {
		return errors.New("vpc: args are required")
	}
	errs := []error{a.Settings.Validate(name)}
	if n := len(a.AvailabilityZones); n < 2 || n != len(a.PublicSubnets) {
		errs = append(errs, fmt.Errorf("vpc: %d availability zones for %d subnet pairs; resolve one zone per pair",
			n, len(a.PublicSubnets)))
	}
	if a.S3GatewayEndpoint && a.Region == "" {
		errs = append(errs, errors.New("vpc: Region is required for the S3 gateway endpoint"))
	}
	if a.Import != nil {
		errs = append(errs, a.Import.Validate(name+".import", len(a.AvailabilityZones)))
	}
	return errors.Join(errs...)
}

// NewNetwork declares the VPC and everything in it.
func NewNetwork(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Network, error) {
	c, parent, err := component.New[Network](ctx, typeToken, name, args.check(name), opts...)
	if err != nil {
		return nil, err
	}
	im := args.Import
	if im == nil {
		im = &ImportIDs{}
	}
	// child returns the options of one child: parented, and imported (retained,
	// protected as the stack says, with its kept properties) when an ID is known.
	child := func(typ, childName, importID string) []pulumi.ResourceOption {
		o := []pulumi.ResourceOption{parent}
		if importID != "" {
			o = append(o, adopt.Options(importID, args.ProtectImported, args.Keep, typ, childName)...)
		}
		return o
	}
	nameTag := func(suffix string) pulumi.StringMap {
		return pulumi.StringMap{"Name": pulumi.String(args.NamePrefix + "-" + suffix)}
	}
	at := func(ids []string, i int) string {
		if i < len(ids) {
			return ids[i]
		}
		return ""
	}

	vpc, err := ec2.NewVpc(ctx, name+"-vpc", &ec2.VpcArgs{
		CidrBlock:          pulumi.String(args.CIDR),
		EnableDnsHostnames: pulumi.Bool(true),
		EnableDnsSupport:   pulumi.Bool(true),
		InstanceTenancy:    pulumi.String("default"),
		Tags:               nameTag("vpc"),
	}, child(vpcType, name+"-vpc", im.VpcID)...)
	if err != nil {
		return nil, err
	}

	igw, err := ec2.NewInternetGateway(ctx, name+"-igw", &ec2.InternetGatewayArgs{
		VpcId: vpc.ID(),
		Tags:  nameTag("igw"),
	}, child(gatewayType, name+"-igw", im.InternetGatewayID)...)
	if err != nil {
		return nil, err
	}

	routeTable := func(childName, tag, importID string) (*ec2.RouteTable, error) {
		return ec2.NewRouteTable(ctx, childName, &ec2.RouteTableArgs{VpcId: vpc.ID(), Tags: nameTag(tag)},
			child(routeTableType, childName, importID)...)
	}
	// One public route table for every public subnet, as the wizard makes it.
	publicRT, err := routeTable(name+"-public-rt", "rtb-public", im.PublicRouteTableID)
	if err != nil {
		return nil, err
	}
	// A separate route resource (not inline routes) so the S3 endpoint's
	// prefix-list routes on the same table are not fought over.
	routeOpts := child(routeType, name+"-public-internet", "")
	if im.PublicRouteTableID != "" {
		routeOpts = child(routeType, name+"-public-internet", im.PublicRouteTableID+"_0.0.0.0/0")
	}
	if _, err := ec2.NewRoute(ctx, name+"-public-internet", &ec2.RouteArgs{
		RouteTableId:         publicRT.ID(),
		DestinationCidrBlock: pulumi.String("0.0.0.0/0"),
		GatewayId:            igw.ID(),
	}, routeOpts...); err != nil {
		return nil, err
	}

	var publicIDs, privateIDs, privateRTs pulumi.StringArray
	routeTableIDs := pulumi.StringArray{publicRT.ID().ToStringOutput()}
	for i, zone := range args.AvailabilityZones {
		n := i + 1
		// subnet declares the kind (public, private) subnet of the zone and its
		// association with rt; an imported subnet's association is imported
		// too (its ID is subnet/route table).
		subnet := func(kind, cidr, importID string, rt *ec2.RouteTable, rtImportID string) (*ec2.Subnet, error) {
			childName := fmt.Sprintf("%s-%s-%d", name, kind, n)
			s, err := ec2.NewSubnet(ctx, childName, &ec2.SubnetArgs{
				VpcId:            vpc.ID(),
				CidrBlock:        pulumi.String(cidr),
				AvailabilityZone: pulumi.String(zone),
				// EC2.15: nothing here needs an automatic public IP; the load balancer
				// does not, and tasks that need one ask for it themselves.
				MapPublicIpOnLaunch: pulumi.Bool(false),
				Tags:                nameTag(fmt.Sprintf("subnet-%s%d-%s", kind, n, zone)),
			}, child(subnetType, childName, importID)...)
			if err != nil {
				return nil, err
			}
			assocID := ""
			if importID != "" {
				assocID = importID + "/" + rtImportID
			}
			_, err = ec2.NewRouteTableAssociation(ctx, childName, &ec2.RouteTableAssociationArgs{
				SubnetId:     s.ID(),
				RouteTableId: rt.ID(),
			}, child(associationType, childName, assocID)...)
			return s, err
		}

		pub, err := subnet("public", args.PublicSubnets[i], at(im.PublicSubnetIDs, i), publicRT, im.PublicRouteTableID)
		if err != nil {
			return nil, err
		}
		// No NAT gateway (runbook: "NAT gateways: None"), so private route
		// tables carry only the local route and, below, the S3 endpoint.
		rt, err := routeTable(fmt.Sprintf("%s-private-%d", name, n), fmt.Sprintf("rtb-private%d-%s", n, zone),
			at(im.PrivateRouteTableIDs, i))
		if err != nil {
			return nil, err
		}
		priv, err := subnet("private", args.PrivateSubnets[i], at(im.PrivateSubnetIDs, i), rt,
			at(im.PrivateRouteTableIDs, i))
		if err != nil {
			return nil, err
		}
		publicIDs = append(publicIDs, pub.ID().ToStringOutput())
		privateIDs = append(privateIDs, priv.ID().ToStringOutput())
		privateRTs = append(privateRTs, rt.ID().ToStringOutput())
		routeTableIDs = append(routeTableIDs, rt.ID().ToStringOutput())
	}

	if args.S3GatewayEndpoint {
		// The runbook: "it would probably be better to setup a specialized s3
		// gateway". Free, and S3 traffic stays off the internet gateway.
		if _, err := ec2.NewVpcEndpoint(ctx, name+"-s3", &ec2.VpcEndpointArgs{
			VpcId:           vpc.ID(),
			ServiceName:     pulumi.String("com.amazonaws." + args.Region + ".s3"),
			VpcEndpointType: pulumi.String("Gateway"),
			RouteTableIds:   routeTableIDs,
			Tags:            nameTag("vpce-s3"),
		}, parent); err != nil {
			return nil, err
		}
	}

	if args.LockDefaultSecurityGroup {
		// EC2.2: adopting the default security group with no rules removes its
		// allow-all rules; nothing here uses it.
		if _, err := ec2.NewDefaultSecurityGroup(ctx, name+"-default-sg", &ec2.DefaultSecurityGroupArgs{
			VpcId: vpc.ID(),
			Tags:  nameTag("default-sg-locked"),
		}, parent); err != nil {
			return nil, err
		}
	}

	c.FlowLogGroupName = pulumi.String("").ToStringOutput()
	if args.FlowLogs.Enabled {
		logs, err := flowLog(ctx, name, c, vpc.ID(), args.NamePrefix, args.FlowLogs)
		if err != nil {
			return nil, fmt.Errorf("vpc: flow log: %w", err)
		}
		c.FlowLogGroupName = logs.Name
	}

	c.VpcID = vpc.ID()
	c.VpcCIDR = vpc.CidrBlock
	c.PublicSubnetIDs = publicIDs.ToStringArrayOutput()
	c.PrivateSubnetIDs = privateIDs.ToStringArrayOutput()
	c.PublicRouteTableID = publicRT.ID()
	c.PrivateRouteTableIDs = privateRTs.ToStringArrayOutput()
	return c, component.RegisterOutputs(ctx, c)
}
