// Package adopt holds what every component needs to import a running
// resource the same way (article-pipeline:adopt): the keep list
// (article-pipeline:adopt.keep), which names, per imported resource, the
// properties the import leaves as they are (ignoreChanges), and the options
// every imported resource gets: its import ID, retainOnDelete (so no rollback
// or removal ever deletes what the running deployment holds), protect where the
// stack protects its resources, and the kept properties.
//
// A keep entry names a resource by its logical name. Where a name is shared
// by several imported resources (a private subnet, its route table and their
// association are all network-private-1), the entry adds the short type:
// "network-private-1 (ec2/subnet)", as the preflight prints it.
package adopt

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/internal/check"
)

// Resource is one resource a component imports: its type token, logical name
// and the input properties its type takes.
type Resource struct {
	Type   string
	Name   string
	Inputs []string
}

// Of describes an imported resource from its args type (rds.InstanceArgs{},
// ...), whose element type carries the input names in its pulumi tags.
func Of(typ, name string, args interface{ ElementType() reflect.Type }) Resource {
	t := args.ElementType()
	var inputs []string
	for i := range t.NumField() {
		if tag := t.Field(i).Tag.Get("pulumi"); tag != "" {
			inputs = append(inputs, tag)
		}
	}
	slices.Sort(inputs)
	return Resource{Type: typ, Name: name, Inputs: inputs}
}

// ShortType is the module and kind of a type token: "ec2/subnet" for
// "aws:ec2/subnet:Subnet".
func ShortType(typ string) string {
	parts := strings.Split(typ, ":")
	if len(parts) != 3 {
		return typ
	}
	mod, _, _ := strings.Cut(parts[1], "/")
	return mod + "/" + strings.ToLower(parts[2][:1]) + parts[2][1:]
}

// Qualified is the keep key that names one resource whatever else shares its
// name: "network-private-1 (ec2/subnet)".
func Qualified(typ, name string) string { return name + " (" + ShortType(typ) + ")" }

// Keep is article-pipeline:adopt.keep: per imported resource (its logical
// name, or Qualified where the name is shared), the properties the import
// leaves as they are until the step of the migration that takes them over.
type Keep map[string][]string

// Open reports whether the adoption is still open: some property is kept.
func (k Keep) Open() bool { return len(k) > 0 }

// For returns the kept properties of one resource, under either key form.
func (k Keep) For(typ, name string) []string {
	out := append(slices.Clone(k[name]), k[Qualified(typ, name)]...)
	slices.Sort(out)
	return slices.Compact(out)
}

// Validate checks every entry against the resources the stack imports: the key
// names exactly one of them, and each property is an input of its type (a
// misspelt one would keep nothing, and the first up would change the running
// resource). key is the keep list's config key.
func (k Keep) Validate(key string, imported []Resource) error {
	var p check.Problems
	byName := map[string][]Resource{}
	byQualified := map[string]Resource{}
	for _, r := range imported {
		byName[r.Name] = append(byName[r.Name], r)
		byQualified[Qualified(r.Type, r.Name)] = r
	}
	for _, entry := range slices.Sorted(maps.Keys(k)) {
		ek := key + "." + entry
		r, ok := byQualified[entry]
		if !ok {
			switch same := byName[entry]; len(same) {
			case 0:
				p.Add(ek, "names no resource this stack imports; expected one of %s", strings.Join(names(imported), ", "))
				continue
			case 1:
				r = same[0]
			default:
				var q []string
				for _, s := range same {
					q = append(q, Qualified(s.Type, s.Name))
				}
				slices.Sort(q)
				p.Add(ek, "names %d imported resources; expected one of %s", len(same), check.Quoted(q))
				continue
			}
		}
		if len(k[entry]) == 0 {
			p.Add(ek, "lists no property; expected the properties to keep, or no entry")
		}
		for i, prop := range k[entry] {
			top, _, _ := strings.Cut(strings.SplitN(prop, "[", 2)[0], ".")
			if !slices.Contains(r.Inputs, top) {
				p.Add(check.Index(ek, i), "%q is not an input of %s; expected one of %s", prop, r.Type,
					strings.Join(r.Inputs, ", "))
			}
		}
	}
	return p.Err()
}

// names lists the keys of the imported resources: the bare name where it is
// unique, the qualified one where it is shared.
func names(imported []Resource) []string {
	count := map[string]int{}
	for _, r := range imported {
		count[r.Name]++
	}
	var out []string
	for _, r := range imported {
		if count[r.Name] > 1 {
			out = append(out, Qualified(r.Type, r.Name))
		} else {
			out = append(out, r.Name)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Options are the options of one imported resource: the import ID,
// retainOnDelete (a removal or rollback forgets it instead of deleting what the
// running deployment holds), protect when the stack protects its stateful
// resources, and ignoreChanges on the kept properties plus always.
func Options(importID string, protect bool, keep Keep, typ, name string, always ...string) []pulumi.ResourceOption {
	opts := []pulumi.ResourceOption{pulumi.Import(pulumi.ID(importID)), pulumi.RetainOnDelete(true)}
	if protect {
		opts = append(opts, pulumi.Protect(true))
	}
	ignore := append(keep.For(typ, name), always...)
	slices.Sort(ignore)
	if ignore = slices.Compact(ignore); len(ignore) > 0 {
		opts = append(opts, pulumi.IgnoreChanges(ignore))
	}
	return opts
}

// Describe is the text form of a resource for errors: "name (module/kind)".
func Describe(r Resource) string { return fmt.Sprintf("%s (%s)", r.Name, ShortType(r.Type)) }
