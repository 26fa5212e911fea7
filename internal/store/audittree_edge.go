package store

import (
	"database/sql"
	"sync"

	"github.com/aeso-dev/aeso/internal/auditlog"
	"golang.org/x/mod/sumdb/tlog"
)

// treeEdge remembers the frontier (the complete subtrees) of the tree as
// this process's last committed transaction left it, so the next one need
// not read the tree at all. It is trusted only for a tree of exactly that
// size: the frontier is published after the commit, and seq (which the
// tree's size always equals) only grows, so a tree of that size is the one
// this process committed, whatever other replicas did before or roll back
// since. A transaction's own growth is pending until it commits.
type treeEdge struct {
	mu       sync.Mutex
	size     int64
	frontier map[int64]tlog.Hash // nil until a commit published one

	tx              *sql.Tx // the transaction that grew the tree last, uncommitted
	pendingSize     int64
	pendingFrontier map[int64]tlog.Hash
	pendingUpper    []auditlog.StoredHash // what tx added to upper's levels

	// upper keeps committed hashes of the tree's upper levels for reads.
	upper upperHashes
}

// lookup returns the frontier of a tree of size as tx sees it, if known.
func (e *treeEdge) lookup(tx *sql.Tx, size int64) map[int64]tlog.Hash {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.tx == tx && e.pendingFrontier != nil {
		if e.pendingSize == size {
			return e.pendingFrontier
		}
		return nil
	}
	if e.frontier != nil && e.size == size {
		return e.frontier
	}
	return nil
}

// grew records the frontier tx's growth left, and the upper hashes it
// added, until tx ends.
func (e *treeEdge) grew(tx *sql.Tx, size int64, frontier map[int64]tlog.Hash, added []auditlog.StoredHash) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.tx != tx {
		e.pendingUpper = nil
	}
	e.tx, e.pendingSize, e.pendingFrontier = tx, size, frontier
	e.pendingUpper = append(e.pendingUpper, upper(added)...)
}

// settle publishes tx's growth if it committed and forgets it either way.
func (e *treeEdge) settle(tx *sql.Tx, committed bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.tx != tx {
		return
	}
	if committed {
		e.size, e.frontier = e.pendingSize, e.pendingFrontier
		e.upper.add(e.pendingUpper)
	}
	e.tx, e.pendingFrontier, e.pendingUpper = nil, nil, nil
}

// committed returns the size and frontier of the tree this process's last
// commit left, frontier nil if none is known.
func (e *treeEdge) committed() (int64, map[int64]tlog.Hash) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.size, e.frontier
}

// grownHere says whether this process may have grown the tree past size:
// a commit of its own has, or a transaction of its own is growing it
// (whose commit can land, and release the seq lock, before settle
// publishes it).
func (e *treeEdge) grownHere(size int64) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.size != size || e.tx != nil
}

// published records the tree a statement committed on its own (no
// transaction of settle's), unless a later one is known already.
func (e *treeEdge) published(size int64, frontier map[int64]tlog.Hash, added []auditlog.StoredHash) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if size > e.size || e.frontier == nil {
		e.size, e.frontier = size, frontier
	}
	e.upper.add(upper(added))
}
