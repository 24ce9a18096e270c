package config

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Database is the RDS PostgreSQL instance and the application database (key
// article-pipeline:database). The defaults are the runbook's console settings, in
// every environment.
type Database struct {
	// Enabled declares the database; a sandbox stack may turn it off.
	Enabled bool
	// Identifier is the RDS instance identifier (set it to the running instance's
	// to adopt it).
	Identifier string
	// EngineVersion is a major ("17": newest minor, upgraded automatically) or
	// major.minor ("17.4") PostgreSQL version; the parameter group family follows.
	EngineVersion       string
	InstanceClass       string
	StorageType         string
	AllocatedStorage    int // GiB
	MaxAllocatedStorage int // GiB; storage autoscaling ceiling
	MultiAZ             bool
	Port                int
	MasterUsername      string
	BackupRetentionDays int
	// BackupWindowStart ("HH:MM", UTC) starts the 30-minute backup window; the
	// 30-minute maintenance window starts 30 minutes after it ends, after the
	// backup of MaintenanceDay.
	BackupWindowStart                string
	MaintenanceDay                   string
	PerformanceInsights              bool
	PerformanceInsightsRetentionDays int
	// MonitoringInterval is the enhanced-monitoring granularity in seconds (0: off).
	MonitoringInterval int
	// LogExports publishes the postgresql and upgrade logs to CloudWatch.
	LogExports              bool
	LogRetentionDays        int
	DeletionProtection      bool
	SkipFinalSnapshot       bool
	FinalSnapshotIdentifier string
	// AllowedCIDRs may reach the port besides the granted security groups.
	AllowedCIDRs []string
	// DatabaseName is the application database (the runbook's CREATE DATABASE).
	DatabaseName string
	// AppUser is the application's login role, created by the bootstrap.
	AppUser string
	// Bootstrap creates AppUser and DatabaseName through the postgresql provider;
	// off, RDS creates DatabaseName and DATABASE_URL carries the master user.
	Bootstrap bool
	// TunnelHost and TunnelPort, if TunnelHost is set, are where the postgresql
	// provider connects (a port forward through the bastion), not the endpoint.
	TunnelHost     string
	TunnelPort     int
	ConnectTimeout int // seconds, postgresql provider
	// Proxy puts an RDS Proxy in front of the instance.
	Proxy bool
	// InstanceImportID adopts the running instance (its identifier, equal to
	// Identifier); SubnetGroupImportID adopts its DB subnet group by name.
	InstanceImportID    string
	SubnetGroupImportID string
}

// Bastion is the SSM-managed tunnel host (key article-pipeline:bastion).
type Bastion struct {
	Enabled      bool
	InstanceType string
	// LocalPort is the port the printed port-forward command opens locally.
	LocalPort int
}

// DefaultDatabase is the runbook's instance: PostgreSQL 17 on db.t3.small, gp2,
// 20 GiB autoscaling to 1000 GiB, single-AZ, port 5432, master user postgres,
// 7-day backups with 30-minute backup and maintenance windows, Performance
// Insights 7 days, enhanced monitoring every 60 s, deletion protection. Better
// than the runbook: the postgresql and upgrade logs go to CloudWatch for 30 days
// (Security Hub RDS.9/RDS.36), and the application gets its own login role.
func DefaultDatabase(env string) Database {
	id := "article-pipeline-" + env
	return Database{
		Enabled:             true,
		Identifier:          id,
		EngineVersion:       "17",
		InstanceClass:       "db.t3.small",
		StorageType:         "gp2",
		AllocatedStorage:    20,
		MaxAllocatedStorage: 1000,
		MultiAZ:             false,
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
		DeletionProtection:               true,
		SkipFinalSnapshot:                false,
		FinalSnapshotIdentifier:          id + "-final",
		DatabaseName:                     "article_pipeline",
		AppUser:                          "article_pipeline",
		Bootstrap:                        true,
		TunnelPort:                       5432,
		ConnectTimeout:                   30,
		Proxy:                            false,
	}
}

// DefaultBastion is off; when on, a t3.nano forwarding local port 5432.
func DefaultBastion() Bastion {
	return Bastion{Enabled: false, InstanceType: "t3.nano", LocalPort: 5432}
}

type rawDatabase struct {
	Enabled                          *bool    `json:"enabled"`
	Identifier                       *string  `json:"identifier"`
	EngineVersion                    *string  `json:"engineVersion"`
	InstanceClass                    *string  `json:"instanceClass"`
	StorageType                      *string  `json:"storageType"`
	AllocatedStorage                 *int     `json:"allocatedStorage"`
	MaxAllocatedStorage              *int     `json:"maxAllocatedStorage"`
	MultiAZ                          *bool    `json:"multiAz"`
	Port                             *int     `json:"port"`
	MasterUsername                   *string  `json:"masterUsername"`
	BackupRetentionDays              *int     `json:"backupRetentionDays"`
	BackupWindowStart                *string  `json:"backupWindowStart"`
	MaintenanceDay                   *string  `json:"maintenanceDay"`
	PerformanceInsights              *bool    `json:"performanceInsights"`
	PerformanceInsightsRetentionDays *int     `json:"performanceInsightsRetentionDays"`
	MonitoringInterval               *int     `json:"monitoringInterval"`
	LogExports                       *bool    `json:"logExports"`
	LogRetentionDays                 *int     `json:"logRetentionDays"`
	DeletionProtection               *bool    `json:"deletionProtection"`
	SkipFinalSnapshot                *bool    `json:"skipFinalSnapshot"`
	FinalSnapshotIdentifier          *string  `json:"finalSnapshotIdentifier"`
	AllowedCIDRs                     []string `json:"allowedCidrs"`
	DatabaseName                     *string  `json:"databaseName"`
	AppUser                          *string  `json:"appUser"`
	Bootstrap                        *bool    `json:"bootstrap"`
	TunnelHost                       *string  `json:"tunnelHost"`
	TunnelPort                       *int     `json:"tunnelPort"`
	ConnectTimeout                   *int     `json:"connectTimeout"`
	Proxy                            *bool    `json:"proxy"`
	InstanceImportID                 *string  `json:"instanceImportId"`
	SubnetGroupImportID              *string  `json:"subnetGroupImportId"`
}

type rawBastion struct {
	Enabled      *bool   `json:"enabled"`
	InstanceType *string `json:"instanceType"`
	LocalPort    *int    `json:"localPort"`
}

var (
	// RDS identifiers: a letter, then letters, digits and single hyphens, no
	// trailing hyphen, lower case (RDS folds them).
	dbIdentifierPattern = regexp.MustCompile(`^[a-z](?:[a-z0-9]|-[a-z0-9])*$`)
	dbVersionPattern    = regexp.MustCompile(`^[1-9][0-9]*(\.[0-9]+)?$`)
	dbClassPattern      = regexp.MustCompile(`^db\.[a-z0-9]+\.[a-z0-9]+$`)
	// Unquoted lower-case PostgreSQL identifiers (at most 63 bytes).
	dbPGNamePattern      = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
	dbClockPattern       = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
	dbHostPattern        = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$`)
	dbSubnetGroupPattern = regexp.MustCompile(`^[a-z0-9 ._-]+$`)
	bastionTypePattern   = regexp.MustCompile(`^[a-z][a-z0-9-]*\.[a-z0-9]+$`)
	dbStorageTypes       = []string{"gp2", "gp3", "io1", "io2"}
	dbWeekdays           = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	dbMonitoring         = []int{0, 1, 5, 10, 15, 30, 60}
	dbReservedNames      = []string{"postgres", "template0", "template1", "rdsadmin", "public"}
	dbLogRetentionSet    = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
		2557, 2922, 3288, 3653}
)

// parseDatabase reads article-pipeline:database over DefaultDatabase(env).
// protect is Settings.Protect: a protected database never skips its final snapshot.
func parseDatabase(value, env string, protect bool, p *problems) Database {
	k := key("database")
	d := DefaultDatabase(env)
	var r rawDatabase
	if !decode(k, value, &r, p) {
		if strings.TrimSpace(value) != "" {
			return d
		}
	}
	dbSet(&d.Enabled, r.Enabled)
	dbSet(&d.Identifier, r.Identifier)
	// The snapshot name follows a changed identifier unless it is set too.
	d.FinalSnapshotIdentifier = d.Identifier + "-final"
	dbSet(&d.EngineVersion, r.EngineVersion)
	dbSet(&d.InstanceClass, r.InstanceClass)
	dbSet(&d.StorageType, r.StorageType)
	dbSet(&d.AllocatedStorage, r.AllocatedStorage)
	dbSet(&d.MaxAllocatedStorage, r.MaxAllocatedStorage)
	dbSet(&d.MultiAZ, r.MultiAZ)
	dbSet(&d.Port, r.Port)
	dbSet(&d.MasterUsername, r.MasterUsername)
	dbSet(&d.BackupRetentionDays, r.BackupRetentionDays)
	dbSet(&d.BackupWindowStart, r.BackupWindowStart)
	dbSet(&d.MaintenanceDay, r.MaintenanceDay)
	dbSet(&d.PerformanceInsights, r.PerformanceInsights)
	dbSet(&d.PerformanceInsightsRetentionDays, r.PerformanceInsightsRetentionDays)
	dbSet(&d.MonitoringInterval, r.MonitoringInterval)
	dbSet(&d.LogExports, r.LogExports)
	dbSet(&d.LogRetentionDays, r.LogRetentionDays)
	dbSet(&d.DeletionProtection, r.DeletionProtection)
	dbSet(&d.SkipFinalSnapshot, r.SkipFinalSnapshot)
	dbSet(&d.FinalSnapshotIdentifier, r.FinalSnapshotIdentifier)
	if r.AllowedCIDRs != nil {
		d.AllowedCIDRs = r.AllowedCIDRs
	}
	dbSet(&d.DatabaseName, r.DatabaseName)
	dbSet(&d.AppUser, r.AppUser)
	dbSet(&d.Bootstrap, r.Bootstrap)
	dbSet(&d.TunnelHost, r.TunnelHost)
	dbSet(&d.TunnelPort, r.TunnelPort)
	dbSet(&d.ConnectTimeout, r.ConnectTimeout)
	dbSet(&d.Proxy, r.Proxy)
	dbSet(&d.InstanceImportID, r.InstanceImportID)
	dbSet(&d.SubnetGroupImportID, r.SubnetGroupImportID)
	if d.Enabled {
		validateDatabase(d, protect, p)
	}
	return d
}

func validateDatabase(d Database, protect bool, p *problems) {
	k := key("database")
	f := func(field string) string { return k + "." + field }

	idOK := checkRDSIdentifier(f("identifier"), d.Identifier, 63, p)
	if !dbVersionPattern.MatchString(d.EngineVersion) {
		p.add(f("engineVersion"), "%q is not a PostgreSQL version; expected a major version such as \"17\" "+
			"(newest minor, upgraded automatically) or major.minor such as \"17.4\"", d.EngineVersion)
	}
	if !dbClassPattern.MatchString(d.InstanceClass) {
		p.add(f("instanceClass"), "%q is not an RDS instance class; expected db.FAMILY.SIZE such as db.t3.small",
			d.InstanceClass)
	}
	if !slices.Contains(dbStorageTypes, d.StorageType) {
		p.add(f("storageType"), "%q is not a storage type; expected one of %s", d.StorageType,
			strings.Join(dbStorageTypes, ", "))
	}
	storageOK := d.AllocatedStorage >= 20 && d.AllocatedStorage <= 65536
	if !storageOK {
		p.add(f("allocatedStorage"), "%d is out of range; expected 20..65536 (GiB)", d.AllocatedStorage)
	}
	switch {
	case d.MaxAllocatedStorage > 65536:
		p.add(f("maxAllocatedStorage"), "%d is out of range; expected at most 65536 (GiB)", d.MaxAllocatedStorage)
	case storageOK && d.MaxAllocatedStorage <= d.AllocatedStorage:
		p.add(f("maxAllocatedStorage"), "%d is not above allocatedStorage %d; expected a larger autoscaling "+
			"maximum (GiB)", d.MaxAllocatedStorage, d.AllocatedStorage)
	}
	if d.Port < 1150 || d.Port > 65535 {
		p.add(f("port"), "%d is out of range; expected 1150..65535 (RDS limits)", d.Port)
	}
	checkPGName(f("masterUsername"), d.MasterUsername, p)
	if d.BackupRetentionDays < 1 || d.BackupRetentionDays > 35 {
		p.add(f("backupRetentionDays"), "%d is out of range; expected 1..35 (days; 0 would turn automated "+
			"backups off)", d.BackupRetentionDays)
	}
	if !dbClockPattern.MatchString(d.BackupWindowStart) {
		p.add(f("backupWindowStart"), "%q is not a time of day; expected HH:MM in UTC (24-hour), e.g. \"08:00\"",
			d.BackupWindowStart)
	}
	if !slices.Contains(dbWeekdays, d.MaintenanceDay) {
		p.add(f("maintenanceDay"), "%q is not a weekday; expected one of %s", d.MaintenanceDay,
			strings.Join(dbWeekdays, ", "))
	}
	if d.PerformanceInsights && !validInsightsRetention(d.PerformanceInsightsRetentionDays) {
		p.add(f("performanceInsightsRetentionDays"), "%d is not a retention Performance Insights offers; "+
			"expected 7, 731 or a multiple of 31 up to 713 (days)", d.PerformanceInsightsRetentionDays)
	}
	if !slices.Contains(dbMonitoring, d.MonitoringInterval) {
		p.add(f("monitoringInterval"), "%d is not an enhanced-monitoring interval; expected one of %s (seconds; "+
			"0 is off)", d.MonitoringInterval, joinInts(dbMonitoring))
	}
	if d.LogExports && !slices.Contains(dbLogRetentionSet, d.LogRetentionDays) {
		p.add(f("logRetentionDays"), "%d is not a CloudWatch Logs retention; expected one of %s (days)",
			d.LogRetentionDays, joinInts(dbLogRetentionSet))
	}
	if d.SkipFinalSnapshot && protect {
		p.add(f("skipFinalSnapshot"), "cannot be true while %s is true; a protected database always keeps a "+
			"final snapshot", key("protect"))
	}
	if !d.DeletionProtection && protect {
		p.add(f("deletionProtection"), "cannot be false while %s is true; a protected database keeps AWS "+
			"deletion protection too (Security Hub RDS.8)", key("protect"))
	}
	// A name derived from a bad identifier would only repeat that problem.
	if !d.SkipFinalSnapshot && (idOK || d.FinalSnapshotIdentifier != d.Identifier+"-final") {
		checkRDSIdentifier(f("finalSnapshotIdentifier"), d.FinalSnapshotIdentifier, 255, p)
	}
	seen := map[string]int{}
	for i, c := range d.AllowedCIDRs {
		ck := idx(f("allowedCidrs"), i)
		pfx, ok := parsePrefix(ck, c, p)
		if !ok {
			continue
		}
		if pfx.Bits() == 0 {
			p.add(ck, "%q admits every address; expected a specific network", c)
		}
		if j, dup := seen[c]; dup {
			p.add(ck, "%q is already allowedCidrs[%d]", c, j)
		}
		seen[c] = i
	}
	if checkPGName(f("databaseName"), d.DatabaseName, p) && slices.Contains(dbReservedNames, d.DatabaseName) {
		p.add(f("databaseName"), "%q is reserved; expected the application's own database name", d.DatabaseName)
	}
	if d.Bootstrap && checkPGName(f("appUser"), d.AppUser, p) {
		switch {
		case d.AppUser == d.MasterUsername:
			p.add(f("appUser"), "%q is the master user; expected a separate login for the application", d.AppUser)
		case slices.Contains(dbReservedNames, d.AppUser) || strings.HasPrefix(d.AppUser, "pg_") ||
			strings.HasPrefix(d.AppUser, "rds"):
			p.add(f("appUser"), "%q is reserved (postgres, public, pg_*, rds*); expected another role name", d.AppUser)
		}
	}
	if d.TunnelHost != "" && !dbHostPattern.MatchString(d.TunnelHost) {
		p.add(f("tunnelHost"), "%q is not a host name or address; expected e.g. localhost", d.TunnelHost)
	}
	if d.TunnelPort < 1 || d.TunnelPort > 65535 {
		p.add(f("tunnelPort"), "%d is out of range; expected 1..65535", d.TunnelPort)
	}
	if d.ConnectTimeout < 1 || d.ConnectTimeout > 600 {
		p.add(f("connectTimeout"), "%d is out of range; expected 1..600 (seconds)", d.ConnectTimeout)
	}
	if d.Proxy && idOK && len(d.Identifier) > 54 {
		p.add(f("proxy"), "the proxy is named %s-proxy, longer than RDS's 60 characters; expected an identifier "+
			"of at most 54 characters", d.Identifier)
	}
	if d.InstanceImportID != "" && d.InstanceImportID != d.Identifier {
		p.add(f("instanceImportId"), "%q is not identifier %q; RDS imports an instance by its identifier, so set "+
			"identifier to the running instance's too", d.InstanceImportID, d.Identifier)
	}
	if g := d.SubnetGroupImportID; g != "" && (len(g) > 255 || !dbSubnetGroupPattern.MatchString(g) || g == "default") {
		p.add(f("subnetGroupImportId"), "%q is not a DB subnet group name; expected lower-case letters, digits, "+
			"spaces, periods, underscores and hyphens, not \"default\"", g)
	}
}

// checkRDSIdentifier applies RDS's rules for instance and snapshot identifiers.
func checkRDSIdentifier(k, v string, maxLen int, p *problems) bool {
	if len(v) > maxLen || !dbIdentifierPattern.MatchString(v) {
		p.add(k, "%q is not an RDS identifier; expected 1..%d lower-case letters, digits and single hyphens, "+
			"starting with a letter and not ending with a hyphen", v, maxLen)
		return false
	}
	return true
}

// checkPGName insists on an identifier that needs no quoting in SQL or a URL.
func checkPGName(k, v string, p *problems) bool {
	if !dbPGNamePattern.MatchString(v) {
		p.add(k, "%q is not a PostgreSQL name; expected 1..63 lower-case letters, digits and underscores, "+
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

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

// parseBastion reads article-pipeline:bastion over DefaultBastion. The bastion
// exists for the database tunnel, so it needs the database.
func parseBastion(value string, db Database, p *problems) Bastion {
	k := key("bastion")
	b := DefaultBastion()
	var r rawBastion
	if !decode(k, value, &r, p) {
		if strings.TrimSpace(value) != "" {
			return b
		}
	}
	dbSet(&b.Enabled, r.Enabled)
	dbSet(&b.InstanceType, r.InstanceType)
	dbSet(&b.LocalPort, r.LocalPort)
	if !b.Enabled {
		return b
	}
	if !bastionTypePattern.MatchString(b.InstanceType) {
		p.add(k+".instanceType", "%q is not an EC2 instance type; expected FAMILY.SIZE such as t3.nano or t4g.nano",
			b.InstanceType)
	}
	if b.LocalPort < 1024 || b.LocalPort > 65535 {
		p.add(k+".localPort", "%d is out of range; expected 1024..65535 (a local port that needs no root)",
			b.LocalPort)
	}
	if !db.Enabled {
		p.add(k+".enabled", "the bastion tunnels to the database, but %s.enabled is false", key("database"))
	}
	return b
}

// dbSet overwrites a default with a value the stack file gives.
func dbSet[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
