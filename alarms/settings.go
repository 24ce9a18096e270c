package alarms

import (
	"math"
	"net/mail"
	"net/url"
	"regexp"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/internal/check"
)

// Settings is what a stack file says about the alarms
// (article-pipeline:alarms): who hears them and when each one fires. The
// HTTPS endpoint is not here: it usually carries an integration key, so it is
// the secret key article-pipeline:alarmHttpsEndpoint (ValidateHTTPSEndpoint).
type Settings struct {
	// Enabled declares the topic and the alarms (when the stack has anything to watch).
	Enabled bool `json:"enabled"`
	// Emails are subscribed to the topic; each address confirms by email once.
	Emails []string `json:"emails"`
	// Slack, when set, delivers the topic to a Slack channel through AWS
	// Chatbot (the workspace is authorized once in the Chatbot console).
	Slack *Slack `json:"slack"`
	// Database, LoadBalancer and Services are the thresholds.
	Database     DatabaseThresholds     `json:"database"`
	LoadBalancer LoadBalancerThresholds `json:"loadBalancer"`
	Services     ServiceThresholds      `json:"services"`
}

// Slack names the channel AWS Chatbot posts to.
type Slack struct {
	// WorkspaceID is the Slack team ID (T...), shown in the Chatbot console
	// once the workspace is authorized.
	WorkspaceID string `json:"workspaceId"`
	// ChannelID is the channel's ID (C... public, G... private); invite
	// @aws to a private channel.
	ChannelID string `json:"channelId"`
}

// DatabaseThresholds fire on the RDS instance's CloudWatch metrics.
type DatabaseThresholds struct {
	// CPUPercent: CPUUtilization above it for 15 minutes.
	CPUPercent int `json:"cpuPercent"`
	// FreeStoragePercent: FreeStorageSpace below this share of the allocated
	// storage (the configured allocatedStorage, in bytes) for 15 minutes.
	FreeStoragePercent int `json:"freeStoragePercent"`
	// FreeableMemoryMiB: FreeableMemory below it for 15 minutes.
	FreeableMemoryMiB int `json:"freeableMemoryMib"`
	// Connections: DatabaseConnections above it for 15 minutes.
	Connections int `json:"connections"`
}

// LoadBalancerThresholds fire on the application load balancer's metrics.
type LoadBalancerThresholds struct {
	// Target5xxCount: more 5xx responses from the services than this in 5 minutes.
	Target5xxCount int `json:"target5xxCount"`
	// UnhealthyHosts: at least this many unhealthy targets in one target group
	// for 5 minutes.
	UnhealthyHosts int `json:"unhealthyHosts"`
	// ResponseTimeSeconds: the 95th percentile of TargetResponseTime above it
	// for 15 minutes.
	ResponseTimeSeconds float64 `json:"responseTimeSeconds"`
}

// ServiceThresholds fire on each ECS service's metrics.
type ServiceThresholds struct {
	// CPUPercent and MemoryPercent: the service's average utilization above
	// them for 15 minutes.
	CPUPercent    int `json:"cpuPercent"`
	MemoryPercent int `json:"memoryPercent"`
	// TaskShortfallMinutes: fewer running tasks than the service should run
	// (its desired count, or its autoscaling minimum) for this many minutes.
	TaskShortfallMinutes int `json:"taskShortfallMinutes"`
}

// Defaults turn the alarms on with no subscriber (a stack file names the
// team's addresses) and thresholds for a small site on the runbook's sizes:
// db.t3.small (2 GiB, max_connections about 190), 20 GiB of storage, one
// task per service.
func Defaults() Settings {
	return Settings{
		Enabled: true,
		Database: DatabaseThresholds{
			CPUPercent:         80,
			FreeStoragePercent: 20,
			FreeableMemoryMiB:  128,
			Connections:        150,
		},
		LoadBalancer: LoadBalancerThresholds{
			Target5xxCount: 10,
			UnhealthyHosts: 1,
			// Uploads of NMR data are slow requests; 5 s at the 95th
			// percentile over 15 minutes is a slow site, not one upload.
			ResponseTimeSeconds: 5,
		},
		Services: ServiceThresholds{
			CPUPercent:           80,
			MemoryPercent:        80,
			TaskShortfallMinutes: 5,
		},
	}
}

var (
	slackWorkspacePattern = regexp.MustCompile(`^T[A-Z0-9]{2,20}$`)
	slackChannelPattern   = regexp.MustCompile(`^[CG][A-Z0-9]{2,20}$`)
	// domainPattern is a DNS name with at least two labels.
	domainPattern = regexp.MustCompile(`^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$`)
)

// Validate checks the subscribers and every threshold against what it
// measures.
func (s Settings) Validate(k string) error {
	var p check.Problems
	seen := map[string]int{}
	for i, e := range s.Emails {
		ek := check.Index(k+".emails", i)
		if !Email(e) {
			p.Add(ek, "%q is not an email address; expected one address such as team@example.org", e)
			continue
		}
		if j, dup := seen[strings.ToLower(e)]; dup {
			p.Add(ek, "%q is already %s", e, check.Index(k+".emails", j))
		}
		seen[strings.ToLower(e)] = i
	}
	if sl := s.Slack; sl != nil {
		if !slackWorkspacePattern.MatchString(sl.WorkspaceID) {
			p.Add(k+".slack.workspaceId", "%q is not a Slack workspace ID; expected T followed by upper-case "+
				"letters and digits, as the AWS Chatbot console shows it", sl.WorkspaceID)
		}
		if !slackChannelPattern.MatchString(sl.ChannelID) {
			p.Add(k+".slack.channelId", "%q is not a Slack channel ID; expected C (public) or G (private) "+
				"followed by upper-case letters and digits (channel details in Slack show it)", sl.ChannelID)
		}
	}
	between := func(field string, v, lo, hi int, unit string) {
		if v < lo || v > hi {
			p.Add(k+"."+field, "%d is out of range; expected %d..%d (%s)", v, lo, hi, unit)
		}
	}
	d := s.Database
	between("database.cpuPercent", d.CPUPercent, 1, 100, "percent")
	between("database.freeStoragePercent", d.FreeStoragePercent, 1, 99, "percent of the allocated storage")
	between("database.freeableMemoryMib", d.FreeableMemoryMiB, 1, 1<<20, "MiB")
	// RDS for PostgreSQL caps its default max_connections at 5000.
	between("database.connections", d.Connections, 1, 5000, "connections")
	lb := s.LoadBalancer
	between("loadBalancer.target5xxCount", lb.Target5xxCount, 1, 1_000_000, "responses in 5 minutes")
	between("loadBalancer.unhealthyHosts", lb.UnhealthyHosts, 1, 1000, "targets")
	// The load balancer's idle timeout is at most 4000 s; no response takes longer.
	if t := lb.ResponseTimeSeconds; math.IsNaN(t) || t < 0.01 || t > 4000 {
		p.Add(k+".loadBalancer.responseTimeSeconds", "%g is out of range; expected 0.01..4000 (seconds)", t)
	}
	sv := s.Services
	between("services.cpuPercent", sv.CPUPercent, 1, 100, "percent")
	between("services.memoryPercent", sv.MemoryPercent, 1, 100, "percent")
	between("services.taskShortfallMinutes", sv.TaskShortfallMinutes, 1, 60, "minutes")
	return p.Err()
}

// Email reports whether e is one bare email address (no display name, a
// domain with a dot), as SNS takes it as a subscription endpoint.
func Email(e string) bool {
	a, err := mail.ParseAddress(e)
	if err != nil || a.Name != "" || a.Address != e {
		return false
	}
	at := strings.LastIndexByte(e, '@')
	return at > 0 && domainPattern.MatchString(e[at+1:])
}

// ValidateHTTPSEndpoint checks the HTTPS endpoint subscribed to the topic
// (article-pipeline:alarmHttpsEndpoint, a secret: the value is never quoted
// back). An incident tool's SNS integration URL (PagerDuty, Opsgenie) is one.
func ValidateHTTPSEndpoint(k, endpoint string) error {
	var p check.Problems
	u, err := url.Parse(endpoint)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		p.Add(k, "is not an https:// URL with a host (the value is secret and not shown); expected the "+
			"endpoint your incident tool gives for Amazon SNS, such as https://events.example.com/integration/KEY")
	}
	return p.Err()
}
