package synth

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Stack is one stack's config as the Pulumi CLI would hand it to the program.
type Stack struct {
	Project string
	Name    string
	// Config is keyed "namespace:key"; objects and lists are JSON, secure
	// values (which the synth cannot decrypt) are "[secret]".
	Config     map[string]string
	SecretKeys []string
	// Deployed is the stack's last outputs, which the program reads back (what
	// runs now); nil for a stack never deployed, as the golden files show it.
	Deployed map[string]any
}

type projectFile struct {
	Name    string                   `yaml:"name"`
	Runtime any                      `yaml:"runtime"`
	Config  map[string]projectConfig `yaml:"config"`
}

type projectConfig struct {
	Type        string `yaml:"type"`
	Description string `yaml:"description"`
	Default     any    `yaml:"default"`
	Secret      bool   `yaml:"secret"`
}

type stackFile struct {
	Config map[string]any `yaml:"config"`
}

var stackName = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// LoadStack reads Pulumi.yaml and Pulumi.<stack>.yaml from dir, applies the
// project's declared defaults and rejects a missing required key, as the CLI does.
func LoadStack(dir, stack string) (*Stack, error) {
	if !stackName.MatchString(stack) {
		return nil, fmt.Errorf("%q is not a stack name", stack)
	}
	var proj projectFile
	if err := readYAML(filepath.Join(dir, "Pulumi.yaml"), &proj); err != nil {
		return nil, err
	}
	if proj.Name == "" {
		return nil, errors.New("Pulumi.yaml: no project name")
	}
	path := filepath.Join(dir, "Pulumi."+stack+".yaml")
	var sf stackFile
	if err := readYAML(path, &sf); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no stack %q: %s does not exist (stacks here: %s)", stack, path,
				strings.Join(Stacks(dir), ", "))
		}
		return nil, err
	}
	st := &Stack{Project: proj.Name, Name: stack, Config: map[string]string{}}
	secret := map[string]bool{}
	for k, v := range sf.Config {
		full := k
		if !strings.Contains(k, ":") {
			full = proj.Name + ":" + k
		}
		s, isSecret, err := configString(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", path, full, err)
		}
		st.Config[full] = s
		if isSecret {
			secret[full] = true
		}
	}
	var missing []string
	for _, k := range slices.Sorted(maps.Keys(proj.Config)) {
		decl := proj.Config[k]
		full := k
		if !strings.Contains(k, ":") {
			full = proj.Name + ":" + k
		}
		if _, set := st.Config[full]; set {
			continue
		}
		if decl.Default == nil {
			if strings.HasPrefix(full, proj.Name+":") {
				missing = append(missing, k)
			}
			continue
		}
		s, _, err := configString(decl.Default)
		if err != nil {
			return nil, fmt.Errorf("Pulumi.yaml: config %s default: %w", k, err)
		}
		st.Config[full] = s
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("stack %q is missing required configuration: %s (declared without a default in Pulumi.yaml)",
			stack, strings.Join(missing, ", "))
	}
	st.SecretKeys = slices.Sorted(maps.Keys(secret))
	return st, nil
}

// Stacks lists the stacks that have a config file in dir.
func Stacks(dir string) []string {
	files, _ := filepath.Glob(filepath.Join(dir, "Pulumi.*.yaml"))
	var out []string
	for _, f := range files {
		out = append(out, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "Pulumi."), ".yaml"))
	}
	slices.Sort(out)
	return out
}

func readYAML(path string, dst any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := yaml.Unmarshal(b, dst); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// configString renders one config value the way the CLI passes it to a program:
// strings as is, scalars formatted, objects and lists as JSON. A {secure: ...}
// value anywhere inside becomes "[secret]" and marks the key secret.
func configString(v any) (string, bool, error) {
	plain, secret := unsecure(v)
	switch t := plain.(type) {
	case string:
		return t, secret, nil
	case bool:
		return strconv.FormatBool(t), secret, nil
	case int:
		return strconv.Itoa(t), secret, nil
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), secret, nil
	case nil:
		return "", secret, nil
	}
	b, err := json.Marshal(plain)
	if err != nil {
		return "", false, err
	}
	return string(b), secret, nil
}

func unsecure(v any) (any, bool) {
	switch t := v.(type) {
	case map[string]any:
		if _, ok := t["secure"]; ok && len(t) == 1 {
			return "[secret]", true
		}
		out := map[string]any{}
		secret := false
		for k, e := range t {
			p, s := unsecure(e)
			out[k], secret = p, secret || s
		}
		return out, secret
	case []any:
		out := make([]any, len(t))
		secret := false
		for i, e := range t {
			p, s := unsecure(e)
			out[i], secret = p, secret || s
		}
		return out, secret
	}
	return v, false
}
