package program_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/guard"
	"github.com/np-mrd/article-pipeline-infra/internal/synth"
	"github.com/np-mrd/article-pipeline-infra/policy"
)

var acceptReplacements = flag.Bool("accept-replacements", false,
	"record the current replacement-forcing inputs of stateful resources as the baseline (testdata/guard/); "+
		"run only after an acknowledged replacement is deployed, then remove the acknowledgement")

func guardFile(stack string) string {
	return filepath.Join(projectDir, "testdata", "guard", stack+".json")
}

func acknowledgements(t *testing.T, res *synth.Result) []guard.Acknowledgement {
	t.Helper()
	s, err := res.Stack.Settings()
	if err != nil {
		t.Fatal(err)
	}
	acks := s.Policy.AcknowledgeReplacements
	return acks
}

func baseline(t *testing.T, stack string) guard.Baseline {
	t.Helper()
	b, err := os.ReadFile(guardFile(stack))
	if err != nil {
		t.Fatalf("%v (record it with `go test ./program -run TestReplacementGuard -accept-replacements`)", err)
	}
	var base guard.Baseline
	if err := json.Unmarshal(b, &base); err != nil {
		t.Fatal(err)
	}
	return base
}

// TestReplacementGuard fails when a committed stack would replace a stateful
// resource (database, data bucket, vault) unless its config acknowledges it
// under article-pipeline:policy.acknowledgeReplacements.
func TestReplacementGuard(t *testing.T) {
	for _, stack := range synth.Stacks(projectDir) {
		res := synthesize(t, stack)
		if *acceptReplacements {
			b, err := json.MarshalIndent(guard.Record(res.Inventory), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Dir(guardFile(stack)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(guardFile(stack), append(b, '\n'), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		changes, stale := guard.Check(baseline(t, stack), res.Inventory, acknowledgements(t, res))
		for _, c := range changes {
			t.Errorf("%s: %s; if intended, acknowledge it in Pulumi.%s.yaml under "+
				"article-pipeline:policy.acknowledgeReplacements", stack, c, stack)
		}
		for _, err := range stale {
			t.Errorf("%s: %v", stack, err)
		}
	}
}

func TestReplacementGuardCatchesABrokenConfig(t *testing.T) {
	t.Parallel()
	base := baseline(t, "prod")
	cases := []struct {
		name, key, value string
		wantResource     string
		wantProperty     string
	}{
		{"renamed database", "article-pipeline:database", `{"identifier":"article-pipeline-prod-2"}`,
			"database-instance", "identifier"},
		{"renamed deposition bucket", "article-pipeline:buckets", `{"deposition":{"name":"article-pipeline-deposition-prod-2",` +
			`"versioning":true,"backup":true,"lifecycleRules":[{"name":"TrashRetention","noncurrentVersionExpirationDays":30,` +
			`"abortIncompleteMultipartUploadDays":7}]}}`,
			"bucket-deposition-bucket", "bucket"},
		{"renamed vault", "article-pipeline:backup", `{"vaultName":"another-vault"}`, "backup-vault", "name"},
		// Watched without a replacement: what the running bucket keeps.
		{"shorter noncurrent retention", "article-pipeline:buckets", `{"deposition":{"versioning":true,"backup":true,` +
			`"lifecycleRules":[{"name":"TrashRetention","noncurrentVersionExpirationDays":1}]}}`,
			"bucket-deposition-lifecycle", "rules"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := withConfig(t, "prod", func(cfg map[string]string) { cfg[tc.key] = tc.value })
			if err != nil {
				t.Fatal(err)
			}
			changes, _ := guard.Check(base, res.Inventory, nil)
			found := false
			for _, c := range changes {
				found = found || (c.Resource == tc.wantResource && c.Property == tc.wantProperty)
			}
			if !found {
				t.Fatalf("no change of %s.%s reported; changes: %v", tc.wantResource, tc.wantProperty, changes)
			}
			// Acknowledged, it passes; an acknowledgement of something else is stale.
			ack := []guard.Acknowledgement{{Resource: tc.wantResource, Property: tc.wantProperty, Reason: "test"}}
			if left, stale := guard.Check(base, res.Inventory, ack); len(left) != 0 || len(stale) != 0 {
				t.Errorf("acknowledged: left %v stale %v", left, stale)
			}
			if _, stale := guard.Check(base, synthesize(t, "prod").Inventory, ack); len(stale) != 1 {
				t.Errorf("an acknowledgement with no change is not reported stale: %v", stale)
			}
		})
	}
}

// TestProdStatefulResourcesAreProtected is the safety net: every stateful
// resource of prod is protected, the database and load balancer keep deletion
// protection, the database keeps its final snapshot, no data bucket is
// force-destroyable; and a config that turns protection off fails.
func TestProdStatefulResourcesAreProtected(t *testing.T) {
	t.Parallel()
	check := func(res *synth.Result) []string {
		var problems []string
		stateful := policy.Stateful(res.Inventory)
		kinds := map[string]bool{}
		for _, r := range stateful {
			kinds[r.Type] = true
			if !r.Protect {
				problems = append(problems, r.Name+" is not protected")
			}
			switch r.Type {
			case "aws:rds/instance:Instance":
				if v, _ := r.Bool("deletionProtection"); !v {
					problems = append(problems, r.Name+" has deletion protection off")
				}
				if v, _ := r.Bool("skipFinalSnapshot"); v || r.String("finalSnapshotIdentifier") == "" {
					problems = append(problems, r.Name+" skips its final snapshot")
				}
			case "aws:s3/bucketV2:BucketV2":
				if v, _ := r.Bool("forceDestroy"); v {
					problems = append(problems, r.Name+" can be force-destroyed with its objects")
				}
			}
		}
		for _, want := range []string{"aws:rds/instance:Instance", "aws:s3/bucketV2:BucketV2", "aws:backup/vault:Vault"} {
			if !kinds[want] {
				problems = append(problems, "no stateful "+want+" found")
			}
		}
		return problems
	}
	if p := check(synthesize(t, "prod")); len(p) != 0 {
		t.Errorf("committed prod: %s", strings.Join(p, "; "))
	}
	broken, err := withConfig(t, "prod", func(cfg map[string]string) {
		cfg["article-pipeline:protect"] = "false"
		cfg["article-pipeline:database"] = `{"deletionProtection":false}`
	})
	if err != nil {
		t.Fatal(err)
	}
	p := check(broken)
	for _, want := range []string{"database-instance is not protected", "database-instance has deletion protection off",
		"bucket-deposition-bucket is not protected", "backup-vault is not protected"} {
		if !strings.Contains(strings.Join(p, "; "), want) {
			t.Errorf("broken prod config: %q not reported (got %v)", want, p)
		}
	}
	// Held to the data-protection rules (protect: true, as prod's file says),
	// that graph fails the guardrails, naming the rules.
	rep, _ := policy.Evaluate(broken.Inventory, nil, policy.Stack{Environment: "prod", Protected: true})
	if err := rep.Err(); err == nil || !strings.Contains(err.Error(), "AP.PROTECT.1") || !strings.Contains(err.Error(), "RDS.8") {
		t.Errorf("guardrails on an unprotected prod: %v", err)
	}
}
