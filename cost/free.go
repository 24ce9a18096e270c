package cost

// freeTypes are the resource types AWS does not bill by themselves, each with
// the reason: either nothing is billed for them, or what they cause is priced
// on another resource's line. A type neither here nor in rules is "not priced".
var freeTypes = map[string]string{
	// IAM and identity.
	"aws:iam/role:Role":                                   "IAM is free",
	"aws:iam/rolePolicy:RolePolicy":                       "IAM is free",
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment":   "IAM is free",
	"aws:iam/policy:Policy":                               "IAM is free",
	"aws:iam/instanceProfile:InstanceProfile":             "IAM is free",
	"aws:iam/openIdConnectProvider:OpenIdConnectProvider": "IAM is free",
	"aws:iam/serviceLinkedRole:ServiceLinkedRole":         "IAM is free",

	// The network's structure (addresses, NAT and endpoints are priced).
	"aws:ec2/vpc:Vpc":                                             "a VPC is free",
	"aws:ec2/subnet:Subnet":                                       "subnets are free",
	"aws:ec2/internetGateway:InternetGateway":                     "an internet gateway is free (its traffic is data transfer)",
	"aws:ec2/routeTable:RouteTable":                               "route tables are free",
	"aws:ec2/route:Route":                                         "routes are free",
	"aws:ec2/routeTableAssociation:RouteTableAssociation":         "route tables are free",
	"aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation": "route tables are free",
	"aws:ec2/securityGroup:SecurityGroup":                         "security groups are free",
	"aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":           "security groups are free",
	"aws:ec2/securityGroupRule:SecurityGroupRule":                 "security groups are free",
	"aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":   "security groups are free",
	"aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule":     "security groups are free",
	"aws:ec2/networkAcl:NetworkAcl":                               "network ACLs are free",
	"aws:ec2/defaultNetworkAcl:DefaultNetworkAcl":                 "network ACLs are free",

	// Load balancing: listeners, rules and target groups are part of the load
	// balancer's hours and LCUs (a rule on another stack's listener adds rule
	// evaluations to that load balancer, billed in that stack's LCUs).
	"aws:lb/listener:Listener":                                     "billed in the load balancer's hours and LCUs",
	"aws:lb/listenerRule:ListenerRule":                             "billed in the load balancer's LCUs",
	"aws:lb/listenerCertificate:ListenerCertificate":               "billed in the load balancer's hours",
	"aws:lb/targetGroup:TargetGroup":                               "billed in the load balancer's hours and LCUs",
	"aws:lb/targetGroupAttachment:TargetGroupAttachment":           "billed in the load balancer's hours and LCUs",
	"aws:acm/certificate:Certificate":                              "public ACM certificates are free",
	"aws:acm/certificateValidation:CertificateValidation":          "public ACM certificates are free",
	"aws:wafv2/webAclAssociation:WebAclAssociation":                "billed in the web ACL's line",
	"aws:wafv2/ruleGroup:RuleGroup":                                "billed as one rule of each web ACL that uses it",
	"aws:route53/record:Record":                                    "records are free; the hosted zone and queries are priced",
	"aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": "billed as its Route 53 zone (not declared here)",

	// ECS: the cluster itself is free (its Container Insights are priced on the
	// cluster's line), task definitions are priced through their services.
	"aws:ecs/taskDefinition:TaskDefinition":                     "priced through the services that run it",
	"aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": "capacity provider settings are free",
	"aws:appautoscaling/target:Target":                          "Application Auto Scaling is free",
	"aws:appautoscaling/policy:Policy":                          "Application Auto Scaling is free (its alarms are AWS-managed)",
	"aws:appautoscaling/scheduledAction:ScheduledAction":        "free; it reduces its service's running hours",
	"aws:ecr/lifecyclePolicy:LifecyclePolicy":                   "free; it bounds the repository's storage",
	"aws:ecr/repositoryPolicy:RepositoryPolicy":                 "free",

	// S3 bucket settings (the bucket's storage and requests are priced).
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls":                                     "bucket settings are free",
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":                                     "bucket settings are free",
	"aws:s3/bucketPolicy:BucketPolicy":                                                           "bucket settings are free",
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": "SSE-S3 is free",
	"aws:s3/bucketVersioningV2:BucketVersioningV2":                                               "free (noncurrent versions are in the bucket's stored GB)",
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2":                       "lifecycle expirations are free",
	"aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock":                                   "free",

	// RDS settings (instance, storage, backups and proxy are priced).
	"aws:rds/parameterGroup:ParameterGroup":                   "free",
	"aws:rds/subnetGroup:SubnetGroup":                         "free",
	"aws:rds/optionGroup:OptionGroup":                         "free",
	"aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": "billed in the proxy's line",
	"aws:rds/proxyTarget:ProxyTarget":                         "billed in the proxy's line",

	// AWS Backup: storage is priced per recovery point on the plan's lines.
	"aws:backup/vault:Vault":                                   "billed as its recovery points (on the plan's lines)",
	"aws:backup/selection:Selection":                           "billed as its recovery points (on the plan's lines)",
	"aws:backup/vaultLockConfiguration:VaultLockConfiguration": "free",
	"aws:backup/vaultPolicy:VaultPolicy":                       "free",

	// Parameters and secrets: a SecretVersion is part of its secret.
	"aws:secretsmanager/secretVersion:SecretVersion": "part of its secret's monthly price",
	"aws:kms/alias:Alias":                            "free",

	// Alarms, logs and the firewall: what costs is priced on the alarm, log
	// group and web ACL lines.
	"aws:sns/topic:Topic": "SNS bills publishes and deliveries beyond a monthly free tier (1 million publishes, " +
		"1,000 emails, 100,000 HTTPS deliveries); alarm traffic stays far inside it",
	"aws:sns/topicPolicy:TopicPolicy":             "free",
	"aws:sns/topicSubscription:TopicSubscription": "deliveries are billed on the topic's line (free tier)",
	"aws:cloudwatch/eventRule:EventRule":          "EventBridge rules on AWS service events are free",
	"aws:cloudwatch/eventTarget:EventTarget":      "EventBridge delivery to SNS is free; the topic's deliveries are SNS's",
	"aws:ec2/flowLog:FlowLog": "billed as its log group's ingestion and storage (vended logs, the same first-tier " +
		"rate), priced on the log group's line",
	"aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": "billed as its log group's ingestion and " +
		"storage, priced on the log group's line",
	"aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration": "AWS Chatbot is free; it reads the topic",

	// Not AWS: values made by Pulumi and objects inside the priced database.
	"random:index/randomPassword:RandomPassword": "made by Pulumi; nothing is billed",
	"random:index/randomString:RandomString":     "made by Pulumi; nothing is billed",
	"postgresql:index/role:Role":                 "inside the priced RDS instance",
	"postgresql:index/database:Database":         "inside the priced RDS instance",
	"postgresql:index/grant:Grant":               "inside the priced RDS instance",
}
