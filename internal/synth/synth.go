// Package synth runs the real program function for one committed stack under
// the shared mocks and returns its resource inventory: what `pulumi preview`
// would show, without AWS or the Pulumi CLI. Stack references to another stack of
// this project are answered with that stack's own synthesized outputs.
package synth

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/config"
	"github.com/np-mrd/article-pipeline-infra/internal/mock"
	"github.com/np-mrd/article-pipeline-infra/inventory"
	"github.com/np-mrd/article-pipeline-infra/program"
)

// Result is one synthesized stack: its inventory and the monitor that recorded it.
type Result struct {
	// Stack is the config the program ran with.
	Stack     *Stack
	Inventory *inventory.Inventory
	Monitor   *mock.Monitor
	// Outputs holds the stack outputs with secrets unwrapped, for stacks that
	// reference this one; never print it.
	Outputs       map[string]any
	SecretOutputs []string
}

// Synthesize runs the program for stack, whose config files are in dir.
func Synthesize(dir, stack string) (*Result, error) {
	return synthesize(dir, stack, nil)
}

func synthesize(dir, stack string, seen []string) (*Result, error) {
	if slices.Contains(seen, stack) {
		return nil, fmt.Errorf("stack references form a cycle: %s", strings.Join(append(seen, stack), " -> "))
	}
	st, err := LoadStack(dir, stack)
	if err != nil {
		return nil, err
	}
	refs, err := referencedStacks(dir, st, append(seen, stack))
	if err != nil {
		return nil, err
	}
	return Run(st, refs)
}

// referencedStacks synthesizes the stack this one names in sharedStack.
func referencedStacks(dir string, st *Stack, seen []string) (map[string]*Result, error) {
	refs := map[string]*Result{}
	k := st.Project + ":sharedStack"
	ref := st.Config[k]
	if ref == "" {
		return refs, nil
	}
	name := config.StackName(Organization, st.Project, ref)
	parts := strings.Split(name, "/")
	if len(parts) != 3 || parts[0] != Organization || parts[1] != st.Project {
		return nil, fmt.Errorf("%s: %q is not a stack of project %s; the synth can only answer references "+
			"to stacks with a Pulumi.<stack>.yaml here", k, ref, st.Project)
	}
	r, err := synthesize(dir, parts[2], seen)
	if err != nil {
		return nil, fmt.Errorf("%s: synthesizing %s: %w", k, name, err)
	}
	refs[name] = r
	return refs, nil
}

// Organization is the organization the SDK reports without a Pulumi Cloud
// backend, as the synth runs.
const Organization = "organization"

// Run synthesizes one stack whose config is already loaded; refs answers its
// stack references by name.
func Run(st *Stack, refs map[string]*Result) (*Result, error) {
	// The whole stack file first: the program reads only the keys it knows
	// under mocks (the engine passes it the rest in PULUMI_CONFIG).
	if _, err := st.Settings(); err != nil {
		return nil, err
	}
	opts := mock.Options{
		Project: st.Project, Stack: st.Name, Config: st.Config, SecretKeys: st.SecretKeys,
		Region:        regionOf(st),
		StackOutputs:  map[string]map[string]any{},
		SecretOutputs: map[string][]string{},
	}
	for name, r := range refs {
		opts.StackOutputs[name] = r.Outputs
		opts.SecretOutputs[name] = r.SecretOutputs
	}
	// The program reads back what the stack runs from its own last outputs:
	// none for a stack never deployed, else what the caller says it deployed.
	self := Organization + "/" + st.Project + "/" + st.Name
	opts.StackOutputs[self] = st.Deployed
	if opts.StackOutputs[self] == nil {
		opts.StackOutputs[self] = map[string]any{}
	}
	var mu sync.Mutex
	var resolved sync.WaitGroup
	values := map[string]any{}
	var outs map[string]pulumi.Output
	m, err := mock.Run(opts, func(ctx *pulumi.Context) error {
		o, err := program.Run(ctx)
		if err != nil {
			return err
		}
		outs = o.Map()
		for name, out := range outs {
			resolved.Add(1)
			out.ApplyT(func(v any) any {
				mu.Lock()
				values[name] = v
				mu.Unlock()
				resolved.Done()
				return v
			})
		}
		return nil
	})
	if err != nil {
		return nil, unwrapRun(err)
	}
	// Outputs built from plain values are not tracked by the run, so wait for
	// their applies here; under mocks every output resolves.
	done := make(chan struct{})
	go func() { resolved.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		return nil, fmt.Errorf("stack %s: some outputs never resolved", st.Name)
	}
	res := &Result{Stack: st, Monitor: m, Outputs: map[string]any{}}
	inv := &inventory.Inventory{Project: st.Project, Stack: st.Name, Outputs: map[string]any{}}
	for _, name := range slices.Sorted(maps.Keys(outs)) {
		v := plainOutput(values[name])
		res.Outputs[name] = v
		if pulumi.IsSecret(outs[name]) {
			res.SecretOutputs = append(res.SecretOutputs, name)
			inv.Outputs[name] = inventory.Secret
		} else {
			inv.Outputs[name] = v
		}
	}
	inv.Resources = resources(m)
	res.Inventory = inv
	return res, nil
}

func regionOf(st *Stack) string {
	if r := st.Config["aws:region"]; r != "" {
		return r
	}
	return "us-west-2"
}

// plainOutput turns a resolved output value into JSON-friendly values.
func plainOutput(v any) any {
	switch t := v.(type) {
	case []string:
		out := make([]any, len(t))
		for i, s := range t {
			out[i] = s
		}
		return out
	case map[string]string:
		out := map[string]any{}
		for k, s := range t {
			out[k] = s
		}
		return out
	case pulumi.ID:
		return string(t)
	case pulumi.URN:
		return string(t)
	}
	return v
}

// resources converts the monitor's records into inventory resources, sorted by
// logical name and type so the printed inventory is stable.
func resources(m *mock.Monitor) []inventory.Resource {
	recs := m.Resources()
	out := make([]inventory.Resource, 0, len(recs))
	for _, r := range recs {
		ir := inventory.Resource{
			Type: r.Type, Name: r.Name, Custom: r.Custom && !r.Read,
			Inputs:              mock.PlainMap(r.Inputs, true),
			Protect:             r.Protect,
			RetainOnDelete:      r.RetainOnDelete,
			ImportID:            r.ImportID,
			DependsOn:           []string{},
			IgnoreChanges:       append([]string{}, r.IgnoreChanges...),
			DeleteBeforeReplace: r.DeleteBeforeReplace,
		}
		if p := resource.URN(r.ParentURN); p != "" && p.QualifiedType() != resource.RootStackType {
			ir.Parent, ir.ParentType = p.Name(), string(p.Type())
		}
		if i := strings.LastIndex(r.Provider, "::"); i > 0 {
			ir.Provider = resource.URN(r.Provider[:i]).Name()
		}
		for _, d := range r.DependsOn {
			ir.DependsOn = append(ir.DependsOn, resource.URN(d).Name())
		}
		slices.Sort(ir.DependsOn)
		ir.DependsOn = slices.Compact(ir.DependsOn)
		out = append(out, ir)
	}
	slices.SortStableFunc(out, func(a, b inventory.Resource) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Type, b.Type)
	})
	return out
}

// unwrapRun drops the "1 error occurred" wrapper the Pulumi SDK puts around a
// program's error, so a config error reads as itself.
func unwrapRun(err error) error {
	var multi interface{ WrappedErrors() []error }
	if errors.As(err, &multi) {
		if errs := multi.WrappedErrors(); len(errs) == 1 {
			return errs[0]
		}
	}
	return err
}
