// Package waf owns the web application firewall in front of a stack's public
// load balancer: an AWS WAF (v2, REGIONAL) web ACL with a per-IP rate limit
// and the AWS managed Common, KnownBadInputs and SQLi rule groups, its
// association with the load balancer, and optionally its request log. It takes
// the load balancer's ARN and returns the web ACL's ARN.
package waf

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/wafv2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/internal/component"
)

const typeToken = "article-pipeline:waf:WebACL"

// LogGroupPrefix is the prefix AWS WAF requires of a log group it logs to.
const LogGroupPrefix = "aws-waf-logs-"

// ManagedRuleGroups are the AWS managed rule groups the web ACL runs, in
// priority order after the rate rule.
var ManagedRuleGroups = []string{
	"AWSManagedRulesCommonRuleSet",
	"AWSManagedRulesKnownBadInputsRuleSet",
	"AWSManagedRulesSQLiRuleSet",
}

// CountedRules are rules of the managed groups that only count: the Common
// rule set's SizeRestrictions_BODY blocks any request body over 8 KB, and NMR
// data uploads (the deposition system's reason to exist) are far larger.
// Counting keeps them visible in the metrics and sampled requests.
var CountedRules = map[string][]string{
	"AWSManagedRulesCommonRuleSet": {"SizeRestrictions_BODY"},
}

// RedactedHeaders are left out of the request log: the session cookie and
// credentials would give whoever reads the logs the users' sessions.
var RedactedHeaders = []string{"authorization", "cookie"}

// Args configures the web ACL: the stack's Settings, the name prefix of its
// metrics and log group (<application>-<environment>), and what it protects.
type Args struct {
	Settings
	NamePrefix string
	// LoadBalancerARN is the application load balancer the web ACL is associated with.
	LoadBalancerARN pulumi.StringInput
}

// WebACL is the firewall.
type WebACL struct {
	pulumi.ResourceState

	ARN pulumi.StringOutput `pulumi:"arn"`
	// LogGroupName is the request log ("" without logging).
	LogGroupName pulumi.StringOutput `pulumi:"logGroupName"`
}

var namePrefixPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,60}$`)

func (a *Args) check(name string) error {
	if a == nil {
		return errors.New("waf: args are required")
	}
	errs := []error{a.Settings.Validate(name)}
	if !namePrefixPattern.MatchString(a.NamePrefix) {
		errs = append(errs, fmt.Errorf("waf: NamePrefix %q is not lower-case letters, digits and dashes", a.NamePrefix))
	}
	if a.LoadBalancerARN == nil {
		errs = append(errs, errors.New("waf: LoadBalancerARN is required"))
	}
	return errors.Join(errs...)
}

// NewWebACL declares the web ACL, associates it and, with logging, its log.
func NewWebACL(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*WebACL, error) {
	c, parent, err := component.New[WebACL](ctx, typeToken, name, args.check(name), opts...)
	if err != nil {
		return nil, err
	}
	// Metrics and sampled requests on every rule (Security Hub WAF.12): the
	// console shows what each rule matched, blocked or only counted.
	visibility := func(metric string) wafv2.WebAclRuleVisibilityConfigArgs {
		return wafv2.WebAclRuleVisibilityConfigArgs{
			CloudwatchMetricsEnabled: pulumi.Bool(true),
			MetricName:               pulumi.String(args.NamePrefix + "-" + metric),
			SampledRequestsEnabled:   pulumi.Bool(true),
		}
	}

	rules := wafv2.WebAclRuleArray{wafv2.WebAclRuleArgs{
		// First, so a flood is blocked before the managed groups inspect it.
		Name:     pulumi.String("rate-limit-per-ip"),
		Priority: pulumi.Int(0),
		Action:   &wafv2.WebAclRuleActionArgs{Block: &wafv2.WebAclRuleActionBlockArgs{}},
		Statement: &wafv2.WebAclRuleStatementArgs{
			RateBasedStatement: &wafv2.WebAclRuleStatementRateBasedStatementArgs{
				Limit:               pulumi.Int(args.RateLimit),
				AggregateKeyType:    pulumi.String("IP"),
				EvaluationWindowSec: pulumi.Int(300),
			},
		},
		VisibilityConfig: visibility("rate-limit-per-ip"),
	}}
	for i, group := range ManagedRuleGroups {
		var overrides wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideArray
		for _, rule := range CountedRules[group] {
			overrides = append(overrides, wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideArgs{
				Name: pulumi.String(rule),
				ActionToUse: &wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideActionToUseArgs{
					Count: &wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideActionToUseCountArgs{},
				},
			})
		}
		rules = append(rules, wafv2.WebAclRuleArgs{
			Name:     pulumi.String(group),
			Priority: pulumi.Int(i + 1),
			// The group's own actions apply (block), except the overrides.
			OverrideAction: &wafv2.WebAclRuleOverrideActionArgs{None: &wafv2.WebAclRuleOverrideActionNoneArgs{}},
			Statement: &wafv2.WebAclRuleStatementArgs{
				ManagedRuleGroupStatement: &wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs{
					VendorName:          pulumi.String("AWS"),
					Name:                pulumi.String(group),
					RuleActionOverrides: overrides,
				},
			},
			VisibilityConfig: visibility(group),
		})
	}

	acl, err := wafv2.NewWebAcl(ctx, name+"-acl", &wafv2.WebAclArgs{
		Name:          pulumi.String(args.NamePrefix + "-web-acl"),
		Description:   pulumi.String("Rate limit per IP and AWS managed rules in front of the " + args.NamePrefix + " load balancer"),
		Scope:         pulumi.String("REGIONAL"),
		DefaultAction: &wafv2.WebAclDefaultActionArgs{Allow: &wafv2.WebAclDefaultActionAllowArgs{}},
		Rules:         rules,
		VisibilityConfig: &wafv2.WebAclVisibilityConfigArgs{
			CloudwatchMetricsEnabled: pulumi.Bool(true),
			MetricName:               pulumi.String(args.NamePrefix + "-web-acl"),
			SampledRequestsEnabled:   pulumi.Bool(true),
		},
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("waf: web ACL: %w", err)
	}
	if _, err := wafv2.NewWebAclAssociation(ctx, name+"-association", &wafv2.WebAclAssociationArgs{
		ResourceArn: args.LoadBalancerARN,
		WebAclArn:   acl.Arn,
	}, parent); err != nil {
		return nil, fmt.Errorf("waf: association: %w", err)
	}

	c.LogGroupName = pulumi.String("").ToStringOutput()
	if args.Logging {
		logs, err := cloudwatch.NewLogGroup(ctx, name+"-logs", &cloudwatch.LogGroupArgs{
			Name:            pulumi.String(LogGroupPrefix + args.NamePrefix),
			RetentionInDays: pulumi.Int(args.LogRetentionDays),
		}, parent)
		if err != nil {
			return nil, fmt.Errorf("waf: log group: %w", err)
		}
		var redacted wafv2.WebAclLoggingConfigurationRedactedFieldArray
		for _, h := range RedactedHeaders {
			redacted = append(redacted, wafv2.WebAclLoggingConfigurationRedactedFieldArgs{
				SingleHeader: &wafv2.WebAclLoggingConfigurationRedactedFieldSingleHeaderArgs{Name: pulumi.String(h)},
			})
		}
		// AWS WAF adds the log group's resource policy for its log delivery itself.
		if _, err := wafv2.NewWebAclLoggingConfiguration(ctx, name+"-logging", &wafv2.WebAclLoggingConfigurationArgs{
			ResourceArn:           acl.Arn,
			LogDestinationConfigs: pulumi.StringArray{logs.Arn},
			RedactedFields:        redacted,
		}, parent); err != nil {
			return nil, fmt.Errorf("waf: logging: %w", err)
		}
		c.LogGroupName = logs.Name
	}

	c.ARN = acl.Arn
	return c, component.RegisterOutputs(ctx, c)
}
