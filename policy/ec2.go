package policy

import (
	"fmt"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

func ec2Rules() []Rule {
	return []Rule{{
		ID: "EC2.2", Severity: Mandatory, Applies: ofType(typeVpc, typeDefaultSG),
		Description: "the default security group of every VPC is managed and allows no traffic",
		Check: func(g *Graph, r inventory.Resource) (bool, string) {
			if r.Type == typeVpc {
				// The inventory holds no VPC IDs, so count: one managed default group per VPC.
				vpcs, sgs := len(g.Inventory.OfType(typeVpc)), len(g.Inventory.OfType(typeDefaultSG))
				if sgs < vpcs {
					return false, fmt.Sprintf("%d VPC(s) but %d managed default security group(s); the default "+
						"group keeps AWS's allow-all rules unless it is managed", vpcs, sgs)
				}
				return true, "its default security group is managed in this stack"
			}
			for _, dir := range []string{"ingress", "egress"} {
				if n := len(list(r.Get(dir))); n > 0 {
					return false, fmt.Sprintf("%s has %d rule(s); expected none", dir, n)
				}
			}
			return true, "no ingress and no egress rules"
		},
	}}
}
