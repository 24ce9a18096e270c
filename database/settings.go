package database

import (
	"regexp"
	"slices"
	"strings"

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
	EngineVersion string `json:"engineVersion"`
	InstanceClass string `json:"instanceClass"`
	StorageType   string `json:"storageType"`
	// AllocatedStorage and MaxAllocatedStorage (the storage autoscaling ceiling)
	// are in GiB.
	AllocatedStorage    int  `json:"allocatedStorage"`
	MaxAllocatedStorage int  `json:"maxAllocatedStorage"`
	MultiAZ             bool `json:"multiAz"`
	Port                int  `json:"port"`
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
	if !versionPattern.MatchString(s.EngineVersion) {
		p.Add(f("engineVersion"), "%q is not a PostgreSQL version; expected a major version such as \"17\" "+
			"(newest minor, upgraded automatically) or major.minor such as \"17.4\"", s.EngineVersion)
	}
	if !classPattern.MatchString(s.InstanceClass) {
		p.Add(f("instanceClass"), "%q is not an RDS instance class; expected db.FAMILY.SIZE such as db.t3.small",
			s.InstanceClass)
	}
	if !slices.Contains(storageTypes, s.StorageType) {
		p.Add(f("storageType"), "%q is not a storage type; expected one of %s", s.StorageType,
			strings.Join(storageTypes, ", "))
	}
	storageOK := s.AllocatedStorage >= 20 && s.AllocatedStorage <= 65536
	if !storageOK {
		p.Add(f("allocatedStorage"), "%d is out of range; expected 20..65536 (GiB)", s.AllocatedStorage)
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
	pgName(&p, f("masterUsername"), s.MasterUsername)
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
