package services

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/appautoscaling"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecr"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/internal/component"
	"github.com/np-mrd/article-pipeline-infra/internal/sgrule"
)

const webServiceType = "article-pipeline:services:WebService"

// SecretsVersionVariable is the environment variable that carries
// WebServiceArgs.SecretsVersion into the task definition.
const SecretsVersionVariable = "PARAMETERS_VERSION"

// placeholderTag is the tag a service without a configured image tag points at;
// it is never pulled, because such a service runs no task.
const placeholderTag = "not-deployed"

// WebService is one load-balanced Fargate service (a Copilot "Load Balanced Web
// Service").
type WebService struct {
	pulumi.ResourceState

	// URL is where the service answers: https://<host>, https://<domain>/<path>
	// or http://<load balancer DNS name>/<path>.
	URL pulumi.StringOutput `pulumi:"url"`
	// RepositoryURL is the ECR repository to push images to ("" for an external image).
	RepositoryURL pulumi.StringOutput `pulumi:"repositoryUrl"`
	// TaskSecurityGroupID is granted on the database security group by the program.
	TaskSecurityGroupID pulumi.IDOutput     `pulumi:"taskSecurityGroupId"`
	ServiceName         pulumi.StringOutput `pulumi:"serviceName"`
	TaskDefinitionARN   pulumi.StringOutput `pulumi:"taskDefinitionArn"`
	LogGroupName        pulumi.StringOutput `pulumi:"logGroupName"`
	TaskRoleARN         pulumi.StringOutput `pulumi:"taskRoleArn"`
	ExecutionRoleARN    pulumi.StringOutput `pulumi:"executionRoleArn"`
	// TargetGroupARNSuffix is the target group's CloudWatch dimension value,
	// for the alarms (package alarms).
	TargetGroupARNSuffix pulumi.StringOutput `pulumi:"targetGroupArnSuffix"`

	service *ecs.Service
}

// BucketGrant gives the service's task role access to one bucket and, when
// Variable is set, passes the bucket's name in that environment variable.
type BucketGrant struct {
	Variable string
	Name     pulumi.StringInput
	ARN      pulumi.StringInput
	Access   Access
}

// WebServiceArgs describes one service: the stack's Settings for it, plus the
// inputs the Platform, the network, the parameters and the buckets produce.
type WebServiceArgs struct {
	Settings

	// From the Platform.
	ClusterARN                  pulumi.StringInput
	ClusterName                 pulumi.StringInput
	ListenerARN                 pulumi.StringInput
	LoadBalancerSecurityGroupID pulumi.StringInput
	BaseURL                     pulumi.StringInput
	// EndpointSecurityGroupID is set when tasks reach AWS through interface endpoints.
	EndpointSecurityGroupID pulumi.StringInput

	// From the network.
	VpcID     pulumi.StringInput
	SubnetIDs pulumi.StringArrayInput
	// AssignPublicIP is true for tasks in public subnets (no NAT, as Copilot places them).
	AssignPublicIP bool
	// DatabasePort (0: none) is opened to DatabaseSecurityGroupID.
	DatabasePort            int
	DatabaseSecurityGroupID pulumi.StringInput

	// Family is the task definition family (Copilot: <app>-<env>-<svc>).
	Family string
	// RepositoryName is the ECR repository name; empty means auto-named.
	RepositoryName string
	// LinkedEnvironment holds variables whose values other resources produce
	// (another service's URL, a shared stack's output).
	LinkedEnvironment map[string]pulumi.StringInput
	// SecretARNs maps each of Settings.Secrets to its SSM parameter ARN: the
	// container gets it through secrets[].valueFrom (Security Hub ECS.8) and the
	// execution role may read exactly these ARNs.
	SecretARNs map[string]pulumi.StringInput
	// SecretsVersion (optional) changes whenever a parameter in SecretARNs does;
	// it goes into the task definition as PARAMETERS_VERSION so the service rolls.
	SecretsVersion pulumi.StringInput
	// BucketGrants are keyed by bucket role.
	BucketGrants map[string]BucketGrant
	// After are services that must be steady before this one is deployed.
	After []*WebService
	// LogGroupName is empty for an auto-named log group.
	LogGroupName string

	// FargateSpot and WorkingHours are the stack's (PlatformSettings). With
	// Spot, ClusterARN must be the Platform's: it carries the cluster's
	// capacity providers.
	FargateSpot  FargateSpot
	WorkingHours WorkingHours
	// WasDeployed reports that the service ran a deployed image before this
	// update (the stack's deployedImageTags). From then on Application Auto
	// Scaling owns its task count when autoscaling or working hours are set:
	// an update leaves the count (and the working hours' target bounds) as
	// the scaler left them.
	WasDeployed bool
}

// check runs the settings' rules, then what only the wiring can get wrong:
// missing inputs, and a variable with two sources.
func (a *WebServiceArgs) check(name string) error {
	if a == nil {
		return fmt.Errorf("services: %s: args are required", name)
	}
	errs := []error{a.Settings.Validate(name), a.FargateSpot.Validate(name + ".fargateSpot"),
		a.WorkingHours.Validate(name + ".workingHours")}
	req := func(missing bool, field string) {
		if missing {
			errs = append(errs, fmt.Errorf("services: %s: %s is required", name, field))
		}
	}
	req(a.ClusterARN == nil, "ClusterARN")
	req(a.ClusterName == nil, "ClusterName")
	req(a.ListenerARN == nil, "ListenerARN")
	req(a.LoadBalancerSecurityGroupID == nil, "LoadBalancerSecurityGroupID")
	req(a.BaseURL == nil, "BaseURL")
	req(a.VpcID == nil, "VpcID")
	req(a.SubnetIDs == nil, "SubnetIDs")
	req(a.Family == "", "Family")
	req(a.DatabasePort != 0 && a.DatabaseSecurityGroupID == nil, "DatabaseSecurityGroupID")
	if a.Image != "" && a.RepositoryName != "" {
		errs = append(errs, fmt.Errorf("services: %s: Image excludes RepositoryName", name))
	}
	for _, d := range a.After {
		req(d == nil, "After entries")
	}
	// Each variable has one source.
	seen := map[string]string{SecretsVersionVariable: "SecretsVersion"}
	claim := func(v, from string) {
		if other, dup := seen[v]; dup {
			errs = append(errs, fmt.Errorf("services: %s: variable %s is set by both %s and %s", name, v, other, from))
		}
		seen[v] = from
	}
	for _, v := range slices.Sorted(maps.Keys(a.Environment)) {
		claim(v, "Environment")
	}
	for _, v := range slices.Sorted(maps.Keys(a.LinkedEnvironment)) {
		req(a.LinkedEnvironment[v] == nil, "LinkedEnvironment["+v+"]")
		claim(v, "LinkedEnvironment")
	}
	for _, v := range slices.Sorted(maps.Keys(a.SecretARNs)) {
		req(a.SecretARNs[v] == nil, "SecretARNs["+v+"]")
		claim(v, "SecretARNs")
	}
	for _, role := range slices.Sorted(maps.Keys(a.BucketGrants)) {
		b := a.BucketGrants[role]
		req(b.ARN == nil, "BucketGrants["+role+"].ARN")
		if !slices.Contains(accessLevels, b.Access) {
			errs = append(errs, fmt.Errorf("services: %s: bucket %s: access %q is not read, write or read-write",
				name, role, b.Access))
		}
		if b.Variable != "" {
			req(b.Name == nil, "BucketGrants["+role+"].Name")
			claim(b.Variable, "BucketGrants["+role+"]")
		}
	}
	return errors.Join(errs...)
}

// deployable reports whether the service has an image to run.
func (a *WebServiceArgs) deployable() bool { return a.Image != "" || a.ImageTag != "" }

// scaled reports whether Application Auto Scaling sets the task count: CPU
// target tracking (once there is an image) or working hours.
func (a *WebServiceArgs) scaled() bool {
	return (a.Autoscaling != nil && a.deployable()) || a.WorkingHours.Enabled
}

// scalerOwnsCount reports whether the scaler, not the program, owns the task
// count: the service is scaled and has run before. An external image runs from
// its first update; a service of our repository is created with 0 tasks, and
// its first deploy must still raise the count.
func (a *WebServiceArgs) scalerOwnsCount() bool {
	return a.scaled() && (a.WasDeployed || a.Image != "")
}

// NewWebService declares one service; name is the service name (backend) and
// also its container's name.
func NewWebService(ctx *pulumi.Context, name string, args *WebServiceArgs,
	opts ...pulumi.ResourceOption) (*WebService, error) {
	c, parent, err := component.New[WebService](ctx, webServiceType, name, args.check(name), opts...)
	if err != nil {
		return nil, err
	}
	fail := func(what string, err error) (*WebService, error) {
		return nil, fmt.Errorf("services: %s: %s: %w", name, what, err)
	}

	// Image: an ECR repository of its own (scan on push, immutable tags and a
	// lifecycle policy: Security Hub ECR.1-3, which Copilot's repositories lack).
	var repo *ecr.Repository
	image := pulumi.String(args.Image).ToStringOutput()
	c.RepositoryURL = pulumi.String("").ToStringOutput()
	if args.Image == "" {
		repoArgs := &ecr.RepositoryArgs{
			ImageTagMutability:         pulumi.String("IMMUTABLE"),
			ImageScanningConfiguration: &ecr.RepositoryImageScanningConfigurationArgs{ScanOnPush: pulumi.Bool(true)},
		}
		if args.RepositoryName != "" {
			repoArgs.Name = pulumi.String(args.RepositoryName)
		}
		repo, err = ecr.NewRepository(ctx, name+"-repo", repoArgs, parent)
		if err != nil {
			return fail("repository", err)
		}
		policy, err := lifecyclePolicy(args.KeepImages)
		if err != nil {
			return fail("lifecycle policy", err)
		}
		if _, err := ecr.NewLifecyclePolicy(ctx, name+"-repo-lifecycle", &ecr.LifecyclePolicyArgs{
			Repository: repo.Name,
			Policy:     pulumi.String(policy),
		}, parent); err != nil {
			return fail("lifecycle policy", err)
		}
		tag := args.ImageTag
		if tag == "" {
			tag = placeholderTag
		}
		image = pulumi.Sprintf("%s:%s", repo.RepositoryUrl, tag)
		c.RepositoryURL = repo.RepositoryUrl
	}

	logArgs := &cloudwatch.LogGroupArgs{RetentionInDays: pulumi.Int(args.LogRetentionDays)}
	if args.LogGroupName != "" {
		logArgs.Name = pulumi.String(args.LogGroupName)
	}
	logs, err := cloudwatch.NewLogGroup(ctx, name+"-logs", logArgs, parent)
	if err != nil {
		return fail("log group", err)
	}

	executionRole, taskRole, err := roles(ctx, name, c, args, repo, logs)
	if err != nil {
		return fail("roles", err)
	}

	taskSG, err := networkRules(ctx, name, c, args)
	if err != nil {
		return fail("security group", err)
	}

	tg, err := lb.NewTargetGroup(ctx, name+"-tg", &lb.TargetGroupArgs{
		Port:                pulumi.Int(args.Port),
		Protocol:            pulumi.String("HTTP"),
		TargetType:          pulumi.String("ip"),
		VpcId:               args.VpcID,
		DeregistrationDelay: pulumi.Int(args.DeregistrationDelay),
		HealthCheck: &lb.TargetGroupHealthCheckArgs{
			Enabled:  pulumi.Bool(true),
			Path:     pulumi.String(args.HealthCheck.Path),
			Matcher:  pulumi.String(args.HealthCheck.Matcher),
			Protocol: pulumi.String("HTTP"),
		},
	}, parent)
	if err != nil {
		return fail("target group", err)
	}
	var conditions lb.ListenerRuleConditionArray
	if len(args.Hosts) > 0 {
		conditions = append(conditions, lb.ListenerRuleConditionArgs{
			HostHeader: &lb.ListenerRuleConditionHostHeaderArgs{Values: pulumi.ToStringArray(args.Hosts)},
		})
	}
	if len(args.Paths) > 0 {
		conditions = append(conditions, lb.ListenerRuleConditionArgs{
			PathPattern: &lb.ListenerRuleConditionPathPatternArgs{Values: pulumi.ToStringArray(args.Paths)},
		})
	}
	// A target group can be associated with one load balancer only: a rule
	// that moves to another listener (platform.sharedLoadBalancer turned on or
	// off) must leave the old load balancer before its replacement is created.
	// Only a new listener ARN replaces a rule; the route is missing meanwhile.
	rule, err := lb.NewListenerRule(ctx, name+"-rule", &lb.ListenerRuleArgs{
		ListenerArn: args.ListenerARN,
		Priority:    pulumi.Int(args.Priority),
		Actions: lb.ListenerRuleActionArray{lb.ListenerRuleActionArgs{
			Type:           pulumi.String("forward"),
			TargetGroupArn: tg.Arn,
		}},
		Conditions: conditions,
	}, parent, pulumi.DeleteBeforeReplace(true))
	if err != nil {
		return fail("listener rule", err)
	}

	taskDef, err := taskDefinition(ctx, name, c, args, image, logs, executionRole, taskRole)
	if err != nil {
		return fail("task definition", err)
	}

	desired := args.DesiredCount
	if !args.deployable() {
		desired = 0
	}
	// The target group must be attached to the listener before ECS registers
	// targets in it; the services named in DependsOn must be steady first (the
	// runbook deploys the backend before the frontend).
	after := []pulumi.Resource{rule}
	for _, d := range args.After {
		after = append(after, d.service)
	}
	serviceArgs := &ecs.ServiceArgs{
		Cluster:         args.ClusterARN,
		TaskDefinition:  taskDef.Arn,
		DesiredCount:    pulumi.Int(desired),
		PlatformVersion: pulumi.String("LATEST"), // Security Hub ECS.10
		// Copilot's automatic rollback, which the runbook relies on; off by
		// default in the provider.
		DeploymentCircuitBreaker: &ecs.ServiceDeploymentCircuitBreakerArgs{
			Enable: pulumi.Bool(true), Rollback: pulumi.Bool(true),
		},
		DeploymentMinimumHealthyPercent: pulumi.Int(100),
		DeploymentMaximumPercent:        pulumi.Int(200),
		HealthCheckGracePeriodSeconds:   pulumi.Int(args.HealthCheck.GracePeriod),
		WaitForSteadyState:              pulumi.Bool(desired > 0),
		PropagateTags:                   pulumi.String("SERVICE"),
		EnableEcsManagedTags:            pulumi.Bool(true),
		EnableExecuteCommand:            pulumi.Bool(args.ExecuteCommand),
		NetworkConfiguration: &ecs.ServiceNetworkConfigurationArgs{
			Subnets:        args.SubnetIDs,
			SecurityGroups: pulumi.StringArray{taskSG.ID()},
			AssignPublicIp: pulumi.Bool(args.AssignPublicIP),
		},
		LoadBalancers: ecs.ServiceLoadBalancerArray{ecs.ServiceLoadBalancerArgs{
			TargetGroupArn: tg.Arn,
			ContainerName:  pulumi.String(name),
			ContainerPort:  pulumi.Int(args.Port),
		}},
	}
	if args.FargateSpot.Enabled {
		// The provider replaces a service that moves between a launch type and
		// a strategy (create-before-delete: the new service starts beside the
		// old one, which is then deleted). A change within the strategy, such
		// as its base, is applied in place only with forceNewDeployment, as a
		// rolling deployment.
		serviceArgs.CapacityProviderStrategies = args.FargateSpot.strategy()
		serviceArgs.ForceNewDeployment = pulumi.Bool(true)
	} else {
		serviceArgs.LaunchType = pulumi.String("FARGATE")
	}
	serviceOpts := []pulumi.ResourceOption{parent, pulumi.DependsOn(after)}
	if args.scalerOwnsCount() {
		// Application Auto Scaling sets desiredCount (ECS docs); writing the
		// configured count back would undo it, e.g. start tasks at night.
		serviceOpts = append(serviceOpts, pulumi.IgnoreChanges([]string{"desiredCount"}))
	}
	svc, err := ecs.NewService(ctx, name+"-service", serviceArgs, serviceOpts...)
	if err != nil {
		return fail("service", err)
	}
	c.service = svc

	if args.scaled() {
		if err := scaling(ctx, name, c, args, svc); err != nil {
			return fail("scaling", err)
		}
	}

	c.URL = ServiceURL(args.BaseURL, args.Hosts, args.Paths)
	c.TaskSecurityGroupID = taskSG.ID()
	c.ServiceName = svc.Name
	c.TaskDefinitionARN = taskDef.Arn
	c.LogGroupName = logs.Name
	c.TaskRoleARN = taskRole.Arn
	c.ExecutionRoleARN = executionRole.Arn
	c.TargetGroupARNSuffix = tg.ArnSuffix
	return c, component.RegisterOutputs(ctx, c)
}

// ServiceURL is where a service with these routes answers: https://<first
// host><path prefix>, or baseURL (the Platform's BaseURL) plus the path prefix
// of its first path ("/api/*" -> "/api/"; "/*" -> ""). The program can compute a
// service's URL before declaring it, for another service's environment.
func ServiceURL(baseURL pulumi.StringInput, hosts, paths []string) pulumi.StringOutput {
	prefix := ""
	if len(paths) > 0 {
		prefix = strings.TrimSuffix(paths[0], "*")
		if prefix == "/" {
			prefix = ""
		}
	}
	if len(hosts) > 0 {
		return pulumi.String("https://" + hosts[0] + prefix).ToStringOutput()
	}
	return pulumi.Sprintf("%s%s", baseURL, prefix)
}

// ecrLifecyclePolicy is an ECR lifecycle policy document.
type ecrLifecyclePolicy struct {
	Rules []ecrLifecycleRule `json:"rules"`
}

type ecrLifecycleRule struct {
	RulePriority int                   `json:"rulePriority"`
	Description  string                `json:"description"`
	Selection    ecrLifecycleSelection `json:"selection"`
	Action       ecrLifecycleAction    `json:"action"`
}

type ecrLifecycleSelection struct {
	TagStatus   string `json:"tagStatus"`
	CountType   string `json:"countType"`
	CountNumber int    `json:"countNumber"`
}

type ecrLifecycleAction struct {
	Type string `json:"type"`
}

// lifecyclePolicy keeps the newest keep images and expires older ones.
func lifecyclePolicy(keep int) (string, error) {
	b, err := json.Marshal(ecrLifecyclePolicy{Rules: []ecrLifecycleRule{{
		RulePriority: 1,
		Description:  fmt.Sprintf("Keep the last %d images", keep),
		Selection:    ecrLifecycleSelection{TagStatus: "any", CountType: "imageCountMoreThan", CountNumber: keep},
		Action:       ecrLifecycleAction{Type: "expire"},
	}}})
	return string(b), err
}

// networkRules declares the task security group and every rule that involves
// it: the container port from the load balancer only (and the load balancer's
// egress to it), HTTPS (and any other configured port) out, the database port
// to the database's group, and HTTPS to the interface endpoints.
func networkRules(ctx *pulumi.Context, name string, c *WebService, args *WebServiceArgs) (*ec2.SecurityGroup, error) {
	parent := pulumi.Parent(c)
	sg, err := sgrule.NewGroup(ctx, name+"-sg", args.VpcID,
		fmt.Sprintf("%s tasks: port %d from the load balancer only", name, args.Port), "", parent)
	if err != nil {
		return nil, err
	}
	fromLB := sgrule.TCP{Group: sg.ID(), Description: "Container port from the load balancer", Port: args.Port,
		Peer: args.LoadBalancerSecurityGroupID}
	if _, err := sgrule.Ingress(ctx, name+"-ingress-alb", fromLB, parent); err != nil {
		return nil, err
	}
	toTasks := sgrule.TCP{Group: args.LoadBalancerSecurityGroupID, Description: fmt.Sprintf("To %s tasks", name),
		Port: args.Port, Peer: sg.ID()}
	if _, err := sgrule.Egress(ctx, name+"-alb-egress", toTasks, parent); err != nil {
		return nil, err
	}
	for _, p := range slices.Compact(slices.Sorted(slices.Values(args.EgressPorts))) {
		anywhere := sgrule.TCP{Group: sg.ID(), Port: p, CIDR: "0.0.0.0/0",
			Description: fmt.Sprintf("TCP %d anywhere (ECR, logs, SSM, external APIs)", p)}
		if _, err := sgrule.Egress(ctx, fmt.Sprintf("%s-egress-%d", name, p), anywhere, parent); err != nil {
			return nil, err
		}
	}
	if args.DatabasePort != 0 {
		database := sgrule.TCP{Group: sg.ID(), Description: "To the database", Port: args.DatabasePort,
			Peer: args.DatabaseSecurityGroupID}
		if _, err := sgrule.Egress(ctx, name+"-egress-db", database, parent); err != nil {
			return nil, err
		}
	}
	if args.EndpointSecurityGroupID != nil {
		endpoints := sgrule.TCP{Group: args.EndpointSecurityGroupID, Description: fmt.Sprintf("HTTPS from %s tasks", name),
			Port: 443, Peer: sg.ID()}
		if _, err := sgrule.Ingress(ctx, name+"-endpoints-ingress", endpoints, parent); err != nil {
			return nil, err
		}
	}
	return sg, nil
}

// taskDefinition declares the Fargate task definition. Its container
// definition carries PARAMETERS_VERSION, so a changed parameter makes a new
// revision and the service rolls (the runbook: containers must be redeployed to
// see a new value).
func taskDefinition(ctx *pulumi.Context, name string, c *WebService, args *WebServiceArgs, image pulumi.StringOutput,
	logs *cloudwatch.LogGroup, executionRole, taskRole *iam.Role) (*ecs.TaskDefinition, error) {
	linked := pulumi.StringMap{}
	for v, value := range args.LinkedEnvironment {
		linked[v] = value
	}
	for _, b := range args.BucketGrants {
		if b.Variable != "" {
			linked[b.Variable] = b.Name
		}
	}
	if args.SecretsVersion != nil {
		linked[SecretsVersionVariable] = args.SecretsVersion
	}
	secrets := pulumi.StringMap{}
	for v, arn := range args.SecretARNs {
		secrets[v] = arn
	}
	region := aws.GetRegionOutput(ctx, aws.GetRegionOutputArgs{}, pulumi.Parent(c)).Name()
	defs := pulumi.All(image, logs.Name, region, linked, secrets).ApplyT(func(v []any) (string, error) {
		env := maps.Clone(args.Environment)
		if env == nil {
			env = map[string]string{}
		}
		maps.Copy(env, v[3].(map[string]string))
		return containerDefinitions(container{
			Name:          name,
			Image:         v[0].(string),
			Port:          args.Port,
			Environment:   env,
			Secrets:       v[4].(map[string]string),
			WritablePaths: args.WritablePaths,
			LogGroup:      v[1].(string),
			Region:        v[2].(string),
		})
	}).(pulumi.StringOutput)

	var volumes ecs.TaskDefinitionVolumeArray
	for _, p := range slices.Sorted(slices.Values(args.WritablePaths)) {
		volumes = append(volumes, ecs.TaskDefinitionVolumeArgs{Name: pulumi.String(volumeName(p))})
	}
	return ecs.NewTaskDefinition(ctx, name+"-taskdef", &ecs.TaskDefinitionArgs{
		Family:                  pulumi.String(args.Family),
		ContainerDefinitions:    defs,
		Cpu:                     pulumi.String(fmt.Sprint(args.CPU)),
		Memory:                  pulumi.String(fmt.Sprint(args.Memory)),
		NetworkMode:             pulumi.String("awsvpc"), // Security Hub ECS.1
		RequiresCompatibilities: pulumi.StringArray{pulumi.String("FARGATE")},
		RuntimePlatform: &ecs.TaskDefinitionRuntimePlatformArgs{
			OperatingSystemFamily: pulumi.String("LINUX"),
			CpuArchitecture:       pulumi.String(args.CPUArchitecture),
		},
		ExecutionRoleArn: executionRole.Arn,
		TaskRoleArn:      taskRole.Arn,
		Volumes:          volumes,
	}, pulumi.Parent(c))
}

// strategy is the capacity provider strategy of a service on Spot: every task
// on FARGATE_SPOT after the first OnDemandBase, which run on FARGATE. A
// provider with weight 0 takes only its base (as Copilot writes spot_from).
func (f FargateSpot) strategy() ecs.ServiceCapacityProviderStrategyArray {
	out := ecs.ServiceCapacityProviderStrategyArray{ecs.ServiceCapacityProviderStrategyArgs{
		CapacityProvider: pulumi.String(fargateSpot), Weight: pulumi.Int(1),
	}}
	if f.OnDemandBase > 0 {
		out = append(out, ecs.ServiceCapacityProviderStrategyArgs{
			CapacityProvider: pulumi.String(fargate), Base: pulumi.Int(f.OnDemandBase), Weight: pulumi.Int(0),
		})
	}
	return out
}

// scaling declares the service's Application Auto Scaling target and what
// acts on it: target tracking on average CPU with Copilot's cooldowns (scale
// in after 120 s, out after 60 s), and the working hours' two scheduled
// actions (the count, or the autoscaling bounds, at Start; zero at Stop).
func scaling(ctx *pulumi.Context, name string, c *WebService, args *WebServiceArgs, svc *ecs.Service) error {
	a, hours := args.Autoscaling, args.WorkingHours
	low, high := args.DesiredCount, args.DesiredCount
	if a != nil {
		low, high = a.Min, a.Max
	}
	targetArgs := &appautoscaling.TargetArgs{
		ServiceNamespace:  pulumi.String("ecs"),
		ScalableDimension: pulumi.String("ecs:service:DesiredCount"),
		ResourceId:        pulumi.Sprintf("service/%s/%s", args.ClusterName, svc.Name),
		MinCapacity:       pulumi.Int(low),
		MaxCapacity:       pulumi.Int(high),
	}
	opts := []pulumi.ResourceOption{pulumi.Parent(c)}
	if hours.Enabled {
		// Without an image the service keeps 0 tasks: the schedule must not
		// start tasks that cannot pull their image. The first deploy lifts the
		// suspension and sets the bounds (registering a target moves the count
		// into them).
		suspended := !args.deployable()
		if suspended {
			targetArgs.MinCapacity, targetArgs.MaxCapacity = pulumi.Int(0), pulumi.Int(0)
		}
		targetArgs.SuspendedState = &appautoscaling.TargetSuspendedStateArgs{
			DynamicScalingInSuspended:  pulumi.Bool(suspended),
			DynamicScalingOutSuspended: pulumi.Bool(suspended),
			ScheduledScalingSuspended:  pulumi.Bool(suspended),
		}
		if args.scalerOwnsCount() {
			// The scheduled actions set the bounds morning and evening; setting
			// them back would start the tasks at night.
			opts = append(opts, pulumi.IgnoreChanges([]string{"minCapacity", "maxCapacity"}))
		}
	}
	target, err := appautoscaling.NewTarget(ctx, name+"-scaling-target", targetArgs, opts...)
	if err != nil {
		return err
	}
	if a != nil && args.deployable() {
		if _, err := appautoscaling.NewPolicy(ctx, name+"-scaling-cpu", &appautoscaling.PolicyArgs{
			PolicyType:        pulumi.String("TargetTrackingScaling"),
			ServiceNamespace:  target.ServiceNamespace,
			ScalableDimension: target.ScalableDimension,
			ResourceId:        target.ResourceId,
			TargetTrackingScalingPolicyConfiguration: &appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs{
				PredefinedMetricSpecification: &appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs{
					PredefinedMetricType: pulumi.String("ECSServiceAverageCPUUtilization"),
				},
				TargetValue:      pulumi.Float64(a.CPUTarget),
				ScaleInCooldown:  pulumi.Int(120),
				ScaleOutCooldown: pulumi.Int(60),
			},
		}, pulumi.Parent(c)); err != nil {
			return err
		}
	}
	if !hours.Enabled {
		return nil
	}
	for _, action := range []struct {
		role, schedule string
		low, high      int
	}{
		{"start", hours.StartSchedule(), low, high},
		{"stop", hours.StopSchedule(), 0, 0},
	} {
		if _, err := appautoscaling.NewScheduledAction(ctx, name+"-working-hours-"+action.role,
			&appautoscaling.ScheduledActionArgs{
				ServiceNamespace:  target.ServiceNamespace,
				ScalableDimension: target.ScalableDimension,
				ResourceId:        target.ResourceId,
				Schedule:          pulumi.String(action.schedule),
				Timezone:          pulumi.String(hours.TimeZone),
				ScalableTargetAction: &appautoscaling.ScheduledActionScalableTargetActionArgs{
					MinCapacity: pulumi.Int(action.low),
					MaxCapacity: pulumi.Int(action.high),
				},
			}, pulumi.Parent(c)); err != nil {
			return err
		}
	}
	return nil
}
