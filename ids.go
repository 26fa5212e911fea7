package aeso

import "github.com/google/uuid"

// CheckID refuses an id that is not a UUID, naming field: every row aeso
// stores has one, so anything else is a mistake (400), not a row that
// happens to be missing (404).
func CheckID(field, id string) error {
	if _, err := uuid.Parse(id); err != nil {
		return &Error{Code: EINVALID, Reason: "invalid_id", Message: "the id is malformed",
			Fields: []FieldError{{Field: field, Code: "format", Message: "must be a UUID"}}}
	}
	return nil
}
