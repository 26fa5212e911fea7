package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/auditlog"
	"github.com/aeso-dev/aeso/internal/auth"
	"github.com/aeso-dev/aeso/internal/component"
	"github.com/aeso-dev/aeso/internal/config"
	"github.com/aeso-dev/aeso/internal/console"
	"github.com/aeso-dev/aeso/internal/evidence"
	"github.com/aeso-dev/aeso/internal/gate"
	"github.com/aeso-dev/aeso/internal/guard"
	"github.com/aeso-dev/aeso/internal/invariant"
	"github.com/aeso-dev/aeso/internal/reconcile"
	"github.com/aeso-dev/aeso/internal/server"
	"github.com/aeso-dev/aeso/internal/status"
	"github.com/aeso-dev/aeso/internal/store"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
)

// AdminTokenFile is where the bootstrap admin token is written, inside the
// data directory, readable by its owner only.
const AdminTokenFile = "admin.token"

// Main is a running aeso.
type Main struct {
	Config Config
	DB     *store.DB
	// AdminTokenPath is set when this start minted the bootstrap token.
	AdminTokenPath string

	listener net.Listener
	http     *http.Server
	done     chan error
	stopWait chan struct{} // closed by Shutdown to end whenReady

	stopSchedule context.CancelFunc // ends scheduled snapshots
	schedule     sync.WaitGroup
}

// NewID returns a UUIDv7: time-ordered, so ids sort roughly by creation.
func NewID() string {
	u, err := uuid.NewV7()
	if err != nil {
		// Only a failing random source gets here; a v4 id is still unique.
		return uuid.NewString()
	}
	return u.String()
}

// OpenDB opens (and, if asked, migrates) the database cfg names.
func OpenDB(ctx context.Context, cfg Config) (*store.DB, error) {
	db, err := store.Open(ctx, store.Options{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, Timeout: cfg.DBTimeout,
		WithoutTreeForMeasurement: cfg.WithoutTreeForMeasurement})
	if err != nil {
		return nil, err
	}
	if cfg.Migrate {
		applied, err := db.Migrate(ctx)
		if err != nil {
			db.Close()
			return nil, err
		}
		if len(applied) > 0 && cfg.Logger != nil {
			cfg.Logger.Info("migrations applied", "versions", applied, "database", db.Location)
		}
	}
	return db, nil
}

// Start builds the service from cfg, listens on cfg.Addr and serves in the
// background until Shutdown.
func Start(ctx context.Context, cfg Config) (*Main, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	defs, err := loadDefinitions(cfg.ConfigPath)
	if err != nil {
		return nil, err
	}
	registry, err := audit.NewRegistry(audit.BuiltinActions(), defs.Actions)
	if err != nil {
		return nil, err
	}
	// The address first: a port in use must fail the start before the
	// data directory, its key and the first admin token are made, or the
	// one start that says where the token is would be lost to it.
	listener, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w; give another address with --addr (AESO_ADDR)", cfg.Addr, err)
	}
	started := false
	defer func() {
		if !started {
			listener.Close()
		}
	}()
	skey, err := logKey(cfg, defs)
	if err != nil {
		return nil, err
	}
	db, err := OpenDB(ctx, cfg)
	if err != nil {
		return nil, err
	}
	logSvc, err := auditlog.New(db, skey)
	if err != nil {
		db.Close()
		return nil, err
	}
	m := &Main{Config: cfg, DB: db, done: make(chan error, 1)}
	auditSvc := &audit.Service{Store: db, Registry: registry, Now: cfg.Now, NewID: NewID}
	authSvc := &auth.Service{Store: db, Audit: auditSvc, Now: cfg.Now, NewID: NewID}
	evidenceSvc := &evidence.Service{Store: db, Audit: auditSvc, Now: cfg.Now, NewID: NewID}
	invariantSvc := &invariant.Service{Store: db, Audit: auditSvc, Now: cfg.Now, NewID: NewID,
		EvidenceExists: evidenceSvc.Exists}
	evidenceSvc.Invariants = invariantSvc
	guardSvc := &guard.Service{Store: db, Now: cfg.Now, NewID: NewID}
	componentSvc := &component.Service{Defs: defs.Components, Store: db, Now: cfg.Now, NewID: NewID}
	reconcileSvc := &reconcile.Service{Store: db, Audit: auditSvc, Now: cfg.Now, NewID: NewID,
		KnownComponent: func(name string) bool { _, err := componentSvc.Def(name); return err == nil },
		KnownInvariantID: func(ctx context.Context, id string) (bool, error) {
			_, err := invariantSvc.View(ctx, id, "")
			if aeso.ErrorCode(err) == aeso.ENOTFOUND {
				return false, nil
			}
			return err == nil, err
		}}
	gateSvc := &gate.Service{Defs: defs.Gates, Store: db, Audit: auditSvc, Evidence: evidenceSvc,
		Invariants: invariantSvc, Guards: guardSvc, Components: componentSvc, Reconciliations: reconcileSvc,
		Now: cfg.Now, NewID: NewID}
	statusSvc := &status.Service{Config: defs.Status, Gates: gateSvc, Store: db, Audit: auditSvc,
		Components: componentSvc, Invariants: invariantSvc, Evidence: evidenceSvc, Reconciliations: reconcileSvc,
		Now: cfg.Now, NewID: NewID, Logger: cfg.Logger, Ticker: cfg.Ticker}
	schedCtx, stopSchedule := context.WithCancel(context.Background())
	m.stopSchedule = stopSchedule
	// firstUse runs once the schema is current: the admin token, the
	// invariant definitions' stable IDs, and the snapshot schedule.
	firstUse := func(ctx context.Context) error {
		// Events written before the audit tree existed join it first, in
		// bounded transactions; every later write grows it itself.
		if added, err := db.CatchUpTree(ctx); err != nil {
			return fmt.Errorf("audit tree: %w", err)
		} else if added > 0 {
			cfg.Logger.Info("audit tree caught up with stored events", "events", added)
		}
		if err := m.bootstrap(ctx, authSvc); err != nil {
			return err
		}
		if err := invariantSvc.Sync(ctx, defs.Invariants); err != nil {
			return fmt.Errorf("%s: %w", cfg.ConfigPath, err)
		}
		m.schedule.Add(1)
		go func() {
			defer m.schedule.Done()
			statusSvc.RunSchedule(schedCtx)
		}()
		return nil
	}
	if err := db.Ready(ctx); err != nil {
		// Started before `aeso migrate` ran (--migrate=false): serve, answer
		// 503 on /readyz, and bootstrap once the schema is there.
		cfg.Logger.Warn("database not ready; waiting for migrations", "err", err)
		m.stopWait = make(chan struct{})
		go m.whenReady(firstUse)
	} else if err := firstUse(ctx); err != nil {
		stopSchedule()
		db.Close()
		return nil, err
	}
	srv := &server.Server{
		Audit: auditSvc, Auth: authSvc, Evidence: evidenceSvc, Invariants: invariantSvc, Guards: guardSvc, Gates: gateSvc, Components: componentSvc, Reconciliations: reconcileSvc, Status: statusSvc, Log: logSvc, Ready: db, Logger: cfg.Logger,
		Metrics: server.NewMetrics(prometheus.NewRegistry()),
		MaxBody: cfg.MaxBody, Version: cfg.Version, NewReqID: NewID, Now: cfg.Now, RetryAfter: cfg.DBTimeout,
	}
	ui := &console.Console{Audit: auditSvc, Auth: authSvc, Status: statusSvc, Components: componentSvc,
		Reconciliations: reconcileSvc, Sessions: db,
		Evidence: evidenceSvc, Invariants: invariantSvc, Guards: guardSvc, Gates: gateSvc, ResolveRef: srv.ResolveRef, Logger: cfg.Logger,
		Now: cfg.Now, NewID: NewID, Settings: console.Settings{
			TraceURL: defs.Console.TraceURL, RequestURL: defs.Console.RequestURL,
			SessionIdle: defs.Console.Idle, SessionMax: defs.Console.Max,
		}}
	srv.Metrics.WatchPosture(statusSvc.Current, cfg.Logger)
	srv.Metrics.WatchGroupCommits(db.GroupCommits)
	// abort undoes a start that failed after the database was in use.
	abort := func(err error) (*Main, error) {
		if m.stopWait != nil {
			close(m.stopWait)
		}
		stopSchedule()
		m.schedule.Wait()
		db.Close()
		return nil, err
	}
	if srv.Console, err = ui.Handler(); err != nil {
		return abort(err)
	}
	h, err := srv.Handler()
	if err != nil {
		return abort(err)
	}
	m.listener, started = listener, true
	m.http = &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
	}
	go func() { m.done <- m.http.Serve(m.listener) }()
	cfg.Logger.Info("aeso serving", "addr", m.Addr(), "database", db.Dialect(), "location", db.Location,
		"actions", len(registry.All()), "version", cfg.Version)
	return m, nil
}

// logKey returns the audit log's signing key for the configured origin:
// AESO_LOG_KEY, or the data directory's key file, made on first start. The
// key itself is never logged.
func logKey(cfg Config, defs *config.Config) (string, error) {
	origin := cfg.LogOrigin
	if origin == "" {
		origin = defs.Log.Origin
	}
	if origin == "" {
		origin = auditlog.DefaultOrigin
	}
	skey, created, err := auditlog.LoadKey(cfg.LogKey, cfg.DataDir, origin)
	if err != nil {
		return "", fmt.Errorf("audit log key: %w", err)
	}
	if created {
		cfg.Logger.Info("no audit log key existed: one was made; keep a copy of the file safe (it is not shown here)",
			"path", filepath.Join(cfg.DataDir, auditlog.KeyFile), "origin", origin)
	}
	return skey, nil
}

func loadDefinitions(path string) (*config.Config, error) {
	if path == "" {
		return &config.Config{}, nil
	}
	return config.Load(path, config.Options{ReservedActions: audit.BuiltinActionNames()})
}

// bootstrap makes sure an admin can get in: AESO_ADMIN_TOKEN, or on first
// start a fresh token written to the data directory with mode 0600.
func (m *Main) bootstrap(ctx context.Context, svc *auth.Service) error {
	secret, err := svc.Bootstrap(ctx, m.Config.AdminToken)
	if err != nil {
		return fmt.Errorf("bootstrap admin token: %w", err)
	}
	if secret == "" {
		return nil
	}
	if err := os.MkdirAll(m.Config.DataDir, 0o700); err != nil {
		return err
	}
	path := filepath.Join(m.Config.DataDir, AdminTokenFile)
	if err := writeSecretFile(path, secret+"\n"); err != nil {
		return fmt.Errorf("write admin token: %w", err)
	}
	m.AdminTokenPath = path
	m.Config.Logger.Info("no token existed: an admin token was created; read it from the file (it is not shown here)", "path", path)
	return nil
}

// whenReady polls readiness and then runs fn once.
func (m *Main) whenReady(fn func(context.Context) error) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-m.stopWait:
			return
		case <-tick.C:
		}
		if m.DB.Ready(context.Background()) != nil {
			continue
		}
		if err := fn(context.Background()); err != nil {
			m.Config.Logger.Error("first use of the database", "err", err)
		}
		return
	}
}

func writeSecretFile(path, content string) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	if err := f.Chmod(0o600); err != nil {
		return err
	}
	_, err = f.WriteString(content)
	return err
}

// Addr is the address the server listens on (useful with port 0).
func (m *Main) Addr() string { return m.listener.Addr().String() }

// URL is the server's base URL.
func (m *Main) URL() string { return "http://" + m.Addr() }

// Done yields the serve loop's end.
func (m *Main) Done() <-chan error { return m.done }

// Shutdown stops accepting connections, waits for in-flight requests (up to
// Config.DrainTimeout) and closes the database.
func (m *Main) Shutdown(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, m.Config.DrainTimeout())
	defer cancel()
	if m.stopWait != nil {
		close(m.stopWait)
	}
	m.stopSchedule()
	m.schedule.Wait()
	err := m.http.Shutdown(ctx)
	if serveErr := <-m.done; serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	return errors.Join(err, m.DB.Close())
}
