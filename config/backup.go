package config

import (
	"github.com/np-mrd/article-pipeline-infra/backup"
	"github.com/np-mrd/article-pipeline-infra/internal/check"
)

// parseBackup reads article-pipeline:backup over the runbook's plan named
// article-pipeline-<env>, in region (aws:region).
func parseBackup(value, env, region string, p *check.Problems) backup.Settings {
	k := key("backup")
	b := backup.Defaults("article-pipeline-" + env)
	if !decodeOver(p, k, value, &b) {
		return b
	}
	p.Join(b.Validate(k))
	if b.CopyToRegion != "" && b.CopyToRegion == region {
		p.Add(k+".copyToRegion", "%q is the stack's own region (aws:region); a copy must go to another region",
			b.CopyToRegion)
	}
	return b
}
