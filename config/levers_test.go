package config

import (
	"slices"
	"strings"
	"testing"
)

// TestDevelopmentTurnsTheLeversOn: development's committed file states every
// cost lever of issue 14; prod states none.
func TestDevelopmentTurnsTheLeversOn(t *testing.T) {
	t.Parallel()
	dev := mustParse(t, stackRaw("development"))
	pl := dev.Platform
	if !pl.SharedLoadBalancer || pl.ContainerInsights || !pl.FargateSpot.Enabled || pl.FargateSpot.OnDemandBase != 0 ||
		!pl.WorkingHours.Enabled || pl.WorkingHours.TimeZone != "America/Los_Angeles" {
		t.Errorf("development platform = %+v", pl)
	}
	if dev.Database.InstanceClass != "db.t4g.micro" || dev.Domain.Name != "development.npdeposition.org" ||
		dev.SharedStack != "organization/article-pipeline/prod" {
		t.Errorf("development: class %s, domain %q, shared stack %q", dev.Database.InstanceClass, dev.Domain.Name,
			dev.SharedStack)
	}
	for _, name := range []string{"backend", "frontend"} {
		if svc := dev.Services[name]; svc.CPUArchitecture != "ARM64" {
			t.Errorf("development %s architecture %s", name, svc.CPUArchitecture)
		}
	}
	prod := mustParse(t, stackRaw("prod"))
	if pl := prod.Platform; pl.SharedLoadBalancer || !pl.ContainerInsights || pl.FargateSpot.Enabled ||
		pl.WorkingHours.Enabled || prod.Database.InstanceClass != "db.t3.small" {
		t.Errorf("prod turns a lever on: platform %+v, class %s", pl, prod.Database.InstanceClass)
	}
	for _, name := range prod.Services.Names() {
		if svc := prod.Services[name]; svc.CPUArchitecture != "X86_64" || len(svc.Hosts) != 0 || svc.Priority < 100 {
			t.Errorf("prod %s: architecture %s, hosts %v, priority %d", name, svc.CPUArchitecture, svc.Hosts,
				svc.Priority)
		}
	}
}

func TestSharedLoadBalancerNeedsItsOwnerAndAHost(t *testing.T) {
	t.Parallel()
	const k = "article-pipeline:platform.sharedLoadBalancer"
	for _, tc := range []struct {
		name string
		kv   []string // "key", "" drops the key
		want []string
	}{
		{"no shared stack", []string{"article-pipeline:sharedStack", ""}, []string{
			k + ": true, but article-pipeline:sharedStack is not set; expected the stack whose load balancer to " +
				"share, such as prod"}},
		{"no domain", []string{"article-pipeline:domain", `{"name": "", "zoneName": ""}`}, []string{
			k + ": true, but article-pipeline:domain.name is not set; expected the host this stack serves on the " +
				"shared HTTPS listener, such as development.npdeposition.org"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			raw := stackRaw("development", tc.kv...)
			if tc.kv[1] == "" {
				delete(raw.Values, tc.kv[0])
			}
			_, err := Parse(raw)
			if err == nil {
				t.Fatal("accepted")
			}
			got := strings.Split(err.Error(), "\n")
			if !slices.Equal(got, tc.want) {
				t.Errorf("errors = %q\nwant %q", got, tc.want)
			}
		})
	}
}
