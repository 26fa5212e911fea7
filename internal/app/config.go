// Package app builds aeso from a Config and runs it: the database, the
// services, the HTTP server. The aeso binary and the end-to-end tests both
// start the service through Start, so tests run what users run.
package app

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/aeso-dev/aeso/internal/auditlog"
	"github.com/aeso-dev/aeso/internal/store"
)

// Config is everything `aeso serve` needs, already parsed from flags and
// environment.
type Config struct {
	Addr        string // listen address, e.g. 127.0.0.1:8080
	DataDir     string // SQLite database and admin.token live here
	DatabaseURL string // postgres://…; empty means embedded SQLite
	ConfigPath  string // definitions file (--config); optional
	AdminToken  string // AESO_ADMIN_TOKEN; optional
	// LogOrigin names the audit log (--log-origin); empty means the
	// definitions file's log.origin, else auditlog.DefaultOrigin.
	LogOrigin string
	// LogKey is the audit log's note signing key (AESO_LOG_KEY); empty
	// means <data-dir>/log.key, made on first start.
	LogKey          string
	Migrate         bool  // apply pending migrations at start
	MaxBody         int64 // request body limit in bytes
	ShutdownTimeout time.Duration
	Version         string
	Logger          *slog.Logger
	Now             func() time.Time
	// Ticker drives scheduled snapshots; nil means a real time.Ticker.
	Ticker func(time.Duration) (<-chan time.Time, func())
	// DBTimeout bounds each database operation (--db-timeout); past it a
	// request answers 503 unavailable instead of waiting on the database.
	DBTimeout time.Duration
	// WithoutTreeForMeasurement runs the server with the audit tree off:
	// events are stored, the tree does not grow, and checkpoints, proofs
	// and tiles are refused (503 unavailable). A measurement switch for
	// cmd/aeso-bench only, so it can compare ingest with and without the
	// log; never a flag or environment setting of `aeso serve`.
	WithoutTreeForMeasurement bool
}

// The database deadline's bounds: below 10ms even a healthy database
// misses it; past a minute clients (60 s) and the HTTP server's write
// timeout (2 min) give up before it does.
const (
	MinDBTimeout = 10 * time.Millisecond
	MaxDBTimeout = time.Minute
)

// Validate reports every problem with c at once.
func (c *Config) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("--addr %q: must be host:port (e.g. 127.0.0.1:8080)", c.Addr))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("--data-dir: must not be empty"))
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		errs = append(errs, errors.New("--database-url: must start with postgres:// or postgresql://"))
	}
	if c.LogOrigin != "" {
		if err := auditlog.CheckOrigin(c.LogOrigin); err != nil {
			errs = append(errs, fmt.Errorf("--log-origin: %w", err))
		}
	}
	if c.MaxBody < 1024 {
		errs = append(errs, errors.New("max body: must be at least 1024 bytes"))
	}
	if c.DBTimeout < MinDBTimeout || c.DBTimeout > MaxDBTimeout {
		errs = append(errs, fmt.Errorf("--db-timeout %s: must be between %s and %s", c.DBTimeout, MinDBTimeout, MaxDBTimeout))
	}
	if c.ShutdownTimeout <= 0 {
		errs = append(errs, errors.New("shutdown timeout: must be positive"))
	}
	return errors.Join(errs...)
}

// DrainTimeout is how long a shutdown waits for in-flight requests: the
// shutdown timeout, or twice the database deadline when that is longer,
// so that a request waiting on a slow database gets its answer (a 503
// within its deadline) rather than a dropped connection.
func (c Config) DrainTimeout() time.Duration {
	return max(c.ShutdownTimeout, 2*c.DBTimeout)
}

// Defaults returns the configuration of a plain `aeso serve`.
func Defaults() Config {
	return Config{
		Addr:            "127.0.0.1:8080",
		DataDir:         "./aeso-data",
		Migrate:         true,
		MaxBody:         16 << 20,
		ShutdownTimeout: 30 * time.Second,
		Version:         "dev",
		DBTimeout:       store.DefaultTimeout,
	}
}
