package services

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// containerDefinition is one entry of a task definition's containerDefinitions,
// with every field ECS fills in on registration already present: a definition
// that differs from what AWS reads back shows as a replacement on every preview
// (pulumi/pulumi-aws#1985). Field order is fixed by the struct, map keys are
// sorted by encoding/json, and lists are sorted before marshalling.
type containerDefinition struct {
	Name                   string           `json:"name"`
	Image                  string           `json:"image"`
	CPU                    int              `json:"cpu"`
	Essential              bool             `json:"essential"`
	PortMappings           []portMapping    `json:"portMappings"`
	Environment            []keyValue       `json:"environment"`
	Secrets                []secret         `json:"secrets,omitempty"`
	MountPoints            []mountPoint     `json:"mountPoints"`
	VolumesFrom            []struct{}       `json:"volumesFrom"`
	SystemControls         []struct{}       `json:"systemControls"`
	ReadonlyRootFilesystem bool             `json:"readonlyRootFilesystem"`
	Privileged             bool             `json:"privileged"`
	LogConfiguration       logConfiguration `json:"logConfiguration"`
}

type portMapping struct {
	ContainerPort int    `json:"containerPort"`
	HostPort      int    `json:"hostPort"`
	Protocol      string `json:"protocol"`
}

type keyValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type secret struct {
	Name      string `json:"name"`
	ValueFrom string `json:"valueFrom"`
}

type mountPoint struct {
	SourceVolume  string `json:"sourceVolume"`
	ContainerPath string `json:"containerPath"`
	ReadOnly      bool   `json:"readOnly"`
}

type logConfiguration struct {
	LogDriver string            `json:"logDriver"`
	Options   map[string]string `json:"options"`
}

// container is what the task's one container is built from, once every input is known.
type container struct {
	Name          string
	Image         string
	Port          int
	Environment   map[string]string
	Secrets       map[string]string // NAME -> parameter ARN
	WritablePaths []string
	LogGroup      string
	Region        string
}

// containerDefinitions renders the task definition's containerDefinitions JSON:
// a non-privileged container with a read-only root filesystem (Security Hub
// ECS.5), secrets only through valueFrom (ECS.8), awslogs logging (ECS.9), and
// a scratch volume per writable path.
func containerDefinitions(c container) (string, error) {
	env := make([]keyValue, 0, len(c.Environment))
	for _, k := range slices.Sorted(maps.Keys(c.Environment)) {
		env = append(env, keyValue{Name: k, Value: c.Environment[k]})
	}
	var secrets []secret
	for _, k := range slices.Sorted(maps.Keys(c.Secrets)) {
		if _, clash := c.Environment[k]; clash {
			return "", fmt.Errorf("%s is both a plain and a secret environment variable", k)
		}
		secrets = append(secrets, secret{Name: k, ValueFrom: c.Secrets[k]})
	}
	mounts := make([]mountPoint, 0, len(c.WritablePaths))
	for _, p := range slices.Sorted(slices.Values(c.WritablePaths)) {
		mounts = append(mounts, mountPoint{SourceVolume: volumeName(p), ContainerPath: p})
	}
	def := containerDefinition{
		Name:                   c.Name,
		Image:                  c.Image,
		Essential:              true,
		PortMappings:           []portMapping{{ContainerPort: c.Port, HostPort: c.Port, Protocol: "tcp"}},
		Environment:            env,
		Secrets:                secrets,
		MountPoints:            mounts,
		VolumesFrom:            []struct{}{},
		SystemControls:         []struct{}{},
		ReadonlyRootFilesystem: true,
		LogConfiguration: logConfiguration{LogDriver: "awslogs", Options: map[string]string{
			"awslogs-group":         c.LogGroup,
			"awslogs-region":        c.Region,
			"awslogs-stream-prefix": c.Name,
		}},
	}
	b, err := json.Marshal([]containerDefinition{def})
	if err != nil {
		return "", err
	}
	return string(b), nil
}

var nonVolumeChars = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// volumeName names the scratch volume of a writable path: /tmp -> tmp,
// /app/media -> app-media.
func volumeName(path string) string {
	return strings.Trim(nonVolumeChars.ReplaceAllString(path, "-"), "-")
}
