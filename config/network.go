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
