package mock

import "fmt"

// The services package's data sources: the interface endpoint services that
// private tasks reach AWS through.
func init() {
	extraInvokes["aws:ec2/getVpcEndpointService:getVpcEndpointService"] = func(args map[string]any,
		region string) (map[string]any, error) {
		svc, _ := args["service"].(string)
		if svc == "" {
			return nil, fmt.Errorf("only lookups by service are mocked")
		}
		typ, _ := args["serviceType"].(string)
		if typ == "" {
			typ = "Interface"
		}
		name := fmt.Sprintf("com.amazonaws.%s.%s", region, svc)
		return map[string]any{
			"id":                         name,
			"service":                    svc,
			"serviceName":                name,
			"serviceType":                typ,
			"serviceId":                  "vpce-svc-" + hash(name)[:17],
			"owner":                      "amazon",
			"privateDnsName":             svc + "." + region + ".amazonaws.com",
			"availabilityZones":          []any{region + "a", region + "b"},
			"acceptanceRequired":         false,
			"vpcEndpointPolicySupported": true,
		}, nil
	}
}
