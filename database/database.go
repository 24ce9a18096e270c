// Package database owns the application's PostgreSQL, as the runbook's "Create an
// AWS RDS instance" and "Creating a Deposition System Database" sections set it up:
// the RDS instance with its subnet group, parameter group, security group,
// enhanced-monitoring role, log groups and generated master password; the
// application's login role and database (through the postgresql provider); and
// optionally an RDS Proxy. It takes the VPC, the private subnets and the security
// groups that may connect, and returns the endpoint, the instance ARN, the
// security group ID and DATABASE_URL (secret).
package database

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi-postgresql/sdk/v3/go/postgresql"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/internal/adopt"
	"github.com/np-mrd/article-pipeline-infra/internal/awsiam"
	"github.com/np-mrd/article-pipeline-infra/internal/component"
	"github.com/np-mrd/article-pipeline-infra/internal/sgrule"
)

const typeToken = "article-pipeline:database:Postgres"

const (
	// engine is the runbook's "PostgreSQL database".
	engine = "postgres"
	// insightsMode is the runbook's "Database Insights - Standard".
	insightsMode = "standard"
)

// LogExports are the PostgreSQL logs published to CloudWatch when Args.LogExports
// is set (Security Hub RDS.9 and RDS.36; the runbook left every export off).
var LogExports = []string{"postgresql", "upgrade"}

// Grant admits one security group to the database port.
type Grant struct {
	// Name names the ingress rule (component name + "-from-" + Name): lower-case
	// kebab-case, unique per component, stable (it is part of the rule's URN).
	Name string
	// SecurityGroupID is the security group allowed to connect.
	SecurityGroupID pulumi.StringInput
}

// Args configure NewPostgres: the stack's Settings plus the inputs other
// components produce.
type Args struct {
	Settings
	// VpcID is the VPC the security group is created in.
	VpcID pulumi.StringInput
	// SubnetIDs are the private subnets of the DB subnet group (two zones or more).
	SubnetIDs pulumi.StringArrayInput
	// AllowedSecurityGroups may connect to Port (services, bastion). More can be
	// added after construction with AllowFrom.
	AllowedSecurityGroups []Grant
	// MasterPassword, if set, is used instead of a generated one (for an adopted
	// instance whose password the services already use); it is kept secret.
	MasterPassword pulumi.StringInput
	// Protect protects the instance (and the application database) from deletion
	// by Pulumi; a protected database never skips its final snapshot.
	Protect bool
	// Adopt imports the running instance and its subnet group; nil creates them.
	Adopt *Adoption
	// Keep is article-pipeline:adopt.keep: the properties each imported
	// resource leaves as they are. While it lists anything (the adoption is
	// open), the imported instance also keeps its password and engine version.
	Keep adopt.Keep
	// IgnoreEngineVersion leaves a difference in engineVersion alone: the
	// program sets it from Settings.EnginePlan against the running version.
	IgnoreEngineVersion bool
}

// Imported lists the resources NewPostgres named name imports for a: the
// instance and its subnet group (for the keep list's check).
func Imported(name string, a *Adoption) []adopt.Resource {
	var out []adopt.Resource
	if a == nil {
		return nil
	}
	if a.InstanceID != "" {
		out = append(out, adopt.Of(instanceType, name+"-instance", rds.InstanceArgs{}))
	}
	if a.SubnetGroupName != "" {
		out = append(out, adopt.Of(subnetGroupType, name+"-subnets", rds.SubnetGroupArgs{}))
	}
	return out
}

// The type tokens of the resources an adoption imports.
const (
	instanceType    = "aws:rds/instance:Instance"
	subnetGroupType = "aws:rds/subnetGroup:SubnetGroup"
)

// Postgres is the database component.
type Postgres struct {
	pulumi.ResourceState

	// InstanceARN is the instance's ARN (for AWS Backup selections).
	InstanceARN pulumi.StringOutput `pulumi:"instanceArn"`
	// Identifier is the instance's RDS identifier.
	Identifier pulumi.StringOutput `pulumi:"identifier"`
	// Address is the instance endpoint's DNS name.
	Address pulumi.StringOutput `pulumi:"address"`
	// Port is the instance's port.
	Port pulumi.IntOutput `pulumi:"port"`
	// ProxyEndpoint is the RDS Proxy's DNS name, or "" without a proxy.
	ProxyEndpoint pulumi.StringOutput `pulumi:"proxyEndpoint"`
	// SecurityGroupID is the database security group.
	SecurityGroupID pulumi.IDOutput `pulumi:"securityGroupId"`
	// DatabaseURL is DATABASE_URL for the application (secret).
	DatabaseURL pulumi.StringOutput `pulumi:"databaseUrl"`
	// DatabaseName is the application database's name.
	DatabaseName pulumi.StringOutput `pulumi:"databaseName"`
	// Username is the user in DatabaseURL (the app role, or the master user
	// without the bootstrap).
	Username pulumi.StringOutput `pulumi:"username"`
	// MasterUsername is the instance's master user.
	MasterUsername pulumi.StringOutput `pulumi:"masterUsername"`
	// EngineVersion is the version the instance runs (RDS's full version, such
	// as 17.4): the next update compares the configured one with it.
	EngineVersion pulumi.StringOutput `pulumi:"engineVersion"`

	name   string
	port   int
	sgID   pulumi.IDOutput
	grants map[string]bool
}

var grantNamePattern = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// check rejects args that would declare a broken database: the settings'
// own rules, and what only the wiring can get wrong.
func (a *Args) check(name string) error {
	errs := []error{a.Settings.Validate(name)}
	if a.Adopt != nil {
		errs = append(errs, a.Adopt.Validate(name+".adopt", a.Settings))
	}
	bad := func(format string, v ...any) { errs = append(errs, fmt.Errorf(format, v...)) }
	if a.VpcID == nil {
		bad("VpcID is required")
	}
	if a.SubnetIDs == nil {
		bad("SubnetIDs is required")
	}
	if a.SkipFinalSnapshot && a.Protect {
		bad("SkipFinalSnapshot cannot be set on a protected database")
	}
	seen := map[string]bool{}
	for i, g := range a.AllowedSecurityGroups {
		if !grantNamePattern.MatchString(g.Name) || seen[g.Name] {
			bad("AllowedSecurityGroups[%d].Name %q must be unique lower-case kebab-case", i, g.Name)
		}
		seen[g.Name] = true
		if g.SecurityGroupID == nil {
			bad("AllowedSecurityGroups[%d].SecurityGroupID is required", i)
		}
	}
	return errors.Join(errs...)
}

// NewPostgres declares the database. Bad args declare nothing.
func NewPostgres(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Postgres, error) {
	if args == nil {
		return nil, fmt.Errorf("database %q: args are required", name)
	}
	if err := args.check(name); err != nil {
		return nil, fmt.Errorf("database %q: %w", name, err)
	}
	backupWindow, maintenanceWindow, err := Windows(args.BackupWindowStart, args.MaintenanceDay)
	if err != nil {
		return nil, fmt.Errorf("database %q: %w", name, err)
	}
	major := args.Major()

	c := &Postgres{name: name, port: args.Port, grants: map[string]bool{}}
	if err := ctx.RegisterComponentResource(typeToken, name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)

	// Access: 5432 only from granted security groups and listed CIDRs, instead of
	// the runbook's whole-VPC rule; no egress rules (the database starts no connections).
	sg, err := sgrule.NewGroup(ctx, name+"-sg", args.VpcID, "PostgreSQL from granted security groups only",
		args.Identifier, parent)
	if err != nil {
		return nil, fmt.Errorf("database %q: security group: %w", name, err)
	}
	c.sgID = sg.ID()
	// The instance waits for its ingress rules, not only for the group: moving
	// an adopted instance onto this group must not cut off what connects today.
	var ingress []pulumi.Resource
	for _, g := range args.AllowedSecurityGroups {
		rule, err := c.allowFrom(ctx, g.Name, g.SecurityGroupID)
		if err != nil {
			return nil, err
		}
		ingress = append(ingress, rule)
	}
	for _, cidr := range args.AllowedCIDRs {
		slug, _ := cidrName(cidr) // checked above
		from := sgrule.TCP{Group: sg.ID(), Description: "PostgreSQL from " + cidr, Port: args.Port, CIDR: cidr}
		rule, err := sgrule.Ingress(ctx, name+"-cidr-"+slug, from, parent)
		if err != nil {
			return nil, fmt.Errorf("database %q: ingress from %s: %w", name, cidr, err)
		}
		ingress = append(ingress, rule)
	}

	subnetArgs := &rds.SubnetGroupArgs{
		Description: pulumi.String("Private subnets of the article-pipeline database"),
		SubnetIds:   args.SubnetIDs,
	}
	subnetOpts := []pulumi.ResourceOption{parent}
	adoption := Adoption{}
	if args.Adopt != nil {
		adoption = *args.Adopt
	}
	if adoption.SubnetGroupName != "" {
		// An imported group keeps its name; an auto-name would replace it.
		subnetArgs.Name = pulumi.String(adoption.SubnetGroupName)
		subnetOpts = append(subnetOpts, adopt.Options(adoption.SubnetGroupName, args.Protect, args.Keep,
			subnetGroupType, name+"-subnets")...)
		if len(adoption.SubnetIDs) > 0 {
			// The live group's subnets as they are: RDS refuses to take out the
			// subnet the instance runs in.
			subnetArgs.SubnetIds = pulumi.ToStringArray(adoption.SubnetIDs)
		}
	}
	subnets, err := rds.NewSubnetGroup(ctx, name+"-subnets", subnetArgs, subnetOpts...)
	if err != nil {
		return nil, fmt.Errorf("database %q: subnet group: %w", name, err)
	}

	// Our own group for the engine's family (the runbook used default.postgresNN,
	// which cannot be changed), so a parameter can be set later without swapping groups.
	// A major upgrade changes the family, which replaces the group: the new one
	// is created first (under a new auto-name: the engine checks a replacement
	// again without the old name) and the instance moves to it. The old one is
	// retained, not deleted: without applyImmediately the instance keeps using
	// it until its maintenance window, and RDS refuses to delete a group in use
	// (InvalidDBParameterGroupState), which would fail the up after the
	// instance was modified. docs/operations.md says when to delete it.
	params, err := rds.NewParameterGroup(ctx, name+"-params", &rds.ParameterGroupArgs{
		Family:      pulumi.String(engine + major),
		Description: pulumi.String("article-pipeline PostgreSQL " + major),
		Parameters: rds.ParameterGroupParameterArray{
			// Already the default from PostgreSQL 15 on; stated so it stays on.
			rds.ParameterGroupParameterArgs{Name: pulumi.String("rds.force_ssl"), Value: pulumi.String("1")},
			// Slow-query log (dynamic: applied without a reboot). The statement
			// text goes to the postgresql log group, kept LogRetentionDays.
			rds.ParameterGroupParameterArgs{Name: pulumi.String("log_min_duration_statement"),
				Value: pulumi.String(strconv.Itoa(args.SlowQueryMs))},
		},
	}, parent, pulumi.RetainOnDelete(true))
	if err != nil {
		return nil, fmt.Errorf("database %q: parameter group: %w", name, err)
	}

	var masterPassword pulumi.StringOutput
	if args.MasterPassword != nil {
		masterPassword = pulumi.ToSecret(args.MasterPassword).(pulumi.StringOutput)
	} else {
		pw, err := newPassword(ctx, name+"-master-password", parent)
		if err != nil {
			return nil, fmt.Errorf("database %q: master password: %w", name, err)
		}
		masterPassword = pw.Result
	}

	var instanceDeps []pulumi.Resource
	if args.LogExports {
		// Created before the instance so RDS does not create them itself without
		// a retention (never expire).
		for _, log := range LogExports {
			lg, err := cloudwatch.NewLogGroup(ctx, name+"-log-"+log, &cloudwatch.LogGroupArgs{
				Name:            pulumi.String("/aws/rds/instance/" + args.Identifier + "/" + log),
				RetentionInDays: pulumi.Int(args.LogRetentionDays),
			}, parent)
			if err != nil {
				return nil, fmt.Errorf("database %q: log group %s: %w", name, log, err)
			}
			instanceDeps = append(instanceDeps, lg)
		}
	}

	var monitoringRoleARN pulumi.StringPtrInput
	if args.MonitoringInterval > 0 {
		role, attachment, err := monitoringRole(ctx, name, parent)
		if err != nil {
			return nil, fmt.Errorf("database %q: monitoring role: %w", name, err)
		}
		monitoringRoleARN = role.Arn
		// RDS checks the role's permissions when the instance is created.
		instanceDeps = append(instanceDeps, attachment)
	}

	instanceArgs := &rds.InstanceArgs{
		Identifier:    pulumi.String(args.Identifier),
		Engine:        pulumi.String(engine),
		EngineVersion: pulumi.String(args.EngineVersion),
		// RDS refuses a major upgrade without it: only when the stack says so.
		AllowMajorVersionUpgrade:   pulumi.Bool(args.AllowMajorUpgrade),
		ApplyImmediately:           pulumi.Bool(args.ApplyImmediately),
		AutoMinorVersionUpgrade:    pulumi.Bool(true), // Security Hub RDS.13
		InstanceClass:              pulumi.String(args.InstanceClass),
		StorageType:                pulumi.String(args.StorageType),
		AllocatedStorage:           pulumi.Int(args.AllocatedStorage),
		MaxAllocatedStorage:        pulumi.Int(args.MaxAllocatedStorage),
		MultiAz:                    pulumi.Bool(args.MultiAZ),
		DbSubnetGroupName:          subnets.Name,
		ParameterGroupName:         params.Name,
		VpcSecurityGroupIds:        pulumi.StringArray{sg.ID().ToStringOutput()},
		PubliclyAccessible:         pulumi.Bool(false), // Security Hub RDS.2
		Port:                       pulumi.Int(args.Port),
		Username:                   pulumi.String(args.MasterUsername),
		Password:                   masterPassword,
		StorageEncrypted:           pulumi.Bool(true), // with the AWS-managed aws/rds key (RDS.3)
		DatabaseInsightsMode:       pulumi.String(insightsMode),
		PerformanceInsightsEnabled: pulumi.Bool(args.PerformanceInsights),
		MonitoringInterval:         pulumi.Int(args.MonitoringInterval),
		MonitoringRoleArn:          monitoringRoleARN,
		BackupRetentionPeriod:      pulumi.Int(args.BackupRetentionDays), // RDS.11
		BackupWindow:               pulumi.String(backupWindow),
		MaintenanceWindow:          pulumi.String(maintenanceWindow),
		CopyTagsToSnapshot:         pulumi.Bool(true), // RDS.17
		DeletionProtection:         pulumi.Bool(args.DeletionProtection),
		SkipFinalSnapshot:          pulumi.Bool(args.SkipFinalSnapshot),
		// Automated backups outlive the instance for their retention period.
		DeleteAutomatedBackups: pulumi.Bool(false),
	}
	if args.Iops > 0 {
		instanceArgs.Iops = pulumi.Int(args.Iops)
	}
	if args.StorageThroughput > 0 {
		instanceArgs.StorageThroughput = pulumi.Int(args.StorageThroughput)
	}
	if args.PerformanceInsights {
		instanceArgs.PerformanceInsightsRetentionPeriod = pulumi.Int(args.PerformanceInsightsRetentionDays)
	}
	if !args.SkipFinalSnapshot {
		instanceArgs.FinalSnapshotIdentifier = pulumi.String(args.FinalSnapshot())
	}
	if args.LogExports {
		instanceArgs.EnabledCloudwatchLogsExports = pulumi.ToStringArray(LogExports)
	}
	// With the bootstrap, the application database is created with its owner; an
	// initial database would be owned by the master user. An adopted instance
	// keeps the database it has.
	if !args.Bootstrap && adoption.InstanceID == "" {
		instanceArgs.DbName = pulumi.String(args.DatabaseName)
	}
	// db_name only matters at creation and cannot change without replacing the
	// instance: switching the bootstrap later must not replace the database.
	ignore := []string{"dbName"}
	if args.IgnoreEngineVersion {
		ignore = append(ignore, "engineVersion")
	}
	instanceOpts := []pulumi.ResourceOption{parent}
	if deps := append(instanceDeps, ingress...); len(deps) > 0 {
		instanceOpts = append(instanceOpts, pulumi.DependsOn(deps))
	}
	if args.Protect {
		instanceOpts = append(instanceOpts, pulumi.Protect(true))
	}
	if adoption.InstanceID != "" {
		if args.Keep.Open() {
			// AWS never returns the password, so the import cannot compare it and
			// would send the configured one over the running one; RDS upgrades
			// minors itself. Both are left alone until the adoption is closed.
			ignore = append(ignore, "engineVersion", "password")
		}
		instanceOpts = append(instanceOpts, adopt.Options(adoption.InstanceID, args.Protect, args.Keep, instanceType,
			name+"-instance", ignore...)...)
	} else {
		instanceOpts = append(instanceOpts, pulumi.IgnoreChanges(ignore))
	}
	instance, err := rds.NewInstance(ctx, name+"-instance", instanceArgs, instanceOpts...)
	if err != nil {
		return nil, fmt.Errorf("database %q: instance: %w", name, err)
	}

	user := instance.Username
	password := masterPassword
	dbName := pulumi.String(args.DatabaseName).ToStringOutput()
	if args.Bootstrap {
		app, err := bootstrap(ctx, name, args, instance, masterPassword, parent)
		if err != nil {
			return nil, fmt.Errorf("database %q: %w", name, err)
		}
		user, password, dbName = app.user, app.password, app.database
	}

	host := instance.Address
	c.ProxyEndpoint = pulumi.String("").ToStringOutput()
	if args.Proxy {
		logins := []proxyLogin{{"master", pulumi.String(args.MasterUsername).ToStringOutput(), masterPassword}}
		if args.Bootstrap {
			logins = append(logins, proxyLogin{"app", user, password})
		}
		endpoint, err := newProxy(ctx, name, args, instance, sg, logins, parent)
		if err != nil {
			return nil, fmt.Errorf("database %q: proxy: %w", name, err)
		}
		host, c.ProxyEndpoint = endpoint, endpoint
	}

	c.InstanceARN = instance.Arn
	c.Identifier = instance.Identifier
	c.Address = instance.Address
	c.Port = instance.Port
	c.SecurityGroupID = sg.ID()
	c.DatabaseName = dbName
	c.Username = user
	c.MasterUsername = instance.Username
	c.EngineVersion = instance.EngineVersionActual
	c.DatabaseURL = pulumi.ToSecret(pulumi.All(user, password, host, instance.Port, dbName).ApplyT(
		func(v []any) string {
			return URL(v[0].(string), v[1].(string), v[2].(string), v[3].(int), v[4].(string))
		})).(pulumi.StringOutput)
	return c, component.RegisterOutputs(ctx, c)
}

// AllowFrom admits the security group sgID to the database port, with an ingress
// rule named after source (lower-case kebab-case, once per source). The program
// calls it for groups created after the database (services, bastion).
func (c *Postgres) AllowFrom(ctx *pulumi.Context, source string, sgID pulumi.StringInput) error {
	_, err := c.allowFrom(ctx, source, sgID)
	return err
}

func (c *Postgres) allowFrom(ctx *pulumi.Context, source string, sgID pulumi.StringInput) (pulumi.Resource, error) {
	if !grantNamePattern.MatchString(source) {
		return nil, fmt.Errorf("database %q: grant name %q is not lower-case kebab-case", c.name, source)
	}
	if sgID == nil {
		return nil, fmt.Errorf("database %q: grant %q has no security group", c.name, source)
	}
	if c.grants[source] {
		return nil, fmt.Errorf("database %q: grant %q is declared twice", c.name, source)
	}
	c.grants[source] = true
	from := sgrule.TCP{Group: c.sgID, Description: "PostgreSQL from " + source, Port: c.port, Peer: sgID}
	rule, err := sgrule.Ingress(ctx, c.name+"-from-"+source, from, pulumi.Parent(c))
	if err != nil {
		return nil, fmt.Errorf("database %q: ingress from %s: %w", c.name, source, err)
	}
	return rule, nil
}

// cidrName checks an IPv4 CIDR block and turns it into a logical-name suffix
// ("10.0.0.0/16" → "10-0-0-0-16"), stable when other entries change.
func cidrName(cidr string) (string, error) {
	ok := strings.Count(cidr, "/") == 1
	for _, r := range cidr {
		if !(r >= '0' && r <= '9' || r == '.' || r == '/') {
			ok = false
		}
	}
	if !ok {
		return "", fmt.Errorf("%q is not an IPv4 CIDR block", cidr)
	}
	return strings.NewReplacer(".", "-", "/", "-").Replace(cidr), nil
}

// newPassword generates a password RDS and PostgreSQL accept; see passwordSpecial.
func newPassword(ctx *pulumi.Context, name string, parent pulumi.ResourceOrInvokeOption) (*random.RandomPassword, error) {
	return random.NewRandomPassword(ctx, name, &random.RandomPasswordArgs{
		Length:          pulumi.Int(passwordLength),
		Special:         pulumi.Bool(true),
		OverrideSpecial: pulumi.String(passwordSpecial),
		MinLower:        pulumi.Int(1),
		MinUpper:        pulumi.Int(1),
		MinNumeric:      pulumi.Int(1),
		MinSpecial:      pulumi.Int(1),
	}, parent)
}

// monitoringRole is the enhanced-monitoring role the console calls "default"
// (Security Hub RDS.6): trusted by monitoring.rds.amazonaws.com, with the AWS
// managed AmazonRDSEnhancedMonitoringRole policy.
func monitoringRole(ctx *pulumi.Context, name string, parent pulumi.ResourceOrInvokeOption) (*iam.Role,
	*iam.RolePolicyAttachment, error) {
	role, err := awsiam.NewServiceRole(ctx, name+"-monitoring-role", "monitoring.rds.amazonaws.com",
		"RDS enhanced monitoring for the article-pipeline database", parent)
	if err != nil {
		return nil, nil, err
	}
	attachment, err := awsiam.AttachManagedPolicy(ctx, name+"-monitoring-policy", role,
		"service-role/AmazonRDSEnhancedMonitoringRole", parent)
	if err != nil {
		return nil, nil, err
	}
	return role, attachment, nil
}

// appLogin is what the bootstrap gives DATABASE_URL.
type appLogin struct {
	user, password, database pulumi.StringOutput
}

// bootstrap is the runbook's CREATE DATABASE, with least privilege: a login role
// for the application with its own password, and the database owned by it. The
// provider logs in as the master user, which on RDS is not a superuser.
func bootstrap(ctx *pulumi.Context, name string, args *Args, instance *rds.Instance,
	masterPassword pulumi.StringInput, parent pulumi.ResourceOrInvokeOption) (*appLogin, error) {
	host, port := instance.Address, instance.Port
	if args.TunnelHost != "" {
		host, port = pulumi.String(args.TunnelHost).ToStringOutput(), pulumi.Int(args.TunnelPort).ToIntOutput()
	}
	provider, err := postgresql.NewProvider(ctx, name+"-postgresql", &postgresql.ProviderArgs{
		Host:           host,
		Port:           port,
		Username:       pulumi.String(args.MasterUsername),
		Password:       masterPassword,
		Database:       pulumi.String("postgres"),
		Sslmode:        pulumi.String("require"),
		Superuser:      pulumi.Bool(false),
		ConnectTimeout: pulumi.Int(args.ConnectTimeout),
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("postgresql provider: %w", err)
	}
	password, err := newPassword(ctx, name+"-app-password", parent)
	if err != nil {
		return nil, fmt.Errorf("app password: %w", err)
	}
	// With a tunnel the provider's host does not depend on the instance.
	after := pulumi.DependsOn([]pulumi.Resource{instance})
	// Removing them from the program (bootstrap switched off, a new name) must
	// not DROP the application's data or its owner: Pulumi forgets them instead.
	keep := pulumi.RetainOnDelete(true)
	role, err := postgresql.NewRole(ctx, name+"-app-role", &postgresql.RoleArgs{
		Name:     pulumi.String(args.AppUser),
		Login:    pulumi.Bool(true),
		Password: password.Result,
	}, parent, pulumi.Provider(provider), after, keep)
	if err != nil {
		return nil, fmt.Errorf("app role: %w", err)
	}
	dbOpts := []pulumi.ResourceOption{parent, pulumi.Provider(provider), after, keep}
	if args.Protect {
		// The instance's protection does not cover the database inside it.
		dbOpts = append(dbOpts, pulumi.Protect(true))
	}
	db, err := postgresql.NewDatabase(ctx, name+"-app-database", &postgresql.DatabaseArgs{
		Name:  pulumi.String(args.DatabaseName),
		Owner: role.Name,
	}, dbOpts...)
	if err != nil {
		return nil, fmt.Errorf("app database: %w", err)
	}
	return &appLogin{
		user:     role.Name,
		password: pulumi.ToSecret(password.Result).(pulumi.StringOutput),
		database: db.Name,
	}, nil
}
