package services

import (
	"slices"
	"strings"
	"testing"
)

func TestWorkingHoursRules(t *testing.T) {
	t.Parallel()
	on := func(change func(*WorkingHours)) WorkingHours {
		w := DefaultPlatform().WorkingHours
		w.Enabled = true
		change(&w)
		return w
	}
	const k = "article-pipeline:platform.workingHours"
	for _, tc := range []struct {
		name    string
		hours   WorkingHours
		wantErr string
	}{
		{"the defaults", on(func(*WorkingHours) {}), ""},
		{"every day", on(func(w *WorkingHours) { w.Days = "*" }), ""},
		{"a list and a range", on(func(w *WorkingHours) { w.Days = "MON,WED-FRI" }), ""},
		{"off: not checked", WorkingHours{Days: "weekdays"}, ""},
		{"a lower-case day", on(func(w *WorkingHours) { w.Days = "mon-fri" }),
			k + `.days: "mon-fri" has "mon-fri", which is not a day or a range of days; expected days such as ` +
				`MON-FRI or MON,WED,FRI (SUN..SAT), or *`},
		{"a range backwards", on(func(w *WorkingHours) { w.Days = "FRI-MON" }),
			k + `.days: "FRI-MON" has the range FRI-MON, which does not run forward from SUN to SAT; expected ` +
				`days such as MON-FRI or MON,WED,FRI (SUN..SAT), or *`},
		{"no days", on(func(w *WorkingHours) { w.Days = "" }),
			k + `.days: "" has "", which is not a day or a range of days`},
		{"a 12-hour time", on(func(w *WorkingHours) { w.Start = "8am" }),
			k + `.start: "8am" is not a time of day; expected HH:MM (24-hour), such as 08:00`},
		{"24:00", on(func(w *WorkingHours) { w.Stop = "24:00" }),
			k + `.stop: "24:00" is not a time of day; expected HH:MM (24-hour), such as 08:00`},
		{"overnight", on(func(w *WorkingHours) { w.Start, w.Stop = "22:00", "06:00" }),
			k + ".stop: 06:00 is not after start 22:00; expected working hours within one day"},
		{"an abbreviation", on(func(w *WorkingHours) { w.TimeZone = "PST" }),
			k + `.timeZone: "PST" is not an IANA time zone; expected a name such as America/Los_Angeles`},
		{"the machine's zone", on(func(w *WorkingHours) { w.TimeZone = "Local" }),
			k + `.timeZone: "Local" is not an IANA time zone`},
		{"UTC", on(func(w *WorkingHours) { w.TimeZone = "UTC" }), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.hours.Validate(k)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("err = %v", err)
			case tc.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.wantErr)):
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestWorkingHoursSchedules(t *testing.T) {
	t.Parallel()
	w := WorkingHours{Days: "MON-FRI", Start: "07:30", Stop: "19:05"}
	if got := w.StartSchedule(); got != "cron(30 7 ? * MON-FRI *)" {
		t.Errorf("start = %q", got)
	}
	if got := w.StopSchedule(); got != "cron(5 19 ? * MON-FRI *)" {
		t.Errorf("stop = %q", got)
	}
	d := DefaultPlatform().WorkingHours
	if d.Enabled || d.StartSchedule() != "cron(0 8 ? * MON-FRI *)" || d.StopSchedule() != "cron(0 18 ? * MON-FRI *)" ||
		d.TimeZone != "America/Los_Angeles" {
		t.Errorf("default working hours = %+v", d)
	}
}

func TestSpotAndArchitectureRules(t *testing.T) {
	t.Parallel()
	if err := (FargateSpot{Enabled: true, OnDemandBase: 1001}).Validate("p.fargateSpot"); err == nil ||
		err.Error() != "p.fargateSpot.onDemandBase: 1001 is out of range; expected 0..1000 tasks" {
		t.Errorf("err = %v", err)
	}
	s := Base()
	s.Port, s.Paths, s.Priority = 8000, []string{"/*"}, 1
	if err := s.Validate("svc"); err != nil {
		t.Fatalf("the base service: %v", err)
	}
	s.CPUArchitecture = "arm64"
	if err := s.Validate("svc"); err == nil ||
		err.Error() != `svc.cpuArchitecture: "arm64" is not a Fargate CPU architecture; expected X86_64 or ARM64` {
		t.Errorf("err = %v", err)
	}
}

func TestShareListener(t *testing.T) {
	t.Parallel()
	s := Services{
		"backend":  {Enabled: true, Paths: []string{"/api/*"}},
		"frontend": {Enabled: true, Paths: []string{"/*"}},
		"docs":     {Enabled: true, Hosts: []string{"docs.development.npdeposition.org"}},
		"off":      {Paths: []string{"/off/*"}},
	}
	s.ShareListener("development.npdeposition.org")
	for name, want := range map[string]struct {
		priority int
		hosts    []string
	}{
		// Name order from 1; the catch-all last, at 99.
		"backend":  {1, []string{"development.npdeposition.org"}},
		"docs":     {2, []string{"docs.development.npdeposition.org"}},
		"frontend": {99, []string{"development.npdeposition.org"}},
		"off":      {0, nil},
	} {
		if got := s[name]; got.Priority != want.priority || !slices.Equal(got.Hosts, want.hosts) {
			t.Errorf("%s: priority %d, hosts %v; want %d, %v", name, got.Priority, got.Hosts, want.priority, want.hosts)
		}
	}
	if err := s.ValidateSharedListener("article-pipeline:services"); err != nil {
		t.Errorf("assigned priorities: %v", err)
	}
	s["backend"] = Settings{Enabled: true, Priority: 100}
	if err := s.ValidateSharedListener("article-pipeline:services"); err == nil || err.Error() !=
		"article-pipeline:services.backend.priority: 100 is out of range on a shared listener; expected 1..99, "+
			"ahead of the owning stack's rules (100 and up)" {
		t.Errorf("err = %v", err)
	}
	// The stack's own listener is numbered as before.
	own := Services{"backend": {Enabled: true, Paths: []string{"/api/*"}}, "frontend": {Enabled: true, Paths: []string{"/*"}}}
	own.AssignPriorities()
	if own["backend"].Priority != 100 || own["frontend"].Priority != 50000 || own["backend"].Hosts != nil {
		t.Errorf("own listener: %+v", own)
	}
}
