package policy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

func ofType(types ...string) func(inventory.Resource) bool {
	return func(r inventory.Resource) bool { return slices.Contains(types, r.Type) }
}

func s3Rules() []Rule {
	return []Rule{
		rule("S3.2", Mandatory, ofType(typeBucketPolicy), checkNoPublicRead,
			"S3 bucket policies grant the public (Principal *) nothing but s3:GetObject"),
		rule("S3.3", Mandatory, ofType(typeBucketPolicy), checkNoPublicWrite,
			"S3 bucket policies never grant a write action to the public (Principal *)"),
		rule("S3.4", Mandatory, ofType(typeBucket), checkBucketEncryption,
			"S3 buckets have default server-side encryption configured (retired FSBP control, kept explicit)"),
		rule("S3.5", Mandatory, ofType(typeBucket), checkTLSOnly,
			"S3 buckets have a policy that denies requests without TLS (aws:SecureTransport false)"),
		rule("S3.8", Mandatory, ofType(typeBucket), checkPublicAccessBlock,
			"S3 buckets have a public access block with all four settings on; a bucket public by design "+
				"(policy allows s3:GetObject to *) still blocks and ignores public ACLs (S3.1 is the account-level twin)"),
		rule("S3.12", Advisory, ofType(typeBucket), checkOwnership,
			"S3 buckets disable ACLs (ownership controls BucketOwnerEnforced)"),
	}
}

// publicBreach finds the first action a public Allow statement of a bucket
// policy grants that allowed rejects, as "<statement> allows <action> to
// Principal *" ("" if there is none); public says whether any Allow statement
// grants anything to the public. An unreadable document is a finding of its own.
func publicBreach(r inventory.Resource, allowed func(action string) bool) (breach string, public bool, err error) {
	d, err := parseDocument(r.Get("policy"))
	if err != nil {
		return "", false, err
	}
	for i, s := range d.Statement {
		if s.Effect != "Allow" || !s.publicPrincipal() {
			continue
		}
		public = true
		actions := inventory.AsStrings(s.Action)
		if s.NotAction != nil {
			actions = []string{"NotAction " + strings.Join(inventory.AsStrings(s.NotAction), ",")}
		}
		for _, a := range actions {
			if !allowed(a) {
				return fmt.Sprintf("%s allows %s to Principal *", s.label(i), a), true, nil
			}
		}
	}
	return "", public, nil
}

func checkNoPublicRead(_ *Graph, r inventory.Resource) (bool, string) {
	breach, public, err := publicBreach(r, func(a string) bool { return strings.EqualFold(a, "s3:GetObject") })
	switch {
	case err != nil:
		return false, err.Error()
	case breach != "":
		return false, breach + "; only s3:GetObject may be public"
	case !public:
		return true, "grants nothing to Principal *"
	}
	return true, "grants Principal * only s3:GetObject"
}

// readAction reports whether an S3 action only reads (Get*, List*, Describe*).
func readAction(a string) bool {
	l := strings.ToLower(a)
	for _, p := range []string{"s3:get", "s3:list", "s3:describe"} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

func checkNoPublicWrite(_ *Graph, r inventory.Resource) (bool, string) {
	breach, _, err := publicBreach(r, readAction)
	switch {
	case err != nil:
		return false, err.Error()
	case breach != "":
		return false, breach + ": anyone could write or delete objects"
	}
	return true, "grants no write action to Principal *"
}

func checkBucketEncryption(g *Graph, r inventory.Resource) (bool, string) {
	for _, c := range g.bucketParts(r, typeSSE) {
		for _, rule := range list(c.Get("rules")) {
			alg, _ := obj(rule["applyServerSideEncryptionByDefault"])["sseAlgorithm"].(string)
			switch alg {
			case "AES256", "aws:kms", "aws:kms:dsse":
				return true, fmt.Sprintf("%s encrypts by default with %s", c.Name, alg)
			}
		}
		return false, fmt.Sprintf("%s sets no sseAlgorithm (AES256 or aws:kms)", c.Name)
	}
	return false, "no server-side encryption configuration for this bucket"
}

// deniesInsecureTransport reports whether s denies every request made without TLS.
func deniesInsecureTransport(s statement) bool {
	if s.Effect != "Deny" || !s.publicPrincipal() {
		return false
	}
	allActions := slices.ContainsFunc(inventory.AsStrings(s.Action), func(a string) bool { return a == "*" || strings.EqualFold(a, "s3:*") })
	if !allActions {
		return false
	}
	for op, conds := range s.Condition {
		if !strings.EqualFold(op, "Bool") {
			continue
		}
		for k, v := range conds {
			if !strings.EqualFold(k, "aws:SecureTransport") {
				continue
			}
			if b, ok := v.(bool); ok && !b {
				return true
			}
			if slices.ContainsFunc(inventory.AsStrings(v), func(s string) bool { return strings.EqualFold(s, "false") }) {
				return true
			}
		}
	}
	return false
}

func checkTLSOnly(g *Graph, r inventory.Resource) (bool, string) {
	policies := g.bucketParts(r, typeBucketPolicy)
	if len(policies) == 0 {
		return false, "no bucket policy; expected a Deny of s3:* when aws:SecureTransport is false"
	}
	for _, p := range policies {
		d, err := parseDocument(p.Get("policy"))
		if err != nil {
			return false, fmt.Sprintf("%s: %v", p.Name, err)
		}
		for i, s := range d.Statement {
			if deniesInsecureTransport(s) {
				return true, fmt.Sprintf("%s %s denies requests without TLS", p.Name, s.label(i))
			}
		}
	}
	return false, "the bucket policy has no Deny of s3:* to * when aws:SecureTransport is false"
}

func checkPublicAccessBlock(g *Graph, r inventory.Resource) (bool, string) {
	blocks := g.bucketParts(r, typeBPA)
	if len(blocks) == 0 {
		return false, "no public access block for this bucket"
	}
	b := blocks[0]
	required := []string{"blockPublicAcls", "ignorePublicAcls", "blockPublicPolicy", "restrictPublicBuckets"}
	public := g.publicByDesign(r)
	if public {
		required = required[:2]
	}
	var off []string
	for _, k := range required {
		if v, _ := b.Bool(k); !v {
			off = append(off, k)
		}
	}
	switch {
	case len(off) > 0 && public:
		return false, fmt.Sprintf("%s leaves %s off; a public-read bucket must still block and ignore public ACLs",
			b.Name, strings.Join(off, ", "))
	case len(off) > 0:
		return false, fmt.Sprintf("%s leaves %s off", b.Name, strings.Join(off, ", "))
	case public:
		return true, fmt.Sprintf("%s blocks public ACLs; the bucket is public-read by design (its policy allows "+
			"s3:GetObject to *)", b.Name)
	}
	return true, fmt.Sprintf("%s blocks all public access", b.Name)
}

func checkOwnership(g *Graph, r inventory.Resource) (bool, string) {
	for _, c := range g.bucketParts(r, typeOwnership) {
		if o, _ := obj(c.Get("rule"))["objectOwnership"].(string); o == "BucketOwnerEnforced" {
			return true, fmt.Sprintf("%s enforces bucket ownership (ACLs disabled)", c.Name)
		}
		return false, fmt.Sprintf("%s does not set objectOwnership BucketOwnerEnforced", c.Name)
	}
	return false, "no ownership controls for this bucket (ACLs stay enabled)"
}
