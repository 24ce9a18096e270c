package vpc

import (
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/internal/check"
)

// Settings is what a stack file says about the network
// (article-pipeline:network). Element i of each subnet list sits in zone i.
type Settings struct {
	// Enabled is false for a stack with no network of its own (a personal
	// sandbox that holds only a bucket, or a stack that shares another's).
	Enabled bool   `json:"enabled"`
	CIDR    string `json:"cidr"`
	// AvailabilityZones is empty for the region's first zones.
	AvailabilityZones []string `json:"availabilityZones"`
	PublicSubnets     []string `json:"publicSubnets"`
	PrivateSubnets    []string `json:"privateSubnets"`
	// NamePrefix is the console's "Name tag auto-generation" prefix.
	NamePrefix string `json:"namePrefix"`
	// S3GatewayEndpoint adds the free S3 gateway endpoint to every route table.
	S3GatewayEndpoint bool `json:"s3GatewayEndpoint"`
	// LockDefaultSecurityGroup strips the VPC's default security group of its
	// rules (Security Hub EC2.2).
	LockDefaultSecurityGroup bool `json:"lockDefaultSecurityGroup"`
	// FlowLogs records the VPC's traffic in CloudWatch Logs (Security Hub EC2.6).
	FlowLogs FlowLogSettings `json:"flowLogs"`
}

// FlowLogSettings is the VPC's flow log (article-pipeline:network.flowLogs).
type FlowLogSettings struct {
	Enabled bool `json:"enabled"`
	// RetentionDays is how long the log group keeps the records.
	RetentionDays int `json:"retentionDays"`
	// TrafficType is ALL, ACCEPT or REJECT.
	TrafficType string `json:"trafficType"`
}

// trafficTypes are the traffic a flow log can record.
var trafficTypes = []string{"ALL", "ACCEPT", "REJECT"}

// Defaults is the runbook's "VPC and more" form: 10.0.0.0/16, two zones, public
// subnets 10.0.2.0/24 (zone a) and 10.0.0.0/24 (zone b), private 10.0.3.0/24 (a)
// and 10.0.1.0/24 (b), named np-deposition, plus the S3 gateway endpoint the
// runbook suggests and a locked default security group.
func Defaults() Settings {
	return Settings{
		Enabled:                  true,
		CIDR:                     "10.0.0.0/16",
		PublicSubnets:            []string{"10.0.2.0/24", "10.0.0.0/24"},
		PrivateSubnets:           []string{"10.0.3.0/24", "10.0.1.0/24"},
		NamePrefix:               "np-deposition",
		S3GatewayEndpoint:        true,
		LockDefaultSecurityGroup: true,
		// Not in the runbook: who reached what in the VPC, kept 30 days (EC2.6).
		FlowLogs: FlowLogSettings{Enabled: true, RetentionDays: 30, TrafficType: "ALL"},
	}
}

var (
	// ZonePattern is an availability zone name (us-west-2a).
	ZonePattern = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9][a-z]$`)
	namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,62}$`)
)

// Validate checks the layout: network addresses only, subnets inside the VPC
// block, no overlaps, one public and one private subnet per zone; and the flow
// log's retention and traffic type.
func (s Settings) Validate(k string) error {
	var p check.Problems
	if f := s.FlowLogs; f.Enabled {
		check.LogRetention(&p, k+".flowLogs.retentionDays", f.RetentionDays)
		if !slices.Contains(trafficTypes, f.TrafficType) {
			p.Add(k+".flowLogs.trafficType", "%q is not a flow log traffic type; expected one of %s", f.TrafficType,
				check.Quoted(trafficTypes))
		}
	}
	vpcBlock, ok := check.CIDR(&p, k+".cidr", s.CIDR)
	if ok && (vpcBlock.Bits() < 16 || vpcBlock.Bits() > 28) {
		p.Add(k+".cidr", "%q is out of range; expected an IPv4 block from /16 to /28 (AWS VPC limits)", s.CIDR)
		ok = false
	}
	if !namePattern.MatchString(s.NamePrefix) {
		p.Add(k+".namePrefix", "%q is not a usable name prefix; expected letters, digits and dashes", s.NamePrefix)
	}
	if len(s.PublicSubnets) < 2 {
		p.Add(k+".publicSubnets", "%d subnet(s) given; expected at least 2 (the load balancer needs two zones)",
			len(s.PublicSubnets))
	}
	if len(s.PrivateSubnets) < 2 {
		p.Add(k+".privateSubnets", "%d subnet(s) given; expected at least 2 (an RDS subnet group needs two zones)",
			len(s.PrivateSubnets))
	}
	if len(s.PublicSubnets) != len(s.PrivateSubnets) {
		p.Add(k+".privateSubnets", "%d private subnets for %d public ones; expected one of each per zone",
			len(s.PrivateSubnets), len(s.PublicSubnets))
	}
	if len(s.AvailabilityZones) > 0 && len(s.AvailabilityZones) != len(s.PublicSubnets) {
		p.Add(k+".availabilityZones", "%d zones for %d public subnets; expected one zone per subnet pair",
			len(s.AvailabilityZones), len(s.PublicSubnets))
	}
	seenZone := map[string]int{}
	for i, z := range s.AvailabilityZones {
		if !ZonePattern.MatchString(z) {
			p.Add(check.Index(k+".availabilityZones", i), "%q is not an availability zone name such as us-west-2a", z)
		}
		if j, dup := seenZone[z]; dup {
			p.Add(check.Index(k+".availabilityZones", i), "%q is already zone %d; expected distinct zones", z, j)
		}
		seenZone[z] = i
	}

	type placed struct {
		key    string
		prefix netip.Prefix
	}
	var subnets []placed
	for _, list := range []struct {
		field string
		cidrs []string
	}{{"publicSubnets", s.PublicSubnets}, {"privateSubnets", s.PrivateSubnets}} {
		for i, c := range list.cidrs {
			sk := check.Index(k+"."+list.field, i)
			sp, good := check.CIDR(&p, sk, c)
			if !good {
				continue
			}
			if sp.Bits() < 16 || sp.Bits() > 28 {
				p.Add(sk, "%q is out of range; expected a block from /16 to /28 (AWS subnet limits)", c)
				continue
			}
			if ok && !(vpcBlock.Contains(sp.Addr()) && sp.Bits() >= vpcBlock.Bits()) {
				p.Add(sk, "%q is outside the VPC block %s (%s.cidr)", c, s.CIDR, k)
				continue
			}
			for _, other := range subnets {
				if other.prefix.Overlaps(sp) {
					p.Add(sk, "%q overlaps %s (%s)", c, other.prefix, other.key)
				}
			}
			subnets = append(subnets, placed{sk, sp})
		}
	}
	return p.Err()
}

// ImportIDs are the IDs of an existing VPC and the parts the console wizard
// made with it (article-pipeline:adopt.network).
type ImportIDs struct {
	VpcID                string   `json:"vpcId"`
	InternetGatewayID    string   `json:"internetGatewayId"`
	PublicSubnetIDs      []string `json:"publicSubnetIds"`
	PrivateSubnetIDs     []string `json:"privateSubnetIds"`
	PublicRouteTableID   string   `json:"publicRouteTableId"`
	PrivateRouteTableIDs []string `json:"privateRouteTableIds"`
}

// Validate insists on a complete set for zones subnet pairs: adopting half of
// a VPC would make the program create route tables and associations that
// collide with the existing ones.
func (ids ImportIDs) Validate(k string, zones int) error {
	var p check.Problems
	one := func(field, id, prefix string) {
		if !strings.HasPrefix(id, prefix+"-") {
			p.Add(k+"."+field, "%q is not a %s ID (%s-...); all of vpcId, internetGatewayId, publicSubnetIds, "+
				"privateSubnetIds, publicRouteTableId and privateRouteTableIds are needed to adopt a VPC", id, prefix, prefix)
		}
	}
	many := func(field string, ids []string, prefix string) {
		if len(ids) != zones {
			p.Add(k+"."+field, "%d ID(s) given; expected %d, one per subnet in the network settings", len(ids), zones)
			return
		}
		for i, id := range ids {
			if !strings.HasPrefix(id, prefix+"-") {
				p.Add(check.Index(k+"."+field, i), "%q is not a %s ID (%s-...)", id, prefix, prefix)
			}
		}
	}
	one("vpcId", ids.VpcID, "vpc")
	one("internetGatewayId", ids.InternetGatewayID, "igw")
	one("publicRouteTableId", ids.PublicRouteTableID, "rtb")
	many("publicSubnetIds", ids.PublicSubnetIDs, "subnet")
	many("privateSubnetIds", ids.PrivateSubnetIDs, "subnet")
	many("privateRouteTableIds", ids.PrivateRouteTableIDs, "rtb")
	return p.Err()
}
