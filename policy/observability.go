package policy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

// Type tokens of what records and reports (issue 13).
const (
	typeFlowLog        = "aws:ec2/flowLog:FlowLog"
	typeMetricAlarm    = "aws:cloudwatch/metricAlarm:MetricAlarm"
	typeTopic          = "aws:sns/topic:Topic"
	typeTopicPolicy    = "aws:sns/topicPolicy:TopicPolicy"
	typeSubscription   = "aws:sns/topicSubscription:TopicSubscription"
	typeSlackChannel   = "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration"
	typeWebACL         = "aws:wafv2/webAcl:WebAcl"
	typeWebACLAssoc    = "aws:wafv2/webAclAssociation:WebAclAssociation"
	typeWebACLLogging  = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
	flowLogMinTraffics = "ALL or REJECT"
)

// observabilityRules are the flow log, access log, WAF and alarm guardrails.
func observabilityRules() []Rule {
	internetFacing := func(r inventory.Resource) bool {
		internal, _ := r.Bool("internal")
		return isALB(r) && !internal
	}
	return []Rule{
		{
			ID: "EC2.6", Severity: Mandatory, Applies: ofType(typeVpc),
			Description: "VPCs have a flow log in the stack that owns them, recording at least rejected traffic",
			Check: func(g *Graph, r inventory.Resource) (bool, string) {
				logs := g.referring(r, typeFlowLog)
				if len(logs) == 0 {
					return false, "no flow log records this VPC's traffic"
				}
				for _, fl := range logs {
					if t := fl.String("trafficType"); t == "ALL" || t == "REJECT" {
						return true, fmt.Sprintf("flow log %s records %s traffic to %s", fl.Name, t,
							orNone(fl.String("logDestinationType")))
					}
				}
				return false, fmt.Sprintf("its flow logs record only %s traffic; expected %s",
					logs[0].String("trafficType"), flowLogMinTraffics)
			},
		},
		{
			ID: "ELB.5", Severity: Mandatory, Applies: isALB,
			Description: "application load balancers write access logs to S3 in prod",
			Check: func(g *Graph, r inventory.Resource) (bool, string) {
				logs := obj(r.Get("accessLogs"))
				enabled, _ := logs["enabled"].(bool)
				bucket, _ := logs["bucket"].(string)
				if !enabled || bucket == "" {
					return protectedOnly(g, false, "access logs are off")
				}
				return true, "access logs to bucket " + bucket
			},
		},
		{
			ID: "ELB.16", Severity: Mandatory, Applies: internetFacing,
			Description: "internet-facing application load balancers are associated with an AWS WAF web ACL in prod",
			Check: func(g *Graph, r inventory.Resource) (bool, string) {
				if a := g.referring(r, typeWebACLAssoc); len(a) > 0 {
					return true, "web ACL association " + a[0].Name
				}
				return protectedOnly(g, false, "no AWS WAF web ACL is associated with it")
			},
		},
		{
			ID: "WAF.10", Severity: Mandatory, Applies: ofType(typeWebACL),
			Description: "AWS WAF web ACLs have at least one rule or rule group",
			Check: func(_ *Graph, r inventory.Resource) (bool, string) {
				rules := list(r.Get("rules"))
				if len(rules) == 0 {
					return false, "the web ACL has no rules; every request gets its default action"
				}
				return true, fmt.Sprintf("%d rules: %s", len(rules), strings.Join(ruleNames(rules), ", "))
			},
		},
		{
			ID: "WAF.11", Severity: Advisory, Applies: ofType(typeWebACL),
			Description: "AWS WAF web ACLs log the requests they inspect",
			Check: func(g *Graph, r inventory.Resource) (bool, string) {
				if l := g.referring(r, typeWebACLLogging); len(l) > 0 {
					return true, "logged by " + l[0].Name
				}
				return false, "no logging configuration; only sampled requests (3 hours) show what it blocked"
			},
		},
		{
			ID: "WAF.12", Severity: Mandatory, Applies: ofType(typeWebACL),
			Description: "AWS WAF rules publish CloudWatch metrics",
			Check: func(_ *Graph, r inventory.Resource) (bool, string) {
				var off []string
				for _, rule := range list(r.Get("rules")) {
					if on, _ := obj(rule["visibilityConfig"])["cloudwatchMetricsEnabled"].(bool); !on {
						name, _ := rule["name"].(string)
						off = append(off, name)
					}
				}
				if len(off) > 0 {
					return false, "no CloudWatch metrics for rule " + strings.Join(off, ", ")
				}
				return true, "every rule publishes metrics"
			},
		},
		{
			ID: "AP.MON.1", Severity: Mandatory, Applies: ofType(typeMetricAlarm),
			Description: "every CloudWatch alarm notifies someone when it fires (actions on, at least one alarm action)",
			Check: func(_ *Graph, r inventory.Resource) (bool, string) {
				actions := inventory.AsStrings(r.Get("alarmActions"))
				if on, set := r.Bool("actionsEnabled"); set && !on {
					return false, "actionsEnabled is false"
				}
				if len(actions) == 0 {
					return false, "no alarm action: it fires silently"
				}
				return true, "notifies " + strings.Join(actions, ", ")
			},
		},
		{
			ID: "AP.MON.2", Severity: Mandatory, Applies: ofType(typeTopicPolicy),
			Description: "SNS topic policies grant nothing to everyone (Principal *): only named services and accounts",
			Check: func(_ *Graph, r inventory.Resource) (bool, string) {
				d, err := parseDocument(r.Get("policy"))
				if err != nil {
					return false, err.Error()
				}
				var who []string
				for i, s := range d.Statement {
					if s.Effect != "Allow" {
						continue
					}
					if s.publicPrincipal() {
						return false, s.label(i) + " allows " + strings.Join(inventory.AsStrings(s.Action), ", ") + " to everyone"
					}
					who = append(who, principalNames(s.Principal)...)
				}
				return true, "grants only " + strings.Join(who, ", ")
			},
		},
		{
			ID: "AP.MON.3", Severity: Advisory, Applies: ofType(typeTopic),
			Description: "the alarm topic has a subscriber (email, HTTPS endpoint or Slack channel)",
			Check: func(g *Graph, r inventory.Resource) (bool, string) {
				var subs []string
				for _, s := range append(g.referring(r, typeSubscription), g.referring(r, typeSlackChannel)...) {
					what := s.String("protocol")
					if s.Type == typeSlackChannel {
						what = "slack"
					}
					subs = append(subs, what)
				}
				if len(subs) == 0 {
					return false, "nobody is subscribed: its alarms notify no one (README \"Alarms and logs\")"
				}
				slices.Sort(subs)
				return true, "subscribed: " + strings.Join(subs, ", ")
			},
		},
	}
}

// referring returns the resources of typ that reference r through one of
// their inputs (the inventory records that as a dependency on r's name).
func (g *Graph) referring(r inventory.Resource, typ string) []inventory.Resource {
	var out []inventory.Resource
	for _, o := range g.Inventory.OfType(typ) {
		if slices.Contains(o.DependsOn, r.Name) {
			out = append(out, o)
		}
	}
	return out
}

// ruleNames lists the names of a web ACL's rules.
func ruleNames(rules []map[string]any) []string {
	var out []string
	for _, r := range rules {
		name, _ := r["name"].(string)
		out = append(out, name)
	}
	return out
}
