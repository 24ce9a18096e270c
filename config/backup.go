package config

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/internal/check"
)

// Backup is the AWS Backup plan for the database and the buckets selected for
// backup (the runbook's "Backups (AWS Backup)"). Which resources it selects is
// decided by the program, not here.
type Backup struct {
	Enabled bool
	// VaultName, PlanName and RuleName are physical names (the runbook: "clear",
	// "informative" names).
	VaultName string
	PlanName  string
	RuleName  string
	// Schedule is an AWS Backup cron expression, in UTC.
	Schedule string
	// StartWindowMinutes and CompletionWindowMinutes are the console defaults the
	// runbook keeps: start within 8 hours, complete within 7 days.
	StartWindowMinutes      int
	CompletionWindowMinutes int
	// ColdStorageAfterDays is 0 for no cold storage.
	ColdStorageAfterDays int
	DeleteAfterDays      int
	// CopyToRegion is empty for no cross-region copy.
	CopyToRegion string
	// VaultLock is nil for no vault lock.
	VaultLock *BackupVaultLock
	// VaultImportID (the vault name) and PlanImportID (the plan ID) adopt the
	// console-made vault and plan.
	VaultImportID string
	PlanImportID  string
}

// BackupVaultLock is an AWS Backup Vault Lock. With ChangeableForDays 0 it is in
// governance mode (privileged users can remove it); otherwise it turns into
// compliance mode, immutable, that many days after it is set.
type BackupVaultLock struct {
	MinRetentionDays  int
	MaxRetentionDays  int
	ChangeableForDays int
}

// DefaultBackup is the runbook's plan: on in prod only, a monthly backup in the
// middle of the night (09:00 UTC on the 1st: 01:00 or 02:00 in us-west-2), the
// console's default windows, cold storage after 2 days, deleted after 180 days.
func DefaultBackup(env string) Backup {
	return Backup{
		Enabled:                 env == "prod",
		VaultName:               "article-pipeline-" + env,
		PlanName:                "article-pipeline-" + env,
		RuleName:                "monthly",
		Schedule:                "cron(0 9 1 * ? *)",
		StartWindowMinutes:      480,
		CompletionWindowMinutes: 10080,
		ColdStorageAfterDays:    2,
		DeleteAfterDays:         180,
	}
}

type rawBackup struct {
	Enabled                 *bool         `json:"enabled"`
	VaultName               *string       `json:"vaultName"`
	PlanName                *string       `json:"planName"`
	RuleName                *string       `json:"ruleName"`
	Schedule                *string       `json:"schedule"`
	StartWindowMinutes      *int          `json:"startWindowMinutes"`
	CompletionWindowMinutes *int          `json:"completionWindowMinutes"`
	ColdStorageAfterDays    *int          `json:"coldStorageAfterDays"`
	DeleteAfterDays         *int          `json:"deleteAfterDays"`
	CopyToRegion            *string       `json:"copyToRegion"`
	VaultLock               *rawVaultLock `json:"vaultLock"`
	VaultImportID           *string       `json:"vaultImportId"`
	PlanImportID            *string       `json:"planImportId"`
}

type rawVaultLock struct {
	MinRetentionDays  *int `json:"minRetentionDays"`
	MaxRetentionDays  *int `json:"maxRetentionDays"`
	ChangeableForDays *int `json:"changeableForDays"`
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
	// coldStorageMinimumDays: a recovery point must stay in cold storage 90 days.
	coldStorageMinimumDays = 90
)

// parseBackup reads article-pipeline:backup for environment env in region (the
// stack's aws:region).
func parseBackup(value, env, region string, p *check.Problems) Backup {
	k := key("backup")
	b := DefaultBackup(env)
	var r rawBackup
	if !decode(k, value, &r, p) && strings.TrimSpace(value) != "" {
		return b
	}
	setIfGiven(&b.Enabled, r.Enabled)
	setIfGiven(&b.VaultName, r.VaultName)
	setIfGiven(&b.PlanName, r.PlanName)
	setIfGiven(&b.RuleName, r.RuleName)
	setIfGiven(&b.Schedule, r.Schedule)
	setIfGiven(&b.StartWindowMinutes, r.StartWindowMinutes)
	setIfGiven(&b.CompletionWindowMinutes, r.CompletionWindowMinutes)
	setIfGiven(&b.ColdStorageAfterDays, r.ColdStorageAfterDays)
	setIfGiven(&b.DeleteAfterDays, r.DeleteAfterDays)
	setIfGiven(&b.CopyToRegion, r.CopyToRegion)
	setIfGiven(&b.VaultImportID, r.VaultImportID)
	setIfGiven(&b.PlanImportID, r.PlanImportID)
	if r.VaultLock != nil {
		l := &BackupVaultLock{MinRetentionDays: 1, MaxRetentionDays: maxRetentionDays}
		setIfGiven(&l.MinRetentionDays, r.VaultLock.MinRetentionDays)
		setIfGiven(&l.MaxRetentionDays, r.VaultLock.MaxRetentionDays)
		setIfGiven(&l.ChangeableForDays, r.VaultLock.ChangeableForDays)
		b.VaultLock = l
	}
	validateBackup(b, region, p)
	return b
}

func validateBackup(b Backup, region string, p *check.Problems) {
	k := key("backup")
	if !vaultNamePattern.MatchString(b.VaultName) {
		p.Add(k+".vaultName", "%q is not a backup vault name; expected 2 to 50 letters, digits, - and _", b.VaultName)
	}
	if !planNamePattern.MatchString(b.PlanName) {
		p.Add(k+".planName", "%q is not a backup plan name; expected 1 to 50 letters, digits, - _ and .", b.PlanName)
	}
	if !planNamePattern.MatchString(b.RuleName) {
		p.Add(k+".ruleName", "%q is not a backup rule name; expected 1 to 50 letters, digits, - _ and .", b.RuleName)
	}
	if msg := checkBackupSchedule(b.Schedule); msg != "" {
		p.Add(k+".schedule", "%q %s", b.Schedule, msg)
	}
	if b.StartWindowMinutes < 60 || b.StartWindowMinutes > maxWindowMinutes {
		p.Add(k+".startWindowMinutes", "%d is out of range; expected 60..%d (AWS Backup needs at least an hour)",
			b.StartWindowMinutes, maxWindowMinutes)
	}
	if b.CompletionWindowMinutes <= b.StartWindowMinutes || b.CompletionWindowMinutes > maxWindowMinutes {
		p.Add(k+".completionWindowMinutes", "%d is out of range; expected more than startWindowMinutes (%d) and at "+
			"most %d", b.CompletionWindowMinutes, b.StartWindowMinutes, maxWindowMinutes)
	}
	if b.ColdStorageAfterDays < 0 || b.ColdStorageAfterDays > maxRetentionDays {
		p.Add(k+".coldStorageAfterDays", "%d is out of range; expected 0 (no cold storage) to %d",
			b.ColdStorageAfterDays, maxRetentionDays)
	}
	switch {
	case b.DeleteAfterDays < 1 || b.DeleteAfterDays > maxRetentionDays:
		p.Add(k+".deleteAfterDays", "%d is out of range; expected 1..%d", b.DeleteAfterDays, maxRetentionDays)
	case b.ColdStorageAfterDays > 0 && b.DeleteAfterDays < b.ColdStorageAfterDays+coldStorageMinimumDays:
		p.Add(k+".deleteAfterDays", "%d is too soon; recovery points stay in cold storage at least %d days, so "+
			"expected at least coldStorageAfterDays + %d = %d", b.DeleteAfterDays, coldStorageMinimumDays,
			coldStorageMinimumDays, b.ColdStorageAfterDays+coldStorageMinimumDays)
	}
	if b.CopyToRegion != "" {
		switch {
		case !regionPattern.MatchString(b.CopyToRegion):
			p.Add(k+".copyToRegion", "%q is not an AWS region name such as us-east-2", b.CopyToRegion)
		case b.CopyToRegion == region:
			p.Add(k+".copyToRegion", "%q is the stack's own region (aws:region); a copy must go to another region",
				b.CopyToRegion)
		}
	}
	if l := b.VaultLock; l != nil {
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
		if b.DeleteAfterDays < l.MinRetentionDays || b.DeleteAfterDays > l.MaxRetentionDays {
			p.Add(k+".deleteAfterDays", "%d is outside the vault lock's retention range %d..%d (%s)",
				b.DeleteAfterDays, l.MinRetentionDays, l.MaxRetentionDays, lk)
		}
	}
	if b.VaultImportID != "" && b.VaultImportID != b.VaultName {
		p.Add(k+".vaultImportId", "%q differs from vaultName %q; a vault's import ID is its name, and a "+
			"different name would replace it", b.VaultImportID, b.VaultName)
	}
	if b.PlanImportID != "" && !planIDPattern.MatchString(b.PlanImportID) {
		p.Add(k+".planImportId", "%q is not a backup plan ID (a UUID such as "+
			"01234567-89ab-cdef-0123-456789abcdef; aws backup list-backup-plans shows it)", b.PlanImportID)
	}
}

// checkBackupSchedule returns what is wrong with an AWS Backup schedule, or "".
// AWS Backup takes cron expressions only (six fields, in UTC), at most hourly.
func checkBackupSchedule(s string) string {
	m := cronPattern.FindStringSubmatch(s)
	if m == nil {
		return "is not a schedule; expected a cron expression such as cron(0 9 1 * ? *) (minutes hours " +
			"day-of-month month day-of-week year; AWS Backup does not take rate expressions)"
	}
	fields := strings.Fields(m[1])
	if len(fields) != 6 {
		return "has " + strconv.Itoa(len(fields)) + " fields; expected 6 (minutes hours day-of-month month " +
			"day-of-week year)"
	}
	for _, f := range fields {
		if !cronFieldPattern.MatchString(f) {
			return "has a malformed field " + strconv.Quote(f)
		}
	}
	if n, err := strconv.Atoi(fields[0]); err != nil || n < 0 || n > 59 {
		return "must name one minute (0..59) in its first field; AWS Backup runs at most once an hour"
	}
	if (fields[2] == "?") == (fields[4] == "?") {
		return "must have ? in exactly one of day-of-month (3rd field) and day-of-week (5th field)"
	}
	return ""
}

// setIfGiven overwrites a default with a value the stack file sets.
func setIfGiven[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
