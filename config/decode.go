package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/internal/check"
)

// decodeOver reads one stack-file value (JSON, as Pulumi hands an object or list
// to the program) over dst, which holds the component's defaults. Field names
// match json tags exactly (encoding/json alone would take "imagetag" for
// "imageTag"), an unknown field is an error with the closest known name, and
// every error names the key path. A field the value sets replaces the default,
// except a nested struct, which is read over its own defaults; lists and maps
// are replaced whole. A nil pointer to a struct is allocated when set, starting
// from its SetDefaults method if it has one. It reports whether dst was read
// without a problem.
func decodeOver(p *check.Problems, k, value string, dst any) bool {
	if strings.TrimSpace(value) == "" {
		return true
	}
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		panic("config: decodeOver needs a non-nil pointer")
	}
	before := len(*p)
	decodeValue(p, k, json.RawMessage(value), v.Elem())
	return len(*p) == before
}

// validator is a settings block that checks itself, naming its fields under
// its stack config key.
type validator interface{ Validate(k string) error }

// parseSettings reads the stack config key name over def, the block's
// defaults, and validates what it read, unless it did not decode or on says
// the block is switched off.
func parseSettings[T validator](name, value string, def T, on func(T) bool, p *check.Problems) T {
	k := key(name)
	if decodeOver(p, k, value, &def) && on(def) {
		p.Join(def.Validate(k))
	}
	return def
}

// alwaysOn is parseSettings' on for a block that cannot be switched off.
func alwaysOn[T any](T) bool { return true }

var rawMessage = reflect.TypeOf(json.RawMessage(nil))

// defaulter is a settings type whose zero value is not its default (an
// optional block such as autoscaling: given at all, it starts from these).
type defaulter interface{ SetDefaults() }

func decodeValue(p *check.Problems, k string, raw json.RawMessage, v reflect.Value) {
	raw = bytes.TrimSpace(raw)
	if v.Type() == rawMessage {
		v.SetBytes(bytes.Clone(raw)) // decoded later, over an entry's defaults
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if string(raw) == "null" {
			v.SetZero()
			return
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
			if d, ok := v.Interface().(defaulter); ok {
				d.SetDefaults()
			}
		}
		decodeValue(p, k, raw, v.Elem())
	case reflect.Struct:
		var fields map[string]json.RawMessage
		if !object(p, k, raw, &fields) {
			return
		}
		byTag := jsonFields(v.Type())
		for _, name := range slices.Sorted(maps.Keys(fields)) {
			i, ok := byTag[name]
			if !ok {
				p.Add(k, "unknown field %q%s", name, didYouMean(name, slices.Collect(maps.Keys(byTag))))
				continue
			}
			decodeValue(p, k+"."+name, fields[name], v.Field(i))
		}
	case reflect.Map:
		var entries map[string]json.RawMessage
		if !object(p, k, raw, &entries) {
			return
		}
		m := reflect.MakeMapWithSize(v.Type(), len(entries))
		for _, name := range slices.Sorted(maps.Keys(entries)) {
			e := reflect.New(v.Type().Elem()).Elem()
			decodeValue(p, k+"."+name, entries[name], e)
			m.SetMapIndex(reflect.ValueOf(name).Convert(v.Type().Key()), e)
		}
		v.Set(m)
	case reflect.Slice:
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil || (items == nil && string(raw) != "[]") {
			if string(raw) == "null" {
				v.SetZero()
				return
			}
			p.Add(k, "expected a list, got %s", jsonKindOf(raw))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(items), len(items))
		for i, item := range items {
			decodeValue(p, fmt.Sprintf("%s[%d]", k, i), item, s.Index(i))
		}
		v.Set(s)
	default:
		ptr := reflect.New(v.Type())
		if err := json.Unmarshal(raw, ptr.Interface()); err != nil {
			var typeErr *json.UnmarshalTypeError
			if errors.As(err, &typeErr) || string(raw) == "null" {
				p.Add(k, "expected %s, got %s", expectedKind(v.Type()), jsonKindOf(raw))
			} else {
				p.Add(k, "%v", err)
			}
			return
		}
		if string(raw) == "null" {
			p.Add(k, "expected %s, got null", expectedKind(v.Type()))
			return
		}
		v.Set(ptr.Elem())
	}
}

// object reads a JSON object's members, or names the key when raw is not one.
func object(p *check.Problems, k string, raw json.RawMessage, dst *map[string]json.RawMessage) bool {
	if err := json.Unmarshal(raw, dst); err != nil || *dst == nil {
		p.Add(k, "expected an object (YAML mapping), got %s", jsonKindOf(raw))
		return false
	}
	return true
}

// jsonFields maps each json tag of a struct type to its field index.
func jsonFields(t reflect.Type) map[string]int {
	out := map[string]int{}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out[name] = i
		}
	}
	return out
}

func expectedKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "a whole number"
	case reflect.Float64, reflect.Float32:
		return "a number"
	case reflect.String:
		return "a string"
	}
	return "a " + t.Kind().String()
}

// jsonKindOf names the kind of a JSON value for an error message.
func jsonKindOf(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "a JSON object"
	case '[':
		return "a JSON array"
	case '"':
		return "a JSON string"
	case 't', 'f':
		return "a JSON bool"
	case 'n':
		return "null"
	}
	return "a JSON number " + string(raw)
}

// didYouMean suggests the known name closest to a mistyped one: the same name in
// another case first, else one within two edits, else it lists them all.
func didYouMean(name string, known []string) string {
	slices.Sort(known)
	for _, k := range known {
		if strings.EqualFold(k, name) {
			return fmt.Sprintf("; did you mean %q?", k)
		}
	}
	if best := closest(name, known); best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return "; expected one of " + strings.Join(known, ", ")
}

// closest returns the first of known within two edits of name, ignoring case,
// that no other is closer than; "" if none is that close.
func closest(name string, known []string) string {
	best, bestDist := "", 3
	for _, k := range known {
		if d := editDistance(strings.ToLower(name), strings.ToLower(k)); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
