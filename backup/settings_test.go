package backup

import (
	"reflect"
	"strings"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/internal/mock"
)

func TestDefaultsAreTheRunbook(t *testing.T) {
	t.Parallel()
	want := Settings{
		Enabled:                 false, // a stack file turns it on (prod's does)
		VaultName:               "article-pipeline-prod",
		PlanName:                "article-pipeline-prod",
		RuleName:                "monthly",
		Schedule:                "",    // derived from the database's windows (ClearSchedule)
		StartWindowMinutes:      480,   // console default "start within 8 hours"
		CompletionWindowMinutes: 10080, // console default "complete within 7 days"
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
	cases := []mock.BadValue[string]{
		{Name: "delete before cold storage minimum", Value: `{"coldStorageAfterDays":2,"deleteAfterDays":91}`,
			WantErr: "article-pipeline:backup.deleteAfterDays: 91 is too soon; recovery points stay in cold storage at least " +
				"90 days, so expected at least coldStorageAfterDays + 90 = 92"},
		{Name: "delete zero", Value: `{"coldStorageAfterDays":0,"deleteAfterDays":0}`,
			WantErr: "article-pipeline:backup.deleteAfterDays: 0 is out of range; expected 1..36500"},
		{Name: "negative cold", Value: `{"coldStorageAfterDays":-1}`,
			WantErr: "article-pipeline:backup.coldStorageAfterDays: -1 is out of range; expected 0 (no cold storage) to 36500"},
		{Name: "rate schedule", Value: `{"schedule":"rate(30 days)"}`,
			WantErr: `article-pipeline:backup.schedule: "rate(30 days)" is not a schedule; expected a cron expression`},
		{Name: "five-field cron", Value: `{"schedule":"cron(0 9 1 * ?)"}`,
			WantErr: `article-pipeline:backup.schedule: "cron(0 9 1 * ?)" has 5 fields; expected 6`},
		{Name: "plain crontab", Value: `{"schedule":"0 9 1 * *"}`,
			WantErr: `article-pipeline:backup.schedule: "0 9 1 * *" is not a schedule`},
		{Name: "both days", Value: `{"schedule":"cron(0 9 1 * MON *)"}`,
			WantErr: `article-pipeline:backup.schedule: "cron(0 9 1 * MON *)" must have ? in exactly one of day-of-month`},
		{Name: "sub-hourly", Value: `{"schedule":"cron(0/15 * * * ? *)"}`,
			WantErr: `article-pipeline:backup.schedule: "cron(0/15 * * * ? *)" must name one minute (0..59)`},
		{Name: "hour 25", Value: `{"schedule":"cron(0 25 1 * ? *)"}`,
			WantErr: `article-pipeline:backup.schedule: "cron(0 25 1 * ? *)" has 25 in the hours field, out of range; ` +
				`expected 0..23`},
		{Name: "minute 60", Value: `{"schedule":"cron(60 9 1 * ? *)"}`,
			WantErr: `article-pipeline:backup.schedule: "cron(60 9 1 * ? *)" has 60 in the minutes field, out of range; ` +
				`expected 0..59`},
		{Name: "day 32", Value: `{"schedule":"cron(0 9 32 * ? *)"}`,
			WantErr: `article-pipeline:backup.schedule: "cron(0 9 32 * ? *)" has 32 in the day-of-month field, out of range; ` +
				`expected 1..31`},
		{Name: "month 13 in a range", Value: `{"schedule":"cron(0 9 1 6-13 ? *)"}`,
			WantErr: `article-pipeline:backup.schedule: "cron(0 9 1 6-13 ? *)" has 13 in the month field, out of range; ` +
				`expected 1..12 or JAN-DEC`},
		{Name: "weekday 8", Value: `{"schedule":"cron(0 9 ? * 8 *)"}`,
			WantErr: `article-pipeline:backup.schedule: "cron(0 9 ? * 8 *)" has 8 in the day-of-week field, out of range; ` +
				`expected 1..7 or SUN-SAT`},
		{Name: "weekday name", Value: `{"schedule":"cron(0 9 ? * FUN *)"}`,
			WantErr: `article-pipeline:backup.schedule: "cron(0 9 ? * FUN *)" has "FUN" in the day-of-week field; expected ` +
				`1..7 or SUN-SAT`},
		{Name: "year 2200", Value: `{"schedule":"cron(0 9 1 * ? 2200)"}`,
			WantErr: `article-pipeline:backup.schedule: "cron(0 9 1 * ? 2200)" has 2200 in the year field, out of range; ` +
				`expected 1970..2199`},
		{Name: "hour step 0", Value: `{"schedule":"cron(0 */0 1 * ? *)"}`,
			WantErr: `article-pipeline:backup.schedule: "cron(0 */0 1 * ? *)" has the step "0" in the hours field; expected a ` +
				`whole number of at least 1`},
		{Name: "? in hours", Value: `{"schedule":"cron(0 ? 1 * ? *)"}`,
			WantErr: `article-pipeline:backup.schedule: "cron(0 ? 1 * ? *)" has ? in the hours field; expected ? only in ` +
				`day-of-month or day-of-week`},
		{Name: "bad field", Value: `{"schedule":"cron(0 9 1 * ? 20;25)"}`,
			WantErr: `article-pipeline:backup.schedule: "cron(0 9 1 * ? 20;25)" has a malformed field "20;25"`},
		{Name: "short start window", Value: `{"startWindowMinutes":30}`,
			WantErr: "article-pipeline:backup.startWindowMinutes: 30 is out of range; expected 60..52560000"},
		{Name: "completion before start", Value: `{"startWindowMinutes":480,"completionWindowMinutes":480}`,
			WantErr: "article-pipeline:backup.completionWindowMinutes: 480 is out of range; expected more than " +
				"startWindowMinutes (480)"},
		{Name: "bad vault name", Value: `{"vaultName":"my vault"}`,
			WantErr: `article-pipeline:backup.vaultName: "my vault" is not a backup vault name`},
		{Name: "dot in vault name", Value: `{"vaultName":"a.b"}`,
			WantErr: `article-pipeline:backup.vaultName: "a.b" is not a backup vault name`},
		{Name: "long plan name", Value: `{"planName":"` + strings.Repeat("p", 51) + `"}`,
			WantErr: "article-pipeline:backup.planName: \"" + strings.Repeat("p", 51) + "\" is not a backup plan name"},
		{Name: "empty rule name", Value: `{"ruleName":""}`,
			WantErr: `article-pipeline:backup.ruleName: "" is not a backup rule name`},
		{Name: "copy to bad region", Value: `{"copyToRegion":"Oregon"}`,
			WantErr: `article-pipeline:backup.copyToRegion: "Oregon" is not an AWS region name`},
		{Name: "lock changeable too short", Value: `{"vaultLock":{"changeableForDays":2}}`,
			WantErr: "article-pipeline:backup.vaultLock.changeableForDays: 2 is too short; " +
				"expected 0 (governance mode) or at least 3"},
		{Name: "lock min above max", Value: `{"vaultLock":{"minRetentionDays":30,"maxRetentionDays":7}}`,
			WantErr: "article-pipeline:backup.vaultLock.maxRetentionDays: 7 is out of range; " +
				"expected minRetentionDays (30)..36500"},
		{Name: "lock min zero", Value: `{"vaultLock":{"minRetentionDays":0}}`,
			WantErr: "article-pipeline:backup.vaultLock.minRetentionDays: 0 is out of range; expected 1..36500"},
		{Name: "retention outside lock", Value: `{"vaultLock":{"minRetentionDays":7,"maxRetentionDays":90}}`,
			WantErr: "article-pipeline:backup.deleteAfterDays: 180 is outside the vault lock's retention range 7..90 " +
				"(article-pipeline:backup.vaultLock)"},
	}
	mock.RejectsValues(t, cases, mock.Contains, func(t *testing.T, value string) error {
		return mock.Overlay(t, Defaults("article-pipeline-prod"), value).Validate("article-pipeline:backup")
	})
}

// runbookWindows are the database's default windows: backup 08:00-08:30
// daily, maintenance Sunday 09:00-09:30 (minutes of the week from Monday).
var runbookWindows = []Busy{
	{What: "backup", From: 8 * 60, To: 8*60 + 30},
	{What: "maintenance", Weekly: true, From: 6*minutesPerDay + 9*60, To: 6*minutesPerDay + 9*60 + 30},
}

func TestClearOfTheDatabaseWindows(t *testing.T) {
	t.Parallel()
	if got := ClearSchedule(runbookWindows); got != "cron(30 10 1 * ? *)" {
		t.Errorf("ClearSchedule = %q, want an hour after the maintenance window, cron(30 10 1 * ? *)", got)
	}
	cases := []struct {
		schedule string
		clash    string // the window it starts too close to, or ""
		at       string
	}{
		{"cron(0 9 1 * ? *)", "backup", "09:00"}, // the runbook's time: 30 minutes after the backup window
		{"cron(30 9 1 * ? *)", "maintenance", "09:30"},
		{"cron(0 7 1 * ? *)", "backup", "07:00"}, // exactly an hour before the backup window
		{"cron(59 6 1 * ? *)", "", ""},
		{"cron(30 10 1 * ? *)", "", ""},
		{"cron(0 10 ? * SUN *)", "maintenance", "10:00"},
		{"cron(0 10 ? * MON-SAT *)", "", ""},         // not the maintenance day, clear of the backup window
		{"cron(0 4,9 ? * MON *)", "backup", "09:00"}, // every start counts
		{"cron(0 23 ? * SAT *)", "", ""},
	}
	for _, tc := range cases {
		w, at, ok := Clash(tc.schedule, runbookWindows)
		if ok != (tc.clash == "") || w.What != tc.clash || at != tc.at {
			t.Errorf("Clash(%s) = %q at %q, ok %v; want %q at %q", tc.schedule, w.What, at, ok, tc.clash, tc.at)
		}
	}
	// A maintenance window past midnight into Monday: Sunday 23:30 starts
	// (from 22:30) are as close as Monday 00:30 ones.
	late := []Busy{{What: "backup", From: 22*60 + 30, To: 23 * 60},
		{What: "maintenance", Weekly: true, From: 6*minutesPerDay + 23*60 + 30, To: 7*minutesPerDay + 0}}
	for schedule, clash := range map[string]string{"cron(30 0 ? * MON *)": "maintenance", "cron(30 1 ? * MON *)": "",
		"cron(0 22 ? * SUN *)": "backup"} {
		if w, _, ok := Clash(schedule, late); ok != (clash == "") || w.What != clash {
			t.Errorf("late windows: Clash(%s) = %q, want %q", schedule, w.What, clash)
		}
	}
	if got := ClearSchedule(late); got != "cron(0 1 1 * ? *)" {
		t.Errorf("ClearSchedule(late) = %q", got)
	}
}

func TestAdoptionCarriesThePlanOver(t *testing.T) {
	t.Parallel()
	const k = "article-pipeline:adopt.backup"
	s := Defaults("np-deposition-backup-vault")
	s.Schedule = "cron(30 10 1 * ? *)"
	days := func(n int) *int { return &n }
	a := Adoption{PlanID: "3f1c9a52-7d4e-4b8a-9c61-2e5f0a8b7d43", Schedule: "cron(0 5 ? * SUN *)",
		DeleteAfterDays: days(365), ColdStorageAfterDays: days(0)}
	if err := a.Validate(k, s); err != nil {
		t.Fatal(err)
	}
	got := a.Apply(s)
	if got.Schedule != "cron(0 5 ? * SUN *)" || got.DeleteAfterDays != 365 || got.ColdStorageAfterDays != 0 {
		t.Errorf("Apply = %+v", got)
	}
	cases := []mock.BadValue[Adoption]{
		{Name: "no plan ID", Value: Adoption{Schedule: "cron(0 9 1 * ? *)"},
			WantErr: k + ".planId: is required with schedule, deleteAfterDays or coldStorageAfterDays; they carry the adopted " +
				"plan's values over"},
		{Name: "hour 25", Value: Adoption{PlanID: a.PlanID, Schedule: "cron(0 25 1 * ? *)"},
			WantErr: k + `.schedule: "cron(0 25 1 * ? *)" has 25 in the hours field, out of range; expected 0..23`},
		{Name: "delete before cold storage minimum", Value: Adoption{PlanID: a.PlanID, DeleteAfterDays: days(60)},
			WantErr: k + ".deleteAfterDays: 60 is too soon after coldStorageAfterDays 2; expected at least 92 " +
				"(recovery points stay in cold storage at least 90 days)"},
		{Name: "negative cold", Value: Adoption{PlanID: a.PlanID, ColdStorageAfterDays: days(-1)},
			WantErr: k + ".coldStorageAfterDays: -1 is out of range; expected 0 (no cold storage) to 36500"},
	}
	mock.RejectsValues(t, cases, mock.Exact, func(t *testing.T, v Adoption) error { return v.Validate(k, Defaults("v")) })
}
