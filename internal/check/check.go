// Package check holds what the settings of every component need to state their
// rules the same way: a collector that keeps every problem with the key it
// names, and the few value rules more than one component applies (CIDR blocks,
// CloudWatch Logs retentions).
package check

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Problems collects every problem of a run, each naming its key, so one run
// reports them all.
type Problems []error

// Add records a problem with the value at key.
func (p *Problems) Add(key, format string, args ...any) {
	*p = append(*p, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
}

// Err joins the problems, or is nil when there are none.
func (p Problems) Err() error { return errors.Join(p...) }

// Index names one element of a list-valued key: key[i].
func Index(key string, i int) string { return fmt.Sprintf("%s[%d]", key, i) }

// CIDR parses an IPv4 CIDR block and insists on its network address.
func CIDR(p *Problems, key, s string) (netip.Prefix, bool) {
	pfx, err := netip.ParsePrefix(s)
	if err != nil {
		p.Add(key, "%q is not a CIDR block such as 10.0.0.0/24", s)
		return netip.Prefix{}, false
	}
	if !pfx.Addr().Is4() {
		p.Add(key, "%q is not IPv4; expected an IPv4 block such as 10.0.0.0/24", s)
		return netip.Prefix{}, false
	}
	if m := pfx.Masked(); m != pfx {
		p.Add(key, "%q is not a network address; did you mean %q?", s, m.String())
		return netip.Prefix{}, false
	}
	return pfx, true
}

// LogRetentionDays are the retention periods CloudWatch Logs accepts.
var LogRetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
	2557, 2922, 3288, 3653}

// LogRetention checks a CloudWatch Logs retention in days.
func LogRetention(p *Problems, key string, days int) {
	if !slices.Contains(LogRetentionDays, days) {
		p.Add(key, "%d is not a CloudWatch Logs retention; expected one of %s (days)", days, Ints(LogRetentionDays))
	}
}

// Quoted lists values as "a", "b", "c".
func Quoted[S ~string](values []S) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = strconv.Quote(string(v))
	}
	return strings.Join(q, ", ")
}

// Ints lists numbers as 1, 2, 3.
func Ints(values []int) string {
	s := make([]string, len(values))
	for i, n := range values {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

// Join adds the problems in err (as another Validate returned them) one by one.
func (p *Problems) Join(err error) {
	if err == nil {
		return
	}
	if many, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range many.Unwrap() {
			p.Join(e)
		}
		return
	}
	*p = append(*p, err)
}

// RegionPattern is what an AWS region name looks like (us-west-2).
var RegionPattern = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]$`)
