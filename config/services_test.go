package config

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/internal/check"
	"github.com/np-mrd/article-pipeline-infra/internal/mock"
	"github.com/np-mrd/article-pipeline-infra/services"
	"github.com/np-mrd/article-pipeline-infra/storage"
)

func servicesContext(env string) ServicesContext {
	buckets := map[string]string{}
	var p check.Problems
	for role, b := range parseBuckets(merged(env, "article-pipeline:buckets", ""), env, false, &p) {
		buckets[role] = b.EnvVar
	}
	return ServicesContext{
		Environment:    env,
		Domain:         parseDomain(merged(env, "article-pipeline:domain", ""), &p),
		Parameters:     []string{"MAILGUN_API_KEY", "SLACK_WEBHOOK", "COMPOUND_BUCKET_V3"},
		Buckets:        buckets,
		SharedListener: parsePlatform(merged(env, "article-pipeline:platform", ""), &p).SharedLoadBalancer,
	}
}

// noStackFile is an environment without a stack file fixture: every key at
// its default (no domain, a load balancer of its own).
const noStackFile = "staging"

func parseServicesForTest(value string, c ServicesContext) (services.Services, error) {
	var p check.Problems
	s := parseServices(merged(c.Environment, "article-pipeline:services", value), c, &p)
	return s, p.Err()
}

func TestDefaultServices(t *testing.T) {
	t.Parallel()
	prod, err := parseServicesForTest("", servicesContext("prod"))
	if err != nil {
		t.Fatal(err)
	}
	dev, err := parseServicesForTest("", servicesContext("development"))
	if err != nil {
		t.Fatal(err)
	}
	if got := prod.Names(); !slices.Equal(got, []string{"backend", "frontend", "mltool", "nertool"}) {
		t.Errorf("prod services = %v", got)
	}
	if got := dev.Names(); !slices.Equal(got, []string{"backend", "frontend"}) {
		t.Errorf("development services = %v", got)
	}
	order := prod.Ordered()
	if !slices.Equal(order, []string{"backend", "frontend", "mltool", "nertool"}) {
		t.Errorf("prod order = %v", order)
	}
	for _, tc := range []struct {
		env                          string
		s                            services.Settings
		cpu, memory, port, priority  int
		paths, egress, secrets       []string
		dependsOn                    []string
		grace, dereg, retention, cnt int
		database                     bool
	}{
		{"prod", prod["backend"], 512, 1024, 8000, 100, []string{"/api/*", "/admin/*"}, nil,
			[]string{"DATABASE_URL"}, nil, 60, 60, 30, 1, true},
		{"prod", prod["frontend"], 256, 512, 3000, 50000, []string{"/*"}, nil, nil, []string{"backend"}, 60, 60, 30, 1,
			false},
		{"prod", prod["mltool"], 2048, 8192, 8000, 110, []string{"/mltool/*"}, nil, nil, nil, 60, 60, 30, 1, false},
		{"prod", prod["nertool"], 1024, 2048, 8000, 120, []string{"/nertool/*"}, nil, nil, nil, 60, 60, 30, 1, false},
		// On prod's listener: ahead of prod's rules, the catch-all last.
		{"development", dev["backend"], 512, 1024, 8000, 1, []string{"/api/*", "/admin/*"}, nil,
			[]string{"DATABASE_URL"}, nil, 60, 60, 30, 1, true},
		{"development", dev["frontend"], 256, 512, 3000, 99, []string{"/*"}, nil, nil, []string{"backend"}, 60, 60,
			30, 1, false},
	} {
		s := tc.s
		if s.CPU != tc.cpu || s.Memory != tc.memory || s.Port != tc.port || s.Priority != tc.priority ||
			!slices.Equal(s.Paths, tc.paths) || !slices.Equal(s.Secrets, append([]string{}, tc.secrets...)) ||
			!slices.Equal(s.DependsOn, tc.dependsOn) || s.HealthCheck.GracePeriod != tc.grace ||
			s.DeregistrationDelay != tc.dereg || s.LogRetentionDays != tc.retention || s.DesiredCount != tc.cnt ||
			s.DatabaseAccess != tc.database {
			t.Errorf("%s = %+v", tc.env, s)
		}
		if s.HealthCheck.Path != "/" || s.HealthCheck.Matcher != "200" || s.ImageTag != "" || s.Image != "" ||
			s.KeepImages != 20 || s.ExecuteCommand || s.Autoscaling != nil {
			t.Errorf("%s common defaults = %+v", tc.env, s)
		}
		// Development's rules sit on prod's listener: each answers only
		// development's host.
		hosts := map[string][]string{"development": {"development.npdeposition.org"}}[tc.env]
		if !slices.Equal(s.Hosts, hosts) {
			t.Errorf("%s hosts = %v, want %v", tc.env, s.Hosts, hosts)
		}
	}
	if got := dev["backend"].CPUArchitecture + " " + dev["frontend"].CPUArchitecture; got != "ARM64 ARM64" {
		t.Errorf("development architectures = %s", got)
	}
	if got := prod["backend"].CPUArchitecture; got != "X86_64" {
		t.Errorf("prod architecture = %s", got)
	}
	// The scratch paths each framework writes under a read-only root, and HOME
	// (and the cache variables) pointing at one of them; development's backend
	// gets the runbook's "None" for the buckets it does not have.
	for _, tc := range []struct {
		s        services.Settings
		writable []string
		env      map[string]string
	}{
		{prod["backend"], []string{"/tmp"}, map[string]string{"HOME": "/tmp"}},
		{prod["frontend"], []string{"/tmp", "/app/.next/cache"}, map[string]string{"HOME": "/tmp",
			"NEXT_TELEMETRY_DISABLED": "1"}},
		{prod["nertool"], []string{"/tmp", "/cache"}, map[string]string{"HOME": "/cache", "XDG_CACHE_HOME": "/cache"}},
		{prod["mltool"], []string{"/tmp", "/cache"}, map[string]string{"HOME": "/cache", "XDG_CACHE_HOME": "/cache"}},
		{dev["backend"], []string{"/tmp"}, map[string]string{"HOME": "/tmp", "S3_RSS_INGESTION_ARCHIVE_URL": "None",
			"DEPOSITON_CHART_BUCKET": "None"}},
		{dev["frontend"], []string{"/tmp", "/app/.next/cache"}, map[string]string{"HOME": "/tmp",
			"NEXT_TELEMETRY_DISABLED": "1"}},
	} {
		if !slices.Equal(tc.s.WritablePaths, tc.writable) || !maps.Equal(tc.s.Environment, tc.env) {
			t.Errorf("port %d: writable %v, environment %v; want %v, %v", tc.s.Port, tc.s.WritablePaths,
				tc.s.Environment, tc.writable, tc.env)
		}
	}
	// Both stacks have a domain, so HTTPS is enough.
	if got := prod["backend"].EgressPorts; !slices.Equal(got, []int{443}) {
		t.Errorf("prod egress = %v", got)
	}
	if got := dev["backend"].EgressPorts; !slices.Equal(got, []int{443}) {
		t.Errorf("development egress = %v", got)
	}
	plain, err := parseServicesForTest("", servicesContext(noStackFile))
	if err != nil {
		t.Fatal(err)
	}
	if got := plain["backend"].EgressPorts; !slices.Equal(got, []int{80, 443}) {
		t.Errorf("egress without a domain = %v", got)
	}
	// The NER and ML tools: prod's backend gets their URLs from this stack,
	// development's from prod's outputs.
	if got := prod["backend"].ServiceURLs; !maps.Equal(got, map[string]string{"NER_TOOL_URL": "nertool",
		"ML_TOOL_URL": "mltool"}) || len(prod["backend"].SharedURLs) != 0 {
		t.Errorf("prod backend URLs = %v %v", got, prod["backend"].SharedURLs)
	}
	if got := dev["backend"].SharedURLs; !maps.Equal(got, map[string]string{"NER_TOOL_URL": "nertoolUrl",
		"ML_TOOL_URL": "mltoolUrl"}) || len(dev["backend"].ServiceURLs) != 0 {
		t.Errorf("development backend URLs = %v %v", got, dev["backend"].ServiceURLs)
	}
	// Bucket grants follow the buckets the stack has.
	if got := prod["backend"].Buckets; !maps.Equal(got, map[string]services.Access{storage.RoleDeposition: services.AccessReadWrite,
		storage.RoleDjangoStatic: services.AccessReadWrite, storage.RoleRSSArchive: services.AccessReadWrite, storage.RoleDepositionCharts: services.AccessReadWrite}) {
		t.Errorf("prod backend buckets = %v", got)
	}
	if got := dev["backend"].Buckets; !maps.Equal(got, map[string]services.Access{storage.RoleDeposition: services.AccessReadWrite,
		storage.RoleDjangoStatic: services.AccessReadWrite}) {
		t.Errorf("development backend buckets = %v", got)
	}
}

func TestServicesOverrides(t *testing.T) {
	t.Parallel()
	c := servicesContext("prod")
	s, err := parseServicesForTest(`{
		"mltool": null,
		"nertool": {"enabled": false},
		"backend": {"imageTag": "v1.2.3", "hosts": ["api.npdeposition.org"], "paths": [], "priority": 10,
			"secrets": ["DATABASE_URL", "MAILGUN_API_KEY"], "environment": {"DJANGO_DEBUG": "False"},
			"autoscaling": {"max": 6}, "desiredCount": 2, "healthCheck": {"path": "/health/"},
			"writablePaths": ["/tmp", "/app/media"], "executeCommand": true, "serviceUrls": {}},
		"literature-proxy": {"image": "ghcr.io/np-mrd/literature-proxy:0.3.1", "port": 8080,
			"paths": ["/literature/*"], "dependsOn": ["backend"]}
	}`, c)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Names(); !slices.Equal(got, []string{"backend", "frontend", "literature-proxy"}) {
		t.Fatalf("services = %v", got)
	}
	b := s["backend"]
	if b.ImageTag != "v1.2.3" || !slices.Equal(b.Hosts, []string{"api.npdeposition.org"}) || len(b.Paths) != 0 ||
		b.Priority != 10 || b.HealthCheck.Path != "/health/" || b.HealthCheck.GracePeriod != 60 ||
		b.DesiredCount != 2 || *b.Autoscaling != (services.Autoscaling{Min: 1, Max: 6, CPUTarget: 70}) || !b.ExecuteCommand ||
		!slices.Equal(b.WritablePaths, []string{"/tmp", "/app/media"}) ||
		!slices.Equal(b.Secrets, []string{"DATABASE_URL", "MAILGUN_API_KEY"}) || b.CPU != 512 {
		t.Errorf("backend = %+v", b)
	}
	lp := s["literature-proxy"]
	if lp.Image != "ghcr.io/np-mrd/literature-proxy:0.3.1" || lp.Port != 8080 || lp.CPU != 256 || lp.Memory != 512 ||
		lp.Priority != 100 || lp.HealthCheck.GracePeriod != 60 || lp.LogRetentionDays != 30 {
		t.Errorf("literature-proxy = %+v", lp)
	}
	order := s.Ordered()
	if !slices.Equal(order, []string{"backend", "frontend", "literature-proxy"}) {
		t.Errorf("order = %v", order)
	}
}

// TestNoneOnlyWhereTheServiceSetsNothing: a service that sets a missing
// bucket's variable itself keeps its value; one that lists its buckets gets no
// "None" for the others.
func TestNoneOnlyWhereTheServiceSetsNothing(t *testing.T) {
	t.Parallel()
	s, err := parseServicesForTest(`{"backend": {"environment": {"DEPOSITON_CHART_BUCKET": "shared-charts"}}}`,
		servicesContext("development"))
	if err != nil {
		t.Fatal(err)
	}
	if got := s["backend"].Environment; !maps.Equal(got, map[string]string{"DEPOSITON_CHART_BUCKET": "shared-charts",
		"S3_RSS_INGESTION_ARCHIVE_URL": "None"}) {
		t.Errorf("environment = %v", got)
	}
	s, err = parseServicesForTest(`{"backend": {"buckets": {"deposition": "read"}}}`, servicesContext("development"))
	if err != nil {
		t.Fatal(err)
	}
	if got := s["backend"].Environment; !maps.Equal(got, map[string]string{"HOME": "/tmp"}) {
		t.Errorf("environment with configured buckets = %v", got)
	}
}

func TestBadServices(t *testing.T) {
	t.Parallel()
	k := "article-pipeline:services."
	// on parses a value laid over env's stack file.
	on := func(env string) func(t *testing.T, value string) error {
		return func(t *testing.T, value string) error {
			_, err := parseServicesForTest(value, servicesContext(env))
			return err
		}
	}
	onProd := []mock.BadValue[string]{
		{Name: "host outside the domain", Value: `{"backend": {"hosts": ["api.example.com"]}}`,
			WantErr: k + `backend.hosts[0]: "api.example.com" is outside the domain "npdeposition.org"`},
		{Name: "host two labels deep", Value: `{"backend": {"hosts": ["a.b.npdeposition.org"]}}`,
			WantErr: k + `backend.hosts[0]: "a.b.npdeposition.org" is more than one label below`},
		{Name: "undeclared secret", Value: `{"backend": {"secrets": ["DATABASE_URL", "STRIPE_KEY"]}}`,
			WantErr: k + `backend.secrets[1]: "STRIPE_KEY" is not a declared parameter`},
		{Name: "unknown dependency", Value: `{"frontend": {"dependsOn": ["api"]}}`,
			WantErr: k + `frontend.dependsOn[0]: "api" is not a service of this stack`},
		{Name: "dependency on itself", Value: `{"frontend": {"dependsOn": ["frontend"]}}`,
			WantErr: k + `frontend.dependsOn[0]: "frontend" is the service itself`},
		{Name: "dependency cycle", Value: `{"backend": {"dependsOn": ["nertool"]}, "nertool": {"dependsOn": ["frontend"]}}`,
			WantErr: k + `backend.dependsOn: dependency cycle backend -> nertool -> frontend -> backend`},
		{Name: "memory not offered", Value: `{"mltool": {"cpu": 2048, "memory": 3072}}`,
			WantErr: k + `mltool.memory: 3072 MiB is not offered with 2048 CPU on Fargate; ` +
				`expected 4096..16384 in steps of 1024`},
		{Name: "256 CPU with 4 GiB", Value: `{"frontend": {"memory": 4096}}`,
			WantErr: k + `frontend.memory: 4096 MiB is not offered with 256 CPU on Fargate; expected 512, 1024 or 2048`},
		{Name: "cpu not offered", Value: `{"backend": {"cpu": 300}}`,
			WantErr: k + `backend.cpu: 300 is not a Fargate CPU size`},
		{Name: "8192 CPU off step", Value: `{"mltool": {"cpu": 8192, "memory": 17408}}`,
			WantErr: k + `mltool.memory: 17408 MiB is not offered with 8192 CPU on Fargate; ` +
				`expected 16384..61440 in steps of 4096`},
		{Name: "16384 CPU off step", Value: `{"mltool": {"cpu": 16384, "memory": 36864}}`,
			WantErr: k + `mltool.memory: 36864 MiB is not offered with 16384 CPU`},
		{Name: "health check path without slash", Value: `{"backend": {"healthCheck": {"path": "health/"}}}`,
			WantErr: k + `backend.healthCheck.path: "health/" does not start with "/"`},
		{Name: "health check path too long",
			Value:   `{"backend": {"healthCheck": {"path": "/` + strings.Repeat("h", 1024) + `"}}}`,
			WantErr: k + `backend.healthCheck.path: 1025 characters; expected at most 1024 (the target group's limit)`},
		{Name: "autoscaling min above max", Value: `{"backend": {"autoscaling": {"min": 5, "max": 2}}}`,
			WantErr: k + `backend.autoscaling.min: 5 is greater than max 2`},
		{Name: "desired count outside bounds", Value: `{"backend": {"desiredCount": 8, "autoscaling": {"min": 1, "max": 4}}}`,
			WantErr: k + `backend.desiredCount: 8 is outside autoscaling 1..4`},
		{Name: "bad service name", Value: `{"Backend_2": {"port": 80, "paths": ["/b/*"]}}`,
			WantErr: k + `Backend_2: "Backend_2" is not a service name`},
		{Name: "service name too long", Value: `{"literature-proxy-service": {"port": 80, "paths": ["/b/*"]}}`,
			WantErr: k + `literature-proxy-service: "literature-proxy-service" is not a service name`},
		{Name: "new service without port", Value: `{"proxy": {"paths": ["/p/*"]}}`,
			WantErr: k + `proxy.port: required: "proxy" is not one of the default services`},
		{Name: "no route", Value: `{"backend": {"paths": []}}`,
			WantErr: k + `backend: no route; expected hosts, paths or both`},
		{Name: "duplicate priority", Value: `{"backend": {"priority": 120}, "nertool": {"priority": 120}}`,
			WantErr: k + `nertool.priority: 120 is already the priority of article-pipeline:services.backend`},
		{Name: "duplicate route", Value: `{"nertool": {"paths": ["/api/*"]}}`,
			WantErr: k + `nertool: route /api/* is already served by article-pipeline:services.backend`},
		{Name: "bad access", Value: `{"backend": {"buckets": {"deposition": "admin"}}}`,
			WantErr: k + `backend.buckets.deposition: "admin" is not an access level`},
		{Name: "variable twice", Value: `{"backend": {"environment": {"DATABASE_URL": "x"}}}`,
			WantErr: k + `backend.secrets[0]: "DATABASE_URL" is already set by ` + k + `backend.environment.DATABASE_URL`},
		{Name: "secret named like a bucket variable", Value: `{"backend": {"secrets": ["COMPOUND_BUCKET_V3"]}}`,
			WantErr: k + `backend.buckets.deposition: "COMPOUND_BUCKET_V3" is already set by ` + k + `backend.secrets[0]`},
		{Name: "reserved variable", Value: `{"backend": {"environment": {"PARAMETERS_VERSION": "1"}}}`,
			WantErr: k + `backend.environment.PARAMETERS_VERSION: "PARAMETERS_VERSION" is reserved`},
		{Name: "image and tag", Value: `{"backend": {"image": "nginx:1.27", "imageTag": "v1"}}`,
			WantErr: k + `backend.imageTag: set together with image`},
		{Name: "unpinned image", Value: `{"backend": {"image": "nginx"}}`,
			WantErr: k + `backend.image: "nginx" is not a pinned image reference`},
		{Name: "latest tag", Value: `{"backend": {"imageTag": "latest"}}`,
			WantErr: k + `backend.imageTag: "latest" cannot be used: the repository's tags are immutable`},
		{Name: "log retention", Value: `{"backend": {"logRetentionDays": 31}}`,
			WantErr: k + `backend.logRetentionDays: 31 is not a CloudWatch Logs retention`},
		{Name: "relative writable path", Value: `{"backend": {"writablePaths": ["tmp"]}}`,
			WantErr: k + `backend.writablePaths[0]: "tmp" is not an absolute directory path`},
		{Name: "misspelled field", Value: `{"backend": {"tag": "v1"}}`,
			WantErr: k + `backend: unknown field "tag"`},
		{Name: "wrong type", Value: `{"backend": {"cpu": "512"}}`,
			WantErr: k + `backend.cpu: expected a whole number, got a JSON string`},
		{Name: "too many route values", Value: `{"backend": {"paths": ["/a", "/b", "/c", "/d", "/e", "/f"]}}`,
			WantErr: k + `backend: 6 hosts and paths; a load balancer rule matches at most 5 values`},
	}
	mock.RejectsValues(t, onProd, mock.Contains, on("prod"))
	onDevelopment := []mock.BadValue[string]{
		{Name: "prod's host on prod's listener", Value: `{"frontend": {"hosts": ["npdeposition.org"]}}`,
			WantErr: k + `frontend.hosts[0]: "npdeposition.org" is outside the domain "development.npdeposition.org"`},
		{Name: "a priority among prod's rules", Value: `{"backend": {"priority": 150}}`,
			WantErr: k + `backend.priority: 150 is out of range on a shared listener; expected 1..99, ahead of the owning ` +
				`stack's rules (100 and up)`},
		{Name: "shared URL names a service, not its output",
			Value: `{"backend": {"sharedUrls": {"NER_TOOL_URL": "nertool"}}}`,
			WantErr: k + `backend.sharedUrls.NER_TOOL_URL: "nertool" is not a URL output of the shared stack; ` +
				`expected baseUrl or <service>Url such as nertoolUrl`},
		{Name: "unknown bucket", Value: `{"backend": {"buckets": {"depositionCharts": "write"}}}`,
			WantErr: k + `backend.buckets.depositionCharts: "depositionCharts" is not a bucket of this stack`},
		{Name: "url of unknown service", Value: `{"backend": {"serviceUrls": {"NER_TOOL_URL": "nertool"}}}`,
			WantErr: k + `backend.serviceUrls.NER_TOOL_URL: "nertool" is not a service of this stack`},
	}
	mock.RejectsValues(t, onDevelopment, mock.Contains, on("development"))
	withoutStackFile := []mock.BadValue[string]{
		{Name: "host without a domain", Value: `{"backend": {"hosts": ["api.npdeposition.org"]}}`,
			WantErr: k + `backend.hosts[0]: "api.npdeposition.org" needs a domain`},
	}
	mock.RejectsValues(t, withoutStackFile, mock.Contains, on(noStackFile))
}

// sectionCase is one value of a config section, laid over env's stack file:
// the settings it gives, or the problem it causes.
type sectionCase[T any] struct {
	name, env, value string
	want             T
	wantErr          string
}

// checkSection checks each case as a parallel subtest, parsing the value laid
// over the case's stack file for key.
func checkSection[T any](t *testing.T, key string, parse func(value string, p *check.Problems) T,
	cases []sectionCase[T]) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			parseCase := func(p *check.Problems) T { return parse(merged(tc.env, key, tc.value), p) }
			if tc.wantErr != "" {
				wantProblem(t, tc.wantErr, parseCase)
				return
			}
			if got := parsed(t, parseCase); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v; want %+v", got, tc.want)
			}
		})
	}
}

func TestDomain(t *testing.T) {
	t.Parallel()
	checkSection(t, "article-pipeline:domain", parseDomain, []sectionCase[services.DomainSettings]{
		{name: "prod default", env: "prod", want: services.DomainSettings{Name: "npdeposition.org",
			SSLPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", AliasRecords: true}},
		{name: "development default", env: "development", want: services.DomainSettings{Name: "development.npdeposition.org",
			ZoneName: "npdeposition.org", SSLPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", AliasRecords: true}},
		{name: "a stack without a domain", env: noStackFile, want: services.DomainSettings{
			SSLPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", AliasRecords: true}},
		{name: "development subdomain", env: "development",
			value: `{"name": "dev.npdeposition.org", "zoneName": "npdeposition.org"}`,
			want: services.DomainSettings{Name: "dev.npdeposition.org", ZoneName: "npdeposition.org",
				SSLPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", AliasRecords: true}},
		{name: "zone by id", env: "prod", value: `{"zoneId": "Z0123456789ABCDEFGHIJ", "overwriteRecords": true}`,
			want: services.DomainSettings{Name: "npdeposition.org", ZoneID: "Z0123456789ABCDEFGHIJ",
				SSLPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", AliasRecords: true, OverwriteRecords: true}},
		{name: "beside Copilot until the cut-over", env: "prod", value: `{"aliasRecords": false}`,
			want: services.DomainSettings{Name: "npdeposition.org", SSLPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06"}},
		{name: "prod without a domain", env: "prod", value: `{"name": ""}`,
			want: services.DomainSettings{SSLPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", AliasRecords: true}},
		{name: "weak policy", env: "prod", value: `{"sslPolicy": "ELBSecurityPolicy-2016-08"}`,
			wantErr: `article-pipeline:domain.sslPolicy: "ELBSecurityPolicy-2016-08" is not a TLS 1.2+ load balancer policy`},
		{name: "zone outside the name", env: "prod", value: `{"zoneName": "example.org"}`,
			wantErr: `article-pipeline:domain.zoneName: "example.org" does not contain "npdeposition.org"`},
		{name: "bad name", env: "prod", value: `{"name": "NP Deposition"}`,
			wantErr: `article-pipeline:domain.name: "NP Deposition" is not a lower-case domain name`},
		{name: "bad zone id", env: "prod", value: `{"zoneId": "zone-1"}`,
			wantErr: `article-pipeline:domain.zoneId: "zone-1" is not a Route 53 hosted zone ID`},
		{name: "zone without name", env: "prod", value: `{"name": "", "zoneName": "npdeposition.org"}`,
			wantErr: `article-pipeline:domain.name: required when zoneId or zoneName is set`},
		{name: "unknown field", env: "prod", value: `{"privateTasks": true}`,
			wantErr: `article-pipeline:domain: unknown field "privateTasks"`},
	})
}

func TestPlatform(t *testing.T) {
	t.Parallel()
	checkSection(t, "article-pipeline:platform", parsePlatform, []sectionCase[services.PlatformSettings]{
		{name: "prod default", env: "prod", want: services.PlatformSettings{ContainerInsights: true, LoadBalancerDeletionProtection: true,
			InterfaceEndpoints: []string{"ecr.api", "ecr.dkr", "logs", "ssm"}, WorkingHours: offPacificWorkday}},
		// The cost levers: Spot, working hours, no Container Insights, prod's
		// load balancer.
		{name: "development default", env: "development", want: services.PlatformSettings{
			LoadBalancerDeletionProtection: true, InterfaceEndpoints: []string{"ecr.api", "ecr.dkr", "logs", "ssm"},
			FargateSpot: services.FargateSpot{Enabled: true}, WorkingHours: pacificWorkday, SharedLoadBalancer: true}},
		{name: "private tasks", env: "prod",
			value: `{"privateTasks": true, "containerInsights": false,
				"interfaceEndpoints": ["ecr.api", "ecr.dkr", "logs", "ssm", "secretsmanager"]}`,
			want: services.PlatformSettings{PrivateTasks: true, LoadBalancerDeletionProtection: true,
				InterfaceEndpoints: []string{"ecr.api", "ecr.dkr", "logs", "ssm", "secretsmanager"},
				WorkingHours:       offPacificWorkday}},
		{name: "Spot with an On-Demand base", env: "prod", value: `{"fargateSpot": {"enabled": true, "onDemandBase": 1}}`,
			want: services.PlatformSettings{ContainerInsights: true, LoadBalancerDeletionProtection: true,
				InterfaceEndpoints: []string{"ecr.api", "ecr.dkr", "logs", "ssm"},
				FargateSpot:        services.FargateSpot{Enabled: true, OnDemandBase: 1}, WorkingHours: offPacificWorkday}},
		{name: "working hours in another zone", env: "prod",
			value: `{"workingHours": {"enabled": true, "start": "07:30", "timeZone": "America/New_York"}}`,
			want: services.PlatformSettings{ContainerInsights: true, LoadBalancerDeletionProtection: true,
				InterfaceEndpoints: []string{"ecr.api", "ecr.dkr", "logs", "ssm"},
				WorkingHours: services.WorkingHours{Enabled: true, Days: "MON-FRI", Start: "07:30", Stop: "18:00",
					TimeZone: "America/New_York"}}},
		{name: "bad working hours", env: "prod", value: `{"workingHours": {"enabled": true, "days": "weekdays"}}`,
			wantErr: `article-pipeline:platform.workingHours.days: "weekdays" has "weekdays", which is not a day or a range of days`},
		{name: "negative base", env: "prod", value: `{"fargateSpot": {"enabled": true, "onDemandBase": -1}}`,
			wantErr: `article-pipeline:platform.fargateSpot.onDemandBase: -1 is out of range; expected 0..1000 tasks`},
		{name: "misspelled lever", env: "prod", value: `{"fargateSpot": {"enable": true}}`,
			wantErr: `article-pipeline:platform.fargateSpot: unknown field "enable"`},
		{name: "missing endpoint", env: "prod", value: `{"privateTasks": true, "interfaceEndpoints": ["ecr.api", "logs"]}`,
			wantErr: `article-pipeline:platform.interfaceEndpoints: "ecr.dkr" is missing`},
		{name: "unknown endpoint", env: "prod", value: `{"interfaceEndpoints": ["ecr"]}`,
			wantErr: `article-pipeline:platform.interfaceEndpoints[0]: "ecr" is not a supported endpoint`},
		{name: "wrong type", env: "prod", value: `{"containerInsights": "yes"}`,
			wantErr: `article-pipeline:platform.containerInsights: expected true or false`},
	})
}

// pacificWorkday is the working hours' default: 08:00-18:00 on weekdays,
// Pacific time; offPacificWorkday the same, off.
var (
	pacificWorkday = services.WorkingHours{Enabled: true, Days: "MON-FRI", Start: "08:00", Stop: "18:00",
		TimeZone: "America/Los_Angeles"}
	offPacificWorkday = services.WorkingHours{Days: "MON-FRI", Start: "08:00", Stop: "18:00",
		TimeZone: "America/Los_Angeles"}
)

func TestEgressOverride(t *testing.T) {
	t.Parallel()
	s, err := parseServicesForTest(`{"frontend": {"egressPorts": [443]}}`, servicesContext(noStackFile))
	if err != nil {
		t.Fatal(err)
	}
	if got := s["frontend"].EgressPorts; !slices.Equal(got, []int{443}) {
		t.Errorf("configured egress = %v, want [443] as configured", got)
	}
	if got := s["backend"].EgressPorts; !slices.Equal(got, []int{80, 443}) {
		t.Errorf("default egress without a domain = %v, want [80 443]", got)
	}
}
