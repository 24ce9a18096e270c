package cost

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

// loadBalancerLines prices an Application Load Balancer: its hours, its LCUs
// and, when it faces the internet, one public IPv4 address per subnet (zone).
// A stack that attaches listener rules to another stack's load balancer has
// no load balancer of its own and so none of these lines.
func loadBalancerLines(g *graph, r inventory.Resource) ([]Line, error) {
	kind := cmp.Or(r.String("loadBalancerType"), "application")
	if kind != "application" {
		return []Line{{Category: "elb", Item: kind + " load balancer", NotPriced: true,
			Assumption: "only Application Load Balancers are priced"}}, nil
	}
	hours := g.s.HoursPerMonth
	lines := []Line{
		{Category: "elb", Item: "Application Load Balancer", Price: albHour, Quantity: hours,
			Assumption: "always on, " + g.hoursNote()},
		{Category: "elb", Item: "load balancer capacity units", Price: albLCU, Quantity: g.s.LoadBalancerLCU * hours,
			Assumption: fmt.Sprintf("cost.loadBalancerLcu %s LCU on average × %s", number(g.s.LoadBalancerLCU), g.hoursNote())},
	}
	if internal, _ := r.Bool("internal"); !internal {
		zones := len(r.List("subnets"))
		if m := len(r.List("subnetMappings")); m > zones {
			zones = m
		}
		lines = append(lines, Line{Category: "vpc", Item: "public IPv4, one per zone", Price: publicIPv4,
			Quantity:   float64(zones) * hours,
			Assumption: fmt.Sprintf("internet-facing in %d subnets × %s", zones, g.hoursNote())})
	}
	return lines, nil
}

// vpcEndpointLines prices an interface endpoint per zone (subnet) and per GB;
// a gateway endpoint (S3, DynamoDB) is free.
func vpcEndpointLines(g *graph, r inventory.Resource) ([]Line, error) {
	service := endpointService(r.String("serviceName"))
	switch kind := r.String("vpcEndpointType"); kind {
	case "", "Gateway":
		return []Line{{Category: "vpc", Item: service + " gateway endpoint", Price: endpointHour, Quantity: 0,
			Assumption: "gateway endpoints have no hourly or data charge"}}, nil
	case "Interface":
		zones := len(r.List("subnetIds"))
		return []Line{
			{Category: "vpc", Item: service + " interface endpoint", Price: endpointHour, Quantity: float64(zones) * g.s.HoursPerMonth,
				Assumption: fmt.Sprintf("%d zones (subnets) × %s", zones, g.hoursNote())},
			{Category: "vpc", Item: service + " interface endpoint, data", Price: endpointGB, Quantity: g.s.EndpointGBPerMonth,
				Assumption: "cost.endpointGbPerMonth"},
		}, nil
	default:
		return []Line{{Category: "vpc", Item: service + " " + kind + " endpoint", NotPriced: true,
			Assumption: "only Interface and Gateway endpoints are priced"}}, nil
	}
}

// endpointService is the service part of an endpoint's service name
// (com.amazonaws.us-west-2.ecr.api -> "ecr.api").
func endpointService(serviceName string) string {
	rest, ok := strings.CutPrefix(serviceName, "com.amazonaws.")
	if !ok {
		return serviceName
	}
	_, service, _ := strings.Cut(rest, ".") // drop the region
	return service
}

// natGatewayLines prices a NAT gateway's hours and data; its public address is
// the Elastic IP it is given (priced on that resource's line).
func natGatewayLines(g *graph, r inventory.Resource) ([]Line, error) {
	return []Line{
		{Category: "vpc", Item: "NAT gateway", Price: natHour, Quantity: g.s.HoursPerMonth, Assumption: "always on, " + g.hoursNote()},
		{Category: "vpc", Item: "NAT gateway, data processed", Price: natGB, Quantity: g.s.NATGBPerMonth,
			Assumption: "cost.natGbPerMonth (internet egress is billed on top)"},
	}, nil
}

// elasticIPLines prices an Elastic IP: a public IPv4 address, attached or not.
func elasticIPLines(g *graph, r inventory.Resource) ([]Line, error) {
	return []Line{{Category: "vpc", Item: "public IPv4 (Elastic IP)", Price: publicIPv4, Quantity: g.s.HoursPerMonth,
		Assumption: "allocated all month, " + g.hoursNote()}}, nil
}
