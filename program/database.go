package program

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/bastion"
	"github.com/np-mrd/article-pipeline-infra/config"
	"github.com/np-mrd/article-pipeline-infra/database"
)

// postgres declares the RDS instance and the application database in the
// private subnets. It returns nil when the stack has no database.
func postgres(ctx *pulumi.Context, s *config.Settings, net *networkRefs, provider *aws.Provider) (*database.Postgres, error) {
	d := s.Database
	if !d.Enabled {
		return nil, nil
	}
	var masterPassword pulumi.StringInput
	if s.DatabaseMasterPassword != "" {
		// An adopted instance keeps the password its clients already use.
		masterPassword = pulumi.ToSecret(pulumi.String(s.DatabaseMasterPassword)).(pulumi.StringOutput)
	}
	args := DatabaseArgs(d, s.Protect, net.vpcID, net.privateSubnetIDs)
	args.MasterPassword = masterPassword
	return database.NewPostgres(ctx, "database", args, pulumi.Provider(provider))
}

// tunnelHost declares the SSM-managed bastion (replacing the runbook's OpenVPN
// instance with SSH open to the world) and grants it the database port. It
// returns nil when the bastion is off.
func tunnelHost(ctx *pulumi.Context, s *config.Settings, net *networkRefs, db *database.Postgres,
	provider *aws.Provider) (*bastion.Bastion, error) {
	if !s.Bastion.Enabled || db == nil {
		return nil, nil
	}
	b, err := bastion.NewBastion(ctx, "bastion", &bastion.Args{
		VpcID:                   net.vpcID,
		SubnetID:                net.publicSubnetIDs.Index(pulumi.Int(0)),
		InstanceType:            s.Bastion.InstanceType,
		DatabaseSecurityGroupID: db.SecurityGroupID.ToStringOutput(),
		DatabaseAddress:         db.Address,
		DatabasePort:            s.Database.Port,
		LocalPort:               s.Bastion.LocalPort,
		NameTag:                 s.Application + "-" + s.Environment + "-bastion",
	}, pulumi.Provider(provider))
	if err != nil {
		return nil, err
	}
	return b, db.AllowFrom(ctx, "bastion", b.SecurityGroupID.ToStringOutput())
}

// DatabaseArgs maps the database settings onto the component's args (the
// component tests use it too, so they test what the program declares).
func DatabaseArgs(d config.Database, protect bool, vpcID pulumi.StringInput,
	subnetIDs pulumi.StringArrayInput) *database.Args {
	return &database.Args{
		VpcID:                            vpcID,
		SubnetIDs:                        subnetIDs,
		AllowedCIDRs:                     d.AllowedCIDRs,
		Identifier:                       d.Identifier,
		EngineVersion:                    d.EngineVersion,
		InstanceClass:                    d.InstanceClass,
		StorageType:                      d.StorageType,
		AllocatedStorage:                 d.AllocatedStorage,
		MaxAllocatedStorage:              d.MaxAllocatedStorage,
		MultiAZ:                          d.MultiAZ,
		Port:                             d.Port,
		MasterUsername:                   d.MasterUsername,
		BackupRetentionDays:              d.BackupRetentionDays,
		BackupWindowStart:                d.BackupWindowStart,
		MaintenanceDay:                   d.MaintenanceDay,
		PerformanceInsights:              d.PerformanceInsights,
		PerformanceInsightsRetentionDays: d.PerformanceInsightsRetentionDays,
		MonitoringInterval:               d.MonitoringInterval,
		LogExports:                       d.LogExports,
		LogRetentionDays:                 d.LogRetentionDays,
		DeletionProtection:               d.DeletionProtection,
		SkipFinalSnapshot:                d.SkipFinalSnapshot,
		FinalSnapshotIdentifier:          d.FinalSnapshotIdentifier,
		DatabaseName:                     d.DatabaseName,
		Bootstrap:                        d.Bootstrap,
		AppUser:                          d.AppUser,
		TunnelHost:                       d.TunnelHost,
		TunnelPort:                       d.TunnelPort,
		ConnectTimeout:                   d.ConnectTimeout,
		Proxy:                            d.Proxy,
		Protect:                          protect,
		InstanceImportID:                 d.InstanceImportID,
		SubnetGroupImportID:              d.SubnetGroupImportID,
	}
}
