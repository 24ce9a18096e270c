package mock

import (
	"context"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Options describe one mocked run.
type Options struct {
	Project string // default "article-pipeline"
	Stack   string // default "test"
	Region  string // default "us-west-2"
	// Config is the stack config, keyed "namespace:key"; objects as JSON.
	Config map[string]string
	// SecretKeys lists the Config keys that are secret.
	SecretKeys []string
	// StackOutputs answers stack references by name (org/project/stack).
	StackOutputs map[string]map[string]any
	// SecretOutputs lists, per stack reference name, the outputs that are secret.
	SecretOutputs map[string][]string
}

// Run runs fn under a fresh Monitor and returns the monitor (with everything
// recorded, even on error) and fn's error. It waits for every registration and
// apply to finish, as `pulumi up` would.
func Run(o Options, fn pulumi.RunFunc) (*Monitor, error) {
	if o.Project == "" {
		o.Project = "article-pipeline"
	}
	if o.Stack == "" {
		o.Stack = "test"
	}
	if o.Region == "" {
		o.Region = "us-west-2"
	}
	m := New(o.Project, o.Stack, o.Region)
	m.StackOutputs = stackOutputs(o.StackOutputs, o.SecretOutputs)
	ctx, err := pulumi.NewContext(context.Background(), pulumi.RunInfo{
		Project: o.Project, Stack: o.Stack, Config: o.Config, ConfigSecretKeys: o.SecretKeys, Mocks: m,
	})
	if err != nil {
		return m, err
	}
	defer ctx.Close()
	return m, pulumi.RunWithContext(ctx, fn)
}
