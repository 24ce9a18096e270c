package adoptcheck

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

// checkEngineVersion: while adopted the instance always ignores engineVersion,
// because terraform-provider-aws keeps a configured "17" against an imported
// "17.x" and a pinned minor plans a downgrade after the next automatic minor
// upgrade. A different major is an in-place major upgrade: refused.
func checkEngineVersion(c *checker, r inventory.Resource, decl, live, _ any) {
	d, _ := decl.(string)
	l, _ := live.(string)
	if major(d) != major(l) {
		c.add(Finding{Severity: Refusal, Resource: r.Name, Type: r.Type, Property: "engineVersion", Live: render(l),
			Declared: render(d), Message: "a different major version is an in-place major upgrade: set " +
				"article-pipeline:database.engineVersion to " + render(major(l))})
		return
	}
	c.diff(r, "engineVersion", render(l), render(d),
		"always kept while adopted: RDS upgrades minors itself, and a pinned version would plan a downgrade")
}

func major(v string) string {
	m, _, _ := strings.Cut(v, ".")
	return m
}

// checkPassword: AWS never returns the master password, so the import cannot
// know it and would send the configured one. It is kept until the deliberate
// rotation step.
func checkPassword(c *checker, r inventory.Resource, decl, _, _ any) {
	c.diff(r, "password", "not readable from AWS", render(decl),
		"always kept while adopted: changed only by the rotation step, after psql has verified it")
}

// checkAllocatedStorage follows the provider: with autoscaling on, a live size
// above the declared one is not a difference.
func checkAllocatedStorage(c *checker, r inventory.Resource, decl, live, _ any) {
	d, _ := decl.(float64)
	l, _ := live.(float64)
	maxDecl, _ := r.Inputs["maxAllocatedStorage"].(float64)
	if d == l || (l > d && maxDecl > d) {
		return
	}
	c.diff(r, "allocatedStorage", render(live), render(decl), "applied by "+stepOwn+
		" (storage can only grow; set article-pipeline:database.allocatedStorage to the live size)")
}

// subnetGroupSubnets lists the live subnet group's subnets.
func subnetGroupSubnets(obj any) any {
	var out []string
	for _, s := range list(obj, "Subnets") {
		out = append(out, str(s, "SubnetIdentifier"))
	}
	slices.Sort(out)
	return out
}

// checkSubnetGroupSubnets refuses a subnet group that would change: the
// console may have put every subnet of the VPC in it, and RDS refuses to take
// out a subnet the instance runs in. Adopted, the group keeps its subnets.
func checkSubnetGroupSubnets(c *checker, r inventory.Resource, decl, live, _ any) {
	want := stringSet(decl)
	have, _ := live.([]string)
	if slices.Equal(want, have) {
		return
	}
	var kinds []string
	for _, s := range have {
		kind := "private"
		if public, known := c.subnetIsPublic(s); !known {
			kind = "route table unknown"
		} else if public {
			kind = "public"
		}
		kinds = append(kinds, s+" ("+kind+")")
	}
	c.add(Finding{Severity: Refusal, Resource: r.Name, Type: r.Type, Property: "subnetIds",
		Live: render(toAnyList(have)), Declared: render(toAnyList(want)),
		Message: fmt.Sprintf("the live group holds %s; changing it fails for the instance's own subnet and moves "+
			"nothing: keep the live subnets, adopt.database.subnetIds: [%s]", strings.Join(kinds, ", "),
			strings.Join(have, ", "))})
}

// database runs the instance-wide checks: its state, the old DATABASE_URL,
// the security groups it leaves at the security-group step, and the
// parameters its own parameter group sets.
func (c *checker) database() {
	var inst inventory.Resource
	for _, r := range c.inv.OfType(typeInstance) {
		if r.ImportID != "" {
			inst = r
		}
	}
	if inst.Name == "" {
		return
	}
	live, missing, err := bindings[typeInstance].live(c, inst)
	if err != nil || missing != "" {
		return // compare() has reported it
	}
	if s := str(live, "DBInstanceStatus"); s != "available" {
		c.refuse(inst, "", fmt.Sprintf("the instance is %q, not \"available\": wait until it is, then collect again", s))
	}
	if p, _ := get(live, "PendingModifiedValues"); p != nil {
		if m, ok := p.(map[string]any); ok && len(m) > 0 {
			c.refuse(inst, "", "the instance has pending modifications "+render(m)+": the live values change at the "+
				"next maintenance window; apply or cancel them (aws rds modify-db-instance), then collect again")
		}
	}
	c.databaseURL(inst, live)
	c.securityGroups(inst, live)
	c.parameterGroup(inst, live)
}

// databaseURL checks that the old DATABASE_URL connects to the adopted
// instance, as the user and database the program's URL will name.
func (c *checker) databaseURL(inst inventory.Resource, live any) {
	var u DatabaseURL
	if _, absent, err := c.response(FileDatabaseURL); err != nil {
		c.incomplete(inst, err)
		return
	} else if absent != "" {
		c.add(Finding{Severity: Note, Resource: inst.Name, Type: inst.Type, Property: "DATABASE_URL",
			Message: "there is no old DATABASE_URL parameter (" + absent + "): nothing to compare"})
		return
	}
	if err := c.rs.decode(FileDatabaseURL, &u); err != nil {
		c.incomplete(inst, err)
		return
	}
	refuse := func(live, declared, msg string) {
		c.add(Finding{Severity: Refusal, Resource: inst.Name, Type: inst.Type, Property: "DATABASE_URL",
			Live: live, Declared: declared, Message: u.Parameter + ": " + msg})
	}
	if u.ParseError != "" {
		refuse("", "", "not a postgresql:// URL ("+u.ParseError+"); the value is not shown")
		return
	}
	endpoint := strings.TrimSuffix(strings.ToLower(str(live, "Endpoint", "Address")), ".")
	port := render(at(nil, "Endpoint", "Port")(live))
	host := strings.TrimSuffix(strings.ToLower(u.Host), ".")
	switch {
	case strings.Contains(host, ".proxy-"):
		refuse(u.Host, endpoint, fmt.Sprintf("host %s is an RDS Proxy endpoint, not the instance: the proxy has its own "+
			"authentication and is not adopted; point DATABASE_URL at %s first", u.Host, endpoint))
	case isIP(host):
		var addrs EndpointAddresses
		if err := c.rs.decode(FileEndpointAddresses, &addrs); err != nil {
			c.incomplete(inst, err)
			break
		}
		if !strings.EqualFold(strings.TrimSuffix(addrs.Address, "."), endpoint) {
			refuse(u.Host, endpoint, fmt.Sprintf("the recorded addresses are of %s, not the instance's endpoint %s: collect again",
				addrs.Address, endpoint))
			break
		}
		if !slices.ContainsFunc(addrs.IPs, func(ip string) bool { return sameIP(ip, host) }) {
			refuse(u.Host, strings.Join(addrs.IPs, ", "), fmt.Sprintf("host %s is not the instance's address (%s resolves to %s): the running services "+
				"use another database, or the instance moved", u.Host, endpoint, strings.Join(addrs.IPs, ", ")))
			break
		}
		c.add(Finding{Severity: Note, Resource: inst.Name, Type: inst.Type, Property: "DATABASE_URL",
			Live: u.Host, Declared: endpoint, Message: "the old URL names the instance by its IP address (the " +
				"runbook's way), which changes when RDS moves the instance; the program's URL names the endpoint"})
	case host != endpoint:
		refuse(u.Host, endpoint, fmt.Sprintf("host %s is not the instance's endpoint %s", u.Host, endpoint))
	}
	if p := u.Port; p == "" && port != "5432" || p != "" && p != port {
		refuse(u.Port, port, fmt.Sprintf("port %q is not the instance's port %s", u.Port, port))
	}
	if master := str(live, "MasterUsername"); u.User != master {
		refuse(u.User, master, fmt.Sprintf("the URL connects as %q, not as the master user %q: its password is not the master "+
			"password, and the program's URL (bootstrap: false) would connect the application as %q, a role that "+
			"may not own its tables; stop and decide the application role first", u.User, master, master))
	}
	if want, _ := c.inv.Outputs["databaseName"].(string); want != "" && u.Database != want {
		refuse(u.Database, want, fmt.Sprintf("the URL's database is %q, the program's is %q: set article-pipeline:database.databaseName "+
			"to %q", u.Database, want, u.Database))
	}
	if !u.PasswordSet {
		refuse("", "", "the URL carries no password")
	}
	if u.PasswordEscaped {
		c.add(Finding{Severity: Note, Resource: inst.Name, Type: inst.Type, Property: "DATABASE_URL",
			Message: "the password in the old URL is %-escaped: URL-decode it before setting " +
				"article-pipeline:databaseMasterPassword (the guide's password step does)"})
	}
	if u.Query != "" {
		c.add(Finding{Severity: Note, Resource: inst.Name, Type: inst.Type, Property: "DATABASE_URL",
			Live: "?" + u.Query, Message: "the old URL has query parameters; the program's URL has none"})
	}
}

func isIP(host string) bool { return net.ParseIP(host) != nil }

func sameIP(a, b string) bool {
	x, err1 := netip.ParseAddr(a)
	y, err2 := netip.ParseAddr(b)
	return err1 == nil && err2 == nil && x == y
}

// securityGroups checks the groups the instance uses today. A default VPC
// group the program would lock takes the instance's ingress away at once; a
// live source the declared database group does not admit loses the database
// at the security-group step.
func (c *checker) securityGroups(inst inventory.Resource, live any) {
	v, _, err := c.response(FileSecurityGroups)
	if err != nil {
		c.incomplete(inst, err)
		return
	}
	port, _ := at(nil, "Endpoint", "Port")(live).(float64)
	_, locks := firstOfType(c.inv, typeDefaultSG)
	declared := c.declaredIngress(inst, port)
	for _, id := range securityGroupIDs(live) {
		g, ok := findIn(list(v, "SecurityGroups"), "GroupId", id.(string))
		if !ok {
			c.refuse(inst, "vpcSecurityGroupIds", fmt.Sprintf("security group %s is not in %s: collect again", id, FileSecurityGroups))
			continue
		}
		if str(g, "GroupName") == "default" && locks {
			c.refuse(inst, "vpcSecurityGroupIds", fmt.Sprintf("the instance uses the VPC's default security group %s, "+
				"which this graph locks (no rules): the instance would lose its ingress at the first up; set "+
				"article-pipeline:network.lockDefaultSecurityGroup: false until the instance has left it", id))
		}
		for _, src := range ingressSources(g, port) {
			if c.admitted(src, declared) {
				continue
			}
			from := src
			advice := "add it to article-pipeline:database.allowedCidrs"
			if !strings.Contains(src, "/") {
				from = "members of " + src
				advice = "add a CIDR that covers them (the VPC block) to article-pipeline:database.allowedCidrs"
			}
			c.add(Finding{Severity: Warning, Resource: inst.Name, Type: inst.Type, Property: "vpcSecurityGroupIds",
				Live: src, Declared: strings.Join(declared, ", "),
				Message: fmt.Sprintf("%s admits port %v from %s today and the declared database group does not: "+
					"whatever connects from there (Copilot's tasks) loses the database at %s; %s until Copilot is gone",
					id, port, from, stepSecurityGroups, advice)})
		}
	}
}

// admitted reports whether a live source (a CIDR or a group ID) is covered by
// the declared sources: a declared CIDR that contains it, or, for a group, a
// declared CIDR that contains the whole VPC.
func (c *checker) admitted(src string, declared []string) bool {
	want := src
	if !strings.Contains(src, "/") {
		want, _ = c.inv.Outputs["vpcCidr"].(string)
	}
	inner, err := netip.ParsePrefix(want)
	if err != nil {
		return slices.Contains(declared, src)
	}
	for _, d := range declared {
		outer, err := netip.ParsePrefix(d)
		if err == nil && outer.Bits() <= inner.Bits() && outer.Contains(inner.Addr()) {
			return true
		}
	}
	return false
}

// declaredIngress lists the sources the program's database security group
// admits on port: CIDRs, and the logical names of source groups.
func (c *checker) declaredIngress(inst inventory.Resource, port float64) []string {
	var sg string
	for _, dep := range inst.DependsOn {
		if g, ok := c.inv.Find(typeSecurityGroup, dep); ok && g.ImportID == "" {
			sg = dep
		}
	}
	var out []string
	for _, rule := range c.inv.OfType(typeIngressRule) {
		if !slices.Contains(rule.DependsOn, sg) {
			continue
		}
		from, _ := rule.Inputs["fromPort"].(float64)
		to, _ := rule.Inputs["toPort"].(float64)
		if rule.String("ipProtocol") != "-1" && (port < from || port > to) {
			continue
		}
		if cidr := rule.String("cidrIpv4"); cidr != "" {
			out = append(out, cidr)
			continue
		}
		for _, dep := range rule.DependsOn {
			if dep != sg {
				out = append(out, dep)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// ingressSources lists what a live group admits on port: CIDRs and group IDs.
func ingressSources(g any, port float64) []string {
	var out []string
	for _, p := range list(g, "IpPermissions") {
		proto := str(p, "IpProtocol")
		from, _ := get(p, "FromPort")
		to, _ := get(p, "ToPort")
		f, _ := from.(float64)
		t, _ := to.(float64)
		if proto != "-1" && (proto != "tcp" && proto != "6" || port < f || port > t) {
			continue
		}
		for _, r := range list(p, "IpRanges") {
			out = append(out, str(r, "CidrIp"))
		}
		for _, r := range list(p, "UserIdGroupPairs") {
			out = append(out, str(r, "GroupId"))
		}
	}
	return out
}

func firstOfType(inv *inventory.Inventory, typ string) (inventory.Resource, bool) {
	l := inv.OfType(typ)
	if len(l) == 0 {
		return inventory.Resource{}, false
	}
	return l[0], true
}

// parameterGroup warns about parameters the instance's own group sets that
// the declared group does not: they are lost at the parameter-group step.
func (c *checker) parameterGroup(inst inventory.Resource, live any) {
	name := str(firstOf(list(live, "DBParameterGroups")), "DBParameterGroupName")
	if name == "" || strings.HasPrefix(name, "default.") {
		return
	}
	v, _, err := c.response(FileDBParameters)
	if err != nil {
		c.incomplete(inst, err)
		return
	}
	declared := map[string]string{}
	for _, dep := range inst.DependsOn {
		g, ok := c.inv.Find(typeParamGroup, dep)
		if !ok {
			continue
		}
		for _, p := range list(g.Inputs, "parameters") {
			declared[str(p, "name")] = str(p, "value")
		}
	}
	for _, p := range list(v, "Parameters") {
		n, val := str(p, "ParameterName"), str(p, "ParameterValue")
		if d, ok := declared[n]; ok && d == val {
			continue
		}
		c.add(Finding{Severity: Warning, Resource: inst.Name, Type: inst.Type, Property: "parameterGroupName",
			Live: n + "=" + val, Declared: render(declaredValue(declared, n)),
			Message: fmt.Sprintf("the live group %s sets %s; the declared group does not: it is lost at %s "+
				"unless declared", name, n, stepParameterGroup)})
	}
}

func declaredValue(m map[string]string, k string) any {
	if v, ok := m[k]; ok {
		return v
	}
	return nil
}
