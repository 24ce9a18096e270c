package program

import (
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/config"
	"github.com/np-mrd/article-pipeline-infra/parameters"
)

// declareParameters declares the stack's SSM SecureString parameters under the
// Copilot path: the configured application secrets plus the generated ones
// (DATABASE_URL). It returns nil when the stack has none.
func declareParameters(ctx *pulumi.Context, s *config.Settings, generated map[string]pulumi.StringOutput,
	provider *aws.Provider) (*parameters.Store, error) {
	if len(s.Parameters.Values) == 0 && len(generated) == 0 {
		return nil, nil
	}
	args := &parameters.Args{
		Application: s.Application,
		Environment: s.Environment,
		PathPrefix:  s.Parameters.Path,
		Values:      map[string]pulumi.StringInput{},
		Import:      map[string]bool{},
		Keep:        s.Adopt.Keep,
	}
	for name, value := range s.Parameters.Values {
		if value == parameters.Empty {
			args.Empty = append(args.Empty, name)
			continue
		}
		args.Values[name] = pulumi.ToSecret(pulumi.String(value)).(pulumi.StringOutput)
	}
	slices.Sort(args.Empty)
	for name, value := range generated {
		args.Values[name] = value
	}
	for _, name := range s.Adopt.Parameters {
		args.Import[name] = true
	}
	return parameters.NewStore(ctx, "parameters", args, pulumi.Provider(provider))
}
