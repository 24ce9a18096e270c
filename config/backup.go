package config

import (
	"fmt"

	"github.com/np-mrd/article-pipeline-infra/backup"
	"github.com/np-mrd/article-pipeline-infra/database"
	"github.com/np-mrd/article-pipeline-infra/internal/check"
)

// parseBackup reads article-pipeline:backup over the runbook's plan named
// article-pipeline-<env>, in region (aws:region). Without a schedule in the
// stack file, the plan starts monthly at a time clear of the database's
// windows (AWS Backup does not start an RDS job near them); a configured one
// that is not clear of them is refused.
func parseBackup(value, env, region string, db database.Settings, p *check.Problems) backup.Settings {
	k := key("backup")
	b := backup.Defaults("article-pipeline-" + env)
	if !decodeOver(p, k, value, &b) {
		return b
	}
	busy := databaseBusy(db)
	configured := b.Schedule != ""
	switch {
	case configured:
	case len(busy) > 0:
		b.Schedule = backup.ClearSchedule(busy)
	default:
		b.Schedule = backup.RunbookSchedule
	}
	before := len(*p)
	p.Join(b.Validate(k))
	if b.CopyToRegion != "" && b.CopyToRegion == region {
		p.Add(k+".copyToRegion", "%q is the stack's own region (aws:region); a copy must go to another region",
			b.CopyToRegion)
	}
	if configured && len(*p) == before && b.Enabled {
		checkClear(p, k+".schedule", b.Schedule, busy)
	}
	return b
}

// databaseBusy is the database's windows as AWS Backup avoids them, or none
// when the stack has no database (or its windows are invalid, which the
// database settings report).
func databaseBusy(db database.Settings) []backup.Busy {
	if !db.Enabled {
		return nil
	}
	bFrom, bTo, mFrom, mTo, err := database.WindowBounds(db.BackupWindowStart, db.MaintenanceDay)
	if err != nil {
		return nil
	}
	bw, mw, _ := database.Windows(db.BackupWindowStart, db.MaintenanceDay)
	return []backup.Busy{
		{What: fmt.Sprintf("the automated backup window %s (%s.backupWindowStart)", bw, key("database")),
			From: bFrom, To: bTo},
		{What: fmt.Sprintf("the maintenance window %s (%s.backupWindowStart and maintenanceDay)", mw, key("database")),
			Weekly: true, From: mFrom, To: mTo},
	}
}

// checkClear refuses a schedule at key k that starts within an hour of one of
// the database's windows.
func checkClear(p *check.Problems, k, schedule string, busy []backup.Busy) {
	w, at, ok := backup.Clash(schedule, busy)
	if ok {
		return
	}
	p.Add(k, "%q starts at %s UTC, less than an hour from %s, where AWS Backup does not start an RDS job; "+
		"expected a start at least an hour clear of both database windows, such as %q, or no schedule (derived "+
		"from the windows)", schedule, at, w.What, backup.ClearSchedule(busy))
}
