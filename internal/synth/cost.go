package synth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/cost"
)

// CostSettings reads the stack's usage assumptions (article-pipeline:cost)
// over cost.Defaults. Until the config loader registers the key, the synth
// reads it here, from the stack's raw config: field names must match exactly
// and unknown fields are errors, as in every other key.
func (st *Stack) CostSettings() (cost.Settings, error) {
	s := cost.Defaults()
	raw := strings.TrimSpace(st.Config[cost.Key])
	if raw != "" {
		if err := decodeExact(cost.Key, raw, &s); err != nil {
			return cost.Settings{}, err
		}
	}
	return s, s.Validate(cost.Key)
}

// Estimate prices a synthesized stack under its own usage assumptions.
func Estimate(res *Result) (cost.Report, error) {
	s, err := res.Stack.CostSettings()
	if err != nil {
		return cost.Report{}, err
	}
	return cost.Estimate(res.Inventory, s)
}

// decodeExact decodes a JSON object into dst, a pointer to a struct, naming
// key in every error. encoding/json matches field names case-insensitively,
// so each field is first checked against the json tags exactly.
func decodeExact(key, raw string, dst any) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &fields); err != nil {
		return fmt.Errorf("%s: expected an object (YAML mapping): %v", key, err)
	}
	t := reflect.TypeOf(dst).Elem()
	var tags []string
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
			tags = append(tags, name)
		}
	}
	for _, f := range slices.Sorted(mapKeys(fields)) {
		if slices.Contains(tags, f) {
			continue
		}
		for _, tag := range tags {
			if strings.EqualFold(tag, f) {
				return fmt.Errorf("%s: unknown field %q; did you mean %q?", key, f, tag)
			}
		}
		return fmt.Errorf("%s: unknown field %q; expected one of %s", key, f, strings.Join(tags, ", "))
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			want := "a number"
			if typeErr.Type.Kind() == reflect.Map {
				want = "an object of numbers"
			}
			return fmt.Errorf("%s.%s: expected %s, got a JSON %s", key, typeErr.Field, want, typeErr.Value)
		}
		return fmt.Errorf("%s: %v", key, err)
	}
	return nil
}
