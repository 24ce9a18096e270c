// Command synth prints what the program declares for one stack, without AWS or
// the Pulumi CLI: it runs the real program function under the shared mocks with
// the stack's committed config and prints the resource inventory as stable,
// sorted JSON (secrets as "[secret]").
//
//	go run ./cmd/synth development
//	go run ./cmd/synth -dir path/to/project prod
//	go run ./cmd/synth -cost development      # the monthly estimate
//	go run ./cmd/synth -diagram prod          # the architecture as Mermaid
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/np-mrd/article-pipeline-infra/diagram"
	"github.com/np-mrd/article-pipeline-infra/internal/synth"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("synth", flag.ContinueOnError)
	flags.SetOutput(stderr)
	dir := flags.String("dir", ".", "the project directory (holds Pulumi.yaml and Pulumi.<stack>.yaml)")
	report := flags.String("policy", "", "print the guardrail report instead of the inventory: text or json; "+
		"exit 1 on a mandatory violation or a stale waiver")
	estimate := flags.Bool("cost", false, "print the monthly cost estimate instead of the inventory "+
		"(usage assumptions from the stack's article-pipeline:cost)")
	drawing := flags.Bool("diagram", false, "print the architecture as a Mermaid flowchart instead of the inventory")
	flags.Usage = func() {
		fmt.Fprintf(stderr, "usage: synth [-dir DIR] [-policy text|json | -cost | -diagram] STACK\n\nStacks in %s: %v\n",
			*dir, synth.Stacks(*dir))
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() != 1 {
		flags.Usage()
		return 2
	}
	res, err := synth.Synthesize(*dir, flags.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return 1
	}
	if *report != "" {
		return printPolicy(res, *report, stdout, stderr)
	}
	// A waiver that names no violation (or a lapsed one) fails every synth, not
	// only the report: pulumi up cannot judge it, as the graph it needs is only
	// known once everything is declared.
	if _, err := synth.Check(res); err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return 1
	}
	if *drawing {
		if _, err := io.WriteString(stdout, diagram.Mermaid(res.Inventory)); err != nil {
			return 1
		}
		return 0
	}
	if *estimate {
		rep, err := synth.Estimate(res)
		if err != nil {
			fmt.Fprintf(stderr, "synth: %v\n", err)
			return 1
		}
		if _, err := io.WriteString(stdout, rep.Text()); err != nil {
			return 1
		}
		return 0
	}
	out, err := Render(res)
	if err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return 1
	}
	if _, err := stdout.Write(out); err != nil {
		return 1
	}
	return 0
}

// Render is the printed form of a synthesized stack: indented JSON, map keys
// sorted, one trailing newline.
func Render(res *synth.Result) ([]byte, error) {
	b, err := json.MarshalIndent(res.Inventory, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// printPolicy prints the guardrail report of a synthesized stack.
func printPolicy(res *synth.Result, format string, stdout, stderr io.Writer) int {
	rep, err := synth.Check(res)
	var out []byte
	switch format {
	case "text":
		out = []byte(rep.Text())
	case "json":
		b, jerr := rep.JSON()
		if jerr != nil {
			fmt.Fprintf(stderr, "synth: %v\n", jerr)
			return 1
		}
		out = b
	default:
		fmt.Fprintf(stderr, "synth: -policy %q: expected text or json\n", format)
		return 2
	}
	if _, werr := stdout.Write(out); werr != nil {
		return 1
	}
	code := 0
	if err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		code = 1
	}
	if ferr := rep.Err(); ferr != nil {
		fmt.Fprintf(stderr, "synth: mandatory rules fail:\n%v\n", ferr)
		code = 1
	}
	return code
}
