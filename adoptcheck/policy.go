package adoptcheck

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

// statement is an IAM policy statement in a canonical form: every
// string-or-list is a sorted list, "Principal": "*" is {"AWS": ["*"]} (S3
// treats them alike), condition values are lists of strings.
type statement struct {
	Sid          string                         `json:"Sid,omitempty"`
	Effect       string                         `json:"Effect"`
	Principal    map[string][]string            `json:"Principal,omitempty"`
	NotPrincipal map[string][]string            `json:"NotPrincipal,omitempty"`
	Action       []string                       `json:"Action,omitempty"`
	NotAction    []string                       `json:"NotAction,omitempty"`
	Resource     []string                       `json:"Resource,omitempty"`
	NotResource  []string                       `json:"NotResource,omitempty"`
	Condition    map[string]map[string][]string `json:"Condition,omitempty"`
}

// body is the statement without its Sid: two statements that grant the same
// are the same whatever they are called.
func (s statement) body() string {
	s.Sid = ""
	b, _ := json.Marshal(s)
	return string(b)
}

func (s statement) String() string {
	b, _ := json.Marshal(s)
	return string(b)
}

// publicWrite reports whether the statement lets anyone write or delete objects.
func (s statement) publicWrite() bool {
	if s.Effect != "Allow" || !slices.Contains(s.Principal["AWS"], "*") {
		return false
	}
	for _, a := range s.Action {
		a = strings.ToLower(a)
		if a == "*" || a == "s3:*" || strings.HasPrefix(a, "s3:put") || strings.HasPrefix(a, "s3:delete") {
			return true
		}
	}
	return false
}

// parsePolicy reads a policy document into canonical statements; an empty
// document has none.
func parsePolicy(doc string) ([]statement, error) {
	if strings.TrimSpace(doc) == "" {
		return nil, nil
	}
	var raw struct {
		Statement json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(doc), &raw); err != nil {
		return nil, err
	}
	var list []map[string]any
	if err := json.Unmarshal(raw.Statement, &list); err != nil {
		var one map[string]any
		if err := json.Unmarshal(raw.Statement, &one); err != nil {
			return nil, fmt.Errorf("Statement is neither a list nor an object")
		}
		list = []map[string]any{one}
	}
	out := make([]statement, 0, len(list))
	for _, m := range list {
		s := statement{
			Action: stringSet(m["Action"]), NotAction: stringSet(m["NotAction"]),
			Resource: stringSet(m["Resource"]), NotResource: stringSet(m["NotResource"]),
			Principal: principal(m["Principal"]), NotPrincipal: principal(m["NotPrincipal"]),
		}
		s.Sid, _ = m["Sid"].(string)
		s.Effect, _ = m["Effect"].(string)
		if cond, ok := m["Condition"].(map[string]any); ok {
			s.Condition = map[string]map[string][]string{}
			for op, kv := range cond {
				s.Condition[op] = map[string][]string{}
				if kvm, ok := kv.(map[string]any); ok {
					for k, v := range kvm {
						s.Condition[op][k] = conditionValues(v)
					}
				}
			}
		}
		out = append(out, s)
	}
	return out, nil
}

func principal(v any) map[string][]string {
	switch t := v.(type) {
	case string:
		return map[string][]string{"AWS": {t}}
	case map[string]any:
		out := map[string][]string{}
		for k, e := range t {
			out[k] = stringSet(e)
		}
		return out
	}
	return nil
}

func conditionValues(v any) []string {
	var l []any
	if x, ok := v.([]any); ok {
		l = x
	} else {
		l = []any{v}
	}
	out := make([]string, 0, len(l))
	for _, e := range l {
		out = append(out, fmt.Sprint(e))
	}
	slices.Sort(out)
	return out
}

// checkPolicy diffs the live and declared bucket policies statement by
// statement. PutBucketPolicy replaces the whole document, so every live
// statement the program does not declare is removed.
func checkPolicy(c *checker, r inventory.Resource, decl, live, _ any) {
	declDoc, _ := decl.(string)
	liveDoc, _ := live.(string)
	want, err := parsePolicy(declDoc)
	if err != nil {
		c.refuse(r, "policy", "the declared policy does not parse: "+err.Error())
		return
	}
	have, err := parsePolicy(liveDoc)
	if err != nil {
		c.refuse(r, "policy", "the live policy does not parse: "+err.Error())
		return
	}
	lines, removesPublicWrite := policyDiff(have, want)
	if len(lines) == 0 {
		return
	}
	msg := "applied by " + stepPolicies + ": " + strings.Join(lines, "; ")
	if removesPublicWrite {
		msg += ". This removes public write: Copilot tasks that write without credentials (collectstatic) " +
			"fail from then on; keep the live statement (buckets.<role>.publicWrite with a dated waiver of S3.3) " +
			"until Copilot is gone and the new task role is shown to write"
	}
	c.diff(r, "policy", count(len(have), "statement"), count(len(want), "statement"), msg)
}

// policyDiff lists what changes from the live statements to the declared ones.
func policyDiff(have, want []statement) (lines []string, removesPublicWrite bool) {
	used := make([]bool, len(have))
	var added []statement
	for _, w := range want {
		i := unused(have, used, func(h statement) bool { return h.body() == w.body() })
		if i >= 0 {
			used[i] = true
			continue
		}
		added = append(added, w)
	}
	grantsPublicWrite := slices.ContainsFunc(want, statement.publicWrite)
	for _, w := range added {
		i := unused(have, used, func(h statement) bool { return h.Sid != "" && h.Sid == w.Sid })
		if i >= 0 {
			used[i] = true
			lines = append(lines, fmt.Sprintf("statement %q changes: live %s, declared %s", w.Sid, have[i], w))
			if have[i].publicWrite() && !grantsPublicWrite {
				removesPublicWrite = true
			}
			continue
		}
		lines = append(lines, "declared only (added): "+w.String())
	}
	for i, h := range have {
		if used[i] {
			continue
		}
		lines = append(lines, "live only (removed): "+h.String())
		if h.publicWrite() && !grantsPublicWrite {
			removesPublicWrite = true
		}
	}
	return lines, removesPublicWrite
}

// unused returns the first statement not matched yet that satisfies match, or -1.
func unused(have []statement, used []bool, match func(statement) bool) int {
	for i, h := range have {
		if !used[i] && match(h) {
			return i
		}
	}
	return -1
}
