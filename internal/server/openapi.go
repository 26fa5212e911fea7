package server

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"
)

//go:embed openapi.yaml
var openapiYAML []byte

// OpenAPIJSON returns the OpenAPI 3.1 document served at /openapi.json. It
// is written as YAML for readability and converted once per process; the
// caller gets its own copy.
func OpenAPIJSON() ([]byte, error) {
	b, err := openapiJSON()
	if err != nil {
		return nil, err
	}
	return bytes.Clone(b), nil
}

var openapiJSON = sync.OnceValues(func() ([]byte, error) {
	b, err := yaml.YAMLToJSON(openapiYAML)
	if err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	return b, nil
})

// declaredQuery maps each operation of the OpenAPI document ("GET
// /v1/tokens") to the query parameters it declares, so the document is
// the one list of what each route takes (see checkInput).
var declaredQuery = sync.OnceValues(func() (map[string][]string, error) {
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name string `yaml:"name"`
				In   string `yaml:"in"`
			} `yaml:"parameters"`
		} `yaml:"paths"`
	}
	if err := yaml.Unmarshal(openapiYAML, &doc); err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	out := map[string][]string{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			names := []string{}
			for _, p := range op.Parameters {
				if p.In == "query" {
					names = append(names, p.Name)
				}
			}
			out[strings.ToUpper(method)+" "+path] = names
		}
	}
	return out, nil
})
