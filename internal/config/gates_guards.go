package config

import (
	"errors"
	"fmt"

	"github.com/goccy/go-yaml"

	"github.com/aeso-dev/aeso/internal/component"
	"github.com/aeso-dev/aeso/internal/gate"
)

// guardsForms lists what a guards rule may be written as; every error about
// the form ends with it.
const guardsForms = "write guards: blocking (or all) for every guard that reported, a list of guard names such as [lint, policy], or {names: [lint, policy]}"

// guardsDoc is a guards rule as written in the file, which has three forms
// for what gate.GuardsRule holds as one.
type guardsDoc gate.GuardsRule

// UnmarshalYAML reads the three forms of a guards rule (goccy's
// BytesUnmarshaler): the scalar blocking or all, meaning every guard that
// reported for the subject; a list of guard names; or {names: [...]}.
func (g *guardsDoc) UnmarshalYAML(b []byte) error {
	var v any
	if err := yaml.Unmarshal(b, &v); err != nil {
		return errors.New("must be " + guardsForms)
	}
	switch x := v.(type) {
	case string:
		if x == "blocking" || x == "all" {
			*g = guardsDoc{}
			return nil
		}
		return fmt.Errorf("%q is not a guards form; %s", x, guardsForms)
	case []any:
		names, err := guardNames(x)
		if err != nil {
			return err
		}
		*g = guardsDoc{Names: names}
		return nil
	case map[string]any:
		for k := range x {
			if k != "names" {
				return fmt.Errorf("unknown field %q; %s", k, guardsForms)
			}
		}
		list, ok := x["names"].([]any)
		if !ok {
			return errors.New("names must be a list of guard names; " + guardsForms)
		}
		names, err := guardNames(list)
		if err != nil {
			return err
		}
		*g = guardsDoc{Names: names}
		return nil
	case nil:
		return errors.New("is empty; " + guardsForms)
	}
	return fmt.Errorf("must be %s", guardsForms)
}

// guardNames checks a list of guard names: at least one, each a guard name,
// none twice.
func guardNames(list []any) ([]string, error) {
	if len(list) == 0 {
		return nil, errors.New("lists no guards; " + guardsForms)
	}
	names := make([]string, 0, len(list))
	for _, item := range list {
		name, ok := item.(string)
		if !ok {
			return nil, fmt.Errorf("%v is not a guard name; guard names are strings", item)
		}
		if !component.NamePattern.MatchString(name) {
			return nil, fmt.Errorf("%q is not a guard name: lowercase letters, digits, '.', '_' or '-', at most 64 characters", name)
		}
		for _, seen := range names {
			if seen == name {
				return nil, fmt.Errorf("guard %s is listed twice", name)
			}
		}
		names = append(names, name)
	}
	return names, nil
}

var _ yaml.BytesUnmarshaler = (*guardsDoc)(nil)
