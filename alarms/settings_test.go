package alarms

import (
	"strings"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/internal/mock"
)

func TestDefaults(t *testing.T) {
	t.Parallel()
	d := Defaults()
	if !d.Enabled || len(d.Emails) != 0 || d.Slack != nil {
		t.Errorf("defaults = %+v; want on, with no subscriber named", d)
	}
	if d.Database != (DatabaseThresholds{CPUPercent: 80, FreeStoragePercent: 20, FreeableMemoryMiB: 128,
		Connections: 150}) {
		t.Errorf("database thresholds = %+v", d.Database)
	}
	if d.LoadBalancer != (LoadBalancerThresholds{Target5xxCount: 10, UnhealthyHosts: 1, ResponseTimeSeconds: 5}) {
		t.Errorf("load balancer thresholds = %+v", d.LoadBalancer)
	}
	if d.Services != (ServiceThresholds{CPUPercent: 80, MemoryPercent: 80, TaskShortfallMinutes: 5}) {
		t.Errorf("service thresholds = %+v", d.Services)
	}
	if err := d.Validate("article-pipeline:alarms"); err != nil {
		t.Errorf("defaults do not validate: %v", err)
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	const k = "article-pipeline:alarms"
	cases := []mock.BadValue[func(s *Settings)]{
		{Name: "display name in an address", Value: func(s *Settings) { s.Emails = []string{"Team <team@example.org>"} },
			WantErr: k + `.emails[0]: "Team <team@example.org>" is not an email address; ` +
				`expected one address such as team@example.org`},
		{Name: "no domain", Value: func(s *Settings) { s.Emails = []string{"ops@localhost"} },
			WantErr: k + `.emails[0]: "ops@localhost" is not an email address`},
		{Name: "two addresses in one", Value: func(s *Settings) { s.Emails = []string{"a@example.org, b@example.org"} },
			WantErr: k + `.emails[0]: "a@example.org, b@example.org" is not an email address`},
		{Name: "repeated address", Value: func(s *Settings) { s.Emails = []string{"ops@example.org", "OPS@example.org"} },
			WantErr: k + `.emails[1]: "OPS@example.org" is already article-pipeline:alarms.emails[0]`},
		{Name: "workspace ID", Value: func(s *Settings) { s.Slack = &Slack{WorkspaceID: "np-mrd", ChannelID: "C07EZ1ABC23"} },
			WantErr: k + `.slack.workspaceId: "np-mrd" is not a Slack workspace ID`},
		{Name: "channel name instead of ID",
			Value:   func(s *Settings) { s.Slack = &Slack{WorkspaceID: "T07EA123LEP", ChannelID: "#alerts"} },
			WantErr: k + `.slack.channelId: "#alerts" is not a Slack channel ID; expected C (public) or G (private)`},
		{Name: "database CPU over 100", Value: func(s *Settings) { s.Database.CPUPercent = 120 },
			WantErr: k + `.database.cpuPercent: 120 is out of range; expected 1..100 (percent)`},
		{Name: "no free storage threshold", Value: func(s *Settings) { s.Database.FreeStoragePercent = 0 },
			WantErr: k + `.database.freeStoragePercent: 0 is out of range; expected 1..99 (percent of the allocated storage)`},
		{Name: "negative memory", Value: func(s *Settings) { s.Database.FreeableMemoryMiB = -1 },
			WantErr: k + `.database.freeableMemoryMib: -1 is out of range; expected 1..1048576 (MiB)`},
		{Name: "connections beyond RDS", Value: func(s *Settings) { s.Database.Connections = 6000 },
			WantErr: k + `.database.connections: 6000 is out of range; expected 1..5000 (connections)`},
		{Name: "zero 5xx", Value: func(s *Settings) { s.LoadBalancer.Target5xxCount = 0 },
			WantErr: k + `.loadBalancer.target5xxCount: 0 is out of range; expected 1..1000000 (responses in 5 minutes)`},
		{Name: "zero unhealthy hosts", Value: func(s *Settings) { s.LoadBalancer.UnhealthyHosts = 0 },
			WantErr: k + `.loadBalancer.unhealthyHosts: 0 is out of range; expected 1..1000 (targets)`},
		{Name: "response time beyond the idle timeout",
			Value:   func(s *Settings) { s.LoadBalancer.ResponseTimeSeconds = 5000 },
			WantErr: k + `.loadBalancer.responseTimeSeconds: 5000 is out of range; expected 0.01..4000 (seconds)`},
		{Name: "service memory", Value: func(s *Settings) { s.Services.MemoryPercent = 101 },
			WantErr: k + `.services.memoryPercent: 101 is out of range; expected 1..100 (percent)`},
		{Name: "shortfall of an hour and more", Value: func(s *Settings) { s.Services.TaskShortfallMinutes = 61 },
			WantErr: k + `.services.taskShortfallMinutes: 61 is out of range; expected 1..60 (minutes)`},
	}
	mock.RejectsValues(t, cases, mock.Prefix, func(t *testing.T, edit func(s *Settings)) error {
		s := Defaults()
		edit(&s)
		return s.Validate(k)
	})
}

func TestEmail(t *testing.T) {
	t.Parallel()
	for e, want := range map[string]bool{
		"team@npdeposition.org":       true,
		"first.last+alarms@uni.ca":    true,
		"team@npdeposition.org.":      false,
		"team@":                       false,
		"@npdeposition.org":           false,
		"team npdeposition.org":       false,
		"<team@npdeposition.org>":     false,
		"team@npdeposition":           false,
		"team@-npdeposition.org":      false,
		" team@npdeposition.org":      false,
		"team@npdeposition.org\nBcc:": false,
	} {
		if got := Email(e); got != want {
			t.Errorf("Email(%q) = %v, want %v", e, got, want)
		}
	}
}

func TestHTTPSEndpoint(t *testing.T) {
	t.Parallel()
	const k = "article-pipeline:alarmHttpsEndpoint"
	if err := ValidateHTTPSEndpoint(k, "https://events.pagerduty.com/integration/0123abcd/enqueue"); err != nil {
		t.Errorf("PagerDuty's SNS endpoint: %v", err)
	}
	want := k + ": is not an https:// URL with a host (the value is secret and not shown)"
	for _, bad := range []string{"http://events.example.com/x", "events.example.com/x", "https:///x",
		"https://user:key@events.example.com/x"} {
		err := ValidateHTTPSEndpoint(k, bad)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", bad, err, want)
		}
		if err != nil && strings.Contains(err.Error(), bad) {
			t.Errorf("%q: the error quotes the secret value: %v", bad, err)
		}
	}
}
