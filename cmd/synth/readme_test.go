package main

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/cost"
	"github.com/np-mrd/article-pipeline-infra/diagram"
	"github.com/np-mrd/article-pipeline-infra/internal/synth"
)

// The README's section "What each stack costs and looks like" holds generated
// parts between markers:
//
//	<!-- generated:NAME -->
//	...
//	<!-- /generated -->
//
// NAME is "cost-table" (each committed stack's estimate by service), "levers
// development" (what each cost lever saves development) or "diagram STACK"
// (the stack's Mermaid flowchart). TestReadmeGeneratedParts
// fails when one is stale; `go test ./cmd/synth -update` rewrites them.

var generatedPart = regexp.MustCompile(`(?s)<!-- generated:([^>]*?) -->\n.*?<!-- /generated -->`)

// readmeParts are the generated parts the README must hold.
var readmeParts = []string{"cost-table", "levers development", "diagram prod", "diagram development"}

func TestReadmeGeneratedParts(t *testing.T) {
	path := filepath.Join(projectDir, "README.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	var found []string
	var genErr error
	fresh := generatedPart.ReplaceAllStringFunc(readme, func(block string) string {
		name := generatedPart.FindStringSubmatch(block)[1]
		found = append(found, name)
		body, err := generate(name)
		if err != nil {
			genErr = err
			return block
		}
		return fmt.Sprintf("<!-- generated:%s -->\n%s<!-- /generated -->", name, body)
	})
	if genErr != nil {
		t.Fatal(genErr)
	}
	for _, want := range readmeParts {
		if !slices.Contains(found, want) {
			t.Errorf("README.md has no generated part %q (<!-- generated:%s --> ... <!-- /generated -->)", want, want)
		}
	}
	if *update {
		if err := os.WriteFile(path, []byte(fresh), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if fresh != readme {
		t.Error("the generated parts of README.md are stale; run `go test ./cmd/synth -update` and review the diff")
	}
}

// TestReadmeDocumentsEveryCostSetting keeps the README's table of
// article-pipeline:cost fields complete.
func TestReadmeDocumentsEveryCostSetting(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(projectDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "## What each stack costs and looks like")
	if !ok {
		t.Fatal("README.md has no section \"What each stack costs and looks like\"")
	}
	typ := reflect.TypeFor[cost.Settings]()
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		if !strings.Contains(section, "`"+name+"`") {
			t.Errorf("README.md does not document article-pipeline:cost.%s", name)
		}
	}
}

func generate(name string) (string, error) {
	if name == "cost-table" {
		return costTable()
	}
	if stack, ok := strings.CutPrefix(name, "levers "); ok {
		return leverTable(stack)
	}
	if stack, ok := strings.CutPrefix(name, "diagram "); ok {
		res, err := synthesized(stack)
		if err != nil {
			return "", err
		}
		return "```mermaid\n" + diagram.Mermaid(res.Inventory) + "```\n", nil
	}
	return "", fmt.Errorf("README.md: unknown generated part %q; expected one of %v", name, readmeParts)
}

var (
	synthMu    sync.Mutex
	synthCache = map[string]*synth.Result{}
)

func synthesized(stack string) (*synth.Result, error) {
	synthMu.Lock()
	defer synthMu.Unlock()
	if r, ok := synthCache[stack]; ok {
		return r, nil
	}
	r, err := synth.Synthesize(projectDir, stack)
	if err != nil {
		return nil, err
	}
	synthCache[stack] = r
	return r, nil
}

// costTable is each committed stack's estimate by category (AWS service), with
// the total and the count of items not priced.
func costTable() (string, error) {
	stacks := synth.Stacks(projectDir)
	sums := map[string]map[string]int64{} // category -> stack -> cents
	reports := map[string]cost.Report{}
	for _, stack := range stacks {
		res, err := synthesized(stack)
		if err != nil {
			return "", err
		}
		rep, err := synth.Estimate(res)
		if err != nil {
			return "", err
		}
		reports[stack] = rep
		for _, l := range rep.Lines {
			if sums[l.Category] == nil {
				sums[l.Category] = map[string]int64{}
			}
			sums[l.Category][stack] += l.Cents()
		}
	}
	var b strings.Builder
	b.WriteString("| Monthly estimate | " + strings.Join(stacks, " | ") + " |\n")
	b.WriteString("|---" + strings.Repeat("|---:", len(stacks)) + "|\n")
	for _, category := range slices.Sorted(maps.Keys(sums)) {
		b.WriteString("| " + category)
		for _, stack := range stacks {
			if c, ok := sums[category][stack]; ok {
				b.WriteString(" | " + cost.Dollars(c))
			} else {
				b.WriteString(" | —")
			}
		}
		b.WriteString(" |\n")
	}
	b.WriteString("| items not priced")
	for _, stack := range stacks {
		fmt.Fprintf(&b, " | %d", len(reports[stack].NotPriced()))
	}
	b.WriteString(" |\n| **total per month**")
	for _, stack := range stacks {
		b.WriteString(" | **" + cost.Dollars(reports[stack].TotalCents()) + "**")
	}
	b.WriteString(" |\n")
	return b.String(), nil
}

// levers are the cost levers development's stack file turns on, each with
// the stack-file overlay that turns it off again.
var levers = []struct{ name, setting, off string }{
	{"one load balancer, prod's", "`platform.sharedLoadBalancer: true`",
		"article-pipeline:platform: {sharedLoadBalancer: false}"},
	{"Container Insights off", "`platform.containerInsights: false`",
		"article-pipeline:platform: {containerInsights: true}"},
	{"Fargate Spot", "`platform.fargateSpot: {enabled: true}`",
		"article-pipeline:platform: {fargateSpot: {enabled: false}}"},
	{"working hours only", "`platform.workingHours: {enabled: true}`",
		"article-pipeline:platform: {workingHours: {enabled: false}}"},
	{"ARM64 (Graviton) tasks", "`services.{backend,frontend}.cpuArchitecture: ARM64`",
		"article-pipeline:services: {backend: {cpuArchitecture: X86_64}, frontend: {cpuArchitecture: X86_64}}"},
	{"a smaller database", "`database.instanceClass: db.t4g.micro`",
		"article-pipeline:database: {instanceClass: db.t3.small}"},
}

// leverTable is the stack's estimate as committed, with each lever turned
// off alone (what it saves with the others on), with only that lever on (what
// it saves alone), and with every lever off.
func leverTable(stack string) (string, error) {
	dir, err := os.MkdirTemp("", "levers")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	offs := make([]string, len(levers))
	for i, l := range levers {
		offs[i] = filepath.Join(dir, fmt.Sprintf("off-%d.yaml", i))
		if err := os.WriteFile(offs[i], []byte("config:\n  "+l.off+"\n"), 0o644); err != nil {
			return "", err
		}
	}
	total := func(overlays ...string) (int64, error) {
		res, err := synth.SynthesizeOverlay(projectDir, stack, overlays...)
		if err != nil {
			return 0, err
		}
		rep, err := synth.Estimate(res)
		return rep.TotalCents(), err
	}
	committed, err := total()
	if err != nil {
		return "", err
	}
	none, err := total(offs...)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("| Lever | " + stack + "'s setting | " + stack + " without it | saves with the others on | " +
		stack + " with only it | saves alone |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|\n")
	for i, l := range levers {
		without, err := total(offs[i])
		if err != nil {
			return "", fmt.Errorf("%s off: %w", l.name, err)
		}
		only, err := total(slices.Delete(slices.Clone(offs), i, i+1)...)
		if err != nil {
			return "", fmt.Errorf("only %s: %w", l.name, err)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", l.name, l.setting, cost.Dollars(without),
			cost.Dollars(without-committed), cost.Dollars(only), cost.Dollars(none-only))
	}
	fmt.Fprintf(&b, "\nWith none of them %s would cost %s a month; with all of them, as committed, %s: %s less.\n",
		stack, cost.Dollars(none), cost.Dollars(committed), cost.Dollars(none-committed))
	return b.String(), nil
}
