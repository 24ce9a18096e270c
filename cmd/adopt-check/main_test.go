package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/adoptcheck"
	"github.com/np-mrd/article-pipeline-infra/adoptcheck/collect"
	"github.com/np-mrd/article-pipeline-infra/internal/fakeaws"
	"github.com/np-mrd/article-pipeline-infra/internal/synth"
)

const project = "../.."

var (
	good = filepath.Join(project, "adoptcheck", "testdata", "good")
	// sample is the stack the fixtures describe: prod with the sample adoption.
	sample = []string{"-dir", project,
		"-overlay", filepath.Join(project, "examples", "adopt-prod.yaml"),
		"-overlay", filepath.Join(project, "adoptcheck", "testdata", "secret-password.yaml")}
)

func run(t *testing.T, e environment, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	e.stdout, e.stderr = &stdout, &stderr
	code := e.main(context.Background(), args)
	return code, stdout.String(), stderr.String()
}

func args(cmd string, rest ...string) []string {
	return append(append([]string{cmd}, sample...), rest...)
}

// TestCollectThenCheck is the preflight end to end against the good account
// answered as the AWS CLI would: collect records it, check passes it and
// prints the keep list, and -strict fails while nothing is kept yet.
func TestCollectThenCheck(t *testing.T) {
	t.Parallel()
	res, err := synth.SynthesizeOverlay(project, "prod", sample[3], sample[5])
	if err != nil {
		t.Fatal(err)
	}
	targets := adoptcheck.TargetsOf(res.Inventory)
	reads := append(collect.Plan(targets), collect.FollowUps(targets, collect.Recorded(good))...)
	cli := fakeaws.New(good, reads, "postgresql://postgres:pa55word@10.0.3.57:5432/new_db_name")
	e := environment{run: cli.Run, lookup: func(context.Context, string) ([]string, error) {
		return []string{"10.0.3.57"}, nil
	}}
	out := t.TempDir()
	code, stdout, stderr := run(t, e, args("collect", "-out", out, "prod")...)
	if code != 0 {
		t.Fatalf("collect exit %d: %s", code, stderr)
	}
	if want := "recorded in " + out; !strings.HasPrefix(stdout, want) {
		t.Errorf("collect said %q, want %q...", stdout, want)
	}
	if len(cli.Ran()) != len(reads) {
		t.Errorf("collect ran %d commands, want %d", len(cli.Ran()), len(reads))
	}

	code, stdout, stderr = run(t, e, args("check", "-responses", out, "prod")...)
	if code != 0 {
		t.Fatalf("check exit %d: %s%s", code, stdout, stderr)
	}
	for _, want := range []string{
		"DIFFERENCES: the first up would change these unless adopt.keep lists them (39)\n",
		"WARNINGS: settle before the step named (2)\n",
		"Suggested adopt.keep for a zero-change first up (merge into Pulumi.prod.yaml):\n  article-pipeline:adopt:\n    keep:\n",
		"      database-instance: [backupWindow, deleteAutomatedBackups, " +
			"enabledCloudwatchLogsExports, engineVersion, finalSnapshotIdentifier, maintenanceWindow, monitoringRoleArn, " +
			"parameterGroupName, password, tags, vpcSecurityGroupIds]\n",
		`      "network-private-1 (ec2/subnet)": [tags]` + "\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("check output lacks %q", want)
		}
	}
	if strings.Contains(stdout, "REFUSED") || strings.Contains(stdout, "pa55word") ||
		strings.Contains(stdout, "not in ignoreChanges yet") {
		t.Errorf("check output:\n%s", stdout)
	}

	// The sample keeps every difference: -strict passes; one more difference
	// the keep list does not name makes it fail.
	if code, stdout, _ := run(t, e, args("check", "-strict", "-responses", out, "prod")...); code != 0 {
		t.Errorf("check -strict exit %d with every difference kept, want 0:\n%s", code, stdout)
	}
	longer := filepath.Join(t.TempDir(), "retention.yaml")
	if err := os.WriteFile(longer, []byte("config:\n  article-pipeline:database:\n    backupRetentionDays: 14\n"),
		0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ = run(t, e, append(args("check", "-strict", "-responses", out), "-overlay", longer, "prod")...)
	if code != 1 || !strings.Contains(stdout, "\n1 difference(s) not in ignoreChanges yet: the first up would apply them.\n") {
		t.Errorf("check -strict exit %d with backupRetentionPeriod not kept, want 1:\n%s", code, stdout)
	}
}

// TestCheckRefusal: a refusal exits 1 and names what to do.
func TestCheckRefusal(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(good)); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(project, "adoptcheck", "testdata", "refusals", "old-cli", adoptcheck.FilePulumiVersion))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, adoptcheck.FilePulumiVersion), b, 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ := run(t, environment{}, args("check", "-responses", dir, "prod")...)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, want := range []string{
		"REFUSED: fix these before adopting (1)\n  pulumi version: live v3.251.0, declared >= 3.252.0; ",
		"adopt-check: 1 refusal(s): do not run pulumi up.\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestPlanPrintsTheReads(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := run(t, environment{}, args("plan", "prod")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"# round 1\npulumi version  > pulumi-version.txt  # recorded as text\n",
		"aws ssm get-parameter --name /copilot/article-pipeline/prod/secrets/DATABASE_URL --with-decryption --region " +
			"us-west-2 --output json --no-cli-pager  > ssm/database-url.json  # parsed in memory: only scheme, user, host, " +
			"port and database are recorded, never the password\n",
		"aws rds list-tags-for-resource --resource-name '<DBSubnetGroups.0.DBSubnetGroupArn from " +
			"rds/describe-db-subnet-groups.json>' --region us-west-2 --output json --no-cli-pager  > " +
			"rds/list-tags-for-resource-subnet-group.json\n",
		"# and a DNS lookup of the instance endpoint -> rds/endpoint-addresses.json\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("plan lacks %q", want)
		}
	}
	if strings.Contains(stdout, " put-") || strings.Contains(stdout, " delete-") || strings.Contains(stdout, " modify-") {
		t.Errorf("plan holds a write:\n%s", stdout)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no command", nil, 2, "usage:"},
		{"unknown command", []string{"apply", "prod"}, 2, "usage:"},
		{"no stack", []string{"check"}, 2, "usage:"},
		{"collect without -out", args("collect", "prod"), 2, "-out is required"},
		{"check without -responses", args("check", "prod"), 2, "-responses is required"},
		{"a stack that adopts nothing", []string{"plan", "-dir", project, "sandbox-example"}, 1,
			"stack sandbox-example adopts nothing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, _, stderr := run(t, environment{}, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tc.code, tc.stderr)
			}
		})
	}
}
