// Command synth prints what the program declares for one stack, without AWS or
// the Pulumi CLI: it runs the real program function under the shared mocks with
// the stack's committed config and prints the resource inventory as stable,
// sorted JSON (secrets as "[secret]").
//
//	go run ./cmd/synth development
//	go run ./cmd/synth -dir path/to/project prod
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/np-mrd/article-pipeline-infra/internal/synth"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("synth", flag.ContinueOnError)
	flags.SetOutput(stderr)
	dir := flags.String("dir", ".", "the project directory (holds Pulumi.yaml and Pulumi.<stack>.yaml)")
	flags.Usage = func() {
		fmt.Fprintf(stderr, "usage: synth [-dir DIR] STACK\n\nStacks in %s: %v\n", *dir, synth.Stacks(*dir))
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
