package adoptcheck

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// keepKey is the adopt.keep key of a finding's resource: its logical name, or
// the name with its short type where the stack imports several resources of
// that name (a subnet, its route table and their association).
func (r Report) keepKey(f Finding) string {
	if r.shared[f.Resource] {
		return f.Resource + " (" + shortType(f.Type) + ")"
	}
	return f.Resource
}

// Keep returns the adopt.keep list: per adopted resource (its keep key), the
// properties the first up must leave alone (every difference, kept or not yet).
func (r Report) Keep() map[string][]string {
	out := map[string][]string{}
	for _, f := range r.Of(Difference) {
		k := r.keepKey(f)
		if !slices.Contains(out[k], f.Property) {
			out[k] = append(out[k], f.Property)
		}
	}
	for k := range out {
		slices.Sort(out[k])
	}
	return out
}

// KeepYAML is the keep list as the stack file takes it.
func (r Report) KeepYAML() string {
	keep := r.Keep()
	var b strings.Builder
	b.WriteString("  article-pipeline:adopt:\n    keep:\n")
	if len(keep) == 0 {
		b.WriteString("      {}\n")
	}
	for _, k := range slices.Sorted(maps.Keys(keep)) {
		name := k
		if strings.ContainsAny(k, " ()") {
			name = strconv.Quote(k)
		}
		fmt.Fprintf(&b, "      %s: [%s]\n", name, strings.Join(keep[k], ", "))
	}
	return b.String()
}

// Text is the report as the command prints it.
func (r Report) Text() string {
	var b strings.Builder
	sections := []struct {
		sev   Severity
		title string
	}{
		{Refusal, "REFUSED: fix these before adopting"},
		{Difference, "DIFFERENCES: the first up would change these unless adopt.keep lists them"},
		{Warning, "WARNINGS: settle before the step named"},
		{Note, "NOTES"},
	}
	for _, s := range sections {
		fs := r.Of(s.sev)
		if len(fs) == 0 {
			continue
		}
		fmt.Fprintf(&b, "%s (%d)\n", s.title, len(fs))
		for _, f := range fs {
			b.WriteString("  " + f.line() + "\n")
		}
		b.WriteString("\n")
	}
	b.WriteString("Suggested adopt.keep for a zero-change first up (merge into Pulumi." + r.Stack + ".yaml):\n")
	b.WriteString(r.KeepYAML())
	if n := len(r.Unkept()); n > 0 {
		fmt.Fprintf(&b, "\n%d difference(s) not in ignoreChanges yet: the first up would apply them.\n", n)
	}
	if r.Refused() {
		fmt.Fprintf(&b, "\nadopt-check: %d refusal(s): do not run pulumi up.\n", len(r.Of(Refusal)))
	}
	return b.String()
}

// line is one finding on one line: where, what, live and declared, why.
func (f Finding) line() string {
	where := f.Resource
	if f.Type != "" {
		where += " (" + shortType(f.Type) + ")"
	}
	if f.Property != "" {
		if where != "" {
			where += "."
		}
		where += f.Property
	}
	if where == "" {
		where = "(account)"
	}
	var parts []string
	if f.Live != "" || f.Declared != "" {
		parts = append(parts, fmt.Sprintf("live %s, declared %s", orDash(f.Live), orDash(f.Declared)))
	}
	if f.Message != "" {
		parts = append(parts, f.Message)
	}
	var marks []string
	if f.Kept {
		marks = append(marks, "kept")
	}
	if len(marks) > 0 {
		where += " [" + strings.Join(marks, ", ") + "]"
	}
	return where + ": " + strings.Join(parts, "; ")
}

// shortType is the module and kind of a type token: "ec2/subnet" for
// "aws:ec2/subnet:Subnet". Logical names repeat across types (a subnet, its
// route table and their association are all network-private-1).
func shortType(t string) string {
	parts := strings.Split(t, ":")
	if len(parts) != 3 {
		return t
	}
	return parts[1]
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
