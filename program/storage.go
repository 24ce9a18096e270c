package program

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/config"
	"github.com/np-mrd/article-pipeline-infra/storage"
)

// bucketRefs are the stack's buckets, declared here or read from the shared stack.
type bucketRefs struct {
	// names and arns are keyed by role, for the buckets declared here and the
	// shared ones read from the owning stack.
	names map[string]pulumi.StringOutput
	arns  map[string]pulumi.StringOutput
	// envVars maps the application's variable to the bucket's name.
	envVars map[string]pulumi.StringOutput
	// backedUp lists the ARNs of buckets selected for AWS Backup, by role order.
	backedUp []pulumi.StringOutput
}

// declareStorage declares the stack's buckets in role order. A shared bucket (the
// Django static files) is read from the stack that owns it when one is named.
func declareStorage(ctx *pulumi.Context, s *config.Settings, shared *pulumi.StackReference,
	provider *aws.Provider) (*bucketRefs, error) {
	refs := &bucketRefs{names: map[string]pulumi.StringOutput{}, arns: map[string]pulumi.StringOutput{},
		envVars: map[string]pulumi.StringOutput{}}
	for _, role := range s.Buckets.Roles() {
		b := s.Buckets[role]
		if b.Shared && shared != nil {
			name := sharedMapEntry(shared, "bucketNames", role)
			refs.names[role], refs.envVars[b.EnvVar] = name, name
			refs.arns[role] = sharedMapEntry(shared, "bucketArns", role)
			continue
		}
		args := &storage.Args{Settings: b, Adopt: slices.Contains(s.Adopt.Buckets, role), Keep: s.Adopt.Keep,
			Create: s.Adopt.Create}
		bucket, err := storage.NewBucket(ctx, bucketName(role), args, pulumi.Provider(provider))
		if err != nil {
			return nil, fmt.Errorf("bucket %s: %w", role, err)
		}
		refs.names[role], refs.arns[role], refs.envVars[b.EnvVar] = bucket.BucketName, bucket.ARN, bucket.BucketName
		if b.Backup {
			refs.backedUp = append(refs.backedUp, bucket.ARN)
		}
	}
	return refs, nil
}

var upper = regexp.MustCompile(`[A-Z]`)

// kebab turns a config role (djangoStatic) into a logical-name part (django-static).
func kebab(role string) string {
	return strings.ToLower(upper.ReplaceAllStringFunc(role, func(u string) string { return "-" + u }))
}

// sharedMapEntry reads one entry of a map-valued output of the shared stack.
func sharedMapEntry(shared *pulumi.StackReference, output, key string) pulumi.StringOutput {
	return shared.GetOutput(pulumi.String(output)).ApplyT(func(v any) (string, error) {
		m, ok := v.(map[string]any)
		if !ok {
			return "", fmt.Errorf("shared stack output %s is %T, expected a map", output, v)
		}
		s, ok := m[key].(string)
		if !ok {
			return "", fmt.Errorf("shared stack output %s has no %q", output, key)
		}
		return s, nil
	}).(pulumi.StringOutput)
}

// stringMap turns a map of outputs into one map output.
func stringMap(m map[string]pulumi.StringOutput) pulumi.StringMapOutput {
	out := pulumi.StringMap{}
	for k, v := range m {
		out[k] = v
	}
	return out.ToStringMapOutput()
}

// accessLogBucket declares the bucket the load balancer writes its access
// logs to, or returns nil when the stack keeps none. A protected stack's
// bucket cannot be destroyed with its logs in it.
func accessLogBucket(ctx *pulumi.Context, s *config.Settings, provider *aws.Provider) (*storage.LogBucket, error) {
	if !s.AccessLogs.Enabled {
		return nil, nil
	}
	return storage.NewLogBucket(ctx, "access-logs", &storage.LogBucketArgs{
		AccessLogSettings: s.AccessLogs,
		ForceDestroy:      !s.Protect,
	}, pulumi.Provider(provider))
}
