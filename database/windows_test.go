package database

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/internal/mock"
)

func TestWindows(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, start, day      string
		wantBackup, wantMaint string
	}{
		{"default", "08:00", "sun", "08:00-08:30", "sun:09:00-sun:09:30"},
		{"midnight start", "00:00", "mon", "00:00-00:30", "mon:01:00-mon:01:30"},
		{"odd minutes", "13:07", "wed", "13:07-13:37", "wed:14:07-wed:14:37"},
		{"maintenance ends at midnight", "22:00", "fri", "22:00-22:30", "fri:23:00-fri:23:30"},
		{"maintenance crosses midnight", "22:45", "sun", "22:45-23:15", "sun:23:45-mon:00:15"},
		{"maintenance starts at midnight", "22:30", "tue", "22:30-23:00", "tue:23:30-wed:00:00"},
		{"maintenance starts next day", "23:15", "sun", "23:15-23:45", "mon:00:15-mon:00:45"},
		{"backup crosses midnight", "23:45", "sat", "23:45-00:15", "sun:00:45-sun:01:15"},
		{"last minute", "23:59", "thu", "23:59-00:29", "fri:00:59-fri:01:29"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b, m, err := Windows(tc.start, tc.day)
			if err != nil {
				t.Fatal(err)
			}
			if b != tc.wantBackup || m != tc.wantMaint {
				t.Errorf("Windows(%q, %q) = %q, %q; want %q, %q", tc.start, tc.day, b, m, tc.wantBackup, tc.wantMaint)
			}
		})
	}
}

func TestWindowsBadInput(t *testing.T) {
	t.Parallel()
	badStarts := []mock.BadValue[string]{
		{Name: "one-digit hour", Value: "8:00", WantErr: `window start "8:00" is not a time of day HH:MM`},
		{Name: "hour 24", Value: "24:00", WantErr: `window start "24:00" is not`},
		{Name: "minute 60", Value: "07:60", WantErr: `window start "07:60" is not`},
		{Name: "no colon", Value: "0800", WantErr: `window start "0800" is not`},
		{Name: "a range", Value: "08:00-08:30", WantErr: `window start "08:00-08:30" is not`},
		{Name: "negative hour", Value: "-1:00", WantErr: `window start "-1:00" is not`},
		{Name: "no start", Value: "", WantErr: `window start "" is not`},
	}
	mock.RejectsValues(t, badStarts, mock.Prefix, func(t *testing.T, start string) error {
		_, _, err := Windows(start, "sun")
		return err
	})
	badDays := []mock.BadValue[string]{
		{Name: "capitalised", Value: "Sun", WantErr: `maintenance day "Sun" is not one of mon, tue, wed, thu, fri, sat, sun`},
		{Name: "no day", Value: "", WantErr: `maintenance day "" is not`},
	}
	mock.RejectsValues(t, badDays, mock.Prefix, func(t *testing.T, day string) error {
		_, _, err := Windows("08:00", day)
		return err
	})
}

// For every start minute and day: both windows last 30 minutes, maintenance
// starts 30 minutes after the backup ends, and the week's maintenance never
// overlaps a daily backup (RDS rejects overlapping windows).
func TestWindowsEveryStart(t *testing.T) {
	t.Parallel()
	parse := func(s string) int {
		var h, m int
		if _, err := fmt.Sscanf(s, "%d:%d", &h, &m); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		return h*60 + m
	}
	const week = 7 * minutesPerDay
	for d, day := range Weekdays {
		for start := range minutesPerDay {
			s := fmt.Sprintf("%02d:%02d", start/60, start%60)
			b, m, err := Windows(s, day)
			if err != nil {
				t.Fatal(err)
			}
			bFrom, bTo, _ := strings.Cut(b, "-")
			if parse(bFrom) != start || (parse(bTo)-start+minutesPerDay)%minutesPerDay != 30 {
				t.Fatalf("Windows(%s, %s) backup %q", s, day, b)
			}
			mFrom, mTo, _ := strings.Cut(m, "-")
			weekMinute := func(w string) int {
				dd, clock, _ := strings.Cut(w, ":")
				return slices.Index(Weekdays, dd)*minutesPerDay + parse(clock)
			}
			from, to := weekMinute(mFrom), weekMinute(mTo)
			if want := (d*minutesPerDay + start + 60) % week; from != want || (to-from+week)%week != 30 {
				t.Fatalf("Windows(%s, %s) maintenance %q", s, day, m)
			}
			for backupDay := range 7 {
				bs := backupDay*minutesPerDay + start
				for _, x := range []int{bs, bs + 29} {
					if off := (x - from + week) % week; off < 30 {
						t.Fatalf("Windows(%s, %s): maintenance %q overlaps a backup", s, day, m)
					}
				}
			}
		}
	}
}
