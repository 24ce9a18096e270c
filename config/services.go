package config

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/internal/check"
	"github.com/np-mrd/article-pipeline-infra/parameters"
	"github.com/np-mrd/article-pipeline-infra/storage"
)

// Domain is article-pipeline:domain: the team's DNS name the load balancer
// serves over HTTPS (the runbook's `copilot app init --domain npdeposition.org`).
// An empty Name means no domain: plain HTTP on the load balancer's DNS name.
type Domain struct {
	// Name is the domain the certificate covers (Name and *.Name); service hosts
	// must be Name or one label below it.
	Name string
	// ZoneID is the Route 53 hosted zone; empty means look it up by ZoneName.
	ZoneID string
	// ZoneName is the public hosted zone holding Name (defaults to Name).
	ZoneName string
	// SSLPolicy is the HTTPS listener's TLS policy, always set explicitly: an
	// omitted policy falls back to ELBSecurityPolicy-2016-08 (Security Hub ELB.17).
	SSLPolicy string
	// OverwriteRecords lets the alias records take over records that already
	// exist (the ones Copilot made), for the cut-over from a Copilot deployment.
	OverwriteRecords bool
	// AliasRecords points the domain's names at the load balancer. Off while
	// Copilot still serves the domain (the new stack runs beside it, reached
	// on its load balancer's DNS name) until the DNS cut-over.
	AliasRecords bool
}

// Enabled reports whether the stack serves HTTPS on a domain.
func (d Domain) Enabled() bool { return d.Name != "" }

// DefaultSSLPolicy is the TLS 1.3 + 1.2 policy AWS recommends (= CDK's
// SslPolicy.RECOMMENDED_TLS; Security Hub ELB.17).
const DefaultSSLPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06"

// sslPolicies are the ALB policies that allow TLS 1.2 and later only.
var sslPolicies = []string{
	"ELBSecurityPolicy-TLS13-1-2-2021-06",
	"ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
	"ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
	"ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
	"ELBSecurityPolicy-TLS13-1-3-2021-06",
	"ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
	"ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
	"ELBSecurityPolicy-TLS-1-2-2017-01",
	"ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
	"ELBSecurityPolicy-FS-1-2-2019-08",
	"ELBSecurityPolicy-FS-1-2-Res-2019-08",
	"ELBSecurityPolicy-FS-1-2-Res-2020-10",
}

// DefaultDomain is the runbook's domain: npdeposition.org in prod (`copilot app
// init --domain npdeposition.org`), none elsewhere unless configured.
func DefaultDomain(env string) Domain {
	d := Domain{SSLPolicy: DefaultSSLPolicy, AliasRecords: true}
	if env == "prod" {
		d.Name = "npdeposition.org"
	}
	return d
}

type rawDomain struct {
	Name             *string `json:"name"`
	ZoneID           *string `json:"zoneId"`
	ZoneName         *string `json:"zoneName"`
	SSLPolicy        *string `json:"sslPolicy"`
	OverwriteRecords *bool   `json:"overwriteRecords"`
	AliasRecords     *bool   `json:"aliasRecords"`
}

var (
	dnsLabel      = `[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?`
	domainPattern = regexp.MustCompile(`^(` + dnsLabel + `\.)+[a-z]{2,63}$`)
	labelPattern  = regexp.MustCompile(`^` + dnsLabel + `$`)
	zoneIDPattern = regexp.MustCompile(`^Z[A-Z0-9]{1,31}$`)
)

// parseDomain reads article-pipeline:domain over DefaultDomain(env). name: ""
// turns the default domain off.
func parseDomain(value, env string, p *check.Problems) Domain {
	k := key("domain")
	d := DefaultDomain(env)
	var r rawDomain
	if !decode(k, value, &r, p) && strings.TrimSpace(value) != "" {
		return d
	}
	if r.Name != nil {
		d.Name = strings.TrimSuffix(*r.Name, ".")
	}
	if r.ZoneID != nil {
		d.ZoneID = *r.ZoneID
	}
	if r.ZoneName != nil {
		d.ZoneName = strings.TrimSuffix(*r.ZoneName, ".")
	}
	if r.SSLPolicy != nil {
		d.SSLPolicy = *r.SSLPolicy
	}
	if r.OverwriteRecords != nil {
		d.OverwriteRecords = *r.OverwriteRecords
	}
	if r.AliasRecords != nil {
		d.AliasRecords = *r.AliasRecords
	}
	if !slices.Contains(sslPolicies, d.SSLPolicy) {
		p.Add(k+".sslPolicy", "%q is not a TLS 1.2+ load balancer policy; expected one of %s (Security Hub ELB.17)",
			d.SSLPolicy, strings.Join(sslPolicies, ", "))
	}
	if d.Name == "" {
		if d.ZoneID != "" || d.ZoneName != "" {
			p.Add(k+".name", "required when zoneId or zoneName is set; expected the domain the load balancer "+
				"serves, e.g. npdeposition.org")
		}
		return d
	}
	if !domainPattern.MatchString(d.Name) {
		p.Add(k+".name", "%q is not a lower-case domain name such as npdeposition.org", d.Name)
	}
	if d.ZoneName == "" && d.ZoneID == "" {
		d.ZoneName = d.Name
	}
	if d.ZoneName != "" {
		if !domainPattern.MatchString(d.ZoneName) {
			p.Add(k+".zoneName", "%q is not a lower-case domain name such as npdeposition.org", d.ZoneName)
		} else if d.Name != d.ZoneName && !strings.HasSuffix(d.Name, "."+d.ZoneName) {
			p.Add(k+".zoneName", "%q does not contain %q (%s.name); expected the hosted zone the name is in",
				d.ZoneName, d.Name, k)
		}
	}
	if d.ZoneID != "" && !zoneIDPattern.MatchString(d.ZoneID) {
		p.Add(k+".zoneId", "%q is not a Route 53 hosted zone ID such as Z0123456789ABCDEFGHIJ", d.ZoneID)
	}
	return d
}

// Platform is article-pipeline:platform: the ECS cluster and load balancer every
// service of the stack shares.
type Platform struct {
	// ContainerInsights turns the cluster's Container Insights on (Security Hub ECS.12).
	ContainerInsights bool
	// LoadBalancerDeletionProtection guards the load balancer (Security Hub ELB.6).
	LoadBalancerDeletionProtection bool
	// PrivateTasks runs tasks in the private subnets without public IPs, reaching
	// AWS through InterfaceEndpoints instead of the internet. Off by default: the
	// runbook has no NAT, so tasks use public subnets as Copilot places them.
	PrivateTasks bool
	// InterfaceEndpoints are the AWS services (short names such as ecr.api) given
	// an interface VPC endpoint when PrivateTasks is on.
	InterfaceEndpoints []string
}

// interfaceEndpoints are the short service names an endpoint may be made for;
// requiredEndpoints are those a Fargate task cannot start without when private
// (image pull, logs; layers come through the VPC's S3 gateway endpoint).
var (
	interfaceEndpoints = []string{"ecr.api", "ecr.dkr", "kms", "logs", "secretsmanager", "ssm", "ssmmessages", "sts"}
	requiredEndpoints  = []string{"ecr.api", "ecr.dkr", "logs"}
)

// DefaultPlatform turns Container Insights on everywhere and deletion
// protection on in prod; tasks stay in the public subnets (the runbook has no
// NAT). The endpoint list is what private tasks need to pull images, write
// logs and read SSM parameters.
func DefaultPlatform(env string) Platform {
	return Platform{
		ContainerInsights:              true,
		LoadBalancerDeletionProtection: env == "prod",
		InterfaceEndpoints:             []string{"ecr.api", "ecr.dkr", "logs", "ssm"},
	}
}

type rawPlatform struct {
	ContainerInsights              *bool    `json:"containerInsights"`
	LoadBalancerDeletionProtection *bool    `json:"loadBalancerDeletionProtection"`
	PrivateTasks                   *bool    `json:"privateTasks"`
	InterfaceEndpoints             []string `json:"interfaceEndpoints"`
}

// parsePlatform reads article-pipeline:platform over DefaultPlatform(env).
func parsePlatform(value, env string, p *check.Problems) Platform {
	k := key("platform")
	pl := DefaultPlatform(env)
	var r rawPlatform
	if !decode(k, value, &r, p) && strings.TrimSpace(value) != "" {
		return pl
	}
	if r.ContainerInsights != nil {
		pl.ContainerInsights = *r.ContainerInsights
	}
	if r.LoadBalancerDeletionProtection != nil {
		pl.LoadBalancerDeletionProtection = *r.LoadBalancerDeletionProtection
	}
	if r.PrivateTasks != nil {
		pl.PrivateTasks = *r.PrivateTasks
	}
	if r.InterfaceEndpoints != nil {
		pl.InterfaceEndpoints = r.InterfaceEndpoints
	}
	seen := map[string]int{}
	for i, e := range pl.InterfaceEndpoints {
		if !slices.Contains(interfaceEndpoints, e) {
			p.Add(idx(k+".interfaceEndpoints", i), "%q is not a supported endpoint; expected one of %s", e,
				strings.Join(interfaceEndpoints, ", "))
		}
		if j, dup := seen[e]; dup {
			p.Add(idx(k+".interfaceEndpoints", i), "%q is already entry %d", e, j)
		}
		seen[e] = i
	}
	if pl.PrivateTasks {
		for _, e := range requiredEndpoints {
			if !slices.Contains(pl.InterfaceEndpoints, e) {
				p.Add(k+".interfaceEndpoints", "%q is missing; private tasks need %s to start (and ssm to read "+
					"secrets)", e, strings.Join(requiredEndpoints, ", "))
			}
		}
	}
	return pl
}

// BucketAccess is what a service may do with a bucket, one of the Access* constants.
type BucketAccess string

// The access levels a service can be granted on a bucket.
const (
	AccessRead      BucketAccess = "read"
	AccessWrite     BucketAccess = "write"
	AccessReadWrite BucketAccess = "read-write"
)

var bucketAccessValues = []BucketAccess{AccessRead, AccessWrite, AccessReadWrite}

// Autoscaling is a service's target tracking on average CPU.
type Autoscaling struct {
	Min, Max int
	// CPUTarget is the average CPU utilisation (percent) the service is scaled to.
	CPUTarget float64
}

// Service is one load-balanced web service (a Copilot "Load Balanced Web
// Service"), keyed by Name under article-pipeline:services.
type Service struct {
	Name string
	// Image is a full external image reference (registry/name:tag or @sha256:);
	// empty means the service gets an ECR repository of its own and runs ImageTag.
	Image string
	// ImageTag is the tag to run from the service's repository; empty means no
	// image was pushed yet, and the service is created with desired count 0.
	ImageTag string
	// KeepImages is how many images the repository lifecycle policy keeps.
	KeepImages int
	// CPU (units) and Memory (MiB) are a Fargate task size.
	CPU, Memory int
	// Port is the container port the load balancer sends traffic to.
	Port int
	// HealthCheckPath and HealthCheckMatcher are the target group's health check.
	HealthCheckPath    string
	HealthCheckMatcher string
	// HealthCheckGracePeriod (seconds) is how long ECS ignores failed health
	// checks of a new task (Copilot: 60).
	HealthCheckGracePeriod int
	// DeregistrationDelay (seconds) is how long a draining target keeps its
	// connections (Copilot: 60; the ELB default is 300).
	DeregistrationDelay int
	DesiredCount        int
	// Autoscaling is nil for a fixed count.
	Autoscaling *Autoscaling
	// Environment holds the plain environment variables.
	Environment map[string]string
	// Secrets lists the parameter NAMEs injected as environment variables of the
	// same name (the runbook's /copilot/<app>/<env>/secrets/<NAME> convention).
	Secrets []string
	// Buckets maps a bucket role (article-pipeline:buckets) to the access the
	// service gets; the bucket's environment variable is set to its name.
	Buckets map[string]BucketAccess
	// ServiceURLs maps an environment variable to another service of this stack
	// whose URL it receives.
	ServiceURLs map[string]string
	// SharedURLs maps an environment variable to an output of the shared stack
	// (article-pipeline:sharedStack) it receives: development uses prod's NER and
	// ML tools, as the runbook recommends.
	SharedURLs map[string]string
	// Hosts and Paths are the listener rule's host-header and path-pattern
	// conditions; at least one of them is set.
	Hosts []string
	Paths []string
	// Priority is the listener rule priority; derived when not configured.
	Priority int
	// DependsOn lists services that must be deployed (steady) first.
	DependsOn []string
	// WritablePaths are mounted on scratch volumes; the root filesystem is
	// read-only (Security Hub ECS.5).
	WritablePaths []string
	// LogRetentionDays is the CloudWatch log group's retention (Copilot: 30).
	LogRetentionDays int
	// ExecuteCommand turns on ECS Exec (Copilot's `exec: true`), off by default.
	ExecuteCommand bool
	// EgressPorts are the TCP ports tasks may reach anywhere (HTTPS for ECR, logs,
	// SSM and the application's external APIs).
	EgressPorts []int
	// DatabaseAccess gives the service's tasks the database port.
	DatabaseAccess bool
}

// Services is article-pipeline:services, keyed by service name.
type Services map[string]Service

// Names returns the service names in sorted order.
func (s Services) Names() []string { return slices.Sorted(maps.Keys(s)) }

// Ordered returns the services in dependency order: every service after the
// ones it depends on, ties in name order. The set must be validated (acyclic).
func (s Services) Ordered() []Service {
	done := map[string]bool{}
	var out []Service
	for len(out) < len(s) {
		progressed := false
		for _, name := range s.Names() {
			if done[name] {
				continue
			}
			ready := true
			for _, d := range s[name].DependsOn {
				if _, known := s[d]; known && !done[d] {
					ready = false
				}
			}
			if ready {
				done[name] = true
				out = append(out, s[name])
				progressed = true
				break // restart so the smallest ready name always goes next
			}
		}
		if !progressed {
			return out // a cycle: validation reports it
		}
	}
	return out
}

// SecretsVersionVariable is the environment variable the services package sets
// to a digest of the service's parameter versions; no service may set it.
const SecretsVersionVariable = "PARAMETERS_VERSION"

// ServicesContext is what parsing article-pipeline:services needs from the
// rest of the settings.
type ServicesContext struct {
	Environment string
	Domain      Domain
	// Parameters are the declared parameter NAMEs (DATABASE_URL always counts).
	Parameters []string
	// Buckets maps each bucket role this stack has (article-pipeline:buckets) to
	// the environment variable that receives its name.
	Buckets map[string]string
}

// fargateMemory is the memory (MiB) Fargate offers with each CPU size (units):
// from..to in steps of step.
var fargateMemory = map[int]struct{ from, to, step int }{
	256:   {512, 2048, 0}, // 512, 1024, 2048
	512:   {1024, 4096, 1024},
	1024:  {2048, 8192, 1024},
	2048:  {4096, 16384, 1024},
	4096:  {8192, 30720, 1024},
	8192:  {16384, 61440, 4096},
	16384: {32768, 122880, 8192},
}

// fargateOffers reports whether Fargate offers memory MiB with cpu units, and
// describes what it offers.
func fargateOffers(cpu, memory int) (ok bool, offered string) {
	r := fargateMemory[cpu]
	if r.step == 0 {
		return slices.Contains([]int{512, 1024, 2048}, memory), "512, 1024 or 2048"
	}
	ok = memory >= r.from && memory <= r.to && (memory-r.from)%r.step == 0
	return ok, fmt.Sprintf("%d..%d in steps of %d", r.from, r.to, r.step)
}

// logRetentions are the retention periods CloudWatch Logs accepts (days).
var logRetentions = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
	2922, 3288, 3653}

// baseService holds the Copilot Load Balanced Web Service defaults every
// service starts from: 256 CPU / 512 MiB, one task, health check on "/" with a
// 60 s grace period and 60 s deregistration delay, logs kept 30 days.
func baseService(name string) Service {
	return Service{
		Name:                   name,
		KeepImages:             20,
		CPU:                    256,
		Memory:                 512,
		HealthCheckPath:        "/",
		HealthCheckMatcher:     "200",
		HealthCheckGracePeriod: 60,
		DeregistrationDelay:    60,
		DesiredCount:           1,
		Environment:            map[string]string{},
		Secrets:                []string{},
		Buckets:                map[string]BucketAccess{},
		ServiceURLs:            map[string]string{},
		SharedURLs:             map[string]string{},
		WritablePaths:          []string{"/tmp"},
		LogRetentionDays:       30,
		EgressPorts:            []int{443},
	}
}

// DefaultServices returns the runbook's services: backend and frontend in every
// environment, the frontend deployed after the backend ("they have problems
// talking to each other if deployed in the other order"), and the NER and ML
// tools in prod only (development uses prod's, as the runbook recommends). Ports,
// sizes and routes stand in for the values in the application's
// copilot/<svc>/manifest.yml files, which override them in the stack config.
func DefaultServices(env string) Services {
	backend := baseService("backend")
	backend.CPU, backend.Memory = 512, 1024
	backend.Port = 8000 // Django
	backend.Paths = []string{"/api/*", "/admin/*"}
	backend.Secrets = []string{parameters.DatabaseURL}
	backend.DatabaseAccess = true
	// The runbook's buckets, each named to the backend through its variable.
	backend.Buckets = map[string]BucketAccess{
		storage.RoleDeposition: AccessReadWrite, storage.RoleDjangoStatic: AccessReadWrite,
		storage.RoleRSSArchive: AccessReadWrite, storage.RoleDepositionCharts: AccessReadWrite,
	}

	frontend := baseService("frontend")
	frontend.Port = 3000
	frontend.Paths = []string{"/*"}
	frontend.DependsOn = []string{"backend"}

	s := Services{"backend": backend, "frontend": frontend}
	if env != "prod" {
		// Development shares prod's NER and ML tools (runbook "Deploying the NER tool").
		backend.SharedURLs = map[string]string{"NER_TOOL_URL": "nertoolUrl", "ML_TOOL_URL": "mltoolUrl"}
		s["backend"] = backend
		return s
	}
	nertool := baseService("nertool")
	nertool.CPU, nertool.Memory = 1024, 2048
	nertool.Port = 8000
	nertool.Paths = []string{"/nertool/*"}

	// CPU-only PyTorch (runbook "Deploying the ML Tool"): more memory.
	mltool := baseService("mltool")
	mltool.CPU, mltool.Memory = 2048, 8192
	mltool.Port = 8000
	mltool.Paths = []string{"/mltool/*"}

	backend.ServiceURLs = map[string]string{"NER_TOOL_URL": "nertool", "ML_TOOL_URL": "mltool"}
	s["backend"] = backend
	s["nertool"] = nertool
	s["mltool"] = mltool
	return s
}

type rawService struct {
	Enabled             *bool             `json:"enabled"`
	Image               *string           `json:"image"`
	ImageTag            *string           `json:"imageTag"`
	KeepImages          *int              `json:"keepImages"`
	CPU                 *int              `json:"cpu"`
	Memory              *int              `json:"memory"`
	Port                *int              `json:"port"`
	HealthCheck         *rawHealthCheck   `json:"healthCheck"`
	DeregistrationDelay *int              `json:"deregistrationDelay"`
	DesiredCount        *int              `json:"desiredCount"`
	Autoscaling         *rawAutoscaling   `json:"autoscaling"`
	Environment         map[string]string `json:"environment"`
	Secrets             []string          `json:"secrets"`
	Buckets             map[string]string `json:"buckets"`
	ServiceURLs         map[string]string `json:"serviceUrls"`
	SharedURLs          map[string]string `json:"sharedUrls"`
	Hosts               []string          `json:"hosts"`
	Paths               []string          `json:"paths"`
	Priority            *int              `json:"priority"`
	DependsOn           []string          `json:"dependsOn"`
	WritablePaths       []string          `json:"writablePaths"`
	LogRetentionDays    *int              `json:"logRetentionDays"`
	ExecuteCommand      *bool             `json:"executeCommand"`
	EgressPorts         []int             `json:"egressPorts"`
	DatabaseAccess      *bool             `json:"databaseAccess"`
}

type rawHealthCheck struct {
	Path        *string `json:"path"`
	Matcher     *string `json:"matcher"`
	GracePeriod *int    `json:"gracePeriod"`
}

type rawAutoscaling struct {
	Min       *int     `json:"min"`
	Max       *int     `json:"max"`
	CPUTarget *float64 `json:"cpuTarget"`
}

var (
	// At most 21 characters: the target group's auto-name (<name>-tg-<7 random>)
	// must fit the load balancer limit of 32.
	servicePattern  = regexp.MustCompile(`^[a-z][a-z0-9-]{0,20}$`)
	variablePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	outputPattern   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)
	tagPattern      = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	imagePattern    = regexp.MustCompile(`^[a-z0-9]([a-z0-9._/:-]*[a-z0-9])?(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$`)
	matcherPattern  = regexp.MustCompile(`^[1-5][0-9]{2}([-,][1-5][0-9]{2})*$`)
	pathPattern     = regexp.MustCompile(`^/[A-Za-z0-9_\-.$/~"'@:+*?&=]*$`)
)

// parseServices reads article-pipeline:services over DefaultServices(env). Each
// entry overrides fields of the default service of that name (a list or map
// replaces the default one), adds a service (port and a route required), or
// drops one (null or enabled: false).
func parseServices(value string, c ServicesContext, p *check.Problems) Services {
	k := key("services")
	services := DefaultServices(c.Environment)
	var entries map[string]json.RawMessage
	if !decode(k, value, &entries, p) && strings.TrimSpace(value) != "" {
		return services
	}
	userBuckets, userEgress := map[string]bool{}, map[string]bool{}
	for _, name := range slices.Sorted(maps.Keys(entries)) {
		sk := k + "." + name
		if !servicePattern.MatchString(name) {
			p.Add(sk, "%q is not a service name; expected 1 to 21 lower-case letters, digits and dashes, "+
				"starting with a letter (target group names are limited to 32 characters)", name)
			continue
		}
		if string(entries[name]) == "null" {
			delete(services, name)
			continue
		}
		var r rawService
		if !decode(sk, string(entries[name]), &r, p) {
			continue
		}
		if r.Enabled != nil && !*r.Enabled {
			delete(services, name)
			continue
		}
		svc, known := services[name]
		if !known {
			svc = baseService(name)
			if r.Port == nil {
				p.Add(sk+".port", "required: %q is not one of the default services", name)
			}
		}
		userBuckets[name] = r.Buckets != nil
		userEgress[name] = r.EgressPorts != nil
		applyService(&svc, r, sk, p)
		services[name] = svc
	}
	// A default grant on a bucket this stack does not have is dropped (a
	// development stack has no charts bucket); a configured one is an error.
	for name, svc := range services {
		if userBuckets[name] {
			continue
		}
		for role := range svc.Buckets {
			if _, ok := c.Buckets[role]; !ok {
				delete(svc.Buckets, role)
			}
		}
	}
	// Without an egress list, a stack without a domain also needs plain HTTP:
	// services reach each other through the load balancer's http:// URLs.
	for name, svc := range services {
		if !c.Domain.Enabled() && !slices.Contains(svc.EgressPorts, 80) && !userEgress[name] {
			svc.EgressPorts = append([]int{80}, svc.EgressPorts...)
			services[name] = svc
		}
	}
	assignPriorities(services)
	validateServices(services, c, p)
	return services
}

func applyService(s *Service, r rawService, sk string, p *check.Problems) {
	setInt := func(dst *int, src *int) {
		if src != nil {
			*dst = *src
		}
	}
	setStr := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	setStr(&s.Image, r.Image)
	setStr(&s.ImageTag, r.ImageTag)
	setInt(&s.KeepImages, r.KeepImages)
	setInt(&s.CPU, r.CPU)
	setInt(&s.Memory, r.Memory)
	setInt(&s.Port, r.Port)
	if h := r.HealthCheck; h != nil {
		setStr(&s.HealthCheckPath, h.Path)
		setStr(&s.HealthCheckMatcher, h.Matcher)
		setInt(&s.HealthCheckGracePeriod, h.GracePeriod)
	}
	setInt(&s.DeregistrationDelay, r.DeregistrationDelay)
	setInt(&s.DesiredCount, r.DesiredCount)
	if a := r.Autoscaling; a != nil {
		as := Autoscaling{Min: 1, Max: 4, CPUTarget: 70}
		if s.Autoscaling != nil {
			as = *s.Autoscaling
		}
		setInt(&as.Min, a.Min)
		setInt(&as.Max, a.Max)
		if a.CPUTarget != nil {
			as.CPUTarget = *a.CPUTarget
		}
		s.Autoscaling = &as
	}
	if r.Environment != nil {
		s.Environment = r.Environment
	}
	if r.Secrets != nil {
		s.Secrets = r.Secrets
	}
	if r.Buckets != nil {
		s.Buckets = map[string]BucketAccess{}
		for role, access := range r.Buckets {
			s.Buckets[role] = BucketAccess(access)
		}
	}
	if r.ServiceURLs != nil {
		s.ServiceURLs = r.ServiceURLs
	}
	if r.SharedURLs != nil {
		s.SharedURLs = r.SharedURLs
	}
	if r.Hosts != nil {
		s.Hosts = r.Hosts
	}
	if r.Paths != nil {
		s.Paths = r.Paths
	}
	setInt(&s.Priority, r.Priority)
	if r.Priority != nil && *r.Priority == 0 {
		p.Add(sk+".priority", "0 is out of range; expected 1..50000 (leave it out to derive one)")
	}
	if r.DependsOn != nil {
		s.DependsOn = r.DependsOn
	}
	if r.WritablePaths != nil {
		s.WritablePaths = r.WritablePaths
	}
	setInt(&s.LogRetentionDays, r.LogRetentionDays)
	if r.ExecuteCommand != nil {
		s.ExecuteCommand = *r.ExecuteCommand
	}
	if r.EgressPorts != nil {
		s.EgressPorts = r.EgressPorts
	}
	if r.DatabaseAccess != nil {
		s.DatabaseAccess = *r.DatabaseAccess
	}
}

// catchAll reports whether a service only matches every path (frontend's
// "/*"): its rule must come after every other one.
func (s Service) catchAll() bool {
	return len(s.Hosts) == 0 && slices.Contains(s.Paths, "/*")
}

// assignPriorities gives each service without a configured priority a
// deterministic one: 100, 110, ... in name order, skipping configured values;
// catch-all routes get 50000, 49999, ... so they are evaluated last.
func assignPriorities(services Services) {
	used := map[int]bool{}
	for _, s := range services {
		if s.Priority != 0 {
			used[s.Priority] = true
		}
	}
	next, last := 100, 50000
	for _, name := range services.Names() {
		s := services[name]
		if s.Priority != 0 {
			continue
		}
		if s.catchAll() {
			for used[last] {
				last--
			}
			s.Priority = last
		} else {
			for used[next] {
				next += 10
			}
			s.Priority = next
		}
		used[s.Priority] = true
		services[name] = s
	}
}

func validateServices(services Services, c ServicesContext, p *check.Problems) {
	k := key("services")
	declared := map[string]bool{parameters.DatabaseURL: true}
	for _, n := range c.Parameters {
		declared[n] = true
	}
	priorities := map[int]string{}
	hostPaths := map[string]string{}
	for _, name := range services.Names() {
		s := services[name]
		sk := k + "." + name
		validateImage(s, sk, p)
		validateSize(s, sk, p)
		if s.Port < 1 || s.Port > 65535 {
			p.Add(sk+".port", "%d is out of range; expected 1..65535", s.Port)
		}
		if !strings.HasPrefix(s.HealthCheckPath, "/") {
			p.Add(sk+".healthCheck.path", "%q does not start with \"/\"; expected a path such as /health/",
				s.HealthCheckPath)
		}
		if !matcherPattern.MatchString(s.HealthCheckMatcher) {
			p.Add(sk+".healthCheck.matcher", "%q is not an HTTP code list; expected e.g. 200, 200-299 or 200,302",
				s.HealthCheckMatcher)
		}
		if s.HealthCheckGracePeriod < 0 || s.HealthCheckGracePeriod > 2147483647 {
			p.Add(sk+".healthCheck.gracePeriod", "%d is out of range; expected 0 or more seconds",
				s.HealthCheckGracePeriod)
		}
		if s.DeregistrationDelay < 0 || s.DeregistrationDelay > 3600 {
			p.Add(sk+".deregistrationDelay", "%d is out of range; expected 0..3600 (seconds)", s.DeregistrationDelay)
		}
		if s.DesiredCount < 0 || s.DesiredCount > 1000 {
			p.Add(sk+".desiredCount", "%d is out of range; expected 0..1000", s.DesiredCount)
		}
		if a := s.Autoscaling; a != nil {
			switch {
			case a.Min < 1 || a.Max > 1000:
				p.Add(sk+".autoscaling", "min %d, max %d out of range; expected 1 <= min <= max <= 1000", a.Min, a.Max)
			case a.Min > a.Max:
				p.Add(sk+".autoscaling.min", "%d is greater than max %d; expected min <= max", a.Min, a.Max)
			case s.DesiredCount < a.Min || s.DesiredCount > a.Max:
				p.Add(sk+".desiredCount", "%d is outside autoscaling %d..%d; expected a count within the bounds",
					s.DesiredCount, a.Min, a.Max)
			}
			if a.CPUTarget <= 0 || a.CPUTarget > 100 {
				p.Add(sk+".autoscaling.cpuTarget", "%g is out of range; expected a CPU percentage in (0, 100]",
					a.CPUTarget)
			}
		}
		if s.KeepImages < 1 || s.KeepImages > 1000 {
			p.Add(sk+".keepImages", "%d is out of range; expected 1..1000 images", s.KeepImages)
		}
		if !slices.Contains(logRetentions, s.LogRetentionDays) {
			p.Add(sk+".logRetentionDays", "%d is not a CloudWatch Logs retention; expected one of %s",
				s.LogRetentionDays, strings.Join(strings.Fields(strings.Trim(fmt.Sprint(logRetentions), "[]")), ", "))
		}
		validateVariables(s, sk, declared, services, c, p)
		validateRoutes(s, sk, c.Domain, hostPaths, p)
		if s.Priority < 1 || s.Priority > 50000 {
			p.Add(sk+".priority", "%d is out of range; expected 1..50000", s.Priority)
		} else if other, dup := priorities[s.Priority]; dup {
			p.Add(sk+".priority", "%d is already the priority of %s.%s; expected one rule per priority",
				s.Priority, k, other)
		}
		priorities[s.Priority] = name
		seenPath := map[string]bool{}
		for i, w := range s.WritablePaths {
			wk := idx(sk+".writablePaths", i)
			switch {
			case !strings.HasPrefix(w, "/") || w == "/" || strings.Contains(w, "//") || strings.HasSuffix(w, "/"):
				p.Add(wk, "%q is not an absolute directory path such as /tmp", w)
			case seenPath[w]:
				p.Add(wk, "%q is listed twice", w)
			}
			seenPath[w] = true
		}
		for i, port := range s.EgressPorts {
			if port < 1 || port > 65535 {
				p.Add(idx(sk+".egressPorts", i), "%d is out of range; expected 1..65535", port)
			}
		}
		for i, d := range s.DependsOn {
			dk := idx(sk+".dependsOn", i)
			switch _, known := services[d]; {
			case d == name:
				p.Add(dk, "%q is the service itself", d)
			case !known:
				p.Add(dk, "%q is not a service of this stack; expected one of %s", d,
					strings.Join(services.Names(), ", "))
			}
		}
	}
	checkCycles(services, p)
}

func validateImage(s Service, sk string, p *check.Problems) {
	switch {
	case s.Image != "" && s.ImageTag != "":
		p.Add(sk+".imageTag", "set together with image; expected either an external image or a tag in the "+
			"service's repository")
	case s.Image != "" && !imagePattern.MatchString(s.Image):
		p.Add(sk+".image", "%q is not a pinned image reference; expected registry/name:tag or name@sha256:digest",
			s.Image)
	case s.ImageTag == "latest":
		p.Add(sk+".imageTag", "\"latest\" cannot be used: the repository's tags are immutable; expected a "+
			"version or commit tag")
	case s.ImageTag != "" && !tagPattern.MatchString(s.ImageTag):
		p.Add(sk+".imageTag", "%q is not an image tag; expected letters, digits, _ . - (at most 128)", s.ImageTag)
	}
}

func validateSize(s Service, sk string, p *check.Problems) {
	if _, ok := fargateMemory[s.CPU]; !ok {
		p.Add(sk+".cpu", "%d is not a Fargate CPU size; expected one of 256, 512, 1024, 2048, 4096, 8192, 16384",
			s.CPU)
		return
	}
	if ok, offered := fargateOffers(s.CPU, s.Memory); !ok {
		p.Add(sk+".memory", "%d MiB is not offered with %d CPU on Fargate; expected %s", s.Memory, s.CPU, offered)
	}
}

func validateVariables(s Service, sk string, declared map[string]bool, services Services, c ServicesContext,
	p *check.Problems) {
	seen := map[string]string{}
	claim := func(vk, v string) {
		switch {
		case !variablePattern.MatchString(v):
			p.Add(vk, "%q is not an environment variable name; expected letters, digits and underscores", v)
		case v == SecretsVersionVariable:
			p.Add(vk, "%q is reserved: it carries the digest that rolls the service when a secret changes", v)
		case strings.HasPrefix(v, "ECS_") || strings.HasPrefix(v, "AWS_CONTAINER_"):
			p.Add(vk, "%q is reserved by ECS", v)
		}
		if other, dup := seen[v]; dup {
			p.Add(vk, "%q is already set by %s; expected each variable once", v, other)
		}
		seen[v] = vk
	}
	for _, v := range slices.Sorted(maps.Keys(s.Environment)) {
		claim(sk+".environment."+v, v)
	}
	for i, name := range s.Secrets {
		sek := idx(sk+".secrets", i)
		claim(sek, name)
		if !declared[name] {
			p.Add(sek, "%q is not a declared parameter; expected one of %s (article-pipeline:parameters)", name,
				strings.Join(slices.Sorted(maps.Keys(declared)), ", "))
		}
	}
	for _, role := range slices.Sorted(maps.Keys(s.Buckets)) {
		bk := sk + ".buckets." + role
		if v, ok := c.Buckets[role]; !ok {
			p.Add(bk, "%q is not a bucket of this stack; expected one of %s (article-pipeline:buckets)", role,
				strings.Join(slices.Sorted(maps.Keys(c.Buckets)), ", "))
		} else {
			claim(bk, v)
		}
		if !slices.Contains(bucketAccessValues, s.Buckets[role]) {
			p.Add(bk, "%q is not an access level; expected one of %s", s.Buckets[role], `"read", "write", "read-write"`)
		}
	}
	for _, v := range slices.Sorted(maps.Keys(s.ServiceURLs)) {
		vk := sk + ".serviceUrls." + v
		claim(vk, v)
		if _, ok := services[s.ServiceURLs[v]]; !ok {
			p.Add(vk, "%q is not a service of this stack; expected one of %s", s.ServiceURLs[v],
				strings.Join(services.Names(), ", "))
		}
	}
	for _, v := range slices.Sorted(maps.Keys(s.SharedURLs)) {
		vk := sk + ".sharedUrls." + v
		claim(vk, v)
		if !outputPattern.MatchString(s.SharedURLs[v]) {
			p.Add(vk, "%q is not a stack output name such as nertoolUrl", s.SharedURLs[v])
		}
	}
}

func validateRoutes(s Service, sk string, d Domain, hostPaths map[string]string, p *check.Problems) {
	if len(s.Hosts) == 0 && len(s.Paths) == 0 {
		p.Add(sk, "no route; expected hosts, paths or both")
	}
	if n := len(s.Hosts) + len(s.Paths); n > 5 {
		p.Add(sk, "%d hosts and paths; a load balancer rule matches at most 5 values", n)
	}
	for i, h := range s.Hosts {
		hk := idx(sk+".hosts", i)
		switch {
		case !d.Enabled():
			p.Add(hk, "%q needs a domain; set article-pipeline:domain.name or route by paths only", h)
		case h == d.Name:
		case !strings.HasSuffix(h, "."+d.Name):
			p.Add(hk, "%q is outside the domain %q (article-pipeline:domain.name)", h, d.Name)
		case !labelPattern.MatchString(strings.TrimSuffix(h, "."+d.Name)):
			p.Add(hk, "%q is more than one label below %q; the certificate covers %s and *.%s only", h, d.Name,
				d.Name, d.Name)
		}
	}
	for i, path := range s.Paths {
		pk := idx(sk+".paths", i)
		if !pathPattern.MatchString(path) || len(path) > 128 {
			p.Add(pk, "%q is not a path pattern; expected it to start with \"/\" (e.g. /api/*), at most 128 "+
				"characters", path)
		}
	}
	hosts := s.Hosts
	if len(hosts) == 0 {
		hosts = []string{""}
	}
	paths := s.Paths
	if len(paths) == 0 {
		paths = []string{"*"}
	}
	for _, h := range hosts {
		for _, path := range paths {
			route := h + path
			if other, dup := hostPaths[route]; dup {
				p.Add(sk, "route %s is already served by %s; expected each host and path once", route, other)
			}
			hostPaths[route] = sk
		}
	}
}

// checkCycles reports each dependency cycle once, at the first service on it.
func checkCycles(services Services, p *check.Problems) {
	const (
		unvisited = iota
		visiting
		finished
	)
	state := map[string]int{}
	var stack []string
	var visit func(name string)
	visit = func(name string) {
		state[name] = visiting
		stack = append(stack, name)
		for _, d := range services[name].DependsOn {
			if _, ok := services[d]; !ok || d == name {
				continue
			}
			switch state[d] {
			case visiting:
				i := slices.Index(stack, d)
				cycle := append(slices.Clone(stack[i:]), d)
				p.Add(key("services")+"."+d+".dependsOn", "dependency cycle %s; expected services to depend "+
					"on each other one way only", strings.Join(cycle, " -> "))
			case unvisited:
				visit(d)
			}
		}
		stack = stack[:len(stack)-1]
		state[name] = finished
	}
	for _, name := range services.Names() {
		if state[name] == unvisited {
			visit(name)
		}
	}
}
