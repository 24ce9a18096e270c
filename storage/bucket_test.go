package storage_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/internal/mock"
	"github.com/np-mrd/article-pipeline-infra/inventory"
	"github.com/np-mrd/article-pipeline-infra/storage"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const (
	bucketType     = "aws:s3/bucketV2:BucketV2"
	ownershipType  = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	publicType     = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	versioningType = "aws:s3/bucketVersioningV2:BucketVersioningV2"
	encryptionType = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	lifecycleType  = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
	policyType     = "aws:s3/bucketPolicy:BucketPolicy"
	componentType  = "article-pipeline:storage:Bucket"
)

// prodBuckets are the runbook's four buckets as prod's stack file sets them.
func prodBuckets() storage.Buckets {
	b := storage.Runbook("prod")
	for role, s := range b {
		s.Enabled = true
		b[role] = s
	}
	d := b[storage.RoleDeposition]
	d.Versioning, d.Backup, d.Protect = true, true, true
	d.LifecycleRules = []storage.LifecycleRule{{Name: "TrashRetention", NoncurrentVersionExpirationDays: 30,
		AbortIncompleteMultipartUploadDays: 7}}
	b[storage.RoleDeposition] = d
	return b
}

// declare declares every bucket as the program does (sorted roles, component
// name "bucket-<role>").
func declare(t *testing.T, buckets storage.Buckets) (*mock.Monitor, map[string]*storage.Bucket) {
	t.Helper()
	out := map[string]*storage.Bucket{}
	m := mock.MustRun(t, mock.Options{}, func(ctx *pulumi.Context) error {
		for _, role := range buckets.Roles() {
			b, err := storage.NewBucket(ctx, "bucket-"+role, &storage.Args{Settings: buckets[role]})
			if err != nil {
				return err
			}
			out[role] = b
		}
		return nil
	})
	return m, out
}

func policyOf(t *testing.T, m *mock.Monitor, name string) []mock.PolicyStatement {
	t.Helper()
	return mock.ParsePolicy(t, name, m.MustFind(t, policyType, name+"-policy").Input("policy")).Statement
}

type want struct {
	name        string
	protect     bool
	access      [4]bool // blockPublicAcls, ignorePublicAcls, blockPublicPolicy, restrictPublicBuckets
	versioning  bool
	bucketKey   bool
	lifecycle   []any
	publicRead  bool
	backup      bool
	envVar      string
	notDeclared bool
}

var trashRetention = []any{map[string]any{
	"id":                             "TrashRetention",
	"status":                         "Enabled",
	"filter":                         map[string]any{},
	"noncurrentVersionExpiration":    map[string]any{"noncurrentDays": 30.0},
	"abortIncompleteMultipartUpload": map[string]any{"daysAfterInitiation": 7.0},
}}

func TestRunbookBuckets(t *testing.T) {
	t.Parallel()
	blocked := [4]bool{true, true, true, true}
	d := storage.Runbook("sandbox-alice")[storage.RoleDeposition]
	d.Enabled = true
	for _, tc := range []struct {
		name    string
		buckets storage.Buckets
		want    map[string]want
	}{
		{"prod", prodBuckets(), map[string]want{
			"deposition": {name: "article-pipeline-deposition-prod", protect: true, access: blocked, versioning: true,
				bucketKey: true, lifecycle: trashRetention, backup: true, envVar: "COMPOUND_BUCKET_V3"},
			"rssArchive": {name: "article-pipeline-npa-ingestion-rss-archive", access: [4]bool{true, false, true, false},
				envVar: "S3_RSS_INGESTION_ARCHIVE_URL"},
			"djangoStatic": {name: "article-pipeline-django-static", access: [4]bool{true, true, false, false},
				publicRead: true, envVar: "AWS_STORAGE_BUCKET_NAME"},
			"depositionCharts": {name: "article-pipeline-deposition-charts-prod", access: [4]bool{true, true, false, false},
				publicRead: true, envVar: "DEPOSITON_CHART_BUCKET"},
		}},
		{"a sandbox's runbook deposition bucket", storage.Buckets{storage.RoleDeposition: d}, map[string]want{
			"deposition": {name: "article-pipeline-deposition-sandbox-alice", access: blocked, bucketKey: true,
				envVar: "COMPOUND_BUCKET_V3"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, out := declare(t, tc.buckets)
			for role, w := range tc.want {
				checkBucket(t, m, "bucket-"+role, w)
				if out[role].EnvVar != w.envVar {
					t.Errorf("%s: EnvVar = %q, want %q", role, out[role].EnvVar, w.envVar)
				}
			}
			if got := len(m.OfType(bucketType)); got != len(tc.want) {
				t.Errorf("%d buckets declared, want %d", got, len(tc.want))
			}
			// One RegisterResourceOutputs per component, plus the stack's.
			if got := m.OutputsRegistered(); got != len(tc.want)+1 {
				t.Errorf("RegisterResourceOutputs called %d times, want %d", got, len(tc.want)+1)
			}
		})
	}
}

func checkBucket(t *testing.T, m *mock.Monitor, n string, w want) {
	t.Helper()
	comp := m.Find(componentType, n)
	if comp == nil {
		t.Fatalf("%s: no component", n)
	}
	b := m.Find(bucketType, n+"-bucket")
	if b == nil {
		t.Fatalf("%s: no bucket", n)
	}
	if b.Input("bucket") != w.name || b.Input("forceDestroy") != false || b.Input("objectLockEnabled") != false {
		t.Errorf("%s: bucket = %v, forceDestroy = %v, objectLockEnabled = %v; want %q, false, false", n,
			b.Input("bucket"), b.Input("forceDestroy"), b.Input("objectLockEnabled"), w.name)
	}
	if b.Protect != w.protect {
		t.Errorf("%s: bucket protect = %v, want %v", n, b.Protect, w.protect)
	}
	if b.ImportID != "" {
		t.Errorf("%s: import ID %q without adopt", n, b.ImportID)
	}
	for _, r := range m.Resources() {
		if strings.HasPrefix(r.Name, n+"-") {
			if r.ParentURN != comp.URN {
				t.Errorf("%s: parent %s, want the component", r.Name, r.ParentURN)
			}
			if r.Name != n+"-bucket" && r.Protect {
				t.Errorf("%s: protected; only the bucket is", r.Name)
			}
			if r.Type != bucketType && r.Type != policyType && r.Input("bucket") != w.name {
				t.Errorf("%s: bucket input %v, want %q", r.Name, r.Input("bucket"), w.name)
			}
		}
	}

	if got := m.Find(ownershipType, n+"-ownership").Input("rule"); fmt.Sprint(got) != "map[objectOwnership:BucketOwnerEnforced]" {
		t.Errorf("%s: ownership rule = %v", n, got)
	}
	pab := m.Find(publicType, n+"-public-access")
	got := [4]bool{}
	for i, k := range []string{"blockPublicAcls", "ignorePublicAcls", "blockPublicPolicy", "restrictPublicBuckets"} {
		v, ok := pab.Input(k).(bool)
		if !ok {
			t.Errorf("%s: %s not set explicitly", n, k)
		}
		got[i] = v
	}
	if got != w.access {
		t.Errorf("%s: public access block = %v, want %v", n, got, w.access)
	}

	v := m.Find(versioningType, n+"-versioning")
	switch {
	case w.versioning && v == nil:
		t.Errorf("%s: no versioning", n)
	case w.versioning && fmt.Sprint(v.Input("versioningConfiguration")) != "map[status:Enabled]":
		t.Errorf("%s: versioning = %v", n, v.Input("versioningConfiguration"))
	case !w.versioning && v != nil:
		t.Errorf("%s: a never-versioned bucket got a versioning resource %v", n, v.Input("versioningConfiguration"))
	}

	sse := m.Find(encryptionType, n+"-encryption").Input("rules")
	wantSSE := []any{map[string]any{
		"applyServerSideEncryptionByDefault": map[string]any{"sseAlgorithm": "AES256"},
		"bucketKeyEnabled":                   w.bucketKey,
	}}
	if fmt.Sprint(sse) != fmt.Sprint(wantSSE) {
		t.Errorf("%s: encryption rules = %v, want %v", n, sse, wantSSE)
	}

	lc := m.Find(lifecycleType, n+"-lifecycle")
	switch {
	case w.lifecycle == nil && lc != nil:
		t.Errorf("%s: unexpected lifecycle %v", n, lc.Input("rules"))
	case w.lifecycle != nil && lc == nil:
		t.Errorf("%s: no lifecycle", n)
	case w.lifecycle != nil && fmt.Sprint(lc.Input("rules")) != fmt.Sprint(w.lifecycle):
		t.Errorf("%s: lifecycle rules = %v, want %v", n, lc.Input("rules"), w.lifecycle)
	case lc != nil && w.versioning && !slices.Contains(lc.DependsOn, v.URN):
		t.Errorf("%s: lifecycle does not wait for versioning", n)
	}

	pol := m.Find(policyType, n+"-policy")
	if !slices.Contains(pol.DependsOn, pab.URN) {
		t.Errorf("%s: policy does not depend on the public access block: %v", n, pol.DependsOn)
	}
	checkPolicy(t, n, policyOf(t, m, n), "arn:aws:s3:::"+w.name, w.publicRead)
}

// checkPolicy asserts the policy invariants: TLS-only on every bucket, no
// anonymous Allow other than s3:GetObject, public read only where intended, and
// no statement for a service principal (AWS Backup reads as its plan's role).
func checkPolicy(t *testing.T, n string, stmts []mock.PolicyStatement, bucketARN string, publicRead bool) {
	t.Helper()
	objects := bucketARN + "/*"
	var tls, read int
	for _, s := range stmts {
		actions := inventory.AsStrings(s.Action)
		resources := inventory.AsStrings(s.Resource)
		switch {
		case s.Effect == "Deny":
			if s.Principal == "*" && slices.Equal(actions, []string{"s3:*"}) &&
				slices.Equal(resources, []string{bucketARN, objects}) &&
				fmt.Sprint(s.Condition) == "map[Bool:map[aws:SecureTransport:false]]" {
				tls++
			}
		case s.Principal == "*":
			if !slices.Equal(actions, []string{"s3:GetObject"}) || !slices.Equal(resources, []string{objects}) {
				t.Errorf("%s: anonymous Allow of %v on %v; only s3:GetObject on objects is allowed", n, actions, resources)
			}
			read++
		default:
			// AWS Backup reads the bucket as its plan's role: no statement grants
			// a service principal (the runbook's backup statements are gone).
			t.Errorf("%s: statement %s grants %v; only the TLS deny and public read are expected", n, s.Sid, s.Principal)
		}
		for _, a := range actions {
			if s.Effect == "Allow" && (strings.Contains(a, "Put") || strings.Contains(a, "Delete") || a == "s3:*") {
				t.Errorf("%s: policy allows write action %s to %v", n, a, s.Principal)
			}
		}
	}
	if tls != 1 {
		t.Errorf("%s: %d TLS-only deny statements, want 1: %+v", n, tls, stmts)
	}
	if want := map[bool]int{true: 1}[publicRead]; read != want {
		t.Errorf("%s: %d public-read statements, want %d", n, read, want)
	}
}

// TestAdopt: an adopted bucket and every configuration of it are imported by
// the bucket's name (a created configuration would write over the live one),
// retained on delete, with the kept properties; a configuration that does not
// exist yet (Create) is created; the bucket itself stays protected.
func TestAdopt(t *testing.T) {
	t.Parallel()
	b := prodBuckets()[storage.RoleDeposition]
	keep := map[string][]string{"bucket-deposition-policy": {"policy"}, "bucket-deposition-lifecycle": {"rules"}}
	m, _ := mock.Declare(t, mock.Options{Stack: "prod"}, storage.NewBucket, "bucket-deposition", &storage.Args{
		Settings: b, Adopt: true, Keep: keep, Create: []string{"bucket-deposition-public-access"}})
	const id = "article-pipeline-deposition-prod"
	for _, tc := range []struct {
		typ, name, importID string
		ignore              []string
	}{
		{bucketType, "bucket-deposition-bucket", id, nil},
		{ownershipType, "bucket-deposition-ownership", id, nil},
		{encryptionType, "bucket-deposition-encryption", id, nil},
		{versioningType, "bucket-deposition-versioning", id, nil},
		{lifecycleType, "bucket-deposition-lifecycle", id, []string{"rules"}},
		{policyType, "bucket-deposition-policy", id, []string{"policy"}},
		{publicType, "bucket-deposition-public-access", "", nil}, // does not exist yet: created
	} {
		r := m.Find(tc.typ, tc.name)
		if r == nil {
			t.Errorf("%s: not declared", tc.name)
			continue
		}
		if r.ImportID != tc.importID || r.RetainOnDelete != (tc.importID != "") || !slices.Equal(r.IgnoreChanges, tc.ignore) {
			t.Errorf("%s: import ID %q, retainOnDelete %v, ignoreChanges %v; want %q, %v, %v", tc.name, r.ImportID,
				r.RetainOnDelete, r.IgnoreChanges, tc.importID, tc.importID != "", tc.ignore)
		}
	}
	if bucket := m.Find(bucketType, "bucket-deposition-bucket"); !bucket.Protect {
		t.Error("the adopted deposition bucket is not protected")
	}
	if m.Find(componentType, "bucket-deposition").ImportID != "" {
		t.Error("the component itself got an import ID")
	}
	var names []string
	for _, r := range storage.Imported("bucket-deposition", b, []string{"bucket-deposition-public-access"}) {
		names = append(names, r.Name)
	}
	if want := []string{"bucket-deposition-bucket", "bucket-deposition-ownership", "bucket-deposition-versioning",
		"bucket-deposition-encryption", "bucket-deposition-lifecycle", "bucket-deposition-policy"}; !slices.Equal(names, want) {
		t.Errorf("Imported = %v, want %v", names, want)
	}
}

// TestPublicWriteWhileCopilotRuns: the runbook's static-bucket statement, kept
// as it is for an adopted bucket the running tasks still write through.
func TestPublicWriteWhileCopilotRuns(t *testing.T) {
	t.Parallel()
	s := storage.Runbook("prod")[storage.RoleDjangoStatic]
	s.Enabled, s.PublicWrite = true, true
	m, _ := declare(t, storage.Buckets{storage.RoleDjangoStatic: s})
	var public []mock.PolicyStatement
	for _, st := range policyOf(t, m, "bucket-"+storage.RoleDjangoStatic) {
		if st.Principal == "*" && st.Effect == "Allow" {
			public = append(public, st)
		}
	}
	if len(public) != 1 || public[0].Sid != "Statement1" ||
		!slices.Equal(inventory.AsStrings(public[0].Action), []string{"s3:PutObject", "s3:PutObjectAcl", "s3:GetObject",
			"s3:GetObjectAcl", "s3:DeleteObject"}) ||
		!slices.Equal(inventory.AsStrings(public[0].Resource), []string{"arn:aws:s3:::article-pipeline-django-static",
			"arn:aws:s3:::article-pipeline-django-static/static", "arn:aws:s3:::article-pipeline-django-static/*"}) {
		t.Errorf("public statements = %+v, want the runbook's Statement1 alone", public)
	}
	s.PublicAccess = storage.PublicAccessBlocked
	if err := s.Validate("article-pipeline:buckets.djangoStatic"); err == nil || err.Error() !=
		`article-pipeline:buckets.djangoStatic.publicWrite: needs publicAccess "publicRead" (S3 blocks a public `+
			`policy otherwise), not "blocked"` {
		t.Errorf("publicWrite on a blocked bucket: %v", err)
	}
}

func TestBadArgs(t *testing.T) {
	t.Parallel()
	good := func() *storage.Args {
		return &storage.Args{Settings: storage.Settings{Enabled: true, Name: "b-1", EnvVar: "B",
			PublicAccess: storage.PublicAccessBlocked}}
	}
	const prefix = `storage: bucket "bucket-x": `
	mock.RejectsBadArgs(t, storage.NewBucket, "bucket-x", good, []mock.BadArgs[storage.Args]{
		{Name: "nil", WantErr: prefix + "args are required"},
		// The settings' own rules (settings_test.go) run before anything is declared.
		{Name: "a settings rule", Edit: func(a *storage.Args) { a.Backup = true },
			WantErr: prefix + "bucket-x.backup: the bucket is selected for backup but not versioned"},
	})
}
