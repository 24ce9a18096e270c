package component_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/internal/component"
	"github.com/np-mrd/article-pipeline-infra/internal/mock"
)

type widget struct {
	pulumi.ResourceState

	Name  pulumi.StringOutput `pulumi:"name"`
	Count pulumi.IntOutput    `pulumi:"count"`
	note  string
}

type broken struct {
	pulumi.ResourceState

	Name string `pulumi:"name"`
}

// TestNewDeclaresNothingForBadArgs: a component whose args failed their
// check returns that error and registers nothing.
func TestNewDeclaresNothingForBadArgs(t *testing.T) {
	invalid := errors.New("article-pipeline:widget.size: 0 is not a size")
	m, err := mock.Run(mock.Options{}, func(ctx *pulumi.Context) error {
		_, _, err := component.New[widget](ctx, "test:index:Widget", "w", invalid)
		return err
	})
	if !errors.Is(err, invalid) {
		t.Fatalf("err = %v, want %v", err, invalid)
	}
	if n := len(m.Resources()); n != 0 {
		t.Errorf("%d resources registered for bad args, want 0", n)
	}
}

// TestNewParentsChildrenAndRegistersOutputs: the option New returns parents a
// child to the component, and RegisterOutputs registers the tagged fields.
func TestNewParentsChildrenAndRegistersOutputs(t *testing.T) {
	m := mock.MustRun(t, mock.Options{}, func(ctx *pulumi.Context) error {
		w, parent, err := component.New[widget](ctx, "test:index:Widget", "w", nil)
		if err != nil {
			return err
		}
		var child widget
		if err := ctx.RegisterComponentResource("test:index:Part", "w-part", &child, parent); err != nil {
			return err
		}
		w.Name = pulumi.String("w").ToStringOutput()
		w.Count = pulumi.Int(2).ToIntOutput()
		w.note = "not an output"
		return component.RegisterOutputs(ctx, w)
	})
	parent := m.Find("test:index:Widget", "w")
	child := m.Find("test:index:Part", "w-part")
	if parent == nil || child == nil {
		t.Fatalf("registered %v, want the widget and its part", m.Resources())
	}
	if child.ParentURN != parent.URN {
		t.Errorf("part's parent = %q, want %q", child.ParentURN, parent.URN)
	}
	// The widget's outputs and the stack's.
	if n := m.OutputsRegistered(); n != 2 {
		t.Errorf("%d RegisterResourceOutputs calls, want 2", n)
	}
}

// TestRegisterOutputsRefusesATaggedPlainField: a tagged field that is not a
// Pulumi input is a programming error, named.
func TestRegisterOutputsRefusesATaggedPlainField(t *testing.T) {
	_, err := mock.Run(mock.Options{}, func(ctx *pulumi.Context) error {
		b, _, err := component.New[broken](ctx, "test:index:Broken", "b", nil)
		if err != nil {
			return err
		}
		return component.RegisterOutputs(ctx, b)
	})
	want := `component: component_test.broken.Name is tagged "name" but is not a pulumi.Input`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want %s", err, want)
	}
}
