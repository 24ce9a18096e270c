package config

import (
	"slices"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/internal/awsdata"
	"github.com/np-mrd/article-pipeline-infra/internal/check"

	"github.com/np-mrd/article-pipeline-infra/vpc"
)

// parseNetwork reads article-pipeline:network over vpc.Defaults and checks its
// zones against the region (aws:region), the one rule that spans keys: a zone
// of another region, or one the region does not have (AWS's zones table; at
// up time the program asks AWS too). With a bad region the zones are not
// judged: the region's own error is the one to fix.
func parseNetwork(value, region string, regionOK bool, p *check.Problems) vpc.Settings {
	k := key("network")
	n := vpc.Defaults()
	if !decodeOver(p, k, value, &n) {
		return n
	}
	p.Join(n.Validate(k))
	known, tabled := awsdata.Zones(region)
	for i, z := range n.AvailabilityZones {
		switch {
		case !regionOK || !vpc.ZonePattern.MatchString(z):
		case !strings.HasPrefix(z, region) || len(z) != len(region)+1:
			p.Add(check.Index(k+".availabilityZones", i), "%q is not in region %s (aws:region)", z, region)
		case tabled && !slices.Contains(known, z):
			p.Add(check.Index(k+".availabilityZones", i), "%q is not a zone of %s; expected one of %s (AWS's zones "+
				"on %s)", z, region, strings.Join(known, ", "), awsdata.Taken)
		}
	}
	return n
}
