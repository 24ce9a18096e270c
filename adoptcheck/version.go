package adoptcheck

import (
	"fmt"
	"strconv"
	"strings"
)

// MinimumCLI is the oldest Pulumi CLI allowed to adopt: 3.174 to 3.251 could
// lose an import ID when an import was followed by an update, and the next up
// re-imported with a replace (pulumi/pulumi#14836, fixed in 3.252.0).
// Protection does not stop a replacement's delete.
var MinimumCLI = [3]int{3, 252, 0}

// cliVersion refuses a Pulumi CLI older than MinimumCLI.
func (c *checker) cliVersion() {
	b, err := c.rs.raw(FilePulumiVersion)
	if err != nil {
		c.add(Finding{Severity: Refusal, Property: "pulumi version", Message: "cannot be checked: " + err.Error()})
		return
	}
	text := strings.TrimSpace(string(b))
	v, ok := parseVersion(text)
	want := fmt.Sprintf("%d.%d.%d", MinimumCLI[0], MinimumCLI[1], MinimumCLI[2])
	switch {
	case !ok:
		c.add(Finding{Severity: Refusal, Property: "pulumi version", Live: text,
			Message: "not a Pulumi CLI version; the adoption needs " + want + " or newer"})
	case older(v, MinimumCLI):
		c.add(Finding{Severity: Refusal, Property: "pulumi version", Live: text, Declared: ">= " + want,
			Message: "CLIs 3.174-3.251 can lose an import ID when an import is followed by an update; the next up " +
				"then replaces the resource (pulumi/pulumi#14836): install " + want + " or newer"})
	}
}

// parseVersion reads "v3.274.1" (or "3.274.1-dev...") into its three numbers.
func parseVersion(s string) ([3]int, bool) {
	var v [3]int
	f := strings.Fields(s)
	if len(f) == 0 {
		return v, false
	}
	s = strings.TrimPrefix(f[0], "v")
	core, _, _ := strings.Cut(s, "-")
	core, _, _ = strings.Cut(core, "+")
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return v, false
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return v, false
		}
		v[i] = n
	}
	return v, true
}

func older(a, b [3]int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}
