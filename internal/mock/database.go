package mock

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Answers for the database and bastion packages: the SSM public parameters that
// name the latest Amazon Linux AMIs, and the computed outputs of the RDS Proxy's
// target group and Secrets Manager secrets.
func init() {
	extraInvokes["aws:ssm/getParameter:getParameter"] = func(args map[string]any, region string) (map[string]any, error) {
		name, _ := args["name"].(string)
		if name == "" {
			return nil, fmt.Errorf("name is required")
		}
		value := "value-" + hash(name)[:12]
		if strings.HasPrefix(name, "/aws/service/ami-") {
			value = "ami-" + hash(region + name)[:17]
		}
		return map[string]any{
			"id": name, "name": name, "value": value, "insecureValue": value, "type": "String", "version": 1.0,
			"withDecryption": true,
			"arn":            fmt.Sprintf("arn:aws:ssm:%s:%s:parameter/%s", region, Account, strings.TrimPrefix(name, "/")),
		}, nil
	}
	extraComputed["aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup"] = func(in resource.PropertyMap,
		h, region string, set func(string, any)) (string, string) {
		// The default target group is always named "default".
		set("name", "default")
		proxy := str(in, "dbProxyName", "proxy")
		return proxy, fmt.Sprintf("arn:aws:rds:%s:%s:target-group:prx-tg-%s", region, Account, h[:17])
	}
	extraComputed["aws:secretsmanager/secret:Secret"] = func(in resource.PropertyMap, h, region string,
		set func(string, any)) (string, string) {
		name := str(in, "name", "secret-"+h[:7])
		if _, given := in["name"]; !given {
			set("name", name)
		}
		arn := fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-%s", region, Account, name, h[:6])
		return arn, arn
	}
}
