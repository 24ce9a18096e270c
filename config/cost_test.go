package config

import (
	"strings"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/cost"
)

func TestCostSettings(t *testing.T) {
	t.Parallel()
	parse := func(raw string) (cost.Settings, error) {
		s, err := Parse(stackRaw("t", "article-pipeline:cost", raw))
		if err != nil {
			return cost.Settings{}, err
		}
		return s.Cost, nil
	}
	s, err := parse(`{"databaseGb": 0.4, "bucketGb": {"article-pipeline-deposition-prod": 25}, "loadBalancerLcu": 0.5}`)
	if err != nil {
		t.Fatal(err)
	}
	want := cost.Defaults()
	if s.DatabaseGB != 0.4 || s.BucketGB["article-pipeline-deposition-prod"] != 25 || s.LoadBalancerLCU != 0.5 ||
		s.HoursPerMonth != want.HoursPerMonth || s.DefaultLogGB != want.DefaultLogGB {
		t.Errorf("settings %+v: the stack's values over the defaults expected", s)
	}
	for _, raw := range []string{"", "{}"} {
		if s, err := parse(raw); err != nil || s.HoursPerMonth != 730 || s.BucketGB != nil {
			t.Errorf("%q: %+v, %v; want the defaults", raw, s, err)
		}
	}
	for _, tc := range []struct{ raw, want string }{
		{`{"databasegb": 1}`, `article-pipeline:cost: unknown field "databasegb"; did you mean "databaseGb"?`},
		{`{"dbSize": 1}`, `article-pipeline:cost: unknown field "dbSize"; expected one of `},
		{`{"databaseGb": "big"}`, `article-pipeline:cost.databaseGb: expected a number, got a JSON string`},
		{`{"bucketGb": 3}`, `article-pipeline:cost.bucketGb: expected an object (YAML mapping), got a JSON number 3`},
		{`[1]`, `article-pipeline:cost: expected an object (YAML mapping)`},
		{`{"hoursPerMonth": 800}`, `article-pipeline:cost.hoursPerMonth: 800 is out of range`},
	} {
		if _, err := parse(tc.raw); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.raw, err, tc.want)
		}
	}
}
