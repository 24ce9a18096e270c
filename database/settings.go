package database

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/internal/awsdata"
	"github.com/np-mrd/article-pipeline-infra/internal/check"
)

// Settings is what a stack file says about the database
// (article-pipeline:database).
type Settings struct {
	// Enabled declares the database; a sandbox stack turns it off.
	Enabled bool `json:"enabled"`
	// Identifier is the RDS instance identifier, its physical name (set it to
	// the running instance's to adopt it).
	Identifier string `json:"identifier"`
	// EngineVersion is a major ("17": newest minor, upgraded automatically) or
	// major.minor ("17.4") PostgreSQL version; the parameter group family follows.
	// A version below the running one never plans a downgrade (see EnginePlan).
	EngineVersion string `json:"engineVersion"`
	// AllowMajorUpgrade states that a new major in EngineVersion is meant: without
	// it, a major other than the running one is refused before anything is declared.
	AllowMajorUpgrade bool `json:"allowMajorUpgrade"`
	// ApplyImmediately applies modifications now instead of in the next
	// maintenance window (a port change restarts the instance now regardless).
	ApplyImmediately bool   `json:"applyImmediately"`
	InstanceClass    string `json:"instanceClass"`
	StorageType      string `json:"storageType"`
	// AllocatedStorage and MaxAllocatedStorage (the storage autoscaling ceiling)
	// are in GiB.
	AllocatedStorage    int `json:"allocatedStorage"`
	MaxAllocatedStorage int `json:"maxAllocatedStorage"`
	// Iops and StorageThroughput (MiB/s) are provisioned performance: required
	// for io1 and io2, optional for gp3 from 400 GiB, refused otherwise (0: unset).
	Iops              int  `json:"iops"`
	StorageThroughput int  `json:"storageThroughput"`
	MultiAZ           bool `json:"multiAz"`
	Port              int  `json:"port"`
	// MasterUsername cannot change in place.
	MasterUsername      string `json:"masterUsername"`
	BackupRetentionDays int    `json:"backupRetentionDays"`
	// BackupWindowStart ("HH:MM", UTC) starts the 30-minute backup window; the
	// 30-minute maintenance window follows 30 minutes after it on MaintenanceDay
	// (see Windows).
	BackupWindowStart                string `json:"backupWindowStart"`
	MaintenanceDay                   string `json:"maintenanceDay"`
	PerformanceInsights              bool   `json:"performanceInsights"`
	PerformanceInsightsRetentionDays int    `json:"performanceInsightsRetentionDays"`
	// MonitoringInterval is the enhanced-monitoring granularity in seconds (0:
	// off, with no monitoring role).
	MonitoringInterval int `json:"monitoringInterval"`
	// LogExports publishes the postgresql and upgrade logs to CloudWatch log
	// groups kept LogRetentionDays.
	LogExports       bool `json:"logExports"`
	LogRetentionDays int  `json:"logRetentionDays"`
	// SlowQueryMs logs every statement that runs at least this many
	// milliseconds, with its duration, to the postgresql log
	// (log_min_duration_statement); -1 logs none.
	SlowQueryMs        int  `json:"slowQueryMs"`
	DeletionProtection bool `json:"deletionProtection"`
	SkipFinalSnapshot  bool `json:"skipFinalSnapshot"`
	// FinalSnapshotIdentifier names the snapshot taken on delete; empty is
	// <identifier>-final.
	FinalSnapshotIdentifier string `json:"finalSnapshotIdentifier"`
	// AllowedCIDRs may reach the port besides the granted security groups.
	AllowedCIDRs []string `json:"allowedCidrs"`
	// DatabaseName is the application database (the runbook's CREATE DATABASE).
	DatabaseName string `json:"databaseName"`
	// Bootstrap creates the application's login role AppUser and DatabaseName,
	// owned by it, through the postgresql provider; this needs a network path to
	// the instance from where `pulumi up` runs (TunnelHost). Off: RDS creates
	// DatabaseName and DATABASE_URL carries the master user.
	Bootstrap bool   `json:"bootstrap"`
	AppUser   string `json:"appUser"`
	// TunnelHost and TunnelPort, when TunnelHost is set, are where the postgresql
	// provider connects instead of the endpoint (a port forward through the
	// bastion). CI sets them on its runner; they are not committed.
	TunnelHost string `json:"tunnelHost"`
	TunnelPort int    `json:"tunnelPort"`
	// ConnectTimeout is the postgresql provider's connect timeout in seconds.
	ConnectTimeout int `json:"connectTimeout"`
	// Proxy puts an RDS Proxy, named <identifier>-proxy, in front of the
	// instance; DATABASE_URL then names it.
	Proxy bool `json:"proxy"`
}

// Adoption names the running, console-made database to import instead of
// create (article-pipeline:adopt.database).
type Adoption struct {
	// InstanceID is the RDS identifier; it must equal Settings.Identifier (an
	// instance is imported by its identifier, and another one would be created
	// beside it).
	InstanceID string `json:"instanceId"`
	// SubnetGroupName adopts the instance's DB subnet group by name.
	SubnetGroupName string `json:"subnetGroupName"`
	// SubnetIDs are the adopted subnet group's subnets as they are (the console
	// may have put every subnet of the VPC in it, and RDS refuses to remove the
	// one the instance runs in); empty declares the private subnets.
	SubnetIDs []string `json:"subnetIds"`
}

// Validate checks the IDs against the settings they adopt.
func (a Adoption) Validate(k string, s Settings) error {
	var p check.Problems
	if a.InstanceID != "" && a.InstanceID != s.Identifier {
		p.Add(k+".instanceId", "%q differs from the database identifier %q; set the identifier to the running "+
			"instance's, or a new instance would be created beside it", a.InstanceID, s.Identifier)
	}
	if g := a.SubnetGroupName; g != "" && (len(g) > 255 || !subnetGroupPattern.MatchString(g) || g == "default") {
		p.Add(k+".subnetGroupName", "%q is not a DB subnet group name; expected lower-case letters, digits, "+
			"spaces, periods, underscores and hyphens, not \"default\"", g)
	}
	if len(a.SubnetIDs) > 0 {
		if a.SubnetGroupName == "" {
			p.Add(k+".subnetIds", "is set without subnetGroupName; expected the subnets of the adopted group only")
		}
		if len(a.SubnetIDs) < 2 {
			p.Add(k+".subnetIds", "%d subnet(s); expected at least 2 (an RDS subnet group spans two zones)",
				len(a.SubnetIDs))
		}
		seen := map[string]int{}
		for i, id := range a.SubnetIDs {
			if !subnetIDPattern.MatchString(id) {
				p.Add(check.Index(k+".subnetIds", i), "%q is not a subnet ID (subnet-...)", id)
			}
			if j, dup := seen[id]; dup {
				p.Add(check.Index(k+".subnetIds", i), "%q is already subnetIds[%d]", id, j)
			}
			seen[id] = i
		}
	}
	return p.Err()
}

// Defaults is the runbook's instance, named identifier: PostgreSQL 17 on
// db.t3.small, gp2, 20 GiB autoscaling to 1000 GiB, single-AZ, port 5432,
// master user postgres, 7-day backups with 30-minute backup and maintenance
// windows, Performance Insights 7 days, enhanced monitoring every 60 s,
// deletion protection and a final snapshot. Beyond the runbook: the postgresql
// and upgrade logs go to CloudWatch for 30 days (Security Hub RDS.9/RDS.36),
// and the application gets its own login role.
func Defaults(identifier string) Settings {
	return Settings{
		Enabled:             true,
		Identifier:          identifier,
		EngineVersion:       "17",
		InstanceClass:       "db.t3.small",
		StorageType:         "gp2",
		AllocatedStorage:    20,
		MaxAllocatedStorage: 1000,
		Port:                5432,
		MasterUsername:      "postgres",
		BackupRetentionDays: 7,
		// The runbook says "choose one": 08:00 UTC is midnight in Oregon (us-west-2).
		BackupWindowStart:                "08:00",
		MaintenanceDay:                   "sun",
		PerformanceInsights:              true,
		PerformanceInsightsRetentionDays: 7,
		MonitoringInterval:               60,
		LogExports:                       true,
		LogRetentionDays:                 30,
		SlowQueryMs:                      1000,
		DeletionProtection:               true,
		DatabaseName:                     "article_pipeline",
		AppUser:                          "article_pipeline",
		Bootstrap:                        true,
		TunnelPort:                       5432,
		ConnectTimeout:                   30,
	}
}

// FinalSnapshot is the name of the snapshot taken when the instance is deleted.
func (s Settings) FinalSnapshot() string {
	if s.FinalSnapshotIdentifier != "" {
		return s.FinalSnapshotIdentifier
	}
	return s.Identifier + "-final"
}

// Major is the engine's major version ("17" of "17.4").
func (s Settings) Major() string { return strings.SplitN(s.EngineVersion, ".", 2)[0] }

// maxSlowQueryMs is an hour: a statement slower than that is an incident
// of its own, not a log line.
const maxSlowQueryMs = 3_600_000

var (
	// RDS identifiers: a letter, then letters, digits and single hyphens, no
	// trailing hyphen, lower case (RDS folds them).
	identifierPattern = regexp.MustCompile(`^[a-z](?:[a-z0-9]|-[a-z0-9])*$`)
	versionPattern    = regexp.MustCompile(`^[1-9][0-9]*(\.[0-9]+)?$`)
	classPattern      = regexp.MustCompile(`^db\.[a-z0-9]+\.[a-z0-9]+$`)
	// Unquoted lower-case PostgreSQL identifiers (at most 63 bytes).
	pgNamePattern      = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
	clockPattern       = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
	hostPattern        = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$`)
	subnetGroupPattern = regexp.MustCompile(`^[a-z0-9 ._-]+$`)
	subnetIDPattern    = regexp.MustCompile(`^subnet-[0-9a-f]{8}([0-9a-f]{9})?$`)
	storageTypes       = []string{"gp2", "gp3", "io1", "io2"}
	monitoringSeconds  = []int{0, 1, 5, 10, 15, 30, 60}
	reservedNames      = []string{"postgres", "template0", "template1", "rdsadmin", "public"}
)

// Validate checks every value of an enabled database against what RDS and
// PostgreSQL accept.
func (s Settings) Validate(k string) error {
	var p check.Problems
	f := func(field string) string { return k + "." + field }

	idOK := rdsIdentifier(&p, f("identifier"), s.Identifier, 63)
	if !versionPattern.MatchString(s.EngineVersion) || !slices.Contains(awsdata.PostgresMajors, s.Major()) {
		p.Add(f("engineVersion"), "%q is not a PostgreSQL version RDS offers; expected a major version (%s) such "+
			"as \"17\" (newest minor, upgraded automatically) or major.minor such as \"17.4\"", s.EngineVersion,
			strings.Join(awsdata.PostgresMajors, ", "))
	}
	checkClass(&p, f("instanceClass"), s.InstanceClass)
	storageTypeOK := slices.Contains(storageTypes, s.StorageType)
	if !storageTypeOK {
		p.Add(f("storageType"), "%q is not a storage type; expected one of %s", s.StorageType,
			strings.Join(storageTypes, ", "))
	}
	storageOK := s.AllocatedStorage >= 20 && s.AllocatedStorage <= 65536
	if !storageOK {
		p.Add(f("allocatedStorage"), "%d is out of range; expected 20..65536 (GiB)", s.AllocatedStorage)
	}
	if storageTypeOK && storageOK {
		s.checkProvisioned(&p, f)
	}
	switch {
	case s.MaxAllocatedStorage > 65536:
		p.Add(f("maxAllocatedStorage"), "%d is out of range; expected at most 65536 (GiB)", s.MaxAllocatedStorage)
	case storageOK && s.MaxAllocatedStorage <= s.AllocatedStorage:
		p.Add(f("maxAllocatedStorage"), "%d is not above allocatedStorage %d; expected a larger autoscaling "+
			"maximum (GiB)", s.MaxAllocatedStorage, s.AllocatedStorage)
	}
	if s.Port < 1150 || s.Port > 65535 {
		p.Add(f("port"), "%d is out of range; expected 1150..65535 (RDS limits)", s.Port)
	}
	if pgName(&p, f("masterUsername"), s.MasterUsername) && awsdata.IsReservedMasterUsername(s.MasterUsername) {
		p.Add(f("masterUsername"), "%q is reserved by RDS for PostgreSQL; expected another name (reserved: %s, "+
			"and names starting with pg_ or rds)", s.MasterUsername, strings.Join(awsdata.ReservedMasterUsernames, ", "))
	}
	if s.BackupRetentionDays < 1 || s.BackupRetentionDays > 35 {
		p.Add(f("backupRetentionDays"), "%d is out of range; expected 1..35 (days; 0 would turn automated "+
			"backups off)", s.BackupRetentionDays)
	}
	if !clockPattern.MatchString(s.BackupWindowStart) {
		p.Add(f("backupWindowStart"), "%q is not a time of day; expected HH:MM in UTC (24-hour), e.g. \"08:00\"",
			s.BackupWindowStart)
	}
	if !slices.Contains(Weekdays, s.MaintenanceDay) {
		p.Add(f("maintenanceDay"), "%q is not a weekday; expected one of %s", s.MaintenanceDay,
			strings.Join(Weekdays, ", "))
	}
	if s.PerformanceInsights && !validInsightsRetention(s.PerformanceInsightsRetentionDays) {
		p.Add(f("performanceInsightsRetentionDays"), "%d is not a retention Performance Insights offers; "+
			"expected 7, 731 or a multiple of 31 up to 713 (days)", s.PerformanceInsightsRetentionDays)
	}
	if !slices.Contains(monitoringSeconds, s.MonitoringInterval) {
		p.Add(f("monitoringInterval"), "%d is not an enhanced-monitoring interval; expected one of %s (seconds; "+
			"0 is off)", s.MonitoringInterval, check.Ints(monitoringSeconds))
	}
	if s.LogExports {
		check.LogRetention(&p, f("logRetentionDays"), s.LogRetentionDays)
	}
	if s.SlowQueryMs < -1 || s.SlowQueryMs > maxSlowQueryMs {
		p.Add(f("slowQueryMs"), "%d is out of range; expected -1 (off) or 0..%d (milliseconds; 0 logs every "+
			"statement)", s.SlowQueryMs, maxSlowQueryMs)
	}
	// A name derived from a bad identifier would only repeat that problem.
	if !s.SkipFinalSnapshot && (idOK || s.FinalSnapshotIdentifier != "") {
		rdsIdentifier(&p, f("finalSnapshotIdentifier"), s.FinalSnapshot(), 255)
	}
	seen := map[string]int{}
	for i, c := range s.AllowedCIDRs {
		ck := check.Index(f("allowedCidrs"), i)
		pfx, ok := check.CIDR(&p, ck, c)
		if !ok {
			continue
		}
		if pfx.Bits() == 0 {
			p.Add(ck, "%q admits every address; expected a specific network", c)
		}
		if j, dup := seen[c]; dup {
			p.Add(ck, "%q is already allowedCidrs[%d]", c, j)
		}
		seen[c] = i
	}
	if pgName(&p, f("databaseName"), s.DatabaseName) && slices.Contains(reservedNames, s.DatabaseName) {
		p.Add(f("databaseName"), "%q is reserved; expected the application's own database name", s.DatabaseName)
	}
	if s.Bootstrap && pgName(&p, f("appUser"), s.AppUser) {
		switch {
		case s.AppUser == s.MasterUsername:
			p.Add(f("appUser"), "%q is the master user; expected a separate login for the application", s.AppUser)
		case slices.Contains(reservedNames, s.AppUser) || strings.HasPrefix(s.AppUser, "pg_") ||
			strings.HasPrefix(s.AppUser, "rds"):
			p.Add(f("appUser"), "%q is reserved (postgres, public, pg_*, rds*); expected another role name", s.AppUser)
		}
	}
	if s.TunnelHost != "" && !hostPattern.MatchString(s.TunnelHost) {
		p.Add(f("tunnelHost"), "%q is not a host name or address; expected e.g. localhost", s.TunnelHost)
	}
	if s.TunnelPort < 1 || s.TunnelPort > 65535 {
		p.Add(f("tunnelPort"), "%d is out of range; expected 1..65535", s.TunnelPort)
	}
	if s.ConnectTimeout < 1 || s.ConnectTimeout > 600 {
		p.Add(f("connectTimeout"), "%d is out of range; expected 1..600 (seconds)", s.ConnectTimeout)
	}
	if s.Proxy && idOK && len(s.Identifier)+len(proxySuffix) > 60 {
		p.Add(f("proxy"), "the proxy is named %s%s, longer than RDS's 60 characters; expected an identifier "+
			"of at most %d characters", s.Identifier, proxySuffix, 60-len(proxySuffix))
	}
	return p.Err()
}

// checkClass insists on an RDS instance class that runs PostgreSQL.
func checkClass(p *check.Problems, k, class string) {
	if awsdata.IsPostgresClass(class) {
		return
	}
	if !classPattern.MatchString(class) {
		p.Add(k, "%q is not an RDS instance class; expected db.FAMILY.SIZE such as db.t3.small", class)
		return
	}
	family := strings.Split(class, ".")[1]
	if sizes := awsdata.ClassSizes(family); sizes != nil {
		p.Add(k, "%q is not an RDS for PostgreSQL instance class; db.%s comes in %s (table of %s)", class, family,
			strings.Join(sizes, ", "), awsdata.Taken)
		return
	}
	p.Add(k, "%q is not an RDS for PostgreSQL instance class; expected a family of %s (table of %s)", class,
		strings.Join(awsdata.PostgresClassFamilies(), ", "), awsdata.Taken)
}

// gp3Threshold is the allocated storage (GiB) from which RDS for PostgreSQL
// lets gp3 IOPS and throughput be provisioned; below it they are the 3000 IOPS
// and 125 MiB/s baseline.
const gp3Threshold = 400

// checkProvisioned applies RDS's rules for provisioned IOPS and throughput per
// storage type (RDS User Guide, "Amazon RDS DB instance storage").
func (s Settings) checkProvisioned(p *check.Problems, f func(string) string) {
	switch s.StorageType {
	case "gp2":
		if s.Iops != 0 {
			p.Add(f("iops"), "%d is set for gp2, whose IOPS follow its size; expected 0 (unset), or storageType gp3, "+
				"io1 or io2", s.Iops)
		}
		if s.StorageThroughput != 0 {
			p.Add(f("storageThroughput"), "%d is set for gp2; expected 0 (unset), or storageType gp3", s.StorageThroughput)
		}
	case "gp3":
		if s.AllocatedStorage < gp3Threshold {
			for _, v := range []struct {
				field string
				n     int
			}{{"iops", s.Iops}, {"storageThroughput", s.StorageThroughput}} {
				if v.n != 0 {
					p.Add(f(v.field), "%d is set, but gp3 below %d GiB (allocatedStorage is %d) has the fixed 3000 IOPS "+
						"and 125 MiB/s baseline; expected 0 (unset), or allocatedStorage of at least %d", v.n,
						gp3Threshold, s.AllocatedStorage, gp3Threshold)
				}
			}
			return
		}
		if s.Iops != 0 && (s.Iops < 12000 || s.Iops > 64000 || s.Iops > 500*s.AllocatedStorage) {
			p.Add(f("iops"), "%d is out of range for gp3 of %d GiB; expected 12000..%d (at most 500 per GiB, 64000 in "+
				"all)", s.Iops, s.AllocatedStorage, min(64000, 500*s.AllocatedStorage))
		}
		if s.StorageThroughput != 0 && (s.StorageThroughput < 500 || s.StorageThroughput > 4000) {
			p.Add(f("storageThroughput"), "%d is out of range for gp3; expected 500..4000 (MiB/s)", s.StorageThroughput)
		}
	case "io1", "io2":
		// io1 allows 1 to 50 IOPS per GiB, io2 0.5 to 1000 (as iops*2 per GiB).
		lo2, hi := 2, 50
		if s.StorageType == "io2" {
			lo2, hi = 1, 1000
		}
		switch {
		case s.AllocatedStorage < 100:
			p.Add(f("allocatedStorage"), "%d is too small for %s; expected 100..65536 (GiB)", s.AllocatedStorage,
				s.StorageType)
		case s.Iops == 0:
			p.Add(f("iops"), "is required for %s; expected 1000..256000 provisioned IOPS", s.StorageType)
		case s.Iops < 1000 || s.Iops > 256000:
			p.Add(f("iops"), "%d is out of range for %s; expected 1000..256000", s.Iops, s.StorageType)
		case 2*s.Iops < lo2*s.AllocatedStorage || s.Iops > hi*s.AllocatedStorage:
			p.Add(f("iops"), "%d for %d GiB is outside the %s ratio; expected %d..%d IOPS (%s to %d per GiB)", s.Iops,
				s.AllocatedStorage, s.StorageType, max(1000, (lo2*s.AllocatedStorage+1)/2),
				min(256000, hi*s.AllocatedStorage), map[int]string{1: "0.5", 2: "1"}[lo2], hi)
		}
		if s.StorageThroughput != 0 {
			p.Add(f("storageThroughput"), "%d is set for %s, whose throughput follows its IOPS; expected 0 (unset)",
				s.StorageThroughput, s.StorageType)
		}
	}
}

// EnginePlan compares the configured engine version with the one the instance
// runs (running: RDS's full version, such as "17.4"; "" when not known, as on
// the first up) and says whether the instance must ignore a difference in
// engineVersion. A minor drift (RDS upgraded the minor itself, or an imported
// instance reports "17.4" against "17") and a pinned minor below the running one
// (which would plan a downgrade RDS refuses) are ignored; a pinned minor above it
// is applied. A different major is applied only with AllowMajorUpgrade, and a
// lower major is refused. k names the settings' key in errors.
func (s Settings) EnginePlan(k, running string) (ignore bool, err error) {
	if running == "" || !versionPattern.MatchString(running) {
		return true, nil
	}
	cMajor, cMinor, cHasMinor := splitVersion(s.EngineVersion)
	rMajor, rMinor, _ := splitVersion(running)
	switch {
	case cMajor > rMajor && !s.AllowMajorUpgrade:
		return true, fmt.Errorf("%s.engineVersion: %q is a major upgrade of the running %s; set %s.allowMajorUpgrade: "+
			"true to upgrade on purpose (docs/operations.md, \"Major version upgrade\")", k, s.EngineVersion, running, k)
	case cMajor > rMajor:
		return false, nil
	case cMajor < rMajor:
		return true, fmt.Errorf("%s.engineVersion: %q is below the running %s and RDS cannot downgrade; expected %q "+
			"or a later version", k, s.EngineVersion, running, strconv.Itoa(rMajor))
	case cHasMinor && cMinor > rMinor:
		return false, nil
	}
	return true, nil
}

// splitVersion reads "17" or "17.4" (validated by versionPattern).
func splitVersion(v string) (major, minor int, hasMinor bool) {
	ma, mi, has := strings.Cut(v, ".")
	major, _ = strconv.Atoi(ma)
	if has {
		minor, _ = strconv.Atoi(mi)
	}
	return major, minor, has
}

// rdsIdentifier applies RDS's rules for instance and snapshot identifiers.
func rdsIdentifier(p *check.Problems, k, v string, maxLen int) bool {
	if len(v) > maxLen || !identifierPattern.MatchString(v) {
		p.Add(k, "%q is not an RDS identifier; expected 1..%d lower-case letters, digits and single hyphens, "+
			"starting with a letter and not ending with a hyphen", v, maxLen)
		return false
	}
	return true
}

// pgName insists on an identifier that needs no quoting in SQL or a URL.
func pgName(p *check.Problems, k, v string) bool {
	if !pgNamePattern.MatchString(v) {
		p.Add(k, "%q is not a PostgreSQL name; expected 1..63 lower-case letters, digits and underscores, "+
			"starting with a letter", v)
		return false
	}
	return true
}

// validInsightsRetention: 7 (free tier), a whole number of months (31 days each,
// up to 23) or 731 days.
func validInsightsRetention(days int) bool {
	return days == 7 || days == 731 || (days > 0 && days%31 == 0 && days/31 <= 23)
}
