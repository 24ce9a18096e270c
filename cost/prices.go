package cost

// Every price the estimator uses, in one place: on-demand list prices for
// us-west-2 (US West, Oregon), in US dollars, no free tier, no Savings Plans,
// no Reserved Instances.
//
// PricesRead is when they were read. AWS renders its regional price tables
// with JavaScript, so the stored copies of the official pages carry the
// structure and the units but often not the figures; each price names the
// official page as its source and says, next to it, what confirmed the figure
// (a stored copy of the official page, or a third-party page quoting it) or
// that nothing did and the figure is the one relied on. Where a confirmation
// quotes us-east-1, the comment says so: for the services here us-west-2 is
// relied on to list the same figures as us-east-1 (two stored pages state it
// for NAT gateways and Fargate Spot; the rest is not confirmed).
//
// A price change is a one-line change here, and the golden estimates
// (testdata/<stack>.cost.txt) show its effect on each stack.

// PricesRead is the date the prices below were read.
const PricesRead = "2026-12-02"

// Region is the region the prices are for.
const Region = "us-west-2"

// Price is one list price: USD dollars per Unit, read from Source.
type Price struct {
	USD    float64
	Unit   string
	Source string
}

// The official pricing pages.
const (
	srcRDS          = "https://aws.amazon.com/rds/postgresql/pricing/"
	srcRDSProxy     = "https://aws.amazon.com/rds/proxy/pricing/"
	srcFargate      = "https://aws.amazon.com/fargate/pricing/"
	srcELB          = "https://aws.amazon.com/elasticloadbalancing/pricing/"
	srcVPC          = "https://aws.amazon.com/vpc/pricing/"
	srcPrivateLink  = "https://aws.amazon.com/privatelink/pricing/"
	srcCloudWatch   = "https://aws.amazon.com/cloudwatch/pricing/"
	srcWAF          = "https://aws.amazon.com/waf/pricing/"
	srcS3           = "https://aws.amazon.com/s3/pricing/"
	srcBackup       = "https://aws.amazon.com/backup/pricing/"
	srcRoute53      = "https://aws.amazon.com/route53/pricing/"
	srcEC2          = "https://aws.amazon.com/ec2/pricing/on-demand/"
	srcEBS          = "https://aws.amazon.com/ebs/pricing/"
	srcECR          = "https://aws.amazon.com/ecr/pricing/"
	srcSSM          = "https://aws.amazon.com/systems-manager/pricing/"
	srcSecrets      = "https://aws.amazon.com/secrets-manager/pricing/"
	srcKMS          = "https://aws.amazon.com/kms/pricing/"
	srcTransferCost = "https://aws.amazon.com/ec2/pricing/on-demand/#Data_Transfer"
)

// Units, as the estimate prints them (h hour, mo month, k thousand, M million).
const (
	unitHour         = "h"
	unitGBMonth      = "GB-mo"
	unitGBHour       = "GB-h"
	unitGB           = "GB"
	unitVCPUHour     = "vCPU-h"
	unitLCUHour      = "LCU-h"
	unitIOPSMonth    = "IOPS-mo"
	unitMBpsMonth    = "MBps-mo"
	unitMetricMonth  = "metric-mo"
	unitAlarmMonth   = "alarm-mo"
	unitMonth        = "mo"
	unitMillionReqs  = "M requests"
	unitThousandReqs = "k requests"
)

// HoursPerMonthList is the month AWS's own calculator uses (8,760 h / 12).
const HoursPerMonthList = 730

// rdsClass is an RDS for PostgreSQL instance class: its Single-AZ hourly price
// and its vCPUs (Performance Insights long-term retention and RDS Proxy are
// priced per vCPU).
type rdsClass struct {
	Hourly Price
	VCPU   float64
}

// rdsClasses are Single-AZ, on-demand, PostgreSQL, us-west-2. A Multi-AZ
// (one standby) instance is billed as two: rdsMultiAZFactor. The t4g micro,
// small and medium figures are confirmed by a stored third-party page quoting
// the official table (infratally.com, us-east-1, same as us-west-2); the
// others are the figures relied on, not confirmed from a stored copy.
var rdsClasses = map[string]rdsClass{
	"db.t3.micro":   {Price{0.018, unitHour, srcRDS}, 2},
	"db.t3.small":   {Price{0.036, unitHour, srcRDS}, 2}, // the runbook's class
	"db.t3.medium":  {Price{0.072, unitHour, srcRDS}, 2},
	"db.t3.large":   {Price{0.145, unitHour, srcRDS}, 2},
	"db.t4g.micro":  {Price{0.016, unitHour, srcRDS}, 2},
	"db.t4g.small":  {Price{0.032, unitHour, srcRDS}, 2},
	"db.t4g.medium": {Price{0.065, unitHour, srcRDS}, 2},
	"db.t4g.large":  {Price{0.129, unitHour, srcRDS}, 2},
	"db.m5.large":   {Price{0.178, unitHour, srcRDS}, 2},
	"db.m6i.large":  {Price{0.178, unitHour, srcRDS}, 2},
	"db.m6g.large":  {Price{0.159, unitHour, srcRDS}, 2},
	"db.m7g.large":  {Price{0.168, unitHour, srcRDS}, 2},
}

// rdsMultiAZFactor: a Multi-AZ instance deployment bills the standby's hours
// and storage too (stored AWS RDS user guide, "On-Demand DB instances";
// infratally.com: "exactly double").
const rdsMultiAZFactor = 2

// RDS storage per GB-month of allocated storage (Single-AZ). gp2 (a stored
// docs.fjall.io page: 20 GB for $2.30) and gp3 (a stored usage.ai page) are
// confirmed, us-east-1; io1 and io2 are the figures relied on.
var rdsStorage = map[string]Price{
	"gp2": {0.115, unitGBMonth, srcRDS},
	"gp3": {0.115, unitGBMonth, srcRDS},
	"io1": {0.125, unitGBMonth, srcRDS},
	"io2": {0.125, unitGBMonth, srcRDS},
}

var (
	// rdsIOPS: provisioned IOPS on io1/io2 (relied on, not confirmed).
	rdsIOPS = Price{0.10, unitIOPSMonth, srcRDS}
	// rdsGP3ExtraIOPS and rdsGP3ExtraThroughput: gp3 above its 3,000 IOPS /
	// 125 MBps baseline (relied on, not confirmed).
	rdsGP3ExtraIOPS       = Price{0.02, unitIOPSMonth, srcRDS}
	rdsGP3ExtraThroughput = Price{0.08, unitMBpsMonth, srcRDS}
	// rdsBackup: backup storage beyond 100% of the provisioned storage, which is
	// free (stored AWS Database blog "Demystifying Amazon RDS backup storage
	// costs" states the free allowance; $0.095 confirmed by stored usage.ai and
	// druva.com pages).
	rdsBackup = Price{0.095, unitGBMonth, srcRDS}
	// databaseInsightsAdvanced: Performance Insights retention beyond the free 7
	// days is billed as Database Insights Advanced mode, per vCPU-hour (stored
	// AWS RDS user guide, "Considerations for Database Insights": no other cost
	// for the longer retention; the rate itself is on the CloudWatch pricing
	// page and is relied on, not confirmed).
	databaseInsightsAdvanced = Price{0.0125, unitVCPUHour, srcCloudWatch}
	// rdsProxy: per vCPU-hour of the target instance, at least 2 vCPUs
	// (relied on, not confirmed).
	rdsProxy        = Price{0.015, unitVCPUHour, srcRDSProxy}
	rdsProxyMinVCPU = 2.0
)

// Fargate, Linux. x86 and ARM confirmed by a stored copy of vantage.sh's
// Fargate page quoting the official table (us-east-1, same as us-west-2).
var (
	fargateVCPU = map[string]Price{
		"X86_64": {0.04048, unitVCPUHour, srcFargate},
		"ARM64":  {0.03238, unitVCPUHour, srcFargate},
	}
	fargateGB = map[string]Price{
		"X86_64": {0.004445, unitGBHour, srcFargate},
		"ARM64":  {0.00356, unitGBHour, srcFargate},
	}
	// fargateEphemeral: task storage beyond the 20 GB included.
	fargateEphemeral         = Price{0.000111, unitGBHour, srcFargate}
	fargateEphemeralIncluded = 20.0
)

// FargateSpotDiscount is the assumed Fargate Spot discount off the on-demand
// price. The official page says "up to 70%" and the Spot price floats; a
// stored script pricing us-west-2 Spot used exactly 30% of the on-demand
// rates ($0.012144/vCPU-hour, $0.0013335/GB-hour), so 70% is assumed here.
const FargateSpotDiscount = 0.70

// Elastic Load Balancing, Application Load Balancer (relied on: the stored
// official page describes the two dimensions without the figures, and the one
// stored page with figures quotes another region).
var (
	albHour = Price{0.0225, unitHour, srcELB}
	albLCU  = Price{0.008, unitLCUHour, srcELB}
)

// publicIPv4 is charged for every public IPv4 address, in use or idle, since
// 2024-02-01 (several stored pages quote the AWS announcement).
var publicIPv4 = Price{0.005, unitHour, srcVPC}

// PrivateLink interface endpoints: per endpoint per AZ, and per GB processed
// (first PB). The per-GB figure is confirmed by a stored copy of the official
// page (Japanese edition); the hourly one by a stored egresscost.com page
// ($7.20 per AZ for a 720-hour month).
var (
	endpointHour = Price{0.01, unitHour, srcPrivateLink}
	endpointGB   = Price{0.01, unitGB, srcPrivateLink}
)

// NAT gateway per hour and per GB processed (stored third-party pages quote
// US West (Oregon) at $0.045 for both).
var (
	natHour = Price{0.045, unitHour, srcVPC}
	natGB   = Price{0.045, unitGB, srcVPC}
)

// CloudWatch. Logs ingestion $0.50/GB and custom metrics $0.30/metric-month
// (first 10,000) are confirmed by stored third-party pages quoting the
// official page; storage and alarms are relied on.
var (
	logIngestion     = Price{0.50, unitGB, srcCloudWatch}
	logStorage       = Price{0.03, unitGBMonth, srcCloudWatch}
	customMetric     = Price{0.30, unitMetricMonth, srcCloudWatch}
	alarmStandard    = Price{0.10, unitAlarmMonth, srcCloudWatch}
	alarmHighRes     = Price{0.30, unitAlarmMonth, srcCloudWatch}
	alarmComposite   = Price{0.50, unitAlarmMonth, srcCloudWatch}
	highResAlarmSecs = 60.0 // a period under 60 s makes a high-resolution alarm
)

// Container Insights (standard, the cluster setting "enabled") publishes its
// metrics as custom metrics, billed per metric-month while they are emitted
// (only while tasks run), plus its performance log events as log ingestion.
// The counts are from the stored CloudWatch user guide's list of the ECS
// Container Insights metrics and their dimension sets (cluster; cluster and
// service; cluster and task definition family); they are an estimate, not
// confirmed against a bill. "enhanced" observability is priced per
// observation and is not priced here.
const (
	containerInsightsClusterMetrics = 12
	containerInsightsServiceMetrics = 25
)

// AWS WAF (relied on: the stored official pages describe web ACL, rule and
// request charges without the figures).
var (
	wafACL      = Price{5.00, unitMonth, srcWAF}
	wafRule     = Price{1.00, unitMonth, srcWAF}
	wafRequests = Price{0.60, unitMillionReqs, srcWAF}
)

// S3 Standard, first 50 TB, and requests (relied on).
var (
	s3Standard = Price{0.023, unitGBMonth, srcS3}
	s3Put      = Price{0.005, unitThousandReqs, srcS3}
	s3Get      = Price{0.0004, unitThousandReqs, srcS3}
)

// AWS Backup warm storage. RDS snapshots are billed at the RDS backup storage
// rate ($0.095, stored druva.com page); S3 backups at $0.05 (relied on: the
// stored official page lists the dimension without the figure). Cold storage
// does not apply to RDS or S3 recovery points: the stored official page lists
// the types it supports (EFS, DynamoDB, Timestream, SAP HANA on EC2, VMware),
// and AWS Backup ignores a cold-storage lifecycle for the others.
var (
	backupRDS = Price{0.095, unitGBMonth, srcBackup}
	backupS3  = Price{0.05, unitGBMonth, srcBackup}
	// crossRegionTransfer is the data transfer of a copy to another region
	// (relied on).
	crossRegionTransfer = Price{0.02, unitGB, srcTransferCost}
)

// Route 53 (relied on).
var (
	hostedZone   = Price{0.50, unitMonth, srcRoute53}
	dnsQueries   = Price{0.40, unitMillionReqs, srcRoute53}
	ec2Instances = map[string]Price{ // Linux, on-demand (relied on)
		"t2.micro":  {0.0116, unitHour, srcEC2},
		"t3.nano":   {0.0052, unitHour, srcEC2}, // the bastion's default
		"t3.micro":  {0.0104, unitHour, srcEC2},
		"t3.small":  {0.0208, unitHour, srcEC2},
		"t4g.nano":  {0.0042, unitHour, srcEC2},
		"t4g.micro": {0.0084, unitHour, srcEC2},
		"t4g.small": {0.0168, unitHour, srcEC2},
	}
	// ebsVolumes per GB-month (relied on).
	ebsVolumes = map[string]Price{
		"gp3": {0.08, unitGBMonth, srcEBS},
		"gp2": {0.10, unitGBMonth, srcEBS},
	}
	// ebsDefaultRootGB is the root volume of an Amazon Linux 2023 AMI when the
	// instance does not size it.
	ebsDefaultRootGB = 8.0
)

// Smaller services (relied on).
var (
	ecrStorage        = Price{0.10, unitGBMonth, srcECR}
	ssmAdvanced       = Price{0.05, unitMonth, srcSSM} // standard parameters are free
	secretsManagerKey = Price{0.40, unitMonth, srcSecrets}
	kmsKey            = Price{1.00, unitMonth, srcKMS}
)

// allPrices lists every price for the test that each names its source.
func allPrices() []Price {
	out := []Price{
		rdsIOPS, rdsGP3ExtraIOPS, rdsGP3ExtraThroughput, rdsBackup, databaseInsightsAdvanced, rdsProxy,
		fargateEphemeral, albHour, albLCU, publicIPv4, endpointHour, endpointGB, natHour, natGB,
		logIngestion, logStorage, customMetric, alarmStandard, alarmHighRes, alarmComposite,
		wafACL, wafRule, wafRequests, s3Standard, s3Put, s3Get, backupRDS, backupS3, crossRegionTransfer,
		hostedZone, dnsQueries, ecrStorage, ssmAdvanced, secretsManagerKey, kmsKey,
	}
	for _, c := range rdsClasses {
		out = append(out, c.Hourly)
	}
	for _, m := range []map[string]Price{rdsStorage, fargateVCPU, fargateGB, ec2Instances, ebsVolumes} {
		for _, p := range m {
			out = append(out, p)
		}
	}
	return out
}
