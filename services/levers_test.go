package services

import (
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/internal/mock"
)

const (
	tCapacityProviders = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"
	tScheduledAction   = "aws:appautoscaling/scheduledAction:ScheduledAction"
	tListenerCert      = "aws:lb/listenerCertificate:ListenerCertificate"
)

func TestFargateSpot(t *testing.T) {
	t.Parallel()
	r := fixture{domain: prodDomain(), platform: func(a *PlatformArgs) {
		a.FargateSpot = FargateSpot{Enabled: true, OnDemandBase: 1}
	}}.run(t)
	cluster := r.find(t, tCluster, "web-cluster")
	cp := r.find(t, tCapacityProviders, "web-capacity-providers")
	if cp.Input("clusterName") != mock.Plain(cluster.Outputs["name"], false) ||
		!slices.Equal(cp.Input("capacityProviders").([]any), []any{"FARGATE", "FARGATE_SPOT"}) ||
		cp.Input("defaultCapacityProviderStrategies") != nil {
		t.Errorf("cluster capacity providers = %v", cp.Inputs)
	}
	for _, name := range []string{"backend-service", "frontend-service"} {
		svc := r.find(t, tService, name)
		want := []any{
			map[string]any{"capacityProvider": "FARGATE_SPOT", "weight": 1.0},
			map[string]any{"capacityProvider": "FARGATE", "base": 1.0, "weight": 0.0},
		}
		got, _ := svc.Input("capacityProviderStrategies").([]any)
		if len(got) != len(want) {
			t.Fatalf("%s strategies = %v, want %v", name, got, want)
		}
		for i := range want {
			for k, v := range want[i].(map[string]any) {
				if got[i].(map[string]any)[k] != v {
					t.Errorf("%s strategy %d %s = %v, want %v", name, i, k, got[i].(map[string]any)[k], v)
				}
			}
		}
		if svc.Input("launchType") != nil || svc.Input("forceNewDeployment") != true ||
			svc.Input("platformVersion") != "LATEST" {
			t.Errorf("%s launchType %v, forceNewDeployment %v, platformVersion %v; want none, true, LATEST", name,
				svc.Input("launchType"), svc.Input("forceNewDeployment"), svc.Input("platformVersion"))
		}
		// The cluster ARN the service is given waits for the association.
		if !slices.Contains(svc.DependsOn, cp.URN) {
			t.Errorf("%s does not depend on the capacity providers: %v", name, svc.DependsOn)
		}
	}
}

func TestOnDemandByDefault(t *testing.T) {
	t.Parallel()
	r := fixture{domain: prodDomain()}.run(t)
	if n := len(r.m.OfType(tCapacityProviders)); n != 0 {
		t.Errorf("%d capacity provider associations without Spot", n)
	}
	svc := r.find(t, tService, "backend-service")
	if svc.Input("launchType") != "FARGATE" || svc.Input("capacityProviderStrategies") != nil ||
		svc.Input("forceNewDeployment") != nil {
		t.Errorf("launchType %v, strategies %v, forceNewDeployment %v", svc.Input("launchType"),
			svc.Input("capacityProviderStrategies"), svc.Input("forceNewDeployment"))
	}
	// Spot without a base: Spot only.
	r = fixture{platform: func(a *PlatformArgs) { a.FargateSpot.Enabled = true }}.run(t)
	got, _ := r.find(t, tService, "backend-service").Input("capacityProviderStrategies").([]any)
	if len(got) != 1 || got[0].(map[string]any)["capacityProvider"] != "FARGATE_SPOT" {
		t.Errorf("strategies = %v, want FARGATE_SPOT only", got)
	}
}

func TestCPUArchitecture(t *testing.T) {
	t.Parallel()
	r := fixture{backend: func(a *WebServiceArgs) { a.CPUArchitecture = ARM }}.run(t)
	for svc, want := range map[string]string{"backend-taskdef": "ARM64", "frontend-taskdef": "X86_64"} {
		rp, _ := r.find(t, tTaskDef, svc).Input("runtimePlatform").(map[string]any)
		if rp["cpuArchitecture"] != want || rp["operatingSystemFamily"] != "LINUX" {
			t.Errorf("%s runtimePlatform = %v, want %s", svc, rp, want)
		}
	}
}

// pacific is the working hours development turns on: the defaults.
func pacific(a *PlatformArgs) {
	a.WorkingHours = DefaultPlatform().WorkingHours
	a.WorkingHours.Enabled = true
}

func TestWorkingHoursOnTheFirstDeploy(t *testing.T) {
	t.Parallel()
	// The backend is deployed for the first time (autoscaling 1..4 in the
	// fixture); the frontend has no image yet.
	r := fixture{platform: pacific}.run(t)
	svcName := func(name string) string {
		return mock.Plain(r.find(t, tService, name+"-service").Outputs["name"], false).(string)
	}
	cluster := mock.Plain(r.find(t, tCluster, "web-cluster").Outputs["name"], false).(string)
	for _, tc := range []struct {
		service            string
		min, max, startMax float64
		startMin           float64
		suspended          bool
	}{
		{service: "backend", min: 1, max: 4, startMin: 1, startMax: 4},
		{service: "frontend", min: 0, max: 0, startMin: 1, startMax: 1, suspended: true},
	} {
		id := "service/" + cluster + "/" + svcName(tc.service)
		target := r.find(t, tScaleTarget, tc.service+"-scaling-target")
		ss, _ := target.Input("suspendedState").(map[string]any)
		if target.Input("resourceId") != id || target.Input("minCapacity") != tc.min ||
			target.Input("maxCapacity") != tc.max || ss["scheduledScalingSuspended"] != tc.suspended ||
			ss["dynamicScalingInSuspended"] != tc.suspended || ss["dynamicScalingOutSuspended"] != tc.suspended {
			t.Errorf("%s target = %v", tc.service, target.Inputs)
		}
		// A first deploy sets the count and the bounds.
		if len(target.IgnoreChanges) != 0 {
			t.Errorf("%s target ignores %v on its first deploy", tc.service, target.IgnoreChanges)
		}
		if svc := r.find(t, tService, tc.service+"-service"); len(svc.IgnoreChanges) != 0 {
			t.Errorf("%s service ignores %v on its first deploy", tc.service, svc.IgnoreChanges)
		}
		for role, want := range map[string][3]any{
			"start": {"cron(0 8 ? * MON-FRI *)", tc.startMin, tc.startMax},
			"stop":  {"cron(0 18 ? * MON-FRI *)", 0.0, 0.0},
		} {
			a := r.find(t, tScheduledAction, tc.service+"-working-hours-"+role)
			act, _ := a.Input("scalableTargetAction").(map[string]any)
			if a.Input("schedule") != want[0] || a.Input("timezone") != "America/Los_Angeles" ||
				a.Input("resourceId") != id || a.Input("serviceNamespace") != "ecs" ||
				a.Input("scalableDimension") != "ecs:service:DesiredCount" ||
				act["minCapacity"] != want[1] || act["maxCapacity"] != want[2] {
				t.Errorf("%s %s action = %v", tc.service, role, a.Inputs)
			}
		}
	}
	if svc := r.find(t, tService, "frontend-service"); svc.Input("desiredCount") != 0.0 {
		t.Errorf("frontend without an image: desiredCount %v, want 0", svc.Input("desiredCount"))
	}
	if r.m.Find(tScalePolicy, "frontend-scaling-cpu") != nil {
		t.Error("a CPU policy on a service without an image")
	}
	if r.m.Find(tScalePolicy, "backend-scaling-cpu") == nil {
		t.Error("working hours dropped the backend's CPU policy")
	}
}

func TestTheScalerOwnsTheCountOnceDeployed(t *testing.T) {
	t.Parallel()
	deployed := func(a *WebServiceArgs) { a.WasDeployed = true }
	r := fixture{platform: pacific, backend: deployed}.run(t)
	if got := r.find(t, tService, "backend-service").IgnoreChanges; !slices.Equal(got, []string{"desiredCount"}) {
		t.Errorf("backend service ignores %v, want desiredCount", got)
	}
	if got := r.find(t, tScaleTarget, "backend-scaling-target").IgnoreChanges; !slices.Equal(got,
		[]string{"minCapacity", "maxCapacity"}) {
		t.Errorf("backend target ignores %v, want minCapacity and maxCapacity", got)
	}
	// Autoscaling alone: the count is the scaler's, the bounds the config's.
	r = fixture{backend: deployed}.run(t)
	if got := r.find(t, tService, "backend-service").IgnoreChanges; !slices.Equal(got, []string{"desiredCount"}) {
		t.Errorf("autoscaled backend service ignores %v, want desiredCount", got)
	}
	target := r.find(t, tScaleTarget, "backend-scaling-target")
	if len(target.IgnoreChanges) != 0 || target.Input("suspendedState") != nil {
		t.Errorf("autoscaling-only target: ignores %v, suspendedState %v", target.IgnoreChanges,
			target.Input("suspendedState"))
	}
	// Nothing scales the frontend: the program keeps its count.
	if got := r.find(t, tService, "frontend-service").IgnoreChanges; len(got) != 0 {
		t.Errorf("unscaled frontend ignores %v", got)
	}
}

// sharedProd is what development reads from prod's outputs.
func sharedProd(a *PlatformArgs) {
	a.SharedLoadBalancer = true
	a.Shared = &SharedListener{
		ListenerARN:     pulumi.String(prodListener),
		SecurityGroupID: pulumi.String("sg-0prodalb000000000"),
		DNSName:         pulumi.String("web-alb-1234567890.us-west-2.elb.amazonaws.com"),
		ZoneID:          pulumi.String("Z1H1FL5HABSF5"),
	}
}

const prodListener = "arn:aws:elasticloadbalancing:us-west-2:123456789012:listener/app/web-alb/50dc6c495c0c9188/f2f7dc8efc522ab2"

func developmentDomain() *DomainSettings {
	d := DefaultDomain()
	d.Name, d.ZoneName = "development.npdeposition.org", "npdeposition.org"
	return &d
}

func TestSharedLoadBalancer(t *testing.T) {
	t.Parallel()
	host := func(a *WebServiceArgs) { a.Hosts = []string{"development.npdeposition.org"} }
	r := fixture{domain: developmentDomain(), platform: sharedProd, backend: host, frontend: host}.run(t)
	r.m.WantNone(t, "on another stack's load balancer", tLB, tListener)
	if r.m.Find(tSG, "web-alb-sg") != nil {
		t.Error("a load balancer security group of its own")
	}
	cert := r.find(t, tCert, "web-cert")
	if cert.Input("domainName") != "development.npdeposition.org" ||
		!slices.Equal(cert.Input("subjectAlternativeNames").([]any), []any{"*.development.npdeposition.org"}) {
		t.Errorf("certificate = %v", cert.Inputs)
	}
	lc := r.find(t, tListenerCert, "web-listener-cert")
	validated := r.find(t, tCertValidated, "web-cert-validation")
	if lc.Input("listenerArn") != prodListener ||
		lc.Input("certificateArn") != mock.Plain(validated.Outputs["certificateArn"], false) {
		t.Errorf("listener certificate = %v", lc.Inputs)
	}
	for _, svc := range []string{"backend", "frontend"} {
		rule := r.find(t, tRule, svc+"-rule")
		conds, _ := rule.Input("conditions").([]any)
		if rule.Input("listenerArn") != prodListener || len(conds) != 2 ||
			!slices.Equal(conds[0].(map[string]any)["hostHeader"].(map[string]any)["values"].([]any),
				[]any{"development.npdeposition.org"}) {
			t.Errorf("%s rule = %v", svc, rule.Inputs)
		}
		// Moving between load balancers: the old rule goes before the new one.
		if !rule.DeleteBeforeReplace {
			t.Errorf("%s rule is created before its replaced rule is deleted", svc)
		}
		in := r.find(t, tIngress, svc+"-ingress-alb")
		out := r.find(t, tEgress, svc+"-alb-egress")
		taskSG := r.find(t, tSG, svc+"-sg").ID
		if in.Input("referencedSecurityGroupId") != "sg-0prodalb000000000" ||
			out.Input("securityGroupId") != "sg-0prodalb000000000" || out.Input("referencedSecurityGroupId") != taskSG {
			t.Errorf("%s: ingress from %v; egress on %v to %v", svc, in.Input("referencedSecurityGroupId"),
				out.Input("securityGroupId"), out.Input("referencedSecurityGroupId"))
		}
	}
	alias := r.find(t, tRecord, "web-alias-development.npdeposition.org")
	target := alias.Input("aliases").([]any)[0].(map[string]any)
	if target["name"] != "web-alb-1234567890.us-west-2.elb.amazonaws.com" || target["zoneId"] != "Z1H1FL5HABSF5" {
		t.Errorf("alias = %v", alias.Inputs)
	}
	r.wantURLs(t, map[string]string{"backend": "https://development.npdeposition.org/api/",
		"alb": "web-alb-1234567890.us-west-2.elb.amazonaws.com"}) // the shared load balancer's
}

func TestLeverArgs(t *testing.T) {
	t.Parallel()
	mock.RejectsBadArgs(t, NewPlatform, "web", platformArgs, []mock.BadArgs[PlatformArgs]{
		{Name: "shared without the other stack's listener", Edit: func(a *PlatformArgs) {
			a.SharedLoadBalancer, a.Domain = true, developmentDomain()
		}, WantErr: "services: platform Shared (listener, security group, DNS name and zone) is required with SharedLoadBalancer"},
		{Name: "shared without a domain", Edit: sharedProd,
			WantErr: "services: platform Domain is required with SharedLoadBalancer: its rules answer only the domain's hosts"},
		{Name: "a listener without the flag", Edit: func(a *PlatformArgs) {
			sharedProd(a)
			a.SharedLoadBalancer, a.Domain = false, developmentDomain()
		}, WantErr: "services: platform Shared is set without SharedLoadBalancer"},
		{Name: "bad working hours", Edit: func(a *PlatformArgs) {
			pacific(a)
			a.WorkingHours.Stop = "7pm"
		}, WantErr: `web.workingHours.stop: "7pm" is not a time of day; expected HH:MM (24-hour), such as 08:00`},
	})
	mock.RejectsBadArgs(t, NewWebService, "backend", serviceArgs, []mock.BadArgs[WebServiceArgs]{
		{Name: "a service's working hours", Edit: func(a *WebServiceArgs) {
			a.WorkingHours = WorkingHours{Enabled: true, Days: "MON-FRI", Start: "18:00", Stop: "08:00",
				TimeZone: "America/Los_Angeles"}
		}, WantErr: "backend.workingHours.stop: 08:00 is not after start 18:00; expected working hours within one day"},
		{Name: "a service's Spot base", Edit: func(a *WebServiceArgs) {
			a.FargateSpot = FargateSpot{Enabled: true, OnDemandBase: -1}
		}, WantErr: "backend.fargateSpot.onDemandBase: -1 is out of range; expected 0..1000 tasks"},
	})
}
