package server

import (
	"bytes"
	_ "embed"
	"fmt"
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
