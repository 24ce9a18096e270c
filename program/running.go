package program

import (
	"fmt"
	"maps"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/config"
	"github.com/np-mrd/article-pipeline-infra/services"
)

// DeployedImageTagsOutput is the stack output that records, per service, the
// image tag the stack runs; the next update reads it back.
const DeployedImageTagsOutput = "deployedImageTags"

// unknownOutput is what the engine saves for an output whose value was not
// known when a targeted or excluded `up` skipped the resource behind it.
const unknownOutput = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

// DatabaseEngineVersionOutput is the stack output that records the engine
// version the database runs; the next update compares the configured one with it.
const DatabaseEngineVersionOutput = "databaseEngineVersion"

// running is what the stack runs now, read back from its own last outputs.
type running struct {
	// images is the image tag of each service that has been deployed.
	images map[string]string
	// engineVersion is the database's running version ("" when not known).
	engineVersion string
}

// readRunning reads this stack's own last outputs through a stack reference
// to itself, so what runs is state, not something a CI runner remembers: a
// plain `pulumi up` from a fresh checkout keeps every deployed image, and a
// database that RDS upgraded to a new minor is not taken back.
func readRunning(ctx *pulumi.Context, self string) (running, error) {
	now := running{images: map[string]string{}}
	ref, err := pulumi.NewStackReference(ctx, self, nil)
	if err != nil {
		return now, fmt.Errorf("reading back what %s runs: %w", self, err)
	}
	d, err := ref.GetOutputDetails(DeployedImageTagsOutput)
	if err != nil {
		return now, fmt.Errorf("reading back what %s runs: %w", self, err)
	}
	tags, _ := d.Value.(map[string]any)
	for name, v := range tags {
		// Anything else (a placeholder left by a targeted update, a hand edit)
		// is not a tag: the service counts as never deployed.
		if tag, ok := v.(string); ok && tag != unknownOutput && services.IsImageTag(tag) {
			now.images[name] = tag
		}
	}
	d, err = ref.GetOutputDetails(DatabaseEngineVersionOutput)
	if err != nil {
		return now, fmt.Errorf("reading back what %s runs: %w", self, err)
	}
	if v, ok := d.Value.(string); ok && v != unknownOutput {
		now.engineVersion = v
	}
	return now, nil
}

// resolveImages gives each service the tag it runs this time: the one its
// settings name (CI sets it for a release; a rollback sets an older one), else
// the one it runs now, else none (never deployed: it starts with 0 tasks). A
// service that depends on another waits for it only while that one does not
// run yet (the runbook orders backend before frontend for the first deploy
// only). It returns the tags to export.
func resolveImages(s *config.Settings, now running) map[string]string {
	deployed := map[string]string{}
	for _, name := range s.Services.Names() {
		svc := s.Services[name]
		if svc.Image != "" {
			continue
		}
		if svc.ImageTag == "" {
			svc.ImageTag = now.images[name]
		}
		if svc.ImageTag != "" {
			deployed[name] = svc.ImageTag
		}
		svc.DependsOn = slices.DeleteFunc(slices.Clone(svc.DependsOn), func(d string) bool { return now.images[d] != "" })
		s.Services[name] = svc
	}
	return deployed
}

// exportedTags is the deployedImageTags output: a plain map, sorted.
func exportedTags(tags map[string]string) pulumi.StringMapOutput {
	m := pulumi.StringMap{}
	for _, name := range slices.Sorted(maps.Keys(tags)) {
		m[name] = pulumi.String(tags[name])
	}
	return m.ToStringMapOutput()
}
