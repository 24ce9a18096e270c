// Package alarms owns what tells the team that production is unwell: one SNS
// topic per stack with its subscribers (email, an optional HTTPS endpoint, an
// optional Slack channel through AWS Chatbot) and a policy that lets only
// CloudWatch, EventBridge and AWS Backup publish; the CloudWatch alarms on the
// database, the load balancer and each ECS service; and the EventBridge rules
// that forward failed, aborted and expired AWS Backup jobs to the topic.
//
// It takes the dimension values the owning components export (the database
// identifier, the load balancer's and target groups' ARN suffixes, the cluster
// and service names, the vault) and returns the topic's ARN. The alarms live
// here rather than in each owning component so that every threshold, its
// missing-data treatment and its action are read in one place, a stack turns
// all of them on or off with one key, and a component stays about its own
// resources (see the README, "Alarms and logs").
package alarms

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/chatbot"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/internal/awsiam"
	"github.com/np-mrd/article-pipeline-infra/internal/component"
)

const typeToken = "article-pipeline:alarms:Alarms"

// publishers are the only service principals the topic policy lets publish,
// each in a statement of its own: CloudWatch alarms, EventBridge rules (the
// backup-job rules) and AWS Backup (vault notifications).
var publishers = []struct{ sid, service string }{
	{"PublishCloudWatchAlarms", "cloudwatch.amazonaws.com"},
	{"PublishEventBridgeRules", "events.amazonaws.com"},
	{"PublishBackupNotifications", "backup.amazonaws.com"},
}

// FailedBackupStates are the backup job states that reach the topic: the job
// failed, was aborted, or never started within its start window (expired).
var FailedBackupStates = []string{"ABORTED", "EXPIRED", "FAILED"}

// Database is the RDS instance the database alarms watch.
type Database struct {
	Identifier pulumi.StringInput
	// AllocatedStorageGiB is the configured allocated storage: the free-storage
	// threshold is a share of it. Storage autoscaling grows the volume when
	// less than 10% is free, so the alarm warns before that happens; after a
	// growth it fires later (the same bytes are a smaller share).
	AllocatedStorageGiB int
}

// Service is one ECS service the service alarms watch.
type Service struct {
	// Name is the service's name in the stack file (backend); it names the alarms.
	Name        string
	ClusterName pulumi.StringInput
	ServiceName pulumi.StringInput
	// ExpectedTasks is the fewest tasks it should run: its desired count, or
	// its autoscaling minimum; 0 while no image is deployed.
	ExpectedTasks int
	// TargetGroupARNSuffix is its target group's CloudWatch dimension value;
	// nil for a service outside the load balancer.
	TargetGroupARNSuffix pulumi.StringInput
}

// Backup is the AWS Backup vault whose failed jobs are forwarded.
type Backup struct {
	VaultName pulumi.StringInput
	// VaultARN and Copies: copy jobs out of the vault (to another region) are
	// watched too when Copies is set.
	VaultARN pulumi.StringInput
	Copies   bool
}

// Args configures the alarms: the stack's Settings, the HTTPS endpoint, and
// what there is to watch in this stack (nil or empty: nothing of that kind).
type Args struct {
	Settings
	// NamePrefix starts the topic's, each alarm's and the Slack channel
	// configuration's name (<application>-<environment>): the alarm's name is
	// the subject of every notification, so it says which stack it is.
	NamePrefix string
	// HTTPSEndpoint (secret), when set, is subscribed; it confirms itself.
	HTTPSEndpoint    pulumi.StringInput
	DatabaseInstance *Database
	// LoadBalancerARNSuffix is the load balancer's dimension value; nil when
	// the stack has no load balancer.
	LoadBalancerARNSuffix pulumi.StringInput
	ECSServices           []Service
	Backup                *Backup
}

// Alarms is the alarm topic and everything that publishes to it.
type Alarms struct {
	pulumi.ResourceState

	TopicARN pulumi.StringOutput `pulumi:"topicArn"`
}

var (
	namePrefixPattern  = regexp.MustCompile(`^[a-z][a-z0-9-]{0,60}$`)
	serviceNamePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,40}$`)
)

func (a *Args) check(name string) error {
	if a == nil {
		return errors.New("alarms: args are required")
	}
	errs := []error{a.Settings.Validate(name)}
	bad := func(format string, v ...any) { errs = append(errs, fmt.Errorf("alarms: "+format, v...)) }
	if !namePrefixPattern.MatchString(a.NamePrefix) {
		bad("NamePrefix %q is not lower-case letters, digits and dashes", a.NamePrefix)
	}
	if d := a.DatabaseInstance; d != nil {
		if d.Identifier == nil {
			bad("Database.Identifier is required")
		}
		if d.AllocatedStorageGiB < 1 {
			bad("Database.AllocatedStorageGiB %d is not a storage size", d.AllocatedStorageGiB)
		}
	}
	seen := map[string]bool{}
	for i, s := range a.ECSServices {
		if !serviceNamePattern.MatchString(s.Name) || seen[s.Name] {
			bad("Services[%d].Name %q must be a unique service name", i, s.Name)
		}
		seen[s.Name] = true
		if s.ClusterName == nil || s.ServiceName == nil {
			bad("Services[%d] (%s) needs ClusterName and ServiceName", i, s.Name)
		}
		if s.ExpectedTasks < 0 {
			bad("Services[%d].ExpectedTasks %d is negative", i, s.ExpectedTasks)
		}
	}
	if b := a.Backup; b != nil && (b.VaultName == nil || (b.Copies && b.VaultARN == nil)) {
		bad("Backup needs VaultName (and VaultARN to watch copies)")
	}
	return errors.Join(errs...)
}

// NewAlarms declares the topic, its subscribers and every alarm and rule.
func NewAlarms(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Alarms, error) {
	c, parent, err := component.New[Alarms](ctx, typeToken, name, args.check(name), opts...)
	if err != nil {
		return nil, err
	}
	fail := func(what string, err error) (*Alarms, error) {
		return nil, fmt.Errorf("alarms: %s: %w", what, err)
	}

	topic, err := sns.NewTopic(ctx, name+"-topic", &sns.TopicArgs{
		Name: pulumi.String(args.NamePrefix + "-alarms"),
		// The sender name of every email notification.
		DisplayName: pulumi.String(args.NamePrefix + " alarms"),
	}, parent)
	if err != nil {
		return fail("topic", err)
	}
	if err := topicPolicy(ctx, name, c, topic); err != nil {
		return fail("topic policy", err)
	}
	if err := subscribers(ctx, name, c, args, topic); err != nil {
		return fail("subscriptions", err)
	}

	for _, a := range watched(args) {
		if err := a.declare(ctx, name, c, args.NamePrefix, topic.Arn); err != nil {
			return fail("alarm "+a.id, err)
		}
	}
	if b := args.Backup; b != nil {
		if err := backupRules(ctx, name, c, b, topic.Arn); err != nil {
			return fail("backup rules", err)
		}
	}

	c.TopicARN = topic.Arn
	return c, component.RegisterOutputs(ctx, c)
}

// topicPolicy replaces the topic's default policy (which lets every principal
// of the account publish and subscribe) with one that lets only the
// publishers publish, and only for this account (aws:SourceAccount guards
// against another account's alarm or rule using the topic). The account's own
// people and roles manage the topic through their IAM policies.
func topicPolicy(ctx *pulumi.Context, name string, c *Alarms, topic *sns.Topic) error {
	parent := pulumi.Parent(c)
	account := aws.GetCallerIdentityOutput(ctx, aws.GetCallerIdentityOutputArgs{}, parent).AccountId()
	var statements iam.GetPolicyDocumentStatementArray
	for _, pub := range publishers {
		statements = append(statements, iam.GetPolicyDocumentStatementArgs{
			Sid:     pulumi.String(pub.sid),
			Effect:  pulumi.String("Allow"),
			Actions: pulumi.StringArray{pulumi.String("sns:Publish")},
			Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
				Type: pulumi.String("Service"), Identifiers: pulumi.StringArray{pulumi.String(pub.service)},
			}},
			Resources:  pulumi.StringArray{topic.Arn},
			Conditions: iam.GetPolicyDocumentStatementConditionArray{awsiam.SourceAccount(account)},
		})
	}
	doc := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{Statements: statements}, parent)
	_, err := sns.NewTopicPolicy(ctx, name+"-topic-policy", &sns.TopicPolicyArgs{
		Arn:    topic.Arn,
		Policy: doc.Json(),
	}, parent)
	return err
}

// subscribers subscribes each email address (named by a digest of the
// address, so reordering the list changes nothing), the HTTPS endpoint, and
// the Slack channel through AWS Chatbot.
func subscribers(ctx *pulumi.Context, name string, c *Alarms, args *Args, topic *sns.Topic) error {
	parent := pulumi.Parent(c)
	emails := slices.Clone(args.Emails)
	slices.Sort(emails)
	for _, e := range emails {
		// SNS sends a confirmation email; until it is confirmed the
		// subscription is pending (and AWS drops it after 3 days).
		if _, err := sns.NewTopicSubscription(ctx, name+"-email-"+digest(e), &sns.TopicSubscriptionArgs{
			Topic:    topic.Arn,
			Protocol: pulumi.String("email"),
			Endpoint: pulumi.String(e),
		}, parent); err != nil {
			return err
		}
	}
	if args.HTTPSEndpoint != nil {
		// Incident tools confirm their SNS subscription themselves; `up` waits
		// for it, so a wrong URL fails the update instead of staying pending.
		if _, err := sns.NewTopicSubscription(ctx, name+"-https", &sns.TopicSubscriptionArgs{
			Topic:                topic.Arn,
			Protocol:             pulumi.String("https"),
			Endpoint:             pulumi.ToSecret(args.HTTPSEndpoint).(pulumi.StringOutput),
			EndpointAutoConfirms: pulumi.Bool(true),
		}, parent); err != nil {
			return err
		}
	}
	if args.Slack != nil {
		return slackChannel(ctx, name, c, args, topic)
	}
	return nil
}

// digest names one subscriber in a logical name without spelling it out.
func digest(s string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(s)))
	return hex.EncodeToString(sum[:])[:8]
}

// chatbotReads are what the channel role lets AWS Chatbot read to show an
// alarm with its graph in Slack (the console's "Notification permissions").
var chatbotReads = []string{
	"cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmHistory", "cloudwatch:GetMetricData",
	"cloudwatch:GetMetricWidgetImage", "cloudwatch:ListMetrics",
}

// slackChannel delivers the topic to a Slack channel. The channel role may
// only read CloudWatch, and the guardrail (which defaults to
// AdministratorAccess) is CloudWatch read-only too, so nobody in the channel
// can change the account from Slack.
func slackChannel(ctx *pulumi.Context, name string, c *Alarms, args *Args, topic *sns.Topic) error {
	parent := pulumi.Parent(c)
	role, err := awsiam.NewServiceRole(ctx, name+"-chatbot-role", "chatbot.amazonaws.com",
		"AWS Chatbot: show "+args.NamePrefix+" alarms in Slack", parent)
	if err != nil {
		return err
	}
	if _, err := awsiam.NewRolePolicy(ctx, name+"-chatbot-read", role.Name,
		iam.GetPolicyDocumentStatementArray{iam.GetPolicyDocumentStatementArgs{
			Actions:   pulumi.ToStringArray(chatbotReads),
			Resources: pulumi.ToStringArray([]string{"*"}), // these CloudWatch reads take no resource
		}}, parent); err != nil {
		return err
	}
	partition := aws.GetPartitionOutput(ctx, aws.GetPartitionOutputArgs{}, parent).Partition()
	_, err = chatbot.NewSlackChannelConfiguration(ctx, name+"-slack", &chatbot.SlackChannelConfigurationArgs{
		ConfigurationName:   pulumi.String(args.NamePrefix + "-alarms"),
		SlackTeamId:         pulumi.String(args.Slack.WorkspaceID),
		SlackChannelId:      pulumi.String(args.Slack.ChannelID),
		IamRoleArn:          role.Arn,
		SnsTopicArns:        pulumi.StringArray{topic.Arn},
		GuardrailPolicyArns: pulumi.StringArray{awsiam.ManagedPolicyARN(partition, "CloudWatchReadOnlyAccess")},
		LoggingLevel:        pulumi.String("ERROR"),
	}, parent)
	return err
}

// eventPattern is an EventBridge event pattern for AWS Backup job events.
type eventPattern struct {
	Source     []string       `json:"source"`
	DetailType []string       `json:"detail-type"`
	Detail     map[string]any `json:"detail"`
}

// eventRule is one rule that forwards matching events to the topic.
type eventRule struct {
	suffix, description string
	pattern             pulumi.StringOutput
}

// backupRules forwards AWS Backup's job events to the topic: every backup job
// of the vault that fails, is aborted or expires (AWS Backup's vault
// notifications no longer send BACKUP_JOB_FAILED or BACKUP_JOB_EXPIRED, so
// EventBridge it is), and failed copy jobs out of it. The raw event goes to the
// topic: email shows its JSON (with statusMessage, the reason), Chatbot
// formats it.
func backupRules(ctx *pulumi.Context, name string, c *Alarms, b *Backup, topicARN pulumi.StringOutput) error {
	parent := pulumi.Parent(c)
	rules := []eventRule{{
		"backup-jobs", "AWS Backup jobs of the vault that failed, were aborted or expired",
		b.VaultName.ToStringOutput().ApplyT(func(vault string) (string, error) {
			return marshal(eventPattern{Source: []string{"aws.backup"}, DetailType: []string{"Backup Job State Change"},
				Detail: map[string]any{"state": FailedBackupStates, "backupVaultName": []string{vault}}})
		}).(pulumi.StringOutput),
	}}
	if b.Copies {
		rules = append(rules, eventRule{
			"backup-copy-jobs", "AWS Backup copy jobs out of the vault that failed",
			b.VaultARN.ToStringOutput().ApplyT(func(vault string) (string, error) {
				return marshal(eventPattern{Source: []string{"aws.backup"}, DetailType: []string{"Copy Job State Change"},
					Detail: map[string]any{"state": []string{"FAILED"}, "sourceBackupVaultArn": []string{vault}}})
			}).(pulumi.StringOutput),
		})
	}
	for _, r := range rules {
		rule, err := cloudwatch.NewEventRule(ctx, name+"-"+r.suffix, &cloudwatch.EventRuleArgs{
			Description:  pulumi.String(r.description),
			EventPattern: r.pattern,
		}, parent)
		if err != nil {
			return err
		}
		if _, err := cloudwatch.NewEventTarget(ctx, name+"-"+r.suffix, &cloudwatch.EventTargetArgs{
			Rule: rule.Name,
			Arn:  topicARN,
		}, parent); err != nil {
			return err
		}
	}
	return nil
}

func marshal(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}
