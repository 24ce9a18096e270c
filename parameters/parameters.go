// Package parameters owns the SSM Parameter Store entries the services read as
// secrets, following the runbook's Copilot convention: SecureString parameters
// named /copilot/<application>/<environment>/secrets/<NAME>, tagged with
// copilot-application and copilot-environment. It takes each NAME's secret value
// (from secret config, or from another component such as the database's
// DATABASE_URL) and returns each parameter's name, ARN and version.
package parameters

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ssm"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/internal/adopt"
	"github.com/np-mrd/article-pipeline-infra/internal/component"
)

const typeToken = "article-pipeline:parameters:Store"

// Empty is the value stored for a parameter declared empty in an environment.
// Parameter Store rejects empty strings, so the runbook stores the string "None",
// which the application treats as undefined.
const Empty = "None"

// Store is one environment's set of Copilot-convention SSM parameters.
type Store struct {
	pulumi.ResourceState

	// Names maps each NAME to its full parameter name (/copilot/app/env/secrets/NAME).
	Names pulumi.StringMapOutput `pulumi:"names"`
	// ARNs maps each NAME to its parameter ARN, for a task definition's
	// secrets[].valueFrom and for the execution role's ssm:GetParameters grant.
	ARNs pulumi.StringMapOutput `pulumi:"arns"`
	// Versions maps each NAME to the parameter's version: it changes whenever the
	// value does, so services can roll on a digest of it (the runbook: containers
	// must be redeployed to see a new value).
	Versions pulumi.IntMapOutput `pulumi:"versions"`

	arns map[string]pulumi.StringOutput
}

// Args declares one environment's parameters.
type Args struct {
	// Application is the Copilot application name (article-pipeline).
	Application string
	// Environment is the Copilot environment name (development, prod).
	Environment string
	// PathPrefix is the path before the application, "/copilot" for Copilot.
	PathPrefix string
	// Values maps each NAME (the environment variable the service sees) to its
	// secret value. Every value is stored secret.
	Values map[string]pulumi.StringInput
	// Empty lists the NAMEs declared empty for this environment; each is stored
	// as the string Empty ("None").
	Empty []string
	// Import lists the NAMEs whose parameter already exists (made in the console
	// or by `copilot secret init`); it is adopted (import ID = its name) instead
	// of created, retained on delete, and its value is then updated in place
	// unless Keep keeps it.
	Import map[string]bool
	// Keep is article-pipeline:adopt.keep.
	Keep adopt.Keep
}

const parameterType = "aws:ssm/parameter:Parameter"

// Imported lists the parameters the store named name imports, one per NAME.
func Imported(name string, names []string) []adopt.Resource {
	var out []adopt.Resource
	for _, n := range slices.Sorted(slices.Values(names)) {
		out = append(out, adopt.Of(parameterType, name+"-"+n, ssm.ParameterArgs{}))
	}
	return out
}

// Name returns the full parameter name for NAME under the Copilot convention:
// <prefix>/<application>/<environment>/secrets/<NAME>.
func Name(prefix, application, environment, name string) string {
	return strings.Join([]string{prefix, application, environment, "secrets", name}, "/")
}

func (a *Args) check() error {
	if a == nil {
		return errors.New("parameters: args are required")
	}
	var errs []error
	for _, f := range []struct{ field, v string }{{"Application", a.Application}, {"Environment", a.Environment}} {
		if !segmentPattern.MatchString(f.v) {
			errs = append(errs, fmt.Errorf("parameters: %s %q is not a parameter path segment", f.field, f.v))
		}
	}
	if !strings.HasPrefix(a.PathPrefix, "/") || strings.HasSuffix(a.PathPrefix, "/") {
		errs = append(errs, fmt.Errorf("parameters: PathPrefix %q must start with / and not end with /", a.PathPrefix))
	}
	declared := map[string]bool{}
	for _, n := range slices.Sorted(maps.Keys(a.Values)) {
		if a.Values[n] == nil {
			errs = append(errs, fmt.Errorf("parameters: %s has no value; list it in Empty to store %q", n, Empty))
		}
		declared[n] = true
	}
	for i, n := range a.Empty {
		switch {
		case a.Values[n] != nil:
			errs = append(errs, fmt.Errorf("parameters: %s is both given a value and declared empty", n))
		case slices.Contains(a.Empty[:i], n):
			errs = append(errs, fmt.Errorf("parameters: %s is declared empty twice", n))
		}
		declared[n] = true
	}
	for _, n := range slices.Sorted(maps.Keys(declared)) {
		if !namePattern.MatchString(n) {
			errs = append(errs, fmt.Errorf("parameters: %q is not a valid name; expected letters, digits and _", n))
		}
	}
	for _, n := range slices.Sorted(maps.Keys(a.Import)) {
		if a.Import[n] && !declared[n] {
			errs = append(errs, fmt.Errorf("parameters: %s is to be imported but not declared", n))
		}
	}
	return errors.Join(errs...)
}

// NewStore declares one SecureString parameter per NAME, in sorted order.
func NewStore(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Store, error) {
	c, parent, err := component.New[Store](ctx, typeToken, name, args.check(), opts...)
	if err != nil {
		return nil, err
	}
	c.arns = map[string]pulumi.StringOutput{}

	values := map[string]pulumi.StringInput{}
	for n, v := range args.Values {
		values[n] = v
	}
	for _, n := range args.Empty {
		values[n] = pulumi.String(Empty)
	}

	names, arns, versions := pulumi.StringMap{}, pulumi.StringMap{}, pulumi.IntMap{}
	for _, n := range slices.Sorted(maps.Keys(values)) {
		full := Name(args.PathPrefix, args.Application, args.Environment, n)
		popts := []pulumi.ResourceOption{parent}
		if args.Import[n] {
			// The import ID of an SSM parameter is its name.
			popts = append(popts, adopt.Options(full, false, args.Keep, parameterType, name+"-"+n)...)
		}
		p, err := ssm.NewParameter(ctx, name+"-"+n, &ssm.ParameterArgs{
			Name: pulumi.String(full),
			// The runbook: every entry MUST be a SecureString; the default key
			// (alias/aws/ssm) is fine, so no KeyId.
			Type:  ssm.ParameterTypeSecureString,
			Value: pulumi.ToSecret(values[n]).(pulumi.StringOutput),
			// The runbook: without these two tags Copilot's execution role cannot
			// read the parameter (its policy conditions on them).
			Tags: pulumi.StringMap{
				"copilot-application": pulumi.String(args.Application),
				"copilot-environment": pulumi.String(args.Environment),
			},
		}, popts...)
		if err != nil {
			return nil, fmt.Errorf("parameters: %s: %w", n, err)
		}
		names[n] = p.Name
		arns[n] = p.Arn
		versions[n] = p.Version
		c.arns[n] = p.Arn
	}

	c.Names = names.ToStringMapOutput()
	c.ARNs = arns.ToStringMapOutput()
	c.Versions = versions.ToIntMapOutput()
	return c, component.RegisterOutputs(ctx, c)
}

// ARN returns the ARN of the parameter for NAME, and whether it is declared
// (a stack without parameters has a nil Store).
func (s *Store) ARN(name string) (pulumi.StringOutput, bool) {
	if s == nil {
		return pulumi.StringOutput{}, false
	}
	a, ok := s.arns[name]
	return a, ok
}

// Declared returns the declared NAMEs, sorted.
func (s *Store) Declared() []string {
	return slices.Sorted(maps.Keys(s.arns))
}
