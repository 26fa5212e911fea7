package e2e

// A third party's check of the audit log: it reads events and the signed
// checkpoint over the API and recomputes the tree's root from
// docs/audit-log.md alone, with crypto/sha256 and crypto/ed25519, no aeso
// code and no Merkle library.

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/aeso-dev/aeso/internal/testdb"
)

// canonical writes v (decoded with UseNumber) as RFC 8785 JCS.
func canonical(b *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return err
		}
		// ECMAScript's Number.toString for the magnitudes this test sends.
		if f != 0 && (f < 1e-6 && f > -1e-6 || f >= 1e21 || f <= -1e21) {
			return fmt.Errorf("number %s outside this check's range", x)
		}
		b.WriteString(strconv.FormatFloat(f, 'f', -1, 64))
	case string:
		b.WriteByte('"')
		for _, r := range x {
			switch {
			case r == '"':
				b.WriteString(`\"`)
			case r == '\\':
				b.WriteString(`\\`)
			case r == '\b':
				b.WriteString(`\b`)
			case r == '\f':
				b.WriteString(`\f`)
			case r == '\n':
				b.WriteString(`\n`)
			case r == '\r':
				b.WriteString(`\r`)
			case r == '\t':
				b.WriteString(`\t`)
			case r < 0x20:
				fmt.Fprintf(b, `\u%04x`, r)
			default:
				b.WriteRune(r)
			}
		}
		b.WriteByte('"')
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := canonical(b, e); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		// Members sort by their UTF-16 code units.
		sort.Slice(keys, func(i, j int) bool {
			a, c := utf16.Encode([]rune(keys[i])), utf16.Encode([]rune(keys[j]))
			for k := 0; k < len(a) && k < len(c); k++ {
				if a[k] != c[k] {
					return a[k] < c[k]
				}
			}
			return len(a) < len(c)
		})
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := canonical(b, k); err != nil {
				return err
			}
			b.WriteByte(':')
			if err := canonical(b, x[k]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	default:
		return fmt.Errorf("unexpected %T", v)
	}
	return nil
}

// leafOf builds the documented leaf from an event as the API shows it.
func leafOf(t *testing.T, raw json.RawMessage) []byte {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var ev map[string]any
	if err := dec.Decode(&ev); err != nil {
		t.Fatal(err)
	}
	leaf := map[string]any{}
	for _, k := range []string{"id", "actor_user_id", "actor_service_account_id", "actor_role", "actor_display_name",
		"action", "target_type", "target_id", "target_display_name", "result", "correlation_id",
		"source", "request_id", "trace_id"} {
		s, _ := ev[k].(string) // absent in the API answer: "" in the leaf
		leaf[k] = s
	}
	leaf["seq"] = ev["seq"]
	leaf["metadata"] = ev["metadata"]
	leaf["redacted_paths"] = ev["redacted_paths"]
	for _, k := range []string{"occurred_at", "recorded_at"} {
		tm, err := time.Parse(time.RFC3339Nano, ev[k].(string))
		if err != nil {
			t.Fatal(err)
		}
		leaf[k] = tm.UTC().Format("2006-01-02T15:04:05.000000Z")
	}
	var b bytes.Buffer
	if err := canonical(&b, leaf); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// mth is RFC 6962's Merkle tree hash.
func mth(leaves [][]byte) [32]byte {
	switch n := len(leaves); n {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		return sha256.Sum256(append([]byte{0}, leaves[0]...))
	default:
		k := 1
		for k*2 < n {
			k *= 2
		}
		l, r := mth(leaves[:k]), mth(leaves[k:])
		return sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...))
	}
}

// openCheckpoint checks a signed note against a verifier key
// ("<name>+<hash hex>+<base64 0x01||pubkey>") and returns its body.
func openCheckpoint(t *testing.T, signed []byte, vkey string) (origin string, size int64, root []byte) {
	t.Helper()
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		t.Fatalf("verifier key %q has %d parts", vkey, len(parts))
	}
	key, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(key) != 33 || key[0] != 1 {
		t.Fatalf("verifier key is not Ed25519: %v", err)
	}
	// The key hash: the first four bytes of SHA-256(name || "\n" || 0x01 || key).
	kh := sha256.Sum256(append([]byte(parts[0]+"\n"), key...))
	if got := fmt.Sprintf("%08x", binary.BigEndian.Uint32(kh[:4])); got != parts[1] {
		t.Fatalf("key hash %s; the key says %s", got, parts[1])
	}
	text, sigs, ok := bytes.Cut(signed, []byte("\n\n"))
	if !ok {
		t.Fatalf("checkpoint %q has no signature block", signed)
	}
	text = append(text, '\n')
	verified := false
	for _, line := range strings.Split(strings.TrimSuffix(string(sigs), "\n"), "\n") {
		name, sig64, _ := strings.Cut(strings.TrimPrefix(line, "— "), " ")
		sig, err := base64.StdEncoding.DecodeString(sig64)
		if name != parts[0] || err != nil || len(sig) != 4+ed25519.SignatureSize || !bytes.Equal(sig[:4], kh[:4]) {
			continue
		}
		verified = ed25519.Verify(ed25519.PublicKey(key[1:]), text, sig[4:])
	}
	if !verified {
		t.Fatalf("no valid signature by %s on checkpoint:\n%s", parts[0], signed)
	}
	lines := strings.Split(string(text), "\n")
	if len(lines) != 4 || lines[3] != "" {
		t.Fatalf("checkpoint body %q is not origin, size, root", text)
	}
	size, err = strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	root, err = base64.StdEncoding.DecodeString(lines[2])
	if err != nil {
		t.Fatal(err)
	}
	return lines[0], size, root
}

func TestAThirdPartyRecomputesTheSignedRootFromTheDocumentedLeaves(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		// Events with every kind of field: display names, nested metadata,
		// numbers, escapes, non-ASCII text; a token's creation adds an
		// event of the platform's own.
		for i := 0; i < 3; i++ {
			ev := validEvent()
			ev["actor_display_name"] = "Zoë \"Z\" Ångström"
			ev["target_display_name"] = "key <prod> & co"
			ev["metadata"] = map[string]any{"attempt": 2.50 + float64(i), "big": 1e20, "nested": map[string]any{"b": []any{1, "two\tthree", nil, true}, "a": "é"}, "line": "a\nb\"c\\d</e>"}
			if r := e.do("POST", "/v1/audit/events", adminToken, ev); r.status != http.StatusCreated {
				t.Fatalf("emit: %d %s", r.status, r.body)
			}
		}
		batch := []any{}
		for i := 0; i < 40; i++ {
			ev := validEvent()
			delete(ev, "correlation_id")
			ev["metadata"] = map[string]any{"i": i, "password": "hunter2hunter2"}
			batch = append(batch, ev)
		}
		if r := e.do("POST", "/v1/audit/events", adminToken, map[string]any{"events": batch}); r.status != http.StatusCreated {
			t.Fatalf("emit batch: %d %s", r.status, r.body)
		}
		e.newToken("ci", "audit:read")

		// Every event over the API, oldest first.
		var events []json.RawMessage
		for cursor := ""; ; {
			path := "/v1/audit/events?limit=1000"
			if cursor != "" {
				path += "&cursor=" + cursor
			}
			r := e.do("GET", path, adminToken, nil)
			var page struct {
				Events     []json.RawMessage `json:"events"`
				NextCursor *string           `json:"next_cursor"`
			}
			r.json(t, &page)
			events = append(events, page.Events...)
			if page.NextCursor == nil {
				break
			}
			cursor = *page.NextCursor
		}
		leaves := make([][]byte, len(events))
		for i, raw := range events {
			leaves[len(events)-1-i] = leafOf(t, raw)
		}

		vkey := strings.TrimSpace(string(e.do("GET", "/v1/audit/key", "", nil).body))
		signed := e.do("GET", "/v1/audit/checkpoint", adminToken, nil).body
		origin, size, root := openCheckpoint(t, signed, vkey)
		if origin != "aeso.local/audit" {
			t.Errorf("origin %q; want the default aeso.local/audit", origin)
		}
		if size != int64(len(leaves)) {
			t.Fatalf("checkpoint covers %d events; the API lists %d", size, len(leaves))
		}
		if want := mth(leaves); !bytes.Equal(root, want[:]) {
			t.Fatalf("the checkpoint's root %x is not the root %x of the documented leaves", root, want)
		}

		// The export holds exactly those leaves, one per line.
		export := e.do("GET", "/v1/audit/export", adminToken, nil)
		if ct := export.header.Get("Content-Type"); ct != "application/x-ndjson" {
			t.Errorf("export Content-Type %q", ct)
		}
		want := append(bytes.Join(leaves, []byte("\n")), '\n')
		if !bytes.Equal(export.body, want) {
			t.Fatalf("export differs from the documented leaves:\n got %.400s\nwant %.400s", export.body, want)
		}
		since := e.do("GET", "/v1/audit/export?since=40", adminToken, nil)
		if want := append(bytes.Join(leaves[40:], []byte("\n")), '\n'); !bytes.Equal(since.body, want) {
			t.Fatalf("export since 40 is not the leaves after seq 40")
		}
		t.Logf("%s: %d events, root %x recomputed from the documented leaf format", tg.Dialect, size, root)
	})
}
