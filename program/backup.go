package program

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/backup"
	"github.com/np-mrd/article-pipeline-infra/config"
)

// declareBackup declares AWS Backup for the stateful resources (the database and
// the buckets selected for backup), so both are backed up in step (runbook
// "Backups (AWS Backup)"). It returns nil when backup is off or there is nothing to back up.
func declareBackup(ctx *pulumi.Context, s *config.Settings, resources []pulumi.StringInput, tags map[string]string,
	provider *aws.Provider) (*backup.Plan, error) {
	if !s.Backup.Enabled || len(resources) == 0 {
		return nil, nil
	}
	args := &backup.Args{Settings: s.Backup, Resources: resources, Tags: tags, Protect: s.Protect,
		Adopt: s.Adopt.Backup, Keep: s.Adopt.Keep}
	return backup.NewPlan(ctx, "backup", args, pulumi.Provider(provider))
}
