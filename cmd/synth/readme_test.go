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
// NAME is "cost-table" (each committed stack's estimate by service) or
// "diagram STACK" (the stack's Mermaid flowchart). TestReadmeGeneratedParts
// fails when one is stale; `go test ./cmd/synth -update` rewrites them.

var generatedPart = regexp.MustCompile(`(?s)<!-- generated:([^>]*?) -->\n.*?<!-- /generated -->`)

// readmeParts are the generated parts the README must hold.
var readmeParts = []string{"cost-table", "diagram prod", "diagram development"}

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
