package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

func ecsRules() []Rule {
	return []Rule{
		{
			ID: "ECS.2", Severity: Mandatory, Applies: ofType(typeService),
			Description: "ECS services do not assign public IP addresses to their tasks",
			Check: func(_ *Graph, r inventory.Resource) (bool, string) {
				if v, _ := obj(r.Get("networkConfiguration"))["assignPublicIp"].(bool); v {
					return false, "networkConfiguration.assignPublicIp is true"
				}
				return true, "tasks get no public IP"
			},
		},
		{
			ID: "ECS.4", Severity: Mandatory, Applies: ofType(typeTaskDef),
			Description: "ECS containers are not privileged",
			Check: eachContainer(func(c container) (bool, string) {
				if c.Privileged {
					return false, "is privileged"
				}
				return true, ""
			}, "no container is privileged"),
		},
		{
			ID: "ECS.5", Severity: Advisory, Applies: ofType(typeTaskDef),
			Description: "ECS containers have a read-only root filesystem",
			Check: eachContainer(func(c container) (bool, string) {
				if !c.ReadonlyRootFilesystem {
					return false, "has a writable root filesystem"
				}
				return true, ""
			}, "every root filesystem is read-only"),
		},
		{
			ID: "ECS.8", Severity: Mandatory, Applies: ofType(typeTaskDef),
			Description: "ECS containers take secrets from secrets[].valueFrom, never from plain environment variables " +
				"(names like *PASSWORD*, *SECRET*, *TOKEN*, *_KEY, DATABASE_URL)",
			Check: eachContainer(func(c container) (bool, string) {
				for _, e := range c.Environment {
					if secretEnvName(e.Name) {
						return false, fmt.Sprintf("sets %s in plain environment; use secrets[].valueFrom", e.Name)
					}
				}
				return true, ""
			}, "no secret-looking name in any plain environment"),
		},
		{
			ID: "ECS.9", Severity: Mandatory, Applies: ofType(typeTaskDef),
			Description: "ECS containers have a logging configuration",
			Check: eachContainer(func(c container) (bool, string) {
				if c.LogConfiguration == nil || c.LogConfiguration.LogDriver == "" {
					return false, "has no logConfiguration.logDriver"
				}
				return true, ""
			}, "every container logs"),
		},
	}
}

type container struct {
	Name                   string `json:"name"`
	Privileged             bool   `json:"privileged"`
	ReadonlyRootFilesystem bool   `json:"readonlyRootFilesystem"`
	LogConfiguration       *struct {
		LogDriver string `json:"logDriver"`
	} `json:"logConfiguration"`
	Environment []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"environment"`
}

// containers parses a task definition's containerDefinitions JSON. A secret
// definition means a secret value was put into it (an environment value), which
// is itself the finding ECS.8 is about.
func containers(r inventory.Resource) ([]container, error) {
	v := r.Get("containerDefinitions")
	var raw []byte
	switch t := v.(type) {
	case nil:
		return nil, errors.New("no containerDefinitions")
	case string:
		if opaque(t) {
			return nil, fmt.Errorf("containerDefinitions is %s: a secret value is written into the definition "+
				"(use secrets[].valueFrom), and it cannot be checked offline", t)
		}
		raw = []byte(t)
	default:
		b, err := json.Marshal(t)
		if err != nil {
			return nil, err
		}
		raw = b
	}
	var cs []container
	if err := json.Unmarshal(raw, &cs); err != nil {
		return nil, fmt.Errorf("containerDefinitions is not a JSON list of containers: %w", err)
	}
	if len(cs) == 0 {
		return nil, errors.New("containerDefinitions is empty")
	}
	return cs, nil
}

// eachContainer turns a per-container check into a rule check; the first
// failing container is the finding.
func eachContainer(check func(container) (bool, string), allGood string) func(*Graph, inventory.Resource) (bool, string) {
	return func(_ *Graph, r inventory.Resource) (bool, string) {
		cs, err := containers(r)
		if err != nil {
			return false, err.Error()
		}
		var bad []string
		for _, c := range cs {
			if ok, why := check(c); !ok {
				bad = append(bad, fmt.Sprintf("container %q %s", c.Name, why))
			}
		}
		if len(bad) > 0 {
			return false, strings.Join(bad, "; ")
		}
		return true, allGood
	}
}

var secretWord = regexp.MustCompile(`PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|PRIVATE_?KEY|API_?KEY|ACCESS_?KEY|DATABASE_URL|(^|_)KEY($|_)`)

// secretEnvName reports whether an environment variable's name suggests a secret.
func secretEnvName(name string) bool {
	return secretWord.MatchString(strings.ToUpper(name))
}
