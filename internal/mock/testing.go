package mock

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// MustFind returns the resource with this type and logical name, or fails t.
func (m *Monitor) MustFind(t testing.TB, typ, name string) *Resource {
	t.Helper()
	r := m.Find(typ, name)
	if r == nil {
		t.Fatalf("no %s named %q among %d resources", typ, name, len(m.Resources()))
	}
	return r
}

// Rejects runs fn under a fresh monitor and fails t unless fn fails with an
// error containing wantErr having declared nothing: bad args must stop a
// component before it registers.
func Rejects(t testing.TB, wantErr string, fn pulumi.RunFunc) {
	t.Helper()
	m, err := Run(Options{}, fn)
	if err == nil || !strings.Contains(err.Error(), wantErr) {
		t.Fatalf("err = %v, want it to contain %q", err, wantErr)
	}
	if n := len(m.Resources()); n != 0 {
		t.Errorf("%d resources declared before the error", n)
	}
}
