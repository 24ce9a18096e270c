package program

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/config"
	"github.com/np-mrd/article-pipeline-infra/waf"
)

// declareWAF puts the web ACL in front of the stack's load balancer. It
// returns nil when the WAF is off or the stack has no load balancer.
func declareWAF(ctx *pulumi.Context, s *config.Settings, web *webRefs, provider *aws.Provider) (*waf.WebACL, error) {
	if !s.WAF.Enabled || web == nil {
		return nil, nil
	}
	return waf.NewWebACL(ctx, "waf", &waf.Args{
		Settings:        s.WAF,
		NamePrefix:      namePrefix(s),
		LoadBalancerARN: web.platform.LoadBalancerARN,
	}, pulumi.Provider(provider))
}
