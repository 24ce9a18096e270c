package program_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/internal/mock"
	"github.com/np-mrd/article-pipeline-infra/inventory"
)

// deployProd synthesizes prod as a second `up` sees it: deployed is what its
// last outputs say runs now, tags what this run's config sets.
func deployProd(t *testing.T, deployed map[string]any, tags map[string]string) *inventory.Inventory {
	t.Helper()
	return deployImages(t, "prod", deployed, func(cfg map[string]string) {
		if len(tags) == 0 {
			return
		}
		services := `{"nertool":{"enabled":true},"mltool":{"enabled":true},` +
			`"backend":{"serviceUrls":{"NER_TOOL_URL":"nertool","ML_TOOL_URL":"mltool"}`
		for _, name := range slices.Sorted(maps.Keys(tags)) {
			if name == "backend" {
				services += `,"imageTag":"` + tags[name] + `"`
			}
		}
		services += `}`
		for _, name := range slices.Sorted(maps.Keys(tags)) {
			if name != "backend" {
				services += `,"` + name + `":{"enabled":true,"imageTag":"` + tags[name] + `"}`
			}
		}
		cfg["article-pipeline:services"] = services + `}`
	})
}

// deployImages runs stack as an `up` sees it when its last outputs say the
// images in deployed run (nil: never deployed); edit changes its config.
func deployImages(t *testing.T, stack string, deployed map[string]any, edit func(cfg map[string]string)) *inventory.Inventory {
	t.Helper()
	var last map[string]any
	if deployed != nil {
		last = map[string]any{"deployedImageTags": deployed}
	}
	res, err := redeploy(t, stack, last, edit)
	if err != nil {
		t.Fatal(err)
	}
	return res.Inventory
}

// image and count of one service as declared.
func imageAndCount(t *testing.T, inv *inventory.Inventory, svc string) (string, float64) {
	t.Helper()
	c := parseContainers(t, mustFind(t, inv, typeTaskDefinition, svc+"-taskdef"))[0]
	count, _ := mustFind(t, inv, "aws:ecs/service:Service", svc+"-service").Get("desiredCount").(float64)
	return c.Image[strings.LastIndex(c.Image, ":")+1:], count
}

// TestAPlainUpKeepsWhatRuns: without tags in config (a manual `pulumi up`
// from a fresh checkout), every service keeps the image it runs and its task
// count; a tag in config wins (a release or a rollback); a service never
// deployed starts with 0 tasks; a placeholder a targeted update left is no tag.
func TestAPlainUpKeepsWhatRuns(t *testing.T) {
	t.Parallel()
	running := map[string]any{"backend": "v41", "frontend": "v41", "nertool": "n7",
		"mltool": "04da6b54-80e4-46f7-96ec-b56ff0331ba9"}

	inv := deployProd(t, running, nil)
	for svc, want := range map[string]string{"backend": "v41", "frontend": "v41", "nertool": "n7"} {
		if tag, count := imageAndCount(t, inv, svc); tag != want || count != 1 {
			t.Errorf("plain up: %s runs %q with %v tasks; want %q with 1", svc, tag, count, want)
		}
	}
	if tag, count := imageAndCount(t, inv, "mltool"); tag != "not-deployed" || count != 0 {
		t.Errorf("plain up: mltool (placeholder output) runs %q with %v tasks; want none", tag, count)
	}
	want := map[string]any{"backend": "v41", "frontend": "v41", "nertool": "n7"}
	if got := inv.Outputs["deployedImageTags"]; !maps.Equal(got.(map[string]any), want) {
		t.Errorf("deployedImageTags = %v, want %v", got, want)
	}

	release := deployProd(t, running, map[string]string{"backend": "v42", "frontend": "v42"})
	for svc, want := range map[string]string{"backend": "v42", "frontend": "v42", "nertool": "n7"} {
		if tag, _ := imageAndCount(t, release, svc); tag != want {
			t.Errorf("release: %s runs %q, want %q", svc, tag, want)
		}
	}

	fresh := deployProd(t, nil, nil)
	for _, svc := range []string{"backend", "frontend", "nertool", "mltool"} {
		if tag, count := imageAndCount(t, fresh, svc); tag != "not-deployed" || count != 0 {
			t.Errorf("fresh: %s runs %q with %v tasks; want no image and 0 tasks", svc, tag, count)
		}
	}
}

// TestFrontendWaitsForTheBackendOnlyOnTheFirstDeploy: the runbook orders the
// backend before the frontend for the initial deployment only; once the backend
// runs, a release rolls both at once.
func TestFrontendWaitsForTheBackendOnlyOnTheFirstDeploy(t *testing.T) {
	t.Parallel()
	waits := func(inv *inventory.Inventory) bool {
		backend := "backend-service"
		for _, d := range mustFind(t, inv, "aws:ecs/service:Service", "frontend-service").DependsOn {
			if d == backend {
				return true
			}
		}
		return false
	}
	tags := map[string]string{"backend": "v1", "frontend": "v1"}
	if !waits(deployProd(t, nil, tags)) {
		t.Error("first deploy: the frontend does not wait for the backend")
	}
	if waits(deployProd(t, map[string]any{"backend": "v1", "frontend": "v1"}, map[string]string{"backend": "v2",
		"frontend": "v2"})) {
		t.Error("release: the frontend still waits for a running backend")
	}
}

// deployDevelopment synthesizes development (against the committed prod) as
// an `up` sees it: deployed is what its last outputs say runs now, tag what
// this run's config sets for both services ("" for none).
func deployDevelopment(t *testing.T, deployed map[string]any, tag string) *inventory.Inventory {
	t.Helper()
	return deployImages(t, "development", deployed, func(cfg map[string]string) {
		if tag == "" {
			return
		}
		editValue(t, cfg, servicesConfigKey, func(svcs map[string]map[string]any) any {
			for _, svc := range svcs {
				svc["imageTag"] = tag
			}
			return svcs
		})
	})
}

// TestWorkingHoursOwnTheCountOnceDevelopmentRuns: development's working
// hours stay suspended until its first deploy, which sets the count and the
// bounds; after it, an up (a release, a plain up at night) leaves both to the
// scheduled actions.
func TestWorkingHoursOwnTheCountOnceDevelopmentRuns(t *testing.T) {
	t.Parallel()
	const target = "aws:appautoscaling/target:Target"
	for _, tc := range []struct {
		name       string
		deployed   map[string]any
		tag        string
		count, max float64
		suspended  bool
		ignored    bool
	}{
		{name: "committed, never deployed", count: 0, max: 0, suspended: true},
		{name: "first deploy", tag: "v1", count: 1, max: 1},
		{name: "release", deployed: map[string]any{"backend": "v1", "frontend": "v1"}, tag: "v2", count: 1, max: 1,
			ignored: true},
		{name: "plain up", deployed: map[string]any{"backend": "v1", "frontend": "v1"}, count: 1, max: 1, ignored: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inv := deployDevelopment(t, tc.deployed, tc.tag)
			for _, svc := range []string{"backend", "frontend"} {
				s := mustFind(t, inv, typeECSService, svc+"-service")
				tg := mustFind(t, inv, target, svc+"-scaling-target")
				suspended, _ := tg.Bool("suspendedState", "scheduledScalingSuspended")
				if n, _ := s.Get("desiredCount").(float64); n != tc.count || number(tg, "maxCapacity") != tc.max ||
					suspended != tc.suspended {
					t.Errorf("%s: desiredCount %v, target max %v, suspended %v; want %v, %v, %v", svc, n,
						number(tg, "maxCapacity"), suspended, tc.count, tc.max, tc.suspended)
				}
				wantService, wantTarget := []string{}, []string{}
				if tc.ignored {
					wantService, wantTarget = []string{"desiredCount"}, []string{"minCapacity", "maxCapacity"}
				}
				if !slices.Equal(s.IgnoreChanges, wantService) || !slices.Equal(tg.IgnoreChanges, wantTarget) {
					t.Errorf("%s: the service ignores %v, the target %v; want %v, %v", svc, s.IgnoreChanges,
						tg.IgnoreChanges, wantService, wantTarget)
				}
			}
		})
	}
}

// TestTheStackReadsItselfBeforeDeclaringAnything: the self reference is the
// first resource of an update. With a file backend (and any backend that is not
// atomic per object) a read that overlaps another step's state write can see
// half a file, so nothing else is declared until it has been read.
func TestTheStackReadsItselfBeforeDeclaringAnything(t *testing.T) {
	for _, stack := range []string{"prod", "development"} {
		res := synthesize(t, stack)
		first := res.Monitor.Resources()[0]
		if first.Type != mock.StackReferenceType || first.Name != "organization/article-pipeline/"+stack {
			t.Errorf("%s: first resource is %s %s, want the stack's reference to itself", stack, first.Type, first.Name)
		}
	}
}
