// Package component holds what every component resource of this program does
// alike: register itself once its args are checked, and register its outputs.
package component

import (
	"fmt"
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// New registers a new component resource of type typ named name, whose
// struct is T, unless invalid (the result of its args' check) is not nil: bad
// args declare nothing, and New returns invalid as it is. It returns the
// component and the option that parents a child resource, or a data source
// read, to it.
func New[T any, C interface {
	*T
	pulumi.ComponentResource
}](ctx *pulumi.Context, typ, name string, invalid error, opts ...pulumi.ResourceOption) (C, pulumi.ResourceOrInvokeOption,
	error) {
	if invalid != nil {
		return nil, nil, invalid
	}
	c := C(new(T))
	if err := ctx.RegisterComponentResource(typ, name, c, opts...); err != nil {
		return nil, nil, err
	}
	return c, pulumi.Parent(c), nil
}

// RegisterOutputs registers the outputs of c, a pointer to a component's
// struct: each field with a `pulumi:"name"` tag, under that name. It is the
// last step of the component's constructor, once every such field is set.
func RegisterOutputs(ctx *pulumi.Context, c pulumi.ComponentResource) error {
	v := reflect.ValueOf(c).Elem()
	outputs := pulumi.Map{}
	for i := range v.NumField() {
		field := v.Type().Field(i)
		tag := field.Tag.Get("pulumi")
		if tag == "" {
			continue
		}
		input, ok := v.Field(i).Interface().(pulumi.Input)
		if !ok {
			return fmt.Errorf("component: %s.%s is tagged %q but is not a pulumi.Input", v.Type(), field.Name, tag)
		}
		outputs[tag] = input
	}
	return ctx.RegisterResourceOutputs(c, outputs)
}
