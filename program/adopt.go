package program

import (
	"slices"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/backup"
	"github.com/np-mrd/article-pipeline-infra/config"
	"github.com/np-mrd/article-pipeline-infra/database"
	"github.com/np-mrd/article-pipeline-infra/internal/adopt"
	"github.com/np-mrd/article-pipeline-infra/internal/check"
	"github.com/np-mrd/article-pipeline-infra/parameters"
	"github.com/np-mrd/article-pipeline-infra/storage"
	"github.com/np-mrd/article-pipeline-infra/vpc"
)

// importedResources lists every resource the stack imports, with the logical
// names the components give them: what adopt.keep entries may name
// (TestKeepNamesWhatTheGraphImports holds it to the synthesized graph).
func importedResources(s *config.Settings) []adopt.Resource {
	a := s.Adopt
	var out []adopt.Resource
	if a.Network != nil && s.SharedStack == "" {
		out = append(out, vpc.Imported("network", a.Network, len(s.Network.PublicSubnets))...)
	}
	if s.Database.Enabled {
		out = append(out, database.Imported("database", a.Database)...)
	}
	for _, role := range s.Buckets.Roles() {
		if slices.Contains(a.Buckets, role) {
			out = append(out, storage.Imported(bucketName(role), s.Buckets[role], a.Create)...)
		}
	}
	out = append(out, parameters.Imported("parameters", a.Parameters)...)
	if s.Backup.Enabled {
		out = append(out, backup.Imported("backup", a.Backup)...)
	}
	return out
}

// checkAdoption checks adopt.keep and adopt.create against what the stack
// imports, before anything is declared: a keep entry that names nothing (or a
// misspelt property) would keep nothing, and the first up would change the
// running resource.
func checkAdoption(s *config.Settings) error {
	k := config.Namespace + ":adopt"
	var p check.Problems
	p.Join(s.Adopt.Keep.Validate(k+".keep", importedResources(s)))
	var configurations []string
	for _, role := range s.Buckets.Roles() {
		if !slices.Contains(s.Adopt.Buckets, role) {
			continue
		}
		for _, r := range storage.Configurations(bucketName(role), s.Buckets[role]) {
			configurations = append(configurations, r.Name)
		}
	}
	for i, name := range s.Adopt.Create {
		if !slices.Contains(configurations, name) {
			expected := "none: no bucket is adopted"
			if len(configurations) > 0 {
				expected = "one of " + strings.Join(configurations, ", ")
			}
			p.Add(check.Index(k+".create", i), "%q is not a configuration of an adopted bucket; expected %s", name,
				expected)
		}
	}
	return p.Err()
}

// bucketName is the component name of the bucket of a role (bucket-django-static).
func bucketName(role string) string { return "bucket-" + kebab(role) }
