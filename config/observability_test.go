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
	prod, err := Parse(stackRaw("prod"))
	if err != nil {
		t.Fatal(err)
	}
	if !prod.Alarms.Enabled || !prod.WAF.Enabled || prod.WAF.RateLimit != 2000 || !prod.WAF.Logging ||
		!prod.AccessLogs.Enabled || prod.AccessLogs.Name != "article-pipeline-access-logs-prod" ||
		prod.AccessLogs.ExpirationDays != 90 || !prod.Network.FlowLogs.Enabled ||
		prod.Network.FlowLogs.RetentionDays != 30 || prod.Database.SlowQueryMs != 1000 {
		t.Errorf("prod: alarms %+v, waf %+v, access logs %+v, flow logs %+v, slow query %d ms", prod.Alarms,
			prod.WAF, prod.AccessLogs, prod.Network.FlowLogs, prod.Database.SlowQueryMs)
	}
	dev, err := Parse(stackRaw("development"))
	if err != nil {
		t.Fatal(err)
	}
	if dev.Alarms.Enabled || dev.WAF.Enabled || dev.AccessLogs.Enabled || dev.Database.SlowQueryMs != 1000 {
		t.Errorf("development: alarms %v, waf %v, access logs %v, slow query %d ms", dev.Alarms.Enabled,
			dev.WAF.Enabled, dev.AccessLogs.Enabled, dev.Database.SlowQueryMs)
	}
	on, err := Parse(stackRaw("development",
		"article-pipeline:alarms", `{"enabled":true,"emails":["dev@npdeposition.org"],"database":{"connections":40}}`,
		"article-pipeline:waf", `{"enabled":true,"rateLimit":500,"logging":false}`,
		"article-pipeline:accessLogs", `{"enabled":true,"expirationDays":14}`))
	if err != nil {
		t.Fatal(err)
	}
	if !on.Alarms.Enabled || !slices.Equal(on.Alarms.Emails, []string{"dev@npdeposition.org"}) ||
		on.Alarms.Database.Connections != 40 || on.Alarms.Database.CPUPercent != 80 ||
		on.WAF.RateLimit != 500 || on.WAF.Logging || on.AccessLogs.ExpirationDays != 14 ||
		on.AccessLogs.Name != "article-pipeline-access-logs-development" {
		t.Errorf("development opted in: alarms %+v, waf %+v, access logs %+v", on.Alarms, on.WAF, on.AccessLogs)
	}
}

func TestObservabilityBadConfigNamesTheKey(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		kv      []string
		wantErr string
	}{
		{"bad email", []string{"article-pipeline:alarms", `{"emails":["team at npdeposition.org"]}`},
			`article-pipeline:alarms.emails[0]: "team at npdeposition.org" is not an email address; expected one ` +
				`address such as team@example.org`},
		{"threshold out of range", []string{"article-pipeline:alarms", `{"database":{"freeStoragePercent":100}}`},
			`article-pipeline:alarms.database.freeStoragePercent: 100 is out of range; expected 1..99 (percent of ` +
				`the allocated storage)`},
		{"misspelled threshold", []string{"article-pipeline:alarms", `{"services":{"cpu":90}}`},
			`article-pipeline:alarms.services: unknown field "cpu"; expected one of cpuPercent, memoryPercent, ` +
				`taskShortfallMinutes`},
		{"rate limit below AWS's minimum", []string{"article-pipeline:waf", `{"rateLimit":5}`},
			`article-pipeline:waf.rateLimit: 5 is below AWS WAF's minimum; expected 10..2000000000 (requests per IP ` +
				`address in 5 minutes)`},
		{"WAF log retention", []string{"article-pipeline:waf", `{"logRetentionDays":31}`},
			`article-pipeline:waf.logRetentionDays: 31 is not a CloudWatch Logs retention`},
		{"access logs kept forever", []string{"article-pipeline:accessLogs", `{"expirationDays":0}`},
			`article-pipeline:accessLogs.expirationDays: 0 is out of range; expected 1..3650 (days a log file is kept)`},
		{"flow log retention", []string{"article-pipeline:network", `{"flowLogs":{"retentionDays":10}}`},
			`article-pipeline:network.flowLogs.retentionDays: 10 is not a CloudWatch Logs retention`},
		{"slow query threshold", []string{"article-pipeline:database", `{"slowQueryMs":-5}`},
			`article-pipeline:database.slowQueryMs: -5 is out of range; expected -1 (off) or 0..3600000`},
		{"alarms without Container Insights", []string{"article-pipeline:platform", `{"containerInsights":false}`},
			`article-pipeline:alarms.enabled: true with services, but article-pipeline:platform.containerInsights ` +
				`is false; the task-count alarms read Container Insights' RunningTaskCount`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse(stackRaw("prod", tc.kv...))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v\nwant it to contain %q", err, tc.wantErr)
			}
		})
	}
}

func TestAlarmEndpointMustBeSecret(t *testing.T) {
	t.Parallel()
	const url = "https://events.pagerduty.com/integration/0123abcd/enqueue"
	raw := stackRaw("prod", "article-pipeline:alarmHttpsEndpoint", url)
	_, err := Parse(raw)
	if err == nil || !strings.Contains(err.Error(), "article-pipeline:alarmHttpsEndpoint: is set in plain text") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "0123abcd") {
		t.Error("the error shows the endpoint")
	}
	raw.Secret["article-pipeline:alarmHttpsEndpoint"] = true
	s, err := Parse(raw)
	if err != nil || s.AlarmHTTPSEndpoint != url {
		t.Fatalf("secret endpoint: %v", err)
	}
	raw.Values["article-pipeline:alarmHttpsEndpoint"] = "http://events.example.com/0123abcd"
	_, err = Parse(raw)
	if err == nil || !strings.Contains(err.Error(), "article-pipeline:alarmHttpsEndpoint: is not an https:// URL") ||
		strings.Contains(err.Error(), "0123abcd") {
		t.Fatalf("err = %v", err)
	}
}
