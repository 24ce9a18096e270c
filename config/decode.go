package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// decode reads an object-valued key into dst, rejecting unknown fields (a typo
// must not silently fall back to a default) and naming the key in every error.
func decode(k, value string, dst any, p *problems) bool {
	if strings.TrimSpace(value) == "" {
		return false
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
		p.add(k+field, "expected %s, got a JSON %s", jsonKind(typeErr.Type.Kind().String()), typeErr.Value)
	case errors.As(err, &syntaxErr):
		p.add(k, "expected an object (YAML mapping); %v", err)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		p.add(k, "unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	default:
		p.add(k, "%v", err)
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

// idx names one element of a list-valued field: key.field[i].
func idx(k string, i int) string { return fmt.Sprintf("%s[%d]", k, i) }
