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
		{"hour 25", `{"schedule":"cron(0 25 1 * ? *)"}`,
			`article-pipeline:backup.schedule: "cron(0 25 1 * ? *)" has 25 in the hours field, out of range; expected 0..23`},
		{"minute 60", `{"schedule":"cron(60 9 1 * ? *)"}`,
			`article-pipeline:backup.schedule: "cron(60 9 1 * ? *)" has 60 in the minutes field, out of range; expected 0..59`},
		{"day 32", `{"schedule":"cron(0 9 32 * ? *)"}`,
			`article-pipeline:backup.schedule: "cron(0 9 32 * ? *)" has 32 in the day-of-month field, out of range; ` +
				`expected 1..31`},
		{"month 13 in a range", `{"schedule":"cron(0 9 1 6-13 ? *)"}`,
			`article-pipeline:backup.schedule: "cron(0 9 1 6-13 ? *)" has 13 in the month field, out of range; ` +
				`expected 1..12 or JAN-DEC`},
		{"weekday 8", `{"schedule":"cron(0 9 ? * 8 *)"}`,
			`article-pipeline:backup.schedule: "cron(0 9 ? * 8 *)" has 8 in the day-of-week field, out of range; ` +
				`expected 1..7 or SUN-SAT`},
		{"weekday name", `{"schedule":"cron(0 9 ? * FUN *)"}`,
			`article-pipeline:backup.schedule: "cron(0 9 ? * FUN *)" has "FUN" in the day-of-week field; expected ` +
				`1..7 or SUN-SAT`},
		{"year 2200", `{"schedule":"cron(0 9 1 * ? 2200)"}`,
			`article-pipeline:backup.schedule: "cron(0 9 1 * ? 2200)" has 2200 in the year field, out of range; ` +
				`expected 1970..2199`},
		{"hour step 0", `{"schedule":"cron(0 */0 1 * ? *)"}`,
			`article-pipeline:backup.schedule: "cron(0 */0 1 * ? *)" has the step "0" in the hours field; expected a ` +
				`whole number of at least 1`},
		{"? in hours", `{"schedule":"cron(0 ? 1 * ? *)"}`,
			`article-pipeline:backup.schedule: "cron(0 ? 1 * ? *)" has ? in the hours field; expected ? only in ` +
				`day-of-month or day-of-week`},
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
			s := mock.Overlay(t, Defaults("article-pipeline-prod"), tc.value)
			if err := s.Validate("article-pipeline:backup"); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("err = %v\nwant %q", err, tc.wantErr)
			}
		})
	}
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
	for _, tc := range []struct {
		a       Adoption
		wantErr string
	}{
		{Adoption{Schedule: "cron(0 9 1 * ? *)"},
			k + ".planId: is required with schedule, deleteAfterDays or coldStorageAfterDays; they carry the adopted " +
				"plan's values over"},
		{Adoption{PlanID: a.PlanID, Schedule: "cron(0 25 1 * ? *)"},
			k + `.schedule: "cron(0 25 1 * ? *)" has 25 in the hours field, out of range; expected 0..23`},
		{Adoption{PlanID: a.PlanID, DeleteAfterDays: days(60)},
			k + ".deleteAfterDays: 60 is too soon after coldStorageAfterDays 2; expected at least 92 (recovery points " +
				"stay in cold storage at least 90 days)"},
		{Adoption{PlanID: a.PlanID, ColdStorageAfterDays: days(-1)},
			k + ".coldStorageAfterDays: -1 is out of range; expected 0 (no cold storage) to 36500"},
	} {
		if err := tc.a.Validate(k, Defaults("v")); err == nil || err.Error() != tc.wantErr {
			t.Errorf("Validate(%+v) = %v\nwant %s", tc.a, err, tc.wantErr)
		}
	}
}
