package cost

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

// bucketLines prices a bucket's S3 Standard storage and its requests.
func bucketLines(g *graph, r inventory.Resource) ([]Line, error) {
	name := cmp.Or(r.String("bucket"), r.Name)
	gb, set := g.s.bucketGB(name)
	source := fmt.Sprintf("cost.defaultBucketGb %s GB", number(gb))
	if set {
		source = fmt.Sprintf("cost.bucketGb[%s] %s GB", name, number(gb))
	}
	return []Line{
		{Item: "S3 Standard storage, " + name, Price: s3Standard, Quantity: gb,
			Assumption: source + " (noncurrent versions included)"},
		{Item: "PUT/COPY/POST/LIST requests", Price: s3Put, Quantity: g.s.BucketPutRequests / 1000,
			Assumption: fmt.Sprintf("cost.bucketPutRequests %s a month", number(g.s.BucketPutRequests))},
		{Item: "GET requests", Price: s3Get, Quantity: g.s.BucketGetRequests / 1000,
			Assumption: fmt.Sprintf("cost.bucketGetRequests %s a month", number(g.s.BucketGetRequests))},
	}, nil
}

// ecrRepositoryLines prices the images a repository keeps.
func ecrRepositoryLines(g *graph, r inventory.Resource) ([]Line, error) {
	return []Line{{Item: "image storage", Price: ecrStorage, Quantity: g.s.ECRGBPerRepository,
		Assumption: "cost.ecrGbPerRepository (its lifecycle policy bounds the images kept)"}}, nil
}

// backupPlanLines prices the recovery points an AWS Backup plan keeps of each
// resource its selections name: for each rule, the points its schedule makes
// within its retention, the first one full and each later one incremental.
// Cold storage is ignored for RDS and S3, as AWS Backup ignores it for those
// types: their points stay warm for the whole retention. A copy to another
// vault keeps the same points again, plus the transfer when it leaves the
// region.
func backupPlanLines(g *graph, r inventory.Resource) ([]Line, error) {
	var targets []string
	tagged := false
	for _, sel := range g.of("aws:backup/selection:Selection") {
		if sel.Parent != r.Parent && len(g.of("aws:backup/plan:Plan")) > 1 {
			continue // with one plan, every selection is its own
		}
		targets = append(targets, sel.Strings("resources")...)
		tagged = tagged || len(sel.List("selectionTags")) > 0 || sel.Get("condition") != nil
	}
	var lines []Line
	if tagged {
		lines = append(lines, Line{Item: "resources selected by tag", NotPriced: true,
			Assumption: "a tag selection is resolved in AWS, not in the graph"})
	}
	region := g.region()
	for _, e := range r.List("rules") {
		rule, _ := e.(map[string]any)
		ruleName, _ := rule["ruleName"].(string)
		schedule, _ := rule["schedule"].(string)
		interval, every, err := backupInterval(schedule)
		if err != nil {
			lines = append(lines, Line{Item: "rule " + ruleName, NotPriced: true, Assumption: err.Error()})
			continue
		}
		keep, keepNote := retentionDays(rule["lifecycle"])
		points := math.Max(1, math.Ceil(keep/interval))
		pointsNote := func(gb float64) string {
			n := fmt.Sprintf("%s points (%s, %s) of %s GB, each after the first adding cost.backupChange %s%%",
				number(points), every, keepNote, number(gb), number(100*g.s.BackupChange))
			if cold, _ := inventory.AsNumber(mapGet(rule["lifecycle"], "coldStorageAfter")); cold > 0 {
				n += fmt.Sprintf("; cold storage after %s days ignored for RDS and S3", number(cold))
			}
			return n
		}
		for _, arn := range targets {
			t := g.backupTarget(arn)
			if !t.ok {
				lines = append(lines, Line{Item: fmt.Sprintf("rule %s: %s", ruleName, arn), NotPriced: true,
					Assumption: "only RDS instances and S3 buckets are priced as backup targets"})
				continue
			}
			stored := t.gb * (1 + (points-1)*g.s.BackupChange)
			lines = append(lines, Line{Category: "backup", Item: fmt.Sprintf("rule %s: %s recovery points", ruleName, t.label),
				Price: t.price, Quantity: stored, Assumption: pointsNote(t.gb)})
			for _, c := range listOf(rule["copyActions"]) {
				dest, _ := c.(map[string]any)["destinationVaultArn"].(string)
				copyKeep, copyNote := retentionDays(mapGet(c, "lifecycle"))
				copyPoints := math.Max(1, math.Ceil(copyKeep/interval))
				lines = append(lines, Line{Category: "backup", Item: fmt.Sprintf("rule %s: %s copies in %s", ruleName, t.label,
					lastSegment(strings.ReplaceAll(dest, ":", "/"))), Price: t.price,
					Quantity:   t.gb * (1 + (copyPoints-1)*g.s.BackupChange),
					Assumption: fmt.Sprintf("%s points (%s) in the destination vault", number(copyPoints), copyNote)})
				if destRegion := arnRegion(dest); destRegion != "" && destRegion != region {
					monthly := t.gb * g.s.BackupChange * (365.0 / 12 / interval)
					lines = append(lines, Line{Category: "backup", Item: fmt.Sprintf("rule %s: %s copy transfer to %s",
						ruleName, t.label, destRegion), Price: crossRegionTransfer, Quantity: monthly,
						Assumption: "each copy after the first transfers the change (cost.backupChange)"})
				}
			}
		}
	}
	return lines, nil
}

type backupTarget struct {
	ok    bool
	label string
	gb    float64
	price Price
}

// backupTarget resolves a selected ARN to its kind and assumed size.
func (g *graph) backupTarget(arn string) backupTarget {
	if name, ok := strings.CutPrefix(arn, "arn:aws:s3:::"); ok && !strings.ContainsAny(name, "/*") {
		gb, _ := g.s.bucketGB(name)
		return backupTarget{ok: true, label: name + " (S3)", gb: gb, price: backupS3}
	}
	parts := strings.Split(arn, ":")
	if len(parts) == 7 && parts[2] == "rds" && parts[5] == "db" && parts[6] != "*" {
		label := parts[6]
		for _, db := range g.of(typeRDSInstance) {
			if db.String("identifier") == parts[6] {
				label = db.Name
			}
		}
		return backupTarget{ok: true, label: label + " (RDS)", gb: g.s.DatabaseGB, price: backupRDS}
	}
	return backupTarget{}
}

// region is the stack's region, from its AWS provider.
func (g *graph) region() string {
	for _, p := range g.of("pulumi:providers:aws") {
		if r := p.String("region"); r != "" {
			return r
		}
	}
	return Region
}

func arnRegion(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) < 4 {
		return ""
	}
	return parts[3]
}

// retentionDays is how long a lifecycle keeps a recovery point (a year is
// assumed when it never deletes them).
func retentionDays(lifecycle any) (float64, string) {
	if d, ok := inventory.AsNumber(mapGet(lifecycle, "deleteAfter")); ok && d > 0 {
		return d, fmt.Sprintf("kept %s days", number(d))
	}
	return 365, "never deleted: a year of points assumed"
}

func mapGet(v any, key string) any {
	m, _ := v.(map[string]any)
	return m[key]
}

func listOf(v any) []any {
	l, _ := v.([]any)
	return l
}

// backupInterval reads an AWS Backup cron expression (cron(MIN HOURS DOM MONTH
// DOW YEAR)) as days between recovery points: monthly on a fixed day, weekly
// on some days, or every day at some hours.
func backupInterval(expr string) (float64, string, error) {
	inner, ok := strings.CutPrefix(strings.TrimSpace(expr), "cron(")
	f := strings.Fields(strings.TrimSuffix(inner, ")"))
	if !ok || len(f) != 6 || f[3] != "*" || f[5] != "*" {
		return 0, "", fmt.Errorf("schedule %q not modelled: expected cron(MIN HOURS DAY * DAYS *)", expr)
	}
	perDay := float64(len(strings.Split(f[1], ",")))
	switch {
	case !wild(f[2]):
		days := len(strings.Split(f[2], ","))
		if _, err := strconv.Atoi(strings.Split(f[2], ",")[0]); err != nil {
			return 0, "", fmt.Errorf("schedule %q not modelled: day of month %q", expr, f[2])
		}
		return 365.0 / 12 / float64(days), "monthly", nil
	case !wild(f[4]):
		days, err := cronList(f[4], 1, 7, weekdays)
		if err != nil {
			return 0, "", fmt.Errorf("schedule %q not modelled: %w", expr, err)
		}
		return 7 / float64(len(days)) / perDay, "weekly", nil
	case strings.ContainsAny(f[1], "*/-"):
		return 0, "", errors.New("schedule " + expr + " not modelled: hours must be listed")
	default:
		return 1 / perDay, "daily", nil
	}
}
