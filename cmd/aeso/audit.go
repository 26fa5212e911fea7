package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aeso-dev/aeso/client"
	"github.com/google/uuid"
	"github.com/spf13/cobra"
)

func newAuditCmd() *cobra.Command {
	var cf clientFlags
	cmd := &cobra.Command{Use: "audit", Short: "Record and read audit events"}
	cf.register(cmd)
	cmd.AddCommand(newAuditEmitCmd(&cf), newAuditListCmd(&cf), newAuditGetCmd(&cf),
		newAuditKeyCmd(&cf), newAuditExportCmd(&cf), newAuditVerifyCmd(&cf), newAuditWitnessCmd(&cf))
	return cmd
}

func newAuditEmitCmd(cf *clientFlags) *cobra.Command {
	var in client.EventInput
	var metadata, file string
	cmd := &cobra.Command{
		Use:   "emit",
		Short: "Record one event from flags, or a batch from --file",
		Example: `  aeso audit emit --action credentials.api_key.rotate --actor-user alice \
      --target-type api_key --target-id key-42 --metadata '{"key_name":"deploy"}'
  aeso audit emit --file events.json     # one event, a JSON array, or {"events":[…]}`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			var events []client.EventInput
			if file != "" {
				if events, err = readEventsFile(file, cmd.InOrStdin()); err != nil {
					return err
				}
			} else {
				if in.OccurredAt == "" {
					in.OccurredAt = time.Now().UTC().Format(time.RFC3339Nano)
				}
				if metadata != "" {
					if !json.Valid([]byte(metadata)) {
						return errors.New("--metadata must be a JSON object, e.g. '{\"key_name\":\"deploy\"}'")
					}
					in.Metadata = json.RawMessage(metadata)
				}
				events = []client.EventInput{in}
			}
			// An id makes the call idempotent, so it can be retried safely
			// after an outage: the server stores it once.
			for i := range events {
				if events[i].ID == "" {
					events[i].ID = newEventID()
				}
			}
			if file == "" {
				ev, _, err := c.EmitEvent(cmd.Context(), events[0])
				if err != nil {
					return err
				}
				if cf.json {
					return printJSON(cmd.OutOrStdout(), ev)
				}
				printEvents(cmd.OutOrStdout(), []client.Event{*ev})
				return nil
			}
			receipt, err := c.EmitEvents(cmd.Context(), events)
			if err != nil {
				return err
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), receipt)
			}
			printReceipt(cmd.OutOrStdout(), receipt)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&in.Action, "action", "", "action, e.g. credentials.api_key.rotate")
	f.StringVar(&in.Result, "result", "success", "success, failure or denied")
	f.StringVar(&in.ActorUserID, "actor-user", "", "acting user id")
	f.StringVar(&in.ActorServiceAccountID, "actor-service-account", "", "acting service account id")
	f.StringVar(&in.ActorRole, "actor-role", "", "role the actor acted in")
	f.StringVar(&in.ActorDisplayName, "actor-name", "", "actor display name")
	f.StringVar(&in.TargetType, "target-type", "", "target type, e.g. api_key")
	f.StringVar(&in.TargetID, "target-id", "", "target id")
	f.StringVar(&in.TargetDisplayName, "target-name", "", "target display name")
	f.StringVar(&in.CorrelationID, "correlation-id", "", "correlation id")
	f.StringVar(&in.OccurredAt, "occurred-at", "", "RFC 3339 time (default now)")
	f.StringVar(&in.ID, "id", "", "idempotency id (UUID; default a new one); a retry with the same id is a replay")
	f.StringVar(&metadata, "metadata", "", "metadata as a JSON object")
	f.StringVar(&file, "file", "", "read events from a JSON file ('-' for stdin)")
	return cmd
}

// readEventsFile accepts one event object, an array, or {"events":[…]}.
func readEventsFile(path string, stdin io.Reader) ([]client.EventInput, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, err
	}
	// One event, an array, or {"events": […]}: decided by the top-level
	// shape, and decoded strictly so a misspelt field is an error here
	// rather than silently dropped.
	var events []client.EventInput
	trimmed := bytes.TrimSpace(data)
	var top map[string]json.RawMessage
	switch {
	case bytes.HasPrefix(trimmed, []byte("[")):
		err = strictJSON(trimmed, &events)
	case json.Unmarshal(trimmed, &top) == nil && len(top) == 1 && top["events"] != nil:
		err = strictJSON(top["events"], &events)
	default:
		var one client.EventInput
		err = strictJSON(trimmed, &one)
		events = []client.EventInput{one}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(events) == 0 {
		return nil, fmt.Errorf("%s holds no events", path)
	}
	return events, nil
}

func newAuditListCmd(cf *clientFlags) *cobra.Command {
	var o client.ListOptions
	var since, until string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List events, newest first",
		Example: "  aeso audit list --action 'credentials.*' --result failure --since 2026-01-01T00:00:00Z\n" +
			"  aeso audit list --search 'deploy-key-7 rotate' --actor-user alice",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("search") && strings.TrimSpace(o.Search) == "" {
				return fmt.Errorf("--search needs words to look for")
			}
			// A filter given empty (an unset variable) is a mistake, not
			// "any": it would list the whole trail.
			for _, name := range []string{"actor-user", "actor-service-account", "action", "category", "target-type",
				"target-id", "result", "correlation-id", "since", "until", "cursor"} {
				if fl := cmd.Flags().Lookup(name); fl.Changed && fl.Value.String() == "" {
					return fmt.Errorf("--%s is empty: give a value, or leave the flag out", name)
				}
			}
			if err := parseTimeFlags(map[string]struct {
				s   string
				dst *time.Time
			}{"--since": {since, &o.Since}, "--until": {until, &o.Until}}); err != nil {
				return err
			}
			page, err := c.ListEvents(cmd.Context(), o)
			if err != nil {
				return err
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), page)
			}
			printEvents(cmd.OutOrStdout(), page.Events)
			if page.NextCursor != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "more: --cursor %s\n", *page.NextCursor)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.ActorUserID, "actor-user", "", "acting user id")
	f.StringVar(&o.ActorServiceAccountID, "actor-service-account", "", "acting service account id")
	f.StringVar(&o.Action, "action", "", "action, or a prefix like 'credentials.*'")
	f.StringVar(&o.Category, "category", "", "category, e.g. Access or Uncategorized")
	f.StringVar(&o.TargetType, "target-type", "", "target type")
	f.StringVar(&o.TargetID, "target-id", "", "target id")
	f.StringVar(&o.Result, "result", "", "success, failure or denied")
	f.StringVar(&o.CorrelationID, "correlation-id", "", "correlation id")
	f.StringVar(&o.Search, "search", "", "words in actor, action, target, correlation id or metadata keys and values;\n"+
		"words joined by punctuation ('deploy-key-7') must stand together")
	f.StringVar(&since, "since", "", "occurred at or after (RFC 3339)")
	f.StringVar(&until, "until", "", "occurred before (RFC 3339)")
	f.IntVar(&o.Limit, "limit", 50, "events per page (1-1000)")
	f.StringVar(&o.Cursor, "cursor", "", "cursor of the next page, from a previous listing")
	return cmd
}

func newAuditGetCmd(cf *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "get ID",
		Short: "Show one event with its presentation",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			ev, err := c.GetEvent(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), ev)
			}
			printEvent(cmd.OutOrStdout(), ev)
			return nil
		},
	}
}

func strictJSON(data []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(dst)
}

// newEventID returns a UUIDv7 for an event sent without an id.
func newEventID() string {
	if u, err := uuid.NewV7(); err == nil {
		return u.String()
	}
	return uuid.NewString()
}
