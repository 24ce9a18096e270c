package config

import (
	"github.com/np-mrd/article-pipeline-infra/alarms"
	"github.com/np-mrd/article-pipeline-infra/internal/check"
	"github.com/np-mrd/article-pipeline-infra/storage"
	"github.com/np-mrd/article-pipeline-infra/waf"
)

// parseAlarms reads article-pipeline:alarms over the defaults (on, no
// subscriber, the thresholds in the README).
func parseAlarms(value string, p *check.Problems) alarms.Settings {
	return parseSettings("alarms", value, alarms.Defaults(), func(a alarms.Settings) bool { return a.Enabled }, p)
}

// parseAlarmEndpoint reads article-pipeline:alarmHttpsEndpoint, which must be
// secret: an incident tool's SNS URL carries its integration key.
func parseAlarmEndpoint(value string, secret bool, p *check.Problems) string {
	if value == "" {
		return ""
	}
	k := key("alarmHttpsEndpoint")
	if !secret {
		p.Add(k, "is set in plain text; set it with `pulumi config set --secret alarmHttpsEndpoint URL` "+
			"(its value is not shown here)")
	}
	p.Join(alarms.ValidateHTTPSEndpoint(k, value))
	return value
}

// parseWAF reads article-pipeline:waf.
func parseWAF(value string, p *check.Problems) waf.Settings {
	return parseSettings("waf", value, waf.Defaults(), func(w waf.Settings) bool { return w.Enabled }, p)
}

// parseAccessLogs reads article-pipeline:accessLogs over a bucket named
// <application>-access-logs-<environment>.
func parseAccessLogs(value, application, environment string, p *check.Problems) storage.AccessLogSettings {
	return parseSettings("accessLogs", value, storage.DefaultAccessLogs(application, environment),
		func(a storage.AccessLogSettings) bool { return a.Enabled }, p)
}

// checkAlarmsNeedInsights: a service's task-count alarm reads Container
// Insights' RunningTaskCount; without it the alarm would page for every
// service that should run.
func checkAlarmsNeedInsights(s *Settings, p *check.Problems) {
	if s.Alarms.Enabled && len(s.Services) > 0 && !s.Platform.ContainerInsights {
		p.Add(key("alarms")+".enabled", "true with services, but %s.containerInsights is false; the task-count "+
			"alarms read Container Insights' RunningTaskCount (turn Container Insights on, or the alarms off)",
			key("platform"))
	}
}

// checkSharedLoadBalancer: a stack on another stack's load balancer has no
// web ACL or access logs of its own to set; the owner's cover its host.
func checkSharedLoadBalancer(s *Settings, p *check.Problems) {
	if !s.Platform.SharedLoadBalancer {
		return
	}
	if s.WAF.Enabled {
		p.Add(key("waf")+".enabled", "true, but the load balancer is %s's (%s.sharedLoadBalancer); its web ACL "+
			"covers this stack's host: set it there, and false here", s.SharedStack, key("platform"))
	}
	if s.AccessLogs.Enabled {
		p.Add(key("accessLogs")+".enabled", "true, but the load balancer is %s's (%s.sharedLoadBalancer); its "+
			"access logs record this stack's host: set them there, and false here", s.SharedStack, key("platform"))
	}
}
