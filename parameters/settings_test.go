package parameters

import (
	"strings"
	"testing"

	"github.com/np-mrd/article-pipeline-infra/internal/mock"
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
	bad := []mock.BadValue[string]{
		{Name: "no leading slash", Value: "copilot",
			WantErr: `article-pipeline:parameterPath: "copilot" is not a parameter path`},
		{Name: "trailing slash", Value: "/copilot/",
			WantErr: `article-pipeline:parameterPath: "/copilot/" is not a parameter path`},
		{Name: "empty segment", Value: "/a//b", WantErr: `article-pipeline:parameterPath: "/a//b" is not a parameter path`},
		{Name: "space", Value: "/my path", WantErr: `article-pipeline:parameterPath: "/my path" is not a parameter path`},
		{Name: "reserved aws", Value: "/AWS-things",
			WantErr: `article-pipeline:parameterPath: "/AWS-things" starts with "aws-things"; ` +
				"SSM reserves names beginning with aws or ssm"},
		{Name: "reserved ssm", Value: "/ssm/x", WantErr: `article-pipeline:parameterPath: "/ssm/x" starts with "ssm"`},
		{Name: "too deep", Value: "/a/b/c/d/e/f/g/h/i/j/k/l",
			WantErr: `article-pipeline:parameterPath: "/a/b/c/d/e/f/g/h/i/j/k/l" gives ` +
				"parameter names 16 levels; SSM accepts at most 15"},
	}
	mock.RejectsValues(t, bad, mock.Contains, func(t *testing.T, path string) error {
		return ValidatePath("article-pipeline:parameterPath", path)
	})
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
