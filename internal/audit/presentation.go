package audit

import (
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/aeso-dev/aeso/internal/redact"
)

// MaxSafeDetailLen bounds each value in safe_details.
const MaxSafeDetailLen = 256

// Presentation is the display model computed from the registry at read time,
// so a registry update improves old rows without touching them.
type Presentation struct {
	ActorLabel      string
	TargetLabel     string
	TargetTypeLabel string
	ActionLabel     string
	ActionCategory  string
	ActionFamily    string
	Summary         string
	ResultLabel     string
	Severity        string
	SafeDetails     map[string]any
	DebugRefs       DebugRefs
	Registered      bool
}

// DebugRefs are stable pivots into logs, traces and object history.
type DebugRefs struct {
	CorrelationID string
	TraceID       string
	RequestID     string
	ActorRef      string
	TargetRef     string
}

var resultLabels = map[string]string{
	ResultSuccess: "Succeeded",
	ResultFailure: "Failed",
	ResultDenied:  "Denied",
}

// Present computes the presentation of e under r.
func (r *Registry) Present(e *Event) Presentation {
	p := Presentation{
		ActorLabel:  actorLabel(e),
		TargetLabel: e.TargetDisplayName,
		ResultLabel: resultLabels[e.Result],
		SafeDetails: map[string]any{},
		DebugRefs: DebugRefs{
			CorrelationID: e.CorrelationID,
			TraceID:       e.TraceID,
			RequestID:     e.RequestID,
			ActorRef:      actorRef(e),
		},
	}
	if p.TargetLabel == "" {
		p.TargetLabel = e.TargetID
	}
	if e.TargetType != "" {
		p.DebugRefs.TargetRef = e.TargetType + ":" + e.TargetID
	}
	def := r.Lookup(e.Action)
	if def == nil {
		p.ActionLabel = humanize(e.Action)
		p.ActionCategory = CategoryUncategorized
		p.ActionFamily = humanize(strings.SplitN(e.Action, ".", 2)[0])
		p.TargetTypeLabel = humanize(e.TargetType)
		p.Severity = "info"
		if e.Result != ResultSuccess {
			p.Severity = "medium"
		}
		p.Summary = fallbackSummary(e, &p)
		return p
	}
	p.Registered = true
	p.ActionLabel = def.Label
	p.ActionCategory = def.Category
	p.ActionFamily = def.Family
	p.TargetTypeLabel = def.TargetTypeLabel
	if p.TargetTypeLabel == "" {
		p.TargetTypeLabel = humanize(e.TargetType)
	}
	p.Severity = def.Severity.Success
	if e.Result != ResultSuccess {
		p.Severity = def.Severity.Failure
	}
	p.SafeDetails = safeDetails(e.Metadata, def.SafeDetails)
	if def.Summary == "" {
		p.Summary = fallbackSummary(e, &p)
	} else {
		p.Summary = renderSummary(def.Summary, &p)
	}
	return p
}

func actorLabel(e *Event) string {
	name := e.ActorDisplayName
	switch {
	case name != "":
	case e.ActorUserID != "":
		name = e.ActorUserID
	default:
		return "service account " + e.ActorServiceAccountID
	}
	if e.ActorUserID != "" && e.ActorServiceAccountID != "" {
		return name + " (via " + e.ActorServiceAccountID + ")"
	}
	return name
}

func actorRef(e *Event) string {
	if e.ActorUserID != "" {
		return "user:" + e.ActorUserID
	}
	return "service_account:" + e.ActorServiceAccountID
}

// acronyms stay upper-case in fallback labels ("API key", not "Api key").
var acronyms = map[string]bool{
	"api": true, "id": true, "url": true, "ip": true, "ssh": true, "dns": true, "tls": true,
	"ci": true, "cd": true, "db": true, "sql": true, "iam": true, "sso": true, "uat": true,
	"ui": true, "mfa": true, "otp": true, "vpn": true, "acl": true, "http": true,
}

// humanize turns "credentials.api_key.rotate" into "Credentials API key rotate".
func humanize(s string) string {
	words := strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == '_' })
	for i, w := range words {
		if acronyms[w] {
			words[i] = strings.ToUpper(w)
		}
	}
	s = strings.Join(words, " ")
	if s == "" {
		return ""
	}
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[n:]
}

func fallbackSummary(e *Event, p *Presentation) string {
	var b strings.Builder
	b.WriteString(p.ActorLabel)
	b.WriteString(" performed ")
	b.WriteString(e.Action)
	if e.TargetType != "" {
		b.WriteString(" on ")
		b.WriteString(p.TargetTypeLabel)
		if p.TargetLabel != "" {
			b.WriteString(" ")
			b.WriteString(p.TargetLabel)
		}
	}
	if e.Result != ResultSuccess {
		b.WriteString(" (")
		b.WriteString(strings.ToLower(p.ResultLabel))
		b.WriteString(")")
	}
	return b.String()
}

func renderSummary(tmpl string, p *Presentation) string {
	s := placeholderRE.ReplaceAllStringFunc(tmpl, func(m string) string {
		switch m {
		case "{actor}":
			return p.ActorLabel
		case "{target}":
			return p.TargetLabel
		case "{target_type}":
			return p.TargetTypeLabel
		case "{action}":
			return p.ActionLabel
		case "{result}":
			return strings.ToLower(p.ResultLabel)
		}
		return m
	})
	return strings.Join(strings.Fields(s), " ")
}

// safeDetails keeps only allowlisted top-level keys whose values are scalars
// and not secret. Metadata was redacted at ingest; values are checked again
// here because the allowlist may change after a row was written.
func safeDetails(metadata json.RawMessage, allowed []string) map[string]any {
	out := map[string]any{}
	if len(allowed) == 0 || len(metadata) == 0 {
		return out
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(metadata, &m) != nil {
		return out
	}
	for _, k := range allowed {
		raw, ok := m[k]
		if !ok || redact.KeyLooksSecret(k) {
			continue
		}
		var v any
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.UseNumber()
		if dec.Decode(&v) != nil {
			continue
		}
		switch x := v.(type) {
		case string:
			if x == redact.Placeholder || redact.ValueLooksSecret(x) {
				continue
			}
			out[k] = truncate(x, MaxSafeDetailLen)
		case json.Number:
			if redact.ValueLooksSecret(x.String()) {
				continue
			}
			out[k] = x
		case bool:
			out[k] = x
		}
	}
	return out
}

// truncate cuts s to at most n bytes on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
