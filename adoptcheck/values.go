package adoptcheck

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// get walks maps along path; ok is false when a step is missing.
func get(v any, path ...string) (any, bool) {
	cur := v
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// str returns the string at path, or "".
func str(v any, path ...string) string {
	x, _ := get(v, path...)
	s, _ := x.(string)
	return s
}

// list returns the list at path, or nil.
func list(v any, path ...string) []any {
	x, _ := get(v, path...)
	l, _ := x.([]any)
	return l
}

// findIn returns the element of a list of objects whose key equals want.
func findIn(l []any, key, want string) (map[string]any, bool) {
	for _, e := range l {
		if m, ok := e.(map[string]any); ok && m[key] == want {
			return m, true
		}
	}
	return nil, false
}

// stringSet returns the strings of a list, sorted and without duplicates (AWS
// and the provider treat these lists as sets).
func stringSet(v any) []string {
	var out []string
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
	case []string:
		out = append(out, t...)
	case string:
		out = []string{t}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// tagMap turns AWS's [{Key, Value}] lists into a map.
func tagMap(l []any) map[string]any {
	out := map[string]any{}
	for _, e := range l {
		if m, ok := e.(map[string]any); ok {
			k, _ := m["Key"].(string)
			out[k] = m["Value"]
		}
	}
	return out
}

// equal compares two plain values (numbers are float64 on both sides).
func equal(a, b any) bool { return reflect.DeepEqual(a, b) }

// render is the compact JSON of a plain value, map keys sorted.
func render(v any) string {
	if v == nil {
		return "none"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	return string(b)
}

// quoteList renders strings for a message: "a", "b".
func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		b, _ := json.Marshal(s)
		q[i] = string(b)
	}
	return strings.Join(q, ", ")
}

// toAnyList turns strings into a plain list for comparison with decoded JSON.
func toAnyList(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// count is "1 rule", "2 rules".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
