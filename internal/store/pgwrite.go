package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aeso-dev/aeso/internal/audit"
)

// pgStatement gathers data-modifying statements into one PostgreSQL
// statement: all but the last become WITH queries of the last. PostgreSQL
// runs each of them exactly once, against the same snapshot, and checks
// foreign keys at the end of the whole statement, so rows may refer to
// rows another part inserts.
type pgStatement struct {
	parts []string
	args  []any
	cond  string // appended to every part added after guardSeq
}

// arg binds v and returns its placeholder.
func (s *pgStatement) arg(v any) string {
	s.args = append(s.args, v)
	return "$" + strconv.Itoa(len(s.args))
}

func (s *pgStatement) add(stmt string) { s.parts = append(s.parts, stmt+s.cond) }

// guardSeq makes the statement's first part move the seq counter from
// last to next, and every part added after it write only if the counter
// stood at last. Each later part must end in a SELECT without a WHERE.
// The update waits for the counter's lock like lockSeq; a writer that
// held it and moved the counter on leaves it at another value, so the
// guard fails and nothing is written. execGuarded says which.
func (s *pgStatement) guardSeq(last, next int64) {
	s.add(`UPDATE audit_seq SET last_seq = ` + s.arg(next) + ` WHERE id = 1 AND last_seq = ` + s.arg(last) + ` RETURNING 1`)
	s.cond = ` WHERE EXISTS (SELECT 1 FROM w0)`
}

// execGuarded runs a statement begun with guardSeq as a transaction of its
// own and reports whether the guard held, that is whether it wrote.
func (s *pgStatement) execGuarded(ctx context.Context, db *sql.DB) (bool, error) {
	s.parts = append(s.parts, `SELECT count(*) FROM w0`)
	var n int
	if err := db.QueryRowContext(ctx, s.sql(), s.args...).Scan(&n); err != nil {
		return false, fmt.Errorf("insert audit events: %w", err)
	}
	return n == 1, nil
}

func (s *pgStatement) exec(ctx context.Context, tx *sql.Tx) error {
	if len(s.parts) == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, s.sql(), s.args...)
	return err
}

// sql is the statement's text: every part but the last a WITH query of it.
func (s *pgStatement) sql() string {
	var q strings.Builder
	last := len(s.parts) - 1
	for i, p := range s.parts[:last] {
		if i == 0 {
			q.WriteString("WITH ")
		} else {
			q.WriteString(", ")
		}
		q.WriteString("w" + strconv.Itoa(i) + " AS (" + p + ")")
	}
	if last > 0 {
		q.WriteByte('\n')
	}
	q.WriteString(s.parts[last])
	return q.String()
}

// addEvents adds the insert of numbered events, their search rows if
// search is set, and their display names.
func (s *pgStatement) addEvents(events []*audit.Event, search bool) error {
	n := len(events)
	seqs := make([]int64, n)
	ids, actors, accounts, roles, actions := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	targetTypes, targetIDs, results, correlations := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	occurred, recorded := make([]time.Time, n), make([]time.Time, n)
	metadata, sources, requests, traces, paths := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	var nameSeqs []int64
	var actorNames, targetNames []string
	for i, e := range events {
		p, err := json.Marshal(nonNil(e.RedactedPaths))
		if err != nil {
			return err
		}
		seqs[i], ids[i], actors[i], accounts[i], roles[i], actions[i] = e.Seq, e.ID, e.ActorUserID, e.ActorServiceAccountID, e.ActorRole, e.Action
		targetTypes[i], targetIDs[i], results[i], correlations[i] = e.TargetType, e.TargetID, e.Result, e.CorrelationID
		occurred[i], recorded[i] = e.OccurredAt.UTC(), e.RecordedAt.UTC()
		metadata[i], sources[i], requests[i], traces[i], paths[i] = string(e.Metadata), e.Source, e.RequestID, e.TraceID, string(p)
		if e.ActorDisplayName != "" || e.TargetDisplayName != "" {
			nameSeqs = append(nameSeqs, e.Seq)
			actorNames, targetNames = append(actorNames, e.ActorDisplayName), append(targetNames, e.TargetDisplayName)
		}
	}
	seq := s.arg(seqs)
	s.add(`INSERT INTO audit_logs (` + auditColumns + `)
		SELECT * FROM unnest(` + seq + `::bigint[], ` + s.arg(ids) + `::uuid[], ` + s.arg(actors) + `::text[], ` +
		s.arg(accounts) + `::text[], ` + s.arg(roles) + `::text[], ` + s.arg(actions) + `::text[], ` +
		s.arg(targetTypes) + `::text[], ` + s.arg(targetIDs) + `::text[], ` + s.arg(results) + `::text[], ` +
		s.arg(correlations) + `::text[], ` + s.arg(occurred) + `::timestamptz[], ` + s.arg(metadata) + `::json[], ` +
		s.arg(recorded) + `::timestamptz[], ` + s.arg(sources) + `::text[], ` + s.arg(requests) + `::text[], ` +
		s.arg(traces) + `::text[], ` + s.arg(paths) + `::json[])`)
	if search {
		s.add(`INSERT INTO audit_search (seq, doc) SELECT * FROM unnest(` + seq + `::bigint[], ` +
			s.arg(searchVectors(events)) + `::text[]::tsvector[])`)
	}
	if len(nameSeqs) > 0 {
		s.add(`INSERT INTO audit_display_names (seq, actor_display_name, target_display_name)
			SELECT * FROM unnest(` + s.arg(nameSeqs) + `::bigint[], ` + s.arg(actorNames) + `::text[], ` +
			s.arg(targetNames) + `::text[])`)
	}
	return nil
}

// addRuns adds the insert of audit_tree_runs rows.
func (s *pgStatement) addRuns(runs []treeRun) {
	if len(runs) == 0 {
		return
	}
	firsts, hashes := make([]int64, len(runs)), make([][]byte, len(runs))
	for i, r := range runs {
		firsts[i], hashes[i] = r.first, r.hashes
	}
	s.add(`INSERT INTO audit_tree_runs (first_idx, hashes) SELECT * FROM unnest(` +
		s.arg(firsts) + `::bigint[], ` + s.arg(hashes) + `::bytea[])`)
}
