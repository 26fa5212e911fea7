package invariant

import (
	"context"

	"github.com/aeso-dev/aeso"
)

// Result returns one result of invariant id ("" for any invariant) by its
// own id, the row an invariant_result ref names.
func (s *Service) Result(ctx context.Context, invariantID, id string) (*Result, error) {
	if err := aeso.CheckID("result_id", id); err != nil {
		return nil, err
	}
	if invariantID != "" {
		if _, err := s.definition(ctx, invariantID); err != nil {
			return nil, err
		}
	}
	r, err := s.Store.InvariantResult(ctx, id)
	if err != nil {
		return nil, err
	}
	if invariantID != "" && r.InvariantID != invariantID {
		return nil, aeso.Reasonf(aeso.ENOTFOUND, "invariant_result_not_found", "invariant %s has no result with this id", invariantID)
	}
	return r, nil
}
