package program_test

import (
	"encoding/json"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/config"
	"github.com/np-mrd/article-pipeline-infra/internal/mock"
	"github.com/np-mrd/article-pipeline-infra/internal/synth"
	"github.com/np-mrd/article-pipeline-infra/inventory"
	"github.com/np-mrd/article-pipeline-infra/services"
)

// Whole-program tests of the database (issue 3) and the services (issue 5) over
// the committed stacks. They read values from the synthesized inventory, the
// stack outputs and the stack's parsed settings, never from golden files.

const (
	typeSecurityGroup   = "aws:ec2/securityGroup:SecurityGroup"
	typeIngressRule     = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
	typeLegacyRule      = "aws:ec2/securityGroupRule:SecurityGroupRule"
	typeECSService      = "aws:ecs/service:Service"
	typeTaskDefinition  = "aws:ecs/taskDefinition:TaskDefinition"
	typeListener        = "aws:lb/listener:Listener"
	typeWebService      = "article-pipeline:services:WebService"
	typeDatabase        = "article-pipeline:database:Postgres"
	typeBastion         = "article-pipeline:bastion:Bastion"
	prodReference       = "organization/article-pipeline/prod"
	parametersConfigKey = "article-pipeline:parameters"
	servicesConfigKey   = "article-pipeline:services"
)

// The committed stacks are synthesized once per test binary; tests only read them.
var committed = map[string]func() (*synth.Result, error){
	"prod":        sync.OnceValues(func() (*synth.Result, error) { return synth.Synthesize(projectDir, "prod") }),
	"development": sync.OnceValues(func() (*synth.Result, error) { return synth.Synthesize(projectDir, "development") }),
}

// cached returns the shared result of a committed stack; callers must not modify it.
func cached(t testing.TB, stack string) *synth.Result {
	t.Helper()
	run, ok := committed[stack]
	if !ok {
		t.Fatalf("no cached synth for stack %q", stack)
	}
	res, err := run()
	if err != nil {
		t.Fatalf("synth %s: %v", stack, err)
	}
	return res
}

func settingsOf(t *testing.T, res *synth.Result) *config.Settings {
	t.Helper()
	s, err := res.Stack.Settings()
	if err != nil {
		t.Fatalf("%s: settings: %v", res.Stack.Name, err)
	}
	return s
}

// forEachStack runs check as a parallel subtest for each committed stack, with
// its cached result and its parsed settings.
func forEachStack(t *testing.T, check func(t *testing.T, stack string, res *synth.Result, s *config.Settings)) {
	t.Helper()
	for _, stack := range []string{"prod", "development"} {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			res := cached(t, stack)
			check(t, stack, res, settingsOf(t, res))
		})
	}
}

// outputStrings reads a list-valued output as strings.
func outputStrings(t *testing.T, inv *inventory.Inventory, name string) []string {
	t.Helper()
	list, ok := inv.Outputs[name].([]any)
	if !ok {
		t.Fatalf("%s: output %s is %T, want a list", inv.Stack, name, inv.Outputs[name])
	}
	out := make([]string, len(list))
	for i, v := range list {
		out[i], _ = v.(string)
	}
	return out
}

// outputMap reads a map-valued output as strings.
func outputMap(t *testing.T, inv *inventory.Inventory, name string) map[string]string {
	t.Helper()
	m, ok := inv.Outputs[name].(map[string]any)
	if !ok {
		t.Fatalf("%s: output %s is %T, want a map", inv.Stack, name, inv.Outputs[name])
	}
	out := map[string]string{}
	for k, v := range m {
		out[k], _ = v.(string)
	}
	return out
}

func inputStrings(r inventory.Resource, path ...string) []string {
	list, _ := r.Get(path...).([]any)
	var out []string
	for _, v := range list {
		s, _ := v.(string)
		out = append(out, s)
	}
	return out
}

func number(r inventory.Resource, path ...string) float64 {
	f, _ := r.Get(path...).(float64)
	return f
}

// ingress is one inbound rule of a security group, whatever resource declared it.
type ingress struct {
	resource string
	protocol string
	from, to float64
	// source is the referenced security group ID; "" when the rule admits addresses.
	source string
	// addresses are CIDR blocks and prefix lists the rule admits.
	addresses []string
}

// ingressRules collects the rules that admit traffic into sgID: standalone
// ingress rules (what database.AllowFrom and the services declare) and
// aws:ec2/securityGroupRule rules of type ingress.
func ingressRules(inv *inventory.Inventory, sgID string) []ingress {
	var out []ingress
	for _, r := range inv.OfType(typeIngressRule) {
		if r.String("securityGroupId") != sgID {
			continue
		}
		in := ingress{resource: r.Name, protocol: r.String("ipProtocol"), from: number(r, "fromPort"),
			to: number(r, "toPort"), source: r.String("referencedSecurityGroupId")}
		for _, k := range []string{"cidrIpv4", "cidrIpv6", "prefixListId"} {
			if a := r.String(k); a != "" {
				in.addresses = append(in.addresses, a)
			}
		}
		out = append(out, in)
	}
	for _, r := range inv.OfType(typeLegacyRule) {
		if r.String("type") != "ingress" || r.String("securityGroupId") != sgID {
			continue
		}
		in := ingress{resource: r.Name, protocol: r.String("protocol"), from: number(r, "fromPort"),
			to: number(r, "toPort"), source: r.String("sourceSecurityGroupId")}
		if self, _ := r.Bool("self"); self {
			in.source = sgID
		}
		for _, k := range []string{"cidrBlocks", "ipv6CidrBlocks", "prefixListIds"} {
			in.addresses = append(in.addresses, inputStrings(r, k)...)
		}
		out = append(out, in)
	}
	return out
}

// securityGroupsUnder returns the security group resources declared by
// components of one type.
func securityGroupsUnder(inv *inventory.Inventory, parentType string) []inventory.Resource {
	var out []inventory.Resource
	for _, r := range inv.OfType(typeSecurityGroup) {
		if r.ParentType == parentType {
			out = append(out, r)
		}
	}
	return out
}

func TestDatabaseIsPrivateWithTheRunbookSettings(t *testing.T) {
	t.Parallel()
	prod := cached(t, "prod").Inventory
	prodPrivate := outputStrings(t, prod, "privateSubnetIds")
	prodPublic := outputStrings(t, prod, "publicSubnetIds")
	if len(prodPrivate) != 2 || len(prodPublic) != 2 {
		t.Fatalf("prod subnets: private %v, public %v; want two of each", prodPrivate, prodPublic)
	}
	for _, tc := range []struct {
		name    string // the stack
		protect bool
	}{
		{name: "prod", protect: true},
		{name: "development", protect: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inv := cached(t, tc.name).Inventory
			db := mustFind(t, inv, "aws:rds/instance:Instance", "database-instance")

			wantBool := map[string]bool{
				"publiclyAccessible": false, "storageEncrypted": true, "deletionProtection": true,
				"copyTagsToSnapshot": true, "multiAz": false, "performanceInsightsEnabled": true,
				"autoMinorVersionUpgrade": true, "skipFinalSnapshot": false,
			}
			for k, want := range wantBool {
				if got, set := db.Bool(k); !set || got != want {
					t.Errorf("instance %s = %v (set: %v), want %v", k, got, set, want)
				}
			}
			// Development's smaller class is its stack file's cost lever.
			class := map[string]string{"prod": "db.t3.small", "development": "db.t4g.micro"}[tc.name]
			wantString := map[string]string{
				"engine": "postgres", "engineVersion": "17", "instanceClass": class,
				"storageType": "gp2", "username": "postgres", "databaseInsightsMode": "standard",
			}
			for k, want := range wantString {
				if got := db.String(k); got != want {
					t.Errorf("instance %s = %q, want %q", k, got, want)
				}
			}
			wantNumber := map[string]float64{
				"allocatedStorage": 20, "maxAllocatedStorage": 1000, "backupRetentionPeriod": 7,
				"port": 5432, "performanceInsightsRetentionPeriod": 7, "monitoringInterval": 60,
			}
			for k, want := range wantNumber {
				if got := number(db, k); got != want {
					t.Errorf("instance %s = %v, want %v", k, db.Get(k), want)
				}
			}
			if !strings.HasPrefix(db.String("monitoringRoleArn"), "arn:aws:iam::") {
				t.Errorf("enhanced monitoring has no role: monitoringRoleArn = %q", db.String("monitoringRoleArn"))
			}
			if db.Protect != tc.protect {
				t.Errorf("instance protect = %v, want %v", db.Protect, tc.protect)
			}

			// The instance sits in the one DB subnet group, on exactly prod's private subnets.
			groups := inv.OfType("aws:rds/subnetGroup:SubnetGroup")
			if len(groups) != 1 {
				t.Fatalf("%d DB subnet groups, want 1", len(groups))
			}
			if !slices.Contains(db.DependsOn, groups[0].Name) || db.String("dbSubnetGroupName") == "" {
				t.Errorf("instance is not placed in subnet group %s: dbSubnetGroupName %q, dependsOn %v",
					groups[0].Name, db.String("dbSubnetGroupName"), db.DependsOn)
			}
			if got := inputStrings(groups[0], "subnetIds"); !slices.Equal(got, prodPrivate) {
				t.Errorf("DB subnet group subnets = %v, want prod's private subnets %v", got, prodPrivate)
			}
			for _, id := range inputStrings(groups[0], "subnetIds") {
				if slices.Contains(prodPublic, id) {
					t.Errorf("DB subnet group includes public subnet %s", id)
				}
			}

			// Its only security group is the database's own.
			sgID, _ := inv.Outputs["databaseSecurityGroupId"].(string)
			if got := inputStrings(db, "vpcSecurityGroupIds"); sgID == "" || !slices.Equal(got, []string{sgID}) {
				t.Errorf("instance security groups = %v, want only the database's %q", got, sgID)
			}
		})
	}
}

// checkDatabaseIngress asserts that the database security group admits the
// database port from the task security groups of the services with database
// access and from the bastion, and from nothing else (no address unless listed
// in database.allowedCidrs, never the internet).
func checkDatabaseIngress(t *testing.T, res *synth.Result) {
	t.Helper()
	inv := res.Inventory
	s := settingsOf(t, res)
	sgID, _ := inv.Outputs["databaseSecurityGroupId"].(string)
	if sgID == "" {
		t.Fatalf("no databaseSecurityGroupId output")
	}
	dbGroups := securityGroupsUnder(inv, typeDatabase)
	if len(dbGroups) != 1 {
		t.Fatalf("%d security groups in the database component, want 1", len(dbGroups))
	}
	if in := dbGroups[0].Get("ingress"); in != nil {
		t.Errorf("database security group %s has inline ingress %v", dbGroups[0].Name, in)
	}

	// The committed stacks list no CIDR: then no address at all may reach the port.
	if len(s.Database.AllowedCIDRs) > 0 {
		t.Errorf("database.allowedCidrs = %v; the stacks tested here admit security groups only",
			s.Database.AllowedCIDRs)
	}
	taskSGs := outputMap(t, inv, "taskSecurityGroupIds")
	allowed := map[string]string{} // security group ID -> who it belongs to
	var granted []string
	for _, name := range s.Services.Names() {
		if s.Services[name].DatabaseAccess {
			if taskSGs[name] == "" {
				t.Errorf("service %s has database access but no task security group output", name)
				continue
			}
			allowed[taskSGs[name]] = "service " + name
			granted = append(granted, name)
		}
	}
	if !slices.Contains(granted, "backend") {
		t.Errorf("backend has no database access in %s (services with access: %v)", res.Stack.Name, granted)
	}
	for _, r := range inv.OfType("aws:ec2/instance:Instance") {
		if r.ParentType == typeBastion {
			for _, id := range inputStrings(r, "vpcSecurityGroupIds") {
				allowed[id] = "bastion"
			}
		}
	}
	if s.Bastion.Enabled && !slices.Contains(slices.Collect(maps.Values(allowed)), "bastion") {
		t.Errorf("the bastion is enabled but no bastion instance security group was found")
	}

	rules := ingressRules(inv, sgID)
	admitted := map[string]bool{}
	for _, r := range rules {
		for _, a := range r.addresses {
			switch {
			case a == "0.0.0.0/0" || a == "::/0":
				t.Errorf("%s admits the internet (%s) to the database", r.resource, a)
			case !slices.Contains(s.Database.AllowedCIDRs, a):
				t.Errorf("%s admits %s, which database.allowedCidrs does not list", r.resource, a)
			}
		}
		if len(r.addresses) > 0 {
			continue
		}
		owner, ok := allowed[r.source]
		if !ok {
			t.Errorf("%s admits security group %q, which is neither a task security group of a service "+
				"with database access nor the bastion's", r.resource, r.source)
			continue
		}
		if r.protocol != "tcp" || r.from != float64(s.Database.Port) || r.to != float64(s.Database.Port) {
			t.Errorf("%s (%s) admits %s %v-%v, want tcp %d only", r.resource, owner, r.protocol, r.from, r.to,
				s.Database.Port)
		}
		admitted[r.source] = true
	}
	for id, owner := range allowed {
		if !admitted[id] {
			t.Errorf("%s (%s) is not admitted to the database", owner, id)
		}
	}
}

func TestDatabaseAdmitsOnlyGrantedSecurityGroups(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		res  func(t *testing.T) *synth.Result
	}{
		{name: "prod", res: func(t *testing.T) *synth.Result { return cached(t, "prod") }},
		{name: "development", res: func(t *testing.T) *synth.Result { return cached(t, "development") }},
		{name: "prod with the bastion", res: func(t *testing.T) *synth.Result {
			res, err := withConfig(t, "prod", func(cfg map[string]string) {
				cfg["article-pipeline:bastion"] = `{"enabled":true}`
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := res.Inventory.Find(typeIngressRule, "database-from-bastion"); !ok {
				t.Errorf("bastion enabled but no database-from-bastion rule")
			}
			return res
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkDatabaseIngress(t, tc.res(t))
		})
	}
}

// walkStrings calls fn with every string inside v.
func walkStrings(v any, fn func(string)) {
	switch t := v.(type) {
	case string:
		fn(t)
	case []any:
		for _, e := range t {
			walkStrings(e, fn)
		}
	case map[string]any:
		for _, e := range t {
			walkStrings(e, fn)
		}
	}
}

// leaks reports the inventory places (resource or output) whose values contain secret.
func leaks(inv *inventory.Inventory, secret string) []string {
	var where []string
	for _, r := range inv.Resources {
		walkStrings(r.Inputs, func(s string) {
			if strings.Contains(s, secret) {
				where = append(where, r.Type+" "+r.Name)
			}
		})
	}
	for name, v := range inv.Outputs {
		walkStrings(v, func(s string) {
			if strings.Contains(s, secret) {
				where = append(where, "output "+name)
			}
		})
	}
	return slices.Compact(slices.Sorted(slices.Values(where)))
}

// TestDatabaseURLIsSecretEverywhere never prints the URL or its password.
func TestDatabaseURLIsSecretEverywhere(t *testing.T) {
	t.Parallel()
	forEachStack(t, func(t *testing.T, stack string, res *synth.Result, s *config.Settings) {
		inv := res.Inventory
		if inv.Outputs["databaseUrl"] != inventory.Secret {
			t.Errorf("databaseUrl output is not shown as %q", inventory.Secret)
		}
		if !slices.Contains(res.SecretOutputs, "databaseUrl") {
			t.Errorf("databaseUrl is not a secret stack output (secret outputs: %v)", res.SecretOutputs)
		}

		name := "/copilot/article-pipeline/" + stack + "/secrets/DATABASE_URL"
		p := mustFind(t, inv, "aws:ssm/parameter:Parameter", "parameters-DATABASE_URL")
		if p.String("name") != name || p.String("type") != "SecureString" || p.String("value") != inventory.Secret {
			t.Errorf("DATABASE_URL parameter: name %q, type %q, value shown as %q; want %s, SecureString, %q",
				p.String("name"), p.String("type"), p.String("value"), name, inventory.Secret)
		}
		if p.String("tags", "copilot-application") != "article-pipeline" ||
			p.String("tags", "copilot-environment") != stack {
			t.Errorf("DATABASE_URL parameter tags = %v", p.Get("tags"))
		}
		if got := outputMap(t, inv, "parameterNames")["DATABASE_URL"]; got != name {
			t.Errorf("parameterNames.DATABASE_URL = %q, want %s", got, name)
		}

		// The unwrapped value: the runbook's URL for the application's own role.
		raw, ok := res.Outputs["databaseUrl"].(string)
		if !ok || raw == "" {
			t.Fatalf("databaseUrl has no resolved string value (%T)", res.Outputs["databaseUrl"])
		}
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("DATABASE_URL does not parse with net/url (error withheld: it would print the value)")
		}
		if !s.Database.Bootstrap {
			t.Fatalf("%s: database bootstrap is off; the application role is not created", stack)
		}
		address, _ := inv.Outputs["databaseAddress"].(string)
		password, hasPassword := u.User.Password()
		switch {
		case u.Scheme != "postgresql":
			t.Errorf("DATABASE_URL scheme %q, want postgresql", u.Scheme)
		case address == "" || u.Hostname() != address:
			t.Errorf("DATABASE_URL host %q, want the instance address %q", u.Hostname(), address)
		case u.Port() != "5432":
			t.Errorf("DATABASE_URL port %q, want 5432", u.Port())
		case u.Path != "/article_pipeline":
			t.Errorf("DATABASE_URL path %q, want /article_pipeline", u.Path)
		case u.User.Username() != "article_pipeline":
			t.Errorf("DATABASE_URL user %q, want the application role article_pipeline", u.User.Username())
		case !hasPassword || password == "":
			t.Errorf("DATABASE_URL carries no password")
		case u.RawQuery != "" || u.Fragment != "":
			t.Errorf("DATABASE_URL has a query or fragment; the password was not escaped")
		}
		// Neither the URL nor its password appears in plain text anywhere.
		if where := leaks(inv, raw); len(where) > 0 {
			t.Errorf("DATABASE_URL appears in plain text in %v", where)
		}
		if password != "" {
			if where := leaks(inv, password); len(where) > 0 {
				t.Errorf("the DATABASE_URL password appears in plain text in %v", where)
			}
		}
	})
}

func TestServicesPerStack(t *testing.T) {
	t.Parallel()
	prod := cached(t, "prod").Inventory
	dev := cached(t, "development").Inventory
	want := map[string][]string{
		"prod":        {"backend", "frontend", "mltool", "nertool"},
		"development": {"backend", "frontend"},
	}
	for stack, names := range want {
		inv := map[string]*inventory.Inventory{"prod": prod, "development": dev}[stack]
		var got []string
		for _, r := range inv.OfType(typeECSService) {
			got = append(got, r.Parent)
			if r.Name != r.Parent+"-service" || r.ParentType != typeWebService {
				t.Errorf("%s: ECS service %s under %s %s", stack, r.Name, r.ParentType, r.Parent)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, names) {
			t.Errorf("%s ECS services = %v, want %v", stack, got, names)
		}
	}
	for _, k := range []string{"nertoolUrl", "mltoolUrl"} {
		if _, ok := dev.Outputs[k]; ok {
			t.Errorf("development exports %s; it uses prod's tools", k)
		}
	}

	// Development's backend receives prod's tool URLs through the stack reference.
	env := containerEnvironment(t, parseContainers(t, mustFind(t, dev, typeTaskDefinition, "backend-taskdef"))[0])
	for variable, output := range map[string]string{"NER_TOOL_URL": "nertoolUrl", "ML_TOOL_URL": "mltoolUrl"} {
		want, _ := prod.Outputs[output].(string)
		if want == "" || !strings.HasPrefix(want, "https://") {
			t.Errorf("prod output %s = %q, want an https URL", output, want)
		}
		if got, ok := env[variable]; !ok || got != want {
			t.Errorf("development backend %s = %q (set: %v), want prod's %s %q", variable, got, ok, output, want)
		}
	}
}

func TestFrontendIsDeployedAfterBackend(t *testing.T) {
	t.Parallel()
	for _, stack := range []string{"prod", "development"} {
		inv := cached(t, stack).Inventory
		frontend := mustFind(t, inv, typeECSService, "frontend-service")
		mustFind(t, inv, typeECSService, "backend-service")
		if !slices.Contains(frontend.DependsOn, "backend-service") {
			t.Errorf("%s: frontend-service dependsOn %v, want backend-service in it", stack, frontend.DependsOn)
		}
		backend := mustFind(t, inv, typeECSService, "backend-service")
		if slices.Contains(backend.DependsOn, "frontend-service") {
			t.Errorf("%s: backend-service depends on frontend-service: %v", stack, backend.DependsOn)
		}
	}
}

// containerDef is the part of an ECS container definition the tests read;
// pointers tell a missing field from a false one.
type containerDef struct {
	Name         string `json:"name"`
	Image        string `json:"image"`
	PortMappings []struct {
		ContainerPort int    `json:"containerPort"`
		HostPort      int    `json:"hostPort"`
		Protocol      string `json:"protocol"`
	} `json:"portMappings"`
	Environment []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"environment"`
	Secrets []struct {
		Name      string `json:"name"`
		ValueFrom string `json:"valueFrom"`
	} `json:"secrets"`
	ReadonlyRootFilesystem *bool `json:"readonlyRootFilesystem"`
	Privileged             *bool `json:"privileged"`
	LogConfiguration       *struct {
		LogDriver string            `json:"logDriver"`
		Options   map[string]string `json:"options"`
	} `json:"logConfiguration"`
}

func parseContainers(t *testing.T, taskDef inventory.Resource) []containerDef {
	t.Helper()
	raw := taskDef.String("containerDefinitions")
	if raw == "" || raw == inventory.Secret {
		t.Fatalf("%s: containerDefinitions is %q, want readable JSON", taskDef.Name, raw)
	}
	var defs []containerDef
	if err := json.Unmarshal([]byte(raw), &defs); err != nil {
		t.Fatalf("%s: containerDefinitions: %v", taskDef.Name, err)
	}
	if len(defs) == 0 {
		t.Fatalf("%s: no container definitions", taskDef.Name)
	}
	return defs
}

func containerEnvironment(t *testing.T, c containerDef) map[string]string {
	t.Helper()
	env := map[string]string{}
	for _, e := range c.Environment {
		if _, dup := env[e.Name]; dup {
			t.Errorf("container %s sets %s twice", c.Name, e.Name)
		}
		env[e.Name] = e.Value
	}
	return env
}

func TestContainerDefinitions(t *testing.T) {
	t.Parallel()
	forEachStack(t, func(t *testing.T, stack string, res *synth.Result, s *config.Settings) {
		inv := res.Inventory
		arns := outputMap(t, inv, "parameterArns")
		repos := outputMap(t, inv, "repositoryUrls")
		taskDefs := inv.OfType(typeTaskDefinition)
		if len(taskDefs) != len(s.Services) {
			t.Errorf("%d task definitions for %d services", len(taskDefs), len(s.Services))
		}
		for _, td := range taskDefs {
			svcName := td.Parent
			svc, ok := s.Services[svcName]
			if !ok {
				t.Errorf("task definition %s belongs to %q, not a configured service", td.Name, td.Parent)
				continue
			}
			defs := parseContainers(t, td)
			if len(defs) != 1 {
				t.Errorf("%s: %d containers, want 1", td.Name, len(defs))
			}
			for _, c := range defs {
				where := td.Name + " container " + c.Name
				if c.Name != svcName {
					t.Errorf("%s: container name %q, want %q", where, c.Name, svcName)
				}
				wantImage := svc.Image
				if wantImage == "" && svc.ImageTag != "" {
					wantImage = repos[svcName] + ":" + svc.ImageTag
				}
				switch {
				case wantImage != "" && c.Image != wantImage:
					t.Errorf("%s: image %q, want %q", where, c.Image, wantImage)
				case wantImage == "" && (repos[svcName] == "" || !strings.HasPrefix(c.Image, repos[svcName]+":")):
					t.Errorf("%s: image %q is not a tag of the service's repository %q", where, c.Image,
						repos[svcName])
				}
				if len(c.PortMappings) != 1 || c.PortMappings[0].ContainerPort != svc.Port ||
					c.PortMappings[0].Protocol != "tcp" {
					t.Errorf("%s: port mappings %+v, want tcp container port %d", where, c.PortMappings, svc.Port)
				}
				if lc := c.LogConfiguration; lc == nil || lc.LogDriver != "awslogs" ||
					lc.Options["awslogs-group"] == "" || lc.Options["awslogs-region"] != s.Region ||
					lc.Options["awslogs-stream-prefix"] != svcName {
					t.Errorf("%s: log configuration %+v, want awslogs to a group in %s", where, lc, s.Region)
				}
				if c.ReadonlyRootFilesystem == nil || !*c.ReadonlyRootFilesystem {
					t.Errorf("%s: root filesystem is writable", where)
				}
				if c.Privileged != nil && *c.Privileged {
					t.Errorf("%s: privileged", where)
				}
				env := containerEnvironment(t, c)
				var secretNames []string
				for _, sec := range c.Secrets {
					secretNames = append(secretNames, sec.Name)
					if want, declared := arns[sec.Name]; !declared || sec.ValueFrom != want {
						t.Errorf("%s: secret %s valueFrom %q, want exactly the ARN of declared parameter %s (%q)",
							where, sec.Name, sec.ValueFrom, sec.Name, want)
					}
					if _, plain := env[sec.Name]; plain {
						t.Errorf("%s: %s is also a plain environment variable", where, sec.Name)
					}
				}
				slices.Sort(secretNames)
				if want := slices.Sorted(slices.Values(svc.Secrets)); !slices.Equal(secretNames, want) {
					t.Errorf("%s: secrets %v, want the configured %v", where, secretNames, want)
				}
			}
		}
	})
}

func TestTaskSecurityGroupsAdmitOnlyTheLoadBalancer(t *testing.T) {
	t.Parallel()
	forEachStack(t, func(t *testing.T, stack string, res *synth.Result, s *config.Settings) {
		inv := res.Inventory
		// Development's rules sit on prod's load balancer: its tasks admit
		// prod's load balancer group.
		owner := inv
		if s.Platform.SharedLoadBalancer {
			owner = cached(t, "prod").Inventory
		}
		albs := owner.OfType("aws:lb/loadBalancer:LoadBalancer")
		if len(albs) != 1 {
			t.Fatalf("%d load balancers, want 1", len(albs))
		}
		albSGs := inputStrings(albs[0], "securityGroups")
		if len(albSGs) != 1 || albSGs[0] == "" {
			t.Fatalf("load balancer security groups = %v, want one", albSGs)
		}
		albSG := albSGs[0]

		taskSGs := outputMap(t, inv, "taskSecurityGroupIds")
		if got, want := slices.Sorted(maps.Keys(taskSGs)), s.Services.Names(); !slices.Equal(got, want) {
			t.Errorf("taskSecurityGroupIds for %v, want %v", got, want)
		}
		for _, sg := range securityGroupsUnder(inv, typeWebService) {
			if in := sg.Get("ingress"); in != nil {
				t.Errorf("task security group %s has inline ingress %v", sg.Name, in)
			}
		}
		for _, name := range s.Services.Names() {
			sgID := taskSGs[name]
			// The group the tasks actually run in.
			ecsSvc := mustFind(t, inv, typeECSService, name+"-service")
			if got := inputStrings(ecsSvc, "networkConfiguration", "securityGroups"); sgID == "" ||
				!slices.Equal(got, []string{sgID}) {
				t.Errorf("%s tasks run in security groups %v, want only %q", name, got, sgID)
			}
			if sgID == albSG {
				t.Errorf("%s tasks share the load balancer's security group", name)
			}
			rules := ingressRules(inv, sgID)
			if len(rules) == 0 {
				t.Errorf("%s: no ingress rule admits the load balancer", name)
			}
			port := float64(s.Services[name].Port)
			for _, r := range rules {
				if r.source != albSG || len(r.addresses) > 0 {
					t.Errorf("%s: %s admits source %q / addresses %v, want only the load balancer's %s",
						name, r.resource, r.source, r.addresses, albSG)
				}
				if r.protocol != "tcp" || r.from != port || r.to != port {
					t.Errorf("%s: %s admits %s %v-%v, want tcp %v", name, r.resource, r.protocol, r.from, r.to, port)
				}
			}
		}
	})
}

func TestEveryServiceRollsBackAFailedDeployment(t *testing.T) {
	t.Parallel()
	for _, stack := range []string{"prod", "development"} {
		services := cached(t, stack).Inventory.OfType(typeECSService)
		if len(services) == 0 {
			t.Errorf("%s: no ECS services", stack)
		}
		for _, r := range services {
			enable, _ := r.Bool("deploymentCircuitBreaker", "enable")
			rollback, _ := r.Bool("deploymentCircuitBreaker", "rollback")
			if !enable || !rollback {
				t.Errorf("%s: %s deploymentCircuitBreaker = %v, want enable and rollback", stack, r.Name,
					r.Get("deploymentCircuitBreaker"))
			}
		}
	}
}

func listenersByPort(t *testing.T, inv *inventory.Inventory) map[float64]inventory.Resource {
	t.Helper()
	out := map[float64]inventory.Resource{}
	for _, r := range inv.OfType(typeListener) {
		p := number(r, "port")
		if _, dup := out[p]; dup {
			t.Errorf("%s: two listeners on port %v", inv.Stack, p)
		}
		out[p] = r
	}
	return out
}

func defaultAction(t *testing.T, l inventory.Resource) map[string]any {
	t.Helper()
	actions, _ := l.Get("defaultActions").([]any)
	if len(actions) != 1 {
		t.Fatalf("%s: %d default actions, want 1", l.Name, len(actions))
	}
	a, _ := actions[0].(map[string]any)
	return a
}

func TestListeners(t *testing.T) {
	t.Parallel()
	t.Run("prod serves HTTPS and redirects HTTP", func(t *testing.T) {
		t.Parallel()
		inv := cached(t, "prod").Inventory
		byPort := listenersByPort(t, inv)
		https, ok := byPort[443]
		if !ok {
			t.Fatal("no listener on 443")
		}
		if https.String("protocol") != "HTTPS" || https.String("sslPolicy") != "ELBSecurityPolicy-TLS13-1-2-2021-06" ||
			!strings.HasPrefix(https.String("certificateArn"), "arn:aws:acm:") {
			t.Errorf("443 listener: protocol %q, sslPolicy %q, certificate %q", https.String("protocol"),
				https.String("sslPolicy"), https.String("certificateArn"))
		}
		http, ok := byPort[80]
		if !ok {
			t.Fatal("no listener on 80")
		}
		a := defaultAction(t, http)
		redirect, _ := a["redirect"].(map[string]any)
		if http.String("protocol") != "HTTP" || a["type"] != "redirect" || redirect["statusCode"] != "HTTP_301" ||
			redirect["protocol"] != "HTTPS" || redirect["port"] != "443" {
			t.Errorf("80 listener: protocol %q, default action %v; want a 301 redirect to HTTPS:443",
				http.String("protocol"), a)
		}
		if len(byPort) != 2 {
			t.Errorf("prod listeners on ports %v, want 80 and 443", slices.Sorted(maps.Keys(byPort)))
		}
		certs := inv.OfType("aws:acm/certificate:Certificate")
		if len(certs) != 1 || certs[0].String("domainName") != "npdeposition.org" {
			t.Errorf("prod certificates = %v, want one for npdeposition.org", certs)
		}
	})
	t.Run("development serves HTTPS on prod's listener", func(t *testing.T) {
		t.Parallel()
		inv := cached(t, "development").Inventory
		prod := cached(t, "prod").Inventory
		for _, typ := range []string{typeListener, "aws:lb/loadBalancer:LoadBalancer"} {
			if n := len(inv.OfType(typ)); n != 0 {
				t.Errorf("development declares %d %s; it uses prod's", n, typ)
			}
		}
		// Prod's own rules are on its HTTPS listener: the one it exports.
		httpsARN, _ := prod.Outputs["httpsListenerArn"].(string)
		prodRule := mustFind(t, prod, "aws:lb/listenerRule:ListenerRule", "backend-rule")
		if httpsARN == "" || httpsARN != prodRule.String("listenerArn") {
			t.Fatalf("prod exports httpsListenerArn %q; its rules are on %q", httpsARN, prodRule.String("listenerArn"))
		}
		cert := mustFind(t, inv, "aws:acm/certificate:Certificate", "web-cert")
		lc := mustFind(t, inv, "aws:lb/listenerCertificate:ListenerCertificate", "web-listener-cert")
		if cert.String("domainName") != "development.npdeposition.org" || lc.String("listenerArn") != httpsARN {
			t.Errorf("certificate %s on listener %s; want development.npdeposition.org on prod's %s",
				cert.String("domainName"), lc.String("listenerArn"), httpsARN)
		}
		prodPriorities := map[float64]string{}
		for _, r := range prod.OfType("aws:lb/listenerRule:ListenerRule") {
			prodPriorities[number(r, "priority")] = r.Name
		}
		rules := inv.OfType("aws:lb/listenerRule:ListenerRule")
		if len(rules) != 2 {
			t.Errorf("development has %d rules, want the backend's and the frontend's", len(rules))
		}
		for _, r := range rules {
			var hosts []string
			if conds, _ := r.Get("conditions").([]any); len(conds) > 0 {
				h, _ := conds[0].(map[string]any)["hostHeader"].(map[string]any)
				values, _ := h["values"].([]any)
				for _, v := range values {
					hosts = append(hosts, v.(string))
				}
			}
			p := number(r, "priority")
			if r.String("listenerArn") != httpsARN || !slices.Equal(hosts, []string{"development.npdeposition.org"}) {
				t.Errorf("rule %s: listener %s, hosts %v; want prod's HTTPS listener, development's host only", r.Name,
					r.String("listenerArn"), hosts)
			}
			// Ahead of every prod rule (none of which names a host), and never
			// on one of their priorities.
			if other, taken := prodPriorities[p]; taken || p >= slices.Min(slices.Collect(maps.Keys(prodPriorities))) {
				t.Errorf("rule %s: priority %v (prod's %q), want below all of prod's %v", r.Name, p, other,
					slices.Sorted(maps.Keys(prodPriorities)))
			}
		}
		if base, _ := inv.Outputs["baseUrl"].(string); base != "https://development.npdeposition.org" {
			t.Errorf("development baseUrl = %q", base)
		}
		// Only a load balancer's owner exports what sharing it needs.
		for _, k := range []string{"httpsListenerArn", "loadBalancerSecurityGroupId", "loadBalancerZoneId"} {
			if _, ok := inv.Outputs[k]; ok {
				t.Errorf("development exports %s", k)
			}
			if v, _ := prod.Outputs[k].(string); v == "" {
				t.Errorf("prod does not export %s", k)
			}
		}
	})
	t.Run("a stack without a domain has plain HTTP only", func(t *testing.T) {
		t.Parallel()
		res, err := withConfig(t, "development", func(cfg map[string]string) {
			// A fresh account with only development: its own VPC and load balancer.
			delete(cfg, "article-pipeline:sharedStack")
			delete(cfg, "article-pipeline:domain")
			cfg["article-pipeline:platform"] = `{"sharedLoadBalancer":false}`
		})
		if err != nil {
			t.Fatal(err)
		}
		inv := res.Inventory
		for _, r := range inv.OfType(typeListener) {
			if r.String("protocol") != "HTTP" || number(r, "port") != 80 {
				t.Errorf("listener %s: %s on %v, want only HTTP on 80", r.Name, r.String("protocol"), r.Get("port"))
			}
			if a := defaultAction(t, r); a["type"] == "redirect" {
				t.Errorf("listener %s redirects (%v) although there is no HTTPS listener", r.Name, a)
			}
		}
		if n := len(inv.OfType(typeListener)); n != 1 {
			t.Errorf("%d listeners, want 1", n)
		}
		for _, typ := range []string{"aws:acm/certificate:Certificate", "aws:acm/certificateValidation:CertificateValidation"} {
			if n := len(inv.OfType(typ)); n != 0 {
				t.Errorf("%d %s without a domain", n, typ)
			}
		}
		if base, _ := inv.Outputs["baseUrl"].(string); !strings.HasPrefix(base, "http://") {
			t.Errorf("baseUrl = %q, want http://", base)
		}
	})
}

// parsePolicy reads the statements of an IAM policy document.
func parsePolicy(t *testing.T, where, doc string) []mock.PolicyStatement {
	t.Helper()
	return mock.ParsePolicy(t, where, doc).Statement
}

// touches reports whether an IAM action pattern can match an action of service
// (ssm, s3): "*", "ssm:*", "s3:Get*" do; "ssmmessages:*" does not.
func touches(action, service string) bool {
	a := strings.ToLower(action)
	return a == "*" || strings.HasPrefix(a, service+":")
}

func roleNameFromARN(arn string) string {
	return arn[strings.LastIndex(arn, "/")+1:]
}

func TestServiceRolePoliciesNameTheirSSMAndS3Resources(t *testing.T) {
	t.Parallel()
	forEachStack(t, func(t *testing.T, stack string, res *synth.Result, s *config.Settings) {
		inv := res.Inventory
		params := slices.Collect(maps.Values(outputMap(t, inv, "parameterArns")))
		var bucketResources []string
		for _, arn := range outputMap(t, inv, "bucketArns") {
			bucketResources = append(bucketResources, arn, arn+"/*")
		}

		// The roles the task definitions run with, by role name.
		roles := map[string]string{} // role name -> "<service> execution|task role"
		for _, td := range inv.OfType(typeTaskDefinition) {
			for field, kind := range map[string]string{"executionRoleArn": "execution", "taskRoleArn": "task"} {
				arn := td.String(field)
				if !strings.HasPrefix(arn, "arn:aws:iam::") {
					t.Errorf("%s: %s = %q", td.Name, field, arn)
					continue
				}
				roles[roleNameFromARN(arn)] = td.Parent + " " + kind + " role"
			}
		}
		if len(roles) != 2*len(s.Services) {
			t.Errorf("%d distinct task and execution roles for %d services, want two each", len(roles), len(s.Services))
		}
		// A role is referenced by name or by ARN.
		attached := func(role string) (string, bool) {
			who, ok := roles[roleNameFromARN(role)]
			return who, ok
		}

		policies := map[string]int{}
		secretReads := map[string][]string{} // service -> ssm resources of its execution role
		for _, rp := range inv.OfType("aws:iam/rolePolicy:RolePolicy") {
			who, ok := attached(rp.String("role"))
			if !ok {
				continue
			}
			policies[who]++
			for _, st := range parsePolicy(t, rp.Name, rp.String("policy")) {
				if st.Effect != "Allow" {
					continue // a Deny on "*" (DenyIAM) grants nothing
				}
				if len(st.NotActions()) > 0 || len(st.NotResources()) > 0 {
					t.Errorf("%s (%s) statement %q allows by NotAction/NotResource", rp.Name, who, st.Sid)
				}
				for _, action := range st.Actions() {
					for _, svc := range []string{"ssm", "s3"} {
						if !touches(action, svc) {
							continue
						}
						for _, r := range st.Resources() {
							if strings.Contains(r, "*") && !slices.Contains(bucketResources, r) {
								t.Errorf("%s (%s) allows %s on %q", rp.Name, who, action, r)
							}
							if svc == "ssm" && !slices.Contains(params, r) {
								t.Errorf("%s (%s) allows %s on %q, not a parameter of this stack", rp.Name,
									who, action, r)
							}
							if svc == "s3" && !slices.Contains(bucketResources, r) {
								t.Errorf("%s (%s) allows %s on %q, not a bucket of this stack", rp.Name, who,
									action, r)
							}
							if svc == "ssm" && strings.HasSuffix(who, " execution role") {
								secretReads[strings.Fields(who)[0]] = append(secretReads[strings.Fields(who)[0]], r)
							}
						}
					}
				}
			}
		}
		for _, a := range inv.OfType("aws:iam/rolePolicyAttachment:RolePolicyAttachment") {
			if who, ok := attached(a.String("role")); ok {
				t.Errorf("%s has managed policy %q attached, which this test cannot inspect", who,
					a.String("policyArn"))
			}
		}
		for _, r := range inv.OfType("aws:iam/role:Role") {
			if r.ParentType != typeWebService {
				continue
			}
			for _, k := range []string{"inlinePolicies", "managedPolicyArns"} {
				if v := r.Get(k); v != nil {
					t.Errorf("%s declares %s %v outside the inspected role policies", r.Name, k, v)
				}
			}
		}
		for role, who := range roles {
			if policies[who] == 0 {
				t.Errorf("%s (%s) has no policy", who, role)
			}
		}
		// Non-vacuous: the execution role reads exactly the service's parameters.
		arns := outputMap(t, inv, "parameterArns")
		for _, name := range s.Services.Names() {
			var want []string
			for _, p := range s.Services[name].Secrets {
				want = append(want, arns[p])
			}
			slices.Sort(want)
			got := slices.Sorted(slices.Values(secretReads[name]))
			if !slices.Equal(got, want) {
				t.Errorf("%s execution role reads parameters %v, want %v", name, got, want)
			}
		}
	})
}

var parametersVersion = regexp.MustCompile(`^[0-9a-f]{16}$`)

// TestParametersVersionMarksServicesThatReadSecrets: every service with secrets
// carries PARAMETERS_VERSION, the others do not, and two runs of the same
// inputs give the same value (no spurious roll). Under the mocks every SSM
// parameter has version 1, so a changed value (a new version) cannot be
// simulated here; TestChangedParametersRollTheServicesThatReadThem covers a
// changed parameter set, and the services package tests the digest itself.
func TestParametersVersionMarksServicesThatReadSecrets(t *testing.T) {
	t.Parallel()
	forEachStack(t, func(t *testing.T, stack string, first *synth.Result, s *config.Settings) {
		again := synthesize(t, stack)
		withSecrets := 0
		for _, name := range s.Services.Names() {
			td := name + "-taskdef"
			env := containerEnvironment(t, parseContainers(t, mustFind(t, first.Inventory, typeTaskDefinition, td))[0])
			v, set := env[services.SecretsVersionVariable]
			if len(s.Services[name].Secrets) == 0 {
				if set {
					t.Errorf("%s reads no secrets but sets %s", name, services.SecretsVersionVariable)
				}
				continue
			}
			withSecrets++
			if !parametersVersion.MatchString(v) {
				t.Errorf("%s: %s = %q (set: %v), want a 16-digit hex digest", name, services.SecretsVersionVariable,
					v, set)
			}
			env2 := containerEnvironment(t, parseContainers(t, mustFind(t, again.Inventory, typeTaskDefinition, td))[0])
			if env2[services.SecretsVersionVariable] != v {
				t.Errorf("%s: %s differs between two runs of the same config: %q then %q", name,
					services.SecretsVersionVariable, v, env2[services.SecretsVersionVariable])
			}
		}
		if withSecrets == 0 {
			t.Errorf("no service of %s reads a secret", stack)
		}
	})
}

// TestChangedParametersRollTheServicesThatReadThem adds a secret parameter the
// backend reads: the backend's task definition changes (a new secret and a new
// PARAMETERS_VERSION), the frontend's, which reads no parameter, does not.
// withConfig cannot mark a key secret, and a plain parameter value is rejected,
// so the stack is loaded and run here with the key in SecretKeys.
func TestChangedParametersRollTheServicesThatReadThem(t *testing.T) {
	t.Parallel()
	const value = "mailgun-test-value-4c1e9a" // distinctive, to find leaks
	forEachStack(t, func(t *testing.T, stack string, unchanged *synth.Result, _ *config.Settings) {
		base := unchanged.Inventory
		res, err := runStack(t, stack, func(st *synth.Stack) {
			st.Config[parametersConfigKey] = `{"MAILGUN_API_KEY":"` + value + `"}`
			st.SecretKeys = append(st.SecretKeys, parametersConfigKey)
			st.Config[servicesConfigKey] = `{"backend":{"secrets":["DATABASE_URL","MAILGUN_API_KEY"]}}`
		})
		if err != nil {
			t.Fatal(err)
		}
		inv := res.Inventory

		p := mustFind(t, inv, "aws:ssm/parameter:Parameter", "parameters-MAILGUN_API_KEY")
		name := "/copilot/article-pipeline/" + stack + "/secrets/MAILGUN_API_KEY"
		if p.String("name") != name || p.String("type") != "SecureString" || p.String("value") != inventory.Secret {
			t.Errorf("MAILGUN_API_KEY parameter: name %q, type %q, value shown as %q", p.String("name"),
				p.String("type"), p.String("value"))
		}
		if where := leaks(inv, value); len(where) > 0 {
			t.Errorf("the parameter value appears in plain text in %v", where)
		}
		arn := outputMap(t, inv, "parameterArns")["MAILGUN_API_KEY"]
		if !strings.HasSuffix(arn, ":parameter"+name) {
			t.Errorf("parameterArns.MAILGUN_API_KEY = %q", arn)
		}

		before := mustFind(t, base, typeTaskDefinition, "backend-taskdef")
		after := mustFind(t, inv, typeTaskDefinition, "backend-taskdef")
		if before.String("containerDefinitions") == after.String("containerDefinitions") {
			t.Fatal("backend task definition unchanged by a new parameter it reads")
		}
		c := parseContainers(t, after)[0]
		found := false
		for _, sec := range c.Secrets {
			if sec.Name == "MAILGUN_API_KEY" {
				found = sec.ValueFrom == arn
			}
		}
		if !found {
			t.Errorf("backend secrets %+v lack MAILGUN_API_KEY from %q", c.Secrets, arn)
		}
		oldVersion := containerEnvironment(t, parseContainers(t, before)[0])[services.SecretsVersionVariable]
		newVersion := containerEnvironment(t, c)[services.SecretsVersionVariable]
		if !parametersVersion.MatchString(newVersion) || newVersion == oldVersion {
			t.Errorf("backend %s %q -> %q, want a new digest", services.SecretsVersionVariable, oldVersion, newVersion)
		}
		if b, a := mustFind(t, base, typeTaskDefinition, "frontend-taskdef"), mustFind(t, inv, typeTaskDefinition,
			"frontend-taskdef"); b.String("containerDefinitions") != a.String("containerDefinitions") {
			t.Errorf("frontend task definition changed though the frontend reads no parameter")
		}
	})
}

// TestAliasRecordsWaitForTheCutOver: with domain.aliasRecords false (Copilot
// still serves the domain) the certificate is issued but no name is pointed at
// the new load balancer.
func TestAliasRecordsWaitForTheCutOver(t *testing.T) {
	t.Parallel()
	aliases := func(cfg func(map[string]string)) (alias, validation int) {
		res, err := withConfig(t, "prod", cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Inventory.OfType("aws:route53/record:Record") {
			if r.Get("aliases") != nil {
				alias++
			} else {
				validation++
			}
		}
		return alias, validation
	}
	if a, v := aliases(func(map[string]string) {}); a == 0 || v != 1 {
		t.Errorf("committed prod: %d alias and %d validation records; want some and 1", a, v)
	}
	if a, v := aliases(func(cfg map[string]string) {
		cfg["article-pipeline:domain"] = `{"name":"npdeposition.org","aliasRecords":false}`
	}); a != 0 || v != 1 {
		t.Errorf("aliasRecords false: %d alias and %d validation records; want 0 and 1", a, v)
	}
}
