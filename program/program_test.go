package program_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/config"
	"github.com/np-mrd/article-pipeline-infra/internal/synth"
	"github.com/np-mrd/article-pipeline-infra/inventory"
)

const projectDir = ".."

// synthesize runs the real program against a committed stack file.
func synthesize(t testing.TB, stack string) *synth.Result {
	t.Helper()
	res, err := synth.Synthesize(projectDir, stack)
	if err != nil {
		t.Fatalf("synth %s: %v", stack, err)
	}
	return res
}

// editValue decodes the object under key in cfg (a stack file's value, as
// JSON) into a T, lets edit change it and writes it back.
func editValue[T any](t testing.TB, cfg map[string]string, key string, edit func(v T) any) {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(cfg[key]), &v); err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	b, err := json.Marshal(edit(v))
	if err != nil {
		t.Fatal(err)
	}
	cfg[key] = string(b)
}

// runStack runs the program for a committed stack changed by edit (nil: as
// committed), as an `up` sees it; a stack that shares prod's reads the
// committed prod's outputs.
func runStack(t testing.TB, stack string, edit func(st *synth.Stack)) (*synth.Result, error) {
	t.Helper()
	st, err := synth.LoadStack(projectDir, stack)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(st)
	}
	refs := map[string]*synth.Result{}
	if ref := st.Config["article-pipeline:sharedStack"]; ref != "" {
		if name := config.StackName(synth.Organization, st.Project, ref); name != prodReference {
			t.Fatalf("sharedStack %q (%s): this test only answers %s", ref, name, prodReference)
		}
		refs[prodReference] = cached(t, "prod")
	}
	return synth.Run(st, refs)
}

// withConfig runs the program for a stack whose committed config is changed by edit.
func withConfig(t testing.TB, stack string, edit func(cfg map[string]string)) (*synth.Result, error) {
	t.Helper()
	return runStack(t, stack, func(st *synth.Stack) { edit(st.Config) })
}

func mustFind(t *testing.T, inv *inventory.Inventory, typ, name string) inventory.Resource {
	t.Helper()
	r, ok := inv.Find(typ, name)
	if !ok {
		t.Fatalf("%s: no %s named %s", inv.Stack, typ, name)
	}
	return r
}

func TestEveryStackTagsThroughOneProvider(t *testing.T) {
	t.Parallel()
	for _, stack := range synth.Stacks(projectDir) {
		inv := synthesize(t, stack).Inventory
		p := mustFind(t, inv, "pulumi:providers:aws", "aws")
		tags, _ := p.Get("defaultTags", "tags").(map[string]any)
		want := map[string]any{"app": "article-pipeline", "environment": stack, "managed-by": "pulumi"}
		for k, v := range want {
			if tags[k] != v {
				t.Errorf("%s: default tag %s = %v, want %v", stack, k, tags[k], v)
			}
		}
		if p.String("region") != "us-west-2" {
			t.Errorf("%s: provider region %q", stack, p.String("region"))
		}
		// No AWS resource may fall back to a default provider: it has no tags.
		for _, r := range inv.Resources {
			if strings.HasPrefix(r.Type, "aws:") && r.Provider != "aws" {
				t.Errorf("%s: %s %s is managed by provider %q, not the tagged one", stack, r.Type, r.Name, r.Provider)
			}
		}
	}
}

func TestProdOwnsTheRunbookVPC(t *testing.T) {
	t.Parallel()
	res := synthesize(t, "prod")
	inv := res.Inventory
	vpc := mustFind(t, inv, "aws:ec2/vpc:Vpc", "network-vpc")
	if vpc.String("cidrBlock") != "10.0.0.0/16" || vpc.Parent != "network" || vpc.ParentType != "article-pipeline:vpc:Network" {
		t.Errorf("vpc = %+v", vpc)
	}
	zones := map[string]string{}
	for _, s := range inv.OfType("aws:ec2/subnet:Subnet") {
		zones[s.String("cidrBlock")] = s.String("availabilityZone")
	}
	want := map[string]string{"10.0.2.0/24": "us-west-2a", "10.0.0.0/24": "us-west-2b",
		"10.0.3.0/24": "us-west-2a", "10.0.1.0/24": "us-west-2b"}
	for cidr, zone := range want {
		if zones[cidr] != zone {
			t.Errorf("subnet %s in %q, want %s", cidr, zones[cidr], zone)
		}
	}
	if len(zones) != 4 {
		t.Errorf("subnets = %v", zones)
	}
	for _, name := range []string{"vpcId", "vpcCidr", "publicSubnetIds", "privateSubnetIds"} {
		if _, ok := inv.Outputs[name]; !ok {
			t.Errorf("prod does not export %s", name)
		}
	}
	if inv.Outputs["vpcCidr"] != "10.0.0.0/16" {
		t.Errorf("vpcCidr output = %v", inv.Outputs["vpcCidr"])
	}
	// Every component registered its outputs: components + the stack.
	components := 0
	for _, r := range inv.Resources {
		if !r.Custom && r.Type != "pulumi:pulumi:StackReference" {
			components++
		}
	}
	if got := res.Monitor.OutputsRegistered(); got != components+1 {
		t.Errorf("RegisterResourceOutputs called %d times for %d components", got, components)
	}
}

func TestDevelopmentSharesProdVPC(t *testing.T) {
	t.Parallel()
	prod := synthesize(t, "prod").Inventory
	dev := synthesize(t, "development").Inventory
	if n := len(dev.OfType("aws:ec2/vpc:Vpc")); n != 0 {
		t.Errorf("development declares %d VPCs; it should use prod's", n)
	}
	ref := mustFind(t, dev, "pulumi:pulumi:StackReference", "organization/article-pipeline/prod")
	if ref.Custom {
		t.Error("stack reference recorded as a custom resource")
	}
	for _, k := range []string{"vpcId", "vpcCidr", "publicSubnetIds", "privateSubnetIds"} {
		if !equal(dev.Outputs[k], prod.Outputs[k]) {
			t.Errorf("development %s = %v, prod's = %v", k, dev.Outputs[k], prod.Outputs[k])
		}
	}
}

func TestFreshAccountDevelopmentCreatesItsOwnVPC(t *testing.T) {
	t.Parallel()
	res, err := withConfig(t, "development", func(cfg map[string]string) {
		delete(cfg, "article-pipeline:sharedStack")
		// Without prod there is no load balancer to share: one of its own.
		editValue(t, cfg, "article-pipeline:platform", func(platform map[string]any) any {
			platform["sharedLoadBalancer"] = false
			return platform
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	inv := res.Inventory
	if _, ok := inv.Find("aws:ec2/vpc:Vpc", "network-vpc"); !ok {
		t.Fatal("no VPC declared without a shared stack")
	}
	// Zones unset in config: the region's first two, looked up through the provider.
	var zones []string
	for _, s := range inv.OfType("aws:ec2/subnet:Subnet") {
		zones = append(zones, s.String("availabilityZone"))
	}
	slices.Sort(zones)
	if !slices.Equal(slices.Compact(zones), []string{"us-west-2a", "us-west-2b"}) {
		t.Errorf("zones = %v", zones)
	}
	if !slices.Contains(res.Monitor.Invokes(), "aws:index/getAvailabilityZones:getAvailabilityZones") {
		t.Error("availability zones were not looked up")
	}
	if n := len(inv.OfType("aws:lb/loadBalancer:LoadBalancer")); n != 1 {
		t.Errorf("%d load balancers, want its own", n)
	}
}

func TestAdoptedVPCIsImportedNotCreated(t *testing.T) {
	t.Parallel()
	res, err := withConfig(t, "prod", func(cfg map[string]string) {
		cfg["article-pipeline:adopt"] = `{"network":{"vpcId":"vpc-0prod","internetGatewayId":"igw-0prod",` +
			`"publicRouteTableId":"rtb-0pub","publicSubnetIds":["subnet-0pa","subnet-0pb"],` +
			`"privateSubnetIds":["subnet-0qa","subnet-0qb"],"privateRouteTableIds":["rtb-0qa","rtb-0qb"]}}`
	})
	if err != nil {
		t.Fatal(err)
	}
	vpc := mustFind(t, res.Inventory, "aws:ec2/vpc:Vpc", "network-vpc")
	if vpc.ImportID != "vpc-0prod" {
		t.Errorf("vpc import ID %q", vpc.ImportID)
	}
	if res.Inventory.Outputs["vpcId"] != "vpc-0prod" {
		t.Errorf("vpcId output = %v, want the adopted ID", res.Inventory.Outputs["vpcId"])
	}
}

func TestBadConfigStopsBeforeAnyResource(t *testing.T) {
	t.Parallel()
	res, err := withConfig(t, "prod", func(cfg map[string]string) {
		cfg["article-pipeline:network"] = `{"publicSubnets":["10.0.2.0/24","10.0.2.128/25"]}`
	})
	if err == nil || !strings.Contains(err.Error(), "article-pipeline:network.publicSubnets[1]") {
		t.Fatalf("err = %v", err)
	}
	if res != nil {
		t.Errorf("a result was returned for a broken config")
	}
}

func equal(a, b any) bool {
	as, aok := a.([]any)
	bs, bok := b.([]any)
	if aok && bok {
		return slices.EqualFunc(as, bs, func(x, y any) bool { return x == y })
	}
	return a == b
}

// BenchmarkProgram runs the whole program under mocks per committed stack
// (config read, program, inventory). Goal: under 250 ms per prod run.
func BenchmarkProgram(b *testing.B) {
	for _, stack := range []string{"prod", "development"} {
		b.Run(stack, func(b *testing.B) {
			for b.Loop() {
				synthesize(b, stack)
			}
		})
	}
}

func TestRunbookBucketsPerStack(t *testing.T) {
	t.Parallel()
	want := map[string]map[string]string{ // stack -> bucket component -> physical name
		"prod": {
			"bucket-deposition":        "article-pipeline-deposition-prod",
			"bucket-rss-archive":       "article-pipeline-npa-ingestion-rss-archive",
			"bucket-django-static":     "article-pipeline-django-static",
			"bucket-deposition-charts": "article-pipeline-deposition-charts-prod",
			"access-logs":              "article-pipeline-access-logs-prod", // the load balancer's (issue 13)
		},
		"development": {
			"bucket-deposition": "article-pipeline-deposition-development",
		},
	}
	for stack, buckets := range want {
		inv := synthesize(t, stack).Inventory
		got := map[string]string{}
		for _, b := range inv.OfType("aws:s3/bucketV2:BucketV2") {
			got[b.Parent] = b.String("bucket")
		}
		if len(got) != len(buckets) {
			t.Errorf("%s declares buckets %v, want %v", stack, got, buckets)
		}
		for component, name := range buckets {
			if got[component] != name {
				t.Errorf("%s: %s is %q, want %q", stack, component, got[component], name)
			}
		}
	}
}

func TestDevelopmentReadsTheSharedStaticBucket(t *testing.T) {
	t.Parallel()
	dev := synthesize(t, "development").Inventory
	env, _ := dev.Outputs["bucketEnv"].(map[string]any)
	if env["AWS_STORAGE_BUCKET_NAME"] != "article-pipeline-django-static" ||
		env["COMPOUND_BUCKET_V3"] != "article-pipeline-deposition-development" {
		t.Errorf("development bucketEnv = %v", env)
	}
	prod := synthesize(t, "prod").Inventory
	penv, _ := prod.Outputs["bucketEnv"].(map[string]any)
	for _, v := range []string{"COMPOUND_BUCKET_V3", "S3_RSS_INGESTION_ARCHIVE_URL", "AWS_STORAGE_BUCKET_NAME", "DEPOSITON_CHART_BUCKET"} {
		if penv[v] == nil {
			t.Errorf("prod bucketEnv lacks %s: %v", v, penv)
		}
	}
}

// TestGuardrails runs every mandatory rule on every committed stack with the
// waivers its config states; a violation fails with the rule and resource named.
func TestGuardrails(t *testing.T) {
	t.Parallel()
	for _, stack := range synth.Stacks(projectDir) {
		res := synthesize(t, stack)
		rep, err := synth.Check(res)
		if err != nil {
			t.Errorf("%s: %v", stack, err)
		}
		if err := rep.Err(); err != nil {
			t.Errorf("%s: %v", stack, err)
		}
	}
}
