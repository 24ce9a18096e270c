package cost

import (
	"strings"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

// Each rule is tested on a small inventory built by hand, shaped like the
// synth's (type tokens, input names, ARN formats), and asserted in cents.

type m = map[string]any
type l = []any

func res(typ, name string, in m) inventory.Resource {
	return inventory.Resource{Type: typ, Name: name, Custom: true, Inputs: in}
}

func estimate(t *testing.T, s Settings, rs ...inventory.Resource) Report {
	t.Helper()
	rep, err := Estimate(&inventory.Inventory{Stack: "test", Resources: rs}, s)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// cents returns each line's amount keyed "resource/item", failing on a
// duplicate key.
func cents(t *testing.T, rep Report) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, line := range rep.Lines {
		k := line.Resource + "/" + line.Item
		if _, dup := out[k]; dup {
			t.Fatalf("two lines %q", k)
		}
		out[k] = line.Cents()
	}
	return out
}

func wantCents(t *testing.T, rep Report, want map[string]int64) {
	t.Helper()
	got := cents(t, rep)
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("no line %q; lines: %v", k, got)
			continue
		}
		if g != w {
			t.Errorf("%s = %s, want %s", k, Dollars(g), Dollars(w))
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d lines, want %d: %v", len(got), len(want), got)
	}
	var total int64
	for _, w := range want {
		total += w
	}
	if rep.TotalCents() != total {
		t.Errorf("total %s, want %s", Dollars(rep.TotalCents()), Dollars(total))
	}
}

func line(t *testing.T, rep Report, resource, item string) Line {
	t.Helper()
	for _, l := range rep.Lines {
		if l.Resource == resource && l.Item == item {
			return l
		}
	}
	t.Fatalf("no line %s/%s", resource, item)
	return Line{}
}

func rdsInstance(in m) inventory.Resource {
	base := m{"identifier": "article-pipeline-test", "instanceClass": "db.t3.small", "storageType": "gp2",
		"allocatedStorage": 20.0, "maxAllocatedStorage": 1000.0, "multiAz": false, "backupRetentionPeriod": 7.0,
		"performanceInsightsEnabled": true, "performanceInsightsRetentionPeriod": 7.0, "monitoringInterval": 60.0}
	for k, v := range in {
		base[k] = v
	}
	return res(typeRDSInstance, "database-instance", base)
}

func TestRDSInstanceAsTheRunbookHasIt(t *testing.T) {
	t.Parallel()
	rep := estimate(t, Defaults(), rdsInstance(nil))
	wantCents(t, rep, map[string]int64{
		"database-instance/db.t3.small instance, single-AZ":                   2628, // 730 h × $0.036
		"database-instance/gp2 storage":                                       230,  // 20 GB × $0.115
		"database-instance/automated backups beyond the allocated storage":    0,    // 1.14 GB, within the free 20 GB
		"database-instance/Performance Insights, 7 days":                      0,
		"database-instance/enhanced monitoring, log ingestion (RDSOSMetrics)": 5, // 0.1 GB × $0.50
		"database-instance/enhanced monitoring, log storage (RDSOSMetrics)":   0, // 0.1 GB × $0.03
	})
}

func TestRDSMultiAZGravitonWithLongPerformanceInsights(t *testing.T) {
	t.Parallel()
	rep := estimate(t, Defaults(), rdsInstance(m{"instanceClass": "db.t4g.micro", "multiAz": true,
		"storageType": "gp3", "allocatedStorage": 50.0, "performanceInsightsRetentionPeriod": 31.0,
		"monitoringInterval": 0.0}))
	wantCents(t, rep, map[string]int64{
		"database-instance/db.t4g.micro instance, Multi-AZ (primary and standby)": 2336, // 2 × 730 h × $0.016
		"database-instance/gp3 storage":                                           1150, // 2 × 50 GB × $0.115
		"database-instance/automated backups beyond the allocated storage":        0,
		// 2 vCPUs × 730 h × $0.0125
		"database-instance/Performance Insights beyond 7 days (Database Insights advanced)": 1825,
	})
}

func TestRDSBackupsBeyondTheAllocatedStorage(t *testing.T) {
	t.Parallel()
	s := Defaults()
	s.DatabaseGB = 30 // more data than the 20 GB allocated: storage grows to it
	rep := estimate(t, s, rdsInstance(m{"monitoringInterval": 0.0, "performanceInsightsEnabled": false}))
	wantCents(t, rep, map[string]int64{
		"database-instance/db.t3.small instance, single-AZ": 2628,
		"database-instance/gp2 storage":                     345, // 30 GB × $0.115
		// 30 GB × (1 + 7 × 2%) = 34.2 GB of backups, 4.2 GB beyond the 30 GB: × $0.095
		"database-instance/automated backups beyond the allocated storage": 40,
	})
}

func TestRDSUnknownClassIsNotPricedButTheRestIs(t *testing.T) {
	t.Parallel()
	rep := estimate(t, Defaults(), rdsInstance(m{"instanceClass": "db.x9.huge", "monitoringInterval": 0.0,
		"performanceInsightsEnabled": false}))
	if l := line(t, rep, "database-instance", "db.x9.huge instance, single-AZ"); !l.NotPriced {
		t.Errorf("unknown class priced: %+v", l)
	}
	if got := rep.TotalCents(); got != 230 {
		t.Errorf("total %s, want the storage alone, $2.30", Dollars(got))
	}
}

// fargate returns a service and its task definition.
func fargate(name string, cpu, memory string, arch string, svc m) []inventory.Resource {
	td := m{"family": "article-pipeline-test-" + name, "cpu": cpu, "memory": memory,
		"containerDefinitions": `[{"name":"` + name + `","image":"123456789012.dkr.ecr.us-west-2.amazonaws.com/x:abc123"}]`}
	if arch != "" {
		td["runtimePlatform"] = m{"cpuArchitecture": arch, "operatingSystemFamily": "LINUX"}
	}
	in := m{"cluster": "arn:aws:ecs:us-west-2:123456789012:cluster/web-cluster-e5a7b20",
		"taskDefinition":       "arn:aws:ecs:us-west-2:123456789012:task-definition/article-pipeline-test-" + name + ":1",
		"desiredCount":         1.0,
		"networkConfiguration": m{"assignPublicIp": false}}
	for k, v := range svc {
		in[k] = v
	}
	return []inventory.Resource{res(typeTaskDef, name+"-taskdef", td), res(typeECSService, name+"-service", in)}
}

func TestFargateOnDemandX86(t *testing.T) {
	t.Parallel()
	rep := estimate(t, Defaults(), fargate("backend", "512", "1024", "", m{"launchType": "FARGATE",
		"networkConfiguration": m{"assignPublicIp": true}})...)
	wantCents(t, rep, map[string]int64{
		"backend-service/vCPU, x86, on-demand":      1478, // 0.5 vCPU × 730 h × $0.04048
		"backend-service/memory, x86, on-demand":    324,  // 1 GB × 730 h × $0.004445
		"backend-service/public IPv4, one per task": 365,  // 730 h × $0.005
	})
	if rep.Free != 1 {
		t.Errorf("free = %d, want the task definition", rep.Free)
	}
}

func TestFargateSpotWithAnOnDemandBaseOnARM64(t *testing.T) {
	t.Parallel()
	rep := estimate(t, Defaults(), fargate("nertool", "1024", "2048", "ARM64", m{
		"desiredCount": 2.0,
		"capacityProviderStrategies": l{
			m{"capacityProvider": "FARGATE", "base": 1.0, "weight": 0.0},
			m{"capacityProvider": "FARGATE_SPOT", "weight": 1.0},
		},
		"networkConfiguration": m{"assignPublicIp": true},
	})...)
	// Two tasks: the base one on demand, the other on Spot (70% off).
	wantCents(t, rep, map[string]int64{
		"nertool-service/vCPU, ARM64, on-demand":      2364, // 1 vCPU × 730 h × $0.03238
		"nertool-service/memory, ARM64, on-demand":    520,  // 2 GB × 730 h × $0.00356
		"nertool-service/vCPU, ARM64, Fargate Spot":   709,  // 1 vCPU × 730 h × $0.009714
		"nertool-service/memory, ARM64, Fargate Spot": 156,  // 2 GB × 730 h × $0.001068
		"nertool-service/public IPv4, one per task":   730,  // 2 tasks × 730 h × $0.005
	})
	if l := line(t, rep, "nertool-service", "vCPU, ARM64, Fargate Spot"); !strings.Contains(l.Assumption, "50% on Fargate Spot") {
		t.Errorf("assumption %q does not state the Spot share", l.Assumption)
	}
}

func TestFargateServiceWithoutDeployedImage(t *testing.T) {
	t.Parallel()
	rs := fargate("frontend", "256", "512", "X86_64", m{"desiredCount": 0.0})
	rs[0].Inputs["containerDefinitions"] = `[{"name":"frontend","image":"1.dkr.ecr.us-west-2.amazonaws.com/f:not-deployed"}]`
	s := Defaults()
	s.UndeployedTasks = 2
	rep := estimate(t, s, rs...)
	wantCents(t, rep, map[string]int64{
		"frontend-service/vCPU, x86, on-demand":   1478, // 2 × 0.25 vCPU × 730 h × $0.04048
		"frontend-service/memory, x86, on-demand": 324,  // 2 × 0.5 GB × 730 h × $0.004445
	})
	// A service parked at 0 on purpose (its image deployed) costs nothing, and
	// says so.
	parked := fargate("frontend", "256", "512", "X86_64", m{"desiredCount": 0.0})
	wantCents(t, estimate(t, s, parked...), map[string]int64{
		"frontend-service/vCPU, x86, on-demand":   0,
		"frontend-service/memory, x86, on-demand": 0,
	})
}

// workingHours are the scheduled actions of the scale-to-zero lever: up at
// 08:00 and down at 18:00, Monday to Friday, Pacific time.
func workingHours(service string) []inventory.Resource {
	id := "service/web-cluster-e5a7b20/" + service + "-695a4d1"
	return []inventory.Resource{
		res(typeScalableTarget, service+"-scaling-target", m{"resourceId": id, "minCapacity": 0.0, "maxCapacity": 1.0,
			"scalableDimension": "ecs:service:DesiredCount", "serviceNamespace": "ecs"}),
		res(typeScheduledAction, service+"-wake", m{"resourceId": id, "schedule": "cron(0 8 ? * MON-FRI *)",
			"timezone": "America/Los_Angeles", "scalableTargetAction": m{"minCapacity": 1.0, "maxCapacity": 1.0}}),
		res(typeScheduledAction, service+"-sleep", m{"resourceId": id, "schedule": "cron(0 18 ? * 2-6 *)",
			"timezone": "America/Los_Angeles", "scalableTargetAction": m{"minCapacity": 0.0, "maxCapacity": 0.0}}),
	}
}

func TestScheduledScaleToZero(t *testing.T) {
	t.Parallel()
	rs := append(fargate("backend", "256", "512", "", m{"networkConfiguration": m{"assignPublicIp": true}}),
		workingHours("backend-service")...)
	rep := estimate(t, Defaults(), rs...)
	// 10 h × 5 days = 50 task-hours a week: 50 / 168 × 730 = 217.26 h a month.
	wantCents(t, rep, map[string]int64{
		"backend-service/vCPU, x86, on-demand":      220, // 0.25 vCPU × 217.26 h × $0.04048
		"backend-service/memory, x86, on-demand":    48,  // 0.5 GB × 217.26 h × $0.004445
		"backend-service/public IPv4, one per task": 109, // 217.26 h × $0.005
	})
	if rep.Free != 4 {
		t.Errorf("free = %d, want the task definition, the target and both actions", rep.Free)
	}
	if l := line(t, rep, "backend-service", "vCPU, x86, on-demand"); !strings.Contains(l.Assumption,
		"2 scheduled actions (America/Los_Angeles): 50 task-hours a week") {
		t.Errorf("assumption %q does not state the schedule", l.Assumption)
	}
}

func TestAScheduleThatCannotBeModelledCountsAlwaysOn(t *testing.T) {
	t.Parallel()
	rs := append(fargate("backend", "256", "512", "", nil), workingHours("backend-service")...)
	rs[len(rs)-1].Inputs["schedule"] = "rate(5 hours)"
	rep := estimate(t, Defaults(), rs...)
	l := line(t, rep, "backend-service", "vCPU, x86, on-demand")
	if l.Cents() != 739 || !strings.Contains(l.Assumption, "not modelled") {
		t.Errorf("%s, %q; want the always-on $7.39 and the reason", Dollars(l.Cents()), l.Assumption)
	}
}

func TestWeeklyCron(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		expr  string
		count int
		first int
		err   string
	}{
		{"cron(0 8 ? * MON-FRI *)", 5, (1*24 + 8) * 60, ""},
		{"cron(30 18 ? * 2-6 *)", 5, (1*24+18)*60 + 30, ""},
		{"cron(0 7,19 * * ? *)", 14, 7 * 60, ""},
		{"cron(0 8 ? * SUN,SAT *)", 2, 8 * 60, ""},
		{"cron(0 8 1 * ? *)", 0, 0, "every week"},
		{"cron(0 25 ? * MON *)", 0, 0, "expected 0..23"},
		{"at(2026-12-24T18:00:00)", 0, 0, "only cron"},
	} {
		got, err := weeklyCron(tc.expr)
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err %v, want %q", tc.expr, err, tc.err)
			}
		case err != nil:
			t.Errorf("%s: %v", tc.expr, err)
		case len(got) != tc.count || got[0] != tc.first:
			t.Errorf("%s: %d firings from minute %v, want %d from %d", tc.expr, len(got), got, tc.count, tc.first)
		}
	}
}

func alb(in m) inventory.Resource {
	base := m{"loadBalancerType": "application", "internal": false,
		"subnets": l{"subnet-bced1c3eaa53fdea8", "subnet-37fb32ab222040ddb"}}
	for k, v := range in {
		base[k] = v
	}
	return res("aws:lb/loadBalancer:LoadBalancer", "web-alb", base)
}

func TestApplicationLoadBalancerInTwoZones(t *testing.T) {
	t.Parallel()
	rep := estimate(t, Defaults(), alb(nil))
	wantCents(t, rep, map[string]int64{
		"web-alb/Application Load Balancer":    1643, // 730 h × $0.0225
		"web-alb/load balancer capacity units": 58,   // 0.1 LCU × 730 h × $0.008
		"web-alb/public IPv4, one per zone":    730,  // 2 × 730 h × $0.005
	})
	internal := estimate(t, Defaults(), alb(m{"internal": true}))
	if _, ok := cents(t, internal)["web-alb/public IPv4, one per zone"]; ok {
		t.Error("an internal load balancer was given public addresses")
	}
}

func TestListenerRulesOnAnotherStacksLoadBalancerCostNothingHere(t *testing.T) {
	t.Parallel()
	rep := estimate(t, Defaults(),
		res("aws:lb/listenerRule:ListenerRule", "backend-rule", m{"priority": 100.0,
			"listenerArn": "arn:aws:elasticloadbalancing:us-west-2:123456789012:listener/app/web-https/4607d4658073a7d1"}),
		res("aws:lb/targetGroup:TargetGroup", "backend-tg", m{"port": 8000.0, "targetType": "ip"}))
	if len(rep.Lines) != 0 || rep.Free != 2 || rep.TotalCents() != 0 {
		t.Errorf("lines %v, free %d; want no line and both free", rep.Lines, rep.Free)
	}
}

func TestVPCEndpoints(t *testing.T) {
	t.Parallel()
	rep := estimate(t, Defaults(),
		res("aws:ec2/vpcEndpoint:VpcEndpoint", "network-s3", m{"serviceName": "com.amazonaws.us-west-2.s3",
			"vpcEndpointType": "Gateway"}),
		res("aws:ec2/vpcEndpoint:VpcEndpoint", "web-endpoint-ecr.api", m{"serviceName": "com.amazonaws.us-west-2.ecr.api",
			"vpcEndpointType": "Interface", "subnetIds": l{"subnet-a", "subnet-b"}}))
	wantCents(t, rep, map[string]int64{
		"network-s3/s3 gateway endpoint":                        0,
		"web-endpoint-ecr.api/ecr.api interface endpoint":       1460, // 2 zones × 730 h × $0.01
		"web-endpoint-ecr.api/ecr.api interface endpoint, data": 5,    // 5 GB × $0.01
	})
}

func TestNotPricedTypeIsListedAndExcluded(t *testing.T) {
	t.Parallel()
	rep := estimate(t, Defaults(),
		res("aws:sqs/queue:Queue", "jobs", m{}),
		res(typeECRRepo, "backend-repo", m{"name": "article-pipeline/test/backend"}))
	np := rep.NotPriced()
	if len(np) != 1 || np[0].Resource != "jobs" || np[0].Type != "aws:sqs/queue:Queue" {
		t.Fatalf("not priced = %+v", np)
	}
	if got := rep.TotalCents(); got != 20 { // 2 GB × $0.10 for the repository alone
		t.Errorf("total %s, want $0.20", Dollars(got))
	}
	text := rep.Text()
	if !strings.Contains(text, "jobs") || !strings.Contains(text, "not priced") ||
		!strings.Contains(text, "not priced: 1 items (excluded from the total)") {
		t.Errorf("the report does not list the type as not priced:\n%s", text)
	}
}

const typeECRRepo = "aws:ecr/repository:Repository"

func TestFreeTypesAreCountedNotPriced(t *testing.T) {
	t.Parallel()
	rep := estimate(t, Defaults(),
		res("aws:iam/role:Role", "backend-task-role", m{}),
		res("aws:ec2/securityGroup:SecurityGroup", "backend-sg", m{}),
		res("aws:ssm/parameter:Parameter", "parameters-DATABASE_URL", m{"type": "SecureString"}),
		// Components and providers are not cloud resources at all.
		inventory.Resource{Type: "article-pipeline:services:WebService", Name: "backend"},
		res("pulumi:providers:aws", "aws", m{"region": "us-west-2"}))
	if len(rep.Lines) != 0 || rep.Free != 3 {
		t.Errorf("lines %v, free %d; want none and 3 free", rep.Lines, rep.Free)
	}
	adv := estimate(t, Defaults(), res("aws:ssm/parameter:Parameter", "p", m{"tier": "Advanced"}))
	wantCents(t, adv, map[string]int64{"p/advanced parameter": 5})
}

func TestBackupPlanKeepsWarmPointsOfTheDatabaseAndTheBucket(t *testing.T) {
	t.Parallel()
	s := Defaults()
	s.BucketGB = map[string]float64{"article-pipeline-deposition-prod": 10}
	plan := res("aws:backup/plan:Plan", "backup-plan", m{"rules": l{m{"ruleName": "monthly",
		"schedule": "cron(0 9 1 * ? *)", "lifecycle": m{"coldStorageAfter": 2.0, "deleteAfter": 180.0}}}})
	sel := res("aws:backup/selection:Selection", "backup-selection", m{"resources": l{
		"arn:aws:rds:us-west-2:123456789012:db:article-pipeline-test",
		"arn:aws:s3:::article-pipeline-deposition-prod"}})
	plan.Parent, sel.Parent = "backup", "backup"
	rep := estimate(t, s, plan, sel, res("aws:backup/vault:Vault", "backup-vault", m{}),
		rdsInstance(m{"monitoringInterval": 0.0, "performanceInsightsEnabled": false}))
	// Monthly points kept 180 days: 6, the first full and five adding 10%.
	got := cents(t, rep)
	if g := got["backup-plan/rule monthly: database-instance (RDS) recovery points"]; g != 14 {
		t.Errorf("RDS points %s, want 1.5 GB × $0.095 = $0.14", Dollars(g))
	}
	if g := got["backup-plan/rule monthly: article-pipeline-deposition-prod (S3) recovery points"]; g != 75 {
		t.Errorf("S3 points %s, want 15 GB × $0.05 = $0.75", Dollars(g))
	}
	l := line(t, rep, "backup-plan", "rule monthly: database-instance (RDS) recovery points")
	if !strings.Contains(l.Assumption, "cold storage after 2 days ignored for RDS and S3") {
		t.Errorf("assumption %q does not say cold storage is ignored", l.Assumption)
	}
	if rep.Free != 2 {
		t.Errorf("free = %d, want the vault and the selection", rep.Free)
	}
}

func TestBackupCopyToAnotherRegionPaysTheTransfer(t *testing.T) {
	t.Parallel()
	plan := res("aws:backup/plan:Plan", "backup-plan", m{"rules": l{m{"ruleName": "daily",
		"schedule": "cron(0 9 * * ? *)", "lifecycle": m{"deleteAfter": 7.0},
		"copyActions": l{m{"destinationVaultArn": "arn:aws:backup:us-east-1:123456789012:backup-vault:copy",
			"lifecycle": m{"deleteAfter": 7.0}}}}}})
	sel := res("aws:backup/selection:Selection", "backup-selection", m{"resources": l{"arn:aws:s3:::b"}})
	rep := estimate(t, Defaults(), plan, sel)
	wantCents(t, rep, map[string]int64{
		"backup-plan/rule daily: b (S3) recovery points": 8, // 7 points: 1 GB × 1.6 × $0.05
		"backup-plan/rule daily: b (S3) copies in copy":  8,
		// 30.42 daily copies a month, each 0.1 GB: 3.04 GB × $0.02
		"backup-plan/rule daily: b (S3) copy transfer to us-east-1": 6,
	})
}

func TestContainerInsightsFollowsRunningTasks(t *testing.T) {
	t.Parallel()
	cluster := res(typeCluster, "web-cluster", m{"settings": l{m{"name": "containerInsights", "value": "enabled"}}})
	rs := append(fargate("backend", "256", "512", "", nil), cluster)
	rep := estimate(t, Defaults(), rs...)
	got := cents(t, rep)
	for k, want := range map[string]int64{
		"web-cluster/Container Insights metrics, cluster":                 360, // 12 × $0.30
		"web-cluster/Container Insights metrics, service backend-service": 750, // 25 × $0.30
		"web-cluster/Container Insights performance logs, ingestion":      5,   // 0.1 GB × $0.50
	} {
		if got[k] != want {
			t.Errorf("%s = %s, want %s", k, Dollars(got[k]), Dollars(want))
		}
	}
	scheduled := estimate(t, Defaults(), append(rs, workingHours("backend-service")...)...)
	// Metrics exist 50 of 168 hours: 25 × 0.2976 × $0.30.
	if g := cents(t, scheduled)["web-cluster/Container Insights metrics, service backend-service"]; g != 223 {
		t.Errorf("scheduled service metrics %s, want $2.23", Dollars(g))
	}
	off := estimate(t, Defaults(), res(typeCluster, "web-cluster", m{"settings": l{
		m{"name": "containerInsights", "value": "disabled"}}}))
	if len(off.Lines) != 0 || off.Free != 1 {
		t.Errorf("a cluster without Container Insights: lines %v, free %d", off.Lines, off.Free)
	}
}

func TestLookedUpHostedZoneIsCountedOnce(t *testing.T) {
	t.Parallel()
	rep := estimate(t, Defaults(),
		res("aws:route53/record:Record", "web-alias-npdeposition.org", m{"name": "npdeposition.org", "zoneId": "Z1"}),
		res("aws:route53/record:Record", "web-cert-validation", m{"name": "_abc.npdeposition.org.", "zoneId": "Z1"}))
	wantCents(t, rep, map[string]int64{
		"npdeposition.org (zone Z1)/hosted zone npdeposition.org":          50, // $0.50
		"npdeposition.org (zone Z1)/hosted zone npdeposition.org, queries": 4,  // 0.1 M × $0.40
	})
}

func TestBastionWhileOn(t *testing.T) {
	t.Parallel()
	s := Defaults()
	s.InstanceHours = 100
	rep := estimate(t, s, res("aws:ec2/instance:Instance", "bastion-instance", m{"instanceType": "t4g.nano",
		"associatePublicIpAddress": true, "rootBlockDevice": m{"encrypted": true, "volumeType": "gp3"}}))
	wantCents(t, rep, map[string]int64{
		"bastion-instance/t4g.nano instance, Linux":  42, // 100 h × $0.0042
		"bastion-instance/EBS gp3 volume":            64, // 8 GB × $0.08, all month
		"bastion-instance/public IPv4 while running": 50, // 100 h × $0.005
	})
}

func TestLogGroupsAlarmsAndWAF(t *testing.T) {
	t.Parallel()
	s := Defaults()
	s.LogGB = map[string]float64{"backend-logs": 4}
	rep := estimate(t, s,
		res("aws:cloudwatch/logGroup:LogGroup", "backend-logs", m{"retentionInDays": 30.0}),
		res("aws:cloudwatch/logGroup:LogGroup", "forever", m{}),
		res("aws:cloudwatch/metricAlarm:MetricAlarm", "cpu", m{"period": 300.0}),
		res("aws:cloudwatch/metricAlarm:MetricAlarm", "fast", m{"period": 10.0}),
		res("aws:wafv2/webAcl:WebAcl", "waf", m{"rules": l{m{"name": "common"}, m{"name": "rate"}}}))
	wantCents(t, rep, map[string]int64{
		"backend-logs/log ingestion":     200, // 4 GB × $0.50
		"backend-logs/log storage":       12,  // 4 GB-month × $0.03
		"forever/log ingestion":          25,  // 0.5 GB × $0.50
		"forever/log storage":            18,  // 12 months × 0.5 GB × $0.03
		"cpu/alarm, standard resolution": 10,
		"fast/alarm, high resolution":    30,
		"waf/web ACL":                    500,
		"waf/web ACL rules":              200, // 2 × $1
		"waf/requests inspected":         60,  // 1 M × $0.60
	})
}

func TestReportText(t *testing.T) {
	t.Parallel()
	rep := estimate(t, Defaults(), alb(nil), res("aws:iam/role:Role", "r", m{}))
	text := rep.Text()
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if last := lines[len(lines)-1]; last != "total: $24.31/month" {
		t.Errorf("last line %q, want the total", last)
	}
	if !strings.Contains(text, "web-alb   Application Load Balancer") || !strings.Contains(text, "730 h") ||
		!strings.Contains(text, "$0.0225/h") || !strings.Contains(text, "$16.43") {
		t.Errorf("a line lacks its quantity, rate or amount:\n%s", text)
	}
	if !strings.Contains(text, "known free: 1 resources") {
		t.Errorf("free resources not counted:\n%s", text)
	}
	if got := Dollars(123456789); got != "$1,234,567.89" {
		t.Errorf("dollars = %s", got)
	}
}

func TestEveryPriceNamesItsSource(t *testing.T) {
	t.Parallel()
	for _, p := range allPrices() {
		if p.USD <= 0 || p.Unit == "" || !strings.HasPrefix(p.Source, "https://aws.amazon.com/") {
			t.Errorf("price %+v lacks a figure, a unit or an official source", p)
		}
	}
	for typ := range rules {
		if reason := freeTypes[typ]; reason != "" {
			t.Errorf("%s is both priced and free (%s)", typ, reason)
		}
	}
}

func TestSettingsValidate(t *testing.T) {
	t.Parallel()
	if err := Defaults().Validate(Key); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	s := Defaults()
	s.HoursPerMonth = 0
	s.BackupChange = 1.5
	s.DatabaseGB = -1
	s.InstanceHours = 800
	s.BucketGB = map[string]float64{"b": -2}
	err := s.Validate(Key)
	for _, want := range []string{
		"article-pipeline:cost.hoursPerMonth: 0 is out of range; expected hours in a month, 1..744",
		"article-pipeline:cost.backupChange: 1.5 is out of range; expected a fraction 0..1",
		"article-pipeline:cost.databaseGb: -1 is negative; expected GB ≥ 0",
		"article-pipeline:cost.instanceHours: 800 is out of range",
		"article-pipeline:cost.bucketGb.b: -2 is negative",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want it to contain %q", err, want)
		}
	}
	if _, err := Estimate(&inventory.Inventory{}, s); err == nil {
		t.Error("Estimate accepted invalid settings")
	}
}

// TestDevelopmentWithEveryLever prices the shape the cost levers of issue 14
// give development: a db.t4g.micro, both services on ARM64 and Fargate Spot,
// scaled to zero outside working hours, Container Insights off, and routed by
// rules on prod's listener (no load balancer of its own).
func TestDevelopmentWithEveryLever(t *testing.T) {
	t.Parallel()
	spot := m{"capacityProviderStrategies": l{m{"capacityProvider": "FARGATE_SPOT", "weight": 1.0}},
		"networkConfiguration": m{"assignPublicIp": true}}
	var rs []inventory.Resource
	rs = append(rs, rdsInstance(m{"instanceClass": "db.t4g.micro"}))
	rs = append(rs, fargate("backend", "512", "1024", "ARM64", spot)...)
	rs = append(rs, fargate("frontend", "256", "512", "ARM64", spot)...)
	rs = append(rs, workingHours("backend-service")...)
	rs = append(rs, workingHours("frontend-service")...)
	rs = append(rs,
		res(typeCluster, "web-cluster", m{"settings": l{m{"name": "containerInsights", "value": "disabled"}}}),
		res("aws:lb/listenerRule:ListenerRule", "backend-rule", m{"priority": 100.0}),
		res("aws:lb/listenerRule:ListenerRule", "frontend-rule", m{"priority": 50000.0}))
	rep := estimate(t, Defaults(), rs...)
	// 217.26 task-hours a month each (50 of 168 hours), Spot at 30% of ARM64:
	// $18.15 in all, against $107.56 for today's development.
	wantCents(t, rep, map[string]int64{
		"database-instance/db.t4g.micro instance, single-AZ":                  1168,
		"database-instance/gp2 storage":                                       230,
		"database-instance/automated backups beyond the allocated storage":    0,
		"database-instance/Performance Insights, 7 days":                      0,
		"database-instance/enhanced monitoring, log ingestion (RDSOSMetrics)": 5,
		"database-instance/enhanced monitoring, log storage (RDSOSMetrics)":   0,
		"backend-service/vCPU, ARM64, Fargate Spot":                           106, // 0.5 × 217.26 × $0.009714
		"backend-service/memory, ARM64, Fargate Spot":                         23,  // 1 × 217.26 × $0.001068
		"backend-service/public IPv4, one per task":                           109,
		"frontend-service/vCPU, ARM64, Fargate Spot":                          53,
		"frontend-service/memory, ARM64, Fargate Spot":                        12,
		"frontend-service/public IPv4, one per task":                          109,
	})
}
