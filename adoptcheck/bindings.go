package adoptcheck

import (
	"github.com/np-mrd/article-pipeline-infra/inventory"
)

// The resource types adopt-check reads.
const (
	typeInstance      = "aws:rds/instance:Instance"
	typeSubnetGroup   = "aws:rds/subnetGroup:SubnetGroup"
	typeVPC           = "aws:ec2/vpc:Vpc"
	typeIGW           = "aws:ec2/internetGateway:InternetGateway"
	typeSubnet        = "aws:ec2/subnet:Subnet"
	typeRouteTable    = "aws:ec2/routeTable:RouteTable"
	typeAssociation   = "aws:ec2/routeTableAssociation:RouteTableAssociation"
	typeRoute         = "aws:ec2/route:Route"
	typeBucket        = "aws:s3/bucketV2:BucketV2"
	typeEncryption    = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	typeOwnership     = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	typeVersioning    = "aws:s3/bucketVersioningV2:BucketVersioningV2"
	typePublicAccess  = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	typeLifecycle     = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
	typePolicy        = "aws:s3/bucketPolicy:BucketPolicy"
	typeVault         = "aws:backup/vault:Vault"
	typePlan          = "aws:backup/plan:Plan"
	typeParameter     = "aws:ssm/parameter:Parameter"
	typeParamGroup    = "aws:rds/parameterGroup:ParameterGroup"
	typeRole          = "aws:iam/role:Role"
	typeSecurityGroup = "aws:ec2/securityGroup:SecurityGroup"
	typeDefaultSG     = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
	typeIngressRule   = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
)

// bindings is every type adopt-check compares. The field names are the
// pulumi-aws v6 input names; the live paths are the AWS CLI's JSON.
var bindings = map[string]binding{
	typeInstance: {
		live: liveIn(FileDBInstance, "DBInstances", "DBInstanceIdentifier", "DB instance"),
		fields: map[string]field{
			"identifier": {live: at(nil, "DBInstanceIdentifier"), replace: true,
				fix: fixKey("article-pipeline:database.identifier")},
			"engine":   {live: at(nil, "Engine"), norm: lower, replace: true, fix: stop("another engine is another database")},
			"username": {live: at(nil, "MasterUsername"), replace: true, fix: fixKey("article-pipeline:database.masterUsername")},
			"storageEncrypted": {live: at(false, "StorageEncrypted"), replace: true,
				fix: stop("RDS cannot change encryption in place (it takes a snapshot, an encrypted copy and a restore to a new instance)")},
			"kmsKeyId":                         {live: at(nil, "KmsKeyId"), replace: true},
			"availabilityZone":                 {live: at(nil, "AvailabilityZone"), replace: true},
			"dbName":                           {live: at(nil, "DBName"), replace: true},
			"dbSubnetGroupName":                {live: at(nil, "DBSubnetGroup", "DBSubnetGroupName"), replace: true, fix: fixKey("article-pipeline:adopt.database.subnetGroupName")},
			"engineVersion":                    {live: at(nil, "EngineVersion"), check: checkEngineVersion},
			"password":                         {check: checkPassword},
			"allocatedStorage":                 {live: at(nil, "AllocatedStorage"), check: checkAllocatedStorage},
			"maxAllocatedStorage":              {live: at(0.0, "MaxAllocatedStorage")},
			"instanceClass":                    {live: at(nil, "DBInstanceClass")},
			"storageType":                      {live: at(nil, "StorageType")},
			"iops":                             {live: at(nil, "Iops")},
			"storageThroughput":                {live: at(nil, "StorageThroughput")},
			"multiAz":                          {live: at(false, "MultiAZ")},
			"port":                             {live: at(nil, "Endpoint", "Port")},
			"publiclyAccessible":               {live: at(false, "PubliclyAccessible")},
			"networkType":                      {live: at(nil, "NetworkType")},
			"caCertIdentifier":                 {live: at(nil, "CACertificateIdentifier")},
			"iamDatabaseAuthenticationEnabled": {live: at(false, "IAMDatabaseAuthenticationEnabled")},
			"autoMinorVersionUpgrade":          {live: at(nil, "AutoMinorVersionUpgrade")},
			"backupRetentionPeriod":            {live: at(nil, "BackupRetentionPeriod")},
			"backupWindow":                     {live: at(nil, "PreferredBackupWindow")},
			"maintenanceWindow":                {live: at(nil, "PreferredMaintenanceWindow"), norm: lower},
			"copyTagsToSnapshot":               {live: at(false, "CopyTagsToSnapshot")},
			"deletionProtection":               {live: at(false, "DeletionProtection")},
			"vpcSecurityGroupIds": {live: func(o any) any { return securityGroupIDs(o) }, norm: setOf,
				ref: typeSecurityGroup, step: stepSecurityGroups},
			"parameterGroupName": {live: func(o any) any {
				return str(firstOf(list(o, "DBParameterGroups")), "DBParameterGroupName")
			}, ref: typeParamGroup, step: stepParameterGroup},
			"monitoringRoleArn":  {live: at("", "MonitoringRoleArn"), ref: typeRole, step: stepMonitoring},
			"monitoringInterval": {live: at(0.0, "MonitoringInterval"), step: stepMonitoring},
			"enabledCloudwatchLogsExports": {live: at([]any{}, "EnabledCloudwatchLogsExports"), norm: setOf,
				step: stepMonitoring},
			"performanceInsightsEnabled":         {live: at(false, "PerformanceInsightsEnabled"), step: stepMonitoring},
			"performanceInsightsRetentionPeriod": {live: at(nil, "PerformanceInsightsRetentionPeriod"), step: stepMonitoring},
			"performanceInsightsKmsKeyId":        {live: at(nil, "PerformanceInsightsKMSKeyId"), step: stepMonitoring},
			"databaseInsightsMode":               {live: at(nil, "DatabaseInsightsMode"), step: stepMonitoring},
		},
		// terraform-provider-aws: these are not read back and changing them
		// alone calls no ModifyDBInstance (resourceInstanceUpdate).
		providerOnly: map[string]any{
			"allowMajorVersionUpgrade": false,
			"applyImmediately":         false,
			"deleteAutomatedBackups":   true,
			"finalSnapshotIdentifier":  nil,
			"skipFinalSnapshot":        false,
		},
		tags: tagList("TagList"),
	},
	typeSubnetGroup: {
		live: liveIn(FileDBSubnetGroup, "DBSubnetGroups", "DBSubnetGroupName", "DB subnet group"),
		fields: map[string]field{
			"name":        {},
			"description": {live: at(nil, "DBSubnetGroupDescription")},
			"subnetIds":   {live: subnetGroupSubnets, check: checkSubnetGroupSubnets},
		},
		tags: tagFile(func(inventory.Resource) string { return FileDBSubnetGroupTag }, "TagList"),
	},
	typeVPC: {
		live: liveVPC,
		fields: map[string]field{
			"cidrBlock":          {live: at(nil, "CidrBlock"), replace: true, fix: fixKey("article-pipeline:network.cidr")},
			"instanceTenancy":    {live: at(nil, "InstanceTenancy")},
			"enableDnsHostnames": {live: at(nil, "EnableDnsHostnames", "Value")},
			"enableDnsSupport":   {live: at(nil, "EnableDnsSupport", "Value")},
		},
		tags: tagList("Tags"),
	},
	typeIGW: {
		live: liveIn(FileInternetGateway, "InternetGateways", "InternetGatewayId", "internet gateway"),
		fields: map[string]field{
			"vpcId": {live: func(o any) any { return str(firstOf(list(o, "Attachments")), "VpcId") }, check: checkGatewayVPC},
		},
		tags: tagList("Tags"),
	},
	typeSubnet: {
		live: liveIn(FileSubnets, "Subnets", "SubnetId", "subnet"),
		fields: map[string]field{
			"vpcId": {live: at(nil, "VpcId"), replace: true},
			"cidrBlock": {live: at(nil, "CidrBlock"), replace: true, fix: func(live any) string {
				return "put " + render(live) + " at this subnet's place in article-pipeline:network.publicSubnets or privateSubnets " +
					"(in the order of adopt.network's subnet IDs)"
			}},
			"availabilityZone": {live: at(nil, "AvailabilityZone"), replace: true,
				fix: func(live any) string {
					return "put " + render(live) + " at this subnet's place in article-pipeline:network.availabilityZones " +
						"(in the order of adopt.network's subnet IDs)"
				}},
			"mapPublicIpOnLaunch":         {live: at(false, "MapPublicIpOnLaunch"), step: stepRoutes},
			"assignIpv6AddressOnCreation": {live: at(false, "AssignIpv6AddressOnCreation")},
		},
		tags: tagList("Tags"),
	},
	typeRouteTable: {
		live: liveIn(FileRouteTables, "RouteTables", "RouteTableId", "route table"),
		fields: map[string]field{
			"vpcId": {live: at(nil, "VpcId"), replace: true},
		},
		tags: tagList("Tags"),
	},
	typeAssociation: {
		live: liveAssociation,
		fields: map[string]field{
			"subnetId":     {},
			"routeTableId": {},
		},
	},
	typeRoute: {
		live: liveRoute,
		fields: map[string]field{
			"routeTableId":         {},
			"destinationCidrBlock": {},
			"gatewayId":            {live: at(nil, "GatewayId"), check: checkRouteGateway},
		},
	},
	typeBucket: {
		live: liveBucket,
		fields: map[string]field{
			"bucket": {},
			"objectLockEnabled": {live: at(false, "ObjectLockEnabled"), replace: true,
				fix: stop("the program declares Object Lock off (the runbook's setting) and S3 cannot turn it off")},
		},
		providerOnly: map[string]any{"forceDestroy": false},
		tags:         tagFile(func(r inventory.Resource) string { return BucketFile(r.ImportID, "get-bucket-tagging") }, "TagSet"),
	},
	typeEncryption: {
		live: liveBucketConfig("get-bucket-encryption", "ServerSideEncryptionConfiguration"),
		fields: map[string]field{
			"bucket": {},
			"rules":  {live: func(o any) any { return encryptionRules(o) }},
		},
	},
	typeOwnership: {
		live: liveBucketConfig("get-bucket-ownership-controls", "OwnershipControls"),
		fields: map[string]field{
			"bucket": {},
			"rule": {live: func(o any) any {
				return map[string]any{"objectOwnership": str(firstOf(list(o, "Rules")), "ObjectOwnership")}
			}},
		},
	},
	typeVersioning: {
		live: liveBucketConfig("get-bucket-versioning", ""),
		fields: map[string]field{
			"bucket":                  {},
			"versioningConfiguration": {live: versioningOf, check: checkVersioning},
		},
	},
	typePublicAccess: {
		live: liveBucketConfig("get-public-access-block", "PublicAccessBlockConfiguration"),
		fields: map[string]field{
			"bucket":                {},
			"blockPublicAcls":       {live: at(false, "BlockPublicAcls"), step: stepPolicies},
			"blockPublicPolicy":     {live: at(false, "BlockPublicPolicy"), step: stepPolicies},
			"ignorePublicAcls":      {live: at(false, "IgnorePublicAcls"), step: stepPolicies},
			"restrictPublicBuckets": {live: at(false, "RestrictPublicBuckets"), step: stepPolicies},
		},
		overwrites: true,
	},
	typeLifecycle: {
		live: liveBucketConfig("get-bucket-lifecycle-configuration", ""),
		fields: map[string]field{
			"bucket": {},
			"rules":  {live: func(o any) any { return list(o, "Rules") }, check: checkLifecycle},
		},
		overwrites: true,
	},
	typePolicy: {
		live: liveBucketConfig("get-bucket-policy", ""),
		fields: map[string]field{
			"bucket": {},
			"policy": {live: at("", "Policy"), check: checkPolicy},
		},
		overwrites: true,
	},
	typeVault: {
		live: liveVault,
		fields: map[string]field{
			"name":      {live: at(nil, "BackupVaultName"), replace: true, fix: fixKey("article-pipeline:backup.vaultName")},
			"kmsKeyArn": {live: at(nil, "EncryptionKeyArn"), replace: true},
		},
		providerOnly: map[string]any{"forceDestroy": false},
		tags:         tagFile(func(inventory.Resource) string { return FileBackupVaultTags }, "Tags"),
	},
	typePlan: {
		live: livePlan,
		fields: map[string]field{
			"name":  {live: at(nil, "BackupPlan", "BackupPlanName"), replace: true, fix: fixKey("article-pipeline:backup.planName")},
			"rules": {live: func(o any) any { return list(o, "BackupPlan", "Rules") }, check: checkPlanRules},
		},
		tags: tagFile(func(inventory.Resource) string { return FileBackupPlanTags }, "Tags"),
	},
	typeParameter: {
		live: liveIn(FileParameters, "Parameters", "Name", "parameter"),
		fields: map[string]field{
			"name":        {},
			"type":        {live: at(nil, "Type")},
			"tier":        {live: at(nil, "Tier")},
			"dataType":    {live: at(nil, "DataType")},
			"description": {live: at(nil, "Description")},
			"keyId":       {live: at(nil, "KeyId")},
			"value":       {check: checkParameterValue},
		},
		tags: tagFile(func(r inventory.Resource) string { return ParameterTagsFile(r.ImportID) }, "TagList"),
	},
}

func firstOf(l []any) any {
	if len(l) == 0 {
		return nil
	}
	return l[0]
}

// securityGroupIDs lists the instance's VPC security groups.
func securityGroupIDs(obj any) []any {
	var out []any
	for _, g := range list(obj, "VpcSecurityGroups") {
		out = append(out, str(g, "VpcSecurityGroupId"))
	}
	return out
}

// stop is the fix of a replacement no config can avoid.
func stop(why string) func(any) string {
	return func(any) string { return why + ": stop, this resource cannot be adopted as declared" }
}
