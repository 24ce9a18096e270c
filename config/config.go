// Package config reads every stack setting once into typed structs, applies the
// runbook's values as defaults and validates them before any resource is
// declared. Load is the only code that touches Pulumi config; Parse does the rest
// as a pure function, so every rule can be table-tested without Pulumi.
package config

import (
	"encoding/json"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/internal/awsdata"
	"github.com/np-mrd/article-pipeline-infra/internal/check"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/alarms"
	"github.com/np-mrd/article-pipeline-infra/backup"
	"github.com/np-mrd/article-pipeline-infra/bastion"
	"github.com/np-mrd/article-pipeline-infra/cost"
	"github.com/np-mrd/article-pipeline-infra/database"
	"github.com/np-mrd/article-pipeline-infra/delivery"
	"github.com/np-mrd/article-pipeline-infra/parameters"
	"github.com/np-mrd/article-pipeline-infra/policy"
	"github.com/np-mrd/article-pipeline-infra/services"
	"github.com/np-mrd/article-pipeline-infra/storage"
	"github.com/np-mrd/article-pipeline-infra/vpc"
	"github.com/np-mrd/article-pipeline-infra/waf"
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
	"cost", "alarms", "alarmHttpsEndpoint", "waf", "accessLogs",
}

// ProviderKeys lists the provider keys Load reads.
var ProviderKeys = []string{"aws:region"}

// Settings is the whole typed, validated configuration of one stack.
type Settings struct {
	Project string
	Stack   string
	// Self is this stack's fully qualified name (organization/project/stack):
	// the program reads back its own last outputs through it.
	Self string
	// Environment is the Copilot-style environment name (development, prod); it
	// names SSM parameter paths and the environment tag.
	Environment string
	// Application is the Copilot application name used in parameter paths and tags.
	Application string
	Region      string
	// Protect marks stateful resources (database, deposition bucket, vault) protected.
	Protect bool
	// SharedStack is the fully qualified stack (organization/project/stack)
	// that owns the shared VPC, bucket and tools; empty means this stack creates
	// (or adopts) its own.
	SharedStack string
	Network     vpc.Settings
	Adopt       Adopt
	// Buckets are the stack's S3 buckets keyed by role (deposition, djangoStatic, ...).
	Buckets storage.Buckets
	// Policy holds the stack's waivers of guardrail rules, each with its reason.
	Policy policy.Settings
	// Parameters are the SSM parameters' path and each NAME's secret value
	// ("None" when it is empty for this environment): never print them.
	Parameters parameters.Settings
	Backup     backup.Settings
	Delivery   delivery.Settings
	Database   database.Settings
	// DatabaseMasterPassword is the running instance's master password when it
	// is adopted (secret; empty: generated). Never print it.
	DatabaseMasterPassword string
	Bastion                bastion.Settings
	// Domain is the team's domain (HTTPS); empty Name serves plain HTTP.
	Domain   services.DomainSettings
	Platform services.PlatformSettings
	// Services are the enabled services by name.
	Services services.Services
	// Cost holds the usage assumptions of the synth's monthly estimate.
	Cost cost.Settings
	// Alarms is the alarm topic's subscribers and the alarms' thresholds.
	Alarms alarms.Settings
	// AlarmHTTPSEndpoint is subscribed to the alarm topic when set (secret:
	// it carries an integration key). Never print it.
	AlarmHTTPSEndpoint string
	// WAF is the web ACL in front of the load balancer.
	WAF waf.Settings
	// AccessLogs is the load balancer's access-log bucket.
	AccessLogs storage.AccessLogSettings
}

// Raw is a stack's config as Pulumi hands it to the program: every value a
// string (objects and arrays as JSON), keyed "namespace:key".
type Raw struct {
	// Organization is the backend's organization (Pulumi Cloud's, or
	// "organization" on a file or S3 backend).
	Organization string
	Project      string
	Stack        string
	Values       map[string]string
	Secret       map[string]bool
}

// Load reads the stack's config from ctx and parses it. It declares nothing.
// It reads every key of the namespace the engine passes, so one it does not
// know (a typo) fails the run instead of passing for a default.
func Load(ctx *pulumi.Context) (*Settings, error) {
	raw := Raw{Organization: ctx.Organization(), Project: ctx.Project(), Stack: ctx.Stack(),
		Values: map[string]string{}, Secret: map[string]bool{}}
	keys := append(namespaced(Keys), ProviderKeys...)
	// The Go SDK cannot list config keys; the engine passes them all to the
	// program in PULUMI_CONFIG (a JSON object of "namespace:key": value).
	var passed map[string]any
	if env := os.Getenv(pulumi.EnvConfig); env != "" && json.Unmarshal([]byte(env), &passed) == nil {
		for k := range passed {
			if strings.HasPrefix(k, Namespace+":") && !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	for _, k := range keys {
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

// key returns the user-facing name of a project key.
func key(k string) string { return Namespace + ":" + k }

var (
	stackPartPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
	envPattern       = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}$`)
)

// StackName qualifies a stack reference as a stack file may write it: STACK
// and PROJECT/STACK are in the running stack's organization and project, so
// the same file works on Pulumi Cloud and on a file or S3 backend (whose
// organization is "organization"); ORGANIZATION/PROJECT/STACK is taken as is.
// It returns "" for a reference that is none of these.
func StackName(organization, project, ref string) string {
	parts := strings.Split(ref, "/")
	for _, part := range parts {
		if !stackPartPattern.MatchString(part) {
			return ""
		}
	}
	switch len(parts) {
	case 1:
		return organization + "/" + project + "/" + ref
	case 2:
		return organization + "/" + ref
	case 3:
		return ref
	}
	return ""
}

// Parse turns raw config into Settings, or returns an error that lists every
// problem, each naming its key.
func Parse(raw Raw) (*Settings, error) {
	var p check.Problems
	v := func(k string) (string, bool) {
		s, ok := raw.Values[k]
		return s, ok && s != ""
	}
	known := map[string]bool{}
	for _, k := range append(namespaced(Keys), ProviderKeys...) {
		known[k] = true
	}
	for _, k := range slices.Sorted(maps.Keys(raw.Values)) {
		if strings.HasPrefix(k, Namespace+":") && !known[k] {
			p.Add(k, "unknown key%s", unknownKeyHint(strings.TrimPrefix(k, Namespace+":")))
		}
	}

	org := raw.Organization
	if org == "" {
		org = "organization" // what the SDK reports on a file or S3 backend
	}
	s := &Settings{Project: raw.Project, Stack: raw.Stack, Environment: raw.Stack, Application: "article-pipeline",
		Region: "us-west-2", Self: org + "/" + raw.Project + "/" + raw.Stack}
	if e, ok := v(key("environment")); ok {
		s.Environment = e
	}
	if !envPattern.MatchString(s.Environment) {
		p.Add(key("environment"), "%q is not a valid environment name; expected lower-case letters, digits and "+
			"dashes, starting with a letter (it comes from the stack name unless set)", s.Environment)
	}
	if a, ok := v(key("application")); ok {
		s.Application = a
	}
	if !envPattern.MatchString(s.Application) {
		p.Add(key("application"), "%q is not a valid application name; expected lower-case letters, digits "+
			"and dashes, starting with a letter", s.Application)
	}
	if r, ok := v("aws:region"); ok {
		s.Region = r
	}
	regionOK := awsdata.IsRegion(s.Region)
	switch {
	case !check.RegionPattern.MatchString(s.Region):
		p.Add("aws:region", "%q is not an AWS region name such as us-west-2", s.Region)
	case !regionOK:
		p.Add("aws:region", "%q is not an AWS region; expected one of %s (AWS's regions on %s)", s.Region,
			strings.Join(awsdata.Regions, ", "), awsdata.Taken)
	}
	if b, ok := v(key("protect")); !ok {
		p.Add(key("protect"), "required: every stack states whether its stateful resources (database, "+
			"deposition bucket, backup vault) are protected from deletion; expected true or false")
	} else if pv, err := strconv.ParseBool(b); err != nil {
		p.Add(key("protect"), "%q is not a boolean; expected true or false", b)
	} else {
		s.Protect = pv
	}
	if ref, ok := v(key("sharedStack")); ok {
		switch s.SharedStack = StackName(org, raw.Project, ref); {
		case s.SharedStack == "":
			p.Add(key("sharedStack"), "%q is not a stack reference; expected STACK (prod), PROJECT/STACK or "+
				"ORGANIZATION/PROJECT/STACK", ref)
		case s.SharedStack == s.Self:
			p.Add(key("sharedStack"), "%q is this stack itself (%s); expected the stack that owns the shared "+
				"network, such as prod", ref, s.Self)
		}
	}

	if n, set := v(key("network")); set && s.SharedStack != "" && strings.TrimSpace(n) != "{}" {
		// This stack declares no network: every network setting would be
		// ignored, and what they would say about subnets is beside the point.
		p.Add(key("network"), "is set while %s names %s, the stack that owns the network; this stack declares "+
			"none, so these settings would be ignored; remove %s (or %s, to declare a network here)",
			key("sharedStack"), s.SharedStack, key("network"), key("sharedStack"))
		s.Network = vpc.Defaults()
	} else {
		s.Network = parseNetwork(raw.Values[key("network")], s.Region, regionOK, &p)
	}
	s.Buckets = parseBuckets(raw.Values[key("buckets")], s.Environment, s.Protect, &p)
	s.Policy = parsePolicy(raw.Values[key("policy")], &p)
	s.Parameters = parameters.Settings{
		Path:   parseParameterPath(raw.Values[key("parameterPath")], &p),
		Values: parseParameters(raw.Values[key("parameters")], raw.Secret[key("parameters")], &p),
	}
	p.Join(parameters.ValidateFullNames(key("parameters"), append(slices.Sorted(maps.Keys(s.Parameters.Values)),
		parameters.Generated...), s.Parameters.Path, s.Application, s.Environment))
	s.Database = parseDatabase(raw.Values[key("database")], "article-pipeline-"+s.Environment, s.Protect, &p)
	s.Backup = parseBackup(raw.Values[key("backup")], s.Environment, s.Region, s.Database, &p)
	s.Bastion = parseBastion(raw.Values[key("bastion")], s.Database, &p)
	tunnelThroughBastion(&s.Database, s.Bastion)
	if pw := raw.Values[key("databaseMasterPassword")]; pw != "" {
		if !raw.Secret[key("databaseMasterPassword")] {
			p.Add(key("databaseMasterPassword"), "is set in plain text; set it with "+
				"`pulumi config set --secret databaseMasterPassword` (its value is not shown here)")
		}
		s.DatabaseMasterPassword = pw
	}
	s.Domain = parseDomain(raw.Values[key("domain")], &p)
	s.Platform = parsePlatform(raw.Values[key("platform")], &p)
	bucketVars := map[string]string{}
	for role, b := range s.Buckets {
		bucketVars[role] = b.EnvVar
	}
	s.Services = parseServices(raw.Values[key("services")], ServicesContext{
		Environment: s.Environment, Domain: s.Domain, Buckets: bucketVars,
		Parameters:     slices.Sorted(maps.Keys(s.Parameters.Values)),
		SharedListener: s.Platform.SharedLoadBalancer,
	}, &p)
	if s.Platform.SharedLoadBalancer {
		sk := key("platform") + ".sharedLoadBalancer"
		if s.SharedStack == "" {
			p.Add(sk, "true, but %s is not set; expected the stack whose load balancer to share, such as prod",
				key("sharedStack"))
		}
		if !s.Domain.Enabled() {
			p.Add(sk, "true, but %s.name is not set; expected the host this stack serves on the shared HTTPS "+
				"listener, such as development.npdeposition.org", key("domain"))
		}
	}
	if !s.Database.Enabled {
		for _, svcName := range s.Services.Ordered() {
			for i, name := range s.Services[svcName].Secrets {
				if name == parameters.DatabaseURL {
					p.Add(check.Index(key("services")+"."+svcName+".secrets", i), "DATABASE_URL is generated by the "+
						"database, but %s.enabled is false", key("database"))
				}
			}
		}
	}
	hasNetwork := s.Network.Enabled || s.SharedStack != ""
	if !hasNetwork && s.Database.Enabled {
		p.Add(key("database")+".enabled", "true, but the stack has no network (%s.enabled is false and no %s); "+
			"set it to false", key("network"), key("sharedStack"))
	}
	if !hasNetwork && len(s.Services) > 0 {
		p.Add(key("services"), "%s configured, but the stack has no network (%s.enabled is false and no %s); "+
			"drop them with `NAME: null`", check.Quoted(s.Services.Names()), key("network"), key("sharedStack"))
	}

	s.Delivery = parseDelivery(raw.Values[key("delivery")], s.Environment, s.SharedStack, &p)
	s.Cost = cost.Defaults()
	if decodeOver(&p, key("cost"), raw.Values[key("cost")], &s.Cost) {
		p.Join(s.Cost.Validate(key("cost")))
	}
	s.Alarms = parseAlarms(raw.Values[key("alarms")], &p)
	s.AlarmHTTPSEndpoint = parseAlarmEndpoint(raw.Values[key("alarmHttpsEndpoint")],
		raw.Secret[key("alarmHttpsEndpoint")], &p)
	checkAlarmsNeedInsights(s, &p)
	s.WAF = parseWAF(raw.Values[key("waf")], &p)
	s.AccessLogs = parseAccessLogs(raw.Values[key("accessLogs")], s.Application, s.Environment, &p)
	checkSharedLoadBalancer(s, &p)
	s.Adopt = parseAdopt(raw.Values[key("adopt")], s, &p)
	checkRetired(raw, &p)

	if err := p.Err(); err != nil {
		return nil, err
	}
	return s, nil
}

// unknownKeyHint suggests the known key closest to a mistyped one.
func unknownKeyHint(k string) string {
	if best := closest(k, Keys); best != "" {
		return "; did you mean " + best + "?"
	}
	return "; expected one of " + strings.Join(Keys, ", ")
}
