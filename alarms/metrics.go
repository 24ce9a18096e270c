package alarms

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The comparison operators and missing-data treatments the alarms use.
const (
	above    = "GreaterThanThreshold"
	atLeast  = "GreaterThanOrEqualToThreshold"
	below    = "LessThanThreshold"
	breaches = "breaching"
	fine     = "notBreaching"
	keep     = "missing"
)

const (
	oneMinute   = 60
	fiveMinutes = 300
	bytesPerMiB = 1 << 20
	bytesPerGiB = 1 << 30
)

// alarm is one CloudWatch alarm: a metric (or a metric-math query) compared
// with a threshold over consecutive periods, and what missing data means.
type alarm struct {
	// id names it: <NamePrefix>-<id> in AWS, <component>-<id> in Pulumi.
	id          string
	description string
	namespace   string
	metric      string
	dimensions  pulumi.StringMap
	// statistic is Average, Minimum, Maximum or Sum, or a percentile (p95).
	statistic string
	// queries replace namespace, metric and statistic with metric math.
	queries    cloudwatch.MetricAlarmMetricQueryArray
	comparison string
	threshold  float64
	period     int
	// periods is how many consecutive periods must breach.
	periods int
	// missing is treatMissingData: what a period without data counts as.
	missing string
}

// watched lists the alarms on what the stack has, in a stable order.
func watched(args *Args) []alarm {
	var out []alarm
	if d := args.DatabaseInstance; d != nil {
		t := args.Settings.Database
		db := pulumi.StringMap{"DBInstanceIdentifier": d.Identifier}
		rds := func(id, metric, stat string) alarm {
			return alarm{id: id, namespace: "AWS/RDS", metric: metric, dimensions: db, statistic: stat,
				period: fiveMinutes, periods: 3,
				// RDS publishes every minute while the instance is available; a
				// gap neither raises nor clears these (free storage notices it).
				missing: keep}
		}
		cpu := rds("database-cpu", "CPUUtilization", "Average")
		cpu.comparison, cpu.threshold = above, float64(t.CPUPercent)
		cpu.description = fmt.Sprintf("Database CPU above %d%% for 15 minutes.", t.CPUPercent)

		storage := rds("database-free-storage", "FreeStorageSpace", "Minimum")
		storage.comparison = below
		storage.threshold = float64(d.AllocatedStorageGiB) * float64(t.FreeStoragePercent) / 100 * bytesPerGiB
		storage.description = fmt.Sprintf("Database free storage below %d%% of the allocated %d GiB for 15 "+
			"minutes, or no storage figure at all (the instance is stopped or unavailable).", t.FreeStoragePercent,
			d.AllocatedStorageGiB)
		// No storage figure for 15 minutes: the instance is not available.
		storage.missing = breaches

		memory := rds("database-freeable-memory", "FreeableMemory", "Minimum")
		memory.comparison, memory.threshold = below, float64(t.FreeableMemoryMiB)*bytesPerMiB
		memory.description = fmt.Sprintf("Database freeable memory below %d MiB for 15 minutes.", t.FreeableMemoryMiB)

		conns := rds("database-connections", "DatabaseConnections", "Maximum")
		conns.comparison, conns.threshold = above, float64(t.Connections)
		conns.description = fmt.Sprintf("More than %d database connections for 15 minutes.", t.Connections)
		out = append(out, cpu, storage, memory, conns)
	}

	lbt := args.LoadBalancer
	if args.LoadBalancerARNSuffix != nil {
		lb := pulumi.StringMap{"LoadBalancer": args.LoadBalancerARNSuffix}
		// No requests, no data: a quiet night is not an incident.
		out = append(out,
			alarm{id: "load-balancer-5xx", namespace: "AWS/ApplicationELB", metric: "HTTPCode_Target_5XX_Count",
				dimensions: lb, statistic: "Sum", comparison: above, threshold: float64(lbt.Target5xxCount),
				period: fiveMinutes, periods: 1, missing: fine,
				description: fmt.Sprintf("The services answered more than %d requests with a 5xx in 5 minutes.",
					lbt.Target5xxCount)},
			alarm{id: "load-balancer-response-time", namespace: "AWS/ApplicationELB", metric: "TargetResponseTime",
				dimensions: lb, statistic: "p95", comparison: above, threshold: lbt.ResponseTimeSeconds,
				period: fiveMinutes, periods: 3, missing: fine,
				description: fmt.Sprintf("The slowest 5%% of responses took more than %g s for 15 minutes.",
					lbt.ResponseTimeSeconds)})
	}

	st := args.Settings.Services
	for _, s := range args.ECSServices {
		svc := pulumi.StringMap{"ClusterName": s.ClusterName, "ServiceName": s.ServiceName}
		out = append(out, taskCount(s, st.TaskShortfallMinutes))
		for _, u := range []struct{ id, metric, what string }{
			{"cpu", "CPUUtilization", "CPU"}, {"memory", "MemoryUtilization", "memory"},
		} {
			threshold := st.CPUPercent
			if u.id == "memory" {
				threshold = st.MemoryPercent
			}
			out = append(out, alarm{id: "service-" + s.Name + "-" + u.id, namespace: "AWS/ECS", metric: u.metric,
				dimensions: svc, statistic: "Average", comparison: above, threshold: float64(threshold),
				period: fiveMinutes, periods: 3,
				// AWS/ECS publishes only while tasks run: a stopped service is
				// quiet, and the task-count alarm pages for one that should run.
				missing: fine,
				description: fmt.Sprintf("%s: average %s above %d%% of the task size for 15 minutes.", s.Name,
					u.what, threshold)})
		}
		if s.TargetGroupARNSuffix != nil && args.LoadBalancerARNSuffix != nil {
			out = append(out, alarm{id: "service-" + s.Name + "-unhealthy-hosts", namespace: "AWS/ApplicationELB",
				metric: "UnHealthyHostCount",
				dimensions: pulumi.StringMap{"TargetGroup": s.TargetGroupARNSuffix,
					"LoadBalancer": args.LoadBalancerARNSuffix},
				statistic: "Maximum", comparison: atLeast, threshold: float64(lbt.UnhealthyHosts),
				period: oneMinute, periods: 5, missing: fine,
				description: fmt.Sprintf("%s: at least %d target(s) failing the load balancer's health check "+
					"for 5 minutes.", s.Name, lbt.UnhealthyHosts)})
		}
	}
	return out
}

// taskCount fires when a service runs fewer tasks than it should. Container
// Insights publishes RunningTaskCount only while tasks run, so the running
// count is FILL(…, 0): no task is 0 tasks. What the service should run comes
// from the stack (its desired count or autoscaling minimum, 0 while no image
// is deployed), not from DesiredTaskCount, which goes missing with the tasks.
// Missing data is deliberate both ways: a service that should run pages when
// nothing at all is reported, one with 0 expected tasks never pages.
func taskCount(s Service, minutes int) alarm {
	a := alarm{id: "service-" + s.Name + "-tasks", comparison: below, threshold: float64(s.ExpectedTasks),
		period: oneMinute, periods: minutes,
		queries: cloudwatch.MetricAlarmMetricQueryArray{
			cloudwatch.MetricAlarmMetricQueryArgs{
				Id: pulumi.String("running"),
				Metric: &cloudwatch.MetricAlarmMetricQueryMetricArgs{
					Namespace:  pulumi.String("ECS/ContainerInsights"),
					MetricName: pulumi.String("RunningTaskCount"),
					Dimensions: pulumi.StringMap{"ClusterName": s.ClusterName, "ServiceName": s.ServiceName},
					Period:     pulumi.Int(oneMinute),
					// The fewest tasks seen in the minute.
					Stat: pulumi.String("Minimum"),
				},
				ReturnData: pulumi.Bool(false),
			},
			cloudwatch.MetricAlarmMetricQueryArgs{
				Id:         pulumi.String("tasks"),
				Expression: pulumi.String("FILL(running, 0)"),
				Label:      pulumi.String("running tasks (none reported = 0)"),
				ReturnData: pulumi.Bool(true),
			},
		},
	}
	if s.ExpectedTasks == 0 {
		a.missing = fine
		a.description = fmt.Sprintf("%s: no image is deployed, so it should run no task; this alarm cannot "+
			"fire until it should run at least one.", s.Name)
		return a
	}
	a.missing = breaches
	a.description = fmt.Sprintf("%s: fewer than %d running task(s) for %d minutes, or none reported.", s.Name,
		s.ExpectedTasks, minutes)
	return a
}

// declare creates the alarm, notifying the topic when it fires and when it
// recovers.
func (a alarm) declare(ctx *pulumi.Context, component string, c *Alarms, prefix string,
	topicARN pulumi.StringOutput) error {
	actions := pulumi.Array{topicARN}
	args := &cloudwatch.MetricAlarmArgs{
		Name:               pulumi.String(prefix + "-" + a.id),
		AlarmDescription:   pulumi.String(a.description + " Runbook: docs/operations.md#alarms."),
		ComparisonOperator: pulumi.String(a.comparison),
		Threshold:          pulumi.Float64(a.threshold),
		EvaluationPeriods:  pulumi.Int(a.periods),
		DatapointsToAlarm:  pulumi.Int(a.periods),
		TreatMissingData:   pulumi.String(a.missing),
		ActionsEnabled:     pulumi.Bool(true),
		AlarmActions:       actions,
		OkActions:          actions,
	}
	if a.queries != nil {
		args.MetricQueries = a.queries
	} else {
		args.Namespace, args.MetricName = pulumi.String(a.namespace), pulumi.String(a.metric)
		args.Dimensions, args.Period = a.dimensions, pulumi.Int(a.period)
		if strings.HasPrefix(a.statistic, "p") {
			args.ExtendedStatistic = pulumi.String(a.statistic)
		} else {
			args.Statistic = pulumi.String(a.statistic)
		}
	}
	_, err := cloudwatch.NewMetricAlarm(ctx, component+"-"+a.id, args, pulumi.Parent(c))
	return err
}
