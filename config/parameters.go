package config

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/internal/check"
	"github.com/np-mrd/article-pipeline-infra/parameters"
)

// parseParameterPath reads article-pipeline:parameterPath, the prefix before
// the application name.
func parseParameterPath(value string, p *check.Problems) string {
	if strings.TrimSpace(value) == "" {
		return parameters.DefaultPath
	}
	p.Join(parameters.ValidatePath(key("parameterPath"), value))
	return value
}

// parseParameters reads article-pipeline:parameters, the map from NAME (the
// environment variable the services see) to its value, set one entry at a time
// with `pulumi config set --secret --path 'parameters.NAME' VALUE`. A value of
// "", "None" or null declares the parameter empty for this environment and comes
// back as parameters.Empty. No value ever appears in an error.
func parseParameters(value string, isSecret bool, p *check.Problems) map[string]string {
	k := key("parameters")
	out := map[string]string{}
	if strings.TrimSpace(value) == "" {
		return out
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(value), &raw); err != nil || raw == nil {
		p.Add(k, "expected an object of NAME: value entries; set each with "+
			"pulumi config set --secret --path 'parameters.NAME' VALUE")
		return out
	}
	for _, name := range slices.Sorted(maps.Keys(raw)) {
		nk := k + "." + name
		if err := parameters.ValidateName(nk, name); err != nil {
			p.Join(err)
			continue
		}
		v, ok := parameterValue(raw[name])
		switch {
		case !ok:
			p.Add(nk, "expected a string value (or null to declare it empty), got a JSON object or list")
		case v == "" || v == parameters.Empty:
			out[name] = parameters.Empty
		case !isSecret:
			p.Add(nk, "holds a value in plain text; parameters are secrets: set it with "+
				"pulumi config set --secret --path 'parameters.%s' VALUE", name)
		default:
			out[name] = v
		}
	}
	return out
}

// parameterValue turns one JSON leaf into the string stored in SSM. Numbers and
// booleans (YAML may type them) keep their literal text; null is empty.
func parameterValue(m json.RawMessage) (string, bool) {
	t := bytes.TrimSpace(m)
	switch {
	case len(t) == 0 || string(t) == "null":
		return "", true
	case t[0] == '"':
		var s string
		if err := json.Unmarshal(t, &s); err != nil {
			return "", false
		}
		return s, true
	case t[0] == '{' || t[0] == '[':
		return "", false
	}
	return string(t), true
}
