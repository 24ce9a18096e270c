package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

// Type tokens the rules read (pulumi-aws v6).
const (
	typeProvider       = "pulumi:providers:aws"
	typeBucket         = "aws:s3/bucketV2:BucketV2"
	typeBPA            = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	typeBucketPolicy   = "aws:s3/bucketPolicy:BucketPolicy"
	typeSSE            = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	typeVersioning     = "aws:s3/bucketVersioningV2:BucketVersioningV2"
	typeOwnership      = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	typeDBInstance     = "aws:rds/instance:Instance"
	typeVpc            = "aws:ec2/vpc:Vpc"
	typeDefaultSG      = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
	typeTaskDef        = "aws:ecs/taskDefinition:TaskDefinition"
	typeService        = "aws:ecs/service:Service"
	typeTargetGroup    = "aws:lb/targetGroup:TargetGroup"
	typeLoadBalancer   = "aws:lb/loadBalancer:LoadBalancer"
	typeListener       = "aws:lb/listener:Listener"
	typeParameter      = "aws:ssm/parameter:Parameter"
	typeRolePolicy     = "aws:iam/rolePolicy:RolePolicy"
	typeIAMPolicy      = "aws:iam/policy:Policy"
	typeRole           = "aws:iam/role:Role"
	typeVault          = "aws:backup/vault:Vault"
	typeBackupSelect   = "aws:backup/selection:Selection"
	typeBackupPlan     = "aws:backup/plan:Plan"
	unknownPlaceholder = "[unknown]" // how the synth shows a value not known until deployment
)

// Graph is one stack's inventory as the rules see it: the resources, the
// environment it deploys to, and lookups across resources (a bucket's policy,
// a service's target group).
type Graph struct {
	Inventory *inventory.Inventory
	Stack
}

// Stack is what the rules know about the stack besides its graph.
type Stack struct {
	// Environment is the stack's environment name (parameter paths, tags).
	Environment string
	// Protected is article-pipeline:protect: a stack that protects its data is
	// held to the data-protection rules (deletion protection, protect, 7-day
	// backups, versioning, AWS Backup).
	Protected bool
	// Today is the day dated waivers are judged on (zero: the current day).
	Today time.Time
}

// today is the day a dated waiver is judged on, in UTC.
func (st Stack) today() time.Time {
	if st.Today.IsZero() {
		return time.Now().UTC().Truncate(24 * time.Hour)
	}
	return st.Today
}

// NewGraph wraps inv for the rules.
func NewGraph(inv *inventory.Inventory, st Stack) *Graph {
	return &Graph{Inventory: inv, Stack: st}
}

// subjects is what the rules judge: the resources, then one pseudo-resource per
// stack output (sorted by name).
func (g *Graph) subjects() []inventory.Resource {
	out := slices.Clone(g.Inventory.Resources)
	for _, k := range slices.Sorted(maps.Keys(g.Inventory.Outputs)) {
		out = append(out, inventory.Resource{Type: OutputType, Name: k, Inputs: map[string]any{"value": g.Inventory.Outputs[k]}})
	}
	return out
}

// autoName matches what Pulumi auto-naming makes of a logical name: the name, a
// dash and seven hex digits.
func autoName(logical string) *regexp.Regexp {
	return regexp.MustCompile(`^` + regexp.QuoteMeta(logical) + `-[0-9a-f]{7}$`)
}

// isNamed reports whether r's physical name is physical: the input that holds
// the name when it is set, otherwise r's auto-name.
func isNamed(r inventory.Resource, input, physical string) bool {
	if physical == "" {
		return false
	}
	if n := r.String(input); n != "" {
		return n == physical
	}
	return autoName(r.Name).MatchString(physical)
}

// bucketParts returns the resources of typ that configure bucket (their
// "bucket" input is the bucket's name).
func (g *Graph) bucketParts(bucket inventory.Resource, typ string) []inventory.Resource {
	var out []inventory.Resource
	for _, p := range g.Inventory.OfType(typ) {
		if isNamed(bucket, "bucket", p.String("bucket")) {
			out = append(out, p)
		}
	}
	return out
}

// bucketPolicies returns the parsed policies attached to bucket; a policy that
// cannot be read is an error.
func (g *Graph) bucketPolicies(bucket inventory.Resource) ([]document, error) {
	var docs []document
	for _, p := range g.bucketParts(bucket, typeBucketPolicy) {
		d, err := parseDocument(p.Get("policy"))
		if err != nil {
			return nil, fmt.Errorf("bucket policy %s: %w", p.Name, err)
		}
		docs = append(docs, d)
	}
	return docs, nil
}

// publicByDesign reports whether bucket's policy lets anyone read its objects:
// an Allow of s3:GetObject to "*" (the Django static and chart buckets).
func (g *Graph) publicByDesign(bucket inventory.Resource) bool {
	docs, err := g.bucketPolicies(bucket)
	if err != nil {
		return false
	}
	for _, d := range docs {
		for _, s := range d.Statement {
			if s.Effect == "Allow" && s.publicPrincipal() && slices.ContainsFunc(inventory.AsStrings(s.Action), func(a string) bool {
				return strings.EqualFold(a, "s3:GetObject")
			}) {
				return true
			}
		}
	}
	return false
}

// versioned reports whether bucket has versioning enabled.
func (g *Graph) versioned(bucket inventory.Resource) bool {
	for _, v := range g.bucketParts(bucket, typeVersioning) {
		if v.String("versioningConfiguration", "status") == "Enabled" {
			return true
		}
	}
	return false
}

// backedUp reports whether any AWS Backup selection names arn (exactly, or by
// a wildcard the selection gives).
func (g *Graph) backedUp(match func(arn string) bool) (bool, string) {
	for _, s := range g.Inventory.OfType(typeBackupSelect) {
		for _, arn := range inventory.AsStrings(s.Get("resources")) {
			if match(arn) {
				return true, s.Name
			}
		}
	}
	return false, ""
}

// bucketARNMatcher matches the ARN of bucket in any partition.
func bucketARNMatcher(bucket inventory.Resource) func(string) bool {
	return func(arn string) bool {
		name := arnResource(arn, "s3")
		return !strings.Contains(name, "/") && isNamed(bucket, "bucket", name)
	}
}

// dbARNMatcher matches the ARN of a DB instance (arn:PARTITION:rds:REGION:ACCOUNT:db:NAME).
func dbARNMatcher(db inventory.Resource) func(string) bool {
	return func(arn string) bool {
		name, ok := strings.CutPrefix(arnResource(arn, "rds"), "db:")
		return ok && isNamed(db, "identifier", name)
	}
}

// targetGroup finds the target group an ARN names (…:targetgroup/NAME/ID).
func (g *Graph) targetGroup(arn string) (inventory.Resource, bool) {
	rest := arnResource(arn, "elasticloadbalancing")
	name, ok := strings.CutPrefix(rest, "targetgroup/")
	if !ok {
		return inventory.Resource{}, false
	}
	name, _, _ = strings.Cut(name, "/")
	i := slices.IndexFunc(g.Inventory.OfType(typeTargetGroup), func(tg inventory.Resource) bool {
		return isNamed(tg, "name", name)
	})
	if i < 0 {
		return inventory.Resource{}, false
	}
	return g.Inventory.OfType(typeTargetGroup)[i], true
}

// arnResource returns the resource part of an ARN of service svc, or "".
func arnResource(arn, svc string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != svc {
		return ""
	}
	return parts[5]
}

// deposition reports whether bucket holds the deposition data (stateful): it is
// versioned, selected for AWS Backup, grants AWS Backup access in its policy,
// or is named "...deposition..." without being public by design. Any of these
// marks it, so a prod stack that drops versioning or backup is still caught.
func (g *Graph) deposition(bucket inventory.Resource) bool {
	if g.versioned(bucket) {
		return true
	}
	if ok, _ := g.backedUp(bucketARNMatcher(bucket)); ok {
		return true
	}
	docs, _ := g.bucketPolicies(bucket)
	for _, d := range docs {
		for _, s := range d.Statement {
			if s.Effect == "Allow" && slices.Contains(principalValues(s.Principal, "Service"), "backup.amazonaws.com") {
				return true
			}
		}
	}
	return strings.Contains(strings.ToLower(bucket.String("bucket")+" "+bucket.Name), "deposition") &&
		!g.publicByDesign(bucket)
}

// stateful reports whether r holds data that must survive a mistaken destroy:
// a DB instance, the deposition bucket or a backup vault.
func (g *Graph) stateful(r inventory.Resource) bool {
	switch r.Type {
	case typeDBInstance, typeVault:
		return true
	case typeBucket:
		return g.deposition(r)
	}
	return false
}

// Stateful returns the resources of inv that hold data (DB instances, the
// deposition bucket, backup vaults), in inventory order: what must be
// protected, and what a delivery pipeline must never see deleted.
func Stateful(inv *inventory.Inventory) []inventory.Resource {
	g := NewGraph(inv, Stack{})
	var out []inventory.Resource
	for _, r := range inv.Resources {
		if g.stateful(r) {
			out = append(out, r)
		}
	}
	return out
}

// document is an IAM policy document (identity, resource or trust policy).
type document struct {
	Statement statements `json:"Statement"`
}

type statements []statement

// UnmarshalJSON accepts a single statement object as well as a list.
func (s *statements) UnmarshalJSON(b []byte) error {
	if t := strings.TrimSpace(string(b)); strings.HasPrefix(t, "{") {
		var one statement
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = statements{one}
		return nil
	}
	var many []statement
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

type statement struct {
	Sid          string                    `json:"Sid"`
	Effect       string                    `json:"Effect"`
	Principal    any                       `json:"Principal"`
	NotPrincipal any                       `json:"NotPrincipal"`
	Action       any                       `json:"Action"`
	NotAction    any                       `json:"NotAction"`
	Resource     any                       `json:"Resource"`
	NotResource  any                       `json:"NotResource"`
	Condition    map[string]map[string]any `json:"Condition"`
}

// label names a statement in a finding.
func (s statement) label(i int) string {
	if s.Sid != "" {
		return fmt.Sprintf("statement %q", s.Sid)
	}
	return fmt.Sprintf("statement %d", i)
}

// publicPrincipal reports whether the statement applies to everyone.
func (s statement) publicPrincipal() bool {
	if s.NotPrincipal != nil {
		return true // everyone but a few
	}
	if p, ok := s.Principal.(string); ok {
		return p == "*"
	}
	return slices.Contains(principalValues(s.Principal, "AWS"), "*")
}

// principalValues returns the principals of one kind (AWS, Service, Federated).
func principalValues(p any, kind string) []string {
	m, ok := p.(map[string]any)
	if !ok {
		return nil
	}
	return inventory.AsStrings(m[kind])
}

// parseDocument reads a policy input: a JSON string (or, from a hand-built
// inventory, an object). Secret or unknown documents cannot be judged.
func parseDocument(v any) (document, error) {
	var raw []byte
	switch t := v.(type) {
	case nil:
		return document{}, errors.New("no policy document")
	case string:
		if t == inventory.Secret || t == unknownPlaceholder {
			return document{}, fmt.Errorf("the policy document is %s; it cannot be checked offline", t)
		}
		raw = []byte(t)
	default:
		b, err := json.Marshal(t)
		if err != nil {
			return document{}, err
		}
		raw = b
	}
	var d document
	if err := json.Unmarshal(raw, &d); err != nil {
		return document{}, fmt.Errorf("the policy document is not valid JSON: %w", err)
	}
	return d, nil
}

// list returns a list input's object elements.
func list(v any) []map[string]any {
	var out []map[string]any
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
	case []map[string]any:
		out = t
	case map[string]any: // a single nested block recorded as an object
		out = append(out, t)
	}
	return out
}

// obj returns a nested object input (or the first element of a one-block list).
func obj(v any) map[string]any {
	if m, ok := v.(map[string]any); ok {
		return m
	}
	if l := list(v); len(l) > 0 {
		return l[0]
	}
	return nil
}

// opaque reports whether v is a placeholder that hides the real value.
func opaque(v any) bool {
	s, ok := v.(string)
	return ok && (s == inventory.Secret || s == unknownPlaceholder)
}
