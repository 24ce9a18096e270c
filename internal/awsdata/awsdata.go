// Package awsdata holds the tables of AWS's real values that settings are
// checked against before anything is declared: regions, availability zone
// names per region, the RDS instance classes that run PostgreSQL, the
// PostgreSQL major versions RDS offers and the master user names RDS reserves.
//
// The tables were compiled on Taken from the AWS documentation (Amazon EC2
// "Regions and Zones", Amazon RDS User Guide "Supported DB engines for DB
// instance classes", "Supported PostgreSQL versions" and the CreateDBInstance
// MasterUsername constraints). AWS adds regions, classes and versions; when a
// value AWS accepts is refused here, refresh the table with the commands on
// each one and update Taken. At `pulumi up` the program also asks AWS for the
// zones of the region (aws.GetAvailabilityZones), so a stale zone table can
// only refuse, never let a wrong zone through.
package awsdata

import (
	"slices"
	"strings"
)

// Taken is the date the tables were compiled.
const Taken = "2026-12-02"

// Regions are the AWS regions (commercial, GovCloud and China), refreshed with
// `aws account list-regions --region-opt-status-contains ENABLED ENABLED_BY_DEFAULT DISABLED`.
var Regions = []string{
	"af-south-1",
	"ap-east-1", "ap-east-2",
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ap-south-1", "ap-south-2",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6",
	"ap-southeast-7",
	"ca-central-1", "ca-west-1",
	"cn-north-1", "cn-northwest-1",
	"eu-central-1", "eu-central-2",
	"eu-north-1",
	"eu-south-1", "eu-south-2",
	"eu-west-1", "eu-west-2", "eu-west-3",
	"il-central-1",
	"me-central-1", "me-south-1",
	"mx-central-1",
	"sa-east-1",
	"us-east-1", "us-east-2",
	"us-gov-east-1", "us-gov-west-1",
	"us-west-1", "us-west-2",
}

// ZoneLetters are the availability zone names per region, as the letter after
// the region name (refreshed per region with `aws ec2 describe-availability-zones
// --all-availability-zones --region R --query 'AvailabilityZones[].ZoneName'`).
// An account sees a subset in some regions (us-west-1 shows two of its three);
// the up-time lookup catches that. A region missing here is checked at up time only.
var ZoneLetters = map[string]string{
	"af-south-1":     "abc",
	"ap-east-1":      "abc",
	"ap-northeast-1": "acd",
	"ap-northeast-2": "abcd",
	"ap-northeast-3": "abc",
	"ap-south-1":     "abc",
	"ap-south-2":     "abc",
	"ap-southeast-1": "abc",
	"ap-southeast-2": "abc",
	"ap-southeast-3": "abc",
	"ap-southeast-4": "abc",
	"ca-central-1":   "abd",
	"eu-central-1":   "abc",
	"eu-central-2":   "abc",
	"eu-north-1":     "abc",
	"eu-south-1":     "abc",
	"eu-south-2":     "abc",
	"eu-west-1":      "abc",
	"eu-west-2":      "abc",
	"eu-west-3":      "abc",
	"il-central-1":   "abc",
	"me-central-1":   "abc",
	"me-south-1":     "abc",
	"sa-east-1":      "abc",
	"us-east-1":      "abcdef",
	"us-east-2":      "abc",
	"us-west-1":      "abc",
	"us-west-2":      "abcd",
}

// IsRegion reports whether name is an AWS region of the table.
func IsRegion(name string) bool { return slices.Contains(Regions, name) }

// Zones returns the zone names of region, and whether the table knows them.
func Zones(region string) ([]string, bool) {
	letters, ok := ZoneLetters[region]
	if !ok {
		return nil, false
	}
	out := make([]string, len(letters))
	for i, l := range letters {
		out[i] = region + string(l)
	}
	return out, true
}

// PostgresMajors are the PostgreSQL major versions RDS creates instances of
// (11 and 12 only under RDS Extended Support, at extra cost), refreshed with
// `aws rds describe-db-engine-versions --engine postgres --query 'DBEngineVersions[].EngineVersion'`.
var PostgresMajors = []string{"11", "12", "13", "14", "15", "16", "17", "18"}

// The size ranges RDS for PostgreSQL instance class families come in.
var (
	burstableSizes = []string{"micro", "small", "medium", "large", "xlarge", "2xlarge"}
	sizesTo16xl    = []string{"large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"}
	sizesTo24xl    = slices.Concat(sizesTo16xl, []string{"24xlarge"})
	sizesTo32xl    = slices.Concat(sizesTo24xl, []string{"32xlarge"})
	sizesTo48xl    = slices.Concat(sizesTo24xl, []string{"48xlarge"})
)

// postgresClasses are the RDS for PostgreSQL instance classes, by family, with
// the sizes each family offers (refreshed with `aws rds
// describe-orderable-db-instance-options --engine postgres --query
// 'OrderableDBInstanceOptions[].DBInstanceClass'`).
var postgresClasses = map[string][]string{
	"t3":     burstableSizes,
	"t4g":    burstableSizes,
	"m5":     sizesTo24xl,
	"m5d":    sizesTo24xl,
	"m6g":    sizesTo16xl,
	"m6gd":   sizesTo16xl,
	"m6i":    sizesTo32xl,
	"m6id":   sizesTo32xl,
	"m6idn":  sizesTo32xl,
	"m6in":   sizesTo32xl,
	"m7g":    sizesTo16xl,
	"m7i":    sizesTo48xl,
	"m8g":    sizesTo48xl,
	"r5":     sizesTo24xl,
	"r5b":    sizesTo24xl,
	"r5d":    sizesTo24xl,
	"r6g":    sizesTo16xl,
	"r6gd":   sizesTo16xl,
	"r6i":    sizesTo32xl,
	"r6id":   sizesTo32xl,
	"r6idn":  sizesTo32xl,
	"r6in":   sizesTo32xl,
	"r7g":    sizesTo16xl,
	"r7i":    sizesTo48xl,
	"r8g":    sizesTo48xl,
	"x2g":    sizesTo16xl,
	"x2idn":  {"16xlarge", "24xlarge", "32xlarge"},
	"x2iedn": {"xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge", "24xlarge", "32xlarge"},
}

// IsPostgresClass reports whether class (db.FAMILY.SIZE) runs RDS for PostgreSQL.
func IsPostgresClass(class string) bool {
	parts := strings.Split(class, ".")
	if len(parts) != 3 || parts[0] != "db" {
		return false
	}
	return slices.Contains(postgresClasses[parts[1]], parts[2])
}

// PostgresClassFamilies lists the families of IsPostgresClass, sorted.
func PostgresClassFamilies() []string {
	out := make([]string, 0, len(postgresClasses))
	for f := range postgresClasses {
		out = append(out, "db."+f)
	}
	slices.Sort(out)
	return out
}

// ClassSizes returns the sizes a PostgreSQL class family offers (nil for an
// unknown family), for a "did you mean" in errors. Families share size
// lists, so the caller gets a copy.
func ClassSizes(family string) []string { return slices.Clone(postgresClasses[family]) }

// ReservedMasterUsernames are the names RDS for PostgreSQL refuses as the
// master user (CreateDBInstance: "can't be a reserved word for the chosen
// database engine"): its own administrative roles and the names PostgreSQL
// reserves in role specifications; names starting with pg_ (PostgreSQL's) or
// rds (RDS's roles) are refused too (see IsReservedMasterUsername).
var ReservedMasterUsernames = []string{"rdsadmin", "rdsrepladmin", "public", "none", "all", "user",
	"current_user", "current_role", "session_user"}

// IsReservedMasterUsername reports whether RDS refuses name as the master user
// of a PostgreSQL instance.
func IsReservedMasterUsername(name string) bool {
	return slices.Contains(ReservedMasterUsernames, name) || strings.HasPrefix(name, "pg_") ||
		strings.HasPrefix(name, "rds")
}
