package config

import (
	"slices"
	"strings"
	"testing"
)

// TestObservabilityOnInProdOptInForDevelopment: prod's file says nothing
// and gets every part; development's file turns each off.
func TestObservabilityOnInProdOptInForDevelopment(t *testing.T) {
	t.Parallel()
	prod := mustParse(t, stackRaw("prod"))
	if !prod.Alarms.Enabled || !prod.WAF.Enabled || prod.WAF.RateLimit != 2000 || !prod.WAF.Logging ||
		!prod.AccessLogs.Enabled || prod.AccessLogs.Name != "article-pipeline-access-logs-prod" ||
		prod.AccessLogs.ExpirationDays != 90 || !prod.Network.FlowLogs.Enabled ||
		prod.Network.FlowLogs.RetentionDays != 30 || prod.Database.SlowQueryMs != 1000 {
		t.Errorf("prod: alarms %+v, waf %+v, access logs %+v, flow logs %+v, slow query %d ms", prod.Alarms,
			prod.WAF, prod.AccessLogs, prod.Network.FlowLogs, prod.Database.SlowQueryMs)
	}
	dev := mustParse(t, stackRaw("development"))
	if dev.Alarms.Enabled || dev.WAF.Enabled || dev.AccessLogs.Enabled || dev.Database.SlowQueryMs != 1000 {
		t.Errorf("development: alarms %v, waf %v, access logs %v, slow query %d ms", dev.Alarms.Enabled,
			dev.WAF.Enabled, dev.AccessLogs.Enabled, dev.Database.SlowQueryMs)
	}
	// With a load balancer of its own and Container Insights on (the alarms
	// read its task count), development can turn each part on.
	on := mustParse(t, stackRaw("development",
		"article-pipeline:platform", `{"sharedLoadBalancer":false,"containerInsights":true}`,
		"article-pipeline:alarms", `{"enabled":true,"emails":["dev@npdeposition.org"],"database":{"connections":40}}`,
		"article-pipeline:waf", `{"enabled":true,"rateLimit":500,"logging":false}`,
		"article-pipeline:accessLogs", `{"enabled":true,"expirationDays":14}`))
	if !on.Alarms.Enabled || !slices.Equal(on.Alarms.Emails, []string{"dev@npdeposition.org"}) ||
		on.Alarms.Database.Connections != 40 || on.Alarms.Database.CPUPercent != 80 ||
		on.WAF.RateLimit != 500 || on.WAF.Logging || on.AccessLogs.ExpirationDays != 14 ||
		on.AccessLogs.Name != "article-pipeline-access-logs-development" {
		t.Errorf("development opted in: alarms %+v, waf %+v, access logs %+v", on.Alarms, on.WAF, on.AccessLogs)
	}
}

// TestAlarmEndpointIsHTTPS (its secrecy: TestSecretsMustBeSecret).
func TestAlarmEndpointIsHTTPS(t *testing.T) {
	t.Parallel()
	raw := stackRaw("prod", "article-pipeline:alarmHttpsEndpoint", "http://events.example.com/0123abcd")
	raw.Secret["article-pipeline:alarmHttpsEndpoint"] = true
	if err := parseFails(t, raw, "article-pipeline:alarmHttpsEndpoint: is not an https:// URL"); strings.Contains(err.Error(),
		"0123abcd") {
		t.Fatalf("err = %v", err)
	}
}

// TestSharedLoadBalancerHasNoWAFOrLogsOfItsOwn: on prod's load balancer,
// development's host is covered by prod's web ACL and access logs.
func TestSharedLoadBalancerHasNoWAFOrLogsOfItsOwn(t *testing.T) {
	t.Parallel()
	_, err := Parse(stackRaw("development", "article-pipeline:waf", `{"enabled":true}`,
		"article-pipeline:accessLogs", `{"enabled":true}`))
	for _, want := range []string{
		"article-pipeline:waf.enabled: true, but the load balancer is organization/article-pipeline/prod's " +
			"(article-pipeline:platform.sharedLoadBalancer); its web ACL covers this stack's host",
		"article-pipeline:accessLogs.enabled: true, but the load balancer is organization/article-pipeline/prod's",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v\nwant %q", err, want)
		}
	}
}
