package storage

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/internal/check"
	"github.com/np-mrd/article-pipeline-infra/internal/mock"
)

func TestPublicAccessFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		access PublicAccess
		want   PublicAccessBlock
	}{
		{PublicAccessBlocked, PublicAccessBlock{true, true, true, true}},
		// The runbook's two ticks: new ACLs and new public bucket policies.
		{PublicAccessNewOnly, PublicAccessBlock{BlockPublicAcls: true, BlockPublicPolicy: true}},
		{PublicAccessPublicRead, PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true}},
	} {
		if got := tc.access.Flags(); got != tc.want {
			t.Errorf("%s.Flags() = %+v, want %+v", tc.access, got, tc.want)
		}
	}
}

func TestRolesAreSortedAndEnabled(t *testing.T) {
	t.Parallel()
	b := Runbook("prod")
	for _, role := range []string{RoleRSSArchive, RoleDeposition, RoleDepositionCharts} {
		s := b[role]
		s.Enabled = true
		b[role] = s
	}
	if got, want := b.Roles(), []string{"deposition", "depositionCharts", "rssArchive"}; !slices.Equal(got, want) {
		t.Errorf("Roles() = %v, want %v (djangoStatic is not enabled)", got, want)
	}
}

// TestValidate edits prod's buckets (JSON over the runbook's, per role) and
// expects exactly the listed problems.
func TestValidate(t *testing.T) {
	t.Parallel()
	const k = "article-pipeline:buckets"
	for _, tc := range []struct {
		name  string
		value string
		want  []string
	}{
		{"the runbook's buckets", `{}`, nil},
		{"bad name", `{"deposition":{"name":"Article_Pipeline"}}`, []string{
			k + `.deposition.name: "Article_Pipeline" is not a valid S3 bucket name: expected only ` +
				`lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit`}},
		{"backup without versioning", `{"deposition":{"backup":true}}`, []string{
			k + `.deposition.backup: the bucket is selected for backup but not versioned; AWS Backup ` +
				`requires versioning for S3 (set article-pipeline:buckets.deposition.versioning: true, or backup: false)`}},
		{"rule with no action", `{"deposition":{"lifecycleRules":[{"name":"A","expirationDays":3},{"name":"B"}]}}`,
			[]string{k + `.deposition.lifecycleRules[1]: the rule has no action; expected at least one ` +
				`of noncurrentVersionExpirationDays, abortIncompleteMultipartUploadDays, expirationDays`}},
		{"rule without name, negative days",
			`{"deposition":{"lifecycleRules":[{"abortIncompleteMultipartUploadDays":-1,"expirationDays":2}]}}`, []string{
				k + `.deposition.lifecycleRules[0].name: required: the rule's ID (e.g. TrashRetention)`,
				k + `.deposition.lifecycleRules[0].abortIncompleteMultipartUploadDays: -1 is out of ` +
					`range; expected a number of days of at least 1 (leave it out for no such action)`}},
		{"duplicate rule names",
			`{"deposition":{"lifecycleRules":[{"name":"X","expirationDays":2},{"name":"X","expirationDays":3}]}}`,
			[]string{k + `.deposition.lifecycleRules[1].name: "X" is already the name of rule 0; ` +
				`expected unique rule names`}},
		{"duplicate physical name", `{"rssArchive":{"name":"article-pipeline-django-static"}}`, []string{
			k + `.rssArchive.name: "article-pipeline-django-static" is already the name of ` +
				k + `.djangoStatic; expected one bucket per name`}},
		{"duplicate env var", `{"depositionCharts":{"envVar":"COMPOUND_BUCKET_V3"}}`, []string{
			k + `.depositionCharts.envVar: "COMPOUND_BUCKET_V3" already names ` +
				k + `.deposition; expected one bucket per variable`}},
		{"bad env var", `{"deposition":{"envVar":"compound-bucket"}}`, []string{
			k + `.deposition.envVar: "compound-bucket" is not an environment variable name; ` +
				`expected upper-case letters, digits and underscores, starting with a letter`}},
		{"bad public access", `{"deposition":{"publicAccess":"private"}}`, []string{
			k + `.deposition.publicAccess: "private" is not a public access level; expected one ` +
				`of "blocked", "newOnly", "publicRead"`}},
		{"a disabled bucket is not checked", `{"rssArchive":{"enabled":false,"name":"X"}}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := Runbook("prod")
			for role, s := range b {
				s.Enabled = true
				b[role] = s
			}
			var edits map[string]json.RawMessage
			if err := json.Unmarshal([]byte(tc.value), &edits); err != nil {
				t.Fatal(err)
			}
			for role, edit := range edits {
				b[role] = mock.Overlay(t, b[role], string(edit))
			}
			var p check.Problems
			p.Join(b.Validate(k))
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
