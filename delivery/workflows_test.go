package delivery

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
)

// workflowsDir is the repository's workflow directory, relative to this package.
var workflowsDir = filepath.Join("..", ".github", "workflows")

func workflowFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{"*.yml", "*.yaml"} {
		m, err := filepath.Glob(filepath.Join(workflowsDir, pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	slices.Sort(files)
	for _, want := range []string{"pull-request.yml", "deploy.yml", "deploy-stack.yml", "drift.yml"} {
		if !slices.Contains(files, filepath.Join(workflowsDir, want)) {
			t.Errorf("%s missing from %s (found %v)", want, workflowsDir, files)
		}
	}
	return files
}

// TestWorkflowsLint runs actionlint (as a library, no external commands:
// shellcheck and pyflakes are off) on every workflow and fails on any finding.
func TestWorkflowsLint(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	project, err := actionlint.NewProject(root)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	linter, err := actionlint.NewLinter(&out, &actionlint.LinterOptions{Shellcheck: "", Pyflakes: "", WorkingDir: root})
	if err != nil {
		t.Fatal(err)
	}
	var abs []string
	for _, f := range workflowFiles(t) {
		a, err := filepath.Abs(f)
		if err != nil {
			t.Fatal(err)
		}
		abs = append(abs, a)
	}
	errs, err := linter.LintFiles(abs, project)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Errorf("%s:%d:%d: %s [%s]", filepath.Base(e.Filepath), e.Line, e.Column, e.Message, e.Kind)
	}
}

var (
	exactVersion = regexp.MustCompile(`^[^@]+@v[0-9]+\.[0-9]+\.[0-9]+$`)
	commitSHA    = regexp.MustCompile(`^[^@]+@[0-9a-f]{40}$`)
	majorOf      = regexp.MustCompile(`^([^@]+@v[0-9]+)\.`)
)

// TestWorkflowsPinAndScope checks what actionlint does not: every action is
// pinned to an exact version or commit, its inputs exist in that major
// version's metadata (actionlint knows only "@vN" specs), no workflow grants
// permissions at the top, and every job states its own.
func TestWorkflowsPinAndScope(t *testing.T) {
	t.Parallel()
	for _, f := range workflowFiles(t) {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(f)
		w, errs := actionlint.Parse(src)
		if len(errs) > 0 {
			t.Errorf("%s: %v", name, errs[0])
			continue
		}
		for _, e := range w.On {
			if e.EventName() == "pull_request_target" {
				t.Errorf("%s: pull_request_target runs untrusted code with secrets", name)
			}
		}
		if p := w.Permissions; p == nil || p.All != nil || len(p.Scopes) != 0 {
			t.Errorf("%s: top-level permissions must be {} (each job asks for its own)", name)
		}
		for id, job := range w.Jobs {
			if job.Permissions == nil {
				t.Errorf("%s: job %s states no permissions", name, id)
			} else if job.Permissions.All != nil {
				t.Errorf("%s: job %s grants %s to every scope", name, id, job.Permissions.All.Value)
			} else {
				for scope, p := range job.Permissions.Scopes {
					if p.Value.Value == "write" && !slices.Contains([]string{"id-token", "pull-requests"}, scope) {
						t.Errorf("%s: job %s may write %s", name, id, scope)
					}
				}
			}
			if job.WorkflowCall != nil {
				if uses := job.WorkflowCall.Uses.Value; !strings.HasPrefix(uses, "./.github/workflows/") {
					t.Errorf("%s: job %s calls %s; only this repository's workflows", name, id, uses)
				}
				continue
			}
			for i, step := range job.Steps {
				exec, ok := step.Exec.(*actionlint.ExecAction)
				if !ok {
					continue
				}
				uses := exec.Uses.Value
				if !exactVersion.MatchString(uses) && !commitSHA.MatchString(uses) {
					t.Errorf("%s: job %s step %d uses %s; pin an exact version or commit", name, id, i, uses)
					continue
				}
				m := majorOf.FindStringSubmatch(uses)
				if m == nil {
					continue
				}
				meta, ok := actionlint.PopularActions[m[1]]
				if !ok {
					t.Errorf("%s: job %s step %d: %s is unknown to actionlint; inputs unchecked", name, id, i, m[1])
					continue
				}
				for in := range exec.Inputs {
					if _, ok := meta.Inputs[in]; !ok {
						t.Errorf("%s: job %s step %d: %s has no input %q", name, id, i, uses, in)
					}
				}
				for in, spec := range meta.Inputs {
					if _, given := exec.Inputs[in]; spec.Required && !given {
						t.Errorf("%s: job %s step %d: %s needs input %q", name, id, i, uses, in)
					}
				}
			}
		}
	}
}

// TestWorkflowsTargetTheRoles ties the workflows to the roles: previews assume
// a preview role without a GitHub environment (their token subject is
// pull_request or the deploy branch), the deploy job runs in the environment
// its role trusts, and the drift check refreshes and expects no changes.
func TestWorkflowsTargetTheRoles(t *testing.T) {
	t.Parallel()
	read := func(name string) *actionlint.Workflow {
		src, err := os.ReadFile(filepath.Join(workflowsDir, name))
		if err != nil {
			t.Fatal(err)
		}
		w, errs := actionlint.Parse(src)
		if len(errs) > 0 {
			t.Fatalf("%s: %v", name, errs[0])
		}
		return w
	}
	inputs := func(job *actionlint.Job, action string) map[string]string {
		for _, s := range job.Steps {
			if e, ok := s.Exec.(*actionlint.ExecAction); ok && strings.HasPrefix(e.Uses.Value, action+"@") {
				if action == "pulumi/actions" && e.Inputs["command"] == nil {
					continue // the CLI install step
				}
				out := map[string]string{}
				for k, v := range e.Inputs {
					out[k] = v.Value.Value
				}
				return out
			}
		}
		t.Fatalf("no %s step", action)
		return nil
	}

	pr := read("pull-request.yml").Jobs["preview"]
	if pr.Environment != nil {
		t.Error("preview job has an environment; its token subject would no longer be pull_request")
	}
	if got := inputs(pr, "aws-actions/configure-aws-credentials")["role-to-assume"]; got != "${{ vars[matrix.role] }}" {
		t.Errorf("preview role-to-assume = %q", got)
	}
	if in := inputs(pr, "pulumi/actions"); in["command"] != "preview" || in["comment-on-pr"] != "true" {
		t.Errorf("preview pulumi/actions inputs = %v", in)
	}

	deploy := read("deploy-stack.yml").Jobs["deploy"]
	if deploy.Environment == nil || deploy.Environment.Name.Value != "${{ inputs.environment }}" {
		t.Error("deploy job does not run in the caller's GitHub environment")
	}
	if got := inputs(deploy, "aws-actions/configure-aws-credentials")["role-to-assume"]; got != "${{ vars.AWS_DEPLOY_ROLE_ARN }}" {
		t.Errorf("deploy role-to-assume = %q", got)
	}
	if in := inputs(deploy, "pulumi/actions"); in["command"] != "up" {
		t.Errorf("deploy pulumi/actions inputs = %v", in)
	}
	if c := deploy.Concurrency; c == nil || c.Group.Value != "pulumi-${{ inputs.stack }}" || c.CancelInProgress.Value {
		t.Error("deploy job is not serialized per stack, or may be cancelled mid-up")
	}
	callers := read("deploy.yml").Jobs
	for _, env := range []string{"development", "prod"} {
		j := callers[env]
		if j == nil || j.WorkflowCall == nil || j.WorkflowCall.Inputs["environment"].Value.Value != env ||
			j.WorkflowCall.Inputs["stack"].Value.Value != env {
			t.Errorf("deploy.yml job %s does not deploy stack %s in environment %s", env, env, env)
		}
	}

	drift := read("drift.yml").Jobs["drift"]
	if drift.Environment != nil {
		t.Error("drift job has an environment; the preview role trusts the deploy branch only")
	}
	if in := inputs(drift, "pulumi/actions"); in["command"] != "preview" || in["refresh"] != "true" ||
		in["expect-no-changes"] != "true" {
		t.Errorf("drift pulumi/actions inputs = %v", in)
	}
}
