package adoptcheck

import (
	"fmt"
	"maps"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

// liveVPC is the VPC with its two DNS attributes, which describe-vpcs leaves
// out (describe-vpc-attribute answers them).
func liveVPC(c *checker, r inventory.Resource) (any, string, error) {
	obj, missing, err := liveIn(FileVPCs, "Vpcs", "VpcId", "VPC")(c, r)
	if err != nil || missing != "" {
		return obj, missing, err
	}
	out := maps.Clone(obj.(map[string]any))
	for file, key := range map[string]string{FileVPCDNSHostnames: "EnableDnsHostnames", FileVPCDNSSupport: "EnableDnsSupport"} {
		v, _, err := c.response(file)
		if err != nil {
			return nil, "", err
		}
		out[key], _ = get(v, key)
	}
	return out, "", nil
}

// liveAssociation finds the explicit association "subnet/rtb" the import ID
// names. A subnet without one uses the main route table implicitly, and an
// implicit association cannot be imported.
func liveAssociation(c *checker, r inventory.Resource) (any, string, error) {
	subnet, rtb, ok := strings.Cut(r.ImportID, "/")
	if !ok {
		return nil, fmt.Sprintf("import ID %q is not subnet/route-table", r.ImportID), nil
	}
	tables, err := c.routeTables()
	if err != nil {
		return nil, "", err
	}
	if rt, ok := findIn(tables, "RouteTableId", rtb); ok {
		if a, ok := findIn(list(rt, "Associations"), "SubnetId", subnet); ok {
			return a, "", nil
		}
	}
	now := "no explicit association: it uses the VPC's main route table"
	for _, rt := range tables {
		if _, ok := findIn(list(rt, "Associations"), "SubnetId", subnet); ok {
			now = "it is associated with " + str(rt, "RouteTableId")
			break
		}
	}
	return nil, fmt.Sprintf("subnet %s is not associated with %s (%s): the import would fail. "+
		"Set the route table IDs in adopt.network to the subnet's live table, or associate it explicitly first "+
		"(aws ec2 associate-route-table)", subnet, rtb, now), nil
}

// liveRoute finds the route "rtb_destination" the import ID names.
func liveRoute(c *checker, r inventory.Resource) (any, string, error) {
	rtb, dest, ok := strings.Cut(r.ImportID, "_")
	if !ok {
		return nil, fmt.Sprintf("import ID %q is not routeTable_destination", r.ImportID), nil
	}
	tables, err := c.routeTables()
	if err != nil {
		return nil, "", err
	}
	rt, ok := findIn(tables, "RouteTableId", rtb)
	if !ok {
		return nil, fmt.Sprintf("route table %s does not exist: the import would fail", rtb), nil
	}
	if route, ok := findIn(list(rt, "Routes"), "DestinationCidrBlock", dest); ok {
		return route, "", nil
	}
	return nil, fmt.Sprintf("route table %s has no %s route: the import would fail; adopt.network.publicRouteTableId "+
		"must name the table whose default route is the internet gateway", rtb, dest), nil
}

// refuseDifference makes a check that refuses any difference on property,
// though the provider would update it in place: why says what the update
// would break.
func refuseDifference(property, why string) func(c *checker, r inventory.Resource, decl, live, _ any) {
	return func(c *checker, r inventory.Resource, decl, live, _ any) {
		if !equal(decl, live) {
			c.add(Finding{Severity: Refusal, Resource: r.Name, Type: r.Type, Property: property, Live: render(live),
				Declared: render(decl), Message: why})
		}
	}
}

// checkGatewayVPC refuses an internet gateway attached elsewhere: the update
// would detach it from the VPC the load balancer uses.
var checkGatewayVPC = refuseDifference("vpcId", "the gateway is attached to another VPC (or none); the update "+
	"would move it: check adopt.network.internetGatewayId")

// checkRouteGateway refuses a default route that leads somewhere else: the
// update would rewrite the public subnets' internet path.
var checkRouteGateway = refuseDifference("gatewayId", "the live route goes to another target; the update would "+
	"rewrite the public subnets' internet path: check adopt.network.internetGatewayId and publicRouteTableId")

// routeTables is the recorded describe-route-tables answer.
func (c *checker) routeTables() ([]any, error) {
	v, _, err := c.response(FileRouteTables)
	return list(v, "RouteTables"), err
}

// subnetIsPublic says whether a subnet's route table (its explicit one, or
// the main table) has a default route to an internet gateway.
func (c *checker) subnetIsPublic(subnet string) (public, known bool) {
	tables, err := c.routeTables()
	if err != nil {
		return false, false
	}
	var table, main any
	for _, rt := range tables {
		for _, a := range list(rt, "Associations") {
			if str(a, "SubnetId") == subnet {
				table = rt
			}
			if b, _ := get(a, "Main"); b == true {
				main = rt
			}
		}
	}
	if table == nil {
		table = main
	}
	if table == nil {
		return false, false
	}
	for _, route := range list(table, "Routes") {
		if str(route, "DestinationCidrBlock") == "0.0.0.0/0" && strings.HasPrefix(str(route, "GatewayId"), "igw-") {
			return true, true
		}
	}
	return false, true
}
