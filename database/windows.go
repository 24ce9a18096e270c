package database

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Weekdays are the maintenance-window day names RDS accepts, Monday first.
var Weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

const (
	minutesPerDay = 24 * 60
	// windowMinutes is the runbook's duration of both windows (0.5 hours).
	windowMinutes = 30
	// maintenanceGap is the runbook's "30 minutes after backup".
	maintenanceGap = 30
)

// Windows computes the runbook's two windows from one start time: a daily
// 30-minute backup window starting at start ("HH:MM", UTC), and a weekly 30-minute
// maintenance window starting 30 minutes after that backup window ends, following
// the backup that starts on day. They are returned in RDS's formats,
// "hh24:mi-hh24:mi" and "ddd:hh24:mi-ddd:hh24:mi". Times past midnight wrap to
// the next day (and sun wraps to mon), so start "23:15" on sun gives backup
// "23:15-23:45" and maintenance "mon:00:15-mon:00:45".
func Windows(start, day string) (backup, maintenance string, err error) {
	m, err := clockMinutes(start)
	if err != nil {
		return "", "", err
	}
	d := slices.Index(Weekdays, day)
	if d < 0 {
		return "", "", fmt.Errorf("maintenance day %q is not one of %s", day, strings.Join(Weekdays, ", "))
	}
	backup = clock(m) + "-" + clock(m+windowMinutes)
	from := m + windowMinutes + maintenanceGap
	to := from + windowMinutes
	maintenance = weekClock(d, from) + "-" + weekClock(d, to)
	return backup, maintenance, nil
}

// clockMinutes parses "HH:MM" (24-hour, two digits each) into minutes after midnight.
func clockMinutes(s string) (int, error) {
	hh, mm, ok := strings.Cut(s, ":")
	bad := fmt.Errorf("window start %q is not a time of day HH:MM (24-hour, UTC), e.g. 08:00", s)
	if !ok || len(hh) != 2 || len(mm) != 2 {
		return 0, bad
	}
	h, err := strconv.Atoi(hh)
	if err != nil || h < 0 || h > 23 {
		return 0, bad
	}
	mi, err := strconv.Atoi(mm)
	if err != nil || mi < 0 || mi > 59 {
		return 0, bad
	}
	return h*60 + mi, nil
}

func clock(m int) string {
	m %= minutesPerDay
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}

func weekClock(day, m int) string {
	return Weekdays[(day+m/minutesPerDay)%len(Weekdays)] + ":" + clock(m)
}

// WindowBounds is Windows in minutes: the daily backup window as minutes of
// the day, and the weekly maintenance window as minutes of the week from
// Monday 00:00 (its end may pass the week's end). AWS Backup keeps its RDS
// jobs clear of both, so the backup plan's schedule is checked against them.
func WindowBounds(start, day string) (backupFrom, backupTo, maintenanceFrom, maintenanceTo int, err error) {
	m, err := clockMinutes(start)
	if err != nil {
		return 0, 0, 0, 0, err
	}
	d := slices.Index(Weekdays, day)
	if d < 0 {
		return 0, 0, 0, 0, fmt.Errorf("maintenance day %q is not one of %s", day, strings.Join(Weekdays, ", "))
	}
	from := d*minutesPerDay + m + windowMinutes + maintenanceGap
	return m, m + windowMinutes, from, from + windowMinutes, nil
}
