package services

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zones are checked the same on every machine, with or without zoneinfo files

	"github.com/np-mrd/article-pipeline-infra/internal/check"
)

// Settings is what a stack file says about one load-balanced web service (a
// Copilot "Load Balanced Web Service"): article-pipeline:services.<name>.
type Settings struct {
	// Enabled declares the service (NAME: null in a stack file drops it too).
	Enabled bool `json:"enabled"`
	// Image is a full external image reference (registry/name:tag or @sha256:);
	// empty means the service gets an ECR repository of its own and runs ImageTag.
	Image string `json:"image"`
	// ImageTag is the tag to run from the service's repository; empty means no
	// image was pushed yet, and the service is created with desired count 0.
	ImageTag string `json:"imageTag"`
	// KeepImages is how many images the repository lifecycle policy keeps
	// (Security Hub ECR.3).
	KeepImages int `json:"keepImages"`
	// CPU (units) and Memory (MiB) are a Fargate task size.
	CPU    int `json:"cpu"`
	Memory int `json:"memory"`
	// Port is the container port the load balancer sends traffic to.
	Port        int         `json:"port"`
	HealthCheck HealthCheck `json:"healthCheck"`
	// DeregistrationDelay (seconds) is how long a draining target keeps its
	// connections (Copilot: 60; the ELB default is 300).
	DeregistrationDelay int `json:"deregistrationDelay"`
	DesiredCount        int `json:"desiredCount"`
	// Autoscaling is nil for a fixed count.
	Autoscaling *Autoscaling `json:"autoscaling"`
	// Environment holds the plain environment variables.
	Environment map[string]string `json:"environment"`
	// Secrets lists the parameter NAMEs injected as environment variables of the
	// same name (the runbook's /copilot/<app>/<env>/secrets/<NAME> convention).
	Secrets []string `json:"secrets"`
	// Buckets maps a bucket role (article-pipeline:buckets) to the access the
	// service gets; the bucket's environment variable is set to its name.
	Buckets map[string]Access `json:"buckets"`
	// ServiceURLs maps an environment variable to another service of this stack
	// whose URL it receives.
	ServiceURLs map[string]string `json:"serviceUrls"`
	// SharedURLs maps an environment variable to an output of the shared stack
	// (article-pipeline:sharedStack) it receives: development uses prod's NER and
	// ML tools, as the runbook recommends.
	SharedURLs map[string]string `json:"sharedUrls"`
	// Hosts and Paths are the listener rule's host-header and path-pattern
	// conditions; at least one of them is set.
	Hosts []string `json:"hosts"`
	Paths []string `json:"paths"`
	// Priority is the listener rule priority; 0 derives one (AssignPriorities).
	Priority int `json:"priority"`
	// DependsOn lists services that must be deployed (steady) first.
	DependsOn []string `json:"dependsOn"`
	// WritablePaths are mounted on scratch volumes; the root filesystem is
	// read-only (Security Hub ECS.5).
	WritablePaths []string `json:"writablePaths"`
	// LogRetentionDays is the CloudWatch log group's retention (Copilot: 30).
	LogRetentionDays int `json:"logRetentionDays"`
	// ExecuteCommand turns on ECS Exec (Copilot's `exec: true`), off by default.
	ExecuteCommand bool `json:"executeCommand"`
	// EgressPorts are the TCP ports tasks may reach anywhere (HTTPS for ECR,
	// logs, SSM and the application's external APIs).
	EgressPorts []int `json:"egressPorts"`
	// DatabaseAccess gives the service's tasks the database port.
	DatabaseAccess bool `json:"databaseAccess"`
	// CPUArchitecture is the tasks' CPU: X86_64, or ARM64 (Graviton: Fargate
	// charges about 20 % less per vCPU and GB) for an image that has a
	// linux/arm64 variant. The deploy workflow builds both.
	CPUArchitecture string `json:"cpuArchitecture"`
}

// The CPU architectures Fargate runs Linux tasks on.
const (
	X86 = "X86_64"
	ARM = "ARM64"
)

var cpuArchitectures = []string{X86, ARM}

// HealthCheck is the target group's health check and ECS's grace period.
type HealthCheck struct {
	Path    string `json:"path"`
	Matcher string `json:"matcher"`
	// GracePeriod (seconds) is how long ECS ignores failed health checks of a
	// new task (Copilot: 60).
	GracePeriod int `json:"gracePeriod"`
}

// Autoscaling is target tracking on the service's average CPU.
type Autoscaling struct {
	Min int `json:"min"`
	Max int `json:"max"`
	// CPUTarget is the average CPU utilisation (percent) the service is scaled to.
	CPUTarget float64 `json:"cpuTarget"`
}

// SetDefaults is one to four tasks at 70 % CPU.
func (a *Autoscaling) SetDefaults() { *a = Autoscaling{Min: 1, Max: 4, CPUTarget: 70} }

// Access is what a service may do with a bucket.
type Access string

// The access levels a service can be granted on a bucket.
const (
	// AccessRead lists the bucket and reads objects.
	AccessRead Access = "read"
	// AccessWrite writes and deletes objects.
	AccessWrite Access = "write"
	// AccessReadWrite is both.
	AccessReadWrite Access = "read-write"
)

var accessLevels = []Access{AccessRead, AccessWrite, AccessReadWrite}

// Services are a stack's services keyed by name.
type Services map[string]Settings

// Base holds the Copilot Load Balanced Web Service defaults every service
// starts from: 256 CPU / 512 MiB, one task, health check on "/" with a 60 s
// grace period and 60 s deregistration delay, logs kept 30 days, /tmp writable,
// HTTPS out.
func Base() Settings {
	return Settings{
		Enabled:             true,
		KeepImages:          20,
		CPU:                 256,
		Memory:              512,
		HealthCheck:         HealthCheck{Path: "/", Matcher: "200", GracePeriod: 60},
		DeregistrationDelay: 60,
		DesiredCount:        1,
		Environment:         map[string]string{},
		Secrets:             []string{},
		Buckets:             map[string]Access{},
		ServiceURLs:         map[string]string{},
		SharedURLs:          map[string]string{},
		WritablePaths:       []string{"/tmp"},
		LogRetentionDays:    30,
		EgressPorts:         []int{443},
		CPUArchitecture:     X86,
	}
}

// Runbook returns the runbook's services at their defaults: the backend and
// the frontend, deployed after the backend ("they have problems talking to each
// other if deployed in the other order"), and the NER and ML tools (off until a
// stack file turns them on). Ports,
// sizes and routes stand in for the application's copilot/<svc>/manifest.yml
// files, which a stack file overrides. bucketRoles and databaseURL name what the
// backend reads.
func Runbook(bucketRoles []string, databaseURL string) Services {
	// Writable paths: the root filesystem is read-only (ECS.5), so each service
	// gets the scratch paths its framework writes, and HOME points at one: the
	// usual fix for libraries that write under ~ (caches, config).
	backend := Base()
	backend.CPU, backend.Memory = 512, 1024
	backend.Port = 8000 // Django
	backend.Environment = map[string]string{"HOME": "/tmp"}
	backend.Paths = []string{"/api/*", "/admin/*"}
	backend.Secrets = []string{databaseURL}
	backend.DatabaseAccess = true
	for _, role := range bucketRoles {
		backend.Buckets[role] = AccessReadWrite
	}

	// Next.js writes its image and fetch cache under .next/cache of the app
	// directory (/app in the usual Dockerfile) and telemetry under ~/.config.
	frontend := Base()
	frontend.Port = 3000
	frontend.WritablePaths = []string{"/tmp", "/app/.next/cache"}
	frontend.Environment = map[string]string{"HOME": "/tmp", "NEXT_TELEMETRY_DISABLED": "1"}
	frontend.Paths = []string{"/*"}
	frontend.DependsOn = []string{"backend"}

	// The NER and ML tools load models through HuggingFace, torch and spaCy,
	// which cache under $HOME/.cache ($XDG_CACHE_HOME): one writable /cache.
	modelTool := func(cpu, memory int, path string) Settings {
		s := Base()
		s.CPU, s.Memory = cpu, memory
		s.Port = 8000
		s.Paths = []string{path}
		s.WritablePaths = []string{"/tmp", "/cache"}
		s.Environment = map[string]string{"HOME": "/cache", "XDG_CACHE_HOME": "/cache"}
		return s
	}
	nertool := modelTool(1024, 2048, "/nertool/*")
	// CPU-only PyTorch (runbook "Deploying the ML Tool"): more memory.
	mltool := modelTool(2048, 8192, "/mltool/*")

	// The tools run in one stack (prod); another stack's backend reaches them
	// through sharedUrls (runbook "Deploying the NER tool"), so a stack file
	// names them to run them.
	nertool.Enabled, mltool.Enabled = false, false
	return Services{"backend": backend, "frontend": frontend, "nertool": nertool, "mltool": mltool}
}

// Names returns the names of the enabled services, sorted.
func (s Services) Names() []string {
	var names []string
	for _, name := range slices.Sorted(maps.Keys(s)) {
		if s[name].Enabled {
			names = append(names, name)
		}
	}
	return names
}

// Ordered returns the enabled services' names in dependency order: every
// service after the ones it depends on, ties in name order. A cycle (which
// Validate reports) ends the list early.
func (s Services) Ordered() []string {
	done := map[string]bool{}
	var out []string
	names := s.Names()
	for len(out) < len(names) {
		progressed := false
		for _, name := range names {
			if done[name] {
				continue
			}
			ready := true
			for _, d := range s[name].DependsOn {
				if s[d].Enabled && !done[d] {
					ready = false
				}
			}
			if ready {
				done[name] = true
				out = append(out, name)
				progressed = true
				break // restart so the smallest ready name always goes next
			}
		}
		if !progressed {
			return out
		}
	}
	return out
}

// MinimumTasks is the fewest tasks the service should be running: none while
// it has no image to run (it is created with desired count 0), else its
// autoscaling minimum, else its desired count.
func (s Settings) MinimumTasks() int {
	switch {
	case s.Image == "" && s.ImageTag == "":
		return 0
	case s.Autoscaling != nil:
		return s.Autoscaling.Min
	}
	return s.DesiredCount
}

// catchAll reports whether a service only matches every path (frontend's
// "/*"): its rule must come after every other one.
func (s Settings) catchAll() bool { return len(s.Hosts) == 0 && slices.Contains(s.Paths, "/*") }

// priorities is a range of listener rule priorities (lower is evaluated
// first): rules are numbered from first up in steps of step, catch-all ones
// from last down.
type priorities struct{ first, last, step int }

var (
	// ownPriorities number the rules on the stack's own listener.
	ownPriorities = priorities{first: 100, last: 50000, step: 10}
	// sharedPriorities number the rules a stack puts on another stack's
	// listener (PlatformSettings.SharedLoadBalancer): below 100, so each is
	// evaluated before every rule of the listener's owner. The owner's rules
	// name no host, so they would also match the sharing stack's host.
	sharedPriorities = priorities{first: 1, last: 99, step: 1}
)

// AssignPriorities gives each service without a configured priority a
// deterministic one: 100, 110, ... in name order, skipping configured values;
// catch-all routes get 50000, 49999, ... so they are evaluated last.
func (s Services) AssignPriorities() { s.assign(ownPriorities) }

// ShareListener readies the services for rules on another stack's HTTPS
// listener: priorities not configured are assigned within 1..99 (the same
// way, catch-all routes last), then every rule without hosts of its own is
// limited to host, the stack's domain, so that it never takes the owner's
// traffic.
func (s Services) ShareListener(host string) {
	s.assign(sharedPriorities)
	for _, name := range s.Names() {
		if svc := s[name]; len(svc.Hosts) == 0 {
			svc.Hosts = []string{host}
			s[name] = svc
		}
	}
}

func (s Services) assign(r priorities) {
	used := map[int]bool{}
	for _, svc := range s {
		if svc.Priority != 0 {
			used[svc.Priority] = true
		}
	}
	next, last := r.first, r.last
	for _, name := range s.Names() {
		svc := s[name]
		if svc.Priority != 0 {
			continue
		}
		if svc.catchAll() {
			for used[last] {
				last--
			}
			svc.Priority = last
		} else {
			for used[next] {
				next += r.step
			}
			svc.Priority = next
		}
		used[svc.Priority] = true
		s[name] = svc
	}
}

// ValidateSharedListener checks what rules on another stack's listener need:
// priorities within 1..99, ahead of the owner's rules.
func (s Services) ValidateSharedListener(k string) error {
	var p check.Problems
	for _, name := range s.Names() {
		if pr := s[name].Priority; pr < sharedPriorities.first || pr > sharedPriorities.last {
			p.Add(k+"."+name+".priority", "%d is out of range on a shared listener; expected %d..%d, ahead of "+
				"the owning stack's rules (%d and up)", pr, sharedPriorities.first, sharedPriorities.last,
				ownPriorities.first)
		}
	}
	return p.Err()
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

var (
	// NamePattern: at most 21 characters, so the target group's auto-name
	// (<name>-tg-<7 random>) fits the load balancer limit of 32.
	NamePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,20}$`)
	// VariablePattern is an environment variable name.
	VariablePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	tagPattern      = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	imagePattern    = regexp.MustCompile(`^[a-z0-9]([a-z0-9._/:-]*[a-z0-9])?(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$`)
	matcherPattern  = regexp.MustCompile(`^[1-5][0-9]{2}([-,][1-5][0-9]{2})*$`)
	pathPattern     = regexp.MustCompile(`^/[A-Za-z0-9_\-.$/~"'@:+*?&=]*$`)
)

// Validate checks every enabled service's own values and the rules among
// them: priorities, routes, dependencies and service URLs.
func (s Services) Validate(k string) error {
	var p check.Problems
	priorities := map[int]string{}
	routes := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(s)) {
		sk := k + "." + name
		if !NamePattern.MatchString(name) {
			p.Add(sk, "%q is not a service name; expected 1 to 21 lower-case letters, digits and dashes, "+
				"starting with a letter (target group names are limited to 32 characters)", name)
			continue
		}
		svc := s[name]
		if !svc.Enabled {
			continue
		}
		p.Join(svc.Validate(sk))
		if svc.Priority >= 1 && svc.Priority <= 50000 {
			if other, dup := priorities[svc.Priority]; dup {
				p.Add(sk+".priority", "%d is already the priority of %s.%s; expected one rule per priority",
					svc.Priority, k, other)
			}
			priorities[svc.Priority] = name
		}
		for _, route := range svc.routes() {
			if other, dup := routes[route]; dup {
				p.Add(sk, "route %s is already served by %s; expected each host and path once", route, other)
			}
			routes[route] = sk
		}
		for i, d := range svc.DependsOn {
			dk := check.Index(sk+".dependsOn", i)
			switch {
			case d == name:
				p.Add(dk, "%q is the service itself", d)
			case !s[d].Enabled:
				p.Add(dk, "%q is not a service of this stack; expected one of %s", d, strings.Join(s.Names(), ", "))
			}
		}
		for _, v := range slices.Sorted(maps.Keys(svc.ServiceURLs)) {
			if other := svc.ServiceURLs[v]; !s[other].Enabled {
				p.Add(sk+".serviceUrls."+v, "%q is not a service of this stack; expected one of %s", other,
					strings.Join(s.Names(), ", "))
			}
		}
	}
	s.checkCycles(k, &p)
	return p.Err()
}

// routes lists the host+path pairs the service's rule matches.
func (s Settings) routes() []string {
	hosts, paths := s.Hosts, s.Paths
	if len(hosts) == 0 {
		hosts = []string{""}
	}
	if len(paths) == 0 {
		paths = []string{"*"}
	}
	var out []string
	for _, h := range hosts {
		for _, path := range paths {
			out = append(out, h+path)
		}
	}
	return out
}

// Validate checks one service's values (key k names it).
func (s Settings) Validate(k string) error {
	var p check.Problems
	s.validateImage(k, &p)
	if _, ok := fargateMemory[s.CPU]; !ok {
		p.Add(k+".cpu", "%d is not a Fargate CPU size; expected one of 256, 512, 1024, 2048, 4096, 8192, 16384", s.CPU)
	} else if ok, offered := fargateOffers(s.CPU, s.Memory); !ok {
		p.Add(k+".memory", "%d MiB is not offered with %d CPU on Fargate; expected %s", s.Memory, s.CPU, offered)
	}
	if s.Port < 1 || s.Port > 65535 {
		p.Add(k+".port", "%d is out of range; expected 1..65535", s.Port)
	}
	h := s.HealthCheck
	switch {
	case len(h.Path) > maxHealthCheckPath:
		p.Add(k+".healthCheck.path", "%d characters; expected at most %d (the target group's limit)", len(h.Path),
			maxHealthCheckPath)
	case !strings.HasPrefix(h.Path, "/"):
		p.Add(k+".healthCheck.path", "%q does not start with \"/\"; expected a path such as /health/", h.Path)
	}
	if !matcherPattern.MatchString(h.Matcher) {
		p.Add(k+".healthCheck.matcher", "%q is not an HTTP code list; expected e.g. 200, 200-299 or 200,302", h.Matcher)
	}
	if h.GracePeriod < 0 || h.GracePeriod > 2147483647 {
		p.Add(k+".healthCheck.gracePeriod", "%d is out of range; expected 0 or more seconds", h.GracePeriod)
	}
	if s.DeregistrationDelay < 0 || s.DeregistrationDelay > 3600 {
		p.Add(k+".deregistrationDelay", "%d is out of range; expected 0..3600 (seconds)", s.DeregistrationDelay)
	}
	if s.DesiredCount < 0 || s.DesiredCount > 1000 {
		p.Add(k+".desiredCount", "%d is out of range; expected 0..1000", s.DesiredCount)
	}
	if a := s.Autoscaling; a != nil {
		switch {
		case a.Min < 1 || a.Max > 1000:
			p.Add(k+".autoscaling", "min %d, max %d out of range; expected 1 <= min <= max <= 1000", a.Min, a.Max)
		case a.Min > a.Max:
			p.Add(k+".autoscaling.min", "%d is greater than max %d; expected min <= max", a.Min, a.Max)
		case s.DesiredCount < a.Min || s.DesiredCount > a.Max:
			p.Add(k+".desiredCount", "%d is outside autoscaling %d..%d; expected a count within the bounds",
				s.DesiredCount, a.Min, a.Max)
		}
		if a.CPUTarget <= 0 || a.CPUTarget > 100 {
			p.Add(k+".autoscaling.cpuTarget", "%g is out of range; expected a CPU percentage in (0, 100]", a.CPUTarget)
		}
	}
	if !slices.Contains(cpuArchitectures, s.CPUArchitecture) {
		p.Add(k+".cpuArchitecture", "%q is not a Fargate CPU architecture; expected %s", s.CPUArchitecture,
			strings.Join(cpuArchitectures, " or "))
	}
	if s.KeepImages < 1 || s.KeepImages > 1000 {
		p.Add(k+".keepImages", "%d is out of range; expected 1..1000 images", s.KeepImages)
	}
	check.LogRetention(&p, k+".logRetentionDays", s.LogRetentionDays)
	s.validateVariables(k, &p)
	s.validateRoutes(k, &p)
	if s.Priority < 1 || s.Priority > 50000 {
		p.Add(k+".priority", "%d is out of range; expected 1..50000", s.Priority)
	}
	seenPath := map[string]bool{}
	for i, w := range s.WritablePaths {
		wk := check.Index(k+".writablePaths", i)
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
			p.Add(check.Index(k+".egressPorts", i), "%d is out of range; expected 1..65535", port)
		}
	}
	return p.Err()
}

// IsImageTag reports whether tag can name an image in a service's repository.
func IsImageTag(tag string) bool { return tagPattern.MatchString(tag) && tag != "latest" }

func (s Settings) validateImage(k string, p *check.Problems) {
	switch {
	case s.Image != "" && s.ImageTag != "":
		p.Add(k+".imageTag", "set together with image; expected either an external image or a tag in the "+
			"service's repository")
	case s.Image != "" && !imagePattern.MatchString(s.Image):
		p.Add(k+".image", "%q is not a pinned image reference; expected registry/name:tag or name@sha256:digest",
			s.Image)
	case s.ImageTag == "latest":
		p.Add(k+".imageTag", "\"latest\" cannot be used: the repository's tags are immutable; expected a "+
			"version or commit tag")
	case s.ImageTag != "" && !tagPattern.MatchString(s.ImageTag):
		p.Add(k+".imageTag", "%q is not an image tag; expected letters, digits, _ . - (at most 128)", s.ImageTag)
	}
}

// Variables maps each environment variable the service's settings set to the
// key that sets it, in the order Validate claims them; bucket variables are not
// known here (the buckets' settings name them).
func (s Settings) Variables(k string) [][2]string {
	var out [][2]string
	for _, v := range slices.Sorted(maps.Keys(s.Environment)) {
		out = append(out, [2]string{v, k + ".environment." + v})
	}
	for i, name := range s.Secrets {
		out = append(out, [2]string{name, check.Index(k+".secrets", i)})
	}
	for _, v := range slices.Sorted(maps.Keys(s.ServiceURLs)) {
		out = append(out, [2]string{v, k + ".serviceUrls." + v})
	}
	for _, v := range slices.Sorted(maps.Keys(s.SharedURLs)) {
		out = append(out, [2]string{v, k + ".sharedUrls." + v})
	}
	return out
}

// ClaimVariable records that key vk sets variable v, reporting a bad or
// reserved name and a variable set twice (seen maps each variable to its key).
func ClaimVariable(p *check.Problems, seen map[string]string, vk, v string) {
	switch {
	case !VariablePattern.MatchString(v):
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

func (s Settings) validateVariables(k string, p *check.Problems) {
	seen := map[string]string{}
	for _, claim := range s.Variables(k) {
		ClaimVariable(p, seen, claim[1], claim[0])
	}
	for _, role := range slices.Sorted(maps.Keys(s.Buckets)) {
		if !slices.Contains(accessLevels, s.Buckets[role]) {
			p.Add(k+".buckets."+role, "%q is not an access level; expected one of %s", s.Buckets[role],
				check.Quoted(accessLevels))
		}
	}
	for _, v := range slices.Sorted(maps.Keys(s.SharedURLs)) {
		if out := s.SharedURLs[v]; !IsURLOutput(out) {
			p.Add(k+".sharedUrls."+v, "%q is not a URL output of the shared stack; expected baseUrl or <service>Url "+
				"such as nertoolUrl", out)
		}
	}
}

func (s Settings) validateRoutes(k string, p *check.Problems) {
	if len(s.Hosts) == 0 && len(s.Paths) == 0 {
		p.Add(k, "no route; expected hosts, paths or both")
	}
	if n := len(s.Hosts) + len(s.Paths); n > 5 {
		p.Add(k, "%d hosts and paths; a load balancer rule matches at most 5 values", n)
	}
	for i, path := range s.Paths {
		if !pathPattern.MatchString(path) || len(path) > 128 {
			p.Add(check.Index(k+".paths", i), "%q is not a path pattern; expected it to start with \"/\" (e.g. "+
				"/api/*), at most 128 characters", path)
		}
	}
}

// maxHealthCheckPath is the longest health check path a target group takes.
const maxHealthCheckPath = 1024

// IsURLOutput reports whether name is a URL output the program exports:
// baseUrl, or <service>Url for a service of the stack.
func IsURLOutput(name string) bool {
	svc, ok := strings.CutSuffix(name, "Url")
	return name == "baseUrl" || ok && NamePattern.MatchString(svc)
}

// checkCycles reports each dependency cycle once, at the first service on it.
func (s Services) checkCycles(k string, p *check.Problems) {
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
		for _, d := range s[name].DependsOn {
			if !s[d].Enabled || d == name {
				continue
			}
			switch state[d] {
			case visiting:
				i := slices.Index(stack, d)
				cycle := append(slices.Clone(stack[i:]), d)
				p.Add(k+"."+d+".dependsOn", "dependency cycle %s; expected services to depend on each other one "+
					"way only", strings.Join(cycle, " -> "))
			case unvisited:
				visit(d)
			}
		}
		stack = stack[:len(stack)-1]
		state[name] = finished
	}
	for _, name := range s.Names() {
		if state[name] == unvisited {
			visit(name)
		}
	}
}

// DomainSettings is what a stack file says about the team's domain
// (article-pipeline:domain): the DNS name the load balancer serves over HTTPS
// (the runbook's `copilot app init --domain npdeposition.org`). An empty Name
// means no domain: plain HTTP on the load balancer's DNS name.
type DomainSettings struct {
	// Name is the domain the certificate covers (Name and *.Name); service hosts
	// must be Name or one label below it.
	Name string `json:"name"`
	// ZoneID is the Route 53 hosted zone; empty means look it up by ZoneName.
	ZoneID string `json:"zoneId"`
	// ZoneName is the public hosted zone holding Name (empty: Name).
	ZoneName string `json:"zoneName"`
	// SSLPolicy is the HTTPS listener's TLS policy, always set explicitly: an
	// omitted policy falls back to ELBSecurityPolicy-2016-08 (Security Hub ELB.17).
	SSLPolicy string `json:"sslPolicy"`
	// OverwriteRecords lets the alias records take over records that already
	// exist (the ones Copilot made), for the cut-over from a Copilot deployment.
	OverwriteRecords bool `json:"overwriteRecords"`
	// AliasRecords points the domain's names at the load balancer. Off while
	// Copilot still serves the domain (the new stack runs beside it, reached on
	// its load balancer's DNS name) until the DNS cut-over.
	AliasRecords bool `json:"aliasRecords"`
}

// Enabled reports whether the stack serves HTTPS on a domain.
func (d DomainSettings) Enabled() bool { return d.Name != "" }

// Zone is the hosted zone to look the domain up in, when no ZoneID is given.
func (d DomainSettings) Zone() string {
	if d.ZoneName != "" || d.ZoneID != "" {
		return d.ZoneName
	}
	return d.Name
}

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

// DefaultDomain is no domain, with the recommended TLS policy and alias
// records on for when a name is set.
func DefaultDomain() DomainSettings {
	return DomainSettings{SSLPolicy: DefaultSSLPolicy, AliasRecords: true}
}

var (
	dnsLabel      = `[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?`
	domainPattern = regexp.MustCompile(`^(` + dnsLabel + `\.)+[a-z]{2,63}$`)
	labelPattern  = regexp.MustCompile(`^` + dnsLabel + `$`)
	zoneIDPattern = regexp.MustCompile(`^Z[A-Z0-9]{1,31}$`)
)

// Validate checks the names, the zone and the TLS policy.
func (d DomainSettings) Validate(k string) error {
	var p check.Problems
	if !slices.Contains(sslPolicies, d.SSLPolicy) {
		p.Add(k+".sslPolicy", "%q is not a TLS 1.2+ load balancer policy; expected one of %s (Security Hub ELB.17)",
			d.SSLPolicy, strings.Join(sslPolicies, ", "))
	}
	if d.Name == "" {
		if d.ZoneID != "" || d.ZoneName != "" {
			p.Add(k+".name", "required when zoneId or zoneName is set; expected the domain the load balancer "+
				"serves, e.g. npdeposition.org")
		}
		return p.Err()
	}
	if !domainPattern.MatchString(d.Name) {
		p.Add(k+".name", "%q is not a lower-case domain name such as npdeposition.org", d.Name)
	}
	if zone := d.Zone(); zone != "" {
		if !domainPattern.MatchString(zone) {
			p.Add(k+".zoneName", "%q is not a lower-case domain name such as npdeposition.org", zone)
		} else if d.Name != zone && !strings.HasSuffix(d.Name, "."+zone) {
			p.Add(k+".zoneName", "%q does not contain %q (%s.name); expected the hosted zone the name is in",
				zone, d.Name, k)
		}
	}
	if d.ZoneID != "" && !zoneIDPattern.MatchString(d.ZoneID) {
		p.Add(k+".zoneId", "%q is not a Route 53 hosted zone ID such as Z0123456789ABCDEFGHIJ", d.ZoneID)
	}
	return p.Err()
}

// HostProblem says why host cannot be served under the domain, or "".
func (d DomainSettings) HostProblem(host string) string {
	switch {
	case !d.Enabled():
		return fmt.Sprintf("%q needs a domain; set article-pipeline:domain.name or route by paths only", host)
	case host == d.Name:
		return ""
	case !strings.HasSuffix(host, "."+d.Name):
		return fmt.Sprintf("%q is outside the domain %q (article-pipeline:domain.name)", host, d.Name)
	case !labelPattern.MatchString(strings.TrimSuffix(host, "."+d.Name)):
		return fmt.Sprintf("%q is more than one label below %q; the certificate covers %s and *.%s only", host,
			d.Name, d.Name, d.Name)
	}
	return ""
}

// PlatformSettings is what a stack file says about the ECS cluster and load
// balancer every service of the stack shares (article-pipeline:platform).
type PlatformSettings struct {
	// ContainerInsights turns the cluster's Container Insights on (Security Hub ECS.12).
	ContainerInsights bool `json:"containerInsights"`
	// LoadBalancerDeletionProtection guards the load balancer (Security Hub ELB.6).
	LoadBalancerDeletionProtection bool `json:"loadBalancerDeletionProtection"`
	// PrivateTasks runs tasks in the private subnets without public IPs, reaching
	// AWS through InterfaceEndpoints instead of the internet. Off by default: the
	// runbook has no NAT, so tasks use public subnets as Copilot places them.
	PrivateTasks bool `json:"privateTasks"`
	// InterfaceEndpoints are the AWS services (short names such as ecr.api) given
	// an interface VPC endpoint when PrivateTasks is on.
	InterfaceEndpoints []string `json:"interfaceEndpoints"`
	// FargateSpot runs the services' tasks on Fargate Spot.
	FargateSpot FargateSpot `json:"fargateSpot"`
	// WorkingHours scales every service to zero outside working hours.
	WorkingHours WorkingHours `json:"workingHours"`
	// SharedLoadBalancer puts the services' listener rules on the HTTPS
	// listener of the shared stack's load balancer (article-pipeline:sharedStack),
	// limited to this stack's domain, instead of declaring a load balancer here.
	SharedLoadBalancer bool `json:"sharedLoadBalancer"`
}

// FargateSpot is the capacity provider strategy of a stack's services. Spot
// tasks cost about 70 % less and can be stopped with two minutes' notice when
// AWS needs the capacity back; ECS then starts replacements when Spot capacity
// is available again, and does not fall back to On-Demand by itself.
type FargateSpot struct {
	Enabled bool `json:"enabled"`
	// OnDemandBase is how many tasks of each service run on regular Fargate
	// before any runs on Spot (Copilot's spot_from minus one): they keep the
	// service up while Spot is short.
	OnDemandBase int `json:"onDemandBase"`
}

// Validate checks the base.
func (f FargateSpot) Validate(k string) error {
	var p check.Problems
	if f.OnDemandBase < 0 || f.OnDemandBase > 1000 {
		p.Add(k+".onDemandBase", "%d is out of range; expected 0..1000 tasks", f.OnDemandBase)
	}
	return p.Err()
}

// WorkingHours runs a stack's services only on Days from Start to Stop
// (24-hour times) in TimeZone: two Application Auto Scaling scheduled actions
// per service scale it to zero at Stop and back to its count at Start.
type WorkingHours struct {
	Enabled bool `json:"enabled"`
	// Days is a cron day-of-week field: MON-FRI, MON,WED,FRI or *.
	Days  string `json:"days"`
	Start string `json:"start"`
	Stop  string `json:"stop"`
	// TimeZone is an IANA time zone; the actions follow its daylight-saving
	// changes.
	TimeZone string `json:"timeZone"`
}

// StartSchedule is the cron expression of the action that starts the tasks.
func (w WorkingHours) StartSchedule() string { return w.cron(w.Start) }

// StopSchedule is the cron expression of the action that scales to zero.
func (w WorkingHours) StopSchedule() string { return w.cron(w.Stop) }

// cron is an Application Auto Scaling cron expression (minutes, hours,
// day of month, month, day of week, year) that fires at clock on Days.
func (w WorkingHours) cron(clock string) string {
	h, m, _ := strings.Cut(clock, ":")
	hour, _ := strconv.Atoi(h)
	minute, _ := strconv.Atoi(m)
	return fmt.Sprintf("cron(%d %d ? * %s *)", minute, hour, w.Days)
}

var (
	clockPattern = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
	dayNames     = []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}
)

// Validate checks the days, the times and the time zone of working hours
// that are on (off, they declare nothing).
func (w WorkingHours) Validate(k string) error {
	var p check.Problems
	if !w.Enabled {
		return nil
	}
	if problem := dayProblem(w.Days); problem != "" {
		p.Add(k+".days", "%q %s; expected days such as MON-FRI or MON,WED,FRI (SUN..SAT), or *", w.Days, problem)
	}
	for _, c := range [][2]string{{"start", w.Start}, {"stop", w.Stop}} {
		if !clockPattern.MatchString(c[1]) {
			p.Add(k+"."+c[0], "%q is not a time of day; expected HH:MM (24-hour), such as 08:00", c[1])
		}
	}
	if clockPattern.MatchString(w.Start) && clockPattern.MatchString(w.Stop) && w.Start >= w.Stop {
		p.Add(k+".stop", "%s is not after start %s; expected working hours within one day", w.Stop, w.Start)
	}
	if loc, err := time.LoadLocation(w.TimeZone); w.TimeZone == "" || w.TimeZone == "Local" || err != nil ||
		loc.String() != w.TimeZone {
		p.Add(k+".timeZone", "%q is not an IANA time zone; expected a name such as America/Los_Angeles", w.TimeZone)
	}
	return p.Err()
}

// dayProblem says what is wrong with a cron day-of-week list, or "".
func dayProblem(days string) string {
	if days == "*" {
		return ""
	}
	for _, part := range strings.Split(days, ",") {
		from, to, isRange := strings.Cut(part, "-")
		a, b := slices.Index(dayNames, from), slices.Index(dayNames, to)
		switch {
		case a < 0 || (isRange && b < 0):
			return fmt.Sprintf("has %q, which is not a day or a range of days", part)
		case isRange && b <= a:
			return fmt.Sprintf("has the range %s, which does not run forward from SUN to SAT", part)
		}
	}
	return ""
}

// endpointServices are the short service names an endpoint may be made for;
// requiredEndpoints are those a Fargate task cannot start without when private
// (image pull, logs; layers come through the VPC's S3 gateway endpoint).
var (
	endpointServices  = []string{"ecr.api", "ecr.dkr", "kms", "logs", "secretsmanager", "ssm", "ssmmessages", "sts"}
	requiredEndpoints = []string{"ecr.api", "ecr.dkr", "logs"}
)

// DefaultPlatform turns Container Insights and the load balancer's deletion
// protection on (as terraform-aws-modules/alb does); tasks stay in the public
// subnets (the runbook has no NAT). The endpoint list is what private tasks
// need to pull images, write logs and read SSM parameters. The cost levers
// are off: On-Demand tasks around the clock on the stack's own load balancer;
// working hours, when turned on, are 08:00-18:00 Monday to Friday, Pacific
// time (the team is in Oregon).
func DefaultPlatform() PlatformSettings {
	return PlatformSettings{
		ContainerInsights:              true,
		LoadBalancerDeletionProtection: true,
		InterfaceEndpoints:             []string{"ecr.api", "ecr.dkr", "logs", "ssm"},
		WorkingHours:                   WorkingHours{Days: "MON-FRI", Start: "08:00", Stop: "18:00", TimeZone: "America/Los_Angeles"},
	}
}

// Validate checks the endpoint list, the Spot base and the working hours.
func (pl PlatformSettings) Validate(k string) error {
	var p check.Problems
	p.Join(pl.FargateSpot.Validate(k + ".fargateSpot"))
	p.Join(pl.WorkingHours.Validate(k + ".workingHours"))
	seen := map[string]int{}
	for i, e := range pl.InterfaceEndpoints {
		if !slices.Contains(endpointServices, e) {
			p.Add(check.Index(k+".interfaceEndpoints", i), "%q is not a supported endpoint; expected one of %s", e,
				strings.Join(endpointServices, ", "))
		}
		if j, dup := seen[e]; dup {
			p.Add(check.Index(k+".interfaceEndpoints", i), "%q is already entry %d", e, j)
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
	return p.Err()
}
