package evidence

import "github.com/aeso-dev/aeso/internal/redact"

// InexactNumberError names a number that RFC 8785 canonical JSON cannot
// write with its value: JCS writes every number as the shortest form of the
// nearest IEEE 754 double, so 12345678901234567891 would become
// 12345678901234567000.
type InexactNumberError struct{ Path string }

// The check and its message are redact's, so evidence, audit metadata and
// invariant details refuse the same numbers in the same words.
const inexactMessage = redact.InexactNumberMessage

func (e *InexactNumberError) Error() string { return e.Path + ": " + inexactMessage }
