package invariant

import (
	"context"
	"encoding/json"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/audit"
)

// ItemLink is an invariant result carried by an evidence item of type
// invariant_result: the item's metadata names the invariant and the
// environment, its result is the status.
type ItemLink struct {
	InvariantID string
	Environment string
	Status      string
}

// CheckItemLink validates what an invariant_result item must carry, before
// anything is written, so a bad item leaves neither record behind.
func (s *Service) CheckItemLink(ctx context.Context, metadata json.RawMessage, result string) (*ItemLink, error) {
	var md struct {
		InvariantID string `json:"invariant_id"`
		Environment string `json:"environment"`
	}
	var v aeso.Validation
	if len(metadata) == 0 || json.Unmarshal(metadata, &md) != nil {
		v.Add("metadata.invariant_id", "required", "an invariant_result item names its invariant and environment in metadata: {\"invariant_id\": \"INV-…\", \"environment\": \"production\"}")
		return nil, v.Err()
	}
	link := &ItemLink{InvariantID: md.InvariantID, Environment: md.Environment, Status: result}
	if !IDPattern.MatchString(md.InvariantID) {
		v.Add("metadata.invariant_id", "pattern", "must be an invariant ID such as INV-BILLING-001")
	}
	if !envPattern.MatchString(md.Environment) || len(md.Environment) > 64 {
		v.Add("metadata.environment", "pattern", "is required: lowercase letters, digits, '.', '_' or '-' (e.g. production)")
	}
	switch result {
	case StatusPass, StatusFail, StatusError:
	default:
		v.Add("result", "enum", "an invariant_result item's result must be pass, fail or error")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	// On an evidence item these are problems with the item's metadata.
	d, err := s.definition(ctx, link.InvariantID)
	switch {
	case aeso.ErrorCode(err) == aeso.ENOTFOUND:
		v.Add("metadata.invariant_id", "unknown_invariant", "is not defined in the config's invariants section")
	case err != nil:
		return nil, err
	case d.RetiredAt != nil:
		v.Add("metadata.invariant_id", "invariant_retired", "is retired and takes no new results")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return link, nil
}

// ItemResult is the invariant result an item carries, linked to its bundle
// and item. The evidence service stores it with the item in one
// transaction, so neither record exists without the other and a retry after
// a failure cannot leave a duplicate item behind.
func (s *Service) ItemResult(o audit.Origin, link *ItemLink, bundleID, itemID string, observed time.Time, expires *time.Time, correlationID string) *Result {
	return &Result{
		ID: s.NewID(), InvariantID: link.InvariantID, Status: link.Status, Environment: link.Environment,
		ObservedAt: observed, RecordedAt: s.Now().UTC().Truncate(time.Microsecond), CorrelationID: correlationID,
		BundleID: bundleID, ItemID: itemID, ExpiresAt: expires, Details: json.RawMessage(`{}`), Source: o.Source,
	}
}
