// Command adopt-check is the preflight of adopting the running deployment
// (docs/migration.md, step 1). It runs in two parts, so the AWS reads stay
// apart from the judgement:
//
//	go run ./cmd/adopt-check plan    prod                      # the read-only AWS commands collect runs
//	go run ./cmd/adopt-check collect -out preflight/ prod      # run them (read-only credentials)
//	go run ./cmd/adopt-check check   -responses preflight/ prod  # compare, offline; exit 1 on a refusal
//
// Each synthesizes the stack (its Pulumi.<stack>.yaml with the adopt section,
// plus any -overlay files) to know what is adopted and what is declared.
// check prints what the first adopting up would change, per resource and
// property, the adopt.keep list for a zero-change import, and refusals.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/adoptcheck"
	"github.com/np-mrd/article-pipeline-infra/adoptcheck/collect"
	"github.com/np-mrd/article-pipeline-infra/internal/synth"
)

func main() {
	env := environment{run: execRunner, lookup: net.DefaultResolver.LookupHost, stdout: os.Stdout, stderr: os.Stderr}
	os.Exit(env.main(context.Background(), os.Args[1:]))
}

// environment is what the command touches outside itself, so tests can run
// collect without the aws CLI.
type environment struct {
	run    collect.Runner
	lookup collect.Resolver
	stdout io.Writer
	stderr io.Writer
}

const usage = `usage:
  adopt-check plan    [-dir DIR] [-overlay FILE]... STACK
  adopt-check collect [-dir DIR] [-overlay FILE]... -out RESPONSES STACK
  adopt-check check   [-dir DIR] [-overlay FILE]... -responses RESPONSES [-strict] [-json] STACK
`

// overlays is a repeatable -overlay flag.
type overlays []string

func (o *overlays) String() string     { return strings.Join(*o, ",") }
func (o *overlays) Set(v string) error { *o = append(*o, v); return nil }

func (e environment) main(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return 2
	}
	cmd := args[0]
	flags := flag.NewFlagSet("adopt-check "+cmd, flag.ContinueOnError)
	flags.SetOutput(e.stderr)
	dir := flags.String("dir", ".", "the project directory (Pulumi.yaml, Pulumi.<stack>.yaml)")
	var extra overlays
	flags.Var(&extra, "overlay", "a stack-shaped YAML file merged over the stack's config (repeatable), "+
		"e.g. a draft of the adopt section")
	out := flags.String("out", "", "collect: the directory to record the responses in")
	responses := flags.String("responses", "", "check: the directory collect recorded")
	strict := flags.Bool("strict", false, "check: also fail while a difference is not in ignoreChanges (adopt.keep)")
	asJSON := flags.Bool("json", false, "check: print the findings as JSON")
	if cmd != "plan" && cmd != "collect" && cmd != "check" {
		fmt.Fprint(e.stderr, usage)
		return 2
	}
	if err := flags.Parse(args[1:]); err != nil {
		return 2
	}
	if flags.NArg() != 1 {
		fmt.Fprint(e.stderr, usage)
		return 2
	}
	res, err := synth.SynthesizeOverlay(*dir, flags.Arg(0), extra...)
	if err != nil {
		fmt.Fprintf(e.stderr, "adopt-check: %v\n", err)
		return 1
	}
	targets := adoptcheck.TargetsOf(res.Inventory)
	if targets.Empty() {
		fmt.Fprintf(e.stderr, "adopt-check: stack %s adopts nothing (no article-pipeline:adopt IDs)\n", flags.Arg(0))
		return 1
	}
	switch cmd {
	case "plan":
		e.plan(targets)
		return 0
	case "collect":
		if *out == "" {
			fmt.Fprintln(e.stderr, "adopt-check collect: -out is required")
			return 2
		}
		if err := e.collect(ctx, targets, *out); err != nil {
			fmt.Fprintf(e.stderr, "adopt-check collect: %v\n", err)
			return 1
		}
		fmt.Fprintf(e.stdout, "recorded in %s; next: adopt-check check -responses %s %s\n", *out, *out, flags.Arg(0))
		return 0
	}
	if *responses == "" {
		fmt.Fprintln(e.stderr, "adopt-check check: -responses is required")
		return 2
	}
	rs, err := adoptcheck.Open(*responses)
	if err != nil {
		fmt.Fprintf(e.stderr, "adopt-check check: %v\n", err)
		return 2
	}
	rep := adoptcheck.Check(res.Inventory, rs)
	if *asJSON {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return 1
		}
		fmt.Fprintf(e.stdout, "%s\n", b)
	} else {
		fmt.Fprint(e.stdout, rep.Text())
	}
	if rep.Refused() || *strict && len(rep.Unkept()) > 0 {
		return 1
	}
	return 0
}

// plan prints the commands collect runs.
func (e environment) plan(t adoptcheck.Targets) {
	fmt.Fprintln(e.stdout, "# round 1")
	for _, r := range collect.Plan(t) {
		e.printRead(r)
	}
	fmt.Fprintln(e.stdout, "# round 2: <...> is read from round 1's answers")
	for _, r := range collect.FollowUps(t, collect.Placeholders) {
		e.printRead(r)
	}
	fmt.Fprintln(e.stdout, "# and a DNS lookup of the instance endpoint -> "+adoptcheck.FileEndpointAddresses)
}

func (e environment) printRead(r collect.Read) {
	line := r.Command() + "  > " + r.File
	if r.Note != "" {
		line += "  # " + r.Note
	}
	fmt.Fprintln(e.stdout, line)
}

// collect runs both rounds and resolves the endpoint.
func (e environment) collect(ctx context.Context, t adoptcheck.Targets, out string) error {
	if err := collect.Run(ctx, collect.Plan(t), out, e.run); err != nil {
		return err
	}
	answers := collect.Recorded(out)
	if err := collect.Run(ctx, collect.FollowUps(t, answers), out, e.run); err != nil {
		return err
	}
	if ep := collect.Endpoint(answers); ep != "" {
		return collect.Resolve(ctx, out, ep, e.lookup)
	}
	return nil
}

// execRunner runs a command with the caller's environment (AWS_PROFILE).
func execRunner(ctx context.Context, args []string) ([]byte, []byte, error) {
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	// Buffers, not strings: collect clears the DATABASE_URL answer in place.
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return nil, nil, err
	}
	return stdout.Bytes(), stderr.Bytes(), err
}
