package adopt

import (
	"slices"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
)

func TestKeepKeys(t *testing.T) {
	t.Parallel()
	if got := ShortType("aws:ec2/routeTableAssociation:RouteTableAssociation"); got != "ec2/routeTableAssociation" {
		t.Errorf("ShortType = %q", got)
	}
	keep := Keep{"network-vpc": {"tags"}, "network-private-1 (ec2/subnet)": {"tags", "mapPublicIpOnLaunch"}}
	if got := keep.For("aws:ec2/subnet:Subnet", "network-private-1"); !slices.Equal(got,
		[]string{"mapPublicIpOnLaunch", "tags"}) {
		t.Errorf("For(subnet) = %v", got)
	}
	if got := keep.For("aws:ec2/routeTable:RouteTable", "network-private-1"); len(got) != 0 {
		t.Errorf("For(route table) = %v; the qualified entry names the subnet only", got)
	}
	imported := []Resource{
		Of("aws:ec2/vpc:Vpc", "network-vpc", ec2.VpcArgs{}),
		Of("aws:ec2/subnet:Subnet", "network-private-1", ec2.SubnetArgs{}),
		Of("aws:ec2/routeTable:RouteTable", "network-private-1", ec2.RouteTableArgs{}),
	}
	if err := keep.Validate("k", imported); err != nil {
		t.Error(err)
	}
	if err := (Keep{"network-vpc": {}}).Validate("k", imported); err == nil ||
		err.Error() != "k.network-vpc: lists no property; expected the properties to keep, or no entry" {
		t.Errorf("empty entry: %v", err)
	}
	// A nested path keeps a part of an input: its first segment is checked.
	if err := (Keep{"network-vpc": {"tags.Name", "tags[\"Name\"]"}}).Validate("k", imported); err != nil {
		t.Errorf("nested paths: %v", err)
	}
}
