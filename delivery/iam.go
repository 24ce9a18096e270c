package delivery

import (
	"maps"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/internal/awsiam"
)

// statement is one IAM policy statement; a nil resources means "*" and an empty
// effect means Allow.
type statement struct {
	sid        string
	effect     string
	actions    []string
	resources  pulumi.StringArrayInput
	conditions []condition
}

type condition struct {
	test, variable string
	values         pulumi.StringArrayInput
}

// document renders statements with the provider's policy-document data source.
func document(ctx *pulumi.Context, c *GitHubOIDC, sts []statement) pulumi.StringOutput {
	var out iam.GetPolicyDocumentStatementArray
	for _, s := range sts {
		st := iam.GetPolicyDocumentStatementArgs{
			Sid:       pulumi.String(s.sid),
			Actions:   pulumi.ToStringArray(s.actions),
			Resources: s.resources,
		}
		if s.resources == nil {
			st.Resources = pulumi.ToStringArray([]string{"*"})
		}
		if s.effect != "" {
			st.Effect = pulumi.String(s.effect)
		}
		var conds iam.GetPolicyDocumentStatementConditionArray
		for _, cond := range s.conditions {
			conds = append(conds, iam.GetPolicyDocumentStatementConditionArgs{
				Test: pulumi.String(cond.test), Variable: pulumi.String(cond.variable), Values: cond.values,
			})
		}
		if len(conds) > 0 {
			st.Conditions = conds
		}
		out = append(out, st)
	}
	return iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{Statements: out}, pulumi.Parent(c)).Json()
}

func strs(v ...string) pulumi.StringArrayInput { return pulumi.ToStringArray(v) }

// denyDataReads keeps ReadOnlyAccess's s3:GetObject away from the deposited
// data: neither preview nor up reads objects, only bucket settings.
func denyDataReads() statement {
	return statement{sid: "NoDataReads", effect: "Deny",
		actions: []string{"s3:GetObject", "s3:GetObjectVersion"}}
}

// A group of write statements for the services the program manages; reads come
// from ReadOnlyAccess. Why not broader: AdministratorAccess or service
// wildcards ("ec2:*") would let a change merged to the deploy branch touch
// anything in the account (Security Hub IAM.1, IAM.21); an action missing here
// shows up as AccessDenied naming it, and is added here by review.
type group struct {
	sid     string
	actions []string
	// global services (Route 53) take no region condition.
	global bool
}

// infrastructure and services are the deploy role's two customer managed
// policies, each limited to the stack's regions. They are split because the
// whole grant exceeds both the 6,144-character limit of one managed policy and
// the 10,240 of a role's inline policies.
var infrastructure = []group{
	{"Network", []string{
		"ec2:CreateVpc", "ec2:DeleteVpc", "ec2:ModifyVpcAttribute",
		"ec2:CreateSubnet", "ec2:DeleteSubnet", "ec2:ModifySubnetAttribute",
		"ec2:CreateInternetGateway", "ec2:DeleteInternetGateway", "ec2:AttachInternetGateway", "ec2:DetachInternetGateway",
		"ec2:CreateRouteTable", "ec2:DeleteRouteTable", "ec2:CreateRoute", "ec2:ReplaceRoute", "ec2:DeleteRoute",
		"ec2:AssociateRouteTable", "ec2:DisassociateRouteTable", "ec2:ReplaceRouteTableAssociation",
		"ec2:CreateVpcEndpoint", "ec2:ModifyVpcEndpoint", "ec2:DeleteVpcEndpoints",
		"ec2:CreateSecurityGroup", "ec2:DeleteSecurityGroup",
		"ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress",
		"ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress", "ec2:ModifySecurityGroupRules",
		"ec2:UpdateSecurityGroupRuleDescriptionsIngress", "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
		// The bastion instance (issue 3), managed through SSM, no key pair.
		"ec2:RunInstances", "ec2:TerminateInstances", "ec2:StartInstances", "ec2:StopInstances",
		"ec2:ModifyInstanceAttribute", "ec2:ModifyInstanceMetadataOptions",
		"ec2:AssociateIamInstanceProfile", "ec2:ReplaceIamInstanceProfileAssociation",
		"ec2:DisassociateIamInstanceProfile",
		"ec2:CreateTags", "ec2:DeleteTags",
	}, false},
	{"Database", []string{
		"rds:CreateDBInstance", "rds:ModifyDBInstance", "rds:DeleteDBInstance", "rds:RebootDBInstance",
		"rds:CreateDBSnapshot", // the final snapshot taken on delete
		"rds:CreateDBSubnetGroup", "rds:ModifyDBSubnetGroup", "rds:DeleteDBSubnetGroup",
		"rds:CreateDBParameterGroup", "rds:ModifyDBParameterGroup", "rds:ResetDBParameterGroup",
		"rds:DeleteDBParameterGroup",
		"rds:CreateDBProxy", "rds:ModifyDBProxy", "rds:DeleteDBProxy", "rds:ModifyDBProxyTargetGroup",
		"rds:RegisterDBProxyTargets", "rds:DeregisterDBProxyTargets",
		"rds:AddTagsToResource", "rds:RemoveTagsFromResource",
	}, false},
	// No s3:PutObject or s3:DeleteObject: a bucket holding data cannot be
	// emptied, hence not deleted, from CI.
	{"Buckets", []string{
		"s3:CreateBucket", "s3:DeleteBucket", "s3:PutBucketTagging",
		"s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketPublicAccessBlock",
		"s3:PutBucketOwnershipControls", "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration",
		"s3:PutLifecycleConfiguration",
	}, false},
	{"Parameters", []string{
		"ssm:PutParameter", "ssm:DeleteParameter", "ssm:DeleteParameters",
		"ssm:AddTagsToResource", "ssm:RemoveTagsFromResource",
	}, false},
	{"Backup", []string{
		"backup:CreateBackupVault", "backup:DeleteBackupVault",
		"backup:PutBackupVaultAccessPolicy", "backup:DeleteBackupVaultAccessPolicy",
		"backup:PutBackupVaultLockConfiguration", "backup:DeleteBackupVaultLockConfiguration",
		"backup:CreateBackupPlan", "backup:UpdateBackupPlan", "backup:DeleteBackupPlan",
		"backup:CreateBackupSelection", "backup:DeleteBackupSelection",
		"backup:TagResource", "backup:UntagResource",
		"backup-storage:MountCapsule", // CreateBackupVault needs it
	}, false},
}

var services = []group{
	{"Containers", []string{
		"ecs:CreateCluster", "ecs:UpdateCluster", "ecs:UpdateClusterSettings", "ecs:DeleteCluster",
		"ecs:PutClusterCapacityProviders",
		"ecs:RegisterTaskDefinition", "ecs:DeregisterTaskDefinition", "ecs:DeleteTaskDefinitions",
		"ecs:CreateService", "ecs:UpdateService", "ecs:DeleteService",
		"ecs:TagResource", "ecs:UntagResource",
		"application-autoscaling:RegisterScalableTarget", "application-autoscaling:DeregisterScalableTarget",
		"application-autoscaling:PutScalingPolicy", "application-autoscaling:DeleteScalingPolicy",
		"application-autoscaling:TagResource", "application-autoscaling:UntagResource",
		// Target tracking creates its alarms with the caller's rights.
		"cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:TagResource", "cloudwatch:UntagResource",
	}, false},
	{"LoadBalancer", []string{
		"elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:DeleteLoadBalancer",
		"elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:SetSecurityGroups",
		"elasticloadbalancing:SetSubnets",
		"elasticloadbalancing:CreateTargetGroup", "elasticloadbalancing:DeleteTargetGroup",
		"elasticloadbalancing:ModifyTargetGroup", "elasticloadbalancing:ModifyTargetGroupAttributes",
		"elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener",
		"elasticloadbalancing:ModifyListener", "elasticloadbalancing:ModifyListenerAttributes",
		"elasticloadbalancing:CreateRule", "elasticloadbalancing:DeleteRule", "elasticloadbalancing:ModifyRule",
		"elasticloadbalancing:SetRulePriorities",
		"elasticloadbalancing:AddListenerCertificates", "elasticloadbalancing:RemoveListenerCertificates",
		"elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags",
		"acm:RequestCertificate", "acm:DeleteCertificate", "acm:UpdateCertificateOptions",
		"acm:AddTagsToCertificate", "acm:RemoveTagsFromCertificate",
	}, false},
	{"Logs", []string{
		"logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy",
		"logs:TagResource", "logs:UntagResource", "logs:TagLogGroup", "logs:UntagLogGroup",
	}, false},
	// The alarm topic, its subscribers and Slack channel, the backup-job rules,
	// the web ACL with its association and log (WAF writes the log group's
	// resource policy with the caller's rights), and the VPC flow log.
	{"Observability", []string{
		"sns:CreateTopic", "sns:DeleteTopic", "sns:SetTopicAttributes", "sns:Subscribe", "sns:Unsubscribe",
		"sns:TagResource", "sns:UntagResource",
		"events:PutRule", "events:DeleteRule", "events:PutTargets", "events:RemoveTargets",
		"events:TagResource", "events:UntagResource",
		"chatbot:CreateSlackChannelConfiguration", "chatbot:UpdateSlackChannelConfiguration",
		"chatbot:DeleteSlackChannelConfiguration", "chatbot:TagResource", "chatbot:UntagResource",
		"wafv2:CreateWebACL", "wafv2:UpdateWebACL", "wafv2:DeleteWebACL",
		"wafv2:AssociateWebACL", "wafv2:DisassociateWebACL", "elasticloadbalancing:SetWebAcl",
		"wafv2:PutLoggingConfiguration", "wafv2:DeleteLoggingConfiguration", "wafv2:TagResource",
		"wafv2:UntagResource", "logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:PutResourcePolicy",
		"ec2:CreateFlowLogs", "ec2:DeleteFlowLogs",
	}, false},
	// Repositories, plus the image push the deploy job does before `pulumi up`.
	{"Images", []string{
		"ecr:CreateRepository", "ecr:DeleteRepository",
		"ecr:PutLifecyclePolicy", "ecr:DeleteLifecyclePolicy",
		"ecr:PutImageScanningConfiguration", "ecr:PutImageTagMutability",
		"ecr:SetRepositoryPolicy", "ecr:DeleteRepositoryPolicy",
		"ecr:TagResource", "ecr:UntagResource",
		"ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability",
		"ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage",
	}, false},
	// The services' DNS records and certificate validation records.
	{"Records", []string{"route53:ChangeResourceRecordSets"}, true},
}

// iamWrites are the changes up makes to the program's own roles, policies and
// instance profiles (task, execution, monitoring, backup, proxy and bastion
// roles). Creating and tagging are listed apart: tags are checked on the request.
var (
	iamCreates = []string{
		"iam:CreateRole", "iam:TagRole",
		"iam:CreatePolicy", "iam:TagPolicy",
		"iam:CreateInstanceProfile", "iam:TagInstanceProfile",
	}
	iamWrites = []string{
		"iam:DeleteRole", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy",
		"iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy",
		"iam:UntagRole",
		"iam:DeletePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion",
		"iam:UntagPolicy",
		"iam:DeleteInstanceProfile", "iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile",
		"iam:UntagInstanceProfile",
	}
	// passedTo are the services the program's roles are handed to.
	passedTo = []string{
		"backup.amazonaws.com",         // the backup selection's role
		"chatbot.amazonaws.com",        // the Slack channel's role
		"ec2.amazonaws.com",            // the bastion's instance profile
		"ecs-tasks.amazonaws.com",      // task and execution roles
		"monitoring.rds.amazonaws.com", // enhanced monitoring
		"rds.amazonaws.com",            // the RDS Proxy's secret-reading role
		"vpc-flow-logs.amazonaws.com",  // the flow log's delivery role
	}
	// serviceLinked are the service-linked roles a first deployment may create.
	serviceLinked = []string{
		"backup.amazonaws.com",
		"management.chatbot.amazonaws.com",
		"ecs.amazonaws.com",
		"ecs.application-autoscaling.amazonaws.com",
		"elasticloadbalancing.amazonaws.com",
		"rds.amazonaws.com",
	}
	// adminPolicies are AWS managed policies no role of this program needs.
	adminPolicies = []string{"AdministratorAccess", "IAMFullAccess", "PowerUserAccess"}
	// noLongLivedKeys are denied outright: CI never makes users or keys (the
	// runbook's access keys are what this package replaces).
	noLongLivedKeys = []string{
		"iam:CreateUser", "iam:CreateAccessKey", "iam:UpdateAccessKey", "iam:CreateLoginProfile",
		"iam:UpdateLoginProfile", "iam:CreateServiceSpecificCredential", "iam:UploadSSHPublicKey",
	}
	// deliveryWrites are the changes nobody but an administrator makes to the
	// delivery roles: a deploy that could widen its own trust or rights would
	// make every other limit here moot.
	deliveryWrites = []string{
		"iam:DeleteRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy",
		"iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy",
		"iam:PutRolePermissionsBoundary", "iam:DeleteRolePermissionsBoundary",
		"iam:TagRole", "iam:UntagRole", "iam:PassRole",
	}
	// otherStacks are the changes one stack's role may not make to another
	// stack's resources when both share an account: retagging a role or policy
	// (which would make it this stack's) and changing or deleting a database.
	otherStacks = []string{
		"iam:TagRole", "iam:UntagRole", "iam:TagPolicy", "iam:UntagPolicy",
		"iam:TagInstanceProfile", "iam:UntagInstanceProfile",
		"rds:DeleteDBInstance", "rds:ModifyDBInstance", "rds:RebootDBInstance",
	}
)

// regionCondition limits a statement to the stack's regions.
func regionCondition(regions []string) condition {
	return condition{"StringEquals", "aws:RequestedRegion", strs(regions...)}
}

// groupStatements renders groups as statements limited to the stack's regions.
func groupStatements(groups []group, regions []string) []statement {
	var out []statement
	for _, g := range groups {
		st := statement{sid: g.sid, actions: g.actions}
		if !g.global {
			st.conditions = []condition{regionCondition(regions)}
		}
		out = append(out, st)
	}
	return out
}

// protected are the delivery resources the deploy role may not change.
type protected struct {
	roles, policies pulumi.StringArray
	provider        pulumi.StringOutput
}

// guardStatements is the deploy role's inline policy: IAM changes limited to
// resources tagged as this stack's, and the denies that keep the role from
// widening its own rights or touching another stack's. What it cannot prevent,
// said plainly: a role that may create task roles and services can run code
// with any rights it gives that task role, so a change merged to the deploy
// branch (development) or approved in the prod environment is trusted; a
// permissions boundary on every role the program creates would close that, and
// is not in place yet.
func guardStatements(args *Args, partition pulumi.StringOutput, own protected) []statement {
	regions := regionCondition(args.Regions)
	var out []statement
	keys := slices.Sorted(maps.Keys(args.ResourceTags))
	tagged := func(prefix string) []condition {
		var cs []condition
		for _, k := range keys {
			cs = append(cs, condition{"StringEquals", prefix + k, strs(args.ResourceTags[k])})
		}
		return cs
	}
	out = append(out,
		statement{sid: "CreateOwnRoles", actions: iamCreates, conditions: tagged("aws:RequestTag/")},
		statement{sid: "ChangeOwnRoles", actions: iamWrites, conditions: tagged("aws:ResourceTag/")},
		statement{sid: "PassOwnRoles", actions: []string{"iam:PassRole"},
			conditions: append(tagged("aws:ResourceTag/"),
				condition{"StringEquals", "iam:PassedToService", strs(passedTo...)})},
		statement{sid: "ServiceLinkedRoles", actions: []string{"iam:CreateServiceLinkedRole"},
			conditions: []condition{{"StringEquals", "iam:AWSServiceName", strs(serviceLinked...)}}},
		// The RDS Proxy's credentials secret; up reads it back after writing it.
		statement{sid: "CreateOwnSecrets", actions: []string{"secretsmanager:CreateSecret", "secretsmanager:TagResource"},
			conditions: append(tagged("aws:RequestTag/"), regions)},
		statement{sid: "ChangeOwnSecrets", actions: []string{
			"secretsmanager:PutSecretValue", "secretsmanager:UpdateSecret", "secretsmanager:GetSecretValue",
			"secretsmanager:DeleteSecret", "secretsmanager:UntagResource",
		}, conditions: append(tagged("aws:ResourceTag/"), regions)},
	)

	var admin pulumi.StringArray
	for _, p := range adminPolicies {
		admin = append(admin, awsiam.ManagedPolicyARN(partition, p))
	}
	out = append(out,
		statement{sid: "NoAdminPolicies", effect: "Deny", actions: []string{"iam:AttachRolePolicy"},
			conditions: []condition{{"ArnEquals", "iam:PolicyARN", admin}}},
		statement{sid: "NoLongLivedKeys", effect: "Deny", actions: noLongLivedKeys},
		statement{sid: "ProtectDeliveryRoles", effect: "Deny", actions: deliveryWrites, resources: own.roles},
		statement{sid: "ProtectDeliveryPolicies", effect: "Deny", actions: []string{
			"iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicy",
			"iam:TagPolicy", "iam:UntagPolicy",
		}, resources: own.policies},
		statement{sid: "ProtectProvider", effect: "Deny", actions: []string{
			"iam:DeleteOpenIDConnectProvider", "iam:UpdateOpenIDConnectProviderThumbprint",
			"iam:AddClientIDToOpenIDConnectProvider", "iam:RemoveClientIDFromOpenIDConnectProvider",
			"iam:TagOpenIDConnectProvider", "iam:UntagOpenIDConnectProvider",
		}, resources: pulumi.StringArray{own.provider}},
		denyDataReads(),
	)
	// One Deny per tag: a resource that carries the tag with another value
	// belongs to another stack (an untagged one, such as a resource being
	// adopted, is left to the Allows above).
	for _, k := range keys {
		other := []condition{
			{"StringNotEquals", "aws:ResourceTag/" + k, strs(args.ResourceTags[k])},
			{"Null", "aws:ResourceTag/" + k, strs("false")},
		}
		out = append(out, statement{sid: "KeepOtherStacks" + sidSuffix(k), effect: "Deny",
			actions: otherStacks, conditions: other})
	}
	return out
}

// sidSuffix makes a tag key usable in a Sid (letters and digits only).
func sidSuffix(k string) string {
	out := make([]byte, 0, len(k))
	upper := true
	for _, b := range []byte(k) {
		switch {
		case b >= 'a' && b <= 'z':
			if upper {
				b -= 'a' - 'A'
			}
			out = append(out, b)
			upper = false
		case b >= 'A' && b <= 'Z' || b >= '0' && b <= '9':
			out = append(out, b)
			upper = false
		default:
			upper = true
		}
	}
	return string(out)
}

// TunnelDocument is the only Session Manager document the roles may start: a
// port forward through the bastion to a remote host (the database), never a
// shell on the bastion.
const TunnelDocument = "AWS-StartPortForwardingSessionToRemoteHost"

// tunnelStatements let a role open the database tunnel that the deploy and
// drift jobs open themselves (issue 10; .github/scripts/db-tunnel.sh): an SSM
// port forward through this stack's bastion to its database, so that the
// postgresql provider reaches the private endpoint from a GitHub runner. Both
// roles get them: the deploy job runs `up`, the nightly drift check runs
// `preview --refresh` with the preview role, and both read the bootstrap's
// role and database.
//
//   - StartSession on EC2 instances only when they carry this stack's tags (the
//     provider's default tags: app and environment; in a stack only the bastion
//     is an EC2 instance), with the document check on: a request that names no
//     document would start the default shell document, which is not allowed, so
//     the role gets a port forward and never a shell.
//   - StartSession on the port-forward document, the second resource every
//     StartSession is authorized against.
//   - OpenDataChannel, the websocket of a session; it takes the token that only
//     an allowed StartSession returns.
//   - TerminateSession and ResumeSession (the plugin resumes a session whose
//     websocket dropped) on the role's own sessions: Session Manager tags each
//     session with aws:ssmmessages:session-id = the caller's role-id:session-name,
//     which is ${aws:userid} for an assumed role (AWS's "Allow a user to end
//     only sessions they started", method 2; the session/${aws:username}-*
//     resource pattern of method 1 works for IAM users only).
//
// Why this much: the pull-request previews also assume the preview role, so
// any branch pushed to the repository can open this port forward; it still
// needs the database's credentials, which are in the Pulumi state that the
// same jobs already read.
func tunnelStatements(ctx *pulumi.Context, c *GitHubOIDC, args *Args, partition pulumi.StringOutput) []statement {
	account := aws.GetCallerIdentityOutput(ctx, aws.GetCallerIdentityOutputArgs{}, pulumi.Parent(c)).AccountId()
	var instances, documents, sessions pulumi.StringArray
	for _, r := range args.Regions {
		instances = append(instances, pulumi.Sprintf("arn:%s:ec2:%s:%s:instance/*", partition, r, account))
		documents = append(documents, pulumi.Sprintf("arn:%s:ssm:%s::document/%s", partition, r, TunnelDocument))
		sessions = append(sessions, pulumi.Sprintf("arn:%s:ssm:%s:%s:session/*", partition, r, account))
	}
	var onBastion []condition
	for _, k := range slices.Sorted(maps.Keys(args.ResourceTags)) {
		onBastion = append(onBastion, condition{"StringEquals", "ssm:resourceTag/" + k, strs(args.ResourceTags[k])})
	}
	onBastion = append(onBastion, condition{"BoolIfExists", "ssm:SessionDocumentAccessCheck", strs("true")})
	return []statement{
		{sid: "TunnelStartOnBastion", actions: []string{"ssm:StartSession"}, resources: instances, conditions: onBastion},
		{sid: "TunnelPortForwardDocument", actions: []string{"ssm:StartSession"}, resources: documents},
		{sid: "TunnelDataChannel", actions: []string{"ssmmessages:OpenDataChannel"}, resources: sessions},
		{sid: "TunnelOwnSessions", actions: []string{"ssm:TerminateSession", "ssm:ResumeSession"}, resources: sessions,
			conditions: []condition{{"StringLike", "ssm:resourceTag/aws:ssmmessages:session-id", strs("${aws:userid}")}}},
	}
}
