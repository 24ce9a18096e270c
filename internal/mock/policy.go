package mock

import (
	"bytes"
	"encoding/json"
	"testing"
)

// PolicyDocument is an IAM policy document, the type the mock renders
// aws:iam/getPolicyDocument with; ParsePolicy reads one back.
type PolicyDocument = policyDocument

// PolicyStatement is one statement of a PolicyDocument. Principal,
// NotPrincipal, Action, NotAction, Resource and NotResource hold the JSON as
// written (a string, a list or an object); the methods read them as lists.
type PolicyStatement = policyStatement

// ParsePolicy parses doc, an IAM policy document as a JSON string, failing t
// (naming where) unless it is one, of version 2012-10-17, with at least one
// statement. A lone statement object reads as a list of one.
func ParsePolicy(t testing.TB, where string, doc any) PolicyDocument {
	t.Helper()
	s, ok := doc.(string)
	if !ok {
		t.Fatalf("%s: policy is %T, want a JSON string", where, doc)
	}
	var raw struct {
		Version   string
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		t.Fatalf("%s: policy is not JSON: %v\n%s", where, err, s)
	}
	stmts := bytes.TrimSpace(raw.Statement)
	if bytes.HasPrefix(stmts, []byte("{")) {
		stmts = append(append([]byte("["), stmts...), ']')
	}
	d := PolicyDocument{Version: raw.Version}
	if err := json.Unmarshal(stmts, &d.Statement); err != nil {
		t.Fatalf("%s: policy statements: %v\n%s", where, err, s)
	}
	if d.Version != "2012-10-17" {
		t.Errorf("%s: policy version %q, want 2012-10-17", where, d.Version)
	}
	if len(d.Statement) == 0 {
		t.Fatalf("%s: policy has no statements", where)
	}
	return d
}

// Actions is the statement's Action as a list.
func (s policyStatement) Actions() []string { return list(s.Action) }

// NotActions is the statement's NotAction as a list.
func (s policyStatement) NotActions() []string { return list(s.NotAction) }

// Resources is the statement's Resource as a list.
func (s policyStatement) Resources() []string { return list(s.Resource) }

// NotResources is the statement's NotResource as a list.
func (s policyStatement) NotResources() []string { return list(s.NotResource) }

// Principals returns the principal of one kind (Service, AWS, Federated) as
// written, or nil; a wildcard principal "*" is every kind.
func (s policyStatement) Principals(kind string) any {
	if s.Principal == "*" {
		return "*"
	}
	m, _ := s.Principal.(map[string]any)
	return m[kind]
}

// list reads a string-or-list policy field as a list.
func list(v any) []string {
	if s, ok := v.(string); ok {
		return []string{s}
	}
	return strs(v)
}
