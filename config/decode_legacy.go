package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/internal/check"
)

// decode reads an object-valued key into dst, rejecting unknown fields (a typo
// must not silently fall back to a default) and naming the key in every error.
func decode(k, value string, dst any, p *check.Problems) bool {
	if strings.TrimSpace(value) == "" {
		return false
	}
	// encoding/json matches field names case-insensitively; config keys are
	// exact, so "imagetag" must not pass for "imageTag".
	var tree any
	if json.Unmarshal([]byte(value), &tree) == nil {
		if path, field, want := exactFields(tree, reflect.TypeOf(dst), ""); field != "" {
			hint := ""
			if want != "" {
				hint = fmt.Sprintf("; did you mean %q?", want)
			}
			p.Add(k+path, "unknown field %q%s", field, hint)
			return false
		}
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(value)))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil {
		return true
	}
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field != "" {
			field = "." + field
		}
		p.Add(k+field, "expected %s, got a JSON %s", jsonKind(typeErr.Type.Kind().String()), typeErr.Value)
	case errors.As(err, &syntaxErr):
		p.Add(k, "expected an object (YAML mapping); %v", err)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		p.Add(k, "unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	default:
		p.Add(k, "%v", err)
	}
	return false
}

func jsonKind(goKind string) string {
	switch goKind {
	case "slice":
		return "a list"
	case "struct", "map", "ptr":
		return "an object"
	case "bool":
		return "true or false"
	case "int", "int64", "float64":
		return "a number"
	}
	return "a " + goKind
}

// exactFields walks a decoded JSON tree along the Go type it will be decoded
// into and returns the first object key that matches no json tag exactly (with
// its path and the tag it matches case-insensitively, if any).
func exactFields(tree any, t reflect.Type, path string) (at, field, want string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch v := tree.(type) {
	case map[string]any:
		switch t.Kind() {
		case reflect.Map:
			for _, key := range sortedKeys(v) {
				if a, f, w := exactFields(v[key], t.Elem(), path+"."+key); f != "" {
					return a, f, w
				}
			}
		case reflect.Struct:
			fields := map[string]reflect.Type{}
			for i := range t.NumField() {
				name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
				if name != "" && name != "-" {
					fields[name] = t.Field(i).Type
				}
			}
			for _, key := range sortedKeys(v) {
				ft, ok := fields[key]
				if !ok {
					for name := range fields {
						if strings.EqualFold(name, key) {
							return path, key, name
						}
					}
					continue // unknown outright: the decoder reports it
				}
				if a, f, w := exactFields(v[key], ft, path+"."+key); f != "" {
					return a, f, w
				}
			}
		}
	case []any:
		if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
			for i, e := range v {
				if a, f, w := exactFields(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); f != "" {
					return a, f, w
				}
			}
		}
	}
	return "", "", ""
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// idx names one element of a list-valued field: key.field[i].
func idx(k string, i int) string { return fmt.Sprintf("%s[%d]", k, i) }
