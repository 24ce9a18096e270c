package backup

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Busy is a time RDS keeps the database busy and AWS Backup does not start an
// RDS job: the automated backup window (daily) and, from an hour before, the
// maintenance window (weekly). A schedule starts at least an hour clear of both.
type Busy struct {
	// What names the window for messages ("the automated backup window 08:00-08:30").
	What string
	// Weekly windows count minutes from Monday 00:00, daily ones from midnight.
	Weekly   bool
	From, To int
}

const (
	minutesPerDay  = 24 * 60
	minutesPerWeek = 7 * minutesPerDay
	// clearance is how far a scheduled start stays from either window: AWS
	// Backup starts no RDS job from an hour before the maintenance window, and
	// an hour after either leaves the snapshot room to finish.
	clearance = 60
)

// cronField is one field of an AWS cron expression: its name and the values it
// may take (names map to values, as JAN or SUN).
type cronField struct {
	name     string
	min, max int
	names    []string // names[i] stands for min+i
	special  string   // characters the field also takes (? L W #)
}

var cronFields = []cronField{
	{name: "minutes", min: 0, max: 59},
	{name: "hours", min: 0, max: 23},
	{name: "day-of-month", min: 1, max: 31, special: "?LW"},
	{name: "month", min: 1, max: 12, names: []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP",
		"OCT", "NOV", "DEC"}},
	{name: "day-of-week", min: 1, max: 7, names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"},
		special: "?L#"},
	{name: "year", min: 1970, max: 2199},
}

// values returns the values field f of s matches, or what is wrong with it.
// "*" and "?" match every value.
func (f cronField) values(s string) ([]int, string) {
	if s == "*" || s == "?" && strings.Contains(f.special, "?") {
		return f.all(), ""
	}
	var out []int
	for _, part := range strings.Split(s, ",") {
		base, step := part, 1
		if b, st, ok := strings.Cut(part, "/"); ok {
			n, err := strconv.Atoi(st)
			if err != nil || n < 1 {
				return nil, fmt.Sprintf("has the step %q in the %s field; expected a whole number of at least 1", st, f.name)
			}
			base, step = b, n
		}
		// L, W and # pick days the field's range already holds: the day or
		// weekday before them is what is checked ("6L", "2#1", "15W").
		if f.special != "" {
			base = strings.TrimRight(strings.SplitN(base, "#", 2)[0], "LW")
			if base == "" {
				out = append(out, f.all()...)
				continue
			}
		}
		from, to := f.min, f.max
		if base != "*" {
			lo, hi, isRange := strings.Cut(base, "-")
			a, msg := f.value(lo)
			if msg != "" {
				return nil, msg
			}
			from, to = a, a
			if isRange {
				b, msg := f.value(hi)
				if msg != "" {
					return nil, msg
				}
				to = b
			} else if step > 1 {
				to = f.max
			}
		}
		for v := from; v <= to; v += step {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), ""
}

// value reads one value of the field: a number in range or one of its names.
func (f cronField) value(s string) (int, string) {
	if i := slices.Index(f.names, strings.ToUpper(s)); i >= 0 {
		return f.min + i, ""
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Sprintf("has %q in the %s field; expected %d..%d%s", s, f.name, f.min, f.max, f.namesHint())
	}
	if n < f.min || n > f.max {
		return 0, fmt.Sprintf("has %d in the %s field, out of range; expected %d..%d%s", n, f.name, f.min, f.max,
			f.namesHint())
	}
	return n, ""
}

func (f cronField) namesHint() string {
	if len(f.names) == 0 {
		return ""
	}
	return " or " + f.names[0] + "-" + f.names[len(f.names)-1]
}

func (f cronField) all() []int {
	out := make([]int, 0, f.max-f.min+1)
	for v := f.min; v <= f.max; v++ {
		out = append(out, v)
	}
	return out
}

// parseCron reads an AWS Backup cron expression into the values of its six
// fields, or says what is wrong with it.
func parseCron(s string) ([6][]int, string) {
	var out [6][]int
	m := cronPattern.FindStringSubmatch(s)
	if m == nil {
		return out, "is not a schedule; expected a cron expression such as cron(0 9 1 * ? *) (minutes hours " +
			"day-of-month month day-of-week year; AWS Backup does not take rate expressions)"
	}
	fields := strings.Fields(m[1])
	if len(fields) != 6 {
		return out, "has " + strconv.Itoa(len(fields)) + " fields; expected 6 (minutes hours day-of-month month " +
			"day-of-week year)"
	}
	for i, f := range fields {
		if !cronFieldPattern.MatchString(f) {
			return out, "has a malformed field " + strconv.Quote(f)
		}
		if f == "?" && !strings.Contains(cronFields[i].special, "?") {
			return out, fmt.Sprintf("has ? in the %s field; expected ? only in day-of-month or day-of-week", cronFields[i].name)
		}
		v, msg := cronFields[i].values(f)
		if msg != "" {
			return out, msg
		}
		out[i] = v
	}
	if n, err := strconv.Atoi(fields[0]); err != nil || n < 0 || n > 59 {
		return out, "must name one minute (0..59) in its first field; AWS Backup runs at most once an hour"
	}
	if (fields[2] == "?") == (fields[4] == "?") {
		return out, "must have ? in exactly one of day-of-month (3rd field) and day-of-week (5th field)"
	}
	if fields[4] == "?" || fields[4] == "*" {
		out[4] = nil // any weekday
	}
	return out, ""
}

// clock is minutes of the day as HH:MM.
func clock(m int) string {
	m = (m%minutesPerDay + minutesPerDay) % minutesPerDay
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}

// blocked reports whether a start at t (minutes of the day, or of the week
// for a weekly window) is within the clearance of window b.
func blocked(b Busy, t int) bool {
	period := minutesPerDay
	if b.Weekly {
		period = minutesPerWeek
	}
	from := b.From - clearance
	length := b.To + clearance - from
	d := ((t-from)%period + period) % period
	return d < length
}

// Clash returns the window a schedule starts too close to, at what time of day
// (UTC), or ok when every start is clear of them all. It assumes a valid schedule.
func Clash(schedule string, busy []Busy) (b Busy, at string, ok bool) {
	f, msg := parseCron(schedule)
	if msg != "" {
		return Busy{}, "", true // checkSchedule reports it
	}
	// AWS cron numbers weekdays from Sunday (1); Busy weeks start on Monday.
	weekdays := []int{0, 1, 2, 3, 4, 5, 6}
	if f[4] != nil {
		weekdays = nil
		for _, d := range f[4] {
			weekdays = append(weekdays, (d+5)%7)
		}
	}
	for _, h := range f[1] {
		t := h*60 + f[0][0]
		for _, w := range busy {
			if !w.Weekly {
				if blocked(w, t) {
					return w, clock(t), false
				}
				continue
			}
			for _, d := range weekdays {
				if blocked(w, d*minutesPerDay+t) {
					return w, clock(t), false
				}
			}
		}
	}
	return Busy{}, "", true
}

// ClearSchedule is the monthly schedule (on the 1st, which falls on any
// weekday) that starts at the first time, an hour after one of the windows
// ends, that is clear of them all.
func ClearSchedule(busy []Busy) string {
	var candidates []int
	for _, b := range busy {
		candidates = append(candidates, ((b.To+clearance)%minutesPerDay+minutesPerDay)%minutesPerDay)
	}
	slices.Sort(candidates)
	for _, t := range append(candidates, 0) {
		s := fmt.Sprintf("cron(%d %d 1 * ? *)", t%60, t/60)
		if _, _, ok := Clash(s, busy); ok {
			return s
		}
	}
	return ""
}
