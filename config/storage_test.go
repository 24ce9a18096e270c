package config

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/internal/check"
	"github.com/np-mrd/article-pipeline-infra/storage"
)

func TestDefaultBuckets(t *testing.T) {
	t.Parallel()
	deposition := func(env string) storage.Settings {
		return storage.Settings{Enabled: true, Name: "article-pipeline-deposition-" + env, EnvVar: "COMPOUND_BUCKET_V3",
			PublicAccess: storage.PublicAccessBlocked, BucketKey: true}
	}
	static := storage.Settings{Enabled: true, Name: "article-pipeline-django-static", EnvVar: "AWS_STORAGE_BUCKET_NAME",
		PublicAccess: storage.PublicAccessPublicRead, Shared: true}
	prodDeposition := deposition("prod")
	prodDeposition.Versioning = true
	prodDeposition.Protect = true
	prodDeposition.Backup = true
	prodDeposition.LifecycleRules = []storage.LifecycleRule{{Name: "TrashRetention", NoncurrentVersionExpirationDays: 30,
		AbortIncompleteMultipartUploadDays: 7}}

	for _, tc := range []struct {
		env  string
		want storage.Buckets
	}{
		{"prod", storage.Buckets{
			"deposition": prodDeposition,
			"rssArchive": {Enabled: true, Name: "article-pipeline-npa-ingestion-rss-archive",
				EnvVar: "S3_RSS_INGESTION_ARCHIVE_URL", PublicAccess: storage.PublicAccessNewOnly},
			"djangoStatic": static,
			"depositionCharts": {Enabled: true, Name: "article-pipeline-deposition-charts-prod",
				EnvVar: "DEPOSITON_CHART_BUCKET", PublicAccess: storage.PublicAccessPublicRead},
		}},
		{"development", storage.Buckets{"deposition": deposition("development"), "djangoStatic": static}},
		{"sandbox-alice", storage.Buckets{"deposition": deposition("sandbox-alice")}},
	} {
		t.Run(tc.env, func(t *testing.T) {
			t.Parallel()
			got := parsed(t, func(p *check.Problems) storage.Buckets {
				return parseBuckets(merged(tc.env, "article-pipeline:buckets", ""), tc.env, tc.env == "prod", p)
			})
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("parseBuckets(\"\") =\n%+v\nwant\n%+v", got, tc.want)
			}
		})
	}
}

func TestParseBuckets(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		env     string
		protect bool
		value   string
		check   func(t *testing.T, b storage.Buckets)
	}{
		{"stack protect governs the deposition bucket", "prod", false, "", func(t *testing.T, b storage.Buckets) {
			if b["deposition"].Protect {
				t.Error("deposition protected although article-pipeline:protect is false")
			}
		}},
		{"explicit protect wins", "development", false, `{"deposition":{"protect":true}}`,
			func(t *testing.T, b storage.Buckets) {
				if !b["deposition"].Protect {
					t.Error("deposition.protect: true ignored")
				}
			}},
		{"override a name", "prod", true, `{"deposition":{"name":"np-mrd-deposition-prod"}}`,
			func(t *testing.T, b storage.Buckets) {
				d := b["deposition"]
				if d.Name != "np-mrd-deposition-prod" || !d.Versioning || !d.Backup || len(d.LifecycleRules) != 1 {
					t.Errorf("deposition = %+v; only the name should change", d)
				}
			}},
		{"drop a bucket", "prod", true, `{"rssArchive":{"enabled":false},"depositionCharts":{"enabled":false}}`,
			func(t *testing.T, b storage.Buckets) {
				if got := b.Roles(); !slices.Equal(got, []string{"deposition", "djangoStatic"}) {
					t.Errorf("roles = %v", got)
				}
			}},
		{"add a bucket", "sandbox-bob", false,
			`{"scratch":{"name":"bob-scratch","envVar":"SCRATCH_BUCKET","publicAccess":"blocked","versioning":true,` +
				`"lifecycleRules":[{"name":"Expire","expirationDays":14,"noncurrentVersionExpirationDays":1}]}}`,
			func(t *testing.T, b storage.Buckets) {
				want := storage.Settings{Enabled: true, Name: "bob-scratch", EnvVar: "SCRATCH_BUCKET",
					PublicAccess: storage.PublicAccessBlocked, Versioning: true, LifecycleRules: []storage.LifecycleRule{{Name: "Expire", ExpirationDays: 14,
						NoncurrentVersionExpirationDays: 1}}}
				if !reflect.DeepEqual(b["scratch"], want) {
					t.Errorf("scratch = %+v, want %+v", b["scratch"], want)
				}
				if _, ok := b["deposition"]; !ok {
					t.Error("the default deposition bucket was lost")
				}
			}},
		{"empty list removes lifecycle rules", "prod", true, `{"deposition":{"lifecycleRules":[]}}`,
			func(t *testing.T, b storage.Buckets) {
				if len(b["deposition"].LifecycleRules) != 0 {
					t.Errorf("rules = %+v", b["deposition"].LifecycleRules)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.check(t, parsed(t, func(p *check.Problems) storage.Buckets {
				return parseBuckets(merged(tc.env, "article-pipeline:buckets", tc.value), tc.env, tc.protect, p)
			}))
		})
	}
}

func TestParseBucketsBadInput(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		env   string
		value string
		want  []string
	}{
		{"a value rule", "prod", `{"deposition":{"versioning":false}}`, []string{
			`article-pipeline:buckets.deposition.backup: the bucket is selected for backup but not versioned; AWS Backup ` +
				`requires versioning for S3 (set article-pipeline:buckets.deposition.versioning: true, or backup: false)`}},
		{"new bucket missing fields", "development", `{"extra":{"versioning":true}}`, []string{
			`article-pipeline:buckets.extra.name: required: "extra" is not one of the runbook's buckets ` +
				`("deposition", "depositionCharts", "djangoStatic", "rssArchive")`,
			`article-pipeline:buckets.extra.envVar: required: "extra" is not one of the runbook's buckets ` +
				`("deposition", "depositionCharts", "djangoStatic", "rssArchive")`,
			`article-pipeline:buckets.extra.publicAccess: required: "extra" is not one of the runbook's buckets ` +
				`("deposition", "depositionCharts", "djangoStatic", "rssArchive")`,
		}},
		{"unknown field", "prod", `{"deposition":{"versoning":true}}`, []string{
			`article-pipeline:buckets.deposition: unknown field "versoning"; did you mean "versioning"?`}},
		{"wrong type", "prod", `{"deposition":{"versioning":"yes"}}`, []string{
			`article-pipeline:buckets.deposition.versioning: expected true or false, got a JSON string`}},
		{"not an object", "prod", `[1]`, []string{
			`article-pipeline:buckets: expected an object (YAML mapping), got a JSON array`}},
		{"bad role", "prod", `{"Deposition-2":{"name":"x-y-z"}}`, []string{
			`article-pipeline:buckets.Deposition-2: "Deposition-2" is not a bucket role; expected a camelCase word ` +
				`such as deposition or rssArchive`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := problems(func(p *check.Problems) storage.Buckets {
				return parseBuckets(merged(tc.env, "article-pipeline:buckets", tc.value), tc.env, false, p)
			})
			var got []string
			for _, e := range p {
				got = append(got, e.Error())
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("errors =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
