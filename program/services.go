package program

import (
	"fmt"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/config"
	"github.com/np-mrd/article-pipeline-infra/parameters"
	"github.com/np-mrd/article-pipeline-infra/services"
)

// webRefs are what the services export.
type webRefs struct {
	platform *services.Platform
	// urls, repositories and taskSecurityGroups are keyed by service name.
	urls               map[string]pulumi.StringOutput
	repositories       map[string]pulumi.StringOutput
	taskSecurityGroups map[string]pulumi.StringOutput
}

// databaseAccess is what a service needs to reach the database, and how to grant it.
type databaseAccess struct {
	port            int
	securityGroupID pulumi.StringOutput
	allow           func(source string, sgID pulumi.StringInput) error
}

// webServices declares the cluster and load balancer, then each service in
// dependency order (the runbook deploys the backend before the frontend).
func webServices(ctx *pulumi.Context, s *config.Settings, net *networkRefs, store *bucketRefs,
	params *parameters.Store, shared *pulumi.StackReference, db *databaseAccess,
	provider *aws.Provider) (*webRefs, error) {
	if len(s.Services) == 0 {
		return nil, nil
	}
	if net == nil {
		return nil, fmt.Errorf("%s:services: %d service(s) configured but the stack has no network "+
			"(%s:network.enabled is false and no sharedStack)", config.Namespace, len(s.Services), config.Namespace)
	}
	onAWS := pulumi.Provider(provider)
	pfArgs := &services.PlatformArgs{
		VpcID:              net.vpcID,
		PublicSubnetIDs:    net.publicSubnetIDs,
		ContainerInsights:  s.Platform.ContainerInsights,
		DeletionProtection: s.Platform.LoadBalancerDeletionProtection,
	}
	if s.Platform.PrivateTasks {
		pfArgs.PrivateSubnetIDs = net.privateSubnetIDs
		pfArgs.InterfaceEndpoints = s.Platform.InterfaceEndpoints
	}
	if d := s.Domain; d.Enabled() {
		var hosts []string
		for _, svc := range s.Services.Ordered() {
			for _, h := range svc.Hosts {
				if !slices.Contains(hosts, h) {
					hosts = append(hosts, h)
				}
			}
		}
		slices.Sort(hosts)
		pfArgs.Domain = &services.Domain{Name: d.Name, ZoneID: d.ZoneID, ZoneName: d.ZoneName,
			SSLPolicy: d.SSLPolicy, HostNames: hosts, OverwriteRecords: d.OverwriteRecords,
			SkipAliasRecords: !d.AliasRecords}
	}
	pf, err := services.NewPlatform(ctx, "web", pfArgs, onAWS)
	if err != nil {
		return nil, err
	}

	refs := &webRefs{platform: pf, urls: map[string]pulumi.StringOutput{},
		repositories: map[string]pulumi.StringOutput{}, taskSecurityGroups: map[string]pulumi.StringOutput{}}
	declared := map[string]*services.WebService{}
	for _, svc := range s.Services.Ordered() {
		args := &services.WebServiceArgs{
			ClusterARN:                  pf.ClusterARN,
			ClusterName:                 pf.ClusterName,
			ListenerARN:                 pf.ListenerARN,
			LoadBalancerSecurityGroupID: pf.LoadBalancerSecurityGroupID.ToStringOutput(),
			BaseURL:                     pf.BaseURL,
			VpcID:                       net.vpcID,
			SubnetIDs:                   net.publicSubnetIDs,
			AssignPublicIP:              true,
			// Copilot's names: family <app>-<env>-<svc>. Repositories are per
			// environment here, so two stacks in one account never collide.
			Family:              fmt.Sprintf("%s-%s-%s", s.Application, s.Environment, svc.Name),
			RepositoryName:      fmt.Sprintf("%s/%s/%s", s.Application, s.Environment, svc.Name),
			Image:               svc.Image,
			ImageTag:            svc.ImageTag,
			KeepImages:          svc.KeepImages,
			CPU:                 svc.CPU,
			Memory:              svc.Memory,
			Port:                svc.Port,
			HealthCheck:         services.HealthCheck{Path: svc.HealthCheckPath, Matcher: svc.HealthCheckMatcher, GracePeriodSeconds: svc.HealthCheckGracePeriod},
			DeregistrationDelay: svc.DeregistrationDelay,
			DesiredCount:        svc.DesiredCount,
			Environment:         svc.Environment,
			LinkedEnvironment:   map[string]pulumi.StringInput{},
			Secrets:             map[string]pulumi.StringInput{},
			Buckets:             map[string]services.BucketGrant{},
			Hosts:               svc.Hosts,
			Paths:               svc.Paths,
			Priority:            svc.Priority,
			WritablePaths:       svc.WritablePaths,
			LogRetentionDays:    svc.LogRetentionDays,
			ExecuteCommand:      svc.ExecuteCommand,
			EgressPorts:         svc.EgressPorts,
		}
		if s.Platform.PrivateTasks {
			args.SubnetIDs, args.AssignPublicIP = net.privateSubnetIDs, false
			args.EndpointSecurityGroupID = pf.EndpointSecurityGroupID
		}
		if a := svc.Autoscaling; a != nil {
			args.Autoscaling = &services.Autoscaling{Min: a.Min, Max: a.Max, CPUTarget: a.CPUTarget}
		}
		if svc.DatabaseAccess && db != nil {
			args.DatabasePort, args.DatabaseSecurityGroupID = db.port, db.securityGroupID
		}
		for _, name := range svc.Secrets {
			if params == nil {
				return nil, fmt.Errorf("%s:services.%s.secrets: %s is not a parameter of this stack", config.Namespace, svc.Name, name)
			}
			arn, ok := params.ARN(name)
			if !ok {
				return nil, fmt.Errorf("%s:services.%s.secrets: %s is not a parameter of this stack", config.Namespace, svc.Name, name)
			}
			args.Secrets[name] = arn
		}
		if len(svc.Secrets) > 0 {
			args.SecretsVersion = services.SecretsVersion(params.Versions, svc.Secrets)
		}
		for role, access := range svc.Buckets {
			b := s.Buckets[role]
			args.Buckets[role] = services.BucketGrant{Variable: b.EnvVar, Name: store.names[role],
				ARN: store.arns[role], Access: services.Access(access)}
		}
		for variable, other := range svc.ServiceURLs {
			o := s.Services[other]
			args.LinkedEnvironment[variable] = services.ServiceURL(pf.BaseURL, o.Hosts, o.Paths)
		}
		for variable, output := range svc.SharedURLs {
			if shared == nil {
				// The runbook's convention for "not in this environment".
				args.LinkedEnvironment[variable] = pulumi.String(parameters.Empty)
				continue
			}
			args.LinkedEnvironment[variable] = shared.GetStringOutput(pulumi.String(output))
		}
		for _, dep := range svc.DependsOn {
			args.DependsOn = append(args.DependsOn, declared[dep])
		}
		ws, err := services.NewWebService(ctx, svc.Name, args, onAWS)
		if err != nil {
			return nil, err
		}
		declared[svc.Name] = ws
		if svc.DatabaseAccess && db != nil {
			if err := db.allow(svc.Name, ws.TaskSecurityGroupID.ToStringOutput()); err != nil {
				return nil, err
			}
		}
		refs.urls[svc.Name] = ws.URL
		refs.taskSecurityGroups[svc.Name] = ws.TaskSecurityGroupID.ToStringOutput()
		if svc.Image == "" {
			refs.repositories[svc.Name] = ws.RepositoryURL
		}
	}
	return refs, nil
}
