package waf

import (
	"github.com/np-mrd/article-pipeline-infra/internal/check"
)

// Settings is what a stack file says about the web application firewall on
// its load balancer (article-pipeline:waf).
type Settings struct {
	// Enabled puts the web ACL in front of the stack's load balancer.
	Enabled bool `json:"enabled"`
	// RateLimit is how many requests one IP address may send in 5 minutes
	// before the rate rule blocks it (until its rate falls below again).
	RateLimit int `json:"rateLimit"`
	// Logging sends every request's WAF verdict to the CloudWatch log group
	// aws-waf-logs-<application>-<environment>, kept LogRetentionDays.
	Logging          bool `json:"logging"`
	LogRetentionDays int  `json:"logRetentionDays"`
}

// MinRateLimit and MaxRateLimit are what AWS WAF accepts for a rate-based
// rule over its 5-minute window.
const (
	MinRateLimit = 10
	MaxRateLimit = 2_000_000_000
)

// Defaults: on, 2,000 requests per IP in 5 minutes (the AWS console's
// suggestion, far above a person depositing data: about 7 a second for 5
// minutes), logging kept 30 days.
func Defaults() Settings {
	return Settings{Enabled: true, RateLimit: 2000, Logging: true, LogRetentionDays: 30}
}

// Validate checks the rate limit against AWS's bounds and the log retention.
func (s Settings) Validate(k string) error {
	var p check.Problems
	switch {
	case s.RateLimit < MinRateLimit:
		p.Add(k+".rateLimit", "%d is below AWS WAF's minimum; expected %d..%d (requests per IP address in 5 minutes)",
			s.RateLimit, MinRateLimit, MaxRateLimit)
	case s.RateLimit > MaxRateLimit:
		p.Add(k+".rateLimit", "%d is above AWS WAF's maximum; expected %d..%d (requests per IP address in 5 minutes)",
			s.RateLimit, MinRateLimit, MaxRateLimit)
	}
	if s.Logging {
		check.LogRetention(&p, k+".logRetentionDays", s.LogRetentionDays)
	}
	return p.Err()
}
