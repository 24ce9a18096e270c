package config

import (
	"reflect"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/backup"
	"github.com/np-mrd/article-pipeline-infra/database"
	"github.com/np-mrd/article-pipeline-infra/internal/check"
	"github.com/np-mrd/article-pipeline-infra/internal/mock"
)

func TestBackupDefaultsAreTheRunbook(t *testing.T) {
	t.Parallel()
	var p check.Problems
	db := database.Defaults("article-pipeline-prod")
	prod := parsed(t, func(p *check.Problems) backup.Settings {
		return parseBackup(merged("prod", "article-pipeline:backup", ""), "prod", "us-west-2", db, p)
	})
	want := backup.Settings{
		Enabled:   true, // the runbook backs up production only
		VaultName: "article-pipeline-prod",
		PlanName:  "article-pipeline-prod",
		RuleName:  "monthly",
		// Monthly, an hour after the maintenance window (sun 09:00-09:30 UTC): AWS
		// Backup starts no RDS job near the backup and maintenance windows.
		Schedule:                "cron(30 10 1 * ? *)",
		StartWindowMinutes:      480,   // console default "start within 8 hours"
		CompletionWindowMinutes: 10080, // console default "complete within 7 days"
		ColdStorageAfterDays:    2,
		DeleteAfterDays:         180,
	}
	if !reflect.DeepEqual(prod, want) {
		t.Errorf("prod = %+v\nwant %+v", prod, want)
	}
	dev := parseBackup(merged("development", "article-pipeline:backup", ""), "development", "us-west-2", db, &p)
	if dev.Enabled || dev.VaultName != "article-pipeline-development" || dev.PlanName != "article-pipeline-development" {
		t.Errorf("development = %+v", dev)
	}
}

func TestBackupOverrides(t *testing.T) {
	t.Parallel()
	var p check.Problems
	b := parseBackup(`{"enabled":true,"vaultName":"np-mrd-vault","planName":"np.mrd-plan","ruleName":"weekly_rule",
		"schedule":"cron(30 12 ? * SUN *)","startWindowMinutes":60,"completionWindowMinutes":720,
		"coldStorageAfterDays":0,"deleteAfterDays":35,"copyToRegion":"us-east-2",
		"vaultLock":{"minRetentionDays":7,"maxRetentionDays":365,"changeableForDays":3}}`,
		"development", "us-west-2", database.Defaults("article-pipeline-development"), &p)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	want := backup.Settings{
		Enabled: true, VaultName: "np-mrd-vault", PlanName: "np.mrd-plan", RuleName: "weekly_rule",
		Schedule: "cron(30 12 ? * SUN *)", StartWindowMinutes: 60, CompletionWindowMinutes: 720,
		ColdStorageAfterDays: 0, DeleteAfterDays: 35, CopyToRegion: "us-east-2",
		VaultLock: &backup.VaultLock{MinRetentionDays: 7, MaxRetentionDays: 365, ChangeableForDays: 3},
	}
	if !reflect.DeepEqual(b, want) {
		t.Errorf("got  %+v\nwant %+v", b, want)
	}

	// A lock with only a minimum keeps AWS's widest maximum and governance mode.
	b = parseBackup(merged("prod", "article-pipeline:backup", `{"vaultLock":{"minRetentionDays":30}}`), "prod", "us-west-2",
		database.Defaults("article-pipeline-prod"), &p)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	if *b.VaultLock != (backup.VaultLock{MinRetentionDays: 30, MaxRetentionDays: 36500}) {
		t.Errorf("lock = %+v", *b.VaultLock)
	}

	// Without a database there is nothing to keep clear of: the runbook's time.
	noDB := database.Defaults("x")
	noDB.Enabled = false
	if b = parseBackup(`{"enabled":true}`, "sandbox", "us-west-2", noDB, &p); b.Schedule != "cron(0 9 1 * ? *)" {
		t.Errorf("schedule without a database = %q", b.Schedule)
	}
	// Moving the database's windows moves the derived schedule with them.
	late := database.Defaults("x")
	late.BackupWindowStart, late.MaintenanceDay = "11:00", "wed"
	if b = parseBackup(`{"enabled":true}`, "prod", "us-west-2", late, &p); b.Schedule != "cron(30 13 1 * ? *)" {
		t.Errorf("schedule after windows at 11:00 and wed 12:00, want cron(30 13 1 * ? *): %q", b.Schedule)
	}
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
}

func TestBackupBadInput(t *testing.T) {
	t.Parallel()
	cases := []mock.BadValue[string]{
		{Name: "unknown field", Value: `{"retention":30}`, WantErr: `article-pipeline:backup: unknown field "retention"`},
		{Name: "wrong type", Value: `{"deleteAfterDays":"180"}`,
			WantErr: "article-pipeline:backup.deleteAfterDays: expected a whole number"},
		{Name: "a value rule", Value: `{"schedule":"rate(30 days)"}`,
			WantErr: `article-pipeline:backup.schedule: "rate(30 days)" is not a schedule; expected a cron expression`},
		{Name: "copy to own region", Value: `{"copyToRegion":"us-west-2"}`,
			WantErr: `article-pipeline:backup.copyToRegion: "us-west-2" is the stack's own region (aws:region)`},
		{Name: "the runbook's time, 30 minutes after the backup window", Value: `{"schedule":"cron(0 9 1 * ? *)"}`,
			WantErr: `article-pipeline:backup.schedule: "cron(0 9 1 * ? *)" starts at 09:00 UTC, less than an hour from the ` +
				`automated backup window 08:00-08:30 (article-pipeline:database.backupWindowStart), where AWS Backup does ` +
				`not start an RDS job; expected a start at least an hour clear of both database windows, such as ` +
				`"cron(30 10 1 * ? *)", or no schedule (derived from the windows)`},
		{Name: "Sundays in the maintenance window", Value: `{"schedule":"cron(0 10 ? * SUN *)"}`,
			WantErr: `article-pipeline:backup.schedule: "cron(0 10 ? * SUN *)" starts at 10:00 UTC, less than an hour ` +
				`from the maintenance window sun:09:00-sun:09:30 (article-pipeline:database.backupWindowStart and ` +
				`maintenanceDay)`},
		{Name: "hour out of range", Value: `{"schedule":"cron(0 25 1 * ? *)"}`,
			WantErr: `article-pipeline:backup.schedule: "cron(0 25 1 * ? *)" has 25 in the hours field, out of range; ` +
				`expected 0..23`},
	}
	mock.RejectsValues(t, cases, mock.Prefix, func(t *testing.T, value string) error {
		return problems(func(p *check.Problems) backup.Settings {
			return parseBackup(merged("prod", "article-pipeline:backup", value), "prod", "us-west-2",
				database.Defaults("article-pipeline-prod"), p)
		}).Err()
	})
}

// TestAdoptedPlanKeepsItsSchedule: adopt.backup carries the live plan's
// schedule and retention over; the schedule is held to the database windows
// once the adoption is closed (the instance may keep its live windows until then).
func TestAdoptedPlanKeepsItsSchedule(t *testing.T) {
	t.Parallel()
	const plan = `"vaultName":"article-pipeline-prod","planId":"3f1c9a52-7d4e-4b8a-9c61-2e5f0a8b7d43"`
	s := mustParse(t, stackRaw("prod", "article-pipeline:adopt", `{"backup":{`+plan+`,"schedule":"cron(0 9 1 * ? *)",`+
		`"deleteAfterDays":365},"keep":{"backup-plan":["tags"]}}`))
	if s.Backup.Schedule != "cron(0 9 1 * ? *)" || s.Backup.DeleteAfterDays != 365 || s.Backup.ColdStorageAfterDays != 2 {
		t.Errorf("effective plan = %+v", s.Backup)
	}
	_, err := Parse(stackRaw("prod", "article-pipeline:adopt", `{"backup":{`+plan+`,"schedule":"cron(0 9 1 * ? *)"}}`))
	const want = `article-pipeline:adopt.backup.schedule: "cron(0 9 1 * ? *)" starts at 09:00 UTC, less than an hour ` +
		`from the automated backup window 08:00-08:30 (article-pipeline:database.backupWindowStart), where AWS Backup ` +
		`does not start an RDS job; expected a start at least an hour clear of both database windows, such as ` +
		`"cron(30 10 1 * ? *)", or no schedule (derived from the windows)`
	if err == nil || err.Error() != want {
		t.Errorf("closed adoption: err = %v\nwant %s", err, want)
	}
}
