package program

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/config"
	"github.com/np-mrd/article-pipeline-infra/parameters"
	"github.com/np-mrd/article-pipeline-infra/services"
	"github.com/np-mrd/article-pipeline-infra/storage"
)

// webRefs are what the services export.
type webRefs struct {
	platform *services.Platform
	// urls, repositories and taskSecurityGroups are keyed by service name.
	urls               map[string]pulumi.StringOutput
	repositories       map[string]pulumi.StringOutput
	taskSecurityGroups map[string]pulumi.StringOutput
	// services are the declared services by name (the alarms watch them).
	services map[string]*services.WebService
	// accessLogs is the load balancer's access-log bucket (nil: none).
	accessLogs *storage.LogBucket
}

// databaseAccess is what a service needs to reach the database, and how to grant it.
type databaseAccess struct {
	port            int
	securityGroupID pulumi.StringOutput
	allow           func(source string, sgID pulumi.StringInput) error
}

// The outputs a stack that owns its load balancer exports for a stack that
// shares it (platform.sharedLoadBalancer).
const (
	HTTPSListenerOutput     = "httpsListenerArn"
	LoadBalancerGroupOutput = "loadBalancerSecurityGroupId"
	LoadBalancerZoneOutput  = "loadBalancerZoneId"
	loadBalancerDNSOutput   = "loadBalancerDnsName"
)

// declareServices declares the cluster and load balancer (or the place on the
// shared stack's), then each service in dependency order (the runbook deploys
// the backend before the frontend). now says which services ran before this
// update.
func declareServices(ctx *pulumi.Context, s *config.Settings, net *networkRefs, store *bucketRefs,
	params *parameters.Store, shared *pulumi.StackReference, db *databaseAccess, now running,
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
		PlatformSettings: s.Platform,
		VpcID:            net.vpcID,
		PublicSubnetIDs:  net.publicSubnetIDs,
	}
	if s.Platform.PrivateTasks {
		pfArgs.PrivateSubnetIDs = net.privateSubnetIDs
	}
	if s.Platform.SharedLoadBalancer {
		// config insists on the shared stack; its program exports these.
		out := func(name string) pulumi.StringOutput { return shared.GetStringOutput(pulumi.String(name)) }
		pfArgs.Shared = &services.SharedListener{
			ListenerARN:     out(HTTPSListenerOutput),
			SecurityGroupID: out(LoadBalancerGroupOutput),
			DNSName:         out(loadBalancerDNSOutput),
			ZoneID:          out(LoadBalancerZoneOutput),
		}
	}
	if d := s.Domain; d.Enabled() {
		pfArgs.Domain = &d
		for _, name := range s.Services.Names() {
			pfArgs.HostNames = append(pfArgs.HostNames, s.Services[name].Hosts...)
		}
		pfArgs.HostNames = slices.Compact(slices.Sorted(slices.Values(pfArgs.HostNames)))
	}
	logs, err := accessLogBucket(ctx, s, provider)
	if err != nil {
		return nil, err
	}
	if logs != nil {
		pfArgs.AccessLogsBucket = logs.BucketName
	}
	pf, err := services.NewPlatform(ctx, "web", pfArgs, onAWS)
	if err != nil {
		return nil, err
	}

	refs := &webRefs{platform: pf, urls: map[string]pulumi.StringOutput{},
		repositories: map[string]pulumi.StringOutput{}, taskSecurityGroups: map[string]pulumi.StringOutput{},
		accessLogs: logs}
	declared := map[string]*services.WebService{}
	refs.services = declared
	for _, name := range s.Services.Ordered() {
		svc := s.Services[name]
		args := &services.WebServiceArgs{
			Settings:                    svc,
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
			Family:            fmt.Sprintf("%s-%s-%s", s.Application, s.Environment, name),
			LinkedEnvironment: map[string]pulumi.StringInput{},
			SecretARNs:        map[string]pulumi.StringInput{},
			BucketGrants:      map[string]services.BucketGrant{},
			FargateSpot:       s.Platform.FargateSpot,
			WorkingHours:      s.Platform.WorkingHours,
			WasDeployed:       now.images[name] != "",
		}
		if svc.Image == "" {
			args.RepositoryName = fmt.Sprintf("%s/%s/%s", s.Application, s.Environment, name)
		}
		if s.Platform.PrivateTasks {
			args.SubnetIDs, args.AssignPublicIP = net.privateSubnetIDs, false
			args.EndpointSecurityGroupID = pf.EndpointSecurityGroupID
		}
		if svc.DatabaseAccess && db != nil {
			args.DatabasePort, args.DatabaseSecurityGroupID = db.port, db.securityGroupID
		}
		for _, secret := range svc.Secrets {
			arn, ok := params.ARN(secret)
			if !ok {
				return nil, fmt.Errorf("%s:services.%s.secrets: %s is not a parameter of this stack", config.Namespace,
					name, secret)
			}
			args.SecretARNs[secret] = arn
		}
		if len(svc.Secrets) > 0 {
			args.SecretsVersion = services.SecretsVersion(params.Versions, svc.Secrets)
		}
		for role, access := range svc.Buckets {
			b := s.Buckets[role]
			args.BucketGrants[role] = services.BucketGrant{Variable: b.EnvVar, Name: store.names[role],
				ARN: store.arns[role], Access: access}
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
			args.After = append(args.After, declared[dep])
		}
		ws, err := services.NewWebService(ctx, name, args, onAWS)
		if err != nil {
			return nil, err
		}
		declared[name] = ws
		if svc.DatabaseAccess && db != nil {
			if err := db.allow(name, ws.TaskSecurityGroupID.ToStringOutput()); err != nil {
				return nil, err
			}
		}
		refs.urls[name] = ws.URL
		refs.taskSecurityGroups[name] = ws.TaskSecurityGroupID.ToStringOutput()
		if svc.Image == "" {
			refs.repositories[name] = ws.RepositoryURL
		}
	}
	return refs, nil
}

// checkSharedURLs insists that every output a service reads from the shared
// stack exists there, before anything is declared: a missing one would leave
// the variable unresolved until the service's task definition failed.
func checkSharedURLs(s *config.Settings, shared *pulumi.StackReference) error {
	var errs []error
	for _, name := range s.Services.Names() {
		urls := s.Services[name].SharedURLs
		for _, v := range slices.Sorted(maps.Keys(urls)) {
			d, err := shared.GetOutputDetails(urls[v])
			if err != nil {
				return fmt.Errorf("%s:services.%s.sharedUrls.%s: reading %s: %w", config.Namespace, name, v,
					s.SharedStack, err)
			}
			if d == nil || d.Value == nil && d.SecretValue == nil {
				errs = append(errs, fmt.Errorf("%s:services.%s.sharedUrls.%s: the shared stack %s has no output %q",
					config.Namespace, name, v, s.SharedStack, urls[v]))
			}
		}
	}
	return errors.Join(errs...)
}
