// Package wire holds the JSON shapes of aeso's HTTP API: every request and
// response body, as the server encodes and decodes it and as the client
// sends and reads it. The OpenAPI document served at /openapi.json
// describes the same shapes; a test compares the two field by field, so
// neither changes without the other.
//
// The types carry data only. Validation, defaults and rules belong to the
// server's domain packages, which convert to and from these shapes in one
// place per kind. A field that is sometimes absent has omitempty; a list
// the server always sends is never nil on the wire ([] rather than null)
// unless the type's comment says otherwise.
package wire
