// Package program is the whole article-pipeline infrastructure as one function:
// it loads the stack's settings, declares each component in dependency order,
// wires one component's outputs into the next one's args and exports the stack
// outputs. `pulumi up`, the unit tests and the offline synth all run Run.
package program

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/config"
)

// Outputs are the stack outputs, typed, so tests and the synth can read them.
type Outputs struct {
	Environment      pulumi.StringOutput
	VpcID            pulumi.StringOutput
	VpcCIDR          pulumi.StringOutput
	PublicSubnetIDs  pulumi.StringArrayOutput
	PrivateSubnetIDs pulumi.StringArrayOutput
	// BucketNames and BucketARNs are keyed by role; BucketEnv maps the
	// application's environment variable to the bucket name.
	BucketNames pulumi.StringMapOutput
	BucketARNs  pulumi.StringMapOutput
	BucketEnv   pulumi.StringMapOutput
	// ParameterNames and ParameterARNs are keyed by NAME (DATABASE_URL, ...).
	ParameterNames pulumi.StringMapOutput
	ParameterARNs  pulumi.StringMapOutput
	BackupVaultARN pulumi.StringOutput
	BackupPlanARN  pulumi.StringOutput
	// BackupRoleARN is the role restore jobs pass (--iam-role-arn).
	BackupRoleARN pulumi.StringOutput
	// DatabaseURL is postgresql://USER:PASSWORD@HOST:5432/DB: a secret.
	DatabaseURL             pulumi.StringOutput
	DatabaseAddress         pulumi.StringOutput
	DatabaseIdentifier      pulumi.StringOutput
	DatabaseName            pulumi.StringOutput
	DatabaseSecurityGroupID pulumi.StringOutput
	BastionInstanceID       pulumi.StringOutput
	// TunnelCommand opens a local port forward to the database through the bastion.
	TunnelCommand       pulumi.StringOutput
	LoadBalancerDNSName pulumi.StringOutput
	// HTTPSListenerARN, LoadBalancerSecurityGroupID and LoadBalancerZoneID are
	// exported by a stack that owns its load balancer (with a domain, for the
	// listener): what a stack with platform.sharedLoadBalancer reads.
	HTTPSListenerARN            pulumi.StringOutput
	LoadBalancerSecurityGroupID pulumi.StringOutput
	LoadBalancerZoneID          pulumi.StringOutput
	ClusterName                 pulumi.StringOutput
	BaseURL                     pulumi.StringOutput
	// ServiceURLs is exported as <service>Url each (development reads prod's
	// nertoolUrl and mltoolUrl); RepositoryURLs and TaskSecurityGroupIDs by service.
	ServiceURLs          map[string]pulumi.StringOutput
	RepositoryURLs       pulumi.StringMapOutput
	TaskSecurityGroupIDs pulumi.StringMapOutput
	// DeployedImageTags is the image tag each service runs, by service: the
	// next update reads it back (see readRunning).
	DeployedImageTags pulumi.StringMapOutput
	// DatabaseEngineVersion is the version the database runs: the next update
	// compares the configured one with it (see readRunning).
	DatabaseEngineVersion pulumi.StringOutput
	// GithubOIDCProviderARN and the role ARNs are what the workflows assume.
	GithubOIDCProviderARN pulumi.StringOutput
	PreviewRoleARN        pulumi.StringOutput
	DeployRoleARN         pulumi.StringOutput
	// AlarmTopicARN is where the alarms notify (subscribe more there);
	// WebACLARN is the load balancer's web ACL; AccessLogsBucket keeps its
	// access logs; FlowLogGroupName the VPC's flow log.
	AlarmTopicARN    pulumi.StringOutput
	WebACLARN        pulumi.StringOutput
	AccessLogsBucket pulumi.StringOutput
	FlowLogGroupName pulumi.StringOutput
}

// Map returns the outputs by their exported names; outputs of parts a stack
// does not have are left out.
func (o *Outputs) Map() map[string]pulumi.Output {
	all := map[string]pulumi.Output{
		"environment":             o.Environment,
		"vpcId":                   o.VpcID,
		"vpcCidr":                 o.VpcCIDR,
		"publicSubnetIds":         o.PublicSubnetIDs,
		"privateSubnetIds":        o.PrivateSubnetIDs,
		"bucketNames":             o.BucketNames,
		"bucketArns":              o.BucketARNs,
		"bucketEnv":               o.BucketEnv,
		"parameterNames":          o.ParameterNames,
		"parameterArns":           o.ParameterARNs,
		"backupVaultArn":          o.BackupVaultARN,
		"backupPlanArn":           o.BackupPlanARN,
		"backupRoleArn":           o.BackupRoleARN,
		"githubOidcProviderArn":   o.GithubOIDCProviderARN,
		"previewRoleArn":          o.PreviewRoleARN,
		"deployRoleArn":           o.DeployRoleARN,
		"databaseUrl":             o.DatabaseURL,
		"databaseAddress":         o.DatabaseAddress,
		"databaseIdentifier":      o.DatabaseIdentifier,
		"databaseName":            o.DatabaseName,
		"databaseSecurityGroupId": o.DatabaseSecurityGroupID,
		"databaseEngineVersion":   o.DatabaseEngineVersion,
		"bastionInstanceId":       o.BastionInstanceID,
		"tunnelCommand":           o.TunnelCommand,
		"loadBalancerDnsName":     o.LoadBalancerDNSName,
		HTTPSListenerOutput:       o.HTTPSListenerARN,
		LoadBalancerGroupOutput:   o.LoadBalancerSecurityGroupID,
		LoadBalancerZoneOutput:    o.LoadBalancerZoneID,
		"clusterName":             o.ClusterName,
		"baseUrl":                 o.BaseURL,
		"repositoryUrls":          o.RepositoryURLs,
		"taskSecurityGroupIds":    o.TaskSecurityGroupIDs,
		DeployedImageTagsOutput:   o.DeployedImageTags,
		"alarmTopicArn":           o.AlarmTopicARN,
		"webAclArn":               o.WebACLARN,
		"accessLogsBucket":        o.AccessLogsBucket,
		"flowLogGroupName":        o.FlowLogGroupName,
	}
	for name, url := range o.ServiceURLs {
		all[name+"Url"] = url
	}
	out := map[string]pulumi.Output{}
	for k, v := range all {
		if !isZero(v) {
			out[k] = v
		}
	}
	return out
}

// isZero reports whether an output field was never set.
func isZero(o pulumi.Output) bool {
	switch v := o.(type) {
	case pulumi.StringOutput:
		return v.OutputState == nil
	case pulumi.StringArrayOutput:
		return v.OutputState == nil
	case pulumi.StringMapOutput:
		return v.OutputState == nil
	}
	return o == nil
}

// Run declares the stack and exports its outputs.
func Run(ctx *pulumi.Context) (*Outputs, error) {
	s, err := config.Load(ctx) // every key read and checked; nothing declared yet
	if err != nil {
		return nil, err
	}
	if err := checkAdoption(s); err != nil {
		return nil, err
	}

	// What the stack runs now decides what this update changes: a service keeps
	// its deployed image unless the settings name another one, and the database
	// keeps the engine version it runs unless the settings move it on purpose.
	// It is read before anything is declared, so no other step of this update
	// writes the state while the reference reads it.
	var deployedTags map[string]string
	now := running{images: map[string]string{}}
	if len(s.Services) > 0 || s.Database.Enabled {
		if now, err = readRunning(ctx, s.Self); err != nil {
			return nil, err
		}
		deployedTags = resolveImages(s, now)
	}
	ignoreEngine := true
	if s.Database.Enabled {
		if ignoreEngine, err = s.Database.EnginePlan(config.Namespace+":database", now.engineVersion); err != nil {
			return nil, err
		}
	}

	// One explicit AWS provider carries the region and the tags every taggable
	// resource gets (static, so previews show no tag noise).
	tags := map[string]string{"app": s.Application, "environment": s.Environment, "managed-by": "pulumi"}
	provider, err := aws.NewProvider(ctx, "aws", &aws.ProviderArgs{
		Region:      pulumi.String(s.Region),
		DefaultTags: &aws.ProviderDefaultTagsArgs{Tags: pulumi.ToStringMap(tags)},
	})
	if err != nil {
		return nil, err
	}

	var shared *pulumi.StackReference
	if s.SharedStack != "" {
		shared, err = pulumi.NewStackReference(ctx, s.SharedStack, nil)
		if err != nil {
			return nil, fmt.Errorf("stack reference %s: %w", s.SharedStack, err)
		}
		if err := checkSharedURLs(s, shared); err != nil {
			return nil, err
		}
	}

	net, err := declareVPC(ctx, s, shared, provider)
	if err != nil {
		return nil, err
	}

	store, err := declareStorage(ctx, s, shared, provider)
	if err != nil {
		return nil, err
	}

	db, err := declareDatabase(ctx, s, net, ignoreEngine, provider)
	if err != nil {
		return nil, err
	}
	tunnel, err := declareBastion(ctx, s, net, db, provider)
	if err != nil {
		return nil, err
	}

	generated := map[string]pulumi.StringOutput{}
	if db != nil {
		generated["DATABASE_URL"] = db.DatabaseURL
	}
	params, err := declareParameters(ctx, s, generated, provider)
	if err != nil {
		return nil, err
	}

	var access *databaseAccess
	if db != nil {
		access = &databaseAccess{port: s.Database.Port, securityGroupID: db.SecurityGroupID.ToStringOutput(),
			allow: func(source string, sg pulumi.StringInput) error { return db.AllowFrom(ctx, source, sg) }}
	}
	web, err := declareServices(ctx, s, net, store, params, shared, access, now, provider)
	if err != nil {
		return nil, err
	}
	firewall, err := declareWAF(ctx, s, web, provider)
	if err != nil {
		return nil, err
	}

	// The database and the backed-up buckets in one selection, so their
	// recovery points are taken together (runbook: "in sync with one another").
	var backedUp []pulumi.StringInput
	if db != nil {
		backedUp = append(backedUp, db.InstanceARN)
	}
	for _, arn := range store.backedUp {
		backedUp = append(backedUp, arn)
	}
	vault, err := declareBackup(ctx, s, backedUp, tags, provider)
	if err != nil {
		return nil, err
	}

	// Everything above that can be unwell, watched; one topic per stack.
	watcher, err := declareAlarms(ctx, s, db, web, vault, provider)
	if err != nil {
		return nil, err
	}

	github, err := declareDelivery(ctx, s, shared, tags, provider)
	if err != nil {
		return nil, err
	}

	out := &Outputs{
		Environment: pulumi.String(s.Environment).ToStringOutput(),
		BucketNames: stringMap(store.names),
		BucketARNs:  stringMap(store.arns),
		BucketEnv:   stringMap(store.envVars),
	}
	if db != nil {
		out.DatabaseURL = pulumi.ToSecret(db.DatabaseURL).(pulumi.StringOutput)
		out.DatabaseAddress, out.DatabaseIdentifier = db.Address, db.Identifier
		out.DatabaseName, out.DatabaseSecurityGroupID = db.DatabaseName, db.SecurityGroupID.ToStringOutput()
		out.DatabaseEngineVersion = db.EngineVersion
	}
	if tunnel != nil {
		out.BastionInstanceID, out.TunnelCommand = tunnel.InstanceID.ToStringOutput(), tunnel.TunnelCommand
	}
	if web != nil {
		out.DeployedImageTags = exportedTags(deployedTags)
		out.LoadBalancerDNSName, out.ClusterName = web.platform.LoadBalancerDNSName, web.platform.ClusterName
		out.BaseURL = web.platform.BaseURL
		if !s.Platform.SharedLoadBalancer {
			out.LoadBalancerSecurityGroupID = web.platform.LoadBalancerSecurityGroupID.ToStringOutput()
			out.LoadBalancerZoneID = web.platform.LoadBalancerZoneID
			if s.Domain.Enabled() {
				out.HTTPSListenerARN = web.platform.ListenerARN
			}
		}
		out.ServiceURLs, out.RepositoryURLs = web.urls, stringMap(web.repositories)
		out.TaskSecurityGroupIDs = stringMap(web.taskSecurityGroups)
	}
	if params != nil {
		out.ParameterNames, out.ParameterARNs = params.Names, params.ARNs
	}
	if vault != nil {
		out.BackupVaultARN, out.BackupPlanARN, out.BackupRoleARN = vault.VaultARN, vault.PlanARN, vault.RoleARN
	}
	if watcher != nil {
		out.AlarmTopicARN = watcher.TopicARN
	}
	if firewall != nil {
		out.WebACLARN = firewall.ARN
	}
	if web != nil && web.accessLogs != nil {
		out.AccessLogsBucket = web.accessLogs.BucketName
	}
	if github != nil {
		out.GithubOIDCProviderARN = github.ProviderARN
		out.PreviewRoleARN, out.DeployRoleARN = github.PreviewRoleARN, github.DeployRoleARN
	}
	if net != nil {
		out.VpcID, out.VpcCIDR = net.vpcID, net.vpcCIDR
		out.PublicSubnetIDs, out.PrivateSubnetIDs = net.publicSubnetIDs, net.privateSubnetIDs
		out.FlowLogGroupName = net.flowLogGroupName
	}
	for k, v := range out.Map() {
		ctx.Export(k, v)
	}
	return out, nil
}

// namePrefix starts the physical names people read in notifications and
// logs: <application>-<environment>.
func namePrefix(s *config.Settings) string { return s.Application + "-" + s.Environment }
