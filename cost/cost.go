// Package cost estimates what one stack costs a month, from its synthesized
// resource graph (an inventory.Inventory) and the stack's usage assumptions
// (Settings, from the stack config key article-pipeline:cost).
//
// Every declared resource is either priced (one line per billable item: the
// rate, the quantity and the assumption behind it), known to be free (an
// explicit list: IAM, security groups, subnets, routes, listener rules, ...),
// or listed as "not priced": a type without a price is never silently free.
// All prices are in prices.go. The package reads the inventory only; it
// imports no component, so it prices whatever shape the graph has, including
// the cost levers' (Fargate Spot, ARM64 tasks, scheduled scale-to-zero,
// listener rules on another stack's load balancer).
package cost

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

// Line is one billable item of one resource.
type Line struct {
	// Category groups lines by AWS service ("rds", "fargate", "elb", ...).
	Category string
	// Resource is the logical name of the resource the line prices.
	Resource string
	// Type is the resource's type token.
	Type string
	// Item says what is billed ("db.t3.small instance, single-AZ").
	Item string
	// Price is the rate; Quantity is in its unit.
	Price    Price
	Quantity float64
	// Assumption says where the quantity comes from.
	Assumption string
	// NotPriced marks a billable item the estimator has no price for; it adds
	// nothing to the total and is listed so that it is not mistaken for free.
	NotPriced bool
}

// Cents is the line's monthly amount in whole cents (rounded half away from
// zero), so that the printed lines add up to the printed total.
func (l Line) Cents() int64 {
	if l.NotPriced {
		return 0
	}
	return int64(math.Round(l.Price.USD * l.Quantity * 100))
}

// Report is one stack's monthly estimate.
type Report struct {
	Stack string
	// Lines are sorted by category, resource and item.
	Lines []Line
	// Free counts the resources of known-free types.
	Free int
}

// TotalCents is the monthly total in cents: the sum of the lines.
func (r Report) TotalCents() int64 {
	var t int64
	for _, l := range r.Lines {
		t += l.Cents()
	}
	return t
}

// NotPriced returns the lines without a price.
func (r Report) NotPriced() []Line {
	var out []Line
	for _, l := range r.Lines {
		if l.NotPriced {
			out = append(out, l)
		}
	}
	return out
}

// Estimate prices every resource of inv under the assumptions s.
func Estimate(inv *inventory.Inventory, s Settings) (Report, error) {
	if err := s.Validate(Key); err != nil {
		return Report{}, err
	}
	g := newGraph(inv, s)
	rep := Report{Stack: inv.Stack}
	for _, r := range inv.Resources {
		switch {
		case !r.Custom || strings.HasPrefix(r.Type, "pulumi:providers:"):
			// Components, stack references and providers are not cloud resources.
			continue
		case freeTypes[r.Type] != "":
			rep.Free++
			continue
		}
		rule, ok := rules[r.Type]
		if !ok {
			rep.Lines = append(rep.Lines, Line{Category: category(r.Type), Resource: r.Name, Type: r.Type,
				Item: "not priced", NotPriced: true,
				Assumption: "no price for this type in cost/prices.go, and it is not on the known-free list"})
			continue
		}
		lines, err := rule(g, r)
		if err != nil {
			return Report{}, fmt.Errorf("%s %q: %w", r.Type, r.Name, err)
		}
		if len(lines) == 0 {
			// A priced type whose inputs make it free (a standard SSM parameter).
			rep.Free++
			continue
		}
		for i := range lines {
			lines[i].Resource, lines[i].Type = r.Name, r.Type
			if lines[i].Category == "" {
				lines[i].Category = category(r.Type)
			}
		}
		rep.Lines = append(rep.Lines, lines...)
	}
	rep.Lines = append(rep.Lines, lookedUpZones(g)...)
	slices.SortStableFunc(rep.Lines, func(a, b Line) int {
		return cmp.Or(cmp.Compare(a.Category, b.Category), cmp.Compare(a.Resource, b.Resource),
			cmp.Compare(a.Item, b.Item))
	})
	return rep, nil
}

// category is the AWS service part of a type token: "aws:rds/instance:Instance" -> "rds".
func category(typ string) string {
	_, rest, _ := strings.Cut(typ, ":")
	mod, _, _ := strings.Cut(rest, "/")
	if mod == "" {
		return typ
	}
	return mod
}

// Text renders the report: one aligned row per line, then the count of free
// resources and of items not priced, then the total as the last line.
func (r Report) Text() string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CATEGORY\tRESOURCE\tITEM\tQUANTITY\tRATE\tMONTHLY\tASSUMPTION")
	for _, l := range r.Lines {
		if l.NotPriced {
			fmt.Fprintf(tw, "%s\t%s\t%s (%s)\t-\t-\tnot priced\t%s\n", l.Category, l.Resource, l.Item, l.Type, l.Assumption)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s %s\t%s/%s\t%s\t%s\n", l.Category, l.Resource, l.Item,
			number(l.Quantity), l.Price.Unit, rate(l.Price.USD), l.Price.Unit, Dollars(l.Cents()), l.Assumption)
	}
	tw.Flush()
	fmt.Fprintf(&b, "known free: %d resources (types listed in cost/free.go)\n", r.Free)
	fmt.Fprintf(&b, "not priced: %d items (excluded from the total)\n", len(r.NotPriced()))
	fmt.Fprintf(&b, "prices: on-demand %s list prices read %s (cost/prices.go); usage assumptions: %s\n",
		Region, PricesRead, Key)
	fmt.Fprintf(&b, "total: %s/month\n", Dollars(r.TotalCents()))
	return b.String()
}

// Dollars formats cents as $1,234.56.
func Dollars(cents int64) string {
	s := strconv.FormatInt(cents/100, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return fmt.Sprintf("$%s.%02d", s, cents%100)
}

// number formats a quantity or rate with at most six decimals and no trailing
// zeros.
func number(v float64) string {
	s := strconv.FormatFloat(v, 'f', 6, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// rate formats a price with at least two decimals ($0.50, $0.0225).
func rate(usd float64) string {
	s := number(usd)
	if i := strings.IndexByte(s, '.'); i < 0 {
		s += ".00"
	} else if len(s)-i == 2 {
		s += "0"
	}
	return "$" + s
}

// graph indexes one inventory for the rules.
type graph struct {
	inv    *inventory.Inventory
	s      Settings
	byType map[string][]inventory.Resource
}

func newGraph(inv *inventory.Inventory, s Settings) *graph {
	g := &graph{inv: inv, s: s, byType: map[string][]inventory.Resource{}}
	for _, r := range inv.Resources {
		g.byType[r.Type] = append(g.byType[r.Type], r)
	}
	return g
}

func (g *graph) of(typ string) []inventory.Resource { return g.byType[typ] }

// numOr reads the number input at path, or def when it is not set; a value
// that is set but is not a number is an error.
func numOr(r inventory.Resource, def float64, path ...string) (float64, error) {
	if r.Get(path...) == nil {
		return def, nil
	}
	f, ok := r.Number(path...)
	if !ok {
		return 0, fmt.Errorf("%s: %v is not a number", strings.Join(path, "."), r.Get(path...))
	}
	return f, nil
}

// lastSegment returns what follows the last "/" of an ARN or resource ID.
func lastSegment(arn string) string {
	return arn[strings.LastIndex(arn, "/")+1:]
}

// hours is the settings' month, for the assumptions.
func (g *graph) hoursNote() string {
	return fmt.Sprintf("%s h/month (cost.hoursPerMonth)", number(g.s.HoursPerMonth))
}

// rule prices one resource of a priced type: its billable items, none when its
// inputs make it free.
type rule func(g *graph, r inventory.Resource) ([]Line, error)

// rules are the priced types.
var rules = map[string]rule{
	typeRDSInstance:                                rdsInstanceLines,
	"aws:rds/proxy:Proxy":                          rdsProxyLines,
	typeECSService:                                 ecsServiceLines,
	typeCluster:                                    ecsClusterLines,
	"aws:lb/loadBalancer:LoadBalancer":             loadBalancerLines,
	"aws:ec2/vpcEndpoint:VpcEndpoint":              vpcEndpointLines,
	"aws:ec2/natGateway:NatGateway":                natGatewayLines,
	"aws:ec2/eip:Eip":                              elasticIPLines,
	"aws:cloudwatch/logGroup:LogGroup":             logGroupLines,
	"aws:cloudwatch/metricAlarm:MetricAlarm":       metricAlarmLines,
	"aws:cloudwatch/compositeAlarm:CompositeAlarm": compositeAlarmLines,
	"aws:wafv2/webAcl:WebAcl":                      webACLLines,
	"aws:s3/bucketV2:BucketV2":                     bucketLines,
	"aws:s3/bucket:Bucket":                         bucketLines,
	"aws:backup/plan:Plan":                         backupPlanLines,
	"aws:route53/zone:Zone":                        hostedZoneLines,
	"aws:ec2/instance:Instance":                    ec2InstanceLines,
	"aws:ebs/volume:Volume":                        ebsVolumeLines,
	"aws:ecr/repository:Repository":                ecrRepositoryLines,
	"aws:ssm/parameter:Parameter":                  ssmParameterLines,
	"aws:secretsmanager/secret:Secret":             secretLines,
	"aws:kms/key:Key":                              kmsKeyLines,
}
