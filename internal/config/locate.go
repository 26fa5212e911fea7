package config

import (
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// position returns the line and column of the node at path (e.g.
// "actions[0].severity.success"). A field that was never written has no
// node, so the problem is placed at its nearest written ancestor: a missing
// label points at the action it belongs to, a missing severity.failure at
// the "severity" key.
func (l *loader) position(path string) (line, col int) {
	for p := path; p != ""; p = parentPath(p) {
		node := l.lookup(p)
		if node == nil {
			continue
		}
		// A value is the most precise place for a wrong value, but an
		// ancestor's value or a null (the token after "label:") is not what
		// the operator typed; its key is.
		if p != path || node.Type() == ast.NullType {
			if key := l.keyNode(p); key != nil {
				return tokenPosition(key.GetToken())
			}
		}
		if node.Type() == ast.NullType {
			if dash := l.dashToken(p); dash != nil {
				return tokenPosition(dash)
			}
		}
		return nodePosition(node)
	}
	return nodePosition(l.file.Docs[0].Body)
}

// lookup finds the node at path in the first document, or nil. Lookups
// through an anchor or alias fail, which position treats as "not written"
// and so falls back to the anchor itself.
func (l *loader) lookup(path string) ast.Node {
	yp, err := yaml.PathString("$." + path)
	if err != nil {
		return nil
	}
	node, err := yp.FilterNode(l.file.Docs[0].Body)
	if err != nil {
		return nil
	}
	return node
}

// keyNode returns the mapping key whose value is at path, or nil.
func (l *loader) keyNode(path string) ast.Node {
	parent := parentPath(path)
	name := strings.TrimPrefix(path[len(parent):], ".")
	var m ast.Node = l.file.Docs[0].Body
	if parent != "" {
		m = l.lookup(parent)
	}
	mapping, ok := m.(*ast.MappingNode)
	if !ok {
		return nil
	}
	for _, mv := range mapping.Values {
		if keyName(mv.Key) == name {
			return mv.Key
		}
	}
	return nil
}

// dashToken returns the "-" of the block list item at path, or nil: an
// empty item has no token of its own on its line.
func (l *loader) dashToken(path string) *token.Token {
	parent := parentPath(path)
	i, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(path[len(parent):], "["), "]"))
	if err != nil {
		return nil
	}
	seq, ok := l.lookup(parent).(*ast.SequenceNode)
	if !ok || i >= len(seq.Entries) || seq.Entries[i] == nil {
		return nil
	}
	return seq.Entries[i].Start
}

// parentPath drops the last segment: "a[0].b" -> "a[0]" -> "a" -> "".
func parentPath(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

// nodePosition is where an operator would look for a node. A block
// mapping's own token is the first colon, so use its first key instead.
func nodePosition(n ast.Node) (line, col int) {
	if m, ok := n.(*ast.MappingNode); ok && !m.IsFlowStyle && len(m.Values) > 0 {
		return tokenPosition(m.Values[0].Key.GetToken())
	}
	return tokenPosition(n.GetToken())
}

func tokenPosition(tk *token.Token) (line, col int) {
	if tk == nil || tk.Position == nil {
		return 1, 1
	}
	return tk.Position.Line, tk.Position.Column
}

// pathOf finds the path of the node holding tk below root, so an error
// reported by the decoder (which knows only a token) can name its setting.
func pathOf(root ast.Node, tk *token.Token, prefix string) (string, bool) {
	if root == nil || tk == nil || tk.Position == nil {
		return "", false
	}
	switch n := root.(type) {
	case *ast.AnchorNode:
		return pathOf(n.Value, tk, prefix)
	case *ast.MappingNode:
		for _, mv := range n.Values {
			p := joinPath(prefix, keyName(mv.Key))
			if samePosition(mv.Key.GetToken(), tk) {
				return p, true
			}
			if found, ok := pathOf(mv.Value, tk, p); ok {
				return found, true
			}
		}
	case *ast.MappingValueNode:
		p := joinPath(prefix, keyName(n.Key))
		if samePosition(n.Key.GetToken(), tk) {
			return p, true
		}
		return pathOf(n.Value, tk, p)
	case *ast.SequenceNode:
		for i, v := range n.Values {
			if found, ok := pathOf(v, tk, prefix+"["+strconv.Itoa(i)+"]"); ok {
				return found, true
			}
		}
	}
	if samePosition(root.GetToken(), tk) {
		return prefix, true
	}
	return "", false
}

func joinPath(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

func keyName(key ast.MapKeyNode) string {
	if s, ok := key.(*ast.StringNode); ok {
		return s.Value
	}
	return key.GetToken().Value
}

func samePosition(a, b *token.Token) bool {
	return a != nil && a.Position != nil && a.Position.Offset == b.Position.Offset &&
		a.Position.Line == b.Position.Line && a.Position.Column == b.Position.Column
}
