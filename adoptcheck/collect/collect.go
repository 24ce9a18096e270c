// Package collect runs the read-only AWS CLI commands the adoption preflight
// needs and records their answers in a directory (adoptcheck reads it). Which
// resources it reads comes from the stack's declared graph (adoptcheck.Targets);
// a second round reads what the first answers name (the VPC of the instance,
// its parameter group, the plan's ARN). Nothing here writes to AWS: every
// command is a describe, get or list, and the old DATABASE_URL is parsed in
// memory and recorded without its password.
package collect

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/adoptcheck"
)

// Read is one read-only command and the file its answer is recorded in.
type Read struct {
	File string
	Args []string
	// Absent lists the AWS error codes that mean "this configuration does not
	// exist": they are recorded as adoptcheck.Absent instead of failing.
	Absent []string
	// Record turns the command's output into what is written; nil writes it
	// as it is (JSON; "{}" for an empty answer).
	Record func(stdout []byte) ([]byte, error)
	// Note says what Record does, for the printed plan.
	Note string
}

// Command is the read as a shell line, for the printed plan.
func (r Read) Command() string {
	q := make([]string, len(r.Args))
	for i, a := range r.Args {
		if strings.ContainsAny(a, " *?$'\"") {
			a = "'" + a + "'"
		}
		q[i] = a
	}
	return strings.Join(q, " ")
}

// Runner runs one command and returns its standard output and error.
type Runner func(ctx context.Context, args []string) (stdout, stderr []byte, err error)

// Resolver looks a host name up (the instance endpoint, compared with the
// address the runbook's DATABASE_URL holds).
type Resolver func(ctx context.Context, host string) ([]string, error)

// aws builds an `aws` command line with the region and JSON output fixed.
func aws(region string, args ...string) []string {
	out := append([]string{"aws"}, args...)
	if region != "" {
		out = append(out, "--region", region)
	}
	return append(out, "--output", "json", "--no-cli-pager")
}

// bucketReads is every s3api read of one bucket, with the codes S3 answers
// when the configuration is not set.
var bucketReads = []struct {
	op     string
	absent string
}{
	{"get-bucket-policy", "NoSuchBucketPolicy"},
	{"get-public-access-block", "NoSuchPublicAccessBlockConfiguration"},
	{"get-bucket-lifecycle-configuration", "NoSuchLifecycleConfiguration"},
	{"get-bucket-versioning", ""},
	{"get-bucket-encryption", "ServerSideEncryptionConfigurationNotFoundError"},
	{"get-bucket-ownership-controls", "OwnershipControlsNotFoundError"},
	{"get-object-lock-configuration", "ObjectLockConfigurationNotFoundError"},
	{"get-bucket-tagging", "NoSuchTagSet"},
}

// Plan is the first round of reads for what t adopts.
func Plan(t adoptcheck.Targets) []Read {
	reads := []Read{{File: adoptcheck.FilePulumiVersion, Args: []string{"pulumi", "version"},
		Record: func(b []byte) ([]byte, error) { return b, nil }, Note: "recorded as text"}}
	r := t.Region
	if t.Instance != "" {
		reads = append(reads, Read{File: adoptcheck.FileDBInstance, Absent: []string{"DBInstanceNotFound"},
			Args: aws(r, "rds", "describe-db-instances", "--db-instance-identifier", t.Instance)})
	}
	if t.SubnetGroup != "" {
		reads = append(reads, Read{File: adoptcheck.FileDBSubnetGroup, Absent: []string{"DBSubnetGroupNotFoundFault"},
			Args: aws(r, "rds", "describe-db-subnet-groups", "--db-subnet-group-name", t.SubnetGroup)})
	}
	for _, b := range t.Buckets {
		for _, br := range bucketReads {
			absent := []string{"NoSuchBucket"}
			if br.absent != "" {
				absent = append(absent, br.absent)
			}
			reads = append(reads, Read{File: adoptcheck.BucketFile(b, br.op), Absent: absent,
				Args: aws(r, "s3api", br.op, "--bucket", b)})
		}
	}
	if t.BackupPlan != "" {
		reads = append(reads,
			Read{File: adoptcheck.FileBackupPlan, Absent: []string{"ResourceNotFoundException"},
				Args: aws(r, "backup", "get-backup-plan", "--backup-plan-id", t.BackupPlan)},
			Read{File: adoptcheck.FileBackupSelections, Absent: []string{"ResourceNotFoundException"},
				Args: aws(r, "backup", "list-backup-selections", "--backup-plan-id", t.BackupPlan)})
	}
	if t.BackupVault != "" {
		reads = append(reads, Read{File: adoptcheck.FileBackupVault, Absent: []string{"ResourceNotFoundException"},
			Args: aws(r, "backup", "describe-backup-vault", "--backup-vault-name", t.BackupVault)})
	}
	if t.ParameterPath != "" && (len(t.Parameters) > 0 || t.Instance != "") {
		reads = append(reads, Read{File: adoptcheck.FileParameters,
			Args: aws(r, "ssm", "describe-parameters", "--parameter-filters",
				"Key=Name,Option=BeginsWith,Values="+t.ParameterPath)})
	}
	for _, p := range t.Parameters {
		reads = append(reads, Read{File: adoptcheck.ParameterTagsFile(p), Absent: []string{"InvalidResourceId"},
			Args: aws(r, "ssm", "list-tags-for-resource", "--resource-type", "Parameter", "--resource-id", p)})
	}
	if t.DatabaseURL != "" && t.Instance != "" {
		name := t.DatabaseURL
		reads = append(reads, Read{File: adoptcheck.FileDatabaseURL, Absent: []string{"ParameterNotFound"},
			Args:   aws(r, "ssm", "get-parameter", "--name", name, "--with-decryption"),
			Record: func(b []byte) ([]byte, error) { return recordDatabaseURL(name, b) },
			Note:   "parsed in memory: only scheme, user, host, port and database are recorded, never the password"})
	}
	return reads
}

// Answers returns a string from round 1's answers: file, then the path of
// keys in it ("0" is a list's first element); "" when it is not there.
type Answers func(file string, path ...string) string

// Recorded answers from the files in dir.
func Recorded(dir string) Answers {
	return func(file string, path ...string) string {
		s, _ := get(readJSON(dir, file), path...).(string)
		return s
	}
}

// Placeholders stands for answers not read yet, for the printed plan.
func Placeholders(file string, path ...string) string {
	return "<" + strings.Join(path, ".") + " from " + file + ">"
}

// FollowUps is the second round: reads whose IDs the first round's answers
// give. An answer that is missing or absent adds nothing.
func FollowUps(t adoptcheck.Targets, answer Answers) []Read {
	r := t.Region
	var reads []Read
	vpc := t.VPC
	if vpc == "" {
		vpc = answer(adoptcheck.FileDBInstance, "DBInstances", "0", "DBSubnetGroup", "VpcId")
	}
	if t.VPC != "" {
		reads = append(reads,
			Read{File: adoptcheck.FileVPCs, Args: aws(r, "ec2", "describe-vpcs", "--vpc-ids", t.VPC)},
			Read{File: adoptcheck.FileVPCDNSHostnames,
				Args: aws(r, "ec2", "describe-vpc-attribute", "--vpc-id", t.VPC, "--attribute", "enableDnsHostnames")},
			Read{File: adoptcheck.FileVPCDNSSupport,
				Args: aws(r, "ec2", "describe-vpc-attribute", "--vpc-id", t.VPC, "--attribute", "enableDnsSupport")})
	}
	if t.Gateway != "" {
		reads = append(reads, Read{File: adoptcheck.FileInternetGateway,
			Args: aws(r, "ec2", "describe-internet-gateways", "--internet-gateway-ids", t.Gateway)})
	}
	if vpc != "" {
		filter := "Name=vpc-id,Values=" + vpc
		reads = append(reads,
			Read{File: adoptcheck.FileSubnets, Args: aws(r, "ec2", "describe-subnets", "--filters", filter)},
			Read{File: adoptcheck.FileRouteTables, Args: aws(r, "ec2", "describe-route-tables", "--filters", filter)},
			Read{File: adoptcheck.FileSecurityGroups, Args: aws(r, "ec2", "describe-security-groups", "--filters", filter)})
	}
	if t.SubnetGroup != "" {
		if arn := answer(adoptcheck.FileDBSubnetGroup, "DBSubnetGroups", "0", "DBSubnetGroupArn"); arn != "" {
			reads = append(reads, Read{File: adoptcheck.FileDBSubnetGroupTag,
				Args: aws(r, "rds", "list-tags-for-resource", "--resource-name", arn)})
		}
	}
	if t.Instance != "" {
		g := answer(adoptcheck.FileDBInstance, "DBInstances", "0", "DBParameterGroups", "0", "DBParameterGroupName")
		if g != "" && !strings.HasPrefix(g, "default.") {
			reads = append(reads, Read{File: adoptcheck.FileDBParameters, Note: "only when the group is not a default.* one",
				Args: aws(r, "rds", "describe-db-parameters", "--db-parameter-group-name", g, "--source", "user")})
		}
	}
	if t.BackupPlan != "" {
		if arn := answer(adoptcheck.FileBackupPlan, "BackupPlanArn"); arn != "" {
			reads = append(reads, Read{File: adoptcheck.FileBackupPlanTags,
				Args: aws(r, "backup", "list-tags", "--resource-arn", arn)})
		}
	}
	if t.BackupVault != "" {
		if arn := answer(adoptcheck.FileBackupVault, "BackupVaultArn"); arn != "" {
			reads = append(reads, Read{File: adoptcheck.FileBackupVaultTags,
				Args: aws(r, "backup", "list-tags", "--resource-arn", arn)})
		}
	}
	return reads
}

// Endpoint is the instance endpoint in round 1's answers, to resolve.
func Endpoint(answer Answers) string {
	return answer(adoptcheck.FileDBInstance, "DBInstances", "0", "Endpoint", "Address")
}

// Run records every read in dir, in order. It stops at the first command
// that fails for another reason than an absent configuration.
func Run(ctx context.Context, reads []Read, dir string, run Runner) error {
	for _, rd := range reads {
		stdout, stderr, err := run(ctx, rd.Args)
		var out []byte
		switch {
		case err != nil:
			code := errorCode(stderr)
			if code == "" || !slices.Contains(rd.Absent, code) {
				return fmt.Errorf("%s: %v: %s", rd.Command(), err, firstLine(stderr))
			}
			out, _ = json.Marshal(adoptcheck.Absent{Absent: code})
		case rd.Record != nil:
			if out, err = rd.Record(stdout); err != nil {
				return fmt.Errorf("%s: %w", rd.Command(), err)
			}
		case len(bytes.TrimSpace(stdout)) == 0:
			out = []byte("{}") // get-bucket-versioning on a bucket never versioned
		default:
			out = stdout
		}
		if err := write(dir, rd.File, out); err != nil {
			return err
		}
	}
	return nil
}

// Resolve records what the endpoint resolves to.
func Resolve(ctx context.Context, dir, endpoint string, lookup Resolver) error {
	ips, err := lookup(ctx, endpoint)
	if err != nil {
		return fmt.Errorf("resolving %s: %w", endpoint, err)
	}
	slices.Sort(ips)
	b, err := json.MarshalIndent(adoptcheck.EndpointAddresses{Address: endpoint, IPs: ips}, "", "  ")
	if err != nil {
		return err
	}
	return write(dir, adoptcheck.FileEndpointAddresses, b)
}

func write(dir, name string, b []byte) error {
	path := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

var codePattern = regexp.MustCompile(`An error occurred \(([A-Za-z0-9.]+)\)`)

// errorCode is the AWS error code in the CLI's error message.
func errorCode(stderr []byte) string {
	if m := codePattern.FindSubmatch(stderr); m != nil {
		return string(m[1])
	}
	return ""
}

func firstLine(b []byte) string {
	line, _, _ := bytes.Cut(bytes.TrimSpace(b), []byte("\n"))
	return string(line)
}

// readJSON decodes one recorded file, or nil.
func readJSON(dir, name string) any {
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
	if err != nil {
		return nil
	}
	var v any
	if json.Unmarshal(b, &v) != nil {
		return nil
	}
	return v
}

// get walks maps by key and lists by "0" (their first element).
func get(v any, path ...string) any {
	for _, p := range path {
		switch t := v.(type) {
		case map[string]any:
			v = t[p]
		case []any:
			if p != "0" || len(t) == 0 {
				return nil
			}
			v = t[0]
		default:
			return nil
		}
	}
	return v
}

// errNoValue is returned when get-parameter's answer holds no value.
var errNoValue = errors.New("the answer holds no Parameter.Value")
