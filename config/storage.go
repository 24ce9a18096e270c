package config

import (
	"encoding/json"
	"maps"
	"slices"

	"github.com/np-mrd/article-pipeline-infra/internal/check"
	"github.com/np-mrd/article-pipeline-infra/storage"
)

// defaultBuckets are the runbook's buckets, of which a stack has the
// deposition bucket unless its stack file says otherwise; protect is the
// stack's article-pipeline:protect, which the deposition bucket follows.
func defaultBuckets(env string, protect bool) storage.Buckets {
	b := storage.Runbook(env)
	d := b[storage.RoleDeposition]
	d.Enabled, d.Protect = true, protect
	b[storage.RoleDeposition] = d
	return b
}

// parseBuckets reads article-pipeline:buckets. Each entry is read over the
// runbook's bucket of that role (a new role starts empty and must give name,
// envVar and publicAccess) and is enabled unless it says enabled: false.
func parseBuckets(value, env string, protect bool, p *check.Problems) storage.Buckets {
	k := key("buckets")
	buckets := defaultBuckets(env, protect)
	var entries map[string]json.RawMessage
	if !decodeOver(p, k, value, &entries) {
		return buckets
	}
	for _, role := range slices.Sorted(maps.Keys(entries)) {
		bk := k + "." + role
		if !storage.RolePattern.MatchString(role) {
			p.Add(bk, "%q is not a bucket role; expected a camelCase word such as deposition or rssArchive", role)
			continue
		}
		b, known := buckets[role]
		if !known && !hasFields(p, bk, entries[role], "required: %q is not one of the runbook's buckets (%s)", role,
			check.Quoted(slices.Sorted(maps.Keys(storage.Runbook(env))))) {
			continue // the rules of an incomplete bucket would only repeat what is missing
		}
		b.Enabled = true
		if decodeOver(p, bk, string(entries[role]), &b) {
			buckets[role] = b
		}
	}
	p.Join(buckets.Validate(k))
	maps.DeleteFunc(buckets, func(_ string, b storage.Settings) bool { return !b.Enabled })
	return buckets
}

// hasFields reports whether the object raw (the entry at k) sets name, envVar
// and publicAccess, naming each missing one with the message format.
func hasFields(p *check.Problems, k string, raw json.RawMessage, format string, args ...any) bool {
	var given map[string]json.RawMessage
	if json.Unmarshal(raw, &given) != nil {
		return true // decodeOver names what is wrong with it
	}
	ok := true
	for _, field := range []string{"name", "envVar", "publicAccess"} {
		if _, set := given[field]; !set {
			p.Add(k+"."+field, format, args...)
			ok = false
		}
	}
	return ok
}
