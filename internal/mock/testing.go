package mock

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// MustRun runs fn under Run with o and fails t if the run fails.
func MustRun(t testing.TB, o Options, fn pulumi.RunFunc) *Monitor {
	t.Helper()
	m, err := Run(o, fn)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Constructor is a component's New function.
type Constructor[A, C any] func(ctx *pulumi.Context, name string, args *A, opts ...pulumi.ResourceOption) (C, error)

// Declare runs newC(ctx, name, args) under MustRun with o and returns the
// monitor and the component's outputs (see Outputs.CaptureFields).
func Declare[A, C any](t testing.TB, o Options, newC Constructor[A, C], name string, args *A) (*Monitor, *Outputs) {
	t.Helper()
	var outs Outputs
	m := MustRun(t, o, func(ctx *pulumi.Context) error {
		c, err := newC(ctx, name, args)
		if err != nil {
			return err
		}
		outs.CaptureFields(c)
		return nil
	})
	return m, &outs
}

// MustFind returns the resource with this type and logical name, or fails t.
func (m *Monitor) MustFind(t testing.TB, typ, name string) *Resource {
	t.Helper()
	r := m.Find(typ, name)
	if r == nil {
		t.Fatalf("no %s named %q among %d resources", typ, name, len(m.Resources()))
	}
	return r
}

// WantNone fails t for each of types the monitor recorded a resource of; why
// ends the message (why there should be none).
func (m *Monitor) WantNone(t testing.TB, why string, types ...string) {
	t.Helper()
	for _, typ := range types {
		if n := len(m.OfType(typ)); n != 0 {
			t.Errorf("%d %s %s", n, typ, why)
		}
	}
}

// WantInputs fails t for each input of r whose plain value (see Input) is not
// the one in want; a nil in want asks for the input to be unset.
func (r *Resource) WantInputs(t testing.TB, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if got := r.Input(k); !reflect.DeepEqual(got, v) {
			t.Errorf("%s %s.%s = %#v, want %#v", r.Type, r.Name, k, got, v)
		}
	}
}

// Overlay returns base with value, a JSON object, decoded over it (as a stack
// file's value lies over a component's defaults), failing t if it does not
// decode.
func Overlay[T any](t testing.TB, base T, value string) T {
	t.Helper()
	if err := json.Unmarshal([]byte(value), &base); err != nil {
		t.Fatal(err)
	}
	return base
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

// BadArgs is one way to spoil a component's args: Edit changes valid args (a
// nil Edit passes nil args instead), and declaring must fail with WantErr.
type BadArgs[A any] struct {
	Name    string
	Edit    func(a *A)
	WantErr string
}

// RejectsBadArgs checks each case with Rejects, as a parallel subtest of t:
// newC(ctx, name, args), with fresh valid() args spoilt by the case, must fail
// with its WantErr having declared nothing.
func RejectsBadArgs[A, C any](t *testing.T, newC Constructor[A, C], name string, valid func() *A, cases []BadArgs[A]) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			Rejects(t, c.WantErr, func(ctx *pulumi.Context) error {
				var a *A
				if c.Edit != nil {
					a = valid()
					c.Edit(a)
				}
				_, err := newC(ctx, name, a)
				return err
			})
		})
	}
}

// Match is how an error must match a case's WantErr.
type Match int

const (
	Exact    Match = iota // the whole error
	Prefix                // its start (the first of several problems, or a line cut short)
	Contains              // any part of it
)

// matches reports whether err matches want as m says.
func (m Match) matches(err, want string) bool {
	switch m {
	case Exact:
		return err == want
	case Prefix:
		return strings.HasPrefix(err, want)
	case Contains:
		return strings.Contains(err, want)
	}
	panic("mock: unknown Match " + strconv.Itoa(int(m)))
}

// String is what a failure says the error must do: be, start with or contain.
func (m Match) String() string {
	switch m {
	case Exact:
		return "be"
	case Prefix:
		return "start with"
	case Contains:
		return "contain"
	}
	return "Match(" + strconv.Itoa(int(m)) + ")"
}

// BadValue is a value a check must reject, and the error it must give.
type BadValue[V any] struct {
	Name    string
	Value   V
	WantErr string
}

// RejectsValues checks each case as a parallel subtest of t: check(t,
// c.Value) must fail with an error that matches c.WantErr as match says.
// check may also assert more of the value itself, with its t.
func RejectsValues[V any](t *testing.T, cases []BadValue[V], match Match, check func(t *testing.T, value V) error) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			if c.WantErr == "" {
				t.Fatal("the case wants no error; a bad value must name the one it gives")
			}
			if err := check(t, c.Value); err == nil || !match.matches(err.Error(), c.WantErr) {
				t.Errorf("err = %v\nwant it to %s %q", err, match, c.WantErr)
			}
		})
	}
}
