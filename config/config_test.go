package config

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/internal/check"
	"github.com/np-mrd/article-pipeline-infra/internal/mock"
)

// stackRaw builds the raw config of a stack from namespaced key/value pairs.
// stackRaw builds the raw config of a stack: what its committed stack file
// states (stackFiles; protect: false for any other stack), with kv laid over.
func stackRaw(stack string, kv ...string) Raw {
	r := Raw{Project: Namespace, Stack: stack, Values: map[string]string{"article-pipeline:protect": "false"},
		Secret: map[string]bool{}}
	for k, v := range stackFiles[stack] {
		r.Values[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		r.Values[kv[i]] = merged(stack, kv[i], kv[i+1])
	}
	return r
}

// mustParse parses raw and fails t on an error.
func mustParse(t *testing.T, raw Raw) *Settings {
	t.Helper()
	s, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// parseFails parses raw and fails t unless that fails with an error
// containing want; it returns the error.
func parseFails(t *testing.T, raw Raw, want string) error {
	t.Helper()
	_, err := Parse(raw)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v\nwant it to contain %q", err, want)
	}
	return err
}

// parseProd parses prod's stack file with kv laid over (a mock.RejectsValues
// check).
func parseProd(t *testing.T, kv []string) error {
	_, err := Parse(stackRaw("prod", kv...))
	return err
}

// parsed runs a section's parse with a fresh problem list and fails t on any
// problem.
func parsed[T any](t *testing.T, parse func(p *check.Problems) T) T {
	t.Helper()
	var p check.Problems
	v := parse(&p)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	return v
}

// problems runs a section's parse with a fresh problem list and returns them.
func problems[T any](parse func(p *check.Problems) T) check.Problems {
	var p check.Problems
	parse(&p)
	return p
}

// wantProblem fails t unless parse reports a problem containing want.
func wantProblem[T any](t *testing.T, want string, parse func(p *check.Problems) T) {
	t.Helper()
	if err := problems(parse).Err(); err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v\nwant it to contain %q", err, want)
	}
}

func TestDefaultsAreTheRunbook(t *testing.T) {
	t.Parallel()
	s := mustParse(t, stackRaw("prod"))
	if s.Environment != "prod" || s.Application != "article-pipeline" || s.Region != "us-west-2" || !s.Protect {
		t.Errorf("top level = %+v", s)
	}
	n := s.Network
	if n.CIDR != "10.0.0.0/16" || n.NamePrefix != "np-deposition" || !n.S3GatewayEndpoint || !n.LockDefaultSecurityGroup {
		t.Errorf("network = %+v", n)
	}
	if !slices.Equal(n.PublicSubnets, []string{"10.0.2.0/24", "10.0.0.0/24"}) ||
		!slices.Equal(n.PrivateSubnets, []string{"10.0.3.0/24", "10.0.1.0/24"}) {
		t.Errorf("subnets = %v %v", n.PublicSubnets, n.PrivateSubnets)
	}
	if len(n.AvailabilityZones) != 0 {
		t.Errorf("zones = %v, want none (the region's first two)", n.AvailabilityZones)
	}

	dev := mustParse(t, stackRaw("development"))
	if dev.Protect || dev.Environment != "development" {
		t.Errorf("development: protect %v environment %q", dev.Protect, dev.Environment)
	}
}

func TestOverrides(t *testing.T) {
	t.Parallel()
	s := mustParse(t, stackRaw("sandbox-ana",
		"article-pipeline:environment", "sandbox",
		"article-pipeline:protect", "true",
		"aws:region", "eu-west-1",
		"article-pipeline:network", `{"cidr":"10.1.0.0/16","availabilityZones":["eu-west-1a","eu-west-1c"],`+
			`"publicSubnets":["10.1.0.0/24","10.1.1.0/24"],"privateSubnets":["10.1.10.0/24","10.1.11.0/24"],`+
			`"s3GatewayEndpoint":false}`,
	))
	if s.Environment != "sandbox" || !s.Protect || s.Region != "eu-west-1" || s.SharedStack != "" {
		t.Errorf("settings = %+v", s)
	}
	shared := mustParse(t, stackRaw("sandbox-ana", "article-pipeline:sharedStack", "acme/article-pipeline/prod"))
	if shared.SharedStack != "acme/article-pipeline/prod" {
		t.Errorf("sharedStack = %q", shared.SharedStack)
	}
	if s.Network.CIDR != "10.1.0.0/16" || s.Network.S3GatewayEndpoint || !s.Network.LockDefaultSecurityGroup ||
		!slices.Equal(s.Network.AvailabilityZones, []string{"eu-west-1a", "eu-west-1c"}) {
		t.Errorf("network = %+v", s.Network)
	}
}

func TestAdoptNetwork(t *testing.T) {
	t.Parallel()
	s := mustParse(t, stackRaw("prod", "article-pipeline:adopt", `{"network":{"vpcId":"vpc-1","internetGatewayId":"igw-1",`+
		`"publicRouteTableId":"rtb-1","publicSubnetIds":["subnet-1","subnet-2"],"privateSubnetIds":["subnet-3","subnet-4"],`+
		`"privateRouteTableIds":["rtb-2","rtb-3"]}}`))
	if a := s.Adopt.Network; a == nil || a.VpcID != "vpc-1" || a.PrivateRouteTableIDs[1] != "rtb-3" {
		t.Errorf("adopt = %+v", s.Adopt.Network)
	}
}

func TestBadConfigNamesTheKey(t *testing.T) {
	t.Parallel()
	net := func(js string) []string { return []string{"article-pipeline:network", js} }
	cases := []mock.BadValue[[]string]{
		{Name: "private subnet outside the VPC", Value: net(`{"privateSubnets":["10.0.3.0/24","10.1.1.0/24"]}`),
			WantErr: `article-pipeline:network.privateSubnets[1]: "10.1.1.0/24" is outside the VPC block 10.0.0.0/16`},
		{Name: "overlapping subnets", Value: net(`{"publicSubnets":["10.0.2.0/24","10.0.2.0/23"]}`),
			WantErr: `article-pipeline:network.publicSubnets[1]: "10.0.2.0/23" overlaps 10.0.2.0/24`},
		{Name: "overlap across lists", Value: net(`{"privateSubnets":["10.0.2.0/25","10.0.1.0/24"]}`),
			WantErr: `article-pipeline:network.privateSubnets[0]: "10.0.2.0/25" overlaps 10.0.2.0/24 ` +
				`(article-pipeline:network.publicSubnets[0])`},
		{Name: "host bits set", Value: net(`{"publicSubnets":["10.0.2.0/24","10.0.1.5/24"]}`),
			WantErr: `article-pipeline:network.publicSubnets[1]: "10.0.1.5/24" is not a network address; ` +
				`did you mean "10.0.1.0/24"?`},
		{Name: "not a CIDR", Value: net(`{"cidr":"10.0.0.0"}`),
			WantErr: `article-pipeline:network.cidr: "10.0.0.0" is not a CIDR block`},
		{Name: "VPC too large", Value: net(`{"cidr":"10.0.0.0/8"}`),
			WantErr: `article-pipeline:network.cidr: "10.0.0.0/8" is out of range`},
		{Name: "one subnet", Value: net(`{"publicSubnets":["10.0.2.0/24"],"privateSubnets":["10.0.3.0/24"]}`),
			WantErr: `article-pipeline:network.publicSubnets: 1 subnet(s) given; expected at least 2`},
		{Name: "uneven lists", Value: net(`{"privateSubnets":["10.0.3.0/24","10.0.1.0/24","10.0.5.0/24"]}`),
			WantErr: `article-pipeline:network.privateSubnets: 3 private subnets for 2 public ones`},
		{Name: "zone count", Value: net(`{"availabilityZones":["us-west-2a"]}`),
			WantErr: `article-pipeline:network.availabilityZones: 1 zones for 2 public subnets`},
		{Name: "zone in another region", Value: net(`{"availabilityZones":["us-west-2a","us-east-1b"]}`),
			WantErr: `article-pipeline:network.availabilityZones[1]: "us-east-1b" is not in region us-west-2`},
		{Name: "zone the region does not have", Value: net(`{"availabilityZones":["us-west-2a","us-west-2z"]}`),
			WantErr: `article-pipeline:network.availabilityZones[1]: "us-west-2z" is not a zone of us-west-2; expected one of ` +
				`us-west-2a, us-west-2b, us-west-2c, us-west-2d (AWS's zones on 2026-12-02)`},
		{Name: "region that does not exist", Value: []string{"aws:region", "us-west-9"},
			WantErr: `aws:region: "us-west-9" is not an AWS region; expected one of af-south-1, ap-east-1, ap-east-2,`},
		{Name: "backup copy to a region that does not exist",
			Value:   []string{"article-pipeline:backup", `{"copyToRegion":"us-west-9"}`},
			WantErr: `article-pipeline:backup.copyToRegion: "us-west-9" is not an AWS region; expected one of af-south-1,`},
		{Name: "duplicate zone", Value: net(`{"availabilityZones":["us-west-2a","us-west-2a"]}`),
			WantErr: `article-pipeline:network.availabilityZones[1]: "us-west-2a" is already zone 0`},
		{Name: "misspelled field", Value: net(`{"cidrr":"10.0.0.0/16"}`),
			WantErr: `article-pipeline:network: unknown field "cidrr"`},
		{Name: "wrong type", Value: net(`{"publicSubnets":"10.0.2.0/24"}`),
			WantErr: `article-pipeline:network.publicSubnets: expected a list`},
		{Name: "unknown key", Value: []string{"article-pipeline:netwrok", "{}"},
			WantErr: `article-pipeline:netwrok: unknown key; did you mean network?`},
		{Name: "unknown key far from any", Value: []string{"article-pipeline:frobnicate", "{}"},
			WantErr: `article-pipeline:frobnicate: unknown key; expected one of environment, application, protect`},
		{Name: "bad protect", Value: []string{"article-pipeline:protect", "yes please"},
			WantErr: `article-pipeline:protect: "yes please" is not a boolean`},
		{Name: "bad region", Value: []string{"aws:region", "oregon"},
			WantErr: `aws:region: "oregon" is not an AWS region name`},
		{Name: "bad environment", Value: []string{"article-pipeline:environment", "Prod!"},
			WantErr: `article-pipeline:environment: "Prod!" is not a valid environment name`},
		{Name: "bad stack reference", Value: []string{"article-pipeline:sharedStack", "acme/article-pipeline/prod/x"},
			WantErr: `article-pipeline:sharedStack: "acme/article-pipeline/prod/x" is not a stack reference; expected STACK ` +
				`(prod), PROJECT/STACK or ORGANIZATION/PROJECT/STACK`},
		{Name: "stack reference to itself", Value: []string{"article-pipeline:sharedStack", "prod"},
			WantErr: `article-pipeline:sharedStack: "prod" is this stack itself (organization/article-pipeline/prod)`},
		{Name: "misspelled key", Value: []string{"article-pipeline:databse", `{"instanceClass":"db.t3.micro"}`},
			WantErr: `article-pipeline:databse: unknown key; did you mean database?`},
		// Alarms, the web ACL and logs (issue 13).
		{Name: "bad email", Value: []string{"article-pipeline:alarms", `{"emails":["team at npdeposition.org"]}`},
			WantErr: `article-pipeline:alarms.emails[0]: "team at npdeposition.org" is not an email address; expected one ` +
				`address such as team@example.org`},
		{Name: "threshold out of range",
			Value: []string{"article-pipeline:alarms", `{"database":{"freeStoragePercent":100}}`},
			WantErr: `article-pipeline:alarms.database.freeStoragePercent: 100 is out of range; expected 1..99 (percent of ` +
				`the allocated storage)`},
		{Name: "misspelled threshold", Value: []string{"article-pipeline:alarms", `{"services":{"cpu":90}}`},
			WantErr: `article-pipeline:alarms.services: unknown field "cpu"; expected one of cpuPercent, memoryPercent, ` +
				`taskShortfallMinutes`},
		{Name: "rate limit below AWS's minimum", Value: []string{"article-pipeline:waf", `{"rateLimit":5}`},
			WantErr: `article-pipeline:waf.rateLimit: 5 is below AWS WAF's minimum; expected 10..2000000000 (requests per IP ` +
				`address in 5 minutes)`},
		{Name: "WAF log retention", Value: []string{"article-pipeline:waf", `{"logRetentionDays":31}`},
			WantErr: `article-pipeline:waf.logRetentionDays: 31 is not a CloudWatch Logs retention`},
		{Name: "access logs kept forever", Value: []string{"article-pipeline:accessLogs", `{"expirationDays":0}`},
			WantErr: `article-pipeline:accessLogs.expirationDays: 0 is out of range; ` +
				`expected 1..3650 (days a log file is kept)`},
		{Name: "flow log retention", Value: []string{"article-pipeline:network", `{"flowLogs":{"retentionDays":10}}`},
			WantErr: `article-pipeline:network.flowLogs.retentionDays: 10 is not a CloudWatch Logs retention`},
		{Name: "slow query threshold", Value: []string{"article-pipeline:database", `{"slowQueryMs":-5}`},
			WantErr: `article-pipeline:database.slowQueryMs: -5 is out of range; expected -1 (off) or 0..3600000`},
		{Name: "alarms without Container Insights",
			Value: []string{"article-pipeline:platform", `{"containerInsights":false}`},
			WantErr: `article-pipeline:alarms.enabled: true with services, but article-pipeline:platform.containerInsights ` +
				`is false; the task-count alarms read Container Insights' RunningTaskCount`},
		{Name: "partial adoption", Value: []string{"article-pipeline:adopt", `{"network":{"vpcId":"vpc-1"}}`},
			WantErr: `article-pipeline:adopt.network.internetGatewayId: "" is not a igw ID`},
		{Name: "adoption with the wrong ID kind",
			Value: []string{"article-pipeline:adopt", `{"network":{"vpcId":"vpc-1","internetGatewayId":"igw-1",` +
				`"publicRouteTableId":"rtb-1","publicSubnetIds":["subnet-1","rtb-2"],"privateSubnetIds":["subnet-3","subnet-4"],` +
				`"privateRouteTableIds":["rtb-2","rtb-3"]}}`},
			WantErr: `article-pipeline:adopt.network.publicSubnetIds[1]: "rtb-2" is not a subnet ID`},
		{Name: "adopt and share", Value: []string{"article-pipeline:sharedStack", "organization/article-pipeline/prod",
			"article-pipeline:adopt", `{"network":{"vpcId":"vpc-1"}}`},
			WantErr: `article-pipeline:adopt.network: cannot adopt a VPC while article-pipeline:sharedStack names a stack`},
	}
	mock.RejectsValues(t, cases, mock.Contains, parseProd)
}

// TestTheFirstErrorNamesTheKeyChanged: one wrong value gives one problem, at
// its own key; what other settings would make of it (prod's zones in a region
// that does not exist, a backup schedule from broken windows) is not piled on.
func TestTheFirstErrorNamesTheKeyChanged(t *testing.T) {
	t.Parallel()
	zones := `{"availabilityZones":["us-west-2a","us-west-2b"]}` // as Pulumi.prod.yaml states them
	for _, tc := range []struct {
		stack, key, value, want string
	}{
		{"prod", "aws:region", "us-west-9", `aws:region: "us-west-9" is not an AWS region;`},
		{"prod", "aws:region", "eu-west-1", `article-pipeline:network.availabilityZones[0]: "us-west-2a" is not in ` +
			`region eu-west-1 (aws:region)`},
		{"prod", "article-pipeline:network", `{"availabilityZones":["us-west-2a","us-west-2z"]}`,
			`article-pipeline:network.availabilityZones[1]: "us-west-2z" is not a zone of us-west-2`},
		{"prod", "article-pipeline:database", `{"backupWindowStart":"25:00"}`,
			`article-pipeline:database.backupWindowStart: "25:00" is not a time of day`},
		{"prod", "article-pipeline:database", `{"engineVersion":"1.7"}`,
			`article-pipeline:database.engineVersion: "1.7" is not a PostgreSQL version RDS offers`},
		{"prod", "article-pipeline:database", `{"identifier":"Np_DB"}`,
			`article-pipeline:database.identifier: "Np_DB" is not an RDS identifier`},
		{"development", "article-pipeline:network", `{"cidr":"10.9.0.0/16"}`,
			`article-pipeline:network: is set while article-pipeline:sharedStack names organization/article-pipeline/prod, ` +
				`the stack that owns the network; this stack declares none, so these settings would be ignored; remove ` +
				`article-pipeline:network (or article-pipeline:sharedStack, to declare a network here)`},
		{"development", "article-pipeline:network", `{"enabled":false}`,
			`article-pipeline:network: is set while article-pipeline:sharedStack names`},
	} {
		kv := []string{tc.key, tc.value}
		if tc.stack == "prod" && tc.key != "article-pipeline:network" {
			kv = append(kv, "article-pipeline:network", zones)
		}
		_, err := Parse(stackRaw(tc.stack, kv...))
		if err == nil {
			t.Errorf("%s %s: no error", tc.key, tc.value)
			continue
		}
		lines := strings.Split(err.Error(), "\n")
		if !strings.HasPrefix(lines[0], tc.want) {
			t.Errorf("%s %s: first error %q\nwant %q", tc.key, tc.value, lines[0], tc.want)
		}
		// Prod's two zones are two problems of one change; otherwise one.
		if want := map[bool]int{true: 2, false: 1}[tc.value == "eu-west-1"]; len(lines) != want {
			t.Errorf("%s %s: %d problems, want %d: %v", tc.key, tc.value, len(lines), want, err)
		}
	}
}

func TestEveryProblemIsReported(t *testing.T) {
	t.Parallel()
	err := parseFails(t, stackRaw("prod", "aws:region", "nowhere", "article-pipeline:protect", "maybe"), "aws:region")
	if !strings.Contains(err.Error(), "article-pipeline:protect") {
		t.Fatalf("err = %v, want both keys named", err)
	}
}

func TestReplacementAcknowledgements(t *testing.T) {
	t.Parallel()
	s := mustParse(t, stackRaw("prod", "article-pipeline:policy",
		`{"acknowledgeReplacements":[{"resource":"database-instance","property":"identifier","reason":"restored copy"}]}`))
	if got := s.Policy.AcknowledgeReplacements; len(got) != 1 || got[0].Resource != "database-instance" || got[0].Property != "identifier" {
		t.Errorf("replacements = %+v", got)
	}
	parseFails(t, stackRaw("prod", "article-pipeline:policy",
		`{"acknowledgeReplacements":[{"resource":"database-instance","property":"identifier"}]}`),
		"article-pipeline:policy.acknowledgeReplacements[0].reason: is required")
}

func TestFieldNamesAreExact(t *testing.T) {
	t.Parallel()
	cases := []mock.BadValue[[]string]{
		{Name: "network", Value: []string{"article-pipeline:network", `{"CIDR":"10.0.0.0/16"}`},
			WantErr: `article-pipeline:network: unknown field "CIDR"; did you mean "cidr"?`},
		{Name: "services", Value: []string{"article-pipeline:services", `{"backend":{"imagetag":"v1"}}`},
			WantErr: `article-pipeline:services.backend: unknown field "imagetag"; did you mean "imageTag"?`},
		{Name: "adopt", Value: []string{"article-pipeline:adopt", `{"network":{"VpcId":"vpc-1"}}`},
			WantErr: `article-pipeline:adopt.network: unknown field "VpcId"; did you mean "vpcId"?`},
	}
	mock.RejectsValues(t, cases, mock.Contains, parseProd)
}

// TestSecretsMustBeSecret: a secret key set in plain text is refused without
// the error showing it; set with --secret, it reaches the settings.
func TestSecretsMustBeSecret(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		key, value, shown string
		got               func(s *Settings) string
	}{
		{"article-pipeline:databaseMasterPassword", "hunter2-hunter2", "hunter2",
			func(s *Settings) string { return s.DatabaseMasterPassword }},
		{"article-pipeline:alarmHttpsEndpoint", "https://events.pagerduty.com/integration/0123abcd/enqueue", "0123abcd",
			func(s *Settings) string { return s.AlarmHTTPSEndpoint }},
	} {
		raw := stackRaw("prod", tc.key, tc.value)
		if err := parseFails(t, raw, tc.key+": is set in plain text"); strings.Contains(err.Error(), tc.shown) {
			t.Errorf("the error shows %s: %v", tc.key, err)
		}
		raw.Secret[tc.key] = true
		if got := tc.got(mustParse(t, raw)); got != tc.value {
			t.Errorf("secret %s = %q, want %q", tc.key, got, tc.value)
		}
	}
}

func TestDatabaseURLNeedsTheDatabase(t *testing.T) {
	t.Parallel()
	parseFails(t, stackRaw("prod", "article-pipeline:database", `{"enabled":false}`),
		"article-pipeline:services.backend.secrets[0]: DATABASE_URL is generated by the database")
}

func TestProtectedDatabaseKeepsDeletionProtection(t *testing.T) {
	t.Parallel()
	parseFails(t, stackRaw("prod", "article-pipeline:database", `{"deletionProtection":false}`),
		"article-pipeline:database.deletionProtection: cannot be false while article-pipeline:protect is true")
	if _, err := Parse(stackRaw("development", "article-pipeline:database", `{"deletionProtection":false}`)); err != nil {
		t.Fatalf("development may turn it off: %v", err)
	}
}

// TestOneKeyPerAdoption: the retired second ways to adopt are refused, naming
// the key that replaced them, and the adopt section's IDs reach the settings
// they adopt unchanged (an import ID is never overwritten by another key).
func TestOneKeyPerAdoption(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ kv []string }{
		{[]string{"article-pipeline:database", `{"identifier":"np-db","instanceImportId":"np-db"}`,
			"article-pipeline:adopt", `{"database":{"subnetGroupName":"np-db-subnets"}}`}},
	} {
		_, err := Parse(stackRaw("prod", tc.kv...))
		want := "article-pipeline:database.instanceImportId: is no longer read; adopt with " +
			"article-pipeline:adopt.database.instanceId (one key per adopted resource)"
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v\nwant %q", err, want)
		}
	}
	for _, kv := range [][]string{
		{"article-pipeline:backup", `{"vaultImportId":"v"}`},
		{"article-pipeline:buckets", `{"deposition":{"adopt":true}}`},
	} {
		if _, err := Parse(stackRaw("prod", kv...)); err == nil || !strings.Contains(err.Error(), "is no longer read") {
			t.Errorf("%s: err = %v", kv[1], err)
		}
	}
	s := mustParse(t, stackRaw("prod", "article-pipeline:database", `{"identifier":"np-db"}`,
		"article-pipeline:adopt", `{"database":{"instanceId":"np-db","subnetGroupName":"np-db-subnets"}}`))
	if a := s.Adopt.Database; a == nil || a.InstanceID != "np-db" || a.SubnetGroupName != "np-db-subnets" {
		t.Errorf("adopt.database = %+v", s.Adopt.Database)
	}
}

// TestTopologyComesFromTheStackFile: a stack's services, buckets, domain,
// backup and protection are what its file says, whatever it is called; a
// staging copy of prod's file runs what prod runs.
func TestTopologyComesFromTheStackFile(t *testing.T) {
	t.Parallel()
	prod := mustParse(t, stackRaw("prod"))
	staging := stackRaw("staging")
	for k, v := range stackFiles["prod"] {
		staging.Values[k] = v
	}
	copyOfProd := mustParse(t, staging)
	if got, want := copyOfProd.Services.Names(), prod.Services.Names(); !slices.Equal(got, want) {
		t.Errorf("staging services %v, prod's %v", got, want)
	}
	if got, want := copyOfProd.Buckets.Roles(), prod.Buckets.Roles(); !slices.Equal(got, want) {
		t.Errorf("staging buckets %v, prod's %v", got, want)
	}
	if !copyOfProd.Protect || !copyOfProd.Backup.Enabled || copyOfProd.Domain.Name != "npdeposition.org" ||
		!copyOfProd.Platform.LoadBalancerDeletionProtection {
		t.Errorf("staging = protect %v, backup %v, domain %q, load balancer deletion protection %v",
			copyOfProd.Protect, copyOfProd.Backup.Enabled, copyOfProd.Domain.Name,
			copyOfProd.Platform.LoadBalancerDeletionProtection)
	}
	// A stack named prod with an empty file gets the same defaults as any other.
	bare := mustParse(t, Raw{Project: Namespace, Stack: "prod", Values: map[string]string{
		"article-pipeline:protect": "true"}, Secret: map[string]bool{}})
	if got := bare.Services.Names(); !slices.Equal(got, []string{"backend", "frontend"}) || bare.Backup.Enabled ||
		bare.Domain.Enabled() || !slices.Equal(bare.Buckets.Roles(), []string{"deposition"}) {
		t.Errorf("bare prod: services %v, backup %v, domain %q, buckets %v", got, bare.Backup.Enabled,
			bare.Domain.Name, bare.Buckets.Roles())
	}
}

func TestProtectIsStatedInEveryStackFile(t *testing.T) {
	t.Parallel()
	_, err := Parse(Raw{Project: Namespace, Stack: "staging", Values: map[string]string{}, Secret: map[string]bool{}})
	want := "article-pipeline:protect: required: every stack states whether its stateful resources"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v\nwant %q", err, want)
	}
}

// TestNoCodeBranchesOnTheEnvironmentName keeps topology out of Go: no non-test
// source compares a name with "prod" or "development".
func TestNoCodeBranchesOnTheEnvironmentName(t *testing.T) {
	t.Parallel()
	bad := regexp.MustCompile(`(==|!=|case)\s*"(prod|development)"|"(prod|development)"\s*(==|!=)`)
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && d.Name() != ".." || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(src), "\n") {
			if bad.MatchString(line) {
				t.Errorf("%s:%d branches on an environment name: %s", path, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSharedStackOnEveryBackend: a bare stack name or PROJECT/STACK is
// qualified with the running stack's organization and project (Pulumi Cloud's
// organization, or "organization" on a file or S3 backend).
func TestSharedStackOnEveryBackend(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ org, ref, want string }{
		{"np-mrd", "prod", "np-mrd/article-pipeline/prod"},
		{"np-mrd", "article-pipeline/prod", "np-mrd/article-pipeline/prod"},
		{"np-mrd", "acme/other/prod", "acme/other/prod"},
		{"", "prod", "organization/article-pipeline/prod"},
	} {
		raw := stackRaw("development", "article-pipeline:sharedStack", tc.ref)
		raw.Organization = tc.org
		s := mustParse(t, raw)
		if s.SharedStack != tc.want {
			t.Errorf("org %q, sharedStack %q: %q, want %q", tc.org, tc.ref, s.SharedStack, tc.want)
		}
		if want := strings.TrimSuffix(tc.want, "prod") + "development"; tc.want != "acme/other/prod" && s.Self != want {
			t.Errorf("self = %q, want %q", s.Self, want)
		}
	}
}

// TestNoUpgradeWhileAdopting: the adopted instance keeps its engine version
// while adopt.keep names anything, so an upgrade asked for then is refused.
func TestNoUpgradeWhileAdopting(t *testing.T) {
	t.Parallel()
	_, err := Parse(stackRaw("prod", "article-pipeline:database",
		`{"identifier":"np-db","engineVersion":"18","allowMajorUpgrade":true}`,
		"article-pipeline:adopt", `{"database":{"instanceId":"np-db"},"keep":{"database-instance":["tags"]}}`))
	const want = `article-pipeline:database.allowMajorUpgrade: cannot be true while article-pipeline:adopt.keep lists ` +
		`anything: the adopted instance keeps its engine version until the adoption is closed; upgrade after it ` +
		`(docs/operations.md, "Major version upgrade")`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
	if _, err := Parse(stackRaw("prod", "article-pipeline:database",
		`{"identifier":"np-db","engineVersion":"18","allowMajorUpgrade":true}`,
		"article-pipeline:adopt", `{"database":{"instanceId":"np-db"}}`)); err != nil {
		t.Errorf("closed adoption: %v", err)
	}
}
