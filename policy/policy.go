// Package policy holds the offline guardrails: rules that judge one stack's
// recorded resource graph (an inventory.Inventory, as the synth prints it) the
// way a CrossGuard policy pack would judge a preview. The rules are the AWS
// Foundational Security Best Practices (FSBP) controls that apply to what this
// program creates, under their Security Hub ids (S3.8, RDS.2, ECS.4, ...), plus
// the project's own rules under ids starting with "AP." (tags, parameter names,
// secrets in outputs, protection and reliability).
//
// Evaluate takes the stack's waivers (from the stack config key
// article-pipeline:policy) and returns a Report with one row per rule and
// resource it applies to. A waiver needs a reason, must name a known rule and
// must match a violation: a waiver that matches nothing is an error, so waivers
// do not outlive the finding they excuse.
//
// The package reads the inventory only: it imports no component and no mock.
// Resources another stack owns (a development stack consuming the shared VPC)
// are simply absent, and every rule tolerates that.
package policy

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

// Severity says whether a failing rule stops the stack (mandatory) or is only
// reported (advisory).
type Severity string

// The two severities, as awsguard names its enforcement levels.
const (
	Mandatory Severity = "mandatory"
	Advisory  Severity = "advisory"
)

// Verdict is the outcome of one rule on one resource.
type Verdict string

// The verdicts a report row can carry.
const (
	Pass   Verdict = "pass"
	Fail   Verdict = "fail"
	Waived Verdict = "waived"
)

// OutputType is the type shown for a stack output in a report row; rules on
// outputs see each output as a resource of this type, named after the output,
// with the value under the input "value".
const OutputType = "pulumi:pulumi:StackOutput"

// WaiverKey is the stack config key that holds the waivers, as errors name it.
const WaiverKey = "article-pipeline:policy.waivers"

// Rule is one guardrail.
type Rule struct {
	// ID is the Security Hub control id (S3.8) or a project id (AP.TAG.1).
	ID          string
	Description string
	Severity    Severity
	// Applies selects the resources the rule judges.
	Applies func(r inventory.Resource) bool
	// Check judges one resource in the context of the whole stack; why says what
	// was found, for the report, pass or fail.
	Check func(g *Graph, r inventory.Resource) (ok bool, why string)
}

// checkFunc is the type of Rule.Check.
type checkFunc = func(g *Graph, r inventory.Resource) (ok bool, why string)

// rule makes a Rule whose check is a named function or built by one (such as
// checkBool), so that a rule table reads as one row per rule: its id, severity,
// what it applies to, its check and what it requires. Rules whose check is
// written inline are Rule literals.
func rule(id string, sev Severity, applies func(inventory.Resource) bool, check checkFunc, description string) Rule {
	return Rule{ID: id, Severity: sev, Applies: applies, Check: check, Description: description}
}

// Waiver accepts one rule's violation on one resource, for a stated reason.
type Waiver struct {
	Rule     string `json:"rule"`
	Resource string `json:"resource"` // the resource's logical name (or an output's name)
	Reason   string `json:"reason"`
	// Until (YYYY-MM-DD, optional) dates an interim state: after that day the
	// waiver no longer applies and the violation counts again.
	Until string `json:"until,omitempty"`
}

// untilLayout is the form of Waiver.Until.
const untilLayout = "2006-01-02"

// Row is one rule's verdict on one resource.
type Row struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Type     string   `json:"type"`
	Resource string   `json:"resource"`
	Verdict  Verdict  `json:"verdict"`
	Why      string   `json:"why"`
	// Waiver is the waiver's reason when the verdict is waived.
	Waiver string `json:"waiver,omitempty"`
}

// Rules returns every rule, sorted by id (numbers in ids compare as numbers:
// RDS.2 before RDS.11).
func Rules() []Rule {
	var rs []Rule
	rs = append(rs, s3Rules()...)
	rs = append(rs, rdsRules()...)
	rs = append(rs, ec2Rules()...)
	rs = append(rs, ecsRules()...)
	rs = append(rs, elbRules()...)
	rs = append(rs, iamRules()...)
	rs = append(rs, projectRules()...)
	rs = append(rs, observabilityRules()...)
	slices.SortFunc(rs, func(a, b Rule) int { return compareIDs(a.ID, b.ID) })
	return rs
}

// Evaluate judges inv, as deployed by stack st, against every rule and
// applies waivers. The report is complete even when err is not nil; err lists
// every waiver that lacks a reason, names an unknown rule, repeats another or
// matches no violation. Mandatory violations are not an error here: see
// Report.Failed and Report.Err.
func Evaluate(inv *inventory.Inventory, waivers []Waiver, st Stack) (Report, error) {
	if inv == nil {
		return Report{}, errors.New("policy: no inventory to evaluate")
	}
	if st.Environment == "" {
		return Report{}, errors.New("policy: the environment name is required (parameter paths and tags name it)")
	}
	g := NewGraph(inv, st)
	rep := Report{Stack: inv.Stack, Environment: st.Environment}
	rules := Rules()
	subjects := g.subjects()
	for _, rule := range rules {
		for _, r := range subjects {
			if !rule.Applies(r) {
				continue
			}
			ok, why := rule.Check(g, r)
			v := Pass
			if !ok {
				v = Fail
			}
			rep.Rows = append(rep.Rows, Row{Rule: rule.ID, Severity: rule.Severity, Type: r.Type, Resource: r.Name,
				Verdict: v, Why: why})
		}
	}
	sortRows(rep.Rows)

	known := map[string]bool{}
	for _, r := range rules {
		known[r.ID] = true
	}
	var errs []error
	seen := map[[2]string]int{}
	for i, w := range waivers {
		k := fmt.Sprintf("%s[%d]", WaiverKey, i)
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("%s: %s", k, fmt.Sprintf(format, args...)))
		}
		switch {
		case strings.TrimSpace(w.Rule) == "":
			bad("rule is empty; expected a rule id such as RDS.25")
			continue
		case !known[w.Rule]:
			bad("%q is not a rule; expected one of %s", w.Rule, strings.Join(ruleIDs(rules), ", "))
			continue
		case strings.TrimSpace(w.Resource) == "":
			bad("resource is empty; expected the logical name of the resource %s flags", w.Rule)
			continue
		case strings.TrimSpace(w.Reason) == "":
			bad("waiver of %s on %q has no reason; say why the finding is accepted", w.Rule, w.Resource)
			continue
		}
		pair := [2]string{w.Rule, w.Resource}
		if j, dup := seen[pair]; dup {
			bad("waives %s on %q again (already %s[%d])", w.Rule, w.Resource, WaiverKey, j)
			continue
		}
		seen[pair] = i
		if w.Until != "" {
			until, err := time.Parse(untilLayout, w.Until)
			switch {
			case err != nil:
				bad("until %q is not a date; expected YYYY-MM-DD", w.Until)
				continue
			case st.today().After(until):
				bad("waiver of %s on %q lapsed on %s; end the interim state it covers (%s), or date it on purpose",
					w.Rule, w.Resource, w.Until, w.Reason)
				continue
			}
		}
		matched := false
		for n := range rep.Rows {
			row := &rep.Rows[n]
			if row.Rule == w.Rule && row.Resource == w.Resource && row.Verdict == Fail {
				row.Verdict, row.Waiver = Waived, w.Reason
				if w.Until != "" {
					row.Waiver += " (until " + w.Until + ")"
				}
				matched = true
			}
		}
		if !matched {
			bad("waiver of %s on %q matches no violation in stack %s; remove it (%s)", w.Rule, w.Resource,
				inv.Stack, rowsFor(rep.Rows, w.Rule, w.Resource))
		}
	}
	if len(errs) > 0 {
		return rep, fmt.Errorf("policy: %w", errors.Join(errs...))
	}
	return rep, nil
}

// rowsFor says what the rule found on the resource, for a waiver that matched nothing.
func rowsFor(rows []Row, rule, name string) string {
	for _, r := range rows {
		if r.Rule == rule && r.Resource == name {
			return "it passes: " + r.Why
		}
	}
	return fmt.Sprintf("the rule does not apply to any resource named %q", name)
}

func ruleIDs(rules []Rule) []string {
	out := make([]string, len(rules))
	for i, r := range rules {
		out[i] = r.ID
	}
	return out
}

// compareIDs orders rule ids part by part, numerically where both parts are numbers.
func compareIDs(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		na, errA := strconv.Atoi(pa[i])
		nb, errB := strconv.Atoi(pb[i])
		var c int
		if errA == nil && errB == nil {
			c = cmp.Compare(na, nb)
		} else {
			c = strings.Compare(pa[i], pb[i])
		}
		if c != 0 {
			return c
		}
	}
	return cmp.Compare(len(pa), len(pb))
}

func sortRows(rows []Row) {
	slices.SortStableFunc(rows, func(a, b Row) int {
		return cmp.Or(compareIDs(a.Rule, b.Rule), strings.Compare(a.Resource, b.Resource),
			strings.Compare(a.Type, b.Type))
	})
}
