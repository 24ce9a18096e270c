// Package guard is the replacement guard for stateful resources: for the
// database instance, the buckets that hold data and the backup vault it records
// the inputs whose change makes AWS replace the resource (a new, empty one), and
// reports any change against the committed baseline that the stack's config
// does not acknowledge. It reads an inventory only.
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

// Baseline maps "type name" of each guarded resource to its replacement-forcing
// inputs (absent inputs as null).
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
	return fmt.Sprintf("%s %q: %s changes from %s to %s: AWS replaces it (a new, empty resource)",
		c.Type, c.Resource, c.Property, show(c.Old), show(c.New))
}

func show(v any) string {
	if v == nil {
		return "(unset)"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// guarded reports whether r is a stateful resource the guard watches: every
// RDS instance, DB subnet group and backup vault, and every bucket that is
// versioned or protected (the buckets that hold data).
func guarded(inv *inventory.Inventory, r inventory.Resource) bool {
	if _, ok := ForcesReplacement[r.Type]; !ok || !r.Custom {
		return false
	}
	if r.Type != "aws:s3/bucketV2:BucketV2" {
		return true
	}
	if r.Protect {
		return true
	}
	for _, v := range inv.OfType("aws:s3/bucketVersioningV2:BucketVersioningV2") {
		if v.String("bucket") == r.String("bucket") && v.String("versioningConfiguration", "status") == "Enabled" {
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
		for _, p := range ForcesReplacement[r.Type] {
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
