package program

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/bastion"
	"github.com/np-mrd/article-pipeline-infra/config"
	"github.com/np-mrd/article-pipeline-infra/database"
)

// declareBastion declares the SSM-managed bastion (replacing the runbook's
// OpenVPN instance with SSH open to the world) and grants it the database
// port. It returns nil when the bastion is off.
func declareBastion(ctx *pulumi.Context, s *config.Settings, net *networkRefs, db *database.Postgres,
	provider *aws.Provider) (*bastion.Bastion, error) {
	if !s.Bastion.Enabled || db == nil {
		return nil, nil
	}
	b, err := bastion.NewBastion(ctx, "bastion", &bastion.Args{
		VpcID:                   net.vpcID,
		SubnetID:                net.publicSubnetIDs.Index(pulumi.Int(0)),
		Settings:                s.Bastion,
		DatabaseSecurityGroupID: db.SecurityGroupID.ToStringOutput(),
		DatabaseAddress:         db.Address,
		DatabasePort:            s.Database.Port,
		NameTag:                 namePrefix(s) + "-bastion",
	}, pulumi.Provider(provider))
	if err != nil {
		return nil, err
	}
	return b, db.AllowFrom(ctx, "bastion", b.SecurityGroupID.ToStringOutput())
}
