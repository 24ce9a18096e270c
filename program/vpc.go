package program

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/config"
	"github.com/np-mrd/article-pipeline-infra/vpc"
)

// networkRefs is the network every other component is placed in, whether this
// stack declared it or reads it from the stack that owns it.
type networkRefs struct {
	vpcID            pulumi.StringOutput
	vpcCIDR          pulumi.StringOutput
	publicSubnetIDs  pulumi.StringArrayOutput
	privateSubnetIDs pulumi.StringArrayOutput
	// flowLogGroupName is the flow log's group when this stack owns the VPC
	// and records it (unset otherwise).
	flowLogGroupName pulumi.StringOutput
}

// declareVPC creates (or adopts) the VPC, or reads the shared one: the
// runbook runs development and prod in one VPC, owned by prod.
func declareVPC(ctx *pulumi.Context, s *config.Settings, shared *pulumi.StackReference,
	provider *aws.Provider) (*networkRefs, error) {
	if shared != nil {
		return &networkRefs{
			vpcID:            shared.GetStringOutput(pulumi.String("vpcId")),
			vpcCIDR:          shared.GetStringOutput(pulumi.String("vpcCidr")),
			publicSubnetIDs:  stringArray(shared.GetOutput(pulumi.String("publicSubnetIds"))),
			privateSubnetIDs: stringArray(shared.GetOutput(pulumi.String("privateSubnetIds"))),
		}, nil
	}
	if !s.Network.Enabled {
		return nil, nil
	}
	// AWS's own list of the region's zones (the config checked a table of them
	// offline): a configured zone the account cannot use stops the program here,
	// before the network is declared.
	available, err := aws.GetAvailabilityZones(ctx, &aws.GetAvailabilityZonesArgs{
		State: pulumi.StringRef("available"),
	}, pulumi.Provider(provider))
	if err != nil {
		return nil, fmt.Errorf("looking up availability zones: %w", err)
	}
	zones := s.Network.AvailabilityZones
	var unavailable []error
	for i, z := range zones {
		if !slices.Contains(available.Names, z) {
			unavailable = append(unavailable, fmt.Errorf("%s:network.availabilityZones[%d]: %q is not an available "+
				"zone of %s in this account; AWS lists %s", config.Namespace, i, z, s.Region,
				strings.Join(available.Names, ", ")))
		}
	}
	if err := errors.Join(unavailable...); err != nil {
		return nil, err
	}
	if len(zones) == 0 {
		want := len(s.Network.PublicSubnets)
		if len(available.Names) < want {
			return nil, fmt.Errorf("%s:network.publicSubnets: %d subnets need %d zones; region %s offers %d",
				config.Namespace, want, want, s.Region, len(available.Names))
		}
		zones = available.Names[:want]
	}
	args := &vpc.Args{Settings: s.Network, Region: s.Region}
	args.AvailabilityZones = zones
	if ids := s.Adopt.Network; ids != nil {
		args.ProtectImported = s.Protect
		args.Import = ids
		args.Keep = s.Adopt.Keep
	}
	n, err := vpc.NewNetwork(ctx, "network", args, pulumi.Provider(provider))
	if err != nil {
		return nil, err
	}
	refs := &networkRefs{
		vpcID:            n.VpcID.ToStringOutput(),
		vpcCIDR:          n.VpcCIDR,
		publicSubnetIDs:  n.PublicSubnetIDs,
		privateSubnetIDs: n.PrivateSubnetIDs,
	}
	if s.Network.FlowLogs.Enabled {
		refs.flowLogGroupName = n.FlowLogGroupName
	}
	return refs, nil
}

// stringArray reads a list-valued stack reference output.
func stringArray(o pulumi.AnyOutput) pulumi.StringArrayOutput {
	return o.ApplyT(func(v any) ([]string, error) {
		list, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("stack reference output is %T, expected a list", v)
		}
		out := make([]string, len(list))
		for i, e := range list {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("stack reference output element %d is %T, expected a string", i, e)
			}
			out[i] = s
		}
		return out, nil
	}).(pulumi.StringArrayOutput)
}
