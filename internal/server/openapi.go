package server

import (
	_ "embed"
	"fmt"

	"github.com/goccy/go-yaml"
)

//go:embed openapi.yaml
var openapiYAML []byte

// OpenAPIJSON returns the OpenAPI 3.1 document served at /openapi.json. It
// is written as YAML for readability and converted once.
func OpenAPIJSON() ([]byte, error) {
	b, err := yaml.YAMLToJSON(openapiYAML)
	if err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	return b, nil
}
