package services

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ssm"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/internal/mock"
	"github.com/np-mrd/article-pipeline-infra/inventory"
)

const (
	tService       = "aws:ecs/service:Service"
	tTaskDef       = "aws:ecs/taskDefinition:TaskDefinition"
	tListener      = "aws:lb/listener:Listener"
	tRolePolicy    = "aws:iam/rolePolicy:RolePolicy"
	tRole          = "aws:iam/role:Role"
	tIngress       = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
	tEgress        = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
	tSG            = "aws:ec2/securityGroup:SecurityGroup"
	tRepo          = "aws:ecr/repository:Repository"
	tLifecycle     = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
	tLogGroup      = "aws:cloudwatch/logGroup:LogGroup"
	tCert          = "aws:acm/certificate:Certificate"
	tRecord        = "aws:route53/record:Record"
	tLB            = "aws:lb/loadBalancer:LoadBalancer"
	tCluster       = "aws:ecs/cluster:Cluster"
	tTargetGroup   = "aws:lb/targetGroup:TargetGroup"
	tRule          = "aws:lb/listenerRule:ListenerRule"
	tScaleTarget   = "aws:appautoscaling/target:Target"
	tScalePolicy   = "aws:appautoscaling/policy:Policy"
	tEndpoint      = "aws:ec2/vpcEndpoint:VpcEndpoint"
	tCertValidated = "aws:acm/certificateValidation:CertificateValidation"

	databaseURLARN = "arn:aws:ssm:us-west-2:123456789012:parameter/copilot/article-pipeline/prod/secrets/DATABASE_URL"
	mailgunARN     = "arn:aws:ssm:us-west-2:123456789012:parameter/copilot/article-pipeline/prod/secrets/MAILGUN_KEY"
	depositionARN  = "arn:aws:s3:::article-pipeline-deposition-prod"
)

// fixture is one run of a Platform with a backend and a frontend.
type fixture struct {
	domain    *DomainSettings
	hosts     []string
	endpoints []string
	// platform changes the platform's args before it is declared; the
	// services get its Spot and working-hours settings.
	platform func(*PlatformArgs)
	// accessLogs is the log bucket's name ("": no access logs).
	accessLogs string
	backend    func(*WebServiceArgs)
	frontend   func(*WebServiceArgs)
}

type result struct {
	m    *mock.Monitor
	urls map[string]string
}

func (f fixture) run(t *testing.T) result {
	t.Helper()
	var outs mock.Outputs
	m := mock.MustRun(t, mock.Options{Stack: "prod"}, func(ctx *pulumi.Context) error {
		pa := &PlatformArgs{
			PlatformSettings: PlatformSettings{ContainerInsights: true, LoadBalancerDeletionProtection: true,
				PrivateTasks: len(f.endpoints) > 0, InterfaceEndpoints: f.endpoints},
			VpcID:            pulumi.String("vpc-0123456789abcdef0"),
			PublicSubnetIDs:  pulumi.ToStringArray([]string{"subnet-a", "subnet-b"}),
			PrivateSubnetIDs: pulumi.ToStringArray([]string{"subnet-c", "subnet-d"}),
			Domain:           f.domain,
			HostNames:        f.hosts,
			AccessLogsBucket: accessLogs(f.accessLogs),
		}
		if f.platform != nil {
			f.platform(pa)
		}
		p, err := NewPlatform(ctx, "web", pa)
		if err != nil {
			return err
		}
		outs.Capture("alb", p.LoadBalancerDNSName)
		outs.Capture("albSuffix", p.LoadBalancerARNSuffix)
		base := func() WebServiceArgs {
			a := WebServiceArgs{
				Settings:                    Base(),
				ClusterARN:                  p.ClusterARN,
				ClusterName:                 p.ClusterName,
				ListenerARN:                 p.ListenerARN,
				LoadBalancerSecurityGroupID: p.LoadBalancerSecurityGroupID,
				BaseURL:                     p.BaseURL,
				VpcID:                       pulumi.String("vpc-0123456789abcdef0"),
				SubnetIDs:                   pulumi.ToStringArray([]string{"subnet-a", "subnet-b"}),
				AssignPublicIP:              true,
				FargateSpot:                 pa.FargateSpot,
				WorkingHours:                pa.WorkingHours,
			}
			if len(f.endpoints) > 0 {
				a.EndpointSecurityGroupID = p.EndpointSecurityGroupID
			}
			return a
		}
		// service declares a web service with args a, changed by edit, and
		// captures its URL.
		service := func(name string, a WebServiceArgs, edit func(*WebServiceArgs)) (*WebService, error) {
			if edit != nil {
				edit(&a)
			}
			svc, err := NewWebService(ctx, name, &a)
			if err == nil {
				outs.Capture(name, svc.URL)
			}
			return svc, err
		}
		b := base()
		b.Family = "article-pipeline-prod-backend"
		b.ImageTag = "v1"
		b.Port = 8000
		b.Paths = []string{"/api/*", "/admin/*"}
		b.Priority = 100
		b.Environment = map[string]string{"DJANGO_DEBUG": "False", "ALLOWED_HOSTS": "*"}
		b.Secrets = []string{"DATABASE_URL", "MAILGUN_KEY"}
		b.SecretARNs = map[string]pulumi.StringInput{
			"MAILGUN_KEY":  pulumi.String(mailgunARN),
			"DATABASE_URL": pulumi.String(databaseURLARN),
		}
		// A parameter's version as the parameters component reports it.
		param, err := ssm.NewParameter(ctx, "database-url", &ssm.ParameterArgs{
			Type: pulumi.String("SecureString"), Value: pulumi.String("postgresql://x")})
		if err != nil {
			return err
		}
		b.SecretsVersion = SecretsVersion(pulumi.IntMap{"DATABASE_URL": param.Version, "MAILGUN_KEY": pulumi.Int(3),
			"UNUSED": pulumi.Int(7)}, []string{"DATABASE_URL", "MAILGUN_KEY"})
		b.Buckets = map[string]Access{"deposition": AccessReadWrite}
		b.BucketGrants = map[string]BucketGrant{"deposition": {
			Variable: "COMPOUND_BUCKET_V3", Name: pulumi.String("article-pipeline-deposition-prod"),
			ARN: pulumi.String(depositionARN), Access: AccessReadWrite,
		}}
		b.DatabasePort = 5432
		b.DatabaseSecurityGroupID = pulumi.String("sg-0database000000000")
		b.Autoscaling = &Autoscaling{Min: 1, Max: 4, CPUTarget: 70}
		backend, err := service("backend", b, f.backend)
		if err != nil {
			return err
		}
		outs.Capture("backendRepo", backend.RepositoryURL)

		fr := base()
		fr.Family = "article-pipeline-prod-frontend"
		fr.Port = 3000
		fr.Paths = []string{"/*"}
		fr.Priority = 50000
		fr.DependsOn = []string{"backend"}
		fr.After = []*WebService{backend}
		fr.LinkedEnvironment = map[string]pulumi.StringInput{"API_URL": backend.URL}
		_, err = service("frontend", fr, f.frontend)
		return err
	})
	return result{m: m, urls: outs.Strings(t, "alb", "albSuffix", "backend", "backendRepo", "frontend")}
}

// wantURLs fails t for each output (alb, albSuffix, backend, backendRepo,
// frontend) that is not the one in want.
func (r result) wantURLs(t *testing.T, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got := r.urls[k]; got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

func (r result) find(t *testing.T, typ, name string) *mock.Resource {
	t.Helper()
	return r.m.MustFind(t, typ, name)
}

func prodDomain() *DomainSettings {
	d := DefaultDomain()
	d.Name = "npdeposition.org"
	return &d
}

type parsedContainer struct {
	Name         string
	Image        string
	CPU          *int
	Essential    bool
	PortMappings []struct {
		ContainerPort, HostPort int
		Protocol                string
	}
	Environment []struct{ Name, Value string }
	Secrets     []struct{ Name, ValueFrom string }
	MountPoints []struct {
		SourceVolume, ContainerPath string
		ReadOnly                    bool
	}
	VolumesFrom            []any
	SystemControls         []any
	ReadonlyRootFilesystem bool
	Privileged             *bool
	User                   *string
	LogConfiguration       struct {
		LogDriver string
		Options   map[string]string
	}
}

func containers(t *testing.T, td *mock.Resource) []parsedContainer {
	t.Helper()
	raw, _ := td.Input("containerDefinitions").(string)
	var out []parsedContainer
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		t.Fatalf("containerDefinitions %q: %v", raw, err)
	}
	if len(out) != 1 {
		t.Fatalf("%d containers, want 1", len(out))
	}
	return out
}

func TestContainerDefinition(t *testing.T) {
	t.Parallel()
	r := fixture{domain: prodDomain()}.run(t)
	td := r.find(t, tTaskDef, "backend-taskdef")
	c := containers(t, td)[0]
	repoURL := r.urls["backendRepo"]
	if !strings.HasPrefix(repoURL, "123456789012.dkr.ecr.us-west-2.amazonaws.com/") {
		t.Fatalf("repository URL = %q", repoURL)
	}
	if c.Name != "backend" || c.Image != repoURL+":v1" || !c.Essential || c.CPU == nil || *c.CPU != 0 {
		t.Errorf("name/image/essential/cpu = %q %q %v %v", c.Name, c.Image, c.Essential, c.CPU)
	}
	if len(c.PortMappings) != 1 || c.PortMappings[0].ContainerPort != 8000 || c.PortMappings[0].HostPort != 8000 ||
		c.PortMappings[0].Protocol != "tcp" {
		t.Errorf("portMappings = %+v", c.PortMappings)
	}
	logGroup := r.find(t, tLogGroup, "backend-logs")
	if c.LogConfiguration.LogDriver != "awslogs" ||
		c.LogConfiguration.Options["awslogs-group"] != mock.Plain(logGroup.Outputs["name"], false) ||
		c.LogConfiguration.Options["awslogs-region"] != "us-west-2" ||
		c.LogConfiguration.Options["awslogs-stream-prefix"] != "backend" || len(c.LogConfiguration.Options) != 3 {
		t.Errorf("logConfiguration = %+v", c.LogConfiguration)
	}
	if got := logGroup.Input("retentionInDays"); got != 30.0 {
		t.Errorf("log retention = %v, want 30", got)
	}
	if !c.ReadonlyRootFilesystem || c.Privileged == nil || *c.Privileged || c.User != nil {
		t.Errorf("readonlyRootFilesystem/privileged/user = %v %v %v", c.ReadonlyRootFilesystem, c.Privileged, c.User)
	}
	if c.VolumesFrom == nil || len(c.VolumesFrom) != 0 || c.SystemControls == nil || len(c.SystemControls) != 0 {
		t.Errorf("volumesFrom/systemControls must be present and empty: %v %v", c.VolumesFrom, c.SystemControls)
	}
	if len(c.MountPoints) != 1 || c.MountPoints[0].ContainerPath != "/tmp" || c.MountPoints[0].SourceVolume != "tmp" ||
		c.MountPoints[0].ReadOnly {
		t.Errorf("mountPoints = %+v", c.MountPoints)
	}
	vols, _ := td.Input("volumes").([]any)
	if len(vols) != 1 || vols[0].(map[string]any)["name"] != "tmp" {
		t.Errorf("volumes = %v", vols)
	}
	// Secrets: exactly the given parameter ARNs, sorted by name.
	wantSecrets := []struct{ Name, ValueFrom string }{
		{"DATABASE_URL", databaseURLARN}, {"MAILGUN_KEY", mailgunARN},
	}
	if !slices.Equal(c.Secrets, wantSecrets) {
		t.Errorf("secrets = %+v, want %+v", c.Secrets, wantSecrets)
	}
	// Environment sorted by name, with the bucket's name and the secrets digest;
	// no secret value in plain environment (Security Hub ECS.8).
	var names []string
	env := map[string]string{}
	for _, e := range c.Environment {
		names = append(names, e.Name)
		env[e.Name] = e.Value
	}
	if want := []string{"ALLOWED_HOSTS", "COMPOUND_BUCKET_V3", "DJANGO_DEBUG", "PARAMETERS_VERSION"}; !slices.Equal(names, want) {
		t.Errorf("environment names = %v, want %v", names, want)
	}
	wantVersion, err := secretsDigest(map[string]int{"DATABASE_URL": 1, "MAILGUN_KEY": 3}, []string{"DATABASE_URL", "MAILGUN_KEY"})
	if err != nil {
		t.Fatal(err)
	}
	if env["COMPOUND_BUCKET_V3"] != "article-pipeline-deposition-prod" || env["PARAMETERS_VERSION"] != wantVersion {
		t.Errorf("environment = %v", env)
	}
	for k, want := range map[string]any{
		"family": "article-pipeline-prod-backend", "cpu": "256", "memory": "512", "networkMode": "awsvpc",
	} {
		if got := td.Input(k); got != want {
			t.Errorf("task definition %s = %v, want %v", k, got, want)
		}
	}
	if got := td.Input("requiresCompatibilities"); !slices.Equal(got.([]any), []any{"FARGATE"}) {
		t.Errorf("requiresCompatibilities = %v", got)
	}
	rp, _ := td.Input("runtimePlatform").(map[string]any)
	if rp["operatingSystemFamily"] != "LINUX" || rp["cpuArchitecture"] != "X86_64" {
		t.Errorf("runtimePlatform = %v", rp)
	}
	// The frontend gets the backend's URL from its output.
	fc := containers(t, r.find(t, tTaskDef, "frontend-taskdef"))[0]
	if len(fc.Environment) != 1 || fc.Environment[0].Name != "API_URL" ||
		fc.Environment[0].Value != "https://npdeposition.org/api/" || fc.Secrets != nil {
		t.Errorf("frontend environment/secrets = %+v %+v", fc.Environment, fc.Secrets)
	}
}

func TestContainerDefinitionIsDeterministic(t *testing.T) {
	t.Parallel()
	c := container{Name: "backend", Image: "repo:v1", Port: 8000,
		Environment:   map[string]string{"B": "2", "A": "1", "C": "3"},
		Secrets:       map[string]string{"Z": "arn:z", "Y": "arn:y"},
		WritablePaths: []string{"/var/cache", "/tmp"}, LogGroup: "g", Region: "us-west-2"}
	first, err := containerDefinitions(c)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		again, err := containerDefinitions(c)
		if err != nil || again != first {
			t.Fatalf("second rendering differs:\n%s\n%s", first, again)
		}
	}
	for _, want := range []string{`"mountPoints":[{"sourceVolume":"tmp","containerPath":"/tmp","readOnly":false},` +
		`{"sourceVolume":"var-cache","containerPath":"/var/cache","readOnly":false}]`,
		`"environment":[{"name":"A","value":"1"},{"name":"B","value":"2"},{"name":"C","value":"3"}]`,
		`"secrets":[{"name":"Y","valueFrom":"arn:y"},{"name":"Z","valueFrom":"arn:z"}]`,
		`"volumesFrom":[]`, `"systemControls":[]`, `"cpu":0`, `"essential":true`} {
		if !strings.Contains(first, want) {
			t.Errorf("rendering lacks %s:\n%s", want, first)
		}
	}
	c.Environment["Y"] = "plain"
	if _, err := containerDefinitions(c); err == nil || !strings.Contains(err.Error(), "Y is both") {
		t.Errorf("err = %v, want a clash on Y", err)
	}
}

func policy(t *testing.T, r *mock.Resource, key string) mock.PolicyDocument {
	t.Helper()
	return mock.ParsePolicy(t, r.Name+" "+key, r.Input(key))
}

func TestPolicies(t *testing.T) {
	t.Parallel()
	r := fixture{domain: prodDomain(), frontend: func(a *WebServiceArgs) { a.ExecuteCommand = true }}.run(t)
	repo := r.find(t, tRepo, "backend-repo")
	repoARN := mock.Plain(repo.Outputs["arn"], false)
	logARN := mock.Plain(r.find(t, tLogGroup, "backend-logs").Outputs["arn"], false).(string)

	type stmt struct {
		effect    string
		actions   []string
		resources []string
	}
	statements := func(name string) map[string]stmt {
		out := map[string]stmt{}
		for _, s := range policy(t, r.find(t, tRolePolicy, name), "policy").Statement {
			effect := s.Effect
			out[s.Sid] = stmt{effect, inventory.AsStrings(s.Action), inventory.AsStrings(s.Resource)}
		}
		return out
	}
	// wantStatements: the policy has exactly these statements, by Sid.
	wantStatements := func(name string, want map[string]stmt) {
		t.Helper()
		got := statements(name)
		for sid, w := range want {
			g := got[sid]
			if g.effect != w.effect || !slices.Equal(g.actions, w.actions) || !slices.Equal(g.resources, w.resources) {
				t.Errorf("%s %s = %+v, want %+v", name, sid, g, w)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s statements = %v", name, got)
		}
	}
	wantStatements("backend-execution-policy", map[string]stmt{
		"AuthorizeRegistry": {"Allow", []string{"ecr:GetAuthorizationToken"}, []string{"*"}},
		"PullImage": {"Allow", []string{"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage",
			"ecr:GetDownloadUrlForLayer"}, []string{repoARN.(string)}},
		"WriteLogs": {"Allow", []string{"logs:CreateLogStream", "logs:PutLogEvents"},
			[]string{logARN + ":log-stream:*"}},
		"ReadSecrets": {"Allow", []string{"ssm:GetParameters"}, []string{databaseURLARN, mailgunARN}},
	})
	wantStatements("backend-task-policy", map[string]stmt{
		"DenyIAM":        {"Deny", []string{"iam:*"}, []string{"*"}},
		"ListDeposition": {"Allow", []string{"s3:ListBucket"}, []string{depositionARN}},
		"ObjectsDeposition": {"Allow", []string{"s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject",
			"s3:PutObject"}, []string{depositionARN + "/*"}},
	})
	// The frontend reads no secret, so its execution role reads no parameter;
	// ECS Exec adds its channels to the task role only.
	if _, ok := statements("frontend-execution-policy")["ReadSecrets"]; ok {
		t.Error("frontend execution role may read parameters")
	}
	if s, ok := statements("frontend-task-policy")["ExecuteCommand"]; !ok || len(s.actions) != 4 {
		t.Errorf("frontend ExecuteCommand statement = %+v", s)
	}

	// Across every policy: no wildcard resource on an ssm or s3 action.
	for _, rp := range r.m.OfType(tRolePolicy) {
		for _, s := range policy(t, rp, "policy").Statement {
			for _, a := range inventory.AsStrings(s.Action) {
				if (strings.HasPrefix(a, "ssm:") || strings.HasPrefix(a, "s3:")) && slices.ContainsFunc(inventory.AsStrings(s.Resource),
					func(res string) bool { return res == "*" || strings.HasSuffix(res, ":*") }) {
					t.Errorf("%s: %s on %v", rp.Name, a, s.Resource)
				}
			}
		}
	}
	// Trust: ECS tasks only; the task role only from this account.
	for _, name := range []string{"backend-execution-role", "backend-task-role"} {
		d := policy(t, r.find(t, tRole, name), "assumeRolePolicy")
		if len(d.Statement) != 1 || d.Statement[0].Principals("Service") != "ecs-tasks.amazonaws.com" ||
			d.Statement[0].Action != "sts:AssumeRole" {
			t.Errorf("%s trust = %+v", name, d)
		}
		if name == "backend-task-role" && d.Statement[0].Condition["StringEquals"]["aws:SourceAccount"] != mock.Account {
			t.Errorf("task role trust condition = %v", d.Statement[0].Condition)
		}
	}
}

func TestServiceSettingsAndOrder(t *testing.T) {
	t.Parallel()
	r := fixture{domain: prodDomain()}.run(t)
	backend := r.find(t, tService, "backend-service")
	frontend := r.find(t, tService, "frontend-service")
	if !slices.Contains(frontend.DependsOn, backend.URN) {
		t.Errorf("frontend service depends on %v, want %s", frontend.DependsOn, backend.URN)
	}
	if !slices.Contains(backend.DependsOn, r.find(t, tRule, "backend-rule").URN) {
		t.Errorf("backend service does not wait for its listener rule: %v", backend.DependsOn)
	}
	cb, _ := backend.Input("deploymentCircuitBreaker").(map[string]any)
	if cb["enable"] != true || cb["rollback"] != true {
		t.Errorf("circuit breaker = %v", cb)
	}
	for k, want := range map[string]any{
		"platformVersion": "LATEST", "launchType": "FARGATE", "desiredCount": 1.0, "waitForSteadyState": true,
		"deploymentMinimumHealthyPercent": 100.0, "deploymentMaximumPercent": 200.0,
		"healthCheckGracePeriodSeconds": 60.0, "propagateTags": "SERVICE", "enableExecuteCommand": false,
	} {
		if got := backend.Input(k); got != want {
			t.Errorf("backend service %s = %v, want %v", k, got, want)
		}
	}
	nc, _ := backend.Input("networkConfiguration").(map[string]any)
	taskSG := r.find(t, tSG, "backend-sg").ID
	if nc["assignPublicIp"] != true || !slices.Equal(nc["securityGroups"].([]any), []any{taskSG}) ||
		!slices.Equal(nc["subnets"].([]any), []any{"subnet-a", "subnet-b"}) {
		t.Errorf("networkConfiguration = %v", nc)
	}
	lbs, _ := backend.Input("loadBalancers").([]any)
	tg := r.find(t, tTargetGroup, "backend-tg")
	if len(lbs) != 1 || lbs[0].(map[string]any)["containerName"] != "backend" ||
		lbs[0].(map[string]any)["containerPort"] != 8000.0 ||
		lbs[0].(map[string]any)["targetGroupArn"] != mock.Plain(tg.Outputs["arn"], false) {
		t.Errorf("loadBalancers = %v", lbs)
	}
	hc, _ := tg.Input("healthCheck").(map[string]any)
	if tg.Input("targetType") != "ip" || tg.Input("deregistrationDelay") != 60.0 || tg.Input("port") != 8000.0 ||
		hc["path"] != "/" || hc["matcher"] != "200" {
		t.Errorf("target group = %v", tg.Inputs)
	}
	rule := r.find(t, tRule, "backend-rule")
	conds, _ := rule.Input("conditions").([]any)
	if rule.Input("priority") != 100.0 || len(conds) != 1 ||
		!slices.Equal(conds[0].(map[string]any)["pathPattern"].(map[string]any)["values"].([]any),
			[]any{"/api/*", "/admin/*"}) {
		t.Errorf("rule = %v", rule.Inputs)
	}
	if rule.Input("listenerArn") != mock.Plain(r.find(t, tListener, "web-https").Outputs["arn"], false) {
		t.Errorf("rule listener = %v, want the HTTPS listener", rule.Input("listenerArn"))
	}
	repo := r.find(t, tRepo, "backend-repo")
	scan, _ := repo.Input("imageScanningConfiguration").(map[string]any)
	if repo.Input("imageTagMutability") != "IMMUTABLE" || scan["scanOnPush"] != true {
		t.Errorf("repository = %v", repo.Inputs)
	}
	var lp struct {
		Rules []struct {
			RulePriority int
			Selection    struct {
				TagStatus, CountType string
				CountNumber          int
			}
			Action struct{ Type string }
		}
	}
	if err := json.Unmarshal([]byte(r.find(t, tLifecycle, "backend-repo-lifecycle").Input("policy").(string)), &lp); err != nil ||
		len(lp.Rules) != 1 || lp.Rules[0].Selection.CountType != "imageCountMoreThan" ||
		lp.Rules[0].Selection.CountNumber != 20 || lp.Rules[0].Action.Type != "expire" {
		t.Errorf("lifecycle policy = %+v (%v)", lp, err)
	}
	st := r.find(t, tScaleTarget, "backend-scaling-target")
	svcName := mock.Plain(backend.Outputs["name"], false)
	cluster := mock.Plain(r.find(t, tCluster, "web-cluster").Outputs["name"], false)
	if st.Input("minCapacity") != 1.0 || st.Input("maxCapacity") != 4.0 ||
		st.Input("resourceId") != "service/"+cluster.(string)+"/"+svcName.(string) {
		t.Errorf("scaling target = %v", st.Inputs)
	}
	tt, _ := r.find(t, tScalePolicy, "backend-scaling-cpu").Input("targetTrackingScalingPolicyConfiguration").(map[string]any)
	if tt["targetValue"] != 70.0 || tt["scaleInCooldown"] != 120.0 || tt["scaleOutCooldown"] != 60.0 ||
		tt["predefinedMetricSpecification"].(map[string]any)["predefinedMetricType"] != "ECSServiceAverageCPUUtilization" {
		t.Errorf("scaling policy = %v", tt)
	}
	r.wantURLs(t, map[string]string{"backend": "https://npdeposition.org/api/", "frontend": "https://npdeposition.org"})
}

func TestSecurityGroups(t *testing.T) {
	t.Parallel()
	r := fixture{domain: prodDomain()}.run(t)
	albSG := r.find(t, tSG, "web-alb-sg").ID
	for _, svc := range []struct {
		name string
		port float64
	}{{"backend", 8000}, {"frontend", 3000}} {
		taskSG := r.find(t, tSG, svc.name+"-sg").ID
		var ingress int
		for _, rule := range r.m.OfType(tIngress) {
			if rule.Input("securityGroupId") != taskSG {
				continue
			}
			ingress++
			if rule.Input("referencedSecurityGroupId") != albSG || rule.Input("cidrIpv4") != nil ||
				rule.Input("fromPort") != svc.port || rule.Input("toPort") != svc.port {
				t.Errorf("%s ingress %s = %v, want port %v from the load balancer only", svc.name, rule.Name,
					rule.Inputs, svc.port)
			}
		}
		if ingress != 1 {
			t.Errorf("%s has %d ingress rules, want 1", svc.name, ingress)
		}
		egress := r.find(t, tEgress, svc.name+"-alb-egress")
		if egress.Input("securityGroupId") != albSG || egress.Input("referencedSecurityGroupId") != taskSG ||
			egress.Input("fromPort") != svc.port {
			t.Errorf("%s load balancer egress = %v", svc.name, egress.Inputs)
		}
		https := r.find(t, tEgress, svc.name+"-egress-443")
		if https.Input("cidrIpv4") != "0.0.0.0/0" || https.Input("fromPort") != 443.0 || https.Input("toPort") != 443.0 {
			t.Errorf("%s HTTPS egress = %v", svc.name, https.Inputs)
		}
	}
	db := r.find(t, tEgress, "backend-egress-db")
	if db.Input("referencedSecurityGroupId") != "sg-0database000000000" || db.Input("fromPort") != 5432.0 {
		t.Errorf("database egress = %v", db.Inputs)
	}
	if r.m.Find(tEgress, "frontend-egress-db") != nil {
		t.Error("frontend may reach the database")
	}
	// The load balancer admits 80 and 443 from anywhere, nothing else.
	var ports []float64
	for _, rule := range r.m.OfType(tIngress) {
		if rule.Input("securityGroupId") == albSG {
			if rule.Input("cidrIpv4") != "0.0.0.0/0" {
				t.Errorf("%s = %v", rule.Name, rule.Inputs)
			}
			ports = append(ports, rule.Input("fromPort").(float64))
		}
	}
	if slices.Sort(ports); !slices.Equal(ports, []float64{80, 443}) {
		t.Errorf("load balancer ingress ports = %v", ports)
	}
	for _, sg := range r.m.OfType(tSG) {
		if sg.Input("ingress") != nil || sg.Input("egress") != nil {
			t.Errorf("%s has inline rules; rules are separate resources", sg.Name)
		}
	}
}

func TestHTTPSPlatform(t *testing.T) {
	t.Parallel()
	r := fixture{domain: prodDomain(), hosts: []string{"api.npdeposition.org"}, backend: func(a *WebServiceArgs) {
		a.Hosts, a.Paths = []string{"api.npdeposition.org"}, nil
	}}.run(t)
	r.wantURLs(t, map[string]string{"backend": "https://api.npdeposition.org"})
	conds, _ := r.find(t, tRule, "backend-rule").Input("conditions").([]any)
	if len(conds) != 1 || !slices.Equal(conds[0].(map[string]any)["hostHeader"].(map[string]any)["values"].([]any),
		[]any{"api.npdeposition.org"}) {
		t.Errorf("backend rule conditions = %v", conds)
	}
	alb := r.find(t, tLB, "web-alb")
	for k, want := range map[string]any{
		"dropInvalidHeaderFields": true, "enableDeletionProtection": true, "internal": false,
		"loadBalancerType": "application",
	} {
		if got := alb.Input(k); got != want {
			t.Errorf("load balancer %s = %v, want %v", k, got, want)
		}
	}
	if alb.Input("idleTimeout") != nil {
		t.Errorf("idleTimeout = %v, want the default", alb.Input("idleTimeout"))
	}
	settings, _ := r.find(t, tCluster, "web-cluster").Input("settings").([]any)
	if len(settings) != 1 || settings[0].(map[string]any)["name"] != "containerInsights" ||
		settings[0].(map[string]any)["value"] != "enabled" {
		t.Errorf("cluster settings = %v", settings)
	}
	https := r.find(t, tListener, "web-https")
	cert := r.find(t, tCert, "web-cert")
	certARN := mock.Plain(cert.Outputs["arn"], false)
	if https.Input("port") != 443.0 || https.Input("protocol") != "HTTPS" ||
		https.Input("sslPolicy") != "ELBSecurityPolicy-TLS13-1-2-2021-06" || https.Input("certificateArn") != certARN {
		t.Errorf("HTTPS listener = %v", https.Inputs)
	}
	def := https.Input("defaultActions").([]any)[0].(map[string]any)
	if def["type"] != "fixed-response" || def["fixedResponse"].(map[string]any)["statusCode"] != "404" {
		t.Errorf("HTTPS default action = %v", def)
	}
	http := r.find(t, tListener, "web-http")
	acts := http.Input("defaultActions").([]any)
	redirect, _ := acts[0].(map[string]any)["redirect"].(map[string]any)
	if len(acts) != 1 || http.Input("port") != 80.0 || redirect["protocol"] != "HTTPS" || redirect["port"] != "443" ||
		redirect["statusCode"] != "HTTP_301" {
		t.Errorf("HTTP listener = %v", http.Inputs)
	}
	if cert.Input("domainName") != "npdeposition.org" || cert.Input("validationMethod") != "DNS" ||
		!slices.Equal(cert.Input("subjectAlternativeNames").([]any), []any{"*.npdeposition.org"}) {
		t.Errorf("certificate = %v", cert.Inputs)
	}
	if !slices.Contains(r.m.Invokes(), "aws:route53/getZone:getZone") {
		t.Errorf("zone not looked up by name: %v", r.m.Invokes())
	}
	zone := r.find(t, tRecord, "web-alias-npdeposition.org").Input("zoneId")
	if z, _ := zone.(string); !strings.HasPrefix(z, "Z") {
		t.Errorf("zone ID = %v", zone)
	}
	validation := r.find(t, tRecord, "web-cert-validation")
	if validation.Input("type") != "CNAME" || validation.Input("zoneId") != zone ||
		!strings.HasSuffix(validation.Input("name").(string), ".npdeposition.org.") {
		t.Errorf("validation record = %v", validation.Inputs)
	}
	if got := r.find(t, tCertValidated, "web-cert-validation").Input("certificateArn"); got != certARN {
		t.Errorf("certificate validation arn = %v", got)
	}
	for _, host := range []string{"npdeposition.org", "api.npdeposition.org"} {
		rec := r.find(t, tRecord, "web-alias-"+host)
		alias := rec.Input("aliases").([]any)[0].(map[string]any)
		if rec.Input("type") != "A" || rec.Input("name") != host || alias["name"] != r.urls["alb"] ||
			alias["zoneId"] != "Z1H1FL5HABSF5" || rec.Input("allowOverwrite") != false {
			t.Errorf("alias %s = %v", host, rec.Inputs)
		}
	}
}

// accessLogs is the platform's log bucket input for a bucket name ("": none).
func accessLogs(bucket string) pulumi.StringInput {
	if bucket == "" {
		return nil
	}
	return pulumi.String(bucket)
}

// TestAccessLogs: the load balancer logs to the bucket it is given (ELB.5),
// and reports the ARN suffix its CloudWatch metrics carry.
func TestAccessLogs(t *testing.T) {
	t.Parallel()
	r := fixture{accessLogs: "article-pipeline-access-logs-prod"}.run(t)
	alb := r.find(t, tLB, "web-alb")
	if got, want := alb.Input("accessLogs"), map[string]any{"bucket": "article-pipeline-access-logs-prod",
		"enabled": true}; !reflect.DeepEqual(got, want) {
		t.Errorf("accessLogs = %v, want %v", got, want)
	}
	if got := r.urls["albSuffix"]; got != mock.Plain(alb.Outputs["arnSuffix"], false) || !strings.HasPrefix(got, "app/") {
		t.Errorf("LoadBalancerARNSuffix = %q", got)
	}
	if got := (fixture{}).run(t).find(t, tLB, "web-alb").Input("accessLogs"); got != nil {
		t.Errorf("accessLogs without a bucket = %v", got)
	}
}

func TestNoDomain(t *testing.T) {
	t.Parallel()
	r := fixture{}.run(t)
	listeners := r.m.OfType(tListener)
	if len(listeners) != 1 {
		t.Fatalf("%d listeners, want only HTTP", len(listeners))
	}
	http := listeners[0]
	def := http.Input("defaultActions").([]any)[0].(map[string]any)
	if http.Name != "web-http" || http.Input("port") != 80.0 || http.Input("protocol") != "HTTP" ||
		def["type"] != "fixed-response" {
		t.Errorf("HTTP listener = %v", http.Inputs)
	}
	if rule := r.find(t, tRule, "backend-rule"); rule.Input("listenerArn") != mock.Plain(http.Outputs["arn"], false) {
		t.Errorf("rule listener = %v", rule.Input("listenerArn"))
	}
	r.m.WantNone(t, "without a domain", tCert, tRecord, tCertValidated)
	for _, rule := range r.m.OfType(tIngress) {
		if rule.Input("fromPort") == 443.0 {
			t.Errorf("%s opens 443 without an HTTPS listener", rule.Name)
		}
	}
	alb := r.urls["alb"]
	if !strings.HasSuffix(alb, ".us-west-2.elb.amazonaws.com") {
		t.Fatalf("alb DNS name = %q", alb)
	}
	r.wantURLs(t, map[string]string{"backend": "http://" + alb + "/api/", "frontend": "http://" + alb})
}

func TestNoImageTagCreatesIdleService(t *testing.T) {
	t.Parallel()
	r := fixture{backend: func(a *WebServiceArgs) { a.ImageTag = "" }}.run(t)
	svc := r.find(t, tService, "backend-service")
	if svc.Input("desiredCount") != 0.0 || svc.Input("waitForSteadyState") != false {
		t.Errorf("desiredCount/waitForSteadyState = %v %v", svc.Input("desiredCount"), svc.Input("waitForSteadyState"))
	}
	if r.m.Find(tScaleTarget, "backend-scaling-target") != nil {
		t.Error("autoscaling would raise the idle service to its minimum")
	}
	for _, want := range []string{tRepo, tTaskDef, tRule, tTargetGroup, tRole} {
		if r.m.Find(want, map[string]string{tRepo: "backend-repo", tTaskDef: "backend-taskdef", tRule: "backend-rule",
			tTargetGroup: "backend-tg", tRole: "backend-task-role"}[want]) == nil {
			t.Errorf("idle service lacks its %s", want)
		}
	}
	c := containers(t, r.find(t, tTaskDef, "backend-taskdef"))[0]
	if !strings.HasSuffix(c.Image, ":"+placeholderTag) {
		t.Errorf("image = %q", c.Image)
	}
}

func TestExternalImage(t *testing.T) {
	t.Parallel()
	const img = "public.ecr.aws/np-mrd/nertool:1.4.2"
	r := fixture{backend: func(a *WebServiceArgs) { a.ImageTag = ""; a.Image = img }}.run(t)
	if r.m.Find(tRepo, "backend-repo") != nil {
		t.Error("a repository was created for an external image")
	}
	if c := containers(t, r.find(t, tTaskDef, "backend-taskdef"))[0]; c.Image != img {
		t.Errorf("image = %q", c.Image)
	}
	if svc := r.find(t, tService, "backend-service"); svc.Input("desiredCount") != 1.0 {
		t.Errorf("desiredCount = %v", svc.Input("desiredCount"))
	}
	exec := policy(t, r.find(t, tRolePolicy, "backend-execution-policy"), "policy")
	for _, s := range exec.Statement {
		if s.Sid == "PullImage" || s.Sid == "AuthorizeRegistry" {
			t.Errorf("execution role may pull from ECR: %+v", s)
		}
	}
}

// TestCopilotRepositoryImage: an image in a private ECR repository the stack
// does not own (Copilot's, while both deployments run the same digests) gets
// pull permission on exactly that repository.
func TestCopilotRepositoryImage(t *testing.T) {
	t.Parallel()
	const img = "123456789012.dkr.ecr.us-west-2.amazonaws.com/article-pipeline/backend@sha256:" +
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	r := fixture{backend: func(a *WebServiceArgs) { a.ImageTag = ""; a.Image = img }}.run(t)
	exec := policy(t, r.find(t, tRolePolicy, "backend-execution-policy"), "policy")
	got := map[string][]string{}
	for _, s := range exec.Statement {
		got[s.Sid] = inventory.AsStrings(s.Resource)
	}
	if !slices.Equal(got["PullImage"], []string{"arn:aws:ecr:us-west-2:123456789012:repository/article-pipeline/backend"}) ||
		!slices.Equal(got["AuthorizeRegistry"], []string{"*"}) {
		t.Errorf("execution role statements = %v", got)
	}
	for _, tc := range []struct {
		image string
		want  ecrRepository
		ok    bool
	}{
		{"210987654321.dkr.ecr.eu-west-1.amazonaws.com/app/svc:v1", ecrRepository{"210987654321", "eu-west-1", "app/svc"}, true},
		{"public.ecr.aws/np-mrd/nertool:1.4.2", ecrRepository{}, false},
		{"nginx:1.27", ecrRepository{}, false},
	} {
		if got, ok := ecrImage(tc.image); got != tc.want || ok != tc.ok {
			t.Errorf("ecrImage(%q) = %+v, %v; want %+v, %v", tc.image, got, ok, tc.want, tc.ok)
		}
	}
}

func TestPrivateTasks(t *testing.T) {
	t.Parallel()
	endpoints := []string{"ssm", "ecr.api", "logs", "ecr.dkr"}
	r := fixture{endpoints: endpoints}.run(t)
	sg := r.find(t, tSG, "web-endpoints-sg").ID
	for _, e := range endpoints {
		ep := r.find(t, tEndpoint, "web-endpoint-"+e)
		if ep.Input("serviceName") != "com.amazonaws.us-west-2."+e || ep.Input("vpcEndpointType") != "Interface" ||
			ep.Input("privateDnsEnabled") != true ||
			!slices.Equal(ep.Input("subnetIds").([]any), []any{"subnet-c", "subnet-d"}) ||
			!slices.Equal(ep.Input("securityGroupIds").([]any), []any{sg}) {
			t.Errorf("%s endpoint = %v", e, ep.Inputs)
		}
	}
	for _, svc := range []string{"backend", "frontend"} {
		in := r.find(t, tIngress, svc+"-endpoints-ingress")
		if in.Input("securityGroupId") != sg || in.Input("referencedSecurityGroupId") != r.find(t, tSG, svc+"-sg").ID ||
			in.Input("fromPort") != 443.0 {
			t.Errorf("%s endpoint ingress = %v", svc, in.Inputs)
		}
	}
}

func TestSecretsVersion(t *testing.T) {
	t.Parallel()
	digest := secretsDigest
	base, err := digest(map[string]int{"DATABASE_URL": 1, "MAILGUN_KEY": 3, "OTHER": 9}, []string{"MAILGUN_KEY", "DATABASE_URL"})
	if err != nil || len(base) != 16 {
		t.Fatalf("digest = %q, %v", base, err)
	}
	for _, tc := range []struct {
		name     string
		versions map[string]int
		same     bool
	}{
		{"an unused parameter changes", map[string]int{"DATABASE_URL": 1, "MAILGUN_KEY": 3, "OTHER": 10}, true},
		{"a used parameter changes", map[string]int{"DATABASE_URL": 2, "MAILGUN_KEY": 3, "OTHER": 9}, false},
	} {
		got, err := digest(tc.versions, []string{"DATABASE_URL", "MAILGUN_KEY"})
		if err != nil || (got == base) != tc.same {
			t.Errorf("%s: digest %q vs %q (err %v), want same=%v", tc.name, got, base, err, tc.same)
		}
	}
	if _, err := digest(map[string]int{}, []string{"DATABASE_URL"}); err == nil ||
		!strings.Contains(err.Error(), "no version for parameter DATABASE_URL") {
		t.Errorf("err = %v", err)
	}
}

// platformArgs and serviceArgs are the least args that pass the argument
// checks, to spoil one way at a time.
func platformArgs() *PlatformArgs {
	return &PlatformArgs{VpcID: pulumi.String("vpc-1"), PublicSubnetIDs: pulumi.StringArray{}}
}

func serviceArgs() *WebServiceArgs { return &WebServiceArgs{Settings: Base()} }

func TestBadArgs(t *testing.T) {
	t.Parallel()
	mock.RejectsBadArgs(t, NewPlatform, "web", platformArgs, []mock.BadArgs[PlatformArgs]{
		{Name: "nil platform args", WantErr: "platform args are required"},
		{Name: "domain without policy", Edit: func(a *PlatformArgs) { a.Domain = &DomainSettings{Name: "a.org"} },
			WantErr: `web.domain.sslPolicy: "" is not a TLS 1.2+ load balancer policy`},
		{Name: "host outside the domain", Edit: func(a *PlatformArgs) {
			a.Domain, a.HostNames = prodDomain(), []string{"api.example.org"}
		}, WantErr: `platform host "api.example.org" is outside the domain "npdeposition.org"`},
	})
	mock.RejectsBadArgs(t, NewWebService, "backend", serviceArgs, []mock.BadArgs[WebServiceArgs]{
		{Name: "nil service args", WantErr: "backend: args are required"},
		{Name: "missing fields", Edit: func(*WebServiceArgs) {}, WantErr: "backend: ClusterARN is required"},
		{Name: "a settings rule", Edit: func(*WebServiceArgs) {},
			WantErr: "backend.port: 0 is out of range; expected 1..65535"},
		{Name: "variable set twice", Edit: func(a *WebServiceArgs) {
			a.SecretARNs = map[string]pulumi.StringInput{"DATABASE_URL": pulumi.String(databaseURLARN)}
			a.LinkedEnvironment = map[string]pulumi.StringInput{"DATABASE_URL": pulumi.String("x")}
		}, WantErr: "variable DATABASE_URL is set by both LinkedEnvironment and SecretARNs"},
		{Name: "reserved variable", Edit: func(a *WebServiceArgs) {
			a.LinkedEnvironment = map[string]pulumi.StringInput{SecretsVersionVariable: pulumi.String("x")}
		}, WantErr: "variable PARAMETERS_VERSION is set by both SecretsVersion and LinkedEnvironment"},
	})
}

func TestComponentsParentEverything(t *testing.T) {
	t.Parallel()
	r := fixture{domain: prodDomain(), endpoints: []string{"ecr.api", "ecr.dkr", "logs"}}.run(t)
	components := map[string]bool{}
	for _, res := range r.m.Resources() {
		if res.Type == platformType || res.Type == webServiceType {
			components[res.URN] = true
		}
	}
	if len(components) != 3 {
		t.Fatalf("%d components, want 3", len(components))
	}
	for _, res := range r.m.Resources() {
		if res.Custom && res.Type != "aws:ssm/parameter:Parameter" && !components[res.ParentURN] {
			t.Errorf("%s %s is not parented to a component", res.Type, res.Name)
		}
	}
	if got := r.m.OutputsRegistered(); got != 3+1 {
		t.Errorf("RegisterResourceOutputs called %d times, want 4", got)
	}
}
