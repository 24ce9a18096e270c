package delivery

// Tests of .github/scripts/db-tunnel.sh, the database tunnel the deploy and
// drift jobs open: the script runs for real (bash, jq, setsid), against fake
// `aws` and `pulumi` commands played by this test binary (TestMain), which
// record their calls and, for `aws ssm start-session`, listen on the local port
// and answer a PostgreSQL SSLRequest as the database would through the tunnel.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	fakeEnv       = "DB_TUNNEL_FAKE"
	fakeSessionID = "deploy-prod-42-0123456789abcdef0"
	fakeInstance  = "i-0b200da7030b59be8"
	fakeDatabase  = "article-pipeline-prod.c6423ab1dfed2.us-west-2.rds.amazonaws.com"
	// pulumiUnknown is what Pulumi saves as the output of a resource that a
	// --target or --exclude update skipped (plugin.UnknownStringValue).
	pulumiUnknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
)

var tunnelScript = filepath.Join("..", ".github", "scripts", "db-tunnel.sh")

// TestMain plays `aws` or `pulumi` when the script calls this binary through
// the wrappers fakeBin writes; otherwise it runs the tests.
func TestMain(m *testing.M) {
	switch os.Getenv(fakeEnv) {
	case "aws":
		os.Exit(fakeAWS(os.Getenv("FAKE_DIR"), os.Args[1:]))
	case "pulumi":
		os.Exit(fakePulumi(os.Getenv("FAKE_DIR"), os.Args[1:]))
	case "docker":
		record(os.Getenv("FAKE_DIR"), "docker.calls", os.Args[1:])
		if len(os.Args) > 1 && os.Args[1] == "login" {
			io.Copy(io.Discard, os.Stdin) // --password-stdin: the token piped in
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func record(dir, name string, v any) {
	b, _ := json.Marshal(v)
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(97)
	}
	defer f.Close()
	f.Write(append(b, '\n'))
}

// fakeAWS answers `ssm start-session` (behaviour from FAKE_DIR/aws.mode: ok,
// die, silent, nodb) and `ssm terminate-session`.
func fakeAWS(dir string, args []string) int {
	record(dir, "aws.calls", args)
	if len(args) >= 2 && args[0] == "ecr" && args[1] == "describe-images" {
		// The image is already in the repository, unless the test removed it.
		if _, err := os.Stat(filepath.Join(dir, "ecr.empty")); err == nil {
			fmt.Fprintln(os.Stderr, "An error occurred (ImageNotFoundException) when calling the DescribeImages operation")
			return 254
		}
		return 0
	}
	if len(args) >= 2 && args[0] == "ecr" && args[1] == "get-login-password" {
		fmt.Println("fake-ecr-token")
		return 0
	}
	if len(args) < 2 || args[0] != "ssm" {
		fmt.Fprintf(os.Stderr, "fake aws: unexpected %v\n", args)
		return 2
	}
	flag := func(name string) string {
		if i := slices.Index(args, name); i >= 0 && i+1 < len(args) {
			return args[i+1]
		}
		return ""
	}
	switch args[1] {
	case "terminate-session":
		id := flag("--session-id")
		if err := os.WriteFile(filepath.Join(dir, "terminated-"+id), nil, 0o644); err != nil {
			return 3
		}
		fmt.Printf("{\"SessionId\": %q}\n", id)
		return 0
	case "start-session":
	default:
		return 2
	}
	mode, _ := os.ReadFile(filepath.Join(dir, "aws.mode"))
	if string(mode) == "die" {
		fmt.Fprintf(os.Stderr, "An error occurred (TargetNotConnected) when calling the StartSession operation: %s is not connected.\n", flag("--target"))
		return 254
	}
	port := ""
	for _, kv := range strings.Split(flag("--parameters"), ",") {
		if v, ok := strings.CutPrefix(kv, "localPortNumber="); ok {
			port = v
		}
	}
	fmt.Printf("\nStarting session with SessionId: %s\n", fakeSessionID)
	signals := make(chan os.Signal, 1)
	// The script starts the session in the background, where SIGINT starts
	// out ignored; Notify installs a handler anyway, as in the real plugin.
	signal.Notify(signals, syscall.SIGINT)
	if string(mode) != "silent" {
		l, err := net.Listen("tcp", "localhost:"+port)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Printf("Port %s opened for sessionId %s.\nWaiting for connections...\n", port, fakeSessionID)
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				go func() {
					defer c.Close()
					buf := make([]byte, 8)
					c.SetReadDeadline(time.Now().Add(5 * time.Second))
					if _, err := c.Read(buf); err != nil || string(mode) == "nodb" {
						return
					}
					if bytes.Equal(buf, []byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f}) {
						record(dir, "aws.events", "sslrequest")
						c.Write([]byte("N"))
					}
				}()
			}
		}()
	}
	for {
		select {
		case <-signals:
			record(dir, "aws.events", "sigint")
			fmt.Println("Terminate signal received, exiting.")
			return 0
		case <-time.After(50 * time.Millisecond):
			if _, err := os.Stat(filepath.Join(dir, "terminated-"+fakeSessionID)); err == nil {
				fmt.Printf("\n\nExiting session with sessionId: %s.\n\n", fakeSessionID)
				return 0
			}
		}
	}
}

// fakePulumi answers `stack output --json` from FAKE_DIR/outputs.json and
// `config get|set --path` from and to FAKE_DIR/config.json.
func fakePulumi(dir string, args []string) int {
	cwd := ""
	if len(args) >= 2 && args[0] == "--cwd" {
		cwd, args = args[1], args[2:]
	}
	record(dir, "pulumi.calls", map[string]any{"cwd": cwd, "args": args})
	config := map[string]string{}
	if b, err := os.ReadFile(filepath.Join(dir, "config.json")); err == nil {
		if err := json.Unmarshal(b, &config); err != nil {
			return 3
		}
	}
	switch {
	case len(args) == 5 && args[0] == "stack" && args[1] == "output" && args[4] == "--json":
		b, err := os.ReadFile(filepath.Join(dir, "outputs.json"))
		if err != nil {
			b = []byte("{}")
		}
		os.Stdout.Write(b)
		return 0
	case len(args) == 6 && args[0] == "stack" && args[1] == "output" && args[4] == "--json":
		var outputs map[string]json.RawMessage
		b, _ := os.ReadFile(filepath.Join(dir, "outputs.json"))
		if err := json.Unmarshal(b, &outputs); err != nil || outputs[args[5]] == nil {
			fmt.Fprintf(os.Stderr, "error: current stack does not have output property '%s'\n", args[5])
			return 1
		}
		os.Stdout.Write(outputs[args[5]])
		return 0
	case len(args) == 6 && args[0] == "config" && args[1] == "get" && args[4] == "--path":
		v, ok := config[args[5]]
		if !ok {
			fmt.Fprintf(os.Stderr, "error: configuration key '%s' not found for stack '%s'\n", args[5], args[3])
			return 1
		}
		fmt.Println(v)
		return 0
	case len(args) == 7 && args[0] == "config" && args[1] == "set" && args[4] == "--path":
		config[args[5]] = args[6]
		b, _ := json.Marshal(config)
		if err := os.WriteFile(filepath.Join(dir, "config.json"), b, 0o644); err != nil {
			return 3
		}
		return 0
	}
	fmt.Fprintf(os.Stderr, "fake pulumi: unexpected %v\n", args)
	return 2
}

type tunnelRig struct {
	t    *testing.T
	dir  string // fakes' records, the runner's temp dir
	bin  string // the fake commands, first on PATH
	port int
	env  []string
}

// newRig prepares a runner: the stack file's config, the stack's outputs, the
// fake session's behaviour, and a free local port as bastion.localPort
// (unless the config names one).
func newRig(t *testing.T, config map[string]string, outputs, mode string) *tunnelRig {
	t.Helper()
	for _, tool := range []string{"bash", "jq", "setsid", "timeout"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the tunnel script needs %s: %v", tool, err)
		}
	}
	r := &tunnelRig{t: t, dir: t.TempDir()}
	r.bin = filepath.Join(r.dir, "bin")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(r.bin, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"aws", "pulumi"} {
		wrapper := fmt.Sprintf("#!/bin/sh\n%s=%s exec '%s' \"$@\"\n", fakeEnv, name, self)
		if err := os.WriteFile(filepath.Join(r.bin, name), []byte(wrapper), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	l, err := net.Listen("tcp", "localhost:0")
	if err != nil {
		t.Fatal(err)
	}
	r.port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	cfg := map[string]string{"aws:region": "us-west-2", "article-pipeline:bastion.localPort": strconv.Itoa(r.port)}
	for k, v := range config {
		cfg[k] = v
	}
	r.write("config.json", mustJSON(t, cfg))
	r.write("outputs.json", outputs)
	r.write("aws.mode", mode)
	r.env = append(os.Environ(),
		"PATH="+r.bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"FAKE_DIR="+r.dir, "STACK=prod", "PULUMI_DIR=deployed", "RUNNER_TEMP="+r.dir,
		"TUNNEL_WAIT_SECONDS=3", "GITHUB_OUTPUT="+filepath.Join(r.dir, "github_output"))
	// Whatever a test leaves running (a failed open, a failed close) ends with it.
	t.Cleanup(func() {
		if b, err := os.ReadFile(filepath.Join(r.dir, "db-tunnel", "pid")); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				syscall.Kill(-pid, syscall.SIGKILL)
			}
		}
	})
	return r
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (r *tunnelRig) write(name, content string) {
	r.t.Helper()
	if err := os.WriteFile(filepath.Join(r.dir, name), []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// run runs `db-tunnel.sh cmd` and returns its combined output and error.
func (r *tunnelRig) run(cmd string) (string, error) {
	r.t.Helper()
	c := exec.Command("bash", tunnelScript, cmd)
	c.Env = r.env
	out, err := c.CombinedOutput()
	return string(out), err
}

// lines returns the JSON lines a fake recorded.
func (r *tunnelRig) lines(name string) []string {
	r.t.Helper()
	f, err := os.Open(filepath.Join(r.dir, name))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		r.t.Fatal(err)
	}
	defer f.Close()
	var out []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		out = append(out, s.Text())
	}
	return out
}

// configSets returns the `pulumi config set` calls as "cwd: args".
func (r *tunnelRig) configSets() []string {
	var out []string
	for _, l := range r.lines("pulumi.calls") {
		var c struct {
			Cwd  string
			Args []string
		}
		if err := json.Unmarshal([]byte(l), &c); err != nil {
			r.t.Fatal(err)
		}
		if len(c.Args) > 1 && c.Args[0] == "config" && c.Args[1] == "set" {
			out = append(out, c.Cwd+": "+strings.Join(c.Args, " "))
		}
	}
	return out
}

func (r *tunnelRig) answers() bool {
	c, err := net.DialTimeout("tcp", "localhost:"+strconv.Itoa(r.port), time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

func (r *tunnelRig) pid() int {
	r.t.Helper()
	b, err := os.ReadFile(filepath.Join(r.dir, "db-tunnel", "pid"))
	if err != nil {
		r.t.Fatalf("no session process recorded: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		r.t.Fatal(err)
	}
	return pid
}

// gone waits (briefly) for a process to end. A zombie counts as ended: the
// session process outlives the script that started it, so whichever process
// inherited it reaps it, if anything does.
func gone(pid int) bool {
	for range 50 {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return true
		}
		// pid (comm) state ...: the state follows the last ')'.
		if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

const bastionOn = "article-pipeline:bastion.enabled"

func deployedOutputs() string {
	return fmt.Sprintf(`{"bastionInstanceId":%q,"databaseAddress":%q,"tunnelCommand":"aws ssm start-session ..."}`,
		fakeInstance, fakeDatabase)
}

// TestTunnelOpensAndCloses is a deploy with the bastion on: open starts the
// port forward to the outputs' instance and database, returns once the
// database answers through it, then points the postgresql provider at it on
// the runner only; close terminates the session and stops the process.
func TestTunnelOpensAndCloses(t *testing.T) {
	t.Parallel()
	r := newRig(t, map[string]string{bastionOn: "true"}, deployedOutputs(), "ok")

	out, err := r.run("open")
	if err != nil {
		t.Fatalf("open: %v\n%s", err, out)
	}
	calls := r.lines("aws.calls")
	want := mustJSON(t, []string{"ssm", "start-session", "--region", "us-west-2", "--target", fakeInstance,
		"--document-name", "AWS-StartPortForwardingSessionToRemoteHost",
		"--parameters", fmt.Sprintf("host=%s,portNumber=5432,localPortNumber=%d", fakeDatabase, r.port)})
	if !slices.Equal(calls, []string{want}) {
		t.Errorf("aws calls = %v, want %v", calls, want)
	}
	if ev := r.lines("aws.events"); !slices.Contains(ev, `"sslrequest"`) {
		t.Errorf("open did not check that the database answers through the tunnel (events %v)", ev)
	}
	wantSets := []string{
		"deployed: config set --stack prod --path article-pipeline:database.tunnelHost localhost",
		fmt.Sprintf("deployed: config set --stack prod --path article-pipeline:database.tunnelPort %d", r.port),
	}
	if got := r.configSets(); !slices.Equal(got, wantSets) {
		t.Errorf("config set calls = %v, want %v", got, wantSets)
	}
	if !r.answers() {
		t.Fatal("the local port does not answer after open returned; the tunnel must outlive the step")
	}
	pid := r.pid()

	out, err = r.run("close")
	if err != nil {
		t.Fatalf("close: %v\n%s", err, out)
	}
	calls = r.lines("aws.calls")
	wantTerminate := mustJSON(t, []string{"ssm", "terminate-session", "--session-id", fakeSessionID})
	if len(calls) != 2 || calls[1] != wantTerminate {
		t.Errorf("aws calls after close = %v, want the start then %s", calls, wantTerminate)
	}
	if !gone(pid) {
		t.Errorf("session process %d still runs after close", pid)
	}
	if r.answers() {
		t.Error("localhost port still answers after close")
	}
	if out, err := r.run("close"); err != nil || !strings.Contains(out, "no database tunnel was opened") {
		t.Errorf("second close: %v\n%s", err, out)
	}
}

// TestTunnelCloseStopsAStuckSession: when the terminate call cannot end the
// session (here it is denied), close still stops the local process, with
// SIGINT first, on which the plugin sends its own terminate flag.
func TestTunnelCloseStopsAStuckSession(t *testing.T) {
	t.Parallel()
	r := newRig(t, map[string]string{bastionOn: "true"}, deployedOutputs(), "ok")
	if out, err := r.run("open"); err != nil {
		t.Fatalf("open: %v\n%s", err, out)
	}
	pid := r.pid()
	// A terminate-session that fails, as an AccessDenied would.
	deny := "#!/bin/sh\nif [ \"$2\" = terminate-session ]; then echo AccessDenied >&2; exit 254; fi\n" +
		fmt.Sprintf("%s=aws exec '%s' \"$@\"\n", fakeEnv, mustExecutable(t))
	if err := os.WriteFile(filepath.Join(r.bin, "aws"), []byte(deny), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := r.run("close")
	if err != nil {
		t.Fatalf("close: %v\n%s", err, out)
	}
	if !strings.Contains(out, "::warning::db-tunnel: could not terminate session "+fakeSessionID) {
		t.Errorf("close output lacks the warning:\n%s", out)
	}
	if ev := r.lines("aws.events"); !slices.Contains(ev, `"sigint"`) {
		t.Errorf("the session process got no SIGINT (events %v)", ev)
	}
	if !gone(pid) {
		t.Errorf("session process %d still runs after close", pid)
	}
}

func mustExecutable(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return self
}

// TestTunnelOpenFails: open fails, naming the cause, and never points the
// provider at a tunnel that does not work; close (the job's always() step)
// then ends whatever session was started.
func TestTunnelOpenFails(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		outputs    string
		mode       string
		occupy     bool // something else already listens on the local port
		wantErr    string
		wantStart  bool // a session was started (and close must terminate it)
		wantCloses string
	}{
		{name: "the session ends before the port opens", outputs: deployedOutputs(), mode: "die",
			wantErr: "the session ended before localhost:", wantStart: true,
			wantCloses: "no session ID in the plugin's output"},
		{name: "the port never opens", outputs: deployedOutputs(), mode: "silent",
			wantErr: "did not open within 3s", wantStart: true, wantCloses: "session " + fakeSessionID + " terminated"},
		{name: "the database does not answer", outputs: deployedOutputs(), mode: "nodb",
			wantErr: "the database does not answer through the tunnel", wantStart: true,
			wantCloses: "session " + fakeSessionID + " terminated"},
		{name: "the local port is taken", outputs: deployedOutputs(), mode: "ok", occupy: true,
			wantErr: "already answers", wantCloses: "no database tunnel was opened"},
		{name: "no bastion yet", outputs: `{}`, mode: "ok",
			wantErr: "prod has no bastionInstanceId output", wantCloses: "no database tunnel was opened"},
		{name: "an update that skipped the bastion", mode: "ok",
			outputs: fmt.Sprintf(`{"bastionInstanceId":%q,"databaseAddress":%q}`, pulumiUnknown, pulumiUnknown),
			wantErr: "prod has no bastionInstanceId output", wantCloses: "no database tunnel was opened"},
		{name: "no database address", mode: "ok", outputs: fmt.Sprintf(`{"bastionInstanceId":%q}`, fakeInstance),
			wantErr: "prod has no databaseAddress output", wantCloses: "no database tunnel was opened"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, map[string]string{bastionOn: "true"}, tc.outputs, tc.mode)
			if tc.occupy {
				l, err := net.Listen("tcp", "localhost:"+strconv.Itoa(r.port))
				if err != nil {
					t.Fatal(err)
				}
				defer l.Close()
			}
			out, err := r.run("open")
			if err == nil || !strings.Contains(out, "::error::db-tunnel: ") || !strings.Contains(out, tc.wantErr) {
				t.Fatalf("open: err %v, want an error containing %q:\n%s", err, tc.wantErr, out)
			}
			if sets := r.configSets(); len(sets) != 0 {
				t.Errorf("open failed but set %v", sets)
			}
			started := slices.ContainsFunc(r.lines("aws.calls"), func(l string) bool { return strings.Contains(l, "start-session") })
			if started != tc.wantStart {
				t.Errorf("session started = %v, want %v", started, tc.wantStart)
			}
			var pid int
			if tc.wantStart {
				pid = r.pid()
			}
			out, err = r.run("close")
			if err != nil || !strings.Contains(out, tc.wantCloses) {
				t.Errorf("close: err %v, want output containing %q:\n%s", err, tc.wantCloses, out)
			}
			if pid != 0 && !gone(pid) {
				t.Errorf("session process %d still runs after close", pid)
			}
		})
	}
}

// TestTunnelBastionOff: a stack whose file does not turn the bastion on (no
// bootstrap to reach) gets no session and no tunnel settings.
func TestTunnelBastionOff(t *testing.T) {
	t.Parallel()
	for _, cfg := range []map[string]string{{}, {bastionOn: "false"}} {
		r := newRig(t, cfg, deployedOutputs(), "ok")
		for _, cmd := range []string{"open", "configure", "close"} {
			if out, err := r.run(cmd); err != nil {
				t.Errorf("%v: %s: %v\n%s", cfg, cmd, err, out)
			}
		}
		if calls := r.lines("aws.calls"); len(calls) != 0 {
			t.Errorf("%v: aws calls %v", cfg, calls)
		}
		if sets := r.configSets(); len(sets) != 0 {
			t.Errorf("%v: config set %v", cfg, sets)
		}
	}
}

// TestTunnelStatus is what deploy-stack.yml branches on: the first-deploy up
// (without the postgresql resources) runs when the bastion is on and the
// stack has exported no real instance ID yet.
func TestTunnelStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		config  map[string]string
		outputs string
		want    string
	}{
		{"bastion off", nil, deployedOutputs(), "bastion=off\ninstance=\n"},
		{"first deploy", map[string]string{bastionOn: "true"}, `{}`, "bastion=on\ninstance=\n"},
		{"after a targeted up", map[string]string{bastionOn: "true"},
			fmt.Sprintf(`{"bastionInstanceId":%q}`, pulumiUnknown), "bastion=on\ninstance=\n"},
		{"deployed", map[string]string{bastionOn: "true"}, deployedOutputs(), "bastion=on\ninstance=" + fakeInstance + "\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, tc.config, tc.outputs, "ok")
			out, err := r.run("status")
			if err != nil || out != tc.want {
				t.Errorf("status: err %v, output %q, want %q", err, out, tc.want)
			}
			got, err := os.ReadFile(filepath.Join(r.dir, "github_output"))
			if err != nil || string(got) != tc.want {
				t.Errorf("GITHUB_OUTPUT = %q (%v), want %q", got, err, tc.want)
			}
		})
	}
}

// TestTunnelConfigure is the pull-request preview's step: the same provider
// settings as the deploy, with no session (a preview does not connect).
func TestTunnelConfigure(t *testing.T) {
	t.Parallel()
	r := newRig(t, map[string]string{bastionOn: "true", "article-pipeline:bastion.localPort": "5433"}, `{}`, "ok")
	if out, err := r.run("configure"); err != nil {
		t.Fatalf("configure: %v\n%s", err, out)
	}
	want := []string{
		"deployed: config set --stack prod --path article-pipeline:database.tunnelHost localhost",
		"deployed: config set --stack prod --path article-pipeline:database.tunnelPort 5433",
	}
	if got := r.configSets(); !slices.Equal(got, want) {
		t.Errorf("config set calls = %v, want %v", got, want)
	}
	if calls := r.lines("aws.calls"); len(calls) != 0 {
		t.Errorf("configure called aws: %v", calls)
	}
}

// TestPluginInstallChecksTheSignature: a package whose signature is not AWS's
// is never installed.
func TestPluginInstallChecksTheSignature(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("gpg"); err != nil {
		t.Fatalf("the tunnel script's install-plugin needs gpg: %v", err)
	}
	r := newRig(t, nil, `{}`, "ok")
	// curl serves a tampered package and signature; sudo records.
	fakes := map[string]string{
		"curl": "#!/bin/sh\necho \"$*\" >>\"$FAKE_DIR/curl.calls\"\nwhile [ $# -gt 0 ]; do\n" +
			"\tif [ \"$1\" = --output ]; then out=$2; shift; fi\n\tshift\ndone\necho tampered >\"$out\"\n",
		"sudo": "#!/bin/sh\necho \"$*\" >>\"$FAKE_DIR/sudo.calls\"\n",
	}
	for name, body := range fakes {
		if err := os.WriteFile(filepath.Join(r.bin, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	out, err := r.run("install-plugin")
	if err == nil || !strings.Contains(out, "is not signed by AWS's key 7959637124CE093AD501D47A2C4D4AFF6F6757EE") {
		t.Fatalf("install-plugin: err %v, want a signature error:\n%s", err, out)
	}
	curl, _ := os.ReadFile(filepath.Join(r.dir, "curl.calls"))
	const url = "https://s3.amazonaws.com/session-manager-downloads/plugin/1.2.896.0/ubuntu_64bit/session-manager-plugin.deb"
	if !strings.Contains(string(curl), url+"\n") || !strings.Contains(string(curl), url+".sig\n") {
		t.Errorf("curl calls = %q, want the pinned package and its signature", curl)
	}
	if _, err := os.Stat(filepath.Join(r.dir, "sudo.calls")); err == nil {
		t.Error("a package with a bad signature was installed")
	}
}
