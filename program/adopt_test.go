package program_test

import (
	"encoding/json"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/np-mrd/article-pipeline-infra/guard"
	"github.com/np-mrd/article-pipeline-infra/internal/adopt"
	"github.com/np-mrd/article-pipeline-infra/internal/mock"
	"github.com/np-mrd/article-pipeline-infra/internal/synth"
	"github.com/np-mrd/article-pipeline-infra/inventory"
)

// adoptionExample is prod with examples/adopt-prod.yaml merged in and the
// adopted instance's password in secret config; edit changes the result.
func adoptionExample(t *testing.T, edit func(cfg map[string]string)) (*synth.Result, error) {
	t.Helper()
	return runStack(t, "prod", func(st *synth.Stack) {
		if err := st.Overlay(filepath.Join(projectDir, "examples", "adopt-prod.yaml")); err != nil {
			t.Fatal(err)
		}
		// The adopted instance keeps its current master password (secret config).
		st.Config["article-pipeline:databaseMasterPassword"] = "the-running-password"
		st.SecretKeys = append(st.SecretKeys, "article-pipeline:databaseMasterPassword")
		if edit != nil {
			edit(st.Config)
		}
	})
}

// TestAdoptionExample synthesizes prod with examples/adopt-prod.yaml merged in:
// every resource it lists is imported (with the ID AWS knows it by), every
// imported resource is protected or retained on delete, the instance leaves
// its password and engine version alone, the kept properties are ignored, the
// guardrails pass with the waivers it states (the static bucket's dated one
// included), and the replacement guard reports the changed names for review.
func TestAdoptionExample(t *testing.T) {
	t.Parallel()
	res, err := adoptionExample(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	inv := res.Inventory
	want := []struct{ typ, name, id string }{
		{"aws:ec2/vpc:Vpc", "network-vpc", "vpc-0a1b2c3d4e5f60718"},
		{"aws:ec2/internetGateway:InternetGateway", "network-igw", "igw-0a1b2c3d4e5f60718"},
		{"aws:ec2/subnet:Subnet", "network-public-1", "subnet-0a1b2c3d4e5f60702"},
		{"aws:ec2/subnet:Subnet", "network-private-2", "subnet-0a1b2c3d4e5f60701"},
		{"aws:ec2/routeTable:RouteTable", "network-public-rt", "rtb-0a1b2c3d4e5f60701"},
		{"aws:ec2/routeTable:RouteTable", "network-private-2", "rtb-0a1b2c3d4e5f60704"},
		{"aws:rds/instance:Instance", "database-instance", "np-deposition-db"},
		{"aws:rds/subnetGroup:SubnetGroup", "database-subnets", "np-deposition-db-subnets"},
		{"aws:s3/bucketV2:BucketV2", "bucket-deposition-bucket", "article-pipeline-deposition-prod"},
		{"aws:s3/bucketV2:BucketV2", "bucket-rss-archive-bucket", "article-pipeline-npa-ingestion-rss-archive"},
		{"aws:s3/bucketV2:BucketV2", "bucket-django-static-bucket", "article-pipeline-django-static"},
		{"aws:s3/bucketV2:BucketV2", "bucket-deposition-charts-bucket", "article-pipeline-deposition-charts-prod"},
		// Configurations of adopted buckets are imported, not written over.
		{"aws:s3/bucketPolicy:BucketPolicy", "bucket-deposition-policy", "article-pipeline-deposition-prod"},
		{"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "bucket-django-static-public-access",
			"article-pipeline-django-static"},
		{"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "bucket-deposition-lifecycle",
			"article-pipeline-deposition-prod"},
		// The RSS archive has no policy yet (adopt.create): created, not imported.
		{"aws:s3/bucketPolicy:BucketPolicy", "bucket-rss-archive-policy", ""},
		{"aws:ssm/parameter:Parameter", "parameters-DATABASE_URL", "/copilot/article-pipeline/prod/secrets/DATABASE_URL"},
		{"aws:backup/vault:Vault", "backup-vault", "np-deposition-backup-vault"},
		{"aws:backup/plan:Plan", "backup-plan", "3f1c9a52-7d4e-4b8a-9c61-2e5f0a8b7d43"},
	}
	for _, w := range want {
		r := mustFind(t, inv, w.typ, w.name)
		if r.ImportID != w.id {
			t.Errorf("%s %s: import ID %q, want %q", w.typ, w.name, r.ImportID, w.id)
		}
	}
	// Every imported resource is protected or retained: no removal or rollback
	// deletes what the running deployment holds.
	imported := 0
	for _, r := range inv.Resources {
		if r.ImportID == "" {
			continue
		}
		imported++
		if !r.Protect && !r.RetainOnDelete {
			t.Errorf("%s %s is imported but neither protected nor retained", r.Type, r.Name)
		}
	}
	for _, name := range []struct{ typ, name string }{
		{"aws:ec2/vpc:Vpc", "network-vpc"},
		{"aws:ec2/subnet:Subnet", "network-private-1"},
		{"aws:rds/instance:Instance", "database-instance"},
		{"aws:s3/bucketV2:BucketV2", "bucket-deposition-bucket"},
		{"aws:backup/vault:Vault", "backup-vault"},
	} {
		if r := mustFind(t, inv, name.typ, name.name); !r.Protect {
			t.Errorf("%s %s is adopted unprotected", name.typ, name.name)
		}
	}
	db := mustFind(t, inv, "aws:rds/instance:Instance", "database-instance")
	if db.String("identifier") != "np-deposition-db" || db.Get("dbName") != nil {
		t.Errorf("adopted instance: identifier %q dbName %v (setting dbName on an import replaces it)",
			db.String("identifier"), db.Get("dbName"))
	}
	for _, p := range []string{"password", "engineVersion", "vpcSecurityGroupIds", "parameterGroupName", "tags"} {
		if !slices.Contains(db.IgnoreChanges, p) {
			t.Errorf("the adopted instance does not leave %s alone: ignoreChanges %v", p, db.IgnoreChanges)
		}
	}
	if db.String("password") != "[secret]" || !strings.Contains(res.Outputs["databaseUrl"].(string), ":the-running-password@") {
		t.Error("the adopted instance does not keep its configured master password")
	}
	subnet := mustFind(t, inv, "aws:ec2/subnet:Subnet", "network-private-1")
	table := mustFind(t, inv, "aws:ec2/routeTable:RouteTable", "network-private-1")
	if !slices.Equal(subnet.IgnoreChanges, []string{"tags"}) || !slices.Equal(table.IgnoreChanges, []string{"tags"}) {
		t.Errorf("qualified keep entries: subnet %v, route table %v", subnet.IgnoreChanges, table.IgnoreChanges)
	}
	if plan := mustFind(t, inv, "aws:backup/plan:Plan", "backup-plan"); plan.Get("rules").([]any)[0].(map[string]any)["schedule"] !=
		"cron(0 9 1 * ? *)" {
		t.Errorf("the adopted plan does not keep the live schedule: %v", plan.Get("rules"))
	}
	if inv.Outputs["databaseName"] != "new_db_name" {
		t.Errorf("databaseName output %v", inv.Outputs["databaseName"])
	}
	if _, ok := inv.Find("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "network-default-sg"); ok {
		t.Error("the default security group is locked while the adopted database may use it")
	}
	// The static bucket keeps the runbook's public write while Copilot runs,
	// waived until a date: the guardrails pass on a day before it.
	rep, err := synth.CheckOn(res, time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.Err(); err != nil {
		t.Error(err)
	}
	waived := false
	for _, r := range rep.Waived() {
		waived = waived || r.Rule == "S3.3" && r.Resource == "bucket-django-static-policy" &&
			strings.HasSuffix(r.Waiver, "(until 2027-03-31)")
	}
	if !waived {
		t.Errorf("the static bucket's public write is not shown as a dated waiver: %v", rep.Waived())
	}
	if _, err := synth.CheckOn(res, time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)); err == nil ||
		!strings.Contains(err.Error(), `waiver of S3.3 on "bucket-django-static-policy" lapsed on 2027-03-31`) {
		t.Errorf("the day after: %v", err)
	}
	// Adopting a differently named instance and vault changes the stack's
	// stateful resources: the guard reports it, so the new baseline is recorded
	// and reviewed in the same change. It watches the adopted buckets'
	// lifecycle and versioning and the subnet group's subnets too.
	changes, _ := guard.Check(baseline(t, "prod"), inv, nil)
	got := map[string]bool{}
	for _, c := range changes {
		got[c.Resource+"."+c.Property] = true
	}
	for _, want := range []string{"database-instance.identifier", "backup-vault.name", "database-subnets.subnetIds"} {
		if !got[want] {
			t.Errorf("the guard does not report %s: %v", want, changes)
		}
	}
	rec := guard.Record(inv)
	for _, k := range []string{
		"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2 bucket-deposition-lifecycle",
		"aws:s3/bucketVersioningV2:BucketVersioningV2 bucket-deposition-versioning",
		"aws:s3/bucketV2:BucketV2 bucket-django-static-bucket", // adopted: watched though not versioned
	} {
		if _, ok := rec[k]; !ok {
			t.Errorf("the guard does not watch %s", k)
		}
	}
}

// TestAdoptedAliasRecordsAreRetained: at the DNS cut-over (aliasRecords on,
// overwriteRecords as the sample states it) the records take over Copilot's
// names and are retained on delete, as is the certificate's validation record.
func TestAdoptedAliasRecordsAreRetained(t *testing.T) {
	t.Parallel()
	res, err := adoptionExample(t, func(cfg map[string]string) {
		cfg["article-pipeline:domain"] = `{"name":"npdeposition.org","aliasRecords":true,"overwriteRecords":true}`
	})
	if err != nil {
		t.Fatal(err)
	}
	records := 0
	for _, r := range res.Inventory.OfType("aws:route53/record:Record") {
		records++
		if !r.RetainOnDelete || r.Get("allowOverwrite") != true {
			t.Errorf("record %s: retainOnDelete %v, allowOverwrite %v", r.Name, r.RetainOnDelete, r.Get("allowOverwrite"))
		}
	}
	if records != 2 {
		t.Errorf("%d records, want the alias and the validation record", records)
	}
}

// TestKeepEntriesAreChecked: adopt.keep and adopt.create name what the stack
// imports (or creates), and each kept property is an input of its type; a
// mistake stops the program, naming the entry, before anything is declared.
func TestKeepEntriesAreChecked(t *testing.T) {
	t.Parallel()
	cases := []mock.BadValue[string]{
		{Name: "misspelt resource", Value: `{"keep":{"database-instanse":["tags"]}}`,
			WantErr: `article-pipeline:adopt.keep.database-instanse: names no resource this stack imports; expected one of ` +
				`backup-plan, backup-vault, bucket-deposition-bucket,`},
		{Name: "a name several resources share", Value: `{"keep":{"network-private-1":["tags"]}}`,
			WantErr: `article-pipeline:adopt.keep.network-private-1: names 3 imported resources; expected one of ` +
				`"network-private-1 (ec2/routeTable)", "network-private-1 (ec2/routeTableAssociation)", ` +
				`"network-private-1 (ec2/subnet)"`},
		{Name: "misspelt property", Value: `{"keep":{"database-instance":["passwrd"]}}`,
			WantErr: `article-pipeline:adopt.keep.database-instance[11]: "passwrd" is not an input of ` +
				`aws:rds/instance:Instance; expected one of allocatedStorage,`},
		{Name: "a created configuration", Value: `{"keep":{"bucket-rss-archive-policy":["policy"]}}`,
			WantErr: `article-pipeline:adopt.keep.bucket-rss-archive-policy: names no resource this stack imports`},
		{Name: "create names no configuration", Value: `{"create":["bucket-rss-archive-lifecycle"]}`,
			WantErr: `article-pipeline:adopt.create[1]: "bucket-rss-archive-lifecycle" is not a configuration of an adopted ` +
				`bucket; expected one of bucket-deposition-ownership,`},
	}
	mock.RejectsValues(t, cases, mock.Prefix, func(t *testing.T, adoptJSON string) error {
		_, err := adoptionExample(t, func(cfg map[string]string) {
			var extra map[string]any
			if err := json.Unmarshal([]byte(adoptJSON), &extra); err != nil {
				t.Fatal(err)
			}
			editValue(t, cfg, "article-pipeline:adopt", func(a map[string]any) any { return synth.MergeConfig(a, extra) })
		})
		return err
	})
}

// TestKeepNamesWhatTheGraphImports: what adopt.keep may name is exactly what
// the synthesized graph imports. A keep entry for every imported resource is
// accepted, and the names an unknown entry is told to pick from are the
// graph's imported resources (qualified where a name is shared).
func TestKeepNamesWhatTheGraphImports(t *testing.T) {
	t.Parallel()
	res, err := adoptionExample(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	var imported []inventory.Resource
	for _, r := range res.Inventory.Resources {
		if r.ImportID != "" {
			imported = append(imported, r)
			count[r.Name]++
		}
	}
	keepAll := map[string][]string{}
	var want []string
	for _, r := range imported {
		name := r.Name
		if count[name] > 1 {
			name = adopt.Qualified(r.Type, r.Name)
		}
		want = append(want, name)
		prop := "tags"
		if _, ok := r.Inputs[prop]; !ok {
			prop = slices.Sorted(maps.Keys(r.Inputs))[0]
		}
		keepAll[adopt.Qualified(r.Type, r.Name)] = []string{prop}
	}
	slices.Sort(want)
	withKeep := func(keep map[string][]string) error {
		_, err := adoptionExample(t, func(cfg map[string]string) {
			editValue(t, cfg, "article-pipeline:adopt", func(a map[string]any) any {
				a["keep"] = keep
				return a
			})
		})
		return err
	}
	if err := withKeep(keepAll); err != nil {
		t.Errorf("a keep entry for each of the %d imported resources is refused: %v", len(imported), err)
	}
	err = withKeep(map[string][]string{"no-such-resource": {"tags"}})
	const prefix = "article-pipeline:adopt.keep.no-such-resource: names no resource this stack imports; expected one of "
	if err == nil || !strings.HasPrefix(err.Error(), prefix) {
		t.Fatalf("err = %v, want %s...", err, prefix)
	}
	offered := strings.Split(strings.TrimPrefix(err.Error(), prefix), ", ")
	slices.Sort(offered)
	if !slices.Equal(offered, want) {
		t.Errorf("keep entries may name %v\nthe graph imports %v", offered, want)
	}
}
