package database

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
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
			k + `.engineVersion: "17.4.1" is not a PostgreSQL version; expected a major version such as "17"`},
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
			s := Defaults("article-pipeline-test")
			if err := json.Unmarshal([]byte(tc.value), &s); err != nil {
				t.Fatal(err)
			}
			err := s.Validate(k)
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
