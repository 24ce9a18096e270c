package synth

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// SynthesizeOverlay is Synthesize with the config of overlay files merged over
// the stack's own, in order, the way a reviewer would paste them into
// Pulumi.<stack>.yaml: objects merge key by key, lists are appended, anything
// else is replaced. It lets a draft (examples/adopt-prod.yaml) be checked before
// the stack file is edited.
func SynthesizeOverlay(dir, stack string, overlays ...string) (*Result, error) {
	st, err := LoadStack(dir, stack)
	if err != nil {
		return nil, err
	}
	for _, path := range overlays {
		if err := st.Overlay(path); err != nil {
			return nil, err
		}
	}
	refs, err := referencedStacks(dir, st, []string{stack})
	if err != nil {
		return nil, err
	}
	return Run(st, refs)
}

// Overlay merges the config section of one stack-shaped YAML file into st.
func (st *Stack) Overlay(path string) error {
	var sf stackFile
	if err := readYAML(path, &sf); err != nil {
		return err
	}
	secret := map[string]bool{}
	for _, k := range st.SecretKeys {
		secret[k] = true
	}
	for k, v := range sf.Config {
		full := k
		if !strings.Contains(k, ":") {
			full = st.Project + ":" + k
		}
		merged := v
		if cur, ok := st.Config[full]; ok {
			var old any
			if json.Unmarshal([]byte(cur), &old) == nil {
				merged = MergeConfig(old, v)
			}
		}
		s, isSecret, err := configString(merged)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", path, full, err)
		}
		st.Config[full] = s
		if isSecret {
			secret[full] = true
		}
	}
	st.SecretKeys = slices.Sorted(maps.Keys(secret))
	return nil
}

// MergeConfig deep-merges src over dst: objects key by key, lists appended,
// as a reviewer pastes one stack-file section into another.
func MergeConfig(dst, src any) any {
	d, dok := dst.(map[string]any)
	s, sok := src.(map[string]any)
	if dok && sok {
		out := map[string]any{}
		for k, v := range d {
			out[k] = v
		}
		for k, v := range s {
			out[k] = MergeConfig(d[k], v)
		}
		return out
	}
	dl, dlok := dst.([]any)
	sl, slok := src.([]any)
	if dlok && slok {
		return append(append([]any{}, dl...), sl...)
	}
	return src
}
