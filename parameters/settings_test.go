package parameters

import (
	"strings"
	"testing"
)

func TestParameterPath(t *testing.T) {
	t.Parallel()
	if got := Name(DefaultPath, "article-pipeline", "development", "MAILGUN_API_KEY"); got !=
		"/copilot/article-pipeline/development/secrets/MAILGUN_API_KEY" {
		t.Errorf("Name = %q", got)
	}
	for _, good := range []string{"/copilot", "/np-mrd/copilot_v2.1"} {
		if err := ValidatePath("article-pipeline:parameterPath", good); err != nil {
			t.Errorf("ValidatePath(%q) = %v", good, err)
		}
	}
	bad := []struct{ name, value, wantErr string }{
		{"no leading slash", "copilot", `article-pipeline:parameterPath: "copilot" is not a parameter path`},
		{"trailing slash", "/copilot/", `article-pipeline:parameterPath: "/copilot/" is not a parameter path`},
		{"empty segment", "/a//b", `article-pipeline:parameterPath: "/a//b" is not a parameter path`},
		{"space", "/my path", `article-pipeline:parameterPath: "/my path" is not a parameter path`},
		{"reserved aws", "/AWS-things", `article-pipeline:parameterPath: "/AWS-things" starts with "aws-things"; ` +
			"SSM reserves names beginning with aws or ssm"},
		{"reserved ssm", "/ssm/x", `article-pipeline:parameterPath: "/ssm/x" starts with "ssm"`},
		{"too deep", "/a/b/c/d/e/f/g/h/i/j/k/l", `article-pipeline:parameterPath: "/a/b/c/d/e/f/g/h/i/j/k/l" gives ` +
			"parameter names 16 levels; SSM accepts at most 15"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if err := ValidatePath("article-pipeline:parameterPath", tc.value); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestValidateFullNames(t *testing.T) {
	t.Parallel()
	if err := ValidateFullNames("article-pipeline:parameters", []string{"DATABASE_URL", "MAILGUN_API_KEY"}, "/copilot",
		"article-pipeline", "prod"); err != nil {
		t.Errorf("ordinary names: %v", err)
	}
	long := strings.Repeat("X", 1000)
	err := ValidateFullNames("article-pipeline:parameters", []string{long}, "/copilot", "article-pipeline", "prod")
	want := "article-pipeline:parameters." + long + ": the parameter name /copilot/article-pipeline/prod/secrets/X... " +
		"is 1039 characters; SSM accepts at most 951"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}
