package inventory

import (
	"slices"
	"testing"
)

func TestInputAccessors(t *testing.T) {
	t.Parallel()
	r := Resource{Type: "aws:ecs/taskDefinition:TaskDefinition", Name: "backend-taskdef", Inputs: map[string]any{
		"cpu": "512", "memory": 1024.0, "family": "x",
		"runtimePlatform": map[string]any{"cpuArchitecture": "ARM64"},
		"volumes":         []any{"tmp", 3.0, "data"},
		"action":          "s3:GetObject",
	}}
	for _, tc := range []struct {
		path []string
		want float64
		ok   bool
	}{
		{[]string{"cpu"}, 512, true},
		{[]string{"memory"}, 1024, true},
		{[]string{"family"}, 0, false},
		{[]string{"missing"}, 0, false},
	} {
		if got, ok := r.Number(tc.path...); got != tc.want || ok != tc.ok {
			t.Errorf("Number(%v) = %v, %v; want %v, %v", tc.path, got, ok, tc.want, tc.ok)
		}
	}
	if got := r.List("volumes"); len(got) != 3 {
		t.Errorf("List = %v", got)
	}
	if r.List("family") != nil || r.List("runtimePlatform", "cpuArchitecture") != nil {
		t.Error("List of a non-list is not nil")
	}
	if got := r.Strings("volumes"); !slices.Equal(got, []string{"tmp", "data"}) {
		t.Errorf("Strings(volumes) = %v", got)
	}
	if got := r.Strings("action"); !slices.Equal(got, []string{"s3:GetObject"}) {
		t.Errorf("Strings(action) = %v", got)
	}
}

func TestHasName(t *testing.T) {
	t.Parallel()
	auto := Resource{Name: "web-cluster", Inputs: map[string]any{}}
	named := Resource{Name: "web-cluster", Inputs: map[string]any{"name": "article-pipeline-prod"}}
	for _, tc := range []struct {
		r        Resource
		physical string
		want     bool
	}{
		{auto, "web-cluster-e5a7b20", true},
		{auto, "web-cluster-e5a7b2", false},    // six digits
		{auto, "web-cluster-E5A7B20", false},   // not Pulumi's lower-case hex
		{auto, "web-cluster-x-e5a7b20", false}, // another resource's auto-name
		{auto, "", false},
		{named, "article-pipeline-prod", true},
		{named, "web-cluster-e5a7b20", false}, // a set name replaces the auto-name
	} {
		if got := tc.r.HasName("name", tc.physical); got != tc.want {
			t.Errorf("%v HasName(%q) = %v, want %v", tc.r.Inputs, tc.physical, got, tc.want)
		}
	}
}
