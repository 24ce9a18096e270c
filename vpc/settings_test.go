package vpc

import (
	"testing"

	"github.com/np-mrd/article-pipeline-infra/internal/mock"
)

func TestFlowLogSettings(t *testing.T) {
	t.Parallel()
	const k = "article-pipeline:network"
	if f := Defaults().FlowLogs; f != (FlowLogSettings{Enabled: true, RetentionDays: 30, TrafficType: "ALL"}) {
		t.Errorf("default flow log = %+v", f)
	}
	cases := []mock.BadValue[func(f *FlowLogSettings)]{
		{Name: "no retention", Value: func(f *FlowLogSettings) { f.RetentionDays = 0 },
			WantErr: k + ".flowLogs.retentionDays: 0 is not a CloudWatch Logs retention; expected one of 1, 3, 5, 7, 14, 30, " +
				"60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (days)"},
		{Name: "lower-case traffic type", Value: func(f *FlowLogSettings) { f.TrafficType = "all" },
			WantErr: k + `.flowLogs.trafficType: "all" is not a flow log traffic type; ` +
				`expected one of "ALL", "ACCEPT", "REJECT"`},
	}
	mock.RejectsValues(t, cases, mock.Exact, func(t *testing.T, edit func(f *FlowLogSettings)) error {
		s := Defaults()
		edit(&s.FlowLogs)
		return s.Validate(k)
	})
	s := Defaults()
	s.FlowLogs = FlowLogSettings{}
	if err := s.Validate(k); err != nil {
		t.Errorf("flow log off, nothing else set: %v", err)
	}
}
