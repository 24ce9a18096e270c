// Package config reads every stack setting once into typed structs, applies the
// runbook's values as defaults and validates them before any resource is
// declared. Load is the only code that touches Pulumi config; Parse does the rest
// as a pure function, so every rule can be table-tested without Pulumi.
package config

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Namespace is the project's config namespace (the project name).
const Namespace = "article-pipeline"

// Keys lists every project key Load reads, without the namespace. A key in the
// stack file that is not listed here is an error (a typo must not pass as a
// default). Pulumi.yaml declares the same keys.
var Keys = []string{
	"environment", "application", "protect", "sharedStack", "network", "adopt", "buckets", "policy",
	"parameters", "parameterPath", "backup", "delivery",
	"database", "bastion", "domain", "platform", "services", "databaseMasterPassword",
	"cost",
}

// ProviderKeys lists the provider keys Load reads.
var ProviderKeys = []string{"aws:region"}

// Settings is the whole typed, validated configuration of one stack.
type Settings struct {
	Project string
	Stack   string
	// Environment is the Copilot-style environment name (development, prod); it
	// names SSM parameter paths and the environment tag.
	Environment string
	// Application is the Copilot application name used in parameter paths and tags.
	Application string
	Region      string
	// Protect marks stateful resources (database, deposition bucket, vault) protected.
	Protect bool
	// SharedStack is the stack reference (org/project/stack) that owns the shared
	// VPC; empty means this stack creates (or adopts) its own.
	SharedStack string
	Network     Network
	Adopt       Adopt
	// Buckets are the stack's S3 buckets keyed by role (deposition, djangoStatic, ...).
	Buckets map[string]Bucket
	// Policy holds the stack's waivers of guardrail rules, each with its reason.
	Policy Policy
	// Parameters maps an application secret's NAME to its value ("None" when it
	// is empty for this environment). Values are secret: never print them.
	Parameters map[string]string
	// ParameterPath is the first part of every parameter name (/copilot).
	ParameterPath string
	Backup        Backup
	Delivery      Delivery
	Database      Database
	// DatabaseMasterPassword is the running instance's master password when it
	// is adopted (secret; empty: generated). Never print it.
	DatabaseMasterPassword string
	Bastion                Bastion
	// Domain is the team's domain (HTTPS); empty Name serves plain HTTP.
	Domain   Domain
	Platform Platform
	Services Services
}

// Network is the VPC layout. The defaults are the runbook's console settings.
type Network struct {
	// Enabled is false for a stack with no network of its own and no shared one
	// (a personal sandbox that holds only a bucket).
	Enabled bool
	CIDR    string
	// AvailabilityZones is empty to use the first zones the region offers.
	AvailabilityZones []string
	PublicSubnets     []string
	PrivateSubnets    []string
	// NamePrefix is the console's "Name tag auto-generation" prefix.
	NamePrefix               string
	S3GatewayEndpoint        bool
	LockDefaultSecurityGroup bool
}

// Adopt holds IDs of resources that already exist (created by the console or
// Copilot) and are imported instead of created.
type Adopt struct {
	Network *NetworkIDs
	// Buckets lists the roles of buckets that already exist (import ID = name).
	Buckets []string
	// Parameters lists the NAMEs of parameters that already exist under this
	// stack's path (import ID = the full parameter name).
	Parameters []string
	// DatabaseInstance (the RDS identifier) and DatabaseSubnetGroup (its DB subnet
	// group's name) adopt the console-made database.
	DatabaseInstance    string
	DatabaseSubnetGroup string
	// BackupVault and BackupPlanID adopt the console-made vault (by name) and plan (by ID).
	BackupVault  string
	BackupPlanID string
}

// NetworkIDs are the IDs of an existing VPC and what the console wizard made with it.
type NetworkIDs struct {
	VpcID                string
	InternetGatewayID    string
	PublicSubnetIDs      []string
	PrivateSubnetIDs     []string
	PublicRouteTableID   string
	PrivateRouteTableIDs []string
}

// Raw is a stack's config as Pulumi hands it to the program: every value a
// string (objects and arrays as JSON), keyed "namespace:key".
type Raw struct {
	Project string
	Stack   string
	Values  map[string]string
	Secret  map[string]bool
}

// Load reads the stack's config from ctx and parses it. It declares nothing.
func Load(ctx *pulumi.Context) (*Settings, error) {
	raw := Raw{Project: ctx.Project(), Stack: ctx.Stack(), Values: map[string]string{}, Secret: map[string]bool{}}
	for _, k := range append(namespaced(Keys), ProviderKeys...) {
		if v, ok := ctx.GetConfig(k); ok {
			raw.Values[k] = v
			raw.Secret[k] = ctx.IsConfigSecret(k)
		}
	}
	return Parse(raw)
}

func namespaced(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = Namespace + ":" + k
	}
	return out
}

// problems collects every config error so one run reports them all.
type problems []error

func (p *problems) add(key, format string, args ...any) {
	*p = append(*p, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
}

func (p problems) err() error { return errors.Join(p...) }

// key returns the user-facing name of a project key.
func key(k string) string { return Namespace + ":" + k }

var (
	stackRefPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)
	envPattern      = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}$`)
	regionPattern   = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]$`)
)

// Parse turns raw config into Settings, or returns an error that lists every
// problem, each naming its key.
func Parse(raw Raw) (*Settings, error) {
	var p problems
	v := func(k string) (string, bool) {
		s, ok := raw.Values[k]
		return s, ok && s != ""
	}
	known := map[string]bool{}
	for _, k := range append(namespaced(Keys), ProviderKeys...) {
		known[k] = true
	}
	for _, k := range slices.Sorted(mapKeys(raw.Values)) {
		if strings.HasPrefix(k, Namespace+":") && !known[k] {
			p.add(k, "unknown key; expected one of %s", strings.Join(Keys, ", "))
		}
	}

	s := &Settings{Project: raw.Project, Stack: raw.Stack, Environment: raw.Stack, Application: "article-pipeline",
		Region: "us-west-2"}
	if e, ok := v(key("environment")); ok {
		s.Environment = e
	}
	if !envPattern.MatchString(s.Environment) {
		p.add(key("environment"), "%q is not a valid environment name; expected lower-case letters, digits and "+
			"dashes, starting with a letter (it comes from the stack name unless set)", s.Environment)
	}
	if a, ok := v(key("application")); ok {
		s.Application = a
	}
	if !envPattern.MatchString(s.Application) {
		p.add(key("application"), "%q is not a valid application name; expected lower-case letters, digits "+
			"and dashes, starting with a letter", s.Application)
	}
	if r, ok := v("aws:region"); ok {
		s.Region = r
	}
	if !regionPattern.MatchString(s.Region) {
		p.add("aws:region", "%q is not an AWS region name such as us-west-2", s.Region)
	}
	s.Protect = s.Environment == "prod"
	if b, ok := v(key("protect")); ok {
		pv, err := strconv.ParseBool(b)
		if err != nil {
			p.add(key("protect"), "%q is not a boolean; expected true or false", b)
		}
		s.Protect = pv
	}
	if ref, ok := v(key("sharedStack")); ok {
		if !stackRefPattern.MatchString(ref) {
			p.add(key("sharedStack"), "%q is not a stack reference; expected ORGANIZATION/PROJECT/STACK, "+
				"e.g. organization/article-pipeline/prod", ref)
		}
		s.SharedStack = ref
	}

	s.Network = parseNetwork(raw.Values[key("network")], s.Region, &p)
	s.Adopt = parseAdopt(raw.Values[key("adopt")], &p)
	s.Buckets = parseBuckets(raw.Values[key("buckets")], s.Environment, s.Protect, &p)
	s.Policy = parsePolicy(raw.Values[key("policy")], &p)
	s.ParameterPath = parseParameterPath(raw.Values[key("parameterPath")], &p)
	s.Parameters = parseParameters(raw.Values[key("parameters")], raw.Secret[key("parameters")], &p)
	checkParameterNames(append(slices.Sorted(mapKeys(s.Parameters)), GeneratedParameters...),
		s.ParameterPath, s.Application, s.Environment, &p)
	s.Backup = parseBackup(raw.Values[key("backup")], s.Environment, s.Region, &p)
	s.Database = parseDatabase(raw.Values[key("database")], s.Environment, s.Protect, &p)
	s.Bastion = parseBastion(raw.Values[key("bastion")], s.Database, &p)
	if pw := raw.Values[key("databaseMasterPassword")]; pw != "" {
		if !raw.Secret[key("databaseMasterPassword")] {
			p.add(key("databaseMasterPassword"), "is set in plain text; set it with "+
				"`pulumi config set --secret databaseMasterPassword` (its value is not shown here)")
		}
		s.DatabaseMasterPassword = pw
	}
	s.Domain = parseDomain(raw.Values[key("domain")], s.Environment, &p)
	s.Platform = parsePlatform(raw.Values[key("platform")], s.Environment, &p)
	bucketVars := map[string]string{}
	for role, b := range s.Buckets {
		bucketVars[role] = b.EnvVar
	}
	s.Services = parseServices(raw.Values[key("services")], ServicesContext{
		Environment: s.Environment, Domain: s.Domain, Buckets: bucketVars,
		Parameters: slices.Sorted(mapKeys(s.Parameters)),
	}, &p)
	if !s.Database.Enabled {
		for _, svc := range s.Services.Ordered() {
			for i, name := range svc.Secrets {
				if name == "DATABASE_URL" {
					p.add(idx(key("services")+"."+svc.Name+".secrets", i), "DATABASE_URL is generated by the "+
						"database, but %s.enabled is false", key("database"))
				}
			}
		}
	}
	hasNetwork := s.Network.Enabled || s.SharedStack != ""
	if !hasNetwork && s.Database.Enabled {
		p.add(key("database")+".enabled", "true, but the stack has no network (%s.enabled is false and no %s); "+
			"set it to false", key("network"), key("sharedStack"))
	}
	if !hasNetwork && len(s.Services) > 0 {
		p.add(key("services"), "%s configured, but the stack has no network (%s.enabled is false and no %s); "+
			"drop them with `NAME: null`", joinQuoted(s.Services.Names()), key("network"), key("sharedStack"))
	}

	s.Delivery = parseDelivery(raw.Values[key("delivery")], s.Environment, s.SharedStack, &p)
	applyAdoption(s, &p)
	if !s.Network.Enabled && s.SharedStack != "" {
		p.add(key("network")+".enabled", "false while %s names a stack to share the network with; "+
			"remove one of them", key("sharedStack"))
	}
	if s.Adopt.Network != nil {
		checkNetworkIDs(s.Adopt.Network, s.Network, &p)
		if s.SharedStack != "" {
			p.add(key("adopt")+".network", "cannot adopt a VPC while %s names a stack that owns it; "+
				"set one or the other", key("sharedStack"))
		}
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return s, nil
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
