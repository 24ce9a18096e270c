package adoptcheck

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/internal/adopt"
	"github.com/np-mrd/article-pipeline-infra/internal/synth"
	"github.com/np-mrd/article-pipeline-infra/inventory"
)

// declared synthesizes prod with the sample adoption (examples/adopt-prod.yaml)
// once: the graph every fixture here describes.
var declared = sync.OnceValues(func() (*inventory.Inventory, error) {
	res, err := synth.SynthesizeOverlay("..", "prod",
		filepath.Join("..", "examples", "adopt-prod.yaml"), filepath.Join("testdata", "secret-password.yaml"))
	if err != nil {
		return nil, err
	}
	return res.Inventory, nil
})

func exampleInventory(t *testing.T) *inventory.Inventory {
	t.Helper()
	inv, err := declared()
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// responses copies the good account's recorded responses to a temporary
// directory and lays the named refusal fixture over them.
func responses(t *testing.T, refusal string) *Responses {
	t.Helper()
	dir := t.TempDir()
	copyTree(t, filepath.Join("testdata", "good"), dir)
	if refusal != "" {
		copyTree(t, filepath.Join("testdata", "refusals", refusal), dir)
	}
	rs, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		dst := filepath.Join(to, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// key is a finding without its message, for exact comparison.
type key struct {
	Severity                 Severity
	Resource, Type, Property string
	Live, Declared           string
}

func keys(fs []Finding) []key {
	out := make([]key, len(fs))
	for i, f := range fs {
		out[i] = key{f.Severity, f.Resource, f.Type, f.Property, f.Live, f.Declared}
	}
	return out
}

// The provider's default tags, which every adopted resource lacks live.
const defaults = `"app":"article-pipeline","environment":"prod","managed-by":"pulumi"`

// named is a resource's live Name tag and the tags the program declares for it.
func named(name string) (live, declared string) {
	return `{"Name":"` + name + `"}`, `{"Name":"` + name + `",` + defaults + `}`
}

func diff(resource, typ, prop, live, declared string) key {
	return key{Difference, resource, typ, prop, live, declared}
}

func tagDiff(resource, typ, name string) key {
	l, d := named(name)
	return diff(resource, typ, "tags", l, d)
}

func TestGoodAccountNeedsOnlyKeep(t *testing.T) {
	t.Parallel()
	rep := Check(exampleInventory(t), responses(t, ""))
	const (
		instance = "aws:rds/instance:Instance"
		subnet   = "aws:ec2/subnet:Subnet"
		table    = "aws:ec2/routeTable:RouteTable"
		bucket   = "aws:s3/bucketV2:BucketV2"
		policy   = "aws:s3/bucketPolicy:BucketPolicy"
		pab      = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
		param    = "aws:ssm/parameter:Parameter"
	)
	untagged := `{}`
	want := []key{
		diff("backup-plan", "aws:backup/plan:Plan", "rules", "1 rule", "1 rule"),
		diff("backup-plan", "aws:backup/plan:Plan", "tags", untagged, "{"+defaults+"}"),
		diff("backup-vault", "aws:backup/vault:Vault", "tags", untagged, "{"+defaults+"}"),
		diff("bucket-deposition-bucket", bucket, "tags", untagged, "{"+defaults+"}"),
		diff("bucket-deposition-charts-bucket", bucket, "tags", untagged, "{"+defaults+"}"),
		diff("bucket-deposition-charts-policy", policy, "policy", "1 statement", "2 statements"),
		diff("bucket-deposition-charts-public-access", pab, "blockPublicAcls", "false", "true"),
		diff("bucket-deposition-charts-public-access", pab, "ignorePublicAcls", "false", "true"),
		diff("bucket-deposition-lifecycle", typeLifecycle, "rules", "1 rule", "1 rule"),
		diff("bucket-deposition-policy", policy, "policy", "2 statements", "1 statement"),
		diff("bucket-django-static-bucket", bucket, "tags", untagged, "{"+defaults+"}"),
		diff("bucket-django-static-policy", policy, "policy", "1 statement", "2 statements"),
		diff("bucket-django-static-public-access", pab, "blockPublicAcls", "false", "true"),
		diff("bucket-django-static-public-access", pab, "ignorePublicAcls", "false", "true"),
		diff("bucket-rss-archive-bucket", bucket, "tags", untagged, "{"+defaults+"}"),
		diff("database-instance", instance, "backupWindow", `"10:17-10:47"`, `"08:00-08:30"`),
		diff("database-instance", instance, "deleteAutomatedBackups", "true", "false"),
		diff("database-instance", instance, "enabledCloudwatchLogsExports", `[]`, `["postgresql","upgrade"]`),
		diff("database-instance", instance, "engineVersion", `"17.4"`, `"17"`),
		diff("database-instance", instance, "finalSnapshotIdentifier", "none", `"np-deposition-db-final"`),
		diff("database-instance", instance, "maintenanceWindow", `"sun:10:47-sun:11:17"`, `"sun:09:00-sun:09:30"`),
		diff("database-instance", instance, "monitoringRoleArn", `"arn:aws:iam::123456789012:role/rds-monitoring-role"`,
			"created: database-monitoring-role"),
		diff("database-instance", instance, "parameterGroupName", `"default.postgres17"`, "created: database-params"),
		diff("database-instance", instance, "password", "not readable from AWS", `"[secret]"`),
		diff("database-instance", instance, "tags", untagged, "{"+defaults+"}"),
		diff("database-instance", instance, "vpcSecurityGroupIds", `["sg-0db1a2b3c4d5e6f70"]`, "created: database-sg"),
		diff("database-subnets", typeSubnetGroup, "description", `"np-deposition database subnets"`,
			`"Private subnets of the article-pipeline database"`),
		diff("database-subnets", typeSubnetGroup, "tags", untagged, "{"+defaults+"}"),
		tagDiff("network-igw", typeIGW, "np-deposition-igw"),
		tagDiff("network-private-1", table, "np-deposition-rtb-private1-us-west-2a"),
		tagDiff("network-private-1", subnet, "np-deposition-subnet-private1-us-west-2a"),
		tagDiff("network-private-2", table, "np-deposition-rtb-private2-us-west-2b"),
		tagDiff("network-private-2", subnet, "np-deposition-subnet-private2-us-west-2b"),
		tagDiff("network-public-1", subnet, "np-deposition-subnet-public1-us-west-2a"),
		tagDiff("network-public-2", subnet, "np-deposition-subnet-public2-us-west-2b"),
		tagDiff("network-public-rt", table, "np-deposition-rtb-public"),
		tagDiff("network-vpc", typeVPC, "np-deposition-vpc"),
		diff("parameters-DATABASE_URL", param, "tags", `{"copilot-application":"article-pipeline","copilot-environment":"prod"}`,
			`{"app":"article-pipeline","copilot-application":"article-pipeline","copilot-environment":"prod","environment":"prod","managed-by":"pulumi"}`),
		diff("parameters-DATABASE_URL", param, "value", "the old URL", `"[secret]"`),
		// The console's default group admits 5432 from the VPC and from itself;
		// the program's database group admits only the backend's group.
		{Warning, "database-instance", instance, "vpcSecurityGroupIds", "sg-0db1a2b3c4d5e6f70", "backend-sg, bastion-sg"},
		{Warning, "database-instance", instance, "vpcSecurityGroupIds", "10.0.0.0/16", "backend-sg, bastion-sg"},
		{Note, "", "", "parameters", "DJANGO_SECRET_KEY, MAILGUN_API_KEY, SLACK_WEBHOOK_URL", ""},
		{Note, "backup-plan", "aws:backup/plan:Plan", "selection", "np-deposition-resources (8d7c6b5a-4938-4271-a605-f4e3d2c1b0a9)", ""},
		// The RSS archive has no policy: adopt.create, so it is created, not imported.
		{Note, "bucket-rss-archive-policy", policy, "", "", ""},
		{Note, "database-instance", instance, "DATABASE_URL", "10.0.3.57", "np-deposition-db.c7e014352ce3.us-west-2.rds.amazonaws.com"},
	}
	if got := keys(rep.Findings); !slices.Equal(got, want) {
		t.Errorf("findings:\n%s", diffKeys(got, want))
	}
	if rep.Refused() {
		t.Errorf("the good account is refused: %v", rep.Of(Refusal))
	}

	// The static bucket keeps the runbook's public write while Copilot runs
	// (publicWrite, with a dated waiver): only the TLS statement is new. The
	// charts bucket's public read matches the declared statement under another
	// Sid, so there too only the TLS statement is new.
	msg := func(resource, prop string) string {
		for _, f := range rep.Findings {
			if f.Resource == resource && f.Property == prop {
				return f.Message
			}
		}
		t.Fatalf("no finding %s.%s", resource, prop)
		return ""
	}
	if m := msg("bucket-django-static-policy", "policy"); strings.Contains(m, "live only") ||
		!strings.Contains(m, `declared only (added): {"Sid":"DenyInsecureTransport"`) {
		t.Errorf("static bucket policy: %s", m)
	}
	if m := msg("bucket-rss-archive-policy", ""); m != "bucket article-pipeline-npa-ingestion-rss-archive has none "+
		"(NoSuchBucketPolicy): created at the first up (article-pipeline:adopt.create)" {
		t.Errorf("RSS archive policy: %s", m)
	}
	if m := msg("bucket-deposition-charts-policy", "policy"); strings.Contains(m, "live only") ||
		!strings.Contains(m, `declared only (added): {"Sid":"DenyInsecureTransport"`) {
		t.Errorf("charts bucket policy: %s", m)
	}
	if m := msg("bucket-deposition-lifecycle", "rules"); !strings.Contains(m,
		`rule "TrashRetention": live {"noncurrentVersionExpiration":{"noncurrentDays":30},"status":"Enabled"}, `+
			`declared {"abortIncompleteMultipartUpload":{"daysAfterInitiation":7},"noncurrentVersionExpiration":{"noncurrentDays":30},"status":"Enabled"}`) {
		t.Errorf("lifecycle: %s", m)
	}
	if m := msg("backup-plan", "rules"); !strings.Contains(m, `rule "monthly" recoveryPointTags: live none`) {
		t.Errorf("backup rules: %s", m)
	}

	// A name several imported resources share is keyed with its type, as
	// article-pipeline:adopt.keep takes it.
	wantKeep := `  article-pipeline:adopt:
    keep:
      backup-plan: [rules, tags]
      backup-vault: [tags]
      bucket-deposition-bucket: [tags]
      bucket-deposition-charts-bucket: [tags]
      bucket-deposition-charts-policy: [policy]
      bucket-deposition-charts-public-access: [blockPublicAcls, ignorePublicAcls]
      bucket-deposition-lifecycle: [rules]
      bucket-deposition-policy: [policy]
      bucket-django-static-bucket: [tags]
      bucket-django-static-policy: [policy]
      bucket-django-static-public-access: [blockPublicAcls, ignorePublicAcls]
      bucket-rss-archive-bucket: [tags]
      database-instance: [backupWindow, deleteAutomatedBackups, enabledCloudwatchLogsExports, engineVersion, finalSnapshotIdentifier, maintenanceWindow, monitoringRoleArn, parameterGroupName, password, tags, vpcSecurityGroupIds]
      database-subnets: [description, tags]
      network-igw: [tags]
      "network-private-1 (ec2/routeTable)": [tags]
      "network-private-1 (ec2/subnet)": [tags]
      "network-private-2 (ec2/routeTable)": [tags]
      "network-private-2 (ec2/subnet)": [tags]
      "network-public-1 (ec2/subnet)": [tags]
      "network-public-2 (ec2/subnet)": [tags]
      network-public-rt: [tags]
      network-vpc: [tags]
      parameters-DATABASE_URL: [tags, value]
`
	if got := rep.KeepYAML(); got != wantKeep {
		t.Errorf("keep list:\n%s\nwant:\n%s", got, wantKeep)
	}
	// The sample carries this very list: the first up changes nothing.
	if u := rep.Unkept(); len(u) != 0 {
		t.Errorf("%d differences not kept by the sample's adopt.keep: %v", len(u), keys(u))
	}
}

// diffKeys lists what one list of findings has that the other has not.
func diffKeys(got, want []key) string {
	var b strings.Builder
	for _, g := range got {
		if !slices.Contains(want, g) {
			b.WriteString("  unexpected: " + render(g) + "\n")
		}
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			b.WriteString("  missing:    " + render(w) + "\n")
		}
	}
	if b.Len() == 0 {
		return "  same findings, another order"
	}
	return b.String()
}

// withResource returns a copy of the inventory with one more resource.
func withResource(inv *inventory.Inventory, r inventory.Resource) *inventory.Inventory {
	out := *inv
	out.Resources = append(slices.Clone(inv.Resources), r)
	return &out
}

// withImportID sets the import ID of the resource named name.
func withImportID(name, id string) func(inv *inventory.Inventory) *inventory.Inventory {
	return func(inv *inventory.Inventory) *inventory.Inventory {
		out := *inv
		out.Resources = slices.Clone(inv.Resources)
		for i, r := range out.Resources {
			if r.Name == name {
				out.Resources[i].ImportID = id
			}
		}
		return &out
	}
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	const instance = "aws:rds/instance:Instance"
	endpoint := "np-deposition-db.c7e014352ce3.us-west-2.rds.amazonaws.com"
	tests := []struct {
		name string
		// fixture is laid over the good account (testdata/refusals/<fixture>).
		fixture string
		// change alters the declared graph or the recorded directory instead.
		graph   func(*inventory.Inventory) *inventory.Inventory
		remove  string
		want    []key
		wantMsg []string // one substring per refusal, in order
	}{
		{
			name: "Pulumi CLI with the import-then-update bug", fixture: "old-cli",
			want:    []key{{Refusal, "", "", "pulumi version", "v3.251.0", ">= 3.252.0"}},
			wantMsg: []string{"pulumi/pulumi#14836): install 3.252.0 or newer"},
		},
		{
			name: "console put every subnet in the DB subnet group", fixture: "subnet-group-all-subnets",
			want: []key{{Refusal, "database-subnets", typeSubnetGroup, "subnetIds",
				`["subnet-0a1b2c3d4e5f60700","subnet-0a1b2c3d4e5f60701","subnet-0a1b2c3d4e5f60702","subnet-0a1b2c3d4e5f60703"]`,
				`["subnet-0a1b2c3d4e5f60701","subnet-0a1b2c3d4e5f60703"]`}},
			wantMsg: []string{"subnet-0a1b2c3d4e5f60700 (public), subnet-0a1b2c3d4e5f60701 (private), " +
				"subnet-0a1b2c3d4e5f60702 (public), subnet-0a1b2c3d4e5f60703 (private); changing it fails for the " +
				"instance's own subnet and moves nothing: keep the live subnets, adopt.database.subnetIds: " +
				"[subnet-0a1b2c3d4e5f60700, subnet-0a1b2c3d4e5f60701, subnet-0a1b2c3d4e5f60702, subnet-0a1b2c3d4e5f60703]"},
		},
		{
			name: "DATABASE_URL goes through an RDS Proxy", fixture: "url-proxy",
			want: []key{{Refusal, "database-instance", instance, "DATABASE_URL",
				"np-deposition-proxy.proxy-c7e014352ce3.us-west-2.rds.amazonaws.com", endpoint}},
			wantMsg: []string{"is an RDS Proxy endpoint, not the instance"},
		},
		{
			name: "DATABASE_URL's IP is not the instance's", fixture: "url-stale-ip",
			want:    []key{{Refusal, "database-instance", instance, "DATABASE_URL", "10.0.1.200", "10.0.3.57"}},
			wantMsg: []string{"host 10.0.1.200 is not the instance's address (" + endpoint + " resolves to 10.0.3.57)"},
		},
		{
			name: "DATABASE_URL's user is not the master user", fixture: "url-other-user",
			want:    []key{{Refusal, "database-instance", instance, "DATABASE_URL", "article_pipeline", "postgres"}},
			wantMsg: []string{`its password is not the master password`},
		},
		{
			name: "backup schedule and retention would change", fixture: "backup-plan-changed",
			want: []key{
				{Refusal, "backup-plan", typePlan, "rules.lifecycle.deleteAfter", "365", "180"},
				{Refusal, "backup-plan", typePlan, "rules.schedule", `"cron(0 5 ? * SUN *)"`, `"cron(0 9 1 * ? *)"`},
			},
			wantMsg: []string{
				"set article-pipeline:adopt.backup.deleteAfterDays to 365",
				`set article-pipeline:adopt.backup.schedule to "cron(0 5 ? * SUN *)"`,
			},
		},
		{
			name: "versioning would be turned on for good", fixture: "versioning-never",
			want: []key{{Refusal, "bucket-deposition-versioning", typeVersioning, "versioningConfiguration",
				"never enabled", `{"status":"Enabled"}`}},
			wantMsg: []string{"enabling versioning cannot be undone"},
		},
		{
			name: "private subnet on the main route table", fixture: "main-route-table",
			want:    []key{{Refusal, "network-private-2", typeAssociation, "", "", ""}},
			wantMsg: []string{"subnet subnet-0a1b2c3d4e5f60701 is not associated with rtb-0a1b2c3d4e5f60704 (no explicit association: it uses the VPC's main route table)"},
		},
		{
			name: "unencrypted instance would be replaced", fixture: "unencrypted-instance",
			want:    []key{{Refusal, "database-instance", instance, "storageEncrypted", "false", "true"}},
			wantMsg: []string{"RDS cannot change encryption in place"},
		},
		{
			name: "instance with pending modifications", fixture: "pending-modifications",
			want:    []key{{Refusal, "database-instance", instance, "", "", ""}},
			wantMsg: []string{`pending modifications {"DBInstanceClass":"db.t3.medium"}`},
		},
		{
			name: "bucket with Object Lock would be replaced", fixture: "object-lock",
			want:    []key{{Refusal, "bucket-deposition-charts-bucket", typeBucket, "objectLockEnabled", "true", "false"}},
			wantMsg: []string{"S3 cannot turn it off"},
		},
		{
			name: "instance on the default security group the program locks",
			graph: func(inv *inventory.Inventory) *inventory.Inventory {
				return withResource(inv, inventory.Resource{Type: typeDefaultSG, Name: "network-default-sg", Custom: true,
					Inputs: map[string]any{"vpcId": "vpc-0a1b2c3d4e5f60718"}})
			},
			want:    []key{{Refusal, "database-instance", instance, "vpcSecurityGroupIds", "", ""}},
			wantMsg: []string{"set article-pipeline:network.lockDefaultSecurityGroup: false"},
		},
		{
			name: "declared parameter exists but is not adopted",
			graph: func(inv *inventory.Inventory) *inventory.Inventory {
				return withResource(inv, inventory.Resource{Type: typeParameter, Name: "parameters-MAILGUN_API_KEY", Custom: true,
					Inputs: map[string]any{"name": "/copilot/article-pipeline/prod/secrets/MAILGUN_API_KEY", "type": "SecureString"}})
			},
			want:    []key{{Refusal, "parameters-MAILGUN_API_KEY", typeParameter, "", "", ""}},
			wantMsg: []string{"add MAILGUN_API_KEY to article-pipeline:adopt.parameters"},
		},
		{
			name:  "imported bucket policy that does not exist",
			graph: withImportID("bucket-rss-archive-policy", "article-pipeline-npa-ingestion-rss-archive"),
			want:  []key{{Refusal, "bucket-rss-archive-policy", typePolicy, "", "", ""}},
			wantMsg: []string{"has no such configuration (NoSuchBucketPolicy): the import would fail; add " +
				"bucket-rss-archive-policy to article-pipeline:adopt.create, so the program creates it at its step"},
		},
		{
			name:  "configuration listed in adopt.create that exists",
			graph: withImportID("bucket-deposition-policy", ""),
			want:  []key{{Refusal, "bucket-deposition-policy", typePolicy, "", "", ""}},
			wantMsg: []string{"bucket article-pipeline-deposition-prod has this configuration, which the create would " +
				"write over: remove bucket-deposition-policy from article-pipeline:adopt.create, so it is imported"},
		},
		{
			name: "a response was not collected", remove: FileRouteTables,
			want:    []key{{Refusal, "network-private-1", typeRouteTable, "", "", ""}},
			wantMsg: []string{"ec2/describe-route-tables.json: not collected"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inv := exampleInventory(t)
			if tc.graph != nil {
				inv = tc.graph(inv)
			}
			rs := responses(t, tc.fixture)
			if tc.remove != "" {
				if err := os.Remove(filepath.Join(rs.dir, tc.remove)); err != nil {
					t.Fatal(err)
				}
			}
			rep := Check(inv, rs)
			got := rep.Of(Refusal)
			if !slices.Equal(keys(got), tc.want) {
				t.Fatalf("refusals:\n%s", diffKeys(keys(got), tc.want))
			}
			for i, f := range got {
				if !strings.Contains(f.Message, tc.wantMsg[i]) {
					t.Errorf("refusal %d: %q does not say %q", i, f.Message, tc.wantMsg[i])
				}
			}
			if !strings.Contains(rep.Text(), "refusal(s): do not run pulumi up") {
				t.Error("the text report does not end with the refusal")
			}
		})
	}
}

func TestParseVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in    string
		want  [3]int
		ok    bool
		older bool
	}{
		{"v3.274.1\n", [3]int{3, 274, 1}, true, false},
		{"v3.252.0", [3]int{3, 252, 0}, true, false},
		{"v3.251.9", [3]int{3, 251, 9}, true, true},
		{"v3.260.0-alpha.1700000000+g1234567", [3]int{3, 260, 0}, true, false},
		{"v2.99.0", [3]int{2, 99, 0}, true, true},
		{"pulumi: command not found", [3]int{}, false, false},
		{"", [3]int{}, false, false},
	}
	for _, tc := range tests {
		got, ok := parseVersion(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseVersion(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
		if ok && older(got, MinimumCLI) != tc.older {
			t.Errorf("%q older than %v: %v, want %v", tc.in, MinimumCLI, !tc.older, tc.older)
		}
	}
}

func TestCamelKey(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"ID": "id", "Days": "days", "NoncurrentDays": "noncurrentDays", "SSEAlgorithm": "sseAlgorithm",
		"AbortIncompleteMultipartUpload": "abortIncompleteMultipartUpload", "prefix": "prefix",
	} {
		if got := camelKey(in); got != want {
			t.Errorf("camelKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPolicyDiffMatchesStatementsBySubstance(t *testing.T) {
	t.Parallel()
	live := `{"Version":"2012-10-17","Statement":{"Sid":"A","Effect":"Allow","Principal":"*",` +
		`"Action":["s3:GetObject"],"Resource":"arn:aws:s3:::b/*"}}`
	declared := `{"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow",` +
		`"Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":["arn:aws:s3:::b/*"]},` +
		`{"Sid":"B","Effect":"Allow","Principal":{"Service":"backup.amazonaws.com"},"Action":"s3:ListBucket",` +
		`"Resource":"arn:aws:s3:::b","Condition":{"Bool":{"aws:SecureTransport":true}}}]}`
	have, err := parsePolicy(live)
	if err != nil {
		t.Fatal(err)
	}
	want, err := parsePolicy(declared)
	if err != nil {
		t.Fatal(err)
	}
	lines, removesWrite := policyDiff(have, want)
	wantLines := []string{`declared only (added): {"Sid":"B","Effect":"Allow","Principal":{"Service":["backup.amazonaws.com"]},` +
		`"Action":["s3:ListBucket"],"Resource":["arn:aws:s3:::b"],"Condition":{"Bool":{"aws:SecureTransport":["true"]}}}`}
	if !slices.Equal(lines, wantLines) || removesWrite {
		t.Errorf("policyDiff = %q, %v; want %q, false", lines, removesWrite, wantLines)
	}
}

// TestKeepListMakesTheImportZeroChange checks the sample's keep list the way
// adoption mode applies it: without it (the graph keeps only what the program
// always keeps), every difference but those is left to the first up; with the
// suggested list applied as ignoreChanges (on each resource by its keep key),
// nothing is.
func TestKeepListMakesTheImportZeroChange(t *testing.T) {
	t.Parallel()
	inv := exampleInventory(t)
	rs := responses(t, "")
	rep := Check(inv, rs)
	keep := adopt.Keep(rep.Keep())
	bare := *inv
	bare.Resources = slices.Clone(inv.Resources)
	for i, r := range bare.Resources {
		// What the graph would keep with an empty adopt.keep: dbName, and the
		// engine version no running version was recorded for.
		switch r.Name {
		case "database-instance":
			bare.Resources[i].IgnoreChanges = []string{"dbName", "engineVersion"}
		default:
			bare.Resources[i].IgnoreChanges = nil
		}
	}
	if n := len(Check(&bare, rs).Unkept()); n != 38 {
		t.Errorf("without the keep list %d differences are left to the first up, want 38 of 39", n)
	}
	kept := bare
	kept.Resources = slices.Clone(bare.Resources)
	for i, r := range kept.Resources {
		kept.Resources[i].IgnoreChanges = append(slices.Clone(r.IgnoreChanges), keep.For(r.Type, r.Name)...)
	}
	again := Check(&kept, rs)
	if u := again.Unkept(); len(u) != 0 {
		t.Errorf("still changed after the keep list: %v", keys(u))
	}
	if len(again.Of(Difference)) != 39 || again.Refused() {
		t.Errorf("%d differences, refused %v; want the same 39 differences, all kept", len(again.Of(Difference)),
			again.Refused())
	}
	if !strings.Contains(again.Text(), "database-instance (rds/instance).password [kept]: ") {
		t.Error("the text report does not mark kept differences")
	}
}
