package adoptcheck

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

// noSuchBucket is the error code every s3api read of a missing bucket records.
const noSuchBucket = "NoSuchBucket"

// liveBucket is the bucket as the object lock read describes it (the one
// bucket property that forces a replacement).
func liveBucket(c *checker, r inventory.Resource) (any, string, error) {
	v, absent, err := c.response(BucketFile(r.ImportID, "get-object-lock-configuration"))
	switch {
	case err != nil:
		return nil, "", err
	case absent == noSuchBucket:
		return nil, fmt.Sprintf("bucket %s does not exist: the import would fail; check article-pipeline:buckets.<role>.name",
			r.ImportID), nil
	}
	return map[string]any{"ObjectLockEnabled": str(v, "ObjectLockConfiguration", "ObjectLockEnabled") == "Enabled"}, "", nil
}

// liveBucketConfig reads one s3api configuration of the bucket an imported
// resource configures. When AWS answers that the bucket has none, the import
// would fail.
func liveBucketConfig(op, key string) func(*checker, inventory.Resource) (any, string, error) {
	return func(c *checker, r inventory.Resource) (any, string, error) {
		bucket := inputString(r, "bucket")
		v, absent, err := c.response(BucketFile(bucket, op))
		switch {
		case err != nil:
			return nil, "", err
		case absent == noSuchBucket:
			return nil, fmt.Sprintf("bucket %s does not exist", bucket), nil
		case absent != "":
			return nil, fmt.Sprintf("bucket %s has no such configuration (%s): the import would fail; add %s to "+
				"article-pipeline:adopt.create, so the program creates it at its step", bucket, absent, r.Name), nil
		case key != "":
			x, _ := get(v, key)
			return x, "", nil
		}
		return v, "", nil
	}
}

// encryptionRules is the live default encryption in the provider's shape.
func encryptionRules(obj any) any {
	var out []any
	for _, rule := range list(obj, "Rules") {
		def := map[string]any{"sseAlgorithm": str(rule, "ApplyServerSideEncryptionByDefault", "SSEAlgorithm")}
		if k := str(rule, "ApplyServerSideEncryptionByDefault", "KMSMasterKeyID"); k != "" {
			def["kmsMasterKeyId"] = k
		}
		key, _ := get(rule, "BucketKeyEnabled")
		if key == nil {
			key = false
		}
		out = append(out, map[string]any{"applyServerSideEncryptionByDefault": def, "bucketKeyEnabled": key})
	}
	return out
}

// versioningOf is the live versioning in the provider's shape; a bucket that
// was never versioned has no status.
func versioningOf(obj any) any {
	out := map[string]any{}
	if s := str(obj, "Status"); s != "" {
		out["status"] = s
	}
	if s := str(obj, "MFADelete"); s != "" {
		out["mfaDelete"] = s
	}
	return out
}

// checkVersioning refuses to turn versioning on for a bucket that never had
// it: S3 can suspend versioning but never turn it off again.
func checkVersioning(c *checker, r inventory.Resource, decl, live, _ any) {
	want := str(decl, "status")
	have := str(live, "status")
	if want == have || (want == "Suspended" && have == "") {
		return
	}
	if want == "Enabled" && have == "" {
		c.add(Finding{Severity: Refusal, Resource: r.Name, Type: r.Type, Property: "versioningConfiguration",
			Live: "never enabled", Declared: render(decl),
			Message: "enabling versioning cannot be undone (S3 can only suspend it): set versioning: false for this " +
				"bucket in article-pipeline:buckets, or enable it deliberately before adopting"})
		return
	}
	msg := "applied by " + stepOwn
	if want == "Suspended" {
		msg += "; AWS Backup for S3 needs versioning on a backed-up bucket"
	}
	c.diff(r, "versioningConfiguration", render(live), render(decl), msg)
}

// checkLifecycle compares lifecycle rules by ID: a lifecycle configuration is
// written whole, so a live rule the program does not declare is deleted.
func checkLifecycle(c *checker, r inventory.Resource, decl, live, _ any) {
	want := rulesByID(decl, false)
	have := rulesByID(live, true)
	var lines []string
	for _, id := range sortedUnion(want, have) {
		w, inW := want[id]
		h, inH := have[id]
		switch {
		case inW && inH && !equal(w, h):
			lines = append(lines, fmt.Sprintf("rule %q: live %s, declared %s", id, render(h), render(w)))
		case inH && !inW:
			lines = append(lines, fmt.Sprintf("rule %q only live: the program's configuration deletes it (%s)", id, render(h)))
		case inW && !inH:
			lines = append(lines, fmt.Sprintf("rule %q declared only: added (%s)", id, render(w)))
		}
	}
	if len(lines) == 0 {
		return
	}
	c.diff(r, "rules", count(len(have), "rule"), count(len(want), "rule"),
		"applied by "+stepPolicies+": "+strings.Join(lines, "; "))
}

// rulesByID normalises lifecycle rules, live (AWS's PascalCase) or declared
// (the provider's camelCase), to one shape keyed by rule ID, leaving out
// empty values the two sides spell differently (an empty filter or prefix).
func rulesByID(v any, awsShape bool) map[string]any {
	out := map[string]any{}
	l, _ := v.([]any)
	for i, rule := range l {
		if awsShape {
			rule = camel(rule)
		}
		m, ok := pruned(rule).(map[string]any)
		if !ok {
			continue
		}
		id, _ := m["id"].(string)
		if id == "" {
			id = fmt.Sprintf("#%d", i+1)
		}
		delete(m, "id")
		out[id] = m
	}
	return out
}

// camel renames AWS's PascalCase keys to the provider's camelCase ("ID" ->
// "id", "NoncurrentDays" -> "noncurrentDays").
func camel(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range t {
			out[camelKey(k)] = camel(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = camel(e)
		}
		return out
	}
	return v
}

func camelKey(k string) string {
	r := []rune(k)
	i := 0
	for i < len(r) && unicode.IsUpper(r[i]) {
		i++
	}
	switch {
	case i == 0:
		return k
	case i == len(r) || i == 1:
		// "ID" -> "id"; "Days" -> "days"
	default:
		i-- // "SSEAlgorithm" -> "sseAlgorithm": the last capital starts the next word
	}
	return strings.ToLower(string(r[:i])) + string(r[i:])
}

// pruned drops nil, "", false, 0 and empty maps and lists, recursively: the
// provider's unset lifecycle fields and AWS's left-out ones mean the same.
func pruned(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range t {
			if p := pruned(e); p != nil {
				out[k] = p
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case []any:
		var out []any
		for _, e := range t {
			if p := pruned(e); p != nil {
				out = append(out, p)
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case string:
		if t == "" {
			return nil
		}
	case bool:
		if !t {
			return nil
		}
	case float64:
		if t == 0 {
			return nil
		}
	}
	return v
}

func sortedUnion(a, b map[string]any) []string {
	var out []string
	for k := range a {
		out = append(out, k)
	}
	for k := range b {
		out = append(out, k)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
