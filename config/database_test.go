package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestDatabaseDefaultsAreTheRunbook(t *testing.T) {
	t.Parallel()
	for _, env := range []string{"prod", "development"} {
		t.Run(env, func(t *testing.T) {
			t.Parallel()
			var p problems
			got := parseDatabase("", env, env == "prod", &p)
			if err := p.err(); err != nil {
				t.Fatal(err)
			}
			want := Database{
				Enabled:                          true,
				Identifier:                       "article-pipeline-" + env,
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
				DeletionProtection:               true,
				SkipFinalSnapshot:                false,
				FinalSnapshotIdentifier:          "article-pipeline-" + env + "-final",
				DatabaseName:                     "article_pipeline",
				AppUser:                          "article_pipeline",
				Bootstrap:                        true,
				TunnelPort:                       5432,
				ConnectTimeout:                   30,
				Proxy:                            false,
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
			if !reflect.DeepEqual(DefaultDatabase(env), want) {
				t.Errorf("DefaultDatabase(%s) = %+v", env, DefaultDatabase(env))
			}
		})
	}
}

func TestDatabaseOverrides(t *testing.T) {
	t.Parallel()
	var p problems
	got := parseDatabase(`{"enabled":true,"identifier":"np-deposition-db","engineVersion":"17.4",
		"instanceClass":"db.m7g.large","storageType":"gp3","allocatedStorage":100,"maxAllocatedStorage":2000,
		"multiAz":true,"port":6543,"masterUsername":"np_admin","backupRetentionDays":35,
		"backupWindowStart":"23:45","maintenanceDay":"sat","performanceInsights":false,
		"performanceInsightsRetentionDays":93,"monitoringInterval":0,"logExports":false,"logRetentionDays":3653,
		"deletionProtection":false,"skipFinalSnapshot":true,"allowedCidrs":["10.0.0.0/16","192.168.1.0/24"],
		"databaseName":"np_mrd","appUser":"np_app","bootstrap":false,"tunnelHost":"localhost","tunnelPort":15432,
		"connectTimeout":5,"proxy":true,"instanceImportId":"np-deposition-db","subnetGroupImportId":"np-db-subnets"}`,
		"development", false, &p)
	if err := p.err(); err != nil {
		t.Fatal(err)
	}
	want := Database{
		Enabled: true, Identifier: "np-deposition-db", EngineVersion: "17.4", InstanceClass: "db.m7g.large",
		StorageType: "gp3", AllocatedStorage: 100, MaxAllocatedStorage: 2000, MultiAZ: true, Port: 6543,
		MasterUsername: "np_admin", BackupRetentionDays: 35, BackupWindowStart: "23:45", MaintenanceDay: "sat",
		PerformanceInsights: false, PerformanceInsightsRetentionDays: 93, MonitoringInterval: 0, LogExports: false,
		LogRetentionDays: 3653, DeletionProtection: false, SkipFinalSnapshot: true,
		FinalSnapshotIdentifier: "np-deposition-db-final", AllowedCIDRs: []string{"10.0.0.0/16", "192.168.1.0/24"},
		DatabaseName: "np_mrd", AppUser: "np_app", Bootstrap: false, TunnelHost: "localhost", TunnelPort: 15432,
		ConnectTimeout: 5, Proxy: true, InstanceImportID: "np-deposition-db", SubnetGroupImportID: "np-db-subnets",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}

	// An explicit final snapshot name wins over the one derived from the identifier.
	got = parseDatabase(`{"identifier":"np-db","finalSnapshotIdentifier":"np-db-last"}`, "prod", true, &p)
	if err := p.err(); err != nil {
		t.Fatal(err)
	}
	if got.FinalSnapshotIdentifier != "np-db-last" || got.Identifier != "np-db" {
		t.Errorf("got identifier %q, final snapshot %q", got.Identifier, got.FinalSnapshotIdentifier)
	}

	// A sandbox turns the database off; its other settings are not checked.
	got = parseDatabase(`{"enabled":false,"allocatedStorage":0}`, "sandbox", false, &p)
	if err := p.err(); err != nil || got.Enabled {
		t.Errorf("disabled database: enabled=%v, err=%v", got.Enabled, err)
	}
}

func TestDatabaseBadInput(t *testing.T) {
	t.Parallel()
	const k = "article-pipeline:database"
	cases := []struct {
		name    string
		value   string
		protect bool
		wantErr string
	}{
		{"unknown field", `{"allocatedStorageGb":20}`, false, k + `: unknown field "allocatedStorageGb"`},
		{"wrong type", `{"allocatedStorage":"20"}`, false, k + ".allocatedStorage: expected a number"},
		{"not an object", `[1]`, false, k + ": expected"},
		{"allocated above max", `{"allocatedStorage":1200}`, false,
			k + ".maxAllocatedStorage: 1000 is not above allocatedStorage 1200; expected a larger autoscaling maximum (GiB)"},
		{"max equals allocated", `{"allocatedStorage":100,"maxAllocatedStorage":100}`, false,
			k + ".maxAllocatedStorage: 100 is not above allocatedStorage 100"},
		{"allocated too small", `{"allocatedStorage":0}`, false,
			k + ".allocatedStorage: 0 is out of range; expected 20..65536 (GiB)"},
		{"max too large", `{"maxAllocatedStorage":70000}`, false,
			k + ".maxAllocatedStorage: 70000 is out of range; expected at most 65536 (GiB)"},
		{"retention zero", `{"backupRetentionDays":0}`, false,
			k + ".backupRetentionDays: 0 is out of range; expected 1..35 (days; 0 would turn automated backups off)"},
		{"retention too long", `{"backupRetentionDays":36}`, false, k + ".backupRetentionDays: 36 is out of range"},
		{"window one-digit hour", `{"backupWindowStart":"8:00"}`, false,
			k + `.backupWindowStart: "8:00" is not a time of day; expected HH:MM in UTC (24-hour), e.g. "08:00"`},
		{"window hour 24", `{"backupWindowStart":"24:00"}`, false, k + `.backupWindowStart: "24:00" is not a time of day`},
		{"window minute 60", `{"backupWindowStart":"07:60"}`, false, k + `.backupWindowStart: "07:60" is not`},
		{"window as range", `{"backupWindowStart":"08:00-08:30"}`, false, k + `.backupWindowStart: "08:00-08:30" is not`},
		{"maintenance day", `{"maintenanceDay":"Sunday"}`, false,
			k + `.maintenanceDay: "Sunday" is not a weekday; expected one of mon, tue, wed, thu, fri, sat, sun`},
		{"version patch", `{"engineVersion":"17.4.1"}`, false,
			k + `.engineVersion: "17.4.1" is not a PostgreSQL version; expected a major version such as "17"`},
		{"version prefixed", `{"engineVersion":"postgres17"}`, false, k + `.engineVersion: "postgres17" is not`},
		{"version v", `{"engineVersion":"v17"}`, false, k + `.engineVersion: "v17" is not`},
		{"version empty", `{"engineVersion":""}`, false, k + `.engineVersion: "" is not`},
		{"class without db", `{"instanceClass":"t3.small"}`, false,
			k + `.instanceClass: "t3.small" is not an RDS instance class; expected db.FAMILY.SIZE such as db.t3.small`},
		{"class upper case", `{"instanceClass":"db.T3.small"}`, false, k + `.instanceClass: "db.T3.small" is not`},
		{"storage type", `{"storageType":"standard"}`, false,
			k + `.storageType: "standard" is not a storage type; expected one of gp2, gp3, io1, io2`},
		{"port", `{"port":80}`, false, k + ".port: 80 is out of range; expected 1150..65535 (RDS limits)"},
		{"monitoring interval", `{"monitoringInterval":45}`, false,
			k + ".monitoringInterval: 45 is not an enhanced-monitoring interval; expected one of 0, 1, 5, 10, 15, 30, 60"},
		{"insights retention", `{"performanceInsightsRetentionDays":30}`, false,
			k + ".performanceInsightsRetentionDays: 30 is not a retention Performance Insights offers"},
		{"log retention", `{"logRetentionDays":10}`, false,
			k + ".logRetentionDays: 10 is not a CloudWatch Logs retention; expected one of 1, 3, 5, 7, 14, 30,"},
		{"identifier double hyphen", `{"identifier":"np--db"}`, false,
			k + `.identifier: "np--db" is not an RDS identifier; expected 1..63 lower-case letters, digits and single hyphens`},
		{"identifier upper case", `{"identifier":"NP-db"}`, false, k + `.identifier: "NP-db" is not an RDS identifier`},
		{"identifier trailing hyphen", `{"identifier":"np-db-"}`, false, k + `.identifier: "np-db-" is not`},
		{"identifier too long", `{"identifier":"` + strings.Repeat("a", 64) + `"}`, false, k + `.identifier: "aaaa`},
		{"final snapshot", `{"finalSnapshotIdentifier":"1-final"}`, false,
			k + `.finalSnapshotIdentifier: "1-final" is not an RDS identifier; expected 1..255`},
		{"skip snapshot while protected", `{"skipFinalSnapshot":true}`, true,
			k + ".skipFinalSnapshot: cannot be true while article-pipeline:protect is true; a protected database always keeps a final snapshot"},
		{"cidr host bits", `{"allowedCidrs":["10.0.0.0/16","10.0.3.7/24"]}`, false,
			k + `.allowedCidrs[1]: "10.0.3.7/24" is not a network address; did you mean "10.0.3.0/24"?`},
		{"cidr garbage", `{"allowedCidrs":["vpc"]}`, false, k + `.allowedCidrs[0]: "vpc" is not a CIDR block`},
		{"cidr everything", `{"allowedCidrs":["0.0.0.0/0"]}`, false,
			k + `.allowedCidrs[0]: "0.0.0.0/0" admits every address; expected a specific network`},
		{"cidr twice", `{"allowedCidrs":["10.0.0.0/16","10.0.0.0/16"]}`, false,
			k + `.allowedCidrs[1]: "10.0.0.0/16" is already allowedCidrs[0]`},
		{"database name reserved", `{"databaseName":"postgres"}`, false,
			k + `.databaseName: "postgres" is reserved; expected the application's own database name`},
		{"database name dashes", `{"databaseName":"article-pipeline"}`, false,
			k + `.databaseName: "article-pipeline" is not a PostgreSQL name; expected 1..63 lower-case letters`},
		{"app user is master", `{"appUser":"postgres"}`, false,
			k + `.appUser: "postgres" is the master user; expected a separate login for the application`},
		{"app user reserved", `{"appUser":"rds_app"}`, false,
			k + `.appUser: "rds_app" is reserved (postgres, public, pg_*, rds*); expected another role name`},
		{"master user", `{"masterUsername":"1admin"}`, false, k + `.masterUsername: "1admin" is not a PostgreSQL name`},
		{"tunnel host", `{"tunnelHost":"local host"}`, false,
			k + `.tunnelHost: "local host" is not a host name or address; expected e.g. localhost`},
		{"tunnel port", `{"tunnelPort":0}`, false, k + ".tunnelPort: 0 is out of range; expected 1..65535"},
		{"connect timeout", `{"connectTimeout":0}`, false, k + ".connectTimeout: 0 is out of range; expected 1..600 (seconds)"},
		{"import other identifier", `{"instanceImportId":"np-deposition-db"}`, false,
			k + `.instanceImportId: "np-deposition-db" is not identifier "article-pipeline-test"`},
		{"proxy name too long", `{"proxy":true,"identifier":"` + strings.Repeat("a", 55) + `"}`, false,
			k + `.proxy: the proxy is named ` + strings.Repeat("a", 55) + `-proxy, longer than RDS's 60 characters`},
		{"subnet group import", `{"subnetGroupImportId":"default"}`, false,
			k + `.subnetGroupImportId: "default" is not a DB subnet group name`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var p problems
			parseDatabase(tc.value, "test", tc.protect, &p)
			err := p.err()
			if err == nil {
				t.Fatalf("no error; want %q", tc.wantErr)
			}
			if len(p) != 1 {
				t.Errorf("%d problems, want 1: %v", len(p), err)
			}
			if !strings.HasPrefix(err.Error(), tc.wantErr) {
				t.Errorf("error %q\nwant prefix %q", err, tc.wantErr)
			}
		})
	}
}

func TestDatabaseReportsEveryProblem(t *testing.T) {
	t.Parallel()
	var p problems
	parseDatabase(`{"backupRetentionDays":0,"backupWindowStart":"25:00","engineVersion":"x"}`, "prod", true, &p)
	msg := p.err().Error()
	for _, field := range []string{"backupRetentionDays", "backupWindowStart", "engineVersion"} {
		if !strings.Contains(msg, "article-pipeline:database."+field+":") {
			t.Errorf("no problem for %s in %q", field, msg)
		}
	}
	if len(p) != 3 {
		t.Errorf("%d problems, want 3: %s", len(p), msg)
	}
}

func TestBastion(t *testing.T) {
	t.Parallel()
	db := DefaultDatabase("prod")
	off := db
	off.Enabled = false
	cases := []struct {
		name    string
		value   string
		db      Database
		want    Bastion
		wantErr string
	}{
		{"default is off", "", db, Bastion{Enabled: false, InstanceType: "t3.nano", LocalPort: 5432}, ""},
		{"on", `{"enabled":true}`, db, Bastion{Enabled: true, InstanceType: "t3.nano", LocalPort: 5432}, ""},
		{"graviton, other port", `{"enabled":true,"instanceType":"t4g.nano","localPort":15432}`, db,
			Bastion{Enabled: true, InstanceType: "t4g.nano", LocalPort: 15432}, ""},
		{"off is not checked", `{"instanceType":"huge"}`, off, Bastion{InstanceType: "huge", LocalPort: 5432}, ""},
		{"unknown field", `{"enable":true}`, db, Bastion{}, `article-pipeline:bastion: unknown field "enable"`},
		{"instance type", `{"enabled":true,"instanceType":"db.t3.small.x"}`, db, Bastion{},
			`article-pipeline:bastion.instanceType: "db.t3.small.x" is not an EC2 instance type; expected FAMILY.SIZE`},
		{"privileged port", `{"enabled":true,"localPort":22}`, db, Bastion{},
			"article-pipeline:bastion.localPort: 22 is out of range; expected 1024..65535"},
		{"no database", `{"enabled":true}`, off, Bastion{},
			"article-pipeline:bastion.enabled: the bastion tunnels to the database, but article-pipeline:database.enabled is false"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var p problems
			got := parseBastion(tc.value, tc.db, &p)
			err := p.err()
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got != tc.want {
					t.Errorf("got %+v, want %+v", got, tc.want)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
				t.Errorf("error %v\nwant prefix %q", err, tc.wantErr)
			}
		})
	}
	if DefaultBastion() != (Bastion{InstanceType: "t3.nano", LocalPort: 5432}) {
		t.Errorf("DefaultBastion() = %+v", DefaultBastion())
	}
}
