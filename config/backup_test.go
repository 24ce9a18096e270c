package config

import (
	"reflect"
	"strings"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/backup"
	"github.com/np-mrd/article-pipeline-infra/internal/check"
)

func TestBackupDefaultsAreTheRunbook(t *testing.T) {
	t.Parallel()
	var p check.Problems
	prod := parseBackup(merged("prod", "article-pipeline:backup", ""), "prod", "us-west-2", &p)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	want := backup.Settings{
		Enabled:                 true, // the runbook backs up production only
		VaultName:               "article-pipeline-prod",
		PlanName:                "article-pipeline-prod",
		RuleName:                "monthly",
		Schedule:                "cron(0 9 1 * ? *)", // monthly, 01:00/02:00 in us-west-2
		StartWindowMinutes:      480,                 // console default "start within 8 hours"
		CompletionWindowMinutes: 10080,               // console default "complete within 7 days"
		ColdStorageAfterDays:    2,
		DeleteAfterDays:         180,
	}
	if !reflect.DeepEqual(prod, want) {
		t.Errorf("prod = %+v\nwant %+v", prod, want)
	}
	dev := parseBackup(merged("development", "article-pipeline:backup", ""), "development", "us-west-2", &p)
	if dev.Enabled || dev.VaultName != "article-pipeline-development" || dev.PlanName != "article-pipeline-development" {
		t.Errorf("development = %+v", dev)
	}
}

func TestBackupOverrides(t *testing.T) {
	t.Parallel()
	var p check.Problems
	b := parseBackup(`{"enabled":true,"vaultName":"np-mrd-vault","planName":"np.mrd-plan","ruleName":"weekly_rule",
		"schedule":"cron(30 8 ? * SUN *)","startWindowMinutes":60,"completionWindowMinutes":720,
		"coldStorageAfterDays":0,"deleteAfterDays":35,"copyToRegion":"us-east-2",
		"vaultLock":{"minRetentionDays":7,"maxRetentionDays":365,"changeableForDays":3}}`,
		"development", "us-west-2", &p)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	want := backup.Settings{
		Enabled: true, VaultName: "np-mrd-vault", PlanName: "np.mrd-plan", RuleName: "weekly_rule",
		Schedule: "cron(30 8 ? * SUN *)", StartWindowMinutes: 60, CompletionWindowMinutes: 720,
		ColdStorageAfterDays: 0, DeleteAfterDays: 35, CopyToRegion: "us-east-2",
		VaultLock: &backup.VaultLock{MinRetentionDays: 7, MaxRetentionDays: 365, ChangeableForDays: 3},
	}
	if !reflect.DeepEqual(b, want) {
		t.Errorf("got  %+v\nwant %+v", b, want)
	}

	// A lock with only a minimum keeps AWS's widest maximum and governance mode.
	b = parseBackup(merged("prod", "article-pipeline:backup", `{"vaultLock":{"minRetentionDays":30}}`), "prod", "us-west-2", &p)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	if *b.VaultLock != (backup.VaultLock{MinRetentionDays: 30, MaxRetentionDays: 36500}) {
		t.Errorf("lock = %+v", *b.VaultLock)
	}
}

func TestBackupBadInput(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		value   string
		wantErr string
	}{
		{"unknown field", `{"retention":30}`, `article-pipeline:backup: unknown field "retention"`},
		{"wrong type", `{"deleteAfterDays":"180"}`, "article-pipeline:backup.deleteAfterDays: expected a whole number"},
		{"a value rule", `{"schedule":"rate(30 days)"}`,
			`article-pipeline:backup.schedule: "rate(30 days)" is not a schedule; expected a cron expression`},
		{"copy to own region", `{"copyToRegion":"us-west-2"}`,
			`article-pipeline:backup.copyToRegion: "us-west-2" is the stack's own region (aws:region)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var p check.Problems
			parseBackup(merged("prod", "article-pipeline:backup", tc.value), "prod", "us-west-2", &p)
			if err := p.Err(); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("err = %v\nwant %q", err, tc.wantErr)
			}
		})
	}
}
