package policy

import (
	"encoding/json"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

// The fixture is a prod stack shaped like the program's (type tokens, input
// names and ARN formats as the synth records them) in which every rule passes.
// Each rule test breaks one resource of it.

const (
	depositionName = "article-pipeline-deposition-prod"
	staticName     = "article-pipeline-django-static"
	lbARN          = "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/web-alb-0a1b2c3/0123456789abcdef"
	tgARN          = "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/backend-tg-4d5e6f7/89abcdef01234567"
	topicARN       = "arn:aws:sns:us-west-2:123456789012:article-pipeline-prod-alarms"
)

func jsonString(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type m = map[string]any
type l = []any

func custom(typ, name string, in m) inventory.Resource {
	return inventory.Resource{Type: typ, Name: name, Custom: true, Inputs: in}
}

func tlsDeny(bucket string) m {
	return m{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": m{"AWS": "*"}, "Action": "s3:*",
		"Resource":  l{"arn:aws:s3:::" + bucket, "arn:aws:s3:::" + bucket + "/*"},
		"Condition": m{"Bool": m{"aws:SecureTransport": "false"}}}
}

func policyDoc(t testing.TB, statements ...m) string {
	sts := make(l, len(statements))
	for i, s := range statements {
		sts[i] = s
	}
	return jsonString(t, m{"Version": "2012-10-17", "Statement": sts})
}

func bucketResources(t testing.TB, role, name string, public, versioned bool) []inventory.Resource {
	bpa := m{"bucket": name, "blockPublicAcls": true, "ignorePublicAcls": true, "blockPublicPolicy": !public,
		"restrictPublicBuckets": !public}
	statements := []m{tlsDeny(name)}
	if public {
		statements = append(statements, m{"Sid": "PublicRead", "Effect": "Allow", "Principal": "*",
			"Action": "s3:GetObject", "Resource": "arn:aws:s3:::" + name + "/*"})
	}
	if versioned {
		statements = append(statements, m{"Sid": "AwsBackup", "Effect": "Allow",
			"Principal": m{"Service": "backup.amazonaws.com"}, "Action": l{"s3:GetObject", "s3:GetObjectVersion"},
			"Resource": "arn:aws:s3:::" + name + "/*"})
	}
	out := []inventory.Resource{
		custom(typeBucket, role+"-bucket", m{"bucket": name}),
		custom(typeBPA, role+"-public-access", bpa),
		custom(typeBucketPolicy, role+"-policy", m{"bucket": name, "policy": policyDoc(t, statements...)}),
		custom(typeSSE, role+"-encryption", m{"bucket": name, "rules": l{m{
			"applyServerSideEncryptionByDefault": m{"sseAlgorithm": "AES256"}, "bucketKeyEnabled": versioned}}}),
		custom(typeOwnership, role+"-ownership", m{"bucket": name, "rule": m{"objectOwnership": "BucketOwnerEnforced"}}),
	}
	if versioned {
		out = append(out, custom(typeVersioning, role+"-versioning", m{"bucket": name,
			"versioningConfiguration": m{"status": "Enabled"}}))
	}
	return out
}

func containerDefs(t testing.TB, edit func(c m)) string {
	c := m{
		"name": "backend", "image": "123456789012.dkr.ecr.us-west-2.amazonaws.com/backend:v1", "essential": true,
		"privileged": false, "readonlyRootFilesystem": true,
		"portMappings":     l{m{"containerPort": 8000, "protocol": "tcp"}},
		"logConfiguration": m{"logDriver": "awslogs", "options": m{"awslogs-group": "/copilot/backend"}},
		"environment": l{m{"name": "DJANGO_SETTINGS_MODULE", "value": "settings.prod"},
			m{"name": "COMPOUND_BUCKET_V3", "value": depositionName}},
		"secrets": l{m{"name": "DATABASE_URL",
			"valueFrom": "arn:aws:ssm:us-west-2:123456789012:parameter/copilot/article-pipeline/prod/secrets/DATABASE_URL"}},
	}
	if edit != nil {
		edit(c)
	}
	return jsonString(t, l{c})
}

// goodStack returns a prod inventory on which every rule passes.
func goodStack(t testing.TB) *inventory.Inventory {
	t.Helper()
	rs := []inventory.Resource{
		custom(typeProvider, "aws", m{"region": "us-west-2", "defaultTags": m{"tags": m{
			"app": "article-pipeline", "environment": "prod", "managed-by": "pulumi"}}}),
		{Type: "article-pipeline:vpc:Network", Name: "network", Inputs: m{}},
		custom(typeVpc, "network-vpc", m{"cidrBlock": "10.0.0.0/16", "tags": m{"Name": "np-deposition-vpc"}}),
		custom(typeDefaultSG, "network-default-sg", m{"vpcId": "vpc-0123456789abcdef0"}),
		custom("aws:ec2/routeTableAssociation:RouteTableAssociation", "network-private-1", m{}),
	}
	deposition := bucketResources(t, "deposition", depositionName, false, true)
	deposition[0].Protect = true
	rs = append(rs, deposition...)
	rs = append(rs, bucketResources(t, "static", staticName, true, false)...)
	db := custom(typeDBInstance, "db-instance", m{
		"identifier": "np-deposition-db", "engine": "postgres", "username": "npadmin", "password": inventory.Secret,
		"publiclyAccessible": false, "storageEncrypted": true, "deletionProtection": true, "multiAz": true,
		"backupRetentionPeriod": 7.0, "monitoringInterval": 60.0,
		"monitoringRoleArn":       "arn:aws:iam::123456789012:role/db-monitoring-1234567",
		"autoMinorVersionUpgrade": true, "copyTagsToSnapshot": true, "skipFinalSnapshot": false,
		"finalSnapshotIdentifier": "np-deposition-db-final",
	})
	db.Protect = true
	vault := custom(typeVault, "backup-vault", m{"name": "np-deposition-vault"})
	vault.Protect = true
	selection := custom(typeBackupSelect, "backup-selection", m{"resources": l{
		"arn:aws:rds:us-west-2:123456789012:db:np-deposition-db", "arn:aws:s3:::" + depositionName}})
	selection.DependsOn = []string{"backup-plan"}
	rs = append(rs, db, vault, selection,
		custom(typeBackupPlan, "backup-plan", m{"rules": l{m{"ruleName": "monthly",
			"lifecycle": m{"deleteAfter": 180.0}}}}),
		custom(typeTaskDef, "backend-task", m{"containerDefinitions": containerDefs(t, nil)}),
		custom(typeService, "backend-service", m{
			"deploymentCircuitBreaker":      m{"enable": true, "rollback": true},
			"networkConfiguration":          m{"assignPublicIp": false, "subnets": l{"subnet-0123456789abcdef0"}},
			"loadBalancers":                 l{m{"containerName": "backend", "containerPort": 8000.0, "targetGroupArn": tgARN}},
			"healthCheckGracePeriodSeconds": 60.0,
		}),
		custom(typeTargetGroup, "backend-tg", m{"port": 8000.0, "protocol": "HTTP", "targetType": "ip",
			"healthCheck": m{"enabled": true, "path": "/health", "matcher": "200"}}),
		custom(typeLoadBalancer, "web-alb", m{"loadBalancerType": "application", "internal": false,
			"dropInvalidHeaderFields": true, "enableDeletionProtection": true,
			"accessLogs": m{"bucket": "article-pipeline-access-logs-prod", "enabled": true}}),
		custom(typeListener, "web-http", m{"loadBalancerArn": lbARN, "port": 80.0, "protocol": "HTTP",
			"defaultActions": l{m{"type": "redirect", "redirect": m{"port": "443", "protocol": "HTTPS",
				"statusCode": "HTTP_301"}}}}),
		custom(typeListener, "web-https", m{"loadBalancerArn": lbARN, "port": 443.0, "protocol": "HTTPS",
			"sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06", "defaultActions": l{m{"type": "fixed-response"}}}),
		custom(typeParameter, "params-database-url", m{"name": "/copilot/article-pipeline/prod/secrets/DATABASE_URL",
			"type": "SecureString", "value": inventory.Secret,
			"tags": m{"copilot-application": "article-pipeline", "copilot-environment": "prod"}}),
		custom(typeRole, "backend-task-role", m{
			"assumeRolePolicy": policyDoc(t, m{"Effect": "Allow", "Action": "sts:AssumeRole",
				"Principal": m{"Service": "ecs-tasks.amazonaws.com"}}),
			"inlinePolicies": l{m{"name": "deny-iam", "policy": policyDoc(t, m{"Effect": "Deny", "Action": "iam:*",
				"Resource": "*"})}},
		}),
		custom(typeRolePolicy, "backend-task-s3", m{"role": "backend-task-role-1234567",
			"policy": policyDoc(t, m{"Effect": "Allow", "Action": l{"s3:GetObject", "s3:PutObject"},
				"Resource": "arn:aws:s3:::" + depositionName + "/*"})}),
		custom(typeIAMPolicy, "backend-exec-ssm", m{"policy": policyDoc(t, m{"Effect": "Allow",
			"Action":   "ssm:GetParameters",
			"Resource": "arn:aws:ssm:us-west-2:123456789012:parameter/copilot/article-pipeline/prod/secrets/*"})}),
	)
	rs = append(rs, observabilityResources(t)...)
	return &inventory.Inventory{Project: "article-pipeline", Stack: "prod", Resources: rs, Outputs: m{
		"databaseUrl":      inventory.Secret,
		"loadBalancerDns":  "web-alb-0a1b2c3-0123456789.us-west-2.elb.amazonaws.com",
		"bucketNames":      m{"COMPOUND_BUCKET_V3": depositionName},
		"parameterArns":    l{"arn:aws:ssm:us-west-2:123456789012:parameter/copilot/article-pipeline/prod/secrets/X"},
		"dbPasswordSecret": inventory.Secret,
	}}
}

// edit applies fn to the resource of inv with this type and name.
func edit(t testing.TB, inv *inventory.Inventory, typ, name string, fn func(r *inventory.Resource)) {
	t.Helper()
	for i := range inv.Resources {
		if inv.Resources[i].Type == typ && inv.Resources[i].Name == name {
			fn(&inv.Resources[i])
			return
		}
	}
	t.Fatalf("fixture has no %s %s", typ, name)
}

// setInput sets one input of a fixture resource.
func setInput(t testing.TB, inv *inventory.Inventory, typ, name, key string, v any) {
	t.Helper()
	edit(t, inv, typ, name, func(r *inventory.Resource) { r.Inputs[key] = v })
}

// rowOf returns the report's row for rule on resource name (of type typ).
func rowOf(t testing.TB, rep Report, rule, typ, name string) Row {
	t.Helper()
	for _, r := range rep.Rows {
		if r.Rule == rule && r.Type == typ && r.Resource == name {
			return r
		}
	}
	t.Fatalf("no %s row for %s %s", rule, typ, name)
	return Row{}
}

// prodStack is the runbook's production stack: its data is protected.
var prodStack = Stack{Environment: "prod", Protected: true}

// dependent is a fixture resource whose inputs reference the named resources.
func dependent(r inventory.Resource, on ...string) inventory.Resource {
	r.DependsOn = on
	return r
}

// observabilityResources are the flow log, the web ACL with its association
// and log, and the alarm topic with its policy, a subscriber and one alarm.
func observabilityResources(t testing.TB) []inventory.Resource {
	metrics := func(name string) m {
		return m{"cloudwatchMetricsEnabled": true, "metricName": "article-pipeline-prod-" + name,
			"sampledRequestsEnabled": true}
	}
	publish := func(svc string) m {
		return m{"Effect": "Allow", "Principal": m{"Service": svc}, "Action": "sns:Publish", "Resource": topicARN,
			"Condition": m{"StringEquals": m{"aws:SourceAccount": "123456789012"}}}
	}
	return []inventory.Resource{
		dependent(custom(typeFlowLog, "network-flow-log", m{"vpcId": "vpc-0123456789abcdef0", "trafficType": "ALL",
			"logDestinationType": "cloud-watch-logs"}), "network-flow-logs", "network-vpc"),
		custom(typeWebACL, "waf-acl", m{"scope": "REGIONAL", "rules": l{
			m{"name": "rate-limit-per-ip", "priority": 0.0, "visibilityConfig": metrics("rate-limit-per-ip")},
			m{"name": "AWSManagedRulesCommonRuleSet", "priority": 1.0,
				"visibilityConfig": metrics("AWSManagedRulesCommonRuleSet")},
		}}),
		dependent(custom(typeWebACLAssoc, "waf-association", m{"resourceArn": lbARN}), "waf-acl", "web-alb"),
		dependent(custom(typeWebACLLogging, "waf-logging", m{}), "waf-acl", "waf-logs"),
		custom(typeTopic, "alarms-topic", m{"name": "article-pipeline-prod-alarms"}),
		dependent(custom(typeTopicPolicy, "alarms-topic-policy", m{"arn": topicARN,
			"policy": policyDoc(t, publish("cloudwatch.amazonaws.com"), publish("events.amazonaws.com"))}),
			"alarms-topic"),
		dependent(custom(typeSubscription, "alarms-email-0a1b2c3d", m{"protocol": "email",
			"endpoint": "team@npdeposition.org", "topic": topicARN}), "alarms-topic"),
		dependent(custom(typeMetricAlarm, "alarms-database-cpu", m{"namespace": "AWS/RDS",
			"metricName": "CPUUtilization", "actionsEnabled": true, "alarmActions": l{topicARN},
			"okActions": l{topicARN}}), "alarms-topic", "db-instance"),
	}
}
