// Package diagram draws one stack's architecture as a Mermaid flowchart from
// its synthesized resource graph (an inventory.Inventory): the components as
// groups (network, database, buckets, services and their load balancer,
// backup, parameters, delivery), a handful of nodes each, and the arrows the
// graph proves: routes from the load balancer to the services, the services'
// database access (security group rules), the buckets their task roles are
// granted, the parameters they read, the URLs of other services they are
// given, and what the backup plan selects. What the stack uses but does not
// own (another stack's VPC, bucket or services, through a stack reference) is
// drawn as external, dashed nodes.
//
// The package reads the inventory only; it imports no component.
package diagram

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

// The type tokens the diagram reads (pulumi-aws v6).
const (
	typeVpc           = "aws:ec2/vpc:Vpc"
	typeSubnet        = "aws:ec2/subnet:Subnet"
	typeIGW           = "aws:ec2/internetGateway:InternetGateway"
	typeNAT           = "aws:ec2/natGateway:NatGateway"
	typeEndpoint      = "aws:ec2/vpcEndpoint:VpcEndpoint"
	typeInstance      = "aws:ec2/instance:Instance"
	typeDB            = "aws:rds/instance:Instance"
	typeProxy         = "aws:rds/proxy:Proxy"
	typeBucket        = "aws:s3/bucketV2:BucketV2"
	typeLB            = "aws:lb/loadBalancer:LoadBalancer"
	typeListener      = "aws:lb/listener:Listener"
	typeRule          = "aws:lb/listenerRule:ListenerRule"
	typeService       = "aws:ecs/service:Service"
	typeTaskDef       = "aws:ecs/taskDefinition:TaskDefinition"
	typeSchedule      = "aws:appautoscaling/scheduledAction:ScheduledAction"
	typeRolePolicy    = "aws:iam/rolePolicy:RolePolicy"
	typeIngress       = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
	typeParameter     = "aws:ssm/parameter:Parameter"
	typePlan          = "aws:backup/plan:Plan"
	typeSelection     = "aws:backup/selection:Selection"
	typeVault         = "aws:backup/vault:Vault"
	typeRecord        = "aws:route53/record:Record"
	typeCertificate   = "aws:acm/certificate:Certificate"
	typeOIDC          = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
	typeRole          = "aws:iam/role:Role"
	typeStackRef      = "pulumi:pulumi:StackReference"
	externalClass     = "external"
	maxParameterNodes = 6 // more parameters than this are drawn as one node
)

// Mermaid returns the flowchart of inv.
func Mermaid(inv *inventory.Inventory) string {
	d := newDrawing(inv)
	d.network()
	d.database()
	d.buckets()
	d.services()
	d.parameters()
	d.backup()
	d.delivery()
	return d.render()
}

// node is one box; group is the subgraph it is drawn in ("" for none).
type node struct {
	id, label, shape, group string
	external                bool
}

type edge struct {
	from, to, label string
	dotted          bool
}

type drawing struct {
	inv    *inventory.Inventory
	byType map[string][]inventory.Resource
	nodes  []node
	edges  []edge
	seen   map[string]bool
	// External names the group of what the stack uses but does not own.
	external string
}

func newDrawing(inv *inventory.Inventory) *drawing {
	d := &drawing{inv: inv, byType: map[string][]inventory.Resource{}, seen: map[string]bool{}}
	for _, r := range inv.Resources {
		d.byType[r.Type] = append(d.byType[r.Type], r)
	}
	d.external = "outside this stack"
	// The stack's reference to itself (it reads back what it runs) is not
	// something it uses from elsewhere.
	var others []string
	for _, r := range d.of(typeStackRef) {
		if !strings.HasSuffix(r.Name, "/"+inv.Project+"/"+inv.Stack) {
			others = append(others, r.Name)
		}
	}
	if len(others) == 1 {
		d.external = "shared stack " + others[0]
	}
	return d
}

func (d *drawing) of(typ string) []inventory.Resource { return d.byType[typ] }

// add adds a node once (later adds of the same id are ignored).
func (d *drawing) add(n node) string {
	if !d.seen[n.id] {
		d.seen[n.id] = true
		d.nodes = append(d.nodes, n)
	}
	return n.id
}

func (d *drawing) link(from, to, label string) {
	d.addEdge(edge{from: from, to: to, label: label})
}

func (d *drawing) dotted(from, to, label string) {
	d.addEdge(edge{from: from, to: to, label: label, dotted: true})
}

// addEdge draws e once.
func (d *drawing) addEdge(e edge) {
	if !slices.Contains(d.edges, e) {
		d.edges = append(d.edges, e)
	}
}

// Group ids.
const (
	gNetwork    = "network"
	gDatabase   = "database"
	gBuckets    = "buckets"
	gServices   = "services"
	gParameters = "parameters"
	gBackup     = "backup"
	gDelivery   = "delivery"
	gExternal   = "external"
)

var groupTitles = map[string]string{
	gNetwork: "network", gDatabase: "database", gBuckets: "buckets", gServices: "services",
	gParameters: "parameters (SSM)", gBackup: "backup", gDelivery: "delivery",
}

// groupOrder is the order the subgraphs are written in.
var groupOrder = []string{gNetwork, gServices, gDatabase, gBuckets, gParameters, gBackup, gDelivery, gExternal}

func (d *drawing) network() {
	vpcs := d.of(typeVpc)
	if len(vpcs) == 0 {
		if d.usesVPC() {
			d.add(node{id: "vpc", label: "VPC and subnets", group: gExternal, external: true})
		}
		// An instance in another stack's VPC (development's bastion) is still
		// this stack's.
		d.instances()
		return
	}
	zones := map[string]bool{}
	for _, s := range d.of(typeSubnet) {
		zones[s.String("availabilityZone")] = true
	}
	label := fmt.Sprintf("VPC %s<br/>%d subnets in %d zones", vpcs[0].String("cidrBlock"), len(d.of(typeSubnet)), len(zones))
	if len(d.of(typeIGW)) > 0 {
		label += "<br/>internet gateway"
	}
	if n := len(d.of(typeNAT)); n > 0 {
		label += fmt.Sprintf(", %d NAT gateways", n)
	} else {
		label += ", no NAT"
	}
	d.add(node{id: "vpc", label: label, group: gNetwork})
	var gateway, iface []string
	for _, e := range d.of(typeEndpoint) {
		svc := e.String("serviceName")
		svc = svc[strings.LastIndex(svc, ".")+1:]
		if e.String("vpcEndpointType") == "Interface" {
			iface = append(iface, endpointName(e.String("serviceName")))
		} else {
			gateway = append(gateway, svc)
		}
	}
	if len(gateway) > 0 {
		d.add(node{id: "gateway_endpoints", label: strings.Join(gateway, ", ") + " gateway endpoint", group: gNetwork})
	}
	if len(iface) > 0 {
		d.add(node{id: "interface_endpoints", label: "interface endpoints<br/>" + strings.Join(iface, ", "), group: gNetwork})
	}
	d.instances()
}

func (d *drawing) instances() {
	for _, b := range d.of(typeInstance) {
		d.add(node{id: id("instance", b.Name), label: fmt.Sprintf("%s<br/>EC2 %s", b.Name, b.String("instanceType")),
			group: gNetwork})
	}
}

// usesVPC reports whether anything in the stack is placed in a VPC it does
// not declare (a target group's or security group's vpcId).
func (d *drawing) usesVPC() bool {
	for _, r := range d.inv.Resources {
		if r.String("vpcId") != "" {
			return true
		}
	}
	return false
}

func endpointName(serviceName string) string {
	rest, _ := strings.CutPrefix(serviceName, "com.amazonaws.")
	_, svc, _ := strings.Cut(rest, ".")
	return svc
}

func (d *drawing) database() {
	for _, db := range d.of(typeDB) {
		az := "single-AZ"
		if multi, _ := db.Bool("multiAz"); multi {
			az = "Multi-AZ"
		}
		engine := db.String("engine")
		if engine == "postgres" {
			engine = "PostgreSQL"
		}
		d.add(node{id: id("db", db.Name), shape: "cylinder", group: gDatabase,
			label: fmt.Sprintf("RDS %s %s<br/>%s · %s GB %s · %s", engine, db.String("engineVersion"),
				db.String("instanceClass"), num(db.Get("allocatedStorage")), db.String("storageType"), az)})
	}
	for _, p := range d.of(typeProxy) {
		pid := d.add(node{id: id("proxy", p.Name), label: "RDS Proxy", group: gDatabase})
		for _, db := range d.of(typeDB) {
			d.link(pid, id("db", db.Name), "")
		}
	}
}

func (d *drawing) buckets() {
	for _, b := range d.of(typeBucket) {
		d.add(node{id: bucketID(b.String("bucket")), label: b.String("bucket"), shape: "stadium", group: gBuckets})
	}
}

func bucketID(name string) string { return id("bucket", name) }

// bucketNode returns the node of a bucket by name, adding an external one for
// a bucket the stack does not own.
func (d *drawing) bucketNode(name string) string {
	for _, b := range d.of(typeBucket) {
		if b.String("bucket") == name {
			return bucketID(name)
		}
	}
	return d.add(node{id: bucketID(name), label: name, shape: "stadium", group: gExternal, external: true})
}

func (d *drawing) services() {
	lbs := d.of(typeLB)
	for _, lb := range lbs {
		label := "Application Load Balancer"
		if internal, _ := lb.Bool("internal"); internal {
			label = "internal " + label
		}
		var ports []string
		for _, l := range d.of(typeListener) {
			p := fmt.Sprintf("%s :%s", l.String("protocol"), num(l.Get("port")))
			if redirects(l) {
				p += " → HTTPS"
			}
			ports = append(ports, p)
		}
		if len(ports) > 0 {
			label += "<br/>" + strings.Join(ports, " · ")
		}
		lbID := d.add(node{id: id("lb", lb.Name), label: label, group: gServices})
		if internal, _ := lb.Bool("internal"); !internal {
			d.add(node{id: "internet", label: "Internet", shape: "circle"})
			d.link("internet", lbID, "")
		}
	}
	if domains := d.domains(); len(domains) > 0 && len(lbs) > 0 {
		did := d.add(node{id: "dns", label: strings.Join(domains, ", ") + "<br/>Route 53 + ACM certificate"})
		d.dotted(did, id("lb", lbs[0].Name), "alias")
	}
	for _, svc := range d.of(typeService) {
		sid := d.add(node{id: serviceID(svc), label: d.serviceLabel(svc), group: gServices})
		for _, route := range d.routes(svc) {
			from := "shared_lb"
			if route.listener != "" && len(lbs) > 0 {
				from = id("lb", lbs[0].Name)
			} else {
				d.add(node{id: from, label: "load balancer listener", group: gExternal, external: true})
			}
			d.link(from, sid, route.label)
		}
		d.databaseAccess(svc, sid)
		d.bucketAccess(svc, sid)
		d.urls(svc, sid)
	}
	// Rules on another stack's listener: the internet reaches them through
	// that load balancer, and this stack's names point at it.
	if len(lbs) == 0 && d.seen["shared_lb"] {
		d.add(node{id: "internet", label: "Internet", shape: "circle"})
		d.link("internet", "shared_lb", "")
		if domains := d.domains(); len(domains) > 0 {
			did := d.add(node{id: "dns", label: strings.Join(domains, ", ") + "<br/>Route 53 + ACM certificate"})
			d.dotted(did, "shared_lb", "alias")
		}
	}
	if len(d.of(typeService)) > 0 && d.seen["vpc"] {
		d.dotted(gServices, "vpc", "runs in")
	}
	if len(d.of(typeDB)) > 0 && d.seen["vpc"] {
		d.dotted(gDatabase, "vpc", "private subnets")
	}
	for _, b := range d.of(typeInstance) {
		d.databaseAccessFrom(b, id("instance", b.Name), b.Strings("vpcSecurityGroupIds"))
	}
}

func redirects(l inventory.Resource) bool {
	for _, a := range l.List("defaultActions") {
		if m, _ := a.(map[string]any); m["type"] == "redirect" {
			return true
		}
	}
	return false
}

func serviceID(svc inventory.Resource) string { return id("svc", serviceName(svc)) }

// serviceName is the service's short name (backend for backend-service).
func serviceName(svc inventory.Resource) string {
	return strings.TrimSuffix(svc.Name, "-service")
}

func (d *drawing) serviceLabel(svc inventory.Resource) string {
	label := serviceName(svc)
	td, ok := d.taskDefinition(svc)
	if ok {
		arch := td.String("runtimePlatform", "cpuArchitecture")
		if arch == "" || arch == "X86_64" {
			arch = "x86"
		}
		label += fmt.Sprintf("<br/>%s vCPU · %s GB · %s", num(div(td.Get("cpu"), 1024)), num(div(td.Get("memory"), 1024)), arch)
	}
	var extras []string
	for _, s := range svc.List("capacityProviderStrategies") {
		if m, _ := s.(map[string]any); m["capacityProvider"] == "FARGATE_SPOT" {
			extras = append(extras, "Fargate Spot")
		}
	}
	for _, a := range d.of(typeSchedule) {
		if rid := a.String("resourceId"); svc.HasName("name", rid[strings.LastIndex(rid, "/")+1:]) {
			extras = append(extras, "scheduled")
			break
		}
	}
	if len(extras) > 0 {
		label += "<br/>" + strings.Join(extras, " · ")
	}
	return label
}

func (d *drawing) taskDefinition(svc inventory.Resource) (inventory.Resource, bool) {
	arn := svc.String("taskDefinition")
	family, _, _ := strings.Cut(arn[strings.LastIndex(arn, "/")+1:], ":")
	for _, td := range d.of(typeTaskDef) {
		if family != "" && td.String("family") == family {
			return td, true
		}
	}
	return inventory.Resource{}, false
}

type route struct{ listener, label string }

// routes are the listener rules that forward to svc's target groups, with
// their host and path conditions; listener is "" when the rule is on a
// listener the stack does not declare (another stack's load balancer).
func (d *drawing) routes(svc inventory.Resource) []route {
	var tgs []string
	for _, lb := range svc.List("loadBalancers") {
		if m, _ := lb.(map[string]any); m["targetGroupArn"] != nil {
			tgs = append(tgs, fmt.Sprint(m["targetGroupArn"]))
		}
	}
	var out []route
	for _, r := range d.of(typeRule) {
		forwards := false
		for _, a := range r.List("actions") {
			if m, _ := a.(map[string]any); slices.Contains(tgs, fmt.Sprint(m["targetGroupArn"])) {
				forwards = true
			}
		}
		if !forwards {
			continue
		}
		var conds []string
		for _, c := range r.List("conditions") {
			m, _ := c.(map[string]any)
			for _, k := range []string{"hostHeader", "pathPattern"} {
				for _, v := range listOf(mapGet(m[k], "values")) {
					conds = append(conds, fmt.Sprint(v))
				}
			}
		}
		listener := ""
		for _, l := range d.of(typeListener) {
			if slices.Contains(r.DependsOn, l.Name) {
				listener = l.Name
			}
		}
		out = append(out, route{listener: listener, label: strings.Join(conds, " ")})
	}
	return out
}

// databaseAccess draws svc -> database when a security group rule admits the
// service's tasks to the database (or its proxy).
func (d *drawing) databaseAccess(svc inventory.Resource, from string) {
	d.databaseAccessFrom(svc, from, svc.Strings("networkConfiguration", "securityGroups"))
}

func (d *drawing) databaseAccessFrom(src inventory.Resource, from string, groups []string) {
	targets := map[string]string{} // security group -> node; the instance wins a group it shares with its proxy
	for _, p := range d.of(typeProxy) {
		for _, sg := range p.Strings("vpcSecurityGroupIds") {
			targets[sg] = id("proxy", p.Name)
		}
	}
	for _, db := range d.of(typeDB) {
		for _, sg := range db.Strings("vpcSecurityGroupIds") {
			targets[sg] = id("db", db.Name)
		}
	}
	for _, rule := range d.of(typeIngress) {
		to, ok := targets[rule.String("securityGroupId")]
		if ok && slices.Contains(groups, rule.String("referencedSecurityGroupId")) {
			d.link(from, to, fmt.Sprintf("%s :%s", rule.String("ipProtocol"), num(rule.Get("fromPort"))))
		}
	}
}

// bucketAccess draws svc -> bucket for each bucket its task role's policies
// allow object access to.
func (d *drawing) bucketAccess(svc inventory.Resource, from string) {
	td, ok := d.taskDefinition(svc)
	if !ok {
		return
	}
	role := td.String("taskRoleArn")
	role = role[strings.LastIndex(role, "/")+1:]
	access := map[string]string{} // bucket -> read | read-write
	var order []string
	for _, p := range d.of(typeRolePolicy) {
		if role == "" || p.String("role") != role {
			continue
		}
		var doc struct {
			Statement []struct {
				Effect   string
				Action   any
				Resource any
			}
		}
		if json.Unmarshal([]byte(p.String("policy")), &doc) != nil {
			continue
		}
		for _, st := range doc.Statement {
			if st.Effect != "Allow" {
				continue
			}
			writes := false
			for _, a := range inventory.AsStrings(st.Action) {
				writes = writes || a == "s3:PutObject" || a == "s3:DeleteObject" || a == "s3:*"
			}
			for _, res := range inventory.AsStrings(st.Resource) {
				name, isS3 := strings.CutPrefix(res, "arn:aws:s3:::")
				if !isS3 || !strings.HasSuffix(name, "/*") {
					continue // object access is what the arrow shows
				}
				name = strings.TrimSuffix(name, "/*")
				if _, ok := access[name]; !ok {
					order = append(order, name)
					access[name] = "read"
				}
				if writes {
					access[name] = "read-write"
				}
			}
		}
	}
	for _, name := range order {
		d.link(from, d.bucketNode(name), access[name])
	}
}

// urls draws svc -> the services whose URLs its environment holds: one of
// this stack's services when the URL is on the stack's own domain and a route
// of that service, otherwise an external node.
func (d *drawing) urls(svc inventory.Resource, from string) {
	td, ok := d.taskDefinition(svc)
	if !ok {
		return
	}
	var defs []struct {
		Environment []struct{ Name, Value string }
		Secrets     []struct{ Name, ValueFrom string }
	}
	if json.Unmarshal([]byte(td.String("containerDefinitions")), &defs) != nil {
		return
	}
	own := d.ownHosts()
	for _, c := range defs {
		for _, e := range c.Environment {
			u, err := url.Parse(e.Value)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				continue
			}
			if target := d.serviceAt(u); own[u.Host] && target != "" {
				if target != from {
					d.link(from, target, e.Name)
				}
				continue
			}
			ext := d.add(node{id: id("url", u.Host+u.Path), label: u.Host + u.Path, group: gExternal, external: true})
			d.link(from, ext, e.Name)
		}
		for _, s := range c.Secrets {
			if to := d.parameterNode(s.ValueFrom); to != "" {
				d.link(from, to, "reads "+s.Name)
			}
		}
	}
}

// ownHosts are the host names the stack serves: its records, its
// certificate's names and its outputs' URLs.
func (d *drawing) ownHosts() map[string]bool {
	hosts := map[string]bool{}
	for _, r := range d.of(typeRecord) {
		hosts[strings.TrimSuffix(r.String("name"), ".")] = true
	}
	for _, c := range d.of(typeCertificate) {
		hosts[c.String("domainName")] = true
	}
	for _, v := range d.inv.Outputs {
		if s, ok := v.(string); ok {
			if u, err := url.Parse(s); err == nil && u.Host != "" {
				hosts[u.Host] = true
			}
		}
	}
	return hosts
}

// serviceAt is the node of the service whose route (a path pattern) serves u.
func (d *drawing) serviceAt(u *url.URL) string {
	for _, svc := range d.of(typeService) {
		for _, r := range d.routes(svc) {
			for _, pattern := range strings.Fields(r.label) {
				prefix := strings.TrimSuffix(pattern, "*")
				if strings.HasPrefix(pattern, "/") && prefix != "/" && strings.HasPrefix(u.Path, prefix) {
					return serviceID(svc)
				}
			}
		}
	}
	return ""
}

func (d *drawing) parameters() {
	params := d.of(typeParameter)
	if len(params) > maxParameterNodes {
		d.add(node{id: "parameters_all", group: gParameters,
			label: fmt.Sprintf("%d SecureString parameters<br/>%s", len(params), commonPrefix(params))})
	}
	for _, p := range params {
		to := d.parameterNode(p.String("name"))
		for _, dep := range p.DependsOn {
			for _, db := range d.of(typeDB) {
				if dep == db.Name {
					d.dotted(id("db", db.Name), to, "its URL")
				}
			}
		}
	}
}

// parameterNode returns the node of a parameter by name or ARN (an external
// node when the stack does not declare it).
func (d *drawing) parameterNode(nameOrARN string) string {
	name := nameOrARN
	if _, after, ok := strings.Cut(nameOrARN, ":parameter"); ok {
		name = after
	}
	if name == "" || !strings.HasPrefix(name, "/") {
		return ""
	}
	params := d.of(typeParameter)
	for _, p := range params {
		if p.String("name") == name {
			if len(params) > maxParameterNodes {
				return "parameters_all"
			}
			return d.add(node{id: id("param", name), label: name[strings.LastIndex(name, "/")+1:] + "<br/>" +
				p.String("type"), group: gParameters})
		}
	}
	return d.add(node{id: id("param", name), label: name, group: gExternal, external: true})
}

func commonPrefix(params []inventory.Resource) string {
	prefix := params[0].String("name")
	for _, p := range params[1:] {
		for !strings.HasPrefix(p.String("name"), prefix) {
			prefix = prefix[:len(prefix)-1]
		}
	}
	return prefix
}

func (d *drawing) backup() {
	plans := d.of(typePlan)
	if len(plans) == 0 {
		return
	}
	var rules []string
	for _, r := range plans[0].List("rules") {
		m, _ := r.(map[string]any)
		rule := fmt.Sprint(m["ruleName"])
		if keep, ok := mapGet(m["lifecycle"], "deleteAfter").(float64); ok {
			rule += fmt.Sprintf(", kept %s days", num(keep))
		}
		rules = append(rules, rule)
	}
	label := "AWS Backup<br/>" + strings.Join(rules, "<br/>")
	if vaults := d.of(typeVault); len(vaults) > 0 {
		label += "<br/>vault " + vaults[0].String("name")
	}
	bid := d.add(node{id: "backup_plan", label: label, group: gBackup})
	for _, sel := range d.of(typeSelection) {
		for _, arn := range sel.Strings("resources") {
			if name, ok := strings.CutPrefix(arn, "arn:aws:s3:::"); ok {
				d.link(bid, d.bucketNode(name), "backs up")
				continue
			}
			for _, db := range d.of(typeDB) {
				if strings.HasSuffix(arn, ":db:"+db.String("identifier")) {
					d.link(bid, id("db", db.Name), "backs up")
				}
			}
		}
	}
}

func (d *drawing) delivery() {
	oidc := d.of(typeOIDC)
	var roles []string
	for _, r := range d.of(typeRole) {
		if strings.Contains(r.String("assumeRolePolicy"), "token.actions.githubusercontent.com") {
			roles = append(roles, r.Name)
		}
	}
	if len(oidc) == 0 && len(roles) == 0 {
		return
	}
	label := "GitHub Actions (OIDC)"
	if len(oidc) == 0 {
		label += ", provider from another stack"
	}
	if len(roles) > 0 {
		label += "<br/>" + strings.Join(roles, ", ")
	}
	did := d.add(node{id: "github", label: label, group: gDelivery})
	if len(d.of(typeService)) > 0 {
		d.dotted(did, gServices, "deploys")
	}
}

func (d *drawing) domains() []string {
	var out []string
	for _, c := range d.of(typeCertificate) {
		out = append(out, c.String("domainName"))
	}
	return out
}

// render writes the flowchart: the subgraphs in a fixed order, nodes in the
// order they were found (the inventory's sorted order), then the edges.
func (d *drawing) render() string {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	for _, n := range d.nodes {
		if n.group == "" {
			fmt.Fprintf(&b, "  %s\n", n.decl())
		}
	}
	for _, g := range groupOrder {
		var members []node
		for _, n := range d.nodes {
			if n.group == g {
				members = append(members, n)
			}
		}
		if len(members) == 0 {
			continue
		}
		title := groupTitles[g]
		if g == gExternal {
			title = d.external
		}
		fmt.Fprintf(&b, "  subgraph %s[\"%s\"]\n", g, escape(title))
		for _, n := range members {
			fmt.Fprintf(&b, "    %s\n", n.decl())
		}
		b.WriteString("  end\n")
	}
	for _, e := range d.edges {
		arrow := "-->"
		if e.dotted {
			arrow = "-.->"
		}
		if e.label == "" {
			fmt.Fprintf(&b, "  %s %s %s\n", e.from, arrow, e.to)
		} else {
			fmt.Fprintf(&b, "  %s %s|\"%s\"| %s\n", e.from, arrow, escape(e.label), e.to)
		}
	}
	var ext []string
	for _, n := range d.nodes {
		if n.external {
			ext = append(ext, n.id)
		}
	}
	if len(ext) > 0 {
		fmt.Fprintf(&b, "  classDef %s stroke-dasharray: 5 5\n", externalClass)
		fmt.Fprintf(&b, "  class %s %s\n", strings.Join(ext, ","), externalClass)
	}
	return b.String()
}

func (n node) decl() string {
	label := escape(n.label)
	switch n.shape {
	case "cylinder":
		return fmt.Sprintf("%s[(\"%s\")]", n.id, label)
	case "stadium":
		return fmt.Sprintf("%s([\"%s\"])", n.id, label)
	case "circle":
		return fmt.Sprintf("%s((\"%s\"))", n.id, label)
	}
	return fmt.Sprintf("%s[\"%s\"]", n.id, label)
}

// escape makes text safe inside a quoted Mermaid label (line breaks are
// written as <br/> by the callers).
func escape(s string) string {
	return strings.ReplaceAll(s, `"`, "#quot;")
}

var unsafe = regexp.MustCompile(`[^A-Za-z0-9_]+`)

// id makes a Mermaid node id from a kind and a name.
func id(kind, name string) string {
	return kind + "_" + strings.Trim(unsafe.ReplaceAllString(name, "_"), "_")
}
