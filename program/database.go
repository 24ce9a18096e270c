package program

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/config"
	"github.com/np-mrd/article-pipeline-infra/database"
)

// declareDatabase declares the RDS instance and the application database in the
// private subnets. It returns nil when the stack has no database.
func declareDatabase(ctx *pulumi.Context, s *config.Settings, net *networkRefs, ignoreEngineVersion bool,
	provider *aws.Provider) (*database.Postgres, error) {
	d := s.Database
	if !d.Enabled {
		return nil, nil
	}
	var masterPassword pulumi.StringInput
	if s.DatabaseMasterPassword != "" {
		// An adopted instance keeps the password its clients already use.
		masterPassword = pulumi.ToSecret(pulumi.String(s.DatabaseMasterPassword)).(pulumi.StringOutput)
	}
	return database.NewPostgres(ctx, "database", &database.Args{
		Settings:       d,
		VpcID:          net.vpcID,
		SubnetIDs:      net.privateSubnetIDs,
		MasterPassword: masterPassword,
		Protect:        s.Protect,
		Adopt:          s.Adopt.Database,
		Keep:           s.Adopt.Keep,
		// A difference the settings do not ask for (a minor RDS applied, the
		// full version an import reads) is left alone (Settings.EnginePlan).
		IgnoreEngineVersion: ignoreEngineVersion,
	}, pulumi.Provider(provider))
}
