package cost

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

const (
	typeScheduledAction = "aws:appautoscaling/scheduledAction:ScheduledAction"
	typeScalableTarget  = "aws:appautoscaling/target:Target"
	minutesPerWeek      = 7 * 24 * 60
)

// schedule returns a service's task-hours a month and the fraction of the
// month in which it runs at least one task, given the count it runs when
// nothing scales it (desired). Application Auto Scaling scheduled actions on
// the service (a weekday working-hours schedule: scale to zero in the evening,
// back in the morning) are replayed over one week: each action sets the
// scalable target's minimum and maximum, and the service runs its count
// clamped to them. The time zone shifts when the actions fire, not how long
// the service runs, so the weekly hours do not depend on it (a daylight-saving
// change moves an hour from one day to another).
func (g *graph) schedule(svc inventory.Resource, desired float64) (hours, active float64, note string) {
	always := func(why string) (float64, float64, string) {
		on := 0.0
		if desired > 0 {
			on = 1
		}
		return desired * g.s.HoursPerMonth, on, why + g.hoursNote()
	}
	actions := g.scheduledActions(svc)
	if len(actions) == 0 {
		return always("always on, ")
	}
	lo, hi := 0.0, math.Inf(1)
	if t, ok := g.scalableTarget(svc); ok {
		lo, _ = numOr(t, 0, "minCapacity")
		hi, _ = numOr(t, math.Inf(1), "maxCapacity")
	}
	type event struct {
		minute int
		name   string
		lo, hi *float64
	}
	var events []event
	zone := ""
	for _, a := range actions {
		minutes, err := weeklyCron(a.String("schedule"))
		if err != nil {
			return always(fmt.Sprintf("scheduled action %s not modelled (%v): counted always on, ", a.Name, err))
		}
		var e event
		if v, ok := inventory.AsNumber(a.Get("scalableTargetAction", "minCapacity")); ok {
			e.lo = &v
		}
		if v, ok := inventory.AsNumber(a.Get("scalableTargetAction", "maxCapacity")); ok {
			e.hi = &v
		}
		for _, m := range minutes {
			events = append(events, event{minute: m, name: a.Name, lo: e.lo, hi: e.hi})
		}
		if zone == "" {
			zone = a.String("timezone")
		}
	}
	if zone == "" {
		zone = "UTC"
	}
	slices.SortStableFunc(events, func(a, b event) int {
		if a.minute != b.minute {
			return a.minute - b.minute
		}
		return strings.Compare(a.name, b.name)
	})
	apply := func(e event) {
		if e.lo != nil {
			lo = *e.lo
		}
		if e.hi != nil {
			hi = *e.hi
		}
	}
	// The state at the start of the week is the one the previous week's
	// actions left.
	for _, e := range events {
		apply(e)
	}
	var taskMinutes, activeMinutes float64
	prev := 0
	run := func(until int) {
		tasks := max(lo, min(desired, hi))
		taskMinutes += tasks * float64(until-prev)
		if tasks > 0 {
			activeMinutes += float64(until - prev)
		}
		prev = until
	}
	for _, e := range events {
		run(e.minute)
		apply(e)
	}
	run(minutesPerWeek)
	weekly := taskMinutes / 60
	hours = taskMinutes / minutesPerWeek * g.s.HoursPerMonth
	return hours, activeMinutes / minutesPerWeek, fmt.Sprintf("%d scheduled actions (%s): %s task-hours a week of 168 h, "+
		"× %s h/month ÷ 168 = %s task-hours/month", len(actions), zone, number(weekly), number(g.s.HoursPerMonth),
		number(hours))
}

// scheduledActions are the actions that scale svc: their resource ID names the
// service (service/<cluster>/<service>).
func (g *graph) scheduledActions(svc inventory.Resource) []inventory.Resource {
	var out []inventory.Resource
	for _, a := range g.of(typeScheduledAction) {
		if scales(svc, a.String("resourceId")) {
			out = append(out, a)
		}
	}
	return out
}

// scalableTarget is the Application Auto Scaling target of svc, if any.
func (g *graph) scalableTarget(svc inventory.Resource) (inventory.Resource, bool) {
	for _, t := range g.of(typeScalableTarget) {
		if scales(svc, t.String("resourceId")) {
			return t, true
		}
	}
	return inventory.Resource{}, false
}

func scales(svc inventory.Resource, resourceID string) bool {
	parts := strings.Split(resourceID, "/")
	return len(parts) == 3 && parts[0] == "service" && svc.HasName("name", parts[2])
}

var weekdays = map[string]int{"SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6}

// weeklyCron returns the minutes of the week (Sunday 00:00 is 0) at which an
// Application Auto Scaling cron expression fires, for the expressions that
// repeat every week: cron(MINUTE HOURS ? * DAYS *), where HOURS and DAYS are
// lists or ranges (days as SUN..SAT or 1..7, 1 being Sunday) or "*".
func weeklyCron(expr string) ([]int, error) {
	inner, ok := strings.CutPrefix(strings.TrimSpace(expr), "cron(")
	if !ok || !strings.HasSuffix(inner, ")") {
		return nil, errors.New("only cron(...) expressions are modelled")
	}
	f := strings.Fields(strings.TrimSuffix(inner, ")"))
	if len(f) != 6 && len(f) != 5 {
		return nil, fmt.Errorf("%q: expected 6 fields", expr)
	}
	if !wild(f[2]) || f[3] != "*" || (len(f) == 6 && f[5] != "*") {
		return nil, fmt.Errorf("%q: only schedules that repeat every week are modelled", expr)
	}
	minute, err := strconv.Atoi(f[0])
	if err != nil || minute < 0 || minute > 59 {
		return nil, fmt.Errorf("%q: minute %q: expected 0..59", expr, f[0])
	}
	hours, err := cronList(f[1], 0, 23, nil)
	if err != nil {
		return nil, fmt.Errorf("%q: hours: %w", expr, err)
	}
	days := []int{0, 1, 2, 3, 4, 5, 6}
	if !wild(f[4]) {
		// Numbered days run 1 (SUN) to 7 (SAT).
		numbered, err := cronList(f[4], 1, 7, weekdays)
		if err != nil {
			return nil, fmt.Errorf("%q: days: %w", expr, err)
		}
		days = numbered
	}
	var out []int
	for _, d := range days {
		for _, h := range hours {
			out = append(out, (d*24+h)*60+minute)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func wild(f string) bool { return f == "*" || f == "?" }

// cronList expands "a,b,c-d" (or "*") within lo..hi; names, if given, map day
// names to 0-based days and numbers are then 1-based.
func cronList(field string, lo, hi int, names map[string]int) ([]int, error) {
	if field == "*" {
		var all []int
		for v := lo; v <= hi; v++ {
			all = append(all, v-offset(names))
		}
		return all, nil
	}
	value := func(s string) (int, error) {
		if v, ok := names[strings.ToUpper(s)]; ok {
			return v, nil
		}
		v, err := strconv.Atoi(s)
		if err != nil || v < lo || v > hi {
			return 0, fmt.Errorf("%q: expected %d..%d", s, lo, hi)
		}
		return v - offset(names), nil
	}
	var out []int
	for _, part := range strings.Split(field, ",") {
		a, b, isRange := strings.Cut(part, "-")
		from, err := value(a)
		if err != nil {
			return nil, err
		}
		to := from
		if isRange {
			if to, err = value(b); err != nil {
				return nil, err
			}
		}
		if to < from {
			return nil, fmt.Errorf("%q: a range must go up", part)
		}
		for v := from; v <= to; v++ {
			out = append(out, v)
		}
	}
	return out, nil
}

// offset turns 1-based day numbers into 0-based days.
func offset(names map[string]int) int {
	if names != nil {
		return 1
	}
	return 0
}
