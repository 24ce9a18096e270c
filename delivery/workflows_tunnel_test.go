package delivery

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The workflows as YAML: what the tunnel tests need of a job and its steps.
type ghWorkflow struct {
	Jobs map[string]ghJob `yaml:"jobs"`
}

type ghJob struct {
	Env   map[string]string `yaml:"env"`
	Steps []ghStep          `yaml:"steps"`
}

type ghStep struct {
	ID   string            `yaml:"id"`
	Name string            `yaml:"name"`
	If   string            `yaml:"if"`
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	With map[string]string `yaml:"with"`
	Env  map[string]string `yaml:"env"`
}

func readWorkflow(t *testing.T, name string) ghWorkflow {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(workflowsDir, name))
	if err != nil {
		t.Fatal(err)
	}
	var w ghWorkflow
	if err := yaml.Unmarshal(src, &w); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return w
}

// stepIndex returns the index of the only step that matches, failing the test
// when there is none or more than one.
func stepIndex(t *testing.T, job ghJob, what string, match func(ghStep) bool) int {
	t.Helper()
	found := -1
	for i, s := range job.Steps {
		if match(s) {
			if found >= 0 {
				t.Fatalf("two steps %s: %d and %d", what, found, i)
			}
			found = i
		}
	}
	if found < 0 {
		t.Fatalf("no step %s", what)
	}
	return found
}

func runs(cmd string) func(ghStep) bool {
	return func(s ghStep) bool { return strings.Contains(s.Run, cmd) }
}

func pulumiAction(command string) func(ghStep) bool {
	return func(s ghStep) bool {
		return strings.HasPrefix(s.Uses, "pulumi/actions@") && s.With["command"] == command
	}
}

const tunnelCmd = ".github/scripts/db-tunnel.sh"

// checkTunnelSteps asserts the tunnel's life around the job's Pulumi step: the
// plugin installed, then the port forward opened (the script waits for the
// database and sets tunnelHost/tunnelPort: tunnel_script_test.go), then
// Pulumi, then the session closed by a step that runs whatever happened.
func checkTunnelSteps(t *testing.T, job ghJob, pulumiStep int) (install, open, closeStep int) {
	t.Helper()
	install = stepIndex(t, job, "installs the plugin", runs(tunnelCmd+" install-plugin"))
	open = stepIndex(t, job, "opens the tunnel", runs(tunnelCmd+" open"))
	closeStep = stepIndex(t, job, "closes the tunnel", runs(tunnelCmd+" close"))
	if !(install < open && open < pulumiStep && pulumiStep < closeStep) {
		t.Errorf("steps: install plugin %d, open %d, pulumi %d, close %d; want them in this order",
			install, open, pulumiStep, closeStep)
	}
	if got := job.Steps[closeStep].If; got != "always()" {
		t.Errorf("close step runs if %q; want always(), so that a failed or cancelled run ends its session", got)
	}
	if job.Env["STACK"] == "" {
		t.Error("the job sets no STACK for the tunnel script")
	}
	return install, open, closeStep
}

// TestDeployOpensTheTunnel: the deploy job's steps, in order, and the
// first-deploy branch that creates the bastion before the tunnel can exist.
func TestDeployOpensTheTunnel(t *testing.T) {
	t.Parallel()
	job := readWorkflow(t, "deploy-stack.yml").Jobs["deploy"]
	up := stepIndex(t, job, "runs pulumi up", pulumiAction("up"))
	install, open, _ := checkTunnelSteps(t, job, up)

	status := stepIndex(t, job, "reads the bastion's status", runs(tunnelCmd+" status"))
	if job.Steps[status].ID != "bastion" {
		t.Fatalf("status step id = %q; the other steps read steps.bastion.outputs", job.Steps[status].ID)
	}
	on := "steps.bastion.outputs.bastion == 'on'"
	for _, i := range []int{install, open} {
		if job.Steps[i].If != on {
			t.Errorf("step %q runs if %q, want %q", job.Steps[i].Name, job.Steps[i].If, on)
		}
	}

	first := stepIndex(t, job, "runs the first-deploy up", runs("--exclude"))
	build := stepIndex(t, job, "builds the images", func(s ghStep) bool { return s.Name == "Build and push images" })
	if !(status < first && first < build && build < open) {
		t.Errorf("steps: status %d, first deploy %d, build %d, open %d; want them in this order (the first up creates the repositories and the bastion)",
			status, first, build, open)
	}
	if want := on + " && steps.bastion.outputs.instance == ''"; job.Steps[first].If != want {
		t.Errorf("first-deploy up runs if %q, want %q", job.Steps[first].If, want)
	}
	cmd := strings.Fields(job.Steps[first].Run)
	if !slices.Equal(cmd[:5], []string{"pulumi", "up", "--stack", `"$STACK"`, "--yes"}) ||
		!slices.Contains(cmd, "--exclude-dependents") {
		t.Errorf("first-deploy command = %v, want pulumi up --stack \"$STACK\" --yes ... --exclude-dependents", cmd)
	}

	// The globs, matched as the engine matches them, leave out exactly the
	// postgresql package's resources and provider (URNs from the engine run
	// of prod with the bastion on).
	var globs []*regexp.Regexp
	for _, m := range regexp.MustCompile(`--exclude '([^']+)'`).FindAllStringSubmatch(job.Steps[first].Run, -1) {
		globs = append(globs, urnGlob(m[1]))
	}
	const urn = "urn:pulumi:prod::article-pipeline::"
	excluded := []string{
		urn + "article-pipeline:database:Postgres$pulumi:providers:postgresql::database-postgresql",
		urn + "article-pipeline:database:Postgres$postgresql:index/role:Role::database-app-role",
		urn + "article-pipeline:database:Postgres$postgresql:index/database:Database::database-app-database",
		urn + "postgresql:index/grant:Grant::app-grant", // not parented: still the bootstrap's
	}
	kept := []string{
		urn + "article-pipeline:database:Postgres::database",
		urn + "article-pipeline:database:Postgres$aws:rds/instance:Instance::database-instance",
		urn + "article-pipeline:database:Postgres$aws:cloudwatch/logGroup:LogGroup::database-log-postgresql",
		urn + "article-pipeline:database:Postgres$random:index/randomPassword:RandomPassword::database-master-password",
		urn + "article-pipeline:bastion:Bastion$aws:ec2/instance:Instance::bastion-instance",
		urn + "pulumi:providers:aws::aws",
		urn + "article-pipeline:delivery:GitHubOIDC$aws:iam/role:Role::github-deploy-role",
	}
	matched := func(u string) bool {
		return slices.ContainsFunc(globs, func(g *regexp.Regexp) bool { return g.MatchString(u) })
	}
	for _, u := range excluded {
		if !matched(u) {
			t.Errorf("the first-deploy up would not exclude %s", u)
		}
	}
	for _, u := range kept {
		if matched(u) {
			t.Errorf("the first-deploy up would exclude %s", u)
		}
	}
}

// urnGlob compiles a --target/--exclude glob as the engine does
// (pkg/resource/deploy.UrnTargets): ** is any text, * any text without a colon.
func urnGlob(glob string) *regexp.Regexp {
	parts := strings.Split(glob, "**")
	for i, p := range parts {
		sub := strings.Split(p, "*")
		for j, s := range sub {
			sub[j] = regexp.QuoteMeta(s)
		}
		parts[i] = strings.Join(sub, "[^:]*")
	}
	return regexp.MustCompile("^" + strings.Join(parts, ".*") + "$")
}

// TestDriftOpensTheTunnel: the nightly refresh reads the bootstrap's role and
// database through the same tunnel, in the deployed commit's worktree.
func TestDriftOpensTheTunnel(t *testing.T) {
	t.Parallel()
	job := readWorkflow(t, "drift.yml").Jobs["drift"]
	preview := stepIndex(t, job, "runs pulumi preview", pulumiAction("preview"))
	_, open, _ := checkTunnelSteps(t, job, preview)
	p := job.Steps[preview]
	if p.With["refresh"] != "true" || p.With["expect-no-changes"] != "true" {
		t.Errorf("drift preview inputs = %v, want refresh and expect-no-changes", p.With)
	}
	// The script sets the tunnel settings in the checkout the preview runs in.
	if dir := job.Env["PULUMI_DIR"]; dir == "" || p.With["work-dir"] != dir {
		t.Errorf("drift preview work-dir %q, tunnel script's PULUMI_DIR %q; want the same deployed checkout",
			p.With["work-dir"], dir)
	}
	checkout := stepIndex(t, job, "checks out the deployed commit", runs("git worktree add"))
	if !(checkout < open) {
		t.Errorf("deployed commit checked out at step %d, tunnel opened at %d", checkout, open)
	}
	// The deployed commit's committed config is the whole config now: nothing
	// is restored from the last update's (image tags were, tunnel settings
	// would be).
	if strings.Contains(job.Steps[checkout].Run, "config refresh") {
		t.Error("drift restores the last update's config; the committed config must suffice")
	}
}

// TestPreviewsUseTheDeployedState: no workflow rebuilds the running image tags
// from the stack history (the program reads them back), and the pull-request
// preview sets the deploy's postgresql provider settings without a tunnel.
func TestPreviewsUseTheDeployedState(t *testing.T) {
	t.Parallel()
	for _, f := range []string{"deploy-stack.yml", "pull-request.yml"} {
		for id, job := range readWorkflow(t, f).Jobs {
			for _, s := range job.Steps {
				if strings.Contains(s.Run, "stack history") {
					t.Errorf("%s job %s step %q reads the stack history", f, id, s.Name)
				}
			}
		}
	}
	job := readWorkflow(t, "pull-request.yml").Jobs["preview"]
	preview := stepIndex(t, job, "runs pulumi preview", pulumiAction("preview"))
	configure := stepIndex(t, job, "sets the tunnel settings", runs(tunnelCmd+" configure"))
	if configure > preview {
		t.Errorf("tunnel settings at step %d, after the preview at %d", configure, preview)
	}
	for _, s := range job.Steps {
		if strings.Contains(s.Run, tunnelCmd+" open") {
			t.Error("the pull-request preview opens a tunnel; a preview does not connect to the database")
		}
	}
}

// TestDeployTagsOnlyWhatItBuilds runs the deploy's build step (its shell, with
// fake aws and pulumi; the images are already in their repositories, so no
// docker): it sets imageTag for the services it builds and for no other, skips
// a service pinned in the stack file, and skips a repository URL that is
// Pulumi's unknown-value placeholder (saved by the first-deploy up).
func TestDeployTagsOnlyWhatItBuilds(t *testing.T) {
	t.Parallel()
	job := readWorkflow(t, "deploy-stack.yml").Jobs["deploy"]
	build := job.Steps[stepIndex(t, job, "builds the images", func(s ghStep) bool { return s.Name == "Build and push images" })]
	const repo = "123456789012.dkr.ecr.us-west-2.amazonaws.com/article-pipeline/prod/"
	r := newRig(t, map[string]string{"services.frontend.imageTag": "v1"},
		mustJSON(t, map[string]any{"repositoryUrls": map[string]string{
			"backend": repo + "backend", "frontend": repo + "frontend", "nertool": pulumiUnknown,
		}}), "ok")
	c := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", build.Run)
	c.Env = append(r.env, "IMAGE_TAG=0123abc", "INPUT_TAG=", "REPOSITORY_URLS_OUTPUT=repositoryUrls",
		`APP_SERVICES=[{"name":"backend","context":"backend"},{"name":"frontend","context":"frontend"},{"name":"nertool","context":"nertool"}]`)
	out, err := c.CombinedOutput()
	if err != nil {
		t.Fatalf("build step: %v\n%s", err, out)
	}
	if got, want := r.configSets(), []string{": config set --stack prod --path services.backend.imageTag 0123abc"}; !slices.Equal(got, want) {
		t.Errorf("config set calls = %v, want %v", got, want)
	}
	for _, want := range []string{
		"::notice::frontend is pinned in Pulumi.prod.yaml",
		"::warning::prod has no ECR repository for nertool yet",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("build step output lacks %q:\n%s", want, out)
		}
	}
}
