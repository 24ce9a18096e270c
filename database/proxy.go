package database

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/internal/awsiam"
	"github.com/np-mrd/article-pipeline-infra/internal/sgrule"
)

// proxySuffix turns the instance identifier into the proxy's name.
const proxySuffix = "-proxy"

// proxyLogin is one database user the proxy accepts: RDS Proxy reads each user's
// credentials from a Secrets Manager secret.
type proxyLogin struct {
	role     string // names the secret: master or app
	user     pulumi.StringOutput
	password pulumi.StringInput
}

// proxySecret is the secret body RDS Proxy expects.
type proxySecret struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// newProxy puts an RDS Proxy in front of the instance (the runbook connects
// through one). The proxy shares the database security group, so every granted
// source reaches both; the group admits itself on the port, and is allowed out to
// itself, for proxy-to-instance traffic. Clients must use TLS.
func newProxy(ctx *pulumi.Context, name string, args *Args, instance *rds.Instance, sg *ec2.SecurityGroup,
	logins []proxyLogin, parent pulumi.ResourceOrInvokeOption) (pulumi.StringOutput, error) {
	none := pulumi.StringOutput{}
	self := sgrule.TCP{Group: sg.ID(), Description: "PostgreSQL from the RDS Proxy", Port: args.Port, Peer: sg.ID()}
	if _, err := sgrule.Ingress(ctx, name+"-proxy-ingress", self, parent); err != nil {
		return none, err
	}
	self.Description = "RDS Proxy to the instance"
	if _, err := sgrule.Egress(ctx, name+"-proxy-egress", self, parent); err != nil {
		return none, err
	}

	var secretARNs pulumi.StringArray
	var auths rds.ProxyAuthArray
	var deps []pulumi.Resource
	for _, l := range logins {
		secret, err := secretsmanager.NewSecret(ctx, name+"-proxy-"+l.role+"-secret", &secretsmanager.SecretArgs{
			Description: pulumi.String("RDS Proxy login for the article-pipeline database (" + l.role + " user)"),
		}, parent)
		if err != nil {
			return none, err
		}
		body := pulumi.All(l.user, l.password).ApplyT(func(v []any) (string, error) {
			b, err := json.Marshal(proxySecret{Username: v[0].(string), Password: v[1].(string)})
			return string(b), err
		}).(pulumi.StringOutput)
		version, err := secretsmanager.NewSecretVersion(ctx, name+"-proxy-"+l.role+"-secret-value",
			&secretsmanager.SecretVersionArgs{
				SecretId:     secret.ID(),
				SecretString: pulumi.ToSecret(body).(pulumi.StringOutput),
			}, parent)
		if err != nil {
			return none, err
		}
		secretARNs = append(secretARNs, secret.Arn)
		deps = append(deps, version)
		auths = append(auths, rds.ProxyAuthArgs{
			AuthScheme:             pulumi.String("SECRETS"),
			SecretArn:              secret.Arn,
			IamAuth:                pulumi.String("DISABLED"),
			ClientPasswordAuthType: pulumi.String("POSTGRES_SCRAM_SHA_256"),
			Description:            pulumi.String(l.role + " user"),
		})
	}

	role, err := awsiam.NewServiceRole(ctx, name+"-proxy-role", "rds.amazonaws.com",
		"RDS Proxy reads the article-pipeline database logins", parent)
	if err != nil {
		return none, err
	}
	// Only these secrets; they use the AWS-managed key, which needs no KMS grant.
	policy, err := awsiam.NewRolePolicy(ctx, name+"-proxy-policy", role.Name,
		iam.GetPolicyDocumentStatementArray{iam.GetPolicyDocumentStatementArgs{
			Actions:   pulumi.ToStringArray([]string{"secretsmanager:GetSecretValue"}),
			Resources: secretARNs,
		}}, parent)
	if err != nil {
		return none, err
	}
	deps = append(deps, policy)

	proxy, err := rds.NewProxy(ctx, name+"-proxy", &rds.ProxyArgs{
		Name:                pulumi.String(args.Identifier + proxySuffix),
		EngineFamily:        pulumi.String("POSTGRESQL"),
		RequireTls:          pulumi.Bool(true),
		RoleArn:             role.Arn,
		VpcSubnetIds:        args.SubnetIDs,
		VpcSecurityGroupIds: pulumi.StringArray{sg.ID().ToStringOutput()},
		Auths:               auths,
	}, parent, pulumi.DependsOn(deps))
	if err != nil {
		return none, err
	}
	targets, err := rds.NewProxyDefaultTargetGroup(ctx, name+"-proxy-targets", &rds.ProxyDefaultTargetGroupArgs{
		DbProxyName: proxy.Name,
	}, parent)
	if err != nil {
		return none, err
	}
	_, err = rds.NewProxyTarget(ctx, name+"-proxy-target", &rds.ProxyTargetArgs{
		DbProxyName:          proxy.Name,
		TargetGroupName:      targets.Name,
		DbInstanceIdentifier: instance.Identifier,
	}, parent)
	if err != nil {
		return none, fmt.Errorf("target: %w", err)
	}
	return proxy.Endpoint, nil
}
