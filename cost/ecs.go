package cost

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

const (
	typeECSService = "aws:ecs/service:Service"
	typeTaskDef    = "aws:ecs/taskDefinition:TaskDefinition"
	typeCluster    = "aws:ecs/cluster:Cluster"
)

// undeployedTag is the image tag the services component gives a container
// whose image tag is not set yet (services/webservice.go, placeholderTag): the
// service is then declared with desired count 0 until the deploy workflow
// sets the tag, so the committed graph shows 0 tasks for a service that will
// run.
const undeployedTag = ":not-deployed"

// usage is what one ECS service runs: per task, and over the month.
type usage struct {
	vcpu, memoryGB, ephemeralGB float64
	arch                        string
	// taskHours are the task-hours a month; active is the fraction of the
	// month with at least one task running; tasksNote says how they were found.
	taskHours, active float64
	tasksNote         string
	// spotShare is the fraction of task-hours on Fargate Spot.
	spotShare float64
	spotNote  string
	publicIP  bool
}

// serviceUsage reads a service, its task definition, its capacity provider
// strategy and the scheduled actions that scale it.
func (g *graph) serviceUsage(svc inventory.Resource) (usage, bool, error) {
	td, ok := g.taskDefinition(svc)
	if !ok {
		return usage{}, false, nil
	}
	cpu, err := numOr(td, 0, "cpu")
	if err != nil {
		return usage{}, false, fmt.Errorf("task definition %s: %w", td.Name, err)
	}
	mem, err := numOr(td, 0, "memory")
	if err != nil {
		return usage{}, false, fmt.Errorf("task definition %s: %w", td.Name, err)
	}
	eph, err := numOr(td, 0, "ephemeralStorage", "sizeInGib")
	if err != nil {
		return usage{}, false, fmt.Errorf("task definition %s: %w", td.Name, err)
	}
	u := usage{vcpu: cpu / 1024, memoryGB: mem / 1024, ephemeralGB: eph, arch: td.String("runtimePlatform", "cpuArchitecture")}
	if u.arch == "" {
		u.arch = "X86_64" // ECS's default
	}
	u.publicIP, _ = svc.Bool("networkConfiguration", "assignPublicIp")

	desired, err := numOr(svc, 0, "desiredCount")
	if err != nil {
		return usage{}, false, err
	}
	countNote := fmt.Sprintf("%s (desiredCount)", number(desired))
	if desired == 0 && undeployed(td) {
		desired = float64(g.s.UndeployedTasks)
		countNote = fmt.Sprintf("%s (desiredCount 0 until an image is deployed: cost.undeployedTasks)", number(desired))
	}
	hours, active, scheduleNote := g.schedule(svc, desired)
	u.taskHours, u.active = hours, active
	u.tasksNote = fmt.Sprintf("tasks: %s; %s", countNote, scheduleNote)
	u.spotShare, u.spotNote = g.spotShare(svc, desired)
	return u, true, nil
}

// undeployed reports whether every container of td runs the placeholder image.
func undeployed(td inventory.Resource) bool {
	var defs []struct {
		Image string `json:"image"`
	}
	if json.Unmarshal([]byte(td.String("containerDefinitions")), &defs) != nil || len(defs) == 0 {
		return false
	}
	for _, d := range defs {
		if !strings.HasSuffix(d.Image, undeployedTag) {
			return false
		}
	}
	return true
}

// taskDefinition finds the task definition a service runs, by family (its ARN
// is task-definition/<family>:<revision>).
func (g *graph) taskDefinition(svc inventory.Resource) (inventory.Resource, bool) {
	family, _, _ := strings.Cut(lastSegment(svc.String("taskDefinition")), ":")
	for _, td := range g.of(typeTaskDef) {
		if family != "" && td.String("family") == family {
			return td, true
		}
	}
	return inventory.Resource{}, false
}

// spotShare is the fraction of a service's tasks on FARGATE_SPOT, from its
// capacity provider strategy (or the cluster's default one): the base goes to
// its provider first, the rest is split by weight. With tasks running, the
// split is taken at the service's count.
func (g *graph) spotShare(svc inventory.Resource, tasks float64) (float64, string) {
	strategies := svc.List("capacityProviderStrategies")
	from := "the service's capacity provider strategy"
	if len(strategies) == 0 && svc.String("launchType") == "" {
		for _, cp := range g.of("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders") {
			if g.clusterOf(svc).HasName("name", cp.String("clusterName")) || len(g.of(typeCluster)) == 1 {
				strategies, from = cp.List("defaultCapacityProviderStrategies"), "the cluster's default capacity provider strategy"
			}
		}
	}
	if len(strategies) == 0 || tasks <= 0 {
		return 0, ""
	}
	var spotBase, otherBase, spotWeight, totalWeight float64
	for _, e := range strategies {
		m, _ := e.(map[string]any)
		base, _ := inventory.AsNumber(m["base"])
		weight, _ := inventory.AsNumber(m["weight"])
		totalWeight += weight
		if m["capacityProvider"] == "FARGATE_SPOT" {
			spotBase, spotWeight = spotBase+base, spotWeight+weight
		} else {
			otherBase += base
		}
	}
	spot := min(spotBase, tasks)
	rest := tasks - min(spotBase+otherBase, tasks)
	if totalWeight > 0 {
		spot += rest * spotWeight / totalWeight
	}
	share := spot / tasks
	return share, fmt.Sprintf("%s%% on Fargate Spot by %s", number(100*share), from)
}

// clusterOf is the cluster resource a service runs in (zero when the cluster
// is not in this stack).
func (g *graph) clusterOf(svc inventory.Resource) inventory.Resource {
	name := lastSegment(svc.String("cluster"))
	for _, c := range g.of(typeCluster) {
		if c.HasName("name", name) {
			return c
		}
	}
	return inventory.Resource{}
}

// ecsServiceLines prices a Fargate service's task-hours (vCPU, memory, extra
// ephemeral storage; on-demand and Spot) and its tasks' public IPv4 addresses.
func ecsServiceLines(g *graph, r inventory.Resource) ([]Line, error) {
	if lt := r.String("launchType"); lt != "" && lt != "FARGATE" {
		return []Line{{Category: "fargate", Item: "tasks on launch type " + lt, NotPriced: true,
			Assumption: "only Fargate is priced (EC2 capacity would be priced as its instances)"}}, nil
	}
	u, ok, err := g.serviceUsage(r)
	if err != nil {
		return nil, err
	}
	if !ok {
		return []Line{{Category: "fargate", Item: "tasks", NotPriced: true,
			Assumption: "its task definition is not in this stack: size unknown"}}, nil
	}
	vcpu, vok := fargateVCPU[u.arch]
	mem, mok := fargateGB[u.arch]
	if !vok || !mok {
		return []Line{{Category: "fargate", Item: "tasks, " + u.arch, NotPriced: true,
			Assumption: "no Fargate price for this CPU architecture"}}, nil
	}
	arch := map[string]string{"X86_64": "x86", "ARM64": "ARM64"}[u.arch]
	size := fmt.Sprintf("%s vCPU / %s GB per task", number(u.vcpu), number(u.memoryGB))
	var lines []Line
	add := func(item string, p Price, perTask, share float64, note string) {
		if share <= 0 {
			return
		}
		lines = append(lines, Line{Category: "fargate", Item: item, Price: p, Quantity: perTask * u.taskHours * share,
			Assumption: strings.TrimSuffix(note+"; "+u.tasksNote, "; ")})
	}
	spot := func(p Price) Price { return Price{p.USD * (1 - FargateSpotDiscount), p.Unit, p.Source} }
	onDemand, spotNote := 1-u.spotShare, ""
	if u.spotShare > 0 {
		spotNote = fmt.Sprintf("%s; Spot at %s%% off (assumed)", u.spotNote, number(100*FargateSpotDiscount))
	}
	add(fmt.Sprintf("vCPU, %s, on-demand", arch), vcpu, u.vcpu, onDemand, size+suffix(u.spotShare > 0, "; "+u.spotNote))
	add(fmt.Sprintf("memory, %s, on-demand", arch), mem, u.memoryGB, onDemand, size)
	add(fmt.Sprintf("vCPU, %s, Fargate Spot", arch), spot(vcpu), u.vcpu, u.spotShare, size+"; "+spotNote)
	add(fmt.Sprintf("memory, %s, Fargate Spot", arch), spot(mem), u.memoryGB, u.spotShare, size)
	if extra := u.ephemeralGB - fargateEphemeralIncluded; extra > 0 {
		add("ephemeral storage above 20 GB", fargateEphemeral, extra, 1, fmt.Sprintf("%s GB per task", number(u.ephemeralGB)))
	}
	if u.publicIP && u.taskHours > 0 {
		lines = append(lines, Line{Category: "vpc", Item: "public IPv4, one per task", Price: publicIPv4,
			Quantity: u.taskHours, Assumption: "assignPublicIp; " + u.tasksNote})
	}
	return lines, nil
}

func suffix(ok bool, s string) string {
	if ok {
		return s
	}
	return ""
}

// ecsClusterLines prices a cluster's Container Insights: its own metrics, each
// service's metrics while its tasks run, and the performance log events.
func ecsClusterLines(g *graph, r inventory.Resource) ([]Line, error) {
	mode := ""
	for _, e := range r.List("settings") {
		if m, _ := e.(map[string]any); m["name"] == "containerInsights" {
			mode, _ = m["value"].(string)
		}
	}
	switch mode {
	case "", "disabled":
		return nil, nil // the cluster itself is free
	case "enhanced":
		return []Line{{Category: "cloudwatch", Item: "Container Insights with enhanced observability", NotPriced: true,
			Assumption: "priced per observation; not modelled (the \"enabled\" mode is)"}}, nil
	}
	var lines []Line
	var busiest, logGB float64
	for _, svc := range g.of(typeECSService) {
		if !r.HasName("name", lastSegment(svc.String("cluster"))) {
			continue
		}
		u, ok, err := g.serviceUsage(svc)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		// Metrics are emitted (and billed by the hour) only while tasks run.
		share := u.active
		busiest = max(busiest, share)
		logGB += u.taskHours / g.s.HoursPerMonth * g.s.ContainerInsightsLogGB
		lines = append(lines, Line{Category: "cloudwatch", Item: "Container Insights metrics, service " + svc.Name,
			Price: customMetric, Quantity: containerInsightsServiceMetrics * share,
			Assumption: fmt.Sprintf("%d metrics (service and task family) × %s of the month with tasks running",
				containerInsightsServiceMetrics, percent(share))})
	}
	lines = append(lines,
		Line{Category: "cloudwatch", Item: "Container Insights metrics, cluster", Price: customMetric,
			Quantity: containerInsightsClusterMetrics * busiest,
			Assumption: fmt.Sprintf("%d cluster metrics × %s of the month with tasks running",
				containerInsightsClusterMetrics, percent(busiest))},
		Line{Category: "cloudwatch", Item: "Container Insights performance logs, ingestion", Price: logIngestion,
			Quantity: logGB, Assumption: fmt.Sprintf("cost.containerInsightsLogGb %s GB per task-month; kept 1 day",
				number(g.s.ContainerInsightsLogGB))})
	return lines, nil
}

func percent(f float64) string { return number(float64(int64(f*1000+0.5))/10) + "%" }
