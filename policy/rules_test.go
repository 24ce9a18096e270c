package policy

import (
	"slices"
	"strings"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

type ruleCase struct {
	name string
	rule string
	typ  string
	res  string // the resource the rule judges
	// breakIt turns the passing fixture into one where res fails the rule.
	breakIt func(t testing.TB, inv *inventory.Inventory)
	wantWhy string
}

func ruleCases() []ruleCase {
	in := func(typ, name, key string, v any) func(testing.TB, *inventory.Inventory) {
		return func(t testing.TB, inv *inventory.Inventory) { setInput(t, inv, typ, name, key, v) }
	}
	drop := func(typ, name string) func(testing.TB, *inventory.Inventory) {
		return func(t testing.TB, inv *inventory.Inventory) {
			t.Helper()
			n := len(inv.Resources)
			inv.Resources = slices.DeleteFunc(inv.Resources, func(r inventory.Resource) bool {
				return r.Type == typ && r.Name == name
			})
			if len(inv.Resources) != n-1 {
				t.Fatalf("fixture has no %s %s", typ, name)
			}
		}
	}
	bucketPolicy := func(statements ...m) func(testing.TB, *inventory.Inventory) {
		return func(t testing.TB, inv *inventory.Inventory) {
			setInput(t, inv, typeBucketPolicy, "static-policy", "policy", policyDoc(t, statements...))
		}
	}
	publicPut := m{"Effect": "Allow", "Principal": "*", "Action": l{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"},
		"Resource": "arn:aws:s3:::" + staticName + "/*"}
	containers := func(fn func(c m)) func(testing.TB, *inventory.Inventory) {
		return func(t testing.TB, inv *inventory.Inventory) {
			setInput(t, inv, typeTaskDef, "backend-task", "containerDefinitions", containerDefs(t, fn))
		}
	}
	rolePolicy := func(statement m) func(testing.TB, *inventory.Inventory) {
		return func(t testing.TB, inv *inventory.Inventory) {
			setInput(t, inv, typeRolePolicy, "backend-task-s3", "policy", policyDoc(t, statement))
		}
	}
	unprotect := func(typ, name string) func(testing.TB, *inventory.Inventory) {
		return func(t testing.TB, inv *inventory.Inventory) {
			edit(t, inv, typ, name, func(r *inventory.Resource) { r.Protect = false })
		}
	}
	return []ruleCase{
		{"public list", "S3.2", typeBucketPolicy, "static-policy",
			bucketPolicy(tlsDeny(staticName), m{"Effect": "Allow", "Principal": m{"AWS": "*"}, "Action": "s3:ListBucket",
				"Resource": "arn:aws:s3:::" + staticName}),
			`allows s3:ListBucket to Principal *`},
		{"public write", "S3.3", typeBucketPolicy, "static-policy", bucketPolicy(tlsDeny(staticName), publicPut),
			`allows s3:PutObject to Principal *`},
		{"no encryption config", "S3.4", typeBucket, "deposition-bucket", drop(typeSSE, "deposition-encryption"),
			"no server-side encryption configuration"},
		{"no TLS deny", "S3.5", typeBucket, "deposition-bucket",
			in(typeBucketPolicy, "deposition-policy", "policy", `{"Statement":{"Effect":"Allow",`+
				`"Principal":{"Service":"backup.amazonaws.com"},"Action":"s3:GetObject","Resource":"*"}}`),
			"no Deny of s3:* to * when aws:SecureTransport is false"},
		{"private bucket with an open policy switch", "S3.8", typeBucket, "deposition-bucket",
			in(typeBPA, "deposition-public-access", "restrictPublicBuckets", false), "leaves restrictPublicBuckets off"},
		{"ACLs enabled", "S3.12", typeBucket, "static-bucket",
			in(typeOwnership, "static-ownership", "rule", m{"objectOwnership": "ObjectWriter"}),
			"does not set objectOwnership BucketOwnerEnforced"},
		{"public database", "RDS.2", typeDBInstance, "db-instance", in(typeDBInstance, "db-instance", "publiclyAccessible", true),
			"publiclyAccessible is true; expected false"},
		{"unencrypted", "RDS.3", typeDBInstance, "db-instance", in(typeDBInstance, "db-instance", "storageEncrypted", false),
			"storageEncrypted is false"},
		{"single-AZ", "RDS.5", typeDBInstance, "db-instance", in(typeDBInstance, "db-instance", "multiAz", false),
			"multiAz is false"},
		{"no enhanced monitoring", "RDS.6", typeDBInstance, "db-instance",
			in(typeDBInstance, "db-instance", "monitoringInterval", 0.0), "enhanced monitoring is off"},
		{"no deletion protection", "RDS.8", typeDBInstance, "db-instance",
			in(typeDBInstance, "db-instance", "deletionProtection", false), "deletionProtection is false"},
		{"no backups", "RDS.11", typeDBInstance, "db-instance",
			in(typeDBInstance, "db-instance", "backupRetentionPeriod", 0.0), "backupRetentionPeriod is 0 day(s)"},
		{"no minor upgrades", "RDS.13", typeDBInstance, "db-instance",
			in(typeDBInstance, "db-instance", "autoMinorVersionUpgrade", false), "autoMinorVersionUpgrade is false"},
		{"no tag copy", "RDS.17", typeDBInstance, "db-instance",
			in(typeDBInstance, "db-instance", "copyTagsToSnapshot", false), "copyTagsToSnapshot is false"},
		{"default admin name", "RDS.25", typeDBInstance, "db-instance",
			in(typeDBInstance, "db-instance", "username", "postgres"), `engine default "postgres"`},
		{"default SG with rules", "EC2.2", typeDefaultSG, "network-default-sg",
			in(typeDefaultSG, "network-default-sg", "ingress", l{m{"protocol": "-1", "self": true}}),
			"ingress has 1 rule(s)"},
		{"public task IP", "ECS.2", typeService, "backend-service",
			in(typeService, "backend-service", "networkConfiguration", m{"assignPublicIp": true}),
			"assignPublicIp is true"},
		{"privileged", "ECS.4", typeTaskDef, "backend-task", containers(func(c m) { c["privileged"] = true }),
			`container "backend" is privileged`},
		{"writable root", "ECS.5", typeTaskDef, "backend-task",
			containers(func(c m) { delete(c, "readonlyRootFilesystem") }), "writable root filesystem"},
		{"secret in environment", "ECS.8", typeTaskDef, "backend-task", containers(func(c m) {
			c["environment"] = append(c["environment"].(l), m{"name": "MAILGUN_API_KEY", "value": "key-123"})
		}), "sets MAILGUN_API_KEY in plain environment"},
		{"no logging", "ECS.9", typeTaskDef, "backend-task", containers(func(c m) { delete(c, "logConfiguration") }),
			"has no logConfiguration.logDriver"},
		{"HTTP forwards beside HTTPS", "ELB.1", typeListener, "web-http",
			in(typeListener, "web-http", "defaultActions", l{m{"type": "forward", "targetGroupArn": tgARN}}),
			"does not redirect"},
		{"invalid headers kept", "ELB.4", typeLoadBalancer, "web-alb",
			in(typeLoadBalancer, "web-alb", "dropInvalidHeaderFields", nil), "not set (defaults to false)"},
		{"deletable load balancer", "ELB.6", typeLoadBalancer, "web-alb",
			in(typeLoadBalancer, "web-alb", "enableDeletionProtection", false), "enableDeletionProtection is false"},
		{"no TLS policy", "ELB.17", typeListener, "web-https", in(typeListener, "web-https", "sslPolicy", nil),
			"ELBSecurityPolicy-2016-08"},
		{"plain HTTP", "ELB.18", typeListener, "web-http",
			in(typeListener, "web-http", "defaultActions", l{m{"type": "forward", "targetGroupArn": tgARN}}),
			"serves HTTP without TLS"},
		{"admin on everything", "IAM.1", typeRolePolicy, "backend-task-s3",
			rolePolicy(m{"Effect": "Allow", "Action": "*", "Resource": "*"}), "allows * on *"},
		{"service wildcard", "IAM.21", typeRolePolicy, "backend-task-s3",
			rolePolicy(m{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::" + depositionName + "/*"}),
			"allows s3:*"},
		{"anyone may assume", "AP.IAM.1", typeRole, "backend-task-role",
			in(typeRole, "backend-task-role", "assumeRolePolicy", `{"Statement":[{"Effect":"Allow",`+
				`"Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`), "lets anyone assume the role"},
		{"plain database URL", "AP.OUT.1", OutputType, "databaseUrl", func(_ testing.TB, inv *inventory.Inventory) {
			inv.Outputs["databaseUrl"] = "postgresql://npadmin:hunter2@db:5432/npmrd"
		}, "databaseUrl looks secret but is plain"},
		{"unprotected database", "AP.PROTECT.1", typeDBInstance, "db-instance", unprotect(typeDBInstance, "db-instance"),
			"not protected"},
		{"3-day backups", "AP.REL.1", typeDBInstance, "db-instance",
			in(typeDBInstance, "db-instance", "backupRetentionPeriod", 3.0), "expected at least 7"},
		{"no final snapshot", "AP.REL.2", typeDBInstance, "db-instance",
			in(typeDBInstance, "db-instance", "skipFinalSnapshot", true), "skipFinalSnapshot is true"},
		{"deposition unversioned", "AP.REL.3", typeBucket, "deposition-bucket",
			in(typeVersioning, "deposition-versioning", "versioningConfiguration", m{"status": "Suspended"}),
			"versioning is not enabled"},
		{"deposition not backed up", "AP.REL.4", typeBucket, "deposition-bucket",
			in(typeBackupSelect, "backup-selection", "resources", l{"arn:aws:rds:us-west-2:123456789012:db:np-deposition-db"}),
			"no AWS Backup selection names it"},
		{"cold storage for RDS and S3 only", "AP.REL.7", typeBackupPlan, "backup-plan",
			in(typeBackupPlan, "backup-plan", "rules", l{m{"ruleName": "monthly",
				"lifecycle": m{"coldStorageAfter": 2.0, "deleteAfter": 180.0}}}),
			"rule monthly moves recovery points to cold storage after 2 days and deletes them after 180, but it " +
				"selects only RDS and S3 resources, whose recovery points AWS Backup never moves to cold storage: they " +
				"stay in warm storage (priced as such) for the whole retention"},
		{"service without health check", "AP.REL.5", typeService, "backend-service",
			in(typeTargetGroup, "backend-tg", "healthCheck", m{"enabled": false}), "health check disabled"},
		{"no rollback", "AP.REL.6", typeService, "backend-service",
			in(typeService, "backend-service", "deploymentCircuitBreaker", m{"enable": true, "rollback": false}),
			"rollback is not true"},
		{"plain String parameter", "AP.SSM.1", typeParameter, "params-database-url",
			in(typeParameter, "params-database-url", "type", "String"), "type is String; expected SecureString"},
		{"parameter outside the Copilot path", "AP.SSM.2", typeParameter, "params-database-url",
			in(typeParameter, "params-database-url", "name", "/article-pipeline/prod/DATABASE_URL"),
			"does not follow /copilot/<app>/<env>/secrets/<NAME>"},
		{"provider without managed-by", "AP.TAG.1", typeProvider, "aws",
			in(typeProvider, "aws", "defaultTags", m{"tags": m{"app": "article-pipeline", "environment": "prod"}}),
			"default tags lack managed-by"},
		{"no flow log", "EC2.6", typeVpc, "network-vpc", drop(typeFlowLog, "network-flow-log"),
			"no flow log records this VPC's traffic"},
		{"accepted traffic only", "EC2.6", typeVpc, "network-vpc",
			in(typeFlowLog, "network-flow-log", "trafficType", "ACCEPT"),
			"its flow logs record only ACCEPT traffic; expected ALL or REJECT"},
		{"no access logs", "ELB.5", typeLoadBalancer, "web-alb",
			in(typeLoadBalancer, "web-alb", "accessLogs", m{"bucket": "article-pipeline-access-logs-prod", "enabled": false}),
			"access logs are off"},
		{"no web ACL", "ELB.16", typeLoadBalancer, "web-alb", drop(typeWebACLAssoc, "waf-association"),
			"no AWS WAF web ACL is associated with it"},
		{"empty web ACL", "WAF.10", typeWebACL, "waf-acl", in(typeWebACL, "waf-acl", "rules", l{}),
			"the web ACL has no rules"},
		{"web ACL not logged", "WAF.11", typeWebACL, "waf-acl", drop(typeWebACLLogging, "waf-logging"),
			"no logging configuration"},
		{"rule without metrics", "WAF.12", typeWebACL, "waf-acl", in(typeWebACL, "waf-acl", "rules", l{
			m{"name": "rate-limit-per-ip", "visibilityConfig": m{"cloudwatchMetricsEnabled": false}}}),
			"no CloudWatch metrics for rule rate-limit-per-ip"},
		{"silent alarm", "AP.MON.1", typeMetricAlarm, "alarms-database-cpu",
			in(typeMetricAlarm, "alarms-database-cpu", "alarmActions", l{}), "no alarm action: it fires silently"},
		{"alarm actions off", "AP.MON.1", typeMetricAlarm, "alarms-database-cpu",
			in(typeMetricAlarm, "alarms-database-cpu", "actionsEnabled", false), "actionsEnabled is false"},
		{"public topic", "AP.MON.2", typeTopicPolicy, "alarms-topic-policy",
			func(t testing.TB, inv *inventory.Inventory) {
				setInput(t, inv, typeTopicPolicy, "alarms-topic-policy", "policy", policyDoc(t, m{"Sid": "Anyone",
					"Effect": "Allow", "Principal": m{"AWS": "*"}, "Action": l{"sns:Publish", "sns:Subscribe"},
					"Resource": topicARN}))
			},
			`statement "Anyone" allows sns:Publish, sns:Subscribe to everyone`},
		{"nobody subscribed", "AP.MON.3", typeTopic, "alarms-topic", drop(typeSubscription, "alarms-email-0a1b2c3d"),
			"nobody is subscribed"},
		{"untagged resource", "AP.TAG.2", typeVpc, "network-vpc",
			in(typeProvider, "aws", "defaultTags", m{"tags": m{"app": "article-pipeline", "managed-by": "pulumi"}}),
			"provider aws's default tags lack environment"},
	}
}

// TestRules runs every rule on the fixture (pass) and on the fixture with one
// resource broken (fail, with the finding).
func TestRules(t *testing.T) {
	t.Parallel()
	for _, tc := range ruleCases() {
		t.Run(tc.rule+"/"+tc.name, func(t *testing.T) {
			t.Parallel()
			rep, err := Evaluate(goodStack(t), nil, prodStack)
			if err != nil {
				t.Fatal(err)
			}
			if row := rowOf(t, rep, tc.rule, tc.typ, tc.res); row.Verdict != Pass {
				t.Fatalf("fixture: %s on %s = %s (%s); want pass", tc.rule, tc.res, row.Verdict, row.Why)
			}
			inv := goodStack(t)
			tc.breakIt(t, inv)
			rep, err = Evaluate(inv, nil, prodStack)
			if err != nil {
				t.Fatal(err)
			}
			row := rowOf(t, rep, tc.rule, tc.typ, tc.res)
			if row.Verdict != Fail || !strings.Contains(row.Why, tc.wantWhy) {
				t.Fatalf("broken: %s on %s = %s (%s); want fail with %q", tc.rule, tc.res, row.Verdict, row.Why, tc.wantWhy)
			}
		})
	}
}

// TestEveryRuleHasACase keeps the table above complete.
func TestEveryRuleHasACase(t *testing.T) {
	t.Parallel()
	covered := map[string]bool{}
	for _, tc := range ruleCases() {
		covered[tc.rule] = true
	}
	for _, r := range Rules() {
		if !covered[r.ID] {
			t.Errorf("rule %s has no pass/fail case in ruleCases", r.ID)
		}
	}
}

func TestFixturePassesEverything(t *testing.T) {
	t.Parallel()
	rep, err := Evaluate(goodStack(t), nil, prodStack)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rep.Rows {
		if row.Verdict != Pass {
			t.Errorf("%s %s %s: %s: %s", row.Rule, row.Type, row.Resource, row.Verdict, row.Why)
		}
	}
	if len(rep.Failed()) != 0 || len(rep.Advisories()) != 0 || rep.Err() != nil {
		t.Errorf("failed %v, advisories %v, err %v", rep.Failed(), rep.Advisories(), rep.Err())
	}
}

// Variants of findings the table does not reach.
func TestFindings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		breakIt func(t testing.TB, inv *inventory.Inventory)
		env     Stack
		rule    string
		typ     string
		res     string
		want    Verdict
		wantWhy string
	}{
		{"public-read bucket may open policies but not ACLs", func(t testing.TB, inv *inventory.Inventory) {
			setInput(t, inv, typeBPA, "static-public-access", "ignorePublicAcls", false)
		}, prodStack, "S3.8", typeBucket, "static-bucket", Fail, "must still block and ignore public ACLs"},
		{"public-read bucket passes S3.8 with ACLs blocked", nil, prodStack, "S3.8", typeBucket, "static-bucket", Pass,
			"public-read by design"},
		{"bucket without a public access block", func(t testing.TB, inv *inventory.Inventory) {
			edit(t, inv, typeBPA, "deposition-public-access", func(r *inventory.Resource) { r.Inputs["bucket"] = "other" })
		}, prodStack, "S3.8", typeBucket, "deposition-bucket", Fail, "no public access block"},
		{"secret bucket policy cannot be judged", func(t testing.TB, inv *inventory.Inventory) {
			setInput(t, inv, typeBucketPolicy, "static-policy", "policy", inventory.Secret)
		}, prodStack, "S3.3", typeBucketPolicy, "static-policy", Fail, "cannot be checked offline"},
		{"NotPrincipal allow is public", func(t testing.TB, inv *inventory.Inventory) {
			setInput(t, inv, typeBucketPolicy, "static-policy", "policy", policyDoc(t, tlsDeny(staticName),
				m{"Effect": "Allow", "NotPrincipal": m{"AWS": "arn:aws:iam::123456789012:root"}, "Action": "s3:PutObject",
					"Resource": "*"}))
		}, prodStack, "S3.3", typeBucketPolicy, "static-policy", Fail, "s3:PutObject"},
		{"bucket without any policy", func(t testing.TB, inv *inventory.Inventory) {
			setInput(t, inv, typeBucketPolicy, "deposition-policy", "bucket", "someone-elses")
		}, prodStack, "S3.5", typeBucket, "deposition-bucket", Fail, "no bucket policy"},
		{"monitoring without a role", func(t testing.TB, inv *inventory.Inventory) {
			edit(t, inv, typeDBInstance, "db-instance", func(r *inventory.Resource) { delete(r.Inputs, "monitoringRoleArn") })
		}, prodStack, "RDS.6", typeDBInstance, "db-instance", Fail, "no monitoringRoleArn"},
		{"admin is a default name too", func(t testing.TB, inv *inventory.Inventory) {
			setInput(t, inv, typeDBInstance, "db-instance", "username", "admin")
		}, prodStack, "RDS.25", typeDBInstance, "db-instance", Fail, `"admin"`},
		{"final snapshot without a name", func(t testing.TB, inv *inventory.Inventory) {
			setInput(t, inv, typeDBInstance, "db-instance", "finalSnapshotIdentifier", nil)
		}, prodStack, "AP.REL.2", typeDBInstance, "db-instance", Fail, "finalSnapshotIdentifier is not set"},
		{"VPC whose default group is unmanaged", func(t testing.TB, inv *inventory.Inventory) {
			inv.Resources = slices.DeleteFunc(inv.Resources, func(r inventory.Resource) bool { return r.Type == typeDefaultSG })
		}, prodStack, "EC2.2", typeVpc, "network-vpc", Fail, "1 VPC(s) but 0 managed default security group(s)"},
		{"secret container definitions", func(t testing.TB, inv *inventory.Inventory) {
			setInput(t, inv, typeTaskDef, "backend-task", "containerDefinitions", inventory.Secret)
		}, prodStack, "ECS.8", typeTaskDef, "backend-task", Fail, "a secret value is written into the definition"},
		{"DATABASE_URL in environment", func(t testing.TB, inv *inventory.Inventory) {
			setInput(t, inv, typeTaskDef, "backend-task", "containerDefinitions", containerDefs(t, func(c m) {
				c["environment"] = l{m{"name": "DATABASE_URL", "value": "postgresql://x"}}
			}))
		}, prodStack, "ECS.8", typeTaskDef, "backend-task", Fail, "DATABASE_URL"},
		{"HTTP without any HTTPS listener passes ELB.1", func(t testing.TB, inv *inventory.Inventory) {
			inv.Resources = slices.DeleteFunc(inv.Resources, func(r inventory.Resource) bool { return r.Name == "web-https" })
			setInput(t, inv, typeListener, "web-http", "defaultActions", l{m{"type": "forward"}})
		}, Stack{Environment: "development"}, "ELB.1", typeListener, "web-http", Pass, "no HTTPS listener"},
		{"TLS 1.2 policy", func(t testing.TB, inv *inventory.Inventory) {
			setInput(t, inv, typeListener, "web-https", "sslPolicy", "ELBSecurityPolicy-2016-08")
		}, prodStack, "ELB.17", typeListener, "web-https", Fail, "not a TLS 1.3 policy"},
		{"iam:* on one role", func(t testing.TB, inv *inventory.Inventory) {
			setInput(t, inv, typeIAMPolicy, "backend-exec-ssm", "policy", policyDoc(t,
				m{"Effect": "Allow", "Action": "iam:*", "Resource": "arn:aws:iam::123456789012:role/x"}))
		}, prodStack, "IAM.1", typeIAMPolicy, "backend-exec-ssm", Fail, "allows iam:*"},
		{"role inline admin policy", func(t testing.TB, inv *inventory.Inventory) {
			setInput(t, inv, typeRole, "backend-task-role", "inlinePolicies", l{m{"name": "admin",
				"policy": policyDoc(t, m{"Effect": "Allow", "Action": "*", "Resource": "*"})}})
		}, prodStack, "IAM.1", typeRole, "backend-task-role", Fail, `inline policy "admin"`},
		{"plain password in a nested output", func(t testing.TB, inv *inventory.Inventory) {
			inv.Outputs["database"] = m{"host": "db", "password": "hunter2"}
		}, prodStack, "AP.OUT.1", OutputType, "database", Fail, "database.password looks secret"},
		{"credential URL under an innocent name", func(t testing.TB, inv *inventory.Inventory) {
			inv.Outputs["backendEnv"] = m{"DB": "postgresql://u:p@h/d"}
		}, prodStack, "AP.OUT.1", OutputType, "backendEnv", Fail, "URL with a password"},
		{"names of secrets are not secrets", func(t testing.TB, inv *inventory.Inventory) {
			inv.Outputs["databaseUrlParameterArn"] = "arn:aws:ssm:us-west-2:123456789012:parameter/x"
		}, prodStack, "AP.OUT.1", OutputType, "databaseUrlParameterArn", Pass, "plain"},
		{"a map of parameter names keyed by secret names", func(t testing.TB, inv *inventory.Inventory) {
			inv.Outputs["parameterNames"] = m{"DATABASE_URL": "/copilot/article-pipeline/prod/secrets/DATABASE_URL"}
		}, prodStack, "AP.OUT.1", OutputType, "parameterNames", Pass, "plain"},
		{"a credential URL inside a map of names", func(t testing.TB, inv *inventory.Inventory) {
			inv.Outputs["parameterNames"] = m{"DATABASE_URL": "postgresql://u:p@h/d"}
		}, prodStack, "AP.OUT.1", OutputType, "parameterNames", Fail, "URL with a password"},
		{"public bucket is not stateful", nil, prodStack, "AP.PROTECT.1", typeBucket, "static-bucket", Pass, "not stateful"},
		{"unprotected vault", func(t testing.TB, inv *inventory.Inventory) {
			edit(t, inv, typeVault, "backup-vault", func(r *inventory.Resource) { r.Protect = false })
		}, prodStack, "AP.PROTECT.1", typeVault, "backup-vault", Fail, "not protected"},
		{"deposition found by name alone", func(t testing.TB, inv *inventory.Inventory) {
			inv.Resources = slices.DeleteFunc(inv.Resources, func(r inventory.Resource) bool {
				return r.Type == typeVersioning || r.Type == typeBackupSelect
			})
			setInput(t, inv, typeBucketPolicy, "deposition-policy", "policy", policyDoc(t, tlsDeny(depositionName)))
		}, prodStack, "AP.REL.3", typeBucket, "deposition-bucket", Fail, "versioning is not enabled"},
		{"database not backed up", func(t testing.TB, inv *inventory.Inventory) {
			setInput(t, inv, typeBackupSelect, "backup-selection", "resources", l{"arn:aws:s3:::" + depositionName})
		}, prodStack, "AP.REL.4", typeDBInstance, "db-instance", Fail, "no AWS Backup selection"},
		{"service without a load balancer", func(t testing.TB, inv *inventory.Inventory) {
			setInput(t, inv, typeService, "backend-service", "loadBalancers", l{})
		}, prodStack, "AP.REL.5", typeService, "backend-service", Fail, "loadBalancers is empty"},
		{"target group without a path", func(t testing.TB, inv *inventory.Inventory) {
			setInput(t, inv, typeTargetGroup, "backend-tg", "healthCheck", m{"enabled": true})
		}, prodStack, "AP.REL.5", typeService, "backend-service", Fail, "sets no healthCheck.path"},
		{"target group of another stack", func(t testing.TB, inv *inventory.Inventory) {
			setInput(t, inv, typeTargetGroup, "backend-tg", "name", "elsewhere")
		}, prodStack, "AP.REL.5", typeService, "backend-service", Fail, "not in this stack"},
		{"no circuit breaker", func(t testing.TB, inv *inventory.Inventory) {
			setInput(t, inv, typeService, "backend-service", "deploymentCircuitBreaker", nil)
		}, prodStack, "AP.REL.6", typeService, "backend-service", Fail, "deploymentCircuitBreaker is not set"},
		{"parameter of another environment", func(t testing.TB, inv *inventory.Inventory) {
			setInput(t, inv, typeParameter, "params-database-url", "name",
				"/copilot/article-pipeline/development/secrets/DATABASE_URL")
		}, prodStack, "AP.SSM.2", typeParameter, "params-database-url", Fail, "not this stack's prod"},
		{"parameter missing its Copilot tag", func(t testing.TB, inv *inventory.Inventory) {
			setInput(t, inv, typeParameter, "params-database-url", "tags", m{"copilot-application": "article-pipeline"})
		}, prodStack, "AP.SSM.2", typeParameter, "params-database-url", Fail, `tag copilot-environment is ""`},
		{"parameter of another application", func(t testing.TB, inv *inventory.Inventory) {
			setInput(t, inv, typeParameter, "params-database-url", "name", "/copilot/other/prod/secrets/X")
			setInput(t, inv, typeParameter, "params-database-url", "tags", m{"copilot-application": "other",
				"copilot-environment": "prod"})
		}, prodStack, "AP.SSM.2", typeParameter, "params-database-url", Fail, "not article-pipeline"},
		{"provider for another environment", nil, Stack{Environment: "development"}, "AP.TAG.1", typeProvider, "aws", Fail,
			"environment=development (it is prod)"},
		{"provider default tags sent as JSON", func(t testing.TB, inv *inventory.Inventory) {
			setInput(t, inv, typeProvider, "aws", "defaultTags",
				`{"tags":{"app":"article-pipeline","environment":"prod","managed-by":"pulumi"}}`)
		}, prodStack, "AP.TAG.1", typeProvider, "aws", Pass, "default tags"},
		{"no explicit provider and no own tags", func(t testing.TB, inv *inventory.Inventory) {
			inv.Resources = slices.DeleteFunc(inv.Resources, func(r inventory.Resource) bool { return r.Type == typeProvider })
		}, prodStack, "AP.TAG.2", typeVpc, "network-vpc", Fail, "no explicit aws provider"},
		{"own tag blanks a default", func(t testing.TB, inv *inventory.Inventory) {
			setInput(t, inv, typeVpc, "network-vpc", "tags", m{"app": ""})
		}, prodStack, "AP.TAG.2", typeVpc, "network-vpc", Fail, "blank the default tag app"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inv := goodStack(t)
			if tc.breakIt != nil {
				tc.breakIt(t, inv)
			}
			rep, err := Evaluate(inv, nil, tc.env)
			if err != nil {
				t.Fatal(err)
			}
			row := rowOf(t, rep, tc.rule, tc.typ, tc.res)
			if row.Verdict != tc.want || !strings.Contains(row.Why, tc.wantWhy) {
				t.Fatalf("%s on %s = %s (%s); want %s with %q", tc.rule, tc.res, row.Verdict, row.Why, tc.want, tc.wantWhy)
			}
		})
	}
}

// TestProdOnlyRules: the production requirements pass outside prod, saying so.
func TestProtectedOnlyRules(t *testing.T) {
	t.Parallel()
	inv := goodStack(t)
	setInput(t, inv, typeProvider, "aws", "defaultTags", m{"tags": m{"app": "article-pipeline",
		"environment": "development", "managed-by": "pulumi"}})
	setInput(t, inv, typeDBInstance, "db-instance", "deletionProtection", false)
	setInput(t, inv, typeDBInstance, "db-instance", "backupRetentionPeriod", 1.0)
	setInput(t, inv, typeLoadBalancer, "web-alb", "enableDeletionProtection", false)
	setInput(t, inv, typeLoadBalancer, "web-alb", "accessLogs", nil)
	inv.Resources = slices.DeleteFunc(inv.Resources, func(r inventory.Resource) bool { return r.Type == typeWebACLAssoc })
	setInput(t, inv, typeBackupSelect, "backup-selection", "resources", l{})
	setInput(t, inv, typeVersioning, "deposition-versioning", "versioningConfiguration", m{"status": "Suspended"})
	setInput(t, inv, typeParameter, "params-database-url", "name",
		"/copilot/article-pipeline/development/secrets/DATABASE_URL")
	setInput(t, inv, typeParameter, "params-database-url", "tags", m{"copilot-application": "article-pipeline",
		"copilot-environment": "development"})
	for i := range inv.Resources {
		inv.Resources[i].Protect = false
	}
	rep, err := Evaluate(inv, nil, Stack{Environment: "development"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ rule, typ, res string }{
		{"RDS.8", typeDBInstance, "db-instance"},
		{"AP.REL.1", typeDBInstance, "db-instance"},
		{"ELB.6", typeLoadBalancer, "web-alb"},
		{"ELB.5", typeLoadBalancer, "web-alb"},
		{"ELB.16", typeLoadBalancer, "web-alb"},
		{"AP.PROTECT.1", typeDBInstance, "db-instance"},
		{"AP.PROTECT.1", typeVault, "backup-vault"},
		{"AP.REL.4", typeDBInstance, "db-instance"},
		{"AP.REL.4", typeBucket, "deposition-bucket"},
	} {
		row := rowOf(t, rep, c.rule, c.typ, c.res)
		if row.Verdict != Pass || !strings.HasPrefix(row.Why, "required where article-pipeline:protect is true; here it is false: ") {
			t.Errorf("%s on %s: %s (%s); want pass, required only where protect is true", c.rule, c.res, row.Verdict, row.Why)
		}
	}
	if err := rep.Err(); err != nil {
		t.Errorf("development stack: %v", err)
	}
}

func TestAbsentResourcesAreTolerated(t *testing.T) {
	t.Parallel()
	// A development stack that consumes the shared VPC and buckets from prod:
	// only the provider and an output are here.
	inv := &inventory.Inventory{Project: "article-pipeline", Stack: "development", Resources: []inventory.Resource{
		custom(typeProvider, "aws", m{"defaultTags": m{"tags": m{"app": "article-pipeline",
			"environment": "development", "managed-by": "pulumi"}}}),
	}, Outputs: m{"vpcId": "vpc-0123"}}
	rep, err := Evaluate(inv, nil, Stack{Environment: "development"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Err() != nil || len(rep.Rows) != 2 {
		t.Errorf("rows %v, err %v; want 2 passing rows", rep.Rows, rep.Err())
	}
}

func TestStateful(t *testing.T) {
	t.Parallel()
	var got []string
	for _, r := range Stateful(goodStack(t)) {
		got = append(got, r.Type+" "+r.Name)
	}
	want := []string{typeBucket + " deposition-bucket", typeDBInstance + " db-instance", typeVault + " backup-vault"}
	if !slices.Equal(got, want) {
		t.Errorf("Stateful = %v; want %v", got, want)
	}
}

func TestAutoNamedLinks(t *testing.T) {
	t.Parallel()
	b := custom(typeBucket, "scratch", m{})
	for _, c := range []struct {
		physical string
		want     bool
	}{
		{"scratch-1a2b3c4", true}, {"scratch-1a2b3c", false}, {"scratch-1A2B3C4", false}, {"other-1a2b3c4", false},
		{"", false},
	} {
		if got := isNamed(b, "bucket", c.physical); got != c.want {
			t.Errorf("isNamed(auto-named scratch, %q) = %t; want %t", c.physical, got, c.want)
		}
	}
	named := custom(typeBucket, "scratch", m{"bucket": "my-bucket"})
	if !isNamed(named, "bucket", "my-bucket") || isNamed(named, "bucket", "scratch-1a2b3c4") {
		t.Error("a named bucket matches its name only")
	}
	if !bucketARNMatcher(named)("arn:aws-us-gov:s3:::my-bucket") || bucketARNMatcher(named)("arn:aws:s3:::my-bucket/*") {
		t.Error("bucket ARN matching: whole-bucket ARN in any partition only")
	}
	if !dbARNMatcher(custom(typeDBInstance, "db", m{}))("arn:aws:rds:us-west-2:1:db:db-0a1b2c3") {
		t.Error("an auto-named instance matches its ARN")
	}
}

func TestSecretEnvName(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{
		"DATABASE_URL": true, "SECRET_KEY": true, "MAILGUN_API_KEY": true, "AWS_SECRET_ACCESS_KEY": true,
		"SLACK_TOKEN": true, "DB_PASSWORD": true, "KEY": true, "aws_access_key_id": true,
		"COMPOUND_BUCKET_V3": false, "DJANGO_SETTINGS_MODULE": false, "KEYCLOAK_URL": false, "MONKEY_MODE": false,
		"S3_RSS_INGESTION_ARCHIVE_URL": false,
	} {
		if got := secretEnvName(name); got != want {
			t.Errorf("secretEnvName(%q) = %t; want %t", name, got, want)
		}
	}
}
