package diagram

import (
	"strconv"
	"strings"
)

// num formats a number input (JSON numbers, or numbers in strings as ECS
// takes cpu and memory) without trailing zeros; "?" when it is not a number.
func num(v any) string {
	switch t := v.(type) {
	case float64:
		return strings.TrimSuffix(strings.TrimRight(strconv.FormatFloat(t, 'f', 2, 64), "0"), ".")
	case string:
		if f, err := strconv.ParseFloat(t, 64); err == nil {
			return num(f)
		}
	}
	return "?"
}

// div divides a number input by d (nil when it is not a number).
func div(v any, d float64) any {
	switch t := v.(type) {
	case float64:
		return t / d
	case string:
		if f, err := strconv.ParseFloat(t, 64); err == nil {
			return f / d
		}
	}
	return nil
}

func listOf(v any) []any {
	l, _ := v.([]any)
	return l
}

func mapGet(v any, key string) any {
	m, _ := v.(map[string]any)
	return m[key]
}
