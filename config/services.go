package config

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/internal/check"
	"github.com/np-mrd/article-pipeline-infra/parameters"
	"github.com/np-mrd/article-pipeline-infra/services"
	"github.com/np-mrd/article-pipeline-infra/storage"
)

// parseDomain reads article-pipeline:domain.
func parseDomain(value string, p *check.Problems) services.DomainSettings {
	k := key("domain")
	d := services.DefaultDomain()
	if !decodeOver(p, k, value, &d) {
		return d
	}
	d.Name, d.ZoneName = strings.TrimSuffix(d.Name, "."), strings.TrimSuffix(d.ZoneName, ".")
	p.Join(d.Validate(k))
	return d
}

// parsePlatform reads article-pipeline:platform.
func parsePlatform(value string, p *check.Problems) services.PlatformSettings {
	return parseSettings("platform", value, services.DefaultPlatform(), alwaysOn, p)
}

// ServicesContext is what reading article-pipeline:services needs from the
// rest of the settings.
type ServicesContext struct {
	Environment string
	Domain      services.DomainSettings
	// Parameters are the declared parameter NAMEs (DATABASE_URL always counts).
	Parameters []string
	// Buckets maps each bucket role this stack has to the variable that
	// receives its name.
	Buckets map[string]string
	// SharedListener puts the rules on the shared stack's HTTPS listener
	// (platform.sharedLoadBalancer): limited to the domain, numbered 1..99.
	SharedListener bool
}

// parseServices reads article-pipeline:services over the runbook's services
// (the backend and the frontend; the NER and ML tools when a stack file
// names them). Each entry is read over the service of that name (a new name
// starts from services.Base and must give a port) and is enabled unless it is
// null or says enabled: false.
func parseServices(value string, c ServicesContext, p *check.Problems) services.Services {
	k := key("services")
	all := services.Runbook(slices.Sorted(maps.Keys(storage.Runbook(c.Environment))), parameters.DatabaseURL)
	var entries map[string]json.RawMessage
	if !decodeOver(p, k, value, &entries) {
		return all
	}
	given := map[string]map[string]json.RawMessage{}
	for _, name := range slices.Sorted(maps.Keys(entries)) {
		sk := k + "." + name
		if !services.NamePattern.MatchString(name) {
			p.Add(sk, "%q is not a service name; expected 1 to 21 lower-case letters, digits and dashes, "+
				"starting with a letter (target group names are limited to 32 characters)", name)
			continue
		}
		svc, known := all[name]
		if string(entries[name]) == "null" {
			svc.Enabled = false
			all[name] = svc
			continue
		}
		var fields map[string]json.RawMessage
		_ = json.Unmarshal(entries[name], &fields) // decodeOver names a value that is not an object
		given[name] = fields
		if !known {
			svc = services.Base()
			if _, ok := fields["port"]; !ok {
				p.Add(sk+".port", "required: %q is not one of the default services", name)
				continue
			}
		}
		svc.Enabled = true
		if decodeOver(p, sk, string(entries[name]), &svc) {
			all[name] = svc
		}
	}
	runbook := storage.Runbook(c.Environment)
	for name, svc := range all {
		// A default grant on a bucket this stack does not have is dropped (a
		// development stack has no charts bucket); a configured one is an error.
		// The bucket's variable is still set, to "None": the runbook's value for
		// "empty in this environment", which the application checks for.
		if _, set := given[name]["buckets"]; !set {
			for _, role := range slices.Sorted(maps.Keys(svc.Buckets)) {
				if _, ok := c.Buckets[role]; ok {
					continue
				}
				delete(svc.Buckets, role)
				if v := runbook[role].EnvVar; v != "" && !claims(svc, v) {
					svc.Environment = maps.Clone(svc.Environment)
					if svc.Environment == nil {
						svc.Environment = map[string]string{}
					}
					svc.Environment[v] = parameters.Empty
				}
			}
		}
		// Without an egress list, a stack without a domain also needs plain HTTP:
		// services reach each other through the load balancer's http:// URLs.
		if _, set := given[name]["egressPorts"]; !set && !c.Domain.Enabled() && !slices.Contains(svc.EgressPorts, 80) {
			svc.EgressPorts = append([]int{80}, svc.EgressPorts...)
		}
		all[name] = svc
	}
	if c.SharedListener && c.Domain.Enabled() {
		all.ShareListener(c.Domain.Name)
		p.Join(all.ValidateSharedListener(k))
	} else {
		all.AssignPriorities()
	}
	p.Join(all.Validate(k))
	maps.DeleteFunc(all, func(_ string, s services.Settings) bool { return !s.Enabled })
	checkServiceWiring(all, c, p)
	return all
}

// checkServiceWiring checks what services take from other keys: declared
// parameters, the stack's buckets (and their variables), hosts in the domain.
func checkServiceWiring(all services.Services, c ServicesContext, p *check.Problems) {
	k := key("services")
	declared := append([]string{parameters.DatabaseURL}, c.Parameters...)
	for _, name := range all.Names() {
		svc, sk := all[name], k+"."+name
		for i, secret := range svc.Secrets {
			if !slices.Contains(declared, secret) {
				p.Add(check.Index(sk+".secrets", i), "%q is not a declared parameter; expected one of %s "+
					"(article-pipeline:parameters)", secret, strings.Join(slices.Sorted(slices.Values(declared)), ", "))
			}
		}
		seen := map[string]string{}
		for _, v := range svc.Variables(sk) {
			seen[v[0]] = v[1]
		}
		for _, role := range slices.Sorted(maps.Keys(svc.Buckets)) {
			bk := sk + ".buckets." + role
			v, ok := c.Buckets[role]
			if !ok {
				p.Add(bk, "%q is not a bucket of this stack; expected one of %s (article-pipeline:buckets)", role,
					strings.Join(slices.Sorted(maps.Keys(c.Buckets)), ", "))
				continue
			}
			services.ClaimVariable(p, seen, bk, v)
		}
		for i, h := range svc.Hosts {
			if problem := c.Domain.HostProblem(h); problem != "" {
				p.Add(check.Index(sk+".hosts", i), "%s", problem)
			}
		}
	}
}

// claims reports whether the service already sets variable v itself.
func claims(svc services.Settings, v string) bool {
	for _, claim := range svc.Variables("") {
		if claim[0] == v {
			return true
		}
	}
	return false
}
