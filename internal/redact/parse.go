package redact

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// hardMaxDepth caps nesting even when Limits.MaxDepth is unset; it matches
// encoding/json's own limit, beyond which the standard library refuses input.
const hardMaxDepth = 10000

// parser builds the value tree (map[string]any, []any, string, json.Number,
// bool, nil) with json.Decoder's token stream, which lets it see duplicate
// keys and stop at the first limit instead of materialising hostile input.
type parser struct {
	dec      *json.Decoder
	size     int
	maxDepth int
	maxKeys  int
	path     []segment
}

// parse returns the top-level object of raw, or the first problem found.
func parse(raw []byte, lim Limits) (map[string]any, *Problem) {
	if isBlank(raw) {
		return map[string]any{}, nil
	}
	if obj, ok := parseFast(raw, lim); ok {
		return obj, nil
	}
	return parseTokens(raw, lim)
}

// parseTokens is the exact parser: it finds the first problem and where.
func parseTokens(raw []byte, lim Limits) (map[string]any, *Problem) {
	p := &parser{
		dec:      json.NewDecoder(bytes.NewReader(raw)),
		size:     len(raw),
		maxDepth: hardMaxDepth,
		maxKeys:  lim.MaxKeys,
	}
	if lim.MaxDepth > 0 && lim.MaxDepth < hardMaxDepth {
		p.maxDepth = lim.MaxDepth
	}
	p.dec.UseNumber()

	tok, err := p.dec.Token()
	if err != nil {
		return nil, p.syntax(err)
	}
	var root map[string]any
	switch tok {
	case json.Delim('{'):
		obj, prob := p.object(1)
		if prob != nil {
			return nil, prob
		}
		root = obj
	case nil:
		root = map[string]any{}
	default:
		// Report broken JSON as broken even when it is not an object,
		// so a client fixing one error is not surprised by the next.
		if prob := p.skip(tok); prob != nil {
			return nil, prob
		}
		if prob := p.end(); prob != nil {
			return nil, prob
		}
		return nil, &Problem{Code: CodeNotObject, Message: "must be a JSON object"}
	}
	if prob := p.end(); prob != nil {
		return nil, prob
	}
	return root, nil
}

// object reads the members of an object whose '{' was just consumed.
func (p *parser) object(depth int) (map[string]any, *Problem) {
	if depth > p.maxDepth {
		return nil, p.tooDeep()
	}
	obj := map[string]any{}
	for {
		tok, err := p.dec.Token()
		if err != nil {
			return nil, p.syntax(err)
		}
		if tok == json.Delim('}') {
			return obj, nil
		}
		key, ok := tok.(string)
		if !ok {
			// Token already rejects non-string keys; this guards the
			// assumption rather than trusting it silently.
			return nil, p.invalidAt(p.dec.InputOffset())
		}
		if _, dup := obj[key]; dup {
			p.path = append(p.path, segment{key: key, index: -1})
			return nil, &Problem{Path: formatPath(p.path), Code: CodeDuplicateKey, Message: "key appears more than once in the same object"}
		}
		if p.maxKeys > 0 && len(obj) >= p.maxKeys {
			return nil, &Problem{
				Path:    formatPath(p.path),
				Code:    CodeTooManyKeys,
				Message: fmt.Sprintf("object has more than %d keys", p.maxKeys),
			}
		}
		p.path = append(p.path, segment{key: key, index: -1})
		v, prob := p.value(depth)
		if prob != nil {
			return nil, prob
		}
		p.path = p.path[:len(p.path)-1]
		obj[key] = v
	}
}

// array reads the elements of an array whose '[' was just consumed.
func (p *parser) array(depth int) ([]any, *Problem) {
	if depth > p.maxDepth {
		return nil, p.tooDeep()
	}
	arr := []any{}
	for i := 0; ; i++ {
		p.path = append(p.path, segment{index: i})
		tok, err := p.dec.Token()
		if err != nil {
			return nil, p.syntax(err)
		}
		if tok == json.Delim(']') {
			p.path = p.path[:len(p.path)-1]
			return arr, nil
		}
		v, prob := p.valueFrom(tok, depth)
		if prob != nil {
			return nil, prob
		}
		p.path = p.path[:len(p.path)-1]
		arr = append(arr, v)
	}
}

// value reads the next value inside a container at depth.
func (p *parser) value(depth int) (any, *Problem) {
	tok, err := p.dec.Token()
	if err != nil {
		return nil, p.syntax(err)
	}
	return p.valueFrom(tok, depth)
}

// valueFrom turns an already-read token into a value, descending into
// containers, which sit one level below their parent at depth.
func (p *parser) valueFrom(tok json.Token, depth int) (any, *Problem) {
	switch tok {
	case json.Delim('{'):
		return p.object(depth + 1)
	case json.Delim('['):
		return p.array(depth + 1)
	}
	return tok, nil
}

// skip consumes the rest of a top-level value that is not an object. It keeps
// no tree and recurses nowhere, so deep input costs nothing but a scan.
func (p *parser) skip(first json.Token) *Problem {
	open := 0
	for tok := first; ; {
		switch tok {
		case json.Delim('{'), json.Delim('['):
			open++
		case json.Delim('}'), json.Delim(']'):
			open--
		}
		if open == 0 {
			return nil
		}
		var err error
		if tok, err = p.dec.Token(); err != nil {
			return p.syntax(err)
		}
	}
}

// end insists the top-level value is the last thing in the input: a decoder
// would happily read a stream of values, which would hide smuggled data.
func (p *parser) end() *Problem {
	_, err := p.dec.Token()
	switch {
	case errors.Is(err, io.EOF):
		return nil
	case err != nil:
		return p.syntax(err)
	}
	return &Problem{Code: CodeInvalidJSON, Message: "unexpected data after the top-level value"}
}

func (p *parser) tooDeep() *Problem {
	return &Problem{
		Path:    formatPath(p.path),
		Code:    CodeTooDeep,
		Message: fmt.Sprintf("nesting exceeds the depth limit of %d", p.maxDepth),
	}
}

// syntax turns a decoder error into a problem. The decoder's own message is
// dropped because it quotes the offending input character.
func (p *parser) syntax(err error) *Problem {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return p.invalidAt(se.Offset)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &Problem{Code: CodeInvalidJSON, Message: fmt.Sprintf("unexpected end of JSON input at byte offset %d", p.size)}
	}
	return p.invalidAt(p.dec.InputOffset())
}

func (p *parser) invalidAt(offset int64) *Problem {
	return &Problem{Code: CodeInvalidJSON, Message: fmt.Sprintf("invalid JSON at byte offset %d", offset)}
}

// isBlank reports whether raw holds only JSON whitespace, which the contract
// treats like an absent object.
func isBlank(raw []byte) bool {
	for _, c := range raw {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

// parseFast decodes a well-formed object in one pass, several times faster
// than the token stream. It gives up (ok false) on anything the token parser
// must diagnose: a syntax error, a non-object, a limit, or a duplicate key,
// found by comparing the members decoded with the ':' separators in raw
// (decoding keeps only the last of duplicate keys).
func parseFast(raw []byte, lim Limits) (map[string]any, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	maxDepth := hardMaxDepth
	if lim.MaxDepth > 0 && lim.MaxDepth < hardMaxDepth {
		maxDepth = lim.MaxDepth
	}
	members, ok := countMembers(obj, 1, maxDepth, lim.MaxKeys)
	return obj, ok && members == countSeparators(raw)
}

// countMembers sums the members of every object in v, checking depth and
// keys per object; ok is false when a limit is exceeded.
func countMembers(v any, depth, maxDepth, maxKeys int) (int, bool) {
	n := 0
	switch t := v.(type) {
	case map[string]any:
		if depth > maxDepth || maxKeys > 0 && len(t) > maxKeys {
			return 0, false
		}
		n = len(t)
		for _, el := range t {
			m, ok := countMembers(el, depth+1, maxDepth, maxKeys)
			if !ok {
				return 0, false
			}
			n += m
		}
	case []any:
		if depth > maxDepth {
			return 0, false
		}
		for _, el := range t {
			m, ok := countMembers(el, depth+1, maxDepth, maxKeys)
			if !ok {
				return 0, false
			}
			n += m
		}
	}
	return n, true
}

// countSeparators counts the ':' outside strings in valid JSON: one per
// object member.
func countSeparators(raw []byte) int {
	n, inString := 0, false
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case inString && c == '\\':
			i++ // the escaped byte cannot end the string
		case c == '"':
			inString = !inString
		case !inString && c == ':':
			n++
		}
	}
	return n
}
