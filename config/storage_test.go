package config

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestDefaultBuckets(t *testing.T) {
	t.Parallel()
	deposition := func(env string) Bucket {
		return Bucket{Name: "article-pipeline-deposition-" + env, EnvVar: "COMPOUND_BUCKET_V3",
			PublicAccess: PublicAccessBlocked, BucketKey: true}
	}
	static := Bucket{Name: "article-pipeline-django-static", EnvVar: "AWS_STORAGE_BUCKET_NAME",
		PublicAccess: PublicAccessPublicRead, Shared: true}
	prodDeposition := deposition("prod")
	prodDeposition.Versioning = true
	prodDeposition.Protect = true
	prodDeposition.Backup = true
	prodDeposition.LifecycleRules = []LifecycleRule{{Name: "TrashRetention", NoncurrentVersionExpirationDays: 30,
		AbortIncompleteMultipartUploadDays: 7}}

	for _, tc := range []struct {
		env  string
		want map[string]Bucket
	}{
		{"prod", map[string]Bucket{
			"deposition": prodDeposition,
			"rssArchive": {Name: "article-pipeline-npa-ingestion-rss-archive", EnvVar: "S3_RSS_INGESTION_ARCHIVE_URL",
				PublicAccess: PublicAccessNewOnly},
			"djangoStatic": static,
			"depositionCharts": {Name: "article-pipeline-deposition-charts-prod", EnvVar: "DEPOSITON_CHART_BUCKET",
				PublicAccess: PublicAccessPublicRead},
		}},
		{"development", map[string]Bucket{"deposition": deposition("development"), "djangoStatic": static}},
		{"sandbox-alice", map[string]Bucket{"deposition": deposition("sandbox-alice")}},
	} {
		t.Run(tc.env, func(t *testing.T) {
			t.Parallel()
			got := DefaultBuckets(tc.env)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("DefaultBuckets(%q) =\n%+v\nwant\n%+v", tc.env, got, tc.want)
			}
			// The defaults pass their own validation.
			var p problems
			parsed := parseBuckets("", tc.env, tc.env == "prod", &p)
			if p.err() != nil {
				t.Errorf("defaults do not validate: %v", p.err())
			}
			if !reflect.DeepEqual(parsed, tc.want) {
				t.Errorf("parseBuckets(\"\") =\n%+v\nwant\n%+v", parsed, tc.want)
			}
		})
	}
}

func TestPublicAccessFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		access PublicAccess
		want   PublicAccessBlock
		read   bool
	}{
		{PublicAccessBlocked, PublicAccessBlock{true, true, true, true}, false},
		// The runbook's two ticks: new ACLs and new public bucket policies.
		{PublicAccessNewOnly, PublicAccessBlock{BlockPublicAcls: true, BlockPublicPolicy: true}, false},
		{PublicAccessPublicRead, PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true}, true},
	} {
		if got := tc.access.Flags(); got != tc.want {
			t.Errorf("%s.Flags() = %+v, want %+v", tc.access, got, tc.want)
		}
		if got := tc.access.PublicRead(); got != tc.read {
			t.Errorf("%s.PublicRead() = %v", tc.access, got)
		}
	}
}

func TestBucketRolesSorted(t *testing.T) {
	t.Parallel()
	got := BucketRoles(DefaultBuckets("prod"))
	want := []string{"depositionCharts", "deposition", "djangoStatic", "rssArchive"}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("BucketRoles = %v, want %v", got, want)
	}
}

func TestFromSharedStack(t *testing.T) {
	t.Parallel()
	b := DefaultBuckets("development")
	if !b[RoleDjangoStatic].FromSharedStack("org/article-pipeline/prod") {
		t.Error("development's static bucket is not read from the shared stack")
	}
	if b[RoleDjangoStatic].FromSharedStack("") {
		t.Error("without a shared stack the static bucket must be created here")
	}
	if b[RoleDeposition].FromSharedStack("org/article-pipeline/prod") {
		t.Error("the deposition bucket is never shared")
	}
}

func TestParseBuckets(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		env     string
		protect bool
		value   string
		check   func(t *testing.T, b map[string]Bucket)
	}{
		{"stack protect governs the deposition bucket", "prod", false, "", func(t *testing.T, b map[string]Bucket) {
			if b["deposition"].Protect {
				t.Error("deposition protected although article-pipeline:protect is false")
			}
		}},
		{"explicit protect wins", "development", false, `{"deposition":{"protect":true}}`,
			func(t *testing.T, b map[string]Bucket) {
				if !b["deposition"].Protect {
					t.Error("deposition.protect: true ignored")
				}
			}},
		{"override a name", "prod", true, `{"deposition":{"name":"np-mrd-deposition-prod"}}`,
			func(t *testing.T, b map[string]Bucket) {
				d := b["deposition"]
				if d.Name != "np-mrd-deposition-prod" || !d.Versioning || !d.Backup || len(d.LifecycleRules) != 1 {
					t.Errorf("deposition = %+v; only the name should change", d)
				}
			}},
		{"drop a bucket", "prod", true, `{"rssArchive":{"enabled":false},"depositionCharts":{"enabled":false}}`,
			func(t *testing.T, b map[string]Bucket) {
				if got := BucketRoles(b); !slices.Equal(got, []string{"deposition", "djangoStatic"}) {
					t.Errorf("roles = %v", got)
				}
			}},
		{"add a bucket", "sandbox-bob", false,
			`{"scratch":{"name":"bob-scratch","envVar":"SCRATCH_BUCKET","publicAccess":"blocked","versioning":true,` +
				`"lifecycleRules":[{"name":"Expire","expirationDays":14,"noncurrentVersionExpirationDays":1}]}}`,
			func(t *testing.T, b map[string]Bucket) {
				want := Bucket{Name: "bob-scratch", EnvVar: "SCRATCH_BUCKET", PublicAccess: PublicAccessBlocked,
					Versioning: true, LifecycleRules: []LifecycleRule{{Name: "Expire", ExpirationDays: 14,
						NoncurrentVersionExpirationDays: 1}}}
				if !reflect.DeepEqual(b["scratch"], want) {
					t.Errorf("scratch = %+v, want %+v", b["scratch"], want)
				}
				if _, ok := b["deposition"]; !ok {
					t.Error("the default deposition bucket was lost")
				}
			}},
		{"empty list removes lifecycle rules", "prod", true, `{"deposition":{"lifecycleRules":[]}}`,
			func(t *testing.T, b map[string]Bucket) {
				if len(b["deposition"].LifecycleRules) != 0 {
					t.Errorf("rules = %+v", b["deposition"].LifecycleRules)
				}
			}},
		{"adopt", "prod", true, `{"djangoStatic":{"adopt":true}}`, func(t *testing.T, b map[string]Bucket) {
			if !b["djangoStatic"].Adopt || b["deposition"].Adopt {
				t.Errorf("adopt: static=%v deposition=%v", b["djangoStatic"].Adopt, b["deposition"].Adopt)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var p problems
			b := parseBuckets(tc.value, tc.env, tc.protect, &p)
			if err := p.err(); err != nil {
				t.Fatal(err)
			}
			tc.check(t, b)
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
		{"bad name", "prod", `{"deposition":{"name":"Article_Pipeline"}}`, []string{
			`article-pipeline:buckets.deposition.name: "Article_Pipeline" is not a valid S3 bucket name: expected only ` +
				`lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit`}},
		{"backup without versioning", "prod", `{"deposition":{"versioning":false}}`, []string{
			`article-pipeline:buckets.deposition.backup: the bucket is selected for backup but not versioned; AWS Backup ` +
				`requires versioning for S3 (set article-pipeline:buckets.deposition.versioning: true, or backup: false)`}},
		{"rule with no action", "prod", `{"deposition":{"lifecycleRules":[{"name":"A","expirationDays":3},{"name":"B"}]}}`,
			[]string{`article-pipeline:buckets.deposition.lifecycleRules[1]: the rule has no action; expected at least one ` +
				`of noncurrentVersionExpirationDays, abortIncompleteMultipartUploadDays, expirationDays`}},
		{"rule without name, zero days", "development",
			`{"deposition":{"lifecycleRules":[{"abortIncompleteMultipartUploadDays":0,"expirationDays":2}]}}`, []string{
				`article-pipeline:buckets.deposition.lifecycleRules[0].abortIncompleteMultipartUploadDays: 0 is out of ` +
					`range; expected a number of days of at least 1 (leave it out for no such action)`,
				`article-pipeline:buckets.deposition.lifecycleRules[0].name: required: the rule's ID (e.g. TrashRetention)`}},
		{"duplicate rule names", "development",
			`{"deposition":{"lifecycleRules":[{"name":"X","expirationDays":2},{"name":"X","expirationDays":3}]}}`,
			[]string{`article-pipeline:buckets.deposition.lifecycleRules[1].name: "X" is already the name of rule 0; ` +
				`expected unique rule names`}},
		{"duplicate physical name", "prod", `{"rssArchive":{"name":"article-pipeline-django-static"}}`, []string{
			`article-pipeline:buckets.rssArchive.name: "article-pipeline-django-static" is already the name of ` +
				`article-pipeline:buckets.djangoStatic; expected one bucket per name`}},
		{"duplicate env var", "prod", `{"depositionCharts":{"envVar":"COMPOUND_BUCKET_V3"}}`, []string{
			`article-pipeline:buckets.depositionCharts.envVar: "COMPOUND_BUCKET_V3" already names ` +
				`article-pipeline:buckets.deposition; expected one bucket per variable`}},
		{"bad env var", "development", `{"deposition":{"envVar":"compound-bucket"}}`, []string{
			`article-pipeline:buckets.deposition.envVar: "compound-bucket" is not an environment variable name; ` +
				`expected upper-case letters, digits and underscores, starting with a letter`}},
		{"bad public access", "development", `{"deposition":{"publicAccess":"private"}}`, []string{
			`article-pipeline:buckets.deposition.publicAccess: "private" is not a public access level; expected one ` +
				`of "blocked", "newOnly", "publicRead"`}},
		{"new bucket missing fields", "development", `{"extra":{"versioning":true}}`, []string{
			`article-pipeline:buckets.extra.name: required: environment "development" has no default extra bucket`,
			`article-pipeline:buckets.extra.envVar: required: environment "development" has no default extra bucket`,
			`article-pipeline:buckets.extra.publicAccess: required: environment "development" has no default extra bucket`,
		}},
		{"unknown field", "prod", `{"deposition":{"versoning":true}}`, []string{
			`article-pipeline:buckets.deposition: unknown field "versoning"`}},
		{"wrong type", "prod", `{"deposition":{"versioning":"yes"}}`, []string{
			`article-pipeline:buckets.deposition.versioning: expected true or false, got a JSON string`}},
		{"not an object", "prod", `[1]`, []string{`article-pipeline:buckets: expected an object, got a JSON array`}},
		{"bad role", "prod", `{"Deposition-2":{"name":"x-y-z"}}`, []string{
			`article-pipeline:buckets.Deposition-2: "Deposition-2" is not a bucket role; expected a camelCase word ` +
				`such as deposition or rssArchive`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var p problems
			parseBuckets(tc.value, tc.env, false, &p)
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

func TestCheckBucketName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, want string
	}{
		{"article-pipeline-deposition-prod", ""},
		{"a.b-c", ""},
		{"abc", ""},
		{"ab", "2 characters; expected 3 to 63"},
		{strings.Repeat("a", 64), "64 characters; expected 3 to 63"},
		{strings.Repeat("a", 63), ""},
		{"Upper", "expected only lower-case letters"},
		{"under_score", "expected only lower-case letters"},
		{"-start", "expected only lower-case letters"},
		{"end-", "expected only lower-case letters"},
		{"end.", "expected only lower-case letters"},
		{"a..b", "two adjacent dots"},
		{"192.168.5.4", "formatted as an IP address"},
		{"xn--bucket", `starts with "xn--"`},
		{"sthree-bucket", `starts with "sthree-"`},
		{"amzn-s3-demo-bucket", `starts with "amzn-s3-demo-"`},
		{"bucket-s3alias", `ends with "-s3alias"`},
		{"bucket--ol-s3", `ends with "--ol-s3"`},
		{"bucket.mrap", `ends with ".mrap"`},
		{"bucket--x-s3", `ends with "--x-s3"`},
		{"bucket--table-s3", `ends with "--table-s3"`},
	} {
		err := CheckBucketName(tc.name)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("CheckBucketName(%q) = %v, want ok", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("CheckBucketName(%q) = %v, want %q", tc.name, err, tc.want)
		}
	}
}
