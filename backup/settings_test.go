package backup

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestDefaultsAreTheRunbook(t *testing.T) {
	t.Parallel()
	want := Settings{
		Enabled:                 false, // a stack file turns it on (prod's does)
		VaultName:               "article-pipeline-prod",
		PlanName:                "article-pipeline-prod",
		RuleName:                "monthly",
		Schedule:                "cron(0 9 1 * ? *)", // monthly, 01:00/02:00 in us-west-2
		StartWindowMinutes:      480,                 // console default "start within 8 hours"
		CompletionWindowMinutes: 10080,               // console default "complete within 7 days"
		ColdStorageAfterDays:    2,
		DeleteAfterDays:         180,
	}
	got := Defaults("article-pipeline-prod")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Defaults = %+v\nwant %+v", got, want)
	}
	if err := got.Validate("article-pipeline:backup"); err != nil {
		t.Errorf("the defaults are invalid: %v", err)
	}
	var l VaultLock
	l.SetDefaults()
	if l != (VaultLock{MinRetentionDays: 1, MaxRetentionDays: 36500}) {
		t.Errorf("a lock starts as %+v; want any retention, governance mode", l)
	}
}

// TestValidate feeds bad values (JSON over the defaults) and expects the key named.
func TestValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		value   string
		wantErr string
	}{
		{"delete before cold storage minimum", `{"coldStorageAfterDays":2,"deleteAfterDays":91}`,
			"article-pipeline:backup.deleteAfterDays: 91 is too soon; recovery points stay in cold storage at least " +
				"90 days, so expected at least coldStorageAfterDays + 90 = 92"},
		{"delete zero", `{"coldStorageAfterDays":0,"deleteAfterDays":0}`,
			"article-pipeline:backup.deleteAfterDays: 0 is out of range; expected 1..36500"},
		{"negative cold", `{"coldStorageAfterDays":-1}`,
			"article-pipeline:backup.coldStorageAfterDays: -1 is out of range; expected 0 (no cold storage) to 36500"},
		{"rate schedule", `{"schedule":"rate(30 days)"}`,
			`article-pipeline:backup.schedule: "rate(30 days)" is not a schedule; expected a cron expression`},
		{"five-field cron", `{"schedule":"cron(0 9 1 * ?)"}`,
			`article-pipeline:backup.schedule: "cron(0 9 1 * ?)" has 5 fields; expected 6`},
		{"plain crontab", `{"schedule":"0 9 1 * *"}`, `article-pipeline:backup.schedule: "0 9 1 * *" is not a schedule`},
		{"both days", `{"schedule":"cron(0 9 1 * MON *)"}`,
			`article-pipeline:backup.schedule: "cron(0 9 1 * MON *)" must have ? in exactly one of day-of-month`},
		{"sub-hourly", `{"schedule":"cron(0/15 * * * ? *)"}`,
			`article-pipeline:backup.schedule: "cron(0/15 * * * ? *)" must name one minute (0..59)`},
		{"bad field", `{"schedule":"cron(0 9 1 * ? 20;25)"}`,
			`article-pipeline:backup.schedule: "cron(0 9 1 * ? 20;25)" has a malformed field "20;25"`},
		{"short start window", `{"startWindowMinutes":30}`,
			"article-pipeline:backup.startWindowMinutes: 30 is out of range; expected 60..52560000"},
		{"completion before start", `{"startWindowMinutes":480,"completionWindowMinutes":480}`,
			"article-pipeline:backup.completionWindowMinutes: 480 is out of range; expected more than " +
				"startWindowMinutes (480)"},
		{"bad vault name", `{"vaultName":"my vault"}`,
			`article-pipeline:backup.vaultName: "my vault" is not a backup vault name`},
		{"dot in vault name", `{"vaultName":"a.b"}`, `article-pipeline:backup.vaultName: "a.b" is not a backup vault name`},
		{"long plan name", `{"planName":"` + strings.Repeat("p", 51) + `"}`,
			"article-pipeline:backup.planName: \"" + strings.Repeat("p", 51) + "\" is not a backup plan name"},
		{"empty rule name", `{"ruleName":""}`, `article-pipeline:backup.ruleName: "" is not a backup rule name`},
		{"copy to bad region", `{"copyToRegion":"Oregon"}`,
			`article-pipeline:backup.copyToRegion: "Oregon" is not an AWS region name`},
		{"lock changeable too short", `{"vaultLock":{"changeableForDays":2}}`,
			"article-pipeline:backup.vaultLock.changeableForDays: 2 is too short; expected 0 (governance mode) or at least 3"},
		{"lock min above max", `{"vaultLock":{"minRetentionDays":30,"maxRetentionDays":7}}`,
			"article-pipeline:backup.vaultLock.maxRetentionDays: 7 is out of range; expected minRetentionDays (30)..36500"},
		{"lock min zero", `{"vaultLock":{"minRetentionDays":0}}`,
			"article-pipeline:backup.vaultLock.minRetentionDays: 0 is out of range; expected 1..36500"},
		{"retention outside lock", `{"vaultLock":{"minRetentionDays":7,"maxRetentionDays":90}}`,
			"article-pipeline:backup.deleteAfterDays: 180 is outside the vault lock's retention range 7..90 " +
				"(article-pipeline:backup.vaultLock)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := Defaults("article-pipeline-prod")
			if err := json.Unmarshal([]byte(tc.value), &s); err != nil {
				t.Fatal(err)
			}
			if err := s.Validate("article-pipeline:backup"); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("err = %v\nwant %q", err, tc.wantErr)
			}
		})
	}
}
