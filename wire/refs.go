package wire

import "encoding/json"

// Ref is a resolved ref: what it names, the route that answers that row,
// and the row as that route answers it.
type Ref struct {
	Kind   string          `json:"kind"`
	Ref    string          `json:"ref"`
	URL    string          `json:"url"`
	Object json.RawMessage `json:"object"`
}
