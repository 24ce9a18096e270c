package waf

import (
	"testing"

	"github.com/np-mrd/article-pipeline-infra/internal/mock"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	const k = "article-pipeline:waf"
	if err := Defaults().Validate(k); err != nil {
		t.Errorf("defaults: %v", err)
	}
	if d := Defaults(); d != (Settings{Enabled: true, RateLimit: 2000, Logging: true, LogRetentionDays: 30}) {
		t.Errorf("defaults = %+v", d)
	}
	cases := []mock.BadValue[func(s *Settings)]{
		{Name: "below AWS's minimum", Value: func(s *Settings) { s.RateLimit = 9 },
			WantErr: k + ".rateLimit: 9 is below AWS WAF's minimum; " +
				"expected 10..2000000000 (requests per IP address in 5 minutes)"},
		{Name: "above AWS's maximum", Value: func(s *Settings) { s.RateLimit = 2_000_000_001 },
			WantErr: k + ".rateLimit: 2000000001 is above AWS WAF's maximum; " +
				"expected 10..2000000000 (requests per IP address in 5 minutes)"},
		{Name: "retention CloudWatch does not offer", Value: func(s *Settings) { s.LogRetentionDays = 45 },
			WantErr: k + ".logRetentionDays: 45 is not a CloudWatch Logs retention; expected one of 1, 3, 5, 7, 14, 30, 60, " +
				"90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (days)"},
	}
	mock.RejectsValues(t, cases, mock.Exact, func(t *testing.T, edit func(s *Settings)) error {
		s := Defaults()
		edit(&s)
		return s.Validate(k)
	})
	s := Defaults()
	s.Logging, s.LogRetentionDays = false, 0
	if err := s.Validate(k); err != nil {
		t.Errorf("no logging, no retention: %v", err)
	}
	s.RateLimit = MinRateLimit
	if err := s.Validate(k); err != nil {
		t.Errorf("the minimum itself: %v", err)
	}
}
