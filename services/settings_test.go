package services

import (
	"slices"
	"testing"
)

func TestOrderedPutsDependenciesFirst(t *testing.T) {
	t.Parallel()
	s := Services{
		"a":   {Enabled: true, DependsOn: []string{"c"}},
		"b":   {Enabled: true},
		"c":   {Enabled: true, DependsOn: []string{"d", "off"}},
		"d":   {Enabled: true},
		"off": {DependsOn: []string{"a"}},
	}
	order := s.Ordered()
	if !slices.Equal(order, []string{"b", "d", "c", "a"}) {
		t.Errorf("order = %v, want b d c a", order)
	}
}

func TestFargateSizes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cpu, memory int
		ok          bool
	}{
		{256, 512, true}, {256, 2048, true}, {256, 1536, false}, {256, 3072, false},
		{512, 1024, true}, {512, 4096, true}, {512, 512, false}, {512, 5120, false},
		{1024, 2048, true}, {1024, 8192, true}, {1024, 9216, false},
		{2048, 4096, true}, {2048, 16384, true}, {2048, 17408, false},
		{4096, 8192, true}, {4096, 30720, true}, {4096, 31744, false},
		{8192, 16384, true}, {8192, 20480, true}, {8192, 61440, true}, {8192, 17408, false},
		{16384, 32768, true}, {16384, 40960, true}, {16384, 122880, true}, {16384, 36864, false},
	} {
		if ok, _ := fargateOffers(tc.cpu, tc.memory); ok != tc.ok {
			t.Errorf("fargateOffers(%d, %d) = %v, want %v", tc.cpu, tc.memory, ok, tc.ok)
		}
	}
}

func TestMinimumTasks(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		s    Settings
		want int
	}{
		{"no image yet", Settings{DesiredCount: 2}, 0},
		{"deployed tag", Settings{ImageTag: "v1", DesiredCount: 2}, 2},
		{"external image", Settings{Image: "nginx:1.27", DesiredCount: 1}, 1},
		{"autoscaled", Settings{ImageTag: "v1", DesiredCount: 3, Autoscaling: &Autoscaling{Min: 2, Max: 6}}, 2},
		{"no image, autoscaling", Settings{Autoscaling: &Autoscaling{Min: 2, Max: 6}}, 0},
	} {
		if got := tc.s.MinimumTasks(); got != tc.want {
			t.Errorf("%s: MinimumTasks() = %d, want %d", tc.name, got, tc.want)
		}
	}
}
