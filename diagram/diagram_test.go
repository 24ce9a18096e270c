package diagram

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

type m = map[string]any
type l = []any

func res(typ, name string, in m, deps ...string) inventory.Resource {
	return inventory.Resource{Type: typ, Name: name, Custom: true, Inputs: in, DependsOn: deps}
}

const (
	tgBackend = "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/backend-tg-f810371/f81037193f65897c"
	tgNER     = "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/nertool-tg-2e3dd68/2e3dd68efb5eadb6"
	tgFront   = "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/frontend-tg-7de5fd2/7de5fd2961e8a923"
	paramARN  = "arn:aws:ssm:us-west-2:123456789012:parameter/copilot/article-pipeline/test/secrets/DATABASE_URL"
)

func service(name, tg, sg string) inventory.Resource {
	return res("aws:ecs/service:Service", name+"-service", m{
		"taskDefinition":       "arn:aws:ecs:us-west-2:123456789012:task-definition/article-pipeline-test-" + name + ":1",
		"loadBalancers":        l{m{"containerName": name, "targetGroupArn": tg}},
		"networkConfiguration": m{"assignPublicIp": true, "securityGroups": l{sg}},
	})
}

func taskDef(name, containers string) inventory.Resource {
	return res("aws:ecs/taskDefinition:TaskDefinition", name+"-taskdef", m{
		"family": "article-pipeline-test-" + name, "cpu": "512", "memory": "1024",
		"taskRoleArn":          "arn:aws:iam::123456789012:role/" + name + "-task-role-fe4a641",
		"containerDefinitions": containers,
	})
}

func rule(name, tg, path string, deps ...string) inventory.Resource {
	return res("aws:lb/listenerRule:ListenerRule", name, m{
		"actions":    l{m{"type": "forward", "targetGroupArn": tg}},
		"conditions": l{m{"pathPattern": m{"values": l{path}}}},
	}, deps...)
}

// stack is a small prod-like graph: a load balancer routing to a backend and
// an NER tool, the backend granted the database, two buckets (one another
// stack's) and the DATABASE_URL parameter, a backup of the database and one
// bucket.
func stack(domain bool) *inventory.Inventory {
	rs := []inventory.Resource{
		res("aws:lb/loadBalancer:LoadBalancer", "web-alb", m{"internal": false}),
		res("aws:lb/listener:Listener", "web-https", m{"port": 443.0, "protocol": "HTTPS"}),
		rule("backend-rule", tgBackend, "/api/*", "backend-tg", "web-https"),
		rule("nertool-rule", tgNER, "/nertool/*", "nertool-tg", "web-https"),
		service("backend", tgBackend, "sg-task"),
		taskDef("backend", `[{"name":"backend","environment":[`+
			`{"name":"NER_TOOL_URL","value":"https://npdeposition.org/nertool/"},{"name":"DEBUG","value":"0"}],`+
			`"secrets":[{"name":"DATABASE_URL","valueFrom":"`+paramARN+`"}]}]`),
		service("nertool", tgNER, "sg-ner"),
		taskDef("nertool", `[{"name":"nertool"}]`),
		res("aws:iam/rolePolicy:RolePolicy", "backend-task-policy", m{"role": "backend-task-role-fe4a641",
			"policy": `{"Statement":[` +
				`{"Effect":"Deny","Action":"iam:*","Resource":"*"},` +
				`{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::dep/*"},` +
				`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::dep"},` +
				`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::static/*"}]}`}),
		res("aws:rds/instance:Instance", "database-instance", m{"identifier": "article-pipeline-test", "engine": "postgres",
			"engineVersion": "17", "instanceClass": "db.t4g.micro", "allocatedStorage": 20.0, "storageType": "gp3",
			"vpcSecurityGroupIds": l{"sg-db"}}),
		res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "database-from-backend", m{
			"securityGroupId": "sg-db", "referencedSecurityGroupId": "sg-task", "ipProtocol": "tcp", "fromPort": 5432.0}),
		res("aws:s3/bucketV2:BucketV2", "bucket-deposition-bucket", m{"bucket": "dep"}),
		res("aws:ssm/parameter:Parameter", "parameters-DATABASE_URL", m{
			"name": "/copilot/article-pipeline/test/secrets/DATABASE_URL", "type": "SecureString"}, "database-instance"),
		res("aws:backup/plan:Plan", "backup-plan", m{"rules": l{m{"ruleName": "monthly",
			"lifecycle": m{"deleteAfter": 180.0}}}}),
		res("aws:backup/selection:Selection", "backup-selection", m{"resources": l{
			"arn:aws:rds:us-west-2:123456789012:db:article-pipeline-test", "arn:aws:s3:::dep"}}),
		{Type: "pulumi:pulumi:StackReference", Name: "organization/article-pipeline/prod"},
	}
	if domain {
		rs = append(rs, res("aws:acm/certificate:Certificate", "web-cert", m{"domainName": "npdeposition.org"}))
	}
	return &inventory.Inventory{Stack: "test", Resources: rs}
}

func TestArrowsComeFromTheGraph(t *testing.T) {
	t.Parallel()
	out := Mermaid(stack(true))
	for _, want := range []string{
		`internet --> lb_web_alb`,
		`dns -.->|"alias"| lb_web_alb`,
		`lb_web_alb -->|"/api/*"| svc_backend`,
		`lb_web_alb -->|"/nertool/*"| svc_nertool`,
		`svc_backend -->|"tcp :5432"| db_database_instance`,
		`svc_backend -->|"read-write"| bucket_dep`,
		`svc_backend -->|"read"| bucket_static`,
		`svc_backend -->|"NER_TOOL_URL"| svc_nertool`,
		`svc_backend -->|"reads DATABASE_URL"| param_copilot_article_pipeline_test_secrets_DATABASE_URL`,
		`db_database_instance -.->|"its URL"| param_copilot_article_pipeline_test_secrets_DATABASE_URL`,
		`backup_plan -->|"backs up"| db_database_instance`,
		`backup_plan -->|"backs up"| bucket_dep`,
		`db_database_instance[("RDS PostgreSQL 17<br/>db.t4g.micro · 20 GB gp3 · single-AZ")]`,
		`svc_backend["backend<br/>0.5 vCPU · 1 GB · x86"]`,
		`subgraph external["shared stack organization/article-pipeline/prod"]`,
		`class bucket_static external`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	// The NER tool has no database rule, no bucket, and no arrow to itself.
	for _, unwanted := range []string{`svc_nertool -->|"tcp`, `svc_nertool -->|"read`, `DEBUG`, "svc_nertool -->|\"NER"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("unexpected %q in\n%s", unwanted, out)
		}
	}
	wellFormed(t, out)
}

func TestWhatAnotherStackOwnsIsExternal(t *testing.T) {
	t.Parallel()
	inv := stack(false) // no domain of its own: the NER tool's URL is another stack's
	inv.Resources = append(inv.Resources,
		res("aws:lb/targetGroup:TargetGroup", "frontend-tg", m{"vpcId": "vpc-f355af344127f2161"}),
		service("frontend", tgFront, "sg-front"),
		taskDef("frontend", `[{"name":"frontend"}]`),
		// A rule on a listener this stack does not declare (prod's, shared).
		rule("frontend-rule", tgFront, "/*", "frontend-tg", "organization/article-pipeline/prod"))
	out := Mermaid(inv)
	for _, want := range []string{
		`svc_backend -->|"NER_TOOL_URL"| url_npdeposition_org_nertool`,
		`url_npdeposition_org_nertool["npdeposition.org/nertool/"]`,
		`vpc["VPC and subnets"]`,
		`services -.->|"runs in"| vpc`,
		`shared_lb -->|"/*"| svc_frontend`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	classLine := regexp.MustCompile(`(?m)^  class (\S+) external$`).FindStringSubmatch(out)
	if classLine == nil {
		t.Fatalf("no external class in\n%s", out)
	}
	ext := strings.Split(classLine[1], ",")
	for _, want := range []string{"vpc", "bucket_static", "url_npdeposition_org_nertool", "shared_lb"} {
		if !slices.Contains(ext, want) {
			t.Errorf("%s is not drawn as external: %v", want, ext)
		}
	}
	if slices.Contains(ext, "bucket_dep") {
		t.Error("the stack's own bucket is drawn as external")
	}
	wellFormed(t, out)
}

// TestRulesOnASharedLoadBalancer: a development-like stack with no load
// balancer and no VPC of its own: the internet and its domain reach its
// services through the other stack's listener, and its bastion (in the other
// stack's VPC) is drawn.
func TestRulesOnASharedLoadBalancer(t *testing.T) {
	t.Parallel()
	inv := &inventory.Inventory{Project: "article-pipeline", Stack: "development", Resources: []inventory.Resource{
		res("pulumi:pulumi:StackReference", "organization/article-pipeline/prod", m{}),
		res("aws:acm/certificate:Certificate", "web-cert", m{"domainName": "development.npdeposition.org"}),
		res("aws:lb/targetGroup:TargetGroup", "frontend-tg", m{"vpcId": "vpc-f355af344127f2161"}),
		service("frontend", tgFront, "sg-front"),
		taskDef("frontend", `[{"name":"frontend"}]`),
		rule("frontend-rule", tgFront, "/*", "frontend-tg", "organization/article-pipeline/prod"),
		res("aws:ec2/instance:Instance", "bastion-instance", m{"instanceType": "t3.nano"}),
	}}
	inv.Resources[0].Custom = false
	out := Mermaid(inv)
	for _, want := range []string{
		`internet --> shared_lb`,
		`dns -.->|"alias"| shared_lb`,
		`dns["development.npdeposition.org<br/>Route 53 + ACM certificate"]`,
		`shared_lb -->|"/*"| svc_frontend`,
		`instance_bastion_instance["bastion-instance<br/>EC2 t3.nano"]`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	wellFormed(t, out)
}

func TestOneNodePerComponentPartNotPerResource(t *testing.T) {
	t.Parallel()
	inv := stack(true)
	for _, n := range []string{"A", "B", "C", "D", "E", "F", "G"} {
		inv.Resources = append(inv.Resources, res("aws:ssm/parameter:Parameter", "parameters-"+n,
			m{"name": "/copilot/article-pipeline/test/secrets/" + n, "type": "SecureString"}))
	}
	out := Mermaid(inv)
	if !strings.Contains(out, `parameters_all["8 SecureString parameters<br/>/copilot/article-pipeline/test/secrets/"]`) {
		t.Errorf("eight parameters not drawn as one node:\n%s", out)
	}
	if strings.Contains(out, "param_copilot") {
		t.Errorf("a parameter drawn on its own:\n%s", out)
	}
	wellFormed(t, out)
}

var (
	declRE = regexp.MustCompile(`^\s*([A-Za-z0-9_]+)(\[|\(|\(\()`)
	edgeRE = regexp.MustCompile(`^\s*([A-Za-z0-9_]+) (-->|-\.->)(\|"[^"]*"\|)? ([A-Za-z0-9_]+)$`)
	subRE  = regexp.MustCompile(`^\s*subgraph ([A-Za-z0-9_]+)\["[^"]*"\]$`)
)

// wellFormed checks what Mermaid would reject or draw wrongly: a node
// declared twice, an arrow to an undeclared node, an unbalanced subgraph, a
// raw quote inside a label.
func wellFormed(t *testing.T, out string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if lines[0] != "flowchart LR" {
		t.Fatalf("first line %q", lines[0])
	}
	declared := map[string]bool{}
	depth := 0
	for _, line := range lines[1:] {
		switch {
		case subRE.MatchString(line):
			g := subRE.FindStringSubmatch(line)[1]
			if declared[g] {
				t.Errorf("%s declared twice", g)
			}
			declared[g] = true
			depth++
		case strings.TrimSpace(line) == "end":
			depth--
		case edgeRE.MatchString(line):
			e := edgeRE.FindStringSubmatch(line)
			for _, end := range []string{e[1], e[4]} {
				if !declared[end] {
					t.Errorf("arrow %q to an undeclared node %s", line, end)
				}
			}
		case strings.HasPrefix(strings.TrimSpace(line), "class"):
		case declRE.MatchString(line):
			n := declRE.FindStringSubmatch(line)[1]
			if declared[n] {
				t.Errorf("%s declared twice", n)
			}
			declared[n] = true
			if strings.Count(line, `"`) != 2 {
				t.Errorf("label with a raw quote: %q", line)
			}
		default:
			t.Errorf("unexpected line %q", line)
		}
	}
	if depth != 0 {
		t.Errorf("unbalanced subgraphs (%d)", depth)
	}
}
