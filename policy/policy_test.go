package policy

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

func TestRulesAreWellFormed(t *testing.T) {
	t.Parallel()
	rules := Rules()
	ids := ruleIDs(rules)
	want := []string{
		"AP.IAM.1", "AP.MON.1", "AP.MON.2", "AP.MON.3", "AP.OUT.1", "AP.PROTECT.1", "AP.REL.1", "AP.REL.2",
		"AP.REL.3", "AP.REL.4", "AP.REL.5", "AP.REL.6", "AP.REL.7", "AP.SSM.1", "AP.SSM.2", "AP.TAG.1", "AP.TAG.2", "EC2.2",
		"EC2.6", "ECS.2", "ECS.4", "ECS.5", "ECS.8", "ECS.9", "ELB.1", "ELB.4", "ELB.5", "ELB.6", "ELB.16",
		"ELB.17", "ELB.18", "IAM.1", "IAM.21", "RDS.2", "RDS.3", "RDS.5", "RDS.6", "RDS.8", "RDS.11", "RDS.13",
		"RDS.17", "RDS.25", "S3.2", "S3.3", "S3.4", "S3.5", "S3.8", "S3.12", "WAF.10", "WAF.11", "WAF.12",
	}
	if !slices.Equal(ids, want) {
		t.Errorf("rule ids = %v; want %v", ids, want)
	}
	idPattern := regexp.MustCompile(`^[A-Z0-9]+(\.[A-Z0-9]+)+$`)
	for _, r := range rules {
		if !idPattern.MatchString(r.ID) || r.Description == "" || r.Applies == nil || r.Check == nil ||
			(r.Severity != Mandatory && r.Severity != Advisory) {
			t.Errorf("rule %+v is incomplete", r.ID)
		}
	}
	advisory := map[string]bool{"RDS.5": true, "ECS.5": true, "ELB.18": true, "IAM.21": true, "S3.12": true,
		"WAF.11": true, "AP.MON.3": true, "AP.REL.7": true}
	for _, r := range rules {
		if got := r.Severity == Advisory; got != advisory[r.ID] {
			t.Errorf("rule %s severity %s", r.ID, r.Severity)
		}
	}
}

func TestCompareIDs(t *testing.T) {
	t.Parallel()
	got := []string{"RDS.11", "RDS.2", "AP.REL.10", "AP.REL.2", "S3.12", "S3.2", "RDS.2.1"}
	slices.SortFunc(got, compareIDs)
	want := []string{"AP.REL.2", "AP.REL.10", "RDS.2", "RDS.2.1", "RDS.11", "S3.2", "S3.12"}
	if !slices.Equal(got, want) {
		t.Errorf("sorted = %v; want %v", got, want)
	}
}

// runbookStack is the fixture with the runbook's own choices that controls flag.
func runbookStack(t testing.TB) *inventory.Inventory {
	inv := goodStack(t)
	setInput(t, inv, typeDBInstance, "db-instance", "username", "postgres")
	setInput(t, inv, typeDBInstance, "db-instance", "multiAz", false)
	setInput(t, inv, typeService, "backend-service", "networkConfiguration", m{"assignPublicIp": true})
	return inv
}

func runbookWaivers() []Waiver {
	return []Waiver{
		{Rule: "RDS.25", Resource: "db-instance", Reason: "the runbook's master username; renaming it replaces the instance"},
		{Rule: "RDS.5", Resource: "db-instance", Reason: "single-AZ, as the runbook sizes it"},
		{Rule: "ECS.2", Resource: "backend-service", Reason: "no NAT gateway: tasks need a public IP to reach ECR and SSM"},
	}
}

func TestWaivers(t *testing.T) {
	t.Parallel()
	rep, err := Evaluate(runbookStack(t), nil, prodStack)
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, r := range rep.Failed() {
		failed = append(failed, r.Rule+" "+r.Resource)
	}
	if want := []string{"ECS.2 backend-service", "RDS.25 db-instance"}; !slices.Equal(failed, want) {
		t.Errorf("unwaived mandatory failures = %v; want %v", failed, want)
	}
	if adv := rep.Advisories(); len(adv) != 1 || adv[0].Rule != "RDS.5" {
		t.Errorf("advisories = %v; want RDS.5", adv)
	}

	rep, err = Evaluate(runbookStack(t), runbookWaivers(), prodStack)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Err() != nil || len(rep.Advisories()) != 0 {
		t.Fatalf("with waivers: err %v, advisories %v", rep.Err(), rep.Advisories())
	}
	row := rowOf(t, rep, "RDS.25", typeDBInstance, "db-instance")
	if row.Verdict != Waived || row.Waiver != runbookWaivers()[0].Reason || !strings.Contains(row.Why, `"postgres"`) {
		t.Errorf("RDS.25 row = %+v; want waived with the reason and the finding", row)
	}
	if n := len(rep.Waived()); n != 3 {
		t.Errorf("%d waived rows; want 3", n)
	}
}

// TestDatedWaiver: a waiver with until covers its finding through that day,
// says so in the report, and lapses the day after (an error, and the finding
// counts again).
func TestDatedWaiver(t *testing.T) {
	t.Parallel()
	waivers := runbookWaivers()
	waivers[0].Until = "2027-01-31"
	day := func(s string) Stack {
		st := prodStack
		d, err := time.Parse("2006-01-02", s)
		if err != nil {
			t.Fatal(err)
		}
		st.Today = d
		return st
	}
	rep, err := Evaluate(runbookStack(t), waivers, day("2027-01-31"))
	if err != nil {
		t.Fatal(err)
	}
	if row := rowOf(t, rep, "RDS.25", typeDBInstance, "db-instance"); row.Verdict != Waived ||
		row.Waiver != waivers[0].Reason+" (until 2027-01-31)" {
		t.Errorf("on the last day: %+v", row)
	}
	rep, err = Evaluate(runbookStack(t), waivers, day("2027-02-01"))
	const want = `policy: article-pipeline:policy.waivers[0]: waiver of RDS.25 on "db-instance" lapsed on 2027-01-31; ` +
		`end the interim state it covers (`
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("the day after: err = %v\nwant %s...", err, want)
	}
	if row := rowOf(t, rep, "RDS.25", typeDBInstance, "db-instance"); row.Verdict != Fail {
		t.Errorf("the day after: %+v, want the finding back", row)
	}
}

func TestWaiverErrors(t *testing.T) {
	t.Parallel()
	ok := runbookWaivers()
	cases := []struct {
		name    string
		waivers []Waiver
		want    []string
	}{
		{"no reason", append(slices.Clone(ok[:2]), Waiver{Rule: "ECS.2", Resource: "backend-service", Reason: "  "}),
			[]string{`article-pipeline:policy.waivers[2]: waiver of ECS.2 on "backend-service" has no reason`}},
		{"unknown rule", append(slices.Clone(ok), Waiver{Rule: "RDS.99", Resource: "db-instance", Reason: "x"}),
			[]string{`article-pipeline:policy.waivers[3]: "RDS.99" is not a rule; expected one of AP.IAM.1, `}},
		{"no rule", append(slices.Clone(ok), Waiver{Resource: "db-instance", Reason: "x"}),
			[]string{`article-pipeline:policy.waivers[3]: rule is empty`}},
		{"no resource", append(slices.Clone(ok), Waiver{Rule: "RDS.2", Reason: "x"}),
			[]string{`article-pipeline:policy.waivers[3]: resource is empty`}},
		{"stale: the rule passes", append(slices.Clone(ok), Waiver{Rule: "RDS.2", Resource: "db-instance", Reason: "x"}),
			[]string{`article-pipeline:policy.waivers[3]: waiver of RDS.2 on "db-instance" matches no violation in ` +
				`stack prod; remove it (it passes: publiclyAccessible is false)`}},
		{"stale: no such resource", append(slices.Clone(ok), Waiver{Rule: "ECS.2", Resource: "frontend-service",
			Reason: "x"}), []string{`waivers[3]: waiver of ECS.2 on "frontend-service" matches no violation in stack ` +
			`prod; remove it (the rule does not apply to any resource named "frontend-service")`}},
		{"duplicate", append(slices.Clone(ok), ok[0]),
			[]string{`waivers[3]: waives RDS.25 on "db-instance" again (already article-pipeline:policy.waivers[0])`}},
		{"every problem at once", []Waiver{{Rule: "X.1", Resource: "a", Reason: "r"}, {Rule: "RDS.2", Resource: "db-instance"}},
			[]string{`waivers[0]: "X.1" is not a rule`, `waivers[1]: waiver of RDS.2 on "db-instance" has no reason`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep, err := Evaluate(runbookStack(t), tc.waivers, prodStack)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
			if len(rep.Rows) == 0 {
				t.Error("the report is empty; it should be complete despite waiver errors")
			}
		})
	}
}

func TestEvaluateNeedsInput(t *testing.T) {
	t.Parallel()
	if _, err := Evaluate(nil, nil, prodStack); err == nil || !strings.Contains(err.Error(), "no inventory") {
		t.Errorf("nil inventory: %v", err)
	}
	if _, err := Evaluate(goodStack(t), nil, Stack{}); err == nil || !strings.Contains(err.Error(), "environment") {
		t.Errorf("no environment: %v", err)
	}
}

// TestInsecureConfigNamesRuleAndResource is the acceptance case: a public
// database and a bucket policy granting s3:PutObject to * fail with the rule id
// and the resource name in the message.
func TestInsecureConfigNamesRuleAndResource(t *testing.T) {
	t.Parallel()
	inv := goodStack(t)
	setInput(t, inv, typeDBInstance, "db-instance", "publiclyAccessible", true)
	setInput(t, inv, typeBucketPolicy, "static-policy", "policy", policyDoc(t, tlsDeny(staticName),
		m{"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::" + staticName + "/*"}))
	rep, err := Evaluate(inv, nil, prodStack)
	if err != nil {
		t.Fatal(err)
	}
	got := rep.Err()
	if got == nil {
		t.Fatal("no violation reported")
	}
	for _, want := range []string{
		"policy: stack prod: 4 mandatory violation(s):",
		// No public GetObject any more, so the bucket is no longer public by design.
		`S3.8 aws:s3/bucketV2:BucketV2 "static-bucket": static-public-access leaves blockPublicPolicy, ` +
			`restrictPublicBuckets off`,
		`RDS.2 aws:rds/instance:Instance "db-instance": publiclyAccessible is true; expected false`,
		`S3.2 aws:s3/bucketPolicy:BucketPolicy "static-policy": statement 1 allows s3:PutObject to Principal *`,
		`S3.3 aws:s3/bucketPolicy:BucketPolicy "static-policy": statement 1 allows s3:PutObject to Principal *: ` +
			`anyone could write or delete objects`,
	} {
		if !strings.Contains(got.Error(), want) {
			t.Errorf("error %q\nlacks %q", got, want)
		}
	}
}

func TestReportText(t *testing.T) {
	t.Parallel()
	rep, err := Evaluate(runbookStack(t), runbookWaivers(), prodStack)
	if err != nil {
		t.Fatal(err)
	}
	text := rep.Text()
	again, _ := Evaluate(runbookStack(t), runbookWaivers(), prodStack)
	if again.Text() != text {
		t.Error("the text report is not stable")
	}
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if want := "policy report: stack prod (environment prod): "; !strings.HasPrefix(lines[0], want) ||
		!strings.HasSuffix(lines[0], ", 0 failed, 0 advisory, 3 waived") {
		t.Errorf("header %q", lines[0])
	}
	if !strings.HasPrefix(lines[2], "RULE ") || !strings.Contains(lines[2], "FINDING") {
		t.Errorf("column header %q", lines[2])
	}
	if len(lines)-3 != len(rep.Rows) {
		t.Errorf("%d table lines for %d rows", len(lines)-3, len(rep.Rows))
	}
	var waived string
	for _, line := range lines {
		if strings.HasPrefix(line, "RDS.25 ") {
			waived = strings.Join(strings.Fields(line), " ")
		}
	}
	want := `RDS.25 mandatory waived aws:rds/instance:Instance db-instance username is the engine default "postgres" | ` +
		`waived: the runbook's master username; renaming it replaces the instance`
	if waived != want {
		t.Errorf("RDS.25 line = %q; want %q", waived, want)
	}
	// Rows come sorted by rule id (numerically), then resource.
	first := func(prefix string) int {
		return slices.IndexFunc(lines, func(s string) bool { return strings.HasPrefix(s, prefix) })
	}
	if !(first("AP.IAM.1 ") < first("EC2.2 ") && first("RDS.2 ") < first("RDS.11 ") && first("S3.8 ") < first("S3.12 ")) {
		t.Errorf("rows out of order:\n%s", text)
	}
}

func TestReportJSON(t *testing.T) {
	t.Parallel()
	rep, err := Evaluate(runbookStack(t), runbookWaivers(), prodStack)
	if err != nil {
		t.Fatal(err)
	}
	b, err := rep.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Stack, Environment, Summary string
		Rows                        []Row
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Stack != "prod" || got.Environment != "prod" || len(got.Rows) != len(rep.Rows) ||
		got.Summary != rep.Summary() || !strings.HasSuffix(string(b), "}\n") {
		t.Errorf("JSON report = %s", b)
	}
	i := slices.IndexFunc(got.Rows, func(r Row) bool { return r.Rule == "ECS.2" })
	if r := got.Rows[i]; r.Verdict != Waived || r.Resource != "backend-service" || r.Type != typeService ||
		r.Severity != Mandatory || !strings.HasPrefix(r.Waiver, "no NAT gateway") {
		t.Errorf("ECS.2 row = %+v", r)
	}
	empty, err := Report{Stack: "s", Environment: "e"}.JSON()
	if err != nil || !strings.Contains(string(empty), `"rows": []`) {
		t.Errorf("empty report JSON = %s, %v", empty, err)
	}
}
