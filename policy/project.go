package policy

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

// requiredTags are the provider default tags every taggable resource carries
// (design brief, "Tags"); managed-by must say pulumi.
var requiredTags = []string{"app", "environment", "managed-by"}

// taggable lists the aws resource types this program may create that accept
// tags (they have a tags input in the pulumi-aws v6 schema). Side resources of
// a bucket, policies attached to roles, listeners' certificates, backup
// selections, route table associations and the like have none.
var taggable = []string{
	"aws:acm/certificate:Certificate",
	"aws:appautoscaling/target:Target",
	"aws:backup/plan:Plan",
	"aws:backup/vault:Vault",
	"aws:cloudwatch/eventRule:EventRule",
	"aws:cloudwatch/logGroup:LogGroup",
	"aws:cloudwatch/metricAlarm:MetricAlarm",
	"aws:ec2/defaultNetworkAcl:DefaultNetworkAcl",
	"aws:ec2/defaultRouteTable:DefaultRouteTable",
	"aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
	"aws:ec2/eip:Eip",
	"aws:ec2/flowLog:FlowLog",
	"aws:ec2/instance:Instance",
	"aws:ec2/internetGateway:InternetGateway",
	"aws:ec2/keyPair:KeyPair",
	"aws:ec2/launchTemplate:LaunchTemplate",
	"aws:ec2/natGateway:NatGateway",
	"aws:ec2/networkAcl:NetworkAcl",
	"aws:ec2/routeTable:RouteTable",
	"aws:ec2/securityGroup:SecurityGroup",
	"aws:ec2/subnet:Subnet",
	"aws:ec2/vpc:Vpc",
	"aws:ec2/vpcEndpoint:VpcEndpoint",
	"aws:ecr/repository:Repository",
	"aws:ecs/cluster:Cluster",
	"aws:ecs/service:Service",
	"aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration",
	"aws:ecs/taskDefinition:TaskDefinition",
	"aws:iam/instanceProfile:InstanceProfile",
	"aws:iam/openIdConnectProvider:OpenIdConnectProvider",
	"aws:iam/policy:Policy",
	"aws:iam/role:Role",
	"aws:kms/key:Key",
	"aws:lb/listener:Listener",
	"aws:lb/listenerRule:ListenerRule",
	"aws:lb/loadBalancer:LoadBalancer",
	"aws:lb/targetGroup:TargetGroup",
	"aws:rds/instance:Instance",
	"aws:rds/parameterGroup:ParameterGroup",
	"aws:rds/proxy:Proxy",
	"aws:rds/subnetGroup:SubnetGroup",
	"aws:route53/zone:Zone",
	"aws:s3/bucketV2:BucketV2",
	"aws:secretsmanager/secret:Secret",
	"aws:sns/topic:Topic",
	"aws:ssm/parameter:Parameter",
	"aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
	"aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
	"aws:wafv2/webAcl:WebAcl",
}

// Taggable lists the resource types the tagging rule (AP.TAG.2) covers.
func Taggable() []string { return slices.Clone(taggable) }

// isTaggable selects the resources AP.TAG.2 judges.
func isTaggable(r inventory.Resource) bool { return r.Custom && slices.Contains(taggable, r.Type) }

func projectRules() []Rule {
	db := ofType(typeDBInstance)
	return []Rule{
		{
			ID: "AP.IAM.1", Severity: Mandatory, Applies: ofType(typeRole),
			Description: "IAM role trust policies do not let everyone (Principal *) assume the role",
			Check: func(_ *Graph, r inventory.Resource) (bool, string) {
				d, err := parseDocument(r.Get("assumeRolePolicy"))
				if err != nil {
					return false, "assumeRolePolicy: " + err.Error()
				}
				var who []string
				for i, s := range d.Statement {
					if s.Effect != "Allow" {
						continue
					}
					if s.publicPrincipal() {
						return false, s.label(i) + " lets anyone assume the role"
					}
					who = append(who, principalNames(s.Principal)...)
				}
				return true, "trusts " + strings.Join(who, ", ")
			},
		},
		{
			ID: "AP.OUT.1", Severity: Mandatory, Applies: ofType(OutputType),
			Description: "stack outputs that look secret (database URL, password, secret, token, key) are secret, " +
				"and no plain output holds a URL with a password",
			Check: func(_ *Graph, r inventory.Resource) (bool, string) {
				if f := plainSecret(r.Name, r.Get("value")); f != "" {
					return false, f
				}
				if r.Get("value") == inventory.Secret {
					return true, "secret"
				}
				return true, "plain, and holds nothing secret-looking"
			},
		},
		{
			ID: "AP.PROTECT.1", Severity: Mandatory, Applies: ofType(typeDBInstance, typeVault, typeBucket),
			Description: "stateful resources (DB instance, deposition bucket, backup vault) are protected in prod",
			Check: func(g *Graph, r inventory.Resource) (bool, string) {
				if !g.stateful(r) {
					return true, "not stateful (not the deposition bucket)"
				}
				if r.Protect {
					return true, "protected"
				}
				return protectedOnly(g, false, "not protected; pulumi destroy or a replacement would delete its data")
			},
		},
		rule("AP.REL.1", Mandatory, db, inProd(checkRetention(7)),
			"RDS instances keep automated backups for at least 7 days in prod (runbook)"),
		{
			ID: "AP.REL.2", Severity: Mandatory, Applies: db,
			Description: "RDS instances take a final snapshot when deleted (skipFinalSnapshot false, an identifier set)",
			Check: func(_ *Graph, r inventory.Resource) (bool, string) {
				if skip, _ := r.Bool("skipFinalSnapshot"); skip {
					return false, "skipFinalSnapshot is true"
				}
				if id := r.String("finalSnapshotIdentifier"); id != "" {
					return true, "final snapshot " + id
				}
				return false, "finalSnapshotIdentifier is not set (deleting the instance would fail or lose the data)"
			},
		},
		{
			ID: "AP.REL.3", Severity: Mandatory, Applies: ofType(typeBucket),
			Description: "the deposition bucket is versioned in prod",
			Check: func(g *Graph, r inventory.Resource) (bool, string) {
				if !g.deposition(r) {
					return true, "not the deposition bucket"
				}
				if g.versioned(r) {
					return true, "versioning is enabled"
				}
				return protectedOnly(g, false, "versioning is not enabled")
			},
		},
		{
			ID: "AP.REL.4", Severity: Mandatory, Applies: ofType(typeBucket, typeDBInstance),
			Description: "the deposition bucket and the database are in an AWS Backup selection in prod",
			Check: func(g *Graph, r inventory.Resource) (bool, string) {
				match := dbARNMatcher(r)
				if r.Type == typeBucket {
					if !g.deposition(r) {
						return true, "not the deposition bucket"
					}
					match = bucketARNMatcher(r)
				}
				if ok, sel := g.backedUp(match); ok {
					return true, "selected by backup selection " + sel
				}
				return protectedOnly(g, false, "no AWS Backup selection names it")
			},
		},
		rule("AP.REL.7", Advisory, ofType(typeBackupPlan), checkColdStorage,
			"a backup rule's move to cold storage applies to what the plan selects (AWS Backup ignores "+
				"it for RDS and S3 recovery points, which then stay in warm storage for their whole retention)"),
		rule("AP.REL.5", Mandatory, ofType(typeService), checkServiceHealth,
			"every ECS service is behind a load balancer target group with a health check"),
		{
			ID: "AP.REL.6", Severity: Mandatory, Applies: ofType(typeService),
			Description: "every ECS service has the deployment circuit breaker with rollback on (Copilot's default)",
			Check: func(_ *Graph, r inventory.Resource) (bool, string) {
				cb := obj(r.Get("deploymentCircuitBreaker"))
				enable, _ := cb["enable"].(bool)
				rollback, _ := cb["rollback"].(bool)
				switch {
				case cb == nil:
					return false, "deploymentCircuitBreaker is not set"
				case !enable:
					return false, "deploymentCircuitBreaker.enable is not true"
				case !rollback:
					return false, "deploymentCircuitBreaker.rollback is not true"
				}
				return true, "circuit breaker on, with rollback"
			},
		},
		{
			ID: "AP.SSM.1", Severity: Mandatory, Applies: ofType(typeParameter),
			Description: "SSM parameters are SecureString (runbook: every parameter MUST be a secure string)",
			Check: func(_ *Graph, r inventory.Resource) (bool, string) {
				if t := r.String("type"); t != "SecureString" {
					return false, fmt.Sprintf("type is %s; expected SecureString", orNone(t))
				}
				return true, "type is SecureString"
			},
		},
		rule("AP.SSM.2", Mandatory, ofType(typeParameter), checkParameterName,
			"SSM parameters are named /copilot/<app>/<env>/secrets/<NAME> and tagged copilot-application "+
				"and copilot-environment to match (runbook; Copilot reads them by tag)"),
		{
			ID: "AP.TAG.1", Severity: Mandatory, Applies: ofType(typeProvider),
			Description: "the aws provider sets default tags app, environment (the stack's) and managed-by=pulumi",
			Check: func(g *Graph, r inventory.Resource) (bool, string) {
				if missing := g.missingDefaultTags(r); len(missing) > 0 {
					return false, "default tags lack " + strings.Join(missing, ", ")
				}
				return true, "default tags " + strings.Join(requiredTags, ", ")
			},
		},
		rule("AP.TAG.2", Mandatory, isTaggable, checkTagged,
			"every taggable resource carries app, environment and managed-by (from the aws provider's "+
				"default tags)"),
	}
}

// principalNames lists a statement's principals for a finding.
func principalNames(p any) []string {
	if s, ok := p.(string); ok {
		return []string{s}
	}
	m, _ := p.(map[string]any)
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, inventory.AsStrings(m[k])...)
	}
	return out
}

var (
	secretOutputWord = regexp.MustCompile(`password|passwd|secret|token|databaseurl|privatekey|apikey|credential|connectionstring`)
	// Names that point at a secret rather than hold it.
	secretPointer = regexp.MustCompile(`(arn|arns|name|names|path|paths|id|ids|parameter|parameters)$`)
)

// secretOutputName reports whether an output (or output map key) name looks
// like it holds a secret.
func secretOutputName(name string) bool {
	n := strings.ToLower(strings.NewReplacer("_", "", "-", "", ".", "").Replace(name))
	return secretOutputWord.MatchString(n) && !secretPointer.MatchString(n)
}

// plainSecret returns a finding when v (named name) shows a secret in plain text.
func plainSecret(name string, v any) string { return plainSecretIn(name, v, false) }

// plainSecretIn is plainSecret inside a value whose name already says it points
// at secrets (parameterNames.DATABASE_URL is a parameter's name, not its value):
// there only a URL with a password is a finding.
func plainSecretIn(name string, v any, pointer bool) string {
	switch t := v.(type) {
	case string:
		if t == inventory.Secret {
			return ""
		}
		if !pointer && secretOutputName(name) {
			return fmt.Sprintf("%s looks secret but is plain; export it with pulumi.ToSecret", name)
		}
		if u, err := url.Parse(t); err == nil && u.User != nil {
			if _, has := u.User.Password(); has {
				return fmt.Sprintf("%s is a URL with a password in plain text", name)
			}
		}
	case map[string]any:
		inner := pointer || secretPointer.MatchString(strings.ToLower(name))
		for _, k := range slices.Sorted(maps.Keys(t)) {
			if f := plainSecretIn(name+"."+k, t[k], inner); f != "" {
				return f
			}
		}
	case []any:
		for i, e := range t {
			if f := plainSecretIn(fmt.Sprintf("%s[%d]", name, i), e, pointer); f != "" {
				return f
			}
		}
	default:
		if v != nil && !pointer && secretOutputName(name) {
			return fmt.Sprintf("%s looks secret but is plain; export it with pulumi.ToSecret", name)
		}
	}
	return ""
}

// serviceTargetGroups returns the target group ARNs a service registers with.
func serviceTargetGroups(r inventory.Resource) []string {
	var out []string
	for _, lb := range list(r.Get("loadBalancers")) {
		if arn, _ := lb["targetGroupArn"].(string); arn != "" {
			out = append(out, arn)
		}
	}
	return out
}

func checkServiceHealth(g *Graph, r inventory.Resource) (bool, string) {
	arns := serviceTargetGroups(r)
	if len(arns) == 0 {
		return false, "not registered with any load balancer target group (loadBalancers is empty)"
	}
	var names []string
	for _, arn := range arns {
		tg, ok := g.targetGroup(arn)
		if !ok {
			return false, fmt.Sprintf("target group %s is not in this stack; its health check cannot be checked", arn)
		}
		hc := obj(tg.Get("healthCheck"))
		if enabled, set := hc["enabled"].(bool); set && !enabled {
			return false, fmt.Sprintf("target group %s has its health check disabled", tg.Name)
		}
		path, _ := hc["path"].(string)
		if proto := strings.ToUpper(tg.String("protocol")); (proto == "" || strings.HasPrefix(proto, "HTTP")) &&
			path == "" {
			return false, fmt.Sprintf("target group %s sets no healthCheck.path", tg.Name)
		}
		names = append(names, fmt.Sprintf("%s (%s)", tg.Name, orNone(path)))
	}
	why := "health-checked by target group " + strings.Join(names, ", ")
	if n, ok := inventory.AsNumber(r.Get("healthCheckGracePeriodSeconds")); ok {
		why += fmt.Sprintf(", %g s grace", n)
	}
	return true, why
}

var parameterName = regexp.MustCompile(`^/copilot/([a-z][a-z0-9-]*)/([a-z][a-z0-9-]*)/secrets/([A-Za-z_][A-Za-z0-9_]*)$`)

func checkParameterName(g *Graph, r inventory.Resource) (bool, string) {
	name := r.String("name")
	m := parameterName.FindStringSubmatch(name)
	if m == nil {
		return false, fmt.Sprintf("name %s does not follow /copilot/<app>/<env>/secrets/<NAME>", orNone(name))
	}
	app, env := m[1], m[2]
	if env != g.Environment {
		return false, fmt.Sprintf("name %s is in environment %s, not this stack's %s", name, env, g.Environment)
	}
	for _, p := range g.Inventory.OfType(typeProvider) {
		if a := defaultTags(p)["app"]; a != "" && a != app {
			return false, fmt.Sprintf("name %s is in application %s, not %s (the provider's app tag)", name, app, a)
		}
	}
	for _, t := range [][2]string{{"copilot-application", app}, {"copilot-environment", env}} {
		if got := r.String("tags", t[0]); got != t[1] {
			return false, fmt.Sprintf("tag %s is %q; Copilot needs %q", t[0], got, t[1])
		}
	}
	return true, name + ", tagged for Copilot"
}

// defaultTags returns a provider's default tags (an object, or the JSON string
// some SDKs send for provider inputs).
func defaultTags(p inventory.Resource) map[string]string {
	dt := p.Get("defaultTags")
	if s, ok := dt.(string); ok {
		var m map[string]any
		if json.Unmarshal([]byte(s), &m) != nil {
			return nil
		}
		dt = m
	}
	out := map[string]string{}
	tags, _ := obj(dt)["tags"].(map[string]any)
	for k, v := range tags {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

// missingDefaultTags lists the required default tags a provider lacks or sets wrong.
func (g *Graph) missingDefaultTags(p inventory.Resource) []string {
	tags := defaultTags(p)
	var missing []string
	for _, k := range requiredTags {
		v := tags[k]
		switch {
		case v == "":
			missing = append(missing, k)
		case k == "environment" && v != g.Environment:
			missing = append(missing, fmt.Sprintf("environment=%s (it is %s)", g.Environment, v))
		case k == "managed-by" && v != "pulumi":
			missing = append(missing, fmt.Sprintf("managed-by=pulumi (it is %s)", v))
		}
	}
	return missing
}

func checkTagged(g *Graph, r inventory.Resource) (bool, string) {
	own, _ := r.Get("tags").(map[string]any)
	for _, k := range requiredTags {
		if v, set := own[k]; set && (v == "" || v == nil) {
			return false, fmt.Sprintf("its own tags blank the default tag %s", k)
		}
	}
	providers := g.Inventory.OfType(typeProvider)
	if len(providers) == 0 {
		var missing []string
		for _, k := range requiredTags {
			if s, _ := own[k].(string); s == "" {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			return false, "no explicit aws provider sets default tags, and its own tags lack " + strings.Join(missing, ", ")
		}
		return true, "tagged on the resource"
	}
	for _, p := range providers {
		if missing := g.missingDefaultTags(p); len(missing) > 0 {
			return false, fmt.Sprintf("provider %s's default tags lack %s", p.Name, strings.Join(missing, ", "))
		}
	}
	return true, "default tags from the aws provider"
}

// coldStorageIgnored are the services whose recovery points AWS Backup never
// moves to cold storage, by the ARN's service (AWS Backup Developer Guide,
// "Feature availability by resource": cold storage is not offered for them).
var coldStorageIgnored = map[string]string{"rds": "RDS", "s3": "S3"}

// checkColdStorage says, for a plan whose rules move recovery points to cold
// storage, whether anything its selections name can go there.
func checkColdStorage(g *Graph, plan inventory.Resource) (bool, string) {
	var cold []string
	rules, _ := plan.Get("rules").([]any)
	for _, rule := range rules {
		m := obj(rule)
		after, _ := inventory.AsNumber(obj(m["lifecycle"])["coldStorageAfter"])
		deleteAfter, _ := inventory.AsNumber(obj(m["lifecycle"])["deleteAfter"])
		if after > 0 {
			cold = append(cold, fmt.Sprintf("rule %v moves recovery points to cold storage after %v days and deletes "+
				"them after %v", m["ruleName"], after, deleteAfter))
		}
	}
	if len(cold) == 0 {
		return true, "no cold storage: recovery points stay in warm storage for their retention"
	}
	var kinds []string
	for _, sel := range g.Inventory.OfType(typeBackupSelect) {
		if !slices.Contains(sel.DependsOn, plan.Name) {
			continue
		}
		for _, arn := range inventory.AsStrings(sel.Get("resources")) {
			parts := strings.SplitN(arn, ":", 4)
			if len(parts) < 3 {
				continue
			}
			kind, ignored := coldStorageIgnored[parts[2]]
			if !ignored {
				return true, strings.Join(cold, "; ") + "; " + arn + " can move to cold storage"
			}
			if !slices.Contains(kinds, kind) {
				kinds = append(kinds, kind)
			}
		}
	}
	if len(kinds) == 0 {
		return true, strings.Join(cold, "; ") + "; no selection names a resource"
	}
	slices.Sort(kinds)
	return false, strings.Join(cold, "; ") + ", but it selects only " + strings.Join(kinds, " and ") +
		" resources, whose recovery points AWS Backup never moves to cold storage: they stay in warm storage " +
		"(priced as such) for the whole retention"
}
