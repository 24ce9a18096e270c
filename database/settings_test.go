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
	cases := []struct {
		name    string
		value   string
		wantErr string
	}{
		{"allocated above max", `{"allocatedStorage":1200}`,
			k + ".maxAllocatedStorage: 1000 is not above allocatedStorage 1200; expected a larger autoscaling maximum (GiB)"},
		{"max equals allocated", `{"allocatedStorage":100,"maxAllocatedStorage":100}`,
			k + ".maxAllocatedStorage: 100 is not above allocatedStorage 100"},
		{"allocated too small", `{"allocatedStorage":0}`,
			k + ".allocatedStorage: 0 is out of range; expected 20..65536 (GiB)"},
		{"max too large", `{"maxAllocatedStorage":70000}`,
			k + ".maxAllocatedStorage: 70000 is out of range; expected at most 65536 (GiB)"},
		{"retention zero", `{"backupRetentionDays":0}`,
			k + ".backupRetentionDays: 0 is out of range; expected 1..35 (days; 0 would turn automated backups off)"},
		{"retention too long", `{"backupRetentionDays":36}`, k + ".backupRetentionDays: 36 is out of range"},
		{"slow query below off", `{"slowQueryMs":-2}`,
			k + ".slowQueryMs: -2 is out of range; expected -1 (off) or 0..3600000 (milliseconds; 0 logs every statement)"},
		{"slow query over an hour", `{"slowQueryMs":3600001}`, k + ".slowQueryMs: 3600001 is out of range"},
		{"window one-digit hour", `{"backupWindowStart":"8:00"}`,
			k + `.backupWindowStart: "8:00" is not a time of day; expected HH:MM in UTC (24-hour), e.g. "08:00"`},
		{"window hour 24", `{"backupWindowStart":"24:00"}`, k + `.backupWindowStart: "24:00" is not a time of day`},
		{"window minute 60", `{"backupWindowStart":"07:60"}`, k + `.backupWindowStart: "07:60" is not`},
		{"window as range", `{"backupWindowStart":"08:00-08:30"}`, k + `.backupWindowStart: "08:00-08:30" is not`},
		{"maintenance day", `{"maintenanceDay":"Sunday"}`,
			k + `.maintenanceDay: "Sunday" is not a weekday; expected one of mon, tue, wed, thu, fri, sat, sun`},
		{"version patch", `{"engineVersion":"17.4.1"}`,
			k + `.engineVersion: "17.4.1" is not a PostgreSQL version RDS offers; expected a major version (11, 12, ` +
				`13, 14, 15, 16, 17, 18) such as "17" (newest minor, upgraded automatically) or major.minor such as "17.4"`},
		{"version not a PostgreSQL major", `{"engineVersion":"1.7"}`,
			k + `.engineVersion: "1.7" is not a PostgreSQL version RDS offers; expected a major version (11, 12, 13, ` +
				`14, 15, 16, 17, 18)`},
		{"version RDS retired", `{"engineVersion":"10"}`, k + `.engineVersion: "10" is not a PostgreSQL version RDS offers`},
		{"class misspelt size", `{"instanceClass":"db.t3.smal"}`,
			k + `.instanceClass: "db.t3.smal" is not an RDS for PostgreSQL instance class; db.t3 comes in micro, small, ` +
				`medium, large, xlarge, 2xlarge (table of 2026-12-02)`},
		{"class of another engine", `{"instanceClass":"db.z1d.large"}`,
			k + `.instanceClass: "db.z1d.large" is not an RDS for PostgreSQL instance class; expected a family of ` +
				`db.m5, db.m5d, db.m6g`},
		{"master user reserved by RDS", `{"masterUsername":"rdsadmin"}`,
			k + `.masterUsername: "rdsadmin" is reserved by RDS for PostgreSQL; expected another name (reserved: ` +
				`rdsadmin, rdsrepladmin, public, none, all, user, current_user, current_role, session_user, and names ` +
				`starting with pg_ or rds)`},
		{"master user pg_", `{"masterUsername":"pg_admin"}`, k + `.masterUsername: "pg_admin" is reserved by RDS`},
		{"gp2 with iops", `{"iops":3000}`,
			k + `.iops: 3000 is set for gp2, whose IOPS follow its size; expected 0 (unset), or storageType gp3, io1 or io2`},
		{"gp2 with throughput", `{"storageThroughput":125}`,
			k + `.storageThroughput: 125 is set for gp2; expected 0 (unset), or storageType gp3`},
		{"gp3 small with iops", `{"storageType":"gp3","iops":12000}`,
			k + `.iops: 12000 is set, but gp3 below 400 GiB (allocatedStorage is 20) has the fixed 3000 IOPS and 125 ` +
				`MiB/s baseline; expected 0 (unset), or allocatedStorage of at least 400`},
		{"gp3 small with throughput", `{"storageType":"gp3","storageThroughput":500}`,
			k + `.storageThroughput: 500 is set, but gp3 below 400 GiB (allocatedStorage is 20)`},
		{"gp3 iops too low", `{"storageType":"gp3","allocatedStorage":400,"iops":3000}`,
			k + `.iops: 3000 is out of range for gp3 of 400 GiB; expected 12000..64000 (at most 500 per GiB, 64000 in all)`},
		{"gp3 throughput too high", `{"storageType":"gp3","allocatedStorage":400,"storageThroughput":5000}`,
			k + `.storageThroughput: 5000 is out of range for gp3; expected 500..4000 (MiB/s)`},
		{"io1 without iops", `{"storageType":"io1","allocatedStorage":100}`,
			k + `.iops: is required for io1; expected 1000..256000 provisioned IOPS`},
		{"io1 too small", `{"storageType":"io1","iops":1000}`,
			k + `.allocatedStorage: 20 is too small for io1; expected 100..65536 (GiB)`},
		{"io1 ratio", `{"storageType":"io1","allocatedStorage":100,"iops":6000}`,
			k + `.iops: 6000 for 100 GiB is outside the io1 ratio; expected 1000..5000 IOPS (1 to 50 per GiB)`},
		{"io1 ratio low", `{"storageType":"io1","allocatedStorage":2000,"maxAllocatedStorage":3000,"iops":1000}`,
			k + `.iops: 1000 for 2000 GiB is outside the io1 ratio; expected 2000..100000 IOPS (1 to 50 per GiB)`},
		{"io2 out of range", `{"storageType":"io2","allocatedStorage":100,"iops":500}`,
			k + `.iops: 500 is out of range for io2; expected 1000..256000`},
		{"io2 with throughput", `{"storageType":"io2","allocatedStorage":100,"iops":1000,"storageThroughput":500}`,
			k + `.storageThroughput: 500 is set for io2, whose throughput follows its IOPS; expected 0 (unset)`},
		{"version prefixed", `{"engineVersion":"postgres17"}`, k + `.engineVersion: "postgres17" is not`},
		{"version v", `{"engineVersion":"v17"}`, k + `.engineVersion: "v17" is not`},
		{"version empty", `{"engineVersion":""}`, k + `.engineVersion: "" is not`},
		{"class without db", `{"instanceClass":"t3.small"}`,
			k + `.instanceClass: "t3.small" is not an RDS instance class; expected db.FAMILY.SIZE such as db.t3.small`},
		{"class upper case", `{"instanceClass":"db.T3.small"}`, k + `.instanceClass: "db.T3.small" is not`},
		{"storage type", `{"storageType":"standard"}`,
			k + `.storageType: "standard" is not a storage type; expected one of gp2, gp3, io1, io2`},
		{"port", `{"port":80}`, k + ".port: 80 is out of range; expected 1150..65535 (RDS limits)"},
		{"monitoring interval", `{"monitoringInterval":45}`,
			k + ".monitoringInterval: 45 is not an enhanced-monitoring interval; expected one of 0, 1, 5, 10, 15, 30, 60"},
		{"insights retention", `{"performanceInsightsRetentionDays":30}`,
			k + ".performanceInsightsRetentionDays: 30 is not a retention Performance Insights offers"},
		{"log retention", `{"logRetentionDays":10}`,
			k + ".logRetentionDays: 10 is not a CloudWatch Logs retention; expected one of 1, 3, 5, 7, 14, 30,"},
		{"identifier double hyphen", `{"identifier":"np--db"}`,
			k + `.identifier: "np--db" is not an RDS identifier; expected 1..63 lower-case letters, digits and single hyphens`},
		{"identifier upper case", `{"identifier":"NP-db"}`, k + `.identifier: "NP-db" is not an RDS identifier`},
		{"identifier trailing hyphen", `{"identifier":"np-db-"}`, k + `.identifier: "np-db-" is not`},
		{"identifier too long", `{"identifier":"` + strings.Repeat("a", 64) + `"}`, k + `.identifier: "aaaa`},
		{"final snapshot", `{"finalSnapshotIdentifier":"1-final"}`,
			k + `.finalSnapshotIdentifier: "1-final" is not an RDS identifier; expected 1..255`},
		{"cidr host bits", `{"allowedCidrs":["10.0.0.0/16","10.0.3.7/24"]}`,
			k + `.allowedCidrs[1]: "10.0.3.7/24" is not a network address; did you mean "10.0.3.0/24"?`},
		{"cidr garbage", `{"allowedCidrs":["vpc"]}`, k + `.allowedCidrs[0]: "vpc" is not a CIDR block`},
		{"cidr everything", `{"allowedCidrs":["0.0.0.0/0"]}`,
			k + `.allowedCidrs[0]: "0.0.0.0/0" admits every address; expected a specific network`},
		{"cidr twice", `{"allowedCidrs":["10.0.0.0/16","10.0.0.0/16"]}`,
			k + `.allowedCidrs[1]: "10.0.0.0/16" is already allowedCidrs[0]`},
		{"database name reserved", `{"databaseName":"postgres"}`,
			k + `.databaseName: "postgres" is reserved; expected the application's own database name`},
		{"database name dashes", `{"databaseName":"article-pipeline"}`,
			k + `.databaseName: "article-pipeline" is not a PostgreSQL name; expected 1..63 lower-case letters`},
		{"app user is master", `{"appUser":"postgres"}`,
			k + `.appUser: "postgres" is the master user; expected a separate login for the application`},
		{"app user reserved", `{"appUser":"rds_app"}`,
			k + `.appUser: "rds_app" is reserved (postgres, public, pg_*, rds*); expected another role name`},
		{"master user", `{"masterUsername":"1admin"}`, k + `.masterUsername: "1admin" is not a PostgreSQL name`},
		{"tunnel host", `{"tunnelHost":"local host"}`,
			k + `.tunnelHost: "local host" is not a host name or address; expected e.g. localhost`},
		{"tunnel port", `{"tunnelPort":0}`, k + ".tunnelPort: 0 is out of range; expected 1..65535"},
		{"connect timeout", `{"connectTimeout":0}`, k + ".connectTimeout: 0 is out of range; expected 1..600 (seconds)"},
		{"proxy name too long", `{"proxy":true,"identifier":"` + strings.Repeat("a", 55) + `"}`,
			k + `.proxy: the proxy is named ` + strings.Repeat("a", 55) + `-proxy, longer than RDS's 60 characters`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := mock.Overlay(t, Defaults("article-pipeline-test"), tc.value).Validate(k)
			if err == nil {
				t.Fatalf("no error; want %q", tc.wantErr)
			}
			if n := len(err.(interface{ Unwrap() []error }).Unwrap()); n != 1 {
				t.Errorf("%d problems, want 1: %v", n, err)
			}
			if !strings.HasPrefix(err.Error(), tc.wantErr) {
				t.Errorf("error %q\nwant prefix %q", err, tc.wantErr)
			}
		})
	}
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
