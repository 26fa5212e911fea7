package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/aeso-dev/aeso/internal/app"
	"github.com/aeso-dev/aeso/internal/auditlog"
	"github.com/spf13/cobra"
)

func newServeCmd() *cobra.Command {
	cfg := app.Defaults()
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the aeso server",
		Long: `Run the aeso server. With no flags it keeps its data in ./aeso-data (SQLite)
and listens on 127.0.0.1:8080. On first start with no tokens it writes an
admin token to <data-dir>/admin.token (mode 0600), and the audit log's
signing key to <data-dir>/log.key (mode 0600) unless AESO_LOG_KEY gives it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg.AdminToken = os.Getenv("AESO_ADMIN_TOKEN")
			cfg.LogKey = os.Getenv("AESO_LOG_KEY")
			cfg.Version = version
			cfg.Logger = slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
			return serve(cmd.Context(), cfg, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Addr, "addr", env("AESO_ADDR", cfg.Addr), "listen address (AESO_ADDR)")
	f.StringVar(&cfg.DataDir, "data-dir", env("AESO_DATA_DIR", cfg.DataDir), "data directory for SQLite and admin.token (AESO_DATA_DIR)")
	f.StringVar(&cfg.DatabaseURL, "database-url", env("AESO_DATABASE_URL", ""), "PostgreSQL URL, postgres://… (AESO_DATABASE_URL); empty means SQLite")
	f.StringVar(&cfg.LogOrigin, "log-origin", env("AESO_LOG_ORIGIN", ""), "name of the audit log in its signed checkpoints (AESO_LOG_ORIGIN); default log.origin of --config, else "+auditlog.DefaultOrigin)
	f.StringVar(&cfg.ConfigPath, "config", env("AESO_CONFIG", ""), "definitions file, e.g. aeso.yaml (AESO_CONFIG)")
	migrate, migrateErr := strconv.ParseBool(env("AESO_MIGRATE", "true"))
	f.BoolVar(&cfg.Migrate, "migrate", migrate, "apply pending database migrations at start (AESO_MIGRATE)")
	dbTimeout, dbTimeoutErr := time.ParseDuration(env("AESO_DB_TIMEOUT", cfg.DBTimeout.String()))
	durationVar(f, &cfg.DBTimeout, "db-timeout", dbTimeout, "deadline of each database query; past it requests answer 503 unavailable (AESO_DB_TIMEOUT)")
	cmd.PreRunE = func(*cobra.Command, []string) error {
		if migrateErr != nil {
			return fmt.Errorf("AESO_MIGRATE must be true or false, not %q", os.Getenv("AESO_MIGRATE"))
		}
		if dbTimeoutErr != nil {
			return fmt.Errorf("AESO_DB_TIMEOUT must be a duration such as 5s or 500ms, not %q", os.Getenv("AESO_DB_TIMEOUT"))
		}
		return nil
	}
	return cmd
}

// serve runs until SIGINT or SIGTERM, then drains in-flight requests.
func serve(ctx context.Context, cfg app.Config, out io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	m, err := app.Start(ctx, cfg)
	if err != nil {
		return err
	}
	if m.AdminTokenPath != "" {
		fmt.Fprintf(out, "admin token written to %s\n  export AESO_TOKEN=$(cat %s)\n", m.AdminTokenPath, m.AdminTokenPath)
	}
	select {
	case <-ctx.Done():
		cfg.Logger.Info("shutting down: draining in-flight requests")
	case err := <-m.Done():
		return fmt.Errorf("server stopped: %w", err)
	}
	if err := m.Shutdown(context.Background()); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("shutdown: %w", err)
	}
	cfg.Logger.Info("stopped")
	return nil
}

func newMigrateCmd() *cobra.Command {
	cfg := app.Defaults()
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply pending database migrations and exit",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg.Migrate = true
			db, err := app.OpenDB(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer db.Close()
			cur, _, err := db.MigrationStatus(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s schema is at version %d (%s)\n", db.Dialect(), cur, db.Location)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.DataDir, "data-dir", env("AESO_DATA_DIR", cfg.DataDir), "data directory for SQLite (AESO_DATA_DIR)")
	f.StringVar(&cfg.DatabaseURL, "database-url", env("AESO_DATABASE_URL", ""), "PostgreSQL URL (AESO_DATABASE_URL)")
	return cmd
}
