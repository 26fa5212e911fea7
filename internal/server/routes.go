package server

import (
	"net/http"

	"github.com/aeso-dev/aeso/internal/auth"
)

// Route is one endpoint and the scope it requires ("" for public).
type Route struct {
	Method  string
	Path    string
	Scope   string
	handler http.HandlerFunc
}

// routes lists every endpoint in one place.
func (s *Server) routes() []Route {
	return []Route{
		{"GET", "/healthz", "", s.handleHealthz},
		{"GET", "/readyz", "", s.handleReadyz},
		{"GET", "/metrics", "", s.handleMetrics},
		{"GET", "/openapi.json", "", s.handleOpenAPI},

		{"POST", "/v1/audit/events", auth.ScopeAuditWrite, s.handleIngestEvents},
		{"GET", "/v1/audit/events", auth.ScopeAuditRead, s.handleListEvents},
		{"GET", "/v1/audit/events/{id}", auth.ScopeAuditRead, s.handleGetEvent},
		{"GET", "/v1/audit/actions", auth.ScopeAuditRead, s.handleListActions},
		{"GET", "/v1/audit/key", "", s.handleAuditKey},
		{"GET", "/v1/audit/checkpoint", auth.ScopeAuditRead, s.handleCheckpoint},
		{"GET", "/v1/audit/proof/inclusion", auth.ScopeAuditRead, s.handleInclusionProof},
		{"GET", "/v1/audit/proof/consistency", auth.ScopeAuditRead, s.handleConsistencyProof},
		{"GET", "/v1/audit/export", auth.ScopeAuditRead, s.handleExportLog},
		// C2SP tlog-tiles. A tile index N spans one to three path segments
		// (x001/x234/067: up to 10^9 tiles), and a partial tile adds ".p/W".
		{"GET", "/v1/audit/tlog/checkpoint", auth.ScopeAuditRead, s.handleCheckpoint},
		{"GET", "/v1/audit/tlog/tile/{level}/{n0}", auth.ScopeAuditRead, s.handleTile},
		{"GET", "/v1/audit/tlog/tile/{level}/{n0}/{n1}", auth.ScopeAuditRead, s.handleTile},
		{"GET", "/v1/audit/tlog/tile/{level}/{n0}/{n1}/{n2}", auth.ScopeAuditRead, s.handleTile},
		{"GET", "/v1/audit/tlog/tile/{level}/{n0}/{n1}/{n2}/{n3}", auth.ScopeAuditRead, s.handleTile},

		{"POST", "/v1/evidence/bundles", auth.ScopeEvidenceWrite, s.handleCreateBundle},
		{"GET", "/v1/evidence/bundles", auth.ScopeEvidenceRead, s.handleListBundles},
		{"GET", "/v1/evidence/bundles/latest", auth.ScopeEvidenceRead, s.handleLatestBundle},
		{"GET", "/v1/evidence/bundles/{id}", auth.ScopeEvidenceRead, s.handleGetBundle},
		{"POST", "/v1/evidence/bundles/{id}/items", auth.ScopeEvidenceWrite, s.handleAddItem},
		{"POST", "/v1/evidence/bundles/{id}/reports", auth.ScopeEvidenceWrite, s.handleAddReport},
		{"POST", "/v1/evidence/bundles/{id}/seal", auth.ScopeEvidenceWrite, s.handleSealBundle},
		{"POST", "/v1/evidence/bundles/{id}/promote", auth.ScopeEvidenceWrite, s.handlePromoteBundle},
		{"POST", "/v1/evidence/bundles/{id}/supersede", auth.ScopeEvidenceWrite, s.handleSupersedeBundle},
		{"GET", "/v1/evidence/bundles/{id}/export", auth.ScopeEvidenceRead, s.handleExportBundle},
		{"GET", "/v1/evidence/items/{id}", auth.ScopeEvidenceRead, s.handleGetItem},

		{"GET", "/v1/invariants", auth.ScopeEvidenceRead, s.handleListInvariants},
		{"GET", "/v1/invariants/{id}", auth.ScopeEvidenceRead, s.handleGetInvariant},
		{"POST", "/v1/invariants/{id}/results", auth.ScopeEvidenceWrite, s.handleAddInvariantResult},
		{"GET", "/v1/invariants/{id}/results", auth.ScopeEvidenceRead, s.handleInvariantHistory},
		{"GET", "/v1/invariants/{id}/results/{result_id}", auth.ScopeEvidenceRead, s.handleGetInvariantResult},

		{"POST", "/v1/guards/{name}/reports", auth.ScopeEvidenceWrite, s.handleAddGuardReport},
		{"GET", "/v1/guards/{name}/reports", auth.ScopeEvidenceRead, s.handleGuardReports},
		{"GET", "/v1/guards/{name}/reports/latest", auth.ScopeEvidenceRead, s.handleLatestGuardReport},
		{"GET", "/v1/guards/{name}/reports/{id}", auth.ScopeEvidenceRead, s.handleGetGuardReport},
		{"POST", "/v1/guards/{name}/reports/sarif", auth.ScopeEvidenceWrite, s.handleAddGuardSARIF},

		{"GET", "/v1/gates", auth.ScopeStatusRead, s.handleListGates},
		{"GET", "/v1/gates/{name}", auth.ScopeStatusRead, s.handleGetGate},
		{"GET", "/v1/gates/{name}/rules/{rule}", auth.ScopeStatusRead, s.handleGetGateRule},
		{"POST", "/v1/gates/{name}/evaluate", auth.ScopeGatesWrite, s.handleEvaluateGate},
		{"GET", "/v1/gates/{name}/results", auth.ScopeStatusRead, s.handleGateResults},
		{"GET", "/v1/gates/{name}/results/latest", auth.ScopeStatusRead, s.handleLatestGateResult},
		{"GET", "/v1/gates/{name}/results/{id}", auth.ScopeStatusRead, s.handleGetGateResult},
		{"POST", "/v1/gates/{name}/waivers", auth.ScopeGatesOverride, s.handleCreateWaiver},
		{"GET", "/v1/gates/{name}/waivers", auth.ScopeStatusRead, s.handleListWaivers},
		{"GET", "/v1/gates/{name}/waivers/{id}", auth.ScopeStatusRead, s.handleGetWaiver},
		{"POST", "/v1/gates/{name}/withdrawals", auth.ScopeGatesOverride, s.handleWithdrawSubject},
		{"GET", "/v1/gates/{name}/withdrawals", auth.ScopeStatusRead, s.handleListWithdrawals},
		{"GET", "/v1/gates/{name}/withdrawals/{id}", auth.ScopeStatusRead, s.handleGetWithdrawal},

		{"GET", "/v1/components", auth.ScopeStatusRead, s.handleListComponents},
		{"GET", "/v1/components/{name}", auth.ScopeStatusRead, s.handleGetComponent},
		{"POST", "/v1/components/{name}/status", auth.ScopeStatusWrite, s.handlePushComponentStatus},
		{"GET", "/v1/components/{name}/history", auth.ScopeStatusRead, s.handleComponentHistory},
		{"GET", "/v1/components/{name}/history/{id}", auth.ScopeStatusRead, s.handleGetComponentReport},

		{"POST", "/v1/reconciliations", auth.ScopeStatusWrite, s.handleCreateReconciliation},
		{"GET", "/v1/reconciliations", auth.ScopeStatusRead, s.handleListReconciliations},
		{"GET", "/v1/reconciliations/{id}", auth.ScopeStatusRead, s.handleGetReconciliation},
		{"POST", "/v1/reconciliations/{id}/transitions", auth.ScopeStatusWrite, s.handleTransitionReconciliation},
		{"GET", "/v1/status", auth.ScopeStatusRead, s.handleStatus},
		{"POST", "/v1/status/snapshots", auth.ScopeStatusWrite, s.handleTakeSnapshot},
		{"GET", "/v1/status/snapshots", auth.ScopeStatusRead, s.handleListSnapshots},
		{"GET", "/v1/status/snapshots/{id}", auth.ScopeStatusRead, s.handleGetSnapshot},

		// A ref exactly as a reason prints it ("gate_result:<id>"), as one
		// path segment: escaped, so the "/" of a gate_rule ref is "%2F".
		{"GET", "/v1/refs/{ref}", ScopeAnyToken, s.handleResolveRef},

		{"POST", "/v1/tokens", auth.ScopeAdmin, s.handleCreateToken},
		{"GET", "/v1/tokens", auth.ScopeAdmin, s.handleListTokens},
		{"POST", "/v1/tokens/{id}/revoke", auth.ScopeAdmin, s.handleRevokeToken},
	}
}

// Routes returns the route table without handlers, for tests and docs.
func (s *Server) Routes() []Route {
	rs := s.routes()
	for i := range rs {
		rs[i].handler = nil
	}
	return rs
}
