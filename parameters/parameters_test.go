package parameters

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/internal/mock"
)

const paramType = "aws:ssm/parameter:Parameter"

func validArgs() *Args {
	return &Args{
		Application: "article-pipeline",
		Environment: "development",
		PathPrefix:  "/copilot",
		Values: map[string]pulumi.StringInput{
			"MAILGUN_API_KEY": pulumi.String("key-123"),
			"DJANGO_SECRET":   pulumi.String("s3cr3t"),
		},
		Empty: []string{"SLACK_WEBHOOK"},
	}
}

func TestStoreDeclaresCopilotParameters(t *testing.T) {
	t.Parallel()
	var store *Store
	var outs mock.Outputs
	m := mock.MustRun(t, mock.Options{Stack: "development"}, func(ctx *pulumi.Context) error {
		a := validArgs()
		// A value produced by another resource, as DATABASE_URL is.
		a.Values["DATABASE_URL"] = pulumi.String("postgresql://u:p@h:5432/d").ToStringOutput()
		a.Import = map[string]bool{"MAILGUN_API_KEY": true}
		s, err := NewStore(ctx, "params", a)
		if err != nil {
			return err
		}
		store = s
		db, _ := s.ARN("DATABASE_URL")
		outs.CaptureFields(s)
		outs.Capture("arn", db)
		return nil
	})
	names := outs.Value(t, "names").(map[string]string)
	arns := outs.Value(t, "arns").(map[string]string)
	versions := outs.Value(t, "versions").(map[string]int)

	comp := m.Find(typeToken, "params")
	if comp == nil {
		t.Fatal("component not registered")
	}
	want := map[string]string{
		"DATABASE_URL":    "postgresql://u:p@h:5432/d",
		"DJANGO_SECRET":   "s3cr3t",
		"MAILGUN_API_KEY": "key-123",
		"SLACK_WEBHOOK":   "None", // the runbook's "empty for this environment"
	}
	params := m.OfType(paramType)
	if len(params) != len(want) {
		t.Fatalf("%d parameters, want %d", len(params), len(want))
	}
	for n, value := range want {
		r := m.Find(paramType, "params-"+n)
		if r == nil {
			t.Fatalf("parameter %s missing", n)
		}
		full := "/copilot/article-pipeline/development/secrets/" + n
		if got := r.Input("name"); got != full {
			t.Errorf("%s name = %v, want %s", n, got, full)
		}
		if got := r.Input("type"); got != "SecureString" {
			t.Errorf("%s type = %v", n, got)
		}
		if got := r.Input("value"); got != value {
			t.Errorf("%s value = %v, want %v", n, got, value)
		}
		if !r.IsSecretInput("value") {
			t.Errorf("%s value is not secret", n)
		}
		if r.Input("keyId") != nil {
			t.Errorf("%s keyId = %v, want the default aws/ssm key", n, r.Input("keyId"))
		}
		tags, _ := r.Input("tags").(map[string]any)
		if len(tags) != 2 || tags["copilot-application"] != "article-pipeline" ||
			tags["copilot-environment"] != "development" {
			t.Errorf("%s tags = %v", n, tags)
		}
		if r.ParentURN != comp.URN {
			t.Errorf("%s parent = %s", n, r.ParentURN)
		}
		if n == "MAILGUN_API_KEY" {
			if r.ImportID != full {
				t.Errorf("%s import ID = %q, want %q", n, r.ImportID, full)
			}
		} else if r.ImportID != "" {
			t.Errorf("%s import ID = %q, want none", n, r.ImportID)
		}
		if names[n] != full {
			t.Errorf("Names[%s] = %q", n, names[n])
		}
		wantARN := "arn:aws:ssm:us-west-2:" + mock.Account + ":parameter" + full
		if arns[n] != wantARN {
			t.Errorf("ARNs[%s] = %q, want %q", n, arns[n], wantARN)
		}
		if versions[n] != 1 {
			t.Errorf("Versions[%s] = %d", n, versions[n])
		}
	}
	// Names, ARNs and versions are plain: they carry no value, and services need
	// them unmasked for valueFrom and the digest.
	for _, key := range []string{"names", "arns", "versions", "arn"} {
		if outs.Secret(t, key) {
			t.Errorf("output %s marked secret", key)
		}
	}
	if dbARN := outs.String(t, "arn"); dbARN != arns["DATABASE_URL"] {
		t.Errorf("ARN(DATABASE_URL) = %q", dbARN)
	}
	if _, ok := store.ARN("NOT_DECLARED"); ok {
		t.Error("ARN of an undeclared name reported as declared")
	}
	if got := strings.Join(store.Declared(), ","); got != "DATABASE_URL,DJANGO_SECRET,MAILGUN_API_KEY,SLACK_WEBHOOK" {
		t.Errorf("Declared() = %s", got)
	}
	if m.OutputsRegistered() != 2 {
		t.Errorf("RegisterResourceOutputs called %d times, want 2 (component + stack)", m.OutputsRegistered())
	}
}

func TestNameAndPrefix(t *testing.T) {
	t.Parallel()
	if got := Name("/copilot", "article-pipeline", "prod", "DATABASE_URL"); got != "/copilot/article-pipeline/prod/secrets/DATABASE_URL" {
		t.Errorf("Name = %q", got)
	}
	m := mock.MustRun(t, mock.Options{}, func(ctx *pulumi.Context) error {
		a := validArgs()
		a.PathPrefix = "/np-mrd/copilot"
		a.Environment = "prod"
		_, err := NewStore(ctx, "params", a)
		return err
	})
	r := m.Find(paramType, "params-SLACK_WEBHOOK")
	if got := r.Input("name"); got != "/np-mrd/copilot/article-pipeline/prod/secrets/SLACK_WEBHOOK" {
		t.Errorf("name = %v", got)
	}
	if tags := r.Input("tags").(map[string]any); tags["copilot-environment"] != "prod" {
		t.Errorf("tags = %v", tags)
	}
}

func TestBadArgsDeclareNothing(t *testing.T) {
	t.Parallel()
	mock.RejectsBadArgs(t, NewStore, "params", validArgs, []mock.BadArgs[Args]{
		{Name: "nil", WantErr: "args are required"},
		{Name: "nil value", Edit: func(a *Args) { a.Values["X"] = nil },
			WantErr: `X has no value; list it in Empty to store "None"`},
		{Name: "bad name", Edit: func(a *Args) { a.Values["BAD-NAME"] = pulumi.String("v") },
			WantErr: `"BAD-NAME" is not a valid name`},
		{Name: "leading digit", Edit: func(a *Args) { a.Empty = append(a.Empty, "1X") },
			WantErr: `"1X" is not a valid name`},
		{Name: "value and empty", Edit: func(a *Args) { a.Empty = append(a.Empty, "DJANGO_SECRET") },
			WantErr: "DJANGO_SECRET is both given a value and declared empty"},
		{Name: "empty twice", Edit: func(a *Args) { a.Empty = append(a.Empty, "SLACK_WEBHOOK") },
			WantErr: "SLACK_WEBHOOK is declared empty twice"},
		{Name: "import undeclared", Edit: func(a *Args) { a.Import = map[string]bool{"OTHER": true} },
			WantErr: "OTHER is to be imported but not declared"},
		{Name: "no application", Edit: func(a *Args) { a.Application = "" },
			WantErr: `Application "" is not a parameter path segment`},
		{Name: "no environment", Edit: func(a *Args) { a.Environment = "" },
			WantErr: `Environment "" is not a parameter path segment`},
		{Name: "prefix without slash", Edit: func(a *Args) { a.PathPrefix = "copilot" },
			WantErr: `PathPrefix "copilot" must start with /`},
		{Name: "prefix trailing slash", Edit: func(a *Args) { a.PathPrefix = "/copilot/" },
			WantErr: `PathPrefix "/copilot/" must start with / and not end with /`},
	})
}

func TestSecretValueNeverInErrors(t *testing.T) {
	t.Parallel()
	_, err := mock.Run(mock.Options{}, func(ctx *pulumi.Context) error {
		a := validArgs()
		a.Values["bad name"] = pulumi.String("hunter2-secret")
		_, err := NewStore(ctx, "params", a)
		return err
	})
	if err == nil || strings.Contains(err.Error(), "hunter2-secret") {
		t.Errorf("err = %v", err)
	}
}
