package config

import (
	"net/netip"
	"regexp"
	"strings"
)

// DefaultNetwork is the runbook's VPC: 10.0.0.0/16, two zones, public subnets
// 10.0.2.0/24 (zone a) and 10.0.0.0/24 (zone b), private 10.0.3.0/24 (a) and
// 10.0.1.0/24 (b), named np-deposition, plus the S3 gateway endpoint the runbook
// suggests and a locked default security group (Security Hub EC2.2).
func DefaultNetwork() Network {
	return Network{
		Enabled:                  true,
		CIDR:                     "10.0.0.0/16",
		PublicSubnets:            []string{"10.0.2.0/24", "10.0.0.0/24"},
		PrivateSubnets:           []string{"10.0.3.0/24", "10.0.1.0/24"},
		NamePrefix:               "np-deposition",
		S3GatewayEndpoint:        true,
		LockDefaultSecurityGroup: true,
	}
}

type rawNetwork struct {
	Enabled                  *bool    `json:"enabled"`
	CIDR                     *string  `json:"cidr"`
	AvailabilityZones        []string `json:"availabilityZones"`
	PublicSubnets            []string `json:"publicSubnets"`
	PrivateSubnets           []string `json:"privateSubnets"`
	NamePrefix               *string  `json:"namePrefix"`
	S3GatewayEndpoint        *bool    `json:"s3GatewayEndpoint"`
	LockDefaultSecurityGroup *bool    `json:"lockDefaultSecurityGroup"`
}

var (
	zonePattern = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9][a-z]$`)
	namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,62}$`)
)

func parseNetwork(value, region string, p *problems) Network {
	k := key("network")
	n := DefaultNetwork()
	var r rawNetwork
	if !decode(k, value, &r, p) {
		if strings.TrimSpace(value) != "" {
			return n
		}
	}
	if r.Enabled != nil {
		n.Enabled = *r.Enabled
	}
	if r.CIDR != nil {
		n.CIDR = *r.CIDR
	}
	if r.AvailabilityZones != nil {
		n.AvailabilityZones = r.AvailabilityZones
	}
	if r.PublicSubnets != nil {
		n.PublicSubnets = r.PublicSubnets
	}
	if r.PrivateSubnets != nil {
		n.PrivateSubnets = r.PrivateSubnets
	}
	if r.NamePrefix != nil {
		n.NamePrefix = *r.NamePrefix
	}
	if r.S3GatewayEndpoint != nil {
		n.S3GatewayEndpoint = *r.S3GatewayEndpoint
	}
	if r.LockDefaultSecurityGroup != nil {
		n.LockDefaultSecurityGroup = *r.LockDefaultSecurityGroup
	}
	validateNetwork(n, region, p)
	return n
}

func validateNetwork(n Network, region string, p *problems) {
	k := key("network")
	vpc, ok := parsePrefix(k+".cidr", n.CIDR, p)
	if ok && (vpc.Bits() < 16 || vpc.Bits() > 28 || !vpc.Addr().Is4()) {
		p.add(k+".cidr", "%q is out of range; expected an IPv4 block from /16 to /28 (AWS VPC limits)", n.CIDR)
		ok = false
	}
	if !namePattern.MatchString(n.NamePrefix) {
		p.add(k+".namePrefix", "%q is not a usable name prefix; expected letters, digits and dashes", n.NamePrefix)
	}

	if len(n.PublicSubnets) < 2 {
		p.add(k+".publicSubnets", "%d subnet(s) given; expected at least 2 (the load balancer needs two zones)",
			len(n.PublicSubnets))
	}
	if len(n.PrivateSubnets) < 2 {
		p.add(k+".privateSubnets", "%d subnet(s) given; expected at least 2 (an RDS subnet group needs two zones)",
			len(n.PrivateSubnets))
	}
	if len(n.PublicSubnets) != len(n.PrivateSubnets) {
		p.add(k+".privateSubnets", "%d private subnets for %d public ones; expected one of each per zone",
			len(n.PrivateSubnets), len(n.PublicSubnets))
	}
	if len(n.AvailabilityZones) > 0 && len(n.AvailabilityZones) != len(n.PublicSubnets) {
		p.add(k+".availabilityZones", "%d zones for %d public subnets; expected one zone per subnet pair",
			len(n.AvailabilityZones), len(n.PublicSubnets))
	}
	seenZone := map[string]int{}
	for i, z := range n.AvailabilityZones {
		switch {
		case !zonePattern.MatchString(z):
			p.add(idx(k+".availabilityZones", i), "%q is not an availability zone name such as %sa", z, region)
		case !strings.HasPrefix(z, region):
			p.add(idx(k+".availabilityZones", i), "%q is not in region %s (aws:region)", z, region)
		}
		if j, dup := seenZone[z]; dup {
			p.add(idx(k+".availabilityZones", i), "%q is already zone %d; expected distinct zones", z, j)
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
	}{{"publicSubnets", n.PublicSubnets}, {"privateSubnets", n.PrivateSubnets}} {
		for i, c := range list.cidrs {
			sk := idx(k+"."+list.field, i)
			sp, good := parsePrefix(sk, c, p)
			if !good {
				continue
			}
			if sp.Bits() < 16 || sp.Bits() > 28 {
				p.add(sk, "%q is out of range; expected a block from /16 to /28 (AWS subnet limits)", c)
				continue
			}
			if ok && !(vpc.Contains(sp.Addr()) && sp.Bits() >= vpc.Bits()) {
				p.add(sk, "%q is outside the VPC block %s (%s.cidr)", c, n.CIDR, k)
				continue
			}
			for _, other := range subnets {
				if other.prefix.Overlaps(sp) {
					p.add(sk, "%q overlaps %s (%s)", c, other.prefix, other.key)
				}
			}
			subnets = append(subnets, placed{sk, sp})
		}
	}
}

// parsePrefix parses an IPv4 CIDR block and insists on its network address.
func parsePrefix(k, s string, p *problems) (netip.Prefix, bool) {
	pfx, err := netip.ParsePrefix(s)
	if err != nil {
		p.add(k, "%q is not a CIDR block such as 10.0.0.0/24", s)
		return netip.Prefix{}, false
	}
	if !pfx.Addr().Is4() {
		p.add(k, "%q is not IPv4; expected an IPv4 block such as 10.0.0.0/24", s)
		return netip.Prefix{}, false
	}
	if m := pfx.Masked(); m != pfx {
		p.add(k, "%q is not a network address; did you mean %q?", s, m.String())
		return netip.Prefix{}, false
	}
	return pfx, true
}

type rawAdopt struct {
	Network    *rawNetworkIDs `json:"network"`
	Buckets    []string       `json:"buckets"`
	Parameters []string       `json:"parameters"`
	Database   *struct {
		InstanceID      string `json:"instanceId"`
		SubnetGroupName string `json:"subnetGroupName"`
	} `json:"database"`
	Backup *struct {
		VaultName string `json:"vaultName"`
		PlanID    string `json:"planId"`
	} `json:"backup"`
}

type rawNetworkIDs struct {
	VpcID                string   `json:"vpcId"`
	InternetGatewayID    string   `json:"internetGatewayId"`
	PublicSubnetIDs      []string `json:"publicSubnetIds"`
	PrivateSubnetIDs     []string `json:"privateSubnetIds"`
	PublicRouteTableID   string   `json:"publicRouteTableId"`
	PrivateRouteTableIDs []string `json:"privateRouteTableIds"`
}

func parseAdopt(value string, p *problems) Adopt {
	var r rawAdopt
	var a Adopt
	if !decode(key("adopt"), value, &r, p) {
		return a
	}
	a.Buckets, a.Parameters = r.Buckets, r.Parameters
	if r.Database != nil {
		a.DatabaseInstance, a.DatabaseSubnetGroup = r.Database.InstanceID, r.Database.SubnetGroupName
	}
	if r.Backup != nil {
		a.BackupVault, a.BackupPlanID = r.Backup.VaultName, r.Backup.PlanID
	}
	if r.Network != nil {
		a.Network = &NetworkIDs{
			VpcID: r.Network.VpcID, InternetGatewayID: r.Network.InternetGatewayID,
			PublicSubnetIDs: r.Network.PublicSubnetIDs, PrivateSubnetIDs: r.Network.PrivateSubnetIDs,
			PublicRouteTableID: r.Network.PublicRouteTableID, PrivateRouteTableIDs: r.Network.PrivateRouteTableIDs,
		}
	}
	return a
}

// checkNetworkIDs insists on a complete set: adopting half of a VPC would make the
// program create route tables and associations that collide with the existing ones.
func checkNetworkIDs(ids *NetworkIDs, n Network, p *problems) {
	k := key("adopt") + ".network"
	one := func(field, id, prefix string) {
		if !strings.HasPrefix(id, prefix+"-") {
			p.add(k+"."+field, "%q is not a %s ID (%s-...); all of vpcId, internetGatewayId, publicSubnetIds, "+
				"privateSubnetIds, publicRouteTableId and privateRouteTableIds are needed to adopt a VPC", id, prefix, prefix)
		}
	}
	many := func(field string, ids []string, prefix string, want int) {
		if len(ids) != want {
			p.add(k+"."+field, "%d ID(s) given; expected %d, one per subnet in %s", len(ids), want, key("network"))
			return
		}
		for i, id := range ids {
			if !strings.HasPrefix(id, prefix+"-") {
				p.add(idx(k+"."+field, i), "%q is not a %s ID (%s-...)", id, prefix, prefix)
			}
		}
	}
	one("vpcId", ids.VpcID, "vpc")
	one("internetGatewayId", ids.InternetGatewayID, "igw")
	one("publicRouteTableId", ids.PublicRouteTableID, "rtb")
	many("publicSubnetIds", ids.PublicSubnetIDs, "subnet", len(n.PublicSubnets))
	many("privateSubnetIds", ids.PrivateSubnetIDs, "subnet", len(n.PrivateSubnets))
	many("privateRouteTableIds", ids.PrivateRouteTableIDs, "rtb", len(n.PrivateSubnets))
}
