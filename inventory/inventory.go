// Package inventory is the recorded resource graph of one stack, as the offline
// synth prints it and as the policy rules read it: plain values only, secrets
// already replaced by "[secret]".
package inventory

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Secret is the placeholder for a secret value anywhere in an inventory.
const Secret = "[secret]"

// Inventory is everything one run of the program declared.
type Inventory struct {
	Project   string         `json:"project"`
	Stack     string         `json:"stack"`
	Resources []Resource     `json:"resources"`
	Outputs   map[string]any `json:"outputs"`
}

// Resource is one declared resource with its inputs and the options that matter.
type Resource struct {
	Type           string         `json:"type"`
	Name           string         `json:"name"`
	Parent         string         `json:"parent"`     // the parent's logical name; "" for the stack
	ParentType     string         `json:"parentType"` // the parent's type token; "" for the stack
	Custom         bool           `json:"custom"`     // false for components and reads
	Inputs         map[string]any `json:"inputs"`
	Protect        bool           `json:"protect"`
	RetainOnDelete bool           `json:"retainOnDelete"`
	ImportID       string         `json:"importId"`
	DependsOn      []string       `json:"dependsOn"` // logical names, sorted
	IgnoreChanges  []string       `json:"ignoreChanges"`
	// DeleteBeforeReplace is set where a replacement deletes the old resource
	// before creating the new one (shown only when set).
	DeleteBeforeReplace bool `json:"deleteBeforeReplace,omitempty"`
	// Provider is the logical name of the provider resource that manages it
	// ("aws" for the program's explicit provider, "default_..." for a default one).
	Provider string `json:"provider"`
}

// OfType returns the resources of one type token, in inventory order.
func (inv *Inventory) OfType(typ string) []Resource {
	var out []Resource
	for _, r := range inv.Resources {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// Find returns the resource with this type and logical name.
func (inv *Inventory) Find(typ, name string) (Resource, bool) {
	for _, r := range inv.Resources {
		if r.Type == typ && r.Name == name {
			return r, true
		}
	}
	return Resource{}, false
}

// String returns the input at a dotted path ("tags.app", "vpcConfig.subnetIds")
// as a string, or "" when it is missing or not a string.
func (r Resource) String(path ...string) string {
	s, _ := r.Get(path...).(string)
	return s
}

// Bool returns the boolean input at path, and whether it was set.
func (r Resource) Bool(path ...string) (bool, bool) {
	b, ok := r.Get(path...).(bool)
	return b, ok
}

// Get returns the input at path (map keys, or list indexes given as ints in
// string form are not supported: lists are returned whole).
func (r Resource) Get(path ...string) any {
	var cur any = r.Inputs
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}

// Number returns the input at path as a number, and whether it is one (see
// AsNumber).
func (r Resource) Number(path ...string) (float64, bool) {
	return AsNumber(r.Get(path...))
}

// AsNumber reads an input value as a number: a JSON number, or a number
// written as a string (ECS task definitions take cpu and memory as strings).
func AsNumber(v any) (float64, bool) {
	switch t := v.(type) {
	case float64:
		return t, true
	case int:
		return float64(t), true
	case int64:
		return float64(t), true
	case json.Number:
		f, err := t.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		return f, err == nil
	}
	return 0, false
}

// List returns the list input at path, or nil when it is missing or not a list.
func (r Resource) List(path ...string) []any {
	l, _ := r.Get(path...).([]any)
	return l
}

// Strings returns the input at path as strings (see AsStrings).
func (r Resource) Strings(path ...string) []string { return AsStrings(r.Get(path...)) }

// AsStrings reads a value as strings: the string elements of a list, or a
// single string as one element (as IAM writes Action and Resource).
func AsStrings(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []string:
		return t
	case []any:
		var out []string
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// HasName reports whether physical is r's physical name: the value of the
// input that sets the name when it is set, otherwise Pulumi's auto-name of r
// (its logical name, a dash and seven hex digits), which is what the synth's
// mocks give it. Other resources refer to r by that name (an ECS service's
// cluster ARN ends with the cluster's).
func (r Resource) HasName(input, physical string) bool {
	if physical == "" {
		return false
	}
	if n := r.String(input); n != "" {
		return n == physical
	}
	rest, ok := strings.CutPrefix(physical, r.Name+"-")
	if !ok || len(rest) != 7 {
		return false
	}
	for _, c := range rest {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}
