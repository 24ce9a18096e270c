package cost

import (
	"fmt"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

// neverExpireMonths is how many months of logs a log group without a
// retention is assumed to hold (it grows without bound; a year is shown).
const neverExpireMonths = 12

// logGroupLines prices a log group's ingestion and the storage its retention
// keeps (about one month of ingestion per 30 days kept).
func logGroupLines(g *graph, r inventory.Resource) ([]Line, error) {
	gb, set := g.s.logGB(r.Name)
	source := fmt.Sprintf("cost.defaultLogGb %s GB/month", number(gb))
	if set {
		source = fmt.Sprintf("cost.logGb[%s] %s GB/month", r.Name, number(gb))
	}
	days, err := numOr(r, 0, "retentionInDays")
	if err != nil {
		return nil, err
	}
	months, kept := days/30, fmt.Sprintf("kept %s days: %s × the monthly ingestion stored", number(days), number(days/30))
	if days == 0 {
		months, kept = neverExpireMonths, fmt.Sprintf("never expires: %d months of ingestion assumed stored", neverExpireMonths)
	}
	return []Line{
		{Item: "log ingestion", Price: logIngestion, Quantity: gb, Assumption: source},
		{Item: "log storage", Price: logStorage, Quantity: gb * months, Assumption: kept},
	}, nil
}

// metricAlarmLines prices an alarm per metric it watches (a metric-math alarm
// pays for each metric of its query); a period under a minute is high
// resolution.
func metricAlarmLines(g *graph, r inventory.Resource) ([]Line, error) {
	metrics := 0
	for _, q := range r.List("metricQueries") {
		if m, _ := q.(map[string]any); m["metric"] != nil {
			metrics++
		}
	}
	if metrics == 0 {
		metrics = 1
	}
	period, err := numOr(r, 60, "period")
	if err != nil {
		return nil, err
	}
	p, kind := alarmStandard, "standard resolution"
	if period < highResAlarmSecs {
		p, kind = alarmHighRes, "high resolution"
	}
	return []Line{{Item: "alarm, " + kind, Price: p, Quantity: float64(metrics),
		Assumption: fmt.Sprintf("%d metric(s) watched, period %s s", metrics, number(period))}}, nil
}

func compositeAlarmLines(g *graph, r inventory.Resource) ([]Line, error) {
	return []Line{{Item: "composite alarm", Price: alarmComposite, Quantity: 1, Assumption: "one alarm"}}, nil
}
