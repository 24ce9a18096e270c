package config

import (
	"encoding/json"
	"maps"
	"slices"

	"github.com/np-mrd/article-pipeline-infra/backup"
	"github.com/np-mrd/article-pipeline-infra/database"
	"github.com/np-mrd/article-pipeline-infra/internal/adopt"
	"github.com/np-mrd/article-pipeline-infra/internal/check"
	"github.com/np-mrd/article-pipeline-infra/parameters"
	"github.com/np-mrd/article-pipeline-infra/vpc"
)

// Adopt is article-pipeline:adopt, the one place that names resources that
// already exist (made by the console or Copilot) and are imported instead of
// created.
type Adopt struct {
	Network  *vpc.ImportIDs     `json:"network"`
	Database *database.Adoption `json:"database"`
	// Buckets lists the roles of buckets that already exist (import ID = name).
	Buckets []string `json:"buckets"`
	// Parameters lists the NAMEs of parameters that already exist under this
	// stack's path (import ID = the full parameter name).
	Parameters []string         `json:"parameters"`
	Backup     *backup.Adoption `json:"backup"`
	// Keep names, per imported resource, the properties the import leaves as
	// they are (ignoreChanges) until the migration step that takes each over;
	// the preflight (cmd/adopt-check) prints the list that makes the first up a
	// zero-change import. The program checks every entry against the resources
	// it imports before declaring any.
	Keep adopt.Keep `json:"keep"`
	// Create names the configurations of adopted buckets (policy, public access
	// block, lifecycle) that do not exist yet: they are created at their step
	// instead of imported (importing what does not exist fails).
	Create []string `json:"create"`
}

// retiredFields are the second ways to adopt a resource that article-pipeline:adopt
// replaced: two keys for one import once lost an import ID (the running
// database would have been created anew).
var retiredFields = map[string]map[string]string{
	"database": {"instanceImportId": "adopt.database.instanceId", "subnetGroupImportId": "adopt.database.subnetGroupName"},
	"backup":   {"vaultImportId": "adopt.backup.vaultName", "planImportId": "adopt.backup.planId"},
}

// checkRetired names a retired adoption field where a stack file still sets it.
func checkRetired(raw Raw, p *check.Problems) {
	for _, k := range slices.Sorted(maps.Keys(retiredFields)) {
		var fields map[string]json.RawMessage
		if json.Unmarshal([]byte(raw.Values[key(k)]), &fields) != nil {
			continue
		}
		for _, f := range slices.Sorted(maps.Keys(fields)) {
			if to, retired := retiredFields[k][f]; retired {
				p.Add(key(k)+"."+f, "is no longer read; adopt with %s (one key per adopted resource)", key(to))
			}
		}
	}
	var buckets map[string]map[string]json.RawMessage
	if json.Unmarshal([]byte(raw.Values[key("buckets")]), &buckets) == nil {
		for _, role := range slices.Sorted(maps.Keys(buckets)) {
			if _, set := buckets[role]["adopt"]; set {
				p.Add(key("buckets")+"."+role+".adopt", "is no longer read; list the role in %s (one key per "+
					"adopted resource)", key("adopt.buckets"))
			}
		}
	}
}

// parseAdopt reads article-pipeline:adopt and checks each ID against the
// settings of what it adopts.
func parseAdopt(value string, s *Settings, p *check.Problems) Adopt {
	k := key("adopt")
	var a Adopt
	if !decodeOver(p, k, value, &a) {
		return a
	}
	if a.Network != nil {
		p.Join(a.Network.Validate(k+".network", len(s.Network.PublicSubnets)))
		if s.SharedStack != "" {
			p.Add(k+".network", "cannot adopt a VPC while %s names a stack that owns it; set one or the other",
				key("sharedStack"))
		}
	}
	if a.Database != nil {
		if !s.Database.Enabled {
			p.Add(k+".database", "names a database to adopt but %s.enabled is false", key("database"))
		} else {
			p.Join(a.Database.Validate(k+".database", s.Database))
		}
		// The adopted instance ignores engineVersion while the keep list names
		// anything: an upgrade asked for then would silently not happen.
		if a.Database.InstanceID != "" && a.Keep.Open() && s.Database.AllowMajorUpgrade {
			p.Add(key("database")+".allowMajorUpgrade", "cannot be true while %s lists anything: the adopted "+
				"instance keeps its engine version until the adoption is closed; upgrade after it (docs/operations.md, "+
				"\"Major version upgrade\")", k+".keep")
		}
	}
	for i, role := range a.Buckets {
		b, ok := s.Buckets[role]
		switch {
		case !ok:
			p.Add(check.Index(k+".buckets", i), "%q is not a bucket role of this stack; expected one of %s",
				role, check.Quoted(s.Buckets.Roles()))
		case b.Shared && s.SharedStack != "":
			p.Add(check.Index(k+".buckets", i), "%q is owned by %s; adopt it in that stack", role, s.SharedStack)
		}
	}
	for i, name := range a.Parameters {
		if _, ok := s.Parameters.Values[name]; !ok && !slices.Contains(parameters.Generated, name) {
			p.Add(check.Index(k+".parameters", i), "%q is not a declared parameter (%s) nor a generated one (%s)",
				name, key("parameters"), check.Quoted(parameters.Generated))
		}
	}
	if a.Backup != nil {
		if !s.Backup.Enabled {
			p.Add(k+".backup", "names a vault or plan to adopt but %s.enabled is false", key("backup"))
		}
		before := len(*p)
		p.Join(a.Backup.Validate(k+".backup", s.Backup))
		// The live plan's schedule and retention replace the settings'. The
		// schedule is checked against the declared windows once the adoption is
		// closed: while it is open, the instance may keep its live windows.
		s.Backup = a.Backup.Apply(s.Backup)
		if a.Backup.Schedule != "" && len(*p) == before && !a.Keep.Open() {
			checkClear(p, k+".backup.schedule", a.Backup.Schedule, databaseBusy(s.Database))
		}
	}
	return a
}
