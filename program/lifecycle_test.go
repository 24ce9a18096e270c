package program_test

import (
	"slices"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/internal/synth"
)

// redeploy runs the program for a committed stack as a later `up` sees it:
// deployed is what its last outputs say runs now; edit changes its config.
func redeploy(t *testing.T, stack string, deployed map[string]any, edit func(cfg map[string]string)) (*synth.Result,
	error) {
	t.Helper()
	return runStack(t, stack, func(st *synth.Stack) {
		st.Deployed = deployed
		if edit != nil {
			edit(st.Config)
		}
	})
}

// TestTheRunningEngineVersionIsReadBack: the stack exports the version the
// database runs, and the next up compares the configured one with it. A
// minor RDS applied itself is never taken back; a new major needs
// allowMajorUpgrade and is refused, naming the key, before anything is declared.
func TestTheRunningEngineVersionIsReadBack(t *testing.T) {
	t.Parallel()
	first := synthesize(t, "prod")
	if v := first.Inventory.Outputs["databaseEngineVersion"]; v != "17.4" {
		t.Errorf("databaseEngineVersion output = %v, want the instance's full version 17.4", v)
	}
	running := map[string]any{"databaseEngineVersion": "17.6"}

	res, err := redeploy(t, "prod", running, nil)
	if err != nil {
		t.Fatal(err)
	}
	inst := mustFind(t, res.Inventory, "aws:rds/instance:Instance", "database-instance")
	if !slices.Contains(inst.IgnoreChanges, "engineVersion") || inst.Get("allowMajorVersionUpgrade") != false {
		t.Errorf("after RDS's minor upgrade: ignoreChanges %v, allowMajorVersionUpgrade %v", inst.IgnoreChanges,
			inst.Get("allowMajorVersionUpgrade"))
	}

	_, err = redeploy(t, "prod", running, func(cfg map[string]string) {
		cfg["article-pipeline:database"] = `{"engineVersion":"18"}`
	})
	const want = `article-pipeline:database.engineVersion: "18" is a major upgrade of the running 17.6; set ` +
		`article-pipeline:database.allowMajorUpgrade: true to upgrade on purpose (docs/operations.md, "Major version upgrade")`
	if err == nil || err.Error() != want {
		t.Fatalf("accidental major upgrade: err = %v\nwant %s", err, want)
	}

	res, err = redeploy(t, "prod", running, func(cfg map[string]string) {
		cfg["article-pipeline:database"] = `{"engineVersion":"18","allowMajorUpgrade":true,"applyImmediately":true}`
	})
	if err != nil {
		t.Fatal(err)
	}
	inst = mustFind(t, res.Inventory, "aws:rds/instance:Instance", "database-instance")
	params := mustFind(t, res.Inventory, "aws:rds/parameterGroup:ParameterGroup", "database-params")
	if slices.Contains(inst.IgnoreChanges, "engineVersion") || inst.Get("allowMajorVersionUpgrade") != true ||
		inst.Get("applyImmediately") != true || params.String("family") != "postgres18" || !params.RetainOnDelete {
		t.Errorf("deliberate upgrade: ignoreChanges %v, allowMajorVersionUpgrade %v, applyImmediately %v, family %s, "+
			"retainOnDelete %v", inst.IgnoreChanges, inst.Get("allowMajorVersionUpgrade"), inst.Get("applyImmediately"),
			params.String("family"), params.RetainOnDelete)
	}
}

// TestAutoscalingOwnsTheCount: a running service with autoscaling leaves
// desiredCount to the scaler; a service that runs nothing yet takes it from
// the settings, so the up that deploys its first image starts it.
func TestAutoscalingOwnsTheCount(t *testing.T) {
	t.Parallel()
	scaled := func(cfg map[string]string) {
		cfg["article-pipeline:services"] = `{"backend":{"serviceUrls":{"NER_TOOL_URL":"nertool","ML_TOOL_URL":"mltool"},` +
			`"imageTag":"v42","autoscaling":{"min":1,"max":4}},"nertool":{"enabled":true},"mltool":{"enabled":true},` +
			`"frontend":{"imageTag":"v42"}}`
	}
	first, err := redeploy(t, "prod", nil, scaled)
	if err != nil {
		t.Fatal(err)
	}
	again, err := redeploy(t, "prod", map[string]any{"deployedImageTags": map[string]any{"backend": "v41",
		"frontend": "v41"}}, scaled)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		res     *synth.Result
		svc     string
		wantKey bool
	}{
		{first, "backend", false},  // its first image: the count must rise from 0
		{again, "backend", true},   // running, with autoscaling
		{again, "frontend", false}, // running, fixed count
	} {
		svc := mustFind(t, tc.res.Inventory, "aws:ecs/service:Service", tc.svc+"-service")
		if got := slices.Contains(svc.IgnoreChanges, "desiredCount"); got != tc.wantKey {
			t.Errorf("%s (deployed %v): ignores desiredCount %v, want %v", tc.svc, tc.res.Stack.Deployed != nil,
				got, tc.wantKey)
		}
		if n, _ := svc.Get("desiredCount").(float64); n != 1 {
			t.Errorf("%s: desiredCount %v, want 1", tc.svc, svc.Get("desiredCount"))
		}
	}
}

// TestSharedURLMustExist: a sharedUrls output the shared stack does not export
// stops the program naming the key, before anything is declared.
func TestSharedURLMustExist(t *testing.T) {
	t.Parallel()
	prod := synthesize(t, "prod")
	st, err := synth.LoadStack(projectDir, "development")
	if err != nil {
		t.Fatal(err)
	}
	st.Config["article-pipeline:services"] = `{"backend":{"sharedUrls":{"NER_TOOL_URL":"nertoolUrl","ML_TOOL_URL":"mltoolsUrl"}}}`
	_, err = synth.Run(st, map[string]*synth.Result{"organization/article-pipeline/prod": prod})
	const want = `article-pipeline:services.backend.sharedUrls.ML_TOOL_URL: the shared stack ` +
		`organization/article-pipeline/prod has no output "mltoolsUrl"`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
}

// TestDevelopmentSaysNoneForTheBucketsItLacks: the runbook's "None" where a
// variable is empty in an environment, as the application expects.
func TestDevelopmentSaysNoneForTheBucketsItLacks(t *testing.T) {
	t.Parallel()
	env := containerEnvironment(t, parseContainers(t, mustFind(t, synthesize(t, "development").Inventory,
		typeTaskDefinition, "backend-taskdef"))[0])
	for v, want := range map[string]string{"S3_RSS_INGESTION_ARCHIVE_URL": "None", "DEPOSITON_CHART_BUCKET": "None",
		"COMPOUND_BUCKET_V3": "article-pipeline-deposition-development", "HOME": "/tmp"} {
		if env[v] != want {
			t.Errorf("development backend %s = %q, want %q", v, env[v], want)
		}
	}
}

// TestZonesAreCheckedWithAWSAtUp: a zone the offline table knows but AWS does
// not list for the account stops the program, naming the key, before the
// network is declared (the mock lists a..d).
func TestZonesAreCheckedWithAWSAtUp(t *testing.T) {
	t.Parallel()
	_, err := withConfig(t, "prod", func(cfg map[string]string) {
		cfg["aws:region"] = "us-east-1"
		cfg["article-pipeline:network"] = `{"availabilityZones":["us-east-1a","us-east-1e"]}`
	})
	const want = `article-pipeline:network.availabilityZones[1]: "us-east-1e" is not an available zone of us-east-1 in ` +
		`this account; AWS lists us-east-1a, us-east-1b, us-east-1c, us-east-1d`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
}
