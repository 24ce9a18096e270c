// Package adoptcheck is the preflight of an adoption: it compares what the
// program declares for the resources it imports (the synthesized inventory of a
// stack with its article-pipeline:adopt section) with what AWS says those
// resources are (a directory of recorded, read-only AWS CLI responses written by
// adoptcheck/collect), and reports, per resource and property, what the first
// adopting `pulumi up` would change. From that it prints the adopt.keep list
// that makes the first up a zero-change import, and it refuses what no keep list
// can make safe: a Pulumi CLI with the import-then-update bug, a replacement of
// an adopted resource, a DB subnet group that would change, a DATABASE_URL that
// does not point at the adopted instance, a backup plan whose schedule or
// retention would change.
//
// The checks read recorded responses only, so they run offline and are tested
// on fixtures; nothing here calls AWS.
package adoptcheck

import (
	"cmp"
	"slices"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

// Severity says what a finding asks of the person adopting.
type Severity string

const (
	// Refusal stops the adoption: the first up would fail, replace an adopted
	// resource or cut the running deployment off, and no keep list prevents it.
	Refusal Severity = "refusal"
	// Difference is a property the first up would change; listing it in
	// adopt.keep defers it to its own targeted step.
	Difference Severity = "difference"
	// Warning does not change anything at the import but must be settled
	// before a later step (the security-group, parameter-group or policy step).
	Warning Severity = "warning"
	// Note is information: a property adopt-check cannot compare, or something
	// left as it is.
	Note Severity = "note"
)

// Finding is one result of the check.
type Finding struct {
	Severity Severity `json:"severity"`
	// Resource is the logical name of the declared resource ("" for the CLI
	// and for the account as a whole).
	Resource string `json:"resource,omitempty"`
	Type     string `json:"type,omitempty"`
	Property string `json:"property,omitempty"`
	// Live and Declared are the compared values as compact JSON (never a secret).
	Live     string `json:"live,omitempty"`
	Declared string `json:"declared,omitempty"`
	Message  string `json:"message,omitempty"`
	// Kept is set when the property is already in the resource's ignoreChanges.
	Kept bool `json:"kept,omitempty"`
}

// Report is every finding of one check, in a stable order: refusals first,
// then by resource and property.
type Report struct {
	Stack    string    `json:"stack"`
	Findings []Finding `json:"findings"`
	// shared holds the logical names several imported resources share: their
	// adopt.keep keys name the type too.
	shared map[string]bool
}

// Of returns the findings of one severity.
func (r Report) Of(s Severity) []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Severity == s {
			out = append(out, f)
		}
	}
	return out
}

// Refused reports whether any finding is a refusal.
func (r Report) Refused() bool { return len(r.Of(Refusal)) > 0 }

// Unkept returns the differences not yet in adopt.keep (ignoreChanges): what
// the first up would still change.
func (r Report) Unkept() []Finding {
	var out []Finding
	for _, f := range r.Of(Difference) {
		if !f.Kept {
			out = append(out, f)
		}
	}
	return out
}

var severityOrder = map[Severity]int{Refusal: 0, Difference: 1, Warning: 2, Note: 3}

func (r *Report) sort() {
	slices.SortStableFunc(r.Findings, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(severityOrder[a.Severity], severityOrder[b.Severity]),
			cmp.Compare(a.Resource, b.Resource),
			cmp.Compare(a.Property, b.Property),
		)
	})
}

// Check compares the declared graph with the recorded responses in rs.
func Check(inv *inventory.Inventory, rs *Responses) Report {
	c := &checker{inv: inv, rs: rs}
	c.cliVersion()
	c.resources()
	c.database()
	c.parameters()
	c.backupSelections()
	rep := Report{Stack: inv.Stack, Findings: c.findings, shared: sharedNames(inv)}
	rep.sort()
	return rep
}

// checker accumulates findings while the checks run.
type checker struct {
	inv      *inventory.Inventory
	rs       *Responses
	findings []Finding
	cache    map[string]cached
}

func (c *checker) add(f Finding) { c.findings = append(c.findings, f) }

// refuse records a refusal about resource r.
func (c *checker) refuse(r inventory.Resource, prop, msg string) {
	c.add(Finding{Severity: Refusal, Resource: r.Name, Type: r.Type, Property: prop, Message: msg})
}

// sharedNames returns the logical names more than one imported resource has.
func sharedNames(inv *inventory.Inventory) map[string]bool {
	types := map[string]int{}
	for _, r := range inv.Resources {
		if r.ImportID != "" {
			types[r.Name]++
		}
	}
	out := map[string]bool{}
	for name, n := range types {
		if n > 1 {
			out[name] = true
		}
	}
	return out
}
