package storage_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/internal/mock"
	"github.com/np-mrd/article-pipeline-infra/storage"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func logBucket(t *testing.T, args *storage.LogBucketArgs) *mock.Monitor {
	t.Helper()
	m, _ := mock.Declare(t, mock.Options{Stack: "prod"}, storage.NewLogBucket, "access-logs", args)
	return m
}

// TestLogBucketPolicy: the region's ELB account may put objects under this
// account's AWSLogs/ prefix and nothing else; nobody may use it without TLS.
func TestLogBucketPolicy(t *testing.T) {
	t.Parallel()
	const name = "article-pipeline-access-logs-prod"
	m := logBucket(t, &storage.LogBucketArgs{AccessLogSettings: storage.DefaultAccessLogs("article-pipeline", "prod")})
	var doc struct {
		Statement []map[string]any
	}
	if err := json.Unmarshal([]byte(m.MustFind(t, policyType, "access-logs-policy").Input("policy").(string)), &doc); err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{
		{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
			"Resource":  []any{"arn:aws:s3:::" + name, "arn:aws:s3:::" + name + "/*"},
			"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}}},
		// 797873946194 is Elastic Load Balancing's account in us-west-2.
		{"Sid": "AllowELBLogDelivery", "Effect": "Allow",
			"Principal": map[string]any{"AWS": "arn:aws:iam::797873946194:root"}, "Action": "s3:PutObject",
			"Resource": "arn:aws:s3:::" + name + "/AWSLogs/" + mock.Account + "/*"},
	}
	if !reflect.DeepEqual(doc.Statement, want) {
		t.Errorf("policy statements = %v\nwant %v", doc.Statement, want)
	}
}

func TestLogBucketSettings(t *testing.T) {
	t.Parallel()
	const name = "article-pipeline-access-logs-prod"
	m := logBucket(t, &storage.LogBucketArgs{AccessLogSettings: storage.DefaultAccessLogs("article-pipeline", "prod")})
	b := m.MustFind(t, bucketType, "access-logs-bucket")
	if b.Input("bucket") != name || b.Input("forceDestroy") != false || b.Protect {
		t.Errorf("bucket = %v (protect %v)", b.Inputs, b.Protect)
	}
	pab := m.MustFind(t, publicType, "access-logs-public-access")
	for _, f := range []string{"blockPublicAcls", "ignorePublicAcls", "blockPublicPolicy", "restrictPublicBuckets"} {
		if pab.Input(f) != true {
			t.Errorf("%s = %v, want true", f, pab.Input(f))
		}
	}
	sse := m.MustFind(t, encryptionType, "access-logs-encryption").Input("rules")
	if want := []any{map[string]any{"applyServerSideEncryptionByDefault": map[string]any{"sseAlgorithm": "AES256"},
		"bucketKeyEnabled": false}}; !reflect.DeepEqual(sse, want) {
		t.Errorf("encryption = %v, want SSE-S3", sse)
	}
	if own := m.MustFind(t, ownershipType, "access-logs-ownership").Input("rule"); !reflect.DeepEqual(own,
		map[string]any{"objectOwnership": "BucketOwnerEnforced"}) {
		t.Errorf("ownership = %v", own)
	}
	rules := m.MustFind(t, lifecycleType, "access-logs-lifecycle").Input("rules")
	if want := []any{map[string]any{"id": "ExpireAccessLogs", "status": "Enabled", "filter": map[string]any{},
		"expiration": map[string]any{"days": 90.0}}}; !reflect.DeepEqual(rules, want) {
		t.Errorf("lifecycle = %v\nwant %v", rules, want)
	}

	// An unprotected stack may destroy the bucket with its logs.
	s := storage.DefaultAccessLogs("article-pipeline", "development")
	s.ExpirationDays = 14
	m = logBucket(t, &storage.LogBucketArgs{AccessLogSettings: s, ForceDestroy: true})
	if b := m.MustFind(t, bucketType, "access-logs-bucket"); b.Input("forceDestroy") != true ||
		b.Input("bucket") != "article-pipeline-access-logs-development" {
		t.Errorf("development bucket = %v", b.Inputs)
	}
}

func TestAccessLogSettings(t *testing.T) {
	t.Parallel()
	const k = "article-pipeline:accessLogs"
	cases := []mock.BadValue[func(s *storage.AccessLogSettings)]{
		{Name: "kept forever", Value: func(s *storage.AccessLogSettings) { s.ExpirationDays = 0 },
			WantErr: k + ".expirationDays: 0 is out of range; expected 1..3650 (days a log file is kept)"},
		{Name: "bucket name", Value: func(s *storage.AccessLogSettings) { s.Name = "Logs_Bucket" },
			WantErr: k + `.name: "Logs_Bucket" is not a valid S3 bucket name: expected only lower-case letters, digits, ` +
				`dots and hyphens, starting and ending with a letter or digit`},
	}
	mock.RejectsValues(t, cases, mock.Exact, func(t *testing.T, edit func(s *storage.AccessLogSettings)) error {
		s := storage.DefaultAccessLogs("article-pipeline", "prod")
		edit(&s)
		return s.Validate(k)
	})
	mock.Rejects(t, "accessLogs.expirationDays: 0 is out of range", func(ctx *pulumi.Context) error {
		s := storage.DefaultAccessLogs("article-pipeline", "prod")
		s.ExpirationDays = 0
		_, err := storage.NewLogBucket(ctx, "accessLogs", &storage.LogBucketArgs{AccessLogSettings: s})
		return err
	})
}
