package mock

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// InvokeFunc answers one data source: it gets the call's arguments as plain values
// and returns the result fields.
type InvokeFunc func(args map[string]any, region string) (map[string]any, error)

// extraInvokes holds answers registered by files of this package other than this
// one (each concern keeps its own data sources in its own file, via init).
var extraInvokes = map[string]InvokeFunc{}

// invoke answers one data-source call as the AWS provider would.
func invoke(tok string, args resource.PropertyMap, region string) (resource.PropertyMap, error) {
	a := PlainMap(args, false)
	out := resource.PropertyMap{}
	set := func(k string, v any) { out[resource.PropertyKey(k)] = prop(v) }
	switch tok {
	case "aws:index/getAvailabilityZones:getAvailabilityZones":
		var names, ids []any
		for i, l := range []string{"a", "b", "c", "d"} {
			names = append(names, region+l)
			ids = append(ids, fmt.Sprintf("usw2-az%d", i+1))
		}
		set("names", names)
		set("zoneIds", ids)
		set("groupNames", []any{region})
		set("id", region)
	case "aws:index/getCallerIdentity:getCallerIdentity":
		set("accountId", Account)
		set("arn", "arn:aws:iam::"+Account+":user/mock")
		set("userId", "AIDAMOCKUSER")
		set("id", Account)
	case "aws:index/getRegion:getRegion":
		set("name", region)
		set("id", region)
		set("description", region)
		set("endpoint", "ec2."+region+".amazonaws.com")
	case "aws:index/getPartition:getPartition":
		set("partition", "aws")
		set("dnsSuffix", "amazonaws.com")
		set("id", "aws")
	case "aws:iam/getPolicyDocument:getPolicyDocument":
		doc, err := renderPolicy(a)
		if err != nil {
			return nil, err
		}
		set("json", doc)
		set("minifiedJson", doc)
		set("id", hash(doc)[:10])
	case "aws:route53/getZone:getZone":
		name, _ := a["name"].(string)
		zone, _ := a["zoneId"].(string)
		if zone == "" {
			zone = "Z" + strings.ToUpper(hash(name)[:20])
		}
		if name == "" {
			name = "example.org"
		}
		set("zoneId", zone)
		set("id", zone)
		set("name", strings.TrimSuffix(name, "."))
		set("privateZone", false)
	case "aws:elb/getServiceAccount:getServiceAccount":
		set("id", "797873946194")
		set("arn", "arn:aws:iam::797873946194:root")
	default:
		f, ok := extraInvokes[tok]
		if !ok {
			return nil, fmt.Errorf("no mocked answer for this data source")
		}
		extra, err := f(a, region)
		if err != nil {
			return nil, err
		}
		for k, v := range extra {
			set(k, v)
		}
	}
	return out, nil
}

// Policy documents are rendered the way the AWS provider's aws_iam_policy_document
// renders them: Effect defaults to Allow, one-element lists become strings, a
// wildcard principal becomes "*", empty fields are left out.
type policyDocument struct {
	Version   string            `json:"Version"`
	Statement []policyStatement `json:"Statement"`
}

type policyStatement struct {
	Sid          string                    `json:"Sid,omitempty"`
	Effect       string                    `json:"Effect"`
	Principal    any                       `json:"Principal,omitempty"`
	NotPrincipal any                       `json:"NotPrincipal,omitempty"`
	Action       any                       `json:"Action,omitempty"`
	NotAction    any                       `json:"NotAction,omitempty"`
	Resource     any                       `json:"Resource,omitempty"`
	NotResource  any                       `json:"NotResource,omitempty"`
	Condition    map[string]map[string]any `json:"Condition,omitempty"`
}

func renderPolicy(a map[string]any) (string, error) {
	doc := policyDocument{Version: "2012-10-17"}
	if v, ok := a["version"].(string); ok && v != "" {
		doc.Version = v
	}
	stmts, _ := a["statements"].([]any)
	for i, raw := range stmts {
		st, ok := raw.(map[string]any)
		if !ok {
			return "", fmt.Errorf("statement %d is not an object", i)
		}
		s := policyStatement{Effect: "Allow"}
		if e, _ := st["effect"].(string); e != "" {
			if e != "Allow" && e != "Deny" {
				return "", fmt.Errorf("statement %d: effect %q is not Allow or Deny", i, e)
			}
			s.Effect = e
		}
		s.Sid, _ = st["sid"].(string)
		s.Action = oneOrMany(st["actions"])
		s.NotAction = oneOrMany(st["notActions"])
		s.Resource = oneOrMany(st["resources"])
		s.NotResource = oneOrMany(st["notResources"])
		s.Principal = principals(st["principals"])
		s.NotPrincipal = principals(st["notPrincipals"])
		conds, _ := st["conditions"].([]any)
		for _, c := range conds {
			cm, _ := c.(map[string]any)
			test, _ := cm["test"].(string)
			variable, _ := cm["variable"].(string)
			if s.Condition == nil {
				s.Condition = map[string]map[string]any{}
			}
			if s.Condition[test] == nil {
				s.Condition[test] = map[string]any{}
			}
			s.Condition[test][variable] = oneOrMany(cm["values"])
		}
		if s.Action == nil && s.NotAction == nil {
			return "", fmt.Errorf("statement %d has no actions", i)
		}
		doc.Statement = append(doc.Statement, s)
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	return string(b), err
}

func strs(v any) []string {
	l, _ := v.([]any)
	var out []string
	for _, x := range l {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func oneOrMany(v any) any {
	l := strs(v)
	switch len(l) {
	case 0:
		return nil
	case 1:
		return l[0]
	}
	return slices.Clone(l)
}

func principals(v any) any {
	l, _ := v.([]any)
	if len(l) == 0 {
		return nil
	}
	out := map[string]any{}
	for _, p := range l {
		pm, _ := p.(map[string]any)
		typ, _ := pm["type"].(string)
		ids := strs(pm["identifiers"])
		if typ == "*" && len(ids) == 1 && ids[0] == "*" && len(l) == 1 {
			return "*"
		}
		out[typ] = oneOrMany(pm["identifiers"])
	}
	return out
}
