package config

import (
	"slices"
	"strings"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/internal/check"
	"github.com/np-mrd/article-pipeline-infra/policy"
)

func TestPolicyDefaultsToNoWaivers(t *testing.T) {
	t.Parallel()
	for _, value := range []string{"", "  ", `{}`, `{"waivers":[]}`} {
		var p check.Problems
		got := parsePolicy(value, &p)
		if p.Err() != nil || len(got.Waivers) != 0 {
			t.Errorf("parsePolicy(%q) = %+v, %v; want no waivers, no error", value, got, p.Err())
		}
	}
}

func TestParsePolicy(t *testing.T) {
	t.Parallel()
	var p check.Problems
	got := parsePolicy(`{"waivers":[`+
		`{"rule":"RDS.25","resource":"db-instance","reason":"  the runbook's master username  "},`+
		`{"rule":"ECS.2","resource":"backend-service","reason":"no NAT gateway"},`+
		`{"rule":"AP.OUT.1","resource":"bucketNames","reason":"names only"}]}`, &p)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	want := []policy.Waiver{
		{Rule: "RDS.25", Resource: "db-instance", Reason: "the runbook's master username"},
		{Rule: "ECS.2", Resource: "backend-service", Reason: "no NAT gateway"},
		{Rule: "AP.OUT.1", Resource: "bucketNames", Reason: "names only"},
	}
	if !slices.Equal(got.Waivers, want) {
		t.Errorf("waivers = %+v; want %+v", got.Waivers, want)
	}
}

func TestParsePolicyBadInput(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, value string
		want        []string
	}{
		{"no reason", `{"waivers":[{"rule":"RDS.25","resource":"db-instance"}]}`,
			[]string{"article-pipeline:policy.waivers[0].reason: is required; say why RDS.25 is accepted on db-instance"}},
		{"blank reason", `{"waivers":[{"rule":"RDS.25","resource":"db-instance","reason":"ok"},` +
			`{"rule":"RDS.5","resource":"db-instance","reason":"   "}]}`,
			[]string{"article-pipeline:policy.waivers[1].reason: is required"}},
		{"no rule", `{"waivers":[{"resource":"db-instance","reason":"r"}]}`,
			[]string{"article-pipeline:policy.waivers[0].rule: is required; expected a policy rule id such as RDS.25"}},
		{"malformed rule", `{"waivers":[{"rule":"rds 25","resource":"db-instance","reason":"r"}]}`,
			[]string{`article-pipeline:policy.waivers[0].rule: "rds 25" is not a policy rule id`}},
		{"unknown rule", `{"waivers":[{"rule":"S3.99","resource":"bucket-x","reason":"r"}]}`,
			[]string{`article-pipeline:policy.waivers[0].rule: "S3.99" is not a rule of the guardrails; expected one of ` +
				`AP.IAM.1, AP.MON.1, AP.MON.2,`}},
		{"bad until", `{"waivers":[{"rule":"S3.3","resource":"bucket-x","reason":"r","until":"next month"}]}`,
			[]string{`article-pipeline:policy.waivers[0].until: "next month" is not a date; expected YYYY-MM-DD (the ` +
				`last day the waiver applies)`}},
		{"no resource", `{"waivers":[{"rule":"ECS.2","reason":"r"}]}`,
			[]string{"article-pipeline:policy.waivers[0].resource: is required; expected the logical name"}},
		{"malformed resource", `{"waivers":[{"rule":"ECS.2","resource":"backend service","reason":"r"}]}`,
			[]string{`article-pipeline:policy.waivers[0].resource: "backend service" is not a logical resource name`}},
		{"duplicate", `{"waivers":[{"rule":"ECS.2","resource":"a","reason":"r"},{"rule":"ECS.2","resource":"a","reason":"s"}]}`,
			[]string{"article-pipeline:policy.waivers[1]: waives ECS.2 on a again; it is already " +
				"article-pipeline:policy.waivers[0]"}},
		{"misspelled field", `{"waivers":[{"rule":"ECS.2","resource":"a","reasons":"r"}]}`,
			[]string{`article-pipeline:policy.waivers[0]: unknown field "reasons"; did you mean "reason"?`}},
		{"unknown key", `{"waiver":[]}`, []string{`article-pipeline:policy: unknown field "waiver"`}},
		{"not a list", `{"waivers":{"rule":"ECS.2"}}`, []string{"article-pipeline:policy.waivers: expected a list, got a JSON object"}},
		{"every problem", `{"waivers":[{"rule":"","resource":"","reason":""}]}`, []string{
			"article-pipeline:policy.waivers[0].rule: is required",
			"article-pipeline:policy.waivers[0].resource: is required",
			"article-pipeline:policy.waivers[0].reason: is required; say why the rule is accepted on the resource",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := problems(func(p *check.Problems) policy.Settings { return parsePolicy(tc.value, p) })
			err := p.Err()
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
			if len(p) != len(tc.want) {
				t.Errorf("%d problems (%v); want %d", len(p), err, len(tc.want))
			}
		})
	}
}
