package policy

import (
	"fmt"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

func rdsRules() []Rule {
	db := ofType(typeDBInstance)
	return []Rule{
		rule("RDS.2", Mandatory, db, checkBool("publiclyAccessible", false, false),
			"RDS instances are not publicly accessible"),
		rule("RDS.3", Mandatory, db, checkBool("storageEncrypted", true, false),
			"RDS instances are encrypted at rest"),
		rule("RDS.5", Advisory, db, checkBool("multiAz", true, false),
			"RDS instances are Multi-AZ"),
		rule("RDS.6", Mandatory, db, checkMonitoring,
			"RDS instances have enhanced monitoring (monitoringInterval > 0 with a monitoring role)"),
		rule("RDS.8", Mandatory, db, inProd(checkBool("deletionProtection", true, false)),
			"RDS instances have deletion protection in prod"),
		rule("RDS.11", Mandatory, db, checkRetention(1),
			"RDS instances keep automated backups (backupRetentionPeriod at least 1 day)"),
		rule("RDS.13", Mandatory, db, checkBool("autoMinorVersionUpgrade", true, true), // the provider's default is true
			"RDS instances upgrade minor versions automatically"),
		rule("RDS.17", Mandatory, db, checkBool("copyTagsToSnapshot", true, false),
			"RDS instances copy tags to snapshots"),
		rule("RDS.25", Mandatory, db, checkAdminUsername,
			"RDS instances use a custom administrator username (not postgres or admin)"),
	}
}

func checkMonitoring(_ *Graph, r inventory.Resource) (bool, string) {
	n, ok := inventory.AsNumber(r.Get("monitoringInterval"))
	switch {
	case !ok || n <= 0:
		return false, "monitoringInterval is not set; enhanced monitoring is off"
	case r.Get("monitoringRoleArn") == nil:
		return false, fmt.Sprintf("monitoringInterval is %g s but no monitoringRoleArn is set", n)
	}
	return true, fmt.Sprintf("monitoringInterval is %g s", n)
}

func checkAdminUsername(_ *Graph, r inventory.Resource) (bool, string) {
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
}

// checkBool checks that a boolean input has the wanted value; def is the value
// the provider uses when the input is not set.
func checkBool(input string, want, def bool) checkFunc {
	return func(_ *Graph, r inventory.Resource) (bool, string) {
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
}

// protectedOnly applies a check's verdict only in a stack that protects its
// data (article-pipeline:protect).
func protectedOnly(g *Graph, ok bool, why string) (bool, string) {
	if !g.Protected {
		return true, "required where article-pipeline:protect is true; here it is false: " + why
	}
	return ok, why
}

// inProd makes a check count only in a stack that protects its data (see
// protectedOnly).
func inProd(check checkFunc) checkFunc {
	return func(g *Graph, r inventory.Resource) (bool, string) {
		ok, why := check(g, r)
		return protectedOnly(g, ok, why)
	}
}

// checkRetention checks that an RDS instance keeps automated backups for at
// least days.
func checkRetention(days float64) checkFunc {
	return func(_ *Graph, r inventory.Resource) (bool, string) {
		n, ok := inventory.AsNumber(r.Get("backupRetentionPeriod"))
		switch {
		case !ok:
			return false, "backupRetentionPeriod is not set"
		case n < days:
			return false, fmt.Sprintf("backupRetentionPeriod is %g day(s); expected at least %g", n, days)
		}
		return true, fmt.Sprintf("backupRetentionPeriod is %g day(s)", n)
	}
}
