package config

import (
	"reflect"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/internal/check"
	"github.com/np-mrd/article-pipeline-infra/internal/mock"

	"github.com/np-mrd/article-pipeline-infra/bastion"
	"github.com/np-mrd/article-pipeline-infra/database"
)

func TestDatabaseOverrides(t *testing.T) {
	t.Parallel()
	var p check.Problems
	got := parseDatabase(`{"enabled":true,"identifier":"np-deposition-db","engineVersion":"17.4",
		"instanceClass":"db.m7g.large","storageType":"gp3","allocatedStorage":100,"maxAllocatedStorage":2000,
		"multiAz":true,"port":6543,"masterUsername":"np_admin","backupRetentionDays":35,
		"backupWindowStart":"23:45","maintenanceDay":"sat","performanceInsights":false,
		"performanceInsightsRetentionDays":93,"monitoringInterval":0,"logExports":false,"logRetentionDays":3653,
		"slowQueryMs":250,"deletionProtection":false,"skipFinalSnapshot":true,"allowedCidrs":["10.0.0.0/16","192.168.1.0/24"],
		"databaseName":"np_mrd","appUser":"np_app","bootstrap":false,"tunnelHost":"localhost","tunnelPort":15432,
		"connectTimeout":5,"proxy":true}`,
		"article-pipeline-development", false, &p)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	want := database.Settings{
		Enabled: true, Identifier: "np-deposition-db", EngineVersion: "17.4", InstanceClass: "db.m7g.large",
		StorageType: "gp3", AllocatedStorage: 100, MaxAllocatedStorage: 2000, MultiAZ: true, Port: 6543,
		MasterUsername: "np_admin", BackupRetentionDays: 35, BackupWindowStart: "23:45", MaintenanceDay: "sat",
		PerformanceInsights: false, PerformanceInsightsRetentionDays: 93, MonitoringInterval: 0, LogExports: false,
		LogRetentionDays: 3653, SlowQueryMs: 250, DeletionProtection: false, SkipFinalSnapshot: true,
		AllowedCIDRs: []string{"10.0.0.0/16", "192.168.1.0/24"},
		DatabaseName: "np_mrd", AppUser: "np_app", Bootstrap: false, TunnelHost: "localhost", TunnelPort: 15432,
		ConnectTimeout: 5, Proxy: true,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}

	// A sandbox turns the database off; its other settings are not checked.
	got = parseDatabase(`{"enabled":false,"allocatedStorage":0}`, "article-pipeline-sandbox", false, &p)
	if err := p.Err(); err != nil || got.Enabled {
		t.Errorf("disabled database: enabled=%v, err=%v", got.Enabled, err)
	}
}

func TestDatabaseBadInput(t *testing.T) {
	t.Parallel()
	const k = "article-pipeline:database"
	// parse parses a value for a stack protected or not, and fails t unless
	// it gives exactly one problem.
	parse := func(protect bool) func(t *testing.T, value string) error {
		return func(t *testing.T, value string) error {
			p := problems(func(p *check.Problems) database.Settings {
				return parseDatabase(value, "article-pipeline-test", protect, p)
			})
			err := p.Err()
			if err != nil && len(p) != 1 {
				t.Errorf("%d problems, want 1: %v", len(p), err)
			}
			return err
		}
	}
	unprotected := []mock.BadValue[string]{
		{Name: "unknown field", Value: `{"allocatedStorageGb":20}`,
			WantErr: k + `: unknown field "allocatedStorageGb"; did you mean "allocatedStorage"?`},
		{Name: "wrong type", Value: `{"allocatedStorage":"20"}`,
			WantErr: k + ".allocatedStorage: expected a whole number, got a JSON string"},
		{Name: "not an object", Value: `[1]`, WantErr: k + ": expected an object (YAML mapping), got a JSON array"},
		{Name: "a value rule", Value: `{"port":80}`,
			WantErr: k + ".port: 80 is out of range; expected 1150..65535 (RDS limits)"},
	}
	mock.RejectsValues(t, unprotected, mock.Prefix, parse(false))
	protected := []mock.BadValue[string]{
		{Name: "skip snapshot while protected", Value: `{"skipFinalSnapshot":true}`,
			WantErr: k + ".skipFinalSnapshot: cannot be true while article-pipeline:protect is true; a protected database " +
				"always keeps a final snapshot"},
		{Name: "no deletion protection while protected", Value: `{"deletionProtection":false}`,
			WantErr: k + ".deletionProtection: cannot be false while article-pipeline:protect is true"},
	}
	mock.RejectsValues(t, protected, mock.Prefix, parse(true))
}

func TestBastionNeedsTheDatabase(t *testing.T) {
	t.Parallel()
	db := database.Defaults("article-pipeline-prod")
	off := db
	off.Enabled = false
	var p check.Problems
	if got := parseBastion(`{"enabled":true}`, db, &p); p.Err() != nil ||
		got != (bastion.Settings{Enabled: true, InstanceType: "t3.nano", LocalPort: 5432}) {
		t.Errorf("bastion on: %+v, %v", got, p.Err())
	}
	if got := parseBastion(`{"instanceType":"huge"}`, off, &p); p.Err() != nil || got.Enabled {
		t.Errorf("a bastion that is off is not checked: %+v, %v", got, p.Err())
	}
	parseBastion(`{"enabled":true}`, off, &p)
	want := "article-pipeline:bastion.enabled: the bastion tunnels to the database, but article-pipeline:database.enabled is false"
	if err := p.Err(); err == nil || err.Error() != want {
		t.Errorf("error %v\nwant %q", err, want)
	}
}

// TestBootstrapGoesThroughTheBastion: with the bastion on, the bootstrap
// connects to its local port forward unless the stack file names a tunnel.
func TestBootstrapGoesThroughTheBastion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, bastion, database string
		host                    string
		port                    int
	}{
		{"bastion on", `{"enabled":true,"localPort":15432}`, ``, "localhost", 15432},
		{"bastion off", `{"enabled":false}`, ``, "", 5432},
		{"a tunnel named in the file", `{"enabled":true}`, `{"tunnelHost":"127.0.0.1","tunnelPort":6543}`, "127.0.0.1", 6543},
		{"no bootstrap", `{"enabled":true}`, `{"bootstrap":false}`, "", 5432},
	} {
		s := mustParse(t, stackRaw("development", "article-pipeline:bastion", tc.bastion, "article-pipeline:database",
			tc.database))
		if s.Database.TunnelHost != tc.host || s.Database.TunnelPort != tc.port {
			t.Errorf("%s: tunnel %s:%d, want %s:%d", tc.name, s.Database.TunnelHost, s.Database.TunnelPort, tc.host,
				tc.port)
		}
	}
}
