package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
)

// Report is every rule's verdict on every resource it applies to, sorted by
// rule id, resource name and type.
type Report struct {
	Stack       string `json:"stack"`
	Environment string `json:"environment"`
	Rows        []Row  `json:"rows"`
}

// Failed returns the mandatory violations that no waiver accepts: a stack with
// any must not deploy.
func (r Report) Failed() []Row { return r.filter(Mandatory, Fail) }

// Advisories returns the advisory violations that no waiver accepts.
func (r Report) Advisories() []Row { return r.filter(Advisory, Fail) }

// Waived returns the rows a waiver accepted.
func (r Report) Waived() []Row {
	var out []Row
	for _, row := range r.Rows {
		if row.Verdict == Waived {
			out = append(out, row)
		}
	}
	return out
}

func (r Report) filter(s Severity, v Verdict) []Row {
	var out []Row
	for _, row := range r.Rows {
		if row.Severity == s && row.Verdict == v {
			out = append(out, row)
		}
	}
	return out
}

// Err returns nil when no mandatory rule fails, or an error naming each
// violation's rule id, resource and finding.
func (r Report) Err() error {
	failed := r.Failed()
	if len(failed) == 0 {
		return nil
	}
	errs := make([]error, len(failed))
	for i, row := range failed {
		errs[i] = fmt.Errorf("%s %s %q: %s", row.Rule, row.Type, row.Resource, row.Why)
	}
	return fmt.Errorf("policy: stack %s: %d mandatory violation(s):\n%w", r.Stack, len(failed), errors.Join(errs...))
}

// Summary counts the rows by verdict, with advisory failures apart.
func (r Report) Summary() string {
	var pass, fail, adv, waived int
	for _, row := range r.Rows {
		switch {
		case row.Verdict == Pass:
			pass++
		case row.Verdict == Waived:
			waived++
		case row.Severity == Advisory:
			adv++
		default:
			fail++
		}
	}
	return fmt.Sprintf("%d passed, %d failed, %d advisory, %d waived", pass, fail, adv, waived)
}

// Text renders the report as a stable, aligned table: one line per row, the
// waiver's reason after the finding it accepts.
func (r Report) Text() string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "policy report: stack %s (environment %s): %s\n\n", r.Stack, r.Environment, r.Summary())
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tSEVERITY\tVERDICT\tRESOURCE\tFINDING")
	for _, row := range r.Rows {
		finding := oneLine(row.Why)
		if row.Verdict == Waived {
			finding += " | waived: " + oneLine(row.Waiver)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s %s\t%s\n", row.Rule, row.Severity, row.Verdict, row.Type, row.Resource, finding)
	}
	_ = tw.Flush() // writes to a bytes.Buffer, which cannot fail
	return b.String()
}

// JSON renders the report as indented JSON with a trailing newline.
func (r Report) JSON() ([]byte, error) {
	out := struct {
		Report
		Summary string `json:"summary"`
	}{r, r.Summary()}
	if out.Rows == nil {
		out.Rows = []Row{}
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("policy: report: %w", err)
	}
	return append(b, '\n'), nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
