// Package guard is the replacement guard for stateful resources: for the
// database instance, the buckets that hold data and the backup vault it records
// the inputs whose change makes AWS replace the resource (a new, empty one),
// plus the few that change what a running resource holds without replacing it
// (Watched), and reports any change against the committed baseline that the
// stack's config does not acknowledge. It reads an inventory only.
package guard

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

// ForcesReplacement lists, per type, the inputs whose change replaces the
// resource (pulumi-aws v6 registry docs, "forces a new resource" / ForceNew in
// the provider schema). The RDS instance's dbName is left out: the program
// ignores changes to it.
var ForcesReplacement = map[string][]string{
	"aws:rds/instance:Instance": {
		"availabilityZone", "characterSetName", "customIamInstanceProfile", "dbSubnetGroupName", "engine",
		"identifier", "identifierPrefix", "kmsKeyId", "ncharCharacterSetName", "replicateSourceDb",
		"restoreToPointInTime", "s3Import", "snapshotIdentifier", "storageEncrypted", "timezone", "username",
	},
	"aws:s3/bucketV2:BucketV2":        {"bucket", "bucketPrefix", "objectLockEnabled"},
	"aws:backup/vault:Vault":          {"kmsKeyArn", "name"},
	"aws:rds/subnetGroup:SubnetGroup": {"name", "namePrefix"},
}

// Watched lists, per type, inputs whose change does not replace the resource
// but changes what the running deployment holds: a bucket's lifecycle rules
// (a new rule can expire data) and versioning (S3 can never turn it off), and
// the DB subnet group's subnets (RDS refuses to take out the instance's own
// subnet, and a change moves where the database may run). They are watched on
// the buckets that hold data or were adopted, and on every subnet group.
var Watched = map[string][]string{
	"aws:rds/subnetGroup:SubnetGroup":                                      {"subnetIds"},
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": {"rules"},
	"aws:s3/bucketVersioningV2:BucketVersioningV2":                         {"versioningConfiguration"},
}

// Baseline maps "type name" of each guarded resource to its replacement-forcing
// and watched inputs (absent inputs as null).
type Baseline map[string]map[string]any

// Acknowledgement accepts one replacement on purpose, with its reason.
type Acknowledgement struct {
	Resource string `json:"resource"` // logical name
	Property string `json:"property"` // input name
	Reason   string `json:"reason"`
}

// Change is one replacement-forcing input that differs from the baseline.
type Change struct {
	Type, Resource, Property string
	Old, New                 any
}

func (c Change) String() string {
	effect := "AWS replaces it (a new, empty resource)"
	if !slices.Contains(ForcesReplacement[c.Type], c.Property) {
		effect = "it changes what the running resource holds"
	}
	return fmt.Sprintf("%s %q: %s changes from %s to %s: %s", c.Type, c.Resource, c.Property, show(c.Old),
		show(c.New), effect)
}

func show(v any) string {
	if v == nil {
		return "(unset)"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// guarded reports whether r is a stateful resource the guard watches: every
// RDS instance, DB subnet group and backup vault, every bucket that is
// versioned, protected or adopted (the buckets that hold data, and the running
// deployment's), and the lifecycle and versioning of those buckets.
func guarded(inv *inventory.Inventory, r inventory.Resource) bool {
	_, replaces := ForcesReplacement[r.Type]
	_, watched := Watched[r.Type]
	switch {
	case !r.Custom || !replaces && !watched:
		return false
	case r.Type == bucketType:
		return dataBucket(inv, r)
	case r.Type == "aws:rds/subnetGroup:SubnetGroup" || replaces:
		return true
	}
	for _, b := range inv.OfType(bucketType) {
		if b.String("bucket") == r.String("bucket") && dataBucket(inv, b) {
			return true
		}
	}
	return false
}

const bucketType = "aws:s3/bucketV2:BucketV2"

// dataBucket reports whether bucket holds data the guard protects: protected,
// adopted, or versioned.
func dataBucket(inv *inventory.Inventory, bucket inventory.Resource) bool {
	if bucket.Protect || bucket.ImportID != "" {
		return true
	}
	for _, v := range inv.OfType("aws:s3/bucketVersioningV2:BucketVersioningV2") {
		if v.String("bucket") == bucket.String("bucket") && v.String("versioningConfiguration", "status") == "Enabled" {
			return true
		}
	}
	return false
}

// Record returns the baseline of an inventory.
func Record(inv *inventory.Inventory) Baseline {
	b := Baseline{}
	for _, r := range inv.Resources {
		if !guarded(inv, r) {
			continue
		}
		props := map[string]any{}
		for _, p := range append(slices.Clone(ForcesReplacement[r.Type]), Watched[r.Type]...) {
			props[p] = r.Inputs[p]
		}
		b[r.Type+" "+r.Name] = props
	}
	return b
}

// Check compares an inventory with the baseline. It returns the changes the
// acknowledgements do not cover, and errors for acknowledgements that match no
// change (so they are removed once the change is in the baseline). A guarded
// resource that disappeared is a change of every property to unset. Resources
// being adopted are compared too: adopting changes what the stack holds, so the
// new baseline is recorded (and reviewed) in the same change.
func Check(base Baseline, inv *inventory.Inventory, acks []Acknowledgement) (unacknowledged []Change, stale []error) {
	now := Record(inv)
	var changes []Change
	for _, key := range slices.Sorted(maps.Keys(base)) {
		typ, name, _ := strings.Cut(key, " ")
		cur := now[key]
		for _, p := range slices.Sorted(maps.Keys(base[key])) {
			var nv any
			if cur != nil {
				nv = cur[p]
			}
			if !reflect.DeepEqual(base[key][p], nv) {
				changes = append(changes, Change{Type: typ, Resource: name, Property: p, Old: base[key][p], New: nv})
			}
		}
	}
	used := make([]bool, len(acks))
	for _, c := range changes {
		covered := false
		for i, a := range acks {
			if a.Resource == c.Resource && a.Property == c.Property {
				covered, used[i] = true, true
			}
		}
		if !covered {
			unacknowledged = append(unacknowledged, c)
		}
	}
	for i, a := range acks {
		if !used[i] {
			stale = append(stale, fmt.Errorf("acknowledged replacement of %s (%s) matches no change against the "+
				"baseline; remove it (after a deployed change, record the new baseline)", a.Resource, a.Property))
		}
	}
	return unacknowledged, stale
}
