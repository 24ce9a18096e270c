package mock

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func TestRecordsResourcesAndRendersPolicies(t *testing.T) {
	t.Parallel()
	var policy string
	m, err := Run(Options{}, func(ctx *pulumi.Context) error {
		b, err := s3.NewBucketV2(ctx, "data", &s3.BucketV2Args{Bucket: pulumi.String("my-bucket")}, pulumi.Protect(true))
		if err != nil {
			return err
		}
		doc := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
			Statements: iam.GetPolicyDocumentStatementArray{iam.GetPolicyDocumentStatementArgs{
				Effect:    pulumi.String("Deny"),
				Actions:   pulumi.StringArray{pulumi.String("s3:*")},
				Resources: pulumi.StringArray{b.Arn},
				Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
					Type: pulumi.String("*"), Identifiers: pulumi.StringArray{pulumi.String("*")},
				}},
				Conditions: iam.GetPolicyDocumentStatementConditionArray{iam.GetPolicyDocumentStatementConditionArgs{
					Test: pulumi.String("Bool"), Variable: pulumi.String("aws:SecureTransport"),
					Values: pulumi.StringArray{pulumi.String("false")},
				}},
			}},
		})
		doc.Json().ApplyT(func(s string) string { policy = s; return s })
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	r := m.Find("aws:s3/bucketV2:BucketV2", "data")
	if r == nil || !r.Protect || r.Input("bucket") != "my-bucket" {
		t.Fatalf("bucket not recorded as expected: %+v", r)
	}
	if got := Plain(r.Outputs["arn"], false); got != "arn:aws:s3:::my-bucket" {
		t.Errorf("arn = %v", got)
	}
	st := ParsePolicy(t, "rendered", policy).Statement[0]
	if st.Effect != "Deny" || st.Principal != "*" || st.Action != "s3:*" || st.Resource != "arn:aws:s3:::my-bucket" ||
		st.Condition["Bool"]["aws:SecureTransport"] != "false" {
		t.Errorf("rendered policy = %s", policy)
	}
}

func TestDuplicateURNFails(t *testing.T) {
	t.Parallel()
	_, err := Run(Options{}, func(ctx *pulumi.Context) error {
		if _, err := s3.NewBucketV2(ctx, "same", nil); err != nil {
			return err
		}
		_, err := s3.NewBucketV2(ctx, "same", nil)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "duplicate URN") {
		t.Fatalf("err = %v, want a duplicate URN error", err)
	}
}

func TestStackReferenceOutputs(t *testing.T) {
	t.Parallel()
	var vpc string
	var secret bool
	_, err := Run(Options{
		StackOutputs:  map[string]map[string]any{"organization/article-pipeline/prod": {"vpcId": "vpc-123", "databaseUrl": "x"}},
		SecretOutputs: map[string][]string{"organization/article-pipeline/prod": {"databaseUrl"}},
	}, func(ctx *pulumi.Context) error {
		ref, err := pulumi.NewStackReference(ctx, "organization/article-pipeline/prod", nil)
		if err != nil {
			return err
		}
		ref.GetStringOutput(pulumi.String("vpcId")).ApplyT(func(s string) string { vpc = s; return s })
		details, err := ref.GetOutputDetails("databaseUrl")
		if err != nil {
			return err
		}
		secret = details.SecretValue != nil
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if vpc != "vpc-123" || !secret {
		t.Errorf("vpc = %q, databaseUrl secret = %v", vpc, secret)
	}
}

func TestUnknownInvokeFails(t *testing.T) {
	t.Parallel()
	_, err := Run(Options{}, func(ctx *pulumi.Context) error {
		_, err := iam.LookupRole(ctx, &iam.LookupRoleArgs{Name: "x"})
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "no mocked answer") {
		t.Fatalf("err = %v", err)
	}
}

func TestRejectsAndMustFind(t *testing.T) {
	t.Parallel()
	Rejects(t, "bad args", func(ctx *pulumi.Context) error { return errors.New("bad args") })
	m, err := Run(Options{}, func(ctx *pulumi.Context) error {
		_, err := s3.NewBucketV2(ctx, "b", nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if r := m.MustFind(t, "aws:s3/bucketV2:BucketV2", "b"); r.Name != "b" {
		t.Errorf("found %s", r.Name)
	}
}

func TestMustRunAndWantInputs(t *testing.T) {
	t.Parallel()
	m := MustRun(t, Options{}, func(ctx *pulumi.Context) error {
		_, err := s3.NewBucketV2(ctx, "b", &s3.BucketV2Args{Bucket: pulumi.String("my-bucket")})
		return err
	})
	m.MustFind(t, "aws:s3/bucketV2:BucketV2", "b").WantInputs(t, map[string]any{"bucket": "my-bucket",
		"forceDestroy": nil})
	m.WantNone(t, "declared", "aws:s3/bucketPolicy:BucketPolicy")
}

func TestRejectsBadArgs(t *testing.T) {
	t.Parallel()
	type args struct{ name string }
	newThing := func(ctx *pulumi.Context, name string, a *args, _ ...pulumi.ResourceOption) (*args, error) {
		switch {
		case a == nil:
			return nil, errors.New(name + ": args are required")
		case a.name == "":
			return nil, errors.New(name + ": name is required")
		}
		return a, errors.New("valid args reached the declaration")
	}
	RejectsBadArgs(t, newThing, "thing", func() *args { return &args{name: "ok"} }, []BadArgs[args]{
		{Name: "nil", WantErr: "thing: args are required"},
		{Name: "no name", Edit: func(a *args) { a.name = "" }, WantErr: "thing: name is required"},
	})
}

func TestRejectsValues(t *testing.T) {
	t.Parallel()
	var checked sync.Map
	outOfRange := func(t *testing.T, n int) error {
		checked.Store(n, true)
		return fmt.Errorf("k: %d is out of range; expected 1..9", n)
	}
	RejectsValues(t, []BadValue[int]{{Name: "whole", Value: 10, WantErr: "k: 10 is out of range; expected 1..9"}},
		Exact, outOfRange)
	RejectsValues(t, []BadValue[int]{{Name: "start", Value: 11, WantErr: "k: 11 is out of range"}}, Prefix, outOfRange)
	RejectsValues(t, []BadValue[int]{{Name: "part", Value: 12, WantErr: "12 is out"}}, Contains, outOfRange)
	t.Cleanup(func() { // after the parallel subtests
		for n := 10; n <= 12; n++ {
			if _, ok := checked.Load(n); !ok {
				t.Errorf("%d was not checked", n)
			}
		}
	})
	for _, tc := range []struct {
		match     Match
		err, want string
		ok        bool
	}{
		{Exact, "k: 1 is bad", "k: 1 is bad", true},
		{Exact, "k: 1 is bad", "k: 1", false},
		{Prefix, "k: 1 is bad", "k: 1", true},
		{Prefix, "k: 1 is bad", "1 is bad", false},
		{Contains, "k: 1 is bad", "1 is", true},
		{Contains, "k: 1 is bad", "k: 2", false},
	} {
		if got := tc.match.matches(tc.err, tc.want); got != tc.ok {
			t.Errorf("%q to %s %q: %v, want %v", tc.err, tc.match, tc.want, got, tc.ok)
		}
	}
}

// TestRejectsValuesFails runs spoilt cases in a child test process, which
// must fail each of them.
func TestRejectsValuesFails(t *testing.T) {
	if os.Getenv("MOCK_SPOILT_CASES") != "" {
		RejectsValues(t, []BadValue[string]{
			{Name: "accepted", Value: "", WantErr: "k: is required"},
			{Name: "another error", Value: "x", WantErr: "k: is required"},
			{Name: "only a part", Value: "x", WantErr: `"x" is not`},
			{Name: "no error named", Value: "x"},
		}, Prefix, func(t *testing.T, value string) error {
			if value == "" {
				return nil
			}
			return fmt.Errorf("k: %q is not a name", value)
		})
		return
	}
	t.Parallel()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, "-test.run=^TestRejectsValuesFails$", "-test.v")
	cmd.Env = append(os.Environ(), "MOCK_SPOILT_CASES=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the spoilt cases passed:\n%s", out)
	}
	for _, want := range []string{
		"--- FAIL: TestRejectsValuesFails/accepted", "err = <nil>\n",
		"--- FAIL: TestRejectsValuesFails/another_error", `want it to start with "k: is required"`,
		"--- FAIL: TestRejectsValuesFails/only_a_part", `want it to start with "\"x\" is not"`,
		"--- FAIL: TestRejectsValuesFails/no_error_named", "the case wants no error",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the child's output lacks %q:\n%s", want, out)
		}
	}
}

// component is a component as the program's packages write one.
type component struct {
	pulumi.ResourceState
	Name   pulumi.StringOutput `pulumi:"name,optional"`
	ID     pulumi.IDOutput
	Unset  pulumi.StringOutput // never set, and not registered as an output: no state
	hidden pulumi.StringOutput
}

func newComponent(ctx *pulumi.Context, name string, a *s3.BucketV2Args, opts ...pulumi.ResourceOption) (*component, error) {
	c := &component{}
	if err := ctx.RegisterComponentResource("test:index:Component", name, c, opts...); err != nil {
		return nil, err
	}
	b, err := s3.NewBucketV2(ctx, name, a, pulumi.Parent(c))
	if err != nil {
		return nil, err
	}
	c.Name, c.ID, c.hidden = b.Bucket, b.ID(), b.Arn
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{"name": c.Name})
}

func TestDeclare(t *testing.T) {
	t.Parallel()
	m, outs := Declare(t, Options{}, newComponent, "b", &s3.BucketV2Args{Bucket: pulumi.String("my-bucket")})
	m.MustFind(t, "aws:s3/bucketV2:BucketV2", "b").WantInputs(t, map[string]any{"bucket": "my-bucket"})
	if got := outs.Strings(t, "name", "ID"); got["name"] != "my-bucket" || got["ID"] != "my-bucket" {
		t.Errorf("outputs = %v", got)
	}
	for _, k := range []string{"Unset", "hidden"} {
		if v, ok := outs.Get(k); ok {
			t.Errorf("output %s captured: %v", k, v)
		}
	}
}

func TestOutputs(t *testing.T) {
	t.Parallel()
	var outs Outputs
	MustRun(t, Options{}, func(ctx *pulumi.Context) error {
		b, err := s3.NewBucketV2(ctx, "b", &s3.BucketV2Args{Bucket: pulumi.String("my-bucket")})
		if err != nil {
			return err
		}
		outs.Capture("arn", b.Arn)
		outs.Capture("id", b.ID())
		outs.Capture("secret", pulumi.ToSecret(b.Bucket))
		return nil
	})
	got := outs.Strings(t, "arn", "id", "secret")
	if got["arn"] != "arn:aws:s3:::my-bucket" || got["id"] != "my-bucket" || got["secret"] != "my-bucket" {
		t.Errorf("captured %v", got)
	}
	if outs.Secret(t, "arn") || !outs.Secret(t, "secret") {
		t.Errorf("secret: arn %v, secret %v", outs.Secret(t, "arn"), outs.Secret(t, "secret"))
	}
	if _, ok := outs.Get("missing"); ok {
		t.Error("an output never captured has a value")
	}
}

func TestParsePolicy(t *testing.T) {
	t.Parallel()
	d := ParsePolicy(t, "lone statement", `{"Version":"2012-10-17","Statement":{"Sid":"A","Effect":"Allow",`+
		`"Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole","NotResource":["a","b"]}}`)
	st := d.Statement[0]
	if len(d.Statement) != 1 || st.Sid != "A" || st.Principals("Service") != "ecs-tasks.amazonaws.com" ||
		st.Principals("AWS") != nil || !slices.Equal(st.Actions(), []string{"sts:AssumeRole"}) ||
		st.Resources() != nil || !slices.Equal(st.NotResources(), []string{"a", "b"}) {
		t.Errorf("parsed %+v", d)
	}
	if st := ParsePolicy(t, "wildcard", `{"Version":"2012-10-17","Statement":[{"Principal":"*"}]}`).Statement[0]; st.Principals("AWS") != "*" {
		t.Errorf("wildcard principal = %v", st.Principals("AWS"))
	}
}

func TestOverlay(t *testing.T) {
	t.Parallel()
	type settings struct {
		A int    `json:"a"`
		B string `json:"b"`
	}
	if got := Overlay(t, settings{A: 1, B: "kept"}, `{"a":2}`); got != (settings{A: 2, B: "kept"}) {
		t.Errorf("Overlay = %+v", got)
	}
}
