package collect_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/adoptcheck"
	"github.com/np-mrd/article-pipeline-infra/adoptcheck/collect"
	"github.com/np-mrd/article-pipeline-infra/internal/fakeaws"
)

// good is the recorded good account the check's tests use.
var good = filepath.Join("..", "testdata", "good")

// example is what examples/adopt-prod.yaml adopts.
var example = adoptcheck.Targets{
	Region: "us-west-2", Instance: "np-deposition-db", SubnetGroup: "np-deposition-db-subnets",
	VPC: "vpc-0a1b2c3d4e5f60718", Gateway: "igw-0a1b2c3d4e5f60718",
	Buckets: []string{"article-pipeline-deposition-charts-prod", "article-pipeline-deposition-prod",
		"article-pipeline-django-static", "article-pipeline-npa-ingestion-rss-archive"},
	BackupPlan: "3f1c9a52-7d4e-4b8a-9c61-2e5f0a8b7d43", BackupVault: "np-deposition-backup-vault",
	ParameterPath: "/copilot/article-pipeline/prod/secrets/",
	Parameters:    []string{"/copilot/article-pipeline/prod/secrets/DATABASE_URL"},
	DatabaseURL:   "/copilot/article-pipeline/prod/secrets/DATABASE_URL",
}

func commands(reads []collect.Read) []string {
	out := make([]string, len(reads))
	for i, r := range reads {
		out[i] = r.Command() + " > " + r.File
	}
	return out
}

// TestPlanIsReadOnly pins the exact commands for an adoption of one bucket:
// describe, get and list only, the region and JSON output fixed.
func TestPlanIsReadOnly(t *testing.T) {
	t.Parallel()
	one := example
	one.Buckets = []string{"article-pipeline-deposition-prod"}
	const o = " --region us-west-2 --output json --no-cli-pager"
	want := []string{
		"pulumi version > pulumi-version.txt",
		"aws rds describe-db-instances --db-instance-identifier np-deposition-db" + o + " > rds/describe-db-instances.json",
		"aws rds describe-db-subnet-groups --db-subnet-group-name np-deposition-db-subnets" + o + " > rds/describe-db-subnet-groups.json",
		"aws s3api get-bucket-policy --bucket article-pipeline-deposition-prod" + o + " > s3/article-pipeline-deposition-prod/get-bucket-policy.json",
		"aws s3api get-public-access-block --bucket article-pipeline-deposition-prod" + o + " > s3/article-pipeline-deposition-prod/get-public-access-block.json",
		"aws s3api get-bucket-lifecycle-configuration --bucket article-pipeline-deposition-prod" + o + " > s3/article-pipeline-deposition-prod/get-bucket-lifecycle-configuration.json",
		"aws s3api get-bucket-versioning --bucket article-pipeline-deposition-prod" + o + " > s3/article-pipeline-deposition-prod/get-bucket-versioning.json",
		"aws s3api get-bucket-encryption --bucket article-pipeline-deposition-prod" + o + " > s3/article-pipeline-deposition-prod/get-bucket-encryption.json",
		"aws s3api get-bucket-ownership-controls --bucket article-pipeline-deposition-prod" + o + " > s3/article-pipeline-deposition-prod/get-bucket-ownership-controls.json",
		"aws s3api get-object-lock-configuration --bucket article-pipeline-deposition-prod" + o + " > s3/article-pipeline-deposition-prod/get-object-lock-configuration.json",
		"aws s3api get-bucket-tagging --bucket article-pipeline-deposition-prod" + o + " > s3/article-pipeline-deposition-prod/get-bucket-tagging.json",
		"aws backup get-backup-plan --backup-plan-id 3f1c9a52-7d4e-4b8a-9c61-2e5f0a8b7d43" + o + " > backup/get-backup-plan.json",
		"aws backup list-backup-selections --backup-plan-id 3f1c9a52-7d4e-4b8a-9c61-2e5f0a8b7d43" + o + " > backup/list-backup-selections.json",
		"aws backup describe-backup-vault --backup-vault-name np-deposition-backup-vault" + o + " > backup/describe-backup-vault.json",
		"aws ssm describe-parameters --parameter-filters Key=Name,Option=BeginsWith,Values=/copilot/article-pipeline/prod/secrets/" + o + " > ssm/describe-parameters.json",
		"aws ssm list-tags-for-resource --resource-type Parameter --resource-id /copilot/article-pipeline/prod/secrets/DATABASE_URL" + o + " > ssm/tags/copilot__article-pipeline__prod__secrets__DATABASE_URL.json",
		"aws ssm get-parameter --name /copilot/article-pipeline/prod/secrets/DATABASE_URL --with-decryption" + o + " > ssm/database-url.json",
	}
	if got := commands(collect.Plan(one)); !slices.Equal(got, want) {
		t.Errorf("round 1:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	wantFollowUps := []string{
		"aws ec2 describe-vpcs --vpc-ids vpc-0a1b2c3d4e5f60718" + o + " > ec2/describe-vpcs.json",
		"aws ec2 describe-vpc-attribute --vpc-id vpc-0a1b2c3d4e5f60718 --attribute enableDnsHostnames" + o + " > ec2/describe-vpc-attribute-enableDnsHostnames.json",
		"aws ec2 describe-vpc-attribute --vpc-id vpc-0a1b2c3d4e5f60718 --attribute enableDnsSupport" + o + " > ec2/describe-vpc-attribute-enableDnsSupport.json",
		"aws ec2 describe-internet-gateways --internet-gateway-ids igw-0a1b2c3d4e5f60718" + o + " > ec2/describe-internet-gateways.json",
		"aws ec2 describe-subnets --filters Name=vpc-id,Values=vpc-0a1b2c3d4e5f60718" + o + " > ec2/describe-subnets.json",
		"aws ec2 describe-route-tables --filters Name=vpc-id,Values=vpc-0a1b2c3d4e5f60718" + o + " > ec2/describe-route-tables.json",
		"aws ec2 describe-security-groups --filters Name=vpc-id,Values=vpc-0a1b2c3d4e5f60718" + o + " > ec2/describe-security-groups.json",
		"aws rds list-tags-for-resource --resource-name arn:aws:rds:us-west-2:123456789012:subgrp:np-deposition-db-subnets" + o + " > rds/list-tags-for-resource-subnet-group.json",
		"aws backup list-tags --resource-arn arn:aws:backup:us-west-2:123456789012:backup-plan:3f1c9a52-7d4e-4b8a-9c61-2e5f0a8b7d43" + o + " > backup/list-tags-plan.json",
		"aws backup list-tags --resource-arn arn:aws:backup:us-west-2:123456789012:backup-vault:np-deposition-backup-vault" + o + " > backup/list-tags-vault.json",
	}
	if got := commands(collect.FollowUps(one, collect.Recorded(good))); !slices.Equal(got, wantFollowUps) {
		t.Errorf("round 2:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantFollowUps, "\n"))
	}
}

// TestFollowUpsFromTheInstance: without an adopted VPC the EC2 reads take the
// instance's VPC, and a parameter group of its own is read for its settings.
func TestFollowUpsFromTheInstance(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	inst := map[string]any{"DBInstances": []any{map[string]any{
		"DBSubnetGroup":     map[string]any{"VpcId": "vpc-0123"},
		"DBParameterGroups": []any{map[string]any{"DBParameterGroupName": "np-deposition-pg17"}},
	}}}
	b, _ := json.Marshal(inst)
	if err := os.MkdirAll(filepath.Join(dir, "rds"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(adoptcheck.FileDBInstance)), b, 0o600); err != nil {
		t.Fatal(err)
	}
	got := commands(collect.FollowUps(adoptcheck.Targets{Instance: "db"}, collect.Recorded(dir)))
	const o = " --output json --no-cli-pager"
	want := []string{
		"aws ec2 describe-subnets --filters Name=vpc-id,Values=vpc-0123" + o + " > ec2/describe-subnets.json",
		"aws ec2 describe-route-tables --filters Name=vpc-id,Values=vpc-0123" + o + " > ec2/describe-route-tables.json",
		"aws ec2 describe-security-groups --filters Name=vpc-id,Values=vpc-0123" + o + " > ec2/describe-security-groups.json",
		"aws rds describe-db-parameters --db-parameter-group-name np-deposition-pg17 --source user" + o + " > rds/describe-db-parameters.json",
	}
	if !slices.Equal(got, want) {
		t.Errorf("round 2:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestCollectRecordsTheAccount runs both rounds against the good account as
// the AWS CLI would answer: the directory it writes is the recorded one, file
// for file, and the DATABASE_URL password appears nowhere in it.
func TestCollectRecordsTheAccount(t *testing.T) {
	t.Parallel()
	const password = "Xy7#q:w!z?k"
	out := t.TempDir()
	ctx := context.Background()
	reads := append(collect.Plan(example), collect.FollowUps(example, collect.Recorded(good))...)
	cli := fakeaws.New(good, reads, "postgresql://postgres:"+password+"@10.0.3.57:5432/new_db_name")
	if err := collect.Run(ctx, collect.Plan(example), out, cli.Run); err != nil {
		t.Fatal(err)
	}
	answers := collect.Recorded(out)
	if err := collect.Run(ctx, collect.FollowUps(example, answers), out, cli.Run); err != nil {
		t.Fatal(err)
	}
	resolve := func(_ context.Context, host string) ([]string, error) {
		if host != "np-deposition-db.c7e014352ce3.us-west-2.rds.amazonaws.com" {
			return nil, errors.New("unknown host " + host)
		}
		return []string{"10.0.3.57"}, nil
	}
	if err := collect.Resolve(ctx, out, collect.Endpoint(answers), resolve); err != nil {
		t.Fatal(err)
	}
	if n := len(cli.Ran()); n != len(reads) {
		t.Errorf("%d commands run, want %d", n, len(reads))
	}
	want, got := files(t, good), files(t, out)
	if !slices.Equal(got, want) {
		t.Fatalf("recorded files:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, name := range got {
		w, _ := os.ReadFile(filepath.Join(good, name))
		g, _ := os.ReadFile(filepath.Join(out, name))
		if strings.Contains(string(g), "Xy7") {
			t.Errorf("%s holds the password", name)
		}
		if strings.HasSuffix(name, ".txt") {
			if string(g) != string(w) {
				t.Errorf("%s = %q, want %q", name, g, w)
			}
			continue
		}
		var wv, gv any
		if err := json.Unmarshal(w, &wv); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(g, &gv); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if a, b := canonical(gv), canonical(wv); a != b {
			t.Errorf("%s:\n%s\nwant:\n%s", name, a, b)
		}
	}
}

func canonical(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// files lists the files below dir, slash-separated and sorted.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// TestRunStopsOnAnError: an error that is not "this configuration does not
// exist" (no credentials, access denied) stops collect and names the command.
func TestRunStopsOnAnError(t *testing.T) {
	t.Parallel()
	deny := func(context.Context, []string) ([]byte, []byte, error) {
		return nil, []byte("\nAn error occurred (AccessDenied) when calling the GetBucketPolicy operation: Access Denied\n"),
			errors.New("exit status 254")
	}
	reads := []collect.Read{{File: "s3/b/get-bucket-policy.json", Absent: []string{"NoSuchBucketPolicy"},
		Args: []string{"aws", "s3api", "get-bucket-policy", "--bucket", "b"}}}
	out := t.TempDir()
	err := collect.Run(context.Background(), reads, out, deny)
	want := "aws s3api get-bucket-policy --bucket b: exit status 254: An error occurred (AccessDenied) when calling " +
		"the GetBucketPolicy operation: Access Denied"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
	if _, err := os.Stat(filepath.Join(out, "s3")); !errors.Is(err, os.ErrNotExist) {
		t.Error("a failed read left a file behind")
	}
}

func TestParseDatabaseURL(t *testing.T) {
	t.Parallel()
	const name = "/copilot/article-pipeline/prod/secrets/DATABASE_URL"
	tests := []struct {
		value string
		want  adoptcheck.DatabaseURL
	}{
		{"postgresql://postgres:abc@10.0.3.57:5432/new_db_name", adoptcheck.DatabaseURL{Parameter: name,
			Scheme: "postgresql", User: "postgres", Host: "10.0.3.57", Port: "5432", Database: "new_db_name", PasswordSet: true}},
		// The runbook's hand-made URL: '#', '?' and ':' unescaped in the password.
		{"postgresql://postgres:a#b?c:d@db.example.internal:5432/new_db_name", adoptcheck.DatabaseURL{Parameter: name,
			Scheme: "postgresql", User: "postgres", Host: "db.example.internal", Port: "5432", Database: "new_db_name",
			PasswordSet: true}},
		{"postgres://article_pipeline:p%40ss%2F@db:5433/app?sslmode=require", adoptcheck.DatabaseURL{Parameter: name,
			Scheme: "postgres", User: "article_pipeline", Host: "db", Port: "5433", Database: "app", Query: "sslmode=require",
			PasswordSet: true, PasswordEscaped: true}},
		{"postgresql://postgres@db/app", adoptcheck.DatabaseURL{Parameter: name, Scheme: "postgresql", User: "postgres",
			Host: "db", Database: "app"}},
		{"mysql://root:x@db/app", adoptcheck.DatabaseURL{Parameter: name, Scheme: "mysql",
			ParseError: `scheme "mysql" is not postgresql`}},
		{"None", adoptcheck.DatabaseURL{Parameter: name, ParseError: "no scheme"}},
	}
	for _, tc := range tests {
		if got := collect.ParseDatabaseURL(name, tc.value); got != tc.want {
			t.Errorf("ParseDatabaseURL(%q) =\n%+v\nwant\n%+v", tc.value, got, tc.want)
		}
	}
}
