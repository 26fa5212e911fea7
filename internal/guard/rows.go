package guard

import (
	"context"

	"github.com/aeso-dev/aeso"
)

// Report returns one report of guard name ("" for any guard) by id, the
// row a guard_report ref names.
func (s *Service) Report(ctx context.Context, name, id string) (*Report, error) {
	if err := aeso.CheckID("id", id); err != nil {
		return nil, err
	}
	r, err := s.Store.GuardReport(ctx, id)
	if err != nil {
		return nil, err
	}
	if name != "" && r.Guard != name {
		return nil, aeso.Reasonf(aeso.ENOTFOUND, "guard_report_not_found", "guard %s has no report with this id", name)
	}
	return r, nil
}
