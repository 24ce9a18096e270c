package storage

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/internal/check"
)

// Bucket roles of the runbook's buckets ("Create S3 Buckets"). A role is the
// key under article-pipeline:buckets; it never changes when a physical name does.
const (
	RoleDeposition       = "deposition"
	RoleRSSArchive       = "rssArchive"
	RoleDjangoStatic     = "djangoStatic"
	RoleDepositionCharts = "depositionCharts"
)

// PublicAccess is a bucket's public access level, one of the PublicAccess* constants.
type PublicAccess string

const (
	// PublicAccessBlocked is the console's "Block all public access": all four
	// flags on (Security Hub S3.8).
	PublicAccessBlocked PublicAccess = "blocked"
	// PublicAccessNewOnly is the runbook's two ticks for the RSS archive: block
	// public access granted through new ACLs and new public bucket policies.
	PublicAccessNewOnly PublicAccess = "newOnly"
	// PublicAccessPublicRead is a bucket public by design (Django static files,
	// deposition charts): its policy grants anonymous s3:GetObject, so
	// BlockPublicPolicy and RestrictPublicBuckets are off. ACLs stay blocked and
	// ignored: the bucket is BucketOwnerEnforced, so they grant nothing anyway.
	PublicAccessPublicRead PublicAccess = "publicRead"
)

var publicAccessLevels = []PublicAccess{PublicAccessBlocked, PublicAccessNewOnly, PublicAccessPublicRead}

// PublicAccessBlock is the four S3 Block Public Access flags.
type PublicAccessBlock struct {
	BlockPublicAcls       bool
	IgnorePublicAcls      bool
	BlockPublicPolicy     bool
	RestrictPublicBuckets bool
}

// Flags returns the four Block Public Access flags of a public access level.
func (a PublicAccess) Flags() PublicAccessBlock {
	switch a {
	case PublicAccessNewOnly:
		return PublicAccessBlock{BlockPublicAcls: true, BlockPublicPolicy: true}
	case PublicAccessPublicRead:
		return PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true}
	}
	return PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true,
		RestrictPublicBuckets: true}
}

// LifecycleRule is one lifecycle rule over every object of the bucket (the
// console's "Apply to all objects in the bucket"). A zero day count leaves that
// action out; at least one is set.
type LifecycleRule struct {
	// Name is the rule ID (the console's "Lifecycle rule name").
	Name string `json:"name"`
	// NoncurrentVersionExpirationDays permanently deletes noncurrent versions
	// this many days after they become noncurrent.
	NoncurrentVersionExpirationDays int `json:"noncurrentVersionExpirationDays"`
	// AbortIncompleteMultipartUploadDays removes the parts of uploads not
	// completed this many days after they started.
	AbortIncompleteMultipartUploadDays int `json:"abortIncompleteMultipartUploadDays"`
	// ExpirationDays expires current objects this many days after creation.
	ExpirationDays int `json:"expirationDays"`
}

// Settings is what a stack file says about one bucket
// (article-pipeline:buckets.<role>).
type Settings struct {
	// Enabled declares the bucket (or reads it from the shared stack).
	Enabled bool `json:"enabled"`
	// Name is the physical bucket name (global across AWS).
	Name string `json:"name"`
	// EnvVar is the application environment variable that receives the name,
	// spelled exactly as the application reads it.
	EnvVar       string       `json:"envVar"`
	PublicAccess PublicAccess `json:"publicAccess"`
	// Versioning enables versioning. Off declares no versioning resource, so a
	// bucket that was never versioned stays so (rather than "Suspended").
	Versioning bool `json:"versioning"`
	// BucketKey is the console's "Bucket Key" setting of the SSE-S3 default
	// encryption, kept as the runbook sets it so an adopted bucket matches.
	BucketKey      bool            `json:"bucketKey"`
	LifecycleRules []LifecycleRule `json:"lifecycleRules"`
	// PublicWrite keeps the runbook's static-bucket statement that lets anyone
	// put, read and delete objects: only for an adopted bucket the running
	// Copilot tasks still write through, with a dated waiver (S3.3), until the
	// migration's last step removes it.
	PublicWrite bool `json:"publicWrite"`
	// Backup selects the bucket for AWS Backup (read by the plan's own role).
	Backup bool `json:"backup"`
	// Protect protects the bucket itself (not its side resources) in Pulumi.
	Protect bool `json:"protect"`
	// Shared marks a bucket both environments use (the Django static files):
	// the stack named by article-pipeline:sharedStack owns it, and a stack with
	// sharedStack set reads its name from that stack instead of creating it.
	Shared bool `json:"shared"`
}

// Buckets are a stack's buckets keyed by role.
type Buckets map[string]Settings

// Roles returns the roles of the enabled buckets in sorted order, so
// resources are declared in the same order on every run.
func (b Buckets) Roles() []string {
	var roles []string
	for _, role := range slices.Sorted(maps.Keys(b)) {
		if b[role].Enabled {
			roles = append(roles, role)
		}
	}
	return roles
}

// Runbook returns the runbook's four buckets for an environment, each at the
// runbook's settings for that bucket; which of them a stack has, and their
// per-stack settings (versioning, backup, protection), its stack file says.
func Runbook(environment string) Buckets {
	return Buckets{
		RoleDeposition: {
			Name:         "article-pipeline-deposition-" + environment,
			EnvVar:       "COMPOUND_BUCKET_V3",
			PublicAccess: PublicAccessBlocked,
			BucketKey:    true,
		},
		RoleRSSArchive: {
			Name:   "article-pipeline-npa-ingestion-rss-archive",
			EnvVar: "S3_RSS_INGESTION_ARCHIVE_URL",
			// The runbook's two ticks ("this could probably be adjusted").
			PublicAccess: PublicAccessNewOnly,
		},
		// Shared by both environments (runbook: "prod/dev: article-pipeline-django-static").
		RoleDjangoStatic: {
			Name:         "article-pipeline-django-static",
			EnvVar:       "AWS_STORAGE_BUCKET_NAME",
			PublicAccess: PublicAccessPublicRead,
			Shared:       true,
		},
		RoleDepositionCharts: {
			Name: "article-pipeline-deposition-charts-" + environment,
			// Misspelt as the application reads it.
			EnvVar:       "DEPOSITON_CHART_BUCKET",
			PublicAccess: PublicAccessPublicRead,
		},
	}
}

var (
	// RolePattern is what a bucket role looks like (deposition, rssArchive).
	RolePattern   = regexp.MustCompile(`^[a-z][A-Za-z0-9]{0,39}$`)
	envVarPattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
)

// Validate checks one bucket: an S3 name, a variable name, a known public
// access level, versioning where AWS Backup needs it, named lifecycle rules
// with an action each.
func (s Settings) Validate(k string) error {
	var p check.Problems
	if err := CheckBucketName(s.Name); err != nil {
		p.Add(k+".name", "%q is not a valid S3 bucket name: %v", s.Name, err)
	}
	if !envVarPattern.MatchString(s.EnvVar) {
		p.Add(k+".envVar", "%q is not an environment variable name; expected upper-case letters, digits "+
			"and underscores, starting with a letter", s.EnvVar)
	}
	if !slices.Contains(publicAccessLevels, s.PublicAccess) {
		p.Add(k+".publicAccess", "%q is not a public access level; expected one of %s", s.PublicAccess,
			check.Quoted(publicAccessLevels))
	}
	if s.PublicWrite && s.PublicAccess != PublicAccessPublicRead {
		p.Add(k+".publicWrite", "needs publicAccess %q (S3 blocks a public policy otherwise), not %q",
			PublicAccessPublicRead, s.PublicAccess)
	}
	if s.Backup && !s.Versioning {
		p.Add(k+".backup", "the bucket is selected for backup but not versioned; AWS Backup requires "+
			"versioning for S3 (set %s.versioning: true, or backup: false)", k)
	}
	ruleNames := map[string]int{}
	for i, r := range s.LifecycleRules {
		rk := check.Index(k+".lifecycleRules", i)
		switch {
		case r.Name == "":
			p.Add(rk+".name", "required: the rule's ID (e.g. TrashRetention)")
		case len(r.Name) > 255:
			p.Add(rk+".name", "%d characters; expected at most 255 (S3 rule ID limit)", len(r.Name))
		}
		if j, dup := ruleNames[r.Name]; dup && r.Name != "" {
			p.Add(rk+".name", "%q is already the name of rule %d; expected unique rule names", r.Name, j)
		}
		ruleNames[r.Name] = i
		for _, d := range []struct {
			field string
			days  int
		}{{"noncurrentVersionExpirationDays", r.NoncurrentVersionExpirationDays},
			{"abortIncompleteMultipartUploadDays", r.AbortIncompleteMultipartUploadDays},
			{"expirationDays", r.ExpirationDays}} {
			if d.days < 0 {
				p.Add(rk+"."+d.field, "%d is out of range; expected a number of days of at least 1 (leave it out "+
					"for no such action)", d.days)
			}
		}
		if r.NoncurrentVersionExpirationDays <= 0 && r.AbortIncompleteMultipartUploadDays <= 0 && r.ExpirationDays <= 0 {
			p.Add(rk, "the rule has no action; expected at least one of noncurrentVersionExpirationDays, "+
				"abortIncompleteMultipartUploadDays, expirationDays")
		}
	}
	return p.Err()
}

// Validate checks every enabled bucket, and that no two share a name or a variable.
func (b Buckets) Validate(k string) error {
	var p check.Problems
	names, envVars := map[string]string{}, map[string]string{}
	for _, role := range b.Roles() {
		s, bk := b[role], k+"."+role
		p.Join(s.Validate(bk))
		if other, dup := names[s.Name]; dup {
			p.Add(bk+".name", "%q is already the name of %s.%s; expected one bucket per name", s.Name, k, other)
		}
		names[s.Name] = role
		if other, dup := envVars[s.EnvVar]; dup {
			p.Add(bk+".envVar", "%q already names %s.%s; expected one bucket per variable", s.EnvVar, k, other)
		}
		envVars[s.EnvVar] = role
	}
	return p.Err()
}

var (
	bucketNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*[a-z0-9]$`)
	ipLikePattern     = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$`)
)

// CheckBucketName reports whether name follows the S3 general purpose bucket
// naming rules: 3 to 63 characters; lower-case letters, digits, dots and
// hyphens; starting and ending with a letter or digit; no two adjacent dots;
// not an IP address; none of the prefixes and suffixes S3 reserves.
func CheckBucketName(name string) error {
	switch {
	case len(name) < 3 || len(name) > 63:
		return fmt.Errorf("%d characters; expected 3 to 63", len(name))
	case !bucketNamePattern.MatchString(name):
		return fmt.Errorf("expected only lower-case letters, digits, dots and hyphens, starting and ending " +
			"with a letter or digit")
	case strings.Contains(name, ".."):
		return fmt.Errorf("two adjacent dots; expected at most one dot between labels")
	}
	if ipLikePattern.MatchString(name) {
		return fmt.Errorf("formatted as an IP address; expected a name")
	}
	for _, prefix := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, prefix) {
			return fmt.Errorf("starts with %q, which S3 reserves", prefix)
		}
	}
	for _, suffix := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, suffix) {
			return fmt.Errorf("ends with %q, which S3 reserves", suffix)
		}
	}
	return nil
}

// AccessLogSettings is what a stack file says about the load balancer's access
// logs (article-pipeline:accessLogs): the bucket the stack keeps them in.
type AccessLogSettings struct {
	// Enabled turns the load balancer's access logs on (Security Hub ELB.5).
	Enabled bool `json:"enabled"`
	// Name is the log bucket's physical name (global across AWS).
	Name string `json:"name"`
	// ExpirationDays deletes each log file this many days after it is written.
	ExpirationDays int `json:"expirationDays"`
}

// DefaultAccessLogs keeps the logs 90 days in <application>-access-logs-<environment>.
func DefaultAccessLogs(application, environment string) AccessLogSettings {
	return AccessLogSettings{Enabled: true, Name: application + "-access-logs-" + environment, ExpirationDays: 90}
}

// maxLogDays is ten years.
const maxLogDays = 3650

// Validate checks the bucket name and the expiry.
func (s AccessLogSettings) Validate(k string) error {
	var p check.Problems
	if err := CheckBucketName(s.Name); err != nil {
		p.Add(k+".name", "%q is not a valid S3 bucket name: %v", s.Name, err)
	}
	if s.ExpirationDays < 1 || s.ExpirationDays > maxLogDays {
		p.Add(k+".expirationDays", "%d is out of range; expected 1..%d (days a log file is kept)", s.ExpirationDays,
			maxLogDays)
	}
	return p.Err()
}
