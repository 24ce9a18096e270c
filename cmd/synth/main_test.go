package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/internal/synth"
)

var update = flag.Bool("update", false, "rewrite testdata/<stack>.json from the current program")

// projectDir is the repository root, where Pulumi.yaml and the stack files live.
const projectDir = "../.."

// TestGolden compares the synth of every committed stack with its golden file.
// A graph change fails here until the golden file is regenerated on purpose:
//
//	go test ./cmd/synth -update
func TestGolden(t *testing.T) {
	stacks := synth.Stacks(projectDir)
	for _, want := range []string{"development", "prod"} {
		if !strings.Contains(strings.Join(stacks, " "), want) {
			t.Fatalf("stack %s has no config file; stacks: %v", want, stacks)
		}
	}
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			golden(t, filepath.Join(projectDir, "testdata", stack+".json"), "-dir", projectDir, stack)
		})
	}
}

// TestPolicyReports keeps each committed stack's guardrail report in
// testdata/<stack>.policy.txt (the README links prod's), regenerated with -update.
func TestPolicyReports(t *testing.T) {
	for _, stack := range synth.Stacks(projectDir) {
		t.Run(stack, func(t *testing.T) {
			golden(t, filepath.Join(projectDir, "testdata", stack+".policy.txt"), "-dir", projectDir, "-policy", "text", stack)
		})
	}
}

// TestCostEstimates keeps each committed stack's monthly estimate in
// testdata/<stack>.cost.txt, so that a pull request shows its cost change
// (regenerated with -update).
func TestCostEstimates(t *testing.T) {
	for _, stack := range synth.Stacks(projectDir) {
		t.Run(stack, func(t *testing.T) {
			golden(t, filepath.Join(projectDir, "testdata", stack+".cost.txt"), "-dir", projectDir, "-cost", stack)
		})
	}
}

// golden runs the synth with args and compares its output with the file at
// path, or rewrites the file under -update. That diff is what review reads.
func golden(t *testing.T, path string, args ...string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(args, &stdout, &stderr); code != 0 {
		t.Fatalf("synth %v exited %d: %s", args, code, stderr.String())
	}
	if *update {
		if err := os.WriteFile(path, stdout.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run `go test ./cmd/synth -update` to create it)", err)
	}
	if !bytes.Equal(stdout.Bytes(), want) {
		t.Errorf("synth %v differs from %s; if the change is intended, run `go test ./cmd/synth -update` "+
			"and review the diff", args, path)
	}
}

// projectWith is a temporary project directory: the repository's
// Pulumi.yaml and these stack files, by name.
func projectWith(t *testing.T, stackFiles map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	project, err := os.ReadFile(filepath.Join(projectDir, "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	stackFiles["Pulumi.yaml"] = string(project)
	for name, body := range stackFiles {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestPolicyFlagFailsOnAViolation(t *testing.T) {
	t.Parallel()
	// A development-like stack without the waivers: the runbook's postgres
	// master user (RDS.25) and public task IPs (ECS.2) are reported.
	dir := projectWith(t, map[string]string{"Pulumi.bare.yaml": "config:\n  article-pipeline:protect: false\n"})
	var stdout, stderr bytes.Buffer
	code := run([]string{"-dir", dir, "-policy", "text", "bare"}, &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), `RDS.25 aws:rds/instance:Instance "database-instance"`) ||
		!strings.Contains(stderr.String(), `ECS.2 aws:ecs/service:Service "backend-service"`) {
		t.Errorf("exit %d, stderr %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "RULE") {
		t.Errorf("no report printed: %s", stdout.String())
	}
}

func TestSynthIsStable(t *testing.T) {
	var first, second bytes.Buffer
	for _, out := range []*bytes.Buffer{&first, &second} {
		if code := run([]string{"-dir", projectDir, "prod"}, out, &bytes.Buffer{}); code != 0 {
			t.Fatalf("exit %d", code)
		}
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Error("two runs of the synth printed different inventories")
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	broken := projectWith(t, map[string]string{
		"Pulumi.broken.yaml": "config:\n  article-pipeline:protect: false\n  article-pipeline:network:\n" +
			"    privateSubnets: [10.0.3.0/24, 10.9.1.0/24]\n",
		"Pulumi.noprotect.yaml": "config:\n  aws:region: us-west-2\n",
		"Pulumi.badcost.yaml": "config:\n  article-pipeline:protect: false\n  article-pipeline:cost:\n" +
			"    databasegb: 2\n",
		"Pulumi.stalewaiver.yaml": "config:\n  article-pipeline:protect: false\n  article-pipeline:policy:\n" +
			"    waivers:\n      - {rule: RDS.2, resource: database-instance, reason: x}\n",
		"Pulumi.unknownrule.yaml": "config:\n  article-pipeline:protect: false\n  article-pipeline:policy:\n" +
			"    waivers:\n      - {rule: RDS.99, resource: database-instance, reason: x}\n",
	})
	cases := []struct {
		name     string
		args     []string
		code     int
		wantText string
	}{
		{"unknown stack", []string{"-dir", projectDir, "staging"}, 1, `no stack "staging"`},
		{"no stack given", []string{"-dir", projectDir}, 2, "usage: synth"},
		{"broken config", []string{"-dir", broken, "broken"}, 1,
			`article-pipeline:network.privateSubnets[1]: "10.9.1.0/24" is outside the VPC block 10.0.0.0/16`},
		{"required key missing", []string{"-dir", broken, "noprotect"}, 1, "missing required configuration: article-pipeline:protect"},
		{"cost assumption misspelled", []string{"-dir", broken, "-cost", "badcost"}, 1,
			`article-pipeline:cost: unknown field "databasegb"; did you mean "databaseGb"?`},
		// Without -policy too: the plain synth refuses a waiver that matches nothing.
		{"stale waiver", []string{"-dir", broken, "stalewaiver"}, 1,
			`synth: policy: article-pipeline:policy.waivers[0]: waiver of RDS.2 on "database-instance" matches no ` +
				`violation in stack stalewaiver; remove it (it passes: publiclyAccessible is false)`},
		{"waiver of an unknown rule", []string{"-dir", broken, "unknownrule"}, 1,
			`synth: article-pipeline:policy.waivers[0].rule: "RDS.99" is not a rule of the guardrails; expected one of`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := run(tc.args, &stdout, &stderr)
			if code != tc.code || !strings.Contains(stderr.String(), tc.wantText) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr.String(), tc.code, tc.wantText)
			}
			if stdout.Len() != 0 {
				t.Errorf("printed an inventory on error: %s", stdout.String())
			}
		})
	}
}
