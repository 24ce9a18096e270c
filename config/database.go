package config

import (
	"github.com/np-mrd/article-pipeline-infra/bastion"
	"github.com/np-mrd/article-pipeline-infra/database"
	"github.com/np-mrd/article-pipeline-infra/internal/check"
)

// parseDatabase reads article-pipeline:database over the runbook's defaults
// for an instance named identifier. protect is article-pipeline:protect: a
// protected database keeps its final snapshot and AWS deletion protection.
func parseDatabase(value, identifier string, protect bool, p *check.Problems) database.Settings {
	k := key("database")
	d := database.Defaults(identifier)
	if !decodeOver(p, k, value, &d) || !d.Enabled {
		return d
	}
	p.Join(d.Validate(k))
	if d.SkipFinalSnapshot && protect {
		p.Add(k+".skipFinalSnapshot", "cannot be true while %s is true; a protected database always keeps a "+
			"final snapshot", key("protect"))
	}
	if !d.DeletionProtection && protect {
		p.Add(k+".deletionProtection", "cannot be false while %s is true; a protected database keeps AWS "+
			"deletion protection too (Security Hub RDS.8)", key("protect"))
	}
	return d
}

// parseBastion reads article-pipeline:bastion. The bastion exists for the
// database tunnel, so it needs the database.
func parseBastion(value string, db database.Settings, p *check.Problems) bastion.Settings {
	k := key("bastion")
	b := bastion.Defaults()
	if !decodeOver(p, k, value, &b) || !b.Enabled {
		return b
	}
	p.Join(b.Validate(k))
	if !db.Enabled {
		p.Add(k+".enabled", "the bastion tunnels to the database, but %s.enabled is false", key("database"))
	}
	return b
}

// tunnelThroughBastion points the database bootstrap at the bastion's port
// forward when the stack has one and the stack file names no other tunnel, so
// every `up` (CI opens the forward; a person runs tunnelCommand) connects the
// same way and the provider's host never shows as a change.
func tunnelThroughBastion(d *database.Settings, b bastion.Settings) {
	if b.Enabled && d.Bootstrap && d.TunnelHost == "" {
		d.TunnelHost, d.TunnelPort = "localhost", b.LocalPort
	}
}
