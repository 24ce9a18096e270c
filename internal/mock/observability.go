package mock

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// The alarms', the web ACL's and the flow logs' computed outputs, in the
// formats AWS gives them (an SNS topic's ARN ends in its name, not in
// topic/NAME; a web ACL's ID is a UUID inside its ARN).
func init() {
	for typ, input := range map[string]string{
		"aws:sns/topic:Topic":                    "name",
		"aws:cloudwatch/metricAlarm:MetricAlarm": "name",
		"aws:cloudwatch/eventRule:EventRule":     "name",
		"aws:wafv2/webAcl:WebAcl":                "name",
	} {
		autonamed[typ] = input
	}
	extraComputed["aws:sns/topic:Topic"] = func(in resource.PropertyMap, h, region string,
		set func(string, any)) (string, string) {
		arn := fmt.Sprintf("arn:aws:sns:%s:%s:%s", region, Account, str(in, "name", "topic-"+h[:7]))
		return arn, arn
	}
	extraComputed["aws:sns/topicSubscription:TopicSubscription"] = func(in resource.PropertyMap, h, region string,
		set func(string, any)) (string, string) {
		arn := fmt.Sprintf("%s:%s-%s-%s-%s-%s", str(in, "topic", "arn:aws:sns:"+region+":"+Account+":topic"),
			h[:8], h[8:12], h[12:16], h[16:20], h[20:32])
		return arn, arn
	}
	extraComputed["aws:cloudwatch/metricAlarm:MetricAlarm"] = func(in resource.PropertyMap, h, region string,
		set func(string, any)) (string, string) {
		name := str(in, "name", "alarm-"+h[:7])
		return name, fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", region, Account, name)
	}
	extraComputed["aws:cloudwatch/eventRule:EventRule"] = func(in resource.PropertyMap, h, region string,
		set func(string, any)) (string, string) {
		name := str(in, "name", "rule-"+h[:7])
		return name, fmt.Sprintf("arn:aws:events:%s:%s:rule/%s", region, Account, name)
	}
	extraComputed["aws:wafv2/webAcl:WebAcl"] = func(in resource.PropertyMap, h, region string,
		set func(string, any)) (string, string) {
		id := h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
		set("capacity", 1102.0)
		set("lockToken", h[32:40]+"-"+h[40:44])
		return id, fmt.Sprintf("arn:aws:wafv2:%s:%s:regional/webacl/%s/%s", region, Account,
			str(in, "name", "webacl-"+h[:7]), id)
	}
	extraComputed["aws:ec2/flowLog:FlowLog"] = func(in resource.PropertyMap, h, region string,
		set func(string, any)) (string, string) {
		id := "fl-" + h[:17]
		return id, fmt.Sprintf("arn:aws:ec2:%s:%s:vpc-flow-log/%s", region, Account, id)
	}
	extraComputed["aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration"] = func(in resource.PropertyMap,
		h, region string, set func(string, any)) (string, string) {
		arn := fmt.Sprintf("arn:aws:chatbot::%s:chat-configuration/slack-channel/%s", Account,
			str(in, "configurationName", "channel-"+h[:7]))
		set("chatConfigurationArn", arn)
		return arn, arn
	}
}
