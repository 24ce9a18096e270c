package database_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/database"
	"github.com/np-mrd/article-pipeline-infra/internal/mock"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const (
	componentType    = "article-pipeline:database:Postgres"
	instanceType     = "aws:rds/instance:Instance"
	subnetGroupType  = "aws:rds/subnetGroup:SubnetGroup"
	paramGroupType   = "aws:rds/parameterGroup:ParameterGroup"
	sgType           = "aws:ec2/securityGroup:SecurityGroup"
	ingressType      = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
	egressType       = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
	logGroupType     = "aws:cloudwatch/logGroup:LogGroup"
	roleType         = "aws:iam/role:Role"
	attachmentType   = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	passwordType     = "random:index/randomPassword:RandomPassword"
	pgProviderType   = "pulumi:providers:postgresql"
	pgRoleType       = "postgresql:index/role:Role"
	pgDatabaseType   = "postgresql:index/database:Database"
	proxyType        = "aws:rds/proxy:Proxy"
	secretType       = "aws:secretsmanager/secret:Secret"
	secretValueType  = "aws:secretsmanager/secretVersion:SecretVersion"
	proxyTargetsType = "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup"
	proxyTargetType  = "aws:rds/proxyTarget:ProxyTarget"
)

// argsFrom places settings d in a VPC's two private subnets.
func argsFrom(d database.Settings, protect bool) *database.Args {
	return &database.Args{Settings: d, Protect: protect, VpcID: pulumi.String("vpc-0123456789abcdef0"),
		SubnetIDs: pulumi.ToStringArray([]string{"subnet-private-a", "subnet-private-b"})}
}

// declared is one run of the database: the monitor and the component's outputs.
type declared struct {
	*mock.Monitor
	outs mock.Outputs
}

// run declares the database with args, grants the backend and bastion groups
// (one through Args, one through AllowFrom, as the program may), and captures
// the component's outputs.
func run(t *testing.T, args *database.Args) *declared {
	t.Helper()
	args.AllowedSecurityGroups = []database.Grant{{Name: "backend", SecurityGroupID: pulumi.String("sg-backend")}}
	d := &declared{}
	d.Monitor = mock.MustRun(t, mock.Options{Stack: "prod"}, func(ctx *pulumi.Context) error {
		db, err := database.NewPostgres(ctx, "db", args)
		if err != nil {
			return err
		}
		d.outs.CaptureFields(db)
		return db.AllowFrom(ctx, "bastion", pulumi.String("sg-bastion"))
	})
	return d
}

// runWith declares the database of stack (prod protected, development not)
// with its defaults changed by edit (nil: none).
func runWith(t *testing.T, stack string, edit func(d *database.Settings)) *declared {
	t.Helper()
	d := database.Defaults("article-pipeline-" + stack)
	if edit != nil {
		edit(&d)
	}
	return run(t, argsFrom(d, stack == "prod"))
}

func outputOf(t *testing.T, m *declared, typ, name, key string) any {
	t.Helper()
	r := m.MustFind(t, typ, name)
	v, ok := r.Outputs[resource.PropertyKey(key)]
	if !ok {
		t.Fatalf("%s %s has no output %s", typ, name, key)
	}
	return mock.Plain(v, false)
}

func TestInstanceCarriesTheRunbookSettings(t *testing.T) {
	t.Parallel()
	m := runWith(t, "prod", nil)
	inst := m.MustFind(t, instanceType, "db-instance")
	inst.WantInputs(t, map[string]any{
		"identifier":                         "article-pipeline-prod",
		"engine":                             "postgres",
		"engineVersion":                      "17",
		"instanceClass":                      "db.t3.small",
		"storageType":                        "gp2",
		"allocatedStorage":                   20.0,
		"maxAllocatedStorage":                1000.0,
		"multiAz":                            false,
		"publiclyAccessible":                 false,
		"port":                               5432.0,
		"username":                           "postgres",
		"storageEncrypted":                   true,
		"kmsKeyId":                           nil, // the AWS-managed aws/rds key
		"databaseInsightsMode":               "standard",
		"performanceInsightsEnabled":         true,
		"performanceInsightsRetentionPeriod": 7.0,
		"monitoringInterval":                 60.0,
		"backupRetentionPeriod":              7.0,
		"backupWindow":                       "08:00-08:30",
		"maintenanceWindow":                  "sun:09:00-sun:09:30",
		"copyTagsToSnapshot":                 true,
		"autoMinorVersionUpgrade":            true,
		"deletionProtection":                 true,
		"skipFinalSnapshot":                  false,
		"finalSnapshotIdentifier":            "article-pipeline-prod-final",
		"enabledCloudwatchLogsExports":       []any{"postgresql", "upgrade"},
		"dbName":                             nil, // the bootstrap creates the database with its owner
		"deleteAutomatedBackups":             false,
	})
	if !inst.Protect {
		t.Error("instance is not protected")
	}
	if inst.ImportID != "" {
		t.Errorf("instance import ID = %q", inst.ImportID)
	}
	if !reflect.DeepEqual(inst.IgnoreChanges, []string{"dbName"}) {
		t.Errorf("instance ignoreChanges = %v, want [dbName]", inst.IgnoreChanges)
	}
	if !inst.IsSecretInput("password") {
		t.Error("master password is not secret")
	}
	pw := m.MustFind(t, passwordType, "db-master-password")
	if inst.Input("password") != pw.Outputs["result"].SecretValue().Element.StringValue() {
		t.Error("instance password is not the generated master password")
	}
	pw.WantInputs(t, map[string]any{"length": 32.0, "special": true, "overrideSpecial": "!#$%&*()-_=+[]{}<>:?"})

	sg := m.MustFind(t, sgType, "db-sg")
	if got := inst.Input("vpcSecurityGroupIds"); !reflect.DeepEqual(got, []any{sg.ID}) {
		t.Errorf("vpcSecurityGroupIds = %v, want [%s]", got, sg.ID)
	}
	subnets := m.MustFind(t, subnetGroupType, "db-subnets")
	subnets.WantInputs(t, map[string]any{"subnetIds": []any{"subnet-private-a", "subnet-private-b"}})
	if name := outputOf(t, m, subnetGroupType, "db-subnets", "name"); inst.Input("dbSubnetGroupName") != name {
		t.Errorf("dbSubnetGroupName = %v, subnet group name %v", inst.Input("dbSubnetGroupName"), name)
	}
	params := m.MustFind(t, paramGroupType, "db-params")
	params.WantInputs(t, map[string]any{"family": "postgres17"})
	if inst.Input("parameterGroupName") != outputOf(t, m, paramGroupType, "db-params", "name") {
		t.Errorf("parameterGroupName = %v", inst.Input("parameterGroupName"))
	}

	// Enhanced monitoring: its own role, trusted by RDS monitoring, with the managed policy.
	role := m.MustFind(t, roleType, "db-monitoring-role")
	if inst.Input("monitoringRoleArn") != outputOf(t, m, roleType, "db-monitoring-role", "arn") {
		t.Errorf("monitoringRoleArn = %v", inst.Input("monitoringRoleArn"))
	}
	trust := mock.ParsePolicy(t, "monitoring trust policy", role.Input("assumeRolePolicy")).Statement
	if len(trust) != 1 || trust[0].Action != "sts:AssumeRole" ||
		trust[0].Principals("Service") != "monitoring.rds.amazonaws.com" {
		t.Errorf("monitoring trust policy = %s", role.Input("assumeRolePolicy"))
	}
	att := m.MustFind(t, attachmentType, "db-monitoring-policy")
	att.WantInputs(t, map[string]any{
		"policyArn": "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
		"role":      outputOf(t, m, roleType, role.Name, "name"),
	})

	// Log groups exist, with retention, before the instance exports to them.
	for _, log := range []string{"postgresql", "upgrade"} {
		lg := m.MustFind(t, logGroupType, "db-log-"+log)
		lg.WantInputs(t, map[string]any{"name": "/aws/rds/instance/article-pipeline-prod/" + log,
			"retentionInDays": 30.0})
		if !slices.Contains(inst.DependsOn, lg.URN) {
			t.Errorf("instance does not depend on log group %s", log)
		}
	}
	if !slices.Contains(inst.DependsOn, att.URN) {
		t.Error("instance does not depend on the monitoring policy attachment")
	}

	// Every child hangs under the component; the component completes.
	comp := m.MustFind(t, componentType, "db")
	for _, r := range m.Resources() {
		if r.Type != componentType && r.Type != "pulumi:pulumi:Stack" &&
			r.ParentURN != comp.URN {
			t.Errorf("%s %s is not parented to the component", r.Type, r.Name)
		}
		if r.Protect && r != inst && r.Type != pgDatabaseType {
			t.Errorf("%s %s is protected; only the instance and the application database should be", r.Type, r.Name)
		}
	}
	if got := m.OutputsRegistered(); got != 2 {
		t.Errorf("RegisterResourceOutputs called %d times, want 2 (component and stack)", got)
	}
}

// TestSlowQueryLog: statements slower than slowQueryMs are logged through
// the instance's own parameter group; -1 logs none.
func TestSlowQueryLog(t *testing.T) {
	t.Parallel()
	for _, ms := range []int{1000, -1} {
		m := runWith(t, "prod", func(d *database.Settings) { d.SlowQueryMs = ms })
		params := m.MustFind(t, paramGroupType, "db-params")
		want := []any{
			map[string]any{"name": "rds.force_ssl", "value": "1"},
			map[string]any{"name": "log_min_duration_statement", "value": fmt.Sprint(ms)},
		}
		if got := params.Input("parameters"); !reflect.DeepEqual(got, want) {
			t.Errorf("slowQueryMs %d: parameters = %v\nwant %v", ms, got, want)
		}
	}
}

func TestEngineVersionPicksTheFamily(t *testing.T) {
	t.Parallel()
	m := runWith(t, "development", func(d *database.Settings) { d.EngineVersion = "16.4" })
	m.MustFind(t, paramGroupType, "db-params").WantInputs(t, map[string]any{"family": "postgres16"})
	inst := m.MustFind(t, instanceType, "db-instance")
	inst.WantInputs(t, map[string]any{"engineVersion": "16.4", "identifier": "article-pipeline-development"})
	if inst.Protect {
		t.Error("instance is protected without Protect")
	}
}

func TestAccessOnlyFromGrantedGroupsAndCIDRs(t *testing.T) {
	t.Parallel()
	m := runWith(t, "prod", func(d *database.Settings) { d.AllowedCIDRs = []string{"10.0.0.0/16"} })
	sg := m.MustFind(t, sgType, "db-sg")
	sg.WantInputs(t, map[string]any{"vpcId": "vpc-0123456789abcdef0", "ingress": nil, "egress": nil})
	rules := m.OfType(ingressType)
	if len(rules) != 3 {
		t.Fatalf("%d ingress rules, want 3 (backend, bastion, the CIDR)", len(rules))
	}
	for name, source := range map[string][2]string{
		"db-from-backend":     {"referencedSecurityGroupId", "sg-backend"},
		"db-from-bastion":     {"referencedSecurityGroupId", "sg-bastion"},
		"db-cidr-10-0-0-0-16": {"cidrIpv4", "10.0.0.0/16"},
	} {
		r := m.MustFind(t, ingressType, name)
		r.WantInputs(t, map[string]any{"securityGroupId": sg.ID, "ipProtocol": "tcp", "fromPort": 5432.0,
			"toPort": 5432.0, source[0]: source[1]})
	}
	if got := m.OfType(egressType); len(got) != 0 {
		t.Errorf("%d egress rules; the database needs none", len(got))
	}
}

func TestAllowFromRejectsBadGrants(t *testing.T) {
	t.Parallel()
	cases := []mock.BadValue[string]{
		{Name: "twice", Value: "backend", WantErr: `database "db": grant "backend" is declared twice`},
		{Name: "not kebab", Value: "Back End", WantErr: `database "db": grant name "Back End" is not lower-case kebab-case`},
	}
	mock.RejectsValues(t, cases, mock.Contains, func(t *testing.T, source string) error {
		_, err := mock.Run(mock.Options{}, func(ctx *pulumi.Context) error {
			args := argsFrom(database.Defaults("article-pipeline-test"), false)
			args.AllowedSecurityGroups = []database.Grant{{Name: "backend", SecurityGroupID: pulumi.String("sg-1")}}
			db, err := database.NewPostgres(ctx, "db", args)
			if err != nil {
				return err
			}
			return db.AllowFrom(ctx, source, pulumi.String("sg-2"))
		})
		return err
	})
}

// parseURL reads the DATABASE_URL output, which must be secret.
func parseURL(t *testing.T, m *declared) (*url.URL, string) {
	t.Helper()
	if !m.outs.Secret(t, "databaseUrl") {
		t.Error("DATABASE_URL is not secret")
	}
	u, err := url.Parse(m.outs.String(t, "databaseUrl"))
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := u.User.Password()
	return u, pw
}

func TestBootstrapCreatesTheAppRoleAndDatabase(t *testing.T) {
	t.Parallel()
	m := runWith(t, "prod", nil)
	inst := m.MustFind(t, instanceType, "db-instance")
	address := outputOf(t, m, instanceType, "db-instance", "address").(string)

	prov := m.MustFind(t, pgProviderType, "db-postgresql")
	prov.WantInputs(t, map[string]any{"host": address, "port": 5432.0, "username": "postgres",
		"sslmode": "require", "superuser": false, "connectTimeout": 30.0, "database": "postgres"})
	if !prov.IsSecretInput("password") || prov.Input("password") != inst.Input("password") {
		t.Error("provider password is not the secret master password")
	}

	role := m.MustFind(t, pgRoleType, "db-app-role")
	role.WantInputs(t, map[string]any{"name": "article_pipeline", "login": true})
	appPassword := m.MustFind(t, passwordType, "db-app-password").Outputs["result"].SecretValue().Element.StringValue()
	if !role.IsSecretInput("password") || role.Input("password") != appPassword {
		t.Error("app role password is not its own secret generated password")
	}
	db := m.MustFind(t, pgDatabaseType, "db-app-database")
	db.WantInputs(t, map[string]any{"name": "article_pipeline", "owner": "article_pipeline"})
	if !db.Protect {
		t.Error("application database is not protected")
	}
	if !db.RetainOnDelete || !role.RetainOnDelete {
		t.Error("application database and role are dropped when removed from the program")
	}
	for _, r := range []*mock.Resource{role, db} {
		if !strings.HasPrefix(r.Provider, prov.URN+"::") {
			t.Errorf("%s uses provider %q, want %s", r.Name, r.Provider, prov.URN)
		}
		if !slices.Contains(r.DependsOn, inst.URN) {
			t.Errorf("%s does not wait for the instance", r.Name)
		}
	}

	u, pw := parseURL(t, m)
	if u.Scheme != "postgresql" || u.User.Username() != "article_pipeline" || pw != appPassword ||
		u.Hostname() != address || u.Port() != "5432" || u.Path != "/article_pipeline" {
		t.Errorf("DATABASE_URL = %s", u.Redacted())
	}
	if !strings.HasSuffix(address, ".us-west-2.rds.amazonaws.com") {
		t.Errorf("DATABASE_URL host %q is not the endpoint's DNS name", address)
	}
	outs := m.outs.Strings(t, "databaseName", "username", "masterUsername", "address", "proxyEndpoint", "identifier",
		"instanceArn")
	if outs["databaseName"] != "article_pipeline" || outs["username"] != "article_pipeline" ||
		outs["masterUsername"] != "postgres" || outs["address"] != address || outs["proxyEndpoint"] != "" ||
		outs["identifier"] != "article-pipeline-prod" ||
		outs["instanceArn"] != "arn:aws:rds:us-west-2:123456789012:db:article-pipeline-prod" {
		t.Errorf("outputs = %v", outs)
	}
}

func TestBootstrapThroughATunnel(t *testing.T) {
	t.Parallel()
	m := runWith(t, "prod", func(d *database.Settings) { d.TunnelHost, d.TunnelPort = "localhost", 15432 })
	m.MustFind(t, pgProviderType, "db-postgresql").WantInputs(t, map[string]any{"host": "localhost", "port": 15432.0})
	// The application still connects to the endpoint, not the tunnel.
	u, _ := parseURL(t, m)
	if u.Hostname() != outputOf(t, m, instanceType, "db-instance", "address") || u.Port() != "5432" {
		t.Errorf("DATABASE_URL host = %s", u.Host)
	}
}

func TestWithoutBootstrapTheMasterUserConnects(t *testing.T) {
	t.Parallel()
	m := runWith(t, "development", func(d *database.Settings) { d.Bootstrap = false })
	inst := m.MustFind(t, instanceType, "db-instance")
	inst.WantInputs(t, map[string]any{"dbName": "article_pipeline"})
	m.WantNone(t, "declared without the bootstrap", pgProviderType, pgRoleType, pgDatabaseType)
	u, pw := parseURL(t, m)
	if u.User.Username() != "postgres" || pw != inst.Input("password") || u.Path != "/article_pipeline" {
		t.Errorf("DATABASE_URL = %s", u.Redacted())
	}
}

func TestAdoptingTheRunningInstance(t *testing.T) {
	t.Parallel()
	d := database.Defaults("article-pipeline-prod")
	d.Identifier, d.FinalSnapshotIdentifier = "np-deposition-db", "np-deposition-db-final"
	d.Bootstrap, d.DatabaseName = false, "np_mrd"
	args := argsFrom(d, true)
	args.Adopt = &database.Adoption{InstanceID: "np-deposition-db", SubnetGroupName: "np-deposition-subnets"}
	args.MasterPassword = pulumi.String("the-running-password") // from secret config
	m := run(t, args)
	inst := m.MustFind(t, instanceType, "db-instance")
	if inst.Input("password") != "the-running-password" || !inst.IsSecretInput("password") {
		t.Errorf("password secret=%v, want the given password", inst.IsSecretInput("password"))
	}
	if got := m.OfType(passwordType); len(got) != 0 {
		t.Errorf("%d passwords generated for an instance with a given password", len(got))
	}
	if inst.ImportID != "np-deposition-db" || !inst.Protect {
		t.Errorf("instance import ID %q, protect %v", inst.ImportID, inst.Protect)
	}
	// db_name cannot change in place; the adopted instance keeps its database.
	inst.WantInputs(t, map[string]any{"identifier": "np-deposition-db", "dbName": nil})
	subnets := m.MustFind(t, subnetGroupType, "db-subnets")
	if subnets.ImportID != "np-deposition-subnets" || subnets.Input("name") != "np-deposition-subnets" ||
		!subnets.Protect || !subnets.RetainOnDelete {
		t.Errorf("subnet group import ID %q, name %v, protect %v, retainOnDelete %v", subnets.ImportID,
			subnets.Input("name"), subnets.Protect, subnets.RetainOnDelete)
	}
	if !inst.RetainOnDelete {
		t.Error("the imported instance is not retained on delete")
	}
	// No keep list: the adoption is closed, and the instance is managed as any.
	if !reflect.DeepEqual(inst.IgnoreChanges, []string{"dbName"}) {
		t.Errorf("closed adoption: ignoreChanges = %v, want [dbName]", inst.IgnoreChanges)
	}
	if u, pw := parseURL(t, m); u.Path != "/np_mrd" || u.User.Username() != "postgres" || pw != "the-running-password" {
		t.Errorf("DATABASE_URL = %s", u.Redacted())
	}
	if len(m.MustFind(t, sgType, "db-sg").ImportID) != 0 {
		t.Error("security group imported")
	}
}

func TestSwitchesOff(t *testing.T) {
	t.Parallel()
	m := runWith(t, "development", func(d *database.Settings) {
		d.LogExports, d.MonitoringInterval, d.PerformanceInsights, d.MultiAZ = false, 0, false, true
		d.SkipFinalSnapshot, d.DeletionProtection = true, false
	})
	inst := m.MustFind(t, instanceType, "db-instance")
	inst.WantInputs(t, map[string]any{
		"enabledCloudwatchLogsExports": nil, "monitoringInterval": 0.0, "monitoringRoleArn": nil,
		"performanceInsightsEnabled": false, "performanceInsightsRetentionPeriod": nil,
		"databaseInsightsMode": "standard", "multiAz": true, "skipFinalSnapshot": true,
		"finalSnapshotIdentifier": nil, "deletionProtection": false,
	})
	m.WantNone(t, "declared with the switch off", logGroupType, roleType, attachmentType)
}

func TestProxy(t *testing.T) {
	t.Parallel()
	m := runWith(t, "prod", func(d *database.Settings) { d.Proxy = true })
	sg := m.MustFind(t, sgType, "db-sg")
	proxy := m.MustFind(t, proxyType, "db-proxy")
	proxy.WantInputs(t, map[string]any{"name": "article-pipeline-prod-proxy", "engineFamily": "POSTGRESQL",
		"requireTls":   true,
		"vpcSubnetIds": []any{"subnet-private-a", "subnet-private-b"}, "vpcSecurityGroupIds": []any{sg.ID}})
	auths, _ := proxy.Input("auths").([]any)
	if len(auths) != 2 {
		t.Fatalf("auths = %v, want the master and app logins", auths)
	}
	for i, role := range []string{"master", "app"} {
		secret := m.MustFind(t, secretType, "db-proxy-"+role+"-secret")
		auth := auths[i].(map[string]any)
		if auth["secretArn"] != outputOf(t, m, secretType, secret.Name, "arn") || auth["authScheme"] != "SECRETS" ||
			auth["iamAuth"] != "DISABLED" {
			t.Errorf("auth %d = %v", i, auth)
		}
		value := m.MustFind(t, secretValueType, "db-proxy-"+role+"-secret-value")
		var body struct{ Username, Password string }
		if err := json.Unmarshal([]byte(value.Input("secretString").(string)), &body); err != nil {
			t.Fatal(err)
		}
		if !value.IsSecretInput("secretString") || body.Username == "" || body.Password == "" {
			t.Errorf("%s secret: secret=%v user=%q", role, value.IsSecretInput("secretString"), body.Username)
		}
	}
	policy := m.MustFind(t, "aws:iam/rolePolicy:RolePolicy", "db-proxy-policy").Input("policy").(string)
	if !strings.Contains(policy, `"secretsmanager:GetSecretValue"`) || strings.Contains(policy, `"*"`) {
		t.Errorf("proxy policy = %s", policy)
	}
	m.MustFind(t, proxyTargetType, "db-proxy-target").WantInputs(t, map[string]any{
		"targetGroupName": "default", "dbInstanceIdentifier": "article-pipeline-prod",
		"dbProxyName": "article-pipeline-prod-proxy"})
	m.MustFind(t, proxyTargetsType, "db-proxy-targets")
	m.MustFind(t, ingressType, "db-proxy-ingress").WantInputs(t, map[string]any{"referencedSecurityGroupId": sg.ID})
	m.MustFind(t, egressType, "db-proxy-egress").WantInputs(t, map[string]any{"referencedSecurityGroupId": sg.ID})

	u, _ := parseURL(t, m)
	if u.Hostname() != outputOf(t, m, proxyType, "db-proxy", "endpoint") {
		t.Errorf("DATABASE_URL host %q is not the proxy endpoint", u.Hostname())
	}
}

func TestBadArgsDeclareNothing(t *testing.T) {
	t.Parallel()
	valid := func() *database.Args { return argsFrom(database.Defaults("article-pipeline-prod"), true) }
	mock.RejectsBadArgs(t, database.NewPostgres, "db", valid, []mock.BadArgs[database.Args]{
		{Name: "nil", WantErr: `database "db": args are required`},
		{Name: "no vpc", Edit: func(a *database.Args) { a.VpcID = nil }, WantErr: "VpcID is required"},
		{Name: "no subnets", Edit: func(a *database.Args) { a.SubnetIDs = nil }, WantErr: "SubnetIDs is required"},
		{Name: "skip snapshot protected", Edit: func(a *database.Args) { a.SkipFinalSnapshot = true },
			WantErr: "SkipFinalSnapshot cannot be set on a protected database"},
		{Name: "grant without group", Edit: func(a *database.Args) {
			a.AllowedSecurityGroups = []database.Grant{{Name: "backend"}}
		}, WantErr: "AllowedSecurityGroups[0].SecurityGroupID is required"},
		{Name: "grant name", Edit: func(a *database.Args) {
			a.AllowedSecurityGroups = []database.Grant{{Name: "Back End", SecurityGroupID: pulumi.String("sg-1")}}
		}, WantErr: `AllowedSecurityGroups[0].Name "Back End" must be unique lower-case kebab-case`},
		{Name: "adopted instance under another identifier", Edit: func(a *database.Args) {
			a.Adopt = &database.Adoption{InstanceID: "np-deposition-db"}
		}, WantErr: `db.adopt.instanceId: "np-deposition-db" differs from the database identifier "article-pipeline-prod"`},
		{Name: "adopted subnet group named default", Edit: func(a *database.Args) {
			a.Adopt = &database.Adoption{SubnetGroupName: "default"}
		}, WantErr: `db.adopt.subnetGroupName: "default" is not a DB subnet group name`},
		// The settings' own rules (settings_test.go) run before anything is declared.
		{Name: "a settings rule", Edit: func(a *database.Args) { a.MonitoringInterval = 7 },
			WantErr: "db.monitoringInterval: 7 is not an enhanced-monitoring interval"},
	})
}

// TestAdoptionKeepsWhatDiffers: while the keep list names anything, the
// imported instance leaves its password and engine version alone (AWS never
// returns the password) besides the kept properties, the subnet group keeps
// the live subnets, and both are retained and protected.
func TestAdoptionKeepsWhatDiffers(t *testing.T) {
	t.Parallel()
	d := database.Defaults("article-pipeline-prod")
	d.Identifier, d.Bootstrap = "np-deposition-db", false
	args := argsFrom(d, true)
	args.Adopt = &database.Adoption{InstanceID: "np-deposition-db", SubnetGroupName: "np-deposition-subnets",
		SubnetIDs: []string{"subnet-0a1b2c3d4e5f60700", "subnet-0a1b2c3d4e5f60701", "subnet-0a1b2c3d4e5f60702"}}
	args.MasterPassword = pulumi.String("the-running-password")
	args.Keep = map[string][]string{
		"db-instance":                  {"vpcSecurityGroupIds", "backupWindow"},
		"db-subnets (rds/subnetGroup)": {"description"},
	}
	m := run(t, args)
	inst := m.MustFind(t, instanceType, "db-instance")
	want := []string{"backupWindow", "dbName", "engineVersion", "password", "vpcSecurityGroupIds"}
	if !reflect.DeepEqual(inst.IgnoreChanges, want) {
		t.Errorf("instance ignoreChanges = %v, want %v", inst.IgnoreChanges, want)
	}
	subnets := m.MustFind(t, subnetGroupType, "db-subnets")
	if !reflect.DeepEqual(subnets.IgnoreChanges, []string{"description"}) {
		t.Errorf("subnet group ignoreChanges = %v, want [description]", subnets.IgnoreChanges)
	}
	subnets.WantInputs(t, map[string]any{"subnetIds": []any{"subnet-0a1b2c3d4e5f60700", "subnet-0a1b2c3d4e5f60701",
		"subnet-0a1b2c3d4e5f60702"}})
	got := database.Imported("db", args.Adopt)
	if len(got) != 2 || got[0].Name != "db-instance" || got[1].Name != "db-subnets" ||
		!slices.Contains(got[0].Inputs, "password") || !slices.Contains(got[1].Inputs, "subnetIds") {
		t.Errorf("Imported = %+v", got)
	}
}

// TestMajorUpgradeCreatesTheNewGroupFirst changes engineVersion from 17 to 18
// as the stack file would (allowMajorUpgrade on): the parameter group's family
// changes, which replaces it. The replacement is created before the old group
// goes (no deleteBeforeReplace), the old group is retained rather than deleted
// (the instance may still use it until its maintenance window), the instance
// moves to the new group and applies the upgrade (engineVersion not ignored,
// allowMajorVersionUpgrade on), when the stack asks, immediately.
func TestMajorUpgradeCreatesTheNewGroupFirst(t *testing.T) {
	t.Parallel()
	groups := map[string]*mock.Resource{}
	for _, version := range []string{"17", "18"} {
		d := database.Defaults("article-pipeline-prod")
		d.EngineVersion = version
		d.AllowMajorUpgrade = version == "18"
		d.ApplyImmediately = version == "18"
		ignore, err := d.EnginePlan("article-pipeline:database", "17.4")
		if err != nil {
			t.Fatal(err)
		}
		args := argsFrom(d, true)
		args.IgnoreEngineVersion = ignore
		m := run(t, args)
		inst := m.MustFind(t, instanceType, "db-instance")
		params := m.MustFind(t, paramGroupType, "db-params")
		groups[version] = params
		if !params.RetainOnDelete || params.DeleteBeforeReplace {
			t.Errorf("%s: parameter group retainOnDelete %v, deleteBeforeReplace %v; want the new group created "+
				"before the old one is let go, and the old one kept", version, params.RetainOnDelete,
				params.DeleteBeforeReplace)
		}
		if inst.Input("parameterGroupName") != outputOf(t, m, paramGroupType, "db-params", "name") ||
			!slices.Contains(inst.DependsOn, params.URN) {
			t.Errorf("%s: the instance does not follow the parameter group", version)
		}
		wantIgnore := []string{"dbName", "engineVersion"}
		if version == "18" {
			wantIgnore = []string{"dbName"}
		}
		if !reflect.DeepEqual(inst.IgnoreChanges, wantIgnore) {
			t.Errorf("%s: ignoreChanges = %v, want %v", version, inst.IgnoreChanges, wantIgnore)
		}
		inst.WantInputs(t, map[string]any{"engineVersion": version, "allowMajorVersionUpgrade": version == "18",
			"applyImmediately": version == "18"})
	}
	if groups["17"].Input("family") != "postgres17" || groups["18"].Input("family") != "postgres18" {
		t.Errorf("families %v, %v", groups["17"].Input("family"), groups["18"].Input("family"))
	}
	// family forces a replacement; the group is auto-named, so the engine names
	// the replacement anew (it checks a replacement without the old name).
	if groups["18"].Input("name") != nil {
		t.Errorf("parameter group name %v is fixed; a replacement would collide with the old group",
			groups["18"].Input("name"))
	}
}

// TestTheInstanceWaitsForItsIngressRules: moving an instance onto the
// database group must not cut off what connects today, so the instance depends
// on the rules declared with it, not only on the group.
func TestTheInstanceWaitsForItsIngressRules(t *testing.T) {
	t.Parallel()
	m := runWith(t, "prod", func(d *database.Settings) { d.AllowedCIDRs = []string{"10.0.0.0/16"} })
	inst := m.MustFind(t, instanceType, "db-instance")
	for _, rule := range []string{"db-from-backend", "db-cidr-10-0-0-0-16"} {
		if !slices.Contains(inst.DependsOn, m.MustFind(t, ingressType, rule).URN) {
			t.Errorf("the instance does not depend on %s", rule)
		}
	}
}

func TestProvisionedStorage(t *testing.T) {
	t.Parallel()
	m := runWith(t, "prod", func(d *database.Settings) {
		d.StorageType, d.AllocatedStorage, d.MaxAllocatedStorage, d.Iops = "io2", 100, 1000, 3000
	})
	m.MustFind(t, instanceType, "db-instance").WantInputs(t, map[string]any{"storageType": "io2", "iops": 3000.0,
		"storageThroughput": nil})
}
