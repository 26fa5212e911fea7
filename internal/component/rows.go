package component

import (
	"context"

	"github.com/aeso-dev/aeso"
)

// Report returns one report of component name's history ("" for any
// component) by id, the row a component_status ref names.
func (s *Service) Report(ctx context.Context, name, id string) (*Report, error) {
	if err := aeso.CheckID("id", id); err != nil {
		return nil, err
	}
	if name != "" {
		if _, err := s.Def(name); err != nil {
			return nil, err
		}
	}
	r, err := s.Store.ComponentReport(ctx, id)
	if err != nil {
		return nil, err
	}
	if name != "" && r.Component != name {
		return nil, aeso.Reasonf(aeso.ENOTFOUND, "component_status_not_found", "component %s has no report with this id", name)
	}
	return r, nil
}
