package alarms

import (
	"reflect"
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/internal/mock"
)

const (
	alarmType        = "aws:cloudwatch/metricAlarm:MetricAlarm"
	topicType        = "aws:sns/topic:Topic"
	topicPolicyType  = "aws:sns/topicPolicy:TopicPolicy"
	subscriptionType = "aws:sns/topicSubscription:TopicSubscription"
	ruleType         = "aws:cloudwatch/eventRule:EventRule"
	targetType       = "aws:cloudwatch/eventTarget:EventTarget"
	slackType        = "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration"
	roleType         = "aws:iam/role:Role"
	rolePolicyType   = "aws:iam/rolePolicy:RolePolicy"

	topicARN = "arn:aws:sns:us-west-2:123456789012:article-pipeline-prod-alarms"
	lbSuffix = "app/web-alb-0a1b2c3/0123456789abcdef"
	tgSuffix = "targetgroup/backend-tg-4d5e6f7/89abcdef01234567"
	vaultARN = "arn:aws:backup:us-west-2:123456789012:backup-vault:article-pipeline-prod"
)

// prodArgs watch what prod has: the database, the load balancer, a deployed
// backend behind it with two tasks at least, an undeployed frontend, and the
// backup vault.
func prodArgs() *Args {
	return &Args{
		Settings:              Defaults(),
		NamePrefix:            "article-pipeline-prod",
		DatabaseInstance:      &Database{Identifier: pulumi.String("article-pipeline-prod"), AllocatedStorageGiB: 20},
		LoadBalancerARNSuffix: pulumi.String(lbSuffix),
		ECSServices: []Service{
			{Name: "backend", ClusterName: pulumi.String("web-cluster-1a2b3c4"),
				ServiceName: pulumi.String("backend-service-5d6e7f8"), ExpectedTasks: 2,
				TargetGroupARNSuffix: pulumi.String(tgSuffix)},
			{Name: "frontend", ClusterName: pulumi.String("web-cluster-1a2b3c4"),
				ServiceName: pulumi.String("frontend-service-9a0b1c2"), ExpectedTasks: 0},
		},
		Backup: &Backup{VaultName: pulumi.String("article-pipeline-prod"), VaultARN: pulumi.String(vaultARN)},
	}
}

func run(t *testing.T, args *Args) *mock.Monitor {
	t.Helper()
	m, _ := mock.Declare(t, mock.Options{Stack: "prod"}, NewAlarms, "alarms", args)
	return m
}

// TestEveryAlarm asserts each alarm's metric, statistic, dimensions,
// threshold, periods, missing-data treatment and actions.
func TestEveryAlarm(t *testing.T) {
	t.Parallel()
	m := run(t, prodArgs())
	db := map[string]any{"DBInstanceIdentifier": "article-pipeline-prod"}
	lb := map[string]any{"LoadBalancer": lbSuffix}
	backend := map[string]any{"ClusterName": "web-cluster-1a2b3c4", "ServiceName": "backend-service-5d6e7f8"}
	frontend := map[string]any{"ClusterName": "web-cluster-1a2b3c4", "ServiceName": "frontend-service-9a0b1c2"}
	type want struct {
		namespace, metric, stat string
		dims                    map[string]any
		comparison              string
		threshold               float64
		period, periods         float64
		missing                 string
	}
	cases := map[string]want{
		"database-cpu": {"AWS/RDS", "CPUUtilization", "Average", db, "GreaterThanThreshold", 80, 300, 3, "missing"},
		// 20% of 20 GiB.
		"database-free-storage": {"AWS/RDS", "FreeStorageSpace", "Minimum", db, "LessThanThreshold", 4294967296, 300, 3,
			"breaching"},
		"database-freeable-memory": {"AWS/RDS", "FreeableMemory", "Minimum", db, "LessThanThreshold", 134217728, 300, 3,
			"missing"},
		"database-connections": {"AWS/RDS", "DatabaseConnections", "Maximum", db, "GreaterThanThreshold", 150, 300, 3,
			"missing"},
		"load-balancer-5xx": {"AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "Sum", lb, "GreaterThanThreshold", 10,
			300, 1, "notBreaching"},
		"load-balancer-response-time": {"AWS/ApplicationELB", "TargetResponseTime", "p95", lb, "GreaterThanThreshold", 5,
			300, 3, "notBreaching"},
		"service-backend-cpu": {"AWS/ECS", "CPUUtilization", "Average", backend, "GreaterThanThreshold", 80, 300, 3,
			"notBreaching"},
		"service-backend-memory": {"AWS/ECS", "MemoryUtilization", "Average", backend, "GreaterThanThreshold", 80, 300,
			3, "notBreaching"},
		"service-backend-unhealthy-hosts": {"AWS/ApplicationELB", "UnHealthyHostCount", "Maximum",
			map[string]any{"TargetGroup": tgSuffix, "LoadBalancer": lbSuffix}, "GreaterThanOrEqualToThreshold", 1, 60, 5,
			"notBreaching"},
		"service-frontend-cpu": {"AWS/ECS", "CPUUtilization", "Average", frontend, "GreaterThanThreshold", 80, 300, 3,
			"notBreaching"},
		"service-frontend-memory": {"AWS/ECS", "MemoryUtilization", "Average", frontend, "GreaterThanThreshold", 80,
			300, 3, "notBreaching"},
	}
	for id, w := range cases {
		a := m.MustFind(t, alarmType, "alarms-"+id)
		stat := a.Input("statistic")
		if w.stat == "p95" {
			stat = a.Input("extendedStatistic")
		}
		got := want{str(a, "namespace"), str(a, "metricName"), stat.(string), a.Input("dimensions").(map[string]any),
			str(a, "comparisonOperator"), a.Input("threshold").(float64), a.Input("period").(float64),
			a.Input("evaluationPeriods").(float64), str(a, "treatMissingData")}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("%s = %+v\nwant %+v", id, got, w)
		}
		checkActions(t, a)
		if a.Input("datapointsToAlarm") != a.Input("evaluationPeriods") {
			t.Errorf("%s: %v of %v periods; want every period", id, a.Input("datapointsToAlarm"), a.Input("evaluationPeriods"))
		}
		if name := str(a, "name"); name != "article-pipeline-prod-"+id {
			t.Errorf("%s is named %q; want it to say the stack", id, name)
		}
	}
	// Plus one task-count alarm per service (TestTaskCount); the frontend has
	// no target group, so no unhealthy-hosts alarm.
	if n := len(m.OfType(alarmType)); n != len(cases)+2 {
		t.Errorf("%d alarms, want %d", n, len(cases)+2)
	}
}

func str(r *mock.Resource, k string) string {
	s, _ := r.Input(k).(string)
	return s
}

// checkActions: the alarm notifies the topic when it fires and when it recovers.
func checkActions(t *testing.T, a *mock.Resource) {
	t.Helper()
	for _, k := range []string{"alarmActions", "okActions"} {
		if got := a.Input(k); !reflect.DeepEqual(got, []any{topicARN}) {
			t.Errorf("%s %s = %v, want [%s]", a.Name, k, got, topicARN)
		}
	}
	if a.Input("actionsEnabled") != true {
		t.Errorf("%s: actionsEnabled = %v", a.Name, a.Input("actionsEnabled"))
	}
}

// TestTaskCount: a service that should run pages when it runs fewer tasks or
// reports none; one with nothing deployed never pages.
func TestTaskCount(t *testing.T) {
	t.Parallel()
	m := run(t, prodArgs())
	for _, tc := range []struct {
		service   string
		threshold float64
		missing   string
	}{{"backend", 2, "breaching"}, {"frontend", 0, "notBreaching"}} {
		a := m.MustFind(t, alarmType, "alarms-service-"+tc.service+"-tasks")
		checkActions(t, a)
		if a.Input("threshold") != tc.threshold || str(a, "treatMissingData") != tc.missing ||
			str(a, "comparisonOperator") != "LessThanThreshold" || a.Input("evaluationPeriods") != 5.0 {
			t.Errorf("%s tasks: threshold %v, missing %v, %v over %v periods", tc.service, a.Input("threshold"),
				a.Input("treatMissingData"), a.Input("comparisonOperator"), a.Input("evaluationPeriods"))
		}
		if a.Input("namespace") != nil || a.Input("metricName") != nil {
			t.Errorf("%s tasks: a metric-math alarm sets no metric of its own", tc.service)
		}
		want := []any{
			map[string]any{"id": "running", "returnData": false, "metric": map[string]any{
				"namespace": "ECS/ContainerInsights", "metricName": "RunningTaskCount", "period": 60.0, "stat": "Minimum",
				"dimensions": map[string]any{"ClusterName": "web-cluster-1a2b3c4",
					"ServiceName": tc.service + "-service-" + map[string]string{"backend": "5d6e7f8", "frontend": "9a0b1c2"}[tc.service]}}},
			map[string]any{"id": "tasks", "expression": "FILL(running, 0)", "label": "running tasks (none reported = 0)",
				"returnData": true},
		}
		if got := a.Input("metricQueries"); !reflect.DeepEqual(got, want) {
			t.Errorf("%s tasks: metricQueries = %v\nwant %v", tc.service, got, want)
		}
	}
}

// TestTopicPolicy: only CloudWatch, EventBridge and AWS Backup may publish, for
// this account only; nobody else gets anything.
func TestTopicPolicy(t *testing.T) {
	t.Parallel()
	m := run(t, prodArgs())
	topic := m.MustFind(t, topicType, "alarms-topic")
	if str(topic, "name") != "article-pipeline-prod-alarms" || str(topic, "displayName") != "article-pipeline-prod alarms" {
		t.Errorf("topic = %v", topic.Inputs)
	}
	p := m.MustFind(t, topicPolicyType, "alarms-topic-policy")
	if str(p, "arn") != topicARN {
		t.Errorf("policy is for %q", str(p, "arn"))
	}
	var services []string
	for _, s := range mock.ParsePolicy(t, "topic policy", p.Input("policy")).Statement {
		svc, _ := s.Principals("Service").(string)
		services = append(services, s.Sid+" "+svc)
		if s.Effect != "Allow" || s.Action != "sns:Publish" || s.Resource != topicARN ||
			!reflect.DeepEqual(s.Principal, map[string]any{"Service": svc}) ||
			!reflect.DeepEqual(s.Condition, map[string]map[string]any{"StringEquals": {"aws:SourceAccount": mock.Account}}) {
			t.Errorf("statement %s = %+v", s.Sid, s)
		}
	}
	if !slices.Equal(services, []string{"PublishCloudWatchAlarms cloudwatch.amazonaws.com",
		"PublishEventBridgeRules events.amazonaws.com", "PublishBackupNotifications backup.amazonaws.com"}) {
		t.Errorf("publishers = %v", services)
	}
}

func TestSubscribers(t *testing.T) {
	t.Parallel()
	args := prodArgs()
	args.Emails = []string{"team@npdeposition.org", "oncall@npdeposition.org"}
	args.HTTPSEndpoint = pulumi.ToSecret(pulumi.String("https://events.pagerduty.com/integration/abc/enqueue")).(pulumi.StringOutput)
	args.Slack = &Slack{WorkspaceID: "T07EA123LEP", ChannelID: "C07EZ1ABC23"}
	m := run(t, args)
	subs := m.OfType(subscriptionType)
	if len(subs) != 3 {
		t.Fatalf("%d subscriptions, want 2 emails and the HTTPS endpoint", len(subs))
	}
	for _, e := range args.Emails {
		s := m.MustFind(t, subscriptionType, "alarms-email-"+digest(e))
		if str(s, "protocol") != "email" || str(s, "endpoint") != e || str(s, "topic") != topicARN {
			t.Errorf("%s subscription = %v", e, s.Inputs)
		}
	}
	https := m.MustFind(t, subscriptionType, "alarms-https")
	if str(https, "protocol") != "https" || !https.IsSecretInput("endpoint") || https.Input("endpointAutoConfirms") != true {
		t.Errorf("https subscription = %v (endpoint secret: %v)", https.Inputs, https.IsSecretInput("endpoint"))
	}
	slack := m.MustFind(t, slackType, "alarms-slack")
	if str(slack, "slackTeamId") != "T07EA123LEP" || str(slack, "slackChannelId") != "C07EZ1ABC23" ||
		!reflect.DeepEqual(slack.Input("snsTopicArns"), []any{topicARN}) ||
		!reflect.DeepEqual(slack.Input("guardrailPolicyArns"), []any{"arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"}) ||
		str(slack, "configurationName") != "article-pipeline-prod-alarms" {
		t.Errorf("slack channel = %v", slack.Inputs)
	}
	trust := mock.ParsePolicy(t, "chatbot trust", m.MustFind(t, roleType, "alarms-chatbot-role").Input("assumeRolePolicy"))
	if len(trust.Statement) != 1 || trust.Statement[0].Principals("Service") != "chatbot.amazonaws.com" {
		t.Errorf("chatbot trust = %+v", trust)
	}
	reads := mock.ParsePolicy(t, "chatbot reads", m.MustFind(t, rolePolicyType, "alarms-chatbot-read").Input("policy"))
	if len(reads.Statement) != 1 || !reflect.DeepEqual(reads.Statement[0].Action, []any{"cloudwatch:DescribeAlarms",
		"cloudwatch:DescribeAlarmHistory", "cloudwatch:GetMetricData", "cloudwatch:GetMetricWidgetImage",
		"cloudwatch:ListMetrics"}) {
		t.Errorf("chatbot reads = %+v", reads)
	}
}

// TestBackupRules: failed, aborted and expired jobs of the vault (and failed
// copies out of it, when the plan copies) reach the topic.
func TestBackupRules(t *testing.T) {
	t.Parallel()
	m := run(t, prodArgs())
	rule := m.MustFind(t, ruleType, "alarms-backup-jobs")
	want := `{"source":["aws.backup"],"detail-type":["Backup Job State Change"],` +
		`"detail":{"backupVaultName":["article-pipeline-prod"],"state":["ABORTED","EXPIRED","FAILED"]}}`
	if got := str(rule, "eventPattern"); got != want {
		t.Errorf("pattern = %s\nwant %s", got, want)
	}
	target := m.MustFind(t, targetType, "alarms-backup-jobs")
	if ruleName := rule.Outputs["name"].StringValue(); str(target, "arn") != topicARN || str(target, "rule") != ruleName {
		t.Errorf("target = %v", target.Inputs)
	}
	if m.Find(ruleType, "alarms-backup-copy-jobs") != nil {
		t.Error("copy jobs watched without copies")
	}

	args := prodArgs()
	args.Backup.Copies = true
	m = run(t, args)
	copies := m.MustFind(t, ruleType, "alarms-backup-copy-jobs")
	want = `{"source":["aws.backup"],"detail-type":["Copy Job State Change"],` +
		`"detail":{"sourceBackupVaultArn":["` + vaultARN + `"],"state":["FAILED"]}}`
	if got := str(copies, "eventPattern"); got != want {
		t.Errorf("copy pattern = %s\nwant %s", got, want)
	}
}

// TestOnlyWhatTheStackHas: a stack with services but no database, load
// balancer or backup gets only the service alarms.
func TestOnlyWhatTheStackHas(t *testing.T) {
	t.Parallel()
	args := prodArgs()
	args.DatabaseInstance, args.LoadBalancerARNSuffix, args.Backup = nil, nil, nil
	m := run(t, args)
	var names []string
	for _, a := range m.OfType(alarmType) {
		names = append(names, a.Name)
	}
	slices.Sort(names)
	want := []string{"alarms-service-backend-cpu", "alarms-service-backend-memory", "alarms-service-backend-tasks",
		"alarms-service-frontend-cpu", "alarms-service-frontend-memory", "alarms-service-frontend-tasks"}
	if !slices.Equal(names, want) || len(m.OfType(ruleType)) != 0 {
		t.Errorf("alarms = %v, %d rules", names, len(m.OfType(ruleType)))
	}
}

func TestBadArgsDeclareNothing(t *testing.T) {
	t.Parallel()
	mock.RejectsBadArgs(t, NewAlarms, "alarms", prodArgs, []mock.BadArgs[Args]{
		{Name: "bad threshold", Edit: func(a *Args) { a.Settings.Services.CPUPercent = 0 },
			WantErr: "alarms.services.cpuPercent: 0 is out of range; expected 1..100 (percent)"},
		{Name: "no prefix", Edit: func(a *Args) { a.NamePrefix = "" },
			WantErr: `alarms: NamePrefix "" is not lower-case letters`},
		{Name: "service twice", Edit: func(a *Args) { a.ECSServices[1].Name = "backend" },
			WantErr: `alarms: Services[1].Name "backend" must be a unique service name`},
		{Name: "no storage size", Edit: func(a *Args) { a.DatabaseInstance.AllocatedStorageGiB = 0 },
			WantErr: "alarms: Database.AllocatedStorageGiB 0 is not a storage size"},
	})
}
