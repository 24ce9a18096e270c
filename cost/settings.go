package cost

import (
	"errors"
	"fmt"
	"maps"
	"slices"
)

// Key is the stack config key that holds the usage assumptions.
const Key = "article-pipeline:cost"

// Settings are the usage assumptions of one stack's estimate: what the graph
// cannot say (how much is stored, how busy the site is). The json tags are the
// field names under article-pipeline:cost in a stack file; Defaults gives the
// value of each field the stack file leaves out.
type Settings struct {
	// HoursPerMonth is the month every hourly price is multiplied by.
	HoursPerMonth float64 `json:"hoursPerMonth"`
	// UndeployedTasks is the number of tasks assumed for a service the committed
	// config declares with desired count 0 because no image is deployed yet
	// (the deploy workflow sets the image tags; once they are set, the service
	// runs its configured count).
	UndeployedTasks int `json:"undeployedTasks"`
	// DatabaseGB is the data held in each database (the runbook: ~0.4 GB in
	// prod in December 2025). Storage is billed at the allocated size; this
	// sizes the backups.
	DatabaseGB float64 `json:"databaseGb"`
	// DatabaseDailyChange is the fraction of the database written each day; an
	// automated backup keeps one full copy plus each day's changes.
	DatabaseDailyChange float64 `json:"databaseDailyChange"`
	// BackupChange is the fraction of a resource that changes between two AWS
	// Backup recovery points (each point after the first is incremental).
	BackupChange float64 `json:"backupChange"`
	// BucketGB is the data stored per bucket, by bucket name; DefaultBucketGB
	// for a bucket not listed.
	BucketGB        map[string]float64 `json:"bucketGb"`
	DefaultBucketGB float64            `json:"defaultBucketGb"`
	// BucketPutRequests and BucketGetRequests are each bucket's monthly write
	// (PUT, COPY, POST, LIST) and read (GET) requests.
	BucketPutRequests float64 `json:"bucketPutRequests"`
	BucketGetRequests float64 `json:"bucketGetRequests"`
	// LogGB is the log data ingested per month, by log group (its resource name
	// in the estimate); DefaultLogGB for a log group not listed.
	LogGB        map[string]float64 `json:"logGb"`
	DefaultLogGB float64            `json:"defaultLogGb"`
	// EnhancedMonitoringGB is the RDS enhanced monitoring data a database sends
	// to CloudWatch Logs per month at a 60-second interval (scaled for others).
	EnhancedMonitoringGB float64 `json:"enhancedMonitoringGb"`
	// ContainerInsightsLogGB is the Container Insights performance log data per
	// running task per month.
	ContainerInsightsLogGB float64 `json:"containerInsightsLogGb"`
	// LoadBalancerLCU is an Application Load Balancer's average LCUs (a small
	// site: well under 25 new connections per second and 1 GB per hour).
	LoadBalancerLCU float64 `json:"loadBalancerLcu"`
	// RequestsPerMonth are the web requests a WAF web ACL inspects per month.
	RequestsPerMonth float64 `json:"requestsPerMonth"`
	// DNSQueriesPerMonth are the billable (non-alias) queries per hosted zone.
	DNSQueriesPerMonth float64 `json:"dnsQueriesPerMonth"`
	// ECRGBPerRepository is the image data kept in each ECR repository.
	ECRGBPerRepository float64 `json:"ecrGbPerRepository"`
	// EndpointGBPerMonth is the data through each interface VPC endpoint.
	EndpointGBPerMonth float64 `json:"endpointGbPerMonth"`
	// NATGBPerMonth is the data through each NAT gateway.
	NATGBPerMonth float64 `json:"natGbPerMonth"`
	// InstanceHours is how long an EC2 instance (the bastion) runs a month
	// while the stack declares it; its disk is billed all month.
	InstanceHours float64 `json:"instanceHours"`
}

// Defaults are the assumptions of a stack file that says nothing: a small
// research site, one task per service, little data.
func Defaults() Settings {
	return Settings{
		HoursPerMonth:          HoursPerMonthList,
		UndeployedTasks:        1,
		DatabaseGB:             1,
		DatabaseDailyChange:    0.02,
		BackupChange:           0.1,
		DefaultBucketGB:        1,
		BucketPutRequests:      10_000,
		BucketGetRequests:      100_000,
		DefaultLogGB:           0.5,
		EnhancedMonitoringGB:   0.1,
		ContainerInsightsLogGB: 0.1,
		LoadBalancerLCU:        0.1,
		RequestsPerMonth:       1_000_000,
		DNSQueriesPerMonth:     100_000,
		ECRGBPerRepository:     2,
		EndpointGBPerMonth:     5,
		NATGBPerMonth:          10,
		InstanceHours:          HoursPerMonthList,
	}
}

// maxHoursPerMonth is the longest month (31 days).
const maxHoursPerMonth = 744

// Validate checks every value; key is how the errors name the stack config
// key (article-pipeline:cost). It returns every problem at once.
func (s Settings) Validate(key string) error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s.%s: %s", key, field, fmt.Sprintf(format, args...)))
	}
	if s.HoursPerMonth <= 0 || s.HoursPerMonth > maxHoursPerMonth {
		bad("hoursPerMonth", "%v is out of range; expected hours in a month, 1..%d (730 is AWS's average month)",
			s.HoursPerMonth, maxHoursPerMonth)
	}
	if s.UndeployedTasks < 0 || s.UndeployedTasks > 1000 {
		bad("undeployedTasks", "%d is out of range; expected a task count 0..1000", s.UndeployedTasks)
	}
	for _, f := range []struct {
		name string
		v    float64
	}{
		{"databaseDailyChange", s.DatabaseDailyChange},
		{"backupChange", s.BackupChange},
	} {
		if f.v < 0 || f.v > 1 {
			bad(f.name, "%v is out of range; expected a fraction 0..1", f.v)
		}
	}
	for _, f := range []struct {
		name, unit string
		v          float64
	}{
		{"databaseGb", "GB", s.DatabaseGB},
		{"defaultBucketGb", "GB", s.DefaultBucketGB},
		{"bucketPutRequests", "requests", s.BucketPutRequests},
		{"bucketGetRequests", "requests", s.BucketGetRequests},
		{"defaultLogGb", "GB", s.DefaultLogGB},
		{"enhancedMonitoringGb", "GB", s.EnhancedMonitoringGB},
		{"containerInsightsLogGb", "GB", s.ContainerInsightsLogGB},
		{"loadBalancerLcu", "LCUs", s.LoadBalancerLCU},
		{"requestsPerMonth", "requests", s.RequestsPerMonth},
		{"dnsQueriesPerMonth", "queries", s.DNSQueriesPerMonth},
		{"ecrGbPerRepository", "GB", s.ECRGBPerRepository},
		{"endpointGbPerMonth", "GB", s.EndpointGBPerMonth},
		{"natGbPerMonth", "GB", s.NATGBPerMonth},
	} {
		if f.v < 0 {
			bad(f.name, "%v is negative; expected %s ≥ 0", f.v, f.unit)
		}
	}
	if s.InstanceHours < 0 || s.InstanceHours > s.HoursPerMonth {
		bad("instanceHours", "%v is out of range; expected 0..hoursPerMonth (%v)", s.InstanceHours, s.HoursPerMonth)
	}
	for _, m := range []struct {
		name string
		v    map[string]float64
	}{
		{"bucketGb", s.BucketGB},
		{"logGb", s.LogGB},
	} {
		for _, k := range slices.Sorted(maps.Keys(m.v)) {
			switch {
			case k == "":
				bad(m.name, "an empty name; expected a name as the estimate prints it")
			case m.v[k] < 0:
				bad(m.name+"."+k, "%v is negative; expected GB ≥ 0", m.v[k])
			}
		}
	}
	return errors.Join(errs...)
}

// bucketGB is the assumed size of the bucket named name.
func (s Settings) bucketGB(name string) (float64, bool) {
	if gb, ok := s.BucketGB[name]; ok {
		return gb, true
	}
	return s.DefaultBucketGB, false
}

// logGB is the assumed monthly ingestion of the log group named name.
func (s Settings) logGB(name string) (float64, bool) {
	if gb, ok := s.LogGB[name]; ok {
		return gb, true
	}
	return s.DefaultLogGB, false
}
