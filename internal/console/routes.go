package console

import (
	"net/http"

	"github.com/aeso-dev/aeso/internal/auth"
)

// route is one console page. Public pages need no session (the sign-in
// page); every other one needs a session, and Scope, when set, names what
// its token must hold. Nav, when set, puts the page in the navigation,
// shown only to tokens that may open it.
type route struct {
	Method  string
	Path    string
	Scope   string
	Public  bool
	Nav     string
	handler func(w http.ResponseWriter, r *http.Request, v *visit)
}

// routes lists every console page in one place. A page of a kind of row is
// one line here and one handler; until a kind has a page of its own, its
// rows open in the generic row page, which shows what GET /v1/refs/{ref}
// answers, so every link refURL makes leads somewhere.
func (c *Console) routes() []route {
	return []route{
		{"GET", "/ui/{$}", auth.ScopeStatusRead, false, "Posture", c.handlePosture},
		{"GET", "/ui/audit", auth.ScopeAuditRead, false, "Audit", c.handleAudit},
		{"GET", "/ui/audit/{id}", auth.ScopeAuditRead, false, "", c.handleEvent},

		{"GET", "/ui/signin", "", true, "", c.handleSignInForm},
		{"POST", "/ui/signin", "", true, "", c.handleSignIn},
		{"POST", "/ui/signout", "", false, "", c.handleSignOut},

		{"GET", "/ui/evidence", auth.ScopeEvidenceRead, false, "Evidence", c.handleEvidence},
		{"GET", "/ui/evidence/{id}", auth.ScopeEvidenceRead, false, "", c.handleBundle},
		{"GET", "/ui/evidence/export/{id}", auth.ScopeEvidenceRead, false, "", c.handleBundleExport},
		{"GET", "/ui/evidence/items/{id}", auth.ScopeEvidenceRead, false, "", c.handleItem},
		{"GET", "/ui/gates", auth.ScopeStatusRead, false, "Gates", c.handleGates},
		{"GET", "/ui/gates/{name}", auth.ScopeStatusRead, false, "", c.handleGate},
		{"GET", "/ui/gate-results/{id}", auth.ScopeStatusRead, false, "", c.handleGateResult},
		{"GET", "/ui/waivers/{id}", auth.ScopeStatusRead, false, "", c.handleWaiver},
		{"GET", "/ui/invariants", auth.ScopeEvidenceRead, false, "Invariants", c.handleInvariants},
		{"GET", "/ui/invariants/{id}", auth.ScopeEvidenceRead, false, "", c.handleInvariant},
		{"GET", "/ui/invariant-results/{id}", auth.ScopeEvidenceRead, false, "", c.handleInvariantResult},
		{"GET", "/ui/guard-reports/{id}", auth.ScopeEvidenceRead, false, "", c.handleGuardReport},
		{"GET", "/ui/snapshots", auth.ScopeStatusRead, false, "Snapshots", c.handleSnapshots},
		{"GET", "/ui/snapshots/{id}", auth.ScopeStatusRead, false, "", c.handleSnapshot},
		{"GET", "/ui/components/{name}", auth.ScopeStatusRead, false, "", c.handleComponent},
		{"GET", "/ui/component-reports/{id}", auth.ScopeStatusRead, false, "", c.handleComponentReport},
		{"GET", "/ui/reconciliations", auth.ScopeStatusRead, false, "Reconciliations", c.handleReconciliations},
		{"GET", "/ui/reconciliations/{id}", auth.ScopeStatusRead, false, "", c.handleReconciliation},
		{"GET", "/ui/gates/{name}/rules/{rule}", auth.ScopeStatusRead, false, "", c.handleGateRule},
		{"GET", "/ui/withdrawals/{id}", auth.ScopeStatusRead, false, "", c.handleWithdrawal},
		{"GET", "/ui/refs/{kind}/{id...}", "", false, "", c.handleRef},
	}
}

// Paths lists every console page's method and path, for tests and docs.
func (c *Console) Paths() []string {
	var out []string
	for _, rt := range c.routes() {
		out = append(out, rt.Method+" "+rt.Path)
	}
	return out
}

// navItem is one entry of the navigation.
type navItem struct {
	Label, Path string
	Current     bool
}

// nav lists the pages p may open, marking the one at path.
func (c *Console) nav(p *auth.Principal, pattern string) []navItem {
	var out []navItem
	for _, rt := range c.routes() {
		if rt.Nav == "" || rt.Scope != "" && (p == nil || !p.Has(rt.Scope)) {
			continue
		}
		path := rt.Path
		if path == "/ui/{$}" {
			path = "/ui/"
		}
		out = append(out, navItem{Label: rt.Nav, Path: path, Current: pattern == rt.Method+" "+rt.Path})
	}
	return out
}
