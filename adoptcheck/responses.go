package adoptcheck

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// The files of a responses directory, relative to it. collect writes them and
// the checks read them; each holds one AWS CLI response (--output json) unless
// said otherwise.
const (
	// FilePulumiVersion holds the output of `pulumi version` (text).
	FilePulumiVersion = "pulumi-version.txt"

	FileDBInstance       = "rds/describe-db-instances.json"
	FileDBSubnetGroup    = "rds/describe-db-subnet-groups.json"
	FileDBSubnetGroupTag = "rds/list-tags-for-resource-subnet-group.json"
	// FileDBParameters holds the parameters the instance's own (non-default)
	// parameter group sets (`describe-db-parameters --source user`).
	FileDBParameters = "rds/describe-db-parameters.json"
	// FileEndpointAddresses holds the addresses the instance's endpoint
	// resolves to ({"Address": ..., "IPs": [...]}), written by collect.
	FileEndpointAddresses = "rds/endpoint-addresses.json"

	FileVPCs            = "ec2/describe-vpcs.json"
	FileVPCDNSHostnames = "ec2/describe-vpc-attribute-enableDnsHostnames.json"
	FileVPCDNSSupport   = "ec2/describe-vpc-attribute-enableDnsSupport.json"
	FileInternetGateway = "ec2/describe-internet-gateways.json"
	FileSubnets         = "ec2/describe-subnets.json"
	FileRouteTables     = "ec2/describe-route-tables.json"
	FileSecurityGroups  = "ec2/describe-security-groups.json"

	FileBackupPlan       = "backup/get-backup-plan.json"
	FileBackupPlanTags   = "backup/list-tags-plan.json"
	FileBackupVault      = "backup/describe-backup-vault.json"
	FileBackupVaultTags  = "backup/list-tags-vault.json"
	FileBackupSelections = "backup/list-backup-selections.json"

	FileParameters = "ssm/describe-parameters.json"
	// FileDatabaseURL holds the parts of the old DATABASE_URL (DatabaseURL),
	// never its password.
	FileDatabaseURL = "ssm/database-url.json"
)

// BucketFile is the file of one s3api read ("get-bucket-policy", ...) of a bucket.
func BucketFile(bucket, op string) string { return "s3/" + bucket + "/" + op + ".json" }

// ParameterTagsFile is the file of `ssm list-tags-for-resource` for one parameter.
func ParameterTagsFile(name string) string {
	return "ssm/tags/" + strings.ReplaceAll(strings.Trim(name, "/"), "/", "__") + ".json"
}

// Absent is what collect records when AWS answers that a configuration does
// not exist (NoSuchBucketPolicy, NoSuchPublicAccessBlockConfiguration, ...): the
// AWS error code, so the check can tell "none" from "not collected".
type Absent struct {
	Absent string `json:"Absent"`
}

// DatabaseURL is the recorded shape of the old DATABASE_URL: everything the
// checks need and nothing secret. collect parses the value in memory and
// writes only this.
type DatabaseURL struct {
	Parameter string `json:"Parameter"`
	Scheme    string `json:"Scheme"`
	User      string `json:"User"`
	Host      string `json:"Host"`
	Port      string `json:"Port"`
	Database  string `json:"Database"`
	Query     string `json:"Query,omitempty"`
	// PasswordSet says the URL carries a password at all.
	PasswordSet bool `json:"PasswordSet"`
	// PasswordEscaped says the password contains %XX escapes: it must be
	// URL-decoded before it is used as the master password.
	PasswordEscaped bool `json:"PasswordEscaped"`
	// ParseError says why the value is not a postgresql:// URL (no value quoted).
	ParseError string `json:"ParseError,omitempty"`
}

// EndpointAddresses is what the instance endpoint resolved to when collected.
type EndpointAddresses struct {
	Address string   `json:"Address"`
	IPs     []string `json:"IPs"`
}

// Responses is a directory of recorded responses.
type Responses struct {
	dir string
}

// Open returns the responses recorded in dir.
func Open(dir string) (*Responses, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	return &Responses{dir: dir}, nil
}

// errNotCollected is returned for a file the directory does not have.
var errNotCollected = errors.New("not collected")

// raw returns the bytes of one file.
func (rs *Responses) raw(name string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(rs.dir, filepath.FromSlash(name)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w (run `adopt-check collect` again)", name, errNotCollected)
	}
	return b, err
}

// read decodes one JSON file into plain values. A recorded Absent is returned
// as its error code with a nil value.
func (rs *Responses) read(name string) (v any, absent string, err error) {
	if err := rs.decode(name, &v); err != nil {
		return nil, "", err
	}
	if m, ok := v.(map[string]any); ok && len(m) == 1 {
		if code, ok := m["Absent"].(string); ok {
			return nil, code, nil
		}
	}
	return v, "", nil
}

// decode reads one JSON file into a typed value.
func (rs *Responses) decode(name string, dst any) error {
	b, err := rs.raw(name)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, dst); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
