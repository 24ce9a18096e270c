package adoptcheck

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

// checkParameterValue: values are secret on both sides and are not compared,
// except DATABASE_URL, which the program rebuilds from the instance (DNS name
// instead of the runbook's IP): it is kept until its own step.
func checkParameterValue(c *checker, r inventory.Resource, decl, _, _ any) {
	if path.Base(r.ImportID) == "DATABASE_URL" {
		c.diff(r, "value", "the old URL", render(decl), "the program's URL names the endpoint (and, with "+
			"bootstrap, its own role): applied at the DATABASE_URL step, after the password is verified")
		return
	}
	c.add(Finding{Severity: Note, Resource: r.Name, Type: r.Type, Property: "value", Declared: render(decl),
		Message: "secret on both sides, not compared: the value in secret config must be the live one (the guide " +
			"copies it); the preview shows [secret] changes"})
}

// parameters checks the parameter path as a whole: a declared parameter that
// exists but is not adopted fails its create, and live parameters the program
// does not declare stay as they are.
func (c *checker) parameters() {
	declared := c.inv.OfType(typeParameter)
	if len(declared) == 0 {
		return
	}
	v, _, err := c.response(FileParameters)
	if err != nil {
		// Only an adoption reads the path; a stack that adopts nothing has no file.
		if slices.ContainsFunc(declared, func(r inventory.Resource) bool { return r.ImportID != "" }) {
			c.incomplete(declared[0], err)
		}
		return
	}
	names := map[string]bool{}
	for _, r := range declared {
		name := r.String("name")
		names[name] = true
		if r.ImportID != "" {
			continue
		}
		if _, ok := findIn(list(v, "Parameters"), "Name", name); ok {
			c.refuse(r, "", fmt.Sprintf("parameter %s exists: creating it fails (ParameterAlreadyExists); add %s to "+
				"article-pipeline:adopt.parameters", name, path.Base(name)))
		}
	}
	var others []string
	for _, p := range list(v, "Parameters") {
		if n := str(p, "Name"); !names[n] {
			others = append(others, path.Base(n))
		}
	}
	if len(others) > 0 {
		slices.Sort(others)
		c.add(Finding{Severity: Note, Property: "parameters", Live: strings.Join(others, ", "),
			Message: "live parameters the program does not declare: left as they are; a service that reads one " +
				"needs it declared (article-pipeline:parameters) and adopted"})
	}
}
