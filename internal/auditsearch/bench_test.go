package auditsearch

import (
	"encoding/json"
	"testing"

	"github.com/aeso-dev/aeso/internal/audit"
)

// benchEvent is the ~300-byte event of aeso-bench ingest.
var benchEvent = &audit.Event{
	ActorUserID: "user-1234", ActorRole: "operator", Action: "credentials.api_key.rotate",
	TargetType: "api_key", TargetID: "key-12345", CorrelationID: "corr-0123456789",
	Metadata: json.RawMessage(`{"key_name":"deploy","scope":"write","region":"eu-west-1","reason":"scheduled rotation","ticket":"OPS-1234","previous_key_age_days":90,"client":{"ip":"192.0.2.10","agent":"aeso-bench/1.0"},"tags":["rotation","scheduled","production"]}`),
}

func BenchmarkText(b *testing.B) {
	for b.Loop() {
		Text(benchEvent)
	}
}

func BenchmarkPostgresVector(b *testing.B) {
	text := Text(benchEvent)
	b.ReportAllocs()
	for b.Loop() {
		PostgresVector(text)
	}
}
