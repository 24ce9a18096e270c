package config

import (
	"testing"

	"github.com/np-mrd/article-pipeline-infra/cost"
	"github.com/np-mrd/article-pipeline-infra/internal/mock"
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
	cases := []mock.BadValue[string]{
		{Name: "misspelled field", Value: `{"databasegb": 1}`,
			WantErr: `article-pipeline:cost: unknown field "databasegb"; did you mean "databaseGb"?`},
		{Name: "unknown field", Value: `{"dbSize": 1}`,
			WantErr: `article-pipeline:cost: unknown field "dbSize"; expected one of `},
		{Name: "wrong type", Value: `{"databaseGb": "big"}`,
			WantErr: `article-pipeline:cost.databaseGb: expected a number, got a JSON string`},
		{Name: "bucket sizes not a mapping", Value: `{"bucketGb": 3}`,
			WantErr: `article-pipeline:cost.bucketGb: expected an object (YAML mapping), got a JSON number 3`},
		{Name: "not a mapping", Value: `[1]`, WantErr: `article-pipeline:cost: expected an object (YAML mapping)`},
		{Name: "hours beyond a month", Value: `{"hoursPerMonth": 800}`,
			WantErr: `article-pipeline:cost.hoursPerMonth: 800 is out of range`},
	}
	mock.RejectsValues(t, cases, mock.Contains, func(t *testing.T, raw string) error {
		_, err := parse(raw)
		return err
	})
}
