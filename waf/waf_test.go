package waf

import (
	"reflect"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/internal/mock"
)

const (
	aclType         = "aws:wafv2/webAcl:WebAcl"
	associationType = "aws:wafv2/webAclAssociation:WebAclAssociation"
	loggingType     = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
	logGroupType    = "aws:cloudwatch/logGroup:LogGroup"

	lbARN = "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/web-alb-0a1b2c3/0123456789abcdef"
)

func prodArgs() *Args {
	return &Args{Settings: Defaults(), NamePrefix: "article-pipeline-prod", LoadBalancerARN: pulumi.String(lbARN)}
}

func run(t *testing.T, args *Args) *mock.Monitor {
	t.Helper()
	mon, _ := mock.Declare(t, mock.Options{Stack: "prod"}, NewWebACL, "waf", args)
	return mon
}

type m = map[string]any

func visibility(metric string) m {
	return m{"cloudwatchMetricsEnabled": true, "metricName": "article-pipeline-prod-" + metric,
		"sampledRequestsEnabled": true}
}

// TestRules asserts the web ACL rule by rule: the rate limit first, then the
// three managed groups with their own actions, except SizeRestrictions_BODY,
// which only counts (NMR uploads are larger than 8 KB).
func TestRules(t *testing.T) {
	t.Parallel()
	acl := run(t, prodArgs()).MustFind(t, aclType, "waf-acl")
	if acl.Input("name") != "article-pipeline-prod-web-acl" || acl.Input("scope") != "REGIONAL" || !reflect.DeepEqual(acl.Input("defaultAction"), m{"allow": m{}}) ||
		!reflect.DeepEqual(acl.Input("visibilityConfig"), visibility("web-acl")) {
		t.Errorf("web ACL = scope %v, default %v, visibility %v", acl.Input("scope"), acl.Input("defaultAction"),
			acl.Input("visibilityConfig"))
	}
	managed := func(group string, priority float64, overrides ...any) m {
		stmt := m{"vendorName": "AWS", "name": group}
		if len(overrides) > 0 {
			stmt["ruleActionOverrides"] = overrides
		}
		return m{"name": group, "priority": priority, "overrideAction": m{"none": m{}},
			"statement": m{"managedRuleGroupStatement": stmt}, "visibilityConfig": visibility(group)}
	}
	want := []any{
		m{"name": "rate-limit-per-ip", "priority": 0.0, "action": m{"block": m{}},
			"statement": m{"rateBasedStatement": m{"limit": 2000.0, "aggregateKeyType": "IP",
				"evaluationWindowSec": 300.0}},
			"visibilityConfig": visibility("rate-limit-per-ip")},
		managed("AWSManagedRulesCommonRuleSet", 1,
			m{"name": "SizeRestrictions_BODY", "actionToUse": m{"count": m{}}}),
		managed("AWSManagedRulesKnownBadInputsRuleSet", 2),
		managed("AWSManagedRulesSQLiRuleSet", 3),
	}
	if got := acl.Input("rules"); !reflect.DeepEqual(got, want) {
		t.Errorf("rules = %v\nwant %v", got, want)
	}
}

func TestRateLimitFromSettings(t *testing.T) {
	t.Parallel()
	args := prodArgs()
	args.RateLimit = 10
	rules := run(t, args).MustFind(t, aclType, "waf-acl").Input("rules").([]any)
	if got := rules[0].(m)["statement"].(m)["rateBasedStatement"].(m)["limit"]; got != 10.0 {
		t.Errorf("limit = %v, want 10", got)
	}
}

func TestAssociationAndLog(t *testing.T) {
	t.Parallel()
	mon := run(t, prodArgs())
	aclARN := mon.MustFind(t, aclType, "waf-acl").Outputs["arn"].StringValue()
	assoc := mon.MustFind(t, associationType, "waf-association")
	if assoc.Input("resourceArn") != lbARN || assoc.Input("webAclArn") != aclARN {
		t.Errorf("association = %v", assoc.Inputs)
	}
	lg := mon.MustFind(t, logGroupType, "waf-logs")
	if lg.Input("name") != "aws-waf-logs-article-pipeline-prod" || lg.Input("retentionInDays") != 30.0 {
		t.Errorf("log group = %v", lg.Inputs)
	}
	logging := mon.MustFind(t, loggingType, "waf-logging")
	want := []any{m{"singleHeader": m{"name": "authorization"}}, m{"singleHeader": m{"name": "cookie"}}}
	if logging.Input("resourceArn") != aclARN || !reflect.DeepEqual(logging.Input("redactedFields"), want) ||
		!reflect.DeepEqual(logging.Input("logDestinationConfigs"),
			[]any{"arn:aws:logs:us-west-2:123456789012:log-group:aws-waf-logs-article-pipeline-prod"}) {
		t.Errorf("logging = %v", logging.Inputs)
	}

	args := prodArgs()
	args.Logging = false
	mon = run(t, args)
	if mon.Find(logGroupType, "waf-logs") != nil || mon.Find(loggingType, "waf-logging") != nil {
		t.Error("logging declared while off")
	}
}

func TestBadArgsDeclareNothing(t *testing.T) {
	t.Parallel()
	mock.RejectsBadArgs(t, NewWebACL, "waf", prodArgs, []mock.BadArgs[Args]{
		{Name: "rate limit", Edit: func(a *Args) { a.RateLimit = 5 }, WantErr: "waf.rateLimit: 5 is below AWS WAF's minimum"},
		{Name: "no load balancer", Edit: func(a *Args) { a.LoadBalancerARN = nil },
			WantErr: "waf: LoadBalancerARN is required"},
	})
}
