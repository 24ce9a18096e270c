package backup

import (
	"regexp"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/internal/awsdata"
	"github.com/np-mrd/article-pipeline-infra/internal/check"
)

// Settings is what a stack file says about AWS Backup (article-pipeline:backup):
// the runbook's "Backups (AWS Backup)". Which resources it selects, the program
// decides (the database and the buckets selected for backup).
type Settings struct {
	Enabled bool `json:"enabled"`
	// VaultName, PlanName and RuleName are physical names (the runbook: "clear",
	// "informative" names).
	VaultName string `json:"vaultName"`
	PlanName  string `json:"planName"`
	RuleName  string `json:"ruleName"`
	// Schedule is an AWS Backup cron expression, in UTC. Empty: monthly on the
	// 1st, at a time clear of the database's windows (the stack's config derives
	// it with ClearSchedule), or RunbookSchedule without a database.
	Schedule string `json:"schedule"`
	// StartWindowMinutes and CompletionWindowMinutes bound each backup job.
	StartWindowMinutes      int `json:"startWindowMinutes"`
	CompletionWindowMinutes int `json:"completionWindowMinutes"`
	// ColdStorageAfterDays moves recovery points to cold storage; 0 keeps them warm.
	ColdStorageAfterDays int `json:"coldStorageAfterDays"`
	// DeleteAfterDays deletes recovery points (at least ColdStorageAfterDays+90
	// when cold storage is on).
	DeleteAfterDays int `json:"deleteAfterDays"`
	// CopyToRegion, when set, copies each recovery point to a vault of the same
	// name in that region, with the same lifecycle.
	CopyToRegion string `json:"copyToRegion"`
	// VaultLock locks the (primary) vault; nil for no lock.
	VaultLock *VaultLock `json:"vaultLock"`
}

// Adoption names the console-made vault and plan to import instead of create
// (article-pipeline:adopt.backup).
type Adoption struct {
	// VaultName is the vault's import ID; it must equal Settings.VaultName (a
	// different name would replace the vault).
	VaultName string `json:"vaultName"`
	// PlanID is the plan's import ID (a UUID; aws backup list-backup-plans).
	PlanID string `json:"planId"`
	// Schedule, DeleteAfterDays and ColdStorageAfterDays carry the live plan's
	// rule over (aws backup get-backup-plan), so the import changes neither
	// when backups run nor how long they are kept; set, they replace the
	// backup settings' values.
	Schedule             string `json:"schedule"`
	DeleteAfterDays      *int   `json:"deleteAfterDays"`
	ColdStorageAfterDays *int   `json:"coldStorageAfterDays"`
}

// RuleSchedule is the schedule the plan's rule runs on: Schedule, or
// RunbookSchedule when none was derived (a plan built without the stack's config).
func (s Settings) RuleSchedule() string {
	if s.Schedule == "" {
		return RunbookSchedule
	}
	return s.Schedule
}

// Apply returns s with the live plan's values the adoption carries over.
func (a Adoption) Apply(s Settings) Settings {
	if a.Schedule != "" {
		s.Schedule = a.Schedule
	}
	if a.DeleteAfterDays != nil {
		s.DeleteAfterDays = *a.DeleteAfterDays
	}
	if a.ColdStorageAfterDays != nil {
		s.ColdStorageAfterDays = *a.ColdStorageAfterDays
	}
	return s
}

// Validate checks the IDs against the settings they adopt.
func (a Adoption) Validate(k string, s Settings) error {
	var p check.Problems
	if a.VaultName != "" && a.VaultName != s.VaultName {
		p.Add(k+".vaultName", "%q differs from the vault name %q; set the vault name to the existing vault's, "+
			"or a new vault would replace it", a.VaultName, s.VaultName)
	}
	if a.PlanID != "" && !planIDPattern.MatchString(a.PlanID) {
		p.Add(k+".planId", "%q is not a backup plan ID (a UUID such as 01234567-89ab-cdef-0123-456789abcdef; "+
			"aws backup list-backup-plans shows it)", a.PlanID)
	}
	if (a.Schedule != "" || a.DeleteAfterDays != nil || a.ColdStorageAfterDays != nil) && a.PlanID == "" {
		p.Add(k+".planId", "is required with schedule, deleteAfterDays or coldStorageAfterDays; they carry the "+
			"adopted plan's values over")
	}
	if a.Schedule != "" {
		if msg := checkSchedule(a.Schedule); msg != "" {
			p.Add(k+".schedule", "%q %s", a.Schedule, msg)
		}
	}
	eff := a.Apply(s)
	if a.ColdStorageAfterDays != nil && (eff.ColdStorageAfterDays < 0 || eff.ColdStorageAfterDays > maxRetentionDays) {
		p.Add(k+".coldStorageAfterDays", "%d is out of range; expected 0 (no cold storage) to %d",
			eff.ColdStorageAfterDays, maxRetentionDays)
	}
	if a.DeleteAfterDays != nil || a.ColdStorageAfterDays != nil {
		switch dk := k + ".deleteAfterDays"; {
		case eff.DeleteAfterDays < 1 || eff.DeleteAfterDays > maxRetentionDays:
			p.Add(dk, "%d is out of range; expected 1..%d", eff.DeleteAfterDays, maxRetentionDays)
		case eff.ColdStorageAfterDays > 0 && eff.DeleteAfterDays < eff.ColdStorageAfterDays+coldStorageMinimumDays:
			p.Add(dk, "%d is too soon after coldStorageAfterDays %d; expected at least %d (recovery points stay in "+
				"cold storage at least %d days)", eff.DeleteAfterDays, eff.ColdStorageAfterDays,
				eff.ColdStorageAfterDays+coldStorageMinimumDays, coldStorageMinimumDays)
		}
	}
	return p.Err()
}

// VaultLock locks the vault: recovery points cannot be deleted before
// MinRetentionDays or kept beyond MaxRetentionDays. ChangeableForDays 0 is
// governance mode (privileged users can remove the lock); 3 or more is
// compliance mode, which becomes immutable after that many days.
type VaultLock struct {
	MinRetentionDays  int `json:"minRetentionDays"`
	MaxRetentionDays  int `json:"maxRetentionDays"`
	ChangeableForDays int `json:"changeableForDays"`
}

// SetDefaults is a lock that allows any retention, in governance mode.
func (l *VaultLock) SetDefaults() {
	*l = VaultLock{MinRetentionDays: 1, MaxRetentionDays: maxRetentionDays}
}

// RunbookSchedule is the monthly schedule of a plan with no database to keep
// clear of: 09:00 UTC on the 1st (01:00 or 02:00 in us-west-2, "the middle of
// the night").
const RunbookSchedule = "cron(0 9 1 * ? *)"

// Defaults is the runbook's plan, named name: off until a stack turns it on; a
// monthly backup in the middle of the night (Schedule empty: derived from the
// database's windows), the console's default windows (start within 8 hours,
// complete within 7 days), cold storage after 2 days (which AWS Backup ignores
// for RDS and S3), deleted after 180 days.
func Defaults(name string) Settings {
	return Settings{
		VaultName: name,
		PlanName:  name,
		RuleName:  "monthly",

		StartWindowMinutes:      480,
		CompletionWindowMinutes: 10080,
		ColdStorageAfterDays:    2,
		DeleteAfterDays:         180,
	}
}

var (
	// AWS Backup's name patterns (CreateBackupVault, BackupRuleInput).
	vaultNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{2,50}$`)
	planNamePattern  = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,50}$`)
	cronPattern      = regexp.MustCompile(`^cron\((.*)\)$`)
	cronFieldPattern = regexp.MustCompile(`^[0-9A-Za-z*?,/#-]+$`)
	planIDPattern    = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

const (
	// maxWindowMinutes and maxRetentionDays are AWS Backup's 100-year limits.
	maxWindowMinutes = 52_560_000
	maxRetentionDays = 36_500
	// coldStorageMinimumDays: AWS keeps a recovery point in cold storage at
	// least 90 days, so deletion must come at least that long after the move.
	coldStorageMinimumDays = 90
)

// Validate checks names, schedule, windows, retention and the vault lock
// against what AWS Backup accepts.
func (s Settings) Validate(k string) error {
	var p check.Problems
	if !vaultNamePattern.MatchString(s.VaultName) {
		p.Add(k+".vaultName", "%q is not a backup vault name; expected 2 to 50 letters, digits, - and _", s.VaultName)
	}
	if !planNamePattern.MatchString(s.PlanName) {
		p.Add(k+".planName", "%q is not a backup plan name; expected 1 to 50 letters, digits, - _ and .", s.PlanName)
	}
	if !planNamePattern.MatchString(s.RuleName) {
		p.Add(k+".ruleName", "%q is not a backup rule name; expected 1 to 50 letters, digits, - _ and .", s.RuleName)
	}
	if msg := checkSchedule(s.Schedule); s.Schedule != "" && msg != "" {
		p.Add(k+".schedule", "%q %s", s.Schedule, msg)
	}
	if s.StartWindowMinutes < 60 || s.StartWindowMinutes > maxWindowMinutes {
		p.Add(k+".startWindowMinutes", "%d is out of range; expected 60..%d (AWS Backup needs at least an hour)",
			s.StartWindowMinutes, maxWindowMinutes)
	}
	if s.CompletionWindowMinutes <= s.StartWindowMinutes || s.CompletionWindowMinutes > maxWindowMinutes {
		p.Add(k+".completionWindowMinutes", "%d is out of range; expected more than startWindowMinutes (%d) and at "+
			"most %d", s.CompletionWindowMinutes, s.StartWindowMinutes, maxWindowMinutes)
	}
	if s.ColdStorageAfterDays < 0 || s.ColdStorageAfterDays > maxRetentionDays {
		p.Add(k+".coldStorageAfterDays", "%d is out of range; expected 0 (no cold storage) to %d",
			s.ColdStorageAfterDays, maxRetentionDays)
	}
	switch {
	case s.DeleteAfterDays < 1 || s.DeleteAfterDays > maxRetentionDays:
		p.Add(k+".deleteAfterDays", "%d is out of range; expected 1..%d", s.DeleteAfterDays, maxRetentionDays)
	case s.ColdStorageAfterDays > 0 && s.DeleteAfterDays < s.ColdStorageAfterDays+coldStorageMinimumDays:
		p.Add(k+".deleteAfterDays", "%d is too soon; recovery points stay in cold storage at least %d days, so "+
			"expected at least coldStorageAfterDays + %d = %d", s.DeleteAfterDays, coldStorageMinimumDays,
			coldStorageMinimumDays, s.ColdStorageAfterDays+coldStorageMinimumDays)
	}
	switch {
	case s.CopyToRegion == "":
	case !check.RegionPattern.MatchString(s.CopyToRegion):
		p.Add(k+".copyToRegion", "%q is not an AWS region name such as us-east-2", s.CopyToRegion)
	case !awsdata.IsRegion(s.CopyToRegion):
		p.Add(k+".copyToRegion", "%q is not an AWS region; expected one of %s (AWS's regions on %s)", s.CopyToRegion,
			strings.Join(awsdata.Regions, ", "), awsdata.Taken)
	}
	if l := s.VaultLock; l != nil {
		lk := k + ".vaultLock"
		if l.MinRetentionDays < 1 || l.MinRetentionDays > maxRetentionDays {
			p.Add(lk+".minRetentionDays", "%d is out of range; expected 1..%d", l.MinRetentionDays, maxRetentionDays)
		}
		if l.MaxRetentionDays < l.MinRetentionDays || l.MaxRetentionDays > maxRetentionDays {
			p.Add(lk+".maxRetentionDays", "%d is out of range; expected minRetentionDays (%d)..%d",
				l.MaxRetentionDays, l.MinRetentionDays, maxRetentionDays)
		}
		if l.ChangeableForDays != 0 && l.ChangeableForDays < 3 {
			p.Add(lk+".changeableForDays", "%d is too short; expected 0 (governance mode) or at least 3 days "+
				"before the lock becomes immutable (compliance mode)", l.ChangeableForDays)
		}
		// A locked vault refuses recovery points whose retention is outside its range.
		if s.DeleteAfterDays < l.MinRetentionDays || s.DeleteAfterDays > l.MaxRetentionDays {
			p.Add(k+".deleteAfterDays", "%d is outside the vault lock's retention range %d..%d (%s)",
				s.DeleteAfterDays, l.MinRetentionDays, l.MaxRetentionDays, lk)
		}
	}
	return p.Err()
}

// checkSchedule returns what is wrong with an AWS Backup schedule, or "".
// AWS Backup takes cron expressions only (six fields, in UTC), at most hourly;
// every field's values must be in its range.
func checkSchedule(s string) string {
	_, msg := parseCron(s)
	return msg
}
