package config

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"

	"gopkg.in/yaml.v3"
)

// stackFiles is what the committed stack files state beyond the defaults, per
// stack; TestStackFixturesAreTheStackFiles keeps it in step with the files.
var stackFiles = map[string]map[string]string{
	"prod": {
		"article-pipeline:protect":  "true",
		"article-pipeline:domain":   `{"name":"npdeposition.org"}`,
		"article-pipeline:backup":   `{"enabled":true}`,
		"article-pipeline:platform": `{"loadBalancerDeletionProtection":true}`,
		"article-pipeline:buckets": `{"deposition":{"versioning":true,"backup":true,"lifecycleRules":[` +
			`{"name":"TrashRetention","noncurrentVersionExpirationDays":30,"abortIncompleteMultipartUploadDays":7}]},` +
			`"rssArchive":{"enabled":true},"djangoStatic":{"enabled":true},"depositionCharts":{"enabled":true}}`,
		"article-pipeline:services": `{"backend":{"serviceUrls":{"NER_TOOL_URL":"nertool","ML_TOOL_URL":"mltool"}},` +
			`"nertool":{"enabled":true},"mltool":{"enabled":true}}`,
	},
	"development": {
		"article-pipeline:protect":     "false",
		"article-pipeline:sharedStack": "prod",
		"article-pipeline:domain":      `{"name":"development.npdeposition.org","zoneName":"npdeposition.org"}`,
		"article-pipeline:platform":    `{"loadBalancerDeletionProtection":false}`,
		"article-pipeline:buckets":     `{"djangoStatic":{"enabled":true}}`,
		"article-pipeline:services":    `{"backend":{"sharedUrls":{"NER_TOOL_URL":"nertoolUrl","ML_TOOL_URL":"mltoolUrl"}}}`,
	},
}

// merged is value (JSON) laid over what stack's file states for key k: objects
// merged member by member, anything else replaced, as a stack file overlay.
func merged(stack, k, value string) string {
	base, ok := stackFiles[stack][k]
	if !ok {
		return value
	}
	if value == "" {
		return base
	}
	var b, v any
	if json.Unmarshal([]byte(base), &b) != nil || json.Unmarshal([]byte(value), &v) != nil {
		return value
	}
	out, _ := json.Marshal(overlay(b, v))
	return string(out)
}

func overlay(base, top any) any {
	b, bok := base.(map[string]any)
	t, tok := top.(map[string]any)
	if !bok || !tok || len(t) == 0 { // {} empties a map, as in a stack file
		return top
	}
	for k, v := range t {
		b[k] = overlay(b[k], v)
	}
	return b
}

// TestStackFixturesAreTheStackFiles: the fixture says what the files say.
func TestStackFixturesAreTheStackFiles(t *testing.T) {
	t.Parallel()
	for stack, keys := range stackFiles {
		raw, err := os.ReadFile("../Pulumi." + stack + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		var file struct {
			Config map[string]any `yaml:"config"`
		}
		if err := yaml.Unmarshal(raw, &file); err != nil {
			t.Fatal(err)
		}
		for k, want := range keys {
			var w any
			if err := json.Unmarshal([]byte(want), &w); err != nil {
				w = want // a plain string value, as Pulumi passes a scalar
			}
			got, _ := json.Marshal(file.Config[k])
			var g any
			_ = json.Unmarshal(got, &g)
			if !subset(w, g) {
				t.Errorf("%s %s: the fixture says %s, the file %s", stack, k, want, got)
			}
		}
	}
}

// subset reports whether every member of want is in got with the same value.
func subset(want, got any) bool {
	w, wok := want.(map[string]any)
	g, gok := got.(map[string]any)
	if !wok || !gok {
		return reflect.DeepEqual(want, got)
	}
	for k, v := range w {
		if !subset(v, g[k]) {
			return false
		}
	}
	return true
}
