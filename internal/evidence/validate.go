package evidence

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/redact"
	"github.com/aeso-dev/aeso/internal/report"
)

// Bounds of bundles and items: evidence is summarised, never stored whole.
const (
	MaxLabels     = 32
	MaxLinks      = 20
	MaxSummary    = 4096
	MaxURL        = 2048
	MaxTextField  = 256
	MaxReasonText = 1024
)

var (
	labelKeyPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9._/-]{0,61}[a-z0-9])?$`)
	stagePattern    = regexp.MustCompile(`^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$`)
	sha256Pattern   = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// BundleRequest creates a bundle. Its JSON form is wire.BundleRequest.
type BundleRequest struct {
	Kind          string
	Subject       Subject
	Title         string
	Labels        map[string]string
	CorrelationID string
	Owner         string
}

// ItemRequest adds an item to an open bundle. Its JSON form is
// wire.ItemRequest.
type ItemRequest struct {
	Type          string
	Name          string
	Result        string
	Counts        report.Counts
	Summary       string
	Links         []Link
	Source        Source
	ObservedAt    string // default: now
	ExpiresAt     string
	CorrelationID string
	Metadata      json.RawMessage
}

// PromoteRequest promotes a sealed bundle to a stage.
type PromoteRequest struct {
	Stage  string
	Reason string
}

// SupersedeRequest corrects a sealed bundle with a new one. Fields left
// empty are taken from the bundle superseded.
type SupersedeRequest struct {
	Reason        string
	Title         string
	Labels        map[string]string
	CorrelationID string
	Owner         string
}

// text checks a bounded free-text field: valid UTF-8, no control
// characters (newlines allowed when multiline), and no secret.
func text(v *aeso.Validation, field, s string, max int, required, multiline bool) {
	switch {
	case s == "" && required:
		v.Add(field, "required", "is required")
	case !utf8.ValidString(s):
		v.Add(field, "encoding", "must be valid UTF-8")
	case len(s) > max:
		v.Add(field, "too_long", "must be at most %d bytes", max)
	case aeso.UnsafeText(s, multiline):
		v.Add(field, "control_character", "must not contain control characters, bidirectional overrides or line separators")
	case redact.TextLooksSecret(s):
		v.Add(field, "secret_detected", "looks like a secret; evidence holds summaries, never credentials")
	}
}

func oneOf(v *aeso.Validation, field, s string, allowed []string) {
	if s == "" {
		v.Add(field, "required", "is required: one of %s", strings.Join(allowed, ", "))
		return
	}
	for _, a := range allowed {
		if s == a {
			return
		}
	}
	v.Add(field, "enum", "must be one of %s", strings.Join(allowed, ", "))
}

func labels(v *aeso.Validation, m map[string]string) {
	if len(m) > MaxLabels {
		v.Add("labels", "too_many", "at most %d labels", MaxLabels)
		return
	}
	for k, val := range m {
		if !labelKeyPattern.MatchString(k) {
			v.Add("labels", "key", "label keys are lowercase letters, digits, '.', '_', '/' or '-', at most 63 characters")
			continue
		}
		if redact.TextLooksSecret(k) { // not echoed in the field
			v.Add("labels", "secret_detected", "a label's name looks like a secret; evidence holds summaries, never credentials")
			continue
		}
		// Audit metadata redacts a value by its key; a label is sealed for
		// good, so one whose name marks it secret is refused instead.
		if redact.KeyLooksSecret(k) {
			v.Add("labels."+k, "secret_detected", "the label's name marks its value as a secret; evidence holds summaries, never credentials")
			continue
		}
		text(v, "labels."+k, val, 128, false, false)
	}
}

// Validate checks a bundle request.
func (r *BundleRequest) Validate() error {
	var v aeso.Validation
	r.normalize()
	oneOf(&v, "kind", r.Kind, Kinds)
	text(&v, "subject.name", r.Subject.Name, 128, true, false)
	if strings.Contains(r.Subject.Name, "@") {
		// A gate reads its subject "api@v1.4.2" as name api at ref v1.4.2:
		// a name holding @ could never be asked for.
		v.Add("subject.name", "format", "must not contain @: a gate asks for name@ref, so give the ref as subject.ref")
	}
	text(&v, "subject.ref", r.Subject.Ref, MaxTextField, true, false)
	text(&v, "title", r.Title, MaxTextField, true, false)
	text(&v, "correlation_id", r.CorrelationID, 128, false, false)
	text(&v, "owner", r.Owner, 128, false, false)
	labels(&v, r.Labels)
	return v.Err()
}

func (r *BundleRequest) normalize() {
	r.Subject.Name, r.Subject.Ref = strings.TrimSpace(r.Subject.Name), strings.TrimSpace(r.Subject.Ref)
	r.Title, r.Owner, r.CorrelationID = strings.TrimSpace(r.Title), strings.TrimSpace(r.Owner), strings.TrimSpace(r.CorrelationID)
}

// Validate checks an item request and returns the times it carries.
func (r *ItemRequest) validate(now time.Time, sum *report.Summary) (observed time.Time, expires *time.Time, md redact.Result, err error) {
	var v aeso.Validation
	oneOf(&v, "type", r.Type, ItemTypes)
	r.Name = strings.TrimSpace(r.Name)
	text(&v, "name", r.Name, MaxTextField, true, false)
	oneOf(&v, "result", r.Result, Results)
	checkCounts(&v, r.Result, r.Counts, sum)
	if sum == nil && r.Type == TypeTestReport && r.Result == "pass" && r.Counts.Passed == 0 {
		// A test report proves what passed: one that counts no passed test
		// (none at all, or every one skipped) proves nothing, as an upload
		// of it would be error or skip.
		v.Add("counts.passed", "required", "a test_report that passes counts the tests that passed (at least 1); send skip if every test was skipped")
	}
	text(&v, "summary", r.Summary, MaxSummary, false, true)
	text(&v, "correlation_id", r.CorrelationID, 128, false, false)
	text(&v, "source.runner", r.Source.Runner, 128, false, false)
	if r.Source.URL != "" {
		checkURL(&v, "source.url", r.Source.URL)
	}
	if len(r.Links) > MaxLinks {
		v.Add("links", "too_many", "at most %d links", MaxLinks)
	}
	for i, l := range r.Links {
		f := fmt.Sprintf("links[%d]", i)
		checkURL(&v, f+".url", l.URL)
		if !sha256Pattern.MatchString(l.SHA256) {
			v.Add(f+".sha256", "format", "must be the artifact's SHA-256 as 64 lowercase hex digits")
		}
		if l.Size < 0 {
			v.Add(f+".size", "negative", "must be the artifact's size in bytes")
		}
		text(&v, f+".name", l.Name, MaxTextField, false, false)
	}
	observed = now
	if r.ObservedAt != "" {
		observed = parseTime(&v, "observed_at", r.ObservedAt)
		switch {
		case observed.After(now.Add(aeso.MaxClockSkew)):
			v.Add("observed_at", "future", "lies more than %s in the future", aeso.MaxClockSkew)
		case observed.After(now):
			// Within the skew: recorded as now, as aeso.ObservedAt does (an
			// invariant_result item's time is its result's).
			observed = now
		}
	}
	if r.ExpiresAt != "" {
		t := parseTime(&v, "expires_at", r.ExpiresAt)
		if !t.IsZero() && !observed.IsZero() && !t.After(observed) {
			v.Add("expires_at", "order", "must lie after observed_at")
		}
		expires = &t
	}
	res, p := redact.Object(r.Metadata, redact.MetadataLimits())
	if p != nil {
		field := "metadata"
		if p.Path != "" {
			field += "." + p.Path
		}
		v.Add(field, p.Code, "%s", p.Message)
	} else if path, found := redact.InexactNumber(res.JSON); found {
		// The seal's canonical JSON could not keep this number's value.
		v.Add(redact.Field("metadata", path), redact.CodeNumberNotExact, "%s", inexactMessage)
	}
	return observed.UTC().Truncate(time.Microsecond), expires, res, v.Err()
}

// parseTime reads an RFC 3339 time bounded to four-digit UTC years.
func parseTime(v *aeso.Validation, field, s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		v.Add(field, "format", "must be an RFC 3339 timestamp (e.g. 2026-01-02T15:04:05Z)")
		return time.Time{}
	}
	if y := t.UTC().Year(); y < 1970 || y > 9999 {
		v.Add(field, "range", "must lie between 1970 and 9999")
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

// checkURL accepts http(s) URLs without credentials in them.
func checkURL(v *aeso.Validation, field, s string) {
	u, err := url.Parse(s)
	switch {
	case len(s) > MaxURL:
		v.Add(field, "too_long", "must be at most %d bytes", MaxURL)
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		v.Add(field, "format", "must be an http or https URL")
	case u.User != nil:
		v.Add(field, "credentials", "must not carry a user or password; link to artifacts, not to credentials")
	case redact.ValueLooksSecret(s) || signedQuery(u):
		// Evidence is sealed and never deleted: a signed or tokened URL
		// would keep its credential for good.
		v.Add(field, "secret_detected", "carries a credential (a token or signature parameter); link to a URL without one")
	}
}

// signedQuery reports whether a URL's query names a credential: a token,
// a key, or a signature as in pre-signed object store links.
func signedQuery(u *url.URL) bool {
	for k := range u.Query() {
		lk := strings.ToLower(k)
		if redact.KeyLooksSecret(k) || lk == "sig" || strings.HasPrefix(lk, "x-amz-") || strings.HasPrefix(lk, "x-goog-") {
			return true
		}
	}
	return false
}

// Validate checks a promotion request.
func (r *PromoteRequest) Validate() error {
	var v aeso.Validation
	switch {
	case r.Stage == "":
		v.Add("stage", "required", "is required: the stage the bundle reached (e.g. production-ready)")
	case !stagePattern.MatchString(r.Stage):
		v.Add("stage", "pattern", "must be lowercase letters, digits, '.', '_' or '-' (e.g. production-ready), at most 64 characters")
	case redact.ValueLooksSecret(r.Stage):
		// A card number fits the pattern; the stage is sealed into history.
		v.Add("stage", "secret_detected", "looks like a secret (a card number); name the stage (e.g. production-ready)")
	}
	text(&v, "reason", strings.TrimSpace(r.Reason), MaxReasonText, true, true)
	return v.Err()
}

// Validate checks a supersession request.
func (r *SupersedeRequest) Validate() error {
	var v aeso.Validation
	text(&v, "reason", strings.TrimSpace(r.Reason), MaxReasonText, true, true)
	text(&v, "title", r.Title, MaxTextField, false, false)
	text(&v, "correlation_id", r.CorrelationID, 128, false, false)
	text(&v, "owner", r.Owner, 128, false, false)
	labels(&v, r.Labels)
	return v.Err()
}

// checkCounts refuses counts that contradict themselves or the result: a
// stored item is evidence, and `pass` with nine failures, or a total of
// one with nine failed, would be believed by whoever reads only the
// result. A report's counts add up as report.Counts.AddsUp defines for
// its format; a manual item's total is passed + failed + skipped + errored
// whenever any of those is given (a bare total, or warnings alone, count
// something else and are kept as given).
//
// Each count is at most report.MaxCount: the seal writes counts as JSON
// numbers, and a count it cannot write exactly would leave the bundle
// unsealable. Within the bound the sums below cannot overflow.
func checkCounts(v *aeso.Validation, result string, c report.Counts, sum *report.Summary) {
	if c.Total < 0 || c.Passed < 0 || c.Failed < 0 || c.Errored < 0 || c.Skipped < 0 || c.Warnings < 0 ||
		c.Notes < 0 || c.None < 0 || c.Suppressed < 0 || c.Duplicates < 0 {
		v.Add("counts", "negative", "counts must not be negative")
		return
	}
	tooLarge := false
	for _, n := range []struct {
		name  string
		count int
	}{{"total", c.Total}, {"passed", c.Passed}, {"failed", c.Failed}, {"errored", c.Errored}, {"skipped", c.Skipped},
		{"warnings", c.Warnings}, {"notes", c.Notes}, {"none", c.None}, {"suppressed", c.Suppressed}, {"duplicates", c.Duplicates}} {
		if int64(n.count) > report.MaxCount {
			v.Add("counts."+n.name, "range", "must be at most %d (2^53): a larger count is not exact as a JSON number", report.MaxCount)
			tooLarge = true
		}
	}
	if tooLarge {
		return
	}
	tests := c.Passed + c.Failed + c.Skipped + c.Errored
	switch {
	case sum != nil && !c.AddsUp(sum.Format):
		v.Add("counts", "inconsistent", "the counts of the %s report do not add up", sum.Format)
	case sum == nil && tests > 0 && c.Total != tests:
		v.Add("counts", "inconsistent", "total must equal passed + failed + skipped + errored (%d)", tests)
	}
	if result == "pass" && (c.Failed > 0 || c.Errored > 0) {
		v.Add("result", "contradicts_counts", "cannot be pass with failed or errored counts")
	}
}
