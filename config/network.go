package config

import (
	"strings"

	"github.com/np-mrd/article-pipeline-infra/internal/check"

	"github.com/np-mrd/article-pipeline-infra/vpc"
)

// parseNetwork reads article-pipeline:network over vpc.Defaults and checks its
// zones against the region (aws:region), the one rule that spans keys.
func parseNetwork(value, region string, p *check.Problems) vpc.Settings {
	k := key("network")
	n := vpc.Defaults()
	if !decodeOver(p, k, value, &n) {
		return n
	}
	p.Join(n.Validate(k))
	for i, z := range n.AvailabilityZones {
		if vpc.ZonePattern.MatchString(z) && !strings.HasPrefix(z, region) {
			p.Add(check.Index(k+".availabilityZones", i), "%q is not in region %s (aws:region)", z, region)
		}
	}
	return n
}

type rawAdopt struct {
	Network    *vpc.ImportIDs `json:"network"`
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

func parseAdopt(value string, p *check.Problems) Adopt {
	var r rawAdopt
	var a Adopt
	if !decodeOver(p, key("adopt"), value, &r) {
		return a
	}
	a.Buckets, a.Parameters, a.Network = r.Buckets, r.Parameters, r.Network
	if r.Database != nil {
		a.DatabaseInstance, a.DatabaseSubnetGroup = r.Database.InstanceID, r.Database.SubnetGroupName
	}
	if r.Backup != nil {
		a.BackupVault, a.BackupPlanID = r.Backup.VaultName, r.Backup.PlanID
	}
	return a
}
