package delivery

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/internal/mock"
	"github.com/np-mrd/article-pipeline-infra/inventory"
)

const (
	roleType       = "aws:iam/role:Role"
	providerType   = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
	attachmentType = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	rolePolicyType = "aws:iam/rolePolicy:RolePolicy"
	policyType     = "aws:iam/policy:Policy"
	// mockProviderARN is the ARN the shared mock gives the GitHub provider.
	mockProviderARN = "arn:aws:iam::" + mock.Account + ":oidc-provider/token.actions.githubusercontent.com"
	otherARN        = "arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com"
)

func validArgs(env string) *Args {
	s := Defaults(env)
	s.Enabled, s.Repository = true, "np-mrd/article-pipeline-infra"
	return &Args{
		Settings:     s,
		Regions:      []string{"us-west-2"},
		ResourceTags: map[string]string{"app": "article-pipeline", "environment": env},
	}
}

type outputs struct{ provider, preview, deploy string }

func run(t *testing.T, stack string, a *Args) (*mock.Monitor, outputs) {
	t.Helper()
	m, outs := mock.Declare(t, mock.Options{Stack: stack}, NewGitHubOIDC, "delivery", a)
	got := outs.Strings(t, "providerArn", "previewRoleArn", "deployRoleArn")
	return m, outputs{got["providerArn"], got["previewRoleArn"], got["deployRoleArn"]}
}

// parsePolicy reads a rendered policy's statements.
func parsePolicy(t *testing.T, doc any) []mock.PolicyStatement {
	t.Helper()
	return mock.ParsePolicy(t, "policy", doc).Statement
}

func TestTrustPolicies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env         string
		wantPreview []string
		wantDeploy  []string
	}{
		{"development",
			[]string{"repo:np-mrd/article-pipeline-infra:pull_request", "repo:np-mrd/article-pipeline-infra:ref:refs/heads/main"},
			[]string{"repo:np-mrd/article-pipeline-infra:environment:development"}},
		{"prod",
			[]string{"repo:np-mrd/article-pipeline-infra:pull_request", "repo:np-mrd/article-pipeline-infra:ref:refs/heads/main"},
			[]string{"repo:np-mrd/article-pipeline-infra:environment:prod"}},
	}
	for _, tc := range tests {
		t.Run(tc.env, func(t *testing.T) {
			t.Parallel()
			m, o := run(t, tc.env, validArgs(tc.env))
			if o.provider != mockProviderARN {
				t.Errorf("ProviderARN = %q, want %q", o.provider, mockProviderARN)
			}
			for role, want := range map[string][]string{"delivery-preview-role": tc.wantPreview, "delivery-deploy-role": tc.wantDeploy} {
				r := m.MustFind(t, roleType, role)
				sts := parsePolicy(t, r.Input("assumeRolePolicy"))
				if len(sts) != 1 {
					t.Fatalf("%s: %d trust statements, want 1", role, len(sts))
				}
				st := sts[0]
				if st.Effect != "Allow" || !slices.Equal(st.Actions(), []string{"sts:AssumeRoleWithWebIdentity"}) {
					t.Errorf("%s: effect %q actions %v", role, st.Effect, st.Actions())
				}
				if !reflect.DeepEqual(st.Principal, map[string]any{"Federated": mockProviderARN}) {
					t.Errorf("%s: principal = %v, want Federated %s", role, st.Principal, mockProviderARN)
				}
				if len(st.Condition) != 1 || len(st.Condition["StringEquals"]) != 2 {
					t.Fatalf("%s: conditions = %v, want only StringEquals on aud and sub", role, st.Condition)
				}
				eq := st.Condition["StringEquals"]
				if aud := inventory.AsStrings(eq["token.actions.githubusercontent.com:aud"]); !slices.Equal(aud, []string{"sts.amazonaws.com"}) {
					t.Errorf("%s: aud = %v", role, aud)
				}
				if sub := inventory.AsStrings(eq["token.actions.githubusercontent.com:sub"]); !slices.Equal(sub, want) {
					t.Errorf("%s: sub = %v, want %v", role, sub, want)
				}
				if got := r.Input("maxSessionDuration"); got != 3600.0 {
					t.Errorf("%s: maxSessionDuration = %v, want 3600 (1 h)", role, got)
				}
				if got := r.Input("managedPolicyArns"); got != nil {
					t.Errorf("%s: managedPolicyArns = %v; attachments are separate resources", role, got)
				}
			}
			p := m.MustFind(t, providerType, "delivery-provider")
			if p.Input("url") != "https://token.actions.githubusercontent.com" ||
				!slices.Equal(inventory.AsStrings(p.Input("clientIdLists")), []string{"sts.amazonaws.com"}) {
				t.Errorf("provider inputs: url %v clients %v", p.Input("url"), p.Input("clientIdLists"))
			}
			if p.ImportID != "" || p.RetainOnDelete {
				t.Errorf("created provider: import %q retain %v", p.ImportID, p.RetainOnDelete)
			}
			comp := m.MustFind(t, typeToken, "delivery")
			for _, r := range m.Resources() {
				if r != comp && r.ParentURN != comp.URN {
					t.Errorf("%s %s is not parented to the component", r.Type, r.Name)
				}
			}
			if got := m.OutputsRegistered(); got < 1 {
				t.Errorf("RegisterResourceOutputs called %d times", got)
			}
			if o.preview == "" || o.deploy == "" || o.preview == o.deploy {
				t.Errorf("role ARNs = %q, %q", o.preview, o.deploy)
			}
		})
	}
}

func TestProviderOwnership(t *testing.T) {
	t.Parallel()
	t.Run("existing provider of another stack", func(t *testing.T) {
		t.Parallel()
		a := validArgs("development")
		a.ExistingProviderARN = pulumi.String(otherARN)
		m, o := run(t, "development", a)
		if n := len(m.OfType(providerType)); n != 0 {
			t.Errorf("%d providers declared, want none", n)
		}
		if o.provider != otherARN {
			t.Errorf("ProviderARN = %q", o.provider)
		}
		for _, role := range []string{"delivery-preview-role", "delivery-deploy-role"} {
			st := parsePolicy(t, m.MustFind(t, roleType, role).Input("assumeRolePolicy"))[0]
			if st.Principals("Federated") != otherARN {
				t.Errorf("%s trusts %v, want %s", role, st.Principal, otherARN)
			}
		}
	})
	t.Run("provider from the owning stack's output", func(t *testing.T) {
		t.Parallel()
		const owner = "organization/article-pipeline/prod"
		var outs mock.Outputs
		m := mock.MustRun(t, mock.Options{Stack: "development",
			StackOutputs: map[string]map[string]any{owner: {"githubOidcProviderArn": otherARN}},
		}, func(ctx *pulumi.Context) error {
			ref, err := pulumi.NewStackReference(ctx, owner, nil)
			if err != nil {
				return err
			}
			a := validArgs("development")
			a.ExistingProviderARN = ref.GetStringOutput(pulumi.String("githubOidcProviderArn"))
			c, err := NewGitHubOIDC(ctx, "delivery", a)
			if err != nil {
				return err
			}
			outs.Capture("provider", c.ProviderARN)
			return nil
		})
		got := outs.String(t, "provider")
		if got != otherARN || len(m.OfType(providerType)) != 0 {
			t.Errorf("ProviderARN = %q, %d providers declared", got, len(m.OfType(providerType)))
		}
		st := parsePolicy(t, m.MustFind(t, roleType, "delivery-deploy-role").Input("assumeRolePolicy"))[0]
		if st.Principals("Federated") != otherARN {
			t.Errorf("deploy role trusts %v, want %s", st.Principal, otherARN)
		}
	})
	t.Run("adopted provider", func(t *testing.T) {
		t.Parallel()
		a := validArgs("prod")
		a.ProviderImportID = mockProviderARN
		m, _ := run(t, "prod", a)
		p := m.MustFind(t, providerType, "delivery-provider")
		if p.ImportID != mockProviderARN || !p.RetainOnDelete || p.Protect {
			t.Errorf("adopted provider: import %q retain %v protect %v", p.ImportID, p.RetainOnDelete, p.Protect)
		}
		for _, r := range m.OfType(roleType) {
			if r.ImportID != "" {
				t.Errorf("%s imported too (%q)", r.Name, r.ImportID)
			}
		}
	})
}

func TestRolePermissions(t *testing.T) {
	t.Parallel()
	a := validArgs("prod")
	a.Regions = []string{"us-west-2", "us-east-2"}
	m, o := run(t, "prod", a)

	// Managed policies: ReadOnlyAccess on both roles, the two deploy policies
	// on the deploy role, nothing else.
	atts := m.OfType(attachmentType)
	if len(atts) != 4 {
		t.Fatalf("%d policy attachments, want 4", len(atts))
	}
	for _, name := range []string{"delivery-preview-read-only", "delivery-deploy-read-only"} {
		if got := m.MustFind(t, attachmentType, name).Input("policyArn"); got != "arn:aws:iam::aws:policy/ReadOnlyAccess" {
			t.Errorf("%s policyArn = %v", name, got)
		}
	}
	var policyARNs []string
	var docs []string
	for _, part := range []string{"infrastructure", "services"} {
		p := m.MustFind(t, policyType, "delivery-deploy-"+part+"-policy")
		arn := mock.Plain(p.Outputs["arn"], false).(string)
		policyARNs = append(policyARNs, arn)
		att := m.MustFind(t, attachmentType, "delivery-deploy-"+part)
		if att.Input("policyArn") != arn || att.Input("role") != mock.Plain(m.MustFind(t, roleType, "delivery-deploy-role").Outputs["name"], false) {
			t.Errorf("%s attachment: policy %v role %v", part, att.Input("policyArn"), att.Input("role"))
		}
		text := p.Input("policy").(string)
		// IAM counts characters without whitespace: 6,144 per managed policy.
		if n := len(strings.Join(strings.Fields(text), "")); n > 6144 {
			t.Errorf("%s policy is %d characters; a managed policy allows 6144", part, n)
		}
		docs = append(docs, text)
	}
	for _, r := range m.Resources() {
		for k := range r.Inputs {
			if v, ok := r.Input(string(k)).(string); ok && strings.HasSuffix(v, ":policy/AdministratorAccess") {
				t.Errorf("%s %s input %s = %s", r.Type, r.Name, k, v)
			}
		}
	}

	// The preview role's inline policy: the deny on object reads, then the
	// tunnel statements (tunnel_policy_test.go), nothing else.
	preview := parsePolicy(t, m.MustFind(t, rolePolicyType, "delivery-preview-policy").Input("policy"))
	if len(preview) != 5 || preview[0].Effect != "Deny" ||
		!slices.Equal(preview[0].Actions(), []string{"s3:GetObject", "s3:GetObjectVersion"}) {
		t.Errorf("preview inline policy = %+v, want the deny on object reads and the four tunnel statements", preview)
	}

	inline := m.MustFind(t, rolePolicyType, "delivery-deploy-policy").Input("policy").(string)
	if n := len(strings.Join(strings.Fields(inline), "")); n > 10240 {
		t.Errorf("deploy inline policy is %d characters; IAM allows 10240 inline per role", n)
	}
	docs = append(docs, inline)
	bySid := map[string]mock.PolicyStatement{}
	for _, doc := range docs {
		for _, st := range parsePolicy(t, doc) {
			if _, dup := bySid[st.Sid]; dup || st.Sid == "" {
				t.Errorf("statement id %q empty or repeated", st.Sid)
			}
			bySid[st.Sid] = st
			if st.Effect != "Allow" {
				continue
			}
			if slices.Contains(st.Actions(), "*") && slices.Contains(st.Resources(), "*") {
				t.Errorf("%s allows * on *", st.Sid)
			}
			for _, act := range st.Actions() {
				service, verb, _ := strings.Cut(act, ":")
				// Security Hub IAM.1 (*:* admin) and IAM.21 (service wildcards).
				if act == "*" || strings.Contains(verb, "*") {
					t.Errorf("%s allows wildcard action %q", st.Sid, act)
				}
				if service == "iam" && (strings.Contains(verb, "User") || strings.Contains(verb, "AccessKey") ||
					strings.Contains(verb, "LoginProfile") || strings.Contains(verb, "OpenIDConnect")) {
					t.Errorf("%s allows %s", st.Sid, act)
				}
				if service == "s3" && (strings.Contains(verb, "Object") || verb == "PutBucketAcl") {
					t.Errorf("%s allows %s", st.Sid, act)
				}
				if service == "kms" || service == "sts" || service == "organizations" {
					t.Errorf("%s allows %s", st.Sid, act)
				}
			}
		}
	}
	if p := bySid["ProtectDeliveryPolicies"]; p.Effect != "Deny" || !slices.Equal(p.Resources(), policyARNs) ||
		!slices.Contains(p.Actions(), "iam:CreatePolicyVersion") {
		t.Errorf("ProtectDeliveryPolicies = %+v, want a deny on %v", p, policyARNs)
	}
	if r := bySid["Records"]; !slices.Equal(r.Actions(), []string{"route53:ChangeResourceRecordSets"}) || r.Condition != nil {
		t.Errorf("Records = %+v", r)
	}

	regions := []string{"us-west-2", "us-east-2"}
	for _, sid := range []string{"Network", "Database", "Buckets", "Parameters", "Containers", "LoadBalancer", "Backup",
		"Logs", "Observability", "Images", "CreateOwnSecrets", "ChangeOwnSecrets"} {
		st, ok := bySid[sid]
		if !ok {
			t.Errorf("statement %s missing", sid)
			continue
		}
		if got := inventory.AsStrings(st.Condition["StringEquals"]["aws:RequestedRegion"]); !slices.Equal(got, regions) {
			t.Errorf("%s: aws:RequestedRegion = %v, want %v", sid, got, regions)
		}
	}
	for _, act := range []string{"ecr:GetAuthorizationToken", "ecr:PutImage", "ecr:CompleteLayerUpload"} {
		if !slices.Contains(bySid["Images"].Actions(), act) {
			t.Errorf("Images lacks %s (the deploy job pushes images)", act)
		}
	}

	pass := bySid["PassOwnRoles"]
	if !slices.Equal(pass.Actions(), []string{"iam:PassRole"}) {
		t.Errorf("PassOwnRoles actions = %v", pass.Actions())
	}
	wantServices := []string{"backup.amazonaws.com", "chatbot.amazonaws.com", "ec2.amazonaws.com",
		"ecs-tasks.amazonaws.com", "monitoring.rds.amazonaws.com", "rds.amazonaws.com", "vpc-flow-logs.amazonaws.com"}
	if got := inventory.AsStrings(pass.Condition["StringEquals"]["iam:PassedToService"]); !slices.Equal(got, wantServices) {
		t.Errorf("iam:PassedToService = %v, want %v", got, wantServices)
	}
	for _, sid := range []string{"ChangeOwnRoles", "PassOwnRoles"} {
		eq := bySid[sid].Condition["StringEquals"]
		if eq["aws:ResourceTag/app"] != "article-pipeline" || eq["aws:ResourceTag/environment"] != "prod" {
			t.Errorf("%s is not limited to this stack's tags: %v", sid, eq)
		}
	}
	create := bySid["CreateOwnRoles"]
	if eq := create.Condition["StringEquals"]; eq["aws:RequestTag/app"] != "article-pipeline" ||
		eq["aws:RequestTag/environment"] != "prod" {
		t.Errorf("CreateOwnRoles is not limited to tagged requests: %v", create.Condition)
	}

	keys := bySid["NoLongLivedKeys"]
	if keys.Effect != "Deny" || !slices.Contains(keys.Actions(), "iam:CreateUser") ||
		!slices.Contains(keys.Actions(), "iam:CreateAccessKey") {
		t.Errorf("NoLongLivedKeys = %+v", keys)
	}
	admin := bySid["NoAdminPolicies"]
	if admin.Effect != "Deny" || !slices.Contains(inventory.AsStrings(admin.Condition["ArnEquals"]["iam:PolicyARN"]),
		"arn:aws:iam::aws:policy/AdministratorAccess") {
		t.Errorf("NoAdminPolicies = %+v", admin)
	}
	self := bySid["ProtectDeliveryRoles"]
	if self.Effect != "Deny" || !slices.Equal(self.Resources(), []string{o.preview, o.deploy}) ||
		!slices.Contains(self.Actions(), "iam:UpdateAssumeRolePolicy") || !slices.Contains(self.Actions(), "iam:PutRolePolicy") {
		t.Errorf("ProtectDeliveryRoles = %+v, want a deny on %s and %s", self, o.preview, o.deploy)
	}
	if p := bySid["ProtectProvider"]; p.Effect != "Deny" || !slices.Equal(p.Resources(), []string{mockProviderARN}) {
		t.Errorf("ProtectProvider = %+v", p)
	}
	other := bySid["KeepOtherStacksEnvironment"]
	if other.Effect != "Deny" || other.Condition["StringNotEquals"]["aws:ResourceTag/environment"] != "prod" ||
		other.Condition["Null"]["aws:ResourceTag/environment"] != "false" ||
		!slices.Contains(other.Actions(), "rds:DeleteDBInstance") || !slices.Contains(other.Actions(), "iam:TagRole") {
		t.Errorf("KeepOtherStacksEnvironment = %+v", other)
	}
	if _, ok := bySid["KeepOtherStacksApp"]; !ok {
		t.Error("KeepOtherStacksApp missing")
	}
}

func TestBadArgsDeclareNothing(t *testing.T) {
	t.Parallel()
	valid := func() *Args { return validArgs("prod") }
	mock.RejectsBadArgs(t, NewGitHubOIDC, "delivery", valid, []mock.BadArgs[Args]{
		{Name: "nil", WantErr: "delivery: args are required"},
		{Name: "no repository", Edit: func(a *Args) { a.Repository, a.Enabled = "", false },
			WantErr: "Repository is required"},
		// The settings' own rules (settings_test.go) run before anything is declared.
		{Name: "a settings rule", Edit: func(a *Args) { a.DeployBranch = "release/*" },
			WantErr: `delivery.deployBranch: "release/*" is not a branch name the trust policy can match exactly`},
		{Name: "both provider fields", Edit: func(a *Args) {
			a.ExistingProviderARN, a.ProviderImportID = pulumi.String(otherARN), otherARN
		}, WantErr: "ExistingProviderARN and ProviderImportID are both set"},
		{Name: "foreign provider", Edit: func(a *Args) {
			a.ExistingProviderARN = pulumi.String("arn:aws:iam::123456789012:oidc-provider/gitlab.com")
		}, WantErr: "is not a GitHub OIDC provider ARN"},
		{Name: "no regions", Edit: func(a *Args) { a.Regions = nil }, WantErr: "Regions is empty"},
		{Name: "bad region", Edit: func(a *Args) { a.Regions = []string{"us-west-2a"} },
			WantErr: `Regions[0] "us-west-2a"`},
		{Name: "no tags", Edit: func(a *Args) { a.ResourceTags = nil }, WantErr: "ResourceTags is empty"},
		{Name: "empty tag", Edit: func(a *Args) { a.ResourceTags = map[string]string{"app": ""} },
			WantErr: "empty key or value"},
	})
}

func TestSidSuffix(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"app": "App", "managed-by": "ManagedBy", "copilot_env2": "CopilotEnv2"} {
		if got := sidSuffix(in); got != want {
			t.Errorf("sidSuffix(%q) = %q, want %q", in, got, want)
		}
	}
}
