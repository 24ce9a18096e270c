package policy

import (
	"fmt"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

// isALB selects application load balancers (the default type).
func isALB(r inventory.Resource) bool {
	t := r.String("loadBalancerType")
	return r.Type == typeLoadBalancer && (t == "" || t == "application")
}

func elbRules() []Rule {
	return []Rule{
		rule("ELB.1", Mandatory, ofType(typeListener), checkHTTPRedirect,
			"an HTTP listener on a load balancer that has an HTTPS listener redirects to HTTPS"),
		rule("ELB.4", Mandatory, isALB, checkBool("dropInvalidHeaderFields", true, false),
			"application load balancers drop invalid HTTP header fields"),
		rule("ELB.6", Mandatory, isALB, inProd(checkBool("enableDeletionProtection", true, false)),
			"application load balancers have deletion protection in prod"),
		{
			ID: "ELB.17", Severity: Mandatory, Applies: ofType(typeListener),
			Description: "HTTPS listeners set a TLS 1.3 security policy (ELBSecurityPolicy-TLS13-1-2-2021-06 or " +
				"stricter); an omitted policy falls back to ELBSecurityPolicy-2016-08",
			Check: func(_ *Graph, r inventory.Resource) (bool, string) {
				if !strings.EqualFold(r.String("protocol"), "HTTPS") {
					return true, fmt.Sprintf("protocol %s carries no TLS policy", orNone(r.String("protocol")))
				}
				p := r.String("sslPolicy")
				switch {
				case p == "":
					return false, "sslPolicy is not set (the load balancer would use ELBSecurityPolicy-2016-08)"
				case !strings.Contains(p, "TLS13"):
					return false, fmt.Sprintf("sslPolicy %s is not a TLS 1.3 policy", p)
				}
				return true, "sslPolicy is " + p
			},
		},
		{
			ID: "ELB.18", Severity: Advisory, Applies: ofType(typeListener),
			Description: "listeners serve HTTPS, or only redirect to it",
			Check: func(_ *Graph, r inventory.Resource) (bool, string) {
				if strings.EqualFold(r.String("protocol"), "HTTPS") {
					return true, "serves HTTPS"
				}
				if redirectsToHTTPS(r) {
					return true, "only redirects to HTTPS"
				}
				return false, fmt.Sprintf("serves %s without TLS", orNone(r.String("protocol")))
			},
		},
	}
}

func orNone(s string) string {
	if s == "" {
		return "(not set)"
	}
	return s
}

// redirectsToHTTPS reports whether every default action of a listener is a
// redirect to HTTPS.
func redirectsToHTTPS(r inventory.Resource) bool {
	actions := list(r.Get("defaultActions"))
	if len(actions) == 0 {
		return false
	}
	for _, a := range actions {
		if t, _ := a["type"].(string); t != "redirect" {
			return false
		}
		if p, _ := obj(a["redirect"])["protocol"].(string); !strings.EqualFold(p, "HTTPS") {
			return false
		}
	}
	return true
}

func checkHTTPRedirect(g *Graph, r inventory.Resource) (bool, string) {
	proto := r.String("protocol")
	port, _ := inventory.AsNumber(r.Get("port"))
	if !strings.EqualFold(proto, "HTTP") && !(proto == "" && port == 80) {
		return true, fmt.Sprintf("protocol %s is not plain HTTP", orNone(proto))
	}
	lb := r.String("loadBalancerArn")
	https := false
	for _, l := range g.Inventory.OfType(typeListener) {
		if l.String("loadBalancerArn") == lb && strings.EqualFold(l.String("protocol"), "HTTPS") {
			https = true
		}
	}
	switch {
	case redirectsToHTTPS(r):
		return true, "redirects every request to HTTPS"
	case !https:
		return true, "the load balancer has no HTTPS listener to redirect to (no domain configured); see ELB.18"
	}
	return false, "the load balancer has an HTTPS listener, but this HTTP listener does not redirect to it"
}
