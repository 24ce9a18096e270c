package program_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/np-mrd/article-pipeline-infra/internal/mock"
	"github.com/np-mrd/article-pipeline-infra/internal/synth"
)

// Whole-program tests of issue 13: the alarms watch the resources this stack
// declares (by the dimension values those resources get), the web ACL and
// access logs sit on this stack's load balancer, the flow log on the VPC it
// owns, and development opts out of each.

const (
	typeAlarm       = "aws:cloudwatch/metricAlarm:MetricAlarm"
	typeTopic       = "aws:sns/topic:Topic"
	typeFlowLog     = "aws:ec2/flowLog:FlowLog"
	typeWebACL      = "aws:wafv2/webAcl:WebAcl"
	typeWebACLAssoc = "aws:wafv2/webAclAssociation:WebAclAssociation"
	typeLB          = "aws:lb/loadBalancer:LoadBalancer"
	typeBucket      = "aws:s3/bucketV2:BucketV2"
	typeEventRule   = "aws:cloudwatch/eventRule:EventRule"
)

// output is a provider-computed output of a declared resource.
func output(t *testing.T, res *synth.Result, typ, name, key string) any {
	t.Helper()
	r := res.Monitor.Find(typ, name)
	if r == nil {
		t.Fatalf("%s: no %s named %s", res.Inventory.Stack, typ, name)
	}
	return mock.Plain(r.Outputs[resource.PropertyKey(key)], false)
}

// TestAlarmsWatchWhatProdDeclares: each alarm's dimensions are the values
// the database, the load balancer, the target groups and the services get,
// and every alarm notifies prod's topic.
func TestAlarmsWatchWhatProdDeclares(t *testing.T) {
	t.Parallel()
	res := cached(t, "prod")
	inv := res.Inventory
	topic := output(t, res, typeTopic, "alarms-topic", "arn")
	if inv.Outputs["alarmTopicArn"] != topic || topic != "arn:aws:sns:us-west-2:123456789012:article-pipeline-prod-alarms" {
		t.Errorf("alarmTopicArn = %v, topic %v", inv.Outputs["alarmTopicArn"], topic)
	}
	dims := func(name string) map[string]any {
		d, _ := mustFind(t, inv, typeAlarm, name).Get("dimensions").(map[string]any)
		return d
	}
	if d := dims("alarms-database-cpu"); !reflect.DeepEqual(d, map[string]any{"DBInstanceIdentifier": "article-pipeline-prod"}) {
		t.Errorf("database alarm dimensions = %v", d)
	}
	// 20% of the configured 20 GiB.
	if got := number(mustFind(t, inv, typeAlarm, "alarms-database-free-storage"), "threshold"); got != 0.2*20*(1<<30) {
		t.Errorf("free storage threshold = %v", got)
	}
	lb := output(t, res, typeLB, "web-alb", "arnSuffix")
	if d := dims("alarms-load-balancer-5xx"); !reflect.DeepEqual(d, map[string]any{"LoadBalancer": lb}) {
		t.Errorf("5xx dimensions = %v, load balancer %v", d, lb)
	}
	cluster := output(t, res, "aws:ecs/cluster:Cluster", "web-cluster", "name")
	services := settingsOf(t, res).Services.Names()
	if !slices.Equal(services, []string{"backend", "frontend", "mltool", "nertool"}) {
		t.Fatalf("prod services = %v", services)
	}
	for _, svc := range services {
		name := output(t, res, typeECSService, svc+"-service", "name")
		for _, a := range []string{"cpu", "memory"} {
			if d := dims("alarms-service-" + svc + "-" + a); !reflect.DeepEqual(d, map[string]any{"ClusterName": cluster,
				"ServiceName": name}) {
				t.Errorf("%s %s dimensions = %v", svc, a, d)
			}
		}
		tg := output(t, res, "aws:lb/targetGroup:TargetGroup", svc+"-tg", "arnSuffix")
		if d := dims("alarms-service-" + svc + "-unhealthy-hosts"); !reflect.DeepEqual(d, map[string]any{"TargetGroup": tg,
			"LoadBalancer": lb}) {
			t.Errorf("%s unhealthy hosts dimensions = %v", svc, d)
		}
		tasks := mustFind(t, inv, typeAlarm, "alarms-service-"+svc+"-tasks")
		queries, _ := tasks.Get("metricQueries").([]any)
		metric, _ := queries[0].(map[string]any)["metric"].(map[string]any)
		if !reflect.DeepEqual(metric["dimensions"], map[string]any{"ClusterName": cluster, "ServiceName": name}) {
			t.Errorf("%s tasks dimensions = %v", svc, metric["dimensions"])
		}
		// The committed config deploys no image: nothing should run yet.
		if number(tasks, "threshold") != 0 || tasks.String("treatMissingData") != "notBreaching" {
			t.Errorf("%s undeployed: tasks threshold %v, missing data %s", svc, tasks.Get("threshold"),
				tasks.String("treatMissingData"))
		}
	}
	alarms := inv.OfType(typeAlarm)
	if len(alarms) != 4+2+4*4 {
		t.Errorf("%d alarms, want 4 database, 2 load balancer and 4 per service", len(alarms))
	}
	for _, a := range alarms {
		if !reflect.DeepEqual(a.Get("alarmActions"), []any{topic}) || !reflect.DeepEqual(a.Get("okActions"), []any{topic}) {
			t.Errorf("%s actions = %v / %v", a.Name, a.Get("alarmActions"), a.Get("okActions"))
		}
	}
	var pattern map[string]any
	if err := json.Unmarshal([]byte(mustFind(t, inv, typeEventRule, "alarms-backup-jobs").String("eventPattern")),
		&pattern); err != nil {
		t.Fatal(err)
	}
	if vault := pattern["detail"].(map[string]any)["backupVaultName"]; !reflect.DeepEqual(vault, []any{"article-pipeline-prod"}) {
		t.Errorf("backup rule watches vault %v", vault)
	}
}

// TestDeployedServiceMustRun: once an image is deployed, running fewer tasks
// than the service's count (or reporting none) pages.
func TestDeployedServiceMustRun(t *testing.T) {
	t.Parallel()
	res, err := withConfig(t, "prod", func(cfg map[string]string) {
		cfg[servicesConfigKey] = `{"backend":{"imageTag":"v1","desiredCount":2,` +
			`"serviceUrls":{"NER_TOOL_URL":"nertool","ML_TOOL_URL":"mltool"}},"nertool":{"enabled":true},` +
			`"mltool":{"enabled":true,"imageTag":"v1","autoscaling":{"min":1,"max":3}}}`
	})
	if err != nil {
		t.Fatal(err)
	}
	for svc, want := range map[string]float64{"backend": 2, "mltool": 1, "frontend": 0} {
		tasks := mustFind(t, res.Inventory, typeAlarm, "alarms-service-"+svc+"-tasks")
		missing := "breaching"
		if want == 0 {
			missing = "notBreaching"
		}
		if number(tasks, "threshold") != want || tasks.String("treatMissingData") != missing {
			t.Errorf("%s: threshold %v, missing data %s; want %v, %s", svc, tasks.Get("threshold"),
				tasks.String("treatMissingData"), want, missing)
		}
	}
}

// TestFirewallAndAccessLogsOnProdsLoadBalancer: the web ACL is associated
// with prod's load balancer, which logs to prod's log bucket once that
// bucket's policy lets it.
func TestFirewallAndAccessLogsOnProdsLoadBalancer(t *testing.T) {
	t.Parallel()
	res := cached(t, "prod")
	inv := res.Inventory
	assoc := mustFind(t, inv, typeWebACLAssoc, "waf-association")
	if assoc.String("resourceArn") != output(t, res, typeLB, "web-alb", "arn") ||
		assoc.String("webAclArn") != output(t, res, typeWebACL, "waf-acl", "arn") {
		t.Errorf("association = %v", assoc.Inputs)
	}
	if inv.Outputs["webAclArn"] != assoc.String("webAclArn") {
		t.Errorf("webAclArn output = %v", inv.Outputs["webAclArn"])
	}
	alb := mustFind(t, inv, typeLB, "web-alb")
	if !reflect.DeepEqual(alb.Get("accessLogs"), map[string]any{"bucket": "article-pipeline-access-logs-prod", "enabled": true}) ||
		!slices.Contains(alb.DependsOn, "access-logs-policy") {
		t.Errorf("load balancer access logs = %v, depends on %v", alb.Get("accessLogs"), alb.DependsOn)
	}
	logs := mustFind(t, inv, typeBucket, "access-logs-bucket")
	if logs.Get("forceDestroy") != false || inv.Outputs["accessLogsBucket"] != "article-pipeline-access-logs-prod" {
		t.Errorf("prod's log bucket: forceDestroy %v, output %v", logs.Get("forceDestroy"), inv.Outputs["accessLogsBucket"])
	}
}

// TestFlowLogInTheVPCsStack: prod records its VPC; development, in prod's
// VPC, records nothing of its own; a development with its own VPC does.
func TestFlowLogInTheVPCsStack(t *testing.T) {
	t.Parallel()
	prod := cached(t, "prod")
	fl := mustFind(t, prod.Inventory, typeFlowLog, "network-flow-log")
	if fl.String("vpcId") != prod.Inventory.Outputs["vpcId"] ||
		prod.Inventory.Outputs["flowLogGroupName"] != "/aws/vpc/flow-logs/np-deposition" {
		t.Errorf("flow log on %v, output %v", fl.Get("vpcId"), prod.Inventory.Outputs["flowLogGroupName"])
	}
	own, err := withConfig(t, "development", func(cfg map[string]string) {
		// A fresh account with only development: its own VPC and load balancer.
		delete(cfg, "article-pipeline:sharedStack")
		cfg["article-pipeline:platform"] = `{"sharedLoadBalancer":false}`
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := own.Inventory.Find(typeFlowLog, "network-flow-log"); !ok {
		t.Error("a development stack with its own VPC has no flow log")
	}
}

// TestDevelopmentOptsOut: development's stack file turns the alarms, the web
// ACL and the access logs off, and it owns no VPC to log; turning them on is
// config only.
func TestDevelopmentOptsOut(t *testing.T) {
	t.Parallel()
	dev := cached(t, "development").Inventory
	for _, typ := range []string{typeTopic, typeAlarm, typeWebACL, typeFlowLog, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"} {
		if n := len(dev.OfType(typ)); n != 0 {
			t.Errorf("development declares %d %s", n, typ)
		}
	}
	if _, ok := dev.Find(typeBucket, "access-logs-bucket"); ok {
		t.Error("development declares an access-log bucket")
	}
	for _, k := range []string{"alarmTopicArn", "webAclArn", "accessLogsBucket", "flowLogGroupName"} {
		if v, ok := dev.Outputs[k]; ok {
			t.Errorf("development exports %s = %v", k, v)
		}
	}

	st, err := synth.LoadStack(projectDir, "development")
	if err != nil {
		t.Fatal(err)
	}
	st.Config["article-pipeline:platform"] = `{"sharedLoadBalancer":false,"containerInsights":true}`
	st.Config["article-pipeline:alarms"] = `{"enabled":true,"emails":["dev@npdeposition.org"]}`
	st.Config["article-pipeline:waf"] = `{"enabled":true}`
	st.Config["article-pipeline:accessLogs"] = `{"enabled":true}`
	on, err := synth.Run(st, map[string]*synth.Result{prodReference: cached(t, "prod")})
	if err != nil {
		t.Fatal(err)
	}
	inv := on.Inventory
	if _, ok := inv.Find(typeWebACL, "waf-acl"); !ok {
		t.Error("no web ACL once turned on")
	}
	logs := mustFind(t, inv, typeBucket, "access-logs-bucket")
	if logs.String("bucket") != "article-pipeline-access-logs-development" || logs.Get("forceDestroy") != true {
		t.Errorf("development's log bucket = %v", logs.Inputs)
	}
	if n := len(inv.OfType(typeAlarm)); n != 4+2+2*4 {
		t.Errorf("%d alarms for development's database, load balancer and two services", n)
	}
	if _, ok := inv.Find(typeEventRule, "alarms-backup-jobs"); ok {
		t.Error("development has no backup plan, but its failures are watched")
	}
	subs := inv.OfType("aws:sns/topicSubscription:TopicSubscription")
	if len(subs) != 1 || subs[0].String("endpoint") != "dev@npdeposition.org" {
		t.Errorf("subscriptions = %v", subs)
	}
}

// TestAlarmEndpointStaysSecret: the HTTPS endpoint from secret config is a
// secret input of its subscription and appears nowhere in plain text.
func TestAlarmEndpointStaysSecret(t *testing.T) {
	t.Parallel()
	const endpoint = "https://events.pagerduty.com/integration/s3cr3tkey/enqueue"
	st, err := synth.LoadStack(projectDir, "prod")
	if err != nil {
		t.Fatal(err)
	}
	st.Config["article-pipeline:alarmHttpsEndpoint"] = endpoint
	st.SecretKeys = append(st.SecretKeys, "article-pipeline:alarmHttpsEndpoint")
	res, err := synth.Run(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	sub := res.Monitor.Find("aws:sns/topicSubscription:TopicSubscription", "alarms-https")
	if sub == nil || !sub.IsSecretInput("endpoint") || sub.Input("endpoint") != endpoint {
		t.Fatalf("https subscription = %v", sub)
	}
	if where := leaks(res.Inventory, "s3cr3tkey"); len(where) > 0 {
		t.Errorf("the endpoint shows in plain text at %v", where)
	}
}
