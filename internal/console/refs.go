package console

import (
	"net/url"
	"strings"
)

// refURL is the console page of the row a ref names ("kind:id", as posture
// and gate reasons print it), or "" for a kind the console does not know.
// It is the one place refs become console links; docs/console.md lists the
// same table.
func refURL(ref string) string {
	kind, id, ok := strings.Cut(ref, ":")
	if !ok || id == "" {
		return ""
	}
	e := url.PathEscape
	switch kind {
	case "component":
		return "/ui/components/" + e(id)
	case "component_status":
		return "/ui/component-reports/" + e(id)
	case "invariant":
		return "/ui/invariants/" + e(id)
	case "invariant_result":
		return "/ui/invariant-results/" + e(id)
	case "bundle":
		// A sealed bundle is printed with its digest; the page is the
		// bundle's, and the digest is checked there.
		bundle, digest, _ := strings.Cut(id, "@")
		if digest != "" {
			return "/ui/evidence/" + e(bundle) + "?digest=" + url.QueryEscape(digest)
		}
		return "/ui/evidence/" + e(bundle)
	case "item":
		return "/ui/evidence/items/" + e(id)
	case "gate":
		return "/ui/gates/" + e(id)
	case "gate_rule":
		gate, rule, _ := strings.Cut(id, "/")
		return "/ui/gates/" + e(gate) + "/rules/" + e(rule)
	case "gate_result":
		return "/ui/gate-results/" + e(id)
	case "waiver":
		return "/ui/waivers/" + e(id)
	case "gate_withdrawal":
		return "/ui/withdrawals/" + e(id)
	case "guard_report":
		return "/ui/guard-reports/" + e(id)
	case "reconciliation":
		if id == "*" {
			return "/ui/reconciliations?open=true"
		}
		return "/ui/reconciliations/" + e(id)
	case "snapshot":
		return "/ui/snapshots/" + e(id)
	}
	return ""
}
