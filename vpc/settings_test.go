package vpc

import "testing"

func TestFlowLogSettings(t *testing.T) {
	t.Parallel()
	const k = "article-pipeline:network"
	if f := Defaults().FlowLogs; f != (FlowLogSettings{Enabled: true, RetentionDays: 30, TrafficType: "ALL"}) {
		t.Errorf("default flow log = %+v", f)
	}
	for _, tc := range []struct {
		edit    func(f *FlowLogSettings)
		wantErr string
	}{
		{func(f *FlowLogSettings) { f.RetentionDays = 0 },
			k + ".flowLogs.retentionDays: 0 is not a CloudWatch Logs retention; expected one of 1, 3, 5, 7, 14, 30, " +
				"60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (days)"},
		{func(f *FlowLogSettings) { f.TrafficType = "all" },
			k + `.flowLogs.trafficType: "all" is not a flow log traffic type; expected one of "ALL", "ACCEPT", "REJECT"`},
	} {
		s := Defaults()
		tc.edit(&s.FlowLogs)
		if err := s.Validate(k); err == nil || err.Error() != tc.wantErr {
			t.Errorf("err = %v\nwant %s", err, tc.wantErr)
		}
	}
	s := Defaults()
	s.FlowLogs = FlowLogSettings{}
	if err := s.Validate(k); err != nil {
		t.Errorf("flow log off, nothing else set: %v", err)
	}
}
