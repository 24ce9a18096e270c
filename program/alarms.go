package program

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/alarms"
	"github.com/np-mrd/article-pipeline-infra/backup"
	"github.com/np-mrd/article-pipeline-infra/config"
	"github.com/np-mrd/article-pipeline-infra/database"
)

// declareAlarms declares the alarm topic and the alarms on what this stack
// has: the database, the load balancer and each service, and the backup
// vault's jobs. It returns nil when the alarms are off or there is nothing to
// watch.
func declareAlarms(ctx *pulumi.Context, s *config.Settings, db *database.Postgres, web *webRefs, vault *backup.Plan,
	provider *aws.Provider) (*alarms.Alarms, error) {
	if !s.Alarms.Enabled || (db == nil && web == nil && vault == nil) {
		return nil, nil
	}
	args := &alarms.Args{Settings: s.Alarms, NamePrefix: namePrefix(s)}
	if s.AlarmHTTPSEndpoint != "" {
		args.HTTPSEndpoint = pulumi.ToSecret(pulumi.String(s.AlarmHTTPSEndpoint)).(pulumi.StringOutput)
	}
	if db != nil {
		args.DatabaseInstance = &alarms.Database{Identifier: db.Identifier,
			AllocatedStorageGiB: s.Database.AllocatedStorage}
	}
	if web != nil {
		// A shared load balancer is the owning stack's to watch (its alarms
		// see every host it serves).
		if !s.Platform.SharedLoadBalancer {
			args.LoadBalancerARNSuffix = web.platform.LoadBalancerARNSuffix
		}
		for _, name := range s.Services.Names() {
			ws := web.services[name]
			expected := s.Services[name].MinimumTasks()
			if s.Platform.WorkingHours.Enabled {
				// Scaled to zero every night and weekend: a missing task cannot
				// be told from a scheduled stop, so the count does not page.
				expected = 0
			}
			args.ECSServices = append(args.ECSServices, alarms.Service{
				Name:                 name,
				ClusterName:          web.platform.ClusterName,
				ServiceName:          ws.ServiceName,
				ExpectedTasks:        expected,
				TargetGroupARNSuffix: ws.TargetGroupARNSuffix,
			})
		}
	}
	if vault != nil {
		args.Backup = &alarms.Backup{VaultName: vault.VaultName, VaultARN: vault.VaultARN,
			Copies: s.Backup.CopyToRegion != ""}
	}
	return alarms.NewAlarms(ctx, "alarms", args, pulumi.Provider(provider))
}
