package program_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/guard"
	"github.com/np-mrd/article-pipeline-infra/internal/synth"
)

// TestAdoptionExample synthesizes prod with examples/adopt-prod.yaml merged in:
// every resource it lists is imported (with the ID AWS knows it by), the
// stateful ones stay protected, the guardrails pass with the waiver it states,
// and the replacement guard reports the changed names for review.
func TestAdoptionExample(t *testing.T) {
	t.Parallel()
	st, err := synth.LoadStack(projectDir, "prod")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Overlay(filepath.Join(projectDir, "examples", "adopt-prod.yaml")); err != nil {
		t.Fatal(err)
	}
	// The adopted instance keeps its current master password (secret config).
	st.Config["article-pipeline:databaseMasterPassword"] = "the-running-password"
	st.SecretKeys = append(st.SecretKeys, "article-pipeline:databaseMasterPassword")

	res, err := synth.Run(st, nil)
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
	if db.String("password") != "[secret]" || !strings.Contains(res.Outputs["databaseUrl"].(string), ":the-running-password@") {
		t.Error("the adopted instance does not keep its configured master password")
	}
	if inv.Outputs["databaseName"] != "new_db_name" {
		t.Errorf("databaseName output %v", inv.Outputs["databaseName"])
	}
	if _, ok := inv.Find("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "network-default-sg"); ok {
		t.Error("the default security group is locked while the adopted database may use it")
	}
	rep, err := synth.Check(res)
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.Err(); err != nil {
		t.Error(err)
	}
	// Adopting a differently named instance and vault changes the stack's
	// stateful resources: the guard reports it, so the new baseline is recorded
	// and reviewed in the same change.
	changes, _ := guard.Check(baseline(t, "prod"), inv, nil)
	got := map[string]bool{}
	for _, c := range changes {
		got[c.Resource+"."+c.Property] = true
	}
	for _, want := range []string{"database-instance.identifier", "backup-vault.name"} {
		if !got[want] {
			t.Errorf("the guard does not report %s: %v", want, changes)
		}
	}
}
