package auditlog

import (
	"encoding/json"
	"time"

	"github.com/aeso-dev/aeso/internal/audit"
)

// vectorEvent is the event of the documented test vector: it has display
// names, redacted paths, non-ASCII text, a number and a nested object, so
// the vector exercises JCS's key order, escaping and number form. Two of
// its metadata keys, U+FFFD and U+1F600, sort one way by UTF-8 bytes and
// the other by UTF-16 code units: JCS wants the UTF-16 order.
func vectorEvent() *audit.Event {
	return &audit.Event{
		ID:                    "01936f2a-7c00-7000-8000-000000000001",
		Seq:                   42,
		ActorUserID:           "alice",
		ActorServiceAccountID: "",
		ActorRole:             "release-manager",
		ActorDisplayName:      "Alice Ünal",
		Action:                "credentials.api_key.rotate",
		TargetType:            "api_key",
		TargetID:              "key-1",
		TargetDisplayName:     "deploy key <prod>",
		Result:                audit.ResultSuccess,
		CorrelationID:         "chg-7",
		OccurredAt:            time.Date(2026, 11, 23, 12, 0, 0, 123456789, time.UTC),
		RecordedAt:            time.Date(2026, 11, 23, 12, 0, 1, 0, time.FixedZone("CET", 3600)),
		Metadata:              json.RawMessage(`{"reason":"scheduled \"quarterly\"","attempt":2.50,"ticket":{"system":"jira","id":"SEC-1"},"token":"[REDACTED]","�":"replacement","😀":"astral"}`),
		RedactedPaths:         []string{"token"},
		Source:                "ci",
		RequestID:             "req-1",
		TraceID:               "",
	}
}
