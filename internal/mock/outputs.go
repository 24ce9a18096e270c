package mock

import (
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Outputs captures the values of a component's outputs during a run so a test
// can read them afterwards: Capture each output inside the run function, read
// it once Run has returned. A read first waits for every captured output to
// settle (Run does not wait for an apply on an output no resource feeds). The
// zero value is ready to use.
type Outputs struct {
	mu      sync.Mutex
	values  map[string]any
	outputs map[string]pulumi.Output
	applied []pulumi.Output
}

// Capture records o's value under name when it resolves.
func (c *Outputs) Capture(name string, o pulumi.Output) {
	c.mu.Lock()
	if c.outputs == nil {
		c.outputs, c.values = map[string]pulumi.Output{}, map[string]any{}
	}
	c.outputs[name] = o
	c.mu.Unlock()
	applied := o.ApplyT(func(v any) any {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.values[name] = v
		return v
	})
	c.mu.Lock()
	c.applied = append(c.applied, applied)
	c.mu.Unlock()
}

// CaptureFields captures every exported pulumi.Output field of a component
// (a struct or a pointer to one) that is set, under its pulumi tag name (the
// field name where it has none).
func (c *Outputs) CaptureFields(component any) {
	v := reflect.Indirect(reflect.ValueOf(component))
	outputType := reflect.TypeFor[pulumi.Output]()
	for i := range v.NumField() {
		f, fv := v.Type().Field(i), v.Field(i)
		if !f.IsExported() || !f.Type.Implements(outputType) || unset(fv) {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("pulumi"), ",")
		if name == "" {
			name = f.Name
		}
		c.Capture(name, fv.Interface().(pulumi.Output))
	}
}

// unset reports whether an output field is its zero value (no state to apply).
func unset(v reflect.Value) bool {
	if v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
		return v.IsNil()
	}
	return v.Kind() == reflect.Struct && v.NumField() > 0 && v.Field(0).Kind() == reflect.Pointer && v.Field(0).IsNil()
}

// settle waits until every captured output has been applied, or has failed or
// stayed unknown (then it has no value).
func (c *Outputs) settle() {
	c.mu.Lock()
	applied := slices.Clone(c.applied)
	c.mu.Unlock()
	for _, o := range applied {
		pulumi.IsSecret(o) // awaits o
	}
}

// Get returns the value captured under name, and whether there is one.
func (c *Outputs) Get(name string) (any, bool) {
	c.settle()
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.values[name]
	return v, ok
}

// Value returns the value captured under name, failing t unless there is one.
func (c *Outputs) Value(t testing.TB, name string) any {
	t.Helper()
	v, ok := c.Get(name)
	if !ok {
		t.Fatalf("output %s was not captured or never resolved", name)
	}
	return v
}

// String returns the value captured under name as a string (of any string
// type, such as pulumi.ID), failing t unless it is one.
func (c *Outputs) String(t testing.TB, name string) string {
	t.Helper()
	v := c.Value(t, name)
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || rv.Kind() != reflect.String {
		t.Fatalf("output %s is %T, want a string", name, v)
	}
	return rv.String()
}

// Strings returns the strings captured under each name, by name (see String).
func (c *Outputs) Strings(t testing.TB, names ...string) map[string]string {
	t.Helper()
	out := make(map[string]string, len(names))
	for _, n := range names {
		out[n] = c.String(t, n)
	}
	return out
}

// Secret reports whether the output captured under name is secret, failing t
// unless one was captured. Call it after Run has returned.
func (c *Outputs) Secret(t testing.TB, name string) bool {
	t.Helper()
	c.mu.Lock()
	o, ok := c.outputs[name]
	c.mu.Unlock()
	if !ok {
		t.Fatalf("output %s was not captured", name)
	}
	return pulumi.IsSecret(o)
}
