package delivery

import (
	"slices"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/internal/mock"
)

// TestTunnelStatements checks what each role may do with Session Manager:
// start only the port-forward document, only on instances carrying the
// stack's tags, with the document check that refuses the default shell; open
// the data channel of sessions in the stack's regions; and end or resume only
// its own sessions. Both roles get the same four statements, and the deploy role keeps
// its inline policy under IAM's size limit with them.
func TestTunnelStatements(t *testing.T) {
	t.Parallel()
	a := validArgs("prod")
	a.Regions = []string{"us-west-2", "us-east-2"}
	m, _ := run(t, "prod", a)

	const acct = mock.Account
	wantInstances := []string{
		"arn:aws:ec2:us-west-2:" + acct + ":instance/*",
		"arn:aws:ec2:us-east-2:" + acct + ":instance/*",
	}
	wantDocuments := []string{
		"arn:aws:ssm:us-west-2::document/AWS-StartPortForwardingSessionToRemoteHost",
		"arn:aws:ssm:us-east-2::document/AWS-StartPortForwardingSessionToRemoteHost",
	}
	wantSessions := []string{
		"arn:aws:ssm:us-west-2:" + acct + ":session/*",
		"arn:aws:ssm:us-east-2:" + acct + ":session/*",
	}

	for _, policy := range []string{"delivery-preview-policy", "delivery-deploy-policy"} {
		t.Run(policy, func(t *testing.T) {
			bySid := map[string]mock.PolicyStatement{}
			var sessionActions []string
			for _, st := range parsePolicy(t, m.MustFind(t, rolePolicyType, policy).Input("policy")) {
				bySid[st.Sid] = st
				for _, act := range st.Actions() {
					if act == "ssm:StartSession" || act == "ssm:TerminateSession" || act == "ssm:ResumeSession" ||
						act == "ssm:SendCommand" || act == "ssmmessages:OpenDataChannel" {
						sessionActions = append(sessionActions, st.Sid+" "+act)
					}
				}
			}
			// Nothing else in the role's inline policy touches sessions (no
			// SendCommand: a command on the bastion is a shell).
			wantActions := []string{
				"TunnelStartOnBastion ssm:StartSession", "TunnelPortForwardDocument ssm:StartSession",
				"TunnelDataChannel ssmmessages:OpenDataChannel",
				"TunnelOwnSessions ssm:TerminateSession", "TunnelOwnSessions ssm:ResumeSession",
			}
			if !slices.Equal(sessionActions, wantActions) {
				t.Errorf("session actions = %v, want %v", sessionActions, wantActions)
			}

			start := bySid["TunnelStartOnBastion"]
			if start.Effect != "Allow" || !slices.Equal(start.Resources(), wantInstances) {
				t.Errorf("TunnelStartOnBastion effect %q resources %v, want Allow on %v", start.Effect, start.Resources(), wantInstances)
			}
			eq := start.Condition["StringEquals"]
			if len(start.Condition) != 2 || len(eq) != 2 ||
				eq["ssm:resourceTag/app"] != "article-pipeline" || eq["ssm:resourceTag/environment"] != "prod" {
				t.Errorf("TunnelStartOnBastion conditions = %v, want the stack's app and environment tags", start.Condition)
			}
			if got := start.Condition["BoolIfExists"]["ssm:SessionDocumentAccessCheck"]; got != "true" {
				t.Errorf("TunnelStartOnBastion ssm:SessionDocumentAccessCheck = %v, want true (no default shell)", got)
			}

			doc := bySid["TunnelPortForwardDocument"]
			if doc.Effect != "Allow" || !slices.Equal(doc.Resources(), wantDocuments) || doc.Condition != nil {
				t.Errorf("TunnelPortForwardDocument = %+v, want Allow on %v only", doc, wantDocuments)
			}

			channel := bySid["TunnelDataChannel"]
			if channel.Effect != "Allow" || !slices.Equal(channel.Resources(), wantSessions) {
				t.Errorf("TunnelDataChannel = %+v, want Allow on %v", channel, wantSessions)
			}

			end := bySid["TunnelOwnSessions"]
			if end.Effect != "Allow" || !slices.Equal(end.Resources(), wantSessions) {
				t.Errorf("TunnelOwnSessions = %+v, want Allow on %v", end, wantSessions)
			}
			if len(end.Condition) != 1 || len(end.Condition["StringLike"]) != 1 ||
				end.Condition["StringLike"]["ssm:resourceTag/aws:ssmmessages:session-id"] != "${aws:userid}" {
				t.Errorf("TunnelOwnSessions conditions = %v, want the session tagged with the caller's ${aws:userid}", end.Condition)
			}
		})
	}
}
