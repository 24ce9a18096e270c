package cost

import (
	"fmt"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

const typeRDSInstance = "aws:rds/instance:Instance"

// rdsInstanceLines prices an RDS instance: its hours, its allocated storage
// (and provisioned IOPS), automated backups beyond the free allowance,
// Performance Insights beyond the free 7 days, and the enhanced monitoring
// data it sends to CloudWatch Logs.
func rdsInstanceLines(g *graph, r inventory.Resource) ([]Line, error) {
	var lines []Line
	hours := g.s.HoursPerMonth
	class := r.String("instanceClass")
	c, known := rdsClasses[class]
	factor, az := 1.0, "single-AZ"
	if multi, _ := r.Bool("multiAz"); multi {
		factor, az = rdsMultiAZFactor, "Multi-AZ (primary and standby)"
	}
	if known {
		lines = append(lines, Line{Item: fmt.Sprintf("%s instance, %s", class, az), Price: c.Hourly,
			Quantity: factor * hours, Assumption: fmt.Sprintf("always on: %s%s", instancesNote(factor), g.hoursNote())})
	} else {
		lines = append(lines, Line{Item: fmt.Sprintf("%s instance, %s", class, az), NotPriced: true,
			Assumption: "no price for this instance class in cost/prices.go"})
	}

	allocated, err := numOr(r, 0, "allocatedStorage")
	if err != nil {
		return nil, err
	}
	storageType := r.String("storageType")
	iops, err := numOr(r, 0, "iops")
	if err != nil {
		return nil, err
	}
	if storageType == "" {
		// The provider's default: io1 when IOPS are set, otherwise gp2.
		storageType = "gp2"
		if iops > 0 {
			storageType = "io1"
		}
	}
	billed, note := allocated, fmt.Sprintf("%s GB allocated", number(allocated))
	if g.s.DatabaseGB > allocated {
		billed, note = g.s.DatabaseGB, fmt.Sprintf("grown to the data (cost.databaseGb %s GB) beyond the %s GB allocated",
			number(g.s.DatabaseGB), number(allocated))
	}
	if maxGB, _ := numOr(r, 0, "maxAllocatedStorage"); maxGB > allocated {
		note += fmt.Sprintf("; autoscaling to %s GB only as data grows", number(maxGB))
	}
	if p, ok := rdsStorage[storageType]; ok {
		lines = append(lines, Line{Item: storageType + " storage", Price: p, Quantity: factor * billed,
			Assumption: instancesNote(factor) + note})
	} else {
		lines = append(lines, Line{Item: storageType + " storage", NotPriced: true,
			Assumption: "no price for this storage type in cost/prices.go"})
	}
	switch {
	case (storageType == "io1" || storageType == "io2") && iops > 0:
		lines = append(lines, Line{Item: "provisioned IOPS", Price: rdsIOPS, Quantity: factor * iops,
			Assumption: instancesNote(factor) + fmt.Sprintf("%s IOPS provisioned", number(iops))})
	case storageType == "gp3":
		// Below 400 GB, gp3 on RDS includes 3,000 IOPS and 125 MBps.
		throughput, err := numOr(r, 0, "storageThroughput")
		if err != nil {
			return nil, err
		}
		if iops > 3000 {
			lines = append(lines, Line{Item: "gp3 IOPS above 3,000", Price: rdsGP3ExtraIOPS, Quantity: factor * (iops - 3000),
				Assumption: fmt.Sprintf("%s IOPS provisioned", number(iops))})
		}
		if throughput > 125 {
			lines = append(lines, Line{Item: "gp3 throughput above 125 MBps", Price: rdsGP3ExtraThroughput,
				Quantity: factor * (throughput - 125), Assumption: fmt.Sprintf("%s MBps provisioned", number(throughput))})
		}
	}

	retention, err := numOr(r, 1, "backupRetentionPeriod") // RDS's default when unset
	if err != nil {
		return nil, err
	}
	if retention > 0 {
		backupGB := g.s.DatabaseGB * (1 + retention*g.s.DatabaseDailyChange)
		beyond := backupGB - billed
		if beyond < 0 {
			beyond = 0
		}
		lines = append(lines, Line{Item: "automated backups beyond the allocated storage", Price: rdsBackup,
			Quantity: beyond, Assumption: fmt.Sprintf("%s GB of backups (cost.databaseGb %s GB + %s days × %s%%/day "+
				"changed, cost.databaseDailyChange); free up to the %s GB provisioned", number(backupGB),
				number(g.s.DatabaseGB), number(retention), number(100*g.s.DatabaseDailyChange), number(billed))})
	}

	piEnabled, _ := r.Bool("performanceInsightsEnabled")
	piDays, err := numOr(r, 7, "performanceInsightsRetentionPeriod")
	if err != nil {
		return nil, err
	}
	advanced := r.String("databaseInsightsMode") == "advanced"
	switch {
	case (piEnabled && piDays > 7) || advanced:
		if known {
			lines = append(lines, Line{Item: "Performance Insights beyond 7 days (Database Insights advanced)",
				Price: databaseInsightsAdvanced, Quantity: c.VCPU * hours,
				Assumption: fmt.Sprintf("%s vCPUs × %s; retention %s days", number(c.VCPU), g.hoursNote(), number(piDays))})
		} else {
			lines = append(lines, Line{Item: "Performance Insights beyond 7 days", NotPriced: true,
				Assumption: "priced per vCPU; no vCPU count for this instance class in cost/prices.go"})
		}
	case piEnabled:
		lines = append(lines, Line{Item: "Performance Insights, 7 days", Price: databaseInsightsAdvanced, Quantity: 0,
			Assumption: "the free tier: 7 days of history"})
	}

	interval, err := numOr(r, 0, "monitoringInterval")
	if err != nil {
		return nil, err
	}
	if interval > 0 {
		gb := g.s.EnhancedMonitoringGB * 60 / interval
		lines = append(lines,
			Line{Category: "cloudwatch", Item: "enhanced monitoring, log ingestion (RDSOSMetrics)", Price: logIngestion,
				Quantity: gb, Assumption: fmt.Sprintf("every %s s: cost.enhancedMonitoringGb %s GB/month at 60 s",
					number(interval), number(g.s.EnhancedMonitoringGB))},
			Line{Category: "cloudwatch", Item: "enhanced monitoring, log storage (RDSOSMetrics)", Price: logStorage,
				Quantity: gb, Assumption: "RDS keeps RDSOSMetrics 30 days by default: one month of ingestion stored"})
	}
	return lines, nil
}

func instancesNote(factor float64) string {
	if factor == 1 {
		return ""
	}
	return fmt.Sprintf("%s instances × ", number(factor))
}

// rdsProxyLines prices an RDS Proxy by the vCPUs of the instance behind it.
func rdsProxyLines(g *graph, r inventory.Resource) ([]Line, error) {
	vcpu, note := rdsProxyMinVCPU, "no target instance found in this stack: the minimum"
	for _, t := range g.of("aws:rds/proxyTarget:ProxyTarget") {
		if t.String("dbProxyName") != "" && t.String("dbProxyName") != r.String("name") {
			continue
		}
		for _, db := range g.of(typeRDSInstance) {
			if id := t.String("dbInstanceIdentifier"); id != "" && db.String("identifier") == id {
				if c, ok := rdsClasses[db.String("instanceClass")]; ok {
					vcpu, note = c.VCPU, fmt.Sprintf("%s (%s, %s vCPUs)", db.Name, db.String("instanceClass"), number(c.VCPU))
				}
			}
		}
	}
	if vcpu < rdsProxyMinVCPU {
		vcpu, note = rdsProxyMinVCPU, note+"; billed at the minimum"
	}
	return []Line{{Item: "proxy", Price: rdsProxy, Quantity: vcpu * g.s.HoursPerMonth,
		Assumption: fmt.Sprintf("%s vCPUs: %s; %s", number(vcpu), strings.TrimSpace(note), g.hoursNote())}}, nil
}
