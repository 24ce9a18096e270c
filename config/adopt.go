package config

import (
	"slices"

	"github.com/np-mrd/article-pipeline-infra/backup"
	"github.com/np-mrd/article-pipeline-infra/internal/check"
	"github.com/np-mrd/article-pipeline-infra/parameters"
)

// applyAdoption carries the adopt section into the settings of what it names,
// so each component gets its import IDs, and checks that each name exists.
func applyAdoption(s *Settings, p *check.Problems) {
	k := key("adopt")
	for i, role := range s.Adopt.Buckets {
		b, ok := s.Buckets[role]
		switch {
		case !ok:
			p.Add(check.Index(k+".buckets", i), "%q is not a bucket role of this stack; expected one of %s",
				role, check.Quoted(s.Buckets.Roles()))
		case b.Shared && s.SharedStack != "":
			p.Add(check.Index(k+".buckets", i), "%q is owned by %s; adopt it in that stack", role, s.SharedStack)
		default:
			b.Adopt = true
			s.Buckets[role] = b
		}
	}
	for i, name := range s.Adopt.Parameters {
		if _, ok := s.Parameters.Values[name]; !ok && !slices.Contains(parameters.Generated, name) {
			p.Add(check.Index(k+".parameters", i), "%q is not a declared parameter (%s) nor a generated one (%s)",
				name, key("parameters"), check.Quoted(parameters.Generated))
		}
	}
	if id := s.Adopt.DatabaseInstance; id != "" || s.Adopt.DatabaseSubnetGroup != "" {
		switch {
		case !s.Database.Enabled:
			p.Add(k+".database", "names a database to adopt but %s.enabled is false", key("database"))
		case id != "" && id != s.Database.Identifier:
			p.Add(k+".database.instanceId", "%q differs from %s.identifier %q; set the identifier to the running "+
				"instance's, or a new instance would be created beside it", id, key("database"), s.Database.Identifier)
		}
		s.Database.InstanceImportID = id
		s.Database.SubnetGroupImportID = s.Adopt.DatabaseSubnetGroup
	}
	if s.Adopt.BackupVault != "" || s.Adopt.BackupPlanID != "" {
		if !s.Backup.Enabled {
			p.Add(k+".backup", "names a vault or plan to adopt but %s.enabled is false", key("backup"))
		}
		if v := s.Adopt.BackupVault; v != "" {
			if v != s.Backup.VaultName {
				p.Add(k+".backup.vaultName", "%q differs from %s.vaultName %q; set the vault name to the existing "+
					"vault's, or a new vault would replace it", v, key("backup"), s.Backup.VaultName)
			}
			s.Backup.VaultImportID = v
		}
		if id := s.Adopt.BackupPlanID; id != "" {
			if !backup.IsPlanID(id) {
				p.Add(k+".backup.planId", "%q is not a backup plan ID (a UUID); find it with "+
					"`aws backup list-backup-plans`", id)
			}
			s.Backup.PlanImportID = id
		}
	}
}
