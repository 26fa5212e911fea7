package wire

// Problem is an RFC 9457 problem detail, the body of every error answer,
// with aeso's stable code and the invalid fields.
type Problem struct {
	Type      string       `json:"type"`
	Title     string       `json:"title"`
	Status    int          `json:"status"`
	Detail    string       `json:"detail"`
	Code      string       `json:"code"`
	Errors    []FieldError `json:"errors,omitempty"`
	RequestID string       `json:"request_id,omitempty"`
}

// FieldError names one invalid field or query parameter of a request.
type FieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Health answers /healthz.
type Health struct {
	Status  string `json:"status"`
	Version string `json:"version"`
}

// Ready answers /readyz while the server is ready.
type Ready struct {
	Status string `json:"status"`
}
