package delivery

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDeployBuildsForTheStacksArchitecture runs the deploy's build step (its
// shell, with fake aws, pulumi and docker) against repositories without the
// image: each service is built for the architecture its stack file states
// (ARM64 -> linux/arm64, unset -> linux/amd64) as one plain manifest
// (no provenance index) and pushed; an architecture the program would refuse
// stops the step.
func TestDeployBuildsForTheStacksArchitecture(t *testing.T) {
	t.Parallel()
	job := readWorkflow(t, "deploy-stack.yml").Jobs["deploy"]
	build := job.Steps[stepIndex(t, job, "builds the images", func(s ghStep) bool { return s.Name == "Build and push images" })]
	qemu := stepIndex(t, job, "sets up QEMU", func(s ghStep) bool { return strings.HasPrefix(s.Uses, "docker/setup-qemu-action@") })
	buildx := stepIndex(t, job, "sets up buildx", func(s ghStep) bool { return strings.HasPrefix(s.Uses, "docker/setup-buildx-action@") })
	built := stepIndex(t, job, "builds the images", func(s ghStep) bool { return s.Name == "Build and push images" })
	if !(qemu < built && buildx < built) || job.Steps[qemu].With["platforms"] != "arm64" {
		t.Errorf("QEMU (step %d, platforms %q) and buildx (step %d) must be set up before the build (step %d)", qemu,
			job.Steps[qemu].With["platforms"], buildx, built)
	}
	const repo = "123456789012.dkr.ecr.us-west-2.amazonaws.com/article-pipeline/development/"
	run := func(t *testing.T, config map[string]string) ([][]string, string, error) {
		r := newRig(t, config, mustJSON(t, map[string]any{"repositoryUrls": map[string]string{
			"backend": repo + "backend", "frontend": repo + "frontend"}}), "ok")
		r.write("ecr.empty", "")
		self, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		r.write("bin/docker", "#!/bin/sh\n"+fakeEnv+"=docker exec '"+self+"' \"$@\"\n")
		if err := os.Chmod(filepath.Join(r.bin, "docker"), 0o755); err != nil {
			t.Fatal(err)
		}
		c := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", build.Run)
		c.Env = append(r.env, "IMAGE_TAG=0123abc", "INPUT_TAG=", "REPOSITORY_URLS_OUTPUT=repositoryUrls", "STACK=development",
			`APP_SERVICES=[{"name":"backend","context":"backend"},{"name":"frontend","context":"frontend"}]`)
		out, err := c.CombinedOutput()
		var calls [][]string
		for _, line := range r.lines("docker.calls") {
			var args []string
			if err := json.Unmarshal([]byte(line), &args); err != nil {
				t.Fatal(err)
			}
			calls = append(calls, args)
		}
		return calls, string(out), err
	}

	calls, out, err := run(t, map[string]string{"services.backend.cpuArchitecture": "ARM64"})
	if err != nil {
		t.Fatalf("build step: %v\n%s", err, out)
	}
	var builds [][]string
	for _, c := range calls {
		if c[0] == "buildx" {
			builds = append(builds, c)
		}
	}
	want := [][]string{
		{"buildx", "build", "--platform", "linux/arm64", "--provenance=false", "--push", "--file", "app/backend/Dockerfile",
			"--tag", repo + "backend:0123abc", "app/backend"},
		{"buildx", "build", "--platform", "linux/amd64", "--provenance=false", "--push", "--file",
			"app/frontend/Dockerfile", "--tag", repo + "frontend:0123abc", "app/frontend"},
	}
	if !slices.EqualFunc(builds, want, slices.Equal) {
		t.Errorf("docker builds = %q\nwant %q", builds, want)
	}
	if slices.ContainsFunc(calls, func(c []string) bool { return c[0] == "push" || c[0] == "build" }) {
		t.Errorf("a single-platform docker build or push besides buildx: %q", calls)
	}

	_, out, err = run(t, map[string]string{"services.backend.cpuArchitecture": "arm64"})
	if err == nil || !strings.Contains(out, "::error::services.backend.cpuArchitecture is arm64; expected X86_64 or ARM64") {
		t.Errorf("a misspelled architecture: err %v, output:\n%s", err, out)
	}
}
