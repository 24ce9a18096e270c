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
	var arns, names map[string]string
	var versions map[string]int
	var dbARN string
	var secretOutputs []string
	m, err := mock.Run(mock.Options{Stack: "development"}, func(ctx *pulumi.Context) error {
		a := validArgs()
		// A value produced by another resource, as DATABASE_URL is.
		a.Values["DATABASE_URL"] = pulumi.String("postgresql://u:p@h:5432/d").ToStringOutput()
		a.Import = map[string]bool{"MAILGUN_API_KEY": true}
		s, err := NewStore(ctx, "params", a)
		if err != nil {
			return err
		}
		store = s
		s.ARNs.ApplyT(func(m map[string]string) error { arns = m; return nil })
		s.Names.ApplyT(func(m map[string]string) error { names = m; return nil })
		s.Versions.ApplyT(func(m map[string]int) error { versions = m; return nil })
		db, _ := s.ARN("DATABASE_URL")
		db.ApplyT(func(v string) error { dbARN = v; return nil })
		for key, o := range map[string]pulumi.Output{"names": s.Names, "arns": s.ARNs, "versions": s.Versions, "arn": db} {
			if pulumi.IsSecret(o) {
				secretOutputs = append(secretOutputs, key)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

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
	if len(secretOutputs) != 0 {
		t.Errorf("outputs marked secret: %v", secretOutputs)
	}
	if dbARN != arns["DATABASE_URL"] {
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
	m, err := mock.Run(mock.Options{}, func(ctx *pulumi.Context) error {
		a := validArgs()
		a.PathPrefix = "/np-mrd/copilot"
		a.Environment = "prod"
		_, err := NewStore(ctx, "params", a)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
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
	cases := []struct {
		name    string
		edit    func(a *Args)
		wantErr string
	}{
		{"nil value", func(a *Args) { a.Values["X"] = nil }, `X has no value; list it in Empty to store "None"`},
		{"bad name", func(a *Args) { a.Values["BAD-NAME"] = pulumi.String("v") }, `"BAD-NAME" is not a valid name`},
		{"leading digit", func(a *Args) { a.Empty = append(a.Empty, "1X") }, `"1X" is not a valid name`},
		{"value and empty", func(a *Args) { a.Empty = append(a.Empty, "DJANGO_SECRET") }, "DJANGO_SECRET is both given a value and declared empty"},
		{"empty twice", func(a *Args) { a.Empty = append(a.Empty, "SLACK_WEBHOOK") }, "SLACK_WEBHOOK is declared empty twice"},
		{"import undeclared", func(a *Args) { a.Import = map[string]bool{"OTHER": true} }, "OTHER is to be imported but not declared"},
		{"no application", func(a *Args) { a.Application = "" }, `Application "" is not a parameter path segment`},
		{"no environment", func(a *Args) { a.Environment = "" }, `Environment "" is not a parameter path segment`},
		{"prefix without slash", func(a *Args) { a.PathPrefix = "copilot" }, `PathPrefix "copilot" must start with /`},
		{"prefix trailing slash", func(a *Args) { a.PathPrefix = "/copilot/" }, `PathPrefix "/copilot/" must start with / and not end with /`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mock.Rejects(t, tc.wantErr, func(ctx *pulumi.Context) error {
				a := validArgs()
				tc.edit(a)
				_, err := NewStore(ctx, "params", a)
				return err
			})
		})
	}
	mock.Rejects(t, "args are required", func(ctx *pulumi.Context) error {
		_, err := NewStore(ctx, "params", nil)
		return err
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
