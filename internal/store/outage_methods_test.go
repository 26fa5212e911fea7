package store

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// notQueries are the exported methods of *DB that take a context but are
// no request's query: opening checks, readiness (answered as not_ready)
// and migrations and the audit tree's catch-up, which run before serving
// and may take long (each of the catch-up's transactions runs under db.op).
var notQueries = map[string]bool{"Ping": true, "Ready": true, "Migrate": true, "MigrationStatus": true, "CatchUpTree": true}

// TestEveryQueryMethodRunsUnderTheDeadline reads the package's source: every
// exported method of *DB that takes a context must begin with db.op, so a
// method added later cannot wait on a frozen database or answer an outage
// as a 500.
func TestEveryQueryMethodRunsUnderTheDeadline(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || !fn.Name.IsExported() || notQueries[fn.Name.Name] || !onDB(fn) || !takesContext(fn) {
				continue
			}
			checked++
			if !beginsWithOp(fn) {
				t.Errorf("%s: (*DB).%s must begin with `ctx, end := db.op(ctx, &err); defer end()`", fset.Position(fn.Pos()), fn.Name.Name)
			}
		}
	}
	if checked < 40 {
		t.Errorf("checked %d methods; the store has more", checked)
	}
}

func onDB(fn *ast.FuncDecl) bool {
	star, ok := fn.Recv.List[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	id, ok := star.X.(*ast.Ident)
	return ok && id.Name == "DB"
}

func takesContext(fn *ast.FuncDecl) bool {
	params := fn.Type.Params.List
	if len(params) == 0 {
		return false
	}
	sel, ok := params[0].Type.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "Context"
}

// beginsWithOp matches `ctx, end := db.op(ctx, &err)` then `defer end()`.
func beginsWithOp(fn *ast.FuncDecl) bool {
	if fn.Body == nil || len(fn.Body.List) < 2 {
		return false
	}
	assign, ok := fn.Body.List[0].(*ast.AssignStmt)
	if !ok || len(assign.Rhs) != 1 || len(assign.Lhs) != 2 {
		return false
	}
	call, ok := assign.Rhs[0].(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "op" {
		return false
	}
	end, ok := assign.Lhs[1].(*ast.Ident)
	if !ok {
		return false
	}
	def, ok := fn.Body.List[1].(*ast.DeferStmt)
	if !ok {
		return false
	}
	deferred, ok := def.Call.Fun.(*ast.Ident)
	return ok && deferred.Name == end.Name
}
