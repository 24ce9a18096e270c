// Package mock is the Pulumi mock monitor shared by every test and by the offline
// synth. It records each resource the program registers (type, name, parent,
// inputs, options), fails on a duplicate URN as the engine would, answers the data
// sources the program calls with realistic values, and keeps secrets marked.
package mock

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"google.golang.org/protobuf/types/known/emptypb"
)

// Account is the AWS account ID every mocked ARN carries.
const Account = "123456789012"

// StackReferenceType is the type token of a pulumi.StackReference.
const StackReferenceType = "pulumi:pulumi:StackReference"

// Resource is one registration (or read) the program made.
type Resource struct {
	Type                string
	Name                string
	URN                 string
	ParentURN           string
	Custom              bool
	Read                bool // a read (stack reference, resource lookup), not a registration
	ID                  string
	Inputs              resource.PropertyMap
	Outputs             resource.PropertyMap
	Protect             bool
	RetainOnDelete      bool
	ImportID            string
	DependsOn           []string // URNs
	IgnoreChanges       []string
	Provider            string
	DeleteBeforeReplace bool
}

// Monitor implements pulumi.MockResourceMonitor and records what it sees.
// Set Project, Stack and Region before the run; StackOutputs answers stack
// references by their fully qualified name.
type Monitor struct {
	Project string
	Stack   string
	Region  string
	// StackOutputs maps a stack reference name (org/project/stack) to that stack's
	// outputs. A reference to a stack that is not listed fails the run.
	StackOutputs map[string]resource.PropertyMap

	mu           sync.Mutex
	resources    []*Resource
	byURN        map[string]*Resource
	outputsCalls int
	invokes      []string
}

// New returns a monitor for one project and stack in region.
func New(project, stack, region string) *Monitor {
	return &Monitor{Project: project, Stack: stack, Region: region}
}

// Resources returns the recorded resources in registration order.
func (m *Monitor) Resources() []*Resource {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.resources)
}

// Invokes returns the data-source tokens called, in call order.
func (m *Monitor) Invokes() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.invokes)
}

// OutputsRegistered counts RegisterResourceOutputs calls: one per component plus
// one for the stack.
func (m *Monitor) OutputsRegistered() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.outputsCalls
}

// RegisterResourceOutputs implements the mock monitor's optional hook.
func (m *Monitor) RegisterResourceOutputs() (*emptypb.Empty, error) {
	m.mu.Lock()
	m.outputsCalls++
	m.mu.Unlock()
	return &emptypb.Empty{}, nil
}

// Find returns the resource with this type and logical name, or nil.
func (m *Monitor) Find(typ, name string) *Resource {
	for _, r := range m.Resources() {
		if r.Type == typ && r.Name == name {
			return r
		}
	}
	return nil
}

// OfType returns every resource of this type, in registration order.
func (m *Monitor) OfType(typ string) []*Resource {
	var out []*Resource
	for _, r := range m.Resources() {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// ByURN returns the resource with this URN, or nil.
func (m *Monitor) ByURN(urn string) *Resource {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.byURN[urn]
}

func (m *Monitor) urn(parent, typ, name string) string {
	parentType := tokens.Type("")
	if p := resource.URN(parent); p != "" && p.QualifiedType() != resource.RootStackType {
		parentType = p.QualifiedType()
	}
	return string(resource.NewURN(tokens.QName(m.Stack), tokens.PackageName(m.Project), parentType,
		tokens.Type(typ), name))
}

// NewResource records a registration or read and returns the resource's ID and
// state: its inputs plus the computed outputs AWS would fill in.
func (m *Monitor) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	r := &Resource{Type: args.TypeToken, Name: args.Name, Custom: args.Custom, Inputs: args.Inputs,
		Provider: args.Provider}
	if rpc := args.RegisterRPC; rpc != nil {
		r.ParentURN = rpc.GetParent()
		r.Protect = rpc.GetProtect()
		r.RetainOnDelete = rpc.GetRetainOnDelete()
		r.ImportID = rpc.GetImportId()
		r.DependsOn = slices.Sorted(slices.Values(rpc.GetDependencies()))
		r.IgnoreChanges = rpc.GetIgnoreChanges()
		r.DeleteBeforeReplace = rpc.GetDeleteBeforeReplace()
	}
	if rpc := args.ReadRPC; rpc != nil {
		r.ParentURN = rpc.GetParent()
		r.Read = true
	}
	r.URN = m.urn(r.ParentURN, r.Type, r.Name)

	var id string
	var outputs resource.PropertyMap
	if r.Type == StackReferenceType {
		name := args.ID
		if name == "" {
			name = args.Name
		}
		outs, ok := m.StackOutputs[name]
		if !ok {
			return "", nil, fmt.Errorf("mock: stack reference %q has no outputs here (known: %v)", name,
				slices.Sorted(maps.Keys(m.StackOutputs)))
		}
		id = name
		outputs = resource.PropertyMap{
			"name":    resource.NewProperty(name),
			"outputs": resource.NewProperty(outs),
		}
	} else {
		id, outputs = computed(r.Type, r.Name, r.URN, m.Region, args.Inputs)
		if args.ID != "" {
			id = args.ID
		}
	}
	r.ID, r.Outputs = id, outputs

	m.mu.Lock()
	defer m.mu.Unlock()
	if m.byURN == nil {
		m.byURN = map[string]*Resource{}
	}
	if _, dup := m.byURN[r.URN]; dup {
		return "", nil, fmt.Errorf("mock: duplicate URN %s (the engine rejects two resources with one URN)", r.URN)
	}
	m.byURN[r.URN] = r
	m.resources = append(m.resources, r)
	return id, outputs, nil
}

// Call answers the data sources the program uses. An unknown token is an error,
// so a new invoke gets a realistic answer here before it is relied on.
func (m *Monitor) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	m.mu.Lock()
	m.invokes = append(m.invokes, args.Token)
	m.mu.Unlock()
	out, err := invoke(args.Token, args.Args, m.Region)
	if err != nil {
		return nil, fmt.Errorf("mock: %s: %w", args.Token, err)
	}
	return out, nil
}

// hash gives stable pseudo-random hex for IDs derived from a URN.
func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func str(in resource.PropertyMap, key, def string) string {
	if v, ok := in[resource.PropertyKey(key)]; ok {
		if v.IsSecret() {
			v = v.SecretValue().Element
		}
		if v.IsString() && v.StringValue() != "" {
			return v.StringValue()
		}
	}
	return def
}

func num(in resource.PropertyMap, key string, def float64) float64 {
	if v, ok := in[resource.PropertyKey(key)]; ok && v.IsNumber() {
		return v.NumberValue()
	}
	return def
}

func prop(v any) resource.PropertyValue { return resource.NewPropertyValue(v) }

// autonamed lists the input that holds each auto-named resource's physical name.
var autonamed = map[string]string{
	"aws:s3/bucketV2:BucketV2":                "bucket",
	"aws:rds/instance:Instance":               "identifier",
	"aws:rds/subnetGroup:SubnetGroup":         "name",
	"aws:rds/parameterGroup:ParameterGroup":   "name",
	"aws:iam/role:Role":                       "name",
	"aws:iam/policy:Policy":                   "name",
	"aws:iam/instanceProfile:InstanceProfile": "name",
	"aws:ssm/parameter:Parameter":             "name",
	"aws:ec2/securityGroup:SecurityGroup":     "name",
	"aws:cloudwatch/logGroup:LogGroup":        "name",
	"aws:ecr/repository:Repository":           "name",
	"aws:ecs/cluster:Cluster":                 "name",
	"aws:ecs/service:Service":                 "name",
	"aws:lb/loadBalancer:LoadBalancer":        "name",
	"aws:lb/targetGroup:TargetGroup":          "name",
	"aws:backup/vault:Vault":                  "name",
	"aws:backup/plan:Plan":                    "name",
	"aws:backup/selection:Selection":          "name",
}

// ComputeFunc adds the provider-computed outputs of one resource type through
// set; h is a stable hex hash of the URN. It may return a new ID and ARN ("" keeps
// the defaults).
type ComputeFunc func(in resource.PropertyMap, h, region string, set func(key string, v any)) (id, arn string)

// extraComputed holds computed outputs registered by other files of this package
// (via init), one file per concern.
var extraComputed = map[string]ComputeFunc{}

// computed returns the ID and state of a new resource: its inputs plus the
// outputs the provider computes (IDs, ARNs, endpoints, auto-names).
func computed(typ, name, urn, region string, in resource.PropertyMap) (string, resource.PropertyMap) {
	out := in.Copy()
	h := hash(urn)
	parts := strings.SplitN(typ, ":", 3)
	pkg, module, kind := parts[0], "", ""
	if len(parts) == 3 {
		module, kind = strings.SplitN(parts[1], "/", 2)[0], parts[2]
	}
	set := func(k string, v any) { out[resource.PropertyKey(k)] = prop(v) }

	physical := name + "-" + h[:7]
	if key, ok := autonamed[typ]; ok {
		physical = str(in, key, physical)
		if _, given := in[resource.PropertyKey(key)]; !given {
			set(key, physical)
		}
	}
	id := physical
	arn := fmt.Sprintf("arn:aws:%s:%s:%s:%s/%s", module, region, Account, strings.ToLower(kind), physical)
	ec2 := func(prefix string) string { return prefix + "-" + h[:17] }

	switch pkg {
	case "random":
		if kind == "RandomPassword" || kind == "RandomString" {
			n := int(num(in, "length", 16))
			v := strings.Repeat("Xy9-"+h[:8], n/12+1)[:n]
			if kind == "RandomPassword" {
				out["result"] = resource.MakeSecret(prop(v))
			} else {
				set("result", v)
			}
		}
		return name + "-" + h[:7], out
	case "postgresql":
		return str(in, "name", name), out
	case "aws":
	default:
		return id, out
	}

	switch typ {
	case "aws:ec2/vpc:Vpc":
		id = ec2("vpc")
		set("defaultSecurityGroupId", "sg-"+h[17:34])
		set("mainRouteTableId", "rtb-"+h[20:37])
		set("defaultNetworkAclId", "acl-"+h[30:47])
		set("ownerId", Account)
		arn = fmt.Sprintf("arn:aws:ec2:%s:%s:vpc/%s", region, Account, id)
	case "aws:ec2/subnet:Subnet":
		id = ec2("subnet")
		arn = fmt.Sprintf("arn:aws:ec2:%s:%s:subnet/%s", region, Account, id)
	case "aws:ec2/securityGroup:SecurityGroup":
		id = ec2("sg")
		arn = fmt.Sprintf("arn:aws:ec2:%s:%s:security-group/%s", region, Account, id)
	case "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":
		id = ec2("sg")
	case "aws:ec2/internetGateway:InternetGateway":
		id = ec2("igw")
	case "aws:ec2/routeTable:RouteTable":
		id = ec2("rtb")
	case "aws:ec2/vpcEndpoint:VpcEndpoint":
		id = ec2("vpce")
		set("prefixListId", "pl-68a54001")
	case "aws:ec2/instance:Instance":
		id = ec2("i")
		set("privateIp", "10.0.3.10")
	case "aws:rds/instance:Instance":
		id = "db-" + strings.ToUpper(h[:26])
		port := num(in, "port", 5432)
		address := fmt.Sprintf("%s.c%s.%s.rds.amazonaws.com", physical, h[:12], region)
		set("address", address)
		set("port", port)
		set("endpoint", fmt.Sprintf("%s:%d", address, int(port)))
		set("resourceId", id)
		// RDS runs the newest minor of a major-only version; the mock says .4.
		version := str(in, "engineVersion", "17")
		if !strings.Contains(version, ".") {
			version += ".4"
		}
		set("engineVersionActual", version)
		arn = fmt.Sprintf("arn:aws:rds:%s:%s:db:%s", region, Account, physical)
	case "aws:rds/proxy:Proxy":
		set("endpoint", fmt.Sprintf("%s.proxy-c%s.%s.rds.amazonaws.com", physical, h[:12], region))
		arn = fmt.Sprintf("arn:aws:rds:%s:%s:db-proxy:prx-%s", region, Account, h[:17])
	case "aws:s3/bucketV2:BucketV2":
		set("bucketDomainName", physical+".s3.amazonaws.com")
		set("bucketRegionalDomainName", fmt.Sprintf("%s.s3.%s.amazonaws.com", physical, region))
		arn = "arn:aws:s3:::" + physical
	case "aws:iam/role:Role", "aws:iam/policy:Policy", "aws:iam/instanceProfile:InstanceProfile":
		iamKind := map[string]string{"Role": "role", "Policy": "policy", "InstanceProfile": "instance-profile"}[kind]
		arn = fmt.Sprintf("arn:aws:iam::%s:%s/%s", Account, iamKind, physical)
		if kind == "Policy" {
			id = arn
		}
	case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
		arn = fmt.Sprintf("arn:aws:iam::%s:oidc-provider/%s", Account, str(in, "url", "")[len("https://"):])
		id = arn
	case "aws:ssm/parameter:Parameter":
		set("version", 1.0)
		arn = fmt.Sprintf("arn:aws:ssm:%s:%s:parameter/%s", region, Account, strings.TrimPrefix(physical, "/"))
	case "aws:lb/loadBalancer:LoadBalancer":
		set("dnsName", fmt.Sprintf("%s-%s.%s.elb.amazonaws.com", physical, h[:10], region))
		set("zoneId", "Z1H1FL5HABSF5")
		set("arnSuffix", fmt.Sprintf("app/%s/%s", physical, h[:16]))
		arn = fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:loadbalancer/app/%s/%s", region, Account, physical, h[:16])
		id = arn
	case "aws:lb/targetGroup:TargetGroup":
		set("arnSuffix", fmt.Sprintf("targetgroup/%s/%s", physical, h[:16]))
		arn = fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:targetgroup/%s/%s", region, Account, physical, h[:16])
		id = arn
	case "aws:lb/listener:Listener":
		arn = fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:listener/app/%s/%s", region, Account, name, h[:16])
		id = arn
	case "aws:acm/certificate:Certificate":
		arn = fmt.Sprintf("arn:aws:acm:%s:%s:certificate/%s", region, Account, h[:36])
		id = arn
		domain := str(in, "domainName", name)
		set("domainValidationOptions", []any{map[string]any{
			"domainName":          domain,
			"resourceRecordName":  "_" + h[:32] + "." + domain + ".",
			"resourceRecordType":  "CNAME",
			"resourceRecordValue": "_" + h[32:64] + ".acm-validations.aws.",
		}})
	case "aws:ecr/repository:Repository":
		set("repositoryUrl", fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com/%s", Account, region, physical))
		arn = fmt.Sprintf("arn:aws:ecr:%s:%s:repository/%s", region, Account, physical)
	case "aws:ecs/cluster:Cluster", "aws:ecs/service:Service":
		arn = fmt.Sprintf("arn:aws:ecs:%s:%s:%s/%s", region, Account, strings.ToLower(kind), physical)
		id = arn
	case "aws:ecs/taskDefinition:TaskDefinition":
		family := str(in, "family", name)
		set("revision", 1.0)
		arn = fmt.Sprintf("arn:aws:ecs:%s:%s:task-definition/%s:1", region, Account, family)
		set("arnWithoutRevision", strings.TrimSuffix(arn, ":1"))
		id = family
	case "aws:cloudwatch/logGroup:LogGroup":
		arn = fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", region, Account, physical)
	case "aws:backup/vault:Vault":
		arn = fmt.Sprintf("arn:aws:backup:%s:%s:backup-vault:%s", region, Account, physical)
	case "aws:backup/plan:Plan":
		id = h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
		arn = fmt.Sprintf("arn:aws:backup:%s:%s:backup-plan:%s", region, Account, id)
	case "aws:route53/record:Record":
		set("fqdn", str(in, "name", name))
	default:
		if f, ok := extraComputed[typ]; ok {
			if newID, newARN := f(in, h, region, set); newID != "" || newARN != "" {
				if newID != "" {
					id = newID
				}
				if newARN != "" {
					arn = newARN
				}
			}
		}
	}
	set("arn", arn)
	if tags, ok := in["tags"]; ok {
		out["tagsAll"] = tags
	}
	return id, out
}
