package database

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/internal/mock"
)

func TestDefaultsAreTheRunbook(t *testing.T) {
	t.Parallel()
	want := Settings{
		Enabled:                          true,
		Identifier:                       "article-pipeline-prod",
		EngineVersion:                    "17",          // newest; default.postgres17 on prod
		InstanceClass:                    "db.t3.small", // "Bustable classes / db.t3.small"
		StorageType:                      "gp2",
		AllocatedStorage:                 20,
		MaxAllocatedStorage:              1000, // "Max Storage Threshold: 1000Gb"
		MultiAZ:                          false,
		Port:                             5432,
		MasterUsername:                   "postgres",
		BackupRetentionDays:              7,
		BackupWindowStart:                "08:00",
		MaintenanceDay:                   "sun",
		PerformanceInsights:              true,
		PerformanceInsightsRetentionDays: 7,
		MonitoringInterval:               60,
		LogExports:                       true, // better than the runbook: RDS.9/RDS.36
		LogRetentionDays:                 30,
		SlowQueryMs:                      1000, // log_min_duration_statement (issue 13)
		DeletionProtection:               true,
		SkipFinalSnapshot:                false,
		DatabaseName:                     "article_pipeline",
		AppUser:                          "article_pipeline",
		Bootstrap:                        true,
		TunnelPort:                       5432,
		ConnectTimeout:                   30,
		Proxy:                            false,
	}
	got := Defaults("article-pipeline-prod")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if err := got.Validate("article-pipeline:database"); err != nil {
		t.Errorf("the defaults are invalid: %v", err)
	}
	if got.FinalSnapshot() != "article-pipeline-prod-final" || got.Major() != "17" {
		t.Errorf("final snapshot %q, major %q", got.FinalSnapshot(), got.Major())
	}
	got.FinalSnapshotIdentifier, got.EngineVersion = "np-db-last", "17.4"
	if got.FinalSnapshot() != "np-db-last" || got.Major() != "17" {
		t.Errorf("final snapshot %q, major %q", got.FinalSnapshot(), got.Major())
	}
}

// TestValidate feeds one bad value at a time (JSON over the defaults) and
// expects exactly one problem, naming the key.
func TestValidate(t *testing.T) {
	t.Parallel()
	const k = "article-pipeline:database"
	cases := []mock.BadValue[string]{
		{Name: "allocated above max", Value: `{"allocatedStorage":1200}`,
			WantErr: k + ".maxAllocatedStorage: 1000 is not above allocatedStorage 1200; " +
				"expected a larger autoscaling maximum (GiB)"},
		{Name: "max equals allocated", Value: `{"allocatedStorage":100,"maxAllocatedStorage":100}`,
			WantErr: k + ".maxAllocatedStorage: 100 is not above allocatedStorage 100"},
		{Name: "allocated too small", Value: `{"allocatedStorage":0}`,
			WantErr: k + ".allocatedStorage: 0 is out of range; expected 20..65536 (GiB)"},
		{Name: "max too large", Value: `{"maxAllocatedStorage":70000}`,
			WantErr: k + ".maxAllocatedStorage: 70000 is out of range; expected at most 65536 (GiB)"},
		{Name: "retention zero", Value: `{"backupRetentionDays":0}`,
			WantErr: k + ".backupRetentionDays: 0 is out of range; expected 1..35 (days; 0 would turn automated backups off)"},
		{Name: "retention too long", Value: `{"backupRetentionDays":36}`,
			WantErr: k + ".backupRetentionDays: 36 is out of range"},
		{Name: "slow query below off", Value: `{"slowQueryMs":-2}`,
			WantErr: k + ".slowQueryMs: -2 is out of range; expected -1 (off) or 0..3600000 (milliseconds; " +
				"0 logs every statement)"},
		{Name: "slow query over an hour", Value: `{"slowQueryMs":3600001}`,
			WantErr: k + ".slowQueryMs: 3600001 is out of range"},
		{Name: "window one-digit hour", Value: `{"backupWindowStart":"8:00"}`,
			WantErr: k + `.backupWindowStart: "8:00" is not a time of day; expected HH:MM in UTC (24-hour), e.g. "08:00"`},
		{Name: "window hour 24", Value: `{"backupWindowStart":"24:00"}`,
			WantErr: k + `.backupWindowStart: "24:00" is not a time of day`},
		{Name: "window minute 60", Value: `{"backupWindowStart":"07:60"}`, WantErr: k + `.backupWindowStart: "07:60" is not`},
		{Name: "window as range", Value: `{"backupWindowStart":"08:00-08:30"}`,
			WantErr: k + `.backupWindowStart: "08:00-08:30" is not`},
		{Name: "maintenance day", Value: `{"maintenanceDay":"Sunday"}`,
			WantErr: k + `.maintenanceDay: "Sunday" is not a weekday; expected one of mon, tue, wed, thu, fri, sat, sun`},
		{Name: "version patch", Value: `{"engineVersion":"17.4.1"}`,
			WantErr: k + `.engineVersion: "17.4.1" is not a PostgreSQL version RDS offers; expected a major version (11, 12, ` +
				`13, 14, 15, 16, 17, 18) such as "17" (newest minor, upgraded automatically) or major.minor such as "17.4"`},
		{Name: "version not a PostgreSQL major", Value: `{"engineVersion":"1.7"}`,
			WantErr: k + `.engineVersion: "1.7" is not a PostgreSQL version RDS offers; expected a major version (11, 12, 13, ` +
				`14, 15, 16, 17, 18)`},
		{Name: "version RDS retired", Value: `{"engineVersion":"10"}`,
			WantErr: k + `.engineVersion: "10" is not a PostgreSQL version RDS offers`},
		{Name: "class misspelt size", Value: `{"instanceClass":"db.t3.smal"}`,
			WantErr: k + `.instanceClass: "db.t3.smal" is not an RDS for PostgreSQL instance class; ` +
				`db.t3 comes in micro, small, medium, large, xlarge, 2xlarge (table of 2026-12-02)`},
		{Name: "class of another engine", Value: `{"instanceClass":"db.z1d.large"}`,
			WantErr: k + `.instanceClass: "db.z1d.large" is not an RDS for PostgreSQL instance class; expected a family of ` +
				`db.m5, db.m5d, db.m6g`},
		{Name: "master user reserved by RDS", Value: `{"masterUsername":"rdsadmin"}`,
			WantErr: k + `.masterUsername: "rdsadmin" is reserved by RDS for PostgreSQL; expected another name (reserved: ` +
				`rdsadmin, rdsrepladmin, public, none, all, user, current_user, current_role, session_user, and names ` +
				`starting with pg_ or rds)`},
		{Name: "master user pg_", Value: `{"masterUsername":"pg_admin"}`,
			WantErr: k + `.masterUsername: "pg_admin" is reserved by RDS`},
		{Name: "gp2 with iops", Value: `{"iops":3000}`,
			WantErr: k + `.iops: 3000 is set for gp2, whose IOPS follow its size; ` +
				`expected 0 (unset), or storageType gp3, io1 or io2`},
		{Name: "gp2 with throughput", Value: `{"storageThroughput":125}`,
			WantErr: k + `.storageThroughput: 125 is set for gp2; expected 0 (unset), or storageType gp3`},
		{Name: "gp3 small with iops", Value: `{"storageType":"gp3","iops":12000}`,
			WantErr: k + `.iops: 12000 is set, but gp3 below 400 GiB (allocatedStorage is 20) has the fixed 3000 IOPS and 125 ` +
				`MiB/s baseline; expected 0 (unset), or allocatedStorage of at least 400`},
		{Name: "gp3 small with throughput", Value: `{"storageType":"gp3","storageThroughput":500}`,
			WantErr: k + `.storageThroughput: 500 is set, but gp3 below 400 GiB (allocatedStorage is 20)`},
		{Name: "gp3 iops too low", Value: `{"storageType":"gp3","allocatedStorage":400,"iops":3000}`,
			WantErr: k + `.iops: 3000 is out of range for gp3 of 400 GiB; ` +
				`expected 12000..64000 (at most 500 per GiB, 64000 in all)`},
		{Name: "gp3 throughput too high", Value: `{"storageType":"gp3","allocatedStorage":400,"storageThroughput":5000}`,
			WantErr: k + `.storageThroughput: 5000 is out of range for gp3; expected 500..4000 (MiB/s)`},
		{Name: "io1 without iops", Value: `{"storageType":"io1","allocatedStorage":100}`,
			WantErr: k + `.iops: is required for io1; expected 1000..256000 provisioned IOPS`},
		{Name: "io1 too small", Value: `{"storageType":"io1","iops":1000}`,
			WantErr: k + `.allocatedStorage: 20 is too small for io1; expected 100..65536 (GiB)`},
		{Name: "io1 ratio", Value: `{"storageType":"io1","allocatedStorage":100,"iops":6000}`,
			WantErr: k + `.iops: 6000 for 100 GiB is outside the io1 ratio; expected 1000..5000 IOPS (1 to 50 per GiB)`},
		{Name: "io1 ratio low", Value: `{"storageType":"io1","allocatedStorage":2000,"maxAllocatedStorage":3000,"iops":1000}`,
			WantErr: k + `.iops: 1000 for 2000 GiB is outside the io1 ratio; expected 2000..100000 IOPS (1 to 50 per GiB)`},
		{Name: "io2 out of range", Value: `{"storageType":"io2","allocatedStorage":100,"iops":500}`,
			WantErr: k + `.iops: 500 is out of range for io2; expected 1000..256000`},
		{Name: "io2 with throughput",
			Value:   `{"storageType":"io2","allocatedStorage":100,"iops":1000,"storageThroughput":500}`,
			WantErr: k + `.storageThroughput: 500 is set for io2, whose throughput follows its IOPS; expected 0 (unset)`},
		{Name: "version prefixed", Value: `{"engineVersion":"postgres17"}`,
			WantErr: k + `.engineVersion: "postgres17" is not`},
		{Name: "version v", Value: `{"engineVersion":"v17"}`, WantErr: k + `.engineVersion: "v17" is not`},
		{Name: "version empty", Value: `{"engineVersion":""}`, WantErr: k + `.engineVersion: "" is not`},
		{Name: "class without db", Value: `{"instanceClass":"t3.small"}`,
			WantErr: k + `.instanceClass: "t3.small" is not an RDS instance class; expected db.FAMILY.SIZE such as db.t3.small`},
		{Name: "class upper case", Value: `{"instanceClass":"db.T3.small"}`,
			WantErr: k + `.instanceClass: "db.T3.small" is not`},
		{Name: "storage type", Value: `{"storageType":"standard"}`,
			WantErr: k + `.storageType: "standard" is not a storage type; expected one of gp2, gp3, io1, io2`},
		{Name: "port", Value: `{"port":80}`, WantErr: k + ".port: 80 is out of range; expected 1150..65535 (RDS limits)"},
		{Name: "monitoring interval", Value: `{"monitoringInterval":45}`,
			WantErr: k + ".monitoringInterval: 45 is not an enhanced-monitoring interval; " +
				"expected one of 0, 1, 5, 10, 15, 30, 60"},
		{Name: "insights retention", Value: `{"performanceInsightsRetentionDays":30}`,
			WantErr: k + ".performanceInsightsRetentionDays: 30 is not a retention Performance Insights offers"},
		{Name: "log retention", Value: `{"logRetentionDays":10}`,
			WantErr: k + ".logRetentionDays: 10 is not a CloudWatch Logs retention; expected one of 1, 3, 5, 7, 14, 30,"},
		{Name: "identifier double hyphen", Value: `{"identifier":"np--db"}`,
			WantErr: k + `.identifier: "np--db" is not an RDS identifier; ` +
				`expected 1..63 lower-case letters, digits and single hyphens`},
		{Name: "identifier upper case", Value: `{"identifier":"NP-db"}`,
			WantErr: k + `.identifier: "NP-db" is not an RDS identifier`},
		{Name: "identifier trailing hyphen", Value: `{"identifier":"np-db-"}`, WantErr: k + `.identifier: "np-db-" is not`},
		{Name: "identifier too long", Value: `{"identifier":"` + strings.Repeat("a", 64) + `"}`,
			WantErr: k + `.identifier: "aaaa`},
		{Name: "final snapshot", Value: `{"finalSnapshotIdentifier":"1-final"}`,
			WantErr: k + `.finalSnapshotIdentifier: "1-final" is not an RDS identifier; expected 1..255`},
		{Name: "cidr host bits", Value: `{"allowedCidrs":["10.0.0.0/16","10.0.3.7/24"]}`,
			WantErr: k + `.allowedCidrs[1]: "10.0.3.7/24" is not a network address; did you mean "10.0.3.0/24"?`},
		{Name: "cidr garbage", Value: `{"allowedCidrs":["vpc"]}`, WantErr: k + `.allowedCidrs[0]: "vpc" is not a CIDR block`},
		{Name: "cidr everything", Value: `{"allowedCidrs":["0.0.0.0/0"]}`,
			WantErr: k + `.allowedCidrs[0]: "0.0.0.0/0" admits every address; expected a specific network`},
		{Name: "cidr twice", Value: `{"allowedCidrs":["10.0.0.0/16","10.0.0.0/16"]}`,
			WantErr: k + `.allowedCidrs[1]: "10.0.0.0/16" is already allowedCidrs[0]`},
		{Name: "database name reserved", Value: `{"databaseName":"postgres"}`,
			WantErr: k + `.databaseName: "postgres" is reserved; expected the application's own database name`},
		{Name: "database name dashes", Value: `{"databaseName":"article-pipeline"}`,
			WantErr: k + `.databaseName: "article-pipeline" is not a PostgreSQL name; expected 1..63 lower-case letters`},
		{Name: "app user is master", Value: `{"appUser":"postgres"}`,
			WantErr: k + `.appUser: "postgres" is the master user; expected a separate login for the application`},
		{Name: "app user reserved", Value: `{"appUser":"rds_app"}`,
			WantErr: k + `.appUser: "rds_app" is reserved (postgres, public, pg_*, rds*); expected another role name`},
		{Name: "master user", Value: `{"masterUsername":"1admin"}`,
			WantErr: k + `.masterUsername: "1admin" is not a PostgreSQL name`},
		{Name: "tunnel host", Value: `{"tunnelHost":"local host"}`,
			WantErr: k + `.tunnelHost: "local host" is not a host name or address; expected e.g. localhost`},
		{Name: "tunnel port", Value: `{"tunnelPort":0}`, WantErr: k + ".tunnelPort: 0 is out of range; expected 1..65535"},
		{Name: "connect timeout", Value: `{"connectTimeout":0}`,
			WantErr: k + ".connectTimeout: 0 is out of range; expected 1..600 (seconds)"},
		{Name: "proxy name too long", Value: `{"proxy":true,"identifier":"` + strings.Repeat("a", 55) + `"}`,
			WantErr: k + `.proxy: the proxy is named ` + strings.Repeat("a", 55) + `-proxy, longer than RDS's 60 characters`},
	}
	mock.RejectsValues(t, cases, mock.Prefix, func(t *testing.T, value string) error {
		err := mock.Overlay(t, Defaults("article-pipeline-test"), value).Validate(k)
		if err != nil {
			if n := len(err.(interface{ Unwrap() []error }).Unwrap()); n != 1 {
				t.Errorf("%d problems, want 1: %v", n, err)
			}
		}
		return err
	})
}

func TestValidateReportsEveryProblem(t *testing.T) {
	t.Parallel()
	s := Defaults("article-pipeline-prod")
	s.BackupRetentionDays, s.BackupWindowStart, s.EngineVersion = 0, "25:00", "x"
	msg := s.Validate("article-pipeline:database").Error()
	for _, field := range []string{"backupRetentionDays", "backupWindowStart", "engineVersion"} {
		if !strings.Contains(msg, "article-pipeline:database."+field+":") {
			t.Errorf("no problem for %s in %q", field, msg)
		}
	}
	if n := strings.Count(msg, "\n") + 1; n != 3 {
		t.Errorf("%d problems, want 3: %s", n, msg)
	}
}

// TestEnginePlan: what the configured version does against the running one.
func TestEnginePlan(t *testing.T) {
	t.Parallel()
	const k = "article-pipeline:database"
	cases := []struct {
		name, configured, running string
		allowMajor                bool
		wantIgnore                bool
		wantErr                   string
	}{
		{"first up: nothing runs yet", "17", "", false, true, ""},
		{"RDS upgraded the minor", "17", "17.6", false, true, ""},
		{"an import reads the full version", "17", "17.4", false, true, ""},
		{"pinned minor below the running one", "17.4", "17.6", false, true, ""},
		{"pinned minor raised on purpose", "17.6", "17.4", false, false, ""},
		{"same pinned minor", "17.4", "17.4", false, true, ""},
		{"major upgrade on purpose", "18", "17.4", true, false, ""},
		{"major upgrade by accident", "18", "17.4", false, true,
			k + `.engineVersion: "18" is a major upgrade of the running 17.4; set ` + k + `.allowMajorUpgrade: true to ` +
				`upgrade on purpose (docs/operations.md, "Major version upgrade")`},
		{"major downgrade", "16", "17.4", true, true,
			k + `.engineVersion: "16" is below the running 17.4 and RDS cannot downgrade; expected "17" or a later version`},
		{"allowMajorUpgrade left on after the upgrade", "18", "18.1", true, true, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := Defaults("article-pipeline-prod")
			s.EngineVersion, s.AllowMajorUpgrade = tc.configured, tc.allowMajor
			ignore, err := s.EnginePlan(k, tc.running)
			if got := fmt.Sprint(err); tc.wantErr != "" && got != tc.wantErr || tc.wantErr == "" && err != nil {
				t.Fatalf("err = %v\nwant %q", err, tc.wantErr)
			}
			if tc.wantErr == "" && ignore != tc.wantIgnore {
				t.Errorf("ignore = %v, want %v", ignore, tc.wantIgnore)
			}
		})
	}
}

func TestAdoptionSubnets(t *testing.T) {
	t.Parallel()
	const k = "article-pipeline:adopt.database"
	s := Defaults("np-deposition-db")
	cases := []struct {
		a       Adoption
		wantErr string
	}{
		{Adoption{InstanceID: "np-deposition-db", SubnetGroupName: "g", SubnetIDs: []string{"subnet-0a1b2c3d4e5f60700",
			"subnet-0a1b2c3d"}}, ""},
		{Adoption{InstanceID: "np-deposition-db", SubnetIDs: []string{"subnet-0a1b2c3d4e5f60700", "subnet-0a1b2c3d"}},
			k + ".subnetIds: is set without subnetGroupName; expected the subnets of the adopted group only"},
		{Adoption{SubnetGroupName: "g", SubnetIDs: []string{"subnet-0a1b2c3d4e5f60700"}},
			k + ".subnetIds: 1 subnet(s); expected at least 2 (an RDS subnet group spans two zones)"},
		{Adoption{SubnetGroupName: "g", SubnetIDs: []string{"subnet-0a1b2c3d", "sg-0a1b2c3d"}},
			k + `.subnetIds[1]: "sg-0a1b2c3d" is not a subnet ID (subnet-...)`},
		{Adoption{SubnetGroupName: "g", SubnetIDs: []string{"subnet-0a1b2c3d", "subnet-0a1b2c3d"}},
			k + `.subnetIds[1]: "subnet-0a1b2c3d" is already subnetIds[0]`},
	}
	for _, tc := range cases {
		if got := fmt.Sprint(tc.a.Validate(k, s)); tc.wantErr == "" && got != "<nil>" || tc.wantErr != "" && got != tc.wantErr {
			t.Errorf("Validate(%+v) = %s\nwant %q", tc.a, got, tc.wantErr)
		}
	}
}
