package adoptcheck

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

// binding says, for one resource type, where its live state is in the recorded
// responses and how each declared input reads there.
type binding struct {
	// live finds the live object of r. missing, when not empty, says why it
	// was not found (the import would fail); err is a response that was not
	// collected or does not decode.
	live func(c *checker, r inventory.Resource) (obj any, missing string, err error)
	// fields maps a declared input to its live value.
	fields map[string]field
	// providerOnly lists inputs AWS does not store (the provider keeps them in
	// Pulumi's state), with the provider's default: the import can only record
	// the default, so a declared value that differs shows as an update that
	// changes Pulumi's state and nothing in AWS.
	providerOnly map[string]any
	// tags returns the live tags; nil for types without tags.
	tags func(c *checker, r inventory.Resource, live any) (map[string]any, error)
	// overwrites marks a configuration an adoption may create instead of
	// import (article-pipeline:adopt.create): a create writes over a live one.
	overwrites bool
}

// field is one declared input of a binding.
type field struct {
	// live reads the value from the live object, in the declared shape; nil
	// means the input names the resource itself (bucket, name) and was
	// matched by the lookup.
	live func(obj any) any
	// norm is applied to both sides before comparing (sets, case).
	norm func(v any) any
	// replace: the provider replaces the resource when it changes.
	replace bool
	// fix names what to set instead, for a replace (config key and value).
	fix func(live any) string
	// ref is the type of the created resource the declared value comes from:
	// the rendered value then names that resource, not a mock ID.
	ref string
	// step is the guide step that applies the change, for the message.
	step string
	// check replaces the plain comparison.
	check func(c *checker, r inventory.Resource, decl, live any, obj any)
}

// the steps of docs/migration.md that apply a kept difference.
const (
	stepSecurityGroups = "the security-group step"
	stepParameterGroup = "the parameter-group step"
	stepMonitoring     = "the monitoring and log-exports step"
	stepPolicies       = "the bucket-policy step"
	stepRoutes         = "the routes step"
	stepTags           = "the tags step (tags only, no outage)"
	stepState          = "the provider-settings step"
	stepOwn            = "a targeted up of its own"
)

// resources compares every adopted resource, property by property.
func (c *checker) resources() {
	adoptedBuckets := map[string]bool{}
	for _, r := range c.inv.Resources {
		if r.Type == typeBucket && r.ImportID != "" {
			adoptedBuckets[r.ImportID] = true
		}
	}
	for _, r := range c.inv.Resources {
		if !r.Custom {
			continue
		}
		b, known := bindings[r.Type]
		switch {
		case r.ImportID != "" && !known:
			c.add(Finding{Severity: Note, Resource: r.Name, Type: r.Type,
				Message: "imported, but adopt-check does not read this type: read its line in the preview"})
			continue
		case r.ImportID == "" && known && b.overwrites && adoptedBuckets[inputString(r, "bucket")]:
			c.created(r)
			continue
		case r.ImportID == "":
			continue
		}
		c.compare(r, b)
	}
}

// configurationOps are the s3api reads of the configurations an adoption may
// create instead of import (article-pipeline:adopt.create).
var configurationOps = map[string]string{
	typePublicAccess: "get-public-access-block",
	typeLifecycle:    "get-bucket-lifecycle-configuration",
	typePolicy:       "get-bucket-policy",
}

// created checks a configuration of an adopted bucket that this graph creates
// (it is in adopt.create): fine where the bucket has none, refused where it
// has one, which the create would write over.
func (c *checker) created(r inventory.Resource) {
	bucket := inputString(r, "bucket")
	_, absent, err := c.response(BucketFile(bucket, configurationOps[r.Type]))
	switch {
	case err != nil:
		c.incomplete(r, err)
	case absent == "":
		c.refuse(r, "", fmt.Sprintf("bucket %s has this configuration, which the create would write over: remove %s "+
			"from article-pipeline:adopt.create, so it is imported", bucket, r.Name))
	default:
		c.add(Finding{Severity: Note, Resource: r.Name, Type: r.Type, Message: fmt.Sprintf("bucket %s has none (%s): "+
			"created at the first up (article-pipeline:adopt.create)", bucket, absent)})
	}
}

func inputString(r inventory.Resource, key string) string {
	s, _ := r.Inputs[key].(string)
	return s
}

// compare checks one resource against its live object.
func (c *checker) compare(r inventory.Resource, b binding) {
	obj, missing, err := b.live(c, r)
	if err != nil {
		c.incomplete(r, err)
		return
	}
	if missing != "" {
		c.refuse(r, "", missing)
		return
	}
	for _, k := range slices.Sorted(maps.Keys(r.Inputs)) {
		decl := r.Inputs[k]
		if k == "tags" {
			continue
		}
		if def, ok := b.providerOnly[k]; ok {
			if !equal(decl, def) {
				c.diff(r, k, render(def), render(decl),
					"not stored in AWS: the import records the provider's default; changing it touches Pulumi's "+
						"state only ("+stepState+")")
			}
			continue
		}
		f, ok := b.fields[k]
		switch {
		case !ok:
			c.add(Finding{Severity: Note, Resource: r.Name, Type: r.Type, Property: k, Declared: c.shown(r, decl, ""),
				Message: "not compared by adopt-check: read it in the preview"})
			continue
		case f.live == nil && f.check == nil:
			continue // the identity the lookup matched
		}
		var live any
		if f.live != nil {
			live = f.live(obj)
		}
		if f.check != nil {
			f.check(c, r, decl, live, obj)
			continue
		}
		d, l := decl, live
		if f.norm != nil {
			d, l = f.norm(d), f.norm(l)
		}
		if equal(d, l) {
			continue
		}
		if f.replace {
			msg := "differs, and a change replaces the resource"
			if f.fix != nil {
				msg += ": " + f.fix(live)
			}
			c.add(Finding{Severity: Refusal, Resource: r.Name, Type: r.Type, Property: k,
				Live: render(l), Declared: c.shown(r, d, f.ref), Message: msg})
			continue
		}
		step := f.step
		if step == "" {
			step = stepOwn
		}
		c.diff(r, k, render(l), c.shown(r, d, f.ref), "applied by "+step)
	}
	if b.tags != nil {
		c.compareTags(r, b, obj)
	}
}

// diff records a difference on r.k.
func (c *checker) diff(r inventory.Resource, k, live, decl string, msg string) {
	c.add(Finding{Severity: Difference, Resource: r.Name, Type: r.Type, Property: k, Live: live, Declared: decl,
		Message: msg, Kept: slices.Contains(r.IgnoreChanges, k)})
}

// shown renders a declared value; one that comes from a resource this program
// creates is named by that resource, since its mock ID means nothing.
func (c *checker) shown(r inventory.Resource, v any, ref string) string {
	if ref != "" {
		for _, dep := range r.DependsOn {
			if d, ok := c.inv.Find(ref, dep); ok && d.ImportID == "" {
				return "created: " + dep
			}
		}
	}
	return render(v)
}

// compareTags compares the live tags with the declared ones plus the
// provider's default tags, which the provider merges into every resource.
func (c *checker) compareTags(r inventory.Resource, b binding, obj any) {
	live, err := b.tags(c, r, obj)
	if err != nil {
		c.incomplete(r, err)
		return
	}
	want := map[string]any{}
	if p, ok := c.inv.Find("pulumi:providers:aws", r.Provider); ok {
		if m, ok := p.Get("defaultTags", "tags").(map[string]any); ok {
			maps.Copy(want, m)
		}
	}
	if m, ok := r.Inputs["tags"].(map[string]any); ok {
		maps.Copy(want, m)
	}
	for k := range live {
		// aws: tags belong to AWS (CloudFormation, Backup); the provider ignores them.
		if strings.HasPrefix(k, "aws:") {
			delete(live, k)
		}
	}
	if !equal(live, want) {
		c.diff(r, "tags", render(live), render(want), "applied by "+stepTags)
	}
}

// incomplete records a response that is missing or broken, once per file.
func (c *checker) incomplete(r inventory.Resource, err error) {
	msg := "cannot be checked: " + err.Error()
	for _, f := range c.findings {
		if f.Severity == Refusal && f.Message == msg {
			return
		}
	}
	if !errors.Is(err, errNotCollected) {
		msg = "cannot be checked: the recorded response does not decode: " + err.Error()
	}
	c.add(Finding{Severity: Refusal, Resource: r.Name, Type: r.Type, Message: msg})
}

// response reads one recorded file once.
func (c *checker) response(name string) (any, string, error) {
	if c.cache == nil {
		c.cache = map[string]cached{}
	}
	if e, ok := c.cache[name]; ok {
		return e.v, e.absent, e.err
	}
	v, absent, err := c.rs.read(name)
	c.cache[name] = cached{v, absent, err}
	return v, absent, err
}

type cached struct {
	v      any
	absent string
	err    error
}

// liveIn finds the element of a describe response's list whose key is the
// resource's import ID.
func liveIn(file, listKey, idKey, what string) func(c *checker, r inventory.Resource) (any, string, error) {
	return func(c *checker, r inventory.Resource) (any, string, error) {
		v, _, err := c.response(file)
		if err != nil {
			return nil, "", err
		}
		if m, ok := findIn(list(v, listKey), idKey, r.ImportID); ok {
			return m, "", nil
		}
		return nil, fmt.Sprintf("%s %s does not exist (not in %s): the import would fail; check the adopt ID", what, r.ImportID, file), nil
	}
}

// at reads a value at path, with a default when AWS leaves it out.
func at(def any, path ...string) func(any) any {
	return func(obj any) any {
		if v, ok := get(obj, path...); ok && v != nil {
			return v
		}
		return def
	}
}

// tagList reads AWS's [{Key, Value}] tags at key of the live object.
func tagList(key string) func(*checker, inventory.Resource, any) (map[string]any, error) {
	return func(_ *checker, _ inventory.Resource, obj any) (map[string]any, error) {
		return tagMap(list(obj, key)), nil
	}
}

// tagFile reads AWS's tags from a separate recorded response.
func tagFile(file func(r inventory.Resource) string, path ...string) func(*checker, inventory.Resource, any) (map[string]any, error) {
	return func(c *checker, r inventory.Resource, _ any) (map[string]any, error) {
		v, absent, err := c.response(file(r))
		if err != nil {
			return nil, err
		}
		if absent != "" {
			return map[string]any{}, nil
		}
		if x, ok := get(v, path...); ok {
			if m, ok := x.(map[string]any); ok {
				return maps.Clone(m), nil
			}
			if l, ok := x.([]any); ok {
				return tagMap(l), nil
			}
		}
		return map[string]any{}, nil
	}
}

func setOf(v any) any { return toAnyList(stringSet(v)) }

func lower(v any) any {
	if s, ok := v.(string); ok {
		return strings.ToLower(s)
	}
	return v
}

func fixKey(key string) func(any) string {
	return func(live any) string { return fmt.Sprintf("set %s to %s", key, render(live)) }
}
