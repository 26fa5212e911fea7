package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/auth"
	"github.com/aeso-dev/aeso/internal/reconcile"
	"github.com/aeso-dev/aeso/wire"
)

// ScopeAnyToken marks a route any valid token may call; the handler checks
// the scope of what it reads. It is not a scope a token can carry.
const ScopeAnyToken = "any-token"

// refKind is one kind of ref: the scope reading it needs and how to read
// it. id is what follows "kind:"; it has passed the kind's syntax check.
type refKind struct {
	scope string
	check func(id string) bool
	read  func(s *Server, ctx context.Context, id string) (url string, object any, err error)
}

func isUUID(id string) bool { return aeso.CheckID("ref", id) == nil }
func nonEmpty(id string) bool {
	return id != "" && !strings.ContainsAny(id, "/?#") && strings.TrimSpace(id) == id
}

// esc escapes one path segment of a canonical URL.
func esc(s string) string { return url.PathEscape(s) }

// refKinds lists every kind a posture reason, a gate reason or a snapshot
// names, and a few more a reader meets beside them (gate, snapshot).
var refKinds = map[string]refKind{
	"component": {auth.ScopeStatusRead, nonEmpty, func(s *Server, ctx context.Context, name string) (string, any, error) {
		v, err := s.Components.View(ctx, name)
		if err != nil {
			return "", nil, err
		}
		return "/v1/components/" + esc(name), componentJSON(v), nil
	}},
	"component_status": {auth.ScopeStatusRead, isUUID, func(s *Server, ctx context.Context, id string) (string, any, error) {
		rep, err := s.Components.Report(ctx, "", id)
		if err != nil {
			return "", nil, err
		}
		return "/v1/components/" + esc(rep.Component) + "/history/" + rep.ID, componentReportJSON(rep), nil
	}},
	"invariant": {auth.ScopeEvidenceRead, nonEmpty, func(s *Server, ctx context.Context, id string) (string, any, error) {
		v, err := s.Invariants.View(ctx, id, "")
		if err != nil {
			return "", nil, err
		}
		return "/v1/invariants/" + esc(id), invariantJSON(v), nil
	}},
	"invariant_result": {auth.ScopeEvidenceRead, isUUID, func(s *Server, ctx context.Context, id string) (string, any, error) {
		res, err := s.Invariants.Result(ctx, "", id)
		if err != nil {
			return "", nil, err
		}
		return "/v1/invariants/" + esc(res.InvariantID) + "/results/" + res.ID, resultJSON(res), nil
	}},
	"bundle": {auth.ScopeEvidenceRead, checkBundleRef, func(s *Server, ctx context.Context, ref string) (string, any, error) {
		id, digest, _ := strings.Cut(ref, "@")
		v, err := s.Evidence.Get(ctx, id, 0)
		if err != nil {
			return "", nil, err
		}
		switch {
		case digest == "" || v.Bundle.Digest == digest:
		case v.Bundle.Digest == "":
			return "", nil, aeso.Reasonf(aeso.ENOTFOUND, "bundle_not_found", "bundle %s is not sealed: it has no digest yet", v.Bundle.ID)
		default:
			return "", nil, aeso.Reasonf(aeso.ENOTFOUND, "bundle_not_found", "bundle %s does not have this digest: it was sealed with %s", v.Bundle.ID, v.Bundle.Digest)
		}
		return "/v1/evidence/bundles/" + v.Bundle.ID, viewJSON(v), nil
	}},
	"item": {auth.ScopeEvidenceRead, isUUID, func(s *Server, ctx context.Context, id string) (string, any, error) {
		it, err := s.Evidence.GetItem(ctx, id)
		if err != nil {
			return "", nil, err
		}
		return "/v1/evidence/items/" + it.ID, itemJSON(it, s.Now()), nil
	}},
	"gate": {auth.ScopeStatusRead, nonEmpty, func(s *Server, _ context.Context, name string) (string, any, error) {
		d, err := s.Gates.Def(name)
		if err != nil {
			return "", nil, err
		}
		return "/v1/gates/" + esc(name), gateJSON(*d), nil
	}},
	"gate_rule": {auth.ScopeStatusRead, checkGateRule, func(s *Server, _ context.Context, ref string) (string, any, error) {
		name, rule, _ := strings.Cut(ref, "/")
		gr, err := s.gateRule(name, rule)
		if err != nil {
			return "", nil, err
		}
		return "/v1/gates/" + esc(name) + "/rules/" + esc(rule), gr, nil
	}},
	"gate_result": {auth.ScopeStatusRead, isUUID, func(s *Server, ctx context.Context, id string) (string, any, error) {
		res, err := s.Gates.Result(ctx, "", id)
		if err != nil {
			return "", nil, err
		}
		out, err := s.storedGateResultOf(ctx, res)
		if err != nil {
			return "", nil, err
		}
		return "/v1/gates/" + esc(res.Gate) + "/results/" + res.ID, out, nil
	}},
	"waiver": {auth.ScopeStatusRead, isUUID, func(s *Server, ctx context.Context, id string) (string, any, error) {
		wv, err := s.Gates.Waiver(ctx, "", id)
		if err != nil {
			return "", nil, err
		}
		return "/v1/gates/" + esc(wv.Gate) + "/waivers/" + wv.ID, s.waiverJSON(wv), nil
	}},
	"gate_withdrawal": {auth.ScopeStatusRead, isUUID, func(s *Server, ctx context.Context, id string) (string, any, error) {
		wd, err := s.Gates.Withdrawal(ctx, "", id)
		if err != nil {
			return "", nil, err
		}
		return "/v1/gates/" + esc(wd.Gate) + "/withdrawals/" + wd.ID, withdrawalJSON(wd), nil
	}},
	"guard_report": {auth.ScopeEvidenceRead, isUUID, func(s *Server, ctx context.Context, id string) (string, any, error) {
		rep, err := s.Guards.Report(ctx, "", id)
		if err != nil {
			return "", nil, err
		}
		return "/v1/guards/" + esc(rep.Guard) + "/reports/" + rep.ID, guardReportJSON(rep), nil
	}},
	"reconciliation": {auth.ScopeStatusRead, func(id string) bool { return id == "*" || isUUID(id) }, func(s *Server, ctx context.Context, id string) (string, any, error) {
		if id == "*" {
			// "more than N open records": the open records, weightiest
			// first as the posture read them, up to the list's limit.
			records, err := s.Reconciliations.List(ctx, reconcile.Filter{Open: true, Limit: 500})
			if err != nil {
				return "", nil, err
			}
			out := make([]wire.Reconciliation, len(records))
			for i, rec := range records {
				out[i] = recordJSON(rec, nil)
			}
			return "/v1/reconciliations?open=true&limit=500", wire.ReconciliationList{Records: out}, nil
		}
		rec, timeline, err := s.Reconciliations.Get(ctx, id)
		if err != nil {
			return "", nil, err
		}
		return "/v1/reconciliations/" + rec.ID, recordJSON(rec, timeline), nil
	}},
	"snapshot": {auth.ScopeStatusRead, isUUID, func(s *Server, ctx context.Context, id string) (string, any, error) {
		snap, err := s.Status.GetSnapshot(ctx, id)
		if err != nil {
			return "", nil, err
		}
		p, err := snap.Decode()
		if err != nil {
			return "", nil, err
		}
		return "/v1/status/snapshots/" + snap.ID, statusJSON("snapshot", p, snap), nil
	}},
}

// checkBundleRef accepts "<id>" and "<id>@sha256:<hex>", as gate and
// posture reasons print a sealed bundle.
func checkBundleRef(ref string) bool {
	id, digest, hasDigest := strings.Cut(ref, "@")
	if !isUUID(id) {
		return false
	}
	return !hasDigest || isSHA256Digest(digest)
}

// isSHA256Digest accepts "sha256:" and 64 lowercase hex digits, the form
// every digest aeso writes takes.
func isSHA256Digest(s string) bool {
	hex, ok := strings.CutPrefix(s, "sha256:")
	if !ok || len(hex) != 64 {
		return false
	}
	for i := 0; i < len(hex); i++ {
		if c := hex[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// checkGateRule accepts "<gate>/<rule>".
func checkGateRule(ref string) bool {
	name, rule, ok := strings.Cut(ref, "/")
	return ok && nonEmpty(name) && nonEmpty(rule)
}

func invalidRef(detail string) error {
	return &aeso.Error{Code: aeso.EINVALID, Reason: "invalid_ref", Message: detail,
		Fields: []aeso.FieldError{{Field: "ref", Code: "format", Message: "must be kind:id as a reason prints it, e.g. gate_result:<uuid>"}}}
}

// parseRef splits a ref into its kind and id and checks the id's syntax.
func parseRef(ref string) (string, refKind, string, error) {
	kind, id, ok := strings.Cut(ref, ":")
	if !ok {
		return "", refKind{}, "", invalidRef("a ref is kind:id")
	}
	k, known := refKinds[kind]
	if !known {
		return "", refKind{}, "", invalidRef("unknown ref kind " + strings.ToValidUTF8(clipText(kind, 40), "?"))
	}
	if !k.check(id) {
		return "", refKind{}, "", invalidRef("malformed " + kind + " ref")
	}
	return kind, k, id, nil
}

func clipText(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// ResolveRef reads what ref names on behalf of p, as GET /v1/refs/{ref}
// does: invalid for a malformed ref, forbidden (naming the scope) when p
// may not read that kind, ref_not_found when nothing matches.
func (s *Server) ResolveRef(ctx context.Context, p *auth.Principal, ref string) (*wire.Ref, error) {
	kind, k, id, err := parseRef(ref)
	if err != nil {
		return nil, err
	}
	if p == nil || !p.Has(k.scope) {
		return nil, aeso.Reasonf(aeso.EFORBIDDEN, "forbidden", "reading a %s ref needs the scope %s", kind, k.scope)
	}
	u, obj, err := k.read(s, ctx, id)
	if aeso.ErrorCode(err) == aeso.ENOTFOUND || aeso.ErrorCode(err) == aeso.EINVALID {
		return nil, aeso.Reasonf(aeso.ENOTFOUND, "ref_not_found", "nothing matches this ref: %s", err.Error())
	} else if err != nil {
		return nil, err
	}
	body, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("encode %s ref: %w", kind, err)
	}
	return &wire.Ref{Kind: kind, Ref: ref, URL: u, Object: body}, nil
}

// RefScope returns the scope reading a ref of kind needs, and whether the
// kind is known.
func RefScope(kind string) (string, bool) {
	k, ok := refKinds[kind]
	return k.scope, ok
}

// RefKinds lists every ref kind, sorted.
func RefKinds() []string {
	out := make([]string, 0, len(refKinds))
	for k := range refKinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// handleResolveRef answers what a ref names. Any token may ask; reading
// the row needs the scope its own route needs, checked before it is read.
// A ref to nothing answers 404 ref_not_found with what was missing.
func (s *Server) handleResolveRef(w http.ResponseWriter, r *http.Request) {
	if err := onlyParams(r.URL.Query()); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.ResolveRef(r.Context(), requestInfoFrom(r.Context()).Principal, r.PathValue("ref"))
	if err == nil {
		s.writeJSON(w, r, http.StatusOK, res)
		return
	}
	switch aeso.ErrorCode(err) {
	case aeso.EFORBIDDEN:
		s.problem(w, r, http.StatusForbidden, "forbidden", err.(*aeso.Error).Message, nil)
	case aeso.ENOTFOUND:
		s.problem(w, r, http.StatusNotFound, "ref_not_found", err.(*aeso.Error).Message, nil)
	default:
		s.writeError(w, r, err)
	}
}
