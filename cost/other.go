package cost

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

// hostedZoneLines prices a hosted zone the stack creates, and its queries.
func hostedZoneLines(g *graph, r inventory.Resource) ([]Line, error) {
	return zoneLines(g, "hosted zone "+r.String("name"), "created by this stack"), nil
}

func zoneLines(g *graph, item, note string) []Line {
	return []Line{
		{Category: "route53", Item: item, Price: hostedZone, Quantity: 1, Assumption: note},
		{Category: "route53", Item: item + ", queries", Price: dnsQueries, Quantity: g.s.DNSQueriesPerMonth / 1e6,
			Assumption: fmt.Sprintf("cost.dnsQueriesPerMonth %s (alias queries to AWS resources are free)",
				number(g.s.DNSQueriesPerMonth))},
	}
}

// lookedUpZones prices the hosted zones the stack's records are written in
// when the stack creates no zone: a zone looked up with route53/getZone
// (made outside the stack, by the domain's registration). It is billed once
// per account: it is counted here, in the stack that writes its records.
func lookedUpZones(g *graph) []Line {
	if len(g.of("aws:route53/zone:Zone")) > 0 {
		return nil // records are assumed to be in the zones the stack creates
	}
	names := map[string]string{} // zone ID -> the shortest record name in it
	for _, rec := range g.of("aws:route53/record:Record") {
		id, name := rec.String("zoneId"), strings.TrimSuffix(rec.String("name"), ".")
		if id == "" {
			continue
		}
		if cur, ok := names[id]; !ok || len(name) < len(cur) {
			names[id] = name
		}
	}
	var lines []Line
	for _, id := range slices.Sorted(maps.Keys(names)) {
		zl := zoneLines(g, "hosted zone "+names[id],
			"looked up, not created by this stack: counted once here, in the stack that writes its records")
		for i := range zl {
			zl[i].Resource, zl[i].Type = names[id]+" (zone "+id+")", "aws:route53/getZone:getZone"
		}
		lines = append(lines, zl...)
	}
	return lines
}

// webACLLines prices a WAF web ACL, its rules (a rule group counts as one) and
// the requests it inspects.
func webACLLines(g *graph, r inventory.Resource) ([]Line, error) {
	rules := len(r.List("rules"))
	return []Line{
		{Item: "web ACL", Price: wafACL, Quantity: 1, Assumption: "one web ACL"},
		{Item: "web ACL rules", Price: wafRule, Quantity: float64(rules),
			Assumption: fmt.Sprintf("%d rules (a managed rule group counts as one)", rules)},
		{Item: "requests inspected", Price: wafRequests, Quantity: g.s.RequestsPerMonth / 1e6,
			Assumption: fmt.Sprintf("cost.requestsPerMonth %s", number(g.s.RequestsPerMonth))},
	}, nil
}

// ec2InstanceLines prices an instance (the bastion) while it runs, its disks
// all month, and its public IPv4 address while it runs.
func ec2InstanceLines(g *graph, r inventory.Resource) ([]Line, error) {
	typ := r.String("instanceType")
	run := fmt.Sprintf("cost.instanceHours %s h/month", number(g.s.InstanceHours))
	var lines []Line
	if p, ok := ec2Instances[typ]; ok {
		lines = append(lines, Line{Item: typ + " instance, Linux", Price: p, Quantity: g.s.InstanceHours, Assumption: run})
	} else {
		lines = append(lines, Line{Item: typ + " instance", NotPriced: true,
			Assumption: "no price for this instance type in cost/prices.go"})
	}
	disks := []any{r.Get("rootBlockDevice")}
	disks = append(disks, r.List("ebsBlockDevices")...)
	for i, d := range disks {
		size, ok := inventory.AsNumber(mapGet(d, "volumeSize"))
		sizeNote := fmt.Sprintf("%s GB", number(size))
		if !ok {
			if i > 0 {
				continue
			}
			size, sizeNote = ebsDefaultRootGB, fmt.Sprintf("%s GB (the AMI's default root volume)", number(ebsDefaultRootGB))
		}
		lines = append(lines, volumeLine(mapString(d, "volumeType"), size, fmt.Sprintf("disk %d, ", i)+sizeNote+", all month"))
	}
	if public, _ := r.Bool("associatePublicIpAddress"); public {
		lines = append(lines, Line{Category: "vpc", Item: "public IPv4 while running", Price: publicIPv4,
			Quantity: g.s.InstanceHours, Assumption: run})
	}
	return lines, nil
}

func mapString(v any, key string) string {
	s, _ := mapGet(v, key).(string)
	return s
}

func volumeLine(typ string, gb float64, note string) Line {
	if typ == "" {
		typ = "gp3"
	}
	p, ok := ebsVolumes[typ]
	if !ok {
		return Line{Category: "ec2", Item: "EBS " + typ + " volume", NotPriced: true,
			Assumption: "no price for this volume type in cost/prices.go"}
	}
	return Line{Category: "ec2", Item: "EBS " + typ + " volume", Price: p, Quantity: gb, Assumption: note}
}

// ebsVolumeLines prices a separate EBS volume.
func ebsVolumeLines(g *graph, r inventory.Resource) ([]Line, error) {
	size, err := numOr(r, 0, "size")
	if err != nil {
		return nil, err
	}
	return []Line{volumeLine(r.String("type"), size, fmt.Sprintf("%s GB, all month", number(size)))}, nil
}

// ssmParameterLines prices an advanced parameter; a standard one (the
// default, and what the program declares) is free, so it has no line.
func ssmParameterLines(g *graph, r inventory.Resource) ([]Line, error) {
	if r.String("tier") != "Advanced" {
		return nil, nil
	}
	return []Line{{Item: "advanced parameter", Price: ssmAdvanced, Quantity: 1, Assumption: "tier Advanced"}}, nil
}

func secretLines(g *graph, r inventory.Resource) ([]Line, error) {
	return []Line{{Item: "secret", Price: secretsManagerKey, Quantity: 1,
		Assumption: "one secret (API calls, $0.05 per 10,000, not counted)"}}, nil
}

func kmsKeyLines(g *graph, r inventory.Resource) ([]Line, error) {
	return []Line{{Item: "customer managed key", Price: kmsKey, Quantity: 1,
		Assumption: "one key (requests beyond the free 20,000 not counted)"}}, nil
}
