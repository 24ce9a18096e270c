package config

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
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

var publicAccessValues = []PublicAccess{PublicAccessBlocked, PublicAccessNewOnly, PublicAccessPublicRead}

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

// PublicRead reports whether the bucket's policy grants anonymous s3:GetObject.
func (a PublicAccess) PublicRead() bool { return a == PublicAccessPublicRead }

// LifecycleRule is one lifecycle rule over all objects of a bucket; a zero day
// count means that action is not set.
type LifecycleRule struct {
	Name string
	// NoncurrentVersionExpirationDays permanently deletes noncurrent versions
	// this many days after they become noncurrent.
	NoncurrentVersionExpirationDays int
	// AbortIncompleteMultipartUploadDays removes the parts of uploads not
	// completed this many days after they started.
	AbortIncompleteMultipartUploadDays int
	// ExpirationDays expires current objects this many days after creation.
	ExpirationDays int
}

// Bucket is one S3 bucket of the stack, keyed by its role in Settings.
type Bucket struct {
	// Name is the physical bucket name (global across AWS).
	Name string
	// EnvVar is the application environment variable that receives the name,
	// spelled exactly as the application reads it.
	EnvVar       string
	PublicAccess PublicAccess
	Versioning   bool
	// BucketKey is the console's "Bucket Key" setting of the SSE-S3 default
	// encryption, kept as the runbook sets it so an adopted bucket matches.
	BucketKey      bool
	LifecycleRules []LifecycleRule
	// Backup selects the bucket for AWS Backup and adds the runbook's
	// backup.amazonaws.com statements to its policy.
	Backup bool
	// Protect marks the bucket (not its side resources) protected in Pulumi.
	Protect bool
	// Shared marks a bucket both environments use (the Django static files):
	// the stack named by article-pipeline:sharedStack owns it, and a stack with
	// sharedStack set reads its name from that stack instead of creating it.
	Shared bool
	// Adopt imports the existing bucket (its import ID is its name) and its
	// console-made side resources instead of creating them.
	Adopt bool
}

// FromSharedStack reports whether this stack reads the bucket's name from the
// shared stack instead of declaring the bucket.
func (b Bucket) FromSharedStack(sharedStack string) bool { return b.Shared && sharedStack != "" }

// DefaultBuckets returns the runbook's buckets for an environment: all four in
// prod, the deposition bucket and the shared static bucket in development, and
// only a deposition bucket of its own in any other (sandbox) environment.
func DefaultBuckets(env string) map[string]Bucket {
	deposition := Bucket{
		Name:         "article-pipeline-deposition-" + env,
		EnvVar:       "COMPOUND_BUCKET_V3",
		PublicAccess: PublicAccessBlocked,
		BucketKey:    true,
	}
	// Shared by both environments (runbook: "prod/dev: article-pipeline-django-static").
	djangoStatic := Bucket{
		Name:         "article-pipeline-django-static",
		EnvVar:       "AWS_STORAGE_BUCKET_NAME",
		PublicAccess: PublicAccessPublicRead,
		Shared:       true,
	}
	switch env {
	case "prod":
		deposition.Versioning = true
		deposition.Protect = true
		deposition.Backup = true
		deposition.LifecycleRules = []LifecycleRule{{
			Name:                            "TrashRetention",
			NoncurrentVersionExpirationDays: 30,
			// Not in the runbook: parts of abandoned multipart uploads are billed
			// until removed (Security Hub S3.13 wants lifecycle on every bucket).
			AbortIncompleteMultipartUploadDays: 7,
		}}
		return map[string]Bucket{
			RoleDeposition: deposition,
			RoleRSSArchive: {
				Name:   "article-pipeline-npa-ingestion-rss-archive",
				EnvVar: "S3_RSS_INGESTION_ARCHIVE_URL",
				// The runbook's two ticks ("this could probably be adjusted").
				PublicAccess: PublicAccessNewOnly,
			},
			RoleDjangoStatic: djangoStatic,
			RoleDepositionCharts: {
				Name: "article-pipeline-deposition-charts-prod",
				// Misspelt as the application reads it.
				EnvVar:       "DEPOSITON_CHART_BUCKET",
				PublicAccess: PublicAccessPublicRead,
			},
		}
	case "development":
		return map[string]Bucket{RoleDeposition: deposition, RoleDjangoStatic: djangoStatic}
	}
	// A personal sandbox (runbook "Local Parameter Setup": a bucket per engineer).
	return map[string]Bucket{RoleDeposition: deposition}
}

// BucketRoles returns the roles of buckets in sorted order, so resources are
// declared in the same order on every run.
func BucketRoles(buckets map[string]Bucket) []string { return slices.Sorted(maps.Keys(buckets)) }

type rawBucket struct {
	Enabled        *bool              `json:"enabled"`
	Name           *string            `json:"name"`
	EnvVar         *string            `json:"envVar"`
	PublicAccess   *string            `json:"publicAccess"`
	Versioning     *bool              `json:"versioning"`
	BucketKey      *bool              `json:"bucketKey"`
	LifecycleRules []rawLifecycleRule `json:"lifecycleRules"`
	Backup         *bool              `json:"backup"`
	Protect        *bool              `json:"protect"`
	Shared         *bool              `json:"shared"`
	Adopt          *bool              `json:"adopt"`
}

type rawLifecycleRule struct {
	Name                               string `json:"name"`
	NoncurrentVersionExpirationDays    *int   `json:"noncurrentVersionExpirationDays"`
	AbortIncompleteMultipartUploadDays *int   `json:"abortIncompleteMultipartUploadDays"`
	ExpirationDays                     *int   `json:"expirationDays"`
}

var (
	rolePattern   = regexp.MustCompile(`^[a-z][A-Za-z0-9]{0,39}$`)
	envVarPattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
)

// parseBuckets reads article-pipeline:buckets over DefaultBuckets(env). Each
// entry overrides fields of the default bucket of that role, adds a bucket (name,
// envVar and publicAccess required) or drops one (enabled: false). protect is
// the stack-wide default (Settings.Protect) for the deposition bucket.
func parseBuckets(value, env string, protect bool, p *problems) map[string]Bucket {
	k := key("buckets")
	buckets := DefaultBuckets(env)
	if d, ok := buckets[RoleDeposition]; ok {
		d.Protect = protect
		buckets[RoleDeposition] = d
	}
	var entries map[string]json.RawMessage
	if !decode(k, value, &entries, p) {
		if strings.TrimSpace(value) != "" {
			return buckets
		}
	}
	for _, role := range slices.Sorted(maps.Keys(entries)) {
		bk := k + "." + role
		if !rolePattern.MatchString(role) {
			p.add(bk, "%q is not a bucket role; expected a camelCase word such as deposition or rssArchive", role)
			continue
		}
		var r rawBucket
		if !decode(bk, string(entries[role]), &r, p) {
			continue
		}
		b, known := buckets[role]
		if r.Enabled != nil && !*r.Enabled {
			delete(buckets, role)
			continue
		}
		if !known {
			missing := false
			for _, f := range []struct {
				field string
				set   bool
			}{{"name", r.Name != nil}, {"envVar", r.EnvVar != nil}, {"publicAccess", r.PublicAccess != nil}} {
				if !f.set {
					p.add(bk+"."+f.field, "required: environment %q has no default %s bucket", env, role)
					missing = true
				}
			}
			if missing {
				continue
			}
		}
		applyBucket(&b, r, bk, p)
		buckets[role] = b
	}
	validateBuckets(buckets, p)
	return buckets
}

func applyBucket(b *Bucket, r rawBucket, bk string, p *problems) {
	set := func(dst *bool, src *bool) {
		if src != nil {
			*dst = *src
		}
	}
	if r.Name != nil {
		b.Name = *r.Name
	}
	if r.EnvVar != nil {
		b.EnvVar = *r.EnvVar
	}
	if r.PublicAccess != nil {
		b.PublicAccess = PublicAccess(*r.PublicAccess)
	}
	set(&b.Versioning, r.Versioning)
	set(&b.BucketKey, r.BucketKey)
	set(&b.Backup, r.Backup)
	set(&b.Protect, r.Protect)
	set(&b.Shared, r.Shared)
	set(&b.Adopt, r.Adopt)
	if r.LifecycleRules == nil {
		return
	}
	// A list replaces the default rules; [] removes them.
	b.LifecycleRules = []LifecycleRule{}
	for i, rr := range r.LifecycleRules {
		rk := idx(bk+".lifecycleRules", i)
		days := func(field string, v *int) int {
			if v == nil {
				return 0
			}
			if *v < 1 {
				p.add(rk+"."+field, "%d is out of range; expected a number of days of at least 1 (leave it out "+
					"for no such action)", *v)
			}
			return *v
		}
		b.LifecycleRules = append(b.LifecycleRules, LifecycleRule{
			Name:                               rr.Name,
			NoncurrentVersionExpirationDays:    days("noncurrentVersionExpirationDays", rr.NoncurrentVersionExpirationDays),
			AbortIncompleteMultipartUploadDays: days("abortIncompleteMultipartUploadDays", rr.AbortIncompleteMultipartUploadDays),
			ExpirationDays:                     days("expirationDays", rr.ExpirationDays),
		})
	}
}

func validateBuckets(buckets map[string]Bucket, p *problems) {
	k := key("buckets")
	names := map[string]string{}
	envVars := map[string]string{}
	for _, role := range BucketRoles(buckets) {
		b := buckets[role]
		bk := k + "." + role
		if err := CheckBucketName(b.Name); err != nil {
			p.add(bk+".name", "%q is not a valid S3 bucket name: %v", b.Name, err)
		}
		if other, dup := names[b.Name]; dup {
			p.add(bk+".name", "%q is already the name of %s.%s; expected one bucket per name", b.Name, k, other)
		}
		names[b.Name] = role
		if !envVarPattern.MatchString(b.EnvVar) {
			p.add(bk+".envVar", "%q is not an environment variable name; expected upper-case letters, digits "+
				"and underscores, starting with a letter", b.EnvVar)
		}
		if other, dup := envVars[b.EnvVar]; dup {
			p.add(bk+".envVar", "%q already names %s.%s; expected one bucket per variable", b.EnvVar, k, other)
		}
		envVars[b.EnvVar] = role
		if !slices.Contains(publicAccessValues, b.PublicAccess) {
			p.add(bk+".publicAccess", "%q is not a public access level; expected one of %s", b.PublicAccess,
				joinQuoted(publicAccessValues))
		}
		if b.Backup && !b.Versioning {
			p.add(bk+".backup", "the bucket is selected for backup but not versioned; AWS Backup requires "+
				"versioning for S3 (set %s.versioning: true, or backup: false)", bk)
		}
		ruleNames := map[string]int{}
		for i, r := range b.LifecycleRules {
			rk := idx(bk+".lifecycleRules", i)
			switch {
			case r.Name == "":
				p.add(rk+".name", "required: the rule's ID (e.g. TrashRetention)")
			case len(r.Name) > 255:
				p.add(rk+".name", "%d characters; expected at most 255 (S3 rule ID limit)", len(r.Name))
			}
			if j, dup := ruleNames[r.Name]; dup && r.Name != "" {
				p.add(rk+".name", "%q is already the name of rule %d; expected unique rule names", r.Name, j)
			}
			ruleNames[r.Name] = i
			if r.NoncurrentVersionExpirationDays == 0 && r.AbortIncompleteMultipartUploadDays == 0 &&
				r.ExpirationDays == 0 {
				p.add(rk, "the rule has no action; expected at least one of noncurrentVersionExpirationDays, "+
					"abortIncompleteMultipartUploadDays, expirationDays")
			}
		}
	}
}

func joinQuoted[S ~string](values []S) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
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
