package client

import (
	"time"

	"github.com/aeso-dev/aeso/wire"
)

// The shapes of the API are package wire's; these names keep the client's
// own spelling of them.
type (
	// EventInput is one audit event to record. ID, when set, makes retries
	// idempotent: the same id and content again returns the stored event.
	EventInput = wire.EventInput
	// Event is a stored audit event with its presentation.
	Event = wire.Event
	// Presentation is the display model the server computes from its registry.
	Presentation = wire.Presentation
	// DebugRefs are pivots into logs, traces and object history.
	DebugRefs = wire.DebugRefs
	// BatchReceipt answers a batch: where each event was stored, in input order.
	BatchReceipt = wire.BatchReceipt
	// Receipt says where one event of a batch was stored.
	Receipt = wire.Receipt
	// EventPage is one page of a listing; NextCursor is nil on the last page.
	EventPage = wire.EventPage
	// ActionDef is one rule of the server's action registry.
	ActionDef = wire.ActionDef
	// Token is an access token as the server describes it.
	Token = wire.Token
	// CreatedToken is a token with its secret, shown only when it is created.
	CreatedToken = wire.CreatedToken
	// TokenRequest asks for a new token.
	TokenRequest = wire.TokenRequest
)

// ListOptions filter a listing; empty fields mean "any".
type ListOptions struct {
	ActorUserID           string
	ActorServiceAccountID string
	Action                string // exact, or "prefix.*"
	Category              string
	TargetType            string
	TargetID              string
	Result                string
	CorrelationID         string
	// Search is q=: words to find in the events' actor, action, target,
	// correlation id and metadata keys and values.
	Search string
	Since  time.Time
	Until  time.Time
	Limit  int
	Cursor string
}
