// Package services owns what replaces `copilot env deploy` and `copilot svc
// deploy` for load-balanced web services: the Platform (ECS cluster, the public
// application load balancer with its listeners, certificate and DNS records,
// or a place on another stack's load balancer, and the optional interface
// endpoints for private tasks) and one WebService per service (ECR repository,
// task definition, roles, security group, target group, listener rule, ECS
// service, autoscaling and working hours). It takes the network's
// IDs, the parameters' ARNs and the buckets' names and ARNs, and returns URLs,
// the load balancer's name and zone, repository URLs and security group IDs.
package services

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/acm"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/internal/component"
	"github.com/np-mrd/article-pipeline-infra/internal/sgrule"
)

const platformType = "article-pipeline:services:Platform"

// Platform is one environment's ECS cluster and public load balancer, shared by
// its web services (Copilot's environment stack).
type Platform struct {
	pulumi.ResourceState

	ClusterName pulumi.StringOutput `pulumi:"clusterName"`
	ClusterARN  pulumi.StringOutput `pulumi:"clusterArn"`
	// LoadBalancerARN, LoadBalancerDNSName and LoadBalancerZoneID identify the
	// load balancer (the zone ID is for alias records made elsewhere).
	LoadBalancerARN     pulumi.StringOutput `pulumi:"loadBalancerArn"`
	LoadBalancerDNSName pulumi.StringOutput `pulumi:"loadBalancerDnsName"`
	LoadBalancerZoneID  pulumi.StringOutput `pulumi:"loadBalancerZoneId"`
	// LoadBalancerARNSuffix is the load balancer's CloudWatch dimension value.
	LoadBalancerARNSuffix pulumi.StringOutput `pulumi:"loadBalancerArnSuffix"`
	// LoadBalancerSecurityGroupID is the only source task security groups admit.
	LoadBalancerSecurityGroupID pulumi.IDOutput `pulumi:"loadBalancerSecurityGroupId"`
	// ListenerARN is the listener services add their rules to: HTTPS:443 with a
	// domain, HTTP:80 without.
	ListenerARN pulumi.StringOutput `pulumi:"listenerArn"`
	// BaseURL is https://<domain> with a domain, http://<load balancer DNS name> without.
	BaseURL pulumi.StringOutput `pulumi:"baseUrl"`
	// CertificateARN is the validated certificate ("" without a domain).
	CertificateARN pulumi.StringOutput `pulumi:"certificateArn"`
	// EndpointSecurityGroupID is the interface endpoints' security group ("" when
	// there are none); each service admits its tasks to it.
	EndpointSecurityGroupID pulumi.StringOutput `pulumi:"endpointSecurityGroupId"`
}

// PlatformArgs configures the Platform: the stack's platform settings plus
// the network and the domain the services are served on.
type PlatformArgs struct {
	PlatformSettings
	VpcID pulumi.StringInput
	// PublicSubnetIDs hold the load balancer (two zones: Security Hub ELB.13).
	PublicSubnetIDs pulumi.StringArrayInput
	// PrivateSubnetIDs hold the interface endpoints; required with PrivateTasks.
	PrivateSubnetIDs pulumi.StringArrayInput
	// Domain is nil for plain HTTP on the load balancer's DNS name.
	Domain *DomainSettings
	// HostNames are the service hosts (the domain or one label below it); the
	// domain and each of them get an alias record to the load balancer.
	HostNames []string
	// AccessLogsBucket, when set, receives the load balancer's access logs
	// (Security Hub ELB.5); its policy must already let the load balancer write.
	AccessLogsBucket pulumi.StringInput
	// Shared is the load balancer of another stack whose HTTPS listener the
	// services' rules go on, with SharedLoadBalancer: this platform then
	// declares no load balancer, only the certificate of its domain (added to
	// that listener) and the alias records.
	Shared *SharedListener
}

// SharedListener is what a stack that shares another stack's load balancer
// reads from that stack's outputs.
type SharedListener struct {
	// ListenerARN is the HTTPS listener.
	ListenerARN pulumi.StringInput
	// SecurityGroupID is the load balancer's security group: task security
	// groups admit it, and it gets an egress rule to each task security group.
	SecurityGroupID pulumi.StringInput
	// DNSName and ZoneID are the alias records' target.
	DNSName pulumi.StringInput
	ZoneID  pulumi.StringInput
}

func (a *PlatformArgs) check(name string) error {
	if a == nil {
		return errors.New("services: platform args are required")
	}
	errs := []error{a.PlatformSettings.Validate(name)}
	if a.VpcID == nil {
		errs = append(errs, errors.New("services: platform VpcID is required"))
	}
	if a.PublicSubnetIDs == nil {
		errs = append(errs, errors.New("services: platform PublicSubnetIDs is required"))
	}
	if a.PrivateTasks && a.PrivateSubnetIDs == nil {
		errs = append(errs, errors.New("services: platform PrivateSubnetIDs is required with PrivateTasks"))
	}
	switch sh := a.Shared; {
	case a.SharedLoadBalancer && (sh == nil || sh.ListenerARN == nil || sh.SecurityGroupID == nil ||
		sh.DNSName == nil || sh.ZoneID == nil):
		errs = append(errs, errors.New("services: platform Shared (listener, security group, DNS name and zone) "+
			"is required with SharedLoadBalancer"))
	case a.SharedLoadBalancer && a.Domain == nil:
		errs = append(errs, errors.New("services: platform Domain is required with SharedLoadBalancer: its rules "+
			"answer only the domain's hosts"))
	case !a.SharedLoadBalancer && sh != nil:
		errs = append(errs, errors.New("services: platform Shared is set without SharedLoadBalancer"))
	}
	if d := a.Domain; d != nil {
		errs = append(errs, d.Validate(name+".domain"))
		if d.Name == "" {
			errs = append(errs, errors.New("services: platform Domain.Name is required"))
		}
		for _, h := range a.HostNames {
			if problem := d.HostProblem(h); problem != "" {
				errs = append(errs, fmt.Errorf("services: platform host %s", problem))
			}
		}
	}
	return errors.Join(errs...)
}

// NewPlatform declares the cluster (with the Fargate capacity providers when
// the services run on Spot), the load balancer and its listeners, and, with a
// domain, the certificate and DNS records; with SharedLoadBalancer, the
// certificate on the other stack's listener and the DNS records instead of a
// load balancer.
func NewPlatform(ctx *pulumi.Context, name string, args *PlatformArgs, opts ...pulumi.ResourceOption) (*Platform, error) {
	c, parent, err := component.New[Platform](ctx, platformType, name, args.check(name), opts...)
	if err != nil {
		return nil, err
	}

	insights := "disabled"
	if args.ContainerInsights {
		insights = "enabled"
	}
	cluster, err := ecs.NewCluster(ctx, name+"-cluster", &ecs.ClusterArgs{
		Settings: ecs.ClusterSettingArray{ecs.ClusterSettingArgs{
			Name: pulumi.String("containerInsights"), Value: pulumi.String(insights),
		}},
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("services: cluster: %w", err)
	}
	c.ClusterName = cluster.Name
	c.ClusterARN = cluster.Arn
	if args.FargateSpot.Enabled {
		// A service's capacity provider strategy may name only providers
		// associated with its cluster. No default strategy: each service states
		// its own.
		providers, err := ecs.NewClusterCapacityProviders(ctx, name+"-capacity-providers",
			&ecs.ClusterCapacityProvidersArgs{
				ClusterName:       cluster.Name,
				CapacityProviders: pulumi.ToStringArray([]string{fargate, fargateSpot}),
			}, parent)
		if err != nil {
			return nil, fmt.Errorf("services: cluster capacity providers: %w", err)
		}
		// The ARN the services are given carries the association, so none is
		// created before it.
		c.ClusterARN = pulumi.All(cluster.Arn, providers.ClusterName).ApplyT(func(v []any) string {
			return v[0].(string)
		}).(pulumi.StringOutput)
	}

	if args.SharedLoadBalancer {
		if err := sharedListener(ctx, name, c, args); err != nil {
			return nil, err
		}
	} else if err := ownLoadBalancer(ctx, name, c, args); err != nil {
		return nil, err
	}

	c.EndpointSecurityGroupID = pulumi.String("").ToStringOutput()
	if args.PrivateTasks {
		sg, err := interfaceEndpoints(ctx, name, c, args)
		if err != nil {
			return nil, err
		}
		c.EndpointSecurityGroupID = sg.ID().ToStringOutput()
	}

	return c, component.RegisterOutputs(ctx, c)
}

// The Fargate capacity providers (every account has them; a cluster only
// associates them).
const (
	fargate     = "FARGATE"
	fargateSpot = "FARGATE_SPOT"
)

// ownLoadBalancer declares the stack's internet-facing load balancer, its
// security group and listeners: plain HTTP without a domain; with one, the
// certificate, HTTPS, the HTTP redirect and the alias records.
func ownLoadBalancer(ctx *pulumi.Context, name string, c *Platform, args *PlatformArgs) error {
	parent := pulumi.Parent(c)
	// Rules are separate resources (never inline): each service adds the egress
	// to its own tasks' port, so the load balancer reaches nothing else.
	albSG, err := sgrule.NewGroup(ctx, name+"-alb-sg", args.VpcID,
		"Load balancer: HTTP(S) from the internet, egress only to service tasks", "", parent)
	if err != nil {
		return fmt.Errorf("services: load balancer security group: %w", err)
	}
	ports := []int{80}
	if args.Domain != nil {
		ports = append(ports, 443)
	}
	for _, port := range ports {
		proto := map[int]string{80: "http", 443: "https"}[port]
		internet := sgrule.TCP{Group: albSG.ID(), Description: strings.ToUpper(proto) + " from the internet", Port: port,
			CIDR: "0.0.0.0/0"}
		if _, err := sgrule.Ingress(ctx, name+"-alb-"+proto, internet, parent); err != nil {
			return fmt.Errorf("services: load balancer %s ingress: %w", proto, err)
		}
	}

	albArgs := &lb.LoadBalancerArgs{
		LoadBalancerType:         pulumi.String("application"),
		Internal:                 pulumi.Bool(false),
		Subnets:                  args.PublicSubnetIDs,
		SecurityGroups:           pulumi.StringArray{albSG.ID()},
		DropInvalidHeaderFields:  pulumi.Bool(true), // Security Hub ELB.4
		EnableDeletionProtection: pulumi.Bool(args.LoadBalancerDeletionProtection),
	}
	if args.AccessLogsBucket != nil {
		albArgs.AccessLogs = &lb.LoadBalancerAccessLogsArgs{Bucket: args.AccessLogsBucket, Enabled: pulumi.Bool(true)}
	}
	alb, err := lb.NewLoadBalancer(ctx, name+"-alb", albArgs, parent)
	if err != nil {
		return fmt.Errorf("services: load balancer: %w", err)
	}
	c.LoadBalancerARN = alb.Arn
	c.LoadBalancerDNSName = alb.DnsName
	c.LoadBalancerZoneID = alb.ZoneId
	c.LoadBalancerARNSuffix = alb.ArnSuffix
	c.LoadBalancerSecurityGroupID = albSG.ID()

	notFound := lb.ListenerDefaultActionArray{lb.ListenerDefaultActionArgs{
		Type: pulumi.String("fixed-response"),
		FixedResponse: &lb.ListenerDefaultActionFixedResponseArgs{
			ContentType: pulumi.String("text/plain"),
			MessageBody: pulumi.String("Not Found"),
			StatusCode:  pulumi.String("404"),
		},
	}}

	d := args.Domain
	if d == nil {
		http, err := lb.NewListener(ctx, name+"-http", &lb.ListenerArgs{
			LoadBalancerArn: alb.Arn,
			Port:            pulumi.Int(80),
			Protocol:        pulumi.String("HTTP"),
			DefaultActions:  notFound,
		}, parent)
		if err != nil {
			return fmt.Errorf("services: HTTP listener: %w", err)
		}
		c.ListenerARN = http.Arn
		c.BaseURL = pulumi.Sprintf("http://%s", alb.DnsName)
		c.CertificateARN = pulumi.String("").ToStringOutput()
		return nil
	}

	zoneID, certARN, err := certificate(ctx, name, c, d)
	if err != nil {
		return err
	}
	https, err := lb.NewListener(ctx, name+"-https", &lb.ListenerArgs{
		LoadBalancerArn: alb.Arn,
		Port:            pulumi.Int(443),
		Protocol:        pulumi.String("HTTPS"),
		SslPolicy:       pulumi.String(d.SSLPolicy),
		CertificateArn:  certARN,
		DefaultActions:  notFound,
	}, parent)
	if err != nil {
		return fmt.Errorf("services: HTTPS listener: %w", err)
	}
	// HTTP only redirects (Security Hub ELB.1; Copilot's default).
	if _, err := lb.NewListener(ctx, name+"-http", &lb.ListenerArgs{
		LoadBalancerArn: alb.Arn,
		Port:            pulumi.Int(80),
		Protocol:        pulumi.String("HTTP"),
		DefaultActions: lb.ListenerDefaultActionArray{lb.ListenerDefaultActionArgs{
			Type: pulumi.String("redirect"),
			Redirect: &lb.ListenerDefaultActionRedirectArgs{
				Port:       pulumi.String("443"),
				Protocol:   pulumi.String("HTTPS"),
				StatusCode: pulumi.String("HTTP_301"),
			},
		}},
	}, parent); err != nil {
		return fmt.Errorf("services: HTTP redirect listener: %w", err)
	}
	c.ListenerARN = https.Arn
	c.CertificateARN = certARN
	c.BaseURL = pulumi.String("https://" + d.Name).ToStringOutput()
	return aliasRecords(ctx, name, c, d, args.HostNames, zoneID, alb.DnsName, alb.ZoneId)
}

// sharedListener serves the stack's domain on another stack's HTTPS listener:
// the domain's own certificate is added to that listener (SNI picks it for
// the domain's names), and the alias records point at that load balancer.
// The services' rules, and their security group rules with that load
// balancer's group, are declared by each service as on an own listener.
func sharedListener(ctx *pulumi.Context, name string, c *Platform, args *PlatformArgs) error {
	sh, d := args.Shared, args.Domain
	zoneID, certARN, err := certificate(ctx, name, c, d)
	if err != nil {
		return err
	}
	if _, err := lb.NewListenerCertificate(ctx, name+"-listener-cert", &lb.ListenerCertificateArgs{
		ListenerArn:    sh.ListenerARN,
		CertificateArn: certARN,
	}, pulumi.Parent(c)); err != nil {
		return fmt.Errorf("services: certificate on the shared listener: %w", err)
	}
	c.ListenerARN = sh.ListenerARN.ToStringOutput()
	c.CertificateARN = certARN
	c.BaseURL = pulumi.String("https://" + d.Name).ToStringOutput()
	// The load balancer is the other stack's: this stack knows it only by name.
	c.LoadBalancerARN = pulumi.String("").ToStringOutput()
	c.LoadBalancerARNSuffix = pulumi.String("").ToStringOutput()
	c.LoadBalancerDNSName = sh.DNSName.ToStringOutput()
	c.LoadBalancerZoneID = sh.ZoneID.ToStringOutput()
	c.LoadBalancerSecurityGroupID = sh.SecurityGroupID.ToStringOutput().ApplyT(func(id string) pulumi.ID {
		return pulumi.ID(id)
	}).(pulumi.IDOutput)
	return aliasRecords(ctx, name, c, d, args.HostNames, zoneID, sh.DNSName, sh.ZoneID)
}

// certificate declares the DNS-validated certificate of the domain (Name and
// *.Name share one validation record, so one record validates both). It
// returns the hosted zone's ID and the certificate's ARN once validated.
func certificate(ctx *pulumi.Context, name string, c *Platform, d *DomainSettings) (zoneID, certARN pulumi.StringOutput,
	err error) {
	parent := pulumi.Parent(c)
	zoneID = pulumi.String(d.ZoneID).ToStringOutput()
	if d.ZoneID == "" {
		zoneID = route53.LookupZoneOutput(ctx, route53.LookupZoneOutputArgs{
			Name:        pulumi.String(d.Zone()),
			PrivateZone: pulumi.Bool(false),
		}, parent).ZoneId()
	}
	cert, err := acm.NewCertificate(ctx, name+"-cert", &acm.CertificateArgs{
		DomainName:              pulumi.String(d.Name),
		SubjectAlternativeNames: pulumi.StringArray{pulumi.String("*." + d.Name)},
		ValidationMethod:        pulumi.String("DNS"),
	}, parent)
	if err != nil {
		return zoneID, certARN, fmt.Errorf("services: certificate: %w", err)
	}
	option := cert.DomainValidationOptions.ApplyT(
		func(opts []acm.CertificateDomainValidationOption) (acm.CertificateDomainValidationOption, error) {
			for _, o := range opts {
				if o.DomainName != nil && *o.DomainName == d.Name {
					return o, nil
				}
			}
			return acm.CertificateDomainValidationOption{}, fmt.Errorf("certificate has no validation option for %s", d.Name)
		}).(acm.CertificateDomainValidationOptionOutput)
	record, err := route53.NewRecord(ctx, name+"-cert-validation", &route53.RecordArgs{
		ZoneId:  zoneID,
		Name:    option.ResourceRecordName().Elem(),
		Type:    option.ResourceRecordType().Elem(),
		Records: pulumi.StringArray{option.ResourceRecordValue().Elem()},
		Ttl:     pulumi.Int(60),
		// The record is fixed per name and account: a Copilot-made one is the
		// same, and another certificate of the name may rely on it, so it is
		// written over and never deleted.
		AllowOverwrite: pulumi.Bool(true),
	}, parent, pulumi.RetainOnDelete(true))
	if err != nil {
		return zoneID, certARN, fmt.Errorf("services: certificate validation record: %w", err)
	}
	validation, err := acm.NewCertificateValidation(ctx, name+"-cert-validation", &acm.CertificateValidationArgs{
		CertificateArn:        cert.Arn,
		ValidationRecordFqdns: pulumi.StringArray{record.Fqdn},
	}, parent)
	if err != nil {
		return zoneID, certARN, fmt.Errorf("services: certificate validation: %w", err)
	}
	return zoneID, validation.CertificateArn, nil
}

// aliasRecords points the domain and the service hosts at the load balancer
// (none while d.AliasRecords is off: Copilot still serves the names).
func aliasRecords(ctx *pulumi.Context, name string, c *Platform, d *DomainSettings, hostNames []string,
	zoneID pulumi.StringOutput, dnsName, lbZoneID pulumi.StringInput) error {
	if !d.AliasRecords {
		return nil
	}
	// Records that take over names another deployment wrote (Copilot's, at the
	// cut-over) are retained on delete: a delete removes the live record by name
	// and type, whoever wrote it last, so a rollback must never run one.
	recordOpts := []pulumi.ResourceOption{pulumi.Parent(c)}
	if d.OverwriteRecords {
		recordOpts = append(recordOpts, pulumi.RetainOnDelete(true))
	}
	hosts := slices.Sorted(slices.Values(append([]string{d.Name}, hostNames...)))
	for _, host := range slices.Compact(hosts) {
		if _, err := route53.NewRecord(ctx, name+"-alias-"+host, &route53.RecordArgs{
			ZoneId: zoneID,
			Name:   pulumi.String(host),
			Type:   pulumi.String("A"),
			Aliases: route53.RecordAliasArray{route53.RecordAliasArgs{
				Name:                 dnsName,
				ZoneId:               lbZoneID,
				EvaluateTargetHealth: pulumi.Bool(true),
			}},
			AllowOverwrite: pulumi.Bool(d.OverwriteRecords),
		}, recordOpts...); err != nil {
			return fmt.Errorf("services: alias record %s: %w", host, err)
		}
	}
	return nil
}

// interfaceEndpoints declares the endpoints private tasks reach AWS through
// (Security Hub EC2.55/56/57), with a security group each service admits its
// tasks to on 443.
func interfaceEndpoints(ctx *pulumi.Context, name string, c *Platform, args *PlatformArgs) (*ec2.SecurityGroup, error) {
	parent := pulumi.Parent(c)
	sg, err := sgrule.NewGroup(ctx, name+"-endpoints-sg", args.VpcID,
		"Interface endpoints: HTTPS from service tasks", "", parent)
	if err != nil {
		return nil, fmt.Errorf("services: endpoint security group: %w", err)
	}
	for _, svc := range slices.Sorted(slices.Values(args.InterfaceEndpoints)) {
		service := ec2.LookupVpcEndpointServiceOutput(ctx, ec2.LookupVpcEndpointServiceOutputArgs{
			Service:     pulumi.String(svc),
			ServiceType: pulumi.String("Interface"),
		}, parent)
		if _, err := ec2.NewVpcEndpoint(ctx, name+"-endpoint-"+svc, &ec2.VpcEndpointArgs{
			VpcId:             args.VpcID,
			ServiceName:       service.ServiceName(),
			VpcEndpointType:   pulumi.String("Interface"),
			SubnetIds:         args.PrivateSubnetIDs,
			SecurityGroupIds:  pulumi.StringArray{sg.ID()},
			PrivateDnsEnabled: pulumi.Bool(true),
		}, parent); err != nil {
			return nil, fmt.Errorf("services: %s endpoint: %w", svc, err)
		}
	}
	return sg, nil
}
