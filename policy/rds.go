package policy

import (
	"fmt"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

func rdsRules() []Rule {
	db := ofType(typeDBInstance)
	return []Rule{
		{
			ID: "RDS.2", Severity: Mandatory, Applies: db,
			Description: "RDS instances are not publicly accessible",
			Check: func(_ *Graph, r inventory.Resource) (bool, string) {
				return boolIs(r, "publiclyAccessible", false, false)
			},
		},
		{
			ID: "RDS.3", Severity: Mandatory, Applies: db,
			Description: "RDS instances are encrypted at rest",
			Check: func(_ *Graph, r inventory.Resource) (bool, string) {
				return boolIs(r, "storageEncrypted", true, false)
			},
		},
		{
			ID: "RDS.5", Severity: Advisory, Applies: db,
			Description: "RDS instances are Multi-AZ",
			Check: func(_ *Graph, r inventory.Resource) (bool, string) {
				return boolIs(r, "multiAz", true, false)
			},
		},
		{
			ID: "RDS.6", Severity: Mandatory, Applies: db,
			Description: "RDS instances have enhanced monitoring (monitoringInterval > 0 with a monitoring role)",
			Check: func(_ *Graph, r inventory.Resource) (bool, string) {
				n, ok := inventory.AsNumber(r.Get("monitoringInterval"))
				switch {
				case !ok || n <= 0:
					return false, "monitoringInterval is not set; enhanced monitoring is off"
				case r.Get("monitoringRoleArn") == nil:
					return false, fmt.Sprintf("monitoringInterval is %g s but no monitoringRoleArn is set", n)
				}
				return true, fmt.Sprintf("monitoringInterval is %g s", n)
			},
		},
		{
			ID: "RDS.8", Severity: Mandatory, Applies: db,
			Description: "RDS instances have deletion protection in prod",
			Check: func(g *Graph, r inventory.Resource) (bool, string) {
				ok, why := boolIs(r, "deletionProtection", true, false)
				return protectedOnly(g, ok, why)
			},
		},
		{
			ID: "RDS.11", Severity: Mandatory, Applies: db,
			Description: "RDS instances keep automated backups (backupRetentionPeriod at least 1 day)",
			Check: func(_ *Graph, r inventory.Resource) (bool, string) {
				return retentionAtLeast(r, 1)
			},
		},
		{
			ID: "RDS.13", Severity: Mandatory, Applies: db,
			Description: "RDS instances upgrade minor versions automatically",
			Check: func(_ *Graph, r inventory.Resource) (bool, string) {
				return boolIs(r, "autoMinorVersionUpgrade", true, true) // the provider's default is true
			},
		},
		{
			ID: "RDS.17", Severity: Mandatory, Applies: db,
			Description: "RDS instances copy tags to snapshots",
			Check: func(_ *Graph, r inventory.Resource) (bool, string) {
				return boolIs(r, "copyTagsToSnapshot", true, false)
			},
		},
		{
			ID: "RDS.25", Severity: Mandatory, Applies: db,
			Description: "RDS instances use a custom administrator username (not postgres or admin)",
			Check: func(_ *Graph, r inventory.Resource) (bool, string) {
				v := r.Get("username")
				u, _ := v.(string)
				switch {
				case opaque(v):
					return false, fmt.Sprintf("username is %s; it cannot be checked offline", u)
				case u == "":
					return false, "username is not set"
				case strings.EqualFold(u, "postgres") || strings.EqualFold(u, "admin"):
					return false, fmt.Sprintf("username is the engine default %q", u)
				}
				return true, fmt.Sprintf("username %q is not an engine default", u)
			},
		},
	}
}

// boolIs checks that a boolean input has the wanted value; def is the value the
// provider uses when the input is not set.
func boolIs(r inventory.Resource, input string, want, def bool) (bool, string) {
	v, set := r.Bool(input)
	if !set {
		if raw := r.Get(input); raw != nil {
			return false, fmt.Sprintf("%s is %v, not a boolean", input, raw)
		}
		v = def
		if v == want {
			return true, fmt.Sprintf("%s is not set (defaults to %t)", input, def)
		}
		return false, fmt.Sprintf("%s is not set (defaults to %t); expected %t", input, def, want)
	}
	if v == want {
		return true, fmt.Sprintf("%s is %t", input, v)
	}
	return false, fmt.Sprintf("%s is %t; expected %t", input, v, want)
}

// protectedOnly applies a check's verdict only in a stack that protects its
// data (article-pipeline:protect).
func protectedOnly(g *Graph, ok bool, why string) (bool, string) {
	if !g.Protected {
		return true, "required where article-pipeline:protect is true; here it is false: " + why
	}
	return ok, why
}

func retentionAtLeast(r inventory.Resource, days float64) (bool, string) {
	n, ok := inventory.AsNumber(r.Get("backupRetentionPeriod"))
	switch {
	case !ok:
		return false, "backupRetentionPeriod is not set"
	case n < days:
		return false, fmt.Sprintf("backupRetentionPeriod is %g day(s); expected at least %g", n, days)
	}
	return true, fmt.Sprintf("backupRetentionPeriod is %g day(s)", n)
}
