package backup

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/internal/mock"
)

const (
	selectionType = "aws:backup/selection:Selection"
	roleType      = "aws:iam/role:Role"
	attachType    = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	lockType      = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"
	providerType  = "pulumi:providers:aws"

	dbARN     = "arn:aws:rds:us-west-2:123456789012:db:article-pipeline-prod"
	bucketARN = "arn:aws:s3:::article-pipeline-deposition-prod"
)

// runbookArgs are the runbook's settings as config passes them.
func runbookArgs() *Args {
	s := Defaults("article-pipeline-prod")
	s.Enabled = true
	return &Args{
		Settings: s,
		Resources: []pulumi.StringInput{
			pulumi.String(dbARN).ToStringOutput(), // as a resource output would be
			pulumi.String(bucketARN),
		},
		Tags:    map[string]string{"app": "article-pipeline", "environment": "prod", "managed-by": "pulumi"},
		Protect: true,
	}
}

// run declares the plan and captures its outputs.
func run(t *testing.T, args *Args) (*mock.Monitor, *mock.Outputs) {
	t.Helper()
	return mock.Declare(t, mock.Options{Stack: "prod"}, NewPlan, "backup", args)
}

func TestPlanIsTheRunbook(t *testing.T) {
	t.Parallel()
	m, outs := run(t, runbookArgs())
	comp := m.Find(typeToken, "backup")
	if comp == nil {
		t.Fatal("component not registered")
	}
	for _, r := range m.Resources() {
		if r.Type != typeToken && r.ParentURN != comp.URN {
			t.Errorf("%s %s is not parented to the component", r.Type, r.Name)
		}
	}

	vault := m.Find(vaultType, "backup-vault")
	if vault.Input("name") != "article-pipeline-prod" {
		t.Errorf("vault name = %v", vault.Input("name"))
	}
	if vault.Input("kmsKeyArn") != nil {
		t.Errorf("vault kmsKeyArn = %v, want the AWS-managed default key", vault.Input("kmsKeyArn"))
	}
	if !vault.Protect || vault.ImportID != "" {
		t.Errorf("vault protect %v import %q", vault.Protect, vault.ImportID)
	}

	plan := m.Find(planType, "backup-plan")
	if plan.Input("name") != "article-pipeline-prod" || plan.Protect || plan.ImportID != "" {
		t.Errorf("plan name %v protect %v import %q", plan.Input("name"), plan.Protect, plan.ImportID)
	}
	rules, _ := plan.Input("rules").([]any)
	if len(rules) != 1 {
		t.Fatalf("rules = %v", plan.Input("rules"))
	}
	rule := rules[0].(map[string]any)
	want := map[string]any{
		"ruleName":               "monthly",
		"targetVaultName":        "article-pipeline-prod",
		"schedule":               "cron(0 9 1 * ? *)",
		"startWindow":            480.0,
		"completionWindow":       10080.0,
		"enableContinuousBackup": false, // the runbook: no point-in-time recovery
	}
	for k, v := range want {
		if rule[k] != v {
			t.Errorf("rule.%s = %v, want %v", k, rule[k], v)
		}
	}
	lc := rule["lifecycle"].(map[string]any)
	if lc["coldStorageAfter"] != 2.0 || lc["deleteAfter"] != 180.0 {
		t.Errorf("lifecycle = %v, want cold after 2 days, delete after 180", lc)
	}
	if cp, ok := rule["copyActions"]; ok && cp != nil && len(cp.([]any)) != 0 {
		t.Errorf("copyActions = %v, want none by default", cp)
	}
	tags := rule["recoveryPointTags"].(map[string]any)
	if len(tags) != 3 || tags["app"] != "article-pipeline" || tags["environment"] != "prod" || tags["managed-by"] != "pulumi" {
		t.Errorf("recoveryPointTags = %v", tags)
	}

	role := m.Find(roleType, "backup-role")
	trust := mock.ParsePolicy(t, "trust policy", role.Input("assumeRolePolicy"))
	if len(trust.Statement) != 1 {
		t.Fatalf("trust policy = %+v", trust)
	}
	st := trust.Statement[0]
	if st.Effect != "Allow" || st.Action != "sts:AssumeRole" ||
		!reflect.DeepEqual(st.Principal, map[string]any{"Service": "backup.amazonaws.com"}) {
		t.Errorf("trust statement = %+v", st)
	}

	var policies []string
	for _, a := range m.OfType(attachType) {
		policies = append(policies, a.Input("policyArn").(string))
		if a.Input("role") != role.Outputs["name"].StringValue() {
			t.Errorf("%s attaches to %v", a.Name, a.Input("role"))
		}
	}
	slices.Sort(policies)
	wantPolicies := []string{
		"arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup",
		"arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore",
		"arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
		"arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
	}
	if !slices.Equal(policies, wantPolicies) {
		t.Errorf("managed policies = %v\nwant %v", policies, wantPolicies)
	}

	sel := m.Find(selectionType, "backup-selection")
	res, _ := sel.Input("resources").([]any)
	if len(res) != 2 || res[0] != dbARN || res[1] != bucketARN {
		t.Errorf("selection resources = %v, want exactly [%s %s]", res, dbARN, bucketARN)
	}
	if sel.Input("iamRoleArn") != "arn:aws:iam::"+mock.Account+":role/"+role.Outputs["name"].StringValue() {
		t.Errorf("selection role = %v", sel.Input("iamRoleArn"))
	}
	if sel.Input("planId") != plan.ID {
		t.Errorf("selection planId = %v, want %s", sel.Input("planId"), plan.ID)
	}
	for _, a := range m.OfType(attachType) {
		if !slices.Contains(sel.DependsOn, a.URN) {
			t.Errorf("selection does not wait for %s", a.Name)
		}
	}
	if sel.Input("selectionTags") != nil || sel.Input("conditions") != nil {
		t.Errorf("selection has tag conditions: %v %v", sel.Input("selectionTags"), sel.Input("conditions"))
	}

	if len(m.OfType(lockType)) != 0 || len(m.OfType(providerType)) != 0 {
		t.Error("vault lock or copy region declared though off by default")
	}
	wantOuts := map[string]string{
		"vaultName":    "article-pipeline-prod",
		"vaultArn":     "arn:aws:backup:us-west-2:" + mock.Account + ":backup-vault:article-pipeline-prod",
		"planId":       plan.ID,
		"planArn":      "arn:aws:backup:us-west-2:" + mock.Account + ":backup-plan:" + plan.ID,
		"roleArn":      sel.Input("iamRoleArn").(string),
		"copyVaultArn": "",
	}
	for k, v := range wantOuts {
		if got := outs.String(t, k); got != v {
			t.Errorf("output %s = %q, want %q", k, got, v)
		}
	}
	if m.OutputsRegistered() != 2 {
		t.Errorf("RegisterResourceOutputs called %d times, want 2", m.OutputsRegistered())
	}
}

func TestNoColdStorageAndUnprotected(t *testing.T) {
	t.Parallel()
	a := runbookArgs()
	a.ColdStorageAfterDays = 0
	a.DeleteAfterDays = 35
	a.Protect = false
	a.Tags = nil
	m, _ := run(t, a)
	rule := m.Find(planType, "backup-plan").Input("rules").([]any)[0].(map[string]any)
	lc := rule["lifecycle"].(map[string]any)
	if _, has := lc["coldStorageAfter"]; has || lc["deleteAfter"] != 35.0 {
		t.Errorf("lifecycle = %v", lc)
	}
	if _, has := rule["recoveryPointTags"]; has {
		t.Errorf("recoveryPointTags = %v, want none", rule["recoveryPointTags"])
	}
	if m.Find(vaultType, "backup-vault").Protect {
		t.Error("vault protected though Protect is false")
	}
}

func TestAdoptCopyAndLock(t *testing.T) {
	t.Parallel()
	a := runbookArgs()
	a.Adopt = &Adoption{VaultName: "article-pipeline-prod", PlanID: "01234567-89ab-cdef-0123-456789abcdef"}
	a.CopyToRegion = "us-east-2"
	a.VaultLock = &VaultLock{MinRetentionDays: 7, MaxRetentionDays: 365, ChangeableForDays: 3}
	a.Keep = map[string][]string{"backup-plan": {"rules", "tags"}}
	m, _ := run(t, a)

	vault := m.Find(vaultType, "backup-vault")
	if vault.ImportID != "article-pipeline-prod" || !vault.Protect || !vault.RetainOnDelete {
		t.Errorf("vault import %q protect %v retainOnDelete %v", vault.ImportID, vault.Protect, vault.RetainOnDelete)
	}
	plan := m.Find(planType, "backup-plan")
	if plan.ImportID != "01234567-89ab-cdef-0123-456789abcdef" || !plan.RetainOnDelete ||
		!slices.Equal(plan.IgnoreChanges, []string{"rules", "tags"}) {
		t.Errorf("plan import %q retainOnDelete %v ignoreChanges %v", plan.ImportID, plan.RetainOnDelete,
			plan.IgnoreChanges)
	}
	if got := Imported("backup", a.Adopt); len(got) != 2 || got[0].Name != "backup-vault" || got[1].Name != "backup-plan" {
		t.Errorf("Imported = %+v", got)
	}
	for _, r := range m.Resources() {
		if r.ImportID != "" && r != vault && r != plan {
			t.Errorf("%s %s also has import ID %q", r.Type, r.Name, r.ImportID)
		}
	}

	prov := m.Find(providerType, "backup-copy-region")
	if prov == nil || prov.Input("region") != "us-east-2" {
		t.Fatalf("copy provider = %+v", prov)
	}
	dt, _ := prov.Input("defaultTags").(map[string]any)
	if tags, _ := dt["tags"].(map[string]any); len(tags) != 3 || tags["managed-by"] != "pulumi" ||
		tags["environment"] != "prod" || tags["app"] != "article-pipeline" {
		t.Errorf("copy provider defaultTags = %v", prov.Input("defaultTags"))
	}
	cv := m.Find(vaultType, "backup-copy-vault")
	if cv.Input("name") != "article-pipeline-prod" || !cv.Protect || !strings.HasPrefix(cv.Provider, prov.URN+"::") {
		t.Errorf("copy vault name %v protect %v provider %q", cv.Input("name"), cv.Protect, cv.Provider)
	}
	if vault.Provider != "" && strings.HasPrefix(vault.Provider, prov.URN) {
		t.Error("primary vault uses the copy region's provider")
	}
	rule := plan.Input("rules").([]any)[0].(map[string]any)
	copies := rule["copyActions"].([]any)
	if len(copies) != 1 {
		t.Fatalf("copyActions = %v", copies)
	}
	ca := copies[0].(map[string]any)
	if ca["destinationVaultArn"] != cv.Outputs["arn"].StringValue() {
		t.Errorf("copy destination = %v", ca["destinationVaultArn"])
	}
	if lc := ca["lifecycle"].(map[string]any); lc["coldStorageAfter"] != 2.0 || lc["deleteAfter"] != 180.0 {
		t.Errorf("copy lifecycle = %v", lc)
	}

	lock := m.Find(lockType, "backup-vault-lock")
	if lock.Input("backupVaultName") != "article-pipeline-prod" || lock.Input("minRetentionDays") != 7.0 ||
		lock.Input("maxRetentionDays") != 365.0 || lock.Input("changeableForDays") != 3.0 {
		t.Errorf("vault lock = %v", lock.Inputs)
	}
	if lock.Protect {
		t.Error("vault lock protected; only the vaults are")
	}
}

func TestGovernanceLockHasNoChangeableDays(t *testing.T) {
	t.Parallel()
	a := runbookArgs()
	a.VaultLock = &VaultLock{MinRetentionDays: 1, MaxRetentionDays: 36500}
	m, _ := run(t, a)
	lock := m.Find(lockType, "backup-vault-lock")
	if _, has := lock.Inputs["changeableForDays"]; has {
		t.Errorf("changeableForDays = %v, want unset (governance mode)", lock.Input("changeableForDays"))
	}
}

func TestBadArgsDeclareNothing(t *testing.T) {
	t.Parallel()
	mock.RejectsBadArgs(t, NewPlan, "backup", runbookArgs, []mock.BadArgs[Args]{
		{Name: "nil", WantErr: "args are required"},
		{Name: "no resources", Edit: func(a *Args) { a.Resources = nil }, WantErr: "Resources is empty"},
		{Name: "nil resource", Edit: func(a *Args) { a.Resources = append(a.Resources, nil) },
			WantErr: "Resources[2] is nil"},
		{Name: "adopted vault under another name",
			Edit:    func(a *Args) { a.Adopt = &Adoption{VaultName: "old-vault"} },
			WantErr: `backup.adopt.vaultName: "old-vault" differs from the vault name "article-pipeline-prod"`},
		{Name: "adopted plan ID not a UUID", Edit: func(a *Args) { a.Adopt = &Adoption{PlanID: "my-plan"} },
			WantErr: `backup.adopt.planId: "my-plan" is not a backup plan ID`},
		// The settings' own rules (settings_test.go) run before anything is declared.
		{Name: "a settings rule", Edit: func(a *Args) { a.DeleteAfterDays = 91 },
			WantErr: "backup.deleteAfterDays: 91 is too soon"},
	})
}
